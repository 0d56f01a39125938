"""Key drivers against a published example, brute force, statsmodels and planted truth."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.drivers import _importance as imp

from .conftest import to_pandas

DRIVERS = ["delivery", "staff", "app", "price", "returns"]


def survey(n: int = 800, seed: int = 3, binary: bool = False) -> pd.DataFrame:
    """Correlated 1-5 ratings; the outcome depends on delivery and staff (strongly), app (weakly)."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=n)
    ratings = {d: np.clip(np.round(3 + 0.8 * mood + rng.normal(size=n)), 1, 5) for d in DRIVERS}
    frame = pd.DataFrame(ratings)
    signal = 1.2 * frame["delivery"] + 0.9 * frame["staff"] + 0.3 * frame["app"]
    if binary:
        logit = 1.5 * (signal - signal.mean()) / signal.std()
        frame["promoter"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    else:
        frame["ltr"] = np.clip(signal + rng.normal(0, 1.2, n), 0, 10)
    frame["region"] = rng.choice(["north", "south"], n)
    return frame


def brute_force_shapley(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> np.ndarray:
    """LMG by definition: the R² gain of each driver averaged over all p! orders, fitting OLS."""

    def r2(columns: tuple[str, ...]) -> float:
        if not columns:
            return 0.0
        return float(sm.OLS(frame[outcome], sm.add_constant(frame[list(columns)])).fit().rsquared)

    cache: dict[frozenset[str], float] = {}
    gains = np.zeros(len(drivers))
    orders = list(itertools.permutations(drivers))
    for order in orders:
        for k, driver in enumerate(order):
            before, after = frozenset(order[:k]), frozenset(order[:k + 1])
            for key in (before, after):
                if key not in cache:
                    cache[key] = r2(tuple(sorted(key)))
            gains[drivers.index(driver)] += cache[after] - cache[before]
    return gains / len(orders)


def johnson_from_rows(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> np.ndarray:
    """Relative weights from the data, as Johnson (2000) defines them: the orthonormal Z
    closest to the standardised X (polar factor of its SVD), the outcome regressed on Z, and
    the drivers regressed on Z."""
    x = frame[drivers].to_numpy(dtype=float)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = frame[outcome].to_numpy(dtype=float)
    y = (y - y.mean()) / y.std()
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    z = u @ vt * np.sqrt(len(x))
    beta = np.linalg.lstsq(z, y, rcond=None)[0]
    loadings = np.linalg.lstsq(z, x, rcond=None)[0].T  # x_j = sum_k Lambda_jk z_k
    return (loadings**2) @ beta**2


# --- published and independent numbers --------------------------------------------------------


def test_published_tips_example() -> None:
    """pingouin 0.7 documents LMG on the tips data (Bryant & Smith 1995), tip ~ total bill +
    party size with rows 4 and 7 missing: 0.342503 and 0.126386, R² 0.468889. Its correlations
    (242 complete rows) are the input here."""
    r_bill_size, r_bill_tip, r_size_tip = 0.5967383779368892, 0.6760354442100422, 0.4908232924972801
    rxx = np.array([[1.0, r_bill_size], [r_bill_size, 1.0]])
    rxy = np.array([r_bill_tip, r_size_tip])
    np.testing.assert_allclose(imp.shapley_r_squared(rxx, rxy), [0.342503, 0.126386], atol=5e-7)
    assert imp.r_squared(rxx, rxy) == pytest.approx(0.468889, abs=5e-7)


def test_shapley_equals_brute_force_over_orders() -> None:
    frame = survey()
    result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, method="shapley")
    expected = dict(zip(DRIVERS, brute_force_shapley(frame, "ltr", DRIVERS), strict=True))
    for row in result.itertuples():
        assert row.importance == pytest.approx(expected[row.driver], abs=1e-12)


def test_relative_weights_equal_johnsons_construction_from_rows() -> None:
    frame = survey()
    result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS)
    expected = dict(zip(DRIVERS, johnson_from_rows(frame, "ltr", DRIVERS), strict=True))
    for row in result.itertuples():
        assert row.importance == pytest.approx(expected[row.driver], abs=1e-12)


@pytest.mark.parametrize("method", ["relative_weights", "shapley"])
def test_importances_sum_to_r_squared(method: str) -> None:
    frame = survey(seed=9)
    result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, method=method)
    fit = sm.OLS(frame["ltr"], sm.add_constant(frame[DRIVERS])).fit()
    assert result["r_squared"].iloc[0] == pytest.approx(fit.rsquared, rel=1e-12)
    assert result["importance"].sum() == pytest.approx(fit.rsquared, rel=1e-12)
    assert result["pct"].sum() == pytest.approx(100.0)


def test_independent_drivers_all_methods_agree() -> None:
    """With uncorrelated drivers every measure is the squared standardised beta (= r²)."""
    rng = np.random.default_rng(4)
    raw = rng.normal(size=(300, 4))
    raw -= raw.mean(axis=0)
    orthogonal, _ = np.linalg.qr(raw)  # exactly uncorrelated, mean-zero columns
    frame = pd.DataFrame(orthogonal * 10, columns=list("abcd"))
    frame["y"] = frame @ np.array([3.0, 2.0, 1.0, 0.0]) + rng.normal(0, 5, 300)
    results = {m: cx.key_drivers(frame, outcome="y", drivers=list("abcd"), method=m).set_index("driver")
               for m in ("relative_weights", "shapley", "correlation", "beta")}
    for method in ("shapley", "correlation", "beta"):
        np.testing.assert_allclose(results[method]["importance"], results["relative_weights"]["importance"],
                                   atol=1e-12)
    np.testing.assert_allclose(results["beta"]["importance"], results["beta"]["beta"] ** 2, atol=1e-15)


def test_betas_and_p_values_match_statsmodels() -> None:
    frame = survey(seed=5)
    frame["w"] = np.random.default_rng(1).uniform(0.5, 2.0, len(frame))
    for weights in (None, "w"):
        result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, weights=weights).set_index("driver")
        w = np.ones(len(frame)) if weights is None else frame["w"]
        fit = sm.WLS(frame["ltr"], sm.add_constant(frame[DRIVERS]), weights=w).fit()
        sd = {c: np.sqrt(np.cov(frame[c], aweights=w, bias=True)) for c in [*DRIVERS, "ltr"]}
        for d in DRIVERS:
            assert result.loc[d, "beta"] == pytest.approx(fit.params[d] * sd[d] / sd["ltr"], rel=1e-10)
            assert result.loc[d, "p_value"] == pytest.approx(fit.pvalues[d], rel=1e-8)
        assert result["r_squared"].iloc[0] == pytest.approx(fit.rsquared, rel=1e-10)


def test_planted_drivers_are_recovered() -> None:
    frame = survey(n=3000, seed=11)
    for method in ("relative_weights", "shapley"):
        result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, method=method)
        assert result["driver"].tolist()[:3] == ["delivery", "staff", "app"]
        flags = result.set_index("driver")["significant"]
        assert flags[["delivery", "staff", "app"]].all()
        assert not flags[["price", "returns"]].any()


# --- logistic variant -------------------------------------------------------------------------


def test_binary_outcome_uses_the_logistic_extension() -> None:
    frame = survey(n=3000, seed=12, binary=True)
    result = cx.key_drivers(frame, outcome="promoter", drivers=DRIVERS)
    assert set(result["model"]) == {"logistic"}
    assert result["importance"].sum() == pytest.approx(result["r_squared"].iloc[0], rel=1e-10)
    assert result["driver"].tolist()[:2] == ["delivery", "staff"]
    # Wald p-values of the logistic model on the drivers, fitted independently by sm.Logit
    fit = sm.Logit(frame["promoter"], sm.add_constant(frame[DRIVERS])).fit(disp=0)
    for row in result.itertuples():
        assert row.p_value == pytest.approx(fit.pvalues[row.driver], rel=1e-6)
    # r_squared is the squared correlation of outcome and fitted probability (model on Z = model on X)
    fitted_r = np.corrcoef(frame["promoter"], fit.predict())[0, 1]
    assert result["r_squared"].iloc[0] == pytest.approx(fitted_r**2, rel=1e-6)
    with pytest.raises(errors.ValueRangeError, match="Shapley"):
        cx.key_drivers(frame, outcome="promoter", drivers=DRIVERS, method="shapley")


def test_separated_binary_outcome_is_refused_naming_the_driver() -> None:
    frame = survey(n=400, seed=13, binary=True)
    # complete separation: the outcome is a threshold of one rating, so its coefficient has no
    # finite maximum (statsmodels' Logit reports the same as PerfectSeparation)
    frame["promoter"] = (frame["delivery"] >= 4).astype(int)
    with pytest.raises(errors.DesignError, match=r"separated by \['delivery'\]"):
        cx.key_drivers(frame, outcome="promoter", drivers=DRIVERS)
    # quasi-complete: the two responses at a rare level of 'price' are both non-promoters
    frame = survey(n=400, seed=13, binary=True)
    frame["price"] = 3.0
    frame.loc[frame.index[frame["promoter"] == 0][:2], "price"] = 1.0
    with pytest.raises(errors.DesignError, match="price"):
        cx.key_drivers(frame, outcome="promoter", drivers=DRIVERS)


@pytest.mark.filterwarnings("error")
def test_bootstrap_of_a_nearly_constant_driver_raises_no_numpy_warning() -> None:
    frame = survey(n=60, seed=14)
    frame["returns"] = 5.0
    frame.loc[frame.index[:2], "returns"] = 4.0  # most resamples make it constant: skipped quietly
    result = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, n_boot=100, seed=3)
    assert np.isfinite(result["importance_ci_high"]).all()
    pairwise = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, n_boot=50, seed=3, missing="pairwise")
    assert np.isfinite(pairwise["importance"]).all()


# --- bootstrap, groups, engines -----------------------------------------------------------------


def test_bootstrap_interval_is_reproducible_and_covers_the_estimate() -> None:
    frame = survey(n=600, seed=2)
    first = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, n_boot=200, seed=7)
    again = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, n_boot=200, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert (first["importance_ci_low"] <= first["importance"]).all()
    assert (first["importance"] <= first["importance_ci_high"]).all()
    top = first.iloc[0]
    assert top["importance_ci_high"] - top["importance_ci_low"] > 0
    assert "importance_ci_low" not in cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS).columns


def test_by_equals_separate_runs_and_polars_equals_pandas() -> None:
    frame = survey(seed=6)
    grouped = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, by="region")
    assert grouped["region"].tolist() == ["north"] * 5 + ["south"] * 5
    for region in ("north", "south"):
        alone = cx.key_drivers(frame[frame["region"] == region], outcome="ltr", drivers=DRIVERS)
        part = grouped[grouped["region"] == region].drop(columns="region").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone)
    polars = cx.key_drivers(pl.from_pandas(frame), outcome="ltr", drivers=DRIVERS, by="region")
    assert isinstance(polars, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars), grouped, check_dtype=False)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_row_order_does_not_matter(seed: int) -> None:
    frame = survey(n=200, seed=1)
    shuffled = frame.sample(frac=1.0, random_state=seed)
    for method in ("relative_weights", "shapley"):
        a = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, method=method)
        b = cx.key_drivers(shuffled, outcome="ltr", drivers=DRIVERS, method=method)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)


def test_missing_ratings_listwise_and_pairwise() -> None:
    frame = survey(seed=8)
    holes = frame.copy()
    rng = np.random.default_rng(3)
    for column in ["delivery", "price", "ltr"]:
        holes.loc[rng.random(len(holes)) < 0.1, column] = np.nan
    before = holes.copy()
    listwise = cx.key_drivers(holes, outcome="ltr", drivers=DRIVERS)
    complete = holes.dropna(subset=[*DRIVERS, "ltr"])
    assert listwise["n"].iloc[0] == len(complete)
    pd.testing.assert_frame_equal(listwise, cx.key_drivers(complete, outcome="ltr", drivers=DRIVERS))
    pairwise = cx.key_drivers(holes, outcome="ltr", drivers=DRIVERS, method="correlation", missing="pairwise")
    expected = holes[[*DRIVERS, "ltr"]].corr()["ltr"]  # pandas: pairwise complete observations
    for row in pairwise.itertuples():
        assert row.correlation == pytest.approx(expected[row.driver], rel=1e-12)
    pd.testing.assert_frame_equal(holes, before)  # the caller's data is untouched


# --- importance-performance ------------------------------------------------------------------


def test_importance_performance_quadrants() -> None:
    frame = survey(n=2000, seed=13)
    frame["delivery"] = np.clip(frame["delivery"] - 1, 1, 5)  # important, poorly rated
    quadrants = cx.importance_performance(frame, outcome="ltr", drivers=DRIVERS).set_index("driver")
    drivers = cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS).set_index("driver")
    np.testing.assert_allclose(quadrants.loc[DRIVERS, "importance"], drivers.loc[DRIVERS, "pct"])
    np.testing.assert_allclose(quadrants.loc[DRIVERS, "performance"], frame[DRIVERS].mean())
    assert quadrants.loc["delivery", "quadrant"] == "concentrate here"
    assert quadrants["importance_split"].iloc[0] == pytest.approx(20.0)  # mean of five shares
    for driver, row in quadrants.iterrows():
        high_importance = row["importance"] >= row["importance_split"]
        high_performance = row["performance"] >= row["performance_split"]
        assert row["quadrant"] == cx.drivers.QUADRANTS["en"][(high_importance, high_performance)], driver
    top = cx.importance_performance(frame, outcome="ltr", drivers=DRIVERS, performance="top_box", top_box=4,
                                    labels="zh", split="median").set_index("driver")
    np.testing.assert_allclose(top.loc[DRIVERS, "performance"], (frame[DRIVERS] >= 4).mean())
    assert set(top["quadrant"]) <= set(cx.drivers.QUADRANTS["zh"].values())
    with pytest.raises(errors.ValueRangeError, match="top_box"):
        cx.importance_performance(frame, outcome="ltr", drivers=DRIVERS, performance="top_box")


# --- bad input -------------------------------------------------------------------------------


def test_bad_designs_name_the_columns() -> None:
    frame = survey(n=100)
    constant = frame.assign(price=3.0)
    with pytest.raises(errors.DesignError, match=r"\['price'\] are constant"):
        cx.key_drivers(constant, outcome="ltr", drivers=DRIVERS)
    collinear = frame.assign(total=frame["delivery"] + frame["staff"])
    with pytest.raises(errors.DesignError, match="perfectly collinear") as info:
        cx.key_drivers(collinear, outcome="ltr", drivers=[*DRIVERS, "total"])
    assert all(name in str(info.value) for name in ("delivery", "staff", "total"))
    with pytest.raises(errors.DesignError, match="3 complete responses for 5 drivers"):
        cx.key_drivers(frame.head(3), outcome="ltr", drivers=DRIVERS)
    with pytest.raises(errors.DesignError, match="single value"):
        cx.key_drivers(frame.assign(ltr=7.0), outcome="ltr", drivers=DRIVERS)
    with pytest.raises(errors.ColumnTypeError, match="'staff'"):
        cx.key_drivers(frame.assign(staff=frame["staff"].astype(str)), outcome="ltr", drivers=DRIVERS)
    with pytest.raises(errors.ColumnNotFoundError, match="speed"):
        cx.key_drivers(frame, outcome="ltr", drivers=["speed"])
    with pytest.raises(errors.ValueRangeError, match="also listed"):
        cx.key_drivers(frame, outcome="ltr", drivers=["ltr", "staff"])
    with pytest.raises(errors.ValueRangeError, match="more than once"):
        cx.key_drivers(frame, outcome="ltr", drivers=["staff", "staff"])
    with pytest.raises(errors.CXMetricsError, match="method"):
        cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, method="dominance")
    with pytest.raises(errors.ValueRangeError, match="n_boot"):
        cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, n_boot=-1)
    with pytest.raises(errors.CXMetricsError, match="missing"):
        cx.key_drivers(frame, outcome="ltr", drivers=DRIVERS, missing="mean")
    many = pd.DataFrame(np.random.default_rng(0).normal(size=(100, 17)), columns=[f"d{i}" for i in range(17)])
    many["y"] = many.sum(axis=1)
    with pytest.raises(errors.ValueRangeError, match="limited to 15"):
        cx.key_drivers(many, outcome="y", drivers=[f"d{i}" for i in range(17)], method="shapley")
    wide = cx.key_drivers(many, outcome="y", drivers=[f"d{i}" for i in range(17)])
    assert wide["importance"].sum() == pytest.approx(wide["r_squared"].iloc[0])
