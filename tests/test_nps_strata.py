"""NPS with strata: the linearised variance against a bootstrap of a stratified design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

import cxmetrics as cx
from cxmetrics.errors import CXMetricsError, DesignError, MissingValueError
from tests.conftest import make_frame, to_pandas

# stratum: (responses, population, shares of detractors / passives / promoters)
DESIGN = {
    "east": (400, 50_000, [0.08, 0.22, 0.70]),
    "north": (300, 40_000, [0.65, 0.25, 0.10]),
    "west": (500, 10_000, [0.30, 0.40, 0.30]),
}


def stratified_sample(seed: int = 0) -> pd.DataFrame:
    """A stratified sample: design weights N_h / n_h times a non-response adjustment."""
    rng = np.random.default_rng(seed)
    parts = []
    for stratum, (n, population, shares) in DESIGN.items():
        category = rng.choice(3, n, p=shares)
        score = np.choose(category, [rng.integers(0, 7, n), rng.integers(7, 9, n), rng.integers(9, 11, n)])
        adjustment = rng.uniform(0.6, 1.6, n)
        parts.append(pd.DataFrame({"stratum": stratum, "ltr": score,
                                   "w": population / n * adjustment / adjustment.mean(),
                                   "segment": rng.choice(["a", "b"], n)}))
    return pd.concat(parts, ignore_index=True)


def weighted_nps(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (w * z).sum(axis=-1) / w.sum(axis=-1)


def test_linearised_se_matches_a_stratified_bootstrap():
    df = stratified_sample()
    result = cx.nps(df, score="ltr", weights="w", strata="stratum", points=False)
    z = np.sign(np.where(df["ltr"] >= 9, 1, np.where(df["ltr"] <= 6, -1, 0)))
    rng = np.random.default_rng(42)
    replicates, boot = 4000, []
    rows = [np.flatnonzero(df["stratum"] == s) for s in DESIGN]
    picks = np.concatenate([rng.choice(r, size=(replicates, len(r))) for r in rows], axis=1)
    w = df["w"].to_numpy()
    boot = weighted_nps(z[picks], w[picks])
    assert result["nps"][0] == pytest.approx(weighted_nps(z, w), rel=1e-12)
    assert result["se"][0] == pytest.approx(boot.std(ddof=1), rel=0.04)
    assert result["ci_method"][0] == "linearization"
    half = ndtri(0.975) * result["se"][0]
    assert result["ci_low"][0] == pytest.approx(result["nps"][0] - half)


def test_strata_change_the_se_from_the_effective_n_one():
    df = stratified_sample(seed=1)
    kish = cx.nps(df, score="ltr", weights="w", points=False)["se"][0]
    strata = cx.nps(df, score="ltr", weights="w", strata="stratum", points=False)["se"][0]
    assert strata != pytest.approx(kish, rel=1e-3)


def test_one_stratum_without_weights_is_the_unweighted_variance():
    df = stratified_sample(seed=2)
    df["one"] = "all"
    z = np.where(df["ltr"] >= 9, 1.0, np.where(df["ltr"] <= 6, -1.0, 0.0))
    result = cx.nps(df, score="ltr", strata="one", points=False)
    assert result["se"][0] == pytest.approx(z.std(ddof=1) / np.sqrt(len(z)), rel=1e-12)


def test_strata_with_groups_pandas_equals_polars(backend):
    df = stratified_sample(seed=3)
    df.loc[::17, "ltr"] = np.nan
    data = make_frame(df.to_dict("list"), backend)
    result = to_pandas(cx.nps(data, score="ltr", weights="w", strata="stratum", by="segment"))
    reference = cx.nps(df, score="ltr", weights="w", strata="stratum", by="segment")
    pd.testing.assert_frame_equal(result, reference, check_dtype=False)
    # each group's se is the one-group computation on its rows
    alone = cx.nps(df[df["segment"] == "b"], score="ltr", weights="w", strata="stratum")
    assert reference["se"][1] == pytest.approx(alone["se"][0], rel=1e-12)


def test_strata_bad_inputs():
    df = stratified_sample(seed=4)
    with pytest.raises(CXMetricsError, match="not available with strata"):
        cx.nps(df, score="ltr", strata="stratum", ci="bootstrap")
    lonely = pd.concat([df, pd.DataFrame({"stratum": ["island"], "ltr": [9], "w": [1.0],
                                          "segment": ["a"]})], ignore_index=True)
    with pytest.raises(DesignError, match=r"single scored response.*island"):
        cx.nps(lonely, score="ltr", strata="stratum")
    df.loc[0, "stratum"] = None
    with pytest.raises(MissingValueError, match="strata column 'stratum' is missing for 1"):
        cx.nps(df, score="ltr", strata="stratum")
    with pytest.raises(CXMetricsError, match="not found"):
        cx.nps(df, score="ltr", strata="nope")


def test_weighted_csat_interval_uses_kish_effective_n():
    from statsmodels.stats.proportion import proportion_confint

    df = stratified_sample(seed=5)
    df["sat"] = (df["ltr"] // 2).clip(1, 5)
    result = cx.csat(df, score="sat", weights="w")
    w, top = df["w"].to_numpy(), (df["sat"] >= 4).to_numpy()
    n_eff = w.sum() ** 2 / (w**2).sum()
    share = (w * top).sum() / w.sum()
    low, high = proportion_confint(share * n_eff, n_eff, method="wilson")
    assert result["n_eff"][0] == pytest.approx(n_eff)
    assert (result["ci_low"][0], result["ci_high"][0]) == pytest.approx((low * 100, high * 100))
