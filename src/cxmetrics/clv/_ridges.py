"""Flat ridges of the customer-value likelihoods: where each model can lose identification.

Each model's likelihood has limits in which a mixing distribution collapses or a process
switches off, and along which it can stay flat or keep rising to a supremum at infinity:

* purchase rates all equal (Gamma(r, alpha) with r, alpha -> inf, r / alpha fixed);
* dropout probabilities (BG/NBD, MBG/NBD) or rates (Pareto/NBD) all equal (a, b or s, beta
  -> inf together, the mean fixed);
* no dropout at all (b or beta -> inf);
* for Gamma-Gamma, customers' mean spends all equal (q, gamma -> inf, gamma / (q - 1) fixed).

:func:`profile_far` maximises the log-likelihood with the point moved far along one such
direction (in log parameters), the other coordinates free: if that profile value does not
fall ``z^2 / 2`` below the maximum, the direction's parameters have a confidence interval
unbounded above (the profile-likelihood interval; Venzon & Moolgavkar 1988), and if it rises
above the maximum the supremum lies at the boundary and the parameters are not identified.

Where a ridge's limit is itself a simpler model (Pareto/NBD with s, beta -> inf: one dropout
rate for everybody), :func:`maximise_limit` fits that model directly, so the fit reaches the
supremum in a few Newton steps instead of creeping along the ridge towards it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

#: How far along a ridge the profile is evaluated, in log units (a factor e^8, about 3,000).
FAR = 8.0


@dataclasses.dataclass(frozen=True)
class Ridge:
    """A direction in log parameters towards a boundary, the parameters it moves, and what
    the limit means for the customers."""

    direction: tuple[float, ...]
    parameters: tuple[str, ...]
    meaning: str


_EQUAL_RATES = "equal purchase rates for every customer (r / alpha fixed)"
RIDGES: dict[str, tuple[Ridge, ...]] = {
    "betageo": (
        Ridge((1.0, 1.0, 0.0, 0.0), ("r", "alpha"), _EQUAL_RATES),
        Ridge((0.0, 0.0, 1.0, 1.0), ("a", "b"),
              "equal dropout probabilities for every customer (a / (a + b) fixed)"),
        Ridge((0.0, 0.0, 0.0, 1.0), ("a", "b"), "no dropout (a / (a + b) -> 0)"),
    ),
    "pareto": (
        Ridge((1.0, 1.0, 0.0, 0.0), ("r", "alpha"), _EQUAL_RATES),
        Ridge((0.0, 0.0, 1.0, 1.0), ("s", "beta"), "equal dropout rates for every customer (s / beta fixed)"),
        Ridge((0.0, 0.0, 0.0, 1.0), ("s", "beta"), "no dropout (s / beta -> 0)"),
    ),
    "gamma_gamma": (
        Ridge((0.0, 1.0, 1.0), ("q", "gamma"),
              "equal mean spend for every customer (gamma p / (q - 1) fixed)"),
    ),
}


def profile_far(
    loglik_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    log_params: np.ndarray,
    direction: np.ndarray,
    distance: float = FAR,
) -> tuple[float, np.ndarray]:
    """Maximum log-likelihood with the log parameters at ``log_params + distance * direction
    + w``, over ``w`` orthogonal to the direction; returns it and the point reached.

    ``loglik_grad`` gives the total log-likelihood and its gradient in the log parameters.
    Where the likelihood cannot be evaluated that far out (special functions overflowing),
    the distance is halved, down to 2 log units (a factor 7.4); the value is NaN if none can be evaluated.
    """
    while distance >= 2.0:
        value, point = _profile_at(loglik_grad, log_params, direction, distance)
        if np.isfinite(value):
            return value, point
        distance /= 2.0
    return float("nan"), log_params


def _profile_at(loglik_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], log_params: np.ndarray,
                direction: np.ndarray, distance: float) -> tuple[float, np.ndarray]:
    import scipy.optimize

    unit = direction / np.linalg.norm(direction)
    # orthonormal basis of the complement: the last columns of a QR of [unit, I]
    basis = np.linalg.qr(np.column_stack([unit, np.eye(len(unit))]))[0][:, 1:len(unit)]
    origin = log_params + distance * direction

    def negative(w: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            value, gradient = loglik_grad(origin + basis @ w)
        if not (np.isfinite(value) and np.isfinite(gradient).all()):
            return 1e300, np.zeros_like(w)
        return -value, -(basis.T @ gradient)

    # BFGS rather than L-BFGS-B: on a busy machine the latter's Fortran core pays for BLAS
    # threads on every call (milliseconds), BFGS's few-by-few matrices stay in numpy
    result = scipy.optimize.minimize(negative, np.zeros(basis.shape[1]), jac=True, method="BFGS",
                                     options={"maxiter": 100, "gtol": 1e-9})
    point = origin + basis @ result.x
    if not result.fun < 1e299:
        return float("nan"), point
    return -float(result.fun), point


@dataclasses.dataclass(frozen=True)
class Limit:
    """The maximum of a model's boundary limit (a likelihood with fewer parameters)."""

    params: np.ndarray
    loglik: float
    hessian: np.ndarray
    gradient: np.ndarray
    iterations: int
    #: slope of the full likelihood leaving the boundary (negative: the boundary is a maximum)
    slope: float
    converged: bool


def maximise_limit(derivatives: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray, float]],
                   start: np.ndarray, units: float, max_iterations: int = 60,
                   enough: Callable[[float, float], bool] | None = None) -> Limit:
    """Newton's method on the log parameters of a boundary limit model, with a backtracking
    line search and the Hessian's eigenvalues clipped negative (so every step ascends).

    ``derivatives(params)`` returns the total log-likelihood, its gradient and Hessian in the
    parameters, and the slope leaving the boundary. Converged when the gradient norm in log
    parameters is below 1e-6 of ``max(1, |log-likelihood| / units)`` per unit. The search
    polishes to 1e-9 unless ``enough(value, gain)`` (``gain`` the rise the next Newton step
    predicts) says the value is already precise enough for the caller's use of it.
    """
    point = np.log(np.asarray(start, dtype=np.float64))
    with np.errstate(all="ignore"):
        value, grad, hess, slope = derivatives(np.exp(point))
    iterations = 0
    for _ in range(max_iterations):
        iterations += 1
        params = np.exp(point)
        g_log = grad * params
        h_log = hess * np.outer(params, params) + np.diag(g_log)
        if not (np.isfinite(value) and np.isfinite(h_log).all() and np.isfinite(g_log).all()):
            break
        if float(np.linalg.norm(g_log)) / units <= 1e-9 * max(1.0, abs(value) / units):
            break  # polished well past the 1e-6 acceptance
        eigenvalues, vectors = np.linalg.eigh((h_log + h_log.T) / 2.0)
        floor = 1e-8 * max(float(np.abs(eigenvalues).max()), 1e-300)
        eigenvalues = np.minimum(eigenvalues, -floor)
        step = -(vectors / eigenvalues) @ (vectors.T @ g_log)
        if (enough is not None and float(np.linalg.norm(g_log)) / units <= 1e-6 * max(1.0, abs(value) / units)
                and enough(float(value), 0.5 * float(g_log @ step))):
            break
        step *= min(1.0, 2.0 / max(float(np.max(np.abs(step))), 1e-300))
        # already within the 1e-6 acceptance: the polish stops when the full step does not
        # ascend (the value's rounding, not the optimum, is then what the line search sees)
        accepted = float(np.linalg.norm(g_log)) / units <= 1e-6 * max(1.0, abs(value) / units)
        scale = 1.0
        while scale > 1e-10:
            with np.errstate(all="ignore"):
                trial = derivatives(np.exp(point + scale * step))
            if np.isfinite(trial[0]) and trial[0] >= value + 1e-4 * scale * float(g_log @ step):
                break
            if accepted:
                scale = 0.0
                break
            scale /= 2.0
        if not scale > 1e-10:
            break
        point = point + scale * step
        value, grad, hess, slope = trial
    params = np.exp(point)
    relative = float(np.linalg.norm(grad * params)) / units / max(1.0, abs(value) / units)
    concave = bool(np.isfinite(hess).all() and np.linalg.eigvalsh(
        hess * np.outer(params, params) + np.diag(grad * params)).max() < 0)
    return Limit(params, float(value), hess, grad, iterations, float(slope),
                 bool(np.isfinite(value) and relative <= 1e-6 and concave))
