"""Raking (iterative proportional fitting) to marginal population shares, with trimming."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import ConvergenceError, CXMetricsError, DesignError, format_examples
from cxmetrics.weights._margins import match_levels, normalise_margins
from cxmetrics.weights._report import Weighted, WeightReport
from cxmetrics.weights._units import attach, check_base_weight, check_output_name, collect_units

__all__ = ["rake"]


def check_iterations(max_iter: int, tol: float) -> None:
    """``max_iter`` a positive whole number, ``tol`` a positive number."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise CXMetricsError(f"max_iter must be a positive whole number, got {max_iter!r}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 < float(tol) < 1:
        raise CXMetricsError(f"tol must be a number between 0 and 1, got {tol!r}")


def trim_bounds(trim: Sequence[float | None] | None) -> tuple[float, float] | None:
    """``trim=(low, high)`` as multiples of the mean weight; either may be None."""
    if trim is None:
        return None
    if isinstance(trim, (str, bytes)) or not isinstance(trim, Sequence) or len(trim) != 2:
        raise CXMetricsError(f"trim must be a pair (low, high) of multiples of the mean weight, got {trim!r}")
    low, high = trim
    for side, value in (("low", low), ("high", high)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                                  or not np.isfinite(value) or value < 0):
            raise CXMetricsError(f"trim {side} bound must be a non-negative number or None, got {value!r}")
    lo = 0.0 if low is None else float(low)
    hi = np.inf if high is None else float(high)
    if not lo <= 1.0 <= hi:
        raise CXMetricsError(
            f"trim=({low!r}, {high!r}) must bracket the mean weight: low <= 1 <= high"
        )
    return lo, hi


#: Relative margin error at which sweeps stop improving the weights (near machine precision).
POLISH = 1e-13


def relative_error(achieved: np.ndarray, target: np.ndarray, total: float) -> float:
    """Largest |achieved − target| / target over levels (|achieved| / total where the target is
    0); it bounds the absolute error of every share too."""
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.where(target > 0, np.abs(achieved - target) / target, np.abs(achieved) / total)
    return float(np.max(error)) if len(error) else 0.0


def ipf(
    codes: list[np.ndarray],
    shares: list[np.ndarray],
    counts: np.ndarray,
    base: np.ndarray,
    *,
    total: float,
    bounds: tuple[float, float] | None,
    max_iter: int,
    tol: float,
    names: list[str],
    levels: list[list[Any]],
) -> tuple[np.ndarray, int, dict[str, float]]:
    """Iterative proportional fitting on units (``counts`` rows each), trimming after each sweep.

    One sweep scales the weights to every margin in turn (Deming & Stephan 1940); with
    ``bounds`` (absolute weights) the weights are then clipped into them, so raking and
    trimming alternate until, after a sweep, every level's weighted total is within ``tol``
    (relative) of its target while every weight lies within the bounds. Margins are checked
    after every sweep, all of them (not only the last one raked). Once ``tol`` is met, sweeps
    go on while they still improve (up to twice as many, within ``max_iter``) towards
    :data:`POLISH`, so the weights sit at the fixed point rather than at its ``tol`` edge.
    Returns per-row weights of each unit, sweeps, and the largest relative error per margin.
    """
    base_total = float(np.sum(counts * base))
    w = base * (total / base_total)
    targets = [s * total for s in shares]

    def errors_now() -> dict[str, float]:
        return {name: relative_error(np.bincount(c, counts * w, minlength=len(t)), t, total)
                for name, c, t in zip(names, codes, targets, strict=True)}

    met: tuple[np.ndarray, int, dict[str, float]] | None = None
    for sweep in range(1, max_iter + 1):
        for name, c, t, lv in zip(names, codes, targets, levels, strict=True):
            current = np.bincount(c, counts * w, minlength=len(t))
            starved = (current <= 0) & (t > 0)
            if starved.any():
                raise DesignError(
                    f"margin {name!r}: levels {format_examples(np.asarray(lv, dtype=object)[starved])} "
                    "have a positive target but no weight to scale (every base weight is 0, or "
                    "trimming left none)"
                )
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(current > 0, t / current, 1.0)
            w = w * ratio[c]
        if bounds is not None:
            w = np.where(w > 0, np.clip(w, bounds[0], bounds[1]), w)  # zero targets stay zero
        errors = errors_now()
        error = max(errors.values())
        if met is not None and (error >= max(met[2].values()) or error <= POLISH
                                or sweep >= 2 * met[1] + 5):
            # polishing ends: no more progress, machine precision, or its budget spent
            return (w, sweep, errors) if error < max(met[2].values()) else met
        if error <= tol:
            met = (w, sweep, errors)
            if error <= POLISH:
                return met
    if met is not None:
        return met
    worst = max(errors, key=errors.__getitem__)
    hint = " (the trim bounds may be too tight for these margins)" if bounds is not None else ""
    raise ConvergenceError(
        f"raking did not converge in {max_iter} sweeps: the worst margin is {worst!r}, whose "
        f"weighted shares are off their targets by up to {errors[worst]:.3g} relative "
        f"(tol={tol:g}){hint}; "
        "raise max_iter, loosen trim, or merge sparse levels"
    )


def rake(
    data: Any,
    *,
    margins: Mapping[str, Mapping[Any, float]],
    base_weight: str | None = None,
    trim: Sequence[float | None] | None = None,
    max_iter: int = 100,
    tol: float = 1e-8,
    name: str = "weight",
) -> Weighted:
    """Rake survey responses to known population shares of several variables.

    Iterative proportional fitting (Deming & Stephan 1940): the weights are scaled to match
    each variable's population shares in turn, sweep after sweep, until after a sweep every
    weighted share is within ``tol`` of its target, relative to the target (and so within
    ``tol`` absolutely too). Raking is calibration with the raking
    distance (Deville & Särndal 1992), so only the margins, not their interlocked cells, need
    to be known. The rows are grouped in the caller's engine into distinct combinations of the
    variables and base weight, and the fitting runs on those.

    Parameters
    ----------
    data : DataFrame
        pandas, polars or pyarrow frame (or a lazy frame), one row per response.
    margins : dict
        ``{column: {level: target}}``: for each weighting column, the population share of each
        level (summing to 1) or its population count (whole numbers). Every level in the data
        needs a target and every target with a positive share needs rows. Margins given as
        counts must agree on the total. :func:`load_margins` reads them from a TOML file.
    base_weight : str, optional
        Column of design (base) weights to start from; finite, non-negative, not missing.
        Without it every row starts at 1.
    trim : (low, high), optional
        Bounds on the final weights as multiples of the mean weight (either may be None).
        Raking and clipping into the bounds alternate until both the margins and the bounds
        hold; rows left at a bound are counted in ``report.n_trimmed``. The alternation
        converges slowly when the bounds are tight (several hundred sweeps): raise
        ``max_iter`` then.
    max_iter : int
        Most sweeps over the margins before giving up.
    tol : float
        Largest allowed |weighted share − target| / target, for every level of every margin.
    name : str
        Name of the weight column added to the data (must not exist yet).

    Returns
    -------
    Weighted
        A named pair ``(data, report)``:

        - ``data``: the rows in the caller's library and order (a lazy input stays lazy) with
          the column ``name``. Weights sum to the population total when the margins are
          counts, else to the sum of the base weights (n without them), so the mean weight is
          1 for an unweighted start;
        - ``report``: a :class:`WeightReport` (sweeps, largest error per margin, Kish's
          effective n and design effect, weighting efficiency, weight range and quantiles,
          rows trimmed).

    Raises
    ------
    DesignError
        A level in the data without a target, a target level with no rows, counts that
        disagree on the total, a level whose base weights are all zero.
    ValueRangeError
        Shares not summing to 1 (the sum is given), negative or non-finite targets or base
        weights.
    MissingValueError
        Missing levels in a weighting column or missing base weights.
    ConvergenceError
        No convergence within ``max_iter`` sweeps; names the worst margin and its error.

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.DesignError`; one row is
    weighted to the totals it can meet; levels may be text, categorical, integer or bool
    values, matched to the targets' keys by value (an integer level does not match the text
    ``"1"``), and missing levels raise :class:`~cxmetrics.errors.MissingValueError`; base
    weights must be numeric (not bool or text), finite, non-negative and present, and an
    infinite one raises naming the column and the count. The weight column ``name`` must be
    new. Caller columns the call does not use, whatever their names, are passed through
    unchanged. A lazy input gives a lazy result; a polars LazyFrame keeps its row order.

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Annals of Mathematical
    Statistics* 11(4), 427–444.
    Deville, J.-C., & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *JASA* 87(418), 376–382.
    Kish, L. (1992). Weighting for unequal P_i. *Journal of Official Statistics* 8(2), 183–200.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({"region": ["north"] * 6 + ["south"] * 2,
    ...                    "channel": ["app", "app", "app", "store", "app", "store", "app", "store"]})
    >>> weighted, report = cx.rake(df, margins={"region": {"north": 0.5, "south": 0.5},
    ...                                         "channel": {"app": 0.6, "store": 0.4}})
    >>> weighted.groupby("region")["weight"].sum().round(6).to_dict()
    {'north': 4.0, 'south': 4.0}
    >>> weighted.groupby("channel")["weight"].sum().round(6).to_dict()
    {'app': 4.8, 'store': 3.2}
    >>> report.converged, round(report.design_effect, 3)
    (True, 1.335)
    """
    shares, population_total = normalise_margins(margins)
    check_iterations(max_iter, tol)
    bounds = trim_bounds(trim)
    frame = _frame.from_native(data)
    variables = list(shares)
    _frame.require_columns(frame, {"margins": variables})
    _checks.not_internal({"margins": variables, "base_weight": base_weight})
    check_output_name(frame, name)
    if base_weight is not None and base_weight in variables:
        raise CXMetricsError(f"base_weight column {base_weight!r} cannot also be a margin")
    check_base_weight(frame, base_weight)
    units = collect_units(frame, variables, base_weight)
    if len(units.counts) == 0:
        raise DesignError("the data have no rows to weight")
    base_total = float(np.sum(units.counts * units.base_weight))
    if base_total <= 0:
        raise DesignError(f"base_weight column {base_weight!r} sums to 0; nothing to rake")
    codes = [match_levels(v, units.levels[v], shares[v])[units.codes[v]] for v in variables]
    total = population_total if population_total is not None else base_total
    n = float(units.counts.sum())
    absolute = None if bounds is None else (bounds[0] * total / n, bounds[1] * total / n)
    w, sweeps, errors = ipf(
        codes, [np.array(list(shares[v].values())) for v in variables], units.counts,
        units.base_weight, total=total, bounds=absolute, max_iter=int(max_iter), tol=float(tol),
        names=variables, levels=[list(shares[v]) for v in variables],
    )
    n_trimmed = 0
    if absolute is not None:
        at_bound = np.isclose(w, absolute[0], rtol=1e-12, atol=0) | np.isclose(
            w, absolute[1], rtol=1e-12, atol=0)
        n_trimmed = int(units.counts[at_bound & (units.base_weight > 0)].sum())
    report = WeightReport.from_weights(
        w, counts=units.counts, method="rake", iterations=sweeps, margin_errors=errors,
        n_trimmed=n_trimmed,
    )
    return Weighted(attach(frame, units, w, name), report)
