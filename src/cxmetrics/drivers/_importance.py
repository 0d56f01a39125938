"""Math layer for key-driver analysis: importance measures from correlation matrices.

No DataFrames here. Linear measures need only the correlation matrix of the drivers and the
outcome, so they run on a p x p matrix whatever the number of responses; the logistic
variant refits on the rows.

Sources: Johnson (2000) "A heuristic method for estimating the relative weight of predictor
variables in multiple regression", Multivariate Behavioral Research 35(1); Lindeman, Merenda &
Gold (1980) and Grömping (2006) "Relative importance for linear regression in R: the package
relaimpo", JSS 17(1), for the Shapley (LMG) decomposition; Tonidandel & LeBreton (2010)
"Determining the relative importance of predictors in logistic regression", Organizational
Research Methods 13(4), with Menard's (2004) standardised logistic coefficients.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np

#: Exact Shapley needs R² of every subset of drivers: 2^p regressions.
MAX_SHAPLEY_DRIVERS = 15


def _special() -> Any:
    import scipy.stats  # heavy: imported on first use

    return scipy.stats


@dataclasses.dataclass(frozen=True)
class Moments:
    """Weighted correlations of the drivers (``rxx``) and of each driver with the outcome (``rxy``)."""

    rxx: np.ndarray
    rxy: np.ndarray
    n: int


#: Rows centred at a time: bounds the temporary copies whatever the number of responses.
CHUNK_ROWS = 65_536


def weighted_moments(data: np.ndarray, w: np.ndarray | None) -> Moments:
    """Correlations from complete rows of ``data`` (drivers, then the outcome in the last
    column), weighted when ``w`` is given.

    Two passes: the means, then the centred cross-products chunk by chunk, which keeps the
    accuracy of centring (no cancellation when means dwarf spreads) without copying the data.
    """
    weight_sum = float(len(data)) if w is None else float(w.sum())
    mean = (data.sum(axis=0) if w is None else w @ data) / weight_sum
    cov = np.zeros((data.shape[1], data.shape[1]))
    for start in range(0, len(data), CHUNK_ROWS):
        centred = data[start:start + CHUNK_ROWS] - mean
        weighted = centred if w is None else centred * w[start:start + CHUNK_ROWS, None]
        cov += weighted.T @ centred
    scale = np.sqrt(np.diag(cov))
    # A constant column (a bootstrap resample can make one) gives 0/0: NaN, which the caller
    # turns into a DesignError naming the group.
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(scale, scale)
    return Moments(corr[:-1, :-1], corr[:-1, -1], len(data))


def pairwise_moments(data: np.ndarray, w: np.ndarray | None) -> Moments:
    """Correlations of each pair from the rows where both are present (NaN = missing; the
    outcome in the last column).

    ``n`` is the smallest pairwise count, so tests built on it are conservative.
    """
    present = ~np.isnan(data)
    weight = (np.ones(len(data)) if w is None else w)[:, None] * present
    filled = np.where(present, data, 0.0)
    total = weight.T @ present  # sum of weights where both i and j are present
    sum_i = (filled * weight).T @ present  # sum of x_i over rows with both
    sum_ii = (filled**2 * weight).T @ present
    sum_ij = (filled * weight).T @ filled
    with np.errstate(invalid="ignore", divide="ignore"):  # no overlap or no variation: NaN, as above
        mean_i, mean_j = sum_i / total, sum_i.T / total
        cov = sum_ij / total - mean_i * mean_j
        var_i = sum_ii / total - mean_i**2
        corr = cov / np.sqrt(var_i * var_i.T)
    counts = present.T.astype(np.float64) @ present
    return Moments(corr[:-1, :-1], corr[:-1, -1], int(counts.min()))


def r_squared(rxx: np.ndarray, rxy: np.ndarray) -> float:
    """R² of the regression of the outcome on all drivers: rxy' Rxx^-1 rxy."""
    return float(rxy @ np.linalg.solve(rxx, rxy))


def standardised_betas(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    return np.linalg.solve(rxx, rxy)


def beta_p_values(moments: Moments) -> np.ndarray:
    """Two-sided t-test p-values of the standardised coefficients (n - p - 1 df).

    se(beta_j) = sqrt((1 - R²) / (n - p - 1) * (Rxx^-1)_jj): the same t statistic as the
    unstandardised OLS coefficient.
    """
    p = len(moments.rxy)
    dof = moments.n - p - 1
    inverse = np.linalg.inv(moments.rxx)
    beta = inverse @ moments.rxy
    residual = max(1.0 - float(moments.rxy @ beta), 0.0)
    with np.errstate(divide="ignore"):
        t = beta / np.sqrt(residual / dof * np.diag(inverse))
    return np.asarray(2.0 * _special().t.sf(np.abs(t), dof))


def orthogonal_loadings(rxx: np.ndarray) -> np.ndarray:
    """Lambda = Rxx^(1/2): correlations of the drivers with their closest orthogonal set Z.

    Johnson (2000): Z = X Q Λ^(-1/2) Q' is the orthonormal set nearest X in least squares, and
    X = Z Lambda with Lambda = Q Λ^(1/2) Q' symmetric.
    """
    values, vectors = np.linalg.eigh(rxx)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights: eps_j = sum_k Lambda_jk² beta_k², summing to R².

    beta = Lambda^-1 rxy are the coefficients of the outcome on the orthogonal Z.
    """
    loadings = orthogonal_loadings(rxx)
    beta_z = np.linalg.solve(loadings, rxy)
    return np.asarray((loadings**2) @ beta_z**2)


def shapley_r_squared(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Shapley value of R² per driver (LMG): the mean gain in R² from adding the driver, over
    all orders in which drivers can enter the model (Lindeman, Merenda & Gold 1980).

    Exact: R² of every subset S, then phi_j = sum over S without j of
    |S|! (p - |S| - 1)! / p! * (R²(S + j) - R²(S)). Subsets of one size are solved as a batch.
    """
    p = len(rxy)
    if p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"exact Shapley is limited to {MAX_SHAPLEY_DRIVERS} drivers")
    subset_r2 = np.zeros(2**p)
    for size in range(1, p + 1):
        members = np.array(list(itertools.combinations(range(p), size)))
        blocks = rxx[members[:, :, None], members[:, None, :]]
        targets = rxy[members]
        solved = np.linalg.solve(blocks, targets[:, :, None])[:, :, 0]
        masks = (1 << members).sum(axis=1)
        subset_r2[masks] = np.einsum("cs,cs->c", targets, solved)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    shares = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) if s < p else 0.0
                       for s in range(p + 1)])
    phi = np.zeros(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        phi[j] = shares[sizes[without]] @ (subset_r2[without | (1 << j)] - subset_r2[without])
    return phi


def collinear_groups(rxx: np.ndarray, tolerance: float = 1e-10) -> list[np.ndarray]:
    """Index sets of drivers that are (near) exact linear combinations of each other."""
    values, vectors = np.linalg.eigh(rxx)
    return [np.flatnonzero(np.abs(vectors[:, k]) > 1e-6) for k in np.flatnonzero(values < tolerance)]


@dataclasses.dataclass(frozen=True)
class LogisticFit:
    """Tonidandel & LeBreton's (2010) quantities for a binary outcome."""

    relative_weights: np.ndarray
    r_squared: float  # squared correlation of outcome and fitted probability
    betas: np.ndarray  # Menard's standardised coefficients of the logistic model on X
    p_values: np.ndarray
    separating: tuple[int, ...]  # drivers whose coefficients diverge; empty when the MLE exists


def logistic_importance(x: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> LogisticFit:
    """Relative weights for a 0/1 outcome (Tonidandel & LeBreton 2010).

    Regress y on the orthogonal Z (Johnson's) by logistic regression, standardise its
    coefficients as b* = b s_Z R / s_logit(yhat) (Menard 2004; R = corr(y, yhat), yhat the
    fitted probability) and weight them by Lambda² as in the linear case. The weights sum to
    R² exactly, since Z is orthonormal. Standardised betas and Wald p-values come from the
    logistic model on the drivers themselves.
    """
    moments = weighted_moments(np.column_stack([x, y]), w)
    weight = np.ones(len(y)) if w is None else w
    mean = (weight @ x) / weight.sum()
    spread = np.sqrt((weight @ (x - mean) ** 2) / weight.sum())
    standard = (x - mean) / spread
    b_x, p_x, fitted_x, separating = _logit(standard, y, weight)
    if separating:
        return LogisticFit(np.full(x.shape[1], np.nan), np.nan, b_x[1:], p_x[1:], separating)
    loadings = orthogonal_loadings(moments.rxx)
    z = standard @ np.linalg.inv(loadings)
    b_z, _, fitted_z, _ = _logit(z, y, weight)
    r_z = _weighted_corr(y, fitted_z, weight)
    logit_z = z @ b_z[1:]
    beta_z = b_z[1:] * r_z / _weighted_sd(logit_z, weight)
    logit_x = standard @ b_x[1:]
    betas = b_x[1:] * _weighted_corr(y, fitted_x, weight) / _weighted_sd(logit_x, weight)
    return LogisticFit((loadings**2) @ beta_z**2, r_z**2, betas, p_x[1:], ())


#: Newton steps for the logistic fit: 25 as in R's glm.control; a fit that exists converges in
#: well under ten from zero, since the log-likelihood is concave.
LOGIT_STEPS = 25
#: |linear predictor| beyond which a fitted probability is numerically 0 or 1 (p < 2e-9): on
#: standardised drivers only a diverging coefficient gets there.
SEPARATED_ETA = 20.0


def _logit(x: np.ndarray, y: np.ndarray,
           weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    """Weighted (frequency-weight) logistic regression by Newton-Raphson with step halving.

    Returns the coefficients (intercept first), their Wald p-values, the fitted
    probabilities, and the drivers that separate the outcome: when some fitted probability is
    numerically 0 or 1 the maximum likelihood estimate does not exist (Albert & Anderson
    1984) and the coefficients only grow with more steps.
    """
    from scipy.special import expit, log_expit, ndtr

    design = np.column_stack([np.ones(len(y)), x])
    beta = np.zeros(design.shape[1])

    def loglik(b: np.ndarray) -> float:
        eta = design @ b
        return float(weight @ (y * log_expit(eta) + (1.0 - y) * log_expit(-eta)))

    current = loglik(beta)
    info = np.eye(design.shape[1])
    for _ in range(LOGIT_STEPS):
        fitted = expit(design @ beta)
        info = (design * (weight * fitted * (1.0 - fitted))[:, None]).T @ design
        step = np.linalg.solve(info, design.T @ (weight * (y - fitted)))
        for _ in range(30):  # halve until the (concave) log-likelihood does not fall
            trial = loglik(beta + step)
            if trial >= current - 1e-12 * abs(current):
                break
            step = step / 2.0
        beta, gain, current = beta + step, trial - current, trial
        if np.abs(step).max() < 1e-10 * (1.0 + np.abs(beta).max()) or abs(gain) < 1e-14 * abs(current):
            break
    eta = design @ beta
    fitted = expit(eta)
    if np.abs(eta[weight > 0]).max() > SEPARATED_ETA:
        size = np.abs(beta[1:])
        return beta, np.full(len(beta), np.nan), fitted, tuple(np.flatnonzero(size >= size.max() / 2))
    info = (design * (weight * fitted * (1.0 - fitted))[:, None]).T @ design
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return beta, 2.0 * ndtr(-np.abs(beta / se)), fitted, ()


def _weighted_sd(values: np.ndarray, weight: np.ndarray) -> float:
    mean = (weight @ values) / weight.sum()
    return float(np.sqrt((weight @ (values - mean) ** 2) / weight.sum()))


def _weighted_corr(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> float:
    ma, mb = (weight @ a) / weight.sum(), (weight @ b) / weight.sum()
    cov = weight @ ((a - ma) * (b - mb)) / weight.sum()
    return float(cov / (_weighted_sd(a, weight) * _weighted_sd(b, weight)))
