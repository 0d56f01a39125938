"""Sample sizes and detectable differences against simulated power."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri

import cxmetrics as cx
from cxmetrics.errors import CXMetricsError

TRIALS = 20_000


def simulated_power_nps(n_a, n_b, nps_a, nps_b, passives, alpha=0.05, seed=0):
    """Share of simulated studies whose two-sided Wald test of NPS_b − NPS_a rejects."""
    rng = np.random.default_rng(seed)

    def draw(nps, n):
        p = (1 - passives + nps) / 2
        d = (1 - passives - nps) / 2
        counts = rng.multinomial(n, [d, passives, p], size=TRIALS)
        shares = counts / n
        net = shares[:, 2] - shares[:, 0]
        var = shares[:, 2] + shares[:, 0] - net**2
        return net, var / n

    net_a, var_a = draw(nps_a / 100, n_a)
    net_b, var_b = draw(nps_b / 100, n_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (net_b - net_a) / np.sqrt(var_a + var_b)
    return float(np.mean(np.abs(z) > ndtri(1 - alpha / 2)))


def simulated_power_csat(n_a, n_b, p_a, p_b, alpha=0.05, seed=0):
    rng = np.random.default_rng(seed)
    x_a = rng.binomial(n_a, p_a, TRIALS) / n_a
    x_b = rng.binomial(n_b, p_b, TRIALS) / n_b
    se = np.sqrt(x_a * (1 - x_a) / n_a + x_b * (1 - x_b) / n_b)
    return float(np.mean(np.abs(x_b - x_a) / se > ndtri(1 - alpha / 2)))


@pytest.mark.parametrize(("nps_a", "nps_b", "passives", "power", "ratio"), [
    (30, 40, 0.3, 0.8, 1.0),
    (10, 25, 0.2, 0.9, 2.0),
    (-20, -5, 0.35, 0.8, 0.5),
])
def test_nps_sample_size_reaches_power_in_simulation(nps_a, nps_b, passives, power, ratio):
    size = cx.sample_size_compare(nps_a=nps_a, nps_b=nps_b, passives=passives, power=power,
                                  ratio=ratio)
    assert size.n_b == pytest.approx(size.n_a * ratio, abs=1)
    simulated = simulated_power_nps(size.n_a, size.n_b, nps_a, nps_b, passives)
    assert abs(simulated - power) <= 0.02


@pytest.mark.parametrize(("csat_a", "csat_b", "power"), [(80, 85, 0.8), (60, 70, 0.9)])
def test_csat_sample_size_reaches_power_in_simulation(csat_a, csat_b, power):
    size = cx.sample_size_compare(csat_a=csat_a, csat_b=csat_b, power=power)
    simulated = simulated_power_csat(size.n_a, size.n_b, csat_a / 100, csat_b / 100)
    assert abs(simulated - power) <= 0.02


def test_minimum_detectable_difference_has_the_power_in_simulation():
    delta = cx.minimum_detectable_difference(n_a=700, n_b=500, nps_a=20, passives=0.3)
    assert abs(simulated_power_nps(700, 500, 20, 20 + delta, 0.3, seed=4) - 0.8) <= 0.02
    delta = cx.minimum_detectable_difference(n_a=400, csat_a=75, power=0.9)
    assert abs(simulated_power_csat(400, 400, 0.75, 0.75 + delta / 100, seed=5) - 0.9) <= 0.02


def test_planning_functions_invert_each_other():
    size = cx.sample_size_compare(nps_a=20, difference=8, passives=0.25)
    delta = cx.minimum_detectable_difference(n_a=size.n_a, nps_a=20, passives=0.25)
    assert 7.9 <= delta <= 8.0  # the rounded-up sample detects a little less than 8 points
    assert size.total == size.n_a + size.n_b


def test_planning_bad_inputs():
    with pytest.raises(CXMetricsError, match="exactly one of nps_a"):
        cx.sample_size_compare(nps_a=10, csat_a=80, difference=5)
    with pytest.raises(CXMetricsError, match="exactly one of nps_b or difference"):
        cx.sample_size_compare(nps_a=10)
    with pytest.raises(CXMetricsError, match="zero difference"):
        cx.sample_size_compare(nps_a=10, nps_b=10)
    with pytest.raises(CXMetricsError, match="impossible"):
        cx.sample_size_compare(nps_a=80, nps_b=90, passives=0.3)
    with pytest.raises(CXMetricsError, match="power"):
        cx.sample_size_compare(csat_a=80, difference=5, power=1.2)
    with pytest.raises(CXMetricsError, match="alternative"):
        cx.sample_size_compare(csat_a=80, difference=5, alternative="greater")
    with pytest.raises(CXMetricsError, match="n_a must be a whole number"):
        cx.minimum_detectable_difference(n_a=10.5, nps_a=0)
    with pytest.raises(CXMetricsError, match="no rise"):
        cx.minimum_detectable_difference(n_a=3, csat_a=95)
    with pytest.raises(TypeError):
        cx.sample_size_compare(30, 40)  # type: ignore[misc]
