"""``journey_kpis``: bounce, exit, conversion, checkout abandonment and repeat contact rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _stats
from cxmetrics._typing import same_frame
from cxmetrics.errors import ValueRangeError
from cxmetrics.journey import _log
from cxmetrics.journey._log import CIDX, CUSTOMER, POS, STAGE, TIME
from cxmetrics.journey._reach import reach

SESSION = "__cx_session"
GROUP = "__cx_group"


@same_frame
def journey_kpis(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    conversion_stage: Any,
    session: str | None = None,
    session_gap: str = "30min",
    checkout_stage: Any = None,
    window: str | None = None,
    support_stage: Any = None,
    repeat_window: str = "7D",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Any:
    """The standard journey KPIs as one tidy table, each with a Wilson interval.

    * ``conversion_rate``: customers with a ``conversion_stage`` event / customers.
    * ``bounce_rate``: sessions with a single event / sessions. Sessions come from the
      ``session`` column, or else end after ``session_gap`` without events (web analytics'
      30 minutes by default).
    * ``exit_rate`` (one row per stage): events of the stage that are the last of their
      session / events of the stage (GA's exit rate).
    * ``checkout_abandonment`` (with ``checkout_stage``): customers whose first checkout is
      not followed by a conversion (within ``window``, when given) / customers who checked out.
    * ``repeat_contact_rate`` (with ``support_stage``): customers whose first support contact
      is followed by another within ``repeat_window`` / customers with a support contact; a
      measure of first-contact resolution failing.

    Groups (``by``) are read at each customer's first event; all KPIs of a customer count in
    that group; null keys form their own group.

    Parameters
    ----------
    data : DataFrame
        The event log, one row per event (pandas, polars, pyarrow or a lazy frame). Text
        times are parsed as ISO-8601 (pandas object columns of dates too); an empty log raises
        :class:`~cxmetrics.errors.DesignError`; missing customers, stages or times raise
        :class:`~cxmetrics.errors.MissingValueError` (clean with :func:`validate_events`).
    customer, time, stage : str
        Columns of the customer id, the event time and the stage (any hashable values).
    conversion_stage
        The stage value that counts as a conversion (must occur in the log).
    session : str, optional
        Column of session ids; without it sessions end after ``session_gap`` without events.
    session_gap : duration
        Inactivity that ends a session (``"30min"``, ``datetime.timedelta(minutes=30)``; a
        bare number is an error). Needed when ``session`` is not given.
    checkout_stage : optional
        Stage value of a checkout, for ``checkout_abandonment``.
    window : duration, optional
        Time from the first checkout within which a conversion counts; default no limit.
    support_stage : optional
        Stage value of a support contact, for ``repeat_contact_rate``; None leaves it out.
    repeat_window : duration
        Look-ahead after the first support contact for a repeat; None is an error (leave
        the KPI out with ``support_stage=None``).
    by : str or list of str, optional
        Group columns, read at each customer's first event.
    confidence : float
        Level of the Wilson intervals, strictly between 0 and 1.

    Returns
    -------
    DataFrame
        One row per (group, KPI, stage): the ``by`` columns, ``kpi``, ``stage`` (null except
        for exit rates), ``numerator``, ``denominator``, ``rate``, ``ci_low``, ``ci_high``.

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
    ...     "customer": [1, 1, 1, 2, 3, 3],
    ...     "time": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 10:05", "2024-05-01 10:09",
    ...                             "2024-05-01 11:00", "2024-05-01 12:00", "2024-05-01 12:03"]),
    ...     "stage": ["home", "checkout", "paid", "home", "home", "checkout"]})
    >>> kpis = cx.journey_kpis(log, customer="customer", time="time", stage="stage",
    ...                        conversion_stage="paid", checkout_stage="checkout")
    >>> kpis[["kpi", "stage", "numerator", "denominator", "rate"]]
                        kpi     stage  numerator  denominator      rate
    0       conversion_rate       NaN          1            3  0.333333
    1           bounce_rate       NaN          1            3  0.333333
    2  checkout_abandonment       NaN          1            2  0.500000
    3             exit_rate  checkout          1            2  0.500000
    4             exit_rate      home          1            3  0.333333
    5             exit_rate      paid          1            1  1.000000
    """
    group_by = _frame.as_list(by)
    confidence = _checks.confidence(confidence)
    if conversion_stage is None:
        raise ValueRangeError("conversion_stage must be a stage value (the stage that counts as a "
                              "conversion), got None")
    _log.check_names(session=session)
    gap = _log.duration_expr(session_gap, "session_gap", allow_none=session is not None)
    window_us = _log.duration_expr(window, "window")
    # no silent None: the repeat-contact KPI is left out by support_stage=None, not here
    repeat_us = _log.duration_expr(repeat_window, "repeat_window", allow_none=False)
    log = _log.prepare(data, customer=customer, time=time, stage=stage,
                       roles={"by": group_by, "session": session})
    named = {"conversion_stage": conversion_stage, "checkout_stage": checkout_stage,
             "support_stage": support_stage}
    for role, value in named.items():
        if value is not None:
            _log.check_steps(log, [value], minimum=1, role=role)
    _log.check_steps(log, [s for s in named.values() if s is not None], minimum=1,
                     role="conversion_stage, checkout_stage and support_stage")
    customers = _log.first_per_customer(log.frame, group_by)
    keys, group = _frame.group_codes(customers, group_by)
    n_groups = 1 if keys is None else len(keys)
    frame = _with_groups(log.frame, group)
    frame = _with_sessions(frame, session, gap)
    rows: list[tuple[str, Any, np.ndarray, np.ndarray]] = []

    def per_group(table: nw.DataFrame[Any], weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(table[GROUP].to_numpy().astype(np.int64), weights=weights,
                           minlength=n_groups).astype(np.float64)

    everyone = np.bincount(group, minlength=n_groups).astype(np.float64)
    converted = frame.filter(nw.col(STAGE) == conversion_stage).select(CUSTOMER, GROUP).unique()
    rows.append(("conversion_rate", None, per_group(converted), everyone))
    sessions = frame.group_by(SESSION, GROUP).agg(nw.len().alias("events"))
    single = (sessions["events"].to_numpy() == 1).astype(np.float64)
    rows.append(("bounce_rate", None, per_group(sessions, single), per_group(sessions)))
    if checkout_stage is not None:
        steps = [checkout_stage, conversion_stage]
        moved = reach(log, customers, steps, "closed", "ordered", None, window_us)
        started = np.bincount(group[moved.entered[0]], minlength=n_groups).astype(np.float64)
        finished = np.bincount(group[moved.entered[1]], minlength=n_groups).astype(np.float64)
        rows.append(("checkout_abandonment", None, started - finished, started))
    if support_stage is not None:
        support = frame.filter(nw.col(STAGE) == support_stage)
        first = support.with_columns(nw.col(TIME).min().over(CIDX).alias("__cx_first"),
                                     nw.col(POS).min().over(CIDX).alias("__cx_first_pos"))
        later = (nw.col(POS) > nw.col("__cx_first_pos")) & (nw.col(TIME) - nw.col("__cx_first") <= repeat_us)
        again = first.filter(later).select(CUSTOMER, GROUP).unique()
        rows.append(("repeat_contact_rate", None, per_group(again),
                     per_group(support.select(CUSTOMER, GROUP).unique())))
    last = _log.ends_run([SESSION])
    exits = frame.with_columns(last.cast(nw.Int64).alias("__cx_last")).group_by(GROUP, STAGE).agg(
        nw.len().alias("events"), nw.col("__cx_last").sum().alias("exits")).sort(STAGE)
    for name in exits[STAGE].unique().sort().to_list():
        part = exits.filter(nw.col(STAGE) == name)
        rows.append(("exit_rate", name, per_group(part, part["exits"].to_numpy().astype(np.float64)),
                     per_group(part, part["events"].to_numpy().astype(np.float64))))
    columns: dict[str, list[Any]] = {n: [] for n in (
        "kpi", "stage", "numerator", "denominator", "rate", "ci_low", "ci_high")}
    order = []
    for g in range(n_groups):
        for kpi, name, numerator, denominator in rows:
            low, high = _stats.proportion_interval(numerator[g], denominator[g], confidence=confidence)
            columns["kpi"].append(kpi)
            columns["stage"].append(name)
            columns["numerator"].append(int(numerator[g]))
            columns["denominator"].append(int(denominator[g]))
            columns["rate"].append(float(numerator[g] / denominator[g]) if denominator[g] else None)
            columns["ci_low"].append(float(low[0]) if denominator[g] else None)
            columns["ci_high"].append(float(high[0]) if denominator[g] else None)
            order.append(g)
    frame_keys = None if keys is None else _frame.take_rows(keys, np.asarray(order, dtype=np.int64))
    return _frame.to_native(_frame.with_arrays(frame_keys, columns, log.backend))


def _with_groups(frame: nw.DataFrame[Any], group: np.ndarray) -> nw.DataFrame[Any]:
    """Each event with its customer's group position (looked up by customer ordinal)."""
    ordinal = frame[CIDX].to_numpy().astype(np.int64)
    return frame.with_columns(nw.new_series(GROUP, group[ordinal], backend=frame.implementation))


def _with_sessions(frame: nw.DataFrame[Any], session: str | None, gap: int | None) -> nw.DataFrame[Any]:
    """A session id: runs of a customer's events with the same ``session`` value, or else a
    new session after ``gap`` without events."""
    if session is not None:
        starts = _log.starts_run([CIDX, session]).cast(nw.Int64)
        return frame.with_columns(starts.alias(SESSION)).with_columns(nw.col(SESSION).cum_sum())
    assert gap is not None
    return _log.with_sessions(frame, [CIDX], gap, SESSION)
