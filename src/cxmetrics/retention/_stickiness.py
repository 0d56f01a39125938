"""``stickiness``: DAU/MAU-style ratios, how much of a period its active customers use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _stats, _time
from cxmetrics._typing import same_frame
from cxmetrics.errors import check_choice
from cxmetrics.retention import _activity as A
from cxmetrics.survey._aggregate import check_confidence

__all__ = ["stickiness"]

#: short period -> the longer periods it nests in (weeks straddle months, so they nest in none)
NESTS = {"D": ("W", "M", "Q", "Y"), "M": ("Q", "Y"), "Q": ("Y",)}
DAYS = "__cx_days"
DAYS_SQ = "__cx_days_sq"
RESULT_COLUMNS = ("period", "short_periods", "long_active", "short_active_mean", "stickiness",
                  "ci_low", "ci_high")


@same_frame
def stickiness(
    data: Any,
    *,
    customer: str,
    time: str,
    short: str = "D",
    long: str = "M",
    stage: str | None = None,
    active: Any = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Any:
    """DAU/MAU-style stickiness per long period, with a t interval.

    For each long period (a month, say), ``long_active`` is the number of distinct customers
    active in it (MAU) and ``short_active_mean`` the average number of distinct customers active
    per short period (day) in it (average DAU); ``stickiness`` is their ratio, DAU/MAU. It
    equals the average, over the period's active customers, of the share of its short periods
    each was active in, so its interval is the Student t interval of that mean (the period's
    active customers as the sample).

    The short periods counted are those of the long period that lie between the log's first
    and last event (a month half covered by the data has half its days), so the edges of the
    data are not diluted.

    Parameters
    ----------
    data : DataFrame
        Event or order log (pandas, polars, pyarrow or a lazy frame), reduced in its engine.
    customer, time : str
        Customer id and event time (datetime, date or ISO text). No missing values.
    short, long : str
        The two calendar periods ("D", "W", "M", "Q", "Y"); ``short`` must nest in ``long``:
        D in W, M, Q or Y; M in Q or Y; Q in Y (weeks do not nest in months).
    stage : str, optional
        Stage or event-type column; needed with ``active``.
    active : value or list of values, optional
        The stage values that make a customer active (default: any event).
    by : str or list of str, optional
        Customer properties (one value per customer) to split by.
    confidence : float
        Level of the interval.

    Returns
    -------
    DataFrame
        Summary in the caller's library (lazy input: eager result). One row per (group, long
        period) from the first to the last long period of the log. Columns: the ``by``
        columns, ``period`` (start of the long period), ``short_periods`` (short periods of it
        within the data), ``long_active``, ``short_active_mean``, ``stickiness``, ``ci_low``,
        ``ci_high`` (NaN with fewer than two active customers or no spread).

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.retention` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, missing ids or times a
    :class:`~cxmetrics.errors.MissingValueError`, null ``by`` keys their own group, clashing or
    ``__cx_`` columns a :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({
    ...     "customer": [1, 1, 1, 2, 1],
    ...     "time": pd.to_datetime(["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-02 18:00",
    ...                             "2024-01-03 09:00", "2024-01-04 09:00"])})
    >>> cx.stickiness(log, customer="customer", time="time", short="D", long="W")[
    ...     ["period", "short_periods", "long_active", "short_active_mean", "stickiness"]]
          period  short_periods  long_active  short_active_mean  stickiness
    0 2024-01-01              4            2                1.0         0.5
    """
    check_confidence(confidence)
    check_choice(short, tuple(NESTS), "short")
    check_choice(long, NESTS[short], "long")
    by_list = A.check_by(by, RESULT_COLUMNS)
    log = A.prepare(data, customer=customer, time=time, freq=short, by=by_list, stage=stage,
                    active=active, also=long)
    events = log.frame.filter(nw.col(A.RETURN)) if log.filtered else log.frame
    pairs = events.select(A.CUSTOMER, *by_list, A.LONG, A.PERIOD).unique()
    per_customer = pairs.group_by(A.CUSTOMER, *by_list, A.LONG, drop_null_keys=False).agg(
        nw.len().alias(DAYS)).with_columns((nw.col(DAYS) * nw.col(DAYS)).alias(DAYS_SQ))
    table = _frame.collect(_frame.grouped(per_customer, [*by_list, A.LONG], [
        nw.len().alias(A.N), nw.col(DAYS).sum(), nw.col(DAYS_SQ).sum()]))
    first_long, last_long = (int(c) for c in _time.period_codes_of(
        _time.period_starts(np.array([log.first, log.last]), short), long))
    codes = np.arange(first_long, last_long + 1, dtype=np.int64)
    keys, placed = _frame.expand_grid(table, by_list, A.LONG, codes, {
        "n": np.asarray(table[A.N].to_numpy(), dtype=np.int64),
        "days": np.asarray(table[DAYS].to_numpy(), dtype=float),
        "days_sq": np.asarray(table[DAYS_SQ].to_numpy(), dtype=float)})
    row_codes = codes[np.arange(len(keys)) % len(codes)]
    length = _short_periods(row_codes, short, long, log.first, log.last)
    n, days, days_sq = placed["n"], placed["days"], placed["days_sq"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = days / (n * length)
        variance = (days_sq - days * days / n) / (n - 1.0) / (length * length.astype(float))
        _, low, high = _stats.mean_interval(mean, np.where(variance > 0, variance, np.nan), n,
                                            confidence=confidence)
        columns = {"short_periods": length, "long_active": n, "short_active_mean": days / length,
                   "stickiness": mean, "ci_low": np.clip(low, 0.0, 1.0),
                   "ci_high": np.clip(high, 0.0, 1.0)}
    out = A.with_periods(keys.drop(A.LONG), log, row_codes, "period", freq=long)
    return _frame.to_native(_frame.with_arrays(out, columns, log.backend))


def _short_periods(long_codes: np.ndarray, short: str, long: str, first: int, last: int) -> np.ndarray:
    """How many short periods of each long period lie between short codes ``first`` and
    ``last`` (the log's first and last short periods)."""
    begin = _time.period_codes_of(_time.period_starts(long_codes, long), short)
    end = _time.period_codes_of(_time.period_starts(long_codes + 1, long), short) - 1
    return np.minimum(end, last) - np.maximum(begin, first) + 1
