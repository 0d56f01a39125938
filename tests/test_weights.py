"""Raking, post-stratification and calibration against independent implementations."""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.errors import (
    ColumnNotFoundError,
    ConvergenceError,
    CXMetricsError,
    DesignError,
    MissingValueError,
    ValueRangeError,
)
from tests.backends import ALL, LAZY, as_pandas, convert
from tests.conftest import make_frame, to_pandas

MARGINS = {
    "region": {"east": 0.31, "north": 0.22, "south": 0.27, "west": 0.20},
    "channel": {"app": 0.35, "store": 0.40, "web": 0.25},
    "age": {"18-34": 0.30, "35-54": 0.40, "55+": 0.30},
}


def skewed_survey(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Responses that over-represent the east, the app and the young."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "region": rng.choice(["east", "north", "south", "west"], n, p=[0.5, 0.2, 0.2, 0.1]),
        "channel": rng.choice(["app", "store", "web"], n, p=[0.6, 0.2, 0.2]),
        "age": rng.choice(["18-34", "35-54", "55+"], n, p=[0.5, 0.35, 0.15]),
        "base": rng.uniform(0.5, 2.0, n),
        "ltr": rng.integers(0, 11, n),
    })


def reference_ipf(df: pd.DataFrame, margins: dict, base: str | None = None,
                  sweeps: int = 500) -> np.ndarray:
    """Plain row-wise raking with pandas group sums, written independently of the library."""
    w = df[base].to_numpy(float).copy() if base else np.ones(len(df))
    total = w.sum()
    for _ in range(sweeps):
        for column, shares in margins.items():
            sums = pd.Series(w).groupby(df[column].to_numpy()).sum()
            target = pd.Series(shares) * total
            w = w * (target / sums).reindex(df[column].to_numpy()).to_numpy()
    return w


def weighted_shares(df: pd.DataFrame, weight: np.ndarray, column: str) -> pd.Series:
    return pd.Series(weight).groupby(df[column].to_numpy()).sum() / weight.sum()


def test_rake_matches_an_independent_ipf():
    df = skewed_survey()
    weighted, report = cx.rake(df, margins=MARGINS, base_weight="base")
    expected = reference_ipf(df, MARGINS, base="base")
    np.testing.assert_allclose(weighted["weight"].to_numpy(), expected, rtol=1e-7)
    assert report.converged and report.iterations > 1
    assert max(report.margin_errors.values()) <= 1e-8
    assert set(report.margin_errors) == set(MARGINS)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ipfn uses pandas inplace=
def test_rake_matches_ipfn():
    from ipfn import ipfn

    df = skewed_survey(seed=3)
    n = len(df)
    table = df[["region", "channel", "age"]].copy()
    table["total"] = 1.0
    aggregates = []
    for column, shares in MARGINS.items():
        series = pd.Series(shares) * n
        series.index.name = column
        aggregates.append(series)
    fitted = ipfn.ipfn(table, aggregates, [[c] for c in MARGINS], weight_col="total",
                       convergence_rate=1e-13, max_iteration=2000).iteration()
    weighted, _ = cx.rake(df, margins=MARGINS)
    np.testing.assert_allclose(weighted["weight"].to_numpy(), fitted["total"].to_numpy(), rtol=1e-7)


def test_margins_are_met_to_1e8_and_weights_sum_to_n():
    df = skewed_survey(seed=5)
    weighted, _ = cx.rake(df, margins=MARGINS)
    w = weighted["weight"].to_numpy()
    assert w.sum() == pytest.approx(len(df), rel=1e-12)
    for column, shares in MARGINS.items():
        target = pd.Series(shares)
        got = weighted_shares(df, w, column)
        assert np.max(np.abs(got - target) / target) <= 1e-8


def test_counts_set_the_population_total():
    df = skewed_survey(n=500)
    counts = {c: {k: round(v * 10_000) for k, v in s.items()} for c, s in MARGINS.items()}
    weighted, report = cx.rake(df, margins=counts)
    assert weighted["weight"].sum() == pytest.approx(10_000, rel=1e-9)
    assert report.total == pytest.approx(10_000, rel=1e-9)


def test_report_against_kish_formulas():
    df = skewed_survey(seed=2)
    weighted, report = cx.rake(df, margins=MARGINS, base_weight="base")
    w = weighted["weight"].to_numpy()
    n = len(w)
    assert report.n == n
    assert report.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert report.design_effect == pytest.approx(1 + w.var() / w.mean() ** 2, rel=1e-10)
    assert report.efficiency == pytest.approx(report.n_eff / n, rel=1e-12)
    assert report.weight_min == pytest.approx(w.min()) and report.weight_max == pytest.approx(w.max())
    assert report.quantiles[0.5] == pytest.approx(np.median(w), rel=1e-12)
    assert report.quantiles[0.95] == pytest.approx(np.quantile(w, 0.95), rel=1e-12)
    assert report.n_trimmed == 0


def test_trimming_holds_bounds_and_margins():
    df = skewed_survey(seed=7)
    untrimmed, _ = cx.rake(df, margins=MARGINS)
    assert untrimmed["weight"].max() > 2.0  # the bound below is binding
    weighted, report = cx.rake(df, margins=MARGINS, trim=(0.3, 3.0), max_iter=2000)
    w = weighted["weight"].to_numpy()
    assert w.mean() == pytest.approx(1.0, abs=1e-7)
    assert w.max() <= 3.0 + 1e-12 and w.min() >= 0.3 - 1e-12
    for column, shares in MARGINS.items():
        assert np.max(np.abs(weighted_shares(df, w, column) - pd.Series(shares))) <= 1e-8
    at_bounds = int(np.isclose(w, 3.0, rtol=1e-12, atol=0).sum()
                    + np.isclose(w, 0.3, rtol=1e-12, atol=0).sum())
    assert report.n_trimmed == at_bounds > 0
    assert report.weight_max <= 3.0 + 1e-12


def feasible(df: pd.DataFrame, margins: dict, low: float, high: float) -> bool:
    """Whether any weights within [low, high] x mean meet the margins (a linear program)."""
    from scipy.optimize import linprog

    n = len(df)
    rows = [(df[c] == k).to_numpy(float) for c, s in margins.items() for k in s]
    targets = [v * n for s in margins.values() for v in s.values()]
    result = linprog(np.zeros(n), A_eq=np.array(rows), b_eq=targets, bounds=[(low, high)] * n,
                     method="highs")
    return result.status == 0


def test_infeasible_trim_raises_convergence_error_naming_the_margin():
    df = skewed_survey(seed=7)
    assert not feasible(df, MARGINS, 0.5, 2.0)
    with pytest.raises(ConvergenceError,
                       match=r"worst margin is '(region|channel|age)'.*off their targets by up to"):
        cx.rake(df, margins=MARGINS, trim=(0.5, 2.0), max_iter=200)


def test_non_convergence_names_worst_margin():
    df = skewed_survey(n=400)
    with pytest.raises(ConvergenceError, match="did not converge in 1 sweeps: the worst margin is"):
        cx.rake(df, margins=MARGINS, max_iter=1)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_backends_agree_and_come_back(backend):
    df = skewed_survey(n=800)
    data = make_frame(df.to_dict("list"), backend)
    weighted, report = cx.rake(data, margins=MARGINS, base_weight="base")
    assert type(weighted) is type(data)
    reference, _ = cx.rake(df, margins=MARGINS, base_weight="base")
    pd.testing.assert_frame_equal(to_pandas(weighted), reference, check_dtype=False)
    assert report.n == 800


def test_pyarrow_and_lazy_inputs():
    df = skewed_survey(n=300)
    reference = cx.rake(df, margins=MARGINS).data["weight"].to_numpy()
    arrow = cx.rake(pa.Table.from_pandas(df), margins=MARGINS).data
    assert isinstance(arrow, pa.Table)
    np.testing.assert_allclose(arrow.column("weight").to_numpy(), reference)
    lazy = cx.rake(pl.from_pandas(df).lazy(), margins=MARGINS).data
    assert isinstance(lazy, pl.LazyFrame)
    collected = lazy.collect().join(pl.from_pandas(df).with_row_index("i"), on=list(df.columns))
    assert collected.height >= 300


def test_input_is_not_modified():
    df = skewed_survey(n=200)
    before = df.copy()
    cx.rake(df, margins=MARGINS, base_weight="base", trim=(0.3, 3.0), max_iter=500)
    cx.poststratify(df, cells="region", population=MARGINS["region"])
    cx.calibrate(df, totals={"base": 250.0}, population_size=200)
    pd.testing.assert_frame_equal(df, before)


# ---- bad inputs -------------------------------------------------------------------------

def test_margin_level_absent_from_data_is_named():
    df = skewed_survey(n=200)
    margins = {**MARGINS, "region": {**MARGINS["region"], "west": 0.1, "overseas": 0.1}}
    with pytest.raises(DesignError, match="absent from the data: \\['overseas'\\]"):
        cx.rake(df, margins=margins)


def test_data_level_absent_from_margins_is_named():
    df = skewed_survey(n=200)
    margins = {**MARGINS, "channel": {"app": 0.6, "store": 0.4}}
    with pytest.raises(DesignError, match="'channel' has levels absent from margins: \\['web'\\]"):
        cx.rake(df, margins=margins)


def test_shares_not_summing_to_one_give_the_sum():
    df = skewed_survey(n=200)
    margins = {**MARGINS, "age": {"18-34": 0.3, "35-54": 0.4, "55+": 0.2}}
    with pytest.raises(ValueRangeError, match=r"sum to 0\.9, not 1"):
        cx.rake(df, margins=margins)


def test_counts_that_disagree_on_the_total():
    df = skewed_survey(n=200)
    with pytest.raises(DesignError, match="disagree on the population total"):
        cx.rake(df, margins={"region": {"east": 50, "north": 50, "south": 50, "west": 50},
                             "channel": {"app": 10, "store": 10, "web": 10}})


@pytest.mark.parametrize(("value", "error", "match"), [
    (-1.0, ValueRangeError, "non-negative"),
    (np.nan, MissingValueError, "missing"),
    (None, MissingValueError, "missing"),
    (np.inf, ValueRangeError, "finite"),
])
def test_bad_base_weights(value, error, match):
    df = skewed_survey(n=50)
    df["base"] = df["base"].astype(object) if value is None else df["base"]
    df.loc[3, "base"] = value
    if value is None:
        df["base"] = df["base"].astype(float)
    with pytest.raises(error, match=match):
        cx.rake(df, margins=MARGINS, base_weight="base")


def test_missing_level_and_other_bad_arguments():
    df = skewed_survey(n=50)
    df.loc[0, "region"] = None
    with pytest.raises(MissingValueError, match="'region' has 1 missing"):
        cx.rake(df, margins=MARGINS)
    df = skewed_survey(n=50)
    with pytest.raises(ColumnNotFoundError, match="margins column 'income'"):
        cx.rake(df, margins={"income": {"high": 1.0}})
    with pytest.raises(CXMetricsError, match="already have a column 'ltr'"):
        cx.rake(df, margins=MARGINS, name="ltr")
    with pytest.raises(CXMetricsError, match="bracket the mean"):
        cx.rake(df, margins=MARGINS, trim=(1.5, 3.0))
    with pytest.raises(ValueRangeError, match="must be a number"):
        cx.rake(df, margins={"region": {"east": "0.5", "north": 0.5}})
    with pytest.raises(CXMetricsError, match="tol"):
        cx.rake(df, margins=MARGINS, tol=0)


# ---- properties -------------------------------------------------------------------------

@st.composite
def raking_problems(draw):
    n_vars = draw(st.integers(1, 3))
    n = draw(st.integers(60, 400))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    data, margins = {}, {}
    for v in range(n_vars):
        k = draw(st.integers(2, 5))
        levels = [f"l{i}" for i in range(k)]
        sample_p = rng.dirichlet(np.ones(k))
        codes = rng.choice(k, n, p=sample_p)
        codes[:k] = np.arange(k)  # every level present
        data[f"v{v}"] = [levels[c] for c in codes]
        target = rng.dirichlet(np.full(k, 3.0))
        margins[f"v{v}"] = dict(zip(levels, target / target.sum(), strict=True))
    data["base"] = rng.uniform(0.2, 3.0, n)
    return pd.DataFrame(data), margins


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raking_problems())
def test_property_margins_matched(problem):
    df, margins = problem
    try:
        weighted, report = cx.rake(df, margins=margins, base_weight="base", max_iter=5000)
    except ConvergenceError:  # sparse random cells can make the margins unreachable
        return
    w = weighted["weight"].to_numpy()
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(df["base"].sum(), rel=1e-9)
    for column, shares in margins.items():
        err = np.max(np.abs(weighted_shares(df, w, column) - pd.Series(shares)))
        assert err <= 1e-8
        assert report.margin_errors[column] <= 1e-8


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raking_problems(), st.floats(0.2, 0.9), st.floats(1.5, 5.0))
def test_property_trimming_bounds_held(problem, low, high):
    df, margins = problem
    try:
        weighted, _ = cx.rake(df, margins=margins, trim=(low, high), max_iter=3000)
    except ConvergenceError:
        # only when no weights within slightly tighter bounds can meet the margins
        assert not feasible(df, margins, low * 1.02, high * 0.98)
        return
    w = weighted["weight"].to_numpy()
    mean = len(df) / len(df)
    assert w.min() >= low * mean * (1 - 1e-12) and w.max() <= high * mean * (1 + 1e-12)
    for column, shares in margins.items():
        assert np.max(np.abs(weighted_shares(df, w, column) - pd.Series(shares))) <= 1e-8


# ---- post-stratification ----------------------------------------------------------------

def test_poststratify_matches_cell_ratios():
    df = skewed_survey(seed=9)
    cells = df.groupby(["region", "channel"]).size().index
    rng = np.random.default_rng(1)
    shares = rng.dirichlet(np.ones(len(cells)) * 4)
    population = dict(zip(cells, shares, strict=True))
    weighted, report = cx.poststratify(df, cells=["region", "channel"], population=population,
                                       base_weight="base")
    keys = list(zip(df["region"], df["channel"], strict=True))
    cell_base = df.groupby(["region", "channel"])["base"].sum()
    expected = df["base"].to_numpy() * np.array(
        [population[k] * df["base"].sum() / cell_base[k] for k in keys])
    np.testing.assert_allclose(weighted["weight"].to_numpy(), expected, rtol=1e-12)
    assert report.margin_errors["region × channel"] <= 1e-12


def test_poststratify_takes_a_population_frame(backend):
    df = skewed_survey(n=500)
    population = make_frame({"region": ["east", "north", "south", "west"],
                             "count": [3100, 2200, 2700, 2000]}, backend)
    weighted, _ = cx.poststratify(make_frame(df.to_dict("list"), backend), cells="region",
                                  population=population)
    totals = to_pandas(weighted).groupby("region")["weight"].sum()
    assert totals.to_dict() == pytest.approx({"east": 3100, "north": 2200, "south": 2700, "west": 2000})


def test_poststratify_empty_cells_and_unknown_cells():
    df = skewed_survey(n=300)
    population = {("east", "app"): 0.5, ("east", "drone"): 0.5}
    with pytest.raises(DesignError, match="empty cells: 1 population cells of region × channel"):
        cx.poststratify(df, cells=["region", "channel"], population=population)
    with pytest.raises(DesignError, match="absent from population"):
        cx.poststratify(df, cells="region", population={"east": 0.5, "north": 0.5})
    with pytest.raises(ValueRangeError, match=r"sum to 1\.1"):
        cx.poststratify(df, cells="region", population={"east": 0.5, "north": 0.2, "south": 0.2,
                                                        "west": 0.2})


# ---- calibration ------------------------------------------------------------------------

def calibration_data(n: int = 400, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.normal(40, 12, n), "tenure": rng.gamma(2.0, 2.0, n),
                         "app": rng.integers(0, 2, n), "d": rng.uniform(1, 3, n)})


def test_linear_calibration_is_the_closed_form():
    df = calibration_data()
    totals = {"age": 42.0 * 900, "tenure": 4.4 * 900, "app": 0.45 * 900}
    weighted, report = cx.calibrate(df, totals=totals, population_size=900, base_weight="d")
    x = np.column_stack([df["age"], df["tenure"], df["app"], np.ones(len(df))])
    d = df["d"].to_numpy()
    t = np.array([*totals.values(), 900.0])
    lam = np.linalg.solve(x.T @ (x * d[:, None]), t - x.T @ d)
    np.testing.assert_allclose(weighted["weight"].to_numpy(), d * (1 + x @ lam), rtol=1e-10)
    assert report.iterations == 1 and report.method == "calibrate:linear"


def test_raking_calibration_on_indicators_equals_ipf():
    df = skewed_survey(n=600, seed=11)
    indicators = pd.get_dummies(df[["region", "channel"]], dtype=float)
    n = len(df)
    totals = {f"region_{k}": v * n for k, v in MARGINS["region"].items()}
    totals |= {f"channel_{k}": v * n for k, v in list(MARGINS["channel"].items())[:-1]}
    weighted, _ = cx.calibrate(indicators, totals=totals, method="raking")
    margins = {c: MARGINS[c] for c in ("region", "channel")}
    np.testing.assert_allclose(weighted["weight"].to_numpy(), reference_ipf(df, margins), rtol=1e-8)


def test_logit_calibration_respects_bounds():
    df = calibration_data(seed=8)
    totals = {"age": 44.0 * 400, "tenure": 4.6 * 400}
    weighted, _ = cx.calibrate(df, totals=totals, method="logit", bounds=(0.5, 1.6),
                                    population_size=400)
    g = weighted["weight"].to_numpy()
    assert g.min() > 0.5 and g.max() < 1.6
    x = df[["age", "tenure"]].to_numpy()
    np.testing.assert_allclose(g @ x, [totals["age"], totals["tenure"]], rtol=1e-10)
    assert g.sum() == pytest.approx(400, rel=1e-10)
    with pytest.raises(ConvergenceError, match="worst auxiliary is"):
        cx.calibrate(df, totals={"age": 60.0 * 400}, method="logit", bounds=(0.9, 1.1),
                     population_size=400)


def test_calibration_bad_inputs():
    df = calibration_data(n=50)
    with pytest.raises(CXMetricsError, match="needs bounds"):
        cx.calibrate(df, totals={"age": 2000.0}, method="logit")
    with pytest.raises(CXMetricsError, match="bounds apply to method='logit'"):
        cx.calibrate(df, totals={"age": 2000.0}, bounds=(0.5, 2))
    df["age2"] = df["age"] * 2
    with pytest.raises(DesignError, match="collinear"):
        cx.calibrate(df, totals={"age": 2000.0, "age2": 4000.0})
    df.loc[0, "age"] = np.nan
    with pytest.raises(MissingValueError, match="age"):
        cx.calibrate(df, totals={"age": 2000.0})
    with pytest.raises(MissingValueError, match="age"):  # a lazy frame fails the same way
        cx.calibrate(pl.from_pandas(df).lazy(), totals={"age": 2000.0})


@pytest.mark.parametrize("method", ["linear", "raking", "logit"])
def test_calibrate_lazy_stays_lazy_with_the_eager_weights(method):
    df = calibration_data(n=120)
    options = {"totals": {"age": 5000.0}, "method": method, "population_size": 130,
               "bounds": (0.5, 2.0) if method == "logit" else None}
    eager = cx.calibrate(df, **options)
    lazy = cx.calibrate(pl.from_pandas(df).lazy(), **options)
    assert isinstance(lazy.data, pl.LazyFrame)
    np.testing.assert_allclose(lazy.data.collect()["weight"].to_numpy(), eager.data["weight"], rtol=1e-10)
    assert lazy.report == eager.report


def test_calibrate_pandas_equals_polars():
    df = calibration_data(n=120)
    a = cx.calibrate(df, totals={"age": 5000.0}, method="raking", population_size=130).data
    b = cx.calibrate(pl.from_pandas(df), totals={"age": 5000.0}, method="raking",
                     population_size=130).data
    assert isinstance(b, pl.DataFrame)
    np.testing.assert_allclose(a["weight"].to_numpy(), b["weight"].to_numpy(), rtol=1e-12)


# ---- margins files ----------------------------------------------------------------------

def test_load_margins_round_trip(tmp_path):
    path = tmp_path / "margins.toml"
    path.write_text('[margins.region]\n"华东" = 0.6\n"华北" = 0.4\n\n'
                    '[margins.channel]\napp = 55\nstore = 45\n', encoding="utf-8")
    margins = cx.load_margins(path)
    assert margins == {"region": {"华东": 0.6, "华北": 0.4}, "channel": {"app": 55, "store": 45}}
    df = pd.DataFrame({"region": ["华东", "华东", "华北", "华北"],
                       "channel": ["app", "store", "app", "store"]})
    weighted, _ = cx.rake(df, margins=margins)
    assert weighted["weight"].sum() == pytest.approx(100)
    (tmp_path / "bad.toml").write_text("[region]\nnorth = 0.5\nsouth = 0.6\n", encoding="utf-8")
    with pytest.raises(ValueRangeError, match=r"sum to 1\.1"):
        cx.load_margins(tmp_path / "bad.toml")
    with pytest.raises(CXMetricsError, match="not found"):
        cx.load_margins(tmp_path / "missing.toml")


# ---- every backend ----------------------------------------------------------------------

ENGINES = [b for b in ALL if b != "pyspark"] + [pytest.param("pyspark", marks=pytest.mark.spark)]


@pytest.mark.parametrize("engine", ENGINES)
def test_rake_and_poststratify_on_every_backend(engine):
    df = skewed_survey(n=600, seed=12)
    keys = ["region", "channel", "age", "base"]
    expected = cx.rake(df, margins=MARGINS, base_weight="base").data
    got = cx.rake(convert(df, engine), margins=MARGINS, base_weight="base").data
    assert isinstance(nw.from_native(got), nw.LazyFrame) == (engine in LAZY)
    got = as_pandas(got).sort_values(keys).reset_index(drop=True)
    want = expected.sort_values(keys).reset_index(drop=True)
    np.testing.assert_allclose(got["weight"].to_numpy(), want["weight"].to_numpy(), rtol=1e-9)
    post = as_pandas(cx.poststratify(convert(df, engine), cells="region",
                                     population=MARGINS["region"]).data)
    assert post.groupby("region")["weight"].sum().div(600).to_dict() == pytest.approx(MARGINS["region"])


@pytest.mark.parametrize("engine", ENGINES)
def test_stratified_nps_on_every_backend(engine):
    df = skewed_survey(n=600, seed=13)
    expected = cx.nps(df, score="ltr", weights="base", strata="region", by="channel")
    got = as_pandas(cx.nps(convert(df, engine), score="ltr", weights="base", strata="region",
                           by="channel"))
    np.testing.assert_allclose(got["se"].to_numpy(), expected["se"].to_numpy(), rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(30, 300), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_property_linear_calibration_meets_totals(n, p, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    d = rng.uniform(0.5, 2.0, n)
    shift = rng.normal(scale=0.1, size=p) * n
    frame = pd.DataFrame({f"x{j}": x[:, j] for j in range(p)} | {"d": d})
    totals = {f"x{j}": float(d @ x[:, j] + shift[j]) for j in range(p)}
    weighted, report = cx.calibrate(frame, totals=totals, base_weight="d")
    w = weighted["weight"].to_numpy()
    np.testing.assert_allclose(w @ x, list(totals.values()), rtol=1e-9, atol=1e-8)
    raked, _ = cx.calibrate(frame, totals=totals, base_weight="d", method="raking", max_iter=200)
    assert np.all(raked["weight"].to_numpy() > 0)
    assert max(report.margin_errors.values()) <= 1e-10
