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
JMR 42(4), and Colombo & Jiang (1999). The Pareto/NBD limit s, beta -> inf integrates the
lifetime with the incomplete gamma function's continued fraction and Kummer's U (NIST DLMF
8.9.2, 13.4.4).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np


def _special() -> Any:
    import scipy.special  # heavy: imported on first use

    return scipy.special


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two vectors by einsum: a BLAS dot product can cost milliseconds when the
    machine is busy (thread start-up), einsum's loop stays at memory speed."""
    return float(np.einsum("i,i->", a, b))


def _trigamma(v: Any) -> Any:
    """psi'(v) as the Hurwitz zeta function zeta(2, v): what ``scipy.special.polygamma(1, v)``
    returns, bit for bit, without its wrapper's extra array operations."""
    return _special().zeta(2.0, v)


def factorize(values: np.ndarray, sort: bool = True, span: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted unless ``sort=False``) and each value's index among them.

    Whole numbers in a range at most ``span`` times the length (purchase counts, combined
    codes) are indexed directly by position, with no hashing or sorting (and come out sorted);
    the tables cost one byte and four per number in the range. Other values go through
    pandas' hash table, and only the distinct values are sorted: linear in the number of
    customers, where ``np.unique`` sorts them all.
    """
    import pandas as pd

    values = np.asarray(values)
    if (len(values) and values.dtype.kind in "fiu" and values.min() >= 0
            and values.max() <= span * len(values)):
        whole = values.astype(np.int64, copy=False)
        if values.dtype.kind != "f" or (whole == values).all():
            present = np.zeros(int(whole.max()) + 1, dtype=bool)
            present[whole] = True
            distinct = np.flatnonzero(present)
            # each value's position among the distinct ones, by a table written only where a
            # value occurs (a cumulative sum over the whole range costs more)
            position = np.empty(len(present), dtype=np.int32 if len(distinct) < 2**31 else np.int64)
            position[distinct] = np.arange(len(distinct), dtype=position.dtype)
            return distinct.astype(values.dtype), position[whole].astype(np.int64)
    codes, distinct = pd.factorize(values, sort=sort)
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

    def subset(self, rows: np.ndarray, count: np.ndarray) -> Triples:
        """The triples at ``rows`` with new counts, keeping the factorisation (no rehashing)."""
        return dataclasses.replace(
            self, x=self.x[rows], t_x=self.t_x[rows], T=self.T[rows],
            count=np.asarray(count, dtype=np.float64),
            x_index=self.x_index[rows], t_x_index=self.t_x_index[rows], T_index=self.T_index[rows],
        )

    @property
    def customers(self) -> float:
        return float(self.count.sum())

    @functools.cached_property
    def x_counts(self) -> np.ndarray:
        """Customers per distinct x."""
        return np.bincount(self.x_index, weights=self.count, minlength=len(self.x_values))

    @functools.cached_property
    def _x_runs(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Where each run of equal x codes starts and its code, when the triples are ordered by
        x (as :func:`_distinct` and subsets of its triples are); None otherwise."""
        index = self.x_index
        if len(index) == 0 or not bool((index[1:] >= index[:-1]).all()):
            return None
        starts = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]]))
        return starts, index[starts]

    def sum_per_x(self, weights: np.ndarray) -> np.ndarray:
        """Sums of ``weights`` (one per triple) per distinct x: by runs where the triples are
        ordered by x (``np.add.reduceat``, about 20 times faster than a weighted
        ``np.bincount``), else by ``np.bincount``."""
        runs = self._x_runs
        if runs is None:
            return np.bincount(self.x_index, weights=weights, minlength=len(self.x_values))
        starts, codes = runs
        sums = np.add.reduceat(weights, starts)
        if len(codes) == len(self.x_values):
            return sums
        full = np.zeros(len(self.x_values))
        full[codes] = sums
        return full

    @functools.cached_property
    def age_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Customers and their repeat purchases per distinct T."""
        size = len(self.T_values)
        return (np.bincount(self.T_index, weights=self.count, minlength=size),
                np.bincount(self.T_index, weights=self.count * self.x, minlength=size))

    @functools.cached_property
    def recency_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (x, t_x) pairs: their x, their t_x, and each triple's pair."""
        return self._pairs(self.t_x_values, self.t_x_index)

    @functools.cached_property
    def age_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (x, T) pairs: their x, their T, and each triple's pair."""
        return self._pairs(self.T_values, self.T_index)

    def _pairs(self, values: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        distinct, inverse = factorize(self.x_index * len(values) + index)
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


def betageo_total(params: np.ndarray, d: Triples, k: int) -> float:
    """Count-weighted total log-likelihood (BG/NBD for k=0, MBG/NBD for k=1): the value of
    :func:`betageo_derivatives` without its derivatives."""
    return _betageo_dropout(params, d, k, 0)[0]


def betageo_derivatives(params: np.ndarray, d: Triples, k: int,
                        hessian: bool = False) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Count-weighted total log-likelihood, its gradient and (optionally) Hessian in (r, alpha, a, b).

    Per triple the log-likelihood is A1 + log(e^A2 + e^A3) (FHL 2005a eq. 6, in logs)
    = A1 + A2 + log(1 + e^z), z = A3 - A2 = log(a / (b + n - 1)) - (r + x) log((alpha +
    t_x) / (alpha + T)): the beta-function ratio B(a + 1, b + n - 1) / B(a, b + n) is
    a / (b + n - 1). See :func:`_betageo_mixture` for the derivatives.
    """
    value, gradient, curvature = _betageo_dropout(params, d, k, 2 if hessian else 1)
    assert gradient is not None
    return value, gradient, curvature


def _betageo_dropout(params: np.ndarray, d: Triples, k: int,
                     order: int) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """:func:`_betageo_mixture` with the dropout parts in (a, b): A2 = log B(a, b + n) -
    log B(a, b) and z = log a - log(b + n - 1), n = x + k, for each distinct x."""
    sp = _special()
    r, alpha, a, b = params
    n = d.x_values + k
    dead = n >= 1
    before = np.where(dead, b + n - 1, 1.0)
    with np.errstate(divide="ignore"):
        z_x = np.where(dead, np.log(a) - np.log(before), -np.inf)
    a2_x = sp.betaln(a, b + n) - sp.betaln(a, b)
    if order == 0:
        return _betageo_mixture(r, alpha, d, a2_x, z_x, None, None, None, None)
    psi_ab, psi_abn = sp.digamma(a + b), sp.digamma(a + b + n)
    step_b = np.where(dead, 1.0 / before, 0.0)
    d_a2 = np.stack([psi_ab - psi_abn, sp.digamma(b + n) - psi_abn - sp.digamma(b) + psi_ab], axis=1)
    d_z = np.stack([np.full(len(n), 1.0 / a), -step_b], axis=1)
    if order == 1:
        return _betageo_mixture(r, alpha, d, a2_x, z_x, d_a2, d_z, None, None)
    tri_ab, tri_abn = _trigamma(a + b), _trigamma(a + b + n)
    d2_a2 = np.empty((len(n), 2, 2))
    d2_a2[:, 0, 0] = d2_a2[:, 0, 1] = d2_a2[:, 1, 0] = tri_ab - tri_abn
    d2_a2[:, 1, 1] = _trigamma(b + n) - tri_abn - _trigamma(b) + tri_ab
    d2_z = np.zeros((len(n), 2, 2))
    d2_z[:, 0, 0] = -1.0 / a**2  # psi'(a + 1) - psi'(a)
    d2_z[:, 1, 1] = step_b**2  # psi'(b + n - 1) - psi'(b + n)
    return _betageo_mixture(r, alpha, d, a2_x, z_x, d_a2, d_z, d2_a2, d2_z)


def _betageo_mixture(r: float, alpha: float, d: Triples, a2_x: np.ndarray, z_x: np.ndarray,
                     d_a2: np.ndarray | None, d_z: np.ndarray | None, d2_a2: np.ndarray | None,
                     d2_z: np.ndarray | None) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """Total log-likelihood of the BG/NBD family, with its gradient (given ``d_a2``, ``d_z``)
    and Hessian (given also ``d2_a2``, ``d2_z``) in (r, alpha) followed by the dropout
    parameters theta.

    Per triple, ll = A1 + A2 - (r + x) log(alpha + T) + log(1 + e^z) with
    z = z_x - (r + x) log((alpha + t_x) / (alpha + T)); A1 = log Gamma(r + x) - log Gamma(r)
    + r log alpha, and A2 = ``a2_x`` and z_x (``z_x``; -inf where the customer cannot have
    dropped out) depend on x and theta alone (per distinct x, with their derivatives in theta
    per x: (X, m) and (X, m, m)). With w = e^z / (1 + e^z), the share of the "dropped out at
    t_x" term,
    gradient = dA1 + dA2 + w dz and Hessian = d2A1 + d2A2 + w d2z + w (1 - w) dz dz^T.
    The age term -(r + x) log(alpha + T) sums per distinct T (customers and their purchases
    per T, :attr:`Triples.age_sums`); only z, w and the sums weighted by w pass over the
    distinct triples.
    """
    sp = _special()
    x = d.x_values
    per_x = d.x_counts
    per_T, purchases_T = d.age_sums
    total = float(per_x.sum())
    log_T = np.log(alpha + d.T_values)
    a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    value = _dot(per_x, a1 + a2_x) - _dot(log_T, r * per_T + purchases_T)
    # nobody can have dropped out (the no-dropout limit): w = 0, the NBD, sums per x and T alone
    mixed = bool(np.isfinite(z_x).any())
    if mixed:
        log_tx = np.log(alpha + d.t_x_values)
        # log((alpha + t_x) / (alpha + T)) <= 0
        gap = np.take(log_tx, d.t_x_index) - np.take(log_T, d.T_index)
        rx = r + d.x
        z = np.take(z_x, d.x_index) - rx * gap
        small = np.exp(-np.abs(z))  # e^-|z|: log(1 + e^z) and w without overflow
        value += _dot(d.count, np.maximum(z, 0.0) + np.log1p(small))
    if d_a2 is None or d_z is None:
        return value, None, None
    inv_T = 1.0 / (alpha + d.T_values)
    gradient = np.concatenate([[
        _dot(per_x, sp.digamma(r + x) - sp.digamma(r) + np.log(alpha)) - _dot(log_T, per_T),
        r / alpha * total - _dot(inv_T, r * per_T + purchases_T),
    ], per_x @ d_a2])
    if mixed:
        w = np.where(z >= 0, 1.0, small) / (1.0 + small)
        c_w = d.count * w
        inv_tx = 1.0 / (alpha + d.t_x_values)
        inv_T_row, inv_tx_row = np.take(inv_T, d.T_index), np.take(inv_tx, d.t_x_index)
        z_alpha = rx * (inv_tx_row - inv_T_row)  # -dz / dalpha; -dz / dr is gap
        w_x = d.sum_per_x(c_w)
        gradient[:2] -= [_dot(c_w, gap), _dot(c_w, z_alpha)]
        gradient[2:] += w_x @ d_z
    if d2_a2 is None or d2_z is None:
        return value, gradient, None
    size = 2 + d_z.shape[1]
    h = np.zeros((size, size))
    h[0, 0] = _dot(per_x, _trigamma(r + x) - _trigamma(r))
    h[0, 1] = total / alpha - _dot(inv_T, per_T)
    h[1, 1] = -r / alpha**2 * total + _dot(inv_T**2, r * per_T + purchases_T)
    h[2:, 2:] = np.tensordot(per_x, d2_a2, axes=1)
    if not mixed:
        return value, gradient, np.triu(h) + np.triu(h, 1).T
    h[0, 1] -= _dot(c_w, inv_tx_row - inv_T_row)
    h[1, 1] += float(np.einsum("i,i,i->", c_w, z_alpha, inv_tx_row + inv_T_row))
    # the mixing term w (1 - w) dz dz^T with dz = (-gap, -z_alpha, d_z)
    u = c_w * (1.0 - w)
    u_gap, u_alpha = u * gap, u * z_alpha
    u_x = d.sum_per_x(u)
    h[0, 0] += _dot(u_gap, gap)
    h[0, 1] += _dot(u_gap, z_alpha)
    h[1, 1] += _dot(u_alpha, z_alpha)
    h[0, 2:] = -(d.sum_per_x(u_gap) @ d_z)
    h[1, 2:] = -(d.sum_per_x(u_alpha) @ d_z)
    h[2:, 2:] += np.tensordot(w_x, d2_z, axes=1) + (d_z * u_x[:, None]).T @ d_z
    return value, gradient, np.triu(h) + np.triu(h, 1).T


def betageo_limit(phi: np.ndarray, d: Triples, k: int,
                  hessian: bool = False) -> tuple[float, np.ndarray, np.ndarray | None]:
    """BG/NBD (k=0) or MBG/NBD (k=1) log-likelihood in the limit a, b -> inf with
    a / (a + b) = p fixed (every customer drops out with probability p at each chance), and
    its gradient and (optionally) Hessian in ``phi`` = (r, alpha, p); ``phi`` = (r, alpha):
    p = 0, nobody drops out (the NBD).

    The beta-function ratios of FHL (2005a) eq. 6 become B(a, b + n) / B(a, b) -> (1 - p)^n and
    B(a + 1, b + n - 1) / B(a, b) -> p (1 - p)^(n - 1), n = x + k; written in that form, without
    the cancellation of log-beta functions at huge arguments: A2 = n log(1 - p) and
    z = log(p / (1 - p)) in :func:`_betageo_mixture`.
    """
    r, alpha = phi[0], phi[1]
    n = d.x_values + k
    if len(phi) == 2:
        value, gradient, curvature = _betageo_mixture(
            r, alpha, d, np.zeros(len(n)), np.full(len(n), -np.inf), np.zeros((len(n), 0)),
            np.zeros((len(n), 0)), np.zeros((len(n), 0, 0)) if hessian else None,
            np.zeros((len(n), 0, 0)) if hessian else None)
        assert gradient is not None
        return value, gradient, curvature
    p = phi[2]
    dead = n >= 1
    z_x = np.where(dead, np.log(p) - np.log1p(-p), -np.inf)
    d_a2 = (-n / (1.0 - p))[:, None]
    d_z = np.where(dead, 1.0 / (p * (1.0 - p)), 0.0)[:, None]
    second = (np.stack([(-n / (1.0 - p) ** 2)[:, None]], axis=1),
              np.stack([np.where(dead, (2.0 * p - 1.0) / (p * (1.0 - p)) ** 2, 0.0)[:, None]], axis=1))
    value, gradient, curvature = _betageo_mixture(r, alpha, d, n * np.log1p(-p), z_x, d_a2, d_z,
                                                  *(second if hessian else (None, None)))
    assert gradient is not None
    return value, gradient, curvature


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


def betageo_pmf(params: np.ndarray, y: int, t: float, d: Triples, k: int) -> np.ndarray:
    """P(Y(t) = y | x, t_x, T) per distinct triple: purchases in the next t.

    Derived like Fader, Hardie & Lee's conditional PMF: a customer alive at T buys y times and
    survives (first integral), or buys y times and drops out at the y-th purchase within t
    (second); a customer already dead buys nothing. Integrating each over the posterior gives
    beta and gamma functions; all sums are in log space.
    """
    sp = _special()
    r, alpha, a, b = params
    x, t_x, T = d.x, d.t_x, d.T
    n = x + k
    log_beta_ab = sp.betaln(a, b)
    log_norm = -sp.gammaln(r) + r * np.log(alpha)
    loglik = betageo_loglik(params, d, k)
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


PairFunction = Callable[[np.ndarray, np.ndarray], tuple[Any, ...]]


def _on_both_pairs(function: PairFunction, d: Triples) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``function(x, t)`` on the distinct (x, t_x) and (x, T) pairs stacked into one call (one
    pass of each special function instead of two: on a small panel the per-call cost is most of
    it), each output (an array over pairs, or None) split back into the two sets."""
    (x_tx, t_tx, _), (x_T, t_T, _) = d.recency_pairs, d.age_pairs
    split = len(x_tx)
    outputs = function(np.concatenate([x_tx, x_T]), np.concatenate([t_tx, t_T]))
    recency = tuple(None if out is None else out[:split] for out in outputs)
    age = tuple(None if out is None else out[split:] for out in outputs)
    return recency, age


def _hyp2f1_split(params: np.ndarray, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """The Pareto/NBD integral term h(x, t) as an elementary part plus log F(A; C; z).

    h = log[(r + s + x) * integral_t^inf (alpha + u)^-(r + x) (beta + u)^-(s + 1) du], the
    Gauss hypergeometric term of Fader & Hardie (2005) eq. 19-20. With F = 2F1(1, A; C; z) and
    C = r + s + x + 1 (Euler's transformation of their 2F1(C - 1, b2; C; z)):

    * alpha >= beta: A = r + x, z = (alpha - beta) / (alpha + t),
      h = -(r + x) log(alpha + t) - s log(beta + t) + log F;
    * alpha < beta: A = s + 1, z = (beta - alpha) / (beta + t),
      h = (1 - r - x) log(alpha + t) - (s + 1) log(beta + t) + log F.

    Their 2F1 behaves like (1 - z)^-b2 and overflows once b2 = r + x is large; here that
    factor sits in the logarithms and 0 <= z < 1 leaves F a series whose terms fall at least as
    fast as z^n, so nothing overflows for x in the thousands. Returns the elementary part,
    A, C and z.
    """
    r, alpha, s, beta = params
    log_a, log_b = np.log(alpha + t), np.log(beta + t)
    if alpha >= beta:
        return -(r + x) * log_a - s * log_b, r + x, r + s + x + 1.0, (alpha - beta) / (alpha + t)
    return ((1.0 - r - x) * log_a - (s + 1.0) * log_b, np.full_like(x, s + 1.0), r + s + x + 1.0,
            (beta - alpha) / (beta + t))


def _log_f(a: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.log(_special().hyp2f1(1.0, a, c, z))


def _log_hyp2f1_term(params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """h(x, t) of :func:`_hyp2f1_split`, for each distinct (x, t) pair."""
    elementary, a, c, z = _hyp2f1_split(params, x, t)
    return elementary + _log_f(a, c, z)


def _local_differences(a: np.ndarray, c: np.ndarray, z: np.ndarray,
                       hessian: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """log F itself, with its gradient (P, 3) and Hessian (P, 3, 3) in its own arguments (A, C, z).

    Central differences, as scipy has no derivative of 2F1 in its parameters. log F is of
    order one and smooth, so a relative step of 1e-4 leaves errors near 1e-9 (gradient) and
    1e-8 (Hessian); the z step is a share of 1 - z, so it never crosses the branch point 1.
    Each mixed second derivative reuses the axis points and adds the two diagonal corners
    (f(+i,+j) + f(-i,-j) - f(+i) - f(-i) - f(+j) - f(-j) + 2 f) / (2 h_i h_j), second order like
    the four-corner formula: 13 evaluations of 2F1 per pair for the Hessian instead of 20.
    """
    step = 1e-4
    point = np.stack([a, c, z])
    size = step * np.stack([np.maximum(a, 1.0), np.maximum(c, 1.0), 1.0 - z])
    # every shifted point in one call of 2F1: the centre, +-1 step along each axis, and for the
    # Hessian the diagonal corners (+i, +j) and (-i, -j) of each pair of axes
    moves: list[tuple[tuple[int, int], ...]] = [()]
    moves += [((i, sign),) for sign in (1, -1) for i in range(3)]
    corners = [(i, j) for i in range(3) for j in range(i + 1, 3)] if hessian else []
    moves += [((i, sign), (j, sign)) for i, j in corners for sign in (1, -1)]
    shifted = np.repeat(point[:, None, :], len(moves), axis=1)
    for m, move in enumerate(moves):
        for axis, sign in move:
            shifted[axis, m] += sign * size[axis]
    values = _log_f(*shifted)
    centre, up, down = values[0], values[1:4], values[4:7]
    gradient = ((up - down) / (2 * size)).T
    if not hessian:
        return centre, gradient, None
    curvature = np.empty((len(a), 3, 3))
    for i in range(3):
        curvature[:, i, i] = (up[i] - 2 * centre + down[i]) / size[i] ** 2
    for n, (i, j) in enumerate(corners):
        pair = values[7 + 2 * n] + values[8 + 2 * n]
        mixed = pair - up[i] - down[i] - up[j] - down[j] + 2 * centre
        curvature[:, i, j] = curvature[:, j, i] = mixed / (2 * size[i] * size[j])
    return centre, gradient, curvature


def _hyp2f1_term_derivatives(params: np.ndarray, x: np.ndarray, t: np.ndarray,
                             hessian: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """h(x, t) per pair with its gradient (P, 4) and Hessian (P, 4, 4) in (r, alpha, s, beta).

    The elementary part is differentiated exactly; log F through the chain rule from its
    arguments A, C (linear in r, s) and z (a ratio in alpha, beta).
    """
    r, alpha, s, beta = params
    elementary, a, c, z = _hyp2f1_split(params, x, t)
    inv_a, inv_b = 1.0 / (alpha + t), 1.0 / (beta + t)
    log_a, log_b = np.log(alpha + t), np.log(beta + t)
    n = len(x)
    grad = np.zeros((n, 4))
    curv = np.zeros((n, 4, 4))
    jacobian = np.zeros((n, 3, 4))  # d(A, C, z) / d(r, alpha, s, beta)
    jacobian[:, 1, [0, 2]] = 1.0
    z_curv = np.zeros((n, 4, 4))
    grad[:, 0], grad[:, 2] = -log_a, -log_b
    curv[:, 0, 1] = curv[:, 1, 0] = -inv_a
    curv[:, 2, 3] = curv[:, 3, 2] = -inv_b
    if alpha >= beta:
        grad[:, 1], grad[:, 3] = -(r + x) * inv_a, -s * inv_b
        curv[:, 1, 1], curv[:, 3, 3] = (r + x) * inv_a**2, s * inv_b**2
        jacobian[:, 0, 0] = 1.0
        jacobian[:, 2, 1], jacobian[:, 2, 3] = (beta + t) * inv_a**2, -inv_a
        z_curv[:, 1, 1] = -2.0 * (beta + t) * inv_a**3
        z_curv[:, 1, 3] = z_curv[:, 3, 1] = inv_a**2
    else:
        grad[:, 1], grad[:, 3] = (1.0 - r - x) * inv_a, -(s + 1.0) * inv_b
        curv[:, 1, 1], curv[:, 3, 3] = -(1.0 - r - x) * inv_a**2, (s + 1.0) * inv_b**2
        jacobian[:, 0, 2] = 1.0
        jacobian[:, 2, 1], jacobian[:, 2, 3] = -inv_b, (alpha + t) * inv_b**2
        z_curv[:, 3, 3] = -2.0 * (alpha + t) * inv_b**3
        z_curv[:, 1, 3] = z_curv[:, 3, 1] = inv_b**2
    log_f, local_grad, local_curv = _local_differences(a, c, z, hessian)
    value = elementary + log_f
    grad += np.einsum("pi,pij->pj", local_grad, jacobian)
    if local_curv is None:
        return value, grad, None
    curv += np.matmul(jacobian.transpose(0, 2, 1), np.matmul(local_curv, jacobian))
    curv += local_grad[:, 2, None, None] * z_curv
    return value, grad, curv


def _pareto_terms(params: np.ndarray, d: Triples, h_tx: np.ndarray,
                  h_T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The constant per distinct x; per triple the "alive at T" and "died in (t_x, T]" log
    terms and the gap g = h_T - h_tx <= 0, given h at each triple's two pairs."""
    sp = _special()
    r, alpha, s, beta = params
    x = d.x_values
    const = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_T = np.log(alpha + d.T_values)[d.T_index], np.log(beta + d.T_values)[d.T_index]
    alive = -(r + x)[d.x_index] * log_T[0] - s * log_T[1]
    gap = np.minimum(h_T - h_tx, 0.0)
    with np.errstate(divide="ignore"):
        died = np.log(s / (r + s + x))[d.x_index] + h_tx + np.log(-np.expm1(gap))
    return const, alive, died, gap


def pareto_parts(params: np.ndarray, d: Triples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per triple: the constant, the "alive at T" term and the "died in (t_x, T]" term (logs)."""
    r, alpha, s, beta = params
    if s >= LIMIT_SHAPE:
        return _pareto_limit_parts(np.array([r, alpha, s / beta]), d)
    (h_tx,), (h_T,) = _on_both_pairs(lambda x, t: (_log_hyp2f1_term(params, x, t),), d)
    h_tx, h_T = h_tx[d.recency_pairs[2]], h_T[d.age_pairs[2]]
    const, alive, died, _ = _pareto_terms(params, d, h_tx, h_T)
    return const[d.x_index], alive, died


def pareto_loglik(params: np.ndarray, d: Triples) -> np.ndarray:
    """Log-likelihood of each triple (Fader & Hardie 2005, eq. 18-22; computed in logs)."""
    const, alive, died = pareto_parts(params, d)
    return const + np.logaddexp(alive, died)


def pareto_derivatives(params: np.ndarray, d: Triples,
                       hessian: bool = False) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Count-weighted total log-likelihood, gradient and (optionally) Hessian in (r, alpha, s, beta).

    Per triple the log-likelihood is const + log(e^alive + e^died) (:func:`pareto_parts`), with
    died = log(s / (r + s + x)) + h_tx + log(1 - e^g), g = h_T - h_tx. With rho = e^g / (1 - e^g),
    d died = dk + (1 + rho) dh_tx - rho dh_T and
    d2 died = d2k + (1 + rho) d2h_tx - rho d2h_T - rho (1 + rho) dg dg^T; the log-sum-exp then
    combines as for BG/NBD. Pair Hessians are summed with their triples' weights per pair.
    """
    sp = _special()
    r, alpha, s, beta = params
    if s >= LIMIT_SHAPE:
        return _pareto_from_limit(params, d, hessian)
    x = d.x_values
    ix = d.x_index
    c = d.count
    inv_tx, inv_T = d.recency_pairs[2], d.age_pairs[2]
    (h_tx, g_tx, c_tx), (h_T, g_T, c_T) = _on_both_pairs(
        lambda x, t: _hyp2f1_term_derivatives(params, x, t, hessian), d)
    rsx = r + s + x
    const, alive, died, gap = _pareto_terms(params, d, h_tx[inv_tx], h_T[inv_T])
    inv_aT = (1.0 / (alpha + d.T_values))[d.T_index]
    inv_bT = (1.0 / (beta + d.T_values))[d.T_index]
    log_aT = np.log(alpha + d.T_values)[d.T_index]
    log_bT = np.log(beta + d.T_values)[d.T_index]
    rx = (r + x)[ix]
    both = np.logaddexp(alive, died)
    value = _dot(c, const[ix] + both)
    w_died = np.exp(died - both)
    with np.errstate(divide="ignore", over="ignore"):
        rho = np.where(w_died > 0, 1.0 / np.expm1(-gap), 0.0)  # e^g / (1 - e^g)
    k_grad = np.stack([-1.0 / rsx, np.zeros_like(x), 1.0 / s - 1.0 / rsx, np.zeros_like(x)], axis=1)
    d_gap = g_T[inv_T] - g_tx[inv_tx]
    died_grad = k_grad[ix] + g_tx[inv_tx] + rho[:, None] * -d_gap
    alive_grad = np.stack([-log_aT, -rx * inv_aT, -log_bT, -s * inv_bT], axis=1)
    const_grad = np.stack([sp.digamma(r + x) - sp.digamma(r) + np.log(alpha), np.full_like(x, r / alpha),
                           np.full_like(x, np.log(beta)), np.full_like(x, s / beta)], axis=1)
    per_x = np.bincount(ix, weights=c, minlength=len(x))
    c_died = c * w_died
    c_alive = c - c_died
    gradient = per_x @ const_grad + c_alive @ alive_grad + c_died @ died_grad
    if not hessian:
        return value, gradient, None
    assert c_tx is not None and c_T is not None
    total = c.sum()
    curv = np.zeros((4, 4))
    curv[0, 0] = _dot(per_x, sp.polygamma(1, r + x) - sp.polygamma(1, r))
    curv[0, 1] = total / alpha
    curv[1, 1] = -r / alpha**2 * total
    curv[2, 3] = total / beta
    curv[3, 3] = -s / beta**2 * total
    # "alive" term
    curv[0, 1] -= _dot(c_alive, inv_aT)
    curv[1, 1] += _dot(c_alive, rx * inv_aT**2)
    curv[2, 3] -= _dot(c_alive, inv_bT)
    curv[3, 3] += _dot(c_alive, s * inv_bT**2)
    # "died" term: k, then the pair Hessians with their triples' weights, then rho's curvature
    died_x = np.bincount(ix, weights=c_died, minlength=len(x))
    k_rr = _dot(died_x, 1.0 / rsx**2)
    curv[0, 0] += k_rr
    curv[0, 2] += k_rr
    curv[2, 2] += k_rr - died_x.sum() / s**2
    curv = np.triu(curv) + np.triu(curv, 1).T
    weight_tx = np.bincount(inv_tx, weights=c_died * (1.0 + rho), minlength=len(h_tx))
    weight_T = np.bincount(inv_T, weights=c_died * rho, minlength=len(h_T))
    curv += np.tensordot(weight_tx, c_tx, axes=1) - np.tensordot(weight_T, c_T, axes=1)
    curv -= (d_gap * (c_died * rho * (1.0 + rho))[:, None]).T @ d_gap
    # mixing of the two terms
    spread = alive_grad - died_grad
    curv += (spread * (c_alive * w_died)[:, None]).T @ spread
    return value, gradient, (curv + curv.T) / 2.0


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
        stay = (beta + d.T) / (s - 1.0) * -np.expm1(-(s - 1.0) * np.log1p(t / (beta + d.T)))
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
    density = s / (bT + u) * np.exp(-s * np.log1p(u / bT))
    integral = (weights[:, None] * density * nbd(u)).sum(axis=0) * t / 2.0
    survive = np.exp(-s * np.log1p(t / bT)) * nbd(np.full_like(aT, t))
    p_alive = pareto_p_alive(params, d)
    return p_alive * (survive + integral) + (1.0 - p_alive if y == 0 else 0.0)


# --- Pareto/NBD at its boundary: every customer drops out at the same rate --------------------
# As s, beta -> inf with s / beta = mu fixed, the Gamma(s, beta) dropout rates collapse on mu:
# the NBD with an exponential lifetime of rate mu for everybody. Where nobody seems to drop out
# at a different rate (a grocery panel), the Pareto/NBD likelihood rises towards this limit
# along a ridge in (s, beta), and the hypergeometric term gets slow and then overflows at large
# s; the limit itself needs only the tail integral below.

#: From this s on, Pareto/NBD quantities are evaluated in the limit s -> inf (mu = s / beta):
#: the difference is of order 1 / s.
LIMIT_SHAPE = 1e8
#: Where a fit whose supremum is that limit places s (beta = s / mu): a hundred times past the
#: switch, so the finite differences of the delta method stay on the limit's side.
LIMIT_POINT = 1e10


#: Values per block of :func:`_continued_fraction`.
_TAIL_BLOCK = 32768


def _continued_fraction(k: np.ndarray, z: np.ndarray, where: np.ndarray, out: np.ndarray) -> None:
    """-log of the continued fraction of :func:`_log_tail_one` at ``k[where], z[where]``,
    written to ``out[where]``. Every 8 terms the values whose last factor is 1 to machine
    precision leave the loop, so the cost follows the typical number of terms (a dozen or
    two), not the slowest value's."""
    kf, zf = k[where], z[where]
    f = zf + kf
    c, dd = f.copy(), np.zeros_like(f)
    for i in range(1, 60):
        a = -i * (kf + i - 1.0)
        b = zf + kf + 2.0 * i
        dd = 1.0 / (b + a * dd)
        c = b + a / c
        change = c * dd
        f = f * change
        if i % 8 == 0:
            done = np.abs(change - 1.0) < 1e-16
            if done.any():
                out[where[done]] = -np.log(f[done])
                going = ~done
                where, kf, zf, f, c, dd = where[going], kf[going], zf[going], f[going], c[going], dd[going]
                if not len(where):
                    return
    out[where] = -np.log(f)


def _log_tail_one(k: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log I(k, z), I(k, z) = integral_0^inf e^(-z y) (1 + y)^-k dy = U(1, 2 - k, z)
    = e^z z^(k - 1) Gamma(1 - k, z) (DLMF 13.4.4, 8.2.2).

    For k >= 10, the continued fraction of the upper incomplete gamma function (DLMF 8.9.2;
    modified Lentz, 60 terms: 1e-11 or better there); below, scipy's ``hyperu``, which is
    accurate for small k (and loses all accuracy for large k and small z).
    """
    sp = _special()
    k, z = np.broadcast_arrays(np.asarray(k, dtype=np.float64), np.asarray(z, dtype=np.float64))
    shape = k.shape
    k, z = k.ravel(), z.ravel()
    out = np.empty(k.shape)
    fraction = k >= 10.0
    chosen = np.flatnonzero(fraction)
    # in blocks that stay in the processor's cache (the loop makes ~60 passes over them)
    for block in range(0, len(chosen), _TAIL_BLOCK):
        _continued_fraction(k, z, chosen[block:block + _TAIL_BLOCK], out)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~fraction] = np.log(sp.hyperu(1.0, 2.0 - k[~fraction], z[~fraction]))
    return out.reshape(shape)


def _log_tail(k: np.ndarray, z: np.ndarray, order: int) -> tuple[np.ndarray, ...]:
    """log I(k, z) (:func:`_log_tail_one`) with its derivatives up to ``order`` (0 or 2):
    L, L_k, L_z, L_kk, L_kz, L_zz, and the ratios I(k - 1, z) / I(k, z), I(k - 2, z) / I(k, z).
    The z-derivatives are exact, from dI/dz = I(k, z) - I(k - 1, z) and
    d2I/dz2 = I(k - 2, z) - 2 I(k - 1, z) + I(k, z); the k-derivatives are central differences
    (relative step 1e-4). The seven shifted evaluations run as one call on stacked arrays."""
    if order == 0:
        return (_log_tail_one(k, z),)
    step = 1e-4 * np.maximum(k, 1.0)
    shifts = np.stack([k, k - 1.0, k - 2.0, k + step, k - step, k + step - 1.0, k - step - 1.0])
    value, minus_one, minus_two, up, down, up_one, down_one = _log_tail_one(
        shifts, np.broadcast_to(z, shifts.shape))
    one = np.exp(minus_one - value)
    two = np.exp(minus_two - value)
    l_z = 1.0 - one
    l_zz = two - 2.0 * one + 1.0 - l_z**2
    l_z_up = 1.0 - np.exp(up_one - up)
    l_z_down = 1.0 - np.exp(down_one - down)
    return (value, (up - down) / (2 * step), l_z, (up - 2 * value + down) / step**2,
            (l_z_up - l_z_down) / (2 * step), l_zz, one, two)


def _limit_h(phi: np.ndarray, x: np.ndarray, t: np.ndarray,
             order: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """h(x, t) = log integral_t^inf mu e^(-mu u) (alpha + u)^-k du = log[mu e^(-mu t) c^(1 - k)
    I(k, mu c)] with c = alpha + t, k = r + x, per distinct pair; for ``order`` 2 also its
    gradient (P, 3) and Hessian (P, 3, 3) in (r, alpha, mu), and the derivative in kappa = 1 / s
    at kappa = 0 of the integral over the integral: E[(mu u)^2 / 2 - mu u] under the integrand
    on (t, inf) (the survival (1 + kappa mu u)^(-1/kappa) has log-derivative (mu u)^2 / 2 in
    kappa at 0, the density (mu u)^2 / 2 - mu u; kappa is the squared coefficient of variation
    of the dropout rates)."""
    r, alpha, mu = phi
    k = r + x
    c = alpha + t
    parts = _log_tail(k, mu * c, order)
    value = np.log(mu) - mu * t + (1.0 - k) * np.log(c) + parts[0]
    if order == 0:
        return value, None, None, None
    _, l_k, l_z, l_kk, l_kz, l_zz, one, two = parts
    grad = np.stack([-np.log(c) + l_k, (1.0 - k) / c + l_z * mu, 1.0 / mu - t + l_z * c], axis=1)
    hess = np.empty((len(x), 3, 3))
    hess[:, 0, 0] = l_kk
    hess[:, 0, 1] = hess[:, 1, 0] = -1.0 / c + l_kz * mu
    hess[:, 0, 2] = hess[:, 2, 0] = l_kz * c
    hess[:, 1, 1] = -(1.0 - k) / c**2 + l_zz * mu**2
    hess[:, 1, 2] = hess[:, 2, 1] = l_z + l_zz * mu * c
    hess[:, 2, 2] = -1.0 / mu**2 + l_zz * c**2
    first = c * one - alpha  # E[u]: E[alpha + u] = c I(k - 1) / I(k)
    second = c**2 * two - 2.0 * alpha * c * one + alpha**2  # E[u^2]
    return value, grad, hess, mu**2 / 2.0 * second - mu * first


def pareto_limit_derivatives(phi: np.ndarray, d: Triples, order: int = 2) -> tuple[float, np.ndarray | None,
                                                                                 np.ndarray | None, float]:
    """The Pareto/NBD log-likelihood in the limit s, beta -> inf (every customer's dropout rate
    is mu), with its gradient and Hessian in (r, alpha, mu) for ``order`` 2, and its slope in
    kappa = 1 / s at kappa = 0 (``order`` 2 only; NaN otherwise): negative when the limit is a
    maximum of the Pareto/NBD likelihood over kappa >= 0.

    Per customer (Fader & Hardie 2005 eq. 18 with the dropout rate fixed at mu):
    L = Gamma(r + x) / Gamma(r) alpha^r [(alpha + T)^-(r + x) e^(-mu T)
    + integral_t_x^T mu e^(-mu u) (alpha + u)^-(r + x) du].
    """
    sp = _special()
    r, alpha, mu = phi
    x = d.x_values
    ix = d.x_index
    c = d.count
    inv_tx, inv_T = d.recency_pairs[2], d.age_pairs[2]
    (h_tx, g_tx, c_tx, m_tx), (h_T, g_T, c_T, m_T) = _on_both_pairs(
        lambda x, t: _limit_h(phi, x, t, order), d)
    const = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    rx = (r + x)[ix]
    log_aT = np.log(alpha + d.T_values)[d.T_index]
    alive = -rx * log_aT - mu * d.T
    gap = np.minimum(h_T[inv_T] - h_tx[inv_tx], 0.0)
    with np.errstate(divide="ignore"):
        died = h_tx[inv_tx] + np.log(-np.expm1(gap))
    both = np.logaddexp(alive, died)
    value = _dot(c, const[ix] + both)
    if order == 0:
        return value, None, None, float("nan")
    assert g_tx is not None and g_T is not None and c_tx is not None and c_T is not None
    w_died = np.exp(died - both)
    with np.errstate(divide="ignore", over="ignore"):
        rho = np.where(w_died > 0, 1.0 / np.expm1(-gap), 0.0)  # e^g / (1 - e^g)
    d_gap = g_T[inv_T] - g_tx[inv_tx]
    died_grad = g_tx[inv_tx] - rho[:, None] * d_gap
    inv_aT = (1.0 / (alpha + d.T_values))[d.T_index]
    alive_grad = np.stack([-log_aT, -rx * inv_aT, -d.T], axis=1)
    per_x = np.bincount(ix, weights=c, minlength=len(x))
    c_died = c * w_died
    c_alive = c - c_died
    const_grad = np.array([_dot(per_x, sp.digamma(r + x) - sp.digamma(r) + np.log(alpha)),
                           r / alpha * c.sum(), 0.0])
    gradient = const_grad + c_alive @ alive_grad + c_died @ died_grad
    total = c.sum()
    curv = np.zeros((3, 3))
    curv[0, 0] = _dot(per_x, sp.polygamma(1, r + x) - sp.polygamma(1, r))
    curv[0, 1] = curv[1, 0] = total / alpha - _dot(c_alive, inv_aT)
    curv[1, 1] = -r / alpha**2 * total + _dot(c_alive, rx * inv_aT**2)
    weight_tx = np.bincount(inv_tx, weights=c_died * (1.0 + rho), minlength=len(h_tx))
    weight_T = np.bincount(inv_T, weights=c_died * rho, minlength=len(h_T))
    curv += np.tensordot(weight_tx, c_tx, axes=1) - np.tensordot(weight_T, c_T, axes=1)
    curv -= (d_gap * (c_died * rho * (1.0 + rho))[:, None]).T @ d_gap
    spread = alive_grad - died_grad
    curv += (spread * (c_alive * w_died)[:, None]).T @ spread
    # slope in kappa: the alive term's (mu T)^2 / 2, the died term's tail moments combined
    assert m_tx is not None and m_T is not None
    with np.errstate(invalid="ignore"):
        died_slope = np.where(w_died > 0, (1.0 + rho) * m_tx[inv_tx] - rho * m_T[inv_T], 0.0)
    slope = _dot(c_alive, (mu * d.T) ** 2 / 2.0) + _dot(c_died, died_slope)
    return value, gradient, (curv + curv.T) / 2.0, slope


def _pareto_from_limit(params: np.ndarray, d: Triples,
                       hessian: bool) -> tuple[float, np.ndarray, np.ndarray | None]:
    """:func:`pareto_derivatives` for s >= :data:`LIMIT_SHAPE`: the limit's derivatives in
    (r, alpha, mu) carried to (r, alpha, s, beta) through mu = s / beta, with the slope in
    kappa = 1 / s for the rest (flat along the ridge to order 1 / s^2)."""
    r, alpha, s, beta = params
    value, g, h, slope = pareto_limit_derivatives(np.array([r, alpha, s / beta]), d)
    assert g is not None and h is not None
    return pareto_derivatives_from_limit(params, value, g, h, slope, hessian)


def pareto_derivatives_from_limit(
    params: np.ndarray, value: float, g: np.ndarray, h: np.ndarray, slope: float, hessian: bool = True,
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """The Pareto/NBD derivatives at ``params`` (s >= :data:`LIMIT_SHAPE`) from the limit's value,
    gradient, Hessian and slope (:func:`pareto_limit_derivatives`) at mu = s / beta: for a
    point whose limit derivatives are already known (the end of a limit fit)."""
    s, beta = params[2], params[3]
    jac = np.zeros((3, 4))  # d(r, alpha, mu) / d(r, alpha, s, beta)
    jac[0, 0] = jac[1, 1] = 1.0
    jac[2, 2], jac[2, 3] = 1.0 / beta, -s / beta**2
    gradient = g @ jac
    gradient[2] -= slope / s**2
    if not hessian:
        return value, gradient, None
    curvature = jac.T @ h @ jac
    curvature[2, 3] -= g[2] / beta**2
    curvature[3, 2] -= g[2] / beta**2
    curvature[3, 3] += g[2] * 2.0 * s / beta**3
    return value, gradient, curvature


def pareto_limit_loglik(phi: np.ndarray, d: Triples) -> np.ndarray:
    """Log-likelihood of each triple in the limit s, beta -> inf (:func:`pareto_limit_derivatives`)."""
    const, alive, died = _pareto_limit_parts(phi, d)
    return const + np.logaddexp(alive, died)


def _pareto_limit_parts(phi: np.ndarray, d: Triples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per triple in the limit s, beta -> inf: the constant, the "alive at T" term and the
    "died in (t_x, T]" term (logs), as :func:`pareto_parts` gives them for finite s."""
    sp = _special()
    r, alpha, mu = phi
    inv_tx, inv_T = d.recency_pairs[2], d.age_pairs[2]
    (h_tx, *_), (h_T, *_) = _on_both_pairs(lambda x, t: _limit_h(phi, x, t, 0), d)
    h_tx, h_T = h_tx[inv_tx], h_T[inv_T]
    const = sp.gammaln(r + d.x) - sp.gammaln(r) + r * np.log(alpha)
    alive = -(r + d.x) * np.log(alpha + d.T) - mu * d.T
    with np.errstate(divide="ignore"):
        died = h_tx + np.log(-np.expm1(np.minimum(h_T - h_tx, 0.0)))
    return const, alive, died


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


def gamma_gamma_derivatives(params: np.ndarray, x: np.ndarray, m: np.ndarray, count: np.ndarray,
                            hessian: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Gradient and (optionally) Hessian of the count-weighted total log-likelihood in (p, q, gamma)."""
    sp = _special()
    p, q, g = params
    px = p * x
    psi = sp.digamma(px + q)
    spend = np.log(g + m * x)
    d_p = x * (psi - sp.digamma(px) + np.log(m) + np.log(x) - spend)
    d_q = psi - sp.digamma(q) + np.log(g) - spend
    d_g = q / g - (px + q) / (g + m * x)
    gradient = np.array([_dot(count, d_p), _dot(count, d_q), _dot(count, d_g)])
    if not hessian:
        return gradient, None
    tri = sp.polygamma(1, px + q)
    inv = 1.0 / (g + m * x)
    h_pq = _dot(count, x * tri)
    h_pg = -_dot(count, x * inv)
    h_qg = _dot(count, 1.0 / g - inv)
    curvature = np.array([
        [_dot(count, x**2 * (tri - sp.polygamma(1, px))), h_pq, h_pg],
        [h_pq, _dot(count, tri - sp.polygamma(1, q)), h_qg],
        [h_pg, h_qg, _dot(count, -q / g**2 + (px + q) * inv**2)],
    ])
    return gradient, curvature


def gamma_gamma_expected(params: np.ndarray, x: Any, m: Any) -> Any:
    """E[spend | x, m] = (gamma + m x) p / (p x + q - 1) (FHL 2005b, eq. 5).

    ``x`` and ``m`` are arrays, or column expressions of a lazy engine: the formula is plain
    arithmetic, so the same code evaluates it there.
    """
    p, q, g = params
    return (g + m * x) * p / (p * x + q - 1.0)
