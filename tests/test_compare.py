"""Comparisons against scipy / statsmodels on the expanded response codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.multitest import multipletests

import cxmetrics as cx

from .conftest import make_frame, to_pandas


def _codes(scores):
    scores = np.asarray(scores)
    return np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))


@pytest.fixture
def three_regions():
    rng = np.random.default_rng(11)
    groups = {"east": rng.integers(3, 11, 40), "north": rng.integers(0, 11, 25),
              "south": rng.integers(5, 11, 30)}
    rows = [(g, int(s)) for g, values in groups.items() for s in values]
    return groups, pd.DataFrame(rows, columns=["region", "ltr"])


def test_independent_matches_scipy_welch(three_regions, backend):
    groups, df = three_regions
    data = make_frame(df.to_dict("list"), backend)
    out = to_pandas(cx.compare_nps(data, score="ltr", by="region"))
    assert list(zip(out["group_a"], out["group_b"], strict=True)) == [
        ("east", "north"), ("east", "south"), ("north", "south")]
    raw = []
    for _, row in out.iterrows():
        a, b = _codes(groups[row["group_a"]]), _codes(groups[row["group_b"]])
        ref = stats.ttest_ind(a, b, equal_var=False)
        ci = ref.confidence_interval(0.95)
        assert row["statistic"] == pytest.approx(ref.statistic)
        assert row["p_value"] == pytest.approx(ref.pvalue)
        assert row["df"] == pytest.approx(ref.df)
        assert row["difference"] == pytest.approx(100 * (a.mean() - b.mean()))
        assert row["ci_low"] == pytest.approx(100 * ci.low)
        assert row["ci_high"] == pytest.approx(100 * ci.high)
        raw.append(ref.pvalue)
    assert out["p_adjusted"].tolist() == pytest.approx(multipletests(raw, method="holm")[1].tolist())
    assert set(out["test"]) == {"welch_t"}


def test_reference_group(three_regions):
    _, df = three_regions
    out = cx.compare_nps(df, score="ltr", by="region", reference="south", p_adjust="none")
    assert out["group_a"].tolist() == ["east", "north"]
    assert out["group_b"].tolist() == ["south", "south"]
    assert (out["p_adjusted"] == out["p_value"]).all()


def test_paired_matches_scipy(backend):
    rng = np.random.default_rng(5)
    before, after = rng.integers(0, 11, 30), rng.integers(2, 11, 30)
    df = pd.DataFrame({"who": np.tile(np.arange(30), 2), "wave": ["w1"] * 30 + ["w2"] * 30,
                       "ltr": np.concatenate([before, after])}).sample(frac=1, random_state=1)
    out = to_pandas(cx.compare_nps(make_frame(df.to_dict("list"), backend), score="ltr",
                                   by="wave", paired=True, subject="who")).iloc[0]
    ref = stats.ttest_rel(_codes(before), _codes(after))
    assert out["statistic"] == pytest.approx(ref.statistic)
    assert out["p_value"] == pytest.approx(ref.pvalue)
    assert out["n_a"] == 30 and out["test"] == "paired_t"
    assert out["difference"] == pytest.approx(100 * (_codes(before) - _codes(after)).mean())


def test_compare_csat_matches_statsmodels(backend):
    df = {"shop": ["A"] * 10 + ["B"] * 12,
          "sat": [5, 5, 4, 4, 4, 5, 3, 4, 5, 4, 2, 3, 4, 3, 5, 2, 3, 4, 1, 3, 5, 5]}
    out = to_pandas(cx.compare_csat(make_frame(df, backend), score="sat", by="shop")).iloc[0]
    ref = smp.test_proportions_2indep(9, 10, 5, 12, method="score")
    assert out["p_value"] == pytest.approx(ref.pvalue)
    assert out["ci_low"] > 0  # the test rejects at 5%, so the interval excludes 0
    assert out["csat_a"] == pytest.approx(90.0) and out["test"] == "score"
    newcombe = to_pandas(cx.compare_csat(make_frame(df, backend), score="sat", by="shop",
                                         method="newcombe")).iloc[0]
    low, high = smp.confint_proportions_2indep(9, 10, 5, 12, method="newcomb")
    assert newcombe["ci_low"] == pytest.approx(100 * low)
    assert newcombe["ci_high"] == pytest.approx(100 * high)
    assert newcombe["test"] == "newcombe"


def test_compare_csat_paired_matches_scipy():
    a = np.array([5, 4, 2, 3, 5, 4, 1, 4])
    b = np.array([4, 4, 4, 4, 5, 2, 3, 5])
    df = pd.DataFrame({"id": list(range(8)) * 2, "t": ["a"] * 8 + ["b"] * 8,
                       "sat": np.concatenate([a, b])})
    out = cx.compare_csat(df, score="sat", by="t", paired=True, subject="id").iloc[0]
    ref = stats.ttest_rel((a >= 4).astype(float), (b >= 4).astype(float))
    assert out["p_value"] == pytest.approx(ref.pvalue)


def test_degenerate_groups_give_nan_not_crash():
    df = pd.DataFrame({"g": ["a", "a", "b"], "s": [10, 10, 9]})
    out = cx.compare_nps(df, score="s", by="g").iloc[0]
    assert np.isnan(out["p_value"])
    assert out["difference"] == 0.0
