"""A test and its interval never contradict: the two-proportion methods against published
numbers and, over every small table, against each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics import _stats

# Newcombe (1998), Stat. Med. 17:873-890, Table II: the eight examples (x1/n1 - x2/n2).
EXAMPLES = [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20),
            (0, 10, 0, 10), (10, 10, 0, 20), (10, 10, 0, 10)]
# Method 10 (hybrid score, no continuity correction), 95% limits as printed.
NEWCOMBE_METHOD_10 = [(0.0524, 0.3339), (0.1705, 0.8090), (0.0582, 0.8062), (-0.0381, 0.1926),
                      (-0.1611, 0.2775), (-0.2775, 0.2775), (0.6791, 1.0), (0.6075, 1.0)]
# Method 6 (Miettinen-Nurminen score interval) for the first three examples.
MIETTINEN_NURMINEN = [(0.0528, 0.3382), (0.1700, 0.8406), (0.0342, 0.8534)]


def _arrays(tables):
    return [np.array(column, dtype=float) for column in zip(*tables, strict=True)]


def test_newcombe_table_ii_method_10():
    result = _stats.two_proportion_test(*_arrays(EXAMPLES), method="newcombe")
    expected = np.array(NEWCOMBE_METHOD_10)
    np.testing.assert_allclose(result["ci_low"], expected[:, 0], atol=5e-5)
    np.testing.assert_allclose(result["ci_high"], expected[:, 1], atol=5e-5)


def test_miettinen_nurminen_table_ii_method_6():
    result = _stats.two_proportion_test(*_arrays(EXAMPLES[:3]))
    expected = np.array(MIETTINEN_NURMINEN)
    np.testing.assert_allclose(result["ci_low"], expected[:, 0], atol=5e-5)
    np.testing.assert_allclose(result["ci_high"], expected[:, 1], atol=5e-5)


def test_miettinen_nurminen_interval_excludes_zero_when_the_test_rejects():
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 4:
    # 0/16 against 15/72, Miettinen-Nurminen interval (-0.3164, -0.0056)
    result = _stats.two_proportion_test([0], [16], [15], [72])
    assert result["ci_low"][0] == pytest.approx(-0.3164, abs=5e-5)
    assert result["ci_high"][0] == pytest.approx(-0.0056, abs=5e-5)
    assert result["p_value"][0] < 0.05
    frame = pd.DataFrame({"g": ["a"] * 16 + ["b"] * 72, "s": [1] * 16 + [5] * 15 + [1] * 57})
    row = cx.compare_csat(frame, score="s", by="g").iloc[0]
    assert row["ci_high"] < 0 and row["p_value"] < 0.05


def test_the_score_test_matches_statsmodels():
    from statsmodels.stats.proportion import test_proportions_2indep

    result = _stats.two_proportion_test(*_arrays(EXAMPLES[:4]))
    for (a, n, b, m), p in zip(EXAMPLES[:4], result["p_value"], strict=True):
        assert p == pytest.approx(test_proportions_2indep(a, n, b, m, method="score").pvalue, rel=1e-9)


def test_tango_score_interval_through_nps():
    # Fagerland, Lydersen & Laake (2014), paired proportions example (complete response
    # before/after, b = 6, c = 16 discordant of n = 161): Tango's score interval
    # (-0.1240, -0.0054). NPS is the same difference of two shares of one sample.
    frame = pd.DataFrame({"s": [10] * 6 + [0] * 16 + [8] * 139})
    row = cx.nps(frame, score="s", ci="score", points=False).iloc[0]
    assert row["ci_low"] == pytest.approx(-0.1240, abs=5e-5)
    assert row["ci_high"] == pytest.approx(-0.0054, abs=5e-5)


@pytest.mark.parametrize("method", _stats.TWO_PROPORTION_METHODS)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_test_and_interval_agree_on_every_small_table(method, confidence):
    sizes = range(1, 16)
    tables = [(a, n, b, m) for n in sizes for m in sizes for a in range(n + 1) for b in range(m + 1)]
    result = _stats.two_proportion_test(*_arrays(tables), confidence=confidence, method=method)
    alpha = 1.0 - confidence
    p, low, high = result["p_value"], result["ci_low"], result["ci_high"]
    clear = np.abs(p - alpha) > 1e-7  # exactly on the boundary either answer is right
    rejects = p < alpha
    excludes_zero = (low > 0) | (high < 0)
    assert clear.sum() > 0.99 * len(tables)
    disagree = clear & (rejects != excludes_zero)
    assert not disagree.any(), [tables[i] for i in np.flatnonzero(disagree)[:5]]
    assert ((low <= result["difference"] + 1e-12) & (result["difference"] <= high + 1e-12)).all()


def _brute_force_z(a: float, n: float, b: float, m: float, delta: float) -> float:
    """The Miettinen-Nurminen statistic with the restricted MLE found numerically (not from
    the closed-form cubic): maximise the binomial log-likelihood over p2 with p1 = p2 + delta."""
    from scipy.optimize import minimize_scalar

    low, high = max(0.0, -delta), min(1.0, 1.0 - delta)
    eps = 1e-12

    def negative_loglik(p2: float) -> float:
        p1 = p2 + delta
        return -(a * np.log(max(p1, eps)) + (n - a) * np.log(max(1 - p1, eps))
                 + b * np.log(max(p2, eps)) + (m - b) * np.log(max(1 - p2, eps)))

    p2 = minimize_scalar(negative_loglik, bounds=(low, high), method="bounded",
                         options={"xatol": 1e-13}).x
    p1 = p2 + delta
    variance = (p1 * (1 - p1) / n + p2 * (1 - p2) / m) * (n + m) / (n + m - 1)
    return float((a / n - b / m - delta) / np.sqrt(variance))


@pytest.mark.parametrize("table", [*EXAMPLES[:4], (0, 16, 15, 72), (9, 10, 5, 12), (3, 7, 0, 1)])
def test_score_limits_solve_the_score_equation(table):
    result = _stats.two_proportion_test(*([v] for v in table))
    z = 1.959963984540054
    low, high = result["ci_low"][0], result["ci_high"][0]
    if low > -1:
        assert _brute_force_z(*table, low) == pytest.approx(z, abs=1e-4)
    if high < 1:
        assert _brute_force_z(*table, high) == pytest.approx(-z, abs=1e-4)
