"""``compare_retention``: each group's retention curve against the rest or a reference.

Per period, the groups' pooled rates (Amplitude's weighted average over the cohorts for which
the period is observable) are compared with the Miettinen–Nurminen score test and the interval
inverted from that same test, so the two never disagree
(:func:`cxmetrics._stats.two_proportion_test`), and the p-values
of one group's periods are adjusted together (Benjamini–Hochberg by default). The whole curves
are compared with a log-rank test (Mantel 1966; statsmodels ``survdiff``) of the time to each
customer's last return, censored at the last observable period of the customer's cohort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks, _frame, _stats
from cxmetrics._typing import same_frame
from cxmetrics.errors import CXMetricsError, ValueRangeError, check_choice, format_examples
from cxmetrics.retention import _activity as A
from cxmetrics.retention._cohorts import Counts, retention_counts
from cxmetrics.survey._aggregate import check_confidence
from cxmetrics.survey._compare import P_ADJUST_METHODS

__all__ = ["compare_retention"]

RESULT_COLUMNS = (
    "versus", "period", "period_to", "n", "retained", "rate", "rate_ci_low", "rate_ci_high",
    "reference_n", "reference_retained", "reference_rate", "difference", "ci_low", "ci_high",
    "statistic", "p_value", "p_adjusted", "p_adjust_method", "logrank_statistic", "logrank_p_value",
)


@same_frame
def compare_retention(
    data: Any,
    *,
    customer: str,
    time: str,
    by: str | Sequence[str],
    reference: Any = None,
    cohort: str = "first",
    freq: str = "W",
    kind: str = "n-day",
    periods: int = 12,
    brackets: Sequence[tuple[int, int]] | None = None,
    stage: str | None = None,
    active: Any = None,
    p_adjust: str = "fdr_bh",
    confidence: float = 0.95,
) -> Any:
    """Compare retention between groups of customers, period by period and as whole curves.

    Each group's retention in period N is the weighted average Amplitude reports: retained
    customers over the customers of every cohort for which period N is observable (the
    definitions and the observability rule of :func:`cohort_retention`). It is compared with
    the same rate of the other groups together (``reference=None``) or of the ``reference``
    group.

    - Per period: the difference of the two rates with Miettinen & Nurminen's (1985) score
      test and the interval inverted from it (0 is outside the interval exactly when the test
      rejects at ``1 - confidence``); the p-values of a group's periods are
      adjusted together (``p_adjust``, Benjamini & Hochberg 1995 by default).
    - Whole curves: a log-rank test (Mantel 1966; statsmodels ``survdiff``) of the time to
      each customer's last return up to ``periods`` (no return at all: time 0; last return in
      period k: time k + 1), censored when the customer returned in the last period that is
      observable for their cohort (or in period ``periods``). This compares the unbounded
      retention curves, whatever ``kind`` the per-period rows use.

    Parameters
    ----------
    data : DataFrame
        Event or order log, any library :func:`cohort_retention` takes.
    customer, time : str
        Customer id and event time columns.
    by : str or list of str
        The customer property (one value per customer) whose groups are compared.
    reference : optional
        A group (a value of ``by``; a tuple for several columns) to compare every other group
        with. Default: each group against all the others together.
    cohort, freq, kind, periods, brackets, stage, active
        As in :func:`cohort_retention`.
    p_adjust : str
        Adjustment across one group's periods (statsmodels ``multipletests``): "fdr_bh",
        "holm", "bonferroni", "fdr_by", "sidak", "holm-sidak", "hommel" or "none".
    confidence : float
        Level of the Wilson intervals on each rate and of the interval on the difference.

    Returns
    -------
    DataFrame
        Summary in the caller's library (lazy input: eager result). One row per (group,
        observable period), groups sorted (the reference group has no rows). Columns: the
        ``by`` columns, ``versus`` ("rest" or the reference group as text), ``period``,
        ``period_to`` (brackets only), ``n`` (the group's customers in cohorts for which the
        period is observable), ``retained``, ``rate`` with ``rate_ci_low`` and
        ``rate_ci_high`` (Wilson), ``reference_n``, ``reference_retained``,
        ``reference_rate``, ``difference`` (rate − reference_rate) with ``ci_low`` and
        ``ci_high``, ``statistic`` (score z), ``p_value``, ``p_adjusted``, ``p_adjust_method`` (the
        method), ``logrank_statistic`` (chi-squared, one degree of freedom) and
        ``logrank_p_value`` (the same on every row of a group). With one group and no
        reference there is nothing to compare: the frame is empty, with these columns.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.retention` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, missing ids or times a
    :class:`~cxmetrics.errors.MissingValueError`, null ``by`` keys their own group, clashing or
    ``__cx_`` columns a :class:`~cxmetrics.errors.ColumnClashError`). Periods after the log's
    last event are absent; a single group has nothing to compare with (an empty result).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({
    ...     "customer": [1, 1, 2, 2, 3, 4, 4, 5],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-02", "2024-01-09",
    ...                             "2024-01-03", "2024-01-01", "2024-01-15", "2024-01-02"]),
    ...     "plan": ["pro", "pro", "pro", "pro", "pro", "free", "free", "free"]})
    >>> out = cx.compare_retention(log, customer="customer", time="time", by="plan", periods=2)
    >>> out[["plan", "period", "n", "retained", "reference_retained", "difference"]]
       plan  period  n  retained  reference_retained  difference
    0  free       0  2         2                   3    0.000000
    1  free       1  2         0                   2   -0.666667
    2  free       2  2         1                   0    0.500000
    3   pro       0  3         3                   2    0.000000
    4   pro       1  3         2                   0    0.666667
    5   pro       2  3         0                   1   -0.500000
    """
    check_confidence(confidence)
    check_choice(p_adjust, P_ADJUST_METHODS, "p_adjust")
    by_list = _frame.as_list(by)
    if not by_list:
        raise CXMetricsError("compare_retention needs by=, the customer property to compare")
    counts = retention_counts(
        data, customer=customer, time=time, cohort=cohort, freq=freq, kind=kind, periods=periods,
        brackets=brackets, stage=stage, active=active, by=by_list, reserved=RESULT_COLUMNS,
        last_active=True)
    return _comparison_table(counts, kind, reference, p_adjust, confidence)


def _comparison_table(counts: Counts, kind: str, reference: Any, p_adjust: str,
                      confidence: float) -> Any:
    by, backend = counts.log.by, counts.log.backend
    keys, group = _frame.group_codes(counts.sizes, by)
    assert keys is not None
    labels = [row if len(by) > 1 else row[0] for row in keys.rows()]
    n_groups = len(labels)
    observable = counts.observable
    size = counts.cohort_sizes[:, None] * observable
    retained = counts.retained * observable
    n = np.zeros((n_groups, size.shape[1]), dtype=np.int64)
    r = np.zeros_like(n)
    np.add.at(n, group, size)
    np.add.at(r, group, retained)
    ref_index = _reference_index(labels, reference, by)
    durations, events, customers = _survival(counts)
    out: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
    rows: list[int] = []
    for g in range(n_groups):
        if g == ref_index or (ref_index is None and n_groups < 2):
            continue
        others = np.arange(n_groups) != g if ref_index is None else np.arange(n_groups) == ref_index
        n_ref, r_ref = n[others].sum(axis=0), r[others].sum(axis=0)
        cells = np.flatnonzero(n[g] > 0)
        test = _stats.two_proportion_test(r[g, cells], n[g, cells], r_ref[cells], n_ref[cells],
                                          confidence=confidence)
        low, high = _stats.proportion_interval(r[g, cells], n[g, cells], confidence=confidence)
        in_group = group == g
        compared = others[group]
        chi2, p_logrank = _logrank(durations, events, customers, in_group, compared)
        with np.errstate(invalid="ignore", divide="ignore"):
            columns = {
                "versus": ["rest" if ref_index is None else str(labels[ref_index])] * len(cells),
                "period": counts.starts[cells], "period_to": counts.ends[cells],
                "n": n[g, cells], "retained": r[g, cells], "rate": r[g, cells] / n[g, cells],
                "rate_ci_low": low, "rate_ci_high": high, "reference_n": n_ref[cells],
                "reference_retained": r_ref[cells], "reference_rate": r_ref[cells] / n_ref[cells],
                "difference": test["difference"], "ci_low": test["ci_low"],
                "ci_high": test["ci_high"], "statistic": test["statistic"],
                "p_value": test["p_value"],
                "p_adjusted": _stats.adjust_p_values(test["p_value"], p_adjust),
                "p_adjust_method": [p_adjust] * len(cells), "logrank_statistic": [chi2] * len(cells),
                "logrank_p_value": [p_logrank] * len(cells),
            }
        for name, values in columns.items():
            out[name].extend(list(np.asarray(values).tolist()) if not isinstance(values, list)
                             else values)
        rows.extend([g] * len(cells))
    if kind != "bracket":
        del out["period_to"]
    frame = _frame.take_rows(keys, np.asarray(rows, dtype=np.int64))
    typed = {name: (values if name in ("versus", "p_adjust_method") else
                    np.asarray(values, dtype=np.int64 if name in _INTEGER else float))
             for name, values in out.items()}
    return _frame.to_native(_frame.with_arrays(frame, typed, backend))


_INTEGER = {"period", "period_to", "n", "retained", "reference_n", "reference_retained"}


def _reference_index(labels: list[Any], reference: Any, by: list[str]) -> int | None:
    if reference is None:
        return None
    wanted = tuple(reference) if len(by) > 1 and isinstance(reference, Sequence) else reference
    found = _checks.position(wanted, labels)
    if found is None:
        raise ValueRangeError(
            f"reference {reference!r} is not a group of by {by}: groups are {format_examples(labels)}")
    return found


def _survival(counts: Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (group-cohort row, last-return column): the log-rank time, whether the customer's
    stop was observed, and the counts; see :func:`compare_retention`."""
    assert counts.last_active is not None
    width = counts.last_active.shape[1]  # periods + 2: no return, last return 0..periods
    cohorts = np.asarray(counts.sizes[A.COHORT].to_numpy(), dtype=np.int64)
    horizon = np.minimum(counts.log.last - cohorts, width - 2)  # last observable offset
    time = np.broadcast_to(np.arange(width), counts.last_active.shape)  # last return + 1
    observed = time <= horizon[:, None]  # returned last before the horizon: stopped
    return time, observed, counts.last_active


def _logrank(time: np.ndarray, observed: np.ndarray, count: np.ndarray, in_group: np.ndarray,
             compared: np.ndarray) -> tuple[float, float]:
    """Log-rank chi-squared and p-value, group rows against compared rows (counts expanded to
    customers for statsmodels ``survdiff``)."""
    from statsmodels.duration.survfunc import survdiff

    rows = in_group | compared
    weights = count[rows].ravel()
    if weights.sum() == 0 or count[in_group].sum() == 0 or count[compared].sum() == 0:
        return float("nan"), float("nan")
    label = np.broadcast_to(in_group[rows][:, None], count[rows].shape).ravel()
    times = np.repeat(time[rows].ravel(), weights).astype(float)
    status = np.repeat(observed[rows].ravel(), weights).astype(float)
    groups = np.repeat(label, weights).astype(np.int64)
    if status.sum() == 0:  # nobody stopped: the curves cannot differ
        return 0.0, 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2, p_value = survdiff(times, status, groups)
    return float(chi2), float(p_value)

