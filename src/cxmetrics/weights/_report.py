"""The weight report every weighting function returns, and the result pair it comes in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from cxmetrics.errors import ColumnTypeError, ValueRangeError, format_examples

__all__ = ["QUANTILES", "WeightReport", "Weighted"]

#: Quantiles of the weights listed in every report.
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclasses.dataclass(frozen=True)
class WeightReport:
    """What a weighting step did and what the weights cost in precision.

    Attributes
    ----------
    method : str
        ``"rake"``, ``"poststratify"`` or ``"calibrate:<method>"``.
    converged : bool
        Whether every target was met within ``tol`` (a weighting function that does not
        converge raises :class:`cxmetrics.errors.ConvergenceError` instead of returning).
    iterations : int
        Sweeps over the margins (raking), Newton steps (calibration), 1 for closed forms.
    margin_errors : dict of str to float
        Per variable (raking, post-stratification) or auxiliary (calibration), the largest
        relative difference |weighted share − target| / target over its levels after the last
        iteration, which bounds the absolute share error too (for calibration:
        |weighted total − target| / max(|target|, 1)).
    n : int
        Rows weighted.
    total : float
        Sum of the weights.
    n_eff : float
        Kish's effective sample size (Σw)² / Σw².
    design_effect : float
        Kish's design effect of unequal weighting, n Σw² / (Σw)² = 1 + CV² of the weights.
    efficiency : float
        Weighting efficiency n_eff / n = 1 / design_effect, between 0 and 1.
    weight_min, weight_max : float
        Smallest and largest weight.
    quantiles : dict of float to float
        Weight quantiles at :data:`QUANTILES` (numpy's linear interpolation).
    n_trimmed : int
        Rows whose weight sits at a trimming bound (0 without trimming).

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7; Kish, L. (1992). Weighting for
    unequal P_i. *Journal of Official Statistics* 8(2), 183–200.

    Examples
    --------
    >>> from cxmetrics.weights import WeightReport
    >>> report = WeightReport.from_weights([1.0, 1.0, 2.0, 4.0])
    >>> report.n_eff, report.design_effect, report.efficiency
    (2.909090909090909, 1.375, 0.7272727272727273)
    """

    method: str
    converged: bool
    iterations: int
    margin_errors: dict[str, float]
    n: int
    total: float
    n_eff: float
    design_effect: float
    efficiency: float
    weight_min: float
    weight_max: float
    quantiles: dict[float, float]
    n_trimmed: int = 0

    @classmethod
    def from_weights(
        cls,
        weights: Any,
        *,
        counts: Any = None,
        method: str = "weights",
        converged: bool = True,
        iterations: int = 0,
        margin_errors: Mapping[str, float] | None = None,
        n_trimmed: int = 0,
    ) -> WeightReport:
        """Report on an array of weights (``counts``: how many rows carry each weight).

        ``weights`` must be a one-dimensional array of finite real numbers (negative ones are
        allowed: linear calibration gives them); text, bools, NaN and infinities raise an error
        from :mod:`cxmetrics.errors` naming ``weights``. An empty array gives n = 0 and NaN
        figures.
        """
        w = _finite_array(weights, "weights")
        m = np.ones(len(w)) if counts is None else _finite_array(counts, "counts")
        if len(m) != len(w):
            raise ValueRangeError(f"counts has {len(m)} values for {len(w)} weights")
        n = round(m.sum())
        total = float(np.sum(m * w))
        total_sq = float(np.sum(m * w * w))
        n_eff = total**2 / total_sq if total_sq > 0 else 0.0
        deff = n * total_sq / total**2 if total > 0 else float("nan")
        rows = np.repeat(w, m.astype(np.int64)) if counts is not None else w
        quantiles = (
            {q: float(v) for q, v in zip(QUANTILES, np.quantile(rows, QUANTILES), strict=True)}
            if len(rows) else {q: float("nan") for q in QUANTILES}
        )
        return cls(
            method=method,
            converged=converged,
            iterations=iterations,
            margin_errors={k: float(v) for k, v in (margin_errors or {}).items()},
            n=n,
            total=total,
            n_eff=n_eff,
            design_effect=deff,
            efficiency=1.0 / deff if deff == deff and deff > 0 else float("nan"),
            weight_min=float(rows.min()) if len(rows) else float("nan"),
            weight_max=float(rows.max()) if len(rows) else float("nan"),
            quantiles=quantiles,
            n_trimmed=int(n_trimmed),
        )


def _finite_array(values: Any, name: str) -> np.ndarray:
    """A one-dimensional float array of finite real numbers, or an error naming ``name``."""
    raw = values if isinstance(values, np.ndarray) else (
        np.asarray(values) if isinstance(values, (list, tuple)) else None)
    if raw is None or raw.ndim != 1 or raw.dtype.kind not in "iuf":
        raise ColumnTypeError(f"{name} must be a one-dimensional array of numbers, got {values!r:.80}")
    array = raw.astype(float)
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueRangeError(
            f"{name} has {int(bad.sum())} values that are not finite: {format_examples(array[bad])}")
    return array


class Weighted(NamedTuple):
    """What :func:`rake`, :func:`poststratify` and :func:`calibrate` return.

    A named pair, so both ``weighted, report = cx.rake(...)`` and ``result.data`` /
    ``result.report`` work.

    Attributes
    ----------
    data : DataFrame
        The caller's rows in the caller's library (same order), with the weight column added.
    report : WeightReport
        Convergence, margin errors and the precision cost of the weights.
    """

    data: Any
    report: WeightReport
