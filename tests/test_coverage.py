"""Exact coverage and type-I error by enumerating every multinomial outcome.

No simulation noise: for a true distribution, coverage = Σ P(outcome) · 1[truth in interval].
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from cxmetrics import _stats

N = 30


def _trinomial_outcomes(n):
    d, a = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = d + a <= n
    d, a = d[keep], a[keep]
    return d, a, n - d - a


def _share_grid(step=0.05):
    """True (detractor, passive, promoter) shares on an interior grid of the simplex."""
    ticks = np.arange(step, 1.0, step)
    grid = [(d, a, 1 - d - a) for d in ticks for a in ticks if 1 - d - a > step / 2]
    return np.array(grid)


def _log_pmf(d, a, p, shares):
    logcoef = gammaln(d + a + p + 1) - gammaln(d + 1) - gammaln(a + 1) - gammaln(p + 1)
    return logcoef + d * np.log(shares[0]) + a * np.log(shares[1]) + p * np.log(shares[2])


def _nps_coverage(method):
    d, a, p = _trinomial_outcomes(N)
    low, high = _stats.nps_interval(d, a, p, method=method)
    coverage = []
    for shares in _share_grid():
        truth = shares[2] - shares[0]
        prob = np.exp(_log_pmf(d, a, p, shares))
        coverage.append(prob[(low <= truth) & (truth <= high)].sum())
    return np.array(coverage)


def test_enumeration_probabilities_sum_to_one():
    d, a, p = _trinomial_outcomes(N)
    for shares in _share_grid()[::17]:
        assert np.exp(_log_pmf(d, a, p, shares)).sum() == pytest.approx(1.0)


def test_adjusted_wald_coverage_is_near_nominal_at_n30():
    coverage = _nps_coverage("adjusted_wald")
    assert coverage.min() >= 0.93
    assert 0.94 <= coverage.mean() <= 0.96


def test_score_coverage_is_near_nominal_at_n30():
    coverage = _nps_coverage("score")
    assert coverage.min() >= 0.93
    assert 0.94 <= coverage.mean() <= 0.96


def test_wald_coverage_falls_short_at_n30():
    # Why Wald is not the default: near the edges of the simplex it under-covers badly.
    coverage = _nps_coverage("wald")
    assert coverage.min() < 0.93
    assert coverage.mean() < _nps_coverage("adjusted_wald").mean()


def _binomial_coverage(method, n=N):
    k = np.arange(n + 1)
    low, high = _stats.proportion_interval(k, np.full(n + 1, n), method=method)
    out = []
    for share in np.arange(0.05, 0.951, 0.01):
        prob = stats.binom.pmf(k, n, share)
        out.append(prob[(low <= share) & (share <= high)].sum())
    return np.array(out)


def test_wilson_coverage_for_csat_at_n30():
    coverage = _binomial_coverage("wilson")
    # Wilson's coverage oscillates (Brown, Cai & DasGupta 2001); on p in [0.05, 0.95] at n = 30
    # its lowest point is just above 0.92 and its average is nominal.
    assert coverage.min() >= 0.92
    assert 0.94 <= coverage.mean() <= 0.96
    wald = _binomial_coverage("wald")
    assert wald.min() < 0.85


def _welch_size(shares, n=20, alpha=0.05):
    d, a, p = _trinomial_outcomes(n)
    prob = np.exp(_log_pmf(d, a, p, shares))
    mean = (p - d) / n
    var = (p + d) / n - mean**2
    var = var * n / (n - 1)
    i, j = np.meshgrid(np.arange(d.size), np.arange(d.size), indexing="ij")
    result = _stats.welch_test(mean[i], var[i], n, mean[j], var[j], n)
    reject = np.nan_to_num(result["p_value"], nan=1.0) < alpha
    welch = (prob[i] * prob[j])[reject].sum()
    se = np.sqrt(var[i] / n + var[j] / n)  # Wald z test on the same statistic
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(mean[i] - mean[j]) / se
    wald = (prob[i] * prob[j])[np.nan_to_num(z) > stats.norm.ppf(1 - alpha / 2)].sum()
    return welch, wald


@pytest.mark.parametrize("shares", [(0.3, 0.4, 0.3), (0.2, 0.3, 0.5), (0.45, 0.35, 0.2),
                                    (0.15, 0.5, 0.35)])
def test_compare_nps_type_one_error_at_n20(shares):
    welch, wald = _welch_size(np.array(shares))
    assert 0.04 <= welch <= 0.06
    assert wald > welch  # the z test is liberal at this size


def test_welch_is_closer_to_nominal_than_the_z_test():
    grid = [(0.3, 0.4, 0.3), (0.2, 0.3, 0.5), (0.45, 0.35, 0.2), (0.1, 0.8, 0.1), (0.05, 0.15, 0.8)]
    sizes = np.array([_welch_size(np.array(s)) for s in grid])
    welch_error, wald_error = np.abs(sizes - 0.05).mean(axis=0)
    assert welch_error < wald_error
    assert sizes[:, 1].max() > 0.055  # the z test rejects too often at n = 20
