"""Transaction logs: the shared validation behind RFM tables and CLV summaries.

A transaction log has one row per purchase: a customer id, a time and (optionally) an amount.
:func:`prepare` checks it in one pass and returns a narrow frame with the time as wall-clock
microseconds, which every per-customer aggregation then reduces in the caller's engine.
"""

from __future__ import annotations

import dataclasses
import warnings

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _time
from cxmetrics.errors import ExcludedDataWarning, ValueRangeError, format_examples

#: Names of the wall-clock microsecond and naive datetime columns in a prepared log.
TIME_US = "__cx_time_us"
TIME_WALL = "__cx_time_wall"
NONPOSITIVE_POLICIES = ("exclude", "keep", "error")


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
) -> Transactions:
    """Validate a transaction log and narrow it to the columns the reductions need.

    Customer ids and times must be present; times must be dates, datetimes or parsable text.
    Amounts must be numeric and present. Amounts of zero or less (returns, refunds,
    vouchers) follow ``nonpositive``: ``"exclude"`` drops those rows with an
    :class:`~cxmetrics.errors.ExcludedDataWarning` giving the count, ``"keep"`` keeps them,
    ``"error"`` raises :class:`~cxmetrics.errors.ValueRangeError`. All the checks are one
    pass over the rows.
    """
    _checks.option(nonpositive, NONPOSITIVE_POLICIES, "nonpositive")
    frame = _frame.from_native(transactions)
    _frame.require_columns(frame, {"customer": customer, "time": time, "amount": amount})
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
        frame = _apply_nonpositive(frame, amount, nonpositive, int(found["nonpositive"]))
    return Transactions(
        frame.select(*columns), customer, amount, zone, int(found["first"]), int(found["latest"])
    )


def _apply_nonpositive(frame: _frame.Frame, amount: str, policy: str, n_bad: int) -> _frame.Frame:
    if not n_bad or policy == "keep":
        return frame
    nonpositive = nw.col(amount) <= 0
    if policy == "error":
        examples = _frame.collect(frame.filter(nonpositive).select(nw.col(amount)).head(5))
        raise ValueRangeError(
            f"amount column {amount!r} has {n_bad} values of zero or less (returns or refunds?): "
            f"{format_examples(examples[amount].to_list())}; pass nonpositive='exclude' to drop "
            f"them or 'keep' to include them"
        )
    warnings.warn(
        f"excluded {n_bad} transactions whose amount {amount!r} is zero or less (returns or "
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
