"""Keywords: contrastive log-odds with an informative Dirichlet prior, default stop words."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd
import polars as pl
import pytest

from cxmetrics.errors import CXMetricsError, ValueRangeError
from cxmetrics.text import default_stopwords, keywords, ngrams, redact, tokenize, word_freq

STORES = pd.DataFrame(
    {
        "store": ["A"] * 6 + ["B"] * 6,
        "comment": [
            "配送太慢了，没有餐具",
            "配送员迟到，非常不满意",
            "味道不错但配送慢",
            "配送很慢，有点凉了",
            "餐具没给，配送也慢",
            "配送慢，味道不错",
            "环境很好，非常干净",
            "环境干净，味道不错",
            "服务热情，环境好",
            "前台很热情，没有排队",
            "环境优雅，有点贵",
            "排队很久，环境还行",
        ],
    }
)


def direct_log_odds(groups: list[list[str]], prior: float) -> list[dict[str, tuple[float, float]]]:
    """Monroe, Colaresi & Quinn (2008) written out word by word: (log-odds, z) per group."""
    counts = [Counter(g) for g in groups]
    pooled = Counter()
    for c in counts:
        pooled.update(c)
    a0 = prior * sum(pooled.values())
    out = []
    for i, c in enumerate(counts):
        rest = Counter()
        for j, other in enumerate(counts):
            if j != i:
                rest.update(other)
        n, m = sum(c.values()), sum(rest.values())
        found = {}
        for w in c:
            a = prior * pooled[w]
            delta = math.log((c[w] + a) / (n + a0 - c[w] - a)) - math.log(
                (rest[w] + a) / (m + a0 - rest[w] - a)
            )
            se = math.sqrt(1 / (c[w] + a) + 1 / (rest[w] + a))
            found[w] = (delta, delta / se)
        out.append(found)
    return out


@pytest.mark.parametrize("prior", [1.0, 0.1])
def test_log_odds_matches_a_direct_implementation(prior):
    out = keywords(STORES, text="comment", by="store", method="log_odds", n=100, prior=prior)
    drop = default_stopwords()
    groups = []
    for store in ("A", "B"):
        texts = STORES.loc[STORES["store"] == store, "comment"]
        groups.append(
            [w for t in texts for w in tokenize(t, stopwords=drop, replace_stopwords=True) if len(w) >= 2]
        )
    expected = direct_log_odds(groups, prior)
    for k, store in enumerate(("A", "B")):
        part = out[out["store"] == store].set_index("keyword")
        assert set(part.index) == set(expected[k])
        for word, (delta, z) in expected[k].items():
            assert part.loc[word, "log_odds"] == pytest.approx(delta, rel=1e-12)
            assert part.loc[word, "z"] == pytest.approx(z, rel=1e-12)
            assert part.loc[word, "weight"] == part.loc[word, "z"]
            assert part.loc[word, "se"] == pytest.approx(delta / z, rel=1e-12)
        assert part["z"].is_monotonic_decreasing
        assert part["rank"].tolist() == list(range(1, len(part) + 1))


def test_log_odds_puts_each_groups_topic_first():
    out = keywords(STORES, text="comment", by="store", method="log_odds", n=1)
    assert dict(zip(out["store"], out["keyword"], strict=True)) == {"A": "配送", "B": "环境"}


def test_generic_evaluative_words_are_not_keywords_by_default():
    generic = {"没有", "不错", "非常", "有点", "满意", "不满意", "一般"}
    assert generic <= default_stopwords()
    for method in ("tfidf", "textrank"):
        out = keywords(STORES, text="comment", by="store", method=method, n=50)
        assert generic.isdisjoint(out["keyword"]), method
    kept = keywords(STORES, text="comment", n=50, stopwords=[], replace_stopwords=True)
    assert {"没有", "不错", "非常"} <= set(kept["keyword"])


def test_stopwords_add_to_the_defaults_unless_replaced():
    added = keywords(STORES, text="comment", by="store", n=50, stopwords=["配送"])
    assert "配送" not in set(added["keyword"]) and "不错" not in set(added["keyword"])
    replaced = keywords(STORES, text="comment", n=50, stopwords=["配送"], replace_stopwords=True)
    assert "配送" not in set(replaced["keyword"]) and "不错" in set(replaced["keyword"])
    defaults = keywords(STORES, text="comment", n=50, stopwords="default")
    assert defaults.equals(keywords(STORES, text="comment", n=50))
    counts = word_freq(STORES, text="comment", stopwords=["配送"])
    assert "配送" not in set(counts["word"]) and "的" not in set(counts["word"])
    phrases = ngrams(STORES, text="comment", stopwords=["配送"])
    assert not phrases["ngram"].str.contains("配送").any()


def test_default_stopwords_keep_topic_words():
    words = default_stopwords()
    assert isinstance(words, frozenset)
    assert {"配送", "环境", "客服", "价格", "包装"}.isdisjoint(words)
    assert {"的", "了", "我们"} <= words


def test_tokenize_stopwords_add_to_its_defaults():
    text = "这个东西很好"
    assert tokenize(text, stopwords=["这个"]) == ["很", "好"]
    assert tokenize(text, stopwords=["这个"], replace_stopwords=True) == ["东西", "很", "好"]
    assert tokenize(text, stopwords=[], replace_stopwords=True) == ["这个", "东西", "很", "好"]


def test_log_odds_pandas_equals_polars():
    a = keywords(STORES, text="comment", by="store", method="log_odds", n=5)
    b = keywords(pl.from_pandas(STORES), text="comment", by="store", method="log_odds", n=5)
    assert isinstance(b, pl.DataFrame)
    pd.testing.assert_frame_equal(a, b.to_pandas())


def test_log_odds_bad_input():
    with pytest.raises(CXMetricsError, match="at least two groups"):
        keywords(STORES, text="comment", method="log_odds")
    with pytest.raises(ValueRangeError, match="prior"):
        keywords(STORES, text="comment", by="store", method="log_odds", prior=0)
    with pytest.raises(ValueRangeError, match="replace_stopwords"):
        keywords(STORES, text="comment", replace_stopwords="yes")  # type: ignore[arg-type]
    with pytest.raises(CXMetricsError, match="method"):
        keywords(STORES, text="comment", method="chi2")


def test_redaction_placeholders_are_not_words():
    raw = pd.DataFrame({"store": ["A", "A", "B", "B"],
                        "comment": ["送餐太慢，电话13812345678", "配送员迟到 联系 zhang.wei@example.com",
                                    "环境很好 身份证 11010519491231002X", "环境干净"]})
    masked = raw.assign(comment=redact(raw["comment"]).text)
    assert masked["comment"].str.contains(r"\[PHONE\]|\[EMAIL\]|\[ID\]").sum() == 3
    placeholders = {"phone", "email", "id", "PHONE", "EMAIL", "ID"}
    for method in ("tfidf", "textrank", "log_odds"):
        found = keywords(masked, text="comment", by="store", method=method, n=50)
        assert placeholders.isdisjoint(found["keyword"]), method
    counted = word_freq(masked, text="comment")
    assert placeholders.isdisjoint(counted["word"])
    assert {"送餐", "电话", "环境"} <= set(counted["word"])
    # the words around a placeholder do not join across it into a phrase of their own
    phrases = ngrams(masked, text="comment")
    assert not phrases["ngram"].str.contains("phone|email").any()
    # an unmasked English word is still a word
    assert "phone" in set(word_freq(pd.DataFrame({"c": ["phone 坏了"]}), text="c")["word"])


def test_topics_stopwords_add_to_the_bundled_list_unless_replaced():
    from cxmetrics.text import topics

    comments = pd.DataFrame({"comment": ["我们觉得骑手迟到一个小时", "我们觉得配送超时，骑手还没到",
                                         "我们觉得小时才送达，配送太慢", "我们觉得味道不错，口感很好",
                                         "我们觉得口感一般，味道偏咸", "我们觉得味道很好，口感新鲜"] * 5})
    added = topics(comments, text="comment", k=2, stopwords=["骑手"])
    assert {"骑手", "我们"} <= added.stopwords
    assert "骑手" not in added.terms_ and "我们" not in added.terms_
    replaced = topics(comments, text="comment", k=2, stopwords=["骑手"], replace_stopwords=True)
    assert replaced.stopwords == {"骑手"} and "骑手" not in replaced.terms_
    # new comments are read with the same words left out
    assert replaced.assign(comments.head(3), text="comment") is not None
    assert topics(comments, text="comment", k=2).terms_ == topics(
        comments, text="comment", k=2, stopwords=None).terms_
