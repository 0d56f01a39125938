"""``validate_events``: a clean, sorted, optionally sessionised event log and what was fixed."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import narwhals as nw

from cxmetrics import _frame, _time
from cxmetrics.errors import ColumnClashError
from cxmetrics.journey import _log

SESSION = "session"


@dataclasses.dataclass(frozen=True)
class EventReport:
    """What :func:`validate_events` found and did (counts of rows unless said otherwise)."""

    rows: int
    null_customer: int
    null_stage: int
    null_time: int
    unparsable_time: int
    duplicates: int
    kept: int
    customers: int
    sessions: int | None
    was_sorted: bool
    mixed_offsets: bool

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        dropped = self.rows - self.kept
        parts = [f"{self.kept:,} of {self.rows:,} events kept ({dropped:,} dropped: "
                 f"{self.null_customer} without customer, {self.null_stage} without stage, "
                 f"{self.null_time} without time, {self.unparsable_time} with unparsable time, "
                 f"{self.duplicates} duplicates)", f"{self.customers:,} customers"]
        if self.sessions is not None:
            parts.append(f"{self.sessions:,} sessions")
        if not self.was_sorted:
            parts.append("sorted by customer and time")
        if self.mixed_offsets:
            parts.append("times with mixed UTC offsets converted to UTC")
        return "; ".join(parts)


def validate_events(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    session: str | None = None,
    channel: str | None = None,
    device: str | None = None,
    department: str | None = None,
    session_gap: str | None = None,
) -> tuple[Any, EventReport]:
    """Clean an event log: drop and count bad rows, remove duplicates, sort, sessionise.

    * Rows without a customer, stage or time are dropped and counted; text times are parsed
      as ISO-8601, and those that cannot be are dropped and counted. Text mixing UTC offsets
      (``+08:00`` next to ``Z``, or next to times without one) is converted to UTC instants,
      and the report says so; text with one offset throughout (all ``+08:00``, or all ``Z``)
      keeps its wall clock, as a time-zone-aware column is read elsewhere in cxmetrics.
    * Exact duplicates over the named columns (customer, time, stage, session, channel,
      device, department) are dropped, keeping the first.
    * Rows are sorted by customer and time, ties kept in their original order.
    * ``session_gap`` (e.g. ``"30min"``): a new session starts at a customer's first event and
      after every gap longer than that, numbered 1, 2, ... per customer in a ``session``
      column (or the name given as ``session``), the usual web-analytics definition.

    Parameters
    ----------
    data : DataFrame
        The raw log.
    customer, time, stage : str
        Who, when and where.
    session, channel, device, department : str, optional
        Further columns to keep and to compare for duplicates; ``session`` also names the
        session column that ``session_gap`` creates.
    session_gap : str, optional
        Inactivity that ends a session.

    Returns
    -------
    (DataFrame, EventReport)
        The clean log in the caller's library with all its columns (time parsed; the
        ``session`` column added by ``session_gap`` last), sorted; and the report (``rows,
        null_customer, null_stage, null_time, unparsable_time, duplicates, kept, customers,
        sessions, was_sorted, mixed_offsets``).

    Notes
    -----
    Edge inputs: an empty log gives an empty log and a report of zeros; unparsable text times
    are counted and dropped (not an error, this is the cleaning step); pandas object columns of
    dates are dates. A lazy input is read once (the report needs its counts) and the clean log
    comes back as a lazy frame of the same engine. Every caller column is kept, even ones named
    like internal columns (``__cx_row``); ``session_gap`` without ``session`` refuses to
    overwrite an existing ``session`` column (:class:`~cxmetrics.errors.ColumnClashError`),
    while a column named by ``session`` is replaced by the new numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> raw = pd.DataFrame({"customer": [2, 1, 1, 1, None],
    ...                     "time": ["2024-05-01 09:00", "2024-05-01 10:00", "2024-05-01 10:00",
    ...                              "2024-05-01 12:00", "2024-05-01 13:00"],
    ...                     "stage": ["visit", "visit", "visit", "cart", "visit"]})
    >>> log, report = cx.validate_events(raw, customer="customer", time="time", stage="stage",
    ...                                  session_gap="30min")
    >>> report.kept, report.null_customer, report.duplicates, report.sessions
    (3, 1, 1, 3)
    >>> log[["customer", "stage", "session"]]
       customer  stage  session
    0       1.0  visit        1
    1       1.0   cart        2
    2       2.0  visit        1
    """
    _log.check_names(session=session, channel=channel, device=device, department=department)
    attributes = [c for c in (session if session_gap is None else None, channel, device, department) if c]
    frame = _frame.from_native(data)
    _frame.require_columns(frame, {"customer": customer, "time": time, "stage": stage,
                                   "session": session if session_gap is None else None,
                                   "channel": channel, "device": device, "department": department})
    taken = frame.collect_schema().names()
    row, moment_column = _frame.unused_name(_log.ROW, taken), _frame.unused_name(_log.TIME, taken)
    if session is None and session_gap is not None and SESSION in frame.collect_schema().names():
        raise ColumnClashError(
            f"session_gap writes a {SESSION!r} column and the log has one already; pass "
            f"session={SESSION!r} to replace it, another name to write there, or rename it")
    # every column is kept; only the named ones define duplicates
    data = _time.object_times(_frame.collect(frame), time)
    rows = len(data)
    data, unparsable, mixed = _parse_times(data, time)
    counts = data.select(*(nw.col(c).is_null().sum().alias(c) for c in (customer, stage, time))).row(0)
    null_customer, null_stage, null_time = (int(v) for v in counts)
    null_time -= unparsable
    data = data.filter(~nw.col(customer).is_null() & ~nw.col(stage).is_null() & ~nw.col(time).is_null())
    data = data.with_row_index(row)
    key = list(dict.fromkeys([customer, time, stage, *attributes]))
    first = nw.col(row) == nw.col(row).min().over(*key)
    deduplicated = data.filter(first)
    duplicates = len(data) - len(deduplicated)
    moment = _log.instant(deduplicated, time)
    ordered = deduplicated.with_columns(moment.alias(moment_column)).sort([customer, moment_column, row])
    was_sorted = bool((ordered[row].to_numpy()[1:] > ordered[row].to_numpy()[:-1]).all())
    sessions = None
    if session_gap is not None:
        gap = _log.duration_expr(session_gap, "session_gap")
        assert gap is not None
        name = session or SESSION
        ordered = _log.with_sessions(ordered, [customer], gap, name, time=moment_column)
        # per-customer numbers 1, 2, ... from the frame-wide ids
        ordered = ordered.with_columns(nw.col(name) - nw.col(name).min().over(customer) + 1)
        sessions = _count_sessions(ordered, customer, name)
    clean = ordered.drop(row, moment_column)
    report = EventReport(rows=rows, null_customer=null_customer, null_stage=null_stage, null_time=null_time,
                         unparsable_time=unparsable, duplicates=duplicates, kept=len(clean),
                         customers=int(clean[customer].n_unique()), sessions=sessions, was_sorted=was_sorted,
                         mixed_offsets=mixed)
    if isinstance(frame, nw.LazyFrame):  # a per-row result: a lazy input gets a lazy log back
        return _frame.into_engine(clean, frame).to_native(), report
    return _frame.to_native(clean), report


def _count_sessions(frame: nw.DataFrame[Any], customer: str, session: str) -> int:
    return len(frame.select(customer, session).unique())


def _parse_times(data: nw.DataFrame[Any], time: str) -> tuple[nw.DataFrame[Any], int, bool]:
    """Text times parsed leniently: unparsable values become null (and are counted); mixed
    UTC offsets are converted to UTC."""
    if data.collect_schema()[time] != nw.String:
        return data, 0, False
    import pandas as pd

    text = data[time].to_pandas()
    found = text.str.extract(r"(Z|[+-]\d\d:?\d\d)$", expand=False)
    offsets = found.notna()
    # one offset however written: "Z" is +00:00, "+0800" is +08:00
    written = found[offsets].str.replace("Z", "+00:00", regex=False).str.replace(
        r"^([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    without_offset = bool((~offsets[text.notna()]).any())
    mixed = bool(offsets.any()) and (without_offset or bool((written != written.iloc[0]).any()))
    parsed = pd.to_datetime(text, errors="coerce", utc=bool(offsets.any()), format="ISO8601")
    unparsable = int((parsed.isna() & text.notna()).sum())
    if parsed.dt.tz is not None and not mixed:  # one offset throughout: its wall clock, as a zoned column
        hours, minutes = (int(part) for part in written.iloc[0][1:].split(":"))
        sign = -1 if written.iloc[0].startswith("-") else 1
        zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
        parsed = parsed.dt.tz_convert(zone)
        naive = parsed.dt.tz_localize(None)
    else:
        naive = parsed.dt.tz_convert(None) if parsed.dt.tz is not None else parsed
    series = nw.new_series(time, naive.to_numpy().astype("datetime64[us]"), backend=data.implementation)
    return data.with_columns(series), unparsable, mixed
