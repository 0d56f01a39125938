"""Shared aggregation for survey metrics: validate a score column, reduce rows to per-group
sufficient statistics (counts per category, weighted sums), and hand numpy arrays on.

One pass over the caller's rows (:func:`cxmetrics._frame.value_counts`) gives the score
distribution per group; every metric in :mod:`cxmetrics.survey` is computed from it.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import CXMetricsError

_INTERNAL = "__cx_"

#: NPS categories on the 0–10 likelihood-to-recommend scale (Reichheld 2003).
NPS_CATEGORIES: dict[str, tuple[float, float]] = {
    "detractors": (0, 6),
    "passives": (7, 8),
    "promoters": (9, 10),
}


@dataclasses.dataclass(frozen=True)
class GroupStats:
    """Per-group sufficient statistics of one score column (arrays aligned with ``keys``).

    ``weight`` and ``categories_weighted`` equal the raw counts when no weights were given.
    """

    keys: nw.DataFrame[Any] | None
    backend: Any
    n: np.ndarray
    n_missing: np.ndarray
    weight: np.ndarray
    weight_sq: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    categories: dict[str, np.ndarray]
    categories_weighted: dict[str, np.ndarray]

    @property
    def n_eff(self) -> np.ndarray:
        """Kish's effective sample size (Σw)² / Σw² (equals n without weights)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.weight_sq > 0, self.weight**2 / self.weight_sq, 0.0)

    def share(self, category: str) -> np.ndarray:
        """Weighted share of ``category`` among non-missing responses (NaN when empty)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.weight > 0, self.categories_weighted[category] / self.weight, np.nan)

    def effective_count(self, category: str) -> np.ndarray:
        """Share × effective n: the count an unweighted sample of the same precision would have."""
        return np.nan_to_num(self.share(category)) * self.n_eff

    @property
    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.weight > 0, self.total / self.weight, np.nan)

    @property
    def variance(self) -> np.ndarray:
        """Sample variance of the scores (weighted, scaled by n_eff / (n_eff − 1))."""
        n_eff = self.n_eff
        with np.errstate(invalid="ignore", divide="ignore"):
            population = self.total_sq / self.weight - self.mean**2
            return np.where(n_eff > 1, np.maximum(population, 0.0) * n_eff / (n_eff - 1.0), np.nan)

    def net_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sample variance (ddof = 1, on n_eff) of the −1/0/+1 NPS codes per group."""
        promoters, detractors = self.share("promoters"), self.share("detractors")
        n = self.n_eff
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = (promoters + detractors - (promoters - detractors) ** 2) * n / (n - 1.0)
        return promoters - detractors, variance

    def arrays(self) -> dict[str, np.ndarray]:
        """Every per-group array by name (categories prefixed ``cat_`` / ``catw_``)."""
        return {
            "n": self.n, "n_missing": self.n_missing, "weight": self.weight,
            "weight_sq": self.weight_sq, "total": self.total, "total_sq": self.total_sq,
            **{f"cat_{k}": v for k, v in self.categories.items()},
            **{f"catw_{k}": v for k, v in self.categories_weighted.items()},
        }

    def replaced(self, keys: nw.DataFrame[Any] | None, arrays: Mapping[str, np.ndarray]) -> GroupStats:
        """The same statistics on new rows: ``arrays`` as returned by :meth:`arrays`."""
        return dataclasses.replace(
            self,
            keys=keys,
            n=arrays["n"], n_missing=arrays["n_missing"], weight=arrays["weight"],
            weight_sq=arrays["weight_sq"], total=arrays["total"], total_sq=arrays["total_sq"],
            categories={k: arrays[f"cat_{k}"] for k in self.categories},
            categories_weighted={k: arrays[f"catw_{k}"] for k in self.categories_weighted},
        )

    def windowed(self, window: int, group_starts: np.ndarray) -> GroupStats:
        """Sum every statistic over the last ``window`` rows within each group (rolling trends)."""
        rolled = {k: _rolling_sum(v, window, group_starts) for k, v in self.arrays().items()}
        return self.replaced(self.keys, rolled)


def _rolling_sum(values: np.ndarray, window: int, group_starts: np.ndarray) -> np.ndarray:
    """Trailing sum over ``window`` rows that never crosses a group boundary."""
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    position = np.arange(len(values))
    start = np.maximum(position - window + 1, group_starts)
    summed = cumulative[position + 1] - cumulative[start]
    return summed.astype(values.dtype) if values.dtype.kind == "i" else summed


def prepare(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None,
    weights: str | None = None,
    roles: Mapping[str, str | Sequence[str] | None] | None = None,
) -> tuple[_frame.Frame, list[str]]:
    """Wrap the caller's frame and check every named column exists and has the right type."""
    frame = _frame.from_native(data)
    by_list = _frame.as_list(by)
    _checks.column(frame, score, "score")
    if weights is not None:
        _checks.column(frame, weights, "weights")
    _frame.require_columns(frame, {"by": by_list, **(roles or {})})
    _checks.not_internal({"score": score, "weights": weights, "by": by_list, **(roles or {})})
    _checks.distinct({"score": score, "weights": weights, **(roles or {})})
    if score in by_list:
        raise CXMetricsError(f"score column {score!r} cannot also be a by column")
    frame = _frame.numeric_categories(frame, score)  # a Categorical of ratings holds numbers
    _frame.require_numeric(frame, score, "score")
    if weights is not None:
        frame = _frame.numeric_categories(frame, weights)
        _frame.check_weights(frame, weights)
    _frame.check_keys(frame, by_list)
    frame = _frame.categorical_keys_as_text(frame, by_list)
    return frame, by_list


def score_stats(
    frame: _frame.Frame,
    *,
    score: str,
    by: list[str],
    weights: str | None,
    low: float,
    high: float,
    categories: Mapping[str, tuple[float, float]],
    complement: str | None = None,
    moments: bool = True,
) -> GroupStats:
    """Validate a score column and reduce it to :class:`GroupStats` in one group-by.

    Scores must be whole numbers in ``low..high`` (missing allowed). The group-by in the
    caller's engine only sums precomputed flag columns (narwhals' fast path). ``complement``
    names a category that fills the rest of the scale; it is derived as n minus the others
    rather than summed. ``moments=False`` skips the sums needed only for means.
    """
    _frame.check_scale_rows(frame, score, low=low, high=high, integer=True)
    value = _frame.without_nan(score) if frame.collect_schema()[score].is_float() else nw.col(score)
    present = ~value.is_null()
    weight = nw.col(weights) if weights is not None else None

    def where(condition: nw.Expr, amount: nw.Expr) -> nw.Expr:
        return nw.when(condition).then(amount).otherwise(0)

    # Scores are known to lie in low..high here, so a category bound at the scale's edge needs
    # no comparison; missing scores compare false (pandas) or null (others) and are not summed.
    parts: dict[str, nw.Expr] = {}
    summed = {k: v for k, v in categories.items() if k != complement}
    for name, (cat_low, cat_high) in summed.items():
        bounds = ([value >= cat_low] if cat_low > low else []) + (
            [value <= cat_high] if cat_high < high else [])
        parts[f"cat_{name}"] = functools.reduce(operator.and_, bounds) if bounds else present
    if weight is not None:
        parts["weight"] = where(present, weight)
        parts["weight_sq"] = where(present, weight * weight)
        for name in summed:
            parts[f"catw_{name}"] = where(parts[f"cat_{name}"], weight)
    if moments:
        amount = value if weight is None else weight * value
        parts["total"] = where(present, amount)
        parts["total_sq"] = where(present, amount * value)
    # counted flags are summed as integers: Spark refuses to sum booleans
    # internal names start with __cx_ so a caller's column called "n" or "cat_promoters" is safe
    summable = {_INTERNAL + k: v.cast(nw.Int64) if k.startswith("cat_") else v for k, v in parts.items()}
    value_name = _INTERNAL + "score"
    reduced = _frame.grouped(
        frame.select(*(nw.col(b) for b in by), value.alias(value_name), **summable),
        by,
        [nw.col(value_name).count().alias(_INTERNAL + "n"), *(nw.col(k).sum() for k in summable),
         nw.len().alias(_INTERNAL + "rows")],
    )
    table = _frame.collect(reduced)
    arrays = {k: table[_INTERNAL + k].to_numpy().astype(float) for k in [*parts, "n", "rows"]}
    n = arrays["n"]
    cats = {k: arrays[f"cat_{k}"] for k in summed}
    cats_weighted = {k: arrays[f"catw_{k}"] for k in summed} if weight is not None else dict(cats)
    total_weight = arrays["weight"] if weight is not None else n
    if complement is not None:
        cats[complement] = n - sum(cats.values())
        cats_weighted[complement] = total_weight - sum(cats_weighted.values())
    nan = np.full(len(n), np.nan)
    return GroupStats(
        keys=table.select(by) if by else None,
        backend=table.implementation,
        n=n.astype(np.int64),
        n_missing=(arrays["rows"] - n).astype(np.int64),
        weight=total_weight,
        weight_sq=arrays["weight_sq"] if weight is not None else n,
        total=arrays.get("total", nan),
        total_sq=arrays.get("total_sq", nan),
        categories={k: cats[k].astype(np.int64) for k in categories},
        categories_weighted={k: cats_weighted[k] for k in categories},
    )


def finish(stats: GroupStats, columns: Mapping[str, Any]) -> Any:
    """Attach computed columns to the group keys and return the caller's library.

    A group key named like a result column raises :class:`~cxmetrics.errors.ColumnClashError`.
    """
    return _frame.to_native(_frame.with_arrays(stats.keys, columns, stats.backend))


def check_confidence(confidence: Any) -> float:
    """Confidence must be a number strictly between 0 and 1 (:func:`cxmetrics._checks.confidence`)."""
    return _checks.confidence(confidence)
