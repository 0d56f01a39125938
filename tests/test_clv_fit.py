"""CLV fits that reach the maximum or say why not; intervals; published anchors; pickles."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.optimize
import scipy.special as sp

import cxmetrics as cx
from cxmetrics import errors

from . import clv_simulate


def betageo_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> float:
    """BG/NBD log-likelihood written from FHL (2005a) eq. 6, independently of the library."""
    r, alpha, a, b = params
    a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    a2 = sp.betaln(a, b + x) - sp.betaln(a, b) - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore"):
        a3 = np.where(x > 0, sp.betaln(a + 1, b + np.maximum(x, 1) - 1) - sp.betaln(a, b)
                      - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(a1 + np.logaddexp(a2, a3)))


def brute_force(loglik, starts: list[np.ndarray]) -> float:
    """Best log-likelihood of Nelder-Mead runs on the log parameters from many starts."""
    best = -np.inf
    for start in starts:
        def objective(u: np.ndarray) -> float:
            if np.abs(u).max() > 12:  # outside e^-12..e^12 the independent formula loses precision
                return 1e300
            with np.errstate(all="ignore"):
                value = loglik(np.exp(u))
            return -value if np.isfinite(value) else 1e300

        result = scipy.optimize.minimize(objective, np.log(start), method="Nelder-Mead",
                                         options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 6000,
                                                  "maxfev": 6000})
        best = max(best, -result.fun)
    return best


@pytest.fixture(scope="module")
def grocery() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return clv_simulate.grocery()


def _fit_quietly(model: type, **data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model().fit(**data)
    return fitted, [w for w in caught if issubclass(w.category, errors.NotIdentifiedWarning)]


def test_grocery_betageo_reaches_the_maximum(grocery) -> None:
    x, t_x, big_t = grocery
    fitted, _ = _fit_quietly(cx.BetaGeo, frequency=x, recency=t_x, T=big_t)
    ours = fitted.log_likelihood_
    assert ours == pytest.approx(betageo_loglik(fitted._theta, x, t_x, big_t), rel=1e-12)
    starts = [np.array([1.0, 1.0, a, a * 1000]) for a in (0.1, 1.0)] + [np.array([1.0, 1.0, 1.0, 1.0])]
    best = brute_force(lambda p: betageo_loglik(p, x, t_x, big_t), starts)
    assert ours >= best - 1e-6 * abs(best)
    table = fitted.summary()
    assert not table["se"].isna().any()


@pytest.mark.parametrize(("model", "reference"), [(cx.BetaGeo, "BetaGeoFitter"),
                                                  (cx.ModifiedBetaGeo, "ModifiedBetaGeoFitter")])
def test_grocery_at_least_lifetimes(grocery, model: type, reference: str) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    x, t_x, big_t = grocery
    fitted, caught = _fit_quietly(model, frequency=x, recency=t_x, T=big_t)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(lifetimes, reference)().fit(x, t_x, big_t).params_.to_dict()
    except lifetimes.utils.ConvergenceError:
        theirs = None
    if theirs is not None:
        their_ll = model.from_parameters(**theirs).log_likelihood(frequency=x, recency=t_x, T=big_t)
        assert fitted.log_likelihood_ >= their_ll - 1e-6 * abs(their_ll)
    table = fitted.summary()
    # never a NaN standard error; an infinite one (or bound) comes with a warning naming it
    assert not table["se"].isna().any() and not table["ci_high"].isna().any()
    for name, se, upper in zip(table["parameter"], table["se"], table["ci_high"], strict=True):
        if not (np.isfinite(se) and np.isfinite(upper)):
            assert any(name in str(w.message) for w in caught), (name, [str(w.message) for w in caught])
            assert name in table["note"].iloc[0]


def test_dropout_ridge_is_reported() -> None:
    # MBG/NBD on the seed-5 panel: the likelihood is flat (within 0.02) as a, b -> inf together
    x, t_x, big_t = clv_simulate.grocery(seed=5)
    with pytest.warns(errors.NotIdentifiedWarning, match="a and b"):
        fitted = cx.ModifiedBetaGeo().fit(frequency=x, recency=t_x, T=big_t)
    table = fitted.summary().set_index("parameter")
    assert np.isinf(table.loc["b", "ci_high"]) and np.isinf(table.loc["a", "ci_high"])
    assert "a and b" in table["note"].iloc[0]
    assert table.loc[["r", "alpha"], "identified"].all()
    assert np.isfinite(table.loc[["r", "alpha"], "se"]).all()
    assert not table["se"].isna().any()
    # at least as high as a finite point on the ridge that a start near lifetimes' answer reaches
    finite = cx.ModifiedBetaGeo.from_parameters(r=2.49, alpha=2.0, a=1.0, b=1300.0)
    assert fitted.log_likelihood_ > finite.log_likelihood(frequency=x, recency=t_x, T=big_t)


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_parameter_intervals_use_the_normal_quantile(confidence: float) -> None:
    x, t_x, big_t = clv_simulate.betageo(3000, 0.5, 5.0, 0.8, 2.5, T_low=30.0, T_high=52.0, seed=3)
    table = cx.BetaGeo().fit(frequency=x, recency=t_x, T=big_t, confidence=confidence).summary()
    z = np.log(table["ci_high"] / table["estimate"]) / (table["se"] / table["estimate"])
    expected = {0.95: 1.959964, 0.9: 1.644854}[confidence]  # standard normal tables
    np.testing.assert_allclose(z, expected, rtol=1e-6)


def test_degenerate_data_raise_saying_why() -> None:
    with pytest.raises(errors.ConvergenceError, match="one customer"):
        cx.BetaGeo().fit(frequency=[3], recency=[20.0], T=[30.0])
    with pytest.raises(errors.ConvergenceError, match="T = 0"):
        cx.ParetoNBD().fit(frequency=[0, 0], recency=[0.0, 0.0], T=[0.0, 0.0])
    with pytest.raises(errors.ConvergenceError, match="same mean spend"):
        cx.GammaGamma().fit(frequency=[1, 2, 3], monetary=[10.0, 10.0, 10.0])
    with pytest.raises(errors.ValueRangeError, match="confidence"):
        cx.BetaGeo().fit(frequency=[1, 2], recency=[1.0, 2.0], T=[3.0, 4.0], confidence=1.5)


# --- published anchors -------------------------------------------------------------------------


def test_btyd_betageo_pmf() -> None:
    # BTYD bgnbd.pmf(params, t = 39, x = 0) at the CDNOW estimates
    bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    zero = [0.0]
    assert bg.probability_of_purchases(n=0, t=39, frequency=zero, recency=zero,
                                       T=zero)["probability_of_purchases"][0] == pytest.approx(
        0.5737864, abs=5e-8)


def test_btyd_pareto_customer_1516(cdnow_sample: pd.DataFrame) -> None:
    summary = cx.summary_from_transactions(cdnow_sample, customer="customer", time="date", amount="amount",
                                           calibration_end="1997-09-30", nonpositive="keep")
    model = cx.ParetoNBD().fit(summary)  # the vignette's pnbd.EstimateParameters on the same data
    row = summary[summary["customer"] == 1516]
    assert row["frequency"].iloc[0] == 26
    assert round(float(model.probability_alive(row)["probability_alive"][0]), 4) == 0.9979
    assert round(float(model.expected_purchases(row, t=52)["expected_purchases"][0]), 2) == 25.46


def _lifetimes_dataset(name: str) -> Path:
    lifetimes = pytest.importorskip("lifetimes")
    return Path(lifetimes.__file__).parent / "datasets" / name


def test_betageo_standard_errors_on_lifetimes_cdnow_summary() -> None:
    lifetimes = pytest.importorskip("lifetimes")
    data = pd.read_csv(_lifetimes_dataset("cdnow_customers_summary.csv"))
    ours = cx.BetaGeo().fit(data).summary().set_index("parameter")
    theirs = lifetimes.BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    # lifetimes' README table for this file: se 0.0126, 0.3782, 0.1857, 0.7053
    np.testing.assert_allclose(ours["se"], [0.012557, 0.378221, 0.185719, 0.705345], rtol=2e-3)
    np.testing.assert_allclose(ours["se"], theirs.standard_errors_[["r", "alpha", "a", "b"]],
                               rtol=2e-3)


def test_lifetimes_example_transactions_chain_in_days() -> None:
    lifetimes = pytest.importorskip("lifetimes")
    log = pd.read_csv(_lifetimes_dataset("example_transactions.csv"), parse_dates=["date"])
    ours = cx.summary_from_transactions(log, customer="id", time="date", unit="D")
    theirs = lifetimes.utils.summary_data_from_transaction_data(log, "id", "date", freq="D")
    np.testing.assert_allclose(ours["frequency"], theirs["frequency"])
    np.testing.assert_allclose(ours["recency"], theirs["recency"])
    np.testing.assert_allclose(ours["T"], theirs["T"])
    fitted = cx.BetaGeo().fit(ours)
    reference = lifetimes.BetaGeoFitter().fit(theirs["frequency"], theirs["recency"], theirs["T"])
    for name, value in reference.params_.items():
        assert fitted.parameters[name] == pytest.approx(value, rel=1e-4)
    np.testing.assert_allclose(
        fitted.expected_purchases(ours, t=30)["expected_purchases"],
        reference.conditional_expected_number_of_purchases_up_to_time(30, theirs["frequency"],
                                                                      theirs["recency"], theirs["T"]),
        rtol=1e-4)


# --- prediction intervals ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    x, t_x, big_t = clv_simulate.betageo(2000, 0.5, 5.0, 0.8, 2.5, T_low=20.0, T_high=52.0, seed=21)
    rng = np.random.default_rng(4)
    monetary = np.where(x > 0, rng.gamma(6.0, 5.0, len(x)) * rng.gamma(4.0, 0.25, len(x)), 0.0)
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t, "monetary": monetary})


def test_prediction_intervals_frames_and_methods(panel: pd.DataFrame) -> None:
    bg = cx.BetaGeo().fit(panel)
    out = bg.expected_purchases(panel, t=26, confidence=0.95)
    assert isinstance(out, pd.DataFrame) and list(out.columns[-3:]) == [
        "expected_purchases", "expected_purchases_ci_low", "expected_purchases_ci_high"]
    point = bg.expected_purchases(panel, t=26)
    np.testing.assert_allclose(out["expected_purchases"], point["expected_purchases"])
    assert (out["expected_purchases_ci_low"] <= out["expected_purchases"]).all()
    assert (out["expected_purchases"] <= out["expected_purchases_ci_high"]).all()
    boot = bg.expected_purchases(panel, t=26, confidence=0.95, method="bootstrap", resamples=60, seed=1)
    # the two methods agree on the width to within the bootstrap's own noise
    width_delta = (out["expected_purchases_ci_high"] - out["expected_purchases_ci_low"]).median()
    width_boot = (boot["expected_purchases_ci_high"] - boot["expected_purchases_ci_low"]).median()
    assert 0.6 < width_boot / width_delta < 1.6
    again = bg.expected_purchases(panel, t=26, confidence=0.95, method="bootstrap", resamples=60, seed=1)
    pd.testing.assert_frame_equal(boot, again)
    polars_out = bg.probability_alive(pl.from_pandas(panel), confidence=0.9)
    assert isinstance(polars_out, pl.DataFrame)
    pandas_out = bg.probability_alive(panel, confidence=0.9)
    np.testing.assert_allclose(polars_out["probability_alive_ci_low"].to_numpy(),
                               pandas_out["probability_alive_ci_low"])
    lazy = bg.probability_of_purchases(pl.from_pandas(panel).lazy(), n=1, t=10, confidence=0.9)
    assert isinstance(lazy, pl.LazyFrame)
    np.testing.assert_allclose(  # a lazy join need not keep the row order
        np.sort(lazy.collect()["probability_of_purchases_ci_high"].to_numpy()),
        np.sort(bg.probability_of_purchases(panel, n=1, t=10, confidence=0.9)
                ["probability_of_purchases_ci_high"]))
    with pytest.raises(errors.OptionError, match="method"):
        bg.expected_purchases(panel, t=26, confidence=0.95, method="mcmc")
    with pytest.raises(errors.ValueRangeError, match="confidence"):
        bg.expected_purchases(panel, t=26, confidence=95)


def test_delta_gradient_matches_a_brute_force_delta(panel: pd.DataFrame) -> None:
    bg = cx.BetaGeo().fit(panel)
    row = panel.iloc[:5]
    out = bg.expected_purchases(row, t=26, confidence=0.95)
    theta, cov = bg._theta, bg.covariance_
    grads = []
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-4 * theta[j]
        up = cx.BetaGeo.from_parameters(**dict(zip(bg.parameter_names, theta + step, strict=True)))
        down = cx.BetaGeo.from_parameters(**dict(zip(bg.parameter_names, theta - step, strict=True)))
        higher = up.expected_purchases(row, t=26)["expected_purchases"]
        lower = down.expected_purchases(row, t=26)["expected_purchases"]
        grads.append((higher - lower) / (2 * step[j]))
    grad = np.array(grads).T
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    est = out["expected_purchases"].to_numpy()
    np.testing.assert_allclose(out["expected_purchases_ci_high"], est * np.exp(1.959964 * se / est),
                               rtol=1e-5)


def test_spend_and_clv_intervals(panel: pd.DataFrame) -> None:
    bg = cx.BetaGeo().fit(panel)
    with pytest.warns(errors.ExcludedDataWarning):
        gg = cx.GammaGamma().fit(panel)
    spend = gg.expected_spend(panel, confidence=0.95)
    assert (spend["expected_spend_ci_low"] < spend["expected_spend"]).all()
    clv = cx.customer_lifetime_value(panel, transaction_model=bg, spend_model=gg, horizon=6,
                                     discount_rate=0.01, confidence=0.95)
    clv_options = {"transaction_model": bg, "spend_model": gg, "horizon": 6, "discount_rate": 0.01}
    np.testing.assert_allclose(clv["clv"], cx.customer_lifetime_value(panel, **clv_options)["clv"])
    assert (clv["clv_ci_low"] <= clv["clv"]).all() and (clv["clv"] <= clv["clv_ci_high"]).all()
    lazy = cx.customer_lifetime_value(pl.from_pandas(panel).lazy(), transaction_model=bg, spend_model=gg,
                                      horizon=6, discount_rate=0.01, confidence=0.95)
    assert isinstance(lazy, pl.LazyFrame)
    np.testing.assert_allclose(np.sort(lazy.collect()["clv_ci_high"].to_numpy()), np.sort(clv["clv_ci_high"]),
                               rtol=1e-9)
    boot = cx.customer_lifetime_value(panel, **clv_options, confidence=0.95, method="bootstrap", resamples=40,
                                      seed=3)
    assert ((boot["clv_ci_low"] <= boot["clv"] * 1.001) & (boot["clv"] <= boot["clv_ci_high"] * 1.001)).all()


def test_interval_coverage_small_simulation() -> None:
    # a bounded version of benchmarks/clv_coverage.py (which runs 200 panels)
    truth = np.array([0.5, 5.0, 0.8, 2.5])
    profile = {"frequency": np.array([0.0, 2.0, 6.0]), "recency": np.array([0.0, 20.0, 45.0]),
               "T": np.array([52.0, 52.0, 52.0])}
    true_value = cx.BetaGeo.from_parameters(**dict(zip(("r", "alpha", "a", "b"), truth, strict=True))
                                            ).expected_purchases(t=26, **profile)["expected_purchases"]
    covered = []
    for seed in range(30):
        x, t_x, big_t = clv_simulate.betageo(2000, *truth, T_low=20.0, T_high=52.0, seed=1000 + seed)
        fitted = cx.BetaGeo().fit(frequency=x, recency=t_x, T=big_t)
        out = fitted.expected_purchases(t=26, **profile, confidence=0.95)
        covered.append((out["expected_purchases_ci_low"] <= true_value)
                       & (true_value <= out["expected_purchases_ci_high"]))
    assert np.mean(covered) >= 0.85


# --- pickles -----------------------------------------------------------------------------------


def test_pickle_keeps_parameters_not_data(panel: pd.DataFrame) -> None:
    big = pd.concat([panel] * 50, ignore_index=True)  # 100,000 customers
    bg = cx.BetaGeo().fit(big)
    blob = pickle.dumps(bg)
    assert len(blob) < 20_000
    restored = pickle.loads(blob)
    np.testing.assert_allclose(restored.expected_purchases(panel, t=10)["expected_purchases"],
                               bg.expected_purchases(panel, t=10)["expected_purchases"])
    delta = restored.expected_purchases(panel.iloc[:3], t=10, confidence=0.9)
    assert np.isfinite(delta["expected_purchases_ci_high"]).all()
    with pytest.raises(errors.ValueRangeError, match="training data"):
        restored.expected_purchases(panel.iloc[:3], t=10, confidence=0.9, method="bootstrap")
