"""Time columns: parsing, time zones, and durations in days.

Customer-value and trend functions work on *wall-clock* time: a time-zone-aware column is read
in its own zone (a purchase at 23:30 in Shanghai belongs to that Shanghai day), so day
boundaries are the customer's, not UTC's. Durations are computed from microseconds since the
epoch of the wall-clock time and reported in days or another :data:`UNITS` unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import ColumnTypeError, MissingValueError, ValueRangeError, format_examples

#: Length of each supported time unit in days (weeks are 7 days, as in the BTYD papers).
UNITS = {"h": 1.0 / 24.0, "D": 1.0, "W": 7.0}
MICROSECONDS_PER_DAY = 86_400_000_000


def unit_days(unit: str) -> float:
    """Days per ``unit``; raise :class:`ValueRangeError` for an unknown unit."""
    if unit not in UNITS:
        raise ValueRangeError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    return UNITS[unit]


def parse_times(frame: _frame.Frame, time: str) -> _frame.Frame:
    """Return ``frame`` with a text ``time`` column parsed to datetimes (others unchanged).

    Parsing uses the engine's own ISO-8601 inference. Unparsable text, and text mixing UTC
    offsets, raise :class:`ColumnTypeError` with the engine's reason and a few values.
    """
    if frame.collect_schema()[time] != nw.String:
        return frame
    try:
        parsed = frame.with_columns(nw.col(time).str.to_datetime())
        if isinstance(parsed, nw.DataFrame):
            parsed.collect_schema()
    except Exception as exc:  # engines raise their own types; the caller wants one
        examples = _frame.collect(frame.select(nw.col(time)).head(3))[time].to_list()
        reason = str(exc).splitlines()[0]
        raise ColumnTypeError(
            f"time column {time!r} could not be parsed as dates or times ({reason}); first "
            f"values: {format_examples(examples)}. Parse it yourself (pandas.to_datetime with "
            f"utc=True for mixed offsets, or polars' str.to_datetime with a format)"
        ) from exc
    return parsed


def wall_clock(
    frame: _frame.Frame, time: str, *, check_missing: bool = True
) -> tuple[nw.Expr, str | None]:
    """The ``time`` column as naive wall-clock datetimes, and its time zone (or None).

    Dates become midnight datetimes. Anything that is not a date or datetime raises
    :class:`ColumnTypeError`; missing times raise :class:`MissingValueError` unless the
    caller checks them itself (``check_missing=False``, to fold the count into its own pass).
    """
    dtype = frame.collect_schema()[time]
    column = nw.col(time)
    zone = None
    if dtype == nw.Date:
        column = column.cast(nw.Datetime("us"))
    elif isinstance(dtype, nw.Datetime):
        zone = dtype.time_zone
        if zone is not None:
            column = column.dt.replace_time_zone(None)
    else:
        raise ColumnTypeError(
            f"time column {time!r} must be a date or datetime, got dtype {dtype}; parse it first "
            f"(for example with pandas.to_datetime or polars' str.to_datetime)"
        )
    if check_missing:
        n_null = int(_frame.collect(frame.select(nw.col(time).is_null().sum().alias("k")))["k"][0])
        raise_if_missing(n_null, time, "time")
    return column, zone


def raise_if_missing(n_missing: int, column: str, role: str) -> None:
    """Raise :class:`MissingValueError` when a required column has missing values."""
    if n_missing:
        raise MissingValueError(
            f"{role} column {column!r} has {n_missing} missing values; every row needs a {role} "
            f"(drop or fill those rows first)"
        )


def microseconds(column: nw.Expr) -> nw.Expr:
    """Wall-clock microseconds since 1970-01-01 as int64 (exact, cheap to aggregate)."""
    return column.dt.timestamp("us")


def to_microseconds(moment: Any, role: str) -> int:
    """A user-supplied instant (str, date, datetime, pandas/numpy timestamp) on the same scale.

    Time-zone-aware instants are read as wall-clock time in their own zone, like the data.
    """
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError as exc:
            raise ColumnTypeError(f"{role} {moment!r} is not an ISO date or datetime") from exc
    if isinstance(moment, np.datetime64):
        return int(moment.astype("datetime64[us]").astype(np.int64))
    if isinstance(moment, dt.datetime):
        naive = moment.replace(tzinfo=None)
        return int((naive - dt.datetime(1970, 1, 1)) / dt.timedelta(microseconds=1))
    if isinstance(moment, dt.date):
        return (moment - dt.date(1970, 1, 1)).days * MICROSECONDS_PER_DAY
    raise ColumnTypeError(
        f"{role} must be a date, datetime or ISO string, got {type(moment).__name__}"
    )


def from_microseconds(values: np.ndarray) -> np.ndarray:
    """Wall-clock microseconds back to numpy ``datetime64[us]``."""
    return np.asarray(values, dtype=np.int64).astype("datetime64[us]")


def as_datetime(micro: nw.Expr, zone: str | None) -> nw.Expr:
    """Wall-clock microseconds back to a datetime expression, in ``zone`` when there is one."""
    moment = micro.cast(nw.Int64).cast(nw.Datetime("us"))
    return moment if zone is None else moment.dt.replace_time_zone(zone)


def start_of_day(microsecond: int) -> int:
    """The wall-clock midnight at or before ``microsecond``."""
    return microsecond - microsecond % MICROSECONDS_PER_DAY
