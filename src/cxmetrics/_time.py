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
#: Calendar periods of trends and cohorts: days, weeks (Monday first), months, quarters, years.
FREQUENCIES = ("D", "W", "M", "Q", "Y")
MICROSECONDS_PER_DAY = 86_400_000_000
_EPOCH = dt.datetime(1970, 1, 1)


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
        missing = _frame.count_true(nw.col(time).is_null()).alias("k")
        n_null = int(_frame.collect(frame.select(missing))["k"][0])
        raise_if_missing(n_null, time, "time")
    return column, zone


def raise_if_missing(n_missing: int, column: str, role: str) -> None:
    """Raise :class:`MissingValueError` when a required column has missing values."""
    if n_missing:
        raise MissingValueError(
            f"{role} column {column!r} has {n_missing} missing values; every row needs a {role} "
            f"(drop or fill those rows first)"
        )


def microseconds(column: nw.Expr, frame: _frame.Frame) -> nw.Expr:
    """Wall-clock microseconds since 1970-01-01 as int64 (exact, cheap to aggregate).

    ``column`` is a naive datetime expression over ``frame``. narwhals' ``dt.timestamp`` is
    missing on DuckDB and Spark, so those engines get an equivalent each supports: DuckDB the
    microseconds of the interval since the epoch; Spark the calendar fields, because a naive
    Spark timestamp only converts to a number through the session's time zone.
    """
    implementation = frame.implementation
    if implementation.is_duckdb():
        return (column - nw.lit(_EPOCH)).dt.total_microseconds().cast(nw.Int64)
    if implementation.is_spark_like():
        return _microseconds_from_fields(column)
    return column.dt.timestamp("us")


def _microseconds_from_fields(column: nw.Expr) -> nw.Expr:
    """Microseconds since 1970 from year, month, day, hour, minute, second and microsecond.

    Days come from Hinnant's ``days_from_civil`` (proleptic Gregorian, exact in integers;
    http://howardhinnant.github.io/date_algorithms.html), valid for years 0 and later.
    """
    year, month = column.dt.year().cast(nw.Int64), column.dt.month().cast(nw.Int64)
    march_year = year - (month <= 2).cast(nw.Int64)
    era = march_year // 400
    year_of_era = march_year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + column.dt.day().cast(nw.Int64) - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    # Spark signs the sub-second part like the instant; the modulo keeps it in 0..999999
    fraction = (column.dt.microsecond().cast(nw.Int64) % 1_000_000 + 1_000_000) % 1_000_000
    clock = (column.dt.hour().cast(nw.Int64) * 3600 + column.dt.minute().cast(nw.Int64) * 60
             + column.dt.second().cast(nw.Int64))
    return (days * 86_400 + clock) * 1_000_000 + fraction


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


def in_zone(wall: nw.Expr, zone: str | None) -> nw.Expr:
    """A naive wall-clock datetime expression read back in ``zone`` when there is one."""
    return wall if zone is None else wall.dt.replace_time_zone(zone)


def as_naive_datetime(microsecond: int) -> dt.datetime:
    """Wall-clock microseconds as a naive :class:`datetime.datetime`."""
    return _EPOCH + dt.timedelta(microseconds=microsecond)


def start_of_day(microsecond: int) -> int:
    """The wall-clock midnight at or before ``microsecond``."""
    return microsecond - microsecond % MICROSECONDS_PER_DAY


def period_code(
    frame: _frame.Frame, time: str, freq: str, *, check_missing: bool = True
) -> tuple[nw.Expr, str | None]:
    """Each row's period as a whole-number code (see :func:`period_starts`).

    Codes use only arithmetic and the year and month of the wall-clock time, which every
    engine has; ``dt.truncate`` to months or weeks is missing in some (Dask, DuckDB, Spark).
    Codes of consecutive periods differ by one. ``check_missing`` as in :func:`wall_clock`.
    """
    column, zone = wall_clock(frame, time, check_missing=check_missing)
    if freq in ("D", "W"):
        days = microseconds(column, frame) // MICROSECONDS_PER_DAY
        # 1970-01-01 was a Thursday: shift by three days so weeks start on Mondays
        code = days if freq == "D" else (days + 3) // 7
    else:
        year, month = column.dt.year().cast(nw.Int64) - 1970, column.dt.month().cast(nw.Int64) - 1
        code = {"M": year * 12 + month, "Q": year * 4 + month // 3, "Y": year}[freq]
    return code.cast(nw.Int64), zone


def period_starts(codes: np.ndarray, freq: str) -> np.ndarray:
    """The first moment of each period code of :func:`period_code`."""
    codes = np.asarray(codes, dtype=np.int64)
    if freq in ("D", "W"):
        days = codes if freq == "D" else codes * 7 - 3
        return days.astype("datetime64[D]").astype("datetime64[us]")
    if freq == "Y":
        return codes.astype("datetime64[Y]").astype("datetime64[us]")
    months = codes * 3 if freq == "Q" else codes
    return months.astype("datetime64[M]").astype("datetime64[us]")


def period_codes_of(moments: np.ndarray, freq: str) -> np.ndarray:
    """The period codes of numpy datetimes (the inverse of :func:`period_starts`)."""
    moments = np.asarray(moments).astype("datetime64[us]")
    if freq in ("D", "W"):
        days = moments.astype("datetime64[D]").astype(np.int64)
        return days if freq == "D" else (days + 3) // 7
    if freq == "Y":
        return moments.astype("datetime64[Y]").astype(np.int64)
    months = moments.astype("datetime64[M]").astype(np.int64)
    return months // 3 if freq == "Q" else months


def period_range(first: np.datetime64, last: np.datetime64, freq: str) -> np.ndarray:
    """Every period start from ``first`` to ``last`` (both already period starts)."""
    if freq in ("D", "W"):
        step = np.timedelta64(7 if freq == "W" else 1, "D")
        return np.arange(first, last + step, step).astype("datetime64[us]")
    unit = "Y" if freq == "Y" else "M"
    step_count = 3 if freq == "Q" else 1
    return np.arange(first.astype(f"datetime64[{unit}]"), last.astype(f"datetime64[{unit}]") + 1,
                     step_count).astype("datetime64[us]")
