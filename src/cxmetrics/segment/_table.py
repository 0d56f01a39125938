"""Per-customer recency, frequency and monetary value from a transaction log."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from cxmetrics import _checks, _frame, _time, _transactions
from cxmetrics._typing import same_frame

MONETARY_STATISTICS = ("mean", "total")


RFM_COLUMNS = ("recency", "frequency", "monetary", "revenue", "first_purchase", "last_purchase", "as_of")


@same_frame
def rfm_table(
    data: Any,
    *,
    customer: str,
    time: str,
    amount: str,
    order: str | None = None,
    as_of: Any = None,
    unit: str = "D",
    monetary: str = "mean",
    nonpositive: str = "exclude",
) -> Any:
    """Recency, frequency and monetary value of every customer in a transaction log.

    The per-customer reduction runs in the caller's engine (one narwhals group-by); only one
    row per customer is collected.

    Parameters
    ----------
    data : DataFrame
        One row per transaction (pandas, polars, pyarrow, or a lazy frame).
    customer : str
        Customer id column; must have no missing values.
    time : str
        Transaction time: date, datetime (time-zone-aware times are read in their own zone)
        or ISO text, no missing values.
    amount : str
        Transaction value, numeric, no missing values.
    order : str, optional
        Order (basket, invoice) id column. Given, a purchase is an order: its lines are summed
        and it is dated by its first line, so ``frequency`` counts orders and ``monetary`` is
        per order. Without it every row is a purchase, and a
        :class:`~cxmetrics.errors.LineItemWarning` says so when 10 % or more of the rows share
        their customer and time with another row (the lines of one order do).
    as_of : date, datetime or ISO str, optional
        The moment recency is measured from (a date means its midnight). Defaults to the time
        of the latest purchase in the log, the same default as
        :func:`~cxmetrics.summary_from_transactions` (which, merging purchases by day, dates them
        at the start of their day). Transactions after ``as_of`` raise
        :class:`~cxmetrics.errors.ValueRangeError`.
    unit : {"D", "W", "h"}
        Unit of ``recency``: days, weeks (7 days) or hours.
    monetary : {"mean", "total"}
        ``monetary`` is the mean spend per transaction (default) or the total spend.
    nonpositive : {"exclude", "keep", "error"}
        Policy for amounts of zero or less (returns, refunds). ``"exclude"`` drops those rows
        and warns with :class:`~cxmetrics.errors.ExcludedDataWarning` giving the count; a
        customer with only such rows is then absent from the table.

    Returns
    -------
    DataFrame
        Same library as ``data``, one row per customer sorted by ``customer``:

        - ``customer`` (named as in the input): the id;
        - ``recency``: time from the last transaction to ``as_of``, in ``unit`` (float);
        - ``frequency``: number of purchases (orders with ``order``, else rows);
        - ``monetary``: mean spend per purchase or total spend, per ``monetary``;
        - ``revenue``: total spend (whatever ``monetary`` is), used by segment profiles;
        - ``first_purchase``, ``last_purchase``: times of the first and last transaction,
          in the input's time zone;
        - ``as_of``: the reference moment, the same on every row.

    Notes
    -----
    Edge inputs: an empty transaction log raises :class:`~cxmetrics.errors.ValueRangeError`;
    missing or infinite amounts and missing ids or times raise naming the column; a customer
    column named like a result column raises :class:`~cxmetrics.errors.ColumnClashError`;
    text times must be ISO 8601 without a zone (other text, such as 01/02/2024, is refused:
    engines guess its format differently) and pandas object dates are read as dates;
    time-zone-aware times are read in their zone. A lazy input gives a lazy result.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> tx = pd.DataFrame({
    ...     "id": ["a", "a", "b", "c", "c", "c"],
    ...     "day": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-02-10",
    ...                            "2024-01-05", "2024-02-20", "2024-03-10"]),
    ...     "spend": [20.0, 40.0, 15.0, 10.0, 30.0, 50.0],
    ... })
    >>> table = cx.rfm_table(tx, customer="id", time="day", amount="spend")
    >>> table[["id", "recency", "frequency", "monetary", "revenue"]]
      id  recency  frequency  monetary  revenue
    0  a      9.0          2      30.0     60.0
    1  b     29.0          1      15.0     15.0
    2  c      0.0          3      30.0     90.0
    >>> str(table["as_of"][0].date())
    '2024-03-10'

    A line-item table: with ``order=``, each basket is one purchase.

    >>> lines = pd.DataFrame({
    ...     "id": ["a", "a", "a", "b"], "basket": [1, 1, 2, 3],
    ...     "day": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-03-01", "2024-02-10"]),
    ...     "spend": [5.0, 15.0, 40.0, 15.0],
    ... })
    >>> cx.rfm_table(lines, customer="id", time="day", amount="spend", order="basket")[
    ...     ["id", "frequency", "monetary"]]
      id  frequency  monetary
    0  a          2      30.0
    1  b          1      15.0
    """
    _checks.option(monetary, MONETARY_STATISTICS, "monetary")
    _checks.no_clash([customer], RFM_COLUMNS, function="rfm_table")
    days_per_unit = _time.unit_days(unit)
    roles = {"customer": customer, "time": time, "amount": amount, "order": order}
    _checks.distinct(roles)
    _checks.not_internal(roles)
    prepared = _transactions.prepare(
        data, customer=customer, time=time, amount=amount, nonpositive=nonpositive, order=order
    )
    if as_of is None:
        as_of_us = prepared.latest
    else:
        as_of_us = _time.to_microseconds(as_of, "as_of")
        _transactions.check_not_after(prepared, as_of_us, "as_of", "orders" if order else "transactions")
    t, wall = nw.col(_transactions.TIME_US), nw.col(_transactions.TIME_WALL)
    per_customer = prepared.frame.group_by(customer).agg(
        wall.min().alias("first_purchase"),
        t.max().alias("__cx_last_us"),
        wall.max().alias("last_purchase"),
        nw.len().alias("frequency"),
        nw.col(amount).sum().alias("revenue"),
    )
    revenue, frequency = nw.col("revenue"), nw.col("frequency")
    unit_us = _time.MICROSECONDS_PER_DAY * days_per_unit
    table = per_customer.sort(customer).select(
        nw.col(customer),
        ((as_of_us - nw.col("__cx_last_us")) / unit_us).alias("recency"),
        frequency.cast(nw.Int64),
        (revenue / frequency if monetary == "mean" else revenue).alias("monetary"),
        revenue.cast(nw.Float64),
        _time.in_zone(nw.col("first_purchase"), prepared.zone),
        _time.in_zone(nw.col("last_purchase"), prepared.zone),
        _time.in_zone(nw.lit(_time.as_naive_datetime(as_of_us), dtype=nw.Datetime("us")),
                      prepared.zone).alias("as_of"),
    )
    return _frame.per_row_result(table)
