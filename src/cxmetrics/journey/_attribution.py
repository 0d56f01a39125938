"""``attribution``: which touchpoints conversions owe to, by Markov removal effects.

The Markov model (Anderl, Becker, von Wangenheim & Schumann 2016, "Mapping the customer
journey: lessons learned from graph-based online attribution modeling", IJRM 33(3)) treats
journeys as a first-order absorbing chain: (start) -> touchpoints -> (conversion) or (null).
A touchpoint's removal effect is the share of conversions lost when every move into it leads
to (null) instead; effects are normalised to shares of the observed conversions.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.journey import _log
from cxmetrics.journey._log import CIDX, POS, STAGE

METHODS = ("markov", "first_touch", "last_touch", "linear")
TOUCH = "__cx_touch"


def absorption(transition: np.ndarray, removed: int | None = None) -> float:
    """P(reaching conversion from start) in an absorbing chain.

    ``transition`` is row-stochastic over [start, touchpoints..., conversion, null]; with
    ``removed``, moves into that state go to null. Solves (I - Q) b = r, Q the transient block
    and r the column into conversion.
    """
    matrix = transition.copy()
    if removed is not None:
        matrix[:, -1] += matrix[:, removed]
        matrix[:, removed] = 0.0
    transient = matrix.shape[0] - 2
    q, r = matrix[:transient, :transient], matrix[:transient, transient]
    solved = np.linalg.solve(np.eye(transient) - q, r)
    return float(solved[0])


@same_frame
def attribution(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    conversion_stage: Any,
    touchpoint: str | None = None,
    method: str = "markov",
) -> Any:
    """Credit for conversions per touchpoint (channel or stage), by Markov removal effect.

    Each customer's journey is the sequence of touchpoints before their first
    ``conversion_stage`` event (all events if they never convert). ``touchpoint`` names the
    column that identifies a touchpoint (default: the stage); events with a missing
    touchpoint are skipped.

    * ``method="markov"``: transition probabilities between (start), the touchpoints,
      (conversion) and (null) are estimated from all journeys; the removal effect of a
      touchpoint is 1 - P(conversion without it) / P(conversion), in closed form from the
      absorbing chain; shares are removal effects normalised to sum to one.
    * ``"first_touch"``, ``"last_touch"``: each conversion to its first or last touchpoint.
    * ``"linear"``: each conversion split equally over its journey's touch events.

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
        Stage value of a conversion (must occur in the log).
    touchpoint : str, optional
        Column identifying the touchpoint (channel, campaign); default the stage.
    method : {"markov", "first_touch", "last_touch", "linear"}
        Credit rule (above).

    Returns
    -------
    DataFrame
        One row per touchpoint, most credited first: ``touchpoint``, ``journeys``
        (customers who touched it), ``converting_journeys``, ``removal_effect`` and
        ``conversion_probability_without`` (Markov only; the model's conversion probability
        with the touchpoint removed), ``share`` (of the credit), ``conversions`` (share x
        observed conversions).

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
    ...     "customer": [1, 1, 1, 2, 2, 3, 3, 4],
    ...     "time": pd.date_range("2024-05-01", periods=8, freq="h"),
    ...     "channel": ["ads", "email", "buy", "ads", "buy", "email", "social", "social"]})
    >>> credit = cx.attribution(log, customer="customer", time="time", stage="channel",
    ...                         conversion_stage="buy")
    >>> credit[["touchpoint", "journeys", "removal_effect", "share", "conversions"]].round(3)
      touchpoint  journeys  removal_effect  share  conversions
    0        ads         2            0.75    0.6          1.2
    1      email         2            0.50    0.4          0.8
    2     social         2            0.00    0.0          0.0
    """
    _checks.option(method, METHODS, "method")
    _log.check_names(touchpoint=touchpoint)
    log = _log.prepare(data, customer=customer, time=time, stage=stage,
                       roles={"touchpoint": touchpoint})
    _log.check_steps(log, [conversion_stage], minimum=1, role="conversion_stage")
    frame = log.frame.with_columns(nw.col(touchpoint or STAGE).alias(TOUCH))
    first_conversion = nw.when(nw.col(STAGE) == conversion_stage).then(nw.col(POS)).min().over(CIDX)
    marked = frame.with_columns(first_conversion.alias("__cx_conversion"))
    converters = marked.filter(~nw.col("__cx_conversion").is_null()).select(CIDX).unique()
    touches = marked.filter((nw.col("__cx_conversion").is_null() | (nw.col(POS) < nw.col("__cx_conversion")))
                            & ~nw.col(TOUCH).is_null()).select(CIDX, POS, TOUCH)
    names, code = _log.category_codes(touches, TOUCH)
    coded = _frame.collect(touches.select(CIDX, code.alias("code")))
    n_customers = int(marked.filter(nw.col(_log.FIRST)).shape[0])
    journey_of = _log.customer_positions(coded)
    converted = np.zeros(n_customers, dtype=bool)
    converted[_log.customer_positions(converters)] = True
    codes = coded["code"].to_numpy().astype(np.int64)
    m = len(names)
    touched = np.zeros((n_customers, m), dtype=bool)
    touched[journey_of, codes] = True
    first = np.r_[True, journey_of[1:] != journey_of[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    last = np.r_[journey_of[1:] != journey_of[:-1], True] if len(codes) else np.zeros(0, dtype=bool)
    total = int(converted.sum())
    credit: np.ndarray
    removal = np.full(m, np.nan)
    without = np.full(m, np.nan)
    if method == "markov":
        counts = _transition_counts(codes, journey_of, first, last, converted, m)
        transition = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        transition[m + 1:, :] = 0.0  # absorbing states have no rows of their own in the solve
        base = absorption(transition)
        without = np.array([absorption(transition, removed=j + 1) for j in range(m)])
        removal = 1.0 - without / base if base > 0 else np.zeros(m)
        credit = removal
    elif method == "first_touch":
        credit = np.bincount(codes[first & converted[journey_of]], minlength=m).astype(np.float64)
    elif method == "last_touch":
        credit = np.bincount(codes[last & converted[journey_of]], minlength=m).astype(np.float64)
    else:
        length = np.bincount(journey_of, minlength=n_customers)[journey_of]
        credit = np.bincount(codes, weights=converted[journey_of] / length, minlength=m)
    share = credit / credit.sum() if credit.sum() > 0 else np.zeros(m)
    order = np.lexsort((np.array(names, dtype=str), -share))
    columns = {
        "touchpoint": [names[j] for j in order],
        "journeys": touched.sum(axis=0)[order],
        "converting_journeys": touched[converted].sum(axis=0)[order],
        "removal_effect": removal[order],
        "conversion_probability_without": without[order],
        "share": share[order],
        "conversions": share[order] * total,
    }
    if method != "markov":
        del columns["removal_effect"], columns["conversion_probability_without"]
    return _frame.to_native(_frame.with_arrays(None, columns, log.backend))


def _transition_counts(codes: np.ndarray, journey: np.ndarray, first: np.ndarray, last: np.ndarray,
                       converted: np.ndarray, m: int) -> np.ndarray:
    """Counts over [start, touchpoints 1..m, conversion, null], journeys in position order."""
    size = m + 3
    counts = np.zeros((size, size))
    state = codes + 1
    np.add.at(counts, (0, state[first]), 1.0)
    inner = ~last
    np.add.at(counts, (state[:-1][inner[:-1]], state[1:][inner[:-1]]), 1.0)
    ending = np.where(converted[journey[last]], m + 1, m + 2)
    np.add.at(counts, (state[last], ending), 1.0)
    no_touch = np.ones(len(converted), dtype=bool)
    no_touch[journey] = False
    counts[0, m + 1] += (no_touch & converted).sum()
    counts[0, m + 2] += (no_touch & ~converted).sum()
    return counts
