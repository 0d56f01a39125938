"""CLV models against the published CDNOW tables, lifetimes, simulation and brute force."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.clv import _likelihood, _models

from .conftest import to_pandas

MODELS = [cx.BetaGeo, cx.ModifiedBetaGeo, cx.ParetoNBD]


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_sample: pd.DataFrame) -> pd.DataFrame:
    """39-week calibration, weekly time, same-day purchases merged; $0 purchases still count."""
    return cx.summary_from_transactions(cdnow_sample, customer="customer", time="date", amount="amount",
                                        calibration_end="1997-09-30", nonpositive="keep")


# --- published numbers ----------------------------------------------------------------------


def test_cdnow_summary(cdnow_summary: pd.DataFrame, cdnow_sample: pd.DataFrame) -> None:
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["frequency_holdout"].sum() == 1882  # FHL (2005a): weeks 40-78
    assert (cdnow_summary["frequency"] > 0).sum() == 946
    assert (cdnow_summary["duration_holdout"] == 39.0).all()
    # Independent pandas computation of the calibration columns.
    calibration = cdnow_sample[cdnow_sample["date"] <= "1997-09-30"]
    days = calibration.groupby(["customer", "date"], as_index=False)["amount"].sum()
    per = days.groupby("customer").agg(first=("date", "min"), last=("date", "max"), n=("date", "size"))
    np.testing.assert_array_equal(cdnow_summary["frequency"], per["n"] - 1)
    np.testing.assert_allclose(cdnow_summary["recency"], (per["last"] - per["first"]).dt.days / 7)
    np.testing.assert_allclose(cdnow_summary["T"], (pd.Timestamp("1997-09-30") - per["first"]).dt.days / 7)


@pytest.mark.parametrize(
    ("model", "published", "log_likelihood"),
    [
        # Fader, Hardie & Lee (2005a), Table/Figure on the CDNOW sample.
        (cx.BetaGeo, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.4),
        # Fader & Hardie (2005) Pareto/NBD note; same data.
        (cx.ParetoNBD, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9594.98),
        # BTYDplus mbgnbd on the CDNOW sample (Batislam et al. 2007 model).
        (cx.ModifiedBetaGeo, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, None),
    ],
)
def test_published_estimates(cdnow_summary: pd.DataFrame, model: type, published: dict[str, float],
                             log_likelihood: float | None) -> None:
    fitted = model().fit(cdnow_summary)
    for name, value in published.items():
        decimals = len(str(value).split(".")[1])
        assert round(fitted.parameters[name], decimals) == pytest.approx(value, abs=1.01 * 10**-decimals)
    if log_likelihood is not None:
        decimals = len(str(log_likelihood).split(".")[1])
        assert fitted.log_likelihood_ == pytest.approx(log_likelihood, abs=0.6 * 10**-decimals)


def test_pareto_standard_errors(cdnow_summary: pd.DataFrame) -> None:
    fitted = cx.ParetoNBD().fit(cdnow_summary)
    np.testing.assert_allclose(fitted.params_["se"], [0.048, 0.843, 0.187, 6.21], atol=0.0051)
    table = fitted.summary()
    assert (table["ci_low"] < table["estimate"]).all() and (table["estimate"] < table["ci_high"]).all()


def test_gamma_gamma_published(cdnow_summary: pd.DataFrame) -> None:
    with pytest.warns(errors.ExcludedDataWarning, match="excluded 1411 customers with no repeat"):
        fitted = cx.GammaGamma().fit(cdnow_summary)
    assert fitted.n_customers_ == 946
    assert [round(fitted.parameters[k], 2) for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.44]
    assert fitted.log_likelihood_ == pytest.approx(-4055.92, abs=0.006)


def test_hardie_spreadsheet_expectation(cdnow_summary: pd.DataFrame) -> None:
    fitted = cx.BetaGeo().fit(cdnow_summary)
    value = fitted.expected_purchases(t=39, frequency=[2], recency=[30.43],
                                      T=[38.86])["expected_purchases"][0]
    assert round(value, 3) == 1.226


def test_calibration_report(cdnow_summary: pd.DataFrame) -> None:
    fitted = cx.BetaGeo().fit(cdnow_summary)
    report = cx.calibration_report(cdnow_summary, model=fitted)
    assert report["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"]
    total = report.iloc[-1]
    assert total["actual"] == 1882 and total["customers"] == 2357
    expected = fitted.expected_purchases(cdnow_summary, t=39)["expected_purchases"].sum()
    assert total["predicted"] == pytest.approx(expected)
    assert report["actual"][:-1].sum() == 1882
    assert report["predicted"][:-1].sum() == pytest.approx(expected)


# --- against lifetimes (test-only reference) ------------------------------------------------


@pytest.mark.parametrize(
    ("model", "reference"),
    [(cx.BetaGeo, "BetaGeoFitter"), (cx.ModifiedBetaGeo, "ModifiedBetaGeoFitter"),
     (cx.ParetoNBD, "ParetoNBDFitter")],
)
def test_against_lifetimes(cdnow_summary: pd.DataFrame, model: type, reference: str) -> None:
    options = {"tol": 1e-10} if model is cx.ParetoNBD else {}
    lifetimes = pytest.importorskip("lifetimes")
    # lifetimes' default tolerance for Pareto/NBD's Nelder-Mead (1e-4) is looser than the
    # comparison and its likelihood is flat in beta, so ask it for a converged answer.
    theirs = getattr(lifetimes, reference)().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"], **options)
    ours = model().fit(cdnow_summary)
    their_params = theirs.params_.to_dict()
    for name, value in ours.parameters.items():
        assert value == pytest.approx(their_params[name], rel=1e-4)
    # Predictions: same parameters in both, so only the formulas are compared.
    same = model.from_parameters(**their_params)
    f, r, t = (cdnow_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(same.expected_purchases(cdnow_summary, t=39)["expected_purchases"],
                               theirs.conditional_expected_number_of_purchases_up_to_time(39, f, r, t),
                               rtol=1e-6)
    np.testing.assert_allclose(same.probability_alive(cdnow_summary)["probability_alive"],
                               theirs.conditional_probability_alive(f, r, t), rtol=1e-6)
    np.testing.assert_allclose(same.expected_population_purchases(20),
                               theirs.expected_number_of_purchases_up_to_time(20), rtol=1e-6)


def test_gamma_gamma_and_clv_against_lifetimes(cdnow_summary: pd.DataFrame) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    theirs = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary"])
    ours = cx.GammaGamma().fit(repeat)
    their_params = dict(zip(("p", "q", "gamma"), theirs.params_[["p", "q", "v"]], strict=True))
    for name, value in ours.parameters.items():
        assert value == pytest.approx(their_params[name], rel=1e-4)
    spend = cx.GammaGamma.from_parameters(**their_params)
    np.testing.assert_allclose(
        spend.expected_spend(repeat)["expected_spend"],
        theirs.conditional_expected_average_profit(repeat["frequency"], repeat["monetary"]), rtol=1e-6)
    bg_theirs = lifetimes.BetaGeoFitter().fit(repeat["frequency"], repeat["recency"], repeat["T"])
    bg = cx.BetaGeo.from_parameters(**bg_theirs.params_.to_dict())
    # lifetimes' months are 4.345 weeks for weekly data ("W"); pass the same period length.
    expected = theirs.customer_lifetime_value(bg_theirs, repeat["frequency"], repeat["recency"], repeat["T"],
                                              repeat["monetary"], time=6, discount_rate=0.01, freq="W")
    ours_clv = cx.customer_lifetime_value(repeat, transaction_model=bg, spend_model=spend, horizon=6,
                                          discount_rate=0.01, unit=4.345)["clv"]
    np.testing.assert_allclose(ours_clv, expected, rtol=1e-6)


# --- internal consistency and brute force ---------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_pmf_sums_to_one_and_to_the_expectation(model: type) -> None:
    params = {cx.BetaGeo: dict(r=0.243, alpha=4.414, a=0.793, b=2.426),
              cx.ModifiedBetaGeo: dict(r=0.525, alpha=6.183, a=0.891, b=1.614),
              cx.ParetoNBD: dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)}[model]
    fitted = model.from_parameters(**params)
    x, t_x = np.array([0, 1, 4, 12]), np.array([0, 5.0, 30.0, 37.0])
    big_t = np.array([38.0, 20.0, 39.0, 39.0])
    pmf = np.array([fitted.probability_of_purchases(n=n, t=26, frequency=x, recency=t_x,
                                                    T=big_t)["probability_of_purchases"]
                    for n in range(80)])
    np.testing.assert_allclose(pmf.sum(axis=0), 1.0, atol=1e-8)
    np.testing.assert_allclose((np.arange(80)[:, None] * pmf).sum(axis=0),
                               fitted.expected_purchases(t=26, frequency=x, recency=t_x,
                                                         T=big_t)["expected_purchases"], rtol=1e-7)


def test_clv_equals_direct_discounted_sum() -> None:
    bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = cx.GammaGamma.from_parameters(p=6.25, q=3.74, gamma=15.44)
    summary = pl.DataFrame({"frequency": [0, 3], "recency": [0.0, 20.0], "T": [30.0, 30.0],
                            "monetary": [0.0, 35.0]})
    clv = cx.customer_lifetime_value(summary, transaction_model=bg, spend_model=gg, horizon=3,
                                     discount_rate=0.02, unit="M")["clv"]
    month = 365.25 / 12 / 7
    cumulative = [bg.expected_purchases(summary, t=k * month)["expected_purchases"] for k in range(4)[1:]]
    steps = [cumulative[0], cumulative[1] - cumulative[0], cumulative[2] - cumulative[1]]
    direct = sum(step / 1.02 ** (k + 1) for k,
                 step in enumerate(steps)) * gg.expected_spend(summary)["expected_spend"]
    np.testing.assert_allclose(clv, direct, rtol=1e-12)
    population_mean = 6.25 * 15.44 / 2.74
    assert gg.expected_spend(summary)["expected_spend"][0] == pytest.approx(population_mean)


def simulate_betageo(n: int, r: float, alpha: float, a: float, b: float, T: float, seed: int):
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rate[i])
            if t > T:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < dropout[i]:
                break
    return x, t_x, np.full(n, T)


def simulate_pareto(n: int, r: float, alpha: float, s: float, beta: float, T: float, seed: int):
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n)
    lifetime = rng.exponential(1 / rng.gamma(s, 1 / beta, n))
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        end = min(lifetime[i], T)
        times = np.cumsum(rng.exponential(1 / rate[i], 200))
        times = times[times <= end]
        x[i] = len(times)
        t_x[i] = times[-1] if len(times) else 0.0
    return x, t_x, np.full(n, T)


@pytest.mark.parametrize(
    ("model", "truth", "simulate"),
    [(cx.BetaGeo, dict(r=0.5, alpha=5.0, a=0.8, b=2.5), simulate_betageo),
     (cx.ParetoNBD, dict(r=0.6, alpha=8.0, s=0.8, beta=10.0), simulate_pareto)],
)
def test_simulation_recovery(model: type, truth: dict[str, float], simulate) -> None:
    x, t_x, big_t = simulate(4000, *truth.values(), T=52.0, seed=11)
    fitted = model().fit(frequency=x, recency=t_x, T=big_t)
    table = fitted.params_
    z = (table["estimate"] - np.array(list(truth.values()))) / table["se"]
    assert (np.abs(z) < 3).all(), table  # within 3 standard errors (seeded)
    true = np.array(list(truth.values()))
    covered = (table["ci_low"] <= true) & (true <= table["ci_high"])
    assert covered.sum() >= 3


# --- extreme inputs -------------------------------------------------------------------------


def hyp2f1_series(a: float, b: float, z: float) -> float:
    """2F1(a, b; a + 1; z) by its defining series: sum (b)_n z^n / n! * a / (a + n)."""
    term, total, n = 1.0, 1.0, 0
    while abs(term) > 1e-17 * total:
        term *= (b + n) * z / (n + 1)
        n += 1
        total += term * a / (a + n)
    return total


def test_extreme_inputs_are_finite_and_stable() -> None:
    x = np.array([0, 1, 50, 400, 1000], dtype=float)
    big_t = np.full(5, 3650.0)  # ten years of days
    t_x = np.array([0, 10, 3000, 3600, 3649.5])
    for model, params in ((cx.BetaGeo, dict(r=0.2, alpha=40.0, a=0.8, b=2.4)),
                          (cx.ModifiedBetaGeo, dict(r=0.2, alpha=40.0, a=0.8, b=2.4)),
                          (cx.ParetoNBD, dict(r=0.5, alpha=70.0, s=0.6, beta=80.0)),
                          (cx.ParetoNBD, dict(r=0.5, alpha=90.0, s=0.6, beta=5.0))):
        fitted = model.from_parameters(**params)
        for values in (fitted.expected_purchases(t=365, frequency=x, recency=t_x,
                                                 T=big_t)["expected_purchases"],
                       fitted.probability_alive(frequency=x, recency=t_x, T=big_t)["probability_alive"]):
            assert np.isfinite(values).all()
        alive = fitted.probability_alive(frequency=x, recency=t_x, T=big_t)["probability_alive"]
        assert ((alive >= 0) & (alive <= 1)).all()
    # The Pareto/NBD hypergeometric term for x = 1000 against its defining series.
    params = np.array([0.5, 90.0, 0.6, 5.0])
    for xx, t in ((1000.0, 3649.5), (400.0, 10.0), (0.0, 0.0)):
        a = 0.5 + 0.6 + xx
        z = (90.0 - 5.0) / (90.0 + t)
        expected = np.log(hyp2f1_series(a, 1.6, z)) - a * np.log(90.0 + t)
        got = _likelihood._log_hyp2f1_term(params, np.array([xx]), np.array([t]))[0]
        assert got == pytest.approx(expected, rel=1e-12)


def test_fit_on_large_x_and_long_time() -> None:
    x, t_x, big_t = simulate_betageo(1500, 2.0, 10.0, 0.3, 8.0, T=3650.0, seed=2)
    assert x.max() > 300
    for model in MODELS:
        fitted = model().fit(frequency=x, recency=t_x, T=big_t)
        assert np.isfinite(fitted.log_likelihood_)


def test_zero_repeat_population() -> None:
    zeros = np.zeros(200)
    big_t = np.linspace(5, 40, 200)
    # No repeat purchases anywhere: the purchase rate and dropout are not identified.
    for model in MODELS:
        with pytest.raises(errors.ConvergenceError, match="no repeat purchases: the purchase rate and dro"):
            model().fit(frequency=zeros, recency=zeros, T=big_t)
    with pytest.warns(errors.NotIdentifiedWarning, match="r not identified"):  # r alone is flat
        penalised = cx.BetaGeo().fit(frequency=zeros, recency=zeros, T=big_t, penalizer=0.01)
    assert penalised.probability_alive(frequency=zeros, recency=zeros,
                                       T=big_t)["probability_alive"].min() == 1.0


# --- summaries from transactions ------------------------------------------------------------


def test_summary_pandas_equals_polars(cdnow_sample: pd.DataFrame) -> None:
    a = cx.summary_from_transactions(cdnow_sample, customer="customer", time="date", amount="amount",
                                     calibration_end="1997-09-30", nonpositive="keep")
    b = to_pandas(cx.summary_from_transactions(
        pl.from_pandas(cdnow_sample), customer="customer", time="date", amount="amount",
        calibration_end="1997-09-30", nonpositive="keep"))
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_summary_unmerged_and_units() -> None:
    log = pd.DataFrame({"id": [1, 1, 1], "t": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 20:00",
                                                              "2024-01-03 08:00"])})
    merged = cx.summary_from_transactions(log, customer="id", time="t", unit="D")
    assert merged[["frequency", "recency", "T"]].values.tolist() == [[1, 2.0, 2.0]]
    exact = cx.summary_from_transactions(log, customer="id", time="t", unit="h", merge_same_period=False)
    assert exact[["frequency", "recency", "T"]].values.tolist() == [[2, 48.0, 48.0]]


def test_summary_bad_input() -> None:
    log = pd.DataFrame({"id": [1, 1, 2, 3], "day": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-10",
                                                                   "2024-03-01"]),
                        "spend": [10.0, -3.0, 5.0, 7.0]})
    with pytest.warns(errors.ExcludedDataWarning, match="excluded 1 customers whose first purchase is after"):
        split = cx.summary_from_transactions(log, customer="id", time="day", calibration_end="2024-01-15")
    assert split["id"].tolist() == [1, 2] and split["frequency_holdout"].tolist() == [1, 0]
    with pytest.raises(errors.ValueRangeError, match=r"calibration_end=2023-12-01.* must fall"):
        cx.summary_from_transactions(log, customer="id", time="day", calibration_end="2023-12-01")
    with pytest.raises(errors.ValueRangeError, match="must fall inside the log"):
        cx.summary_from_transactions(log, customer="id", time="day", calibration_end="2024-03-01")
    with pytest.raises(errors.ValueRangeError, match="2 purchases fall after as_of"):
        cx.summary_from_transactions(log, customer="id", time="day", as_of="2024-01-20")
    with pytest.raises(errors.ValueRangeError, match="zero or less"):
        cx.summary_from_transactions(log, customer="id", time="day", amount="spend", nonpositive="error")
    with pytest.raises(errors.ColumnTypeError, match="must be a date or datetime"):
        cx.summary_from_transactions(log.assign(day=[1, 2, 3, 4]), customer="id", time="day")


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [("recency", [5.0, 50.0], "'recency' must be between 0 and T"),
     ("frequency", [-1, 2], "'frequency' must be a whole number >= 0"),
     ("frequency", [0.5, 2], "'frequency' must be a whole number >= 0"),
     ("recency", [3.0, 5.0], "'recency' must be 0 when frequency is 0")],
)
def test_bad_summaries(column: str, values: list[float], message: str) -> None:
    summary = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 5.0], "T": [10.0, 10.0]})
    summary[column] = values
    with pytest.raises(errors.ValueRangeError, match=message):
        cx.BetaGeo().fit(summary)


def test_bad_model_calls() -> None:
    with pytest.raises(errors.NotFittedError, match="not fitted yet"):
        cx.ParetoNBD().probability_alive(frequency=[1], recency=[1], T=[2])
    bg = cx.BetaGeo.from_parameters(r=0.2, alpha=4.0, a=0.8, b=2.0)
    with pytest.raises(errors.ValueRangeError, match=r"t must be in \(0"):
        bg.expected_purchases(t=0, frequency=[1], recency=[1], T=[2])
    with pytest.raises(errors.ValueRangeError, match="needs exactly the parameters"):
        cx.BetaGeo.from_parameters(r=0.2, alpha=4.0)
    with pytest.raises(errors.ValueRangeError, match="have any"), warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.ExcludedDataWarning)
        cx.GammaGamma().fit(frequency=[0, 0], monetary=[0.0, 0.0])
    with pytest.raises(errors.ValueRangeError, match=r"penalizer must be in \[0"):
        cx.BetaGeo().fit(frequency=[1, 0], recency=[1, 0], T=[2, 3], penalizer=-1)


# --- analytic derivatives against finite differences -----------------------------------------


def central_differences(function, params: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Derivative of a scalar or vector function by central differences, one column per parameter."""
    columns = []
    for i in range(len(params)):
        e = np.zeros(len(params))
        e[i] = step * params[i]
        columns.append((np.asarray(function(params + e)) - np.asarray(function(params - e))) / (2 * e[i]))
    return np.array(columns).T


@pytest.mark.parametrize("model", [cx.BetaGeo, cx.ModifiedBetaGeo])
@pytest.mark.parametrize("params", [[0.24, 4.4, 0.79, 2.4], [2.0, 30.0, 3.0, 0.6], [0.5, 9.0, 1.0, 1.0]])
def test_betageo_derivatives_match_finite_differences(model: type, params: list[float]) -> None:
    x, t_x, big_t = simulate_betageo(400, 0.5, 6.0, 0.8, 2.0, T=40.0, seed=5)
    fitted = model()
    fitted._data, _ = _models._distinct(x, t_x, big_t, np.ones(len(x)))
    theta = np.array(params)
    value, gradient, hessian = fitted._derivatives(theta, hessian=True)
    assert value == pytest.approx(fitted._total_loglik(theta), rel=1e-13)
    numeric_gradient = central_differences(fitted._total_loglik, theta)
    numeric_hessian = central_differences(lambda p: fitted._derivatives(p, hessian=False)[1], theta)
    np.testing.assert_allclose(gradient, numeric_gradient, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(hessian, numeric_hessian, rtol=1e-6, atol=1e-4)
    np.testing.assert_array_equal(hessian, hessian.T)


def test_gamma_gamma_derivatives_match_finite_differences() -> None:
    rng = np.random.default_rng(8)
    x = rng.integers(1, 20, 300).astype(float)
    m = rng.gamma(4.0, 10.0, 300)
    count = np.ones(300)
    theta = np.array([6.0, 3.7, 15.0])

    def total(p: np.ndarray) -> float:
        return float(count @ _likelihood.gamma_gamma_loglik(p, x, m))

    gradient, hessian = _likelihood.gamma_gamma_derivatives(theta, x, m, count, hessian=True)
    np.testing.assert_allclose(gradient, central_differences(total, theta), rtol=1e-6, atol=1e-6)
    numeric = central_differences(lambda p: _likelihood.gamma_gamma_derivatives(p, x, m, count)[0], theta)
    np.testing.assert_allclose(hessian, numeric, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("params", [[0.55, 10.6, 0.61, 11.7], [0.5, 90.0, 0.6, 5.0], [2.0, 8.0, 1.5, 30.0]])
def test_pareto_derivatives_match_finite_differences(params: list[float]) -> None:
    x, t_x, big_t = simulate_betageo(400, 0.5, 6.0, 0.8, 2.0, T=40.0, seed=6)
    fitted = cx.ParetoNBD()
    fitted._data, _ = _models._distinct(x, t_x, big_t, np.ones(len(x)))
    theta = np.array(params)
    value, gradient, hessian = fitted._derivatives(theta, hessian=True)
    assert value == pytest.approx(fitted._total_loglik(theta), rel=1e-13)
    numeric_gradient = central_differences(fitted._total_loglik, theta)
    np.testing.assert_allclose(gradient, numeric_gradient, rtol=1e-6, atol=1e-5)
    numeric = central_differences(lambda p: fitted._derivatives(p, hessian=False)[1], theta, step=1e-4)
    np.testing.assert_allclose(hessian, numeric, rtol=1e-5, atol=1e-3)


# --- frequency-recency matrix -----------------------------------------------------------------


def test_frequency_recency_matrix_cells_and_shape(cdnow_summary: pd.DataFrame) -> None:
    model = cx.BetaGeo().fit(cdnow_summary)
    grid = cx.frequency_recency_matrix(cdnow_summary, model=model, t=10)
    max_x, age = int(cdnow_summary["frequency"].max()), float(cdnow_summary["T"].max())
    recencies = grid["recency"].unique()
    assert recencies[0] == 0 and recencies[-1] == age
    assert len(grid) == (max_x + 1) * len(recencies)
    # closed form P(alive) at recency = T: 1 / (1 + a / (b + x - 1)) (FHL 2008 eq. 4)
    a, b = model.parameters["a"], model.parameters["b"]
    top = grid[grid["recency"] == age].set_index("frequency")["probability_alive"]
    for x in (1, 5, max_x):
        assert top[x] == pytest.approx(1 / (1 + a / (b + x - 1)), rel=1e-12)
    cell = grid[(grid["frequency"] == 4) & (grid["recency"] == 20)]
    direct = model.expected_purchases(t=10, frequency=[4], recency=[20], T=[age])["expected_purchases"][0]
    assert cell["expected_purchases"].iloc[0] == pytest.approx(direct, rel=1e-12)
    assert grid.loc[(grid["frequency"] == 0) & (grid["recency"] > 0), "probability_alive"].isna().all()
    # more recent purchases never make a customer less likely to be alive
    wide = grid[grid["frequency"] > 0].pivot(index="frequency", columns="recency", values="probability_alive")
    assert (np.diff(wide.to_numpy(), axis=1) >= -1e-12).all()
    polars = cx.frequency_recency_matrix(pl.from_pandas(cdnow_summary), model=model, t=10)
    assert isinstance(polars, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars), grid, check_dtype=False)


def test_frequency_recency_matrix_bad_input() -> None:
    bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    with pytest.raises(errors.ValueRangeError, match="T and max_frequency"):
        cx.frequency_recency_matrix(model=bg, T=39)
    with pytest.raises(errors.ValueRangeError, match="max_frequency"):
        cx.frequency_recency_matrix(model=bg, T=39, max_frequency=-1)
    with pytest.raises(errors.ValueRangeError, match="T must be"):
        cx.frequency_recency_matrix(model=bg, T=0, max_frequency=3)
    with pytest.raises(errors.ValueRangeError, match="recency_step"):
        cx.frequency_recency_matrix(model=bg, T=39, max_frequency=3, recency_step=0)
    with pytest.raises(errors.NotFittedError, match="not fitted"):
        cx.frequency_recency_matrix(model=cx.ParetoNBD(), T=39, max_frequency=3)
