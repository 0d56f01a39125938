"""Transaction logs: the shared validation behind RFM tables and CLV summaries.

A transaction log has one row per purchase: a customer id, a time and (optionally) an amount.
:func:`prepare` checks it in one pass and returns a narrow frame with the time as wall-clock
microseconds, which every per-customer aggregation then reduces in the caller's engine.

**What a purchase is**, for RFM and CLV alike: an order when ``order=`` names the order (basket,
invoice) column, whose lines are summed into one purchase at the time of its first line;
otherwise a row. A line-item table read without ``order=`` would count basket lines as
purchases, so :func:`prepare` warns when at least :data:`SHARED_TIME_SHARE` of the rows share
their customer and time with another row, naming the count and suggesting ``order=``.
"""

from __future__ import annotations

import dataclasses
import warnings

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _time
from cxmetrics.errors import (
    ExcludedDataWarning,
    LineItemWarning,
    ValueRangeError,
    format_examples,
)

#: Names of the wall-clock microsecond and naive datetime columns in a prepared log.
TIME_US = "__cx_time_us"
TIME_WALL = "__cx_time_wall"
NONPOSITIVE_POLICIES = ("exclude", "keep", "error")
#: Share of rows sharing (customer, time) with another row above which :func:`prepare` warns
#: that the rows look like order lines. Two purchases on one day in a date-only log are common
#: (3 % of CDNOW's rows); order lines are most of a line-item table's rows.
SHARED_TIME_SHARE = 0.10


@dataclasses.dataclass(frozen=True)
class Transactions:
    """A validated log.

    ``frame`` holds the customer, :data:`TIME_US`, :data:`TIME_WALL` and the amount (when
    given); ``zone`` is
    the input's time zone; ``first`` and ``latest`` bound the times of the whole log.
    """

    frame: _frame.Frame
    customer: str
    amount: str | None
    zone: str | None
    first: int
    latest: int


def prepare(
    transactions: object,
    *,
    customer: str,
    time: str,
    amount: str | None,
    nonpositive: str = "exclude",
    order: str | None = None,
    check_lines: bool = True,
) -> Transactions:
    """Validate a transaction log and narrow it to the columns the reductions need.

    Customer ids and times must be present; times must be dates, datetimes or parsable text.
    Amounts must be numeric and present. With ``order``, the rows are first summed into orders
    (see the module docstring); an order id used by two customers is an error. Amounts of zero
    or less (returns, refunds, vouchers; with ``order``, order totals) follow ``nonpositive``:
    ``"exclude"`` drops them with an :class:`~cxmetrics.errors.ExcludedDataWarning` giving the
    count, ``"keep"`` keeps them, ``"error"`` raises :class:`~cxmetrics.errors.ValueRangeError`.
    ``check_lines`` warns about rows that look like order lines (callers that merge same-day
    purchases anyway pass False).
    """
    _checks.option(nonpositive, NONPOSITIVE_POLICIES, "nonpositive")
    frame = _frame.from_native(transactions)
    _frame.require_columns(frame, {"customer": customer, "time": time, "amount": amount, "order": order})
    frame = _time.parse_times(frame, time)
    wall, zone = _time.wall_clock(frame, time, check_missing=False)
    micro = _time.microseconds(wall, frame)
    checks = [
        _frame.count_true(nw.col(customer).is_null()).alias("customer"),
        _frame.count_true(nw.col(time).is_null()).alias("time"),
        micro.min().alias("first"),
        micro.max().alias("latest"),
    ]
    if amount is not None:
        frame = _frame.numeric_categories(frame, amount)  # pandas objects holding numbers
        _frame.require_numeric(frame, amount, "amount")
        value = nw.col(amount)
        missing = value.is_null()
        if frame.collect_schema()[amount].is_float():
            missing = missing | value.is_nan()
        infinite = (value.abs() == float("inf")).fill_null(value=False)
        checks += [_frame.count_true(missing).alias("amount"),
                   _frame.count_true(value <= 0).alias("nonpositive"),
                   _frame.count_true(infinite).alias("infinite")]
    found = _frame.collect(frame.select(*checks)).rows(named=True)[0]
    if found["latest"] is None or found["latest"] != found["latest"]:  # no rows, or no times
        if int(found["time"]):
            _time.raise_if_missing(int(found["time"]), time, "time")
        raise ValueRangeError("the transaction log is empty; there is nothing to summarise")
    _time.raise_if_missing(int(found["customer"]), customer, "customer")
    _time.raise_if_missing(int(found["time"]), time, "time")
    columns = [nw.col(customer), micro.alias(TIME_US), wall.cast(nw.Datetime("us")).alias(TIME_WALL)]
    if amount is not None:
        _time.raise_if_missing(int(found["amount"]), amount, "amount")
        if int(found["infinite"]):
            raise ValueRangeError(
                f"amount column {amount!r} has {int(found['infinite'])} infinite values; drop or "
                f"cap them first")
        columns.append(nw.col(amount))
    first, latest = int(found["first"]), int(found["latest"])
    if order is not None:
        narrow = _orders(frame.select(*columns, nw.col(order)), customer, order, amount)
        # an order is dated by its first line, so the log ends at the latest order's time
        bounds = _frame.collect(narrow.select(
            nw.col(TIME_US).min().alias("first"), nw.col(TIME_US).max().alias("latest")))
        first, latest = int(bounds["first"][0]), int(bounds["latest"][0])
    else:
        narrow = frame.select(*columns)
        if check_lines:
            _warn_if_lines(narrow, customer)
    if amount is not None:
        n_bad = int(found["nonpositive"]) if order is None else _count_nonpositive(narrow, amount)
        narrow = _apply_nonpositive(narrow, amount, nonpositive, n_bad, "orders" if order else "transactions")
    return Transactions(narrow, customer, amount, zone, first, latest)


def _orders(frame: _frame.Frame, customer: str, order: str, amount: str | None) -> _frame.Frame:
    """One row per (customer, order): the first line's time and the summed amount."""
    missing = _frame.collect(frame.select(_frame.count_true(nw.col(order).is_null()).alias("k")))["k"][0]
    _time.raise_if_missing(int(missing), order, "order")
    shared = _frame.collect(
        frame.group_by(order)
        .agg(nw.col(customer).n_unique().alias("__cx_customers"))
        .filter(nw.col("__cx_customers") > 1)
        .select(nw.col(order))
        .head(6)
    )
    if len(shared):
        raise ValueRangeError(
            f"order column {order!r} has ids used by more than one customer: "
            f"{format_examples(shared[order].to_list())}; an order belongs to one customer"
        )
    sums = [nw.col(amount).sum()] if amount is not None else []
    return frame.group_by(customer, order).agg(
        nw.col(TIME_US).min(), nw.col(TIME_WALL).min(), *sums
    ).select(nw.col(customer), nw.col(TIME_US), nw.col(TIME_WALL), *([nw.col(amount)] if amount else []))


def _warn_if_lines(frame: _frame.Frame, customer: str) -> None:
    counts = frame.group_by(customer, TIME_US).agg(nw.len().alias("__cx_rows"))
    found = _frame.collect(counts.select(
        nw.col("__cx_rows").sum().alias("rows"),
        nw.len().alias("distinct"),
    )).rows(named=True)[0]
    rows, distinct = int(found["rows"]), int(found["distinct"])
    shared = rows - distinct
    if rows and shared >= SHARED_TIME_SHARE * rows:
        warnings.warn(
            f"{shared:,} of {rows:,} rows share their customer and time with another row, as the "
            f"lines of one order do; each row is counted as a purchase. Pass order= (the basket or "
            f"invoice id column) to count orders",
            LineItemWarning,
            stacklevel=4,
        )


def _count_nonpositive(frame: _frame.Frame, amount: str) -> int:
    counted = _frame.collect(frame.select(_frame.count_true(nw.col(amount) <= 0).alias("k")))
    return int(counted["k"][0])


def _apply_nonpositive(
    frame: _frame.Frame, amount: str, policy: str, n_bad: int, what: str = "transactions"
) -> _frame.Frame:
    if not n_bad or policy == "keep":
        return frame
    nonpositive = nw.col(amount) <= 0
    if policy == "error":
        examples = _frame.collect(frame.filter(nonpositive).select(nw.col(amount)).head(5))
        raise ValueRangeError(
            f"amount column {amount!r} has {n_bad} {'values' if what == 'transactions' else what} "
            f"of zero or less (returns or refunds?): "
            f"{format_examples(examples[amount].to_list())}; pass nonpositive='exclude' to drop "
            f"them or 'keep' to include them"
        )
    warnings.warn(
        f"excluded {n_bad} {what} whose amount {amount!r} is zero or less (returns or "
        f"refunds); pass nonpositive='keep' to include them or 'error' to stop",
        ExcludedDataWarning,
        stacklevel=4,
    )
    return frame.filter(~nonpositive)


def check_not_after(prepared: Transactions, moment_us: int, role: str, what: str = "transactions") -> None:
    """Raise :class:`ValueRangeError` naming how many ``what`` (rows) fall after ``moment_us``."""
    if prepared.latest <= moment_us:
        return
    late = nw.col(TIME_US) > moment_us
    n_late = int(_frame.collect(prepared.frame.select(_frame.count_true(late).alias("k")))["k"][0])
    latest, moment = _time.from_microseconds(np.array([prepared.latest, moment_us]))
    raise ValueRangeError(
        f"{n_late} {what} fall after {role}={moment} (the latest at {latest}); "
        f"filter them out or choose a later {role}"
    )
