"""sentiment and sentiment_summary: known answers, the shipped weights, bad input, shapes."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from cxmetrics.errors import CXMetricsError, ValueRangeError
from cxmetrics.text import REASONS, normalize, sentiment, sentiment_summary
from cxmetrics.text._encode import FeatureEncoder
from cxmetrics.text._features import features, model_features, model_words, shifted_words
from cxmetrics.text._model import shipped_model
from tests.conftest import to_pandas

POSITIVE = [
    "客服态度很好，解决问题迅速",
    "不差",
    "味道不错，分量也足，下次还点",
    "物流很快，包装完好，五星好评",
    "非常满意，性价比很高",
    "酒店位置好，房间干净，服务周到",
    "一点也不油腻，比想象中好",
    "质量没问题，很喜欢",
]
NEGATIVE = [
    "太慢了，等了两个小时还没送到",
    "不好吃，再也不会点了",
    "客服态度极差，问题一直没解决",
    "质量太差，用了两天就坏了",
    "没有想象中好，有点失望",
    "非常难吃，而且是凉的",
    "房间又小又吵，不推荐",
    "收到的东西和描述的不一样，退货还麻烦",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_known_positive(text):
    assert sentiment(text).label == "positive"


@pytest.mark.parametrize("text", NEGATIVE)
def test_known_negative(text):
    assert sentiment(text).label == "negative"


@pytest.mark.parametrize(
    ("plain", "negated"), [("差", "不差"), ("好吃", "不好吃"), ("满意", "不满意"), ("慢", "不慢")]
)
def test_negation_flips_the_direction(plain, negated):
    s_plain, s_negated = sentiment(plain).score, sentiment(negated).score
    assert (s_plain - 0.5) * (s_negated - 0.5) < 0


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("一点毛病都没有", ["一点", "毛病"]),
        ("异味也没有了", ["异味"]),
        ("什么问题都没有啊", ["什么", "问题"]),
        ("问题都没有解决", []),  # the negator governs 解决: a forward scope, as before
        ("都没有", []),
    ],
)
def test_a_clause_final_negator_after_dou_negates_what_comes_before(text, negated):
    words = model_words([text])[0]
    got = [words[k] for k, tag in shifted_words(words) if tag == "¬"]
    assert [w for w in got if w in negated] == negated
    assert not set(got) & {"都", "也"}


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("挑不出毛病", ["毛病"]),
        ("找不到缺点", ["缺点"]),
        ("闻不到异味", ["异味"]),
        ("挑不出什么毛病", ["毛病"]),  # 什么 does not spend the scope's reach
        ("感觉不到温暖", ["温暖"]),
        ("排队不到五分钟", []),  # 不到 after a verb that does not find or perceive: a duration
        ("不到十分钟就送到了", []),
    ],
)
def test_a_negative_potential_complement_of_finding_negates_what_follows(text, negated):
    words = model_words([text])[0]
    assert [words[k] for k, tag in shifted_words(words) if tag == "¬"] == negated


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("没让人失望", ["失望"]),
        ("没有让我失望", ["失望"]),
        ("没有任何问题", ["问题"]),
        ("不会让你后悔", ["后悔"]),
        ("没有一点异味", ["异味"]),
    ],
)
def test_words_that_carry_no_judgement_do_not_spend_the_scope(text, negated):
    words = model_words([text])[0]
    assert [words[k] for k, tag in shifted_words(words) if tag == "¬"] == negated


@pytest.mark.parametrize(
    ("text", "straddling"),
    [
        ("没有问题", ["有问", "有问题", "没有问"]),
        ("不好吃", ["不好", "不好吃"]),
        ("挑不出毛病", ["出毛", "不出毛"]),
        ("一点毛病都没有", ["都没", "都没有", "病都没", "都 没有"]),
        ("异味也没有了", ["也没", "也没有", "味也没"]),
    ],
)
def test_no_feature_joins_a_negator_to_what_it_negates(text, straddling):
    # "有问题" inside "没有问题" would read the un-negated phrase, and "都没有" is a complaint of
    # its own in the reviews ("什么都没有"): such features would undo the negation
    plus, minus = features(model_words([text])[0])
    assert set(straddling).isdisjoint(plus + minus)


@pytest.mark.parametrize("text", ["没有", "还没有", "没有，好", "没让人"])
def test_a_negator_negating_nothing_keeps_its_character_ngrams(text):
    # 没让人: the scope passes over 让 and 人 and ends with nothing negated
    plus, minus = features(model_words([text])[0])
    assert {"没", "没有" if "有" in text else "没让"} <= set(plus) and not minus


def test_word_bigrams_of_a_negator_and_its_word_stay():
    # they learn their own weight, like the ¬ words; only the fronted 都/也 bigram is dropped
    plus, _ = features(model_words(["没有问题"])[0])
    assert "没有 问题" in plus and "¬问题" in plus


def test_traditional_scores_like_simplified():
    texts = POSITIVE + NEGATIVE
    traditional = normalize(texts, to="traditional", width=False)
    assert traditional != texts
    simplified = [s.score for s in sentiment(texts)]
    assert [s.score for s in sentiment(traditional)] == pytest.approx(simplified, abs=1e-12)


def test_shipped_weights_load_and_describe_themselves():
    model = shipped_model()
    meta = model.meta
    assert meta["features"] == len(model.vocabulary) == len(model.idf) == len(model.nb_weights) > 100_000
    assert set(meta["corpora"]) == {"waimai", "shopping", "nlpcc"}
    slope, _ = model.calibration
    assert 0 < slope < 5
    # smoothed idf is ln((1+n)/(1+df)) + 1, times the topic scale (< 1) for topic words
    scale = model.meta["topic_scale"]
    assert 0 < scale < 1 and model.meta["topic_features"] > 1000
    assert np.all(model.idf >= scale * (1.0 - 1e-6))
    assert np.sum(model.idf < 1.0) <= model.meta["topic_features"]


def test_scorer_matches_a_plain_python_computation():
    # The vectorised scorer against the formulas written out one text at a time.
    model = shipped_model()
    texts = ["客服态度很好，解决问题迅速", "好好好好好", "不差，就是太慢了😡", "不好不好，不好", "ok"]
    raw, known = model.logits(model_features(texts))
    for text, got, n_known in zip(texts, raw, known, strict=True):
        plus, minus = model_features([text])[0]
        signed = Counter(f for f in plus if f in model.vocabulary)
        signed.subtract(f for f in minus if f in model.vocabulary)
        ids = {model.vocabulary[f]: c for f, c in signed.items() if c != 0}
        tfidf = {i: math.copysign(1 + math.log(abs(c)), c) * model.idf[i] for i, c in ids.items()}
        nb = {i: model.nb_ratio[i] * (1 if c > 0 else -1) for i, c in ids.items()}
        z1 = sum(v * model.tfidf_weights[i] for i, v in tfidf.items()) / math.sqrt(
            sum(v * v for v in tfidf.values())
        )
        nb_norm = math.sqrt(sum(v * v for v in nb.values()))
        z2 = sum(v * model.nb_weights[i] for i, v in nb.items()) / nb_norm
        if model.experts is not None:  # each domain's expert, weighted by the gate's softmax
            weights, intercepts, gate, gate_intercepts = model.experts
            tfidf_norm = math.sqrt(sum(v * v for v in tfidf.values()))
            gate_logits = [
                sum(v * gate[k, i] for i, v in tfidf.items()) / tfidf_norm + gate_intercepts[k]
                for k in range(len(gate))
            ]
            top = max(gate_logits)
            shares = [math.exp(g - top) for g in gate_logits]
            shares = [x / sum(shares) for x in shares]
            z2 += sum(
                shares[k] * (sum(v * weights[k, i] for i, v in nb.items()) / nb_norm + intercepts[k])
                for k in range(len(weights))
            )
        assert got == pytest.approx(z1 + z2 + sum(model.intercepts), rel=1e-9)
        assert n_known == len(signed)


def test_scores_are_probabilities_and_labels_follow_thresholds():
    texts = POSITIVE + NEGATIVE + ["还行吧", "一般般"]
    results = sentiment(texts, thresholds=(0.3, 0.7))
    for r in results:
        assert 0.0 < r.score < 1.0 and r.reason is None
        expected = "negative" if r.score < 0.3 else "positive" if r.score > 0.7 else "neutral"
        assert r.label == expected


def test_bad_entries_get_a_reason_and_never_stop_the_batch():
    long_text = "服务很好，" * 20_000  # 100,000 characters
    values = [
        None,
        float("nan"),
        "",
        "   \u3000 ",
        "😀😀😀",
        "ꙮꙮ",
        long_text,
        "iPhone 15 用了3天就坏了，差评!!",
        42,
        b"bytes",
    ]
    out = sentiment(pd.Series(values, dtype=object))
    assert out["reason"].tolist()[:4] == ["missing", "missing", "empty", "empty"]
    assert out["reason"].iloc[5] == "no_known_features" and np.isnan(out["score"].iloc[5])
    assert pd.isna(out["reason"].iloc[6]) and out["label"].iloc[6] == "positive"
    assert out["label"].iloc[7] == "negative"
    assert out["reason"].tolist()[8:] == ["not_text", "not_text"]
    assert set(out["reason"].dropna()) <= set(REASONS)
    assert out["score"].isna().tolist() == out["reason"].notna().tolist()


def test_shapes_of_results():
    one = sentiment("很好")
    assert one.label == "positive" and one._fields == ("score", "label", "reason")
    series = pd.Series(["很好", "很差"], index=[7, 9], name="comment")
    out = sentiment(series)
    assert list(out.columns) == ["comment", "score", "label", "reason"] and list(out.index) == [7, 9]
    frame = pd.DataFrame({"comment": ["很好", "很差"], "nps": [10, 2]}, index=[3, 4])
    before = frame.copy()
    got = sentiment(frame, text="comment")
    assert list(got.columns) == ["comment", "nps", "score", "label", "reason"] and list(got.index) == [3, 4]
    pd.testing.assert_frame_equal(frame, before)
    pl_got = sentiment(pl.DataFrame({"comment": ["很好", "很差"]}), text="comment")
    assert isinstance(pl_got, pl.DataFrame)
    np.testing.assert_allclose(pl_got["score"].to_numpy(), got["score"].to_numpy())
    assert isinstance(sentiment(pl.Series("c", ["很好"])), pl.DataFrame)


def test_bad_calls_raise_clear_errors():
    frame = pd.DataFrame({"comment": ["很好"], "score": [9]})
    with pytest.raises(CXMetricsError, match="prefix"):
        sentiment(frame, text="comment")
    assert "sentiment_score" in sentiment(frame, text="comment", prefix="sentiment_").columns
    with pytest.raises(CXMetricsError, match="text="):
        sentiment(frame)
    with pytest.raises(CXMetricsError, match="missing_column"):
        sentiment(frame, text="missing_column")
    with pytest.raises(CXMetricsError, match="method"):
        sentiment("很好", method="bert")
    with pytest.raises(ValueRangeError, match="thresholds"):
        sentiment("很好", thresholds=(0.7, 0.3))


def test_snownlp_method_is_snownlp():
    from snownlp import SnowNLP

    text = "客服态度很好，解决问题迅速"
    assert sentiment(text, method="snownlp").score == pytest.approx(SnowNLP(text).sentiments)


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(len(POSITIVE + NEGATIVE)))))
def test_batch_order_does_not_change_a_score(order):
    texts = POSITIVE + NEGATIVE
    reference = {t: s.score for t, s in zip(texts, sentiment(texts), strict=True)}
    shuffled = [texts[i] for i in order]
    assert [s.score for s in sentiment(shuffled)] == [reference[t] for t in shuffled]


def test_summary_against_direct_counts(backend):
    from tests.conftest import make_frame

    texts = POSITIVE[:5] + NEGATIVE[:3] + [None] + POSITIVE[5:] + NEGATIVE[3:] + ["还行"]
    stores = ["A"] * 9 + ["B"] * (len(texts) - 9)
    frame = make_frame({"store": stores, "comment": texts}, backend)
    got = to_pandas(sentiment_summary(frame, text="comment", by="store"))
    scores = np.array([sentiment(t).score if t else np.nan for t in texts])
    for _, row in got.iterrows():
        mine = np.array([s == row["store"] for s in stores]) & ~np.isnan(scores)
        assert row["n"] == sum(s == row["store"] for s in stores) and row["n_scored"] == mine.sum()
        positives = int((scores[mine] > 0.6).sum())
        assert row["share_positive"] == pytest.approx(positives / mine.sum())
        low, high = proportion_confint(positives, mine.sum(), method="wilson")
        assert (row["share_positive_ci_low"], row["share_positive_ci_high"]) == pytest.approx((low, high))
        assert row["mean_score"] == pytest.approx(scores[mine].mean())
        assert row["share_positive"] + row["share_neutral"] + row["share_negative"] == pytest.approx(1.0)


def test_summary_pandas_equals_polars_and_rejects_non_frames():
    data = {"c": POSITIVE + NEGATIVE, "g": ["x", "y"] * 8}
    a = sentiment_summary(pd.DataFrame(data), text="c", by="g")
    b = to_pandas(sentiment_summary(pl.DataFrame(data), text="c", by="g"))
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    with pytest.raises(CXMetricsError, match="DataFrame"):
        sentiment_summary(["很好"], text="c")


def test_held_out_accuracy_on_the_development_corpora(sentiment_held_out_part):
    # Guard rails on reviews the scorers never trained on (the full evaluation is
    # scripts/sentiment_model.py); floors a few points under the model card's figures.
    scores = sentiment(sentiment_held_out_part["review"])["score"].to_numpy()
    right = (scores > 0.5) == (sentiment_held_out_part["label"].to_numpy() == 1)
    accuracy = pd.Series(right).groupby(sentiment_held_out_part["domain"]).mean()
    assert accuracy["waimai"] >= 0.88 and accuracy["shopping"] >= 0.92 and accuracy["nlpcc"] >= 0.75


_PIECES = [
    "不",
    "没有",
    "都",
    "也",
    "了",
    "毛病",
    "很",
    "太",
    "好",
    "差",
    "慢",
    "难吃",
    "客服",
    "态度",
    "，",
    "。",
    "但是",
    "非常满意",
    "物流",
    "😡",
    "a",
    "1",
    " ",
    "不错过",
    "ꙮ",
    "质量",
    "找",
    "不到",
    "挑不出",
    "缺点",
    "让",
    "人",
    "失望",
    "任何",
    "完全",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1, max_size=6))
def test_fast_encoder_counts_exactly_the_reference_features(texts):
    model = shipped_model()
    words = model_words(texts)
    reference_logits, reference_known = model.logits([features(w) for w in words])
    fast_logits, fast_known = model.raw_scores(words)
    np.testing.assert_array_equal(fast_known, reference_known)
    np.testing.assert_allclose(fast_logits, reference_logits, rtol=1e-12, atol=1e-12)


def test_fast_encoder_on_long_and_mixed_texts():
    texts = [
        "服务很好，" * 2000,
        "iPhone 15 Pro用了3天就坏了，不推荐！！",
        "不好不好，不好",
        "没没没",
        "不",
        "一点毛病都没有",  # the fronted construction: its 都 没有 bigram is not counted
        "异味也没有了，服务都没得说",
    ]
    model = shipped_model()
    words = model_words(texts)
    np.testing.assert_allclose(
        model.raw_scores(words)[0], model.logits([features(w) for w in words])[0], rtol=1e-12
    )


def _reference_counts(vocabulary: dict[str, int], words: list[list[str]]) -> Counter[tuple[int, int, float]]:
    counts: Counter[tuple[int, int, float]] = Counter()
    for d, w in enumerate(words):
        plus, minus = features(w)
        counts.update((d, vocabulary[f], 1.0) for f in plus if f in vocabulary)
        counts.update((d, vocabulary[f], -1.0) for f in minus if f in vocabulary)
    return counts


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join), min_size=1, max_size=5),
    st.integers(0, 2**32 - 1),
)
def test_fast_encoder_on_a_vocabulary_whose_bigrams_lack_their_words(texts, seed):
    # a fine-tuned or hand-made vocabulary may hold "不 好" without 不: the pair ids still find it
    words = model_words(texts)
    terms = sorted({f for w in words for side in features(w) for f in side})
    rng = np.random.default_rng(seed)
    kept = [t for t in terms if " " in t or rng.random() < 0.5]
    vocabulary = {t: i for i, t in enumerate(rng.permutation(kept).tolist())}
    ids, signs, docs = FeatureEncoder(vocabulary).encode(words)
    assert Counter(zip(docs.tolist(), ids.tolist(), signs.tolist(), strict=True)) == _reference_counts(
        vocabulary, words
    )
