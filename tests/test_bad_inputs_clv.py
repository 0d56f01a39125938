"""The bad-input suite for customer lifetime value: every public CLV function and model method,
fed edge and bad inputs on pandas, polars, pyarrow and a polars LazyFrame.

Each call must end in one of two ways: a documented result, or an error from
:mod:`cxmetrics.errors` whose message names the argument or column at fault; never a raw
exception from numpy, pandas or an engine. The eager backends agree (same outcome, same error
class, same numbers), the LazyFrame fails like the eager frames (or gives the same rows), and
the caller's frame comes back unchanged. The documented edge results are asserted too:
predictions on an empty summary are an empty frame with the prediction's columns; a caller's
column named like the prediction raises :class:`ColumnClashError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
import cxmetrics.datasets
from cxmetrics import errors
from tests.backends import as_pandas, convert

pytestmark = pytest.mark.filterwarnings("ignore::cxmetrics.errors.CXMetricsWarning")

BACKENDS = ["pandas", "polars", "pyarrow", "polars_lazy"]


def log() -> pd.DataFrame:
    return cx.datasets.load_transactions(customers=80, seed=5)


def summary() -> pd.DataFrame:
    return cx.summary_from_transactions(log(), customer="customer", time="date", amount="amount")


def split() -> pd.DataFrame:
    return cx.summary_from_transactions(log(), customer="customer", time="date", amount="amount",
                                        calibration_end="2024-12-31")


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    p, theta = rng.beta(1.2, 0.75, 300), rng.beta(0.66, 2.8, 300)
    alive = np.arange(1, 7) < rng.geometric(theta)[:, None]
    gave = alive & (rng.random((300, 6)) < p[:, None])
    x = gave.sum(axis=1)
    return pd.DataFrame({"frequency": x, "recency": np.where(x > 0, 6 - gave[:, ::-1].argmax(axis=1), 0),
                         "n_periods": np.full(300, 6)})


def survivors() -> pd.DataFrame:
    return pd.DataFrame({"year": range(8), "active": [1000, 631, 468, 382, 326, 289, 262, 241]})


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    calibration = split()
    return {
        "bg": cx.BetaGeo().fit(calibration),
        "pareto": cx.ParetoNBD().fit(calibration),
        "gg": cx.GammaGamma().fit(summary()),
        "bgbb": cx.BetaGeoBetaBinom().fit(panel()),
    }


class Case:
    """One public function or method: its data, the call, the column to break, and the column
    it appends (None for summaries and fits)."""

    def __init__(self, make: Callable[[], pd.DataFrame], call: Callable[..., Any], value: str,
                 appends: str | None) -> None:
        self.make, self.call, self.value, self.appends = make, call, value, appends


def _cases(m: dict[str, Any]) -> dict[str, Case]:
    bg, pareto, gg, bgbb = m["bg"], m["pareto"], m["gg"], m["bgbb"]
    clv = {"transaction_model": bg, "spend_model": gg, "horizon": 3, "discount_rate": 0.01}
    return {
        "BetaGeo.fit": Case(summary, lambda d, **k: cx.BetaGeo().fit(d, penalizer=0.01, **k).params_,
                            "frequency", None),
        "ModifiedBetaGeo.fit": Case(summary, lambda d, **k: cx.ModifiedBetaGeo().fit(
            d, penalizer=0.01, **k).params_, "recency", None),
        "ParetoNBD.fit": Case(summary, lambda d, **k: cx.ParetoNBD().fit(d, penalizer=0.01, **k).params_,
                              "T", None),
        "GammaGamma.fit": Case(summary, lambda d, **k: cx.GammaGamma().fit(d, **k).params_, "monetary", None),
        "BetaGeoBetaBinom.fit": Case(panel, lambda d, **k: cx.BetaGeoBetaBinom().fit(d, **k).params_,
                                     "frequency", None),
        "ShiftedBetaGeometric.fit": Case(survivors, lambda d, **k: cx.ShiftedBetaGeometric().fit(
            d, survivors="active", period="year", **k).params_, "active", None),
        "expected_purchases": Case(summary, lambda d, **k: bg.expected_purchases(d, t=10.0, **k), "frequency",
                                   "expected_purchases"),
        "probability_alive": Case(summary, lambda d, **k: pareto.probability_alive(d, **k), "recency",
                                  "probability_alive"),
        "probability_of_purchases": Case(summary, lambda d, **k: bg.probability_of_purchases(
            d, n=1, t=10.0, **k), "T", "probability_of_purchases"),
        "expected_spend": Case(summary, lambda d, **k: gg.expected_spend(d, **k), "monetary",
                               "expected_spend"),
        "bgbb.probability_alive": Case(panel, lambda d, **k: bgbb.probability_alive(d, **k), "recency",
                                       "probability_alive"),
        "bgbb.expected_purchases": Case(panel, lambda d, **k: bgbb.expected_purchases(d, periods=3, **k),
                                        "n_periods", "expected_purchases"),
        "bgbb.probability_of_purchases": Case(panel, lambda d, **k: bgbb.probability_of_purchases(
            d, n=1, periods=3, **k), "frequency", "probability_of_purchases"),
        "customer_lifetime_value": Case(summary, lambda d, **k: cx.customer_lifetime_value(d, **clv, **k),
                                        "monetary", "clv"),
        "calibration_report": Case(split, lambda d, **k: cx.calibration_report(d, model=bg, **k),
                                   "frequency_holdout", None),
        "frequency_recency_matrix": Case(summary, lambda d, **k: cx.frequency_recency_matrix(
            d, model=bg, **({"recency_step": 10.0} | k)), "frequency", None),
        "compare_models": Case(split, lambda d, **k: cx.compare_models(d, models=[cx.BetaGeo], **k),
                               "duration_holdout", None),
        "repeat_purchase_histogram": Case(summary, lambda d, **k: cx.repeat_purchase_histogram(
            d, model=bg, **k), "T", None),
        "check_independence": Case(summary, lambda d, **k: cx.GammaGamma.check_independence(d, **k),
                                   "monetary", None),
        "tracking": Case(log, lambda d, **k: cx.tracking(d, model=bg, customer="customer", time="date",
                                                         calibration_end="2024-12-31", **k), "date", None),
    }


MUTATIONS = ["empty", "one_row", "nan", "inf", "strings", "negative", "bool", "clash"]


def mutate(case: Case, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    column = case.value
    out = frame.copy()
    if kind == "empty":
        return out.iloc[:0]
    if kind == "one_row":
        return out.iloc[:1]
    if kind in ("nan", "inf"):
        values = out[column].astype(float) if column != "date" else out[column]
        values.iloc[1] = np.nan if kind == "nan" else np.inf
        if column == "date":
            values = values.astype(str)
        out[column] = values
    elif kind == "strings":
        out[column] = out[column].astype(str)
    elif kind == "negative":
        if column == "date":
            return out
        out.loc[out.index[1], column] = -1
    elif kind == "bool":
        out[column] = (out[column] > out[column].min()) if column != "date" else True
    elif kind == "clash":
        out[case.appends or "__cx_none"] = 0.0
    return out


def outcome(case: Case, native: Any) -> tuple[str, Any]:
    try:
        result = case.call(native)
    except errors.CXMetricsError as error:
        return "error", error
    return "ok", as_pandas(result)


def snapshot(native: Any) -> pd.DataFrame:
    return as_pandas(native)


def names_fault(error: Exception, case: Case, kind: str) -> bool:
    message = str(error)
    if kind in ("empty", "one_row"):
        return True  # the rule (no customers, one customer) is named, not a column
    wanted = case.appends if kind == "clash" else case.value
    return f"'{wanted}'" in message or wanted in message


def same_result(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right)
    for column in left.columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-7,
                                       atol=1e-12, err_msg=column)


@pytest.mark.parametrize("kind", MUTATIONS)
@pytest.mark.parametrize("name", sorted(_cases({k: None for k in ("bg", "pareto", "gg", "bgbb")})))
def test_edge_inputs_end_in_a_result_or_a_named_error(models: dict[str, Any], name: str, kind: str) -> None:
    case = _cases(models)[name]
    if case.value == "date" and kind in ("inf", "negative", "bool", "clash"):
        pytest.skip("not a meaningful mutation of a time column")
    frame = mutate(case, kind, case.make())
    results: dict[str, tuple[str, Any]] = {}
    for backend in BACKENDS:
        native = convert(frame, backend)
        before = snapshot(native)
        results[backend] = outcome(case, native)
        pd.testing.assert_frame_equal(snapshot(native), before)  # the caller's frame is untouched
    kinds = {backend: result[0] for backend, result in results.items()}
    assert len(set(kinds.values())) == 1, (name, kind, kinds, results)
    status, first = results["pandas"]
    if status == "error":
        assert names_fault(first, case, kind), (name, kind, str(first))
        for backend, (_, error) in results.items():
            assert type(error) is type(first), (backend, error, first)
        return
    for backend, (_, result) in results.items():
        if backend != "pandas":
            key = [c for c in ("customer", "frequency", "recency", "T", "n_periods") if c in result.columns]
            same_result(result.sort_values(key).reset_index(drop=True) if key else result,
                        first.sort_values(key).reset_index(drop=True) if key else first)
    # what the docstrings promise for per-row predictions
    if case.appends is not None:
        invalid = ("nan", "inf", "strings", "negative", "bool", "clash")
        assert kind not in invalid, (name, kind, "silent success")
        assert list(first.columns) == [*frame.columns, case.appends]
        assert len(first) == len(frame)


@pytest.mark.parametrize("name", ["expected_purchases", "probability_alive", "expected_spend",
                                  "customer_lifetime_value", "bgbb.expected_purchases"])
def test_interval_columns_clash_too(models: dict[str, Any], name: str) -> None:
    case = _cases(models)[name]
    frame = case.make().assign(**{f"{case.appends}_ci_low": 0.0})
    for backend in BACKENDS:
        with pytest.raises(errors.ColumnClashError, match=f"{case.appends}_ci_low"):
            case.call(convert(frame, backend), confidence=0.9)
    assert f"{case.appends}_ci_low" in case.call(case.make(), confidence=0.9).columns


def test_arrays_in_give_a_pandas_frame(models: dict[str, Any]) -> None:
    bg, gg, bgbb = models["bg"], models["gg"], models["bgbb"]
    out = bg.expected_purchases(t=5.0, frequency=[0, 2], recency=[0, 3.0], T=[10.0, 10.0], confidence=0.9)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["frequency", "recency", "T", "expected_purchases",
                                 "expected_purchases_ci_low", "expected_purchases_ci_high"]
    assert list(gg.expected_spend(frequency=[1], monetary=[10.0]).columns) == [
        "frequency", "monetary", "expected_spend"]
    assert list(bgbb.probability_alive(frequency=[1], recency=[2], n_periods=[6]).columns) == [
        "frequency", "recency", "n_periods", "probability_alive"]
    with pytest.raises(errors.ColumnTypeError, match="frequency"):
        bg.probability_alive(frequency=["1"], recency=[0.0], T=[1.0])
    with pytest.raises(errors.ColumnTypeError, match="recency"):
        bg.probability_alive(frequency=[1], recency=[True], T=[1.0])
    with pytest.raises(errors.ValueRangeError, match="not both"):
        bg.probability_alive(summary(), frequency=[1], recency=[0.0], T=[1.0])
    with pytest.raises(errors.ValueRangeError, match="missing"):
        bg.probability_alive(frequency=[1], recency=[0.0])


def _scalar_cases() -> list[Any]:
    bad: list[tuple[str, dict[str, Any], str]] = []
    for value in (1.5, 0, "0.9", True):
        bad += [(n, {"confidence": value}, "confidence") for n in (
            "expected_purchases", "probability_alive", "expected_spend", "customer_lifetime_value",
            "bgbb.expected_purchases", "BetaGeo.fit", "GammaGamma.fit", "ShiftedBetaGeometric.fit",
            "check_independence")]
    for value in (0, -1.0, "10", True, np.inf):
        bad.append(("t", {"t": value}, "t"))
    for value in (-1, 1.5, True, "1"):
        bad.append(("n", {"n": value}, "n"))
    for value in (0, 1.5, True, "3"):
        bad.append(("horizon", {"horizon": value}, "horizon"))
    for value in ("0.01", -1.0, np.inf, None):
        bad.append(("discount_rate", {"discount_rate": value}, "discount_rate"))
    bad += [("unit", {"unit": "fortnight"}, "unit"), ("unit", {"unit": 0}, "unit"),
            ("unit", {"unit": True}, "unit"), ("unit", {"time_unit": "fortnight"}, "time_unit")]
    for value in ("mcmc", 1, None):
        bad.append(("expected_purchases", {"confidence": 0.9, "method": value}, "method"))
    for value in (5, 20.0, True):
        bad.append(("expected_purchases", {"confidence": 0.9, "method": "bootstrap", "resamples": value},
                    "resamples"))
    for value in ("1", -1, 1.5):
        bad.append(("expected_purchases", {"confidence": 0.9, "method": "bootstrap", "seed": value}, "seed"))
    for value in (-1.0, "0.1", np.nan, True):
        bad.append(("GammaGamma.fit", {"penalizer": value}, "penalizer"))
    for value in ([1.0, 2.0], "abc", [1.0, -1.0, 1.0], [1.0, "2", 1.0]):
        bad.append(("GammaGamma.fit", {"initial": value}, "initial"))
    for value in (-1, 1.5, True):
        bad.append(("calibration_report", {"max_frequency": value}, "max_frequency"))
        bad.append(("compare_models", {"max_frequency": value}, "max_frequency"))
        bad.append(("repeat_purchase_histogram", {"max_frequency": value}, "max_frequency"))
        bad.append(("frequency_recency_matrix", {"max_frequency": value}, "max_frequency"))
    for value in (0, -1.0, "1", np.nan):
        bad.append(("frequency_recency_matrix", {"T": value}, "T"))
        bad.append(("tracking", {"period": value}, "period"))
    bad.append(("frequency_recency_matrix", {"recency_step": 1e-9}, "recency_step"))
    return bad


def _call_with(models: dict[str, Any], name: str, options: dict[str, Any]) -> Any:
    bg, gg = models["bg"], models["gg"]
    data = summary()
    if name == "t":
        return bg.expected_purchases(data, **options)
    if name == "n":
        return bg.probability_of_purchases(data, t=5.0, **options)
    if name in ("horizon", "discount_rate", "unit"):
        clv = {"transaction_model": bg, "spend_model": gg, "horizon": 3, "discount_rate": 0.01} | options
        return cx.customer_lifetime_value(data, **clv)
    return _cases(models)[name].call(_cases(models)[name].make(), **options)


@pytest.mark.parametrize(("name", "options", "argument"), _scalar_cases())
def test_bad_scalars_raise_naming_the_argument(models: dict[str, Any], name: str, options: dict[str, Any],
                                               argument: str) -> None:
    with pytest.raises(errors.CXMetricsError, match=argument):
        _call_with(models, name, options)


@pytest.mark.parametrize("models_argument", [[], "BetaGeo", [cx.GammaGamma()], [cx.ShiftedBetaGeometric],
                                             [cx.BetaGeo, cx.BetaGeoBetaBinom]])
def test_compare_models_refuses_what_it_cannot_compare(models_argument: Any) -> None:
    with pytest.raises(errors.ValueRangeError, match=r"models|compare"):
        cx.compare_models(split(), models=models_argument)


def test_compare_models_on_bgbb(models: dict[str, Any]) -> None:
    table = cx.compare_models(panel(), models=[cx.BetaGeoBetaBinom, models["bgbb"]])
    assert table["model"].tolist() == ["BG/BB", "BG/BB"]
    assert "holdout_actual" not in table.columns
    # the two rows are the same fit: a refit on the same data and the fixture's model
    np.testing.assert_allclose(table["log_likelihood"], models["bgbb"].log_likelihood_, rtol=1e-9)
    k = 4
    assert table["aic"].iloc[0] == pytest.approx(2 * k - 2 * models["bgbb"].log_likelihood_)
    assert table["bic"].iloc[0] == pytest.approx(k * np.log(300) - 2 * models["bgbb"].log_likelihood_)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"frequency": [0, 0, 0], "recency": [0.0, 0, 0], "T": [10.0, 20, 30]}),
    pd.DataFrame({"frequency": [2], "recency": [5.0], "T": [10.0]}),
    pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0], "T": [0.0, 0]}),
], ids=["no repeat purchases", "one customer", "T = 0"])
@pytest.mark.parametrize("model", [cx.BetaGeo, cx.ModifiedBetaGeo, cx.ParetoNBD])
@pytest.mark.parametrize("backend", BACKENDS)
def test_degenerate_fits_raise_convergence_error_saying_why(frame: pd.DataFrame, model: type,
                                                            backend: str) -> None:
    with pytest.raises(errors.ConvergenceError, match=r"no repeat purchases|one customer|T = 0"):
        model().fit(convert(frame, backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_identical_spend_raises_convergence_error(backend: str) -> None:
    same = pd.DataFrame({"frequency": [1, 2, 3, 4], "monetary": [5.0, 5, 5, 5]})
    with pytest.raises(errors.ConvergenceError, match="same mean spend"):
        cx.GammaGamma().fit(convert(same, backend))


def test_unfitted_models_raise_not_fitted_error() -> None:
    data = summary()
    for call in (lambda: cx.BetaGeo().expected_purchases(data, t=1.0),
                 lambda: cx.ParetoNBD().probability_alive(data),
                 lambda: cx.GammaGamma().expected_spend(data),
                 lambda: cx.BetaGeoBetaBinom().probability_alive(panel()),
                 lambda: cx.ShiftedBetaGeometric().survival(periods=[1]),
                 lambda: cx.calibration_report(split(), model=cx.BetaGeo()),
                 lambda: cx.frequency_recency_matrix(data, model=cx.BetaGeo()),
                 lambda: cx.repeat_purchase_histogram(data, model=cx.BetaGeo())):
        with pytest.raises(errors.NotFittedError, match="not fitted"):
            call()


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: cx.BetaGeo.from_parameters(r="0.2", alpha=4.0, a=0.8, b=2.0), "r"),
    (lambda: cx.GammaGamma.from_parameters(p=6.0, q=-1.0, gamma=15.0), "q"),
    (lambda: cx.ShiftedBetaGeometric.from_parameters(alpha=True, beta=1.0), "alpha"),
    (lambda: cx.ShiftedBetaGeometric.from_parameters(alpha=0.7, beta=1.2).residual_lifetime(
        discount_rate="0.1"), "discount_rate"),
    (lambda: cx.ShiftedBetaGeometric.from_parameters(alpha=0.7, beta=1.2).survival(periods=["1"]), "periods"),
    (lambda: cx.ShiftedBetaGeometric.from_parameters(alpha=0.7, beta=1.2).retention_rate(periods=[0]),
     "periods"),
    (lambda: cx.BetaGeoBetaBinom.from_parameters(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
     .expected_purchases(frequency=[1], recency=[2], n_periods=[6], periods=1.5), "periods"),
])
def test_model_scalars_are_checked(call: Callable[[], Any], argument: str) -> None:
    with pytest.raises(errors.CXMetricsError, match=argument):
        call()
