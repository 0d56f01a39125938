"""Transaction log -> per-customer (frequency, recency, T, monetary) and holdout columns."""

from __future__ import annotations

import warnings
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _time, _transactions
from cxmetrics._typing import same_frame
from cxmetrics.errors import ExcludedDataWarning, ValueRangeError

_PERIOD = "__cx_period"
_FIRST = "__cx_first"
_REPEAT = "__cx_repeat_amount"


@same_frame
def summary_from_transactions(
    data: Any,
    *,
    customer: str,
    time: str,
    amount: str | None = None,
    order: str | None = None,
    as_of: Any = None,
    calibration_end: Any = None,
    unit: str = "W",
    merge_same_period: bool = True,
    nonpositive: str = "exclude",
) -> Any:
    """Summarise a transaction log into the inputs of the BG/NBD-family models.

    Time is continuous in ``unit`` (weeks are days / 7, as in the papers), counted from each
    customer's first purchase. With ``merge_same_period`` (the default, and the papers'
    convention) all purchases on one calendar day are one purchase with the summed amount,
    and times are whole days; without it every row is a purchase at its exact time.

    Parameters
    ----------
    data : DataFrame
        One row per transaction (pandas, polars, pyarrow, or a lazy frame).
    customer, time : str
        Customer id and purchase time (date, datetime or ISO text; time-zone-aware times are
        read on their own wall clock). No missing values.
    amount : str, optional
        Purchase value, for ``monetary``. Amounts of zero or less follow ``nonpositive``
        (default: excluded, with an :class:`~cxmetrics.errors.ExcludedDataWarning`).
    order : str, optional
        Order (basket, invoice) id column: a purchase is then an order, its lines summed and
        dated by its first line, as in :func:`~cxmetrics.rfm_table`. Without it every row is a
        purchase; with ``merge_same_period=False`` a
        :class:`~cxmetrics.errors.LineItemWarning` says so when 10 % or more of the rows share
        their customer and time with another row.
    as_of : date, datetime or ISO str, optional
        End of the observation window. Defaults to the time of the latest purchase (its day when
        merging), the same default as :func:`~cxmetrics.rfm_table`.
        Purchases after it raise :class:`~cxmetrics.errors.ValueRangeError`.
    calibration_end : date, datetime or ISO str, optional
        Split the window: ``frequency``, ``recency``, ``T`` and ``monetary`` describe purchases
        up to and including ``calibration_end``; the holdout columns describe purchases after
        it, up to ``as_of``. It must fall inside the log. Customers whose first purchase is in
        the holdout are excluded, and an :class:`~cxmetrics.errors.ExcludedDataWarning` gives
        their number.
    unit : {"W", "D", "h"}
        Time unit of ``recency``, ``T`` and ``duration_holdout``.
    merge_same_period : bool
        Merge purchases on the same calendar day.
    nonpositive : {"exclude", "keep", "error"}
        Policy for amounts of zero or less.

    Returns
    -------
    DataFrame
        Same library as ``data``, one row per customer sorted by ``customer``:

        - ``customer`` (named as in the input);
        - ``frequency``: number of repeat purchases (purchases after the first), int;
        - ``recency``: time from the first to the last purchase (0 without repeats);
        - ``T``: time from the first purchase to the end of the (calibration) window;
        - ``monetary`` (with ``amount``): mean value of the repeat purchases, 0 without any;
        - with ``calibration_end``: ``frequency_holdout`` (purchases in the holdout),
          ``monetary_holdout`` (their mean value, 0 without any, with ``amount``) and
          ``duration_holdout`` (length of the holdout window).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> tx = pd.DataFrame({
    ...     "id": [1, 1, 1, 1, 2],
    ...     "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-02-12",
    ...                            "2024-01-29"]),
    ...     "spend": [10.0, 5.0, 20.0, 30.0, 8.0],
    ... })
    >>> cx.summary_from_transactions(tx, customer="id", time="day", amount="spend",
    ...                              as_of="2024-02-26")
       id  frequency  recency    T  monetary
    0   1          2      6.0  8.0      25.0
    1   2          0      0.0  4.0       0.0
    >>> split = cx.summary_from_transactions(tx, customer="id", time="day", amount="spend",
    ...                                      calibration_end="2024-01-29")
    >>> split[["id", "frequency", "T", "frequency_holdout", "monetary_holdout", "duration_holdout"]]
       id  frequency    T  frequency_holdout  monetary_holdout  duration_holdout
    0   1          1  4.0                  1              30.0               2.0
    1   2          0  0.0                  0               0.0               2.0
    """
    unit_us = _time.MICROSECONDS_PER_DAY * _time.unit_days(unit)
    prepared = _transactions.prepare(
        data, customer=customer, time=time, amount=amount, nonpositive=nonpositive,
        order=order, check_lines=not merge_same_period,
    )
    periods, window_end = _periods(prepared, merge_same_period, as_of)
    if calibration_end is None:
        return _frame.per_row_result(_calibration(periods, customer, amount, window_end, unit_us))
    cutoff = _time.to_microseconds(calibration_end, "calibration_end")
    if merge_same_period:
        cutoff = _time.start_of_day(cutoff)
    if not prepared.first <= cutoff < window_end:
        first, end, cut = _time.from_microseconds(np.array([prepared.first, window_end, cutoff]))
        raise ValueRangeError(
            f"calibration_end={cut} must fall inside the log, on or after its first purchase "
            f"({first}) and before the end of the window ({end})"
        )
    in_calibration = periods.filter(nw.col(_PERIOD) <= cutoff)
    table = _calibration(in_calibration, customer, amount, cutoff, unit_us)
    holdout = _holdout(periods.filter(nw.col(_PERIOD) > cutoff), customer, amount)
    # both are the same kind of frame (eager or lazy) as periods
    n_late = _frame.count_rows(holdout.join(table.select(customer), on=customer, how="anti"))  # type: ignore[arg-type]
    if n_late:
        warnings.warn(
            f"excluded {n_late} customers whose first purchase is after calibration_end "
            f"(they have no calibration history to predict from)",
            ExcludedDataWarning,
            stacklevel=2,
        )
    table = table.join(holdout, on=customer, how="left").sort(customer)  # type: ignore[arg-type]
    filled = [_frame.fill_missing(nw.col("frequency_holdout"), 0).cast(nw.Int64)]
    if amount is not None:
        filled.append(_frame.fill_missing(nw.col("monetary_holdout"), 0.0))
    duration = nw.lit((window_end - cutoff) / unit_us, dtype=nw.Float64).alias("duration_holdout")
    return _frame.per_row_result(table.with_columns(*filled, duration))


def _periods(prepared: _transactions.Transactions, merge: bool, as_of: Any) -> tuple[_frame.Frame, int]:
    """Purchases as (customer, period[, amount]) and the end of the window, both in microseconds."""
    customer, amount = prepared.customer, prepared.amount
    moment = nw.col(_transactions.TIME_US)
    latest = prepared.latest
    if merge:
        moment = moment - moment % _time.MICROSECONDS_PER_DAY
        latest = _time.start_of_day(latest)
    columns = [nw.col(customer), moment.alias(_PERIOD)]
    if amount is not None:
        columns.append(nw.col(amount))
    periods = prepared.frame.select(*columns)
    if merge:
        sums = [nw.col(amount).sum()] if amount is not None else [nw.len().alias("__cx_n")]
        periods = periods.group_by(customer, _PERIOD).agg(*sums).select(*(nw.col(c) for c in (
            [customer, _PERIOD] + ([amount] if amount is not None else []))))
    if as_of is None:
        return periods, latest
    end = _time.to_microseconds(as_of, "as_of")
    if merge:  # as_of names a day: purchases any time on that day are inside the window
        end = _time.start_of_day(end)
        _transactions.check_not_after(prepared, end + _time.MICROSECONDS_PER_DAY - 1, "as_of", "purchases")
    else:
        _transactions.check_not_after(prepared, end, "as_of", "purchases")
    return periods, end


def _calibration(
    periods: _frame.Frame, customer: str, amount: str | None, end: int, unit_us: float
) -> _frame.Frame:
    period = nw.col(_PERIOD)
    aggregations = [period.min().alias("first"), period.max().alias("last"), nw.len().alias("n")]
    if amount is not None:
        firsts = periods.group_by(customer).agg(period.min().alias(_FIRST))
        # firsts is the same kind of frame (eager or lazy) as periods; narwhals types each apart
        periods = periods.join(firsts, on=customer).with_columns(  # type: ignore[arg-type]
            nw.when(period == nw.col(_FIRST)).then(0.0).otherwise(nw.col(amount)).alias(_REPEAT)
        )
        aggregations.append(nw.col(_REPEAT).sum().alias("repeat_sum"))
    per_customer = periods.group_by(customer).agg(*aggregations).sort(customer)
    frequency = nw.col("n").cast(nw.Int64) - 1
    columns = [
        nw.col(customer),
        frequency.alias("frequency"),
        ((nw.col("last") - nw.col("first")) / unit_us).alias("recency"),
        ((end - nw.col("first")) / unit_us).alias("T"),
    ]
    if amount is not None:
        mean = nw.col("repeat_sum") / nw.when(frequency > 0).then(frequency).otherwise(1)
        columns.append(mean.cast(nw.Float64).alias("monetary"))
    return per_customer.select(*columns)


def _holdout(periods: _frame.Frame, customer: str, amount: str | None) -> _frame.Frame:
    aggregations = [nw.len().alias("frequency_holdout")]
    if amount is not None:
        aggregations.append(nw.col(amount).mean().alias("monetary_holdout"))
    return periods.group_by(customer).agg(*aggregations)
