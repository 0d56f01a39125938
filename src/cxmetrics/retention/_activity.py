"""Frame layer for retention: the log reduced, in its engine, to who was active in which period.

Every retention function starts from :func:`prepare`: one validation pass over the log (missing
ids and times, distinct customers, the first and last period), then narwhals expressions that
keep the log in the caller's engine:

- :func:`customer_cohorts`: one row per (customer, ``by`` groups) with the cohort period;
- :func:`returns_and_cohorts`: the distinct (customer, period) pairs in which a customer did
  something that counts as a return, with the customer's cohort.

Periods are whole-number codes from :func:`cxmetrics._time.period_code` (calendar days, weeks
starting on Monday, months, quarters, years of the wall-clock time: an aware time is read in
its own zone), so "period N of a cohort" is a subtraction and consecutive periods differ by one.
Only the small tables made from these (counts per cohort and period) are collected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, cast

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _time
from cxmetrics.errors import (
    ColumnClashError,
    CXMetricsError,
    DesignError,
    MissingValueError,
    check_choice,
    format_examples,
)

CUSTOMER = "__cx_customer"
PERIOD = "__cx_period"
RETURN = "__cx_return"
COHORT = "__cx_cohort"
COHORT_TIME = "__cx_cohort_time"
OFFSET = "__cx_offset"
LONG = "__cx_long"
N = "__cx_n"


@dataclasses.dataclass(frozen=True)
class Log:
    """The narrowed log (still lazy for a lazy input) and what the validation pass found."""

    frame: _frame.Frame  # CUSTOMER, by columns, PERIOD, [RETURN], [LONG], [COHORT_TIME]
    by: list[str]
    freq: str
    zone: str | None
    first: int  # period code of the earliest event
    last: int  # period code of the latest event: the last observable period
    customers: int  # distinct customers
    filtered: bool  # whether RETURN flags the events that count as a return
    cohort_column: str | None
    backend: Any  # the library summaries come back in


def check_by(by: str | Sequence[str] | None, reserved: Sequence[str]) -> list[str]:
    """``by`` as a list, refusing names that clash with result or internal (``__cx_``) columns."""
    by_list = _frame.as_list(by)
    clash = [b for b in by_list if b in reserved]
    if clash:
        raise ColumnClashError(f"by columns {clash} clash with the result's columns {list(reserved)}")
    internal = [b for b in by_list if b.startswith("__cx_")]
    if internal:
        raise ColumnClashError(
            f"by columns {internal} start with '__cx_', the prefix cxmetrics keeps for its internal "
            f"columns; rename them first")
    return by_list


def prepare(
    data: Any,
    *,
    customer: str,
    time: str,
    freq: str,
    by: list[str],
    stage: str | None = None,
    active: Any = None,
    cohort: str = "first",
    also: str | None = None,
) -> Log:
    """Validate the log and narrow it to the internal columns, left in its engine; with
    ``also``, the period code of that frequency too (column :data:`LONG`)."""
    check_choice(freq, _time.FREQUENCIES, "freq")
    frame = _frame.from_native(data)
    if active is not None and stage is None:
        raise CXMetricsError("active names stage values; give the stage column with stage=")
    cohort_column = None if cohort == "first" else cohort
    if not isinstance(cohort, str):
        raise CXMetricsError(f"cohort must be 'first' or a column name, got {cohort!r}")
    _frame.require_columns(frame, {"customer": customer, "time": time, "stage": stage, "by": by,
                                   "cohort": cohort_column})
    if time in by or customer in by:
        raise CXMetricsError(f"by must name customer properties, not the customer or time column: {by}")
    for group_column in by:
        _frame.require_one_kind(frame, group_column, "by")
    frame = _time.parse_times(frame, time)
    period, zone = _time.period_code(frame, time, freq, check_missing=False)
    columns = [nw.col(customer).alias(CUSTOMER), *(nw.col(b) for b in by), period.alias(PERIOD)]
    if active is not None:
        values = [active] if isinstance(active, str) or not isinstance(active, Sequence) else list(active)
        if not values:
            raise CXMetricsError("active must name at least one stage value")
        assert stage is not None
        stages = _frame.collect(frame.select(stage).unique())[stage].to_list()
        _checks.comparable(values, stages, "active", f"stage column {stage!r}")
        columns.append(nw.col(stage).is_in(values).fill_null(value=False).alias(RETURN))
    if also is not None:
        columns.append(_time.period_code(frame, time, also, check_missing=False)[0].alias(LONG))
    if cohort_column is not None:
        frame = _time.parse_times(frame, cohort_column)
        start, _ = _time.period_code(frame, cohort_column, freq, check_missing=False)
        columns.append(start.alias(COHORT_TIME))
    wall, _ = _time.wall_clock(frame, time, check_missing=False)
    # one pass over the caller's columns (the period codes cannot be formed where times are missing)
    found = _frame.collect(frame.select(
        _frame.count_true(nw.col(customer).is_null()).alias("customer"),
        _frame.count_true(nw.col(time).is_null()).alias("time"),
        nw.col(customer).n_unique().alias("customers"),
        wall.min().alias("first"),
        wall.max().alias("last"),
        _frame.count_true(nw.col(cohort_column or time).is_null()).alias("cohort"),
    )).row(0)
    checked = (("customer", customer, found[0]), ("time", time, found[1]),
               ("cohort", cohort_column, found[5]))
    for role, column, missing in checked:
        if missing:
            raise MissingValueError(
                f"{role} column {column!r} has {missing} missing values; every event needs a "
                f"{role} (drop or fill those rows first)")
    if found[3] is None or found[3] != found[3]:  # None, or NaT
        raise DesignError("the log has no events")
    first, last = (int(c) for c in _time.period_codes_of(
        np.array([found[3], found[4]], dtype="datetime64[us]"), freq))
    narrow = frame.select(*columns)
    # n_unique counts a null customer as a value on some engines; none are left here
    return Log(narrow, by, freq, zone, first, last, int(found[2]),
               active is not None, cohort_column, _frame.eager_implementation(frame))


def customer_cohorts(log: Log) -> _frame.Frame:
    """One row per customer (and ``by`` groups): CUSTOMER, by columns, COHORT (period code).

    The cohort is the customer's first event period, or the earliest period of the cohort
    column over the customer's rows.
    """
    source = COHORT_TIME if log.cohort_column is not None else PERIOD
    return log.frame.group_by(CUSTOMER, *log.by, drop_null_keys=False).agg(
        nw.col(source).min().alias(COHORT))


def cohort_sizes(log: Log, cohorts: _frame.Frame) -> nw.DataFrame[Any]:
    """Customers per (by groups, cohort), collected and sorted; checks that every customer has
    one cohort and one group."""
    sizes = _frame.collect(_frame.grouped(cohorts, [*log.by, COHORT], [nw.len().alias(N)]))
    total = int(sizes[N].sum()) if len(sizes) else 0
    if total != log.customers:
        counted = cohorts.group_by(CUSTOMER).agg(nw.len().alias(N)).filter(nw.col(N) > 1)
        examples = _frame.collect(counted.select(CUSTOMER).head(5))[CUSTOMER].to_list()
        raise DesignError(
            f"by columns {log.by} must be properties of the customer (one value each); "
            f"{total - log.customers} extra (customer, group) pairs, for customers "
            f"{format_examples(examples)}")
    return sizes


def returns_and_cohorts(log: Log) -> tuple[_frame.Frame, _frame.Frame]:
    """Each customer's cohort (:func:`customer_cohorts`) and the distinct periods in which they
    returned, with the offset ``OFFSET`` = period - cohort (0 = the cohort period); periods
    before the cohort are left out. Returns (cohorts, returns); the returns have the columns
    CUSTOMER, by columns, COHORT, OFFSET.

    When every event counts and cohorts come from the first event, the cohorts are found from
    the distinct (customer, period) pairs, which are fewer than the events.
    """
    events = log.frame.filter(nw.col(RETURN)) if log.filtered else log.frame
    active = events.select(CUSTOMER, PERIOD).unique()
    if log.filtered or log.cohort_column is not None or log.by:
        cohorts = customer_cohorts(log)
    else:
        cohorts = active.group_by(CUSTOMER).agg(nw.col(PERIOD).min().alias(COHORT))
    joined = active.join(cast(Any, cohorts), on=CUSTOMER, how="inner")
    returns = joined.with_columns((nw.col(PERIOD) - nw.col(COHORT)).alias(OFFSET)).filter(
        nw.col(OFFSET) >= 0).select(CUSTOMER, *log.by, COHORT, OFFSET)
    return cohorts, returns


def with_periods(frame: nw.DataFrame[Any] | None, log: Log, codes: np.ndarray, name: str,
                 freq: str | None = None) -> nw.DataFrame[Any]:
    """``frame`` (or a new frame) with period codes as a column of period starts, read in the
    time column's zone when it had one (like the trends)."""
    series = nw.new_series(name, _time.period_starts(codes, freq or log.freq), backend=log.backend)
    out = (frame.with_columns(series) if frame is not None
           else nw.from_dict({name: series}, backend=log.backend))
    return out.with_columns(nw.col(name).dt.replace_time_zone(log.zone)) if log.zone else out


def positions(table: nw.DataFrame[Any], keys: nw.DataFrame[Any], columns: list[str]) -> np.ndarray:
    """Row of ``keys`` holding each row's values of ``columns`` (-1 when absent); null keys
    match each other, as in the group-by."""
    import pandas as pd

    if len(table) == 0:
        return np.zeros(0, dtype=np.int64)

    def index(frame: nw.DataFrame[Any]) -> Any:
        native = frame.select(columns).to_pandas()
        return pd.MultiIndex.from_frame(native) if len(columns) > 1 else pd.Index(native[columns[0]])

    return np.asarray(index(keys).get_indexer(index(table)), dtype=np.int64)


def whole_number(value: Any, name: str, minimum: int = 0) -> int:
    """A whole number at least ``minimum`` (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise CXMetricsError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)
