"""Simulated customer panels for the CLV tests and benchmarks (vectorised, seeded).

BG/NBD: purchases Poisson at rate lambda ~ Gamma(r, alpha), dropout with probability
p ~ Beta(a, b) after each repeat purchase. Pareto/NBD: lifetime exponential at rate
mu ~ Gamma(s, beta). Ages T are drawn uniformly between ``T_low`` and ``T_high``; with
``step`` the times are floored to multiples of it (daily data in weeks: ``step=1/7``).
"""

from __future__ import annotations

import numpy as np


def _ages(rng: np.random.Generator, n: int, T_low: float, T_high: float, step: float | None) -> np.ndarray:
    if T_low == T_high:
        return np.full(n, float(T_low))
    ages = rng.uniform(T_low, T_high, n)
    return np.floor(ages / step) * step if step else ages


def betageo(n: int, r: float, alpha: float, a: float, b: float, *, T_low: float, T_high: float,
            seed: int, step: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of n BG/NBD customers."""
    rng = np.random.default_rng(seed)
    big_t = _ages(rng, n, T_low, T_high, step)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    x = np.zeros(n)
    last = np.zeros(n)
    clock = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        clock[idx] += rng.exponential(1.0 / rate[idx])
        bought = clock[idx] <= big_t[idx]
        active[idx[~bought]] = False
        buyers = idx[bought]
        x[buyers] += 1
        last[buyers] = clock[buyers]
        active[buyers[rng.random(len(buyers)) < dropout[buyers]]] = False
    recency = np.floor(last / step) * step if step else last
    return x, np.minimum(recency, big_t), big_t


def pareto(n: int, r: float, alpha: float, s: float, beta: float, *, T_low: float, T_high: float,
           seed: int, step: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of n Pareto/NBD customers."""
    rng = np.random.default_rng(seed)
    big_t = _ages(rng, n, T_low, T_high, step)
    rate = rng.gamma(r, 1.0 / alpha, n)
    end = np.minimum(rng.exponential(1.0 / rng.gamma(s, 1.0 / beta, n)), big_t)
    x = np.zeros(n)
    last = np.zeros(n)
    clock = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        clock[idx] += rng.exponential(1.0 / rate[idx])
        bought = clock[idx] <= end[idx]
        active[idx[~bought]] = False
        buyers = idx[bought]
        x[buyers] += 1
        last[buyers] = clock[buyers]
    recency = np.floor(last / step) * step if step else last
    return x, np.minimum(recency, big_t), big_t


def grocery(n: int = 2500, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grocery-shaped panel in weeks: households over about a year, about 60 baskets each,
    almost no dropout (BG/NBD with a = 0.29, b = 410, as lifetimes estimates on such a panel),
    daily times."""
    return betageo(n, 2.5, 2.0, 0.29, 410.0, T_low=40.0, T_high=52.0, seed=seed, step=1 / 7)


def daily(n: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily-unit data: T between 30 and 365 days, CDNOW-like parameters per day."""
    return betageo(n, 0.25, 30.0, 0.8, 2.5, T_low=30.0, T_high=366.0, seed=seed, step=1.0)
