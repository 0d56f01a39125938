"""``cohort_retention``: the retention triangle, one row per (cohort, period), with intervals.

Definitions follow Amplitude's Retention Analysis chart with strict calendar periods
(https://amplitude.com/docs/faq/retention-analysis and "How time works in retention analysis",
https://amplitude.com/docs/analytics/charts/retention-analysis/retention-analysis-time):

- **n-day** (Amplitude's "Return On"): a customer of cohort c is retained in period N when they
  are active in period c + N itself. Period 0 is the cohort period.
- **unbounded** (Amplitude's "Return On or After"): retained in period N when active in period
  c + N *or any later period* observed in the data; the curve never rises.
- **bracket** (Amplitude's custom bracket retention): retained in bracket [a, b] when active in
  at least one of the periods c + a, ..., c + b.

The denominator is the cohort's size (each customer once). A period (or bracket) is reported
for a cohort only once it is observable: its first period c + N (c + a) starts no later than the
latest event of the whole log, i.e. its period code is at most the code of the last event. Later
periods are absent from the result, not zero.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _stats
from cxmetrics._typing import same_frame
from cxmetrics.errors import CXMetricsError, check_choice
from cxmetrics.retention import _activity as A
from cxmetrics.survey._aggregate import check_confidence

__all__ = ["cohort_retention"]

KINDS = ("n-day", "unbounded", "bracket")
RESULT_COLUMNS = ("cohort", "period", "period_to", "cohort_size", "retained", "rate", "ci_low",
                  "ci_high")


@dataclasses.dataclass(frozen=True)
class Counts:
    """Retained customers per (group, cohort) row and period column, before observability."""

    log: A.Log
    sizes: nw.DataFrame[Any]  # by columns, COHORT, N; sorted
    retained: np.ndarray  # rows of ``sizes`` x columns
    starts: np.ndarray  # each column's first period offset
    ends: np.ndarray  # each column's last period offset (equal to starts except for brackets)
    last_active: np.ndarray | None = None  # rows x (periods + 2): customers whose last return
    # (offset clipped to ``periods``) is column - 1; column 0: no return at all

    @property
    def observable(self) -> np.ndarray:
        """Which (row, column) cells are observable: start period no later than the last event's."""
        cohorts = np.asarray(self.sizes[A.COHORT].to_numpy(), dtype=np.int64)
        return self.starts[None, :] <= (self.log.last - cohorts)[:, None]

    @property
    def cohort_sizes(self) -> np.ndarray:
        return np.asarray(self.sizes[A.N].to_numpy(), dtype=np.int64)


def check_brackets(brackets: Any) -> np.ndarray:
    """Brackets as an (m, 2) array of [first, last] periods: whole numbers, ascending, disjoint."""
    if brackets is None or isinstance(brackets, str) or not isinstance(brackets, Sequence) or not brackets:
        raise CXMetricsError("kind='bracket' needs brackets=, a list of (first, last) periods, "
                             f"such as [(1, 1), (2, 7), (8, 30)]; got {brackets!r}")
    pairs = []
    for pair in brackets:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise CXMetricsError(f"each of brackets is a (first, last) pair of periods, got {pair!r}")
        first = A.whole_number(pair[0], "the first period of each of brackets")
        last = A.whole_number(pair[1], "the last period of each of brackets")
        if last < first:
            raise CXMetricsError(f"brackets: {tuple(pair)!r} ends before it starts")
        pairs.append((first, last))
    for (_, end), (start, _) in itertools.pairwise(pairs):
        if start <= end:
            raise CXMetricsError(f"brackets must be ascending and must not overlap, got {pairs}")
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def retention_counts(
    data: Any,
    *,
    customer: str,
    time: str,
    cohort: str,
    freq: str,
    kind: str,
    periods: int,
    brackets: Any,
    stage: str | None,
    active: Any,
    by: str | Sequence[str] | None,
    reserved: Sequence[str],
    last_active: bool = False,
) -> Counts:
    """Validate, then count retained customers per (group, cohort, period) in the engine.

    With ``last_active``, also the distribution of each customer's last return period
    (:attr:`Counts.last_active`), from the same reduction when ``kind="unbounded"``.
    """
    check_choice(kind, KINDS, "kind")
    periods = A.whole_number(periods, "periods")
    pairs = check_brackets(brackets) if kind == "bracket" else None
    if kind != "bracket" and brackets is not None:
        raise CXMetricsError(f"brackets= applies to kind='bracket' only (kind={kind!r})")
    by_list = A.check_by(by, reserved)
    log = A.prepare(data, customer=customer, time=time, freq=freq, by=by_list, stage=stage,
                    active=active, cohort=cohort)
    cohorts, returns = A.returns_and_cohorts(log)
    sizes = A.cohort_sizes(log, cohorts)
    keys = [*by_list, A.COHORT]
    cohort_codes = np.asarray(sizes[A.COHORT].to_numpy(), dtype=np.int64)
    if len(cohort_codes):  # no period after the log's last is observable: a huge periods costs nothing
        periods = min(periods, max(int(log.last - cohort_codes.min()), 0))
    offset = nw.col(A.OFFSET)
    if kind == "n-day":
        starts = ends = np.arange(periods + 1)
        table = returns.filter(offset <= periods)
        column = A.OFFSET
    elif kind == "unbounded":
        starts = ends = np.arange(periods + 1)
        table, column = _last_returns(returns, keys, periods), A.OFFSET
    else:
        assert pairs is not None
        starts, ends = pairs[:, 0], pairs[:, 1]
        code = nw.lit(-1, dtype=nw.Int64)  # outside every bracket
        for j in range(len(pairs) - 1, -1, -1):
            inside = (offset >= int(starts[j])) & (offset <= int(ends[j]))
            code = nw.when(inside).then(nw.lit(j, dtype=nw.Int64)).otherwise(code)
        table = (returns.with_columns(code.alias(A.PERIOD)).filter(nw.col(A.PERIOD) >= 0)
                 .select(A.CUSTOMER, *keys, A.PERIOD).unique())
        column = A.PERIOD
    matrix = _count_matrix(table, sizes, keys, column, len(starts))
    last_matrix = None
    if last_active:
        ends_at = matrix if kind == "unbounded" else _count_matrix(
            _last_returns(returns, keys, periods), sizes, keys, A.OFFSET, periods + 1)
        never = np.asarray(sizes[A.N].to_numpy(), dtype=np.int64) - ends_at.sum(axis=1)
        last_matrix = np.column_stack([never, ends_at])
    if kind == "unbounded":
        # retained at N <=> the last return is at N or later
        matrix = np.cumsum(matrix[:, ::-1], axis=1)[:, ::-1]
    return Counts(log, sizes, matrix, np.asarray(starts), np.asarray(ends), last_matrix)


def _last_returns(returns: _frame.Frame, keys: list[str], periods: int) -> _frame.Frame:
    """Each customer's last return period (offset), clipped to ``periods``."""
    offset = nw.col(A.OFFSET)
    last = returns.group_by(A.CUSTOMER, *keys, drop_null_keys=False).agg(offset.max())
    return last.with_columns(nw.when(offset > periods).then(periods).otherwise(offset)
                             .cast(nw.Int64).alias(A.OFFSET))


def _count_matrix(table: _frame.Frame, sizes: nw.DataFrame[Any], keys: list[str], column: str,
                  width: int) -> np.ndarray:
    """Rows of ``table`` per (``keys``, ``column``), counted in the engine, as a matrix over the
    rows of ``sizes`` and the values 0..width-1 of ``column``."""
    counted = _frame.collect(table.group_by(*keys, column, drop_null_keys=False)
                             .agg(nw.len().alias(A.N)))
    matrix = np.zeros((len(sizes), width), dtype=np.int64)
    rows = A.positions(counted, sizes, keys)
    np.add.at(matrix, (rows, np.asarray(counted[column].to_numpy(), dtype=np.int64)),
              np.asarray(counted[A.N].to_numpy(), dtype=np.int64))
    return matrix


@same_frame
def cohort_retention(
    data: Any,
    *,
    customer: str,
    time: str,
    cohort: str = "first",
    freq: str = "W",
    kind: str = "n-day",
    periods: int = 12,
    brackets: Sequence[tuple[int, int]] | None = None,
    stage: str | None = None,
    active: Any = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Any:
    """Retention of each cohort in each period after it, with Wilson intervals.

    Customers are grouped into cohorts by the calendar period (``freq``) of their first event
    (or of a date column), and each cohort's share of customers who come back is reported per
    period. The three kinds follow Amplitude's definitions (Retention Analysis, "Return On",
    "Return On or After" and custom brackets; https://amplitude.com/docs/faq/retention-analysis),
    on strict calendar periods:

    - ``"n-day"``: a customer of cohort c is retained in period N when active in period c + N
      itself (period 0 is the cohort period).
    - ``"unbounded"``: retained in period N when active in period c + N or in any later period
      seen in the data.
    - ``"bracket"``: retained in bracket (a, b) when active in at least one of the periods
      c + a through c + b.

    The rate is retained customers over the cohort's size, each customer counted once. A
    period appears for a cohort only when it is observable: its first period's code is at most
    the code of the latest event in the whole log (the period has started by the last observed
    time). Periods not yet observable are absent, not zero. The last observable period may be
    only partly covered by the log, so its rate can be low: cut the log at a period boundary
    (or drop that period) when that matters.

    Parameters
    ----------
    data : DataFrame
        Event or order log: pandas, polars, pyarrow, or a lazy frame (polars LazyFrame,
        DuckDB, Dask, Spark), reduced in its engine.
    customer : str
        Customer id column (no missing values).
    time : str
        Event time: datetime, date or ISO text; a time-zone-aware column is read in its own
        zone (wall-clock periods, like the trends). No missing values.
    cohort : str
        ``"first"``: each customer's cohort is the period of their first event (any stage).
        Otherwise the name of a date or datetime column (a sign-up date, say; no missing
        values): the cohort is the period of its earliest value over the customer's rows;
        activity before it is left out.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length: calendar days, weeks starting on Monday, months, quarters, years.
    kind : {"n-day", "unbounded", "bracket"}
        Which definition of a return (above).
    periods : int
        Report periods 0 through ``periods`` (n-day and unbounded; ignored for brackets).
    brackets : list of (int, int), optional
        For ``kind="bracket"``: ascending, non-overlapping (first, last) period ranges, both
        ends included, such as ``[(1, 1), (2, 4), (5, 12)]``.
    stage : str, optional
        Stage or event-type column; needed with ``active``.
    active : value or list of values, optional
        The stage values that count as a return (default: any event). Cohorts are still made
        from every event.
    by : str or list of str, optional
        Customer properties (one value per customer, else :class:`~cxmetrics.errors.DesignError`)
        to split the cohorts by.
    confidence : float
        Level of the Wilson (1927) score intervals (statsmodels ``proportion_confint``).

    Returns
    -------
    DataFrame
        Summary in the caller's library (lazy input: eager result). One row per (group,
        cohort, observable period), sorted by group, cohort and period. Columns: the ``by``
        columns, ``cohort`` (start of the cohort period), ``period`` (periods since the cohort
        period; for brackets the bracket's first period), ``period_to`` (brackets only: the
        bracket's last period), ``cohort_size``, ``retained``, ``rate`` (retained /
        cohort_size), ``ci_low``, ``ci_high``.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.retention` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, missing ids or times a
    :class:`~cxmetrics.errors.MissingValueError`, null ``by`` keys their own group, clashing or
    ``__cx_`` columns a :class:`~cxmetrics.errors.ColumnClashError`). Periods after the log's
    last event are absent from the result, so a ``periods`` larger than the log spans costs
    nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({
    ...     "customer": [1, 1, 1, 2, 2, 3, 4],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-09", "2024-01-22", "2024-01-02",
    ...                             "2024-01-10", "2024-01-08", "2024-01-23"])})
    >>> cx.cohort_retention(log, customer="customer", time="time", periods=3)
          cohort  period  cohort_size  retained      rate    ci_low   ci_high
    0 2024-01-01       0            2         2   1.0  0.342380  1.000000
    1 2024-01-01       1            2         2   1.0  0.342380  1.000000
    2 2024-01-01       2            2         0   0.0  0.000000  0.657620
    3 2024-01-01       3            2         1   0.5  0.094531  0.905469
    4 2024-01-08       0            1         1   1.0  0.206549  1.000000
    5 2024-01-08       1            1         0   0.0  0.000000  0.793451
    6 2024-01-08       2            1         0   0.0  0.000000  0.793451
    7 2024-01-22       0            1         1   1.0  0.206549  1.000000
    """
    check_confidence(confidence)
    counts = retention_counts(
        data, customer=customer, time=time, cohort=cohort, freq=freq, kind=kind, periods=periods,
        brackets=brackets, stage=stage, active=active, by=by, reserved=RESULT_COLUMNS)
    return counts_table(counts, kind, confidence)


def counts_table(counts: Counts, kind: str, confidence: float) -> Any:
    """The observable cells of ``counts`` as the result frame."""
    log, backend = counts.log, counts.log.backend
    row, col = np.nonzero(counts.observable)
    size = counts.cohort_sizes[row]
    retained = counts.retained[row, col]
    low, high = _stats.proportion_interval(retained, size, confidence=confidence)
    keys = _frame.take_rows(counts.sizes.select(log.by), row) if log.by else None
    cohort_codes = np.asarray(counts.sizes[A.COHORT].to_numpy(), dtype=np.int64)[row]
    columns: dict[str, Any] = {"period": counts.starts[col]}
    if kind == "bracket":
        columns["period_to"] = counts.ends[col]
    with np.errstate(invalid="ignore", divide="ignore"):
        columns.update(cohort_size=size, retained=retained, rate=retained / size, ci_low=low,
                       ci_high=high)
    frame = A.with_periods(keys, log, cohort_codes, "cohort")
    return _frame.to_native(_frame.with_arrays(frame, columns, backend))
