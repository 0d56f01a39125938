"""Sentiment on short comments: the known-answer phrase suite, unreadable text, the measured
neutral band, and fine-tuning on a business's own labels."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from cxmetrics.errors import ColumnNotFoundError, CXMetricsError, ValueRangeError
from cxmetrics.text import SentimentModel, flag_negative, sentiment
from cxmetrics.text._features import model_words
from cxmetrics.text._finetune import design
from cxmetrics.text._sentiment import normalise_for_model

DATA = Path(__file__).parent / "data"
#: The suites and the floors their figures are held to, a little under the model card's: the
#: development suite, and eight suites written blind (by sessions that had seen neither the model
#: nor its scores); the model card gives each one's first reading and says which were read since.
#: The shipped weights learnt from every suite but the eighth (``HELD_OUT_SUITES``), so on the
#: others these are checks of the fit; the eighth is one they have not seen, and so is the hedge
#: suite (``HEDGE_BLIND``).
#: side / label: polar phrases on the right side of 0.5 / with the right label; domain: the side
#: share in every domain; inside: neutral phrases within 0.35–0.65; not_positive: neutral ones
#: not labelled positive.
_FLOORS = ("side", "label", "domain", "inside", "not_positive")
SUITES = {
    name: dict(zip(_FLOORS, floors, strict=True))
    for name, floors in {
        "sentiment_phrases.csv": (0.95, 0.95, 0.9, 0.8, 0.9),
        "sentiment_phrases_blind.csv": (0.95, 0.9, 0.85, 0.7, 0.85),
        "sentiment_phrases_blind2.csv": (0.88, 0.82, 0.85, 0.7, 0.85),
        "sentiment_phrases_blind3.csv": (0.9, 0.85, 0.85, 0.65, 0.85),
        "sentiment_phrases_blind4.csv": (0.92, 0.88, 0.85, 0.65, 0.75),
        "sentiment_phrases_blind5.csv": (0.9, 0.85, 0.85, 0.7, 0.8),
        "sentiment_phrases_blind6.csv": (0.95, 0.9, 0.9, 0.7, 0.8),
        "sentiment_phrases_blind7.csv": (0.92, 0.9, 0.85, 0.7, 0.85),
        "sentiment_phrases_blind8.csv": (0.94, 0.9, 0.85, 0.6, 0.75),
    }.items()
}
#: 200 comments told with a hedge or a word of deviation (有点, 有些, 稍微, 略, 偏, 小贵 …):
#: 100 mild complaints, 60 praise (30 in the same hedge words: 有点东西, 略胜一筹)
#: and 40 requests and facts that hold them (稍等一下, 偏好靠窗), written blind by a session
#: that had seen neither the model nor the suites, committed before its first reading (model
#: card, Short phrases: Hedges). Held out of the shipped weights like blind 8.
HEDGE_BLIND = "sentiment_hedge_blind.csv"
#: The suites the shipped weights have not learnt (``train --final --suites --hold-out ...``)
HELD_OUT_SUITES = ("sentiment_phrases_blind8.csv", HEDGE_BLIND)
#: a little under the shipped weights' reading (complaints 94.0 %, praise 90.0 %, neutral 82.5 %)
HEDGE_FLOORS = {"complaints": 0.9, "praise": 0.85, "inside": 0.8}


def suite(name: str) -> pd.DataFrame:
    table = pd.read_csv(DATA / name)
    scored = sentiment(table["phrase"].tolist())
    return table.assign(score=[s.score for s in scored], label=[s.label for s in scored])


@pytest.mark.parametrize("name", SUITES)
def test_the_suite_is_what_it_says(name):
    table = pd.read_csv(DATA / name)
    assert len(table) >= 300 and not table["phrase"].duplicated().any()
    # a closing ？ or ！ is punctuation, not one of the comment's characters
    assert table["phrase"].str.rstrip("？！?!").str.len().between(2, 8).all()
    assert set(table["expected"]) == {"positive", "negative", "neutral"}
    assert {"delivery", "shopping", "hotel", "banking", "telecom"} <= set(table["domain"])
    for _, part in table.groupby("domain"):
        assert set(part["expected"]) >= {"positive", "negative"}


@pytest.mark.parametrize("name", SUITES)
def test_polar_short_phrases_are_right(name):
    floor = SUITES[name]
    table = suite(name)
    polar = table[table["expected"] != "neutral"]
    side = (polar["score"] > 0.5) == (polar["expected"] == "positive")
    assert side.mean() >= floor["side"], polar[~side]
    # the three-way label also counts a polar phrase scored inside the neutral band as wrong
    right = polar["label"] == polar["expected"]
    assert right.mean() >= floor["label"], polar[~right]
    for domain, part in polar.groupby("domain"):
        assert ((part["score"] > 0.5) == (part["expected"] == "positive")).mean() >= floor["domain"], domain


@pytest.mark.parametrize("name", SUITES)
def test_neutral_short_phrases_score_near_the_middle(name):
    table = suite(name)
    neutral = table[table["expected"] == "neutral"]
    inside = neutral["score"].between(0.35, 0.65)
    # the model card lists the misses: facts mostly mentioned in complaints
    assert inside.mean() >= SUITES[name]["inside"], neutral[~inside]
    assert (neutral["label"] != "positive").mean() >= SUITES[name]["not_positive"]


def test_the_shipped_weights_learnt_every_suite_but_the_held_out_ones():
    # scripts/sentiment_model.py train --final --suites
    #     --hold-out sentiment_phrases_blind8 --hold-out sentiment_hedge_blind
    import importlib.util

    path = Path(__file__).parents[1] / "scripts" / "sentiment_model.py"
    spec = importlib.util.spec_from_file_location("sentiment_model_script", path)
    assert spec is not None and spec.loader is not None
    sentiment_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sentiment_script)
    shipped = SentimentModel.shipped().meta
    held_out = tuple(name.removesuffix(".csv") for name in HELD_OUT_SUITES)
    examples = sentiment_script.phrase_examples(True, held_out)
    # the shipped weights were trained on exactly these (the script reproduces them)
    assert shipped["training_phrases"] == len(examples)
    trained_suites = [p.name for p in sentiment_script.suite_paths() if p.name not in HELD_OUT_SUITES]
    assert shipped["phrase_suites"] == sorted(trained_suites)
    trained = set(examples["review"])
    for name in HELD_OUT_SUITES:
        assert name not in shipped["phrase_suites"]
        # also the phrases it shares with the other suites and the written training phrases
        assert trained.isdisjoint(pd.read_csv(DATA / name)["phrase"]), name
    unseen_suites = set().union(*(pd.read_csv(DATA / name)["phrase"] for name in HELD_OUT_SUITES))
    assert trained >= set(pd.read_csv(DATA / "sentiment_phrases_blind7.csv")["phrase"]) - unseen_suites
    # without --suites every suite stays out, as for the weights every figure was measured with
    unseen = set(sentiment_script.phrase_examples()["review"])
    assert len(unseen) > 1000
    for name in [*SUITES, NEGATION_PROBE, *NEGATION_BLIND, HEDGE_BLIND]:
        assert unseen.isdisjoint(pd.read_csv(DATA / name)["phrase"]), name


#: Praise told by denying a flaw (没有问题, 一点毛病都没有, 找不到缺点) and complaints told by
#: denying a virtue (没有效果, 一点用都没有), 30 of each, written by the engineers after the
#: shipped weights were found to score most such praise negative; not blind (read for every
#: candidate, some phrases also in suites or the first training file); the shipped weights
#: learn it since the suites are trained on.
NEGATION_PROBE = "sentiment_negation_probe.csv"


def test_negated_praise_and_negated_complaints():
    table = suite(NEGATION_PROBE)
    positive = table["expected"] == "positive"
    assert len(table) == 60 and positive.sum() == 30
    assert (table.loc[~positive, "score"] < 0.5).mean() == 1.0, table[~positive]
    # the praise is still the weaker half (the model card's Known limits): held a little under
    # the shipped weights' reading so that a change undoing the negation rules shows
    assert (table.loc[positive, "score"] > 0.5).mean() >= 0.7, table[positive]


#: 160 comments that each hold a negation (80 praise told by denying a flaw, 80 complaints told
#: by denying a virtue, 32 per domain), written blind by a session that had seen neither the
#: model nor the suites, and committed before its first reading (model card, Short phrases):
#: complaints 100 %, praise 80 % on the right side. The floors sit a little under it. The
#: shipped weights have since learnt both negation suites (like every suite but the eighth).
#: A second one (240 comments of 3–10 characters, 20 praise and 20 complaints in each of six
#: domains, general service included), by another blind session, leans to the emphatic 一点都不 +
#: a flaw: first reading complaints 100 %, praise 59 % (the model card says why).
NEGATION_BLIND = {
    "sentiment_negation_blind.csv": {"rows": 160, "longest": 8, "per_cell": 16, "praise": 0.72, "all": 0.85},
    "sentiment_negation_blind2.csv": {"rows": 240, "longest": 10, "per_cell": 20, "praise": 0.5, "all": 0.75},
}


@pytest.mark.parametrize("name", NEGATION_BLIND)
def test_the_blind_negation_suites(name):
    floor = NEGATION_BLIND[name]
    table = suite(name)
    assert len(table) == floor["rows"] and not table["phrase"].duplicated().any()
    assert table["phrase"].str.len().between(2, floor["longest"]).all()
    assert (table.groupby(["domain", "expected"]).size() == floor["per_cell"]).all()
    positive = table["expected"] == "positive"
    side = (table["score"] > 0.5) == positive
    assert side[~positive].mean() >= 0.95, table[~positive & ~side]
    assert side[positive].mean() >= floor["praise"], table[positive & ~side]
    assert side.mean() >= floor["all"]


def test_the_blind_hedge_suite():
    table = suite(HEDGE_BLIND)
    assert len(table) == 200 and not table["phrase"].duplicated().any()
    assert table["phrase"].str.rstrip("？！?!").str.len().between(2, 8).all()
    assert table["expected"].value_counts().to_dict() == {"negative": 100, "positive": 60, "neutral": 40}
    side = (table["score"] > 0.5) == (table["expected"] == "positive")
    complaints, praise = table["expected"] == "negative", table["expected"] == "positive"
    # held a little under the first reading of the shipped weights (model card, Hedges); the
    # weights before them put a third of these mild complaints on the side of praise
    assert side[complaints].mean() >= HEDGE_FLOORS["complaints"], table[complaints & ~side]
    assert side[praise].mean() >= HEDGE_FLOORS["praise"], table[praise & ~side]
    neutral = table[table["expected"] == "neutral"]
    assert neutral["score"].between(0.35, 0.65).mean() >= HEDGE_FLOORS["inside"], neutral


@pytest.mark.parametrize("phrase", ["送餐很快", "送餐快", "客服回复很快", "退款很快"])
def test_topic_words_do_not_carry_the_polarity(phrase):
    assert sentiment(phrase).label == "positive"


def test_an_ordering_time_is_neutral():
    assert 0.35 <= sentiment("十点多下单").score <= 0.65


def test_the_neutral_band_is_measured_and_used_by_default():
    model = SentimentModel.shipped()
    low, high = model.neutral_band
    assert 0.3 < low < 0.5 < high < 0.7
    assert model.meta["neutral_fragments"] > 1000  # held-out topic fragments it was measured on
    for r in sentiment(["送餐很快", "十点多下单", "送餐太慢", "一般般", "还行"]):
        expected = "negative" if r.score < low else "positive" if r.score > high else "neutral"
        assert r.label == expected
    assert [r.label for r in sentiment(["十点多下单"], thresholds=(0.0, 0.01))] == ["positive"]


def test_the_hedged_clauses_of_praising_reviews_are_not_taught_as_praise(sentiment_script):
    reviews = pd.DataFrame(
        {
            "review": ["东西很好，送货有点慢，包装完整", "送货有点慢，东西一般"],
            "label": [1, 0],
            "domain": "shopping",
            "expert": "shopping",
        }
    )
    clauses = sentiment_script.clause_examples(reviews, frozenset())
    taught = clauses[clauses["part"] == "clause"]
    # the concession of the praising review is left out; the complaint keeps its hedged clause
    assert set(zip(taught["review"], taught["label"], strict=True)) == {
        ("东西很好", 1),
        ("包装完整", 1),
        ("送货有点慢", 0),
        ("东西一般", 0),
    }


def test_a_text_with_no_opinion_is_centred_on_one_half(sentiment_script, sentiment_reviews):
    # the transform is recentred so that the held-out topic fragments (what is left of a clause
    # with only its topic words kept, never trained on) have their median at exactly 0.5; the
    # shipped weights were trained on the train and test parts, so their fragments come from both
    developed = sentiment_reviews[sentiment_reviews["part"] != "calibration"]
    examples = sentiment_script.clause_examples(developed, sentiment_script.topic_words())
    fragments = examples.loc[examples["part"] == "fragment_test", "review"].drop_duplicates()
    model = SentimentModel.shipped()
    assert len(fragments) == model.meta["neutral_fragments"]
    scored = sentiment(fragments)["score"].to_numpy()
    # the training script also counts the few with no known feature (scored from the intercepts)
    scores = scored[~np.isnan(scored)]
    assert len(scores) > 0.98 * len(scored)
    assert abs(np.median(scores) - 0.5) < 2e-3
    low, high = model.neutral_band
    assert np.mean(scores < low) == pytest.approx(0.05, abs=0.005)
    assert np.mean(scores > high) == pytest.approx(0.05, abs=0.005)


@pytest.mark.parametrize("text", ["!!!", "???", "123", "。。。", "!?!?", "12:30", "￥99", "---"])
def test_text_the_model_cannot_read_gets_no_score(text):
    result = sentiment(text)
    assert math.isnan(result.score) and result.label is None and result.reason == "no_known_features"


def test_latin_letters_are_still_read():
    assert sentiment("ok").reason is None and sentiment("app很好用").reason is None


def test_flag_negative_does_not_queue_promoters_for_punctuation():
    survey = pd.DataFrame({"ltr": [10, 9, 10], "comment": ["???", "!!!", "送餐太慢了，饭都凉了"]})
    alerts = flag_negative(survey, text="comment", score="ltr")
    assert alerts["row"].tolist() == [2]


# --- fine-tuning ----------------------------------------------------------------------------


def business_labels(n: int = 400, seed: int = 5) -> pd.DataFrame:
    """A gym's comments where "人多" and "挤" are complaints and "器械新" praise; the label
    follows the keyword the shipped model barely knows in this sense. Many distinct wordings,
    some repeated, so held-out texts are new texts."""
    rng = np.random.default_rng(seed)
    when = ["", "晚上", "周末", "早上", "下班后", "节假日", "今天", "最近"]
    good = ["器械新", "私教专业", "课程丰富", "淋浴干净", "器械新，环境好", "教练专业"]
    bad = ["人多", "人多挤不上", "人多要排队", "更衣室挤", "人太多", "排队等器械"]
    ending = ["", "啊", "了"]
    rows = []
    for _ in range(n):
        positive = bool(rng.random() < 0.5)
        comment = str(rng.choice(when)) + str(rng.choice(good if positive else bad)) + str(rng.choice(ending))
        rows.append({"comment": comment, "happy": int(positive)})
    return pd.DataFrame(rows)


def documented_split(data: pd.DataFrame, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fitting and held-out rows as ``SentimentModel.fit`` documents them: a random
    ``test_size`` share of the distinct texts is held out with all its rows."""
    texts = np.array([normalise_for_model(t) for t in data["comment"]], dtype=object)
    distinct, group = np.unique(texts, return_inverse=True)
    held = np.zeros(len(distinct), dtype=bool)
    held[np.random.default_rng(seed).permutation(len(distinct))[: round(test_size * len(distinct))]] = True
    return np.flatnonzero(~held[group]), np.flatnonzero(held[group])


def test_fit_improves_held_out_accuracy_and_reports_it():
    data = business_labels()
    tuned = SentimentModel.fit(data, text="comment", label="happy", seed=2)
    table = tuned.evaluation.set_index("model")
    assert list(table.index) == ["shipped", "fine_tuned"]
    assert table.loc["fine_tuned", "accuracy"] >= table.loc["shipped", "accuracy"]
    assert table.loc["fine_tuned", "accuracy"] >= 0.95
    assert table.loc["fine_tuned", "log_loss"] < table.loc["shipped", "log_loss"]
    train, test = documented_split(data, test_size=0.2, seed=2)
    assert set(data["comment"].iloc[train]).isdisjoint(data["comment"].iloc[test])
    assert (table["n_test"] == len(test)).all() and (table["n_train"] == len(train)).all()
    assert tuned.meta["fine_tuned"]["held_out_texts"] == data["comment"].iloc[test].nunique()
    assert (table["accuracy_ci_low"] <= table["accuracy"]).all()
    assert (table["accuracy"] <= table["accuracy_ci_high"]).all()
    assert sentiment("人多挤不上", model=tuned).score < 0.5


def test_fit_solves_its_penalised_likelihood():
    # At the optimum the gradient of the documented objective vanishes (computed here directly).
    data = business_labels(120)
    base = SentimentModel.shipped()
    tuned = SentimentModel.fit(data, text="comment", label="happy", seed=0, penalty=2.0, test_size=0.25)
    train, _ = documented_split(data, test_size=0.25, seed=0)
    part = design(base, [normalise_for_model(c) for c in data["comment"]])
    # the gym's comments are all short: the shipped recentring, a fixed part of the logit, in full
    assert data["comment"].str.len().max() <= 20
    np.testing.assert_allclose(part.offset, base.meta["recentring"])
    a, b = tuned.calibration
    d = np.zeros(len(part.features))
    changed = (tuned.nb_weights[part.features] - base.nb_weights[part.features]) * a
    d[:] = changed
    y = data["happy"].to_numpy(dtype=float)
    grad_a = grad_b = 0.0
    grad_d = 2.0 * d
    for i in train:
        here = part.rows == i
        eta = a * part.raw[i] + b + part.offset[i] + float(part.values[here] @ d[part.cols[here]])
        g = 1 / (1 + math.exp(-eta)) - y[i]
        grad_a += g * part.raw[i]
        grad_b += g
        np.add.at(grad_d, part.cols[here], g * part.values[here])
    a0, b0 = base.calibration
    grad_a += 2.0 * (a - a0)
    grad_b += 2.0 * (b - b0)
    assert abs(grad_b) < 1e-3 and abs(grad_a) < 1e-3
    assert np.max(np.abs(grad_d)) < 1e-3


def test_short_texts_are_recentred_and_reviews_are_not():
    # the documented fade: the full recentring up to 20 characters, half at 30, none from 40 on
    model = SentimentModel.shipped()
    shift = model.meta["recentring"]
    assert model.meta["recentring_lengths"] == [20, 40] and 0 < shift < 0.5
    texts = ["送餐很快", "送餐很快" * 5, "送餐很快" * 7 + "啊啊", "送餐很快" * 10, "送餐很快" * 25]
    raw, _ = model.raw_scores(model_words(texts))
    a, b = model.calibration
    fade = np.array([1.0, 1.0, 0.5, 0.0, 0.0])
    assert [len(t) for t in texts] == [4, 20, 30, 40, 100]
    direct = 1 / (1 + np.exp(-(a * raw + b + shift * fade)))
    assert [r.score for r in sentiment(texts)] == pytest.approx(direct.tolist(), rel=1e-12)


@pytest.mark.parametrize("bad", [["十", "二十"], [-1, 5], [float("nan")], "abc"])
def test_recentring_names_bad_lengths(bad):
    model = SentimentModel.shipped()
    for method in (model.recentring, model.band_shift):
        with pytest.raises(ValueRangeError, match="lengths must be numbers of characters"):
            method(bad)
    assert model.recentring([]).shape == (0,) and model.recentring(np.int64(4)) == model.meta["recentring"]


def test_the_measured_band_moves_with_each_texts_recentring():
    # exaggerated so that the two bands differ widely: the band holds for texts recentred in
    # full; a text of 40 or more characters, not recentred, has it moved down by the whole shift
    model = SentimentModel.shipped()
    strong = replace(model, meta=dict(model.meta, recentring=2.0))
    low, high = strong.neutral_band
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    moved = [1 / (1 + np.exp(-(logit(t) - 2.0))) for t in (low, high)]
    texts = ["送餐很快", "十点多下单", "太差了", "一般般", "房间很干净，前台服务也热情，" * 3,
             "等了一个多小时才送到，饭菜都凉了，" * 3, "周末下午去的，点了两个菜一个汤，" * 3]
    results = sentiment(texts, model=strong)
    for t, r in zip(texts, results, strict=True):
        a, b = (low, high) if len(t) <= 20 else moved
        assert len(t) <= 20 or len(t) >= 40
        assert r.label == ("negative" if r.score < a else "positive" if r.score > b else "neutral"), t
    # the plain fact of 48 characters (0.35) is below the stored band, above the moved one
    assert results[-1].label == "positive" and results[-1].score < low
    # given thresholds are used as they are, whatever the length
    given = sentiment(texts, model=strong, thresholds=(0.3, 0.7))
    assert [r.label for r in given] == [
        "negative" if r.score < 0.3 else "positive" if r.score > 0.7 else "neutral" for r in given]


def test_a_tuned_model_scores_like_its_own_formula_and_round_trips(tmp_path: Path):
    tuned = SentimentModel.fit(business_labels(), text="comment", label="happy", seed=3)
    texts = ["晚上人多", "器械新", "服务很好", "太差了", "晚上人多" * 6 + "挤不上", "器械新，环境好" * 12]
    raw, _ = tuned.raw_scores(model_words(texts))
    # the shipped recentring, kept: in full up to 20 characters, 0.35 of it at 27, none at 84
    fade = np.array([1, 1, 1, 1, 0.65, 0])
    assert [len(t) for t in texts] == [4, 3, 4, 3, 27, 84]
    a, b = tuned.calibration
    direct = 1 / (1 + np.exp(-(a * raw + b + tuned.meta["recentring"] * fade)))
    assert [s.score for s in sentiment(texts, model=tuned)] == pytest.approx(direct.tolist(), rel=1e-12)
    path = tmp_path / "gym.npz"
    tuned.save(path)
    loaded = SentimentModel.load(path)
    assert [s.score for s in sentiment(texts, model=loaded)] == pytest.approx(
        [s.score for s in sentiment(texts, model=tuned)], rel=1e-6
    )
    assert loaded.meta["fine_tuned"]["held_out"] == len(documented_split(business_labels(), 0.2, 3)[1])
    frame = pd.DataFrame({"c": texts})
    assert sentiment(frame, text="c", model=loaded)["score"].tolist() == pytest.approx(
        [s.score for s in sentiment(texts, model=loaded)]
    )


def test_fit_pandas_equals_polars():
    data = business_labels(200)
    a = SentimentModel.fit(data, text="comment", label="happy", seed=4)
    b = SentimentModel.fit(pl.from_pandas(data), text="comment", label="happy", seed=4)
    assert isinstance(b.evaluation, pl.DataFrame)
    assert b.evaluation.to_pandas().equals(a.evaluation)


def test_fit_bad_input(tmp_path: Path):
    data = business_labels(50)
    with pytest.raises(ValueRangeError, match=r"label column .happy.*2 other values"):
        SentimentModel.fit(data.assign(happy=[2, "yes"] + [1] * 48), text="comment", label="happy")
    with pytest.raises(ColumnNotFoundError, match="nope"):
        SentimentModel.fit(data, text="comment", label="nope")
    with pytest.raises(ValueRangeError, match="test_size"):
        SentimentModel.fit(data, text="comment", label="happy", test_size=1.5)
    with pytest.raises(ValueRangeError, match="penalty"):
        SentimentModel.fit(data, text="comment", label="happy", penalty=0)
    with pytest.raises(CXMetricsError, match="both labels"):
        SentimentModel.fit(data.assign(happy=1), text="comment", label="happy")
    with pytest.raises(CXMetricsError, match="model must be"):
        sentiment("很好", model="shipped")  # type: ignore[arg-type]
    with pytest.raises(CXMetricsError, match="not a saved"):
        SentimentModel.load(tmp_path / "absent.npz")


def test_common_emoji_read_as_the_words_they_stand_for():
    # The corpora hold almost no emoji: without the table "👍" had no score at all.
    from cxmetrics.text._features import EMOJI_WORDS

    praise = [e for e, w in EMOJI_WORDS.items() if sentiment(w).score > 0.5]
    assert {"👍", "😊", "❤"} <= set(praise) and "😡" not in praise
    for emoji, word in EMOJI_WORDS.items():
        assert sentiment(emoji * 2).score == pytest.approx(sentiment(word + " " + word).score, abs=1e-9)
    assert sentiment("菜凉了👎").score < sentiment("菜凉了").score
    unknown = sentiment("🦄")
    assert unknown.reason == "no_known_features" and np.isnan(unknown.score)
