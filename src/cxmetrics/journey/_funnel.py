"""``funnel`` and ``compare_funnels``: conversion through ordered steps, with intervals and tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks, _frame, _stats
from cxmetrics._typing import same_frame
from cxmetrics.errors import ColumnTypeError, ValueRangeError
from cxmetrics.journey import _log
from cxmetrics.journey._reach import Reach, reach

MODES = ("closed", "open")
ORDERS = ("ordered", "strict", "any")
#: Fewest successes or failures in a cell for a comparison to be tested.
MIN_CELL = 5


@dataclasses.dataclass(frozen=True)
class _FunnelData:
    steps: list[Any]
    keys: Any  # group keys, or None
    group: np.ndarray  # each customer's group
    result: Reach  # in the requested mode
    chain: Reach  # the closed funnel (overall rates)
    backend: Any


def _funnel_reach(events: Any, customer: str, time: str, stage: str, steps: Sequence[Any], mode: str,
                  order: str, window: str | None, step_window: str | None, by: list[str],
                  session: str | None = None) -> _FunnelData:
    _checks.option(mode, MODES, "mode")
    _checks.option(order, ORDERS, "order")
    _log.check_names(session=session)
    if order == "any" and step_window is not None:
        raise ValueRangeError("step_window needs an order of steps; it does not apply with order='any'")
    window_us = _log.duration_expr(window, "window")
    step_us = _log.duration_expr(step_window, "step_window")
    log = _log.prepare(events, customer=customer, time=time, stage=stage, roles={"by": by}, session=session)
    steps = _log.check_steps(log, steps)
    customers = _log.first_per_customer(log.frame, by)
    keys, group = _frame.group_codes(customers, by)
    result = reach(log, customers, steps, mode, order, window_us, step_us)
    chain = result if mode == "closed" else reach(log, customers, steps, "closed", order, window_us, step_us)
    return _FunnelData(steps, keys, group, result, chain, log.backend)


@same_frame
def funnel(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    steps: Sequence[Any],
    mode: str = "closed",
    order: str = "ordered",
    window: str | None = None,
    step_window: str | None = None,
    by: str | Sequence[str] | None = None,
    session: str | None = None,
    confidence: float = 0.95,
    unit: str = "h",
) -> Any:
    """Customers entering, converting and dropping off at each step of a funnel.

    Definitions follow the analytics tools CX teams use (GA4 funnel exploration; Amplitude
    and Mixpanel conversion windows):

    * ``mode="closed"``: customers enter at step 1 only — their first occurrence of it — and
      count at step k when they completed steps 1..k. ``mode="open"``: customers may enter at
      any step; step k counts everyone who did it, and converting means doing step k + 1 after
      their first occurrence of step k.
    * ``order="ordered"``: each step is matched at its earliest occurrence after the previous
      matched step, other events in between allowed; ``"strict"``: the step must be the very
      next event; ``"any"``: each step's first occurrence, in any order.
    * ``window`` (e.g. ``"7D"``): the most time from the start of the funnel (first step) to
      a step; ``step_window``: the most time from the previous step. In open funnels both
      bound each move from a step to the next.

    Parameters
    ----------
    data : DataFrame
        One row per event; must have no missing customer, time or stage
        (:func:`validate_events` cleans a log).
    customer, time, stage : str
        Columns of who, when (datetime, date or ISO text) and where.
    steps : list
        The stage values, in funnel order (at least two, distinct, each present).
    mode : {"closed", "open"}
    order : {"ordered", "strict", "any"}
    window, step_window : str, optional
        Durations such as ``"30min"``, ``"2h"``, ``"7D"``.
    by : str or list of str, optional
        Group customers by these columns, read at each customer's first event (with
        ``session``, at each session's first event).
    session : str, optional
        Session id column. Given, the funnel runs within sessions: each (customer, session)
        pair is a journey, so a step done in a later session does not count, and ``entered``,
        ``converted`` and ``drop_off`` count sessions (windows bound each session's funnel).
    confidence : float
        Level of the Wilson intervals.
    unit : {"s", "min", "h", "D"}
        Unit of the time-to-convert columns.

    Returns
    -------
    DataFrame
        Same library as ``data``; one row per (group, step). Columns: the ``by`` columns,
        ``step``, ``step_number`` (1-based), ``entered`` (customers at the step),
        ``converted`` (of those, customers who went on to the next step; null at the last),
        ``conversion_rate`` (share of the previous step's customers who went on to this step,
        GA4's completion rate of the previous step; null at step 1) with
        ``conversion_ci_low`` and ``conversion_ci_high``, ``overall_rate`` (share of step-1
        customers who completed steps 1..k, the closed funnel's rate in both modes) with
        ``overall_ci_low`` and ``overall_ci_high``, ``drop_off`` (entered - converted: GA4's
        abandonments) and ``drop_off_rate``, ``time_to_convert_median`` and
        ``time_to_convert_p90`` (time from the previous step into this one, over the customers
        who made that move, in ``unit``).

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({
    ...     "customer": [1, 1, 1, 2, 2, 3],
    ...     "time": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 10:05", "2024-05-01 10:30",
    ...                             "2024-05-01 11:00", "2024-05-01 11:20", "2024-05-01 12:00"]),
    ...     "stage": ["visit", "cart", "purchase", "visit", "cart", "visit"]})
    >>> result = cx.funnel(log, customer="customer", time="time", stage="stage",
    ...                    steps=["visit", "cart", "purchase"], unit="min")
    >>> result[["step", "entered", "converted", "conversion_rate", "time_to_convert_median"]]
           step  entered  converted  conversion_rate  time_to_convert_median
    0     visit        3        2.0              NaN                     NaN
    1      cart        2        1.0         0.666667                    12.5
    2  purchase        1        NaN         0.500000                    25.0
    """
    group_by = _frame.as_list(by)
    per_unit = _log.check_unit(unit)
    confidence = _checks.confidence(confidence)
    reached = _funnel_reach(data, customer, time, stage, steps, mode, order, window, step_window,
                            group_by, session)
    steps, keys, group = reached.steps, reached.keys, reached.group
    result, chain = reached.result, reached.chain
    n_groups = 1 if keys is None else len(keys)
    k = len(steps)
    columns: dict[str, list[Any]] = {name: [] for name in (
        "step", "step_number", "entered", "converted", "conversion_rate", "conversion_ci_low",
        "conversion_ci_high", "overall_rate", "overall_ci_low", "overall_ci_high", "drop_off",
        "drop_off_rate",
        "time_to_convert_median", "time_to_convert_p90")}
    entered = _per_group(result.entered, group, n_groups)
    converted = _per_group(result.converted, group, n_groups)
    completed = _per_group(chain.entered, group, n_groups)
    for g in range(n_groups):
        previous_entered = np.r_[np.nan, entered[:-1, g]]
        previous_converted = np.r_[np.nan, converted[:-1, g]]
        conv_low, conv_high = _stats.proportion_interval(
            np.nan_to_num(previous_converted), np.nan_to_num(previous_entered), confidence=confidence)
        start = np.full(k, completed[0, g])
        all_low, all_high = _stats.proportion_interval(completed[:, g], start, confidence=confidence)
        for step in range(k):
            last = step == k - 1
            delta = result.delta_into[step, group == g]
            delta = delta[~np.isnan(delta)] / per_unit
            with np.errstate(invalid="ignore", divide="ignore"):
                columns["step"].append(steps[step])
                columns["step_number"].append(step + 1)
                columns["entered"].append(int(entered[step, g]))
                columns["converted"].append(None if last else int(converted[step, g]))
                columns["conversion_rate"].append(None if step == 0 else _ratio(previous_converted[step],
                                                                                previous_entered[step]))
                columns["conversion_ci_low"].append(None if step == 0 else _finite(conv_low[step]))
                columns["conversion_ci_high"].append(None if step == 0 else _finite(conv_high[step]))
                columns["overall_rate"].append(_ratio(completed[step, g], completed[0, g]))
                columns["overall_ci_low"].append(_finite(all_low[step]))
                columns["overall_ci_high"].append(_finite(all_high[step]))
                drop = None if last else int(entered[step, g] - converted[step, g])
                columns["drop_off"].append(drop)
                columns["drop_off_rate"].append(None if last else _ratio(drop, entered[step, g]))
                columns["time_to_convert_median"].append(float(np.median(delta)) if len(delta) else None)
                columns["time_to_convert_p90"].append(float(np.quantile(delta, 0.9)) if len(delta) else None)
    group_rows = np.repeat(np.arange(n_groups), k)
    frame_keys = None if keys is None else _frame.take_rows(keys, group_rows)
    return _frame.to_native(_frame.with_arrays(frame_keys, columns, reached.backend))


def _per_group(flags: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Counts of True per (step, group)."""
    return np.stack([np.bincount(group[row], minlength=n_groups) for row in flags]).astype(np.float64)


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if denominator is None or not denominator or numerator is None or np.isnan(denominator):
        return None
    return float(numerator / denominator)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@same_frame
def compare_funnels(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    steps: Sequence[Any],
    by: str,
    reference: Any = None,
    mode: str = "closed",
    order: str = "ordered",
    window: str | None = None,
    step_window: str | None = None,
    session: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """Each group's step conversion against the rest (or a reference group), step by step.

    For every step after the first and every group of ``by``, the share of the previous
    step's customers who went on to this step is compared with the same share among all other
    customers (or the ``reference`` group): Miettinen-Nurminen score test and the score
    interval it inverts (see :func:`cxmetrics.compare_csat`), relative rate, and
    Benjamini-Hochberg adjusted p-values over all the comparisons. Comparisons where any of
    the four success/failure counts is below 5 are flagged ``small_sample`` and not tested.

    Parameters
    ----------
    data, customer, time, stage, steps, mode, order, window, step_window, session
        As in :func:`funnel`.
    by : str
        The column whose groups are compared (read at each customer's first event; with
        ``session``, at each session's first event).
    reference : optional
        A value of ``by`` to compare every other group with; default: each group against the
        rest.
    confidence : float
        Level of the score interval, strictly between 0 and 1.

    Returns
    -------
    DataFrame
        One row per (step after the first, group): ``step``, ``step_number``, ``group``,
        ``versus`` ("rest" or the reference), ``entered`` (customers at this step, as in
        :func:`funnel`), ``previous_step`` (customers at the previous step, the rate's
        denominator) and ``converted`` (of those, the customers who went on to this step; in a
        closed funnel the same as ``entered``), ``rate`` (converted / previous_step, the
        funnel's ``conversion_rate``), ``entered_other``, ``previous_step_other``,
        ``converted_other``, ``rate_other``, ``difference`` (rate - rate_other) with
        ``ci_low`` and ``ci_high``, ``relative_rate`` (rate / rate_other), ``p_value``,
        ``p_adjusted`` (Benjamini-Hochberg), ``p_adjust_method`` (``"fdr_bh"``), ``small_sample``.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> rows = [(c, "visit", "app" if c % 2 else "web") for c in range(200)]
    >>> buyers = [c for c in range(200) if (c % 2 and c % 5) or c % 10 == 0]  # app 80%, web 20%
    >>> rows += [(c, "buy", "app" if c % 2 else "web") for c in buyers]
    >>> log = pd.DataFrame(rows, columns=["customer", "stage", "channel"])
    >>> log["time"] = pd.Timestamp("2025-01-01") + pd.to_timedelta((log["stage"] == "buy") * 60, unit="min")
    >>> result = cx.compare_funnels(log, customer="customer", time="time", stage="stage",
    ...                             steps=["visit", "buy"], by="channel")
    >>> result[["group", "rate", "rate_other", "small_sample"]]
      group  rate  rate_other  small_sample
    0   app   0.8         0.2         False
    1   web   0.2         0.8         False
    >>> bool(result["p_adjusted"].iloc[0] < 1e-6)
    True
    """
    if not isinstance(by, str):
        raise ColumnTypeError(f"by must be one column name (the groups compared), got {by!r}")
    confidence = _checks.confidence(confidence)
    reached = _funnel_reach(data, customer, time, stage, steps, mode, order, window, step_window, [by],
                            session)
    steps, keys, group, result = reached.steps, reached.keys, reached.group, reached.result
    assert keys is not None
    labels = keys[by].to_list()
    reference_at = None if reference is None else _checks.position(reference, labels)
    if reference is not None and reference_at is None:
        raise ValueRangeError(f"reference {reference!r} is not a value of {by!r}; values: {labels}")
    entered = _per_group(result.entered, group, len(labels))
    converted = _per_group(result.converted, group, len(labels))
    rows: dict[str, list[Any]] = {name: [] for name in (
        "step", "step_number", "group", "versus", "entered", "previous_step", "converted", "rate",
        "entered_other", "previous_step_other", "converted_other", "rate_other")}
    for step in range(1, len(steps)):
        for g, label in enumerate(labels):
            if reference_at is not None and g == reference_at:
                continue
            other = ([reference_at] if reference_at is not None
                     else [h for h in range(len(labels)) if h != g])
            n_a, x_a = entered[step - 1, g], converted[step - 1, g]
            n_b, x_b = entered[step - 1, other].sum(), converted[step - 1, other].sum()
            rows["step"].append(steps[step])
            rows["step_number"].append(step + 1)
            rows["group"].append(label)
            rows["versus"].append("rest" if reference is None else reference)
            rows["entered"].append(int(entered[step, g]))
            rows["previous_step"].append(int(n_a))
            rows["converted"].append(int(x_a))
            rows["rate"].append(_ratio(x_a, n_a))
            rows["entered_other"].append(int(entered[step, other].sum()))
            rows["previous_step_other"].append(int(n_b))
            rows["converted_other"].append(int(x_b))
            rows["rate_other"].append(_ratio(x_b, n_b))
    cells = np.array([[x, n - x, y, m - y] for x, n, y, m in zip(
        rows["converted"], rows["previous_step"], rows["converted_other"], rows["previous_step_other"],
        strict=True)])
    small = (cells < MIN_CELL).any(axis=1) if len(cells) else np.zeros(0, dtype=bool)
    test = _stats.two_proportion_test(rows["converted"], rows["previous_step"], rows["converted_other"],
                                      rows["previous_step_other"], confidence=confidence)
    p_value = np.where(small, np.nan, test["p_value"])
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.asarray(rows["rate"], dtype=float) / np.asarray(rows["rate_other"], dtype=float)
    out = {**rows, "difference": test["difference"], "ci_low": test["ci_low"], "ci_high": test["ci_high"],
           "relative_rate": np.where(np.isfinite(relative), relative, np.nan), "p_value": p_value,
           "p_adjusted": _stats.adjust_p_values(p_value, "fdr_bh"),
           "p_adjust_method": ["fdr_bh"] * len(p_value), "small_sample": small}
    return _frame.to_native(_frame.with_arrays(None, out, keys.implementation))
