"""NPS point estimates and intervals against hand computations and brute force."""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import cxmetrics as cx
from cxmetrics import _stats

from .conftest import make_frame, to_pandas


def test_hand_computed_example(backend):
    # Store A: 3 promoters, 1 passive, 1 detractor -> NPS 40; B: 1, 2, 2 -> -20.
    df = make_frame({"store": ["A"] * 5 + ["B"] * 5,
                     "ltr": [10, 9, 8, 6, 10, 3, 7, 9, 5, 8]}, backend)
    out = to_pandas(cx.nps(df, score="ltr", by="store", ci="wald"))
    assert out["store"].tolist() == ["A", "B"]
    assert out["nps"].tolist() == [40.0, -20.0]
    assert out[["n_detractors", "n_passives", "n_promoters"]].values.tolist() == [[1, 1, 3], [2, 2, 1]]
    assert out["pct_promoters"].tolist() == [60.0, 20.0]
    # R NPS package / Rocks (2016): V = p + d - (p - d)^2; A: 0.6 + 0.2 - 0.16 = 0.64.
    assert out["se"][0] == pytest.approx(100 * np.sqrt(0.64 / 5))
    z = stats.norm.ppf(0.975)
    assert out["ci_low"][0] == pytest.approx(40 - 100 * z * np.sqrt(0.64 / 5))
    assert out["ci_method"].tolist() == ["wald", "wald"]


def test_adjusted_wald_by_hand():
    # Rocks (2016): add 3/4 detractor, 3/2 passives, 3/4 promoter.
    df = pd.DataFrame({"ltr": [10, 9, 8, 6, 10]})
    row = cx.nps(df, score="ltr", points=False).iloc[0]
    p, d, n = 3.75 / 8, 1.75 / 8, 8
    half = stats.norm.ppf(0.975) * np.sqrt((p + d - (p - d) ** 2) / n)
    assert row["ci_low"] == pytest.approx(p - d - half)
    assert row["ci_high"] == pytest.approx(p - d + half)
    assert row["nps"] == pytest.approx(0.4)  # the estimate itself is not adjusted


def test_variance_matches_code_variance():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 11, 500)
    codes = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    row = cx.nps(pd.DataFrame({"s": scores}), score="s", points=False).iloc[0]
    assert row["nps"] == pytest.approx(codes.mean())
    assert row["se"] == pytest.approx(codes.std(ddof=0) / np.sqrt(500))


def _score_limits_brute_force(d, a, p, z):
    """Invert the score test with the constrained MLE found by a numerical optimiser."""
    n = d + a + p
    est = (p - d) / n

    def constrained_variance(delta):
        # maximise the trinomial log-likelihood over q (detractor share) with p_share = q + delta
        def negll(q):
            shares = np.array([q, 1 - 2 * q - delta, q + delta])
            if np.any(shares <= 0):
                return np.inf
            return -(np.array([d, a, p]) * np.log(shares)).sum()

        lo, hi = max(0.0, -delta) + 1e-12, (1 - delta) / 2 - 1e-12
        q = optimize.minimize_scalar(negll, bounds=(lo, hi), method="bounded",
                                     options={"xatol": 1e-13}).x
        pp, dd = q + delta, q
        return pp + dd - delta**2

    def f(delta):
        return (est - delta) ** 2 - z**2 * constrained_variance(delta) / n

    return optimize.brentq(f, -0.999999, est), optimize.brentq(f, est, 0.999999)


@pytest.mark.parametrize("counts", [(5, 10, 15), (12, 3, 7), (1, 20, 9), (30, 40, 30)])
def test_score_interval_matches_brute_force(counts):
    d, a, p = counts
    low, high = _stats.nps_interval(d, a, p, method="score")
    ref_low, ref_high = _score_limits_brute_force(d, a, p, stats.norm.ppf(0.975))
    assert low[0] == pytest.approx(ref_low, abs=1e-6)
    assert high[0] == pytest.approx(ref_high, abs=1e-6)


@pytest.mark.parametrize(("d", "p"), [(0, 10), (3, 7), (12, 5), (0, 1)])
def test_score_interval_without_passives_is_wilson(d, p):
    # With no passives NPS = 2·(promoter share) − 1, and the score interval maps onto Wilson's.
    from statsmodels.stats.proportion import proportion_confint

    low, high = _stats.nps_interval(d, 0, p, method="score")
    w_low, w_high = proportion_confint(p, d + p, alpha=0.05, method="wilson")
    assert low[0] == pytest.approx(2 * w_low - 1, abs=1e-9)
    assert high[0] == pytest.approx(2 * w_high - 1, abs=1e-9)


@pytest.mark.parametrize("method", ["bootstrap", "bayes"])
def test_simulated_intervals_are_seeded_and_agree_at_large_n(method):
    df = pd.DataFrame({"s": np.repeat([3, 7, 9], [300, 300, 400])})
    first = cx.nps(df, score="s", ci=method, seed=7)
    again = cx.nps(df, score="s", ci=method, seed=7)
    pd.testing.assert_frame_equal(first, again)
    wald = cx.nps(df, score="s", ci="wald")
    assert first["ci_low"][0] == pytest.approx(wald["ci_low"][0], abs=1.0)
    assert first["ci_high"][0] == pytest.approx(wald["ci_high"][0], abs=1.0)


def test_bootstrap_matches_row_resampling():
    # The multinomial bootstrap is the row bootstrap: compare the quantiles with resampled rows.
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 11, 80)
    codes = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    draws = rng.choice(codes, size=(20000, codes.size)).mean(axis=1)
    ref = np.quantile(draws, [0.025, 0.975])
    out = cx.nps(pd.DataFrame({"s": scores}), score="s", ci="bootstrap", n_boot=20000, seed=1,
                 points=False)
    assert out["ci_low"][0] == pytest.approx(ref[0], abs=0.015)
    assert out["ci_high"][0] == pytest.approx(ref[1], abs=0.015)


def test_bayes_matches_dirichlet_moments():
    # Under Dirichlet(a) the posterior sd of p - d has a closed form; the interval is ~ ±1.96 sd.
    counts = np.array([40.0, 30.0, 50.0]) + 1.0
    a0 = counts.sum()
    mean_shares = counts / a0
    cov = (np.diag(mean_shares) - np.outer(mean_shares, mean_shares)) / (a0 + 1)
    contrast = np.array([-1.0, 0.0, 1.0])
    sd = np.sqrt(contrast @ cov @ contrast)
    low, high = _stats.nps_interval(40, 30, 50, method="bayes", n_boot=200000, seed=2)
    centre = contrast @ mean_shares
    assert low[0] == pytest.approx(centre - 1.96 * sd, abs=0.004)
    assert high[0] == pytest.approx(centre + 1.96 * sd, abs=0.004)


def test_integer_weights_equal_replicated_rows(backend):
    df = make_frame({"s": [10, 6, 8, 9], "w": [3, 1, 2, 1]}, backend)
    weighted = to_pandas(cx.nps(df, score="s", weights="w", ci="wald")).iloc[0]
    replicated = pd.DataFrame({"s": [10, 10, 10, 6, 8, 8, 9]})
    plain = cx.nps(replicated, score="s", ci="wald").iloc[0]
    assert weighted["nps"] == pytest.approx(plain["nps"])
    assert weighted["pct_passives"] == pytest.approx(plain["pct_passives"])
    # Kish effective n: (sum w)^2 / sum w^2 = 49 / 15
    assert weighted["n_eff"] == pytest.approx(49 / 15)
    assert weighted["n"] == 4
    var = plain["se"] ** 2 * 7
    assert weighted["se"] == pytest.approx(np.sqrt(var / (49 / 15)))


def test_missing_scores_are_counted(backend):
    df = make_frame({"g": ["a", "a", "b", "b"], "s": [10.0, None, None, None]}, backend)
    out = to_pandas(cx.nps(df, score="s", by="g"))
    assert out["n"].tolist() == [1, 0]
    assert out["n_missing"].tolist() == [1, 2]
    assert np.isnan(out["nps"][1]) and np.isnan(out["ci_low"][1])


def test_empty_frame(backend):
    empty = to_native_head0(make_frame({"s": [1], "g": ["x"]}, backend))
    out = to_pandas(cx.nps(empty, score="s"))
    assert out["n"].tolist() == [0]
    assert np.isnan(out["nps"][0])
    assert len(to_pandas(cx.nps(empty, score="s", by="g"))) == 0


def to_native_head0(frame):
    return nw.from_native(frame).head(0).to_native()


def test_two_group_columns_and_null_group(backend):
    df = make_frame({"r": ["n", "n", "s", None], "c": ["x", "y", "x", "x"], "s": [10, 0, 9, 7]}, backend)
    out = to_pandas(cx.nps(df, score="s", by=["r", "c"]))
    assert out[["n", "nps"]].values.tolist() == [[1, 100.0], [1, -100.0], [1, 100.0], [1, 0.0]]
    assert out["r"].isna().tolist() == [False, False, False, True]


def test_scale_one_gives_proportions():
    out = cx.nps(pd.DataFrame({"s": [10, 0]}), score="s", points=False)
    assert out["nps"][0] == 0.0
    assert out["pct_promoters"][0] == 0.5


def test_pyarrow_in_pyarrow_out():
    import pyarrow as pa

    table = pa.table({"s": [10, 9, 3]})
    out = cx.nps(table, score="s")
    assert isinstance(out, pa.Table)
    assert out["nps"].to_pylist() == pytest.approx([100 / 3])
