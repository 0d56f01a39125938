"""Math layer for the customer-value models: log-likelihoods, gradients and predictions.

No DataFrames here. Customers enter as :class:`Triples`: the distinct (x, t_x, T) values
with how many customers share each, and each of x, t_x and T factorised to its distinct
values. Every special function runs on those small distinct arrays (a few hundred values even
for a million customers) and is gathered back by index, so one likelihood evaluation costs a
handful of vector operations over the distinct triples.

Sources: BG/NBD, Fader, Hardie & Lee (2005a) "Counting your customers the easy way",
Marketing Science 24(2), eq. 6 (likelihood), 10 (conditional expectation), and Fader & Hardie
(2008) "Computing P(alive) using the BG/NBD model"; MBG/NBD, Batislam, Denizel & Filiztekin
(2007) IJRM 24(3); Pareto/NBD, Schmittlein, Morrison & Colombo (1987) Management Science 33(1)
and Fader & Hardie (2005) "A note on deriving the Pareto/NBD model and related expressions",
eq. 18-22; Gamma-Gamma, Fader, Hardie & Lee (2005b) "RFM and CLV: using iso-value curves",
JMR 42(4), and Colombo & Jiang (1999).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def _special() -> Any:
    import scipy.special  # heavy: imported on first use

    return scipy.special


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and each value's index among them.

    Hash-based (pandas.factorize), then only the distinct values are sorted: linear in the
    number of customers, where ``np.unique`` sorts them all.
    """
    import pandas as pd

    codes, distinct = pd.factorize(values, sort=True)
    return np.asarray(distinct), codes.astype(np.int64)


@dataclasses.dataclass(frozen=True)
class Triples:
    """Distinct (x, t_x, T) with counts, each coordinate factorised to its distinct values."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    count: np.ndarray
    x_values: np.ndarray
    x_index: np.ndarray
    t_x_values: np.ndarray
    t_x_index: np.ndarray
    T_values: np.ndarray
    T_index: np.ndarray

    @classmethod
    def build(cls, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, count: np.ndarray | None = None) -> Triples:
        x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
        count = np.ones(len(x)) if count is None else np.asarray(count, dtype=np.float64)
        x_values, x_index = factorize(x)
        t_x_values, t_x_index = factorize(t_x)
        T_values, T_index = factorize(T)
        return cls(x, t_x, T, count, x_values, x_index, t_x_values, t_x_index, T_values, T_index)

    @property
    def customers(self) -> float:
        return float(self.count.sum())

    def pairs(self, times: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (x, t) pairs for t = t_x or T: their x, their t, and each triple's pair."""
        values, index = (self.t_x_values, self.t_x_index) if times == "t_x" else (self.T_values, self.T_index)
        code = self.x_index * len(values) + index
        distinct, inverse = factorize(code)
        return self.x_values[distinct // len(values)], values[distinct % len(values)], inverse


# --- BG/NBD and MBG/NBD ----------------------------------------------------------------------
# One parametrisation covers both: a customer can drop out after each of x + k "events", with
# k = 0 for BG/NBD (after each repeat purchase) and k = 1 for MBG/NBD (also right after the
# first purchase, so a zero-repeat customer can be dead).


def _betageo_terms(params: np.ndarray, d: Triples, k: int) -> tuple[np.ndarray, ...]:
    sp = _special()
    r, alpha, a, b = params
    x = d.x_values
    n = x + k
    log_beta_ab = sp.betaln(a, b)
    a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    a2_x = sp.betaln(a, b + n) - log_beta_ab
    has_dead = n >= 1
    a3_x = np.where(has_dead, sp.betaln(a + 1, np.where(has_dead, b + n - 1, 1.0)) - log_beta_ab, -np.inf)
    log_alpha_T = np.log(alpha + d.T_values)
    log_alpha_tx = np.log(alpha + d.t_x_values)
    rx = (r + x)[d.x_index]
    a2 = a2_x[d.x_index] - rx * log_alpha_T[d.T_index]
    a3 = a3_x[d.x_index] - rx * log_alpha_tx[d.t_x_index]
    return a1, a2, a3


def betageo_loglik(params: np.ndarray, d: Triples, k: int) -> np.ndarray:
    """Log-likelihood of each distinct triple (BG/NBD for k=0, MBG/NBD for k=1)."""
    a1, a2, a3 = _betageo_terms(params, d, k)
    return a1[d.x_index] + np.logaddexp(a2, a3)


def betageo_value_and_gradient(params: np.ndarray, d: Triples, k: int) -> tuple[float, np.ndarray]:
    """Count-weighted total log-likelihood and its gradient in (r, alpha, a, b)."""
    sp = _special()
    r, alpha, a, b = params
    x = d.x_values
    n = x + k
    a1, a2, a3 = _betageo_terms(params, d, k)
    both = np.logaddexp(a2, a3)
    c = d.count
    ix = d.x_index
    value = float(c @ (a1[ix] + both))
    w3 = np.exp(a3 - both)  # share of the "dropped out at t_x" term
    w2 = 1.0 - w3
    psi_ab = sp.digamma(a + b)
    psi_abn = sp.digamma(a + b + n)
    safe = np.where(n >= 1, b + n - 1, 1.0)
    c_w2, c_w3 = c * w2, c * w3
    per_x = np.bincount(ix, weights=c, minlength=len(x))
    per_x_w2 = np.bincount(ix, weights=c_w2, minlength=len(x))
    per_x_w3 = per_x - per_x_w2
    log_T = np.log(alpha + d.T_values)
    log_tx = np.log(alpha + d.t_x_values)
    rx = (r + x)[ix]
    d_r = per_x @ (sp.digamma(r + x) - sp.digamma(r) + np.log(alpha))
    d_r -= c_w2 @ log_T[d.T_index] + c_w3 @ log_tx[d.t_x_index]
    d_alpha = r / alpha * c.sum() - (c_w2 * rx) @ (1.0 / (alpha + d.T_values))[d.T_index]
    d_alpha -= (c_w3 * rx) @ (1.0 / (alpha + d.t_x_values))[d.t_x_index]
    d_a = per_x_w2 @ (psi_ab - psi_abn) + per_x_w3 @ (sp.digamma(a + 1) - sp.digamma(a) + psi_ab - psi_abn)
    d_b = per_x_w2 @ (sp.digamma(b + n) - psi_abn - sp.digamma(b) + psi_ab)
    d_b += per_x_w3 @ np.where(n >= 1, sp.digamma(safe) - psi_abn - sp.digamma(b) + psi_ab, 0.0)
    return value, np.array([d_r, d_alpha, d_a, d_b])


def betageo_p_alive(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, k: int) -> np.ndarray:
    """P(alive at T | x, t_x, T) (Fader & Hardie 2008, eq. 4; Batislam et al. 2007)."""
    r, alpha, a, b = params
    n = x + k
    odds = np.log(a) - np.log(np.where(n >= 1, b + n - 1, 1.0))
    ratio = np.where(n >= 1, odds + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)), -np.inf)
    return 1.0 / (1.0 + np.exp(ratio))


def betageo_expected(params: np.ndarray, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                     k: int) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: FHL (2005a) eq. 10 for k=0, Batislam et al. (2007) eq. 13 for k=1."""
    sp = _special()
    r, alpha, a, b = params
    n = x + k
    z = t / (alpha + T + t)
    if abs(a - 1.0) < 1e-5:
        # a = 1 is a removable 0/0 point of the closed form; average the two sides.
        near = [np.array([r, alpha, 1.0 + step, b]) for step in (-1e-4, 1e-4)]
        below, above = (betageo_expected(p, t, x, t_x, T, k) for p in near)
        return (below + above) / 2.0
    head = (a + b + n - 1) / (a - 1)
    tail = 1.0 - np.exp((r + x) * np.log1p(-z)) * sp.hyp2f1(r + x, b + n, a + b + n - 1, z)
    return head * tail * betageo_p_alive(params, x, t_x, T, k)


def betageo_pmf(params: np.ndarray, y: int, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                k: int) -> np.ndarray:
    """P(Y(t) = y | x, t_x, T): purchases in the next t.

    Derived like Fader, Hardie & Lee's conditional PMF: a customer alive at T buys y times and
    survives (first integral), or buys y times and drops out at the y-th purchase within t
    (second); a customer already dead buys nothing. Integrating each over the posterior gives
    beta and gamma functions; all sums are in log space.
    """
    sp = _special()
    r, alpha, a, b = params
    n = x + k
    log_beta_ab = sp.betaln(a, b)
    log_norm = -sp.gammaln(r) + r * np.log(alpha)
    loglik = betageo_loglik(params, Triples.build(x, t_x, T), k)
    horizon = alpha + T + t
    alive_y = (sp.betaln(a, b + n + y) - log_beta_ab + sp.gammaln(r + x + y) + log_norm
               + y * np.log(t) - sp.gammaln(y + 1) - (r + x + y) * np.log(horizon))
    total = np.exp(alive_y - loglik)
    if y >= 1:
        # alive at T, the y-th purchase within t, dropped out there: P(N(t) >= y) under the
        # posterior, i.e. 1 minus the first y NBD terms.
        below = sum(
            np.exp(sp.gammaln(r + x + j) - sp.gammaln(r + x) - sp.gammaln(j + 1)
                   + (r + x) * np.log((alpha + T) / horizon) + j * np.log(t / horizon))
            for j in range(y)
        )
        log_alive_at_T = sp.gammaln(r + x) + log_norm - (r + x) * np.log(alpha + T)
        dropped = sp.betaln(a + 1, b + n + y - 1) - log_beta_ab + log_alive_at_T
        total += np.exp(dropped - loglik) * np.clip(1.0 - below, 0.0, 1.0)
    if y == 0:
        total += 1.0 - betageo_p_alive(params, x, t_x, T, k)
    return total


# --- Pareto/NBD ------------------------------------------------------------------------------


def _log_hyp2f1_term(params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log[2F1(r+s+x, b2; r+s+x+1; z(t)) / (max(alpha, beta) + t)^(r+s+x)].

    Fader & Hardie (2005) eq. 19-20: with alpha >= beta, b2 = s + 1 and
    z = (alpha - beta) / (alpha + t); otherwise b2 = r + x and z = (beta - alpha) / (beta + t).
    Naively 2F1 behaves like (1 - z)^-b2, which overflows once b2 = r + x is large. Euler's
    transformation, 2F1(a, b; a + 1; z) = (1 - z)^(1 - b) 2F1(1, a + 1 - b; a + 1; z), moves
    that factor into logs and leaves a series whose terms fall at least as fast as z^n (for
    b >= 1), so nothing overflows for x in the thousands.
    """
    sp = _special()
    r, alpha, s, beta = params
    big = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        second = np.full_like(big, s + 1.0)
        base = alpha + t
    else:
        z = (beta - alpha) / (beta + t)
        second = r + x
        base = beta + t
    transformed = sp.hyp2f1(1.0, big + 1.0 - second, big + 1.0, z)
    return (1.0 - second) * np.log1p(-z) + np.log(transformed) - big * np.log(base)


def pareto_parts(params: np.ndarray, d: Triples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per triple: the constant, the "alive at T" term and the "died in (t_x, T]" term (logs)."""
    sp = _special()
    r, alpha, s, beta = params
    x_tx, t_tx, inverse_tx = d.pairs("t_x")
    x_T, t_T, inverse_T = d.pairs("T")
    h_tx = _log_hyp2f1_term(params, x_tx, t_tx)[inverse_tx]
    h_T = _log_hyp2f1_term(params, x_T, t_T)[inverse_T]
    x = d.x_values
    const = (sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha) + s * np.log(beta))[d.x_index]
    log_alpha_T = np.log(alpha + d.T_values)[d.T_index]
    alive = -(r + x)[d.x_index] * log_alpha_T - s * np.log(beta + d.T_values)[d.T_index]
    gap = np.minimum(h_T - h_tx, 0.0)
    with np.errstate(divide="ignore"):
        died = np.log(s / (r + s + x))[d.x_index] + h_tx + np.log(-np.expm1(gap))
    return const, alive, died


def pareto_loglik(params: np.ndarray, d: Triples) -> np.ndarray:
    """Log-likelihood of each triple (Fader & Hardie 2005, eq. 18-22; computed in logs)."""
    const, alive, died = pareto_parts(params, d)
    return const + np.logaddexp(alive, died)


def pareto_p_alive(params: np.ndarray, d: Triples) -> np.ndarray:
    """P(alive at T | x, t_x, T) (Fader & Hardie 2005, eq. 21)."""
    _, alive, died = pareto_parts(params, d)
    return np.exp(alive - np.logaddexp(alive, died))


def pareto_expected(params: np.ndarray, t: float, d: Triples) -> np.ndarray:
    """E[Y(t) | x, t_x, T] (Fader & Hardie 2005, eq. 22)."""
    r, alpha, s, beta = params
    rate = (r + d.x) / (alpha + d.T)
    if abs(s - 1.0) < 1e-10:  # the limit s -> 1 of the survival integral
        stay = (beta + d.T) * np.log1p(t / (beta + d.T))
    else:
        stay = (beta + d.T) / (s - 1.0) * -np.expm1((s - 1.0) * np.log((beta + d.T) / (beta + d.T + t)))
    return rate * stay * pareto_p_alive(params, d)


def pareto_pmf(params: np.ndarray, y: int, t: float, d: Triples, nodes: int = 64) -> np.ndarray:
    """P(Y(t) = y | x, t_x, T).

    Given alive at T, lambda ~ Gamma(r + x, alpha + T) and mu ~ Gamma(s, beta + T)
    independently (the posterior), and the remaining lifetime is exponential. So
    P(Y = y | alive) = P(tau > t) NBD(y; t) + integral_0^t f_tau(u) NBD(y; u) du, where
    NBD(y; u) is the posterior-predictive count over u and f_tau the Lomax density of tau. The
    integral is smooth and done by Gauss-Legendre quadrature (64 nodes: error far below 1e-10).
    """
    sp = _special()
    r, alpha, s, beta = params
    ra, aT, bT = r + d.x, alpha + d.T, beta + d.T

    def nbd(u: np.ndarray) -> np.ndarray:
        return np.exp(sp.gammaln(ra + y) - sp.gammaln(ra) - sp.gammaln(y + 1)
                      + ra * np.log(aT / (aT + u)) + (y * np.log(u / (aT + u)) if y else 0.0))

    points, weights = np.polynomial.legendre.leggauss(nodes)
    u = (points[:, None] + 1.0) * t / 2.0
    density = s / (bT + u) * np.exp(s * np.log(bT / (bT + u)))
    integral = (weights[:, None] * density * nbd(u)).sum(axis=0) * t / 2.0
    survive = np.exp(s * np.log(bT / (bT + t))) * nbd(np.full_like(aT, t))
    p_alive = pareto_p_alive(params, d)
    return p_alive * (survive + integral) + (1.0 - p_alive if y == 0 else 0.0)


# --- Gamma-Gamma spend -----------------------------------------------------------------------


def gamma_gamma_loglik(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Log-likelihood of x repeat transactions with mean spend m (FHL 2005b, eq. 3).

    The density of the mean of x gamma(p, nu) spends, integrated over nu ~ gamma(q, gamma).
    """
    sp = _special()
    p, q, g = params
    px = p * x
    return (sp.gammaln(px + q) - sp.gammaln(px) - sp.gammaln(q) + q * np.log(g)
            + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + m * x))


def gamma_gamma_gradient(params: np.ndarray, x: np.ndarray, m: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Gradient of the count-weighted total log-likelihood in (p, q, gamma)."""
    sp = _special()
    p, q, g = params
    px = p * x
    psi = sp.digamma(px + q)
    spend = np.log(g + m * x)
    d_p = x * (psi - sp.digamma(px) + np.log(m) + np.log(x) - spend)
    d_q = psi - sp.digamma(q) + np.log(g) - spend
    d_g = q / g - (px + q) / (g + m * x)
    return np.array([count @ d_p, count @ d_q, count @ d_g])


def gamma_gamma_expected(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[spend | x, m] = (gamma + m x) p / (p x + q - 1) (FHL 2005b, eq. 5)."""
    p, q, g = params
    return (g + m * x) * p / (p * x + q - 1.0)
