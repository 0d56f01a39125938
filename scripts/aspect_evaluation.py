"""Print the aspect evaluation tables of docs/guide/feedback.md (section 3) from the code.

Each labelled clause set in tests/data (``aspect_clauses*.csv``: domain, clause, aspects joined
by "|") is matched with the domain lexicon, and the aspects found in each clause are compared
with the labelled ones: precision = found and labelled / found, recall = found and labelled /
labelled (micro, over clauses). ``--at COMMIT`` reads the lexicons as they were at a commit
(``git show COMMIT:src/cxmetrics/text/_lexicons.py``), which is how a first reading taken
before a later widening is reproduced. The clause sets are read as they are labelled now, under
the unified conventions of the guide ("How the clauses are labelled"), so a first reading is
recomputed on the relabelled clauses with the lexicons of its commit.

Run from the repository root::

    python scripts/aspect_evaluation.py                    # the lexicons as they are
    python scripts/aspect_evaluation.py --at 9c88b47       # unseen set, first reading
    python scripts/aspect_evaluation.py --at 48cba25       # blind set, first reading
    python scripts/aspect_evaluation.py --at 66015e5       # holdout set, first reading
    python scripts/aspect_evaluation.py --at 8efdf37       # round-5 set, first reading
    python scripts/aspect_evaluation.py --at 35c6445       # first real hotel audit, first reading
    python scripts/aspect_evaluation.py --docs             # the four tables of the guide
    python scripts/aspect_evaluation.py --draw audit_hotel6 --out /tmp/audit6   # draw a hotel audit

The audits (``aspect_clauses_audit_*.csv``, with two more columns: ``sample``, matched or
unmatched, and ``found``, what the lexicons found when the clause was judged) are seeded random
samples of real review clauses, stratified by whether the lexicons of their first reading found
an aspect. Their micro figures are per sample; ``--docs`` also gives recall weighted to the
corpus, each stratum counted by its share of the corpus's clauses (``STRATA``). Four hotel audits
also have a second judge's labels (``aspect_judge2_audit_hotel*.csv``: clause, aspects), given
without the lexicons' findings or the first labels in view; ``--docs`` compares the judges and
reads the lexicons against each.

``--draw NAME --out DIR`` draws the sample of a hotel audit listed in ``DRAWS`` (the sixth on; the
earlier ones were drawn outside the repository) from the corpus under ``$CXMETRICS_DATA``, with the
lexicons and the labelled clause sets of its first reading's commit, and writes ``DIR/private.csv``
(domain, sample, clause, found: the audit file without its labels) and ``DIR/clauses.csv`` (id,
clause: the same clauses shuffled, the file the judges see); see ``draw``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from cxmetrics.text._aspects import Aspect, AspectMatcher, resolve_lexicon, split_clauses

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
#: Commits whose lexicons gave the first readings: the fresh set before its widening, the
#: unseen set before its second pass, the blind set (written by an engineer who had not seen
#: the lexicons) before any change made after reading it, the holdout and round-5 sets (written
#: blind too) at the commits that added them, the lexicons being then as on main.
FIRST_READING = {
    "fresh": "dedffaa", "unseen": "9c88b47", "blind": "48cba25", "holdout": "66015e5", "round5": "8efdf37",
    "audit_hotel": "35c6445", "audit_shops": "681df38", "audit_hotel2": "23f35bd", "audit_hotel3": "e57e99b",
    "audit_hotel4": "4be7ed8", "audit_hotel5": "cdac803", "audit_hotel6": "23a9ab7",
    "audit_hotel7": "94eaff1",
}
SETS = {
    "dev": "aspect_clauses.csv",
    "fresh": "aspect_clauses_fresh.csv",
    "unseen": "aspect_clauses_unseen.csv",
    "blind": "aspect_clauses_blind.csv",
    "holdout": "aspect_clauses_holdout.csv",
    "round5": "aspect_clauses_round5.csv",
    "audit_hotel": "aspect_clauses_audit_hotel.csv",
    "audit_shops": "aspect_clauses_audit_shops.csv",
    "audit_hotel2": "aspect_clauses_audit_hotel2.csv",
    "audit_hotel3": "aspect_clauses_audit_hotel3.csv",
    "audit_hotel4": "aspect_clauses_audit_hotel4.csv",
    "audit_hotel5": "aspect_clauses_audit_hotel5.csv",
    "audit_hotel6": "aspect_clauses_audit_hotel6.csv",
    "audit_hotel7": "aspect_clauses_audit_hotel7.csv",
}
#: The audits' strata: clause occurrences of the corpus (distinct within a review, 2 to 40
#: characters, as split by ``split_clauses``) in which the lexicons of the audit's first reading
#: found an aspect, and in which they found none. Hotels: the 酒店 reviews of
#: online_shopping_dev.csv; e-commerce: its other categories; food delivery: waimai_dev.csv.
STRATA = {
    ("audit_hotel", "hotel"): (43601, 41517),
    ("audit_shops", "ecommerce"): (78783, 140081),
    ("audit_shops", "food_delivery"): (15482, 15480),
    ("audit_hotel2", "hotel"): (41504, 43614),
    ("audit_hotel3", "hotel"): (41530, 43588),
    ("audit_hotel4", "hotel"): (40232, 44886),
    ("audit_hotel5", "hotel"): (40232, 44886),
    ("audit_hotel6", "hotel"): (39756, 45362),
    ("audit_hotel7", "hotel"): (39851, 45267),
}
AUDITS = (
    "audit_hotel", "audit_hotel2", "audit_hotel3", "audit_hotel4", "audit_hotel5", "audit_hotel6",
    "audit_hotel7", "audit_shops",
)
#: The hotel audits ``--draw`` draws: the seed of one ``random.Random`` and the distinct clauses
#: drawn from the matched and from the unmatched stratum.
DRAWS = {"audit_hotel6": (6, 200, 100), "audit_hotel7": (7, 200, 100)}
DOMAINS = ("food_delivery", "ecommerce", "hotel", "service")


def git(*args: str) -> str:
    """The output of a git command run in the repository."""
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def lexicons_at(commit: str | None) -> dict[str, Any]:
    """Domain → lexicon, from the working tree or from the lexicon module at a commit."""
    if commit is None:
        return {d: resolve_lexicon("default", d) for d in DOMAINS}
    source = git("show", f"{commit}:src/cxmetrics/text/_lexicons.py")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lexicons_at_commit.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("lexicons_at_commit", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return {d: resolve_lexicon({k: Aspect(*a) for k, a in module.DOMAINS[d].items()}, d) for d in DOMAINS}


def label_set(text: str) -> set[str]:
    """The aspects of a cell ("room|facilities"; "" for none)."""
    return set(text.split("|")) if text else set()


def found_in(clause: str, matcher: AspectMatcher) -> set[str]:
    """The aspects a matcher finds in a labelled clause, cut as ``aspect_sentiment`` cuts it."""
    return {a for part in split_clauses(clause) for a in matcher(part)}


def counts(table: pd.DataFrame, lexicons: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per domain and per (domain, aspect): clauses, labelled, found, true positives."""
    per_domain: dict[str, Counter[str]] = {}
    per_aspect: dict[tuple[str, str], Counter[str]] = {}
    matchers = {d: AspectMatcher(lex) for d, lex in lexicons.items()}
    for domain, clause, gold_text in zip(table["domain"], table["clause"], table["aspects"], strict=True):
        gold, found = label_set(gold_text), found_in(clause, matchers[domain])
        c = per_domain.setdefault(domain, Counter())
        c["clauses"] += 1
        c["labelled"] += len(gold)
        c["found"] += len(found)
        c["tp"] += len(found & gold)
        for aspect in lexicons[domain]:
            a = per_aspect.setdefault((domain, aspect), Counter())
            a["labelled"] += aspect in gold
            a["found"] += aspect in found
            a["tp"] += aspect in gold and aspect in found
    domains = pd.DataFrame([{"domain": d, **c} for d, c in per_domain.items()])
    aspects = pd.DataFrame([{"domain": d, "aspect": a, **c} for (d, a), c in per_aspect.items()])
    return domains, aspects


def ratio(num: float, den: float) -> str:
    return f"{num / den:.2f}" if den else "–"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / SETS[name], keep_default_na=False)


def pair(row: Any) -> str:
    return f"{ratio(row.tp, row.found)}, {ratio(row.tp, row.labelled)}"


def stratum_weights(name: str, table: pd.DataFrame) -> list[float]:
    """Per clause of an audit: its stratum's corpus clauses (``STRATA``) / its stratum's sampled clauses."""
    sampled = Counter(zip(table["domain"], table["sample"], strict=True))
    weights = []
    for domain, sample in zip(table["domain"], table["sample"], strict=True):
        matched, unmatched = STRATA[(name, domain)]
        weights.append((matched if sample == "matched" else unmatched) / sampled[(domain, sample)])
    return weights


def audit_counts(name: str, lexicons: dict[str, Any]) -> dict[tuple[str, str], Counter[str]]:
    """Per (domain, aspect), and (domain, "all"): labelled, found, true positives in the sample,
    and the same weighted to the corpus (``w`` prefix), each stratum by corpus clauses / sampled clauses."""
    table = read(name)
    matchers = {d: AspectMatcher(lex) for d, lex in lexicons.items()}
    out: dict[tuple[str, str], Counter[str]] = {}
    for domain, clause, gold_text, weight in zip(
        table["domain"], table["clause"], table["aspects"], stratum_weights(name, table), strict=True
    ):
        gold, found = label_set(gold_text), found_in(clause, matchers[domain])
        for aspect in ("all", *lexicons[domain]):
            f, g = (found, gold) if aspect == "all" else (found & {aspect}, gold & {aspect})
            c = out.setdefault((domain, aspect), Counter())
            for key, value in (("labelled", len(g)), ("found", len(f)), ("tp", len(f & g))):
                c[key] += value
                c["w" + key] += value * weight
    return out


def audit_table() -> None:
    """The audits: per domain (all aspects) and per aspect, first reading and now."""
    now = lexicons_at(None)
    print("| audit | domain | aspect | labelled | first reading: found | precision | recall "
          "| weighted: precision | recall | now: found | precision | recall | weighted: precision | recall |")
    print("|---" * 14 + "|")
    for name in AUDITS:
        first, later = audit_counts(name, lexicons_at(FIRST_READING[name])), audit_counts(name, now)
        shown = name
        for key, a in first.items():
            b = later[key]
            if key[1] != "all" and a["labelled"] == a["found"] == b["found"] == 0:
                continue
            cells = [str(a["labelled"])]
            for c in (a, b):
                cells += [str(c["found"]), ratio(c["tp"], c["found"]), ratio(c["tp"], c["labelled"]),
                          ratio(c["wtp"], c["wfound"]), ratio(c["wtp"], c["wlabelled"])]
            aspect = f"**{key[1]}**" if key[1] == "all" else key[1]
            print(f"| {shown} | {key[0] if key[1] == 'all' else ''} | {aspect} | " + " | ".join(cells) + " |")
            shown = ""


#: A second judge's labels of four hotel audits (clause, aspects), given by a session that saw
#: only the conventions and the clauses: neither the lexicons' findings nor the first labels.
SECOND_JUDGE = {
    "audit_hotel4": "aspect_judge2_audit_hotel4.csv",
    "audit_hotel5": "aspect_judge2_audit_hotel5.csv",
    "audit_hotel6": "aspect_judge2_audit_hotel6.csv",
    "audit_hotel7": "aspect_judge2_audit_hotel7.csv",
}


def agreement(found: list[set[str]], gold: list[set[str]], weights: list[float] | None = None) -> str:
    """Micro precision and recall of ``found`` against ``gold``, each clause counted by its weight
    (once when ``weights`` is None)."""
    w: list[float] = [1] * len(found) if weights is None else weights
    tp = sum(wi * len(f & g) for wi, f, g in zip(w, found, gold, strict=True))
    found_n = sum(wi * len(f) for wi, f in zip(w, found, strict=True))
    gold_n = sum(wi * len(g) for wi, g in zip(w, gold, strict=True))
    return f"{ratio(tp, found_n)}, {ratio(tp, gold_n)}"


def judges_table() -> None:
    """The second judge: how far the two judges agree, and the lexicons (at the first reading and
    now) against each judge's labels, in the sample and (first reading) weighted to the corpus."""
    now = AspectMatcher(lexicons_at(None)["hotel"])
    print("| audit | second judge against the first: precision, recall | first reading against the "
          "first judge | against the second | now against the first judge | against the second "
          "| first reading, weighted: against the first judge | against the second |")
    print("|---" * 8 + "|")
    for name, file in SECOND_JUDGE.items():
        table = read(name)
        second = pd.read_csv(DATA / file, keep_default_na=False)
        if list(second["clause"]) != list(table["clause"]):
            raise SystemExit(f"{file} does not list the clauses of {SETS[name]} in order")
        first_judge, second_judge = (list(map(label_set, t["aspects"])) for t in (table, second))
        first_found = list(map(label_set, table["found"]))
        now_found = [found_in(clause, now) for clause in table["clause"]]
        cells = [agreement(second_judge, first_judge), agreement(first_found, first_judge),
                 agreement(first_found, second_judge), agreement(now_found, first_judge),
                 agreement(now_found, second_judge)]
        weights = stratum_weights(name, table)
        cells += [agreement(first_found, first_judge, weights), agreement(first_found, second_judge, weights)]
        print(f"| {name} | " + " | ".join(cells) + " |")


def docs_tables() -> None:
    """The guide's tables: by domain (development, and each later set at its first reading and
    now), and by aspect (development now beside the unseen, blind, holdout and round-5 sets'
    first readings)."""
    now = lexicons_at(None)
    dev, dev_aspects = counts(read("dev"), now)
    columns = {}
    for name in ("fresh", "unseen", "blind", "holdout", "round5"):  # the audits have their own table
        columns[f"{name}: first reading"] = counts(read(name), lexicons_at(FIRST_READING[name]))[0]
        columns[f"{name}: now"] = counts(read(name), now)[0]
    print("| domain | clauses | labelled | found | precision | recall | " + " | ".join(columns) + " |")
    print("|---" * (6 + len(columns)) + "|")
    for r in dev.itertuples():
        cells = [pair(next(t for t in c.itertuples() if t.domain == r.domain)) for c in columns.values()]
        print(f"| {r.domain} | {r.clauses} | {r.labelled} | {r.found} | {ratio(r.tp, r.found)} "
              f"| {ratio(r.tp, r.labelled)} | " + " | ".join(cells) + " |")
    later = ("unseen", "blind", "holdout", "round5")
    both = dev_aspects
    for name in later:
        _, first = counts(read(name), lexicons_at(FIRST_READING[name]))
        both = both.merge(first.add_suffix(f"_{name}").rename(
            columns={f"domain_{name}": "domain", f"aspect_{name}": "aspect"}), on=["domain", "aspect"])
    heads = "".join(f"| {name}, first reading: labelled | found | precision | recall " for name in later)
    print("\n| domain | aspect | labelled | found | precision | recall " + heads + "|")
    print("|---" * (6 + 4 * len(later)) + "|")
    last = None
    for r in both.to_dict("records"):
        shown = r["domain"] if r["domain"] != last else ""
        last = r["domain"]
        cells: list[str] = []
        for suffix in ("", *(f"_{name}" for name in later)):
            lab, fnd, tp = r[f"labelled{suffix}"], r[f"found{suffix}"], r[f"tp{suffix}"]
            cells += [str(lab), str(fnd), ratio(tp, fnd), ratio(tp, lab)]
        print(f"| {shown} | {r['aspect']} | " + " | ".join(cells) + " |")
    print()
    audit_table()
    print()
    judges_table()


def hotel_clauses(matcher: AspectMatcher) -> tuple[dict[str, bool], Counter[bool]]:
    """The hotel corpus's clauses as the audits count them (``STRATA``): each distinct clause, in
    order of first occurrence, → whether ``matcher`` finds an aspect in it; and the clause
    occurrences in which it finds one (``True``) and none (``False``)."""
    shared = Path(os.environ.get("CXMETRICS_DATA", ROOT.parent / "shared" / "data"))
    reviews = pd.read_csv(shared / "sentiment" / "online_shopping_dev.csv")
    matched: dict[str, bool] = {}
    strata: Counter[bool] = Counter()
    for text in reviews.loc[reviews["category"] == "酒店", "review"].astype(str):
        for clause in dict.fromkeys(split_clauses(text)):  # distinct within a review
            if 2 <= len(clause) <= 40:
                if clause not in matched:
                    matched[clause] = bool(matcher(clause))
                strata[matched[clause]] += 1
    return matched, strata


def labelled_at(commit: str) -> set[str]:
    """The clauses of every ``tests/data/aspect_*.csv`` with a clause column at a commit."""
    used: set[str] = set()
    for path in sorted(git("ls-tree", "--name-only", commit, "tests/data/").split()):
        if Path(path).name.startswith("aspect_") and path.endswith(".csv"):
            table = pd.read_csv(io.StringIO(git("show", f"{commit}:{path}")), keep_default_na=False)
            if "clause" in table.columns:
                used |= set(table["clause"])
    return used


def draw(name: str) -> tuple[list[tuple[str, str]], list[str], tuple[int, int]]:
    """The sample of a hotel audit of ``DRAWS``: (stratum, clause) pairs, the clauses shuffled for
    the judges, and the strata (matched, unmatched clause occurrences of the corpus).

    The corpus is ``hotel_clauses`` read with the hotel lexicon of the audit's first reading
    (``FIRST_READING``). A stratum's eligible clauses are its distinct clauses, in order of first
    occurrence, that are in no clause set labelled at that commit (``labelled_at``) and that
    ``split_clauses`` cuts to themselves. One ``random.Random(seed)`` draws ``rng.sample`` of the
    matched, then of the unmatched, then shuffles the drawn clauses for the judges' file."""
    seed, n_matched, n_unmatched = DRAWS[name]
    commit = FIRST_READING[name]
    matched, strata = hotel_clauses(AspectMatcher(lexicons_at(commit)["hotel"]))
    used = labelled_at(commit)
    eligible = {
        stratum: [c for c, m in matched.items()
                  if m == (stratum == "matched") and c not in used and split_clauses(c) == [c]]
        for stratum in ("matched", "unmatched")
    }
    rng = random.Random(seed)
    drawn = [("matched", c) for c in rng.sample(eligible["matched"], n_matched)]
    drawn += [("unmatched", c) for c in rng.sample(eligible["unmatched"], n_unmatched)]
    shuffled = [c for _, c in drawn]
    rng.shuffle(shuffled)
    return drawn, shuffled, (strata[True], strata[False])


def write_draw(name: str, out: Path) -> None:
    """Write a drawn audit's ``private.csv`` (domain, sample, clause, found, the aspects found in
    lexicon order) and ``clauses.csv`` (id, clause: the judges' file) to ``out``."""
    drawn, shuffled, strata = draw(name)
    lexicon = lexicons_at(FIRST_READING[name])["hotel"]
    matcher = AspectMatcher(lexicon)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "private.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["domain", "sample", "clause", "found"])
        for sample, clause in drawn:
            found = found_in(clause, matcher)
            writer.writerow(["hotel", sample, clause, "|".join(a for a in lexicon if a in found)])
    with open(out / "clauses.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "clause"])
        writer.writerows(enumerate(shuffled, 1))
    print(f"{name}: lexicons at {FIRST_READING[name]}; strata (corpus clause occurrences): "
          f"matched {strata[0]}, unmatched {strata[1]}; wrote {out / 'private.csv'}, {out / 'clauses.csv'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="read the lexicons as they were at this commit")
    parser.add_argument("--docs", action="store_true", help="print the guide's tables")
    parser.add_argument("--draw", choices=sorted(DRAWS), help="draw this hotel audit's sample")
    parser.add_argument("--out", type=Path, help="the folder --draw writes to")
    args = parser.parse_args()
    if args.draw:
        if args.out is None:
            parser.error("--draw needs --out")
        write_draw(args.draw, args.out)
        return
    if args.docs:
        docs_tables()
        return
    lexicons = lexicons_at(args.at)
    print(f"lexicons: {args.at or 'working tree'}\n")
    for name, file in SETS.items():
        if not (DATA / file).exists():
            continue
        table = pd.read_csv(DATA / file, keep_default_na=False)
        domains, aspects = counts(table, lexicons)
        print(f"## {name} ({file})\n")
        print("| domain | clauses | labelled | found | precision | recall |\n|---|---|---|---|---|---|")
        for r in domains.itertuples():
            print(f"| {r.domain} | {r.clauses} | {r.labelled} | {r.found} | {ratio(r.tp, r.found)} "
                  f"| {ratio(r.tp, r.labelled)} |")
        print("\n| domain | aspect | labelled | found | precision | recall |\n|---|---|---|---|---|---|")
        last = None
        for r in aspects.itertuples():
            if r.labelled == 0 and r.found == 0:
                continue
            shown = r.domain if r.domain != last else ""
            last = r.domain
            print(f"| {shown} | {r.aspect} | {r.labelled} | {r.found} | {ratio(r.tp, r.found)} "
                  f"| {ratio(r.tp, r.labelled)} |")
        print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
