"""Adversarial inputs for journeys, retention, ``to_records``, ``warm_up`` and the duration
language, beyond tests/test_bad_inputs.py.

Every call runs on pandas, polars, pyarrow and a polars LazyFrame and must end in a documented
result or an error from :mod:`cxmetrics.errors` naming the argument or column at fault; the
backends agree (outcome, error class, numbers), a LazyFrame fails at the call like an eager
frame, and the caller's frame is never modified. Each edge input also has an expected outcome
(``"error"``, ``"ok"`` or either), so a silent success on invalid input fails the test.
"""

from __future__ import annotations

import datetime as dt
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import _time, errors
from cxmetrics.journey._gaps import mantel_haenszel_difference
from tests.backends import as_pandas, convert
from tests.journeys import simulate_journeys
from tests.test_bad_inputs import same_result, snapshot, unchanged

BACKENDS = ["pandas", "polars", "pyarrow", "polars_lazy"]
J = {"customer": "customer", "time": "time", "stage": "stage"}
R = {"customer": "customer", "time": "time"}
STEPS = ["home", "product", "purchase"]


def events() -> pd.DataFrame:
    log = simulate_journeys(30, seed=3)
    log["time"] = log["time"] + pd.to_timedelta(np.arange(len(log)) % 7, unit="ms")
    log["plan"] = np.where(log["customer"] % 3 == 0, "pro", "free")  # one value per customer
    return log


class Call:
    """A public function, the arguments it is called with (a call's options override them),
    and the column it groups by (if any)."""

    def __init__(self, function: Callable[..., Any], defaults: dict[str, Any], by: str | None = None,
                 needs_stage: bool = True, per_row: bool = False, stage_values: bool = True) -> None:
        self.function, self.defaults, self.by = function, defaults, by
        self.needs_stage, self.per_row, self.stage_values = needs_stage, per_row, stage_values

    def call(self, data: Any, **options: Any) -> Any:
        result = self.function(data, **{**self.defaults, **options})
        return result[0] if self.per_row else result

    @property
    def parameters(self) -> set[str]:
        return set(inspect.signature(self.function).parameters)


CALLS: dict[str, Call] = {
    "funnel": Call(cx.funnel, {**J, "steps": STEPS, "by": "device"}, "device"),
    "funnel_open_any": Call(cx.funnel, {**J, "steps": STEPS, "mode": "open", "order": "any", "window": "1D",
                                        "by": "device"}, "device"),
    "funnel_sessions": Call(cx.funnel, {**J, "steps": STEPS, "session": "department"}),
    "compare_funnels": Call(cx.compare_funnels, {**J, "steps": STEPS, "by": "device"}, "device"),
    "paths": Call(cx.paths, {**J, "conversion_stage": "purchase"}),
    "transitions": Call(cx.transitions, {**J, "exits": True, "by": "device"}, "device", stage_values=False),
    "attribution": Call(cx.attribution, {**J, "conversion_stage": "purchase", "touchpoint": "channel"}),
    "time_between": Call(cx.time_between, {**J, "from_stage": "home", "to_stage": "purchase", "by": "device"},
                         "device"),
    "journey_kpis": Call(cx.journey_kpis, {**J, "conversion_stage": "purchase", "checkout_stage": "checkout",
                                           "by": "device"}, "device"),
    "gaps": Call(cx.gaps, {**J, "switch": "channel", "by": "device"}, "device", stage_values=False),
    "validate_events": Call(cx.validate_events, {**J, "channel": "channel", "session_gap": "30min"},
                            per_row=True, stage_values=False),
    "cohort_retention": Call(cx.cohort_retention, {**R, "freq": "D", "periods": 5, "by": "plan"}, "plan",
                             needs_stage=False, stage_values=False),
    "cohort_retention_bracket": Call(cx.cohort_retention, {
        **R, "freq": "D", "kind": "bracket", "brackets": [(1, 2), (3, 9)], "stage": "stage",
        "active": "purchase"}, needs_stage=False),
    "compare_retention": Call(cx.compare_retention, {**R, "freq": "D", "periods": 5, "by": "plan"}, "plan",
                              needs_stage=False, stage_values=False),
    "lifecycle": Call(cx.lifecycle, {**R, "freq": "D", "by": "plan"}, "plan", needs_stage=False,
                      stage_values=False),
    "stickiness": Call(cx.stickiness, {**R, "short": "D", "long": "M", "by": "plan"}, "plan",
                       needs_stage=False, stage_values=False),
}

RETENTION = {"cohort_retention", "cohort_retention_bracket", "compare_retention", "lifecycle", "stickiness"}


def outcome(call: Call, frame: Any, **options: Any) -> tuple[str, Any]:
    """("ok", result as pandas) or ("error", the cxmetrics error); a raw exception fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)  # tests may silence warnings
            result = call.call(frame, **options)
    except errors.CXMetricsError as error:
        return "error", error
    return "ok", as_pandas(result)


def everywhere(call: Call, frame: pd.DataFrame, *, names: set[str],
               **options: Any) -> tuple[str, Any]:
    """Run on every backend: no raw exception, input unchanged, backends agree."""
    results: dict[str, tuple[str, Any]] = {}
    for backend in BACKENDS:
        try:
            native = convert(frame, backend)
        except Exception:  # the library cannot hold this column (mixed objects in arrow): not ours
            continue
        before = snapshot(native)
        results[backend] = outcome(call, native, **options)
        assert unchanged(native, before), f"{backend}: the input frame was modified"
    kinds = {backend: kind for backend, (kind, _) in results.items()}
    assert len(set(kinds.values())) == 1, f"backends disagree: {results}"
    kind, value = results.get("pandas", next(iter(results.values())))
    if kind == "error":
        classes = {type(v) for _, v in results.values()}
        assert len(classes) == 1, f"error classes differ: {results}"
        message = str(value)
        assert any(name in message for name in names), f"error names none of {sorted(names)}: {message}"
    else:
        for backend, (_, other) in results.items():
            if call.per_row and backend == "pyarrow":
                continue  # per-row: pandas turns object dates into datetimes, arrow keeps dates
            same_result(other, value)
    return kind, value


def names_for(call: Call, frame: pd.DataFrame) -> set[str]:
    return call.parameters | {str(c) for c in frame.columns} | {"data", "event log", "log"}


# ---------------------------------------------------------------------------- edge inputs

ERROR, OK, EITHER = "error", "ok", "either"


def _nulls(frame: pd.DataFrame, column: str, rows: list[int]) -> pd.DataFrame:
    frame = frame.copy()
    frame[column] = frame[column].astype(object)
    frame.loc[frame.index[rows], column] = None
    return frame


def edge_inputs(base: pd.DataFrame, call: Call) -> dict[str, tuple[pd.DataFrame, dict[str, Any], str]]:
    """Edge input name -> (frame, extra options, expected outcome)."""
    time = base["time"]
    cases: dict[str, tuple[pd.DataFrame, dict[str, Any], str]] = {
        "empty": (base.iloc[:0], {}, OK if call.per_row else ERROR),
        "one_row": (base.iloc[:1], {}, EITHER),
        "one_customer": (base[base["customer"] == 0], {}, EITHER),
        "same_timestamp": (base.assign(time=pd.Timestamp("2024-06-01")), {}, EITHER),
        "null_customer": (_nulls(base, "customer", [1, 5]), {}, OK if call.per_row else ERROR),
        "null_time": (base.assign(time=time.where(base.index != 3)), {}, OK if call.per_row else ERROR),
        # retention: a missing stage is not one of the active stages (documented)
        "null_stage": (_nulls(base, "stage", [2]), {},
                       OK if call.per_row or not call.needs_stage else ERROR),
        "na_customer": (base.assign(customer=base["customer"].astype("Int64").where(base.index != 2)), {},
                        OK if call.per_row else ERROR),
        "int64_customer": (base.assign(customer=base["customer"].astype("Int64")), {}, OK),
        "text_customer": (base.assign(customer="c" + base["customer"].astype(str)), {}, OK),
        "float_customer": (base.assign(customer=base["customer"] * 1.0), {}, OK),
        "categorical_stage": (base.assign(stage=base["stage"].astype("category")), {}, OK),
        "pyarrow_backed": (base.convert_dtypes(dtype_backend="pyarrow"), {}, OK),
        "iso_text_time": (base.assign(time=time.dt.strftime("%Y-%m-%dT%H:%M:%S")), {}, OK),
        "object_text_time": (base.assign(time=time.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)), {}, OK),
        "object_date_time": (base.assign(time=time.dt.date), {}, OK),
        "tz_aware_time": (base.assign(time=time.dt.tz_localize("Asia/Shanghai")), {}, OK),
        "integer_time": (base.assign(time=np.arange(len(base))), {}, ERROR),
        "float_time": (base.assign(time=np.arange(len(base)) * 1.0), {}, ERROR),
        "unparsable_time": (base.assign(time="not a time"), {}, OK if call.per_row else ERROR),
        "mixed_object_time": (base.assign(time=[*time.iloc[:-1], 5]), {}, ERROR),
        "mixed_object_stage": (base.assign(stage=base["stage"].where(base.index % 5 != 0, 7)), {},
                               OK if call.per_row or not call.needs_stage else ERROR),
        "stage_as_numbers": (base.assign(stage=base["stage"].factorize()[0]), {},
                             ERROR if call.stage_values else OK),
        "extra_internal_columns": (base.assign(__cx_time=1, __cx_customer="x", __cx_stage=0.5), {}, OK),
        "extra_result_columns": (base.assign(step=1, n=2, customers=3, entered=4, moves=5, rate=0.5,
                                             period=1), {}, OK),
    }
    if call.by:
        by = call.by
        # retention groups are customer properties: whole customers get a missing key
        every_fourth = base["customer"] % 4 == 0 if by == "plan" else np.arange(len(base)) % 4 == 0
        null_rows = np.flatnonzero(every_fourth)
        cases.update({
            "null_group_keys": (_nulls(base, by, list(null_rows)), {}, OK),
            "categorical_groups": (base.assign(**{by: base[by].astype("category")}), {}, OK),
            "bool_groups": (base.assign(**{by: base["customer"] % 2 == 0}), {}, OK),
            "int_groups": (base.assign(**{by: base["customer"] % 2}), {}, OK),
            "string_dtype_groups": (base.assign(**{by: base[by].astype("string")}), {}, OK),
            "mixed_object_groups": (base.assign(**{by: base[by].where(base["customer"] % 5 != 0, 7)}), {},
                                    ERROR),
        })
        for taken in ("step", "n", "customers", "entered", "moves", "group", "cohort", "period", "rate",
                      "from_stage", "__cx_customer", "__cx_time", "__cx_stage", "__cx_pos", "__cx_period"):
            if taken not in base.columns:
                cases[f"group_named_{taken}"] = (base.rename(columns={by: taken}), {"by": taken}, EITHER)
    return cases


def _edge_params() -> list[Any]:
    base = events()
    return [pytest.param(name, edge, id=f"{name}-{edge}")
            for name, call in CALLS.items() for edge in edge_inputs(base, call)]


_BASE: list[pd.DataFrame] = []


def base_log() -> pd.DataFrame:
    if not _BASE:
        _BASE.append(events())
    return _BASE[0].copy()


@pytest.mark.parametrize(("name", "edge"), _edge_params())
def test_edge_input_ends_in_its_documented_outcome_on_every_backend(name: str, edge: str) -> None:
    call = CALLS[name]
    base = base_log()
    frame, options, expected = edge_inputs(base, call)[edge]
    if edge.startswith("mixed_object"):  # only pandas holds these; the others convert them
        kind, value = outcome(call, frame, **options)
        if expected == ERROR:
            assert kind == "error", value
            assert isinstance(value, errors.ColumnTypeError), value
            assert "mixes kinds" in str(value) or "time column" in str(value), value
        return
    kind, value = everywhere(call, frame, names=names_for(call, frame), **options)
    if expected != EITHER:
        assert kind == expected, f"expected {expected}, got {kind}: {value}"
    pooled = name in ("gaps", "compare_funnels")  # strata are pooled; compared groups are in `group`
    if kind == "ok" and "by" in options and not pooled:  # a group column named like a result column
        assert options["by"] in value.columns
        assert list(value.columns).count(options["by"]) == 1
    if kind == "ok" and edge.startswith("extra_") and not call.per_row:
        # columns the call does not use change nothing
        same_result(value, outcome(call, base)[1])
    if kind == "ok" and edge == "null_group_keys" and name != "gaps":
        group = "group" if name == "compare_funnels" else call.by
        assert value[group].isna().any(), "the null group was dropped"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_lazy_frame_with_a_bad_time_column_fails_at_the_call_like_eager(name: str) -> None:
    call = CALLS[name]
    for bad in ("not a time", "2024-13-45"):
        frame = base_log().assign(time=bad)
        if call.per_row:  # the cleaning step drops and counts unparsable times
            continue
        with pytest.raises(errors.ColumnTypeError, match="time column 'time'") as eager:
            call.call(frame)
        lazy = pl.from_pandas(frame).lazy()
        with pytest.raises(type(eager.value), match="time column 'time' could not be parsed"):
            call.call(lazy)  # at the call, not at collect


@pytest.mark.parametrize("name", sorted(CALLS))
def test_pyarrow_tables_with_an_index_column_leak_nothing(name: str) -> None:
    call = CALLS[name]
    frame = base_log().iloc[::-1]  # a non-default index that pyarrow stores as a column
    table = pa.Table.from_pandas(frame, preserve_index=True)
    assert "__index_level_0__" in table.column_names
    result = call.call(table)
    columns = result.column_names
    leaked = [c for c in columns if c.startswith("__cx_")]
    assert not leaked
    if not call.per_row:
        assert "__index_level_0__" not in columns
        same_result(as_pandas(result), as_pandas(call.call(frame)))


# ------------------------------------------------------------------------- bad scalars

BAD: dict[str, list[Any]] = {
    "confidence": [1.5, -1, 0, 1, "0.9", True, None, float("nan")],
    "window": [30, "30 days", "30", -1, True, "0D", pd.Timedelta(0), pd.NaT, np.timedelta64("NaT"),
               dt.timedelta(days=-1), "1M", "99999999999999999999D", ["1D"]],
    "step_window": [30, "1 month"],
    "within": [-1, 7, "-1D", "a week", 0.5],
    "session_gap": [30, "half an hour", True],
    "repeat_window": [None, 7, "7 days"],
    "n": [0, "5", True, 2.5, -1, None],
    "max_length": [0, "5", True, 1.5],
    "periods": ["5", True, -1, 2.5, None],
    "unit": ["month", 3, None, "days"],
    "freq": ["H", 1, None, "month"],
    "kind": ["x", None],
    "mode": ["x", None],
    "order": ["x"],
    "method": ["x", None],
    "outcome": ["x", None],
    "exits": ["yes", 1, None],
    "collapse_repeats": [1, "no"],
    "p_adjust": ["tukey", None],
    "short": ["X", 1],
    "long": ["X", None],
    "brackets": ["x", [(0,)], [(1.5, 2)], [(2, 1)], [("1", 2)]],
    "by": [3, ["device", "device"], "nope", {"device"}],
    "session": [3, "nope", ["department"]],
    "touchpoint": [3, "nope"],
    "switch": [3, "nope"],
    "reference": ["nobody", pd.NA, ["app"]],
    "steps": [5, "home", ["home"], ["home", "home"], ["home", None], ["home", pd.NA], ["home", ["product"]],
              [1, 2], ["home", float("nan")], {"home", "purchase"}],
    "from_stage": [None, ["home"], 1],
    "conversion_stage": [None, ["purchase"], 1, "zzz"],
    "active": [1, []],
    "cohort": [1, "nope"],
}

NAMED_AS = {"steps": ("steps",), "by": ("by", "column"), "reference": ("reference",)}


def _bad_params() -> list[Any]:
    found = []
    for name, call in sorted(CALLS.items()):
        if name in ("funnel_open_any", "funnel_sessions", "cohort_retention_bracket"):
            continue
        for parameter in sorted(call.parameters & set(BAD)):
            for bad in BAD[parameter]:
                if (name, parameter, bad) == ("paths", "conversion_stage", None):
                    continue  # documented: no conversion column
                if (name, parameter, bad) == ("validate_events", "session", "nope"):
                    continue  # with session_gap, session names the column written
                found.append(pytest.param(name, parameter, bad, id=f"{name}-{parameter}={bad!r}"))
    return found


EXTRA = {  # options a bad value needs to be read at all
    ("cohort_retention", "brackets"): {"kind": "bracket"},
    ("compare_retention", "brackets"): {"kind": "bracket"},
    ("cohort_retention", "active"): {"stage": "stage"},
    ("compare_retention", "active"): {"stage": "stage"},
    ("lifecycle", "active"): {"stage": "stage"},
    ("stickiness", "active"): {"stage": "stage"},
    ("journey_kpis", "repeat_window"): {"support_stage": "cart"},
}


@pytest.mark.parametrize(("name", "parameter", "bad"), _bad_params())
def test_bad_scalar_raises_naming_the_argument(name: str, parameter: str, bad: Any) -> None:
    call = CALLS[name]
    options = {**EXTRA.get((name, parameter), {}), parameter: bad}
    for backend in ("pandas", "polars_lazy"):
        kind, value = outcome(call, convert(base_log(), backend), **options)
        assert kind == "error", f"{backend}: {parameter}={bad!r} was accepted"
        message = str(value)
        assert any(word in message for word in NAMED_AS.get(parameter, (parameter,))), message


def test_window_needs_a_unit_and_every_duration_spelling_agrees() -> None:
    log = base_log()
    expected = cx.funnel(log, **J, steps=STEPS, window="1D")
    for same in ("24h", "1d", "1440min", " 1 D ", "0.5D12h", dt.timedelta(days=1), pd.Timedelta("1D"),
                 np.timedelta64(1, "D"), np.timedelta64(86_400_000_000_000, "ns")):
        pd.testing.assert_frame_equal(cx.funnel(log, **J, steps=STEPS, window=same), expected)
    with pytest.raises(errors.ValueRangeError, match=r"window=30 is a bare number"):
        cx.funnel(log, **J, steps=STEPS, window=30)


# ------------------------------------------------------------------------ column roles


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_role_column_may_also_be_a_group_or_attribute(backend: str) -> None:
    log = base_log()
    data = convert(log, backend)
    for call in (lambda d: cx.funnel(d, **J, steps=STEPS, by="stage"),
                 lambda d: cx.transitions(d, **J, by="stage"),
                 lambda d: cx.attribution(d, **J, conversion_stage="purchase", touchpoint="stage"),
                 lambda d: cx.gaps(d, **J, switch="stage"),
                 lambda d: cx.validate_events(d, **J, channel="stage")[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)
            same_result(as_pandas(call(data)), as_pandas(call(log)))
    by_stage = as_pandas(cx.funnel(data, **J, steps=STEPS, by="stage"))
    assert set(by_stage["stage"]) == {"home"}  # read at each customer's first event


def test_caller_columns_named_like_internal_ones_are_a_named_clash() -> None:
    log = base_log().rename(columns={"device": "__cx_pos"})
    for backend in BACKENDS:
        with pytest.raises(errors.ColumnClashError, match="__cx_pos"):
            cx.funnel(convert(log, backend), **J, steps=STEPS, by="__cx_pos")
    # validate_events keeps every column: its internal ones step out of the way
    kept, _ = cx.validate_events(base_log().assign(__cx_row=7, __cx_time="x"), **J, session_gap="1h")
    assert (kept["__cx_row"] == 7).all() and (kept["__cx_time"] == "x").all()
    with pytest.raises(errors.ColumnClashError, match="session"):
        cx.validate_events(base_log().assign(session=1), **J, session_gap="30min")
    # naming the column as the session writes the sessions there, as documented
    log, _ = cx.validate_events(base_log().assign(session=1), **J, session="session", session_gap="30min")
    assert log["session"].min() == 1 and log["session"].max() > 1


def test_duplicate_column_names_are_a_named_clash() -> None:
    log = base_log()
    twice = pd.concat([log, log[["stage"]]], axis=1)
    with pytest.raises(errors.ColumnClashError, match="stage"):
        cx.funnel(twice, **J, steps=STEPS)
    with pytest.raises(errors.ColumnClashError, match="stage"):
        cx.to_records(twice)


@pytest.mark.parametrize("backend", BACKENDS)
def test_steps_of_another_type_than_the_stage_column_are_absent_everywhere(backend: str) -> None:
    log = base_log()
    data = convert(log.assign(stage=log["stage"].factorize()[0]), backend)
    with pytest.raises(errors.ValueRangeError, match=r"steps \['home', 'product', 'purchase'\] do not occur"):
        cx.funnel(data, **J, steps=STEPS)
    with pytest.raises(errors.ValueRangeError, match=r"steps \[1, 2\] do not occur"):
        cx.funnel(convert(log, backend), **J, steps=[1, 2])
    with pytest.raises(errors.ValueRangeError, match="active"):
        cx.cohort_retention(data, **R, stage="stage", active="purchase")
    numbered = cx.funnel(data, **J, steps=[0, 2])  # numbers match numbers
    assert len(as_pandas(numbered)) == 2


# ------------------------------------------------------------------- invariants (hypothesis)

SMALL_STAGES = ["a", "b", "c"]


@st.composite
def small_logs(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    customers = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    stages = draw(st.lists(st.sampled_from(SMALL_STAGES), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n, unique=True))
    devices = draw(st.lists(st.sampled_from(["app", "web", None]), min_size=n, max_size=n))
    return pd.DataFrame({
        "customer": customers, "stage": stages, "device": devices,
        "time": pd.Timestamp("2024-03-01") + pd.to_timedelta(minutes, unit="min"),
        "plan": ["pro" if c % 2 else "free" for c in customers],
    })


INVARIANT_CALLS: dict[str, Callable[[Any], Any]] = {
    "funnel": lambda d: cx.funnel(d, **J, steps=["a", "b"], by="device"),
    "funnel_open": lambda d: cx.funnel(d, **J, steps=["a", "b", "c"], mode="open", order="any"),
    "compare_funnels": lambda d: cx.compare_funnels(d, **J, steps=["a", "b"], by="device"),
    "transitions": lambda d: cx.transitions(d, **J, exits=True, by="device"),
    "paths": lambda d: cx.paths(d, **J, conversion_stage="c"),
    "time_between": lambda d: cx.time_between(d, **J, from_stage="a", to_stage="b", by="device"),
    "journey_kpis": lambda d: cx.journey_kpis(d, **J, conversion_stage="c", by="device"),
    "attribution": lambda d: cx.attribution(d, **J, conversion_stage="c", touchpoint="device"),
    "gaps": lambda d: cx.gaps(d, **J, switch="device", by="plan"),
    "cohort_retention": lambda d: cx.cohort_retention(d, **R, freq="D", periods=3, by="plan"),
    "lifecycle": lambda d: cx.lifecycle(d, **R, freq="W", by="plan"),
    "stickiness": lambda d: cx.stickiness(d, **R, short="D", long="M"),
}


def _run(call: Callable[[Any], Any], data: Any) -> tuple[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)
            return "ok", as_pandas(call(data))
    except errors.CXMetricsError as error:
        return "error", type(error)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=small_logs(), name=st.sampled_from(sorted(INVARIANT_CALLS)), seed=st.integers(0, 2**16))
@example(  # one event and no conversion: pyarrow raised on an empty list of category codes
    log=pd.DataFrame({"customer": [0], "stage": ["c"], "device": ["app"],
                      "time": pd.to_datetime(["2024-03-01"]), "plan": ["free"]}),
    name="attribution", seed=0)
def test_row_order_does_not_matter_and_backends_agree(log: pd.DataFrame, name: str, seed: int) -> None:
    call = INVARIANT_CALLS[name]
    kind, expected = _run(call, log)
    shuffled = log.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    results = {"shuffled": _run(call, shuffled),
               **{backend: _run(call, convert(log, backend)) for backend in ("polars", "pyarrow")}}
    for label, (other_kind, other) in results.items():
        assert other_kind == kind, (label, other, expected)
        if kind == "ok":
            same_result(other, expected)
        else:
            assert other is expected, label


# ------------------------------------------------------------ gaps: one test, one interval


def _random_strata(rng: np.random.Generator) -> np.ndarray:
    k = int(rng.integers(1, 5))
    n1, n0 = rng.integers(0, 12, k), rng.integers(0, 12, k)
    a = np.array([rng.integers(0, m + 1) for m in n1])
    c = np.array([rng.integers(0, m + 1) for m in n0])
    return np.column_stack([a, n1, c, n0])


def test_mantel_haenszel_test_and_interval_agree_on_thousands_of_small_tables() -> None:
    rng = np.random.default_rng(2024)
    checked = 0
    for _ in range(3000):
        cells = _random_strata(rng)
        for confidence in (0.9, 0.95, 0.99):
            out = mantel_haenszel_difference(cells, confidence)
            if np.isnan(out["p_value"]):
                continue
            checked += 1
            excludes_zero = out["ci_low"] > 0 or out["ci_high"] < 0
            assert (out["p_value"] < 1 - confidence) == excludes_zero, (cells, confidence, out)
            assert out["ci_low"] <= out["difference"] <= out["ci_high"]
    assert checked > 5000


def test_mantel_haenszel_difference_against_direct_formulas() -> None:
    # one stratum: the difference of the two shares and its Wald variance
    out = mantel_haenszel_difference([[7, 20, 3, 30]], 0.95)
    assert out["difference"] == pytest.approx(7 / 20 - 3 / 30)
    assert out["se"] ** 2 == pytest.approx(7 * 13 / 20**3 + 3 * 27 / 30**3)
    # K identical strata: the same difference, the variance divided by K
    four = mantel_haenszel_difference([[7, 20, 3, 30]] * 4, 0.95)
    assert four["difference"] == pytest.approx(out["difference"])
    assert four["se"] ** 2 == pytest.approx(out["se"] ** 2 / 4)
    # the estimate is the average of stratum differences weighted by n1 n0 / N
    cells = np.array([[2, 10, 1, 15], [6, 8, 3, 4], [0, 0, 2, 5], [5, 9, 0, 3]], dtype=float)
    weights = cells[:, 1] * cells[:, 3] / (cells[:, 1] + cells[:, 3])
    with np.errstate(invalid="ignore"):
        differences = cells[:, 0] / cells[:, 1] - cells[:, 2] / cells[:, 3]
    used = weights > 0
    direct = np.sum(weights[used] * differences[used]) / weights[used].sum()
    assert mantel_haenszel_difference(cells, 0.95)["difference"] == pytest.approx(direct)
    nothing = mantel_haenszel_difference([[0, 0, 1, 3], [2, 4, 0, 0]], 0.95)
    assert np.isnan(nothing["difference"]) and np.isnan(nothing["p_value"])


def test_gaps_with_strata_never_reports_a_test_against_its_interval() -> None:
    log = simulate_journeys(800, seed=5)
    for confidence in (0.9, 0.95):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)
            result = cx.gaps(log, **J, switch=["device", "channel"], by="department", confidence=confidence)
        tested = result.dropna(subset=["p_value"])
        assert len(tested)
        excludes = (tested["ci_low"] > 0) | (tested["ci_high"] < 0)
        assert ((tested["p_value"] < 1 - confidence) == excludes).all()
        gap = tested["difference"] * tested["switched"]
        np.testing.assert_allclose(tested["gap_score"], gap)


# ------------------------------------------------------------- to_records, warm_up, durations


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow", "polars_lazy"])
def test_to_records_takes_data_and_agrees_across_backends(backend: str) -> None:
    assert list(inspect.signature(cx.to_records).parameters) == ["data"]
    frame = pd.DataFrame({"a": [1, None], "b": ["x", None], "c": [float("inf"), 0.5],
                          "t": pd.to_datetime(["2024-01-01", None])})
    assert cx.to_records(convert(frame, backend)) == [
        {"a": 1.0, "b": "x", "c": None, "t": "2024-01-01T00:00:00"},
        {"a": None, "b": None, "c": 0.5, "t": None}]
    assert cx.to_records(convert(frame.iloc[:0], backend)) == []


def test_to_records_edge_values() -> None:
    assert cx.to_records(pd.DataFrame([[1, 2]], columns=[0, 1])) == [{"0": 1, "1": 2}]
    assert cx.to_records(data={"x": float("nan")}) == {"x": None}
    for bad in (3.5, None, object()):
        with pytest.raises(errors.ColumnTypeError, match="to_records"):
            cx.to_records(bad)


@pytest.mark.parametrize(("parts", "user_dicts", "error"), [
    (("model",), (), errors.OptionError),
    ((3,), (), errors.ColumnTypeError),
    (("stats",), 5, errors.ColumnTypeError),
    (("stats",), "words.txt", errors.ColumnTypeError),
    (("stats",), [5], errors.ColumnTypeError),
])
def test_warm_up_refuses_bad_parts_and_dictionaries(parts: tuple[Any, ...], user_dicts: Any,
                                                    error: type[Exception]) -> None:
    with pytest.raises(error, match=r"part|user_dicts"):
        cx.warm_up(*parts, user_dicts=user_dicts)


@pytest.mark.parametrize(("value", "micro"), [
    ("30min", 30 * 60_000_000), ("1h30min", 5_400_000_000), ("1.5h", 5_400_000_000),
    ("2d", 2 * 86_400_000_000),
    ("1W", 7 * 86_400_000_000), ("250ms", 250_000), (".5s", 500_000), (dt.timedelta(minutes=2), 120_000_000),
    (pd.Timedelta("90s"), 90_000_000), (np.timedelta64(3, "h"), 3 * 3_600_000_000),
])
def test_one_duration_grammar(value: Any, micro: int) -> None:
    assert _time.parse_duration(value, "window") == micro


@pytest.mark.parametrize("value", [30, 1.5, np.int64(3), True, None, "", "30", "1M", "1Y", "1 month", "-1D",
                                   "0h", "1h-", "h", pd.NaT, np.timedelta64("NaT"), dt.timedelta(0),
                                   "99999999999999999999D", [1], {"h": 1}])
def test_durations_refused_name_the_argument(value: Any) -> None:
    with pytest.raises(errors.ValueRangeError, match="horizon"):
        _time.parse_duration(value, "horizon")


def test_a_bare_number_counts_the_unit_its_argument_names() -> None:
    assert _time.parse_duration(2, "horizon_days", unit="D") == 2 * 86_400_000_000
    with pytest.raises(errors.ValueRangeError, match="horizon_days"):
        _time.parse_duration(float("inf"), "horizon_days", unit="D")
    with pytest.raises(errors.ValueRangeError, match="horizon_days"):
        _time.parse_duration(-2, "horizon_days", unit="D")


def test_unit_accepts_the_lower_case_aliases_durations_accept() -> None:
    log = base_log()
    for lower, upper in (("d", "D"), ("w", "W")):
        assert _time.unit_microseconds(lower) == _time.unit_microseconds(upper)
        between = {**J, "from_stage": "home", "to_stage": "purchase"}
        pd.testing.assert_frame_equal(cx.time_between(log, **between, unit=lower),
                                      cx.time_between(log, **between, unit=upper))
    with pytest.raises(errors.OptionError, match="unit='days'"):
        _time.unit_microseconds("days")


def test_validate_events_keeps_a_lazy_log_lazy() -> None:
    log = base_log()
    expected, expected_report = cx.validate_events(log, **J, session_gap="30min")
    lazy, report = cx.validate_events(pl.from_pandas(log).lazy(), **J, session_gap="30min")
    assert isinstance(lazy, pl.LazyFrame) and report == expected_report
    same_result(as_pandas(lazy), as_pandas(expected))


@pytest.mark.parametrize("name", sorted(n for n, c in CALLS.items() if c.by == "device"))
def test_dictionary_encoded_arrow_groups_give_the_plain_result(name: str) -> None:
    import pyarrow.compute as pc

    call = CALLS[name]
    log = base_log()
    table = pa.Table.from_pandas(log, preserve_index=False)
    encoded = table.set_column(table.schema.get_field_index("device"), "device",
                               pc.dictionary_encode(table["device"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.CXMetricsWarning)
        same_result(as_pandas(call.call(encoded)), as_pandas(call.call(log)))
