"""``lifecycle``: new, returning, resurrected and dormant customers per period.

The growth-accounting states of Amplitude's Lifecycle chart (new, current, resurrected,
dormant, and the Pulse ratio; https://amplitude.com/docs/analytics/charts/lifecycle) and of Social Capital's
"quick ratio" (Jonathan Hsu, "Diligence at Social Capital", 2015), on calendar periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics._typing import same_frame
from cxmetrics.errors import DesignError
from cxmetrics.retention import _activity as A

__all__ = ["lifecycle"]

PREVIOUS = "__cx_previous"
FIRST = "__cx_first"
RESULT_COLUMNS = ("period", "active", "new", "returning", "resurrected", "dormant", "quick_ratio")


@same_frame
def lifecycle(
    data: Any,
    *,
    customer: str,
    time: str,
    freq: str = "W",
    stage: str | None = None,
    active: Any = None,
    by: str | Sequence[str] | None = None,
) -> Any:
    """Customers per period by lifecycle state: new, returning, resurrected, dormant.

    A customer is *active* in a period when they have at least one event in it (one whose
    stage is in ``active``, when given). Each period's active customers split into:

    - **new**: the customer's first event of any stage falls in this period (Amplitude counts
      new users by first-seen time, whatever the active event);
    - **returning** (Amplitude's "current"): active in this period and in the one before;
    - **resurrected**: active in this period, not in the one before, and not new.

    **Dormant** customers were active in the period before and not in this one (so
    active(t) = new(t) + returning(t) + resurrected(t) and dormant(t) = active(t - 1) -
    returning(t)). ``quick_ratio`` is (new + resurrected) / dormant, the growth-accounting
    quick ratio (Amplitude's "Pulse"): above 1, the active base grows.

    Parameters
    ----------
    data : DataFrame
        Event or order log (pandas, polars, pyarrow or a lazy frame), reduced in its engine.
    customer, time : str
        Customer id and event time (datetime, date or ISO text; aware times are read in their
        own zone). No missing values.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length: calendar days, weeks starting on Monday, months, quarters, years.
    stage : str, optional
        Stage or event-type column; needed with ``active``.
    active : value or list of values, optional
        The stage values that make a customer active (default: any event).
    by : str or list of str, optional
        Customer properties (one value per customer) to split by.

    Returns
    -------
    DataFrame
        Summary in the caller's library (lazy input: eager result). One row per (group,
        period) from the log's first to its last period, including periods with no activity.
        Columns: the ``by`` columns, ``period`` (period start), ``active``, ``new``,
        ``returning``, ``resurrected``, ``dormant`` (0 in the first period), ``quick_ratio``
        (NaN when nobody went dormant).

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
    ...     "customer": [1, 1, 1, 2, 2, 3],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-22", "2024-01-02",
    ...                             "2024-01-09", "2024-01-16"])})
    >>> cx.lifecycle(log, customer="customer", time="time")
          period  active  new  returning  resurrected  dormant  quick_ratio
    0 2024-01-01       2    2          0            0        0          NaN
    1 2024-01-08       2    0          2            0        0          NaN
    2 2024-01-15       1    1          0            0        2          0.5
    3 2024-01-22       1    0          0            1        1          1.0
    """
    by_list = A.check_by(by, RESULT_COLUMNS)
    log = A.prepare(data, customer=customer, time=time, freq=freq, by=by_list, stage=stage,
                    active=active)
    events = log.frame.filter(nw.col(A.RETURN)) if log.filtered else log.frame
    periods = events.select(A.CUSTOMER, *by_list, A.PERIOD).unique()
    # first seen (any event, as in Amplitude), whatever counts as active
    first = log.frame.group_by(A.CUSTOMER, *by_list, drop_null_keys=False).agg(
        nw.col(A.PERIOD).min().alias(FIRST))
    if log.filtered:  # new = active in the period the customer was first seen
        seen = periods.join(cast(Any, first.drop(*by_list)), on=A.CUSTOMER, how="inner").filter(
            nw.col(A.PERIOD) == nw.col(FIRST)).drop(FIRST)
    else:
        seen = first.rename({FIRST: A.PERIOD})
    new = _frame.collect(_frame.grouped(seen, [*by_list, A.PERIOD], [nw.len().alias(A.N)]))
    n_groups = _frame.count_rows(first) if log.filtered else int(new[A.N].sum())
    if n_groups != log.customers:
        raise DesignError(f"by columns {by_list} must be properties of the customer (one value each); "
                          f"{n_groups - log.customers} extra (customer, group) pairs")
    before = periods.select(A.CUSTOMER, (nw.col(A.PERIOD) + 1).alias(A.PERIOD),
                            nw.lit(1, dtype=nw.Int64).alias(PREVIOUS))
    joined = periods.join(cast(Any, before), on=[A.CUSTOMER, A.PERIOD], how="left").with_columns(
        (~nw.col(PREVIOUS).is_null()).cast(nw.Int64).alias(PREVIOUS))  # flag first: a simple sum
    states = _frame.collect(_frame.grouped(
        joined, [*by_list, A.PERIOD], [nw.len().alias(A.N), nw.col(PREVIOUS).sum()]))
    codes = np.arange(log.first, log.last + 1, dtype=np.int64)
    keys, placed = _frame.expand_grid(
        states, by_list, A.PERIOD, codes,
        {"active": np.asarray(states[A.N].to_numpy(), dtype=np.int64),
         "returning": np.asarray(states[PREVIOUS].to_numpy(), dtype=np.int64)})
    new_rows = A.positions(new, keys, [*by_list, A.PERIOD])
    new_count = np.zeros(len(keys), dtype=np.int64)
    np.add.at(new_count, new_rows, np.asarray(new[A.N].to_numpy(), dtype=np.int64))
    active_count, returning = placed["active"], placed["returning"]
    starts = np.arange(len(keys)) % len(codes) == 0  # each group's first period
    previous_active = np.where(starts, 0, np.roll(active_count, 1))
    dormant = previous_active - returning
    gained = new_count + (active_count - new_count - returning)
    with np.errstate(invalid="ignore", divide="ignore"):
        quick = np.where(dormant > 0, gained / np.maximum(dormant, 1), np.nan)
    frame = A.with_periods(keys.drop(A.PERIOD), log, codes[np.arange(len(keys)) % len(codes)],
                           "period")
    return _frame.to_native(_frame.with_arrays(frame, {
        "active": active_count, "new": new_count, "returning": returning,
        "resurrected": active_count - new_count - returning, "dormant": dormant,
        "quick_ratio": quick}, log.backend))
