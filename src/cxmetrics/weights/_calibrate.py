"""Calibration to totals of numeric auxiliaries (Deville & Särndal 1992)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import (
    ConvergenceError,
    CXMetricsError,
    DesignError,
    MissingValueError,
    ValueRangeError,
    check_choice,
)
from cxmetrics.weights._rake import check_iterations
from cxmetrics.weights._report import Weighted, WeightReport
from cxmetrics.weights._units import check_base_weight, check_output_name

__all__ = ["CALIBRATION_METHODS", "calibrate"]

CALIBRATION_METHODS = ("linear", "raking", "logit")
_MAX_EXP = 500.0


def _distance(method: str, bounds: tuple[float, float] | None) -> Any:
    """The calibration function F(u) and its derivative for a method (Deville & Särndal 1992,
    cases 1, 2 and 6), as one function returning both."""
    if method == "raking":
        def raking(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            e = np.exp(np.clip(u, -_MAX_EXP, _MAX_EXP))
            return e, e
        return raking
    if method == "logit":
        assert bounds is not None
        low, up = bounds
        a = (up - low) / ((1.0 - low) * (up - 1.0))

        def logit(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # F(u) = [L(U−1) + U(1−L) e^{Au}] / [(U−1) + (1−L) e^{Au}], written with the logistic
            # s = 1 / (1 + c e^{−Au}), c = (U−1)/(1−L), so that F = L + (U−L) s without overflow.
            c = (up - 1.0) / (1.0 - low)
            s = 1.0 / (1.0 + c * np.exp(np.clip(-a * u, -_MAX_EXP, _MAX_EXP)))
            return low + (up - low) * s, (up - low) * a * s * (1.0 - s)
        return logit

    def linear(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 1.0 + u, np.ones_like(u)
    return linear


def _check_bounds(method: str, bounds: Sequence[float] | None) -> tuple[float, float] | None:
    if method != "logit":
        if bounds is not None:
            raise CXMetricsError(f"bounds apply to method='logit' only, not method={method!r}")
        return None
    if bounds is None or isinstance(bounds, (str, bytes)) or len(bounds) != 2:
        raise CXMetricsError(
            f"method='logit' needs bounds=(low, high) on the ratios w / d, with low < 1 < high; "
            f"got {bounds!r}"
        )
    low, high = bounds
    if any(isinstance(b, bool) or not isinstance(b, numbers.Real) for b in (low, high)) or not (
            0 <= float(low) < 1 < float(high) < np.inf):
        raise CXMetricsError(f"bounds=(low, high) must satisfy 0 <= low < 1 < high < inf, got {bounds!r}")
    return float(low), float(high)


def calibrate(
    data: Any,
    *,
    totals: Mapping[str, float],
    method: str = "linear",
    bounds: Sequence[float] | None = None,
    population_size: float | None = None,
    base_weight: str | None = None,
    max_iter: int = 50,
    tol: float = 1e-10,
    name: str = "weight",
) -> Weighted:
    """Calibrate weights to known population totals of numeric auxiliary variables.

    Deville & Särndal (1992): the weights w_i = d_i F(x_i'λ) stay as close as possible to the
    base weights d_i under a distance chosen by ``method`` while meeting Σ w_i x_i = T exactly.

    - ``"linear"`` (chi-square distance, F(u) = 1 + u): the closed form
      λ = (Σ d x x')⁻¹ (T − Σ d x), the GREG weights; weights can be negative.
    - ``"raking"`` (F(u) = exp(u)): weights stay positive; Newton's method.
    - ``"logit"`` (bounded, with ``bounds=(L, U)``): the ratios w / d stay strictly inside
      (L, U); Newton's method. Infeasible bounds end in :class:`ConvergenceError`.

    Parameters
    ----------
    data : DataFrame
        pandas, polars or pyarrow frame (or a lazy frame), one row per response. The
        auxiliaries are read into memory as one float matrix; for a lazy frame the weights
        then go back as an expression of its columns, so the result stays lazy.
    totals : dict of str to float
        ``{column: population total}`` for numeric auxiliary columns (no missing values).
        A categorical auxiliary enters as 0/1 indicator columns.
    method : {"linear", "raking", "logit"}
        Calibration distance.
    bounds : (low, high), optional
        For ``"logit"`` only: bounds on w / d with 0 <= low < 1 < high.
    population_size : float, optional
        Also calibrate the sum of the weights to this population size (an intercept).
    base_weight : str, optional
        Column of design weights d (finite, non-negative, not missing); 1 without it.
    max_iter : int
        Most Newton steps (iterative methods).
    tol : float
        Largest allowed |Σ w x − T| / max(|T|, 1) for every auxiliary.
    name : str
        Name of the weight column added (must not exist yet).

    Returns
    -------
    Weighted
        ``(data, report)``: the rows in the caller's library and order with the column
        ``name``, and a :class:`WeightReport` (``method`` is ``"calibrate:<method>"``;
        ``margin_errors`` gives each auxiliary's relative error, ``"population_size"``
        included when given).

    Raises
    ------
    DesignError
        Collinear auxiliaries (the calibration system is singular), no rows.
    ConvergenceError
        Newton's method did not meet ``tol`` within ``max_iter`` steps (for ``"logit"``, the
        bounds are usually too tight); names the worst auxiliary and its error.

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.DesignError`; auxiliaries
    must be numeric (not bool or text: cast a 0/1 indicator to int), and missing values raise
    :class:`~cxmetrics.errors.MissingValueError` while infinite ones raise
    :class:`~cxmetrics.errors.ValueRangeError`, both with the count per column; base weights
    follow the rules of :func:`rake`. The auxiliaries leave a lazy engine as one float matrix
    and the weights go back as an expression of its columns, so a lazy input gives a lazy
    result with the eager weights.

    References
    ----------
    Deville, J.-C., & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *JASA* 87(418), 376–382.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({"age": [25, 35, 45, 55, 65], "app_user": [1, 1, 1, 0, 0]})
    >>> weighted, report = cx.calibrate(df, totals={"age": 240, "app_user": 2},
    ...                                 population_size=5)
    >>> [round(float(x), 4) for x in weighted["weight"]]
    [1.0667, 0.6667, 0.2667, 1.7, 1.3]
    >>> float((weighted["weight"] * weighted["age"]).sum()), report.method
    (240.0, 'calibrate:linear')
    """
    check_choice(method, CALIBRATION_METHODS, "method")
    checked_bounds = _check_bounds(method, bounds)
    check_iterations(max_iter, tol)
    if not isinstance(totals, Mapping) or not totals:
        raise CXMetricsError("totals must be a non-empty mapping of column to population total")
    frame = _frame.from_native(data)
    columns = list(totals)
    _frame.require_columns(frame, {"totals": columns})
    _checks.not_internal({"totals": columns, "base_weight": base_weight})
    check_output_name(frame, name)
    for column in columns:
        _frame.require_numeric(frame, column, "totals")
        value = totals[column]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise CXMetricsError(f"totals[{column!r}] must be a finite number, got {value!r}")
    if population_size is not None and (
            isinstance(population_size, bool) or not isinstance(population_size, numbers.Real)
            or not 0 < population_size < np.inf):
        raise CXMetricsError(f"population_size must be a positive number, got {population_size!r}")
    check_base_weight(frame, base_weight)
    # the auxiliaries (and base weights) leave the engine as one float matrix; a lazy frame's
    # weights then go back as an expression of its own columns, so its result stays lazy
    read = [*columns, *([base_weight] if base_weight is not None else [])]
    matrix = _frame.collect(frame.select(*(nw.col(c).cast(nw.Float64) for c in read))).to_numpy()
    x = np.asarray(matrix, dtype=float)[:, :len(columns)]
    non_finite = ~np.isfinite(x)
    if non_finite.any():
        bad = {c: int(k) for c, k in zip(columns, non_finite.sum(axis=0), strict=True) if k}
        infinite = int(np.isinf(x).sum())
        error = MissingValueError if infinite < non_finite.sum() else ValueRangeError
        raise error(
            f"auxiliary columns have missing or infinite values (count per column: {bad}); "
            "every row needs a finite value of each auxiliary")
    target = np.array([float(totals[c]) for c in columns])
    labels = list(columns)
    if population_size is not None:
        x = np.column_stack([x, np.ones(len(x))])
        target = np.append(target, float(population_size))
        labels.append("population_size")
    d = np.asarray(matrix, dtype=float)[:, -1] if base_weight is not None else np.ones(len(x))
    if len(x) == 0:
        raise DesignError("the data have no rows to calibrate")
    g, lam, steps, errors = _solve(x, d, target, method, checked_bounds, int(max_iter), float(tol),
                                   labels)
    w = d * g
    report = WeightReport.from_weights(w, method=f"calibrate:{method}", iterations=steps,
                                       margin_errors=errors)
    if isinstance(frame, nw.LazyFrame):
        return Weighted(_frame.per_row_result(frame.with_columns(
            _weight_expression(columns, lam, base_weight, method, checked_bounds).alias(name))), report)
    out = frame.with_columns(nw.new_series(name, w, backend=frame.implementation))
    return Weighted(_frame.to_native(out), report)


def _weight_expression(columns: list[str], lam: np.ndarray, base_weight: str | None, method: str,
                       bounds: tuple[float, float] | None) -> nw.Expr:
    """w = d F(x'λ) as an engine expression: the same weights as the eager path, row by row."""
    u: nw.Expr = nw.lit(float(lam[len(columns)])) if len(lam) > len(columns) else nw.lit(0.0)
    for column, coefficient in zip(columns, lam, strict=False):
        u = u + nw.col(column).cast(nw.Float64) * float(coefficient)
    if method == "raking":
        g = u.clip(-_MAX_EXP, _MAX_EXP).exp()
    elif method == "logit":
        assert bounds is not None
        low, up = bounds
        a = (up - low) / ((1.0 - low) * (up - 1.0))
        c = (up - 1.0) / (1.0 - low)
        g = low + (up - low) / (1.0 + c * (u * -a).clip(-_MAX_EXP, _MAX_EXP).exp())
    else:
        g = 1.0 + u
    return g if base_weight is None else nw.col(base_weight).cast(nw.Float64) * g


def _solve(
    x: np.ndarray, d: np.ndarray, target: np.ndarray, method: str,
    bounds: tuple[float, float] | None, max_iter: int, tol: float, labels: list[str],
) -> tuple[np.ndarray, np.ndarray, int, dict[str, float]]:
    """The ratios g = w / d meeting Σ d g x = T, by Newton's method from λ = 0 (one step is
    exact for the linear distance)."""
    distance = _distance(method, bounds)
    scale = np.maximum(np.abs(target), 1.0)
    lam = np.zeros(x.shape[1])

    def residual(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        g, dg = distance(x @ lam)
        return target - (d * g) @ x, g, dg

    r, g, dg = residual(lam)
    errors = {k: float(v) for k, v in zip(labels, np.abs(r) / scale, strict=True)}
    start = (x * d[:, None]).T @ x  # the Hessian at λ = 0 for every distance (F'(0) = 1)
    if not np.all(np.isfinite(start)) or np.linalg.matrix_rank(start) < x.shape[1]:
        raise DesignError(
            f"the auxiliaries {labels} are collinear among the rows (the calibration system is "
            "singular); drop one of them"
        )
    for step in range(1, max_iter + 1):
        hessian = (x * (d * dg)[:, None]).T @ x
        try:
            delta = np.linalg.solve(hessian, r)
        except np.linalg.LinAlgError:
            delta = np.full(len(r), np.nan)
        if not np.all(np.isfinite(delta)):  # every ratio pinned at a bound: targets unreachable
            break
        size = 1.0
        current = np.max(np.abs(r) / scale)
        for _ in range(40):  # halve the step until the worst relative error does not grow
            r_new, g_new, dg_new = residual(lam + size * delta)
            if np.max(np.abs(r_new) / scale) <= current or method == "linear":
                break
            size /= 2.0
        lam = lam + size * delta
        r, g, dg = r_new, g_new, dg_new
        errors = {k: float(v) for k, v in zip(labels, np.abs(r) / scale, strict=True)}
        if max(errors.values()) <= tol:
            return g, lam, step, errors
    worst = max(errors, key=errors.__getitem__)
    raise ConvergenceError(
        f"calibration ({method}) did not converge in {max_iter} steps: the worst auxiliary is "
        f"{worst!r}, off its total by {errors[worst]:.3g} relative (tol={tol:g})"
        + ("; the bounds may be too tight" if bounds is not None else "")
    )
