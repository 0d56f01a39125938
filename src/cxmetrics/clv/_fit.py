"""Maximum likelihood for the small closed-form models (sBG, BG/BB), one fit per group (``by=``).

Both models' likelihoods and predictions are sums of beta-function ratios
``B(a + i, b + j) / B(a, b)``, so :func:`log_beta_ratio` gives each term with its exact
gradient and Hessian in ``(a, b)`` (digamma and trigamma differences), and
:func:`log_sum` combines terms (a log-sum-exp with the derivatives of a mixture). The fit is
a trust-region Newton method on log parameters; convergence is judged at the end on the
gradient and the Hessian, not on the optimiser's flag. Standard errors come from the observed
information; predictions get delta-method intervals from the same covariance.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._stats import z_quantile
from cxmetrics.errors import (
    ConvergenceError,
    MissingValueError,
    NotFittedError,
    NotIdentifiedWarning,
    ValueRangeError,
)

#: Gradient norm on the log-parameter scale, relative to the log-likelihood, below which a
#: fit counts as converged.
GRADIENT_TOLERANCE = 1e-6
#: A converged estimate beyond this (or below its inverse) sits on a flat ridge towards a
#: boundary: the data do not identify it (for sBG, alpha and beta grow together when churn is
#: the same for everybody).
RIDGE = 1e5
#: ... and so does one whose standard error on the log scale exceeds this (its 95 % interval
#: would span a factor of e^39).
MAX_LOG_SE = 10.0
Derivatives = tuple[float, np.ndarray, np.ndarray]


def z_value(confidence: Any) -> float:
    """The two-sided normal critical value for a checked ``confidence`` (1.959964 at 0.95)."""
    return z_quantile(_checks.confidence(confidence))


def log_beta_ratio(a: float, b: float, da: Any, db: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log B(a + da, b + db) - log B(a, b)`` with its gradient (..., 2) and Hessian (..., 2, 2)
    in ``(a, b)``, for whole-number offsets ``da, db >= 0``.

    The offsets take few distinct values (counts of periods), so log-gamma, digamma and trigamma
    are evaluated once on ``a + k``, ``b + k`` and ``a + b + k`` for ``k = 0..max`` and gathered
    by index: a likelihood over millions of cells costs a few special-function calls.
    """
    from scipy.special import gammaln, polygamma

    da = np.asarray(da, dtype=np.float64)
    db = np.asarray(db, dtype=np.float64)
    i, j = da.astype(np.int64), db.astype(np.int64)
    ij = i + j
    s = a + b

    def tables(base: float, top: int) -> np.ndarray:
        points = base + np.arange(int(top) + 1, dtype=np.float64)
        return np.stack([gammaln(points), polygamma(0, points), polygamma(1, points)])

    ta = tables(a, i.max(initial=0))
    tb = tables(b, j.max(initial=0))
    ts = tables(s, ij.max(initial=0))
    value = ta[0][i] + tb[0][j] - ts[0][ij] - (ta[0][0] + tb[0][0] - ts[0][0])
    psi_s = ts[1][ij]
    grad = np.stack([ta[1][i] - psi_s - ta[1][0] + ts[1][0], tb[1][j] - psi_s - tb[1][0] + ts[1][0]], axis=-1)
    cross = ts[2][0] - ts[2][ij]
    hess = np.empty((*value.shape, 2, 2))
    hess[..., 0, 0] = ta[2][i] - ta[2][0] + cross
    hess[..., 1, 1] = tb[2][j] - tb[2][0] + cross
    hess[..., 0, 1] = hess[..., 1, 0] = cross
    return value, grad, hess


def log_sum(
    values: np.ndarray, grads: np.ndarray, hessians: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``log sum_k exp(f_k)`` over the first axis, with its gradient and (if given) Hessian.

    ``values`` is (terms, rows), ``grads`` (terms, rows, p) and ``hessians`` (terms, rows, p, p);
    terms of ``-inf`` are absent. With weights ``pi_k`` proportional to ``exp(f_k)``, the
    gradient is ``sum pi_k f_k'`` and the Hessian ``sum pi_k (f_k'' + f_k' f_k'^T) - g g^T``.
    """
    top = np.max(values, axis=0)
    with np.errstate(invalid="ignore"):
        weights = np.exp(values - top)
    weights = np.where(np.isfinite(values), weights, 0.0)
    total = weights.sum(axis=0)
    pi = weights / total
    value = top + np.log(total)
    grad = np.einsum("kr,krp->rp", pi, grads)
    if hessians is None:
        return value, grad, None
    weighted = pi[..., None] * grads
    second = np.einsum("kr,krpq->rpq", pi, hessians) + np.einsum("krp,krq->rpq", weighted, grads)
    return value, grad, second - np.einsum("rp,rq->rpq", grad, grad)


def maximise(
    derivatives: Callable[[np.ndarray], Derivatives],
    starts: Sequence[np.ndarray],
    units: float,
    names: Sequence[str],
    title: str,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Maximise a log-likelihood over positive parameters; restart while a run fails the checks.

    Trust-region Newton (``scipy.optimize.minimize(method="trust-exact")``) on the log
    parameters, the objective scaled per unit (customer), from the first start, then from the
    next ones while the end point fails the checks here: finite, gradient norm (log scale)
    below :data:`GRADIENT_TOLERANCE` times ``max(1, |log-likelihood| / units)``, and the
    Hessian negative definite. When no run passes, :class:`ConvergenceError` names the
    parameters that ran off towards 0 or infinity.

    Returns the estimates, the log-likelihood, its Hessian in the parameters, and iterations.
    """
    import scipy.optimize

    cache: dict[bytes, Derivatives] = {}

    def evaluate(u: np.ndarray) -> tuple[np.ndarray, Derivatives]:
        # trust-exact asks for the value and the Hessian at the same point separately
        key = u.tobytes()
        with np.errstate(all="ignore"):
            p = np.exp(u)
            if key not in cache:
                cache.clear()
                cache[key] = derivatives(p)
        return p, cache[key]

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        p, (loglik, grad, _) = evaluate(u)
        with np.errstate(all="ignore"):
            step = -grad * p / units
        if not (np.isfinite(loglik) and np.isfinite(step).all()):
            return 1e300, np.zeros_like(u)
        return -loglik / units, step

    def hessian(u: np.ndarray) -> np.ndarray:
        p, (_, grad, hess) = evaluate(u)
        with np.errstate(all="ignore"):
            curvature = -(hess * np.outer(p, p) + np.diag(grad * p)) / units
        # far out (a parameter running off to a bound) the curvature may overflow: treat it as
        # flat there, so the trust region stops rather than fails
        return np.where(np.isfinite(curvature), curvature, 0.0)

    def passes(params: np.ndarray, found: Derivatives) -> bool:
        loglik, grad, hess = found
        return bool(
            np.isfinite(loglik)
            and np.isfinite(hess).all()
            and np.isfinite(grad).all()
            and float(np.linalg.norm(grad * params)) / units
            <= GRADIENT_TOLERANCE * max(1.0, abs(loglik) / units)
            and np.all(np.linalg.eigvalsh(hess) < 0)
        )

    best: tuple[float, np.ndarray, Derivatives] | None = None
    iterations = 0
    for start in starts:
        try:
            result = scipy.optimize.minimize(
                objective,
                np.log(start),
                jac=True,
                hess=hessian,
                method="trust-exact",
                options={"gtol": 1e-10, "maxiter": 500},
            )
        except (ValueError, np.linalg.LinAlgError):  # non-finite values along the way: next start
            continue
        iterations += int(result.nit)
        if not np.isfinite(result.fun):
            continue
        params, found = evaluate(result.x)
        if best is None or result.fun < best[0]:
            best = (float(result.fun), params, found)
        if passes(*best[1:]):
            break
    if best is None:
        raise ConvergenceError(
            f"{title} fit did not converge: the likelihood is not finite along the "
            f"search from any of {len(starts)} starts"
        )
    _, params, (loglik, _, hess) = best
    if not passes(params, best[2]):
        shown = dict(zip(names, [float(f"{v:.6g}") for v in params], strict=True))
        drift = [n for n, v in zip(names, params, strict=True) if v < 1 / RIDGE or v > RIDGE]
        why = (
            f"parameters {drift} run off towards 0 or infinity: the likelihood has no interior "
            f"maximum on these data"
            if drift
            else "the gradient is not zero or the Hessian is not negative definite where the search ended"
        )
        raise ConvergenceError(f"{title} fit did not converge: {why} (ended at {shown})")
    return params, float(loglik), hess, iterations


@dataclasses.dataclass(frozen=True)
class Fit:
    """One fitted parameter vector with its covariance and fit information."""

    params: np.ndarray
    covariance: np.ndarray
    loglik: float
    units: float
    iterations: int
    #: Whether each estimate is identified (False: on a ridge towards 0 or infinity).
    identified: np.ndarray | None = None


def delta_interval(
    estimate: np.ndarray, log_grad: np.ndarray, covariance: np.ndarray, z: float, probability: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delta-method standard error and interval from the gradient of ``log(estimate)``.

    Positive quantities get a Wald interval on the log scale, probabilities on the logit scale
    (so bounds stay in range); ``se`` is on the natural scale (``estimate * sd(log)``).
    """
    with np.errstate(all="ignore"):
        sd_log = np.sqrt(np.maximum(np.einsum("rp,pq,rq->r", log_grad, covariance, log_grad), 0.0))
        se = estimate * sd_log
        if probability:
            logit = np.log(estimate) - np.log1p(-estimate)
            spread = z * sd_log / (1.0 - estimate)
            low, high = (1.0 / (1.0 + np.exp(-(logit + s * spread))) for s in (-1.0, 1.0))
        else:
            low, high = estimate * np.exp(-z * sd_log), estimate * np.exp(z * sd_log)
    # a value fixed by the model (survival at period 0, no purchases possible) has no spread
    certain = (sd_log == 0) | (estimate == 0)
    return se, np.where(certain, estimate, low), np.where(certain, estimate, high)


class CohortModel:
    """Shared state of the sBG and BG/BB models: one :class:`Fit` per group, result frames.

    Without ``by=`` there is one fit under the key ``None``; with it, fits are keyed by the
    tuple of the group's values.
    """

    parameter_names: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""

    def __init__(self) -> None:
        self._fits: dict[Any, Fit] = {}
        self.by_: list[str] = []
        self._backend: Any = None
        self.params_: Any = None
        self.log_likelihood_: float = float("nan")
        self.n_customers_: int = 0
        self.iterations_: int = 0

    def _store(self, fits: dict[Any, Fit], by: list[str], backend: Any, confidence: float) -> None:
        z = z_value(confidence)
        self._fits, self.by_, self._backend = fits, by, backend
        self.log_likelihood_ = float(sum(f.loglik for f in fits.values()))
        self.n_customers_ = round(sum(f.units for f in fits.values()))
        self.iterations_ = int(sum(f.iterations for f in fits.values()))
        columns: dict[str, list[Any]] = {
            name: [] for name in ("parameter", "estimate", "se", "ci_low", "ci_high", "identified")
        }
        keys: list[Any] = []
        for key, fit in fits.items():
            std_error = np.sqrt(np.where(np.diag(fit.covariance) > 0, np.diag(fit.covariance), np.nan))
            with np.errstate(over="ignore"):
                spread = np.exp(z * std_error / fit.params)  # Wald on the log scale: positive bounds
            keys += [key] * len(fit.params)
            columns["parameter"] += list(self.parameter_names)
            columns["estimate"] += fit.params.tolist()
            columns["se"] += std_error.tolist()
            identified = np.ones(len(fit.params), bool) if fit.identified is None else fit.identified
            # an unidentified estimate's interval reaches the boundary it runs towards
            columns["ci_low"] += np.where(~identified & (fit.params < 1), 0.0, fit.params / spread).tolist()
            high = np.where(~identified & (fit.params > 1), np.inf, fit.params * spread)
            columns["ci_high"] += high.tolist()
            columns["identified"] += identified.tolist()
        self.params_ = _frame.to_native(nw.from_dict({**self._key_columns(keys), **columns}, backend=backend))

    def _key_columns(self, keys: list[Any]) -> dict[str, list[Any]]:
        """The group columns of a result with one row per entry of ``keys``."""
        return {column: [key[i] for key in keys] for i, column in enumerate(self.by_)}

    def _named(self, values: dict[Any, Any]) -> Any:
        """One fit's value, or ``{group: value}`` (a scalar group key for one ``by`` column)."""
        if not self.by_:
            return values[None]
        return {(k[0] if len(self.by_) == 1 else k): v for k, v in values.items()}

    def _fit_one(
        self,
        derivatives: Callable[[np.ndarray], Derivatives],
        starts: Sequence[np.ndarray],
        units: float,
        label: Any,
    ) -> Fit:
        title = (
            self.title
            if label is None
            else f"{self.title} ({', '.join(f'{c}={v!r}' for c, v in zip(self.by_, label, strict=True))})"
        )
        params, loglik, hess, iterations = maximise(derivatives, starts, units, self.parameter_names, title)
        covariance = np.linalg.inv(-hess)
        with np.errstate(invalid="ignore"):
            log_se = np.sqrt(np.diag(covariance)) / params
        identified = (params > 1 / RIDGE) & (params < RIDGE) & (log_se <= MAX_LOG_SE)
        if not identified.all():
            names = [n for n, ok in zip(self.parameter_names, identified, strict=True) if not ok]
            warnings.warn(
                f"{title}: the data do not identify {names}: the likelihood keeps rising along a flat "
                f"ridge as they run towards 0 or infinity (ended at "
                f"{dict(zip(self.parameter_names, np.round(params, 4).tolist(), strict=True))}). "
                f"Predictions are those of the limit; these parameters' intervals are unbounded "
                f"(summary() column 'identified'){self._ridge_hint}",
                NotIdentifiedWarning,
                stacklevel=4,
            )
        return Fit(params, covariance, loglik, units, iterations, identified)

    #: What an unidentified fit means for the model, appended to the warning.
    _ridge_hint: ClassVar[str] = ""

    @classmethod
    def from_parameters(cls, **values: float) -> Any:
        """A model with given parameters (published estimates, say), ready to predict.

        Standard errors are missing, so predictions have no intervals (NaN bounds), and
        ``log_likelihood_`` is NaN.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> sbg = cx.ShiftedBetaGeometric.from_parameters(alpha=0.704, beta=1.182)
        >>> sbg.survival(periods=[1])["survival"].round(3).tolist()
        [0.627]
        """
        if set(values) != set(cls.parameter_names):
            raise ValueRangeError(
                f"{cls.__name__} needs exactly the parameters {list(cls.parameter_names)}, "
                f"got {sorted(values)}"
            )
        params = np.array([_checks.number(values[name], name, low=0.0, low_open=True)
                           for name in cls.parameter_names])
        import pandas

        model = cls()
        nan = np.full((len(params), len(params)), np.nan)
        model._store({None: Fit(params, nan, float("nan"), 0.0, 0)}, [], pandas, 0.95)
        return model

    def _fitted(self) -> dict[Any, Fit]:
        if not self._fits:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call .fit(...) first")
        return self._fits

    @property
    def parameters(self) -> dict[Any, Any]:
        """The estimates by name; with ``by``, ``{group: {name: estimate}}``."""
        fits = self._fitted()
        return self._named(
            {k: dict(zip(self.parameter_names, f.params.tolist(), strict=True)) for k, f in fits.items()}
        )

    def summary(self) -> Any:
        """The parameter table with fit information.

        Columns: the ``by`` columns (when fitted by group), ``parameter, estimate, se,
        ci_low, ci_high, identified`` (False for an estimate on a flat ridge towards 0 or
        infinity, whose interval then reaches that bound; a warning names it) and, repeated
        on each row of a fit, ``log_likelihood``, ``customers``, ``iterations``.
        """
        fits = self._fitted()
        repeat = len(self.parameter_names)
        table = nw.from_native(self.params_, eager_only=True)
        extra = {
            "log_likelihood": np.repeat([f.loglik for f in fits.values()], repeat),
            "customers": np.repeat([round(f.units) for f in fits.values()], repeat),
            "iterations": np.repeat([f.iterations for f in fits.values()], repeat),
        }
        return _frame.to_native(_frame.with_arrays(table, extra, table.implementation))

    def __repr__(self) -> str:
        if not self._fits:
            return f"{type(self).__name__}()"
        if self.by_:
            return f"{type(self).__name__}(by={self.by_!r}, groups={len(self._fits)})"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({shown}, log_likelihood={self.log_likelihood_:.2f})"


def by_groups(frame: nw.DataFrame[Any], by: list[str]) -> list[tuple[Any, nw.DataFrame[Any]]]:
    """The frame's rows per group of ``by`` values, sorted by them (one group keyed None without
    ``by``); keys are tuples."""
    if not by:
        return [(None, frame)]
    for column in by:
        missing = frame[column].null_count()
        if missing:
            raise MissingValueError(f"by column {column!r} has {missing} missing values")
    keys = sorted(set(frame.select(*by).rows()))
    groups = []
    for key in keys:
        condition = nw.lit(True)
        for column, value in zip(by, key, strict=True):
            condition = condition & (nw.col(column) == value)
        groups.append((tuple(key), frame.filter(condition)))
    return groups


def whole_numbers(values: np.ndarray, name: str, minimum: float = 0.0) -> None:
    """Raise unless every value is a finite whole number >= ``minimum``."""
    bad = ~np.isfinite(values) | (values < minimum) | (values != np.round(values))
    if bad.any():
        from cxmetrics.errors import format_examples

        raise ValueRangeError(
            f"column {name!r} must hold whole numbers >= {minimum:g}; {int(bad.sum())} "
            f"values are not, for example {format_examples(values[bad])}"
        )
