"""Tie-safe, row-order-invariant R, F and M scores and the cut points they realise."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.errors import MissingValueError, ValueRangeError, check_choice, format_examples

#: (value column, score column, whether a *smaller* value is better)
METRICS = (("recency", "r_score", True), ("frequency", "f_score", False), ("monetary", "m_score", False))
SCORE_METHODS = ("quantile", "fixed")
MAX_BINS = 9  # one digit per score keeps ``rfm_cell`` unambiguous


def check_bins(bins: Any) -> int:
    """``bins`` must be a whole number from 2 to 9."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= MAX_BINS:
        raise ValueRangeError(f"bins must be a whole number from 2 to {MAX_BINS}, got {bins!r}")
    return int(bins)


def quantile_cuts(frame: _frame.Frame, metric: str, bins: int, n: int, smaller_is_better: bool) -> list[Any]:
    """The order statistics that separate the quantile scores, computed in the engine.

    A customer scores ``1 + floor(bins × w / n)`` with ``w`` the customers strictly worse. For
    larger-is-better, ``w >= m`` exactly when the value exceeds the ``m``-th smallest value,
    so score ``k + 1`` is reached above the ``m_k``-th smallest, ``m_k = ceil(k n / bins)``;
    for recency, below the ``m_k``-th largest. Only those ``bins - 1`` values leave the
    engine (one sort, then a filter on the sorted positions), and ties need no tie-breaking:
    a position's value is the same whichever tied row sits there.
    """
    wanted = [-(-k * n // bins) for k in range(1, bins)]  # m_k = ceil(k n / bins) >= 1
    positions = [n - m if smaller_is_better else m - 1 for m in wanted]
    ranked = frame.select(nw.col(metric).alias("__cx_v")).with_row_index("__cx_i", order_by=["__cx_v"])
    found = _frame.collect(ranked.filter(nw.col("__cx_i").is_in(sorted(set(positions)))))
    value_at = dict(zip(found["__cx_i"].to_list(), found["__cx_v"].to_list(), strict=True))
    return [value_at[p] for p in positions]


def quantile_score(value: nw.Expr, cuts: Sequence[Any], smaller_is_better: bool) -> nw.Expr:
    """Score from :func:`quantile_cuts`: one more for each cut the value is strictly better than."""
    passed = [((value < cut) if smaller_is_better else (value > cut)).cast(nw.Int64) for cut in cuts]
    return functools.reduce(operator.add, passed, nw.lit(1, dtype=nw.Int64))


def fixed_score(value: nw.Expr, edges: np.ndarray, smaller_is_better: bool) -> nw.Expr:
    """Score from ``bins - 1`` increasing edges; a value on an edge gets the better score.

    Frequency and monetary: ``v < e1`` scores 1, ``e1 <= v < e2`` scores 2, ... Recency:
    ``r <= e1`` scores ``bins``, ``e1 < r <= e2`` scores ``bins - 1``, ...
    """
    if smaller_is_better:
        passed = [(value > float(edge)).cast(nw.Int64) for edge in edges]
        return functools.reduce(operator.sub, passed, nw.lit(len(edges) + 1, dtype=nw.Int64))
    passed = [(value >= float(edge)).cast(nw.Int64) for edge in edges]
    return functools.reduce(operator.add, passed, nw.lit(1, dtype=nw.Int64))


@same_frame
def rfm_score(
    data: Any,
    *,
    bins: int = 5,
    method: str = "quantile",
    thresholds: Mapping[str, Sequence[float]] | None = None,
) -> Any:
    """Add R, F and M scores (1 = worst, ``bins`` = best) and the combined cell.

    Parameters
    ----------
    data : DataFrame
        Any frame with numeric ``recency``, ``frequency`` and ``monetary`` columns, such as
        the result of :func:`rfm_table`; no missing values.
    bins : int
        Number of scores, 2 to 9.
    method : {"quantile", "fixed"}
        ``"quantile"``: a customer scores ``1 + floor(bins × s)`` where ``s`` is the share of
        customers with a strictly worse value (a longer recency, a lower frequency or
        monetary value). Tied customers therefore share a score and the result never depends
        on row order; with heavy ties some scores stay empty rather than splitting equal
        customers arbitrarily (which is what ``rank(method="first")`` before ``qcut`` does).
        ``"fixed"``: business cut points from ``thresholds``.
    thresholds : mapping, optional
        For ``method="fixed"``: ``{"recency": [...], "frequency": [...], "monetary": [...]}``,
        each ``bins - 1`` strictly increasing edges in the table's units. A value equal to an
        edge gets the better score: ``frequency >= e_k`` earns at least score ``k + 1``, and
        ``recency <= e_k`` at least score ``bins - k + 1``.

    Returns
    -------
    DataFrame
        The table (same library, same rows and order) with ``r_score``, ``f_score``,
        ``m_score`` (int, recency reversed so recent = high) and ``rfm_cell`` (text such as
        ``"545"``). The realised cut points come from :func:`rfm_thresholds`, the same
        way for every library: a pure function of the scored table rather than hidden state
        (pandas ``.attrs`` would hold it only for pandas, are deep-copied by every pandas
        operation, and a DataFrame stored there breaks ``pandas.concat``).

    Notes
    -----
    Edge inputs: no customers give no rows with the score columns; missing or infinite values
    raise naming the column; nullable and pyarrow-backed columns are read as their values; a
    frame that already has ``r_score``, ``f_score``, ``m_score`` or ``rfm_cell`` raises
    :class:`~cxmetrics.errors.ColumnClashError` (drop them to score again). A lazy input gives
    a lazy result.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> table = pd.DataFrame({"recency": [5, 40, 40, 200, 10],
    ...                       "frequency": [3, 1, 1, 1, 8],
    ...                       "monetary": [30.0, 12.0, 25.0, 8.0, 60.0]})
    >>> cx.rfm_score(table, bins=3)
       recency  frequency  monetary  r_score  f_score  m_score rfm_cell
    0        5          3      30.0        3        2        2      322
    1       40          1      12.0        1        1        1      111
    2       40          1      25.0        1        1        2      112
    3      200          1       8.0        1        1        1      111
    4       10          8      60.0        2        3        3      233
    """
    bins = check_bins(bins)
    check_choice(method, SCORE_METHODS, "method")
    frame = _frame.from_native(data)
    _frame.require_columns(frame, {"value": [m for m, _, _ in METRICS]})
    _checks.no_clash(frame.collect_schema().names(), [*(s for _, s, _ in METRICS), "rfm_cell"],
                     function="rfm_score")
    edges = _fixed_edges(thresholds, bins) if method == "fixed" else None
    if method == "quantile" and thresholds is not None:
        raise ValueRangeError("thresholds are only used with method='fixed'")
    n = _check_values(frame)
    if n == 0 and edges is None:  # no customers: the same columns, no rows
        edges = {metric: np.arange(1.0, bins) for metric, _, _ in METRICS}
    scores = [
        (quantile_score(nw.col(metric), quantile_cuts(frame, metric, bins, n, smaller_is_better),
                        smaller_is_better) if edges is None
         else fixed_score(nw.col(metric), edges[metric], smaller_is_better)).alias(score)
        for metric, score, smaller_is_better in METRICS
    ]
    cell = nw.col("r_score") * 100 + nw.col("f_score") * 10 + nw.col("m_score")
    scored = frame.with_columns(*scores).with_columns(cell.cast(nw.String).alias("rfm_cell"))
    return _frame.per_row_result(scored)


def rfm_thresholds(data: Any, *, bins: int = 5) -> Any:
    """The cut points a scoring realised: per metric and score, the customers and value range.

    Parameters
    ----------
    data : DataFrame
        A result of :func:`rfm_score` (or any frame with the value and score columns).
    bins : int
        Number of scores used; scores nobody received appear with 0 customers.

    Returns
    -------
    DataFrame
        Same library, one row per (metric, score) in the order recency, frequency, monetary
        and score 1..bins: ``metric``, ``score``, ``customers``, ``min`` and ``max`` (the
        smallest and largest value given that score; null when it is empty).

    Notes
    -----
    Edge inputs: no customers give every (metric, score) row with 0 customers; nullable and
    pyarrow-backed columns are read as their values.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> table = pd.DataFrame({"recency": [5, 40, 40, 200], "frequency": [3, 1, 1, 2],
    ...                       "monetary": [30.0, 12.0, 25.0, 8.0]})
    >>> cuts = cx.rfm_thresholds(cx.rfm_score(table, bins=2), bins=2)
    >>> cuts[cuts["metric"] == "frequency"]
          metric  score  customers  min  max
    2  frequency      1          2  1.0  1.0
    3  frequency      2          2  2.0  3.0
    """
    bins = check_bins(bins)
    frame = _frame.from_native(data)
    _frame.require_columns(frame, {"value": [m for m, _, _ in METRICS], "score": [s for _, s, _ in METRICS]})
    columns: dict[str, list[Any]] = {"metric": [], "score": [], "customers": [], "min": [], "max": []}
    for metric, score, _ in METRICS:
        values = frame.select(nw.col(score), nw.col(metric).cast(nw.Float64))
        found = _frame.collect(
            values.group_by(score).agg(nw.len(), nw.col(metric).min().alias("lo"), nw.col(metric).max())
        )
        by_score = {row[0]: row[1:] for row in found.iter_rows()}
        for k in range(1, bins + 1):
            customers, low, high = by_score.get(k, (0, None, None))
            columns["metric"].append(metric)
            columns["score"].append(k)
            columns["customers"].append(int(customers))
            columns["min"].append(low)
            columns["max"].append(high)
    return _frame.to_native(nw.from_dict(columns, backend=_frame.eager_implementation(frame)))


def _check_values(frame: _frame.Frame) -> int:
    """Every metric numeric and present; return the number of customers."""
    checks = [nw.len().alias("n")]
    for metric, _, _ in METRICS:
        _frame.require_numeric(frame, metric, "value")
        _checks.finite_column(frame, metric, "value")
        missing = nw.col(metric).is_null()
        if frame.collect_schema()[metric].is_float():
            missing = missing | nw.col(metric).is_nan()
        checks.append(_frame.count_true(missing).alias(metric))
    found = _frame.collect(frame.select(*checks)).rows(named=True)[0]
    for metric, _, _ in METRICS:
        if found[metric]:
            raise MissingValueError(
                f"value column {metric!r} has {found[metric]} missing values; every customer "
                f"needs a {metric} to be scored"
            )
    return int(found["n"])


def _fixed_edges(thresholds: Mapping[str, Sequence[float]] | None, bins: int) -> dict[str, np.ndarray]:
    if thresholds is None:
        raise ValueRangeError("method='fixed' needs thresholds for recency, frequency and monetary")
    if not isinstance(thresholds, Mapping):
        raise ValueRangeError(
            f"thresholds must be a dict of edges per metric, got {type(thresholds).__name__}")
    edges = {}
    for metric, _, _ in METRICS:
        if metric not in thresholds:
            raise ValueRangeError(f"thresholds has no edges for {metric!r}; give all three metrics")
        raw = thresholds[metric]
        numbers = isinstance(raw, Sequence | np.ndarray) and not isinstance(raw, (str, bytes)) and all(
            isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in raw)
        if not numbers:
            raise ValueRangeError(
                f"thresholds[{metric!r}] must be a list of numbers (strings are not read as "
                f"numbers), got {raw!r}")
        given = np.asarray(raw, dtype=np.float64)
        if given.shape != (bins - 1,) or np.any(np.diff(given) <= 0) or not np.isfinite(given).all():
            raise ValueRangeError(
                f"thresholds[{metric!r}] must be {bins - 1} strictly increasing finite edges for "
                f"bins={bins}, got {format_examples(given.tolist(), limit=10)}"
            )
        edges[metric] = given
    return edges
