"""BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma models: fitting, uncertainty, predictions."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import narwhals as nw
import numpy as np

from cxmetrics import _checks as check
from cxmetrics import _frame, _stats
from cxmetrics.clv import _checks, _predict, _ridges
from cxmetrics.clv import _likelihood as lik
from cxmetrics.errors import (
    ColumnTypeError,
    ConvergenceError,
    ExcludedDataWarning,
    NotIdentifiedWarning,
    ValueRangeError,
    format_examples,
)

SUMMARY_COLUMNS = ("frequency", "recency", "T")
SPEND_COLUMNS = ("frequency", "monetary")
#: Customers in the thinned copy a large fit starts from.
WARM_START_CUSTOMERS = 10000
#: A relative standard error above this (an interval wider than a factor e^(2 z)) sends the
#: fit to its restarts and ridge checks.
RIDGE_SPREAD = 2.0
#: A Pareto/NBD search with s beyond this is running out along s, beta -> inf: Newton stops
#: there and the fit compares with that limit, evaluated directly (as does a fit that still
#: ends beyond half of it after its restarts; :meth:`ParetoNBD._past_ridge`). A maximum at a
#: larger s is found all the same (the search then goes on), at the cost of one limit fit.
RIDGE_SHAPE = 4.0
#: Mean dropout probabilities a / (a + b) among which a BG/NBD or MBG/NBD fit picks its start.
DROPOUT_MEANS = tuple(float(m) for m in np.geomspace(1e-4, 0.5, 9))
#: The values of s a Pareto/NBD run past that threshold may go on from (:meth:`ParetoNBD._along_ridge`).
RIDGE_SHAPES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def numeric_array(value: Any, name: str) -> np.ndarray:
    """``value`` (a list, array or Series) as a flat float array; strings, booleans and other
    non-numbers are refused with :class:`ColumnTypeError` naming ``name`` (never coerced).
    Missing values (None, NaN, ``pd.NA``) become NaN for the range checks to report."""
    if isinstance(value, (str, bytes)):
        raise ColumnTypeError(f"{name} must be numbers (an array or list), got {value!r}")
    array = np.asarray(value)
    if array.dtype.kind == "O":
        items = array.ravel().tolist()
        missing = [v is None or type(v).__name__ == "NAType" for v in items]
        bad = [v for v, m in zip(items, missing, strict=True)
               if not m and (isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)))]
        if bad:
            raise ColumnTypeError(f"{name} must hold numbers, got {format_examples(bad)}")
        return np.array([np.nan if m else float(v) for v, m in zip(items, missing, strict=True)],
                        dtype=np.float64)
    if array.dtype.kind not in "iuf":
        raise ColumnTypeError(
            f"{name} must hold numbers, got dtype {array.dtype} "
            f"(first values: {format_examples(array.ravel()[:3].tolist())})")
    return array.astype(np.float64).ravel()


def _data_or_arrays(data: Any, arrays: dict[str, Any]) -> None:
    """Either a summary frame or every one of the arrays, never both and never part of them."""
    given = [name for name, value in arrays.items() if value is not None]
    if data is not None and given:
        raise ValueRangeError(f"pass a summary frame as data or the arrays {list(arrays)}, not both "
                              f"(got data and {given})")
    if data is None and len(given) != len(arrays):
        missing = [name for name, value in arrays.items() if value is None]
        raise ValueRangeError(f"pass a summary frame as data, or all of {list(arrays)} "
                              f"(missing: {missing})")


def summary_arrays(
    data: Any = None,
    *,
    frequency: Any = None,
    recency: Any = None,
    T: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) as float arrays, and how many customers each row stands for.

    From three arrays or an eager summary frame: one row per customer, counts of 1. From a
    lazy summary: its distinct triples with their counts, computed in the engine, so a
    hundred million customers arrive as the (far fewer) distinct triples.

    Checks what the models assume: no missing values, frequency a whole number >= 0,
    0 <= recency <= T, and recency = 0 when frequency = 0.
    """
    _data_or_arrays(data, {"frequency": frequency, "recency": recency, "T": T})
    count = None
    if data is not None:
        frame = _checked_frame(data, SUMMARY_COLUMNS)
        if isinstance(frame, nw.LazyFrame):
            frame = _frame.distinct_counts(frame, SUMMARY_COLUMNS)
            count = frame[_frame.COUNT].to_numpy()
        frequency, recency, T = (frame[c].to_numpy() for c in SUMMARY_COLUMNS)
    return _checked_arrays(frequency, recency, T, count)


def _checked_arrays(frequency: Any, recency: Any, T: Any,
                    count: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, big_t = (numeric_array(v, name) for v, name in
                     ((frequency, "frequency"), (recency, "recency"), (T, "T")))
    if not len(x) == len(t_x) == len(big_t):
        raise ValueRangeError(
            f"frequency, recency and T differ in length: {len(x)}, {len(t_x)}, {len(big_t)}"
        )
    count = np.ones(len(x)) if count is None else np.asarray(count, dtype=np.float64)
    checks = [
        ("frequency", x, ~np.isfinite(x) | (x < 0) | (x != np.round(x)), "a whole number >= 0"),
        ("recency", t_x, ~np.isfinite(t_x) | (t_x < 0) | (t_x > big_t), "between 0 and T"),
        ("T", big_t, ~np.isfinite(big_t) | (big_t < 0), "finite and >= 0"),
        ("recency", t_x, (x == 0) & (t_x != 0), "0 when frequency is 0"),
    ]
    for name, values, bad, rule in checks:
        if bad.any():
            raise ValueRangeError(
                f"summary column {name!r} must be {rule}; {int(count[bad].sum())} customers break "
                f"this, for example {format_examples(values[bad])}"
            )
    return x, t_x, big_t, count


def _checked_frame(data: Any, columns: Sequence[str]) -> _frame.Frame:
    """The summary wrapped (eager or lazy), with ``columns`` present and numeric."""
    frame = _frame.from_native(data, name="data")
    _frame.require_columns(frame, {"summary": list(columns)})
    for column in columns:
        _frame.require_numeric(frame, column, "summary")
    return frame


def check_free(data: Any, names: Sequence[str], function: str) -> None:
    """Raise :class:`ColumnClashError` when the caller's frame already has a column the
    prediction would write (``names``); nothing is overwritten silently."""
    if data is not None:
        check.no_clash(_frame.from_native(data, name="data").collect_schema().names(), set(names),
                       function=function)


def join_per_triple(data: Any, names: Sequence[str], predict: Callable[[lik.Triples], np.ndarray]) -> Any:
    """A lazy summary with columns ``names`` = the rows of ``predict`` of its triple (shape
    (len(names), triples)), joined back in the engine.

    Predictions are computed once per distinct triple; the join on the three columns (their
    values exactly as the engine returned them) puts them on every customer without
    collecting the customers.
    """
    frame = _checked_frame(data, SUMMARY_COLUMNS)
    assert isinstance(frame, nw.LazyFrame)
    # one query: the arrays and the joined rows must align
    distinct = _frame.distinct_counts(frame, SUMMARY_COLUMNS)
    frequency, recency, age = (distinct[c].to_numpy() for c in SUMMARY_COLUMNS)
    x, t_x, big_t, count = _checked_arrays(frequency, recency, age, distinct[_frame.COUNT].to_numpy())
    if len(x):
        triples, inverse = _distinct(x, t_x, big_t, count)
        values = np.atleast_2d(predict(triples))[:, inverse]
    else:
        values = np.zeros((len(names), 0))
    table = distinct.select(*SUMMARY_COLUMNS).with_columns(*(
        nw.new_series(name, np.asarray(row, dtype=np.float64), backend=distinct.implementation)
        for name, row in zip(names, values, strict=True)))
    return frame.join(_frame.into_engine(table, frame), on=list(SUMMARY_COLUMNS), how="left")


def attach_columns(data: Any, columns: dict[str, np.ndarray], arrays: dict[str, np.ndarray]) -> Any:
    """The eager ``data`` with ``columns`` added, in its own library (a new frame: the caller's
    is untouched); without data, a pandas frame of ``arrays`` and ``columns``."""
    if data is None:
        import pandas as pd

        return pd.DataFrame({**arrays, **columns})
    frame = nw.from_native(data, eager_only=True)
    return _frame.to_native(frame.with_columns(
        *(nw.new_series(name, np.asarray(values, dtype=np.float64), backend=frame.implementation)
          for name, values in columns.items())))


def interval_names(name: str, confidence: float | None) -> list[str]:
    """The columns a prediction writes: ``name``, and with a level its two bounds."""
    return [name] if confidence is None else [name, f"{name}_ci_low", f"{name}_ci_high"]


@dataclasses.dataclass(frozen=True)
class IntervalOptions:
    """What a prediction's interval asks for: level (None: no interval), method, resamples, seed."""

    confidence: float | None
    method: str = "delta"
    resamples: int = 200
    seed: Any = 0

    @classmethod
    def make(cls, confidence: float | None, method: str, resamples: int, seed: Any) -> IntervalOptions:
        """Every option checked, whether or not an interval is asked for."""
        level = None if confidence is None else check.confidence(confidence)
        check.option(method, _predict.METHODS, "method")
        check.whole(resamples, "resamples", low=20)
        check.seed(seed)
        return cls(level, method, int(resamples), seed)


@dataclasses.dataclass(frozen=True)
class _Optimum:
    """Where a fit ended: estimates, iterations, log-likelihood and its Hessian there."""

    params: np.ndarray
    iterations: int
    loglik: float
    hessian: np.ndarray
    #: gradient of the total log-likelihood there, when the optimiser has it
    gradient: np.ndarray | None = None
    #: index in :data:`_ridges.RIDGES` of the ridge whose boundary limit this is (the point then
    #: sits far along it, where the model equals its limit), or None for an interior point
    at_ridge: int | None = None
    #: relative standard errors (log scale) when known without the Hessian here (at a ridge's
    #: limit, from the limit model's); None otherwise
    spread: np.ndarray | None = None


class _Model:
    """Shared fitting machinery: maximum likelihood on log parameters, observed information."""

    parameter_names: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    #: Derivatives ``_derivatives`` provides analytically: 0 (none: finite differences),
    #: or 2 (gradient and Hessian: the fit is Newton's method).
    derivative_order: ClassVar[int] = 0
    #: Key of :data:`_ridges.RIDGES`: the boundaries along which identification is checked.
    ridge_family: ClassVar[str] = ""
    #: Whether :meth:`_ridge_supremum` gives the likelihood's supremum at the boundary of the
    #: dropout ridges in closed form.
    ridge_limits: ClassVar[bool] = False

    def __init__(self) -> None:
        self._theta: np.ndarray | None = None
        self.log_likelihood_: float = float("nan")
        self.params_: Any = None
        self.n_customers_: int = 0
        self.penalizer_: float = 0.0
        self.iterations_: int = 0
        self.converged_: bool = False
        self.notes_: list[str] = []
        self.identified_: dict[str, bool] = {}
        self.covariance_: np.ndarray | None = None
        self.confidence_: float = 0.95

    # -- subclasses provide the data, the log-likelihood and (optionally) its derivatives -----
    def _total_loglik(self, params: np.ndarray) -> float:
        raise NotImplementedError

    def _derivatives(self, params: np.ndarray, hessian: bool) -> tuple[float, np.ndarray, np.ndarray | None]:
        """Total log-likelihood, gradient and (if asked) Hessian in the parameters."""
        raise NotImplementedError

    def _start(self) -> np.ndarray:
        raise NotImplementedError

    def _objective(self, customers: float, penalizer: float) -> Callable[..., Any]:
        """Mean negative log-likelihood plus the L2 penalty, as a function of log parameters."""

        def objective(log_params: np.ndarray) -> float | tuple[float, np.ndarray]:
            params = np.exp(log_params)
            penalty = penalizer * float(params @ params)
            if not self.derivative_order:
                value = -self._total_loglik(params) / customers + penalty
                return value if np.isfinite(value) else 1e300
            loglik, gradient, _ = self._derivatives(params, hessian=False)
            value = -loglik / customers + penalty
            grad = (-gradient / customers + 2.0 * penalizer * params) * params
            if not np.isfinite(value):
                return 1e300, np.zeros_like(grad)
            return value, np.where(np.isfinite(grad), grad, 0.0)

        return objective

    def _newton(self, log_start: np.ndarray, customers: float, penalizer: float,
                tolerance: float = 1e-15) -> _Optimum | None:
        """Newton's method on the log parameters, with a backtracking line search.

        Stops when the Newton decrement (twice the predicted gain of the next step, per
        customer) is below ``tolerance`` times the objective.

        Where the Hessian is not positive definite (far from the optimum) the step uses it
        shifted until it is (Nocedal & Wright 2006, algorithm 3.3). Returns the optimum, or None
        when the search fails (non-finite values, no progress): the caller then falls back to
        L-BFGS. Near the optimum it converges quadratically, so a good start needs a handful of
        passes over the data.
        """

        def evaluate(log_params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, _Optimum]:
            params = np.exp(log_params)
            # trial points far out may overflow; non-finite values reject the step instead
            with np.errstate(all="ignore"):
                loglik, gradient, hessian = self._derivatives(params, hessian=True)
            assert hessian is not None
            grad_params = -gradient / customers + 2.0 * penalizer * params
            curvature = -hessian / customers + 2.0 * penalizer * np.eye(len(params))
            # chain rule for log parameters: d/dlog(p) = p d/dp
            return (-loglik / customers + penalizer * float(params @ params), grad_params * params,
                    curvature * np.outer(params, params) + np.diag(grad_params * params),
                    _Optimum(params, 0, loglik, hessian, gradient))

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            with np.errstate(all="ignore"):
                return -self._total_loglik(params) / customers + penalizer * float(params @ params)

        point = log_start
        value, grad, curvature, optimum = evaluate(point)
        history = [value]
        last: _Optimum | None = None  # the latest point with finite derivatives
        for iteration in range(1, 51):
            if penalizer == 0 and self._on_ridge(np.exp(point)):
                # heading out along a ridge whose limit the model fits directly (_past_ridge)
                return dataclasses.replace(optimum, iterations=iteration)
            if iteration > 8 and history[-6] - value <= 1e-10 * max(abs(value), 1.0):
                # creeping along a flat ridge: stop here, and let the caller's checks (restarts,
                # the ridge profiles) decide what the data identify
                return dataclasses.replace(optimum, iterations=iteration)
            if not (np.isfinite(value) and np.isfinite(grad).all() and np.isfinite(curvature).all()):
                return last
            last = dataclasses.replace(optimum, iterations=iteration)
            step = _descent_direction(curvature, grad)
            decrement = float(-(grad @ step))
            if decrement <= tolerance * max(abs(value), 1.0):
                return dataclasses.replace(optimum, iterations=iteration)
            if decrement <= 1e-9 * max(abs(value), 1.0):
                # Converging quadratically: this step lands within rounding of the optimum, so
                # it is checked on the value alone, and the Hessian from here (a relative
                # distance near 1e-5 away) serves for the standard errors.
                params = np.exp(point + step)
                loglik, gradient = self._value_at_end(params)
                if -loglik / customers + penalizer * float(params @ params) <= value:
                    return _Optimum(params, iteration, loglik, optimum.hessian, gradient)
            # Far from the optimum the quadratic model can send a parameter off by orders of
            # magnitude; no step changes one by more than a factor e^2.
            step *= min(1.0, 2.0 / float(np.max(np.abs(step))))
            slope = float(grad @ step)
            trial = evaluate(point + step)
            scale = 1.0
            if not (np.isfinite(trial[0]) and trial[0] <= value + 1e-4 * slope):
                # backtrack on values alone, then take the derivatives where it stops
                while True:
                    scale /= 2.0
                    if scale < 1e-8:
                        # no progress possible from a valid point (rounding, or a flat ridge):
                        # return it for the caller's checks to judge
                        return dataclasses.replace(optimum, iterations=iteration) if iteration > 1 else None
                    trial_value = objective(point + scale * step)
                    if np.isfinite(trial_value) and trial_value <= value + 1e-4 * scale * slope:
                        break
                trial = evaluate(point + scale * step)
            elif iteration >= 5:
                # Still far after several full steps: a long flat valley (a ridge). Extrapolate
                # along the step while the value keeps falling (values only, up to 1024 times
                # the step or 6 log units), so the search covers it in a few passes instead of
                # creeping.
                best_value, grown = trial[0], 1.0
                while grown < 1024.0 and float(np.max(np.abs(2.0 * grown * step))) <= 6.0:
                    trial_value = objective(point + 2.0 * grown * step)
                    if not (np.isfinite(trial_value) and trial_value < best_value):
                        break
                    best_value, grown = trial_value, 2.0 * grown
                if grown > 1.0:
                    scale = grown
                    trial = evaluate(point + scale * step)
            point = point + scale * step
            value, grad, curvature, optimum = trial
            history.append(value)
        return last  # iterations exhausted: the caller judges the point reached

    def _value_at_end(self, params: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Total log-likelihood at Newton's last step, and its gradient there when a model has
        it at little more than the value's cost (None: :meth:`_judge` computes it)."""
        return self._total_loglik(params), None

    def _warm_start(self, start: np.ndarray, penalizer: float) -> np.ndarray:
        """Where to start the full fit (subclasses with large data start from a quick fit)."""
        return start

    def _quasi_newton(self, log_start: np.ndarray, customers: float, penalizer: float) -> _Optimum:
        """L-BFGS, for models without a Hessian and starts where Newton cannot proceed."""
        import scipy.optimize

        result = scipy.optimize.minimize(
            self._objective(customers, penalizer), log_start, jac=bool(self.derivative_order),
            method="L-BFGS-B", options={"maxiter": 300, "ftol": 1e-15, "gtol": 1e-10},
        )
        # L-BFGS stops when progress is slow; Newton from there takes the estimates to machine
        # precision (and decides convergence) where the Hessian is available.
        polished = self._newton(result.x, customers, penalizer) if self.derivative_order == 2 else None
        if polished is not None:
            return dataclasses.replace(polished, iterations=result.nit + polished.iterations)
        params = np.exp(result.x)
        loglik = self._total_loglik(params)
        if not np.isfinite(loglik) or not result.success:
            raise ConvergenceError(
                f"{self.title} fit did not converge: {result.message} (after {result.nit} iterations, "
                f"parameters {dict(zip(self.parameter_names, np.round(params, 6).tolist(), strict=True))}); "
                f"try a penalizer (for example 0.001) or other initial values"
            )
        return _Optimum(params, int(result.nit), loglik, _hessian(self._total_loglik, params))

    # -- fitting -------------------------------------------------------------------------------
    def _degenerate(self) -> str | None:
        """Why the data cannot identify the model unpenalised (None when they can)."""
        return None

    def _restarts(self, params: np.ndarray) -> list[np.ndarray]:
        """Further starting points when a run ends on a ridge: the default start, and points
        along the model's heterogeneity ridge through ``params``."""
        return [self._start()]

    def _ridge_supremum(self, index: int, params: np.ndarray) -> float | None:
        """The supremum of the log-likelihood at the boundary of ridge ``index`` of
        :data:`_ridges.RIDGES` (its limit model's maximum, searched from the limit of ``params``),
        where the model has it in closed form."""
        return None

    def _check_ridge(self, index: int, params: np.ndarray, spread: np.ndarray, loglik: float,
                     z: float) -> bool:
        """Whether ridge ``index`` is checked although the estimates it moves look well
        determined (relative standard errors ``spread`` at most :data:`RIDGE_SPREAD`): a
        quadratic approximation at the maximum ``loglik`` cannot see a likelihood that levels
        off towards the boundary above ``loglik - z**2 / 2``, where the interval is unbounded."""
        return False

    def _on_ridge(self, params: np.ndarray) -> bool:
        """Whether Newton should stop here and leave the rest to :meth:`_past_ridge` (far out
        along a ridge whose limit the model fits in closed form)."""
        return False

    def _past_ridge(self, first: _Optimum | None, customers: float, penalizer: float,
                    final: bool = False) -> _Optimum | None:
        """The first run's end point, or where the fit goes from there when it stopped on a
        ridge (:meth:`_on_ridge`): the boundary limit's maximum, or a continued run. With
        ``final`` (the best point after the restarts, on a ridge), only the boundary: the point
        itself unless the limit is the supremum."""
        return first

    def _loglik_grad_log(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """Total (unpenalised) log-likelihood and its gradient in the log parameters."""
        params = np.exp(log_params)
        loglik, gradient, _ = self._derivatives(params, hessian=False)
        return loglik, gradient * params

    def _run(self, log_start: np.ndarray, customers: float, penalizer: float) -> _Optimum | None:
        """One optimisation from ``log_start``: Newton, else L-BFGS; None when both fail."""
        optimum = self._newton(log_start, customers, penalizer) if self.derivative_order == 2 else None
        if optimum is None:
            try:
                optimum = self._quasi_newton(log_start, customers, penalizer)
            except ConvergenceError:
                return None
        return optimum if np.isfinite(optimum.loglik) else None

    def _judge(self, optimum: _Optimum, customers: float, penalizer: float) -> tuple[bool, np.ndarray]:
        """Whether the point is a strict local maximum of the penalised log-likelihood (relative
        gradient norm in the log parameters below 1e-6 of the log-likelihood's scale and the
        Hessian negative definite), judged here rather than by the optimiser's flag; and the
        relative standard errors (standard errors of the log parameters; inf where the Hessian
        gives none)."""
        params, loglik, hessian, gradient = optimum.params, optimum.loglik, optimum.hessian, optimum.gradient
        if gradient is None:  # the Hessian is the optimiser's; only the gradient is needed here
            with np.errstate(all="ignore"):
                loglik, gradient, _ = self._derivatives(params, hessian=False)
        gradient = gradient - 2.0 * penalizer * customers * params
        curvature = hessian - 2.0 * penalizer * customers * np.eye(len(params))
        grad_log = gradient * params
        curvature_log = curvature * np.outer(params, params) + np.diag(grad_log)
        relative = float(np.linalg.norm(grad_log)) / max(abs(loglik), 1.0)
        finite = np.isfinite(curvature_log).all() and np.isfinite(relative)
        concave = finite and bool(np.linalg.eigvalsh(curvature_log).max() < 0)
        spread = np.full(len(params), np.inf)
        if concave:
            diagonal = np.diag(np.linalg.inv(-curvature_log))
            spread = np.sqrt(np.where(diagonal > 0, diagonal, np.inf))
        return bool(finite and relative <= 1e-6 and concave), spread

    def _optimise(self, customers: float, penalizer: float, confidence: float, backend: Any,
                  initial: Sequence[float] | None) -> None:
        """Maximise, check the answer, restart from several points if it ends on a ridge, and
        decide for each parameter whether the data identify it; then the standard errors."""
        if penalizer < 0:
            raise ValueRangeError(f"penalizer must be >= 0, got {penalizer!r}")
        _check_confidence(confidence)
        if penalizer == 0:
            reason = self._degenerate()
            if reason is not None:
                raise ConvergenceError(f"{self.title} cannot be fitted: {reason}; a penalizer (for example "
                                       f"0.01) makes the fit possible by shrinking the parameters")
        start = np.log(np.asarray(initial if initial is not None else self._start(), dtype=np.float64))
        if initial is None:
            start = self._warm_start(start, penalizer)

        def objective(optimum: _Optimum) -> float:
            return -optimum.loglik / customers + penalizer * float(optimum.params @ optimum.params)

        first = self._past_ridge(self._run(start, customers, penalizer), customers, penalizer)
        if first is not None and first.at_ridge is not None:
            # the supremum is the boundary limit's maximum: identification there is known
            assert first.spread is not None
            self._finish(first, True, first.spread, customers, penalizer, confidence, backend)
            return
        candidates = [first] if first is not None else []
        converged, spread = (self._judge(first, customers, penalizer) if first is not None
                             else (False, np.full(len(start), np.inf)))
        if not converged or (spread.max() > RIDGE_SPREAD and not self.ridge_limits):
            # A ridge, a boundary or an unfinished run: restart from several points (a converged
            # run of a model whose ridge limits are known goes straight to the checks against them).
            base = first.params if first is not None else np.exp(start)
            for point in self._restarts(base):
                if np.allclose(np.log(point), start):
                    continue  # the first run started here
                candidate = self._run(np.log(point), customers, penalizer)
                if candidate is not None:
                    candidates.append(candidate)
            if not candidates:
                raise ConvergenceError(
                    f"{self.title} fit did not converge from any of {1 + len(self._restarts(base))} starting "
                    f"points (non-finite log-likelihood or no progress); try a penalizer (for example "
                    f"0.001) or other initial values")
            best = min(candidates, key=objective)
            if best is not first:
                converged, spread = self._judge(best, customers, penalizer)
            limit = self._past_ridge(best, customers, penalizer, final=True)
            if limit is not None and limit.at_ridge is not None:
                assert limit.spread is not None
                self._finish(limit, True, limit.spread, customers, penalizer, confidence, backend)
                return
        else:
            assert first is not None
            best = first
        self._finish(best, converged, spread, customers, penalizer, confidence, backend)

    def _finish(self, optimum: _Optimum, converged: bool, spread: np.ndarray, customers: float,
                penalizer: float, confidence: float, backend: Any) -> None:
        """Identification along the model's ridges, standard errors, intervals, notes."""
        z = _stats.z_quantile(confidence)
        names = list(self.parameter_names)
        params, loglik = optimum.params, optimum.loglik
        unidentified: set[str] = set()
        unbounded: set[str] = set()
        flat: list[np.ndarray] = []
        notes: list[str] = []
        if penalizer == 0:
            for position, ridge in enumerate(_ridges.RIDGES.get(self.ridge_family, ())):
                involved = [names.index(p) for p in ridge.parameters]
                if position == optimum.at_ridge:
                    unidentified.update(ridge.parameters)
                    flat.append(np.asarray(ridge.direction))
                    notes.append(f"{' and '.join(ridge.parameters)} not identified: the log-likelihood "
                                 f"rises to its supremum as {' and '.join(ridge.parameters)} -> inf "
                                 f"({ridge.meaning}); the estimates shown are a point far along that "
                                 f"ridge, where the model equals its limit")
                    continue
                if (converged and spread[involved].max() <= RIDGE_SPREAD
                        and not self._check_ridge(position, params, spread, loglik, z)):
                    continue  # well determined: the quadratic approximation already bounds it
                direction = np.asarray(ridge.direction)
                supremum = self._ridge_supremum(position, params)
                if supremum is not None and supremum <= loglik + 1e-9 * abs(loglik):
                    # the ridge's limit, fitted in closed form, is below the maximum: only
                    # whether it stays within the interval's reach is left to decide
                    far = supremum
                else:
                    far, point = _ridges.profile_far(self._loglik_grad_log, np.log(params), direction)
                if not np.isfinite(far):
                    continue
                listed = " and ".join(ridge.parameters)
                if far > loglik + 1e-9 * abs(loglik):
                    # the supremum is at the boundary: go there
                    params, loglik = np.exp(point), far
                    unidentified.update(ridge.parameters)
                    flat.append(direction)
                    notes.append(f"{listed} not identified: the log-likelihood keeps rising towards "
                                 f"{listed} -> inf ({ridge.meaning})")
                elif far > loglik - z**2 / 2.0:
                    fresh = [p for p in ridge.parameters if p not in unidentified | unbounded]
                    unbounded.update(fresh)
                    if fresh:
                        notes.append(f"{' and '.join(fresh)}: the {confidence:.0%} profile-likelihood "
                                     f"interval is unbounded above (consistent with {ridge.meaning})")
        hessian: np.ndarray | None = optimum.hessian
        if params is not optimum.params:  # moved out along a ridge
            with np.errstate(all="ignore"):
                _, _, hessian = self._derivatives(params, hessian=True)
        assert hessian is not None
        # with a penalizer the curvature includes the penalty's (what keeps the fit finite)
        hessian = hessian - 2.0 * penalizer * customers * np.eye(len(params))
        covariance = _projected_covariance(hessian, params, flat)
        if covariance is None and np.isfinite(hessian).all():
            # not concave along some direction no ridge names: hold the flat directions fixed
            scaled = np.diag(params) @ (-hessian) @ np.diag(params)
            values, vectors = np.linalg.eigh((scaled + scaled.T) / 2.0)
            scale = max(float(np.abs(values).max()), 1e-300)
            extra = [vectors[:, k] for k in range(len(values)) if values[k] <= 1e-10 * scale]
            for vector in extra:
                for index in np.flatnonzero(np.abs(vector) > 0.3):
                    if names[index] not in unidentified:
                        unidentified.add(names[index])
                        notes.append(f"{names[index]} not identified: the log-likelihood is flat or not "
                                     f"concave along it at the estimate")
            covariance = _projected_covariance(hessian, params, flat + extra)
        diagonal = np.diag(covariance) if covariance is not None else np.full(len(params), np.nan)
        std_error = np.sqrt(np.where(diagonal > 0, diagonal, np.nan))
        for j, name in enumerate(names):
            if name in unidentified:
                std_error[j] = np.inf
            elif not np.isfinite(std_error[j]):
                # not concave here though no ridge explains it: say so rather than a silent NaN
                std_error[j] = np.inf
                unidentified.add(name)
                notes.append(f"{name} not identified: the log-likelihood is not concave at the estimate")
        if notes:
            warnings.warn(f"{self.title}: " + "; ".join(notes), NotIdentifiedWarning, stacklevel=4)
        self._theta = params
        self.log_likelihood_ = float(loglik)
        self.n_customers_ = round(customers)
        self.penalizer_ = float(penalizer)
        self.iterations_ = optimum.iterations
        self.converged_ = converged or bool(unidentified)
        self.notes_ = notes
        self.covariance_ = covariance
        self.confidence_ = float(confidence)
        # Wald interval on the log scale: positive, as the parameters are.
        with np.errstate(over="ignore", invalid="ignore"):
            spread_factor = np.exp(z * std_error / params)
        lower, upper = params / spread_factor, params * spread_factor
        for j, name in enumerate(names):
            if name in unidentified:
                lower[j], upper[j] = 0.0, np.inf
            elif name in unbounded:
                upper[j] = np.inf
        self.params_ = _frame.to_native(nw.from_dict({
            "parameter": names,
            "estimate": params,
            "se": std_error,
            "ci_low": lower,
            "ci_high": upper,
        }, backend=backend))
        self.identified_ = {name: name not in unidentified for name in names}

    # -- prediction intervals ----------------------------------------------------------------
    def _with_interval(self, function: Callable[[np.ndarray], np.ndarray], interval: IntervalOptions,
                       kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Estimate, lower and upper bound of ``function(params)`` (an array per row)."""
        theta = self._fitted()
        assert interval.confidence is not None
        estimate = function(theta)
        if interval.method == "bootstrap":
            replicates = self._bootstrap(interval.resamples, interval.seed)
            draws = np.stack([function(params) for params in replicates])
            low, high = _predict.percentile_bounds(draws, interval.confidence)
            return estimate, low, high
        covariance = self._covariance()
        grad = _predict.gradient(function, theta)
        return (estimate, *_predict.delta_bounds(estimate, grad, covariance,
                                                 _stats.z_quantile(interval.confidence), kind))

    def _interval_ready(self, interval: IntervalOptions) -> None:
        """Fail before any work (and on empty data too) when the interval cannot be given."""
        if interval.confidence is None:
            return
        if interval.method == "delta":
            self._covariance()
        elif not self._has_training_data():
            self._bootstrap(interval.resamples, interval.seed)  # raises, saying why

    def _covariance(self) -> np.ndarray:
        if self.covariance_ is None:
            raise ValueRangeError(
                f"this {type(self).__name__} has no parameter covariance (made by from_parameters, or its "
                f"information matrix is singular), so the delta method cannot give intervals; fit it, or "
                f"use method='bootstrap' on a fitted model")
        return self.covariance_

    def _bootstrap(self, resamples: int, seed: Any) -> np.ndarray:
        """Parameters refitted on ``resamples`` customer resamples (rows: replicates), cached
        per (resamples, seed) when the seed is an int."""
        key = (resamples, seed) if not isinstance(seed, np.random.Generator) else None
        cache = self.__dict__.setdefault("_bootstrap_cache", {})
        if key is not None and key in cache:
            return cache[key]
        if not self._has_training_data():
            raise ValueRangeError(
                f"this {type(self).__name__} does not hold its training data (made by from_parameters, or "
                f"unpickled: pickles keep only the parameters), so it cannot be bootstrapped; refit it, or "
                f"use method='delta'")
        rng = _predict.rng_from(seed)
        theta = self._fitted()
        counts = self._training_counts()
        draws = []
        try:
            for _ in range(resamples):
                resampled = _predict.resample_counts(counts, rng)
                self._use_counts(resampled)
                optimum = self._run(np.log(theta), float(resampled.sum()), self.penalizer_)
                if optimum is not None:
                    draws.append(optimum.params)
        finally:
            self._use_counts(None)
        result = np.array(draws)
        if key is not None:
            cache[key] = result
        return result

    def _has_training_data(self) -> bool:
        return False

    def _training_counts(self) -> np.ndarray:
        raise NotImplementedError

    def _use_counts(self, counts: np.ndarray | None) -> None:
        """Reweight the training rows by ``counts`` (None: back to the data as fitted)."""
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        """Pickles keep the parameters and what predictions need, not the training data."""
        state = dict(self.__dict__)
        for name in ("_data", "_spend", "_full", "_bootstrap_cache", "_limit_memo"):
            if name in state:
                state[name] = None if name != "_bootstrap_cache" else {}
        return state

    @classmethod
    def from_parameters(cls, **values: float) -> Any:
        """A model with given parameters (published estimates, say), ready to predict.

        ``params_`` then holds the estimates with missing standard errors, and
        ``log_likelihood_`` is NaN; delta-method intervals need a fitted model.

        Parameters
        ----------
        **values : float
            Every one of ``parameter_names`` by name, each a finite number > 0.

        Returns
        -------
        model
            An instance of the class, without training data.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> out = bg.expected_purchases(t=39, frequency=[2], recency=[30.43], T=[38.86])
        >>> round(float(out["expected_purchases"].iloc[0]), 3)
        1.226
        """
        if set(values) != set(cls.parameter_names):
            raise ValueRangeError(f"{cls.__name__} needs exactly the parameters {list(cls.parameter_names)}, "
                                  f"got {sorted(values)}")
        params = np.array([check.number(values[name], name, low=0.0, low_open=True)
                           for name in cls.parameter_names])
        model = cls()
        model._theta = params
        model.identified_ = dict.fromkeys(cls.parameter_names, True)
        nan = np.full(len(params), np.nan)
        model.params_ = _frame.to_native(nw.from_dict({
            "parameter": list(cls.parameter_names), "estimate": params, "se": nan,
            "ci_low": nan, "ci_high": nan}, backend=_backend_of(None)))
        return model

    @property
    def parameters(self) -> dict[str, float]:
        """The estimates by name, e.g. ``{"r": 0.243, "alpha": 4.414, ...}``."""
        return dict(zip(self.parameter_names, self._fitted().tolist(), strict=True))

    def _fitted(self) -> np.ndarray:
        check.fitted(self, "_theta")
        assert self._theta is not None
        return self._theta

    def summary(self) -> Any:
        """The parameter table (estimate, standard error, interval) with fit information.

        Returns
        -------
        DataFrame
            In the library the model was fitted on (pandas for arrays), one row per
            parameter. Columns: ``parameter, estimate, se, ci_low, ci_high, identified``
            and, repeated on each row, ``log_likelihood``, ``customers``, ``penalizer``,
            ``iterations`` and ``note`` (why a parameter is not identified or its interval is
            unbounded, else empty).

        A parameter the data do not identify (its likelihood flat or rising towards a
        boundary, as the dropout parameters of a panel where nobody drops out) has
        ``identified`` False, an infinite ``se`` and the interval [0, inf); one whose
        profile-likelihood interval is unbounded above has ``ci_high`` = inf.
        """
        self._fitted()
        table = nw.from_native(self.params_, eager_only=True)
        identified = [self.identified_.get(name, True) for name in self.parameter_names]
        note = "; ".join(self.notes_)
        return _frame.to_native(table.with_columns(
            nw.new_series("identified", identified, backend=table.implementation),
            nw.lit(note).alias("note"),
            nw.lit(self.log_likelihood_).alias("log_likelihood"),
            nw.lit(self.n_customers_).alias("customers"),
            nw.lit(self.penalizer_).alias("penalizer"),
            nw.lit(self.iterations_).alias("iterations"),
        ))

    def __repr__(self) -> str:
        if self._theta is None:
            return f"{type(self).__name__}()"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.parameters.items())
        return (f"{type(self).__name__}({shown}, log_likelihood={self.log_likelihood_:.2f}, "
                f"customers={self.n_customers_})")


def _dropout_limit_supremum(d: lik.Triples, k: int, start: np.ndarray, common: bool,
                            thresholds: Sequence[float] = ()) -> float | None:
    """Maximum of the BG/NBD-type limit :func:`lik.betageo_limit` over (r, alpha, p) from
    ``start`` (``common``: one dropout probability p for everybody), or over (r, alpha) at
    p = 0 (nobody drops out: the NBD, also the no-dropout limit of Pareto/NBD), by Newton's
    method with the exact Hessian (:func:`_ridges.maximise_limit`). None when that does not
    converge.

    Given ``thresholds`` (the values the caller compares the supremum with), the search stops
    as soon as none of them lies between the value reached and that value plus ten times the
    rise the next Newton step predicts (plus 1e-10 relative): the comparisons then come out as
    they would at the exact supremum, and the returned value is a point of the limit below it.
    """

    def derivatives(params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        value, gradient, hessian = lik.betageo_limit(params, d, k, hessian=True)
        assert hessian is not None
        return value, gradient, hessian, 0.0

    def enough(value: float, gain: float) -> bool:
        top = value + 10.0 * max(gain, 0.0) + 1e-10 * abs(value)
        return not any(value <= threshold <= top for threshold in thresholds)

    limit = _ridges.maximise_limit(derivatives, start[:3 if common else 2], d.customers,
                                   enough=enough if thresholds else None)
    return limit.loglik if limit.converged else None


def _relative_errors(hessian: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Standard errors of the log parameters from a log-likelihood's Hessian at a maximum
    (inf for all where it is not negative definite there)."""
    curvature = hessian * np.outer(params, params)
    if not (np.isfinite(curvature).all() and np.linalg.eigvalsh((curvature + curvature.T) / 2.0).max() < 0):
        return np.full(len(params), np.inf)
    return np.sqrt(np.diag(np.linalg.inv(-curvature)))


def _projected_covariance(hessian: np.ndarray, params: np.ndarray,
                          flat: Sequence[np.ndarray]) -> np.ndarray | None:
    """Inverse observed information (unpenalised), with flat ridge directions held fixed.

    In log parameters the information is ``D (-H) D`` (``D = diag(params)``); directions along
    which the parameters are not identified (``flat``, in log parameters) are projected out
    (the covariance of the identified combinations given them), then mapped back to the
    parameters. None when the information is not positive definite on what remains.
    """
    scale = np.diag(params)
    information = scale @ (-hessian) @ scale
    if not np.isfinite(information).all():
        return None
    basis = np.eye(len(params))
    if flat:
        ridge = np.linalg.qr(np.column_stack(flat))[0]
        complement = np.linalg.svd(np.eye(len(params)) - ridge @ ridge.T)[0][:, :len(params) - ridge.shape[1]]
        basis = complement
    reduced = basis.T @ information @ basis
    try:
        np.linalg.cholesky(reduced)
    except np.linalg.LinAlgError:
        return None
    return scale @ basis @ np.linalg.inv(reduced) @ basis.T @ scale


def _check_confidence(confidence: Any) -> float:
    return check.confidence(confidence)


def _descent_direction(curvature: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """The Newton step, with the curvature shifted by a multiple of the identity if needed."""
    identity = np.eye(len(gradient))
    shift = 0.0
    smallest = float(np.min(np.diag(curvature)))
    if smallest <= 0:
        shift = 1e-3 - smallest
    while True:
        try:
            factor = np.linalg.cholesky(curvature + shift * identity)
        except np.linalg.LinAlgError:
            shift = max(2.0 * shift, 1e-3)
            continue
        return -np.linalg.solve(factor.T, np.linalg.solve(factor, gradient))


def _hessian(loglik: Callable[[np.ndarray], float], params: np.ndarray) -> np.ndarray:
    """Hessian of the total log-likelihood by central differences."""
    n = len(params)
    steps = 1e-4 * np.maximum(np.abs(params), 1e-3)
    hessian = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i = np.zeros(n)
            e_j = np.zeros(n)
            e_i[i] = steps[i]
            e_j[j] = steps[j]
            value = (loglik(params + e_i + e_j) - loglik(params + e_i - e_j)
                     - loglik(params - e_i + e_j) + loglik(params - e_i - e_j)) / (4 * steps[i] * steps[j])
            hessian[i, j] = hessian[j, i] = value
    return hessian


TransactionModelT = TypeVar("TransactionModelT", bound="TransactionModel")


class TransactionModel(_Model):
    """The purchase-count models' common base (BG/NBD, MBG/NBD, Pareto/NBD), for type hints.

    :func:`customer_lifetime_value`, :func:`calibration_report` and
    :func:`frequency_recency_matrix` take any of them; annotate a variable holding "some fitted
    purchase model" as ``TransactionModel``. Not meant to be fitted itself.
    """

    #: Whether :meth:`_thinning` takes a systematic sample of the customers (every k-th in
    #: the triples' order) instead of a seeded binomial draw per triple.
    _systematic_thinning: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self._data: lik.Triples | None = None

    def fit(
        self: TransactionModelT,
        data: Any = None,
        *,
        frequency: Any = None,
        recency: Any = None,
        T: Any = None,
        penalizer: float = 0.0,
        confidence: float = 0.95,
        initial: Sequence[float] | None = None,
    ) -> TransactionModelT:
        """Fit by maximum likelihood on the distinct (frequency, recency, T) triples.

        Parameters
        ----------
        data : DataFrame, optional
            A summary with ``frequency``, ``recency`` and ``T`` per customer (as from
            :func:`summary_from_transactions`), pandas, polars, pyarrow or lazy (reduced to
            its distinct triples in the engine); or pass the three arrays instead.
        frequency, recency, T : array-like, optional
            The summary as three numeric arrays of one length (not with ``data``).
        penalizer : float
            L2 penalty, >= 0: the objective is the mean negative log-likelihood plus
            ``penalizer * sum(params ** 2)`` (as in lifetimes), shrinking towards 0.
        confidence : float
            Level of the parameter intervals, in (0, 1).
        initial : sequence of float, optional
            Positive starting values, in the order of ``parameter_names``.

        Returns
        -------
        self
            With ``params_`` (columns ``parameter``, ``estimate``, ``se``, ``ci_low``,
            ``ci_high``; standard errors from the observed information, intervals Wald on the
            log scale), ``log_likelihood_`` (unpenalised) and ``n_customers_``.

        Raises
        ------
        ConvergenceError
            When the data cannot identify the model without a penalizer (one customer, no
            repeat purchases, every ``T`` = 0) or the optimiser stops without converging; the
            message says why.
        ValueRangeError, ColumnTypeError, ColumnNotFoundError
            For an empty summary, missing or non-numeric columns, values breaking the rules
            of :func:`summary_arrays` (named with a few examples), or a bad option.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo().fit(frequency=[0, 2, 5, 1, 0, 3, 0, 1], recency=[0, 10, 30, 4, 0, 20, 0, 33],
        ...                       T=[40, 38, 35, 30, 25, 39, 40, 36], penalizer=0.01)
        >>> bg.params_.columns.tolist()
        ['parameter', 'estimate', 'se', 'ci_low', 'ci_high']
        """
        penalizer, confidence, initial = _fit_options(penalizer, confidence, initial, self.parameter_names)
        x, t_x, big_t, count = summary_arrays(data, frequency=frequency, recency=recency, T=T)
        if len(x) == 0:
            raise ValueRangeError("data has no customers to fit (an empty summary)")
        self._data, _ = _distinct(x, t_x, big_t, count)
        backend = _backend_of(data)
        self._optimise(float(count.sum()), penalizer, confidence, backend, initial)
        return self

    def _triples(self) -> lik.Triples:
        assert self._data is not None
        return self._data

    def _has_training_data(self) -> bool:
        return self._data is not None

    def _training_counts(self) -> np.ndarray:
        return self._triples().count

    def _use_counts(self, counts: np.ndarray | None) -> None:
        full = self.__dict__.setdefault("_full", None) or self._data
        if counts is None:
            self._data, self._full = full, None
            return
        rows = counts > 0
        self._full = full
        assert full is not None
        self._data = full.subset(rows, counts[rows])

    def _degenerate(self) -> str | None:
        d = self._triples()
        if d.customers < 2:
            return "one customer cannot identify how purchase rates and dropout vary across customers"
        if not (d.T > 0).any():
            return "every customer has T = 0: no time was observed after any first purchase"
        if not (d.x > 0).any():
            return "no repeat purchases: the purchase rate and dropout are not identified"
        return None

    def _thinning(self) -> lik.Triples | None:
        """A seeded (or systematic, :attr:`_systematic_thinning`) thinning of the customers to
        about :meth:`_warm_start_size` of them (the same every call), or None when there is to
        be no warm start."""
        full = self._triples()
        size = self._warm_start_size()
        if size is None:
            return None
        share = size / full.customers
        if self._systematic_thinning:
            # every (1 / share)-th customer in the triples' order (by x, then the times): a
            # fifth of the binomial draw's cost, and the sample keeps the x distribution
            kept = np.diff(np.floor(np.cumsum(full.count) * share + 0.5), prepend=0.0)
        else:
            kept = np.random.default_rng(0).binomial(full.count.astype(np.int64), share)
        rows = np.flatnonzero(kept)  # positions, not a mask: the subset then gathers a few thousand rows
        return full.subset(rows, kept[rows])

    def _warm_start(self, start: np.ndarray, penalizer: float) -> np.ndarray:
        """Start from a quick fit on a seeded thinning of the customers when there are many.

        Only where the search starts changes, not the answer: the full-data fit then needs a
        few iterations instead of dozens, each costing a pass over all distinct triples.
        """
        thinned = self._thinning()
        return start if thinned is None else self._quick_fit(thinned, start, penalizer)[0]

    def _quick_fit(self, thinned: lik.Triples, start: np.ndarray,
                   penalizer: float) -> tuple[np.ndarray, _Optimum | None]:
        """The log parameters maximising the likelihood of ``thinned`` from ``start``, to the
        precision its sampling error allows (``start`` when that fails), and Newton's optimum
        there when it has one."""
        import scipy.optimize

        full = self._triples()
        customers = thinned.customers
        self._data = thinned
        try:
            if self._warm_start_size() is not None:
                # the thinned copy itself starts from a smaller one (:meth:`_warm_start_size`)
                start = self._warm_start(start, penalizer)
            if penalizer == 0 and self._on_ridge(np.exp(start)):
                return start, None  # Newton would stop there at once (the caller fits the ridge's limit)
            # A start needs no more precision than the thinning's sampling error allows.
            optimum = (self._newton(start, customers, penalizer, tolerance=1e-7)
                       if self.derivative_order == 2 else None)
            if optimum is not None:
                return np.log(optimum.params), optimum
            quick = scipy.optimize.minimize(
                self._objective(customers, penalizer), start, jac=bool(self.derivative_order),
                method="L-BFGS-B", options={"maxiter": 500, "ftol": 1e-10, "gtol": 1e-6},
            )
        finally:
            self._data = full
        return (quick.x if np.isfinite(quick.fun) else start), None

    def _warm_start_size(self) -> float | None:
        """Customers in the thinned copy :meth:`_warm_start` fits, or None for no warm start."""
        return WARM_START_CUSTOMERS if self._triples().customers > 2 * WARM_START_CUSTOMERS else None

    def _total_loglik(self, params: np.ndarray) -> float:
        d = self._triples()
        return float(np.einsum("i,i->", d.count, self._loglik(params, d)))

    def _loglik(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        raise NotImplementedError

    def _values(self, function: Callable[[np.ndarray, lik.Triples], np.ndarray], x: np.ndarray,
                t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        """``function(params, triples)`` per row of checked arrays (evaluated per distinct triple)."""
        theta = self._fitted()
        if not len(x):
            return np.zeros(0)
        d, inverse = _distinct(x, t_x, big_t, np.ones(len(x)))
        return function(theta, d)[inverse]

    def _predict(self, function: Callable[[np.ndarray, lik.Triples], np.ndarray], data: Any,
                 frequency: Any, recency: Any, T: Any, name: str, interval: IntervalOptions,
                 kind: str = "positive") -> Any:
        """Per customer ``function(params, triples)``, as a frame: the caller's (same library;
        lazy stays lazy) with ``name`` (and ``name_ci_low``, ``name_ci_high`` with a level)
        appended; for arrays, a pandas frame of the three arrays and those columns."""
        theta = self._fitted()
        names = interval_names(name, interval.confidence)
        check_free(data, names, f"{type(self).__name__}.{name}")

        def columns(d: lik.Triples) -> np.ndarray:
            if interval.confidence is None:
                return function(theta, d)[None]
            return np.stack(self._with_interval(lambda params: function(params, d), interval, kind))

        self._interval_ready(interval)
        if data is not None and _frame.is_lazy(data):
            return _frame.per_row_result(join_per_triple(data, names, columns))
        x, t_x, big_t, count = summary_arrays(data, frequency=frequency, recency=recency, T=T)
        if len(x):
            d, inverse = _distinct(x, t_x, big_t, count)
            values = columns(d)[:, inverse]
        else:
            values = np.zeros((len(names), 0))
        return attach_columns(data, dict(zip(names, values, strict=True)),
                              {"frequency": x, "recency": t_x, "T": big_t})

    def expected_purchases(self, data: Any = None, *, t: float, frequency: Any = None,
                           recency: Any = None, T: Any = None, confidence: float | None = None,
                           method: str = "delta", resamples: int = 200, seed: Any = 0) -> Any:
        """E[purchases in the next ``t`` time units | frequency, recency, T], per customer.

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency``, ``recency`` and ``T`` per customer (pandas, polars, pyarrow or
            lazy); or pass the three arrays instead.
        t : float
            Horizon, a finite number > 0 in the summary's time unit.
        frequency, recency, T : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds the interval's bounds.
        method : {"delta", "bootstrap"}
            Delta method from the parameter covariance (log scale), or the percentile interval
            over ``resamples`` refits on customers resampled with replacement (seeded by
            ``seed``; needs the training data, so not after pickling or ``from_parameters``).
        resamples : int
            Bootstrap refits, >= 20.
        seed : int or numpy.random.Generator
            Seed of the bootstrap.

        Returns
        -------
        DataFrame
            ``data`` (a new frame in its library; a lazy frame stays lazy, predicted once per
            distinct triple and joined back in the engine) with ``expected_purchases`` added,
            and with ``confidence`` also ``expected_purchases_ci_low`` and
            ``expected_purchases_ci_high``. From arrays: a pandas frame of ``frequency``,
            ``recency``, ``T`` and those columns. An empty summary gives an empty frame with
            the columns.

        Raises
        ------
        ColumnClashError
            When ``data`` already has a column of that name.
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo().fit(frequency=[0, 2, 5, 1, 0, 3, 0, 1, 4, 0],
        ...                       recency=[0, 10, 30, 4, 0, 20, 0, 33, 25, 0],
        ...                       T=[40, 38, 35, 30, 25, 39, 40, 36, 38, 30], penalizer=0.01)
        >>> out = bg.expected_purchases(t=10, frequency=[3], recency=[20], T=[39], confidence=0.95)
        >>> out.columns.tolist()[3:]
        ['expected_purchases', 'expected_purchases_ci_low', 'expected_purchases_ci_high']
        >>> bool(out["expected_purchases_ci_low"].iloc[0] < out["expected_purchases"].iloc[0]
        ...      < out["expected_purchases_ci_high"].iloc[0])
        True
        """
        horizon = _check_horizon(t)
        return self._predict(lambda params, d: self._expected(params, horizon, d), data, frequency,
                             recency, T, "expected_purchases",
                             IntervalOptions.make(confidence, method, resamples, seed))

    def probability_alive(self, data: Any = None, *, frequency: Any = None, recency: Any = None,
                          T: Any = None, confidence: float | None = None, method: str = "delta",
                          resamples: int = 200, seed: Any = 0) -> Any:
        """P(the customer is still active at T | frequency, recency, T), per customer.

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency``, ``recency`` and ``T`` per customer; or pass the three arrays.
        frequency, recency, T : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds the interval's bounds (delta method on the logit scale).
        method : {"delta", "bootstrap"}
            As in :meth:`expected_purchases`.
        resamples : int
            Bootstrap refits, >= 20.
        seed : int or numpy.random.Generator
            Seed of the bootstrap.

        Returns
        -------
        DataFrame
            As :meth:`expected_purchases`, with ``probability_alive`` (and
            ``probability_alive_ci_low``, ``probability_alive_ci_high``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bg.probability_alive(frequency=[0, 2], recency=[0, 30.43], T=[38.86, 38.86]).round(3)
           frequency  recency      T  probability_alive
        0        0.0     0.00  38.86              1.000
        1        2.0    30.43  38.86              0.727
        """
        return self._predict(lambda params, d: self._p_alive(params, d), data, frequency, recency, T,
                             "probability_alive", IntervalOptions.make(confidence, method, resamples, seed),
                             "probability")

    def probability_of_purchases(self, data: Any = None, *, n: int, t: float, frequency: Any = None,
                                 recency: Any = None, T: Any = None, confidence: float | None = None,
                                 method: str = "delta", resamples: int = 200, seed: Any = 0) -> Any:
        """P(exactly ``n`` purchases in the next ``t`` time units | frequency, recency, T).

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency``, ``recency`` and ``T`` per customer; or pass the three arrays.
        n : int
            Number of purchases, a whole number >= 0.
        t : float
            Horizon, a finite number > 0 in the summary's time unit.
        frequency, recency, T : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds the interval's bounds (logit scale).
        method : {"delta", "bootstrap"}
            As in :meth:`expected_purchases`.
        resamples : int
            Bootstrap refits, >= 20.
        seed : int or numpy.random.Generator
            Seed of the bootstrap.

        Returns
        -------
        DataFrame
            As :meth:`expected_purchases`, with ``probability_of_purchases`` (and its
            ``_ci_low``/``_ci_high``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> out = bg.probability_of_purchases(n=0, t=39, frequency=[0], recency=[0], T=[0])
        >>> round(float(out["probability_of_purchases"].iloc[0]), 7)
        0.5737864
        """
        count = check.whole(n, "n", low=0)
        horizon = _check_horizon(t)
        return self._predict(lambda params, d: self._pmf(params, count, horizon, d), data, frequency,
                             recency, T, "probability_of_purchases",
                             IntervalOptions.make(confidence, method, resamples, seed), "probability")

    def log_likelihood(self, data: Any = None, *, frequency: Any = None, recency: Any = None,
                       T: Any = None) -> float:
        """Total log-likelihood of the customers in ``data`` (or the three arrays) at the
        model's parameters, e.g. to compare another fitter's estimates on the same data.

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency``, ``recency`` and ``T`` per customer; or pass the three arrays.
        frequency, recency, T : array-like, optional
            The customers as three numeric arrays (not with ``data``).

        Returns
        -------
        float
            The sum over customers (0.0 for an empty summary).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bg.log_likelihood(frequency=[0, 2], recency=[0, 30.43], T=[38.86, 38.86]), 4)
        -10.0133
        """
        theta = self._fitted()
        x, t_x, big_t, count = summary_arrays(data, frequency=frequency, recency=recency, T=T)
        if not len(x):
            return 0.0
        d, _ = _distinct(x, t_x, big_t, count)
        return float(d.count @ self._loglik(theta, d))

    def expected_population_purchases(self, t: float) -> float:
        """E[purchases in ``t`` time units] of a randomly chosen new customer (first purchase at 0).

        Equals the conditional expectation at frequency = recency = T = 0 (FHL 2005a eq. 9 for
        BG/NBD; the MBG/NBD and Pareto/NBD analogues).

        Parameters
        ----------
        t : float
            Horizon, a finite number > 0.

        Returns
        -------
        float
            The expectation.
        """
        horizon = _check_horizon(t)
        zero = np.zeros(1)
        return float(self._values(lambda params, d: self._expected(params, horizon, d), zero, zero, zero)[0])

    def _new_customer_pmf(self, n: int, t: float) -> float:
        """P(exactly ``n`` purchases in ``t`` time units) for a new customer (frequency =
        recency = T = 0)."""
        count = check.whole(n, "n", low=0)
        horizon = _check_horizon(t)
        zero = np.zeros(1)
        return float(self._values(lambda params, d: self._pmf(params, count, horizon, d),
                                  zero, zero, zero)[0])

    def _expected(self, params: np.ndarray, t: float, d: lik.Triples) -> np.ndarray:
        raise NotImplementedError

    def _p_alive(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        raise NotImplementedError

    def _pmf(self, params: np.ndarray, n: int, t: float, d: lik.Triples) -> np.ndarray:
        raise NotImplementedError


class _BetaGeoFamily(TransactionModel):
    parameter_names = ("r", "alpha", "a", "b")
    derivative_order = 2
    ridge_family = "betageo"
    ridge_limits = True
    _dropouts_at_start: ClassVar[int] = 0
    _systematic_thinning = True

    def _restarts(self, params: np.ndarray) -> list[np.ndarray]:
        # the dropout mean a / (a + b) held, a (so a + b) spread over three decades
        r, alpha, a, b = params
        mean = a / (a + b)
        starts = [self._start()]
        for shape in (0.1, 1.0, 10.0):
            starts.append(np.array([r, alpha, shape, shape * (1.0 - mean) / mean]))
        return starts

    def _start(self) -> np.ndarray:
        d = self._triples()
        return np.array([1.0, max(float(np.einsum("i,i->", d.count, d.T)) / d.customers, 1e-3), 1.0, 1.0])

    def _warm_start(self, start: np.ndarray, penalizer: float) -> np.ndarray:
        """The best of a few starts spread over the mean dropout probability (on the seeded
        thinning when there are many customers), then the thinning's fit from there."""
        thinned = self._thinning()
        start = self._dropout_start(start, self._triples() if thinned is None else thinned, penalizer)
        if thinned is None:
            return start
        quick, optimum = self._quick_fit(thinned, start, penalizer)
        if optimum is not None and _relative_errors(optimum.hessian, optimum.params)[2:].max() > 1.0:
            # The thinning does not pin a + b down (its log a and log b uncertain by more than a
            # factor e): its estimates may lie far out along the flat ridge a, b -> inf, where the
            # full likelihood is not concave and Newton cannot move. Keep its purchase rates and
            # mean dropout probability, and start a + b mid-range (a = 1, or the thinning's a
            # where that is smaller: not out along the ridge).
            mean = optimum.params[2] / (optimum.params[2] + optimum.params[3])
            shape = min(float(optimum.params[2]), 1.0)
            quick = np.log([optimum.params[0], optimum.params[1], shape, shape * (1.0 - mean) / mean])
        return quick

    def _dropout_start(self, start: np.ndarray, d: lik.Triples, penalizer: float) -> np.ndarray:
        """Of ``start`` and the points a = 1, a / (a + b) in :data:`DROPOUT_MEANS` (r = 1 and
        alpha matching the purchase rate), the log parameters with the highest (penalised)
        log-likelihood on ``d``.

        From a = b = 1 (a dropout mean of 1/2) Newton's path to a panel where nearly nobody
        drops out (a mean near 1e-3, as on a grocery panel) runs out along the flat ridge
        a, b -> inf and stops there; from the right mean it reaches the maximum in a few
        steps. The likelihood values cost a fraction of one Newton pass.
        """
        purchases, exposure = (float(np.einsum("i,i->", d.count, v)) for v in (d.x, d.T))
        alpha = exposure / purchases if purchases > 0 and exposure > 0 else float(np.exp(start[1]))
        candidates = [start] + [np.log([1.0, alpha, 1.0, (1.0 - mean) / mean]) for mean in DROPOUT_MEANS]

        def objective(log_params: np.ndarray) -> float:
            params = np.exp(log_params)
            with np.errstate(all="ignore"):
                loglik = lik.betageo_total(params, d, self._dropouts_at_start)
            value = -loglik / d.customers + penalizer * float(params @ params)
            return value if np.isfinite(value) else np.inf

        return min(candidates, key=objective)

    def _ridge_supremum(self, index: int, params: np.ndarray) -> float | None:
        """Common dropout probability (a, b -> inf, a / (a + b) = p) or none at all (b -> inf):
        :func:`_dropout_limit_supremum` (remembered for the data and ``params``)."""
        direction = _ridges.RIDGES["betageo"][index].direction
        if direction[:2] != (0.0, 0.0):
            return None
        d = self._triples()
        memo: tuple[lik.Triples, bytes, dict[int, float | None]] | None = self.__dict__.get("_limit_memo")
        if memo is None or memo[0] is not d or memo[1] != params.tobytes():
            memo = (d, params.tobytes(), {})
            self.__dict__["_limit_memo"] = memo
        found = memo[2]
        if index not in found:
            r, alpha, a, b = params
            start = np.array([r, alpha, a / (a + b)])
            common = direction[2] != 0.0
            where, thresholds = self.__dict__.get("_limit_thresholds", (b"", ()))
            if where != params.tobytes():
                thresholds = ()
            upper = found.get(next(i for i, ridge in enumerate(_ridges.RIDGES["betageo"])
                                   if ridge.direction == (0.0, 0.0, 1.0, 1.0)))
            if not common and thresholds and upper is not None and upper <= thresholds[0]:
                # No dropout is the common-dropout limit at p = 0, so that limit's supremum
                # bounds it from above; at most the maximum, the common-dropout ridge (checked
                # first, here) has bounded a and b or found them unbounded, and the bound leads
                # :meth:`_finish` to the same conclusion as the no-dropout fit would.
                found[index] = upper
            else:
                found[index] = _dropout_limit_supremum(d, self._dropouts_at_start, start, common=common,
                                                       thresholds=thresholds)
        return found[index]

    def _finish(self, optimum: _Optimum, converged: bool, spread: np.ndarray, customers: float,
                penalizer: float, confidence: float, backend: Any) -> None:
        """As :meth:`_Model._finish`, with the limits' suprema searched only as precisely as
        its comparisons at ``optimum`` need: with the maximum (1e-9 relative) and with the
        maximum less z^2 / 2 (the interval's reach)."""
        loglik, z = optimum.loglik, _stats.z_quantile(confidence)
        self.__dict__["_limit_thresholds"] = (
            optimum.params.tobytes(), (loglik + 1e-9 * abs(loglik), loglik - z**2 / 2.0))
        try:
            super()._finish(optimum, converged, spread, customers, penalizer, confidence, backend)
        finally:
            del self.__dict__["_limit_thresholds"]

    def _check_ridge(self, index: int, params: np.ndarray, spread: np.ndarray, loglik: float,
                     z: float) -> bool:
        """The common-dropout ridge wherever the relative standard errors of a and b exceed
        1 / (z sqrt(2)) (0.36 at 95 %); no dropout at all, which is the common-dropout limit
        at p = 0 (so never above it), where the common-dropout limit's fit fails or rises above
        the maximum.

        Along the ridge the log-likelihood is smooth in 1 / a, L0 + c1 / a + c2 / a^2 near the
        limit L0; its maximum is then 1 / (2 s^2) above the limit, s being the relative standard
        error of a. In the 34 fits tried (grocery, CDNOW-like, daily, simulated large a and b;
        1,000 to 200,000 customers) the gap was 0.50 / s^2 or more, so the interval is unbounded
        above from about s = 1 / z on (a grocery panel of 200,000 households: MBG/NBD s = 0.72,
        the limit 0.99 below the maximum). The check starts where that gap is z^2, twice the
        reach.

        The no-dropout limit is the common-dropout limit at p = 0, so never above its supremum:
        where that supremum is at most the maximum, the common-dropout ridge (checked first)
        has already bounded a and b or found their interval unbounded, and the no-dropout limit
        can add nothing; it is fitted only where the common-dropout fit fails or rises above
        the maximum.
        """
        ridges = _ridges.RIDGES["betageo"]
        direction = ridges[index].direction
        if direction[:2] != (0.0, 0.0) or spread[2:].max() <= 1.0 / (z * np.sqrt(2.0)):
            return False
        if direction[2] != 0.0:
            return True
        common = next(i for i, ridge in enumerate(ridges) if ridge.direction == (0.0, 0.0, 1.0, 1.0))
        supremum = self._ridge_supremum(common, params)
        return supremum is None or supremum > loglik + 1e-9 * abs(loglik)

    def _loglik(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        return lik.betageo_loglik(params, d, self._dropouts_at_start)

    def _total_loglik(self, params: np.ndarray) -> float:
        return lik.betageo_total(params, self._triples(), self._dropouts_at_start)

    def _derivatives(self, params: np.ndarray, hessian: bool) -> tuple[float, np.ndarray, np.ndarray | None]:
        return lik.betageo_derivatives(params, self._triples(), self._dropouts_at_start, hessian)

    def _value_at_end(self, params: np.ndarray) -> tuple[float, np.ndarray | None]:
        # the value with the gradient: one pass instead of a value pass and a gradient pass
        loglik, gradient, _ = self._derivatives(params, hessian=False)
        return loglik, gradient

    def _expected(self, params: np.ndarray, t: float, d: lik.Triples) -> np.ndarray:
        return lik.betageo_expected(params, t, d.x, d.t_x, d.T, self._dropouts_at_start)

    def _p_alive(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        return lik.betageo_p_alive(params, d.x, d.t_x, d.T, self._dropouts_at_start)

    def _pmf(self, params: np.ndarray, n: int, t: float, d: lik.Triples) -> np.ndarray:
        return lik.betageo_pmf(params, n, t, d, self._dropouts_at_start)


class BetaGeo(_BetaGeoFamily):
    """BG/NBD (Fader, Hardie & Lee 2005): Poisson purchases at rate lambda ~ Gamma(r, alpha);
    after each repeat purchase the customer drops out with probability p ~ Beta(a, b).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> # Eight customers cannot pin the dropout rate down, so a small L2 penalty keeps a, b finite.
    >>> model = cx.BetaGeo().fit(frequency=[0, 2, 5, 1, 0, 3, 0, 1], recency=[0, 10, 30, 4, 0, 20, 0, 33],
    ...                          T=[40, 38, 35, 30, 25, 39, 40, 36], penalizer=0.01)
    >>> model.summary()["parameter"].tolist()
    ['r', 'alpha', 'a', 'b']
    >>> alive = model.probability_alive(frequency=[3], recency=[20], T=[39])
    >>> bool(0 < alive["probability_alive"].iloc[0] < 1)
    True
    """

    title = "BG/NBD"


class ModifiedBetaGeo(_BetaGeoFamily):
    """MBG/NBD (Batislam, Denizel & Filiztekin 2007): as BG/NBD, but a customer may also drop
    out right after the first purchase, so customers without repeat purchases can be inactive.
    """

    title = "MBG/NBD"
    _dropouts_at_start = 1


class ParetoNBD(TransactionModel):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): Poisson purchases at rate
    lambda ~ Gamma(r, alpha) and an exponential lifetime with rate mu ~ Gamma(s, beta).

    The likelihood's Gauss hypergeometric term is evaluated once per distinct (x, t) pair and
    kept in logs (Fader & Hardie 2005), so x in the thousands does not overflow.
    Where the likelihood rises towards s, beta -> inf (every customer dropping out at the same
    rate, as on a grocery panel), the fit maximises that limit directly and reports s and beta
    as not identified, at a point s = 1e10 where the model equals the limit.
    """

    title = "Pareto/NBD"
    parameter_names = ("r", "alpha", "s", "beta")
    derivative_order = 2
    ridge_family = "pareto"
    ridge_limits = True

    def _restarts(self, params: np.ndarray) -> list[np.ndarray]:
        # the mean dropout rate s / beta held, s spread over three decades
        r, alpha, s, beta = params
        starts = [self._start()]
        for shape in (0.1, 1.0, 10.0):
            starts.append(np.array([r, alpha, shape, shape * beta / s]))
        return starts

    def _start(self) -> np.ndarray:
        d = self._triples()
        mean_T = max(float(np.einsum("i,i->", d.count, d.T)) / d.customers, 1e-3)
        return np.array([1.0, mean_T, 1.0, mean_T])

    def _loglik(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        return lik.pareto_loglik(params, d)

    def _on_ridge(self, params: np.ndarray) -> bool:
        return not self.__dict__.get("_past_shape", False) and params[2] > RIDGE_SHAPE

    def _fit_limit(self, params: np.ndarray, customers: float) -> _ridges.Limit:
        """The limit s, beta -> inf (one dropout rate mu = s / beta), maximised from ``params``."""
        r, alpha, s, beta = params
        d = self._triples()

        def derivatives(phi: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
            value, gradient, hessian, slope = lik.pareto_limit_derivatives(phi, d)
            assert gradient is not None and hessian is not None
            return value, gradient, hessian, slope

        limit = _ridges.maximise_limit(derivatives, np.array([r, alpha, s / beta]), customers)
        if limit.converged:
            # the identification check after the fit asks for the same limit's maximum
            self._limit_fit = (d, limit)
        return limit

    def _ridge_supremum(self, index: int, params: np.ndarray) -> float | None:
        """Equal dropout rates (s, beta -> inf, s / beta fixed): the limit's maximum
        (:meth:`_fit_limit`); no dropout (beta -> inf): the NBD's (:func:`_dropout_limit_supremum`)."""
        direction = _ridges.RIDGES["pareto"][index].direction
        if direction == (0.0, 0.0, 1.0, 1.0):
            known = self.__dict__.get("_limit_fit")
            if known is not None and known[0] is self._triples():
                return known[1].loglik  # fitted on these data during the search (:meth:`_past_ridge`)
            limit = self._fit_limit(params, self._triples().customers)
            return limit.loglik if limit.converged else None
        if direction == (0.0, 0.0, 0.0, 1.0):
            return _dropout_limit_supremum(self._triples(), 0, params[:2], common=False)
        return None

    def _warm_start_size(self) -> float | None:
        """As for the other models, and also from 2,000 customers (a quarter of them) when they
        average 10 or more repeat purchases and the distinct (x, t) pairs outnumber three
        quarters of them (as on a grocery panel): each full pass then costs a hypergeometric
        term per customer, the search from the default start takes a dozen passes or more out
        along a ridge, and the thinned fit takes it there (or near the optimum) at a fraction
        of the cost."""
        d = self._triples()
        pairs = len(d.recency_pairs[0]) + len(d.age_pairs[0])
        purchases = float(np.einsum("i,i->", d.count, d.x)) / d.customers
        if d.customers > 2000 and pairs > 0.75 * d.customers and purchases >= 10:
            return min(float(WARM_START_CUSTOMERS), d.customers / 4.0)
        return super()._warm_start_size()

    def _warm_start(self, start: np.ndarray, penalizer: float) -> np.ndarray:
        warm = super()._warm_start(start, penalizer)
        # a quick fit that ran out along s, beta -> inf: the first run compares with that limit
        # before paying for any Hessian (:meth:`_run`)
        on_ridge = penalizer == 0 and RIDGE_SHAPE < np.exp(warm[2]) < lik.LIMIT_SHAPE
        self._ridge_start = warm if on_ridge else None
        return warm

    def _run(self, log_start: np.ndarray, customers: float, penalizer: float) -> _Optimum | None:
        ridge_start = self.__dict__.pop("_ridge_start", None)
        if ridge_start is not None and np.array_equal(ridge_start, log_start) and penalizer == 0:
            # Newton would stop at once (:meth:`_on_ridge`), its Hessian there serving only if the
            # limit is not the supremum: go to the limit with the value alone, and take the
            # derivatives at the start only if the fit ends there.
            start = np.exp(log_start)
            provisional = _Optimum(start, 0, self._total_loglik(start), np.full((4, 4), np.nan))
            reached = self._past_ridge(provisional, customers, penalizer)
            if reached is provisional:
                with np.errstate(all="ignore"):
                    loglik, gradient, hessian = self._derivatives(start, hessian=True)
                assert hessian is not None
                reached = _Optimum(start, 1, loglik, hessian, gradient)
            self._ridge_checked = reached  # the caller's _past_ridge has nothing left to do
            return reached
        if np.exp(log_start[2]) < lik.LIMIT_SHAPE or penalizer != 0:
            return super()._run(log_start, customers, penalizer)
        # a refit starting from a fit at the limit (a bootstrap replicate): that limit again
        start = np.exp(log_start)
        return self._past_ridge(_Optimum(start, 0, -np.inf, np.zeros((4, 4))), customers, penalizer)

    def _past_ridge(self, first: _Optimum | None, customers: float, penalizer: float,
                    final: bool = False) -> _Optimum | None:
        """Where the search stopped far along s, beta -> inf (s > :data:`RIDGE_SHAPE`; after the
        restarts, ``final``, beyond half that), fit the limit (one dropout rate mu for everybody)
        directly. If leaving it towards finite s
        lowers the likelihood (slope in 1 / s negative at 0), the supremum is that limit: the
        result is the point s = :data:`lik.LIMIT_POINT`, beta = s / mu, where the model equals
        the limit. Otherwise the maximum is at a finite s beyond the threshold: the run goes on
        from where it stopped (with ``final``, after the restarts, the point stays)."""
        threshold = RIDGE_SHAPE / 2.0 if final else RIDGE_SHAPE
        checked = self.__dict__.pop("_ridge_checked", None)
        if first is None or penalizer != 0 or first.params[2] <= threshold or first is checked:
            return first
        if first.at_ridge is not None:
            return first  # already the limit's maximum
        limit = self._fit_limit(first.params, customers)
        self._past_shape = True
        try:
            higher = limit.loglik >= first.loglik - 1e-9 * abs(first.loglik)
            if limit.converged and limit.slope <= 0 and higher:
                r, alpha, mu = limit.params
                far = np.array([r, alpha, lik.LIMIT_POINT, lik.LIMIT_POINT / mu])
                # the model's derivatives there are the limit's, already known at its maximum
                _, gradient, hessian = lik.pareto_derivatives_from_limit(
                    far, limit.loglik, limit.gradient, limit.hessian, limit.slope)
                assert hessian is not None
                ridge = next(i for i, found in enumerate(_ridges.RIDGES["pareto"])
                             if found.direction == (0.0, 0.0, 1.0, 1.0))
                # relative standard errors of r, alpha and mu from the limit's information; s and
                # beta move with mu on the no-dropout ridge, so they get mu's
                information = -(limit.hessian * np.outer(limit.params, limit.params))
                spread = np.sqrt(np.abs(np.diag(np.linalg.pinv(information))))
                return _Optimum(far, first.iterations + limit.iterations, limit.loglik, hessian, gradient,
                                at_ridge=ridge, spread=np.array([spread[0], spread[1], spread[2], spread[2]]))
            if final:
                return first
            restart = first.params if first.params[2] < lik.LIMIT_SHAPE else self._start()
            onward = self._run(np.log(self._along_ridge(restart, limit)), customers, penalizer)
        finally:
            self._past_shape = False
        if onward is None or onward.loglik < first.loglik:
            return first
        return dataclasses.replace(onward, iterations=first.iterations + limit.iterations + onward.iterations)

    def _finish(self, optimum: _Optimum, converged: bool, spread: np.ndarray, customers: float,
                penalizer: float, confidence: float, backend: Any) -> None:
        try:
            super()._finish(optimum, converged, spread, customers, penalizer, confidence, backend)
        finally:
            # the search's bookkeeping (the limit fit holds the training triples): not kept
            for name in ("_limit_fit", "_ridge_start", "_ridge_checked"):
                self.__dict__.pop(name, None)

    def _along_ridge(self, point: np.ndarray, limit: _ridges.Limit) -> np.ndarray:
        """Where the run goes on from when the limit is not the supremum: the best by value of
        ``point`` and the points with s = 0.01, 0.03, ..., 3 at the mean dropout rate s / beta
        of ``point`` or of the limit (r and alpha of each). Along s, beta -> inf the likelihood
        is nearly flat in log s, so Newton from a large s creeps towards a maximum at a
        smaller s, a pass over the data per step; a dozen evaluations of the value (each a
        fraction of a pass) skip the creeping."""
        candidates = [point]
        for r, alpha, mu in ((point[0], point[1], point[2] / point[3]), tuple(limit.params)):
            if np.isfinite([r, alpha, mu]).all() and mu > 0:
                candidates += [np.array([r, alpha, shape, shape / mu]) for shape in RIDGE_SHAPES]
        with np.errstate(all="ignore"):
            values = np.array([self._total_loglik(candidate) for candidate in candidates])
        return candidates[int(np.argmax(np.where(np.isfinite(values), values, -np.inf)))]

    def _derivatives(self, params: np.ndarray, hessian: bool) -> tuple[float, np.ndarray, np.ndarray | None]:
        return lik.pareto_derivatives(params, self._triples(), hessian)

    def _expected(self, params: np.ndarray, t: float, d: lik.Triples) -> np.ndarray:
        return lik.pareto_expected(params, t, d)

    def _p_alive(self, params: np.ndarray, d: lik.Triples) -> np.ndarray:
        return lik.pareto_p_alive(params, d)

    def _pmf(self, params: np.ndarray, n: int, t: float, d: lik.Triples) -> np.ndarray:
        return lik.pareto_pmf(params, n, t, d)


class GammaGamma(_Model):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; Colombo & Jiang 1999).

    Each transaction's value is Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers, so a
    customer's mean spend shrinks towards the population mean the fewer purchases it rests on.
    Fitted on customers with at least one repeat purchase; the others are excluded with an
    :class:`~cxmetrics.errors.ExcludedDataWarning` giving their number, because their
    ``monetary`` (the mean of repeat purchases) is undefined.
    """

    _spend: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    title = "Gamma-Gamma"
    parameter_names = ("p", "q", "gamma")
    derivative_order = 2
    ridge_family = "gamma_gamma"

    def _has_training_data(self) -> bool:
        return self._spend is not None

    def _training_counts(self) -> np.ndarray:
        assert self._spend is not None
        return self._spend[2]

    def _use_counts(self, counts: np.ndarray | None) -> None:
        full = self.__dict__.setdefault("_full", None) or self._spend
        assert full is not None
        if counts is None:
            self._spend, self._full = full, None
            return
        rows = counts > 0
        self._full = full
        self._spend = (full[0][rows], full[1][rows], counts[rows])

    def _degenerate(self) -> str | None:
        assert self._spend is not None
        _, m, count = self._spend
        if count.sum() < 2:
            return "one repeat buyer cannot identify the spread of spend across customers"
        if len(np.unique(m)) == 1:
            return (f"every repeat buyer has the same mean spend ({m[0]:g}): the spread of spend within "
                    f"and across customers (p, q) is not identified")
        return None

    def _restarts(self, params: np.ndarray) -> list[np.ndarray]:
        p, q, g = params
        mean = g / max(q - 1.0, 1e-3)
        return [self._start()] + [np.array([p, shape, mean * (shape - 1.0)]) for shape in (2.0, 5.0, 25.0)]

    def __init__(self) -> None:
        super().__init__()
        self._spend = None

    def fit(
        self,
        data: Any = None,
        *,
        frequency: Any = None,
        monetary: Any = None,
        penalizer: float = 0.0,
        confidence: float = 0.95,
        initial: Sequence[float] | None = None,
    ) -> GammaGamma:
        """Fit on repeat buyers' (frequency, monetary).

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency`` (repeat purchases) and ``monetary`` (their mean value) per customer,
            eager or lazy; or pass the two arrays.
        frequency, monetary : array-like, optional
            The customers as two numeric arrays (not with ``data``).
        penalizer : float
            L2 penalty, >= 0 (as in :meth:`BetaGeo.fit`).
        confidence : float
            Level of the parameter intervals, in (0, 1).
        initial : sequence of float, optional
            Positive starting values for (p, q, gamma).

        Returns
        -------
        self
            With ``params_`` (``parameter``, ``estimate``, ``se``, ``ci_low``, ``ci_high``),
            ``log_likelihood_`` and ``n_customers_`` (repeat buyers used).

        Raises
        ------
        ConvergenceError
            Without a penalizer, when one repeat buyer or identical mean spends cannot
            identify the spread of spend, or when the optimiser does not converge.
        ValueRangeError
            For no repeat buyers, monetary <= 0 among them, or non-finite values.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> gg = cx.GammaGamma().fit(frequency=[1, 2, 3, 4, 5, 2], monetary=[30.0, 20, 35, 25, 28, 22],
        ...                          penalizer=0.01)
        >>> gg.params_["parameter"].tolist()
        ['p', 'q', 'gamma']
        """
        penalizer, confidence, initial = _fit_options(penalizer, confidence, initial, self.parameter_names)
        x, m, weight = _spend_arrays(data, frequency, monetary)
        repeat = x > 0
        n_zero = int(weight[~repeat].sum())
        if not repeat.any():
            raise ValueRangeError("Gamma-Gamma needs customers with repeat purchases (frequency > 0); "
                                  f"none of the {n_zero} customers have any")
        if n_zero:
            warnings.warn(
                f"excluded {n_zero} customers with no repeat purchase from the Gamma-Gamma fit "
                f"(their mean repeat spend is undefined); expected_spend gives them the "
                f"population mean", ExcludedDataWarning, stacklevel=2)
        x, m, weight = x[repeat], m[repeat], weight[repeat]
        if (m <= 0).any():
            raise ValueRangeError(
                f"summary column 'monetary' must be > 0 for repeat buyers; {int(weight[m <= 0].sum())} "
                f"are not, for example {format_examples(m[m <= 0])}"
            )
        _checks.warn_if_dependent(x, m, weight)
        keys, inverse = np.unique(np.column_stack([x, m]), axis=0, return_inverse=True)
        count = np.bincount(inverse.ravel(), weights=weight, minlength=len(keys))
        self._spend = (keys[:, 0], keys[:, 1], count)
        self._optimise(float(weight.sum()), penalizer, confidence, _backend_of(data), initial)
        return self

    check_independence = staticmethod(_checks.check_independence)

    def _start(self) -> np.ndarray:
        assert self._spend is not None
        _, m, count = self._spend
        return np.array([1.0, 2.0, max(float(count @ m / count.sum()), 1e-3)])

    def _total_loglik(self, params: np.ndarray) -> float:
        assert self._spend is not None
        x, m, count = self._spend
        return float(count @ lik.gamma_gamma_loglik(params, x, m))

    def _derivatives(self, params: np.ndarray, hessian: bool) -> tuple[float, np.ndarray, np.ndarray | None]:
        assert self._spend is not None
        return (self._total_loglik(params), *lik.gamma_gamma_derivatives(params, *self._spend, hessian))

    def expected_spend(
        self, data: Any = None, *, frequency: Any = None, monetary: Any = None,
        confidence: float | None = None, method: str = "delta", resamples: int = 200, seed: Any = 0,
    ) -> Any:
        """E[value of a transaction | frequency, monetary], per customer (FHL 2005b eq. 5).

        Customers without repeat purchases get the population mean ``p gamma / (q - 1)``
        (their ``monetary`` is ignored).

        Parameters
        ----------
        data : DataFrame, optional
            ``frequency`` and ``monetary`` per customer (pandas, polars, pyarrow or lazy); or
            pass the two arrays.
        frequency, monetary : array-like, optional
            The customers as two numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds ``expected_spend_ci_low`` and ``expected_spend_ci_high``.
        method : {"delta", "bootstrap"}
            Delta method on the log scale with the exact gradient of eq. 5 in (p, q, gamma),
            or the percentile interval over ``resamples`` refits on resampled repeat buyers
            (seeded by ``seed``; eager data only).
        resamples : int
            Bootstrap refits, >= 20.
        seed : int or numpy.random.Generator
            Seed of the bootstrap.

        Returns
        -------
        DataFrame
            ``data`` (a new frame in its library; lazy stays lazy) with ``expected_spend``
            (and the two bounds with ``confidence``); from arrays, a pandas frame of
            ``frequency``, ``monetary`` and those columns. Empty in, empty out.

        Raises
        ------
        ColumnClashError
            When ``data`` already has a column of a result's name.
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> x = rng.integers(1, 8, 500)
        >>> customer_mean = 20 * rng.gamma(4.0, 0.25, 500)  # mean spend varies across customers
        >>> monetary = rng.gamma(6.0 * x, customer_mean / (6.0 * x))  # the mean of x Gamma(6) spends
        >>> gg = cx.GammaGamma().fit(frequency=x, monetary=monetary)
        >>> out = gg.expected_spend(frequency=[2], monetary=[30.0], confidence=0.9)
        >>> out.columns.tolist()
        ['frequency', 'monetary', 'expected_spend', 'expected_spend_ci_low', 'expected_spend_ci_high']
        """
        params = self._fitted()
        interval = IntervalOptions.make(confidence, method, resamples, seed)
        names = interval_names("expected_spend", interval.confidence)
        check_free(data, names, "GammaGamma.expected_spend")
        self._interval_ready(interval)
        if data is not None and _frame.is_lazy(data):
            frame = _checked_frame(data, SPEND_COLUMNS)
            _check_spend_rows(frame)
            if interval.confidence is not None and interval.method == "bootstrap":
                raise ValueRangeError("method='bootstrap' needs an eager summary for expected_spend; "
                                      "use method='delta' on a lazy one")
            return _frame.per_row_result(frame.with_columns(*spend_expressions(
                params, None if interval.confidence is None else self._covariance(), interval.confidence,
                names)))
        x, m, _ = _spend_arrays(data, frequency, monetary)
        m = np.where(x > 0, m, 0.0)
        if interval.confidence is None:
            columns: Sequence[Any] = (lik.gamma_gamma_expected(params, x, m),)
        elif interval.method == "delta":
            columns = _spend_delta(params, self._covariance(), x, m,
                                   _stats.z_quantile(interval.confidence), np.exp)
        else:
            columns = self._with_interval(lambda theta: lik.gamma_gamma_expected(theta, x, m), interval,
                                          "positive")
        return attach_columns(data, dict(zip(names, columns, strict=True)),
                              {"frequency": x, "monetary": m})


def spend_expressions(params: np.ndarray, covariance: np.ndarray | None, confidence: float | None,
                      names: Sequence[str]) -> list[Any]:
    """Expected spend (and its delta-method bounds) as column expressions on ``frequency`` and
    ``monetary``, evaluated in the caller's engine."""
    repeats, mean_spend = nw.col("frequency").cast(nw.Float64), nw.col("monetary").cast(nw.Float64)
    kept = nw.when(repeats > 0).then(mean_spend).otherwise(0.0)
    if confidence is None:
        return [lik.gamma_gamma_expected(params, repeats, kept).alias(names[0])]
    assert covariance is not None
    bounds = _spend_delta(params, covariance, repeats, kept, _stats.z_quantile(confidence),
                          lambda v: v.exp())
    return [value.alias(name) for name, value in zip(names, bounds, strict=True)]


def spend_moments(params: np.ndarray, covariance: np.ndarray, x: Any, m: Any) -> tuple[Any, Any]:
    """Expected spend and its delta-method variance, by plain arithmetic (so on arrays or on a
    lazy engine's column expressions).

    With f = (gamma + m x) p / D, D = p x + q - 1: df/dp = (gamma + m x)(q - 1) / D^2,
    df/dq = -(gamma + m x) p / D^2, df/dgamma = p / D.
    """
    p, q, g = (float(v) for v in params)
    total = g + m * x
    denominator = p * x + q - 1.0
    estimate = total * p / denominator
    grad = (total * (q - 1.0) / denominator**2, -total * p / denominator**2, p / denominator)
    variance = sum(grad[i] * grad[j] * float(covariance[i, j]) for i in range(3) for j in range(3))
    return estimate, variance


def _spend_delta(params: np.ndarray, covariance: np.ndarray, x: Any, m: Any, z: float,
                 exp: Callable[[Any], Any]) -> tuple[Any, Any, Any]:
    """Expected spend with its delta-method bounds on the log scale (:func:`spend_moments`)."""
    estimate, variance = spend_moments(params, covariance, x, m)
    spread = exp(variance**0.5 * z / estimate)
    return estimate, estimate / spread, estimate * spread


def _check_spend_rows(frame: _frame.Frame) -> None:
    """The checks of :func:`_spend_arrays` as one counting pass in the engine; only when some
    rows break them are those rows (few) grouped, for :func:`_spend_arrays` to report."""
    x, m = (nw.col(c).cast(nw.Float64) for c in SPEND_COLUMNS)
    bad = (x.is_null() | m.is_null() | ~x.is_finite() | ~m.is_finite() | (x < 0)
           | (x != x.round(0)) | ((x > 0) & (m < 0)))
    if _frame.count_rows(frame.filter(bad)):
        _spend_arrays(frame.filter(bad).to_native(), None, None)


def _spend_arrays(data: Any, frequency: Any, monetary: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, monetary) and the customers each row stands for (distinct pairs with their
    counts for a lazy summary, computed in the engine)."""
    _data_or_arrays(data, {"frequency": frequency, "monetary": monetary})
    count = None
    if data is not None:
        frame = _checked_frame(data, SPEND_COLUMNS)
        if isinstance(frame, nw.LazyFrame):
            frame = _frame.distinct_counts(frame, SPEND_COLUMNS)
            count = frame[_frame.COUNT].to_numpy()
        frequency, monetary = frame["frequency"].to_numpy(), frame["monetary"].to_numpy()
    x = numeric_array(frequency, "frequency")
    m = numeric_array(monetary, "monetary")
    if len(x) != len(m):
        raise ValueRangeError(f"frequency and monetary differ in length: {len(x)}, {len(m)}")
    count = np.ones(len(x)) if count is None else np.asarray(count, dtype=np.float64)
    bad = ~np.isfinite(x) | (x < 0) | (x != np.round(x)) | ~np.isfinite(m)
    if bad.any():
        raise ValueRangeError(
            f"frequency must be whole numbers >= 0 and monetary finite; {int(count[bad].sum())} customers "
            f"are not, for example frequency {format_examples(x[bad])}, monetary {format_examples(m[bad])}"
        )
    negative = (x > 0) & (m < 0)
    if negative.any():
        raise ValueRangeError(
            f"summary column 'monetary' must be >= 0 for repeat buyers (frequency > 0); "
            f"{int(count[negative].sum())} customers are not, for example {format_examples(m[negative])}")
    return x, m, count


def _distinct(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray,
              weight: np.ndarray) -> tuple[lik.Triples, np.ndarray]:
    """Collapse rows (customers, or triples with counts ``weight``) to distinct triples with
    counts, and each row's triple (triples ordered by their x, t_x and T codes)."""
    x_values, x_index = lik.factorize(x)
    t_values, t_index = lik.factorize(t_x)
    T_values, T_index = lik.factorize(big_t)
    # x paired with the coordinate of more distinct values first, then the other: both codes
    # stay in a small range (for the triples' about 16 times the rows or less on real panels),
    # indexed without hashing
    (first, first_index), (second, second_index) = sorted(
        [(t_values, t_index), (T_values, T_index)], key=lambda pair: -len(pair[0]))
    pair_values, pair_index = lik.factorize(x_index * len(first) + first_index, sort=False)
    distinct, inverse = lik.factorize(pair_index * len(second) + second_index, sort=False, span=16)
    count = np.bincount(inverse, weights=weight, minlength=len(distinct))
    pair, second_code = pair_values[distinct // len(second)], distinct % len(second)
    x_code, first_code = pair // len(first), pair % len(first)
    t_code, T_code = (first_code, second_code) if first is t_values else (second_code, first_code)
    triples = lik.Triples(x_values[x_code], t_values[t_code], T_values[T_code], count,
                          x_values, x_code, t_values, t_code, T_values, T_code)
    return triples, inverse


def _check_horizon(t: Any, name: str = "t") -> float:
    return check.number(t, name, low=0.0, low_open=True)


def _fit_options(penalizer: Any, confidence: Any, initial: Any,
                 names: Sequence[str]) -> tuple[float, float, list[float] | None]:
    """The options every fit shares, checked: penalizer >= 0, confidence in (0, 1), and
    initial values (positive, one per parameter)."""
    penalizer = check.number(penalizer, "penalizer", low=0.0)
    confidence = check.confidence(confidence)
    if initial is None:
        return penalizer, confidence, None
    if isinstance(initial, (str, bytes, Mapping)) or not isinstance(initial, (Sequence, np.ndarray)):
        raise ValueRangeError(f"initial must be a sequence of {len(names)} positive numbers "
                              f"({', '.join(names)}), got {initial!r}")
    values = [check.number(v, f"initial[{i}]", low=0.0, low_open=True) for i, v in enumerate(initial)]
    if len(values) != len(names):
        raise ValueRangeError(
            f"initial must hold {len(names)} values ({', '.join(names)}), got {len(values)}")
    return penalizer, confidence, values


def _backend_of(data: Any) -> Any:
    if data is None:
        import pandas  # the arrays-in path: a pandas parameter table

        return pandas
    return _frame.eager_implementation(_frame.from_native(data))
