"""Aspects in context: domain lexicons, the traps, and precision / recall on labelled clauses."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cxmetrics.errors import CXMetricsError
from cxmetrics.text import DEFAULT_ASPECTS, Aspect, aspect_lexicon, aspect_sentiment, flag_negative
from cxmetrics.text._aspects import AspectMatcher, resolve_lexicon, split_clauses

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
DOMAINS = ["food_delivery", "ecommerce", "hotel", "service"]
#: The lexicons' commit at the blind set's first reading (the set was written without seeing them).
BLIND_FIRST_READING = "48cba25"
#: The holdout set's first reading: the commit that added it, written blind, lexicons as on main.
HOLDOUT_FIRST_READING = "66015e5"
#: The round-5 set's first reading: the commit that added it, written blind, lexicons as on main.
ROUND5_FIRST_READING = "8efdf37"
#: Per domain, the guide's first-table rows hold 16 cells, its per-aspect rows 22.
DOMAIN_CELLS, ASPECT_CELLS = 16, 22


def named(clause: str, domain: str = "general", lexicon: dict[str, Aspect] | None = None) -> set[str]:
    matcher = AspectMatcher(resolve_lexicon("default", domain) if lexicon is None else lexicon)
    return {a for part in split_clauses(clause) for a in matcher(part)}


def precision_recall(
    path: Path, lexicons: dict[str, dict[str, Aspect]] | None = None
) -> dict[str, tuple[float, float, int]]:
    """Micro precision and recall per domain of the clause-level aspect sets, with gold count."""
    table = pd.read_csv(path, keep_default_na=False)
    out = {}
    for domain, part in table.groupby("domain"):
        counts: Counter[str] = Counter()
        lexicon = None if lexicons is None else lexicons[str(domain)]
        for clause, gold_text in zip(part["clause"], part["aspects"], strict=True):
            gold = set(gold_text.split("|")) if gold_text else set()
            found = named(clause, str(domain), lexicon)
            counts["tp"] += len(found & gold)
            counts["fp"] += len(found - gold)
            counts["fn"] += len(gold - found)
        tp = counts["tp"]
        out[str(domain)] = (tp / (tp + counts["fp"]), tp / (tp + counts["fn"]), tp + counts["fn"])
    return out


def used_aspects(part: pd.DataFrame) -> set[str]:
    return {a for text in part["aspects"] if text for a in text.split("|")}


def per_aspect(path: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(domain, aspect) → clauses labelled with it, clauses where it is found, both."""
    table = pd.read_csv(path, keep_default_na=False)
    out: dict[tuple[str, str], Counter[str]] = {}
    for domain, clause, gold_text in zip(table["domain"], table["clause"], table["aspects"], strict=True):
        gold = set(gold_text.split("|")) if gold_text else set()
        found = named(clause, domain)
        for aspect in aspect_lexicon(domain):
            c = out.setdefault((domain, aspect), Counter())
            c["labelled"] += aspect in gold
            c["found"] += aspect in found
            c["tp"] += aspect in gold and aspect in found
    return {k: (c["labelled"], c["found"], c["tp"]) for k, c in out.items()}


def lexicons_at(commit: str, tmp: Path) -> dict[str, dict[str, Aspect]]:
    """The domain lexicons as the lexicon module was at a commit (skips without git history)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{commit}:src/cxmetrics/text/_lexicons.py"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"needs the git history with commit {commit}")
    path = tmp / f"lexicons_{commit}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"lexicons_{commit}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {d: {k: Aspect(*a) for k, a in module.DOMAINS[d].items()} for d in DOMAINS}


def test_the_evaluation_set_is_what_the_docs_say():
    table = pd.read_csv(DATA / "aspect_clauses.csv", keep_default_na=False)
    assert len(table) >= 500 and table["domain"].nunique() >= 3
    for domain, part in table.groupby("domain"):
        allowed = set(aspect_lexicon(str(domain)))
        used = used_aspects(part)
        assert used <= allowed, (domain, used - allowed)
        assert (part["aspects"] == "").sum() >= 10  # clauses naming no aspect: the traps


@pytest.mark.parametrize("domain", ["food_delivery", "ecommerce", "hotel", "service"])
def test_precision_and_recall_per_domain(domain):
    precision, recall, _ = precision_recall(DATA / "aspect_clauses.csv")[domain]
    assert precision >= 0.90 and recall >= 0.80


@pytest.mark.parametrize("domain", ["food_delivery", "ecommerce", "hotel", "service"])
def test_precision_on_clauses_written_after_the_lexicon(domain):
    precision, _, _ = precision_recall(DATA / "aspect_clauses_fresh.csv")[domain]
    assert precision >= 0.90


def test_the_unseen_set_is_what_the_docs_say():
    table = pd.read_csv(DATA / "aspect_clauses_unseen.csv", keep_default_na=False)
    older = set(pd.read_csv(DATA / "aspect_clauses.csv", keep_default_na=False)["clause"])
    older |= set(pd.read_csv(DATA / "aspect_clauses_fresh.csv", keep_default_na=False)["clause"])
    assert len(table) >= 240 and not table["clause"].duplicated().any()
    assert not set(table["clause"]) & older  # none repeats a development or fresh clause
    for domain, part in table.groupby("domain"):
        assert len(part) >= 60
        assert used_aspects(part) <= set(aspect_lexicon(str(domain)))
        assert (part["aspects"] == "").sum() >= len(part) // 9  # about one in eight names nothing


@pytest.mark.parametrize("domain", ["food_delivery", "ecommerce", "hotel", "service"])
def test_precision_and_recall_on_unseen_clauses(domain):
    # First reading, before the second pass of general vocabulary: recall 0.64-0.74 per domain on
    # the clauses as relabelled to the unified conventions (docs/guide/feedback.md); the bound
    # asserted is below it, not the later reading.
    precision, recall, labelled = precision_recall(DATA / "aspect_clauses_unseen.csv")[domain]
    assert labelled >= 60 and precision >= 0.90 and recall >= 0.65


def test_the_blind_set_is_what_the_docs_say():
    table = pd.read_csv(DATA / "aspect_clauses_blind.csv", keep_default_na=False)
    older: set[str] = set()
    for name in ("aspect_clauses.csv", "aspect_clauses_fresh.csv", "aspect_clauses_unseen.csv"):
        older |= set(pd.read_csv(DATA / name, keep_default_na=False)["clause"])
    assert len(table) == 320 and not table["clause"].duplicated().any()
    assert not set(table["clause"]) & older  # none repeats a clause of another set
    for domain, part in table.groupby("domain"):
        assert len(part) == 80
        used = Counter(a for text in part["aspects"] if text for a in text.split("|"))
        assert set(used) == set(aspect_lexicon(str(domain)))  # every aspect, and only these
        assert min(used.values()) >= 4
        assert (part["aspects"] == "").sum() >= len(part) // 9  # about one in eight names nothing


@pytest.mark.parametrize("domain", DOMAINS)
def test_precision_and_recall_on_blind_clauses(domain):
    # First reading (lexicons at BLIND_FIRST_READING, clauses as relabelled to the unified
    # conventions): precision 0.89-0.92, recall 0.86-0.93; the third and fifth passes lifted it to
    # precision 0.96-1.00, recall 0.99-1.00 (no longer unseen). Precision is held at the goal,
    # recall at a floor below the current reading.
    precision, recall, labelled = precision_recall(DATA / "aspect_clauses_blind.csv")[domain]
    assert labelled >= 80 and precision >= 0.90 and recall >= 0.90


def test_the_guide_tables_are_what_the_code_gives():
    guide = (ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8")
    rows: dict[str, list[str]] = {}
    aspect_rows: dict[tuple[str, str], list[str]] = {}
    domain = ""
    for line in guide.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == DOMAIN_CELLS and cells[0] in DOMAINS:
            rows[cells[0]] = cells
        if len(cells) == ASPECT_CELLS and cells[1] not in ("aspect", "---"):
            domain = cells[0] or domain
            aspect_rows[(domain, cells[1])] = cells
    assert set(rows) == set(DOMAINS)
    dev = precision_recall(DATA / "aspect_clauses.csv")
    fresh = precision_recall(DATA / "aspect_clauses_fresh.csv")
    unseen = precision_recall(DATA / "aspect_clauses_unseen.csv")
    blind = precision_recall(DATA / "aspect_clauses_blind.csv")
    holdout = precision_recall(DATA / "aspect_clauses_holdout.csv")
    round5 = precision_recall(DATA / "aspect_clauses_round5.csv")
    for domain, cells in rows.items():
        assert cells[4:6] == [f"{dev[domain][0]:.2f}", f"{dev[domain][1]:.2f}"]
        assert cells[3 + 4] == f"{fresh[domain][0]:.2f}, {fresh[domain][1]:.2f}"
        assert cells[3 + 6] == f"{unseen[domain][0]:.2f}, {unseen[domain][1]:.2f}"
        assert cells[3 + 8] == f"{blind[domain][0]:.2f}, {blind[domain][1]:.2f}"
        assert cells[3 + 10] == f"{holdout[domain][0]:.2f}, {holdout[domain][1]:.2f}"
        assert cells[3 + 12] == f"{round5[domain][0]:.2f}, {round5[domain][1]:.2f}"
    dev_aspects = per_aspect(DATA / "aspect_clauses.csv")
    assert set(aspect_rows) == set(dev_aspects)
    for key, (labelled, found, tp) in dev_aspects.items():
        cells = aspect_rows[key]
        assert cells[2:4] == [str(labelled), str(found)]
        assert cells[4] == (f"{tp / found:.2f}" if found else "–")
        assert cells[5] == (f"{tp / labelled:.2f}" if labelled else "–")


@pytest.mark.parametrize(
    ("name", "commit", "column"),
    [
        ("blind", BLIND_FIRST_READING, 7),
        ("holdout", HOLDOUT_FIRST_READING, 9),
        ("round5", ROUND5_FIRST_READING, 11),
    ],
)
def test_the_guide_gives_the_first_readings(tmp_path, name, commit, column):
    # The honest figures: each set read by the lexicons as they were when it was written.
    guide = (ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8")
    first = precision_recall(DATA / f"aspect_clauses_{name}.csv", lexicons_at(commit, tmp_path))
    seen = 0
    for line in guide.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == DOMAIN_CELLS and cells[0] in DOMAINS:
            assert cells[3 + column] == f"{first[cells[0]][0]:.2f}, {first[cells[0]][1]:.2f}"
            seen += 1
    assert seen == len(DOMAINS)
    assert f"commit `{commit}`" in guide


def test_the_holdout_set_is_what_the_docs_say():
    table = pd.read_csv(DATA / "aspect_clauses_holdout.csv", keep_default_na=False)
    assert len(table) == 400 and not table.duplicated(["domain", "clause"]).any()
    assert table["clause"].str.len().between(2, 20).all()
    assert not table["clause"].str.contains(r"[,，。;；]").any()  # one clause each
    for domain, part in table.groupby("domain"):
        assert len(part) == 100
        used = Counter(a for text in part["aspects"] if text for a in text.split("|"))
        assert set(used) == set(aspect_lexicon(str(domain)))  # every aspect, and only these
        assert min(used.values()) >= 6
        assert 10 <= (part["aspects"] == "").sum() <= 12


@pytest.mark.parametrize(
    ("name", "commit", "earlier"),
    [
        ("holdout", HOLDOUT_FIRST_READING, ("", "_fresh", "_unseen", "_blind")),
        ("round5", ROUND5_FIRST_READING, ("", "_fresh", "_unseen", "_blind", "_holdout")),
    ],
)
def test_the_guide_gives_the_reading_without_repeated_clauses(tmp_path, name, commit, earlier):
    # Written blind, the holdout and round-5 sets repeat some clauses of the other sets word for
    # word; the guide gives their first readings without them too.
    table = pd.read_csv(DATA / f"aspect_clauses_{name}.csv", keep_default_na=False)
    older: set[tuple[str, str]] = set()
    for other_name in earlier:
        other = pd.read_csv(DATA / f"aspect_clauses{other_name}.csv", keep_default_na=False)
        older |= set(zip(other["domain"], other["clause"], strict=True))
    fresh = [(d, c) not in older for d, c in zip(table["domain"], table["clause"], strict=True)]
    path = tmp_path / f"{name}_new.csv"
    table[fresh].to_csv(path, index=False)
    first = precision_recall(path, lexicons_at(commit, tmp_path))
    precision = [p for p, _, _ in first.values()]
    recall = [r for _, r, _ in first.values()]
    guide = (ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8")
    text = " ".join(guide.split())
    assert f"{len(table) - sum(fresh)} of its clauses" in text and f"on the other {sum(fresh)}" in text
    assert (
        f"precision {min(precision):.2f}–{max(precision):.2f} and recall {min(recall):.2f}–{max(recall):.2f}"
        in text.split(f"on the other {sum(fresh)}")[1][:120]
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_precision_and_recall_on_holdout_clauses(domain):
    # First reading (lexicons at HOLDOUT_FIRST_READING, clauses as relabelled to the unified
    # conventions): precision 0.90-0.95, recall 0.87-0.95; the fourth and fifth passes (no longer
    # unseen) read precision 0.96-1.00, recall 0.96-1.00. Precision is held at the goal, recall at a
    # floor below the current reading.
    precision, recall, labelled = precision_recall(DATA / "aspect_clauses_holdout.csv")[domain]
    assert labelled >= 100 and precision >= 0.90 and recall >= 0.90


def test_the_round5_set_is_what_the_docs_say():
    table = pd.read_csv(DATA / "aspect_clauses_round5.csv", keep_default_na=False)
    assert len(table) == 380 and not table.duplicated(["domain", "clause"]).any()
    assert table["clause"].str.len().between(2, 25).all()
    assert not table["clause"].str.contains(r"[,，。;；]").any()  # one clause each
    sizes = {"hotel": 120, "ecommerce": 100, "food_delivery": 80, "service": 80}
    for domain, part in table.groupby("domain"):
        assert len(part) == sizes[str(domain)]
        used = Counter(a for text in part["aspects"] if text for a in text.split("|"))
        assert set(used) == set(aspect_lexicon(str(domain)))  # every aspect, and only these
        assert min(used.values()) >= 4
        assert (part["aspects"] == "").sum() == len(part) // 10  # one in ten names nothing


def test_the_guide_gives_the_round5_first_reading(tmp_path):
    # The range the guide states, next to the commit that gave it.
    first = precision_recall(DATA / "aspect_clauses_round5.csv", lexicons_at(ROUND5_FIRST_READING, tmp_path))
    precision = [p for p, _, _ in first.values()]
    recall = [r for _, r, _ in first.values()]
    text = " ".join((ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8").split())
    after = text.split(f"lexicons at commit `{ROUND5_FIRST_READING}`")[1][:200]
    assert (
        f"precision {min(precision):.2f}–{max(precision):.2f} and recall {min(recall):.2f}–{max(recall):.2f}"
        in after
    )
    hotel_precision, hotel_recall, _ = first["hotel"]
    assert f"({hotel_precision:.2f}, {hotel_recall:.2f})" in after


@pytest.mark.parametrize("domain", DOMAINS)
def test_precision_and_recall_on_round5_clauses(domain):
    # First reading (lexicons at ROUND5_FIRST_READING): precision 0.85-0.97, recall 0.88-0.98,
    # hotels lowest (0.85, 0.88); the sixth pass (no longer unseen) reads precision 0.95-0.98,
    # recall 0.98-0.99. Precision is held at the goal, recall at a floor below the current reading.
    precision, recall, labelled = precision_recall(DATA / "aspect_clauses_round5.csv")[domain]
    assert labelled >= 80 and precision >= 0.90 and recall >= 0.90


AUDITS = (
    "_audit_hotel", "_audit_shops", "_audit_hotel2", "_audit_hotel3", "_audit_hotel4", "_audit_hotel5",
    "_audit_hotel6", "_audit_hotel7",
)
SETS = ("", "_fresh", "_unseen", "_blind", "_holdout", "_round5", *AUDITS)
SHOP = ("food_delivery", "ecommerce")
BATHROOM = re.compile(r"卫生间|洗手间|浴室|淋浴|花洒|马桶|浴缸|洗手台|隔音")
OUTSIDE_ROOMS = re.compile(r"食街|大堂|大厅|餐厅|公共")
APPLIANCE = re.compile(r"热水|宽带|上网|空调|电视|wifi|吹风机|毛巾|梳子|牙刷|拖鞋")
MERCHANT = re.compile(r"商家|卖家|店家|老板|店主")
DONE_FOR_YOU = re.compile(r"解答|处理|解决|退|帮|送|补|服务")
COURIER = re.compile(r"骑手|小哥|快递员|配送员|送餐员|外卖员")
ERRAND = re.compile(r"入住|退房|结账|结帐")
STAFF = re.compile(r"前台|服务|工作人员|押金")
DELIVERING = re.compile(r"送|物流|快递|发货|发出|发$|骑手|小哥|顺丰|中通|圆通")


def convention_broken(domain: str, clause: str, gold: set[str]) -> list[int]:
    """The conventions of docs/guide/feedback.md ("How the clauses are labelled") a label breaks."""
    shop = domain in SHOP
    rules = [
        # the bathroom, its fittings and soundproofing are the room
        # (appliances and supplies named beside them stay facilities: 浴室的热水有保障)
        # (a clause that judges nothing has no aspect: 化妆品落在了卫生间)
        # (a washroom outside the rooms is no part of a room: 一楼食街的洗手间很干净)
        domain == "hotel" and bool(BATHROOM.search(clause)) and bool(gold)
        and not OUTSIDE_ROOMS.search(clause)
        and ("room" not in gold or ("facilities" in gold and not APPLIANCE.search(clause))),
        # a merchant's manners are attitude alone, unless something was done for the customer
        shop and bool(MERCHANT.match(clause)) and {"attitude", "service"} <= gold
        and not DONE_FOR_YOU.search(clause),
        # a courier's manners are delivery and attitude
        shop and bool(COURIER.search(clause)) and "attitude" in gold and not clause.startswith("售后")
        and ("service" in gold or "delivery" not in gold),
        # the pace of checking in or out is speed, service only with staff or a service named
        domain == "hotel" and bool(ERRAND.search(clause)) and {"speed", "service"} <= gold
        and not STAFF.search(clause),
        # how fast something came is speed, delivery too only when delivering is named
        shop and "speed" in gold and ("delivery" in gold) != bool(DELIVERING.search(clause)),
        # a deposit paid back is service, not price
        "押金" in clause and "退" in clause and ("price" in gold or "service" not in gold),
    ]
    return [rule for rule, hit in enumerate(rules) if hit]


def test_the_sets_follow_the_labelling_conventions():
    broken = []
    for name in SETS:
        table = pd.read_csv(DATA / f"aspect_clauses{name}.csv", keep_default_na=False)
        for domain, clause, gold_text in zip(table["domain"], table["clause"], table["aspects"], strict=True):
            gold = set(gold_text.split("|")) if gold_text else set()
            broken += [(name, clause, gold_text, rule) for rule in convention_broken(domain, clause, gold)]
    assert not broken


@pytest.mark.parametrize(
    ("domain", "clause", "gold", "rule"),
    [
        ("hotel", "卫生间很小", {"facilities"}, 0),
        ("food_delivery", "老板很热情", {"service", "attitude"}, 1),
        ("food_delivery", "骑手很有礼貌", {"delivery", "service", "attitude"}, 2),
        ("hotel", "入住办理很快", {"service", "speed"}, 3),
        ("ecommerce", "隔天就到了", {"delivery", "speed"}, 4),
        ("ecommerce", "发货太慢了", {"speed"}, 4),
        ("hotel", "押金退得很慢", {"price", "speed"}, 5),
    ],
)
def test_the_convention_check_catches_the_old_readings(domain, clause, gold, rule):
    # each kind as one of the sets read it before they were unified
    assert convention_broken(domain, clause, gold) == [rule]


@pytest.mark.parametrize(
    ("clause", "domain", "aspect", "named_too"),
    [
        ("店家态度超好", "food_delivery", "attitude", False),
        ("老板娘人很实在", "food_delivery", "attitude", False),
        ("卖家说话很客气", "ecommerce", "attitude", False),
        ("商家耐心地帮我处理了", "food_delivery", "attitude", True),  # something was done
        ("商家服务态度很好", "ecommerce", "attitude", True),  # the service is named
        ("客服态度很好", "ecommerce", "attitude", True),  # service staff
        ("办理退房挺快的", "hotel", "speed", False),
        ("前台办理退房很慢", "hotel", "speed", True),
    ],
)
def test_manners_and_pace_are_service_only_with_staff_or_an_act(clause, domain, aspect, named_too):
    found = named(clause, domain)
    assert aspect in found and ("service" in found) == named_too


@pytest.mark.parametrize(
    ("clause", "domain", "found", "not_found"),
    [
        ("洗手台有点小", "hotel", "room", "facilities"),
        ("淋浴水压太小", "hotel", "room", "facilities"),
        ("隔音一般", "hotel", "room", "environment"),
        ("空调不制冷", "hotel", "facilities", "room"),
        ("押金很快就退了", "hotel", "service", "price"),
        ("三天就到货了", "ecommerce", "speed", "delivery"),
        ("等了十天才发", "ecommerce", "delivery", "service"),
        ("外卖小哥态度很好", "food_delivery", "delivery", "service"),
    ],
)
def test_the_lexicons_follow_the_labelling_conventions(clause, domain, found, not_found):
    aspects = named(clause, domain)
    assert found in aspects and not_found not in aspects


@pytest.mark.parametrize(
    ("clause", "domain", "aspect"),
    [
        ("晚上十一点才到酒店", "hotel", "speed"),
        ("第二次入住了", "hotel", "service"),
        ("提前入住也给安排了", "hotel", "speed"),
        ("等候区的椅子不够坐", "service", "speed"),
        ("跨行转账要收手续费", "service", "app"),
        ("高峰期网络延迟很高", "service", "speed"),
        ("下单的时候备注了不要葱", "food_delivery", "service"),
        ("才用了一天还不好评价", "ecommerce", "speed"),
        ("房间里找不到电视遥控器", "hotel", "location"),
        ("早餐最好早点去吃", "hotel", "speed"),
        ("买的是黑色的", "ecommerce", "appearance"),
        ("总之性价比一般般", "food_delivery", "taste"),
        ("优惠完才二十几块", "food_delivery", "portion"),
        ("麻辣烫够味", "food_delivery", "portion"),
        ("平板开机速度很快", "ecommerce", "speed"),
        ("售后小哥很耐心", "ecommerce", "delivery"),
        ("给我妈充了一百块话费", "service", "price"),
        ("上个月办了个宽带", "service", "network"),
        ("酒店周边绿化很好", "hotel", "location"),
        ("晚上九点四十送到的", "food_delivery", "delivery"),
        ("上周办了个新套餐", "service", "price"),
        ("这回是出差入住", "hotel", "service"),
        ("快递费要自己付", "ecommerce", "delivery"),
        ("送餐费收了五块", "food_delivery", "delivery"),
        ("卖家发货挺快的", "ecommerce", "service"),
        ("勺子脏兮兮的", "food_delivery", "packaging"),
        ("纸箱被压坏了", "ecommerce", "quality"),
        ("待机很耐用", "ecommerce", "quality"),
        ("电脑启动很快", "ecommerce", "speed"),
        ("周围环境很清静", "hotel", "location"),
        ("家庭出行住这里", "hotel", "location"),
        ("靠马路那边晚上很吵", "hotel", "location"),
        ("一进门就闻到饭菜味", "hotel", "breakfast"),
        ("餐盒漏油了", "food_delivery", "taste"),
        ("套餐退订不了", "service", "price"),
        ("交了三个月的宽带费", "service", "price"),
        ("去营业厅改了个套餐", "service", "price"),
        ("浴袍太薄了", "hotel", "room"),
        ("灯光有点暗", "hotel", "facilities"),
        ("上网比较快", "hotel", "speed"),
        ("网速快得飞起", "service", "speed"),
        ("经常出现卡顿", "ecommerce", "app"),
        ("就是快递员不送上楼", "ecommerce", "speed"),
        ("下午去销户", "service", "process"),
        ("客房阿姨很客气", "hotel", "room"),
        ("车位不好找", "hotel", "location"),
        ("入住当天就停电了", "hotel", "speed"),
        ("客房有点老旧", "hotel", "environment"),
        ("隔音很好一点声音都听不到", "hotel", "environment"),
        ("智能手机体积较大", "ecommerce", "performance"),
        ("店员帮忙订了餐厅", "hotel", "breakfast"),
        ("海滩很漂亮", "hotel", "location"),
        ("酒店开车送我们到机场", "hotel", "location"),
        # the seventh and eighth passes (real hotel, e-commerce and food-delivery reviews)
        ("订了个亲子房", "hotel", "room"),
        ("我07年10月19日入住", "hotel", "service"),
        ("再一次入住该酒店", "hotel", "service"),
        ("进了房间以后", "hotel", "room"),
        ("要求调换房间", "hotel", "room"),
        ("江景房其实有两种", "hotel", "room"),
        ("定了高级湖景房", "hotel", "environment"),
        ("获提升至行政房", "hotel", "room"),
        ("走路5分钟就能到", "hotel", "speed"),
        ("我也确实感到该酒店能有如此态度很难能可贵了", "hotel", "price"),
        ("酒店的地理环境还是不错的", "hotel", "environment"),
        ("马桶塑料圈陈旧发黄", "hotel", "environment"),
        ("房间装修实在是不敢恭维", "hotel", "environment"),
        ("结果去机场飞机都没赶上", "hotel", "location"),
        ("不过房间送餐倒是还行", "hotel", "room"),
        ("跟大堂副理交涉的结果", "hotel", "environment"),
        ("在办离店手续的时候", "hotel", "service"),
        ("中午出门去办事", "hotel", "service"),
        ("真是等到脾气都没了", "food_delivery", "attitude"),
        ("另外加了六块", "food_delivery", "portion"),
        ("很贴心的附送一次性手套", "food_delivery", "packaging"),
        ("还送的特别慢", "food_delivery", "service"),
        ("软件系统不太稳定", "ecommerce", "app"),
        ("很容易就把屏幕磨花了", "ecommerce", "performance"),
        ("外表是真正的指纹收集器", "ecommerce", "performance"),
        ("存在手机里的电话可以自定义号码类型", "ecommerce", "size"),
        ("看电视4小时左右就没电了", "ecommerce", "speed"),
        ("换得第二间房就在原来房间的上面一层", "hotel", "room"),
        ("是商务标准间", "hotel", "room"),
        ("夏日商务套房的价格780", "hotel", "room"),
        # the tenth pass: errands told to staff, meals named or eaten, rooms full or left things in
        ("后来问了前台", "hotel", "service"),
        ("我又打电话给保安", "hotel", "service"),
        ("当时还告诉了服务员我就一个人", "hotel", "service"),
        ("跟服务员说一下", "hotel", "service"),
        ("向前台反映", "hotel", "service"),
        ("结帐的时候", "hotel", "service"),
        ("在中餐厅结帐时", "hotel", "service"),
        ("办完手续", "hotel", "service"),
        ("说是服务器调整", "hotel", "service"),
        ("用信用卡付房费时居然要收2%的手续费", "hotel", "service"),
        ("办事很方便", "hotel", "service"),
        ("早餐", "hotel", "breakfast"),
        ("1、关于早餐", "hotel", "breakfast"),
        ("中午吃的自助餐", "hotel", "breakfast"),
        ("我们吃饭都是在中餐厅吃的", "hotel", "breakfast"),
        ("周边餐饮很多", "hotel", "breakfast"),
        ("蒸饺和炒面味道都不错", "hotel", "environment"),
        ("但是房间比较满 就给我安排了单人间", "hotel", "room"),
        ("回京后发现自己的白金脚链落在了客房", "hotel", "room"),
        ("出门的时候朋友把手机丢在了床上", "hotel", "room"),
        ("房间清洁员都很友善", "hotel", "room"),
        ("房间清洁员都很友善", "hotel", "cleanliness"),
        ("另外一波人一楼特价房只有300多", "hotel", "room"),
        ("跑到那看见这是特价房", "hotel", "price"),
        ("卫生间的淋浴设施也很好", "hotel", "facilities"),
        ("开车到停车场", "hotel", "facilities"),
        ("上了电梯", "hotel", "facilities"),
        ("只想骂脏话", "hotel", "cleanliness"),
        ("锦江之星在我心目中的位置已经从经济酒店中从第一位跌到了第四五位", "hotel", "location"),
        ("因为是去会展中心参展", "hotel", "location"),
        ("打电话给服务中心才派人来", "hotel", "location"),
        ("5、服务", "hotel", "service"),
        ("关于房间", "hotel", "room"),
        ("酒店环境", "hotel", "environment"),
        ("打电话到前台", "hotel", "service"),
        ("找值班经理", "hotel", "service"),
        ("第二天离店结账", "hotel", "service"),
        ("携程房价与前台价完全一致", "hotel", "service"),
        # the eleventh pass: errands, upgrades and other 服务, places told, headings, appliances
        ("我记得当时在前台结帐时", "hotel", "service"),
        ("但免费升级为行政间", "hotel", "service"),
        ("还有特殊服务", "hotel", "service"),
        ("半夜还接到按摩小姐的电话", "hotel", "service"),
        ("有接送大巴", "hotel", "service"),
        ("酒店门口在修地铁", "hotel", "location"),
        ("35的航班抵达浦东机场", "hotel", "location"),
        ("一早起来在海边散步再游泳", "hotel", "location"),
        ("如果打的的话", "hotel", "location"),
        ("再说环境", "hotel", "environment"),
        ("服务很重要", "hotel", "service"),
        ("其中两个房间的电视也有问题", "hotel", "room"),
        ("客房的空调太响了", "hotel", "room"),
        ("手上还有一瓶饮料未喝且放在冰箱里了", "hotel", "facilities"),
        ("我觉得这不是钱的问题", "hotel", "price"),
        ("是一位张小姐接的电话", "hotel", "environment"),
        ("也没有骚扰电话唯一缺点", "hotel", "environment"),
        ("老板和老板的朋友的房间是豪华景观大床房", "hotel", "environment"),
        ("服务员打扫很认真", "hotel", "attitude"),
    ],
)
def test_words_out_of_context_name_nothing(clause, domain, aspect):
    assert aspect not in named(clause, domain)


@pytest.mark.parametrize(
    ("clause", "domain", "aspect"),
    [
        ("备注了不要辣还是放了", "food_delivery", "service"),
        ("送来的饭还是热乎的", "food_delivery", "taste"),
        ("只给了两块排骨", "food_delivery", "portion"),
        ("快递直接扔在门口了", "ecommerce", "delivery"),
        ("客房一股烟臭味", "hotel", "environment"),
        ("前台板着脸", "hotel", "attitude"),
        ("办张卡用了一下午", "service", "speed"),
        ("离景区走路十分钟", "hotel", "location"),
        ("米饭就一小碗", "food_delivery", "portion"),
        ("饺子煮得太烂了", "food_delivery", "taste"),
        ("用了三天就开胶了", "ecommerce", "quality"),
        ("上身很显瘦", "ecommerce", "appearance"),
        ("就在江边", "hotel", "location"),
        ("含早很划算", "hotel", "breakfast"),
        ("95588一直打不进去", "service", "service"),
        ("前台帮我们叫了辆车", "hotel", "service"),
        ("入住还送了果盘", "hotel", "service"),
        ("服务员一直带着微笑", "hotel", "attitude"),
        ("毛衣一股化学味", "ecommerce", "quality"),
        ("外套有点紧", "ecommerce", "size"),
        ("官网老是打不开", "ecommerce", "app"),
        ("亲子房很温馨", "hotel", "room"),
        ("桌上一层灰", "hotel", "cleanliness"),
        ("入住排队排了很久", "hotel", "speed"),
        ("叫了很久才来", "hotel", "speed"),
        ("营业厅里空气很差", "service", "environment"),
        ("宽带退订不了", "service", "process"),
        ("上午下单下午就到了", "ecommerce", "speed"),
        ("馅料给得很足", "food_delivery", "portion"),
        ("外卖被送丢了", "food_delivery", "delivery"),
        ("洗得很干净", "ecommerce", "performance"),
        ("电话老是打不出去", "service", "network"),
        ("销户跑了三次", "service", "process"),
        ("冰箱不制冷", "hotel", "facilities"),
        ("房间光线很暗", "hotel", "room"),
        ("从窗户可以看到大海", "hotel", "environment"),
        ("海滩很漂亮", "hotel", "environment"),
        ("酒店开车送我们到机场", "hotel", "service"),
        ("押金等了三天才退", "hotel", "service"),
        ("卫生间反味", "hotel", "environment"),
        ("下午茶不错", "hotel", "breakfast"),
        ("墙面发霉", "hotel", "room"),
        ("半夜停水了", "hotel", "facilities"),
        ("发货贼快", "ecommerce", "speed"),
        ("申请保价被拒", "ecommerce", "service"),
        ("手机运行卡顿", "ecommerce", "performance"),
        ("淘宝app老是卡顿", "ecommerce", "app"),
        ("勺子很干净", "food_delivery", "cleanliness"),
        ("红包用不了", "food_delivery", "app"),
        ("有专人指导填表", "service", "service"),
        ("大厅又小又闷", "service", "environment"),
        # the seventh and eighth passes (real hotel, e-commerce and food-delivery reviews)
        ("获提升至行政房", "hotel", "service"),
        ("走路5分钟就能到", "hotel", "location"),
        ("酒店的地理环境还是不错的", "hotel", "location"),
        ("马桶塑料圈陈旧发黄", "hotel", "room"),
        ("第二天的早餐服务员更是都铁青个脸", "hotel", "attitude"),
        ("前台很不情愿给换了", "hotel", "attitude"),
        ("让散客等一刻钟以上", "hotel", "speed"),
        ("房间气味太重", "hotel", "environment"),
        ("晚上加个枕头还要收取清洗费", "hotel", "price"),
        ("前台直接预订的话要348元", "hotel", "price"),
        ("行李生都很尽责", "hotel", "service"),
        ("不过房间送餐倒是还行", "hotel", "service"),
        ("跟大堂副理交涉的结果", "hotel", "service"),
        ("频道很少", "hotel", "facilities"),
        ("而是太偏", "hotel", "location"),
        ("房间里有蟑螂", "hotel", "room"),
        ("可惜房间怎么看也就20平米多一点", "hotel", "room"),
        ("这次送的特快", "food_delivery", "delivery"),
        ("真的是超级慢啊", "food_delivery", "speed"),
        ("定了餐一小时之后才送到", "food_delivery", "speed"),
        ("就是量不大", "food_delivery", "portion"),
        ("送餐员给我打电话比较粗鲁", "food_delivery", "attitude"),
        ("还送了几颗山楂", "food_delivery", "service"),
        ("店里的电话一直打不通", "food_delivery", "service"),
        ("饭菜质量确实一般", "food_delivery", "taste"),
        ("很容易就把屏幕磨花了", "ecommerce", "quality"),
        ("外表是真正的指纹收集器", "ecommerce", "appearance"),
        ("软件系统不太稳定", "ecommerce", "performance"),
        ("号码很标准", "ecommerce", "size"),
        ("一个小时左右就回电话处理了", "ecommerce", "speed"),
        # the tenth pass: what must stay found beside its traps, and the misses it adds
        ("我跟保安说还被他骂", "hotel", "service"),
        ("电话前台马上就送过来了", "hotel", "service"),
        ("得问服务员要", "hotel", "service"),
        ("前台办理入住很慢", "hotel", "service"),
        ("早餐品种少了点", "hotel", "breakfast"),
        ("早餐就几样凑合吃", "hotel", "breakfast"),
        ("用餐还要排队等候了", "hotel", "breakfast"),
        ("比外面的饭店好吃", "hotel", "breakfast"),
        ("蒸饺和炒面味道都不错", "hotel", "breakfast"),
        ("房间满大的", "hotel", "room"),
        ("特价房的部分电器较旧", "hotel", "room"),
        ("卫生间设施过于简单", "hotel", "room"),
        ("房间清洁员都很友善", "hotel", "service"),
        ("房间清洁员都很友善", "hotel", "attitude"),
        ("前台服务员头也不抬", "hotel", "attitude"),
        ("另外一波人一楼特价房只有300多", "hotel", "price"),
        ("但愿携程能谈下更优惠的房价啊", "hotel", "price"),
        ("完全物有所值", "hotel", "price"),
        ("可以提前入住", "hotel", "service"),
        ("办事很方便", "hotel", "location"),
        ("酒店门口就有有轨电车", "hotel", "location"),
        ("就是门口的那条路是单行线", "hotel", "location"),
        ("出门就可以到海边", "hotel", "location"),
        ("从楼层到地下停车场需要到一层转换电梯", "hotel", "facilities"),
        ("尤其服务方面", "hotel", "service"),
        ("要求延迟退房", "hotel", "service"),
        ("月底逼着客人结账", "hotel", "service"),
        ("打到总台总说再等等等", "hotel", "service"),
        ("晚上有个穿短裤拖鞋的人想进酒店找人被门童拦住了", "hotel", "service"),
        # the eleventh pass: what must stay found beside its traps, and the misses it adds
        ("免费升级了房型", "hotel", "service"),
        ("获提升至行政房", "hotel", "service"),
        ("晚上房间里的空调根本不热", "hotel", "facilities"),
        ("其中两个房间的电视也有问题", "hotel", "facilities"),
        ("而且接送班车老旧", "hotel", "facilities"),
        ("洗澡水不是很稳定的", "hotel", "facilities"),
        ("只是遥控器不太方便", "hotel", "facilities"),
        ("电话坏了几天还安排我住", "hotel", "facilities"),
        ("结帐还花了25分钟", "hotel", "speed"),
        ("退房也要5分钟", "hotel", "speed"),
        ("还要狡辩", "hotel", "attitude"),
        ("很感谢酒店前台服务员与携程业务员工作认真负责", "hotel", "attitude"),
        ("但是酒店晚上的按摩电话实在非常讨厌", "hotel", "environment"),
        ("修地铁稍微有些噪音", "hotel", "environment"),
        ("景观也很好", "hotel", "environment"),
        ("客房里的茶叶不是免费的", "hotel", "price"),
        ("没有衣橱", "hotel", "room"),
        ("电话一直打不通", "hotel", "service"),
    ],
)
def test_mined_and_general_vocabulary_is_found(clause, domain, aspect):
    assert aspect in named(clause, domain)


@pytest.mark.parametrize("domain", ["general", "food_delivery", "ecommerce"])
@pytest.mark.parametrize(
    "clause", ["18点10分下单", "十点多下单", "晚上八点半下的单", "下单买了两份", "用了满减券下单"]
)
def test_an_ordering_time_is_not_the_app(clause, domain):
    assert "app" not in named(clause, domain)


@pytest.mark.parametrize("clause", ["下单页面打不开", "无法下单", "app老是闪退", "支付失败了好几次"])
def test_the_app_is_still_found(clause):
    assert "app" in named(clause, "food_delivery") and "app" in named(clause)


@pytest.mark.parametrize(
    "clause", ["房间有股味道", "屋里有烟味", "鸟语花香", "有股消毒水的味道", "大厅里花香四溢"]
)
def test_a_smell_in_a_hotel_is_not_taste(clause):
    assert "taste" not in named(clause) and "breakfast" not in named(clause, "hotel")
    assert "environment" in named(clause, "hotel")


def test_taste_is_found_where_food_is():
    assert "breakfast" in named("早餐味道不错", "hotel")
    assert "environment" not in named("早餐味道不错", "hotel")
    assert named("味道很好", "food_delivery") == {"taste"}
    assert "taste" in named("烤鱼香喷喷的") and "taste" not in named("鸟语花香")


def test_soon_broke_is_not_speed():
    assert "speed" not in named("很快就坏了", "ecommerce")
    assert "speed" in named("物流很快", "ecommerce")


def test_domain_lexicons_are_copies_and_extendable():
    hotel = aspect_lexicon("hotel")
    hotel["wifi"] = Aspect("无线网络", ("wifi", "无线"))
    assert "wifi" not in aspect_lexicon("hotel")
    frame = pd.DataFrame({"c": ["无线网络太慢", "房间很干净"]})
    out = aspect_sentiment(frame, text="c", aspects=hotel).mentions
    assert set(out["aspect"]) == {"wifi", "facilities", "room", "cleanliness"}  # 网络: facilities
    assert aspect_lexicon() == DEFAULT_ASPECTS


def test_domain_changes_what_is_found():
    frame = pd.DataFrame({"c": ["房间有股味道，早餐很好吃"]})
    general = aspect_sentiment(frame, text="c").mentions
    hotel = aspect_sentiment(frame, text="c", domain="hotel").mentions
    assert "taste" in set(general["aspect"])  # 好吃 is taste in the general lexicon
    assert {"room", "environment", "breakfast"} <= set(hotel["aspect"])
    assert "taste" not in set(hotel["aspect"])
    row = hotel.set_index("aspect")
    assert row.loc["room", "clause"] == "房间有股味道" and row.loc["breakfast", "clause"] == "早餐很好吃"


def test_flag_negative_takes_the_domain():
    survey = pd.DataFrame({"ltr": [9], "comment": ["早餐不错，但是房间有股霉味"]})
    alerts = flag_negative(survey, text="comment", score="ltr", domain="hotel")
    assert "environment" in alerts["negative_aspects"].iloc[0]


def test_bad_domain_and_patterns():
    frame = pd.DataFrame({"c": ["很好"]})
    with pytest.raises(CXMetricsError, match="domain"):
        aspect_sentiment(frame, text="c", domain="casino")
    with pytest.raises(CXMetricsError, match="regular expression"):
        aspect_sentiment(frame, text="c", aspects={"x": Aspect("x", ("好",), patterns=("(",))})


#: The real-review audits: per file, the commit of its first reading and the clauses sampled per
#: (domain, stratum); see the guide, "Real reviews (the audits)".
AUDIT_SAMPLES = {
    "audit_hotel": ("35c6445", {("hotel", "matched"): 300, ("hotel", "unmatched"): 150}),
    "audit_shops": ("681df38", {(d, s): n for d in SHOP for s, n in (("matched", 100), ("unmatched", 50))}),
    "audit_hotel2": ("23f35bd", {("hotel", "matched"): 200, ("hotel", "unmatched"): 100}),
    "audit_hotel3": ("e57e99b", {("hotel", "matched"): 150, ("hotel", "unmatched"): 75}),
    "audit_hotel4": ("4be7ed8", {("hotel", "matched"): 150, ("hotel", "unmatched"): 75}),
    "audit_hotel5": ("cdac803", {("hotel", "matched"): 200, ("hotel", "unmatched"): 100}),
    "audit_hotel6": ("23a9ab7", {("hotel", "matched"): 200, ("hotel", "unmatched"): 100}),
    "audit_hotel7": ("94eaff1", {("hotel", "matched"): 200, ("hotel", "unmatched"): 100}),
}


def read_audit(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"aspect_clauses_{name}.csv", keep_default_na=False)


@pytest.mark.parametrize("name", list(AUDIT_SAMPLES))
def test_the_audits_are_what_the_docs_say(name):
    table = read_audit(name)
    assert list(table.columns) == ["domain", "sample", "clause", "found", "aspects"]
    assert Counter(zip(table["domain"], table["sample"], strict=True)) == AUDIT_SAMPLES[name][1]
    assert not table.duplicated(["domain", "clause"]).any()
    assert table["clause"].str.len().between(2, 40).all()
    assert all(split_clauses(c) == [c] for c in table["clause"])  # one clause each, as cut
    assert ((table["found"] != "") == (table["sample"] == "matched")).all()
    for domain, part in table.groupby("domain"):
        allowed = set(aspect_lexicon(str(domain)))
        assert used_aspects(part) <= allowed
        assert {a for text in part["found"] if text for a in text.split("|")} <= allowed


def test_the_hotel_audits_share_no_clause():
    seen: set[str] = set()
    for name in (n for n in AUDIT_SAMPLES if n.startswith("audit_hotel")):
        clauses = set(read_audit(name)["clause"])
        assert not clauses & seen
        seen |= clauses


@pytest.mark.parametrize("name", list(AUDIT_SAMPLES))
def test_an_audit_records_what_its_first_reading_found(tmp_path, name):
    # judged before any change: the found column is what the lexicons of the first reading find
    commit = AUDIT_SAMPLES[name][0]
    lexicons = lexicons_at(commit, tmp_path)
    table = read_audit(name)
    for domain, clause, found in zip(table["domain"], table["clause"], table["found"], strict=True):
        assert named(clause, domain, lexicons[domain]) == (set(found.split("|")) if found else set()), clause


def audit_rows() -> dict[tuple[str, str], list[str]]:
    """(audit, domain) → the cells of its **all** row in the guide's audit table."""
    guide = (ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8")
    rows, audit = {}, ""
    for line in guide.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 14 and cells[2] == "**all**":
            audit = cells[0] or audit
            rows[(audit, cells[1])] = cells
    return rows


def evaluation_script() -> Any:
    """scripts/aspect_evaluation.py as a module (its STRATA: the audits' corpus weights)."""
    path = ROOT / "scripts" / "aspect_evaluation.py"
    spec = importlib.util.spec_from_file_location("aspect_evaluation", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def weighted(name: str, lexicons: dict[str, dict[str, Aspect]] | None) -> dict[str, tuple[float, float]]:
    """Per domain: precision and recall with each stratum weighted by its corpus clauses."""
    script = evaluation_script()
    table = read_audit(name)
    sampled = Counter(zip(table["domain"], table["sample"], strict=True))
    sums: dict[str, Counter[str]] = {}
    for domain, sample, clause, gold_text in zip(
        table["domain"], table["sample"], table["clause"], table["aspects"], strict=True
    ):
        strata = dict(zip(("matched", "unmatched"), script.STRATA[(name, domain)], strict=True))
        w = strata[sample] / sampled[(domain, sample)]
        gold = set(gold_text.split("|")) if gold_text else set()
        found = named(clause, domain, None if lexicons is None else lexicons[domain])
        c = sums.setdefault(domain, Counter())
        c["tp"] += w * len(found & gold)
        c["found"] += w * len(found)
        c["labelled"] += w * len(gold)
    return {d: (c["tp"] / c["found"], c["tp"] / c["labelled"]) for d, c in sums.items()}


@pytest.mark.parametrize("name", list(AUDIT_SAMPLES))
def test_the_guide_gives_the_audit_readings(tmp_path, name):
    commit = AUDIT_SAMPLES[name][0]
    lexicons = lexicons_at(commit, tmp_path)
    path = DATA / f"aspect_clauses_{name}.csv"
    first, now = precision_recall(path, lexicons), precision_recall(path)
    first_w, now_w = weighted(name, lexicons), weighted(name, None)
    rows = audit_rows()
    for domain in first:
        cells = rows[(name, domain)]
        assert cells[5:7] == [f"{first[domain][0]:.2f}", f"{first[domain][1]:.2f}"]
        assert cells[7:9] == [f"{first_w[domain][0]:.2f}", f"{first_w[domain][1]:.2f}"]
        assert cells[10:12] == [f"{now[domain][0]:.2f}", f"{now[domain][1]:.2f}"]
        assert cells[12:14] == [f"{now_w[domain][0]:.2f}", f"{now_w[domain][1]:.2f}"]
    text = " ".join((ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8").split())
    assert f"commit `{commit}`" in text
    if name.startswith("audit_hotel"):
        after = text.split(f"commit `{commit}`")[1][:160]
        precision, recall, _ = first["hotel"]
        stated = f"precision {precision:.2f} and recall {recall:.2f} ({first_w['hotel'][1]:.2f} weighted)"
        assert stated in after


@pytest.mark.parametrize("name", list(AUDIT_SAMPLES))
def test_precision_and_recall_on_real_reviews(name):
    # Floors below the current readings (first readings on real text, in the guide: hotels 0.77,
    # 0.82, 0.83 and 0.80 precision, e-commerce and food delivery 0.89). The three hotel audits the
    # tenth pass was tuned on keep the hotel goal (0.90 precision); the fourth, held out from it,
    # does not meet it, nor do the fifth and sixth (0.71 and 0.73, judged with the lexicons'
    # findings hidden; the sixth 0.84 after the eleventh pass, tuned on it), nor the seventh, held
    # out from the eleventh pass (0.76, recall 0.77).
    floors = {"audit_hotel": (0.90, 0.90), "audit_hotel2": (0.90, 0.88), "audit_hotel3": (0.90, 0.88),
              "audit_hotel4": (0.75, 0.80), "audit_hotel5": (0.65, 0.65), "audit_hotel6": (0.80, 0.80),
              "audit_hotel7": (0.72, 0.72), "audit_shops": (0.90, 0.85)}[name]
    for precision, recall, _ in precision_recall(DATA / f"aspect_clauses_{name}.csv").values():
        assert precision >= floors[0] and recall >= floors[1]


def test_the_audit_strata_are_the_corpus_clauses(tmp_path):
    # the weights of the first hotel audit: the corpus clauses its first reading found an aspect in
    shared = Path(os.environ.get("CXMETRICS_DATA", ROOT.parent / "shared" / "data"))
    corpus = shared / "sentiment" / "online_shopping_dev.csv"
    if not corpus.exists():
        pytest.skip("needs the online-shopping corpus (CXMETRICS_DATA)")
    script = evaluation_script()
    matcher = AspectMatcher(lexicons_at(AUDIT_SAMPLES["audit_hotel"][0], tmp_path)["hotel"])
    _, counts = script.hotel_clauses(matcher)
    assert (counts[True], counts[False]) == script.STRATA[("audit_hotel", "hotel")]


def test_the_guide_gives_the_second_judge_table(capsys):
    # the second judge's labels (clauses in the audit's order) and the table the guide shows
    script = evaluation_script()
    for name, file in script.SECOND_JUDGE.items():
        second = pd.read_csv(DATA / file, keep_default_na=False)
        assert list(second["clause"]) == list(read_audit(name)["clause"])
        assert used_aspects(second) <= set(aspect_lexicon("hotel"))
    script.judges_table()
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| audit_hotel")]
    guide = (ROOT / "docs" / "guide" / "feedback.md").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(script.SECOND_JUDGE) and all(row in guide for row in rows)


@pytest.mark.parametrize("name", ["audit_hotel6", "audit_hotel7"])
def test_the_script_draws_the_audit(name):
    # --draw gives the committed sample (clauses and strata, in order) and the corpus weights
    shared = Path(os.environ.get("CXMETRICS_DATA", ROOT.parent / "shared" / "data"))
    if not (shared / "sentiment" / "online_shopping_dev.csv").exists():
        pytest.skip("needs the online-shopping corpus (CXMETRICS_DATA)")
    script = evaluation_script()
    try:
        drawn, shuffled, strata = script.draw(name)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"needs the git history with commit {script.FIRST_READING[name]}")
    table = read_audit(name)
    assert drawn == list(zip(table["sample"], table["clause"], strict=True))
    assert sorted(shuffled) == sorted(table["clause"])
    assert strata == script.STRATA[(name, "hotel")]
    assert name in script.DRAWS and AUDIT_SAMPLES[name][0] == script.FIRST_READING[name]
