"""The bad-input suite: every public function of survey, drivers, segment and journey, fed
edge and bad inputs on pandas, polars and pyarrow (and a polars LazyFrame).

Each call must end in one of two ways: a documented result, or an error from
:mod:`cxmetrics.errors` whose message names the argument or column at fault. Never a raw
exception from numpy, pandas or an engine. The eager backends must agree (same outcome, same
error class, same numbers), a LazyFrame must fail like the eager frame, and the caller's
frame must come back unchanged.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors
from tests.backends import as_pandas, convert
from tests.journeys import simulate_journeys

EAGER = ["pandas", "polars", "pyarrow"]


def survey() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    return pd.DataFrame({
        "ltr": rng.integers(0, 11, n), "sat": rng.integers(1, 6, n), "effort": rng.integers(1, 8, n),
        "region": rng.choice(["north", "south"], n), "weight": rng.uniform(0.5, 2.0, n),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "respondent": np.arange(n) % 30, "wave": np.where(np.arange(n) < 30, "w1", "w2"),
        "x1": rng.normal(size=n), "x2": rng.normal(size=n),
    })


def events() -> pd.DataFrame:
    log = simulate_journeys(40, seed=3)
    return log.assign(time=log["time"] + pd.to_timedelta(np.arange(len(log)) % 7, unit="ms"))


def transactions() -> pd.DataFrame:
    return cx.datasets.load_transactions(customers=40, seed=2)


def scored() -> pd.DataFrame:
    table = cx.rfm_table(transactions(), customer="customer", time="date", amount="amount")
    return cx.rfm_segment(cx.rfm_score(table))


JOURNEY = {"customer": "customer", "time": "time", "stage": "stage"}
STEPS = ["home", "product", "purchase"]


class Case:
    """One public function: its data, the call, the column grouped by and the value column."""

    def __init__(self, make: Callable[[], pd.DataFrame], call: Callable[..., Any], by: str | None,
                 value: str, function: Callable[..., Any]) -> None:
        self.make, self.call, self.by, self.value, self.function = make, call, by, value, function

    @property
    def parameters(self) -> set[str]:
        return set(inspect.signature(self.function).parameters)


CASES: dict[str, Case] = {
    "nps": Case(survey, lambda d, **k: cx.nps(d, score="ltr", **({"by": "region"} | k)), "region", "ltr",
                cx.nps),
    "csat": Case(survey, lambda d, **k: cx.csat(d, score="sat", **({"by": "region"} | k)), "region", "sat",
                 cx.csat),
    "ces": Case(survey, lambda d, **k: cx.ces(d, score="effort", **({"by": "region"} | k)), "region",
                "effort", cx.ces),
    "score_distribution": Case(survey, lambda d, **k: cx.score_distribution(
        d, score="ltr", **({"by": "region"} | k)), "region", "ltr", cx.score_distribution),
    "compare_nps": Case(survey, lambda d, **k: cx.compare_nps(d, score="ltr", **({"by": "region"} | k)),
                        "region", "ltr", cx.compare_nps),
    "compare_csat": Case(survey, lambda d, **k: cx.compare_csat(d, score="sat", **({"by": "region"} | k)),
                         "region", "sat", cx.compare_csat),
    "nps_trend": Case(survey, lambda d, **k: cx.nps_trend(d, score="ltr", time="when",
                                                          **({"by": "region"} | k)), "region", "ltr",
                      cx.nps_trend),
    "csat_trend": Case(survey, lambda d, **k: cx.csat_trend(d, score="sat", time="when",
                                                            **({"by": "region"} | k)), "region", "sat",
                       cx.csat_trend),
    "key_drivers": Case(survey, lambda d, **k: cx.key_drivers(d, outcome="ltr", drivers=["x1", "x2"],
                                                              **({"by": "region"} | k)), "region", "x1",
                        cx.key_drivers),
    "importance_performance": Case(survey, lambda d, **k: cx.importance_performance(
        d, outcome="ltr", drivers=["x1", "x2"], **({"by": "region"} | k)), "region", "x1",
        cx.importance_performance),
    "funnel": Case(events, lambda d, **k: cx.funnel(d, **JOURNEY, steps=STEPS, **({"by": "device"} | k)),
                   "device", "time", cx.funnel),
    "compare_funnels": Case(events, lambda d, **k: cx.compare_funnels(d, **JOURNEY, steps=STEPS,
                                                                      **({"by": "device"} | k)),
                            "device", "time", cx.compare_funnels),
    "transitions": Case(events, lambda d, **k: cx.transitions(d, **JOURNEY, **({"by": "device"} | k)),
                        "device", "time", cx.transitions),
    "paths": Case(events, lambda d, **k: cx.paths(d, **JOURNEY, **k), None, "time", cx.paths),
    "time_between": Case(events, lambda d, **k: cx.time_between(
        d, **JOURNEY, from_stage="home", to_stage="purchase", **({"by": "device"} | k)),
        "device", "time", cx.time_between),
    "journey_kpis": Case(events, lambda d, **k: cx.journey_kpis(d, **JOURNEY, conversion_stage="purchase",
                                                                **({"by": "device"} | k)),
                         "device", "time", cx.journey_kpis),
    "gaps": Case(events, lambda d, **k: cx.gaps(d, **JOURNEY, switch="channel", **({"by": "device"} | k)),
                 "device", "time", cx.gaps),
    "attribution": Case(events, lambda d, **k: cx.attribution(d, **JOURNEY, conversion_stage="purchase", **k),
                        None, "time", cx.attribution),
    "validate_events": Case(events, lambda d, **k: cx.validate_events(d, **JOURNEY, **k)[0], None, "time",
                            cx.validate_events),
    "rfm_table": Case(transactions, lambda d, **k: cx.rfm_table(d, customer="customer", time="date",
                                                                amount="amount", **k), None, "amount",
                      cx.rfm_table),
    "rfm_score": Case(lambda: cx.rfm_table(transactions(), customer="customer", time="date", amount="amount"),
                      lambda d, **k: cx.rfm_score(d, **k), None, "monetary", cx.rfm_score),
    "segment_profile": Case(scored, lambda d, **k: cx.segment_profile(d, **({"by": "segment"} | k)),
                            "segment", "monetary", cx.segment_profile),
}


def outcome(case: Case, frame: Any, **options: Any) -> tuple[str, Any]:
    """("ok", result as pandas) or ("error", the cxmetrics error); a raw exception fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)  # tests may silence warnings
            result = case.call(frame, **options)
    except errors.CXMetricsError as error:
        return "error", error
    return "ok", as_pandas(result)


def same_result(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right)
    for column in left.columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(dtype=float, na_value=np.nan),
                                       b.to_numpy(dtype=float, na_value=np.nan),
                                       rtol=1e-9, atol=1e-12, err_msg=column)
        elif pd.api.types.is_datetime64_any_dtype(b):
            assert (pd.to_datetime(a).fillna(pd.Timestamp(0)).to_numpy()
                    == pd.to_datetime(b).fillna(pd.Timestamp(0)).to_numpy()).all(), column
        else:
            assert [None if pd.isna(v) else v for v in a] == [None if pd.isna(v) else v for v in b], column


def snapshot(native: Any) -> Any:
    if isinstance(native, pd.DataFrame):
        return native.copy(deep=True)
    if isinstance(native, pl.DataFrame):
        return native.clone()
    if isinstance(native, pl.LazyFrame):
        return native.collect()
    return native  # pyarrow tables are immutable


def unchanged(native: Any, before: Any) -> bool:
    if isinstance(native, pd.DataFrame):
        return native.equals(before) and list(native.columns) == list(before.columns)
    if isinstance(native, pl.LazyFrame):
        return native.collect().equals(before)
    if isinstance(native, pl.DataFrame):
        return native.equals(before)
    return native.equals(before)


def check_everywhere(case: Case, frame: pd.DataFrame, *, names: set[str], lazy: bool = False,
                     **options: Any) -> tuple[str, Any]:
    """Run on every eager backend (and a LazyFrame): the contract holds and backends agree."""
    results: dict[str, tuple[str, Any]] = {}
    for backend in [*EAGER, *(["polars_lazy"] if lazy else [])]:
        try:
            native = convert(frame, backend)
        except Exception:  # the library cannot hold this column (mixed objects in arrow): not ours
            continue
        before = snapshot(native)
        results[backend] = outcome(case, native, **options)
        assert unchanged(native, before), f"{backend}: the input frame was modified"
    kinds = {backend: kind for backend, (kind, _) in results.items()}
    assert len(set(kinds.values())) == 1, f"backends disagree: {kinds} {results}"
    kind, value = results["pandas"] if "pandas" in results else next(iter(results.values()))
    if kind == "error":
        classes = {type(v).__mro__[1] if type(v) is errors.CXMetricsError else type(v)
                   for _, v in results.values()}
        assert len({type(v) for _, v in results.values()}) == 1, f"error classes differ: {classes}"
        message = str(value)
        assert any(name in message for name in names), f"error names none of {sorted(names)}: {message}"
    else:
        eager = [v for b, (_, v) in results.items() if b in EAGER]
        for other in eager[1:]:
            same_result(other, eager[0])
    return kind, value


def argument_names(case: Case, frame: pd.DataFrame) -> set[str]:
    """What an error may name: the function's arguments and the frame's columns."""
    return case.parameters | {str(c) for c in frame.columns} | {"data", "event log", "transaction log"}


# ---------------------------------------------------------------------------- mutations


def mutate(case: Case, kind: str, frame: pd.DataFrame,
           rows: list[int]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame with one kind of edge input at ``rows`` (positions), and extra call options."""
    frame = frame.copy()
    index = frame.index[[r % len(frame) for r in rows]] if len(frame) else frame.index[:0]
    by, value = case.by, case.value
    if kind == "empty":
        return frame.iloc[:0], {}
    if kind == "single_row":
        return frame.iloc[:1], {}
    if kind == "null_keys" and by:
        frame[by] = frame[by].astype(object)
        frame.loc[index, by] = None
    elif kind == "nan_values":
        if pd.api.types.is_datetime64_any_dtype(frame[value]):
            frame.loc[index, value] = pd.NaT
        else:
            frame[value] = frame[value].astype(float)
            frame.loc[index, value] = np.nan
    elif kind == "inf_values" and not pd.api.types.is_datetime64_any_dtype(frame[value]):
        frame[value] = frame[value].astype(float)
        frame.loc[index, value] = np.inf
    elif kind == "nullable":
        column = frame[value]
        if pd.api.types.is_integer_dtype(column):
            frame[value] = column.astype("Int64")
            frame.loc[index, value] = pd.NA
        elif pd.api.types.is_float_dtype(column):
            frame[value] = column.astype("Float64")
            frame.loc[index, value] = pd.NA
        if by:
            frame[by] = frame[by].astype("string")
    elif kind == "pyarrow_backed":
        frame = frame.convert_dtypes(dtype_backend="pyarrow")
    elif kind == "categorical" and by:
        frame[by] = frame[by].astype("category")
    elif kind == "bool_keys" and by:
        frame[by] = np.arange(len(frame)) % 2 == 0
    elif kind == "mixed_object":
        frame[value] = frame[value].astype(object)
        frame.loc[index, value] = "n/a"
    elif kind == "clashing_name" and by:
        plain = outcome(case, frame)
        if plain[0] == "ok":
            taken = [c for c in plain[1].columns if c not in frame.columns]
            if taken:
                frame = frame.rename(columns={by: taken[0]})
                return frame, {"by": taken[0]}
    return frame, {}


MUTATIONS = ["empty", "single_row", "null_keys", "nan_values", "inf_values", "nullable", "pyarrow_backed",
             "categorical", "bool_keys", "mixed_object", "clashing_name"]

_DATA: dict[str, pd.DataFrame] = {}


def base_data(name: str) -> pd.DataFrame:
    if name not in _DATA:
        _DATA[name] = CASES[name].make()
    return _DATA[name].copy()


@pytest.mark.parametrize("kind", MUTATIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_inputs_end_in_a_result_or_a_named_error(name: str, kind: str) -> None:
    case = CASES[name]
    frame, options = mutate(case, kind, base_data(name), rows=[0, 3, 7])
    outcome_kind, value = check_everywhere(case, frame, names=argument_names(case, frame),
                                           lazy=kind in ("empty", "null_keys", "inf_values"), **options)
    if kind == "clashing_name" and options and outcome_kind == "ok":
        # a documented rename out of the way: the caller's group column comes back intact
        assert options["by"] in value.columns
    if kind == "inf_values" and pd.api.types.is_numeric_dtype(base_data(name)[case.value]):
        assert outcome_kind == "error", "an infinite value was accepted"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CASES)), kind=st.sampled_from(MUTATIONS),
       rows=st.lists(st.integers(0, 10_000), min_size=1, max_size=6))
def test_random_edge_inputs(name: str, kind: str, rows: list[int]) -> None:
    case = CASES[name]
    frame, options = mutate(case, kind, base_data(name), rows=rows)
    check_everywhere(case, frame, names=argument_names(case, frame), **options)


# ------------------------------------------------------------------------- bad scalars

BAD_SCALARS: dict[str, list[Any]] = {
    "confidence": [1.5, -1, 0, 1, "0.95", True, None],
    "n_boot": [0, -5, "100", 2.5, True],
    "seed": ["1", 1.5, -1, True],
    "points": ["yes", 1, None],
    "paired": ["yes", 1],
    "exits": ["yes", 1],
    "collapse_repeats": ["no", 0],
    "n": [0, "3", True, 2.5],
    "max_length": [0, "3", True],
    "rolling": [0, "2", True, 1.5],
    "scale": [1, "5", True, 4.5],
    "top_box": ["4", ["4", "5"], (0, 5), "45"],
    "window": [30, "30", "soon", -1, True],
    "step_window": [30, "1 month"],
    "session_gap": [30, "half an hour"],
    "repeat_window": [None, 7, "7 days"],
    "within": [7, "a week"],
    "unit": ["month", 3, None],
    "freq": ["H", 1],
    "ci": ["exact", 1],
    "method": ["magic", None],
    "mode": ["sideways"],
    "order": ["random"],
    "outcome": ["maybe"],
    "p_adjust": ["tukey"],
    "missing": ["drop"],
    "by": [3, {"region"}, ["region", "region"]],
    "bins": [1, 10, "5", True],
    "thresholds": [{"recency": ["1", "2"], "frequency": [1, 2], "monetary": [1, 2]}, "edges"],
    "monetary": ["median"],
    "nonpositive": ["drop"],
    "alpha": [0, 1, "0.05"],
    "performance": ["max"],
    "split": ["mode"],
    "labels": ["fr"],
    "weights": [3],
    "stat": ["median"],
    "easy": [["5"], "567"],
}


def _scalar_cases() -> list[Any]:
    found = []
    for name, case in sorted(CASES.items()):
        for parameter in sorted(case.parameters & set(BAD_SCALARS)):
            if parameter == "outcome" and name != "gaps":
                continue  # a column there, not an option
            for bad in BAD_SCALARS[parameter]:
                if (name, parameter, bad) == ("key_drivers", "n_boot", 0):
                    continue  # documented: no bootstrap
                found.append(pytest.param(name, parameter, bad, id=f"{name}-{parameter}={bad!r}"))
    return found


EXTRA_OPTIONS = {  # options a bad value needs to be read at all
    ("importance_performance", "top_box"): {"performance": "top_box"},
    ("rfm_score", "thresholds"): {"method": "fixed", "bins": 3},
    ("ces", "easy"): {},
    ("journey_kpis", "repeat_window"): {"support_stage": "checkout"},
    ("compare_nps", "seed"): {},
}


@pytest.mark.parametrize(("name", "parameter", "bad"), _scalar_cases())
def test_bad_scalars_raise_naming_the_argument(name: str, parameter: str, bad: Any) -> None:
    case = CASES[name]
    options = {**EXTRA_OPTIONS.get((name, parameter), {}), parameter: bad}
    if parameter in ("n_boot", "seed") and name == "key_drivers":
        options.setdefault("n_boot", 5) if parameter == "seed" else None
    kind, value = outcome(case, base_data(name), **options)
    assert kind == "error", f"{parameter}={bad!r} was accepted"
    message = str(value)
    assert parameter in message or (parameter == "by" and "column" in message), message


def test_window_30_is_not_30_nanoseconds() -> None:
    with pytest.raises(errors.ValueRangeError, match=r"window=30 is a bare number"):
        cx.funnel(base_data("funnel"), **JOURNEY, steps=STEPS, window=30)
    with pytest.raises(errors.ValueRangeError, match="repeat_window"):
        cx.journey_kpis(base_data("journey_kpis"), **JOURNEY, conversion_stage="purchase",
                        support_stage="checkout", repeat_window=None)


def test_simulated_trend_intervals_are_reproducible() -> None:
    data = base_data("nps_trend")
    first = cx.nps_trend(data, score="ltr", time="when", ci="bootstrap", n_boot=200, seed=4)
    again = cx.nps_trend(data, score="ltr", time="when", ci="bootstrap", n_boot=200, seed=4)
    pd.testing.assert_frame_equal(first, again)
    other = cx.nps_trend(data, score="ltr", time="when", ci="bayes", n_boot=200,
                         seed=np.random.default_rng(4))
    assert other["ci_low"].notna().any()


def test_null_group_keys_are_their_own_group_on_every_backend() -> None:
    data = base_data("funnel")
    data["device"] = data["device"].astype(object)
    data.loc[data["customer"] % 5 == 0, "device"] = None
    for name in ("funnel", "journey_kpis", "time_between", "compare_funnels"):
        case = CASES[name]
        results = [outcome(case, convert(data, backend))[1] for backend in EAGER]
        for other in results[1:]:
            same_result(other, results[0])
        column = "group" if name == "compare_funnels" else "device"
        assert results[0][column].isna().any(), f"{name} dropped the null group"


def test_transitions_on_pyarrow_leak_no_index_column() -> None:
    result = cx.transitions(convert(base_data("transitions"), "pyarrow"), **JOURNEY, by="device")
    assert not any(name.startswith("__") for name in result.column_names)


def test_lazy_text_times_fail_now_with_the_eager_error() -> None:
    data = base_data("funnel").assign(time="not a time")
    for backend in ("pandas", "polars_lazy"):
        with pytest.raises(errors.ColumnTypeError, match="time column 'time' could not be parsed"):
            cx.funnel(convert(data, backend), **JOURNEY, steps=STEPS)


def test_pandas_object_dates_are_dates() -> None:
    data = base_data("rfm_table")
    as_objects = data.assign(date=data["date"].dt.date.astype(object))
    as_dates = data.assign(date=data["date"].dt.normalize())
    same_result(as_pandas(cx.rfm_table(as_objects, customer="customer", time="date", amount="amount")),
                as_pandas(cx.rfm_table(as_dates, customer="customer", time="date", amount="amount")))
    mixed = data.assign(date=data["date"].astype(object))
    mixed.loc[mixed.index[0], "date"] = 5
    with pytest.raises(errors.ColumnTypeError, match="time column 'date'"):
        cx.rfm_table(mixed, customer="customer", time="date", amount="amount")


@pytest.mark.parametrize(("call", "named"), [
    (lambda d: cx.funnel(d, **JOURNEY, steps=5), "steps"),
    (lambda d: cx.funnel(d, **JOURNEY, steps=[["home"], "product"]), "steps"),
    (lambda d: cx.journey_kpis(d, **JOURNEY, conversion_stage=["purchase"]), "conversion_stage"),
    (lambda d: cx.time_between(d, **JOURNEY, from_stage=["home"], to_stage="purchase"), "from_stage"),
    (lambda d: cx.attribution(d, **JOURNEY, conversion_stage="purchase", touchpoint=3), "touchpoint"),
    (lambda d: cx.transitions(d, **JOURNEY, session=3), "session"),
    (lambda d: cx.validate_events(d, **JOURNEY, device=["device"]), "device"),
    (lambda d: cx.gaps(d, **JOURNEY, switch=3), "switch"),
])
def test_bad_journey_arguments_are_named(call: Callable[[Any], Any], named: str) -> None:
    with pytest.raises(errors.CXMetricsError, match=named):
        call(base_data("funnel"))


def test_a_huge_max_length_costs_nothing() -> None:
    data = base_data("paths")
    same_result(as_pandas(cx.paths(data, **JOURNEY, max_length=10**9)),
                as_pandas(cx.paths(data, **JOURNEY, max_length=50)))


@pytest.mark.parametrize("name", ["funnel", "compare_funnels", "transitions", "paths", "journey_kpis",
                                  "time_between", "attribution"])
def test_polars_lazy_orders_tied_events_like_eager(name: str) -> None:
    # times cut to the day tie most events: a polars LazyFrame keeps row order, as eager frames do
    data = base_data(name)
    data["time"] = data["time"].dt.normalize()
    case = CASES[name]
    same_result(outcome(case, convert(data, "polars_lazy"))[1], outcome(case, data)[1])
