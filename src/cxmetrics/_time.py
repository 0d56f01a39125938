"""Time columns and the one duration language.

Customer-value and trend functions work on *wall-clock* time: a time-zone-aware column is read
in its own zone (a purchase at 23:30 in Shanghai belongs to that Shanghai day), so day
boundaries are the customer's, not UTC's. Durations are computed from microseconds since the
epoch of the wall-clock time and reported in a :data:`UNIT_MICROSECONDS` unit.

Durations
---------
Every window, gap and look-ahead argument (``window=``, ``step_window=``, ``session_gap=``,
``repeat_window=``, ``within=`` ...) is read by :func:`parse_duration`, which accepts

- a :class:`datetime.timedelta` (so also a :class:`pandas.Timedelta`) or a
  :class:`numpy.timedelta64`;
- a string of one or more ``<number><unit>`` parts, such as ``"30min"``, ``"7D"``,
  ``"1h30min"`` or ``"1.5h"``, with the units of :data:`UNIT_MICROSECONDS`
  (``us ms s min h D W``; ``d`` and ``w`` are read as ``D`` and ``W``).

A bare number is an error (``window=30``: 30 what?) unless the argument names its unit. Calendar
months, quarters and years are not durations (their length varies); they are trend periods
(``freq=``). Every ``unit=`` argument that says how a duration is *reported* takes a key of the
same table.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import (
    ColumnTypeError,
    MissingValueError,
    OptionError,
    ValueRangeError,
    format_examples,
)

#: Calendar periods of trends and cohorts: days, weeks (Monday first), months, quarters, years.
FREQUENCIES = ("D", "W", "M", "Q", "Y")
MICROSECONDS_PER_DAY = 86_400_000_000
#: The one unit table: microseconds in each unit every duration and ``unit=`` argument uses
#: (weeks are 7 days, as in the BTYD papers).
UNIT_MICROSECONDS: dict[str, int] = {
    "us": 1,
    "ms": 1_000,
    "s": 1_000_000,
    "min": 60_000_000,
    "h": 3_600_000_000,
    "D": MICROSECONDS_PER_DAY,
    "W": 7 * MICROSECONDS_PER_DAY,
}
#: The longest duration accepted: 2**62 microseconds (about 146,000 years), so that a time
#: plus a duration never overflows int64 microseconds.
MAX_MICROSECONDS = 2**62
#: The same table in days.
UNITS = {name: micro / MICROSECONDS_PER_DAY for name, micro in UNIT_MICROSECONDS.items()}
_UNIT_ALIASES = {"d": "D", "w": "W"}
_EPOCH = dt.datetime(1970, 1, 1)
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"\s*({_NUMBER})\s*(us|ms|min|s|h|D|d|W|w)\s*")
_DURATION = re.compile(rf"(?:{_PART.pattern})+")


def unit_microseconds(unit: Any, name: str = "unit") -> int:
    """Microseconds per ``unit`` (a key of :data:`UNIT_MICROSECONDS`, or ``"d"``/``"w"`` as in
    durations such as ``"30d"``); else :class:`OptionError`."""
    if isinstance(unit, str):
        unit = _UNIT_ALIASES.get(unit, unit)
    if not isinstance(unit, str) or unit not in UNIT_MICROSECONDS:
        raise OptionError(f"{name}={unit!r} is not one of {list(UNIT_MICROSECONDS)} (or 'd', 'w')")
    return UNIT_MICROSECONDS[unit]


def unit_days(unit: Any, name: str = "unit") -> float:
    """Days per ``unit`` (a key of :data:`UNIT_MICROSECONDS`); else :class:`OptionError`."""
    return unit_microseconds(unit, name) / MICROSECONDS_PER_DAY


def parse_duration(value: Any, name: str, *, unit: str | None = None) -> int:
    """A duration in whole microseconds, in the one grammar of this module's docstring.

    ``unit`` is given only by an argument whose name says its unit (``horizon_days``); then a
    bare number counts that unit. Otherwise a number is refused, as are booleans, NaT, zero
    and negative durations; every error is a :class:`ValueRangeError` naming ``name``.
    """
    import numpy as _np

    example = "a duration such as '30min', '2h', '7D' or datetime.timedelta(days=7)"
    if isinstance(value, bool) or value is None:
        raise ValueRangeError(f"{name} must be {example}, got {value!r}")
    micro: float
    if isinstance(value, dt.timedelta):
        if value != value:  # pandas NaT
            raise ValueRangeError(f"{name} must be {example}, got NaT")
        micro = value / dt.timedelta(microseconds=1)
    elif isinstance(value, _np.timedelta64):
        if _np.isnat(value):
            raise ValueRangeError(f"{name} must be {example}, got NaT")
        micro = float(value / _np.timedelta64(1, "us"))
    elif isinstance(value, str):
        if not _DURATION.fullmatch(value):
            raise ValueRangeError(
                f"{name} must be {example} (units: {', '.join(UNIT_MICROSECONDS)}; months, "
                f"quarters and years have no fixed length), got {value!r}")
        micro = sum(float(number) * UNIT_MICROSECONDS[_UNIT_ALIASES.get(part, part)]
                    for number, part in _PART.findall(value))
    elif isinstance(value, (int, float, _np.integer, _np.floating)):
        if unit is None:
            raise ValueRangeError(
                f"{name}={value!r} is a bare number with no unit; give {example}")
        if not _np.isfinite(value):
            raise ValueRangeError(f"{name} must be a finite number of {unit}, got {value!r}")
        micro = float(value) * unit_microseconds(unit)
    else:
        raise ValueRangeError(f"{name} must be {example}, got {type(value).__name__}")
    if not micro > 0:
        raise ValueRangeError(f"{name} must be a positive duration, got {value!r}")
    if micro > MAX_MICROSECONDS:
        raise ValueRangeError(
            f"{name}={value!r} is longer than any time column can span (at most "
            f"{MAX_MICROSECONDS // UNIT_MICROSECONDS['W']:,} weeks)")
    return round(micro)


#: The text times every engine reads alike: ISO 8601 dates and datetimes (a space or T between
#: date and time, optional seconds and fraction) without a zone; engines disagree on zoned text
#: (pandas reads "…Z" as UTC, polars refuses it), so it is refused everywhere.
ISO_TEXT = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def parse_times(frame: _frame.Frame, time: str) -> _frame.Frame:
    """Return ``frame`` with a text ``time`` column parsed to datetimes (others unchanged).

    Text must be ISO 8601 (:data:`ISO_TEXT`; other formats are refused naming a few values,
    since engines guess them differently); parsing uses the engine's own ISO-8601 inference.
    Unparsable text, and text mixing UTC
    offsets, raise :class:`ColumnTypeError` with the engine's reason and a few values; on a
    lazy frame the parse is run once here, so the error comes now rather than at collect. A
    pandas object column of dates, datetimes or strings is read first (:func:`object_times`).
    """
    frame = object_times(frame, time)
    if frame.collect_schema()[time] != nw.String:
        return frame
    # only ISO 8601 text: engines infer other formats (01/02/2024) each their own way
    not_iso = ~nw.col(time).is_null() & ~nw.col(time).str.contains(ISO_TEXT)
    n_bad = int(_frame.collect(frame.select(_frame.count_true(not_iso).alias("k")))["k"][0] or 0)
    if n_bad:
        examples = _frame.collect(frame.filter(not_iso).select(nw.col(time)).head(3))[time].to_list()
        raise ColumnTypeError(
            f"time column {time!r} could not be parsed as dates or times: {n_bad} values are not "
            f"ISO 8601 text without a zone (YYYY-MM-DD, optionally ' HH:MM[:SS]' or 'THH:MM[:SS]'): "
            f"{format_examples(examples)}. Parse it yourself (pandas.to_datetime, with utc=True "
            f"for zoned text, or polars' str.to_datetime with a format)")
    try:
        parsed = frame.with_columns(nw.col(time).str.to_datetime())
        if isinstance(parsed, nw.DataFrame):
            parsed.collect_schema()
        else:  # a lazy engine parses only when asked: ask now, in one small aggregation
            _frame.collect(parsed.select(nw.col(time).is_null().sum()))
    except Exception as exc:  # engines raise their own types; the caller wants one
        examples = _frame.collect(frame.select(nw.col(time)).head(3))[time].to_list()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ColumnTypeError(
            f"time column {time!r} could not be parsed as dates or times ({reason}); first "
            f"values: {format_examples(examples)}. Parse it yourself (pandas.to_datetime with "
            f"utc=True for mixed offsets, or polars' str.to_datetime with a format)"
        ) from exc
    return parsed


def object_times(frame: _frame.Frame, time: str) -> _frame.Frame:
    """A pandas object ``time`` column as datetimes (dates, datetimes, pandas Timestamps) or
    as text (strings, parsed later); other engines type such columns already.

    Missing values stay missing. A column mixing other kinds of values raises
    :class:`ColumnTypeError` naming the kinds and a few values. The caller's frame is not
    modified (a new column is made).
    """
    if frame.collect_schema()[time] != nw.Object or not isinstance(frame, nw.DataFrame):
        return frame
    import pandas as pd

    column = frame[time].to_pandas()
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind == "string":
        return frame.with_columns(nw.col(time).cast(nw.String))
    if kind in ("date", "datetime", "datetime64", "empty"):
        try:
            converted = pd.to_datetime(column)
        except (TypeError, ValueError) as exc:  # mixed time zones
            raise ColumnTypeError(
                f"time column {time!r} holds datetimes that pandas cannot put in one column "
                f"({str(exc).splitlines()[0]}); convert them with pandas.to_datetime(utc=True)"
            ) from exc
        return frame.with_columns(nw.new_series(time, converted, backend=frame.implementation))
    examples = column.dropna().head(3).tolist()
    raise ColumnTypeError(
        f"time column {time!r} must hold dates or datetimes, got an object column of {kind} "
        f"values: {format_examples(examples)}")


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
