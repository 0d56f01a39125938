"""Pareto/NBD at its boundary (s, beta -> inf: one dropout rate for everybody): the limit
likelihood against independent numbers, and fits that reach the supremum and say so."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.integrate
import scipy.optimize
import scipy.special as sp

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.clv import _likelihood, _models

from . import clv_simulate


def pareto_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> float:
    """Pareto/NBD log-likelihood from Fader & Hardie (2005) eq. 18-20 with scipy's hyp2f1,
    written independently of the library. Their 2F1(r+s+x, b; r+s+x+1; z) is taken through
    Euler's transformation, (1 - z)^(1 - b) 2F1(1, r+s+x+1-b; r+s+x+1; z), in logs, so it does
    not overflow for large x."""
    r, alpha, s, beta = params
    top = r + s + x
    low, high, b = (alpha, beta, s + 1) if alpha >= beta else (beta, alpha, r + x)

    def log_term(t: np.ndarray) -> np.ndarray:
        z = (low - high) / (low + t)
        return (np.log(sp.hyp2f1(1.0, top + 1 - b, top + 1, z)) + (1 - b) * np.log1p(-z)
                - top * np.log(low + t))

    with np.errstate(all="ignore"):
        head = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        first, second = log_term(t_x), log_term(big_t)
        died = np.log(s / top) + first + np.log(-np.expm1(np.minimum(second - first, 0.0)))
        return float(np.sum(head + np.logaddexp(alive, died)))


def limit_loglik_by_quadrature(phi: np.ndarray, x: float, t_x: float, big_t: float) -> float:
    """One customer's likelihood when every dropout rate is mu: the Poisson-gamma purchases
    integrated over lambda in closed form, the lifetime over (t_x, T] by adaptive quadrature."""
    r, alpha, mu = phi
    k = r + x
    head = sp.gammaln(k) - sp.gammaln(r) + r * np.log(alpha)
    scale = -k * np.log(alpha + t_x) - mu * t_x  # the integrand's largest value, at u = t_x
    alive = np.exp(-k * np.log(alpha + big_t) - mu * big_t - scale)
    died = scipy.integrate.quad(lambda u: mu * np.exp(-k * np.log(alpha + u) - mu * u - scale),
                                t_x, big_t, epsabs=0, epsrel=1e-12, limit=200)[0]
    return float(head + scale + np.log(alive + died))


def pareto_loglik_by_quadrature(params: np.ndarray, x: float, t_x: float, big_t: float) -> float:
    """One customer's Pareto/NBD log-likelihood at any s: lambda integrated out in closed form,
    the Lomax lifetime density s beta^s (beta + u)^-(s + 1) over (t_x, T] by quadrature."""
    r, alpha, s, beta = params
    k = r + x

    def log_integrand(u: float) -> float:
        return -k * np.log(alpha + u) + np.log(s / beta) - (s + 1) * np.log1p(u / beta)

    head = sp.gammaln(k) - sp.gammaln(r) + r * np.log(alpha)
    scale = log_integrand(t_x)
    alive = np.exp(-k * np.log(alpha + big_t) - s * np.log1p(big_t / beta) - scale)
    edges = np.geomspace(1.0, (alpha + big_t) / (alpha + t_x), 20) * (alpha + t_x) - alpha
    edges[0], edges[-1] = t_x, big_t
    died = sum(scipy.integrate.quad(lambda u: np.exp(log_integrand(u) - scale), lo, hi, epsabs=0,
                                    epsrel=1e-12)[0] for lo, hi in itertools.pairwise(edges))
    return float(head + scale + np.log(alive + died))


@pytest.fixture(scope="module")
def grocery() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return clv_simulate.grocery()


def _summary(fitted) -> tuple:
    """The summary indexed by parameter, with the names of its standard-error and upper-bound
    columns (``se``/``ci_high`` under the project's contract, ``std_error``/``upper`` before)."""
    table = fitted.summary().set_index("parameter")
    se = "se" if "se" in table.columns else "std_error"
    high = "ci_high" if "ci_high" in table.columns else "upper"
    return table, se, high


def _triples(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> _likelihood.Triples:
    return _models._distinct(x, t_x, big_t, np.ones(len(x)))[0]


def test_limit_likelihood_matches_quadrature() -> None:
    x, t_x, big_t = clv_simulate.betageo(60, 0.6, 8.0, 0.5, 6.0, T_low=20.0, T_high=60.0, seed=11)
    for phi in (np.array([0.6, 8.0, 0.02]), np.array([2.5, 2.0, 8e-4]), np.array([0.3, 40.0, 0.3])):
        got = _likelihood.pareto_limit_loglik(phi, _triples(x, t_x, big_t))
        d = _triples(x, t_x, big_t)
        expected = [limit_loglik_by_quadrature(phi, a, b, c) for a, b, c in zip(d.x, d.t_x, d.T, strict=True)]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_limit_is_the_pareto_likelihood_at_large_s_and_its_slope(grocery) -> None:
    # As s -> inf with s / beta = mu, the Pareto/NBD log-likelihood (by quadrature, written in the
    # test) approaches the limit like limit + slope / s, slope being the derivative in 1 / s.
    x, t_x, big_t = grocery
    d = _triples(x, t_x, big_t)
    phi = np.array([2.5, 2.0, 8e-4])
    value, gradient, hessian, slope = _likelihood.pareto_limit_derivatives(phi, d)
    at = {s: float(d.count @ [pareto_loglik_by_quadrature(np.array([2.5, 2.0, s, s / 8e-4]), a, b, c)
                              for a, b, c in zip(d.x, d.t_x, d.T, strict=True)]) for s in (50.0, 100.0)}
    # Richardson: s * (LL(s) - limit) -> slope; the two values bracket it to O(1 / s)
    estimates = {s: s * (ll - value) for s, ll in at.items()}
    assert estimates[100.0] == pytest.approx(slope, rel=0.01)
    assert 2 * estimates[100.0] - estimates[50.0] == pytest.approx(slope, rel=1e-3)
    # gradient and Hessian against central differences of the value
    def total(p: np.ndarray) -> float:
        return _likelihood.pareto_limit_derivatives(p, d, order=0)[0]

    steps = 1e-4 * phi
    numeric = [(total(phi + np.eye(3)[i] * steps[i]) - total(phi - np.eye(3)[i] * steps[i])) / (2 * steps[i])
               for i in range(3)]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5)
    assert gradient is not None and hessian is not None
    second = np.array([(_likelihood.pareto_limit_derivatives(phi + np.eye(3)[i] * steps[i], d)[1]
                        - _likelihood.pareto_limit_derivatives(phi - np.eye(3)[i] * steps[i], d)[1])
                       / (2 * steps[i]) for i in range(3)])
    np.testing.assert_allclose(hessian, second, rtol=1e-5, atol=1e-6 * np.abs(hessian).max())


def _fit_quietly(model: type, *, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray):
    """Fit on a summary frame (the one positional argument), recording identification warnings."""
    data = pd.DataFrame({"frequency": frequency, "recency": recency, "T": T})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model().fit(data)
    return fitted, [w for w in caught if issubclass(w.category, errors.NotIdentifiedWarning)]


def brute_force(loglik, starts: list[np.ndarray], evaluations: int = 1500) -> float:
    """Best log-likelihood of Nelder-Mead runs on the log parameters from several starts."""
    best = -np.inf
    for start in starts:
        def objective(u: np.ndarray) -> float:
            if np.abs(u).max() > 12:
                return 1e300
            value = loglik(np.exp(u))
            return -value if np.isfinite(value) else 1e300

        result = scipy.optimize.minimize(objective, np.log(start), method="Nelder-Mead",
                                         options={"xatol": 1e-8, "fatol": 1e-8, "maxfev": evaluations})
        best = max(best, -result.fun)
    return best


@pytest.mark.parametrize("seed", [7, 5])
def test_grocery_pareto_reaches_the_supremum_and_says_so(seed: int) -> None:
    x, t_x, big_t = clv_simulate.grocery(seed=seed)
    fitted, caught = _fit_quietly(cx.ParetoNBD, frequency=x, recency=t_x, T=big_t)
    ours = fitted.log_likelihood_
    assert ours == pytest.approx(fitted._total_loglik(fitted._theta), rel=1e-12)
    if seed == 7:  # at least the best of a multi-start search (slow: hyp2f1 at large s)
        starts = [np.array([1.0, 1.0, 1.0, 1000.0]), np.array([2.0, 2.0, 10.0, 1e4])]
        best = brute_force(lambda p: pareto_loglik(p, x, t_x, big_t), starts, evaluations=500)
        assert ours >= best - 1e-6 * abs(best)
    # the limit is the supremum: any finite s along the ridge is lower
    r, alpha, s, beta = fitted._theta
    finite = pareto_loglik(np.array([r, alpha, 30.0, 30.0 * beta / s]), x, t_x, big_t)
    assert ours > finite
    table, se, high = _summary(fitted)
    assert not table[se].isna().any()
    assert not table.loc[["s", "beta"], "identified"].any()
    assert np.isinf(table.loc[["s", "beta"], se]).all()
    assert np.isinf(table.loc[["s", "beta"], high]).all()
    assert table.loc[["r", "alpha"], "identified"].all()
    assert np.isfinite(table.loc[["r", "alpha"], se]).all()
    assert any("s and beta not identified" in str(w.message) for w in caught)
    # predictions are those of the limit: finite, in range
    d = _triples(x, t_x, big_t)
    alive = fitted._p_alive(fitted._theta, d)
    assert ((alive >= 0) & (alive <= 1)).all()
    expected = fitted._expected(fitted._theta, 10.0, d)
    assert np.isfinite(expected).all() and (expected > 0).all()
    # delta-method intervals at the limit (finite differences around s stay on its side)
    options = _models.IntervalOptions.make(0.95, "delta", 200, 0)
    estimate, low, high = fitted._with_interval(lambda p: fitted._expected(p, 10.0, d), options, "positive")
    assert np.isfinite(low).all() and np.isfinite(high).all()
    assert (low < estimate).all() and (estimate < high).all()


def test_grocery_pareto_at_least_lifetimes(grocery) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    x, t_x, big_t = grocery
    fitted, _ = _fit_quietly(cx.ParetoNBD, frequency=x, recency=t_x, T=big_t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.ParetoNBDFitter().fit(x, t_x, big_t).params_.to_dict()
    their_ll = pareto_loglik(np.array([theirs[k] for k in ("r", "alpha", "s", "beta")]), x, t_x, big_t)
    assert fitted.log_likelihood_ >= their_ll - 1e-6 * abs(their_ll)


def test_interior_pareto_fit_is_unchanged_by_the_ridge_check() -> None:
    # heterogeneous dropout (s = 0.7): an interior maximum, found without the limit
    x, t_x, big_t = clv_simulate.pareto(3000, 0.5, 10.0, 0.7, 12.0, T_low=30.0, T_high=60.0, seed=4)
    fitted, caught = _fit_quietly(cx.ParetoNBD, frequency=x, recency=t_x, T=big_t)
    assert not caught
    assert fitted.parameters["s"] < 10
    best = brute_force(lambda p: pareto_loglik(p, x, t_x, big_t), [np.array([0.5, 10.0, 0.7, 12.0])])
    assert fitted.log_likelihood_ >= best - 1e-6 * abs(best)


def test_bootstrap_from_the_limit_stays_at_the_limit(grocery) -> None:
    x, t_x, big_t = grocery
    fitted, _ = _fit_quietly(cx.ParetoNBD, frequency=x, recency=t_x, T=big_t)
    replicates = fitted._bootstrap(3, 0)
    assert replicates.shape == (3, 4)
    mu = replicates[:, 2] / replicates[:, 3]
    reference = fitted.parameters["s"] / fitted.parameters["beta"]
    assert np.all(np.abs(np.log(mu / reference)) < 0.5)
    assert np.isfinite(replicates).all()


def betageo_limit_loglik(phi: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, k: int) -> float:
    """BG/NBD (k=0) or MBG/NBD (k=1) with a, b -> inf, a / (a + b) = p: every customer drops out
    with probability p at each of its x + k chances (FHL 2005a eq. 6 with the beta ratios at
    their limits (1 - p)^n and p (1 - p)^(n - 1)); written here independently."""
    r, alpha, p = phi
    n = x + k
    head = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    alive = n * np.log1p(-p) - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore"):
        dead = np.where(n >= 1, np.log(p) + (np.maximum(n, 1) - 1) * np.log1p(-p)
                        - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(head + np.logaddexp(alive, dead)))


@pytest.mark.parametrize(("model", "k", "seed"), [(cx.ModifiedBetaGeo, 1, 5), (cx.BetaGeo, 0, 7)])
def test_betageo_interior_maximum_beats_the_common_dropout_limit(model: type, k: int, seed: int) -> None:
    # On these panels the profile in a + b is flat to within z^2 / 2 but peaks at finite a, b:
    # the limit (a, b -> inf, maximised by Nelder-Mead here) is lower, so the estimates stand
    # and only their interval is unbounded above.
    x, t_x, big_t = clv_simulate.grocery(seed=seed)
    fitted, caught = _fit_quietly(model, frequency=x, recency=t_x, T=big_t)

    def negative(u: np.ndarray) -> float:
        return -betageo_limit_loglik(np.array([np.exp(u[0]), np.exp(u[1]), 1 / (1 + np.exp(-u[2]))]),
                                     x, t_x, big_t, k)

    result = scipy.optimize.minimize(negative, np.array([np.log(2.5), np.log(2.0), np.log(1e-3)]),
                                     method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-10,
                                                                    "maxfev": 4000})
    limit = -result.fun
    assert fitted.log_likelihood_ > limit
    assert fitted.log_likelihood_ - limit < 1.959964**2 / 2  # within the interval's reach
    table, _, high = _summary(fitted)
    assert table.loc[["a", "b"], "identified"].all()
    assert np.isinf(table.loc[["a", "b"], high]).all()
    assert any("a and b" in str(w.message) and "unbounded above" in str(w.message) for w in caught)
