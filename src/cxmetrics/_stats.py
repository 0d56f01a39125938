"""Math layer: intervals and tests on arrays of sufficient statistics (no DataFrames).

Every function is vectorised over groups: arguments are numpy arrays of counts, means or
variances, one entry per group. scipy and statsmodels are imported inside the functions so
that ``import cxmetrics`` stays light.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

NPS_CI_METHODS = ("adjusted_wald", "wald", "score", "bootstrap", "bayes")
#: cxmetrics name -> statsmodels ``proportion_confint`` method.
PROPORTION_CI_METHODS = {
    "wilson": "wilson",
    "wald": "normal",
    "agresti_coull": "agresti_coull",
    "jeffreys": "jeffreys",
    "clopper_pearson": "beta",
}
_BISECTION_STEPS = 60  # halves [-1, 1] to below 1e-17, past float precision


def z_quantile(confidence: float) -> float:
    """Two-sided standard normal critical value for ``confidence``."""
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2.0))


def t_quantile(df: ArrayLike, confidence: float) -> FloatArray:
    """Two-sided Student t critical values (``df`` may be fractional, as in Welch)."""
    from scipy.special import stdtrit

    with np.errstate(invalid="ignore"):
        return np.asarray(stdtrit(df, 0.5 + confidence / 2.0), dtype=float)


def t_two_sided_p(t: ArrayLike, df: ArrayLike) -> FloatArray:
    """Two-sided p-value of a t statistic."""
    from scipy.special import stdtr

    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * stdtr(df, -np.abs(t)), dtype=float)


def net_score_variance(promoters: ArrayLike, detractors: ArrayLike) -> FloatArray:
    """Per-response variance of the −1/0/+1 codes: V = p + d − (p − d)².

    The formula of the R ``NPS`` package (Brooks, ``var.nps``) and of Rocks (2016), eq. 2.
    """
    p = np.asarray(promoters, dtype=float)
    d = np.asarray(detractors, dtype=float)
    return p + d - (p - d) ** 2


def nps_interval(
    detractors: ArrayLike,
    passives: ArrayLike,
    promoters: ArrayLike,
    *,
    method: str = "adjusted_wald",
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Confidence interval for NPS on the −1..1 scale from (effective) category counts.

    Methods (Rocks 2016, "Interval estimation for the Net Promoter Score",
    *The American Statistician* 70(4)):

    - ``"adjusted_wald"``: add ¾ detractor, 1½ passives and ¾ promoter (n + 3), then Wald.
    - ``"wald"``: estimate ± z·sqrt(V/n).
    - ``"score"``: inverted score test. The NPS is the difference of two shares of one
      trinomial, the same structure as a difference of paired proportions, so the constrained
      maximum-likelihood share has Tango's (1998) closed form; limits are found by bisection.
    - ``"bootstrap"``: percentile interval of ``n_boot`` multinomial resamples.
    - ``"bayes"``: equal-tailed interval of the posterior of p − d under a uniform
      Dirichlet(1, 1, 1) prior, from ``n_boot`` posterior draws.

    Limits are clipped to [−1, 1]. Groups with n = 0 get NaN.
    """
    d, a, p = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (detractors, passives, promoters))
    n = d + a + p
    empty = n <= 0
    z = z_quantile(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wald":
            low, high = _wald(d, p, n, z)
        elif method == "adjusted_wald":
            low, high = _wald(d + 0.75, p + 0.75, n + 3.0, z)
        elif method == "score":
            low, high = _score_limits(d, p, n, z)
        elif method in ("bootstrap", "bayes"):
            low, high = _simulated(d, a, p, method, confidence, n_boot, seed)
        else:
            raise ValueError(f"unknown NPS interval method {method!r}")
    low = np.where(empty, np.nan, np.clip(low, -1.0, 1.0))
    high = np.where(empty, np.nan, np.clip(high, -1.0, 1.0))
    return low, high


def _wald(d: FloatArray, p: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    share_p, share_d = p / n, d / n
    centre = share_p - share_d
    half = z * np.sqrt(net_score_variance(share_p, share_d) / n)
    return centre - half, centre + half


def score_statistic(
    delta: FloatArray, d: FloatArray, p: FloatArray, n: FloatArray
) -> FloatArray:
    """Score statistic for H0: NPS = delta, with Tango's (1998) constrained MLE.

    Under the constraint p − d = delta the maximum-likelihood detractor share is the positive
    root of 2n·q² + (−P − D + (2n − P + D)·delta)·q − D·delta·(1 − delta) = 0, and the
    variance of the estimate is (2q + delta(1 − delta)) / n.
    """
    a = 2.0 * n
    b = -p - d + (2.0 * n - p + d) * delta
    c = -d * delta * (1.0 - delta)
    q = (np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0)) - b) / (2.0 * a)
    variance = np.maximum(2.0 * q + delta * (1.0 - delta), 0.0) * n
    numerator = p - d - n * delta
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = numerator / np.sqrt(variance)
    # A zero variance with a non-zero numerator means delta is impossible given the data.
    return np.where(variance > 0, stat, np.where(numerator == 0, 0.0, np.sign(numerator) * np.inf))


def _score_limits(
    d: FloatArray, p: FloatArray, n: FloatArray, z: float
) -> tuple[FloatArray, FloatArray]:
    estimate = (p - d) / n

    def bisect(outer: float) -> FloatArray:
        inside, outside = estimate.copy(), np.full_like(estimate, outer)
        for _ in range(_BISECTION_STEPS):
            middle = 0.5 * (inside + outside)
            accepted = np.abs(score_statistic(middle, d, p, n)) <= z
            inside = np.where(accepted, middle, inside)
            outside = np.where(accepted, outside, middle)
        # If even the bound itself is accepted the limit is the bound.
        at_bound = np.abs(score_statistic(np.full_like(estimate, outer), d, p, n)) <= z
        return np.where(at_bound, outer, 0.5 * (inside + outside))

    return bisect(-1.0), bisect(1.0)


def _simulated(
    d: FloatArray,
    a: FloatArray,
    p: FloatArray,
    method: str,
    confidence: float,
    n_boot: int,
    seed: int | np.random.Generator | None,
) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    tail = (1.0 - confidence) / 2.0
    low = np.full(d.shape, np.nan)
    high = np.full(d.shape, np.nan)
    for i, counts in enumerate(np.stack([d, a, p], axis=1)):
        n = counts.sum()
        if n <= 0:
            continue
        if method == "bootstrap":
            # Weighted data resample their effective sample size, rounded to whole responses.
            size = max(round(float(n)), 1)
            draws = rng.multinomial(size, counts / n, size=n_boot)
            nets = (draws[:, 2] - draws[:, 0]) / size
        else:
            shares = rng.dirichlet(counts + 1.0, size=n_boot)
            nets = shares[:, 2] - shares[:, 0]
        low[i], high[i] = np.quantile(nets, [tail, 1.0 - tail])
    return low, high


def proportion_interval(
    count: ArrayLike, nobs: ArrayLike, *, method: str = "wilson", confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Interval for a binomial share via statsmodels' ``proportion_confint``.

    ``method`` is one of :data:`PROPORTION_CI_METHODS` (Wilson 1927 is the default).
    Groups with ``nobs = 0`` get NaN.
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.atleast_1d(np.asarray(count, dtype=float))
    nobs = np.atleast_1d(np.asarray(nobs, dtype=float))
    empty = nobs <= 0
    safe_nobs = np.where(empty, 1.0, nobs)
    low, high = proportion_confint(
        np.where(empty, 0.0, count), safe_nobs,
        alpha=1.0 - confidence, method=PROPORTION_CI_METHODS[method],
    )
    # At 0 or n successes the limit is exactly 0 or 1; statsmodels returns float noise there.
    low = np.where(count <= 0, 0.0, np.clip(np.asarray(low, dtype=float), 0.0, 1.0))
    high = np.where(count >= nobs, 1.0, np.clip(np.asarray(high, dtype=float), 0.0, 1.0))
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def mean_interval(
    mean: ArrayLike, variance: ArrayLike, n: ArrayLike, *, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Student t interval for a mean: returns (se, low, high); needs n ≥ 2."""
    mean, variance, n = (np.asarray(x, dtype=float) for x in (mean, variance, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(variance / n)
        half = t_quantile(n - 1.0, confidence) * se
    return se, mean - half, mean + half


def welch_test(
    mean_a: ArrayLike,
    var_a: ArrayLike,
    n_a: ArrayLike,
    mean_b: ArrayLike,
    var_b: ArrayLike,
    n_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> dict[str, FloatArray]:
    """Welch's unequal-variance t test of mean_a − mean_b (sample variances, ddof = 1).

    Returns ``difference, se, ci_low, ci_high, statistic, df, p_value``; NaN where either group
    has fewer than two observations or both variances are zero.
    """
    ma, va, na, mb, vb, nb = (
        np.asarray(x, dtype=float) for x in (mean_a, var_a, n_a, mean_b, var_b, n_b)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        qa, qb = va / na, vb / nb
        se = np.sqrt(qa + qb)
        df = (qa + qb) ** 2 / (qa**2 / (na - 1.0) + qb**2 / (nb - 1.0))
        return _t_result(ma - mb, se, df, confidence)


def paired_test(
    mean_diff: ArrayLike, var_diff: ArrayLike, n: ArrayLike, *, confidence: float = 0.95
) -> dict[str, FloatArray]:
    """Paired t test on within-subject differences (sample variance, ddof = 1)."""
    mean, var, n = (np.asarray(x, dtype=float) for x in (mean_diff, var_diff, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _t_result(mean, np.sqrt(var / n), n - 1.0, confidence)


def _t_result(
    difference: FloatArray, se: FloatArray, df: FloatArray, confidence: float
) -> dict[str, FloatArray]:
    valid = (se > 0) & np.isfinite(df) & (df > 0)
    se = np.where(valid, se, np.nan)
    df = np.where(valid, df, np.nan)
    statistic = difference / se
    half = t_quantile(df, confidence) * se
    return {
        "difference": difference,
        "se": se,
        "ci_low": difference - half,
        "ci_high": difference + half,
        "statistic": statistic,
        "df": df,
        "p_value": t_two_sided_p(statistic, df),
    }


def two_proportion_test(
    count_a: ArrayLike,
    nobs_a: ArrayLike,
    count_b: ArrayLike,
    nobs_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> dict[str, FloatArray]:
    """Difference of independent shares a − b: score test and hybrid score interval.

    The test is Miettinen & Nurminen's (1985) score test (statsmodels
    ``test_proportions_2indep(method="score")``). The interval is Newcombe's (1998) hybrid
    score interval (``confint_proportions_2indep(method="newcomb")``): statsmodels' inverted
    score interval fails to bracket its root for many small-sample tables (0.15: 92 of the
    143 tables with n = 10 and 12), so it is not used. NaN where either group is empty.
    """

    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        test_proportions_2indep,
    )

    arrays = [np.atleast_1d(np.asarray(x, dtype=float)) for x in (count_a, nobs_a, count_b, nobs_b)]
    out: dict[str, Any] = {k: np.full(arrays[0].shape, np.nan) for k in
                           ("difference", "ci_low", "ci_high", "statistic", "p_value")}
    for i, (ca, na, cb, nb) in enumerate(zip(*arrays, strict=True)):
        if na <= 0 or nb <= 0:
            continue
        out["difference"][i] = ca / na - cb / nb
        low, high = confint_proportions_2indep(
            ca, na, cb, nb, method="newcomb", alpha=1.0 - confidence
        )
        out["ci_low"][i], out["ci_high"][i] = low, high
        if ca + cb in (0, na + nb):  # both groups all-0 or all-1: no evidence of a difference
            out["statistic"][i], out["p_value"][i] = 0.0, 1.0
            continue
        # statsmodels computes ratios that may divide by 0; errstate is thread-local, filters are not
        with np.errstate(divide="ignore", invalid="ignore"):
            result = test_proportions_2indep(ca, na, cb, nb, method="score")
        out["statistic"][i], out["p_value"][i] = result.statistic, result.pvalue
    return out


def adjust_p_values(p_values: ArrayLike, method: str) -> FloatArray:
    """Multiple-testing adjustment via statsmodels ``multipletests`` (NaN entries kept)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if method == "none":
        return p.copy()
    if finite.any():
        from statsmodels.stats.multitest import multipletests

        adjusted[finite] = multipletests(p[finite], method=method)[1]
    return adjusted
