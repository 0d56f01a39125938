"""Model checks on CDNOW: comparison table, tracking, histogram, Gamma-Gamma independence, charts."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import special, stats

import cxmetrics as cx
from cxmetrics import errors

from .backends import ALL, LAZY, as_pandas, convert
from .conftest import to_pandas

BG_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_sample: pd.DataFrame) -> pd.DataFrame:
    return cx.summary_from_transactions(
        cdnow_sample,
        customer="customer",
        time="date",
        amount="amount",
        calibration_end="1997-09-30",
        nonpositive="keep",
    )


@pytest.fixture(scope="module")
def cdnow_bg(cdnow_summary: pd.DataFrame) -> cx.BetaGeo:
    return cx.BetaGeo().fit(cdnow_summary)


def _bg_population_pmf(x: int, t: float, r: float, alpha: float, a: float, b: float) -> float:
    """FHL (2005a) eq. 8: P(X(t) = x) for a randomly chosen customer."""

    def nbd(j: int) -> float:
        return float(
            np.exp(
                special.gammaln(r + j)
                - special.gammaln(r)
                - special.gammaln(j + 1)
                + r * np.log(alpha / (alpha + t))
                + j * np.log(t / (alpha + t))
            )
        )

    value = np.exp(special.betaln(a, b + x) - special.betaln(a, b)) * nbd(x)
    if x > 0:
        value += np.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b)) * (
            1 - sum(nbd(j) for j in range(x))
        )
    return float(value)


def _bg_population_mean(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """FHL (2005a) eq. 9."""
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )


def test_compare_models_on_cdnow(cdnow_summary: pd.DataFrame) -> None:
    table = cx.compare_models(cdnow_summary, models=[cx.BetaGeo, cx.ModifiedBetaGeo(), cx.ParetoNBD])
    assert table["model"].tolist() == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    for row, model in zip(table.itertuples(), (cx.BetaGeo, cx.ModifiedBetaGeo, cx.ParetoNBD), strict=True):
        fitted = model().fit(cdnow_summary)
        assert row.log_likelihood == pytest.approx(fitted.log_likelihood_)
        assert row.aic == pytest.approx(8 - 2 * fitted.log_likelihood_)
        assert row.bic == pytest.approx(4 * np.log(2357) - 2 * fitted.log_likelihood_)
        total = cx.calibration_report(cdnow_summary, model=fitted).iloc[-1]
        assert row.holdout_predicted == pytest.approx(total["predicted"])
        assert (row.mae, row.rmse) == pytest.approx((total["mae"], total["rmse"]))
        assert row.holdout_actual == 1882
    assert table.loc[0, "log_likelihood"] == pytest.approx(-9582.4, abs=0.06)  # FHL (2005a)
    assert table["delta_aic"].min() == 0
    # a fitted model is used as it is
    fixed = cx.BetaGeo.from_parameters(**BG_CDNOW)
    plain = cx.compare_models(cdnow_summary[["frequency", "recency", "T"]], models=[fixed])
    assert "mae" not in plain.columns and np.isnan(plain.loc[0, "log_likelihood"])


def test_compare_models_polars_and_bad_input(cdnow_summary: pd.DataFrame) -> None:
    polars = cx.compare_models(pl.from_pandas(cdnow_summary), models=[cx.BetaGeo])
    assert isinstance(polars, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars), cx.compare_models(cdnow_summary, models=[cx.BetaGeo]))
    with pytest.raises(errors.ValueRangeError, match="non-empty list"):
        cx.compare_models(cdnow_summary, models=[])
    with pytest.raises(errors.ValueRangeError, match="GammaGamma"):
        cx.compare_models(cdnow_summary, models=[cx.GammaGamma])


def test_tracking_on_cdnow(cdnow_sample: pd.DataFrame, cdnow_summary: pd.DataFrame) -> None:
    fitted = cx.BetaGeo.from_parameters(**BG_CDNOW)
    track = cx.tracking(
        cdnow_sample, model=fitted, customer="customer", time="date", calibration_end="1997-09-30"
    )
    assert len(track) == 78 and (track["part"] == "calibration").sum() == 39  # FHL (2005a) figure 2
    calibration = track[track["part"] == "calibration"]
    assert calibration["actual"].sum() == cdnow_summary["frequency"].sum()
    assert track[track["part"] == "holdout"]["actual"].sum() == 1882
    assert track["customers"].iloc[-1] == 2357
    # brute force: repeat purchase days per week and each customer's expectation, one at a time
    days = cdnow_sample.drop_duplicates(["customer", "date"])
    first = days.groupby("customer")["date"].transform("min")
    week = ((days["date"] - pd.Timestamp("1997-01-01")).dt.days // 7)[days["date"] > first]
    np.testing.assert_array_equal(track["actual"], np.bincount(week, minlength=78))
    starts = (days.groupby("customer")["date"].min() - pd.Timestamp("1997-01-01")).dt.days.to_numpy()
    for k in (5, 39, 78):
        ages = (7 * k - starts) / 7
        brute = sum(_bg_population_mean(t, **BG_CDNOW) for t in ages if t > 0)
        assert track["predicted_cumulative"].iloc[k - 1] == pytest.approx(brute, rel=1e-8)
    np.testing.assert_allclose(track["predicted"].cumsum(), track["predicted_cumulative"])
    polars = cx.tracking(
        pl.from_pandas(cdnow_sample),
        model=fitted,
        customer="customer",
        time="date",
        calibration_end="1997-09-30",
    )
    pd.testing.assert_frame_equal(to_pandas(polars), track, check_dtype=False)
    lazy = cx.tracking(
        pl.from_pandas(cdnow_sample).lazy(),
        model=fitted,
        customer="customer",
        time="date",
        calibration_end="1997-09-30",
    )
    pd.testing.assert_frame_equal(to_pandas(lazy), track, check_dtype=False)


def test_tracking_bad_input(cdnow_sample: pd.DataFrame) -> None:
    fitted = cx.BetaGeo.from_parameters(**BG_CDNOW)
    with pytest.raises(errors.ValueRangeError, match="calibration_end"):
        cx.tracking(
            cdnow_sample, model=fitted, customer="customer", time="date", calibration_end="1999-01-01"
        )
    with pytest.raises(errors.ValueRangeError, match="period"):
        cx.tracking(
            cdnow_sample,
            model=fitted,
            customer="customer",
            time="date",
            calibration_end="1997-09-30",
            period=0,
        )
    with pytest.raises(errors.NotFittedError, match="not fitted"):
        cx.tracking(
            cdnow_sample, model=cx.BetaGeo(), customer="customer", time="date", calibration_end="1997-09-30"
        )
    with pytest.raises(errors.ValueRangeError, match="GammaGamma"):
        cx.tracking(
            cdnow_sample,
            model=cx.GammaGamma(),
            customer="customer",
            time="date",
            calibration_end="1997-09-30",
        )


def test_repeat_purchase_histogram_on_cdnow(cdnow_summary: pd.DataFrame) -> None:
    fitted = cx.BetaGeo.from_parameters(**BG_CDNOW)
    table = cx.repeat_purchase_histogram(cdnow_summary, model=fitted)
    # FHL (2005a) figure 1, actual counts
    assert table["actual"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    brute = np.zeros(8)
    for t in cdnow_summary["T"]:
        pmf = [_bg_population_pmf(x, t, **BG_CDNOW) for x in range(7)]
        brute += [*pmf, 1 - sum(pmf)]
    np.testing.assert_allclose(table["expected"], brute, rtol=1e-8)
    statistic = float(np.sum((table["actual"] - brute) ** 2 / brute))
    assert table["chi_square"].iloc[0] == pytest.approx(statistic)
    assert table["p_value"].iloc[0] == pytest.approx(stats.chi2.sf(statistic, 8 - 1 - 4))
    for model in (cx.ParetoNBD, cx.ModifiedBetaGeo):  # every model: expected counts add up to the customers
        other = cx.repeat_purchase_histogram(cdnow_summary, model=model().fit(cdnow_summary), max_frequency=3)
        assert other["expected"].sum() == pytest.approx(2357) and (other["expected"] > 0).all()
    polars = cx.repeat_purchase_histogram(pl.from_pandas(cdnow_summary), model=fitted)
    assert isinstance(polars, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars), table)
    with pytest.raises(errors.ValueRangeError, match="max_frequency"):
        cx.repeat_purchase_histogram(cdnow_summary, model=fitted, max_frequency=0)


def test_check_independence_on_cdnow(cdnow_summary: pd.DataFrame) -> None:
    table = cx.GammaGamma.check_independence(cdnow_summary)
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    pearson = stats.pearsonr(repeat["frequency"], repeat["monetary"])
    spearman = stats.spearmanr(repeat["frequency"], repeat["monetary"])
    assert table["method"].tolist() == ["pearson", "spearman"]
    assert round(table["correlation"].iloc[0], 2) == 0.11  # FHL (2005b) report 0.11
    np.testing.assert_allclose(table["correlation"], [pearson[0], spearman[0]])
    np.testing.assert_allclose(table["p_value"], [pearson[1], spearman[1]])
    assert (table["customers"] == 946).all()
    half = 1.959964 / np.sqrt(946 - 3)
    assert table["ci_low"].iloc[0] == pytest.approx(np.tanh(np.arctanh(pearson[0]) - half), rel=1e-6)
    # CDNOW passes: the Gamma-Gamma fit gives no dependence warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cx.GammaGamma().fit(cdnow_summary)
    assert not [w for w in caught if issubclass(w.category, cx.errors.DependenceWarning)]
    polars = cx.GammaGamma.check_independence(pl.from_pandas(cdnow_summary))
    pd.testing.assert_frame_equal(to_pandas(polars), table)


def test_gamma_gamma_warns_on_dependent_spend() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(1, 20, 500)
    nu = rng.gamma(4.0, 1 / 15.0, 500)  # Gamma-Gamma spend: p = 6, q = 4, gamma = 15
    spend = rng.gamma(6.0 * x, 1 / (nu * x))
    dependent = pd.DataFrame({"frequency": x, "monetary": spend * x / 5})
    with pytest.warns(cx.errors.DependenceWarning, match="correlation") as caught:
        cx.GammaGamma().fit(dependent)
    assert issubclass(caught[0].category, errors.CXMetricsWarning)
    independent = pd.DataFrame({"frequency": x, "monetary": spend})
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        cx.GammaGamma().fit(independent)
    assert not [w for w in quiet if issubclass(w.category, cx.errors.DependenceWarning)]
    table = cx.GammaGamma.check_independence(dependent)
    assert (table["p_value"] < 1e-10).all()
    with pytest.raises(errors.ValueRangeError, match="at least 4 repeat buyers"):
        cx.GammaGamma.check_independence(dependent.head(3))


def test_charts_build_their_own_figure(cdnow_sample: pd.DataFrame, cdnow_summary: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    before_figures, before_rc = plt.get_fignums(), dict(mpl.rcParams)
    fitted = cx.BetaGeo.from_parameters(**BG_CDNOW)
    track = cx.tracking(
        cdnow_sample, model=fitted, customer="customer", time="date", calibration_end="1997-09-30"
    )
    ax = cx.plot.tracking_plot(track)
    assert len(ax.get_lines()) == 3  # actual, predicted, the calibration/holdout divider
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), track["actual_cumulative"])
    assert ax.get_lines()[2].get_xdata()[0] == 39.5
    ax = cx.plot.tracking_plot(track, kind="incremental")
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), track["predicted"])
    histogram = cx.plot.purchase_histogram(cx.repeat_purchase_histogram(cdnow_summary, model=fitted))
    assert [p.get_height() for p in histogram.patches[:8]] == [1411, 439, 214, 100, 62, 38, 29, 64]
    cohorts = cx.ShiftedBetaGeometric().fit(
        pd.DataFrame(
            {
                "segment": ["regular"] * 8 + ["high end"] * 8,
                "period": list(range(8)) * 2,
                "survivors": [
                    1000,
                    631,
                    468,
                    382,
                    326,
                    289,
                    262,
                    241,
                    1000,
                    869,
                    743,
                    653,
                    593,
                    551,
                    517,
                    491,
                ],
            }
        ),
        by="segment",
    )
    curve = cx.plot.survival_curve(cohorts.survival(periods=range(13)))
    assert len(curve.get_lines()) == 2 and len(curve.collections) == 2
    fig, given = plt.subplots()
    assert cx.plot.survival_curve(cohorts.survival(periods=[0, 5]), ax=given) is given
    plt.close(fig)
    assert plt.get_fignums() == before_figures
    assert dict(mpl.rcParams) == before_rc
    with pytest.raises(errors.CXMetricsError, match="kind"):
        cx.plot.tracking_plot(track, kind="weekly")
    with pytest.raises(errors.ColumnNotFoundError, match="'frequency' not found"):
        cx.plot.purchase_histogram(track)


def _log(seed: int = 5, customers: int = 300) -> pd.DataFrame:
    """A small BG/NBD-like log: customers arrive over 8 weeks, buy at their own Poisson rate and
    drop out after each purchase with their own probability."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        day, rate, drop = float(rng.integers(0, 56)), rng.gamma(0.8, 1 / 30), rng.beta(1, 3)
        while day < 364:
            rows.append((c, pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(day))))
            if len(rows) > 1 and rows[-2][0] == c and rng.random() < drop:
                break
            day += rng.exponential(1 / rate)
    return pd.DataFrame(rows, columns=["customer", "day"])


@pytest.mark.parametrize(
    "backend", [b if b != "pyspark" else pytest.param(b, marks=pytest.mark.spark) for b in ALL]
)
def test_checks_on_every_backend(backend: str) -> None:
    log = _log()
    summary = cx.summary_from_transactions(log, customer="customer", time="day", calibration_end="2024-08-31")
    model = cx.BetaGeo().fit(summary)
    expected = cx.tracking(log, model=model, customer="customer", time="day", calibration_end="2024-08-31")
    got = cx.tracking(
        convert(log, backend), model=model, customer="customer", time="day", calibration_end="2024-08-31"
    )
    assert not isinstance(nw.from_native(got), nw.LazyFrame)  # a summary comes back eager
    pd.testing.assert_frame_equal(as_pandas(got), expected, check_dtype=False)
    table = cx.compare_models(convert(summary, backend), models=[cx.BetaGeo])
    pd.testing.assert_frame_equal(
        as_pandas(table), cx.compare_models(summary, models=[cx.BetaGeo]), check_dtype=False
    )
    rng = np.random.default_rng(2)
    alive = np.arange(1, 7) < rng.geometric(rng.beta(0.7, 2.8, 400))[:, None]
    gave = alive & (rng.random((400, 6)) < rng.beta(1.2, 0.8, 400)[:, None])
    x = gave.sum(axis=1)
    panel = pd.DataFrame(
        {
            "customer": np.arange(400),
            "frequency": x,
            "n_periods": 6,
            "recency": np.where(x > 0, 6 - gave[:, ::-1].argmax(axis=1), 0),
        }
    )
    bgbb = cx.BetaGeoBetaBinom().fit(panel)
    engine = cx.BetaGeoBetaBinom().fit(convert(panel, backend))
    pd.testing.assert_frame_equal(as_pandas(engine.params_), bgbb.params_, rtol=1e-8)
    alive = bgbb.probability_alive(convert(panel, backend))
    assert isinstance(nw.from_native(alive), nw.LazyFrame) == (backend in LAZY)
    joined = as_pandas(alive).sort_values("customer").reset_index(drop=True)
    np.testing.assert_allclose(joined["probability_alive"],
                               bgbb.probability_alive(panel)["probability_alive"],
                               rtol=1e-12)
