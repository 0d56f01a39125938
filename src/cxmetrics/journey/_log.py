"""Frame layer for journeys: one validated, sorted copy of the event log.

Every journey function starts here. The log is reduced to internal columns — customer, time
as int64 microseconds, stage, and the attribute columns asked for — sorted once by
(customer, time, original row order), with each row's position in that order and each
customer's ordinal (0, 1, ... in sorted order). Later passes are narwhals expressions over
this frame: filters, joins and group-bys on the integer ordinal, and shifts within a customer.
Because the frame is sorted, a shift within a customer is a plain shift whose value is kept
only where the ordinal (and session) agree: a vectorised pass, where a partitioned shift is a
group-by.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _time
from cxmetrics.errors import (
    ColumnClashError,
    ColumnTypeError,
    DesignError,
    MissingValueError,
    ValueRangeError,
    format_examples,
)

CUSTOMER = "__cx_customer"
TIME = "__cx_time"
STAGE = "__cx_stage"
POS = "__cx_pos"
ROW = "__cx_row"
CIDX = "__cx_cidx"
FIRST = "__cx_first"

#: How a lazy engine orders a customer's events (it has no row order to break ties by).
ENGINE_ORDER = [TIME, STAGE]
#: Prefix of every internal column; caller columns carried into the log may not use it.
INTERNAL_PREFIX = "__cx_"


@dataclasses.dataclass(frozen=True)
class Events:
    """The sorted log: internal columns plus the attribute columns, eager."""

    frame: nw.DataFrame[Any]
    stage: str  # the caller's name of the stage column, for messages
    backend: Any


def duration_expr(value: Any, role: str, *, allow_none: bool = True) -> int | None:
    """A duration argument in microseconds (the grammar of :mod:`cxmetrics._time`)."""
    return _checks.duration(value, role, allow_none=allow_none)


def check_unit(unit: Any) -> float:
    """Microseconds per reporting ``unit`` (a key of :data:`cxmetrics._time.UNIT_MICROSECONDS`)."""
    return float(_time.unit_microseconds(unit))


def instant(frame: _frame.Frame, time: str) -> nw.Expr:
    """Microseconds since 1970 as int64: time-zone-aware times as UTC instants, naive as given.

    A journey's durations are elapsed time, so an aware column is compared across zones on
    one clock (unlike RFM days, which are the customer's wall-clock days).
    """
    dtype = frame.collect_schema()[time]
    column = nw.col(time)
    if dtype == nw.Date:
        column = column.cast(nw.Datetime("us"))
    elif isinstance(dtype, nw.Datetime):
        if dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    else:
        raise ColumnTypeError(
            f"time column {time!r} must be a date or datetime, got dtype {dtype}. Text is parsed "
            f"as ISO-8601; a column mixing time zones or UTC offsets must be parsed first "
            f"(pandas.to_datetime(..., utc=True))")
    return _time.microseconds(column, frame)


def narrowed(events: Any, *, customer: str, time: str, stage: str,
             attributes: Sequence[str] = (), name: str = "data",
             session: str | None = None,
             roles: Mapping[str, str | Sequence[str] | None] | None = None) -> _frame.Frame:
    """The validated log with only the internal columns and ``attributes``, left in its engine
    (lazy stays lazy); an empty log and missing ids, stages or times are errors here.

    ``roles`` names further attribute columns by the argument that asked for them
    (``{"by": [...], "touchpoint": "channel"}``), so a missing one is reported under that
    name. An attribute may be one of the customer, time or stage columns too (``by="stage"``):
    it is carried as it is, beside the internal copies. Attribute columns whose names start
    with ``__cx_`` (the prefix of the internal columns) raise
    :class:`~cxmetrics.errors.ColumnClashError`.

    With ``session``, the journey unit is a (customer, session) pair: :data:`CUSTOMER` holds both
    ids, so every per-customer pass (funnel entry, handoffs, exits) runs per session instead.
    """
    frame = _frame.from_native(events, name=name)
    named = {role: names for role, names in (roles or {}).items() if names is not None}
    _frame.require_columns(frame, {"customer": customer, "time": time, "stage": stage,
                                   "session": session, **named})
    carried = [*attributes, *(a for names in named.values() for a in _frame.as_list(names, "by"))]
    attributes = list(dict.fromkeys(carried))
    _frame.require_columns(frame, {"attribute": attributes})
    reserved = [a for a in attributes if a.startswith(INTERNAL_PREFIX)]
    if reserved:
        raise ColumnClashError(
            f"column {format_examples(reserved)} starts with {INTERNAL_PREFIX!r}, the prefix "
            f"cxmetrics keeps for its internal columns; rename it before grouping or "
            f"carrying it")
    _frame.require_one_kind(frame, stage, "stage")
    for role, names in named.items():
        for column in _frame.as_list(names, role):
            _frame.require_one_kind(frame, column, role)
    frame = _time.parse_times(frame, time)
    moment = instant(frame, time)
    roles_checked = [("customer", customer), ("stage", stage), ("time", time)]
    if session is not None:
        roles_checked.append(("session", session))
    counts = _frame.collect(frame.select(
        *(_frame.count_true(nw.col(column).is_null()).alias(f"__cx_null_{i}")
          for i, (_, column) in enumerate(roles_checked)),
        nw.len().alias("__cx_rows"),
    )).row(0)
    if not counts[-1]:
        raise DesignError(f"the event log ({name}) is empty; there are no journeys to summarise")
    for (role, column), missing in zip(roles_checked, counts[:-1], strict=True):
        if missing:
            raise MissingValueError(
                f"{role} column {column!r} has {missing} missing values; clean the log with "
                f"cx.validate_events (it drops and reports them) or fill them first")
    unit = nw.col(customer)
    if session is not None:
        # the unit separator cannot occur in ids written as text by people or systems
        unit = nw.concat_str([nw.col(customer).cast(nw.String), nw.col(session).cast(nw.String)],
                             separator="\x1f")
    return frame.select(unit.alias(CUSTOMER), moment.alias(TIME), nw.col(stage).alias(STAGE),
                        *(nw.col(a) for a in attributes))


def prepare(events: Any, *, customer: str, time: str, stage: str,
            attributes: Sequence[str] = (), name: str = "data", session: str | None = None,
            roles: Mapping[str, str | Sequence[str] | None] | None = None) -> Events:
    """Validate, collect and sort the log once (:func:`narrowed`, then :func:`sorted_log`)."""
    return sorted_log(narrowed(events, customer=customer, time=time, stage=stage,
                               attributes=attributes, name=name, session=session, roles=roles),
                      stage)


def sorted_log(selected_frame: _frame.Frame, stage: str) -> Events:
    """Collect a :func:`narrowed` log and sort it by customer and time.

    Events at the same time keep their row order; a lazy engine has no row order, so there
    they are ordered by stage (the same rule as :data:`ENGINE_ORDER`). A polars LazyFrame
    keeps its row order through this select and collect, so it is treated like an eager frame
    and agrees with it.
    """
    selected = _frame.collect(selected_frame)
    lazy = isinstance(selected_frame, nw.LazyFrame) and not selected_frame.implementation.is_polars()
    keys = [CUSTOMER, *ENGINE_ORDER, ROW] if lazy else [CUSTOMER, TIME, ROW]
    ordered = selected.with_row_index(ROW).sort(keys).drop(ROW).with_row_index(POS)
    starts = _frame.fill_missing(nw.col(CUSTOMER) != nw.col(CUSTOMER).shift(1), True)
    ordered = ordered.with_columns(starts.alias(FIRST)).with_columns(
        (nw.col(FIRST).cast(nw.Int64).cum_sum() - 1).alias(CIDX))
    return Events(ordered, stage, selected.implementation)


def _shifted(column: str, steps: int, partition: Sequence[str]) -> nw.Expr:
    """``column`` ``steps`` rows away (negative: ahead) within the same partition, else null.

    Valid on the sorted log, where each partition (customer, or customer and session) is one
    run of rows.
    """
    same = None
    for key in partition:
        equal = nw.col(key).shift(steps) == nw.col(key)
        same = equal if same is None else same & equal
    assert same is not None
    return nw.when(same).then(nw.col(column).shift(steps))


def ahead(column: str, steps: int = 1, partition: Sequence[str] = (CIDX,)) -> nw.Expr:
    """The value ``steps`` events later of the same customer (or partition), else null."""
    return _shifted(column, -steps, partition)


def behind(column: str, steps: int = 1, partition: Sequence[str] = (CIDX,)) -> nw.Expr:
    """The value ``steps`` events earlier of the same customer (or partition), else null."""
    return _shifted(column, steps, partition)


def starts_run(partition: Sequence[str] = (CIDX,)) -> nw.Expr:
    """True at the first row of each partition of the sorted log."""
    return behind(POS, 1, partition).is_null()


def ends_run(partition: Sequence[str] = (CIDX,)) -> nw.Expr:
    """True at the last row of each partition of the sorted log."""
    return ahead(POS, 1, partition).is_null()


def check_names(**roles: Any) -> None:
    """Optional column-name arguments (``session=``, ``touchpoint=``) must be None or a str."""
    for role, name in roles.items():
        if name is not None and not isinstance(name, str):
            raise ColumnTypeError(f"{role} must be a column name (a str) or None, got {name!r}")


def check_steps(events: Events, steps: Sequence[Any], minimum: int = 2,
                role: str = "steps") -> list[Any]:
    """Steps as a list: at least ``minimum``, distinct, each present in the stage column.

    Each step is one stage value (a hashable scalar); a list where a value belongs, or a
    number where a list of steps belongs, raises :class:`ValueRangeError` naming ``role``.
    Presence is checked against the distinct stages in Python, so a step of another type than
    the stage column (``1`` against text stages) is reported as absent on every backend
    rather than failing inside the engine.
    """
    if hasattr(steps, "tolist") and not isinstance(steps, str):  # numpy arrays, Series
        steps = steps.tolist()
    if isinstance(steps, str) or not isinstance(steps, (list, tuple)):
        if minimum > 1 and not isinstance(steps, str):
            raise ValueRangeError(f"{role} must be a list of stage values, got {steps!r}")
        steps = [steps]
    for step in steps:
        if isinstance(step, (list, tuple, set, dict)) or step is None or _missing(step):
            raise ValueRangeError(
                f"{role} must be stage values (not lists, None or NaN), got {step!r}")
    if len(steps) < minimum:
        what = "a funnel needs" if role == "steps" else f"{role} needs"
        raise ValueRangeError(f"{what} at least {minimum} steps, got {len(steps)}: {list(steps)}")
    if len(set(steps)) != len(steps):
        raise ValueRangeError(f"{role} must be distinct stages, got {list(steps)}")
    _checks.present(steps, events.frame[STAGE].unique().to_list(), role,
                     f"stage column {events.stage!r}")
    return list(steps)


def _missing(value: Any) -> bool:
    """NaN, NaT and ``pd.NA`` (whose comparisons are not booleans)."""
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def step_code(steps: Sequence[Any]) -> nw.Expr:
    """Index of each event's stage among ``steps`` (-1 for other stages)."""
    code = nw.lit(-1)
    for k, step in enumerate(steps):
        code = code + (nw.col(STAGE) == step).cast(nw.Int64) * (k + 1)
    return code.cast(nw.Int64)


def with_sessions(frame: nw.DataFrame[Any], partition: Sequence[str], gap: int,
                  name: str, time: str = TIME) -> nw.DataFrame[Any]:
    """Session ids on a frame sorted by ``partition`` then ``TIME``: a session starts at each
    partition's first event and after every gap longer than ``gap`` microseconds (``time``:
    the int64 microsecond column). Ids are
    unique over the frame and increase in row order."""
    previous = behind(time, 1, partition)
    starts = (previous.is_null() | (nw.col(time) - previous > gap)).cast(nw.Int64)
    return frame.with_columns(starts.alias(name)).with_columns(nw.col(name).cum_sum())


def category_codes(frame: nw.DataFrame[Any], column: str) -> tuple[list[Any], nw.Expr]:
    """The sorted distinct values of ``column`` and an expression giving each row's index."""
    names = frame[column].unique().sort().to_list()
    if not names:  # an empty frame: pyarrow cannot replace from an empty (null-typed) list
        return names, nw.lit(0, dtype=nw.Int64)
    return names, nw.col(column).replace_strict(names, list(range(len(names))), return_dtype=nw.Int64)


def first_per_customer(frame: nw.DataFrame[Any], columns: Sequence[str]) -> nw.DataFrame[Any]:
    """Each customer's first event with ``columns``, in customer-ordinal order."""
    return frame.filter(nw.col(FIRST)).select(CUSTOMER, CIDX, POS, *columns)


def customer_positions(table: nw.DataFrame[Any]) -> np.ndarray:
    """The customer ordinals of a per-customer result (rows of the customer table)."""
    return np.asarray(table[CIDX].to_numpy(), dtype=np.int64)
