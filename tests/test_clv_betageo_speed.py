"""The fast BG/NBD and MBG/NBD paths: the likelihood's derivatives and its limits against an
independent formula and finite differences, the distinct-triple factorisation against the
rows it collapses, and the identification check that no longer trusts the quadratic
approximation along the dropout ridges."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import scipy.optimize
import scipy.special as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.clv import _likelihood, _models

from . import clv_simulate

Z95 = 1.959963984540054


def family_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, k: int) -> float:
    """BG/NBD (k=0) or MBG/NBD (k=1) total log-likelihood from FHL (2005a) eq. 6 and
    Batislam et al. (2007), written independently of the library. The beta-function ratios
    are products over whole n, B(a, b + n) / B(a, b) = prod_{j < n} (b + j) / (a + b + j), summed
    in logs (no cancellation of log-beta functions at large b)."""
    r, alpha, a, b = params
    n = (x + k).astype(np.int64)
    steps = np.arange(n.max() + 1)
    # log B(a, b + j) / B(a, b) for j = 0..max n
    survive = np.concatenate([[0.0], np.cumsum(np.log1p(-a / (a + b + steps[:-1])))])
    head = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    alive = survive[n] - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore"):
        # B(a + 1, b + n - 1) / B(a, b) = a / (a + b + n - 1) * B(a, b + n - 1) / B(a, b)
        last = np.maximum(n - 1, 0)
        dead = np.where(n > 0, np.log(a) - np.log(a + b + last) + survive[last]
                        - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(head + np.logaddexp(alive, dead)))


def limit_loglik(phi: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, k: int) -> float:
    """The same with a, b -> inf, a / (a + b) = p: the beta ratios become (1 - p)^n and
    p (1 - p)^(n - 1); p = 0 (phi of length 2) is the NBD."""
    r, alpha = phi[0], phi[1]
    p = phi[2] if len(phi) == 3 else 0.0
    n = x + k
    head = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(alpha)
    alive = n * np.log1p(-p) - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore"):
        dead = np.where((n > 0) & (p > 0), np.log(p) + (np.maximum(n, 1) - 1) * np.log1p(-p)
                        - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(head + np.logaddexp(alive, dead)))


def central(function, point: np.ndarray, relative: float = 1e-5) -> np.ndarray:
    """Central differences of a scalar or vector function, one column per coordinate."""
    steps = relative * np.abs(point)
    return np.stack([(np.asarray(function(point + np.eye(len(point))[i] * steps[i]))
                      - np.asarray(function(point - np.eye(len(point))[i] * steps[i]))) / (2 * steps[i])
                     for i in range(len(point))], axis=-1)


def _triples(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> _likelihood.Triples:
    return _models._distinct(x, t_x, big_t, np.ones(len(x)))[0]


PANELS = {
    # heterogeneous dropout, daily times, many zero-repeat customers
    "cdnow-like": (clv_simulate.betageo(1500, 0.25, 30.0, 0.8, 2.5, T_low=30.0, T_high=366.0, seed=3,
                                        step=1.0),
                   [np.array([0.25, 30.0, 0.8, 2.5]), np.array([1.0, 200.0, 1.0, 1.0])]),
    # a grocery panel: about 60 baskets each, almost no dropout (large b)
    "grocery": (clv_simulate.grocery(1500, seed=3),
                [np.array([2.5, 2.0, 0.6, 900.0]), np.array([2.5, 2.0, 12.0, 17000.0])]),
}


@pytest.mark.parametrize("k", [0, 1])
@pytest.mark.parametrize("panel", sorted(PANELS))
def test_derivatives_match_the_formula_and_finite_differences(panel: str, k: int) -> None:
    (x, t_x, big_t), points = PANELS[panel]
    d = _triples(x, t_x, big_t)
    for params in points:
        value, gradient, hessian = _likelihood.betageo_derivatives(params, d, k, hessian=True)
        assert hessian is not None
        expected = family_loglik(params, x, t_x, big_t, k)
        assert value == pytest.approx(expected, rel=1e-12)
        assert _likelihood.betageo_total(params, d, k) == pytest.approx(expected, rel=1e-12)
        # scaled to the log parameters, where all four are of one size
        numeric = central(lambda p: family_loglik(p, x, t_x, big_t, k), params) * params
        np.testing.assert_allclose(gradient * params, numeric, rtol=1e-5, atol=1e-6 * abs(expected) / len(x))
        second = central(lambda p: _likelihood.betageo_derivatives(p, d, k)[1], params, relative=1e-4)
        scale = np.outer(params, params)
        np.testing.assert_allclose(hessian * scale, second * scale, rtol=1e-5,
                                   atol=1e-7 * np.abs(hessian * scale).max())
        np.testing.assert_allclose(hessian, hessian.T)


@pytest.mark.parametrize("k", [0, 1])
def test_limit_derivatives_match_the_formula_and_finite_differences(k: int) -> None:
    (x, t_x, big_t), _ = PANELS["grocery"]
    d = _triples(x, t_x, big_t)
    for phi in (np.array([2.5, 2.0, 7e-4]), np.array([0.6, 8.0, 0.3]), np.array([2.5, 2.0])):
        value, gradient, hessian = _likelihood.betageo_limit(phi, d, k, hessian=True)
        assert hessian is not None and hessian.shape == (len(phi), len(phi))
        assert value == pytest.approx(limit_loglik(phi, x, t_x, big_t, k), rel=1e-12)
        numeric = central(lambda p: limit_loglik(p, x, t_x, big_t, k), phi)
        np.testing.assert_allclose(gradient * phi, numeric * phi, rtol=1e-5, atol=1e-6 * abs(value) / len(x))
        second = central(lambda p: _likelihood.betageo_limit(p, d, k)[1], phi)
        np.testing.assert_allclose(hessian, second, rtol=1e-5, atol=1e-7 * np.abs(hessian).max())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9), st.integers(0, 9), st.booleans()),
                min_size=1, max_size=60),
       st.sampled_from([1.0, 1 / 7, 0.1]))
def test_distinct_triples_rebuild_the_rows(rows: list[tuple[int, int, int, bool]], unit: float) -> None:
    x = np.array([r[0] for r in rows], dtype=float)
    big_t = np.array([max(r[1], r[2]) for r in rows], dtype=float) * unit
    t_x = np.where(x > 0, np.array([min(r[1], r[2]) for r in rows], dtype=float) * unit, 0.0)
    weight = np.array([2.0 if r[3] else 1.0 for r in rows])
    d, inverse = _models._distinct(x, t_x, big_t, weight)
    np.testing.assert_array_equal(d.x[inverse], x)
    np.testing.assert_array_equal(d.t_x[inverse], t_x)
    np.testing.assert_array_equal(d.T[inverse], big_t)
    assert len(set(zip(d.x.tolist(), d.t_x.tolist(), d.T.tolist(), strict=True))) == len(d.x)  # distinct
    expected = {}
    for key, w in zip(zip(x.tolist(), t_x.tolist(), big_t.tolist(), strict=True), weight, strict=True):
        expected[key] = expected.get(key, 0.0) + w
    keys = zip(d.x.tolist(), d.t_x.tolist(), d.T.tolist(), strict=True)
    got = dict(zip(keys, d.count.tolist(), strict=True))
    assert got == expected
    np.testing.assert_array_equal(d.x_values[d.x_index], d.x)
    np.testing.assert_array_equal(d.t_x_values[d.t_x_index], d.t_x)
    np.testing.assert_array_equal(d.T_values[d.T_index], d.T)
    np.testing.assert_array_equal(d.x_counts, [d.count[d.x == v].sum() for v in d.x_values])
    per_T, purchases_T = d.age_sums
    np.testing.assert_array_equal(per_T, [d.count[v == d.T].sum() for v in d.T_values])
    np.testing.assert_array_equal(purchases_T, [(d.count * d.x)[v == d.T].sum() for v in d.T_values])


def test_factorize_direct_and_hashed_paths_agree() -> None:
    rng = np.random.default_rng(0)
    for values in (rng.integers(0, 50, 500), rng.integers(0, 4_000, 300), rng.uniform(0, 5, 400).round(2)):
        distinct, index = _likelihood.factorize(values, span=16)
        expected_distinct, expected_index = np.unique(values, return_inverse=True)
        np.testing.assert_array_equal(distinct, expected_distinct)
        np.testing.assert_array_equal(index, expected_index)


@pytest.mark.parametrize(("model", "k"), [(cx.BetaGeo, 0), (cx.ModifiedBetaGeo, 1)])
def test_interval_unbounded_where_the_limit_is_within_reach(model: type, k: int) -> None:
    # 20,000 grocery households: the relative standard errors of a and b are about 1 to 2 (below
    # the spread that used to trigger the ridge checks), yet the common-dropout limit comes
    # within z^2 / 2 of the maximum, so the profile interval of a and b is unbounded above.
    x, t_x, big_t = clv_simulate.grocery(20000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model().fit(frequency=x, recency=t_x, T=big_t)
    ours = fitted.log_likelihood_
    assert ours == pytest.approx(family_loglik(fitted._theta, x, t_x, big_t, k), rel=1e-12)
    # any value of the limit bounds its supremum from below; a short search from the fit is enough
    limit = _common_dropout_limit(fitted._theta, _triples(x, t_x, big_t), k, maxfev=300, xatol=1e-8,
                                  fatol=1e-6)
    assert ours > limit > ours - Z95**2 / 2
    table = fitted.summary().set_index("parameter")
    assert table.loc[["a", "b"], "identified"].all()
    assert np.isinf(table.loc[["a", "b"], "ci_high"]).all()
    assert np.isfinite(table.loc[["r", "alpha"], "ci_high"]).all()
    assert any("a and b" in str(w.message) and "unbounded above" in str(w.message)
               for w in caught if issubclass(w.category, errors.NotIdentifiedWarning))


def _limit_rows(phi: np.ndarray, d: _likelihood.Triples, k: int) -> np.ndarray:
    """Per distinct triple, the independent limit formula of :func:`limit_loglik`."""
    r, alpha, p = phi
    n = d.x + k
    head = sp.gammaln(r + d.x) - sp.gammaln(r) + r * np.log(alpha)
    alive = n * np.log1p(-p) - (r + d.x) * np.log(alpha + d.T)
    with np.errstate(divide="ignore"):
        dead = np.where(n > 0, np.log(p) + (np.maximum(n, 1) - 1) * np.log1p(-p)
                        - (r + d.x) * np.log(alpha + d.t_x), -np.inf)
    return head + np.logaddexp(alive, dead)


def _common_dropout_limit(theta: np.ndarray, d: Any, k: int, **options: float) -> float:
    """The common-dropout limit's log-likelihood maximised by Nelder-Mead from the fit's r,
    alpha and a / (a + b) (an independent search: no derivatives, no shared code)."""
    r, alpha, a, b = theta

    def negative(u: np.ndarray) -> float:
        phi = np.array([np.exp(u[0]), np.exp(u[1]), 1 / (1 + np.exp(-u[2]))])
        return -float(d.count @ _limit_rows(phi, d, k))

    result = scipy.optimize.minimize(negative, np.array([np.log(r), np.log(alpha), np.log(a / b)]),
                                     method="Nelder-Mead", options=options)
    return float(-result.fun)


@pytest.mark.parametrize("model", [cx.BetaGeo, cx.ModifiedBetaGeo])
def test_grocery_fit_at_least_every_start(model: type) -> None:
    # The fit's own start (a grid over the mean dropout probability) against restarts from
    # points spread over a + b, each polished by Newton: the fit is at least the best of them.
    x, t_x, big_t = clv_simulate.grocery(20000, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.NotIdentifiedWarning)
        ours = model().fit(frequency=x, recency=t_x, T=big_t).log_likelihood_
        others = []
        starts = ([1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 0.1, 100.0], [2.0, 2.0, 3.0, 5000.0],
                  [1.0, 40.0, 1.0, 1.0])
        for start in starts:
            try:
                others.append(model().fit(frequency=x, recency=t_x, T=big_t, initial=start).log_likelihood_)
            except errors.ConvergenceError:
                continue
    assert others
    assert ours >= max(others) - 1e-9 * abs(ours)


@pytest.mark.parametrize(("model", "k"), [(cx.BetaGeo, 0), (cx.ModifiedBetaGeo, 1)])
@pytest.mark.parametrize("panel", ["cdnow-like", "large a, b", "grocery"])
def test_finite_interval_only_where_the_limit_is_out_of_reach(panel: str, model: type, k: int) -> None:
    # Whether the fit checks the common-dropout limit or skips it (a and b well determined), a
    # finite upper bound for a and b must mean the limit's maximum (found here by Nelder-Mead on
    # the independent formula, from the fit's purchase rates and mean dropout) is more than
    # z^2 / 2 below the maximum, and an infinite one that it is within that reach.
    x, t_x, big_t = {
        "cdnow-like": clv_simulate.betageo(5000, 0.25, 4.0, 0.8, 2.5, T_low=27.0, T_high=39.0, seed=5),
        "large a, b": clv_simulate.betageo(2000, 1.0, 5.0, 3.0, 20.0, T_low=20.0, T_high=50.0, seed=4),
        "grocery": clv_simulate.grocery(1000, seed=3),
    }[panel]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.NotIdentifiedWarning)
        fitted = model().fit(frequency=x, recency=t_x, T=big_t)
    gap = fitted.log_likelihood_ - _common_dropout_limit(fitted._theta, _triples(x, t_x, big_t), k,
                                                         maxfev=1500, xatol=1e-9, fatol=1e-9)
    table = fitted.summary().set_index("parameter")
    assert gap > 0
    unbounded = bool(np.isinf(table.loc[["a", "b"], "ci_high"]).all())
    assert unbounded == (gap < Z95**2 / 2), (gap, table.loc[["a", "b"], ["estimate", "ci_high"]])
