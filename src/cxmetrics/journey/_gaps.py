"""``gaps``: do customers leave more often right after a switch of channel, device or department?

A handoff is a move from one event of a customer to the next. It is *switched* for an
attribute (channel, device, department) when the attribute differs between the two events.
Switched and unswitched handoffs are compared at the same (from stage, to stage) pair, so a
stage where everyone leaves does not look like a gap. The comparison is an association in
observational data: customers who switch devices may differ from those who do not, which the
``by`` strata only partly adjust for.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _stats
from cxmetrics._typing import same_frame
from cxmetrics.errors import ColumnNotFoundError, MissingValueError, UntestableWarning
from cxmetrics.journey import _log
from cxmetrics.journey._log import STAGE, TIME, ahead

DEFAULT_SWITCHES = ("channel", "device", "department")
OUTCOMES = ("exit", "progress")
#: Fewest events or non-events in any cell for a stage pair to be tested.
MIN_CELL = 5
NEXT = "__cx_next_"


@same_frame
def gaps(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    switch: str | Sequence[str] | None = None,
    outcome: str = "exit",
    within: Any = None,
    by: str | Sequence[str] | None = None,
    session: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """Excess exits (or lost progress) at handoffs that switch channel, device or department.

    For every attribute in ``switch`` and every pair of consecutive stages (from -> to), the
    handoffs where the attribute changed are compared with those where it did not:

    * ``outcome="exit"``: the journey ends at the handoff's destination event — no later
      event (within ``within`` of it, when given); with ``session``, the session ends there
      ("left the session after switching");
    * ``outcome="progress"``: the customer moves on to a different stage after the
      destination (within ``within``).

    With ``within``, handoffs closer than ``within`` to the end of the log are left out,
    since whether those customers come back is not yet known.

    Statistics per row: the two rates; their difference with an interval and a test from the
    same statistic, so p < 1 − confidence exactly when the interval excludes 0: without
    ``by``, the raw difference with the Miettinen–Nurminen score interval and the score test it
    inverts; with ``by``, the Mantel–Haenszel risk difference pooled over the strata
    (Greenland & Robins 1985) with Sato's (1989) variance, its Wald interval and the z test
    of that same estimate and standard error (``_gaps.mantel_haenszel_difference``); the
    relative risk (of the crude rates); Benjamini-Hochberg adjusted p-values over all tested
    rows; and ``gap_score`` = difference x switched handoffs, the excess exits attributable to
    the switch if the association were causal. Rows with a cell (switched or not, outcome or
    not, summed over strata) below 5 are flagged ``small_sample`` and not tested. This is
    association, not causation: customers who switch may differ from those who do not in ways
    the strata do not capture.

    Parameters
    ----------
    data : DataFrame
        The event log (no missing customer, time or stage).
    customer, time, stage : str
    switch : str or list of str, optional
        Attribute columns. Default: whichever of "channel", "device" and "department" exist.
    outcome : {"exit", "progress"}
    within : duration, optional
        Look-ahead for the outcome: a duration in the grammar of :mod:`cxmetrics._time`
        (``"7D"``, ``"12h"``, ``datetime.timedelta(days=7)``; a bare number is an error).
        Default: no limit (the rest of the log).
    by : str or list of str, optional
        Strata (columns of the handoff's destination event), pooled by Mantel-Haenszel. Null
        stratum keys form their own stratum; a stratum with switched or unswitched handoffs
        only carries no weight.
    session : str, optional
        Session id column. Given, a journey is a (customer, session) pair: handoffs are moves
        within a session and an exit is the end of the session, so a switch between sessions
        (a customer coming back on another device) is not a handoff.
    confidence : float
        Level of the interval for the difference.

    Returns
    -------
    DataFrame
        One row per (attribute, from_stage, to_stage), largest ``gap_score`` first:
        ``attribute``, ``from_stage``, ``to_stage``, ``switched`` and ``not_switched``
        (handoffs), ``switched_rate`` and ``not_switched_rate`` (share with the outcome),
        ``difference`` (switched - not; with ``by`` the Mantel-Haenszel pooled difference) with
        ``ci_low`` and ``ci_high``, ``relative_risk``, ``p_value`` (score test, or the
        Mantel-Haenszel difference's z test with ``by``), ``p_adjusted``
        (Benjamini-Hochberg) and ``p_adjust_method`` (``"fdr_bh"``), ``gap_score``,
        ``small_sample``. Stage pairs where no handoff switched are left out: they say nothing
        about switching.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Warns
    -----
    UntestableWarning
        When nothing can be tested, saying why: no handoff switches any attribute, or every
        stage pair with switches has a cell below 5 (the warning gives the largest number of
        switched handoffs). The result is then empty, with the columns above. With
        ``session``, switches that happen only between sessions are named as the reason.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> paths = {("app", "app", "app"): 40, ("app", "app"): 10, ("app", "web", "web"): 15, ("app", "web"): 15}
    >>> rows = [(f"{k}-{i}", t, stage, device)
    ...         for k, (devices, count) in enumerate(paths.items()) for i in range(count)
    ...         for t, (stage, device) in enumerate(zip(["cart", "checkout", "paid"], devices))]
    >>> log = pd.DataFrame(rows, columns=["customer", "step", "stage", "device"])
    >>> log["time"] = pd.Timestamp("2024-05-01") + pd.to_timedelta(log["step"], unit="h")
    >>> call = dict(customer="customer", time="time", stage="stage", switch="device")
    >>> result = cx.gaps(log, **call)
    >>> shown = ["from_stage", "to_stage", "switched", "switched_rate", "not_switched_rate", "p_value"]
    >>> result[shown].round(4)
      from_stage  to_stage  switched  switched_rate  not_switched_rate  p_value
    0       cart  checkout        30            0.5                0.2   0.0054

    With four customers nothing can be tested; the result is empty and a warning says why:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     few = cx.gaps(log[log["customer"].isin(["0-0", "0-1", "2-0", "2-1"])], **call)
    >>> len(few)
    0
    >>> print(seen[0].message)  # doctest: +ELLIPSIS
    nothing was tested: every stage pair with a switch of 'device' has fewer than 5 handoffs ...
    """
    _checks.option(outcome, OUTCOMES, "outcome")
    confidence = _checks.confidence(confidence)
    strata = _frame.as_list(by)
    _log.check_names(session=session)
    attributes = _switch_columns(data, switch)
    limit = _log.duration_expr(within, "within")
    log = _log.prepare(data, customer=customer, time=time, stage=stage,
                       roles={"switch": attributes, "by": strata}, session=session)
    for attribute in attributes:
        if log.frame[attribute].null_count() == len(log.frame):
            raise MissingValueError(f"switch column {attribute!r} is entirely missing; nothing can switch")
    handoffs = _handoffs(log.frame, attributes, strata, outcome, limit)
    tables = []
    for attribute in attributes:
        current, following = nw.col(attribute), nw.col(NEXT + attribute)
        known = ~current.is_null() & ~following.is_null()
        counts = handoffs.filter(known).with_columns((current != following).alias("__cx_switched")).group_by(
            STAGE, NEXT + STAGE, *(NEXT + s for s in strata), "__cx_switched", drop_null_keys=False
        ).agg(nw.len().alias("n"), nw.col("__cx_outcome").sum().alias("k"))
        tables.append((attribute, counts.to_pandas()))
    result = _statistics(tables, strata, confidence)
    if _explain_untestable(result, attributes, session):
        # untestable rows would be all NaN tests: the warning carries what they could say
        result = {name: np.asarray(values)[:0] for name, values in result.items()}
    return _frame.to_native(_frame.with_arrays(None, result, log.backend))


def _explain_untestable(result: dict[str, Any], attributes: list[str], session: str | None) -> bool:
    """Warn when no row could be tested, with the reason (see the Warns section of :func:`gaps`);
    whether it warned."""
    switched = np.asarray(result["switched"], dtype=float)
    if len(switched) and not np.asarray(result["small_sample"], dtype=bool).all():
        return False
    names = ", ".join(repr(a) for a in attributes)
    if not len(switched):
        where = " within a session (they happen only between sessions)" if session else ""
        reason = f"no handoff switches {names}{where}; the result is empty"
    else:
        reason = (f"every stage pair with a switch of {names} has fewer than {MIN_CELL} handoffs in a cell "
                  f"(switched or not, with the outcome or without); the largest has {int(switched.max())} "
                  f"switched handoffs; the result is empty")
    warnings.warn(f"nothing was tested: {reason}", UntestableWarning, stacklevel=3)
    return True


def _switch_columns(data: Any, switch: str | Sequence[str] | None) -> list[str]:
    available = _frame.from_native(data).collect_schema().names()
    if switch is None:
        found = [c for c in DEFAULT_SWITCHES if c in available]
        if not found:
            raise ColumnNotFoundError(f"none of the default switch columns {list(DEFAULT_SWITCHES)} exist; "
                                      f"name the attribute columns with switch=")
        return found
    return _frame.as_list(switch, "switch")


def _handoffs(frame: nw.DataFrame[Any], attributes: list[str], strata: list[str], outcome: str,
              limit: int | None) -> nw.DataFrame[Any]:
    """One row per handoff (event -> next event of the customer) with the outcome after it."""

    moves = frame.with_columns(
        ahead(STAGE, 1).alias(NEXT + STAGE), ahead(TIME, 1).alias(NEXT + TIME),
        ahead(STAGE, 2).alias("__cx_after_stage"), ahead(TIME, 2).alias("__cx_after_time"),
        *(ahead(a, 1).alias(NEXT + a) for a in dict.fromkeys([*attributes, *strata])),
    ).filter(~nw.col(NEXT + TIME).is_null())
    after = nw.col("__cx_after_time")
    continues = ~after.is_null()
    if limit is not None:
        continues = continues & (after - nw.col(NEXT + TIME) <= limit)
        end = int(frame[TIME].max())
        moves = moves.filter(nw.col(NEXT + TIME) + limit <= end)  # outcome not yet observable
    moves_on = continues & (nw.col("__cx_after_stage") != nw.col(NEXT + STAGE))
    flag = ~continues if outcome == "exit" else moves_on
    return moves.with_columns(_frame.fill_missing(flag, False).cast(nw.Int64).alias("__cx_outcome"))


def mantel_haenszel_difference(cells: Any, confidence: float) -> dict[str, float]:
    """The Mantel-Haenszel risk difference over strata, with one test and one interval.

    ``cells`` holds one row per stratum: (events, n) of the first group, then of the second.
    The estimate is Greenland & Robins' (1985) weighted difference
    RD = sum((a·n0 − c·n1)/N) / sum(n1·n0/N), and its variance Sato's (1989) estimator
    Var = (RD·sum(P) + sum(Q)) / sum(n1·n0/N)², with
    P = (n1²·c − n0²·a + n1·n0·(n0 − n1)/2)/N² and Q = (a·(n0 − c) + c·(n1 − a))/(2N),
    consistent both for a few large strata and for many sparse ones (with one stratum it is
    the Wald variance of the difference). The interval is RD ± z·SE and the p-value the
    two-sided normal p of RD/SE: the same statistic, so p < 1 − confidence exactly when the
    interval excludes 0. Strata where a group is empty carry no weight. NaN when no stratum
    has both groups, or when the variance is zero (every outcome the same).
    """
    from scipy.special import ndtr

    a, n1, c, n0 = (np.asarray(column, dtype=float) for column in np.asarray(cells, dtype=float).T)
    total = n1 + n0
    weight = np.divide(n1 * n0, total, out=np.zeros_like(total), where=total > 0)
    out = {"difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "p_value": np.nan}
    if not weight.sum() > 0:
        return out
    share = weight.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        numerator = np.where(total > 0, (a * n0 - c * n1) / total, 0.0)
        p_term = np.where(total > 0, (n1**2 * c - n0**2 * a + n1 * n0 * (n0 - n1) / 2) / total**2, 0.0)
        q_term = np.where(total > 0, (a * (n0 - c) + c * (n1 - a)) / (2 * total), 0.0)
    difference = float(numerator.sum() / share)
    variance = float((difference * p_term.sum() + q_term.sum()) / share**2)
    out["difference"] = difference
    if not variance > 0:
        return out
    se = math.sqrt(variance)
    z = _stats.z_quantile(confidence)
    out.update(ci_low=difference - z * se, ci_high=difference + z * se, se=se,
               p_value=float(2.0 * ndtr(-abs(difference / se))))
    return out


def _statistics(tables: list[tuple[str, Any]], strata: list[str], confidence: float) -> dict[str, Any]:
    rows: dict[str, list[Any]] = {name: [] for name in (
        "attribute", "from_stage", "to_stage", "switched", "not_switched", "switched_outcome",
        "not_switched_outcome", "p_value", "difference", "ci_low", "ci_high", "small_sample")}
    for attribute, counts in tables:
        keys = [STAGE, NEXT + STAGE]
        for (origin, target), pair in counts.groupby(keys, sort=True, dropna=False):
            strata_keys = [NEXT + s for s in strata]
            cells = []
            for _, stratum in (pair.groupby(strata_keys, dropna=False) if strata else [(None, pair)]):
                yes = stratum[stratum["__cx_switched"]]
                no = stratum[~stratum["__cx_switched"]]
                cells.append((float(yes["k"].sum()), float(yes["n"].sum()),
                              float(no["k"].sum()), float(no["n"].sum())))
            k1, n1, k0, n0 = np.sum(cells, axis=0)
            small = min(k1, n1 - k1, k0, n0 - k0) < MIN_CELL
            if not n1:  # no switched handoff at this pair: nothing to compare
                continue
            pooled = mantel_haenszel_difference(cells, confidence) if strata else {}
            for name, value in (("attribute", attribute), ("from_stage", origin), ("to_stage", target),
                                ("switched", int(n1)), ("not_switched", int(n0)), ("switched_outcome", k1),
                                ("not_switched_outcome", k0), ("small_sample", small),
                                *((key, pooled.get(key, np.nan))
                                  for key in ("p_value", "difference", "ci_low", "ci_high"))):
                rows[name].append(value)
    k1, n1, k0, n0 = (np.asarray(rows[name], dtype=float) for name in (
        "switched_outcome", "switched", "not_switched_outcome", "not_switched"))
    small_rows = np.asarray(rows["small_sample"], dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate_1, rate_0 = k1 / n1, k0 / n0
        relative = rate_1 / rate_0
    if strata:  # Mantel-Haenszel difference, interval and test, one statistic
        test = {key: np.asarray(rows[key], dtype=float) for key in ("difference", "ci_low", "ci_high")}
        difference = test["difference"]
        rows["p_value"] = list(np.where(small_rows, np.nan, np.asarray(rows["p_value"], dtype=float)))
    else:  # one stratum: the score test and the interval it inverts
        test = _stats.two_proportion_test(k1, n1, k0, n0, confidence=confidence)
        rows["p_value"] = list(np.where(small_rows, np.nan, test["p_value"]))
        difference = rate_1 - rate_0
    gap_score = np.where(np.isfinite(difference), difference * n1, np.nan)
    p_values = np.asarray(rows["p_value"], dtype=float)
    out = {
        "attribute": rows["attribute"], "from_stage": rows["from_stage"], "to_stage": rows["to_stage"],
        "switched": rows["switched"], "not_switched": rows["not_switched"],
        "switched_rate": rate_1, "not_switched_rate": rate_0, "difference": difference,
        "ci_low": test["ci_low"], "ci_high": test["ci_high"],
        "relative_risk": np.where(np.isfinite(relative), relative, np.nan),
        "p_value": p_values, "p_adjusted": _stats.adjust_p_values(p_values, "fdr_bh"),
        "p_adjust_method": ["fdr_bh"] * len(p_values),
        "gap_score": gap_score, "small_sample": np.asarray(rows["small_sample"], dtype=bool),
    }
    order = np.lexsort((np.asarray(rows["to_stage"], dtype=str), np.asarray(rows["from_stage"], dtype=str),
                        np.asarray(rows["attribute"], dtype=str), -np.nan_to_num(gap_score, nan=-np.inf)))
    return {name: [values[i] for i in order] if isinstance(values, list) else np.asarray(values)[order]
            for name, values in out.items()}
