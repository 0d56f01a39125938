"""Intervals for the models' predictions: the delta method and the customer bootstrap.

Delta method (e.g. Casella & Berger 2002, section 5.5.4): for a prediction f(theta) with
gradient g in the parameters and the parameters' covariance Sigma (inverse observed
information), Var f ~ g' Sigma g. The interval is built on a scale where f is closer to normal
and cannot leave its range: log f for expectations and values (positive), logit f for
probabilities. Gradients are central differences in the log parameters with a relative step of
1e-5 (errors near 1e-10 relative for these smooth closed forms), or exact where the model
gives them (Gamma-Gamma).

Bootstrap (Efron & Tibshirani 1993, ch. 13): customers are resampled with replacement as
multinomial counts over the distinct triples (vectorised: no per-customer loop), the model is
refitted from its estimate on each resample, and the interval is the percentile interval of the
predictions over the replicates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cxmetrics.errors import ValueRangeError

#: Relative step of the central differences in the log parameters.
STEP = 1e-5
METHODS = ("delta", "bootstrap")


def check_method(method: str, resamples: int) -> None:
    if method not in METHODS:
        raise ValueRangeError(f"method must be one of {list(METHODS)}, got {method!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 20:
        raise ValueRangeError(f"resamples must be a whole number >= 20, got {resamples!r}")


def rng_from(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueRangeError(f"seed must be an int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def gradient(function: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """d function / d theta per row, shape (rows, parameters), by central differences in log theta."""
    columns = []
    for j in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[j] *= np.exp(STEP)
        down[j] *= np.exp(-STEP)
        with np.errstate(all="ignore"):
            columns.append((function(up) - function(down)) / (2.0 * STEP * theta[j]))
    return np.stack(columns, axis=1)


def delta_bounds(estimate: np.ndarray, grad: np.ndarray, covariance: np.ndarray, z: float,
                 kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds from the delta method on the log (``kind="positive"``) or logit
    (``kind="probability"``) scale."""
    variance = np.einsum("ij,jk,ik->i", grad, covariance, grad)
    se = np.sqrt(np.maximum(variance, 0.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == "probability":
            p = np.clip(estimate, 1e-300, 1.0 - 1e-16)
            centre = np.log(p) - np.log1p(-p)
            spread = z * se / (p * (1.0 - p))
            low, high = (1.0 / (1.0 + np.exp(-(centre + sign * spread))) for sign in (-1.0, 1.0))
            exact = (estimate <= 0.0) | (estimate >= 1.0) | (se == 0.0)
        else:
            spread = np.exp(z * se / estimate)
            low, high = estimate / spread, estimate * spread
            exact = (estimate <= 0.0) | (se == 0.0)
    low = np.where(exact, estimate, low)
    high = np.where(exact, estimate, high)
    return low, high


def percentile_bounds(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over replicates (axis 0)."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    return low, high


def resample_counts(count: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Customers drawn with replacement, as new counts per distinct row (one multinomial)."""
    total = round(float(count.sum()))
    return rng.multinomial(total, count / count.sum()).astype(np.float64)
