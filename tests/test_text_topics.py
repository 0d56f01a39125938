"""Topics (NMF on TF-IDF) and their impact on NPS, checked on a corpus with planted topics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from cxmetrics.errors import CXMetricsError, DesignError, ValueRangeError
from cxmetrics.text import TopicModel, topic_impact, topics
from tests.topic_corpus import PLANTED, planted_corpus

# ../shared/data beside the project (worktrees sit one level deeper)
_ROOTS = Path(__file__).resolve().parents[2:4]
CORPUS = next((p / "shared" / "data" / "sentiment" / "waimai_dev.csv" for p in _ROOTS
               if (p / "shared" / "data").is_dir()), Path("absent"))


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, np.ndarray, TopicModel]:
    df, present = planted_corpus(2000, seed=1)
    return df, present, topics(df, text="comment", seed=0)


def _match(model: TopicModel, present: np.ndarray, wide: pd.DataFrame) -> list[int]:
    """For each planted topic, the fitted topic whose comments overlap it most (F1)."""
    member = wide[model.names].to_numpy()
    best = []
    for j in range(present.shape[1]):
        f1 = [2 * (member[:, i] & present[:, j]).sum() / (member[:, i].sum() + present[:, j].sum())
              for i in range(model.k)]
        best.append(int(np.argmax(f1)))
    return best


def adjusted_rand_score(truth: np.ndarray, found: pd.Series) -> float:
    """Hubert & Arabie's (1985) adjusted Rand index, from the contingency table."""
    table = pd.crosstab(np.asarray(truth), np.asarray(found)).to_numpy()
    pairs = lambda counts: (counts * (counts - 1) / 2).sum()  # noqa: E731
    index, rows, columns = pairs(table), pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * columns / pairs(np.array([table.sum()]))
    return float((index - expected) / ((rows + columns) / 2 - expected))


def test_adjusted_rand_score_by_hand() -> None:
    # Hubert & Arabie's index is 1 for the same partition under other labels, and this
    # 6-item example (labels [0,0,1,1,2,2] against [0,0,1,2,2,2]) works out to 4/9 by hand
    assert adjusted_rand_score(np.array([0, 0, 1, 1]), pd.Series(["b", "b", "a", "a"])) == 1.0
    assert adjusted_rand_score(np.array([0, 0, 1, 1, 2, 2]), pd.Series([0, 0, 1, 2, 2, 2])) == \
        pytest.approx(4 / 9)


def test_planted_topics_recovered(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, present, model = planted
    assert model.k == len(PLANTED)  # k=None found the planted number
    wide = model.assign(df, text="comment")
    single = present.sum(axis=1) == 1
    ari = adjusted_rand_score(present[single].argmax(axis=1), wide["topic"][single].fillna("none"))
    assert ari > 0.9, ari
    match = _match(model, present, wide)
    assert sorted(match) == list(range(model.k))  # one fitted topic per planted one
    terms = model.terms(n=8)
    for j, name in enumerate(PLANTED):
        top = set(terms.loc[terms["topic"] == model.names[match[j]], "term"])
        assert len(top & set(PLANTED[name])) >= 6, (name, top)


def test_exactly_planted_effects_significant(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, present, model = planted
    out = topic_impact(df, score="score", topics=model, text="comment", n_boot=50, target=60)
    wide = model.assign(df, text="comment")
    match = _match(model, present, wide)
    planted_effect = {model.names[match[j]] for j, name in enumerate(PLANTED)
                      if name in ("delivery", "packaging")}
    assert set(out.loc[out["significant"], "topic"]) == planted_effect
    assert np.isclose(out["joint_share"].sum(), out["r_squared"].iloc[0])
    assert (out["joint_ci_low"] <= out["joint_share"] + 1e-12).all()


def test_differences_equal_pandas(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    wide = model.assign(df, text="comment")
    out = topic_impact(wide, score="score", topics=model.names, n_boot=0, target=50)
    code = np.select([wide["score"] >= 9, wide["score"] <= 6], [100.0, -100.0], 0.0)
    overall = code.mean()
    for row in out.itertuples():
        has = wide[row.topic].to_numpy()
        assert np.isclose(out.loc[row.Index, "with"], code[has].mean())
        assert np.isclose(row.without, code[~has].mean())
        assert np.isclose(row.difference, code[has].mean() - code[~has].mean())
        lift = has.mean() * (code[~has].mean() - code[has].mean())
        assert np.isclose(row.lift, lift)
        assert np.isclose(row.gap_share, lift / (50 - overall))
    # the mean-score variant compares the raw score
    reg = topic_impact(wide, score="score", topics=model.names, method="regression", n_boot=0)
    first = wide[model.names[0]].to_numpy()
    assert np.isclose(reg["difference"].iloc[0], wide["score"][first].mean() - wide["score"][~first].mean())


def test_joint_shapley_sums_to_r_squared(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    wide = model.assign(df, text="comment")
    out = topic_impact(wide, score="score", topics=model.names, joint="shapley", n_boot=0)
    y = np.select([wide["score"] >= 9, wide["score"] <= 6], [100.0, -100.0], 0.0)
    x = np.column_stack([np.ones(len(y)), wide[model.names].to_numpy(float)])
    fitted = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()  # brute-force OLS
    assert np.isclose(out["joint_share"].sum(), r2)


def test_deterministic_and_seeded(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    again = topics(df, text="comment", seed=0)
    assert again.names == model.names and np.array_equal(again.h, model.h)
    pd.testing.assert_frame_equal(again.summary(), model.summary())


def test_pandas_equals_polars(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    pl_model = topics(pl.from_pandas(df), text="comment", seed=0, k=model.k)
    pd_model = topics(df, text="comment", seed=0, k=model.k)
    summary = pl_model.summary()
    assert isinstance(summary, pl.DataFrame)
    pd.testing.assert_frame_equal(summary.to_pandas(), pd_model.summary())
    pl_out = topic_impact(pl.from_pandas(df), score="score", topics=pl_model, text="comment", n_boot=20)
    pd_out = topic_impact(df, score="score", topics=pd_model, text="comment", n_boot=20)
    assert isinstance(pl_out, pl.DataFrame)
    pd.testing.assert_frame_equal(pl_out.to_pandas(), pd_out, check_dtype=False)


def test_by_groups_and_shares(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    df = df.assign(month=np.where(np.arange(len(df)) % 2 == 0, "2024-01", "2024-02"))
    shares = model.shares(df, text="comment", by="month")
    wide = model.assign(df, text="comment")
    direct = wide.groupby("month")[model.names].mean()
    for row in shares.itertuples():
        assert np.isclose(row.share, direct.loc[row.month, row.topic])
        assert row.ci_low <= row.share <= row.ci_high
    by_model = topics(df, text="comment", by="month", k=model.k)
    assert list(by_model.summary()["month"].unique()) == ["2024-01", "2024-02"]
    impact = topic_impact(wide, score="score", topics=model.names, by="month", n_boot=0)
    assert len(impact) == 2 * model.k


def test_long_empty_and_missing_comments(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    _, _, model = planted
    long_text = "骑手迟到，配送超时，" * 200 + "今天"
    new = pd.DataFrame({"comment": [long_text, "", None, "！！！", "骑手迟到"]})
    wide = model.assign(new, text="comment")
    delivery = next(n for n in model.names if "迟到" in model.label(n) or "骑手" in model.label(n))
    assert wide[delivery].tolist() == [True, False, False, False, True]
    assert wide["topic"].iloc[1:4].isna().all()
    long = model.assign(new, text="comment", form="long")
    assert set(long["row"]) == {0, 4}
    shares = model.shares(new, text="comment")
    assert (shares["n_comments"] == 4).all()  # the missing comment is left out, empty ones count


def test_editing(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    a, b = model.names[:2]
    merged = model.merge([a, b], name="ab")
    assert merged.k == model.k - 1 and merged.names[0] == "ab"
    wide = model.assign(df, text="comment")
    merged_wide = merged.assign(df, text="comment")
    assert (merged_wide["ab"] >= (wide[a] | wide[b])).mean() > 0.97
    renamed = model.rename({a: "first"})
    assert renamed.names[0] == "first" and model.names[0] == a
    seeded = model.add_words(a, ["外卖"])
    seeded_wide = seeded.assign(df, text="comment")
    assert seeded_wide.loc[df["comment"].str.contains("外卖"), a].all()
    pinned = model.pin(b, "delivery")
    pinned_wide = pinned.assign(pd.DataFrame({"comment": ["快递小哥很好"]}), text="comment")
    assert bool(pinned_wide[b].iloc[0])
    assert pinned.summary().loc[1, "aspect"] == "delivery"


def test_bad_input_named(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    df, _, model = planted
    with pytest.raises(CXMetricsError, match="text"):
        topics(df, text="missing_column")
    with pytest.raises(ValueRangeError, match="seed"):
        topics(df, text="comment", seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueRangeError, match="min_weight"):
        topics(df, text="comment", min_weight=0)
    with pytest.raises(DesignError, match="topical"):
        topics(pd.DataFrame({"comment": ["好", "还行"]}), text="comment")
    with pytest.raises(CXMetricsError, match="form"):
        model.assign(df, text="comment", form="tall")
    with pytest.raises(CXMetricsError, match="not one of"):
        model.rename({"nope": "x"})
    with pytest.raises(CXMetricsError, match="aspect"):
        model.pin(model.names[0], "weather")
    wide = model.assign(df, text="comment")
    with pytest.raises(CXMetricsError, match="score"):
        topic_impact(wide.assign(score=wide["score"] + 1), score="score", topics=model.names)
    with pytest.raises(CXMetricsError, match="text="):
        topic_impact(df, score="score", topics=model)
    with pytest.raises(CXMetricsError, match="topics column"):
        topic_impact(wide.assign(bad=2), score="score", topics=["bad"])
    with pytest.raises(CXMetricsError, match="method"):
        topic_impact(wide, score="score", topics=model.names, method="ols")


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} is absent")
def test_real_reviews_give_readable_topics() -> None:
    reviews = pd.read_csv(CORPUS).sample(3000, random_state=0)
    model = topics(reviews, text="review", seed=0)
    labels = " ".join(model.summary()["label"])
    assert any(word in labels for word in ("送餐", "小时", "速度", "送到"))  # delivery time
    assert any(word in labels for word in ("味道", "好吃", "难吃"))  # taste


def test_topic_charts(planted: tuple[pd.DataFrame, np.ndarray, TopicModel]) -> None:
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from cxmetrics import plot

    df, _, model = planted
    before = dict(mpl.rcParams)
    impact = topic_impact(df, score="score", topics=model, text="comment", n_boot=0)
    ax = plot.topic_map(impact)
    assert isinstance(ax.figure, Figure) and sorted(t.get_text() for t in ax.texts) == sorted(model.names)
    monthly = df.assign(month=np.repeat(["2024-01", "2024-02"], len(df) // 2))
    trend = plot.topic_trend(model.shares(monthly, text="comment", by="month"), time="month")
    assert [t.get_text() for t in trend.get_legend().get_texts()] == model.names
    assert len(trend.lines) == model.k
    given = Figure().add_subplot()
    assert plot.topic_map(pl.from_pandas(impact), ax=given) is given
    assert dict(mpl.rcParams) == before
