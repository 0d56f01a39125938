"""Feedback mining: keywords, word frequencies, phrases, aspects, alerts and redaction."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.errors import CXMetricsError, ValueRangeError
from cxmetrics.text import (
    DEFAULT_ASPECTS,
    Aspect,
    aspect_sentiment,
    default_stopwords,
    flag_negative,
    keywords,
    ngrams,
    redact,
    tokenize,
    word_freq,
)
from cxmetrics.text._redact import id_card_valid, luhn_valid
from tests.conftest import make_frame, to_pandas

# --- keywords -------------------------------------------------------------------------------

FILLER = ["今天下单", "东西收到", "整体来说", "中午点餐", "同事介绍", "周末再看"]


def planted_corpus() -> pd.DataFrame:
    """Store A's comments plant 漏洒 and 餐盒; store B's plant 排队 and 前台; all share filler."""
    rng = np.random.default_rng(3)
    rows = []
    for store, planted in (("A", ["漏洒", "餐盒"]), ("B", ["排队", "前台"])):
        for i in range(60):
            words = list(rng.choice(FILLER, size=2, replace=False))
            words.insert(int(rng.integers(0, 3)), planted[i % 2])
            rows.append({"store": store, "comment": "，".join(words)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["tfidf", "textrank"])
def test_keywords_rank_the_planted_terms_first(method):
    out = keywords(planted_corpus(), text="comment", by="store", method=method, n=2)
    got = {store: set(part["keyword"]) for store, part in out.groupby("store")}
    assert got == {"A": {"漏洒", "餐盒"}, "B": {"排队", "前台"}}


def test_tfidf_weight_is_the_documented_formula():
    corpus = pd.DataFrame({"c": ["配送很慢", "配送很快，味道不错", "味道一般"]})
    out = keywords(corpus, text="c", n=10).set_index("keyword")
    words = [tokenize(t, stopwords=default_stopwords(), replace_stopwords=True) for t in corpus["c"]]
    words = [[w for w in ws if len(w) >= 2] for ws in words]
    assert "不错" not in {w for ws in words for w in ws}  # a generic evaluative word
    counts = Counter(w for ws in words for w in ws)
    df = Counter(w for ws in words for w in set(ws))
    total = sum(counts.values())
    for term, row in out.iterrows():
        expected = counts[term] / total * (math.log((1 + 3) / (1 + df[term])) + 1)
        assert row["weight"] == pytest.approx(expected)
        assert row["count"] == counts[term] and row["doc_freq"] == df[term]


def test_textrank_is_pagerank_on_the_cooccurrence_graph():
    # A star: one word co-occurs with four others that never meet; it must be the centre.
    corpus = pd.DataFrame({"c": ["物流 包装", "物流 客服", "物流 价格", "物流 味道"]})
    out = keywords(corpus, text="c", method="textrank", n=10)
    weights = dict(zip(out["keyword"], out["weight"], strict=True))
    assert out["keyword"].iloc[0] == "物流"
    assert sum(weights.values()) == pytest.approx(1.0)
    # PageRank of a 5-node star, damping 0.85: centre (1-d)/5 + d*(sum of leaves), leaves (1-d)/5 + d*c/4
    d = 0.85
    centre = ((1 - d) / 5 + d * 4 * (1 - d) / 5) / (1 - d * d)
    assert weights["物流"] == pytest.approx(centre, rel=1e-6)


def test_single_characters_and_stopwords_are_left_out_and_user_words_kept():
    corpus = pd.DataFrame({"c": ["这个生椰拿铁的味道好", "生椰拿铁好喝"]})
    plain = set(keywords(corpus, text="c", n=50)["keyword"])
    assert not any(len(w) < 2 for w in plain) and "这个" not in plain
    assert "生椰拿铁" in set(keywords(corpus, text="c", user_dict=["生椰拿铁"], n=50)["keyword"])


def test_word_freq_and_ngrams_against_direct_counts(backend):
    texts = ["送餐太慢了", "送餐太慢，饭都凉了", "味道很好，送餐也快", None]
    frame = make_frame({"c": texts, "g": ["x", "x", "y", "y"]}, backend)
    freq = to_pandas(word_freq(frame, text="c", by="g"))
    x = freq[freq["g"] == "x"].set_index("word")
    assert x.loc["送餐", "count"] == 2 and x.loc["送餐", "doc_freq"] == 2
    assert freq.groupby("g")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    phrases = to_pandas(ngrams(frame, text="c", length=2, by="g"))
    assert phrases[(phrases["g"] == "x") & (phrases["ngram"] == "送餐 太慢")]["count"].item() == 2
    tri_frame = make_frame({"c": ["送餐太慢，味道一般，包装破损"] * 2}, backend)
    tri = to_pandas(ngrams(tri_frame, text="c", length=3))
    assert len(tri) and (tri["ngram"].str.count(" ") == 2).all() and (tri["count"] == 2).all()
    empty = to_pandas(ngrams(frame, text="c", length=5))
    assert empty.empty and list(empty.columns) == ["ngram", "count", "doc_freq", "share", "rank"]


def test_keyword_functions_pandas_equals_polars():
    data = planted_corpus()
    a = keywords(data, text="comment", by="store", n=5)
    b = to_pandas(keywords(pl.from_pandas(data), text="comment", by="store", n=5))
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_keyword_bad_input():
    data = planted_corpus()
    with pytest.raises(CXMetricsError, match="method"):
        keywords(data, text="comment", method="lda")
    with pytest.raises(ValueRangeError, match="n must"):
        keywords(data, text="comment", n=0)
    with pytest.raises(ValueRangeError, match="length must"):
        ngrams(data, text="comment", length=1)
    with pytest.raises(CXMetricsError, match="nope"):
        word_freq(data, text="nope")
    with pytest.raises(CXMetricsError, match="DataFrame"):
        keywords(["很好"], text="c")


# --- aspects --------------------------------------------------------------------------------

ASPECT_CASES = [
    ("物流很快，包装也很好", {"delivery": "positive", "speed": "positive", "packaging": "positive"}),
    ("物流不慢", {"delivery": "positive"}),
    ("味道不错，就是送餐太慢了", {"taste": "positive", "delivery": "negative", "speed": "negative"}),
    ("客服态度很差，问题一直没解决", {"service": "negative", "attitude": "negative"}),
    ("价格实惠，性价比高", {"price": "positive"}),
    ("质量太差，用两天就坏了", {"quality": "negative"}),
    ("房间很干净，环境也安静", {"environment": "positive"}),
    ("菜很好吃，但是骑手态度恶劣", {"taste": "positive", "delivery": "negative", "attitude": "negative"}),
]


@pytest.mark.parametrize(("comment", "expected"), ASPECT_CASES)
def test_known_aspects_and_polarity(comment, expected):
    mentions = aspect_sentiment(pd.DataFrame({"c": [comment]}), text="c").mentions
    assert dict(zip(mentions["aspect"], mentions["label"], strict=True)) == expected


def test_aspect_summary_counts_and_intervals(backend):
    from statsmodels.stats.proportion import proportion_confint

    comments = [c for c, _ in ASPECT_CASES] + ["物流太慢了", "快递很慢，差评", None]
    frame = make_frame({"c": comments, "g": ["a"] * 6 + ["b"] * (len(comments) - 6)}, backend)
    result = aspect_sentiment(frame, text="c", by="g")
    mentions, summary = to_pandas(result.mentions), to_pandas(result.summary)
    for _, row in summary.iterrows():
        mine = mentions[(mentions["g"] == row["g"]) & (mentions["aspect"] == row["aspect"])]
        assert row["mentions"] == len(mine) == row["positive"] + row["neutral"] + row["negative"]
        assert row["negative"] == (mine["label"] == "negative").sum()
        low, high = proportion_confint(row["negative"], row["mentions"], method="wilson")
        assert (row["share_negative_ci_low"], row["share_negative_ci_high"]) == pytest.approx((low, high))
        assert row["mean_score"] == pytest.approx(mine["score"].mean())
        assert row["aspect_zh"] == DEFAULT_ASPECTS[row["aspect"]].name_zh


def test_user_aspects_replace_or_extend_the_lexicon():
    frame = pd.DataFrame({"c": ["wifi信号太差了", "网络很好"]})
    custom = {**DEFAULT_ASPECTS, "wifi": Aspect("网络", ("wifi", "网络", "信号"))}
    mentions = aspect_sentiment(frame, text="c", aspects=custom).mentions
    assert mentions["aspect"].tolist() == ["wifi", "wifi"]
    assert mentions["label"].tolist() == ["negative", "positive"]
    only = aspect_sentiment(frame, text="c", aspects={"network": ["网络"]}).mentions
    assert only["aspect"].tolist() == ["network"] and only["aspect_zh"].tolist() == ["network"]
    with pytest.raises(CXMetricsError, match="no terms"):
        aspect_sentiment(frame, text="c", aspects={"empty": []})


# --- alerts ---------------------------------------------------------------------------------


def test_flag_negative_reasons_and_order():
    survey = pd.DataFrame(
        {
            "customer": ["c1", "c2", "c1", "c3", "c4", "c5"],
            "ltr": [2, 9, 5, 10, 7, None],
            "comment": [
                "送餐太慢，饭都凉了",
                "很好吃，下次还点",
                "客服不理人",
                "菜很好吃，但是骑手态度恶劣",
                "还行",
                None,
            ],
            "store": ["s1", "s1", "s2", "s2", "s3", "s3"],
        }
    )
    before = survey.copy()
    alerts = flag_negative(survey, text="comment", score="ltr", customer="customer", keep="store")
    pd.testing.assert_frame_equal(survey, before)
    assert alerts["row"].tolist() == [0, 2, 3]
    assert alerts["rank"].tolist() == [1, 2, 3]
    assert alerts["severity"].is_monotonic_decreasing
    first = alerts.iloc[0]
    assert first["detractor"] and first["negative_text"] and first["repeat_complaint"]
    assert first["customer_flags"] == 2 and first["store"] == "s1"
    # every flag is explained: the reason names each condition that holds
    for _, row in alerts.iterrows():
        assert ("detractor" in row["reason"]) == row["detractor"]
        assert ("negative text" in row["reason"]) == row["negative_text"]
        assert ("negative aspects" in row["reason"]) == bool(row["negative_aspects"])
        assert ("repeated" in row["reason"]) == row["repeat_complaint"]
    # severity is the documented sum
    p = first["sentiment"]
    n_aspects = len(first["negative_aspects"].split(","))
    assert n_aspects >= 2
    expected = (1 + (6 - 2) / 6) + (1 + (0.3 - p) / 0.3) + 0.5 * min(n_aspects, 3) + 1
    assert first["severity"] == pytest.approx(expected)


def test_flag_negative_with_scores_only_and_bad_input():
    scores = pd.DataFrame({"ltr": [0, 6, 7, 10]})
    alerts = flag_negative(scores, score="ltr")
    assert alerts["row"].tolist() == [0, 1] and alerts["severity"].tolist() == pytest.approx([2.0, 1.0])
    with pytest.raises(CXMetricsError, match="text= or score="):
        flag_negative(scores)
    with pytest.raises(ValueRangeError, match=r"'ltr'.*outside"):
        flag_negative(pd.DataFrame({"ltr": [3, 11]}), score="ltr")
    with pytest.raises(ValueRangeError, match="sentiment_threshold"):
        flag_negative(scores, score="ltr", sentiment_threshold=1.5)
    with pytest.raises(CXMetricsError, match="missing"):
        flag_negative(scores, score="ltr", customer="missing")


def test_flag_negative_pandas_equals_polars():
    data = {"c": ["送餐太慢", "很好", "客服差"], "s": [3, 9, 8], "id": ["a", "b", "a"]}
    a = flag_negative(pd.DataFrame(data), text="c", score="s", customer="id")
    b = to_pandas(flag_negative(pl.DataFrame(data), text="c", score="s", customer="id"))
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


# --- redaction ------------------------------------------------------------------------------


def _independent_id_check(number: str) -> str:
    # GB 11643-1999: check = (12 - sum(a_i * 2^(17-i) mod 11) mod 11) mod 11, 10 written X
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(number[:17]))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _independent_luhn(digits: str) -> bool:
    doubled = [int(c) for c in digits[-1::-2]] + [sum(divmod(2 * int(c), 10)) for c in digits[-2::-2]]
    return sum(doubled) % 10 == 0


def test_checksums_match_independent_implementations():
    assert id_card_valid("11010519491231002X")  # the standard's own example
    assert not id_card_valid("110105194912310021")
    for card in ["4111111111111111", "5500005555555559", "6250946000000016"]:
        assert luhn_valid(card) and _independent_luhn(card)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_character_property(body):
    assert id_card_valid(body + _independent_id_check(body))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=16, max_size=19))
def test_luhn_property(digits):
    assert luhn_valid(digits) == _independent_luhn(digits)


def test_redact_catches_valid_numbers_and_leaves_lookalikes():
    text = (
        "身份证11010519491231002X，错号110105194912310021；手机13812345678、+86 139 1234 5678；"
        "座机010-62345678；邮箱 zhang.san@qq.com；卡号 6250 9460 0000 0016；"
        "订单号 2023110512345678、运单 SF1234567890123、金额 12345678901234567"
    )
    out = redact(text)
    assert "11010519491231002X" not in out.text and "110105194912310021" in out.text
    assert "13812345678" not in out.text and "139 1234 5678" not in out.text
    assert "010-62345678" not in out.text and "zhang.san@qq.com" not in out.text
    assert "6250 9460 0000 0016" not in out.text
    for lookalike in ["2023110512345678", "SF1234567890123", "12345678901234567"]:
        assert lookalike in out.text
    assert out.counts == {"email": 1, "id_card": 1, "bank_card": 1, "phone": 3}


def test_redact_shapes_and_kinds():
    series = pd.Series(["电话13812345678", None], index=[4, 5])
    out = redact(series, kinds=["phone"])
    assert list(out.text.index) == [4, 5] and out.text.iloc[0] == "电话[PHONE]" and pd.isna(out.text.iloc[1])
    assert out.counts == {"phone": 1}
    assert redact(["a@b.cn", 3]).text == ["[EMAIL]", None]
    with pytest.raises(CXMetricsError, match="passport"):
        redact("x", kinds=["passport"])


def test_results_feed_the_text_charts():
    import matplotlib.pyplot as plt

    import cxmetrics as cx

    frame = pd.DataFrame({"c": [c for c, _ in ASPECT_CASES]})
    ax = cx.plot.aspect_chart(aspect_sentiment(frame, text="c").summary)
    assert len(ax.patches) > 0
    plt.close(ax.figure)
    ax = cx.plot.keyword_bars(keywords(planted_corpus(), text="comment", n=5))
    assert len(ax.patches) == 5
    plt.close(ax.figure)
