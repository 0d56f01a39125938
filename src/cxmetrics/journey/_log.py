"""Frame layer for journeys: one validated, sorted copy of the event log.

Every journey function starts here. The log is reduced to internal columns — customer, time
as int64 microseconds, stage, and the attribute columns asked for — sorted once by
(customer, time, original row order), with each row's position in that order. Later passes
are narwhals expressions over this frame: filters, joins of per-customer tables, and shifts
within customer (``over(customer, order_by=position)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _time
from cxmetrics.errors import ColumnTypeError, MissingValueError, ValueRangeError

CUSTOMER = "__cx_customer"
TIME = "__cx_time"
STAGE = "__cx_stage"
POS = "__cx_pos"
ROW = "__cx_row"

#: Microseconds per unit of the durations journey functions report.
UNIT_MICROSECONDS = {"s": 1e6, "min": 60e6, "h": 3600e6, "D": 86400e6}


@dataclasses.dataclass(frozen=True)
class Events:
    """The sorted log: internal columns plus the attribute columns, eager."""

    frame: nw.DataFrame[Any]
    customer: str
    stage: str
    attributes: list[str]
    backend: Any

    def __len__(self) -> int:
        return len(self.frame)


def duration_expr(text: str | None, role: str) -> int | None:
    """A duration like "30min", "7D", "2h" (pandas offset aliases) in microseconds."""
    if text is None:
        return None
    import pandas as pd

    try:
        delta = pd.Timedelta(text)
    except (ValueError, TypeError) as exc:
        raise ValueRangeError(
            f"{role} must be a duration such as '30min', '2h' or '7D', got {text!r}") from exc
    if delta <= pd.Timedelta(0):
        raise ValueRangeError(f"{role} must be positive, got {text!r}")
    return int(delta / pd.Timedelta(microseconds=1))


def check_unit(unit: str) -> float:
    if unit not in UNIT_MICROSECONDS:
        raise ValueRangeError(f"unit must be one of {list(UNIT_MICROSECONDS)}, got {unit!r}")
    return UNIT_MICROSECONDS[unit]


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
    return _time.microseconds(column)


def prepare(events: Any, *, customer: str, time: str, stage: str,
            attributes: Sequence[str] = (), name: str = "events") -> Events:
    """Validate and sort the log once; missing ids, stages or times are errors here."""
    frame = _frame.from_native(events, name=name)
    attributes = [a for a in dict.fromkeys(attributes) if a not in (customer, time, stage)]
    _frame.require_columns(frame, {"customer": customer, "time": time, "stage": stage,
                                   "attribute": attributes})
    frame = _time.parse_times(frame, time)
    moment = instant(frame, time)
    counts = _frame.collect(frame.select(
        nw.col(customer).is_null().sum().alias("customer"),
        nw.col(stage).is_null().sum().alias("stage"),
        nw.col(time).is_null().sum().alias("time"),
    )).row(0)
    for (role, column), missing in zip((("customer", customer), ("stage", stage), ("time", time)), counts,
                                       strict=True):
        if missing:
            raise MissingValueError(
                f"{role} column {column!r} has {missing} missing values; clean the log with "
                f"cx.validate_events (it drops and reports them) or fill them first")
    selected = _frame.collect(frame.select(
        nw.col(customer).alias(CUSTOMER), moment.alias(TIME), nw.col(stage).alias(STAGE),
        *(nw.col(a) for a in attributes)))
    ordered = selected.with_row_index(ROW).sort([CUSTOMER, TIME, ROW]).drop(ROW).with_row_index(POS)
    return Events(ordered, customer, stage, attributes, selected.implementation)


def check_steps(events: Events, steps: Sequence[Any], minimum: int = 2) -> list[Any]:
    """Steps as a list: at least ``minimum``, distinct, each present in the stage column."""
    steps = list(steps) if not isinstance(steps, str) else [steps]
    if len(steps) < minimum:
        raise ValueRangeError(f"a funnel needs at least {minimum} steps, got {len(steps)}: {steps}")
    if len(set(steps)) != len(steps):
        raise ValueRangeError(f"steps must be distinct, got {steps}")
    present = set(events.frame.filter(nw.col(STAGE).is_in(steps))[STAGE].unique().to_list())
    absent = [s for s in steps if s not in present]
    if absent:
        raise ValueRangeError(f"steps {absent} do not occur in stage column {events.stage!r}")
    return steps


def step_code(steps: Sequence[Any]) -> nw.Expr:
    """Index of each event's stage among ``steps`` (-1 for other stages)."""
    code = nw.lit(-1)
    for k, step in enumerate(steps):
        code = code + (nw.col(STAGE) == step).cast(nw.Int64) * (k + 1)
    return code.cast(nw.Int64)


def with_sessions(frame: nw.DataFrame[Any], customer: str, order: str | list[str], gap: int,
                  name: str) -> nw.DataFrame[Any]:
    """Number each customer's sessions 1, 2, ...: a session starts at the first event and after
    every gap in ``TIME`` longer than ``gap`` microseconds (``frame`` sorted by ``order``)."""
    previous = nw.col(TIME).shift(1).over(customer, order_by=order)
    starts = (previous.is_null() | (nw.col(TIME) - previous > gap)).cast(nw.Int64)
    numbered = nw.col(name).cum_sum().over(customer, order_by=order)
    return frame.with_columns(starts.alias(name)).with_columns(numbered)


def category_codes(frame: nw.DataFrame[Any], column: str) -> tuple[list[Any], nw.Expr]:
    """The sorted distinct values of ``column`` and an expression giving each row's index."""
    names = frame[column].unique().sort().to_list()
    return names, nw.col(column).replace_strict(names, list(range(len(names))), return_dtype=nw.Int64)


def first_per_customer(frame: nw.DataFrame[Any], columns: Sequence[str]) -> nw.DataFrame[Any]:
    """Each customer's first event (lowest position) with ``columns``, sorted by customer."""
    first = frame.filter(nw.col(POS) == nw.col(POS).min().over(CUSTOMER))
    return first.select(CUSTOMER, POS, *columns).sort(POS)


def customer_index(customers: nw.DataFrame[Any], table: nw.DataFrame[Any]) -> np.ndarray:
    """Positions in ``customers`` (one row per customer, with POS of its first event) of each
    row of ``table`` (a per-customer result)."""
    keyed = customers.select(CUSTOMER).with_row_index("__cx_index")
    joined = table.select(CUSTOMER).with_row_index("__cx_order").join(keyed, on=CUSTOMER, how="left")
    return np.asarray(joined.sort("__cx_order")["__cx_index"].to_numpy(), dtype=np.int64)
