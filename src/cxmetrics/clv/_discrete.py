"""BG/BB: beta-geometric/beta-Bernoulli model for discrete transaction opportunities.

Fader, Hardie & Shang (2010) "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6). While alive, a customer transacts at each opportunity with
probability ``p ~ Beta(alpha, beta)``; at the start of each opportunity a living customer dies
with probability ``theta ~ Beta(gamma, delta)``. A customer is summarised by ``frequency``
(x, transactions in the ``n_periods`` opportunities after the first), ``recency`` (t_x, the
opportunity of the last one, 0 without any) and ``n_periods`` (n). With
``A(i, j) = B(alpha + i, beta + j) / B(alpha, beta)`` and
``G(i, j) = B(gamma + i, delta + j) / B(gamma, delta)``:

- likelihood (eq. 5): ``L = A(x, n - x) G(0, n) + sum_{i=0}^{n - t_x - 1} A(x, t_x - x + i) G(1, t_x + i)``;
- P(alive at opportunity n + 1) (eq. 11): ``A(x, n - x) G(0, n + 1) / L``;
- expected transactions in the next ``n*`` opportunities (eq. 13, written as the finite sum it
  is): ``A(x + 1, n - x) sum_{j=1}^{n*} G(0, n + j) / L``;
- P(k transactions in the next ``n*``): alive at n and then alive for ``s`` more
  opportunities (dying at the next, ``G(1, n + s)``, or surviving them all, ``G(0, n + n*)``),
  with ``k`` of the ``s`` taken: ``sum_{s=k}^{n*} C(s, k) A(x + k, n - x + s - k) G(., .) / L``,
  plus, for ``k = 0``, the likelihood's terms of dying before n (derived from the model's
  definition in section 2 of the paper; it sums to 1 and has the mean above).

Every term is a product of beta ratios, so gradients in the parameters are exact (digamma
differences): the fit uses them and their Hessian, and prediction intervals use the delta method
with the gradient of each prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.clv._fit import (
    CohortModel,
    Fit,
    by_groups,
    delta_interval,
    log_beta_ratio,
    log_sum,
    whole_numbers,
    z_value,
)
from cxmetrics.clv._models import numeric_array
from cxmetrics.errors import ValueRangeError, format_examples

COLUMNS = ("frequency", "recency", "n_periods")


class Rows:
    """Distinct (x, t_x, n) with how many customers each stands for."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, n: np.ndarray, count: np.ndarray) -> None:
        self.x, self.t_x, self.n, self.count = x, t_x, n, count


def _terms(
    params: np.ndarray,
    i_ab: np.ndarray,
    j_ab: np.ndarray,
    i_gd: np.ndarray,
    j_gd: np.ndarray,
    valid: np.ndarray,
    hessian: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """log A(i_ab, j_ab) + log G(i_gd, j_gd) per cell, gradient (..., 4), Hessian (..., 4, 4);
    cells not ``valid`` are -inf."""
    alpha, beta, gamma, delta = params
    fill = np.where(valid, 1.0, 0.0)  # harmless arguments in absent cells
    a, a_grad, a_hess = log_beta_ratio(alpha, beta, np.where(valid, i_ab, 0.0), np.where(valid, j_ab, fill))
    g, g_grad, g_hess = log_beta_ratio(gamma, delta, np.where(valid, i_gd, 0.0), np.where(valid, j_gd, fill))
    value = np.where(valid, a + g, -np.inf)
    grad = np.concatenate([a_grad, g_grad], axis=-1)
    if not hessian:
        return value, grad, None
    hess = np.zeros((*value.shape, 4, 4))
    hess[..., :2, :2] = a_hess
    hess[..., 2:, 2:] = g_hess
    return value, grad, hess


def log_likelihood_terms(
    params: np.ndarray, d: Rows, hessian: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The cells of eq. 5 as (terms, rows): the alive term first, then dying after t_x + i."""
    gap = (d.n - d.t_x).astype(np.int64)
    i = np.arange(max(int(gap.max()), 0))[:, None]
    alive = _terms(params, d.x, d.n - d.x, np.zeros(len(d.x)), d.n, np.ones(len(d.x), bool), hessian)
    dead = _terms(
        params,
        np.broadcast_to(d.x, (len(i), len(d.x))),
        d.t_x - d.x + i,
        np.ones((len(i), len(d.x))),
        d.t_x + i,
        i < gap,
        hessian,
    )
    return tuple(  # type: ignore[return-value]
        None if a is None else np.concatenate([a[None], b], axis=0) for a, b in zip(alive, dead, strict=True)
    )


def log_likelihood(
    params: np.ndarray, d: Rows, hessian: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """log L per row with its gradient (rows, 4) and Hessian (rows, 4, 4)."""
    return log_sum(*log_likelihood_terms(params, d, hessian))


def log_p_alive(params: np.ndarray, d: Rows) -> tuple[np.ndarray, np.ndarray]:
    top, top_grad, _ = _terms(
        params, d.x, d.n - d.x, np.zeros(len(d.x)), d.n + 1.0, np.ones(len(d.x), bool), False
    )
    total, total_grad, _ = log_likelihood(params, d)
    return top - total, top_grad - total_grad


def log_expected(params: np.ndarray, periods: int, d: Rows) -> tuple[np.ndarray, np.ndarray]:
    j = np.arange(1, periods + 1)[:, None]
    shape = (len(j), len(d.x))
    terms = _terms(
        params,
        np.broadcast_to(d.x + 1.0, shape),
        np.broadcast_to(d.n - d.x, shape),
        np.zeros(shape),
        d.n + j,
        np.ones(shape, bool),
        False,
    )
    top, top_grad, _ = log_sum(terms[0], terms[1])
    total, total_grad, _ = log_likelihood(params, d)
    return top - total, top_grad - total_grad


def log_pmf(params: np.ndarray, k: int, periods: int, d: Rows) -> tuple[np.ndarray, np.ndarray]:
    from scipy.special import gammaln

    s = np.arange(k, periods + 1)[:, None]
    shape = (len(s), len(d.x))
    last = s == periods
    value, grad, _ = _terms(
        params,
        np.broadcast_to(d.x + k, shape),
        d.n - d.x + s - k,
        np.where(last, 0.0, 1.0) + np.zeros(shape),
        d.n + s,
        np.ones(shape, bool),
        False,
    )
    value = value + (gammaln(s + 1.0) - gammaln(k + 1.0) - gammaln(s - k + 1.0))
    if k == 0:  # or dead before n: the likelihood's own terms after the first
        dead_value, dead_grad, _ = log_likelihood_terms(params, d, False)
        value = np.concatenate([value, dead_value[1:]], axis=0)
        grad = np.concatenate([grad, dead_grad[1:]], axis=0)
    top, top_grad, _ = log_sum(value, grad)
    total, total_grad, _ = log_likelihood(params, d)
    return top - total, top_grad - total_grad


class BetaGeoBetaBinom(CohortModel):
    """BG/BB (Fader, Hardie & Shang 2010) for customers with discrete transaction opportunities
    (yearly donations, weekly visits to a class, annual events).

    Examples
    --------
    Simulated donors, six yearly opportunities after the first gift:

    >>> import numpy as np, pandas as pd
    >>> import cxmetrics as cx
    >>> rng = np.random.default_rng(7)
    >>> p, theta = rng.beta(1.2, 0.75, 2000), rng.beta(0.66, 2.8, 2000)
    >>> alive = np.arange(1, 7) < rng.geometric(theta)[:, None]   # dies at the start of an opportunity
    >>> gave = alive & (rng.random((2000, 6)) < p[:, None])
    >>> x = gave.sum(axis=1)
    >>> panel = pd.DataFrame({"frequency": x, "recency": np.where(x > 0, 6 - gave[:, ::-1].argmax(axis=1), 0),
    ...                       "n_periods": 6})
    >>> model = cx.BetaGeoBetaBinom().fit(panel)
    >>> model.params_["estimate"].round(2).tolist()
    [1.22, 0.74, 0.62, 2.68]
    >>> model.summary()["parameter"].tolist()
    ['alpha', 'beta', 'gamma', 'delta']
    >>> alive = model.probability_alive(frequency=[3], recency=[6], n_periods=[6])
    >>> bool(0 < alive["probability_alive"].iloc[0] < 1)
    True
    """

    parameter_names = ("alpha", "beta", "gamma", "delta")
    title = "BG/BB"

    def fit(
        self,
        data: Any = None,
        *,
        frequency: Any = None,
        recency: Any = None,
        n_periods: Any = None,
        count: Any = None,
        by: str | Sequence[str] | None = None,
        confidence: float = 0.95,
    ) -> BetaGeoBetaBinom:
        """Fit by maximum likelihood (eq. 5) on the distinct (frequency, recency, n_periods).

        Parameters
        ----------
        data : DataFrame, optional
            Columns ``frequency`` (transactions after the first opportunity), ``recency``
            (the opportunity of the last one, 0 without any) and ``n_periods`` (opportunities
            observed), one row per customer or, with ``count``, per group of alike customers.
            Eager or lazy (a lazy summary is reduced to its distinct rows in the engine).
            Or pass the three arrays.
        frequency, recency, n_periods : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        count : str or array, optional
            Customers each row stands for: a column of ``data``, or an array beside the
            arrays. Whole numbers >= 0. Default 1 per row.
        by : str or list of str, optional
            Cohort columns of ``data`` (acquisition year, campaign): one fit per combination
            of values, in this call.
        confidence : float
            Level of the parameter intervals in (0, 1) (Wald on the log scale, z = 1.960 at
            0.95).

        Returns
        -------
        self
            With ``params_`` (the ``by`` columns when given, ``parameter``, ``estimate``,
            ``se``, ``ci_low``, ``ci_high``, ``identified``), ``log_likelihood_`` and
            ``n_customers_``.

        Raises
        ------
        ConvergenceError
            When the likelihood has no interior maximum on these data (for example nobody
            ever lapses) or the search does not converge; the message names the parameters.
        ValueRangeError
            For an empty summary, or values breaking the model's rules (named, with examples).
        """
        z_value(confidence)
        _both(data, frequency, recency, n_periods)
        self.by_ = _frame.as_list(by)
        groups, backend = _rows(data, frequency, recency, n_periods, count, self.by_)
        fits: dict[Any, Fit] = {}
        for key, d in groups:

            def derivatives(params: np.ndarray, d: Rows = d) -> tuple[float, np.ndarray, np.ndarray]:
                return _total_derivatives(params, d)

            fits[key] = self._fit_one(derivatives, _STARTS, float(d.count.sum()), key)
        self._store(fits, self.by_, backend, confidence)
        return self

    # -- predictions ------------------------------------------------------------------------
    def probability_alive(
        self,
        data: Any = None,
        *,
        frequency: Any = None,
        recency: Any = None,
        n_periods: Any = None,
        confidence: float | None = None,
    ) -> Any:
        """P(alive at opportunity n_periods + 1 | frequency, recency, n_periods), eq. 11.

        Parameters
        ----------
        data : DataFrame, optional
            As in :meth:`fit` (fitted with ``by``, ``data`` must hold the ``by`` columns).
        frequency, recency, n_periods : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds a delta-method interval (logit scale).

        Returns
        -------
        DataFrame
            ``data`` as a new frame in its library with ``probability_alive`` added (and
            ``probability_alive_ci_low``, ``probability_alive_ci_high`` with ``confidence``);
            from arrays, a pandas frame of ``frequency``, ``recency``, ``n_periods`` and those
            columns. A lazy summary stays lazy, predicted once per distinct row and joined back
            in the engine. Empty in, empty out; a clashing column raises
            :class:`~cxmetrics.errors.ColumnClashError`. The same holds for the other
            predictions.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bgbb = cx.BetaGeoBetaBinom.from_parameters(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> out = bgbb.probability_alive(frequency=[3], recency=[6], n_periods=[6])
        >>> out.columns.tolist()
        ['frequency', 'recency', 'n_periods', 'probability_alive']
        """
        return self._predict(
            data, frequency, recency, n_periods, "probability_alive", confidence, True, log_p_alive
        )

    def expected_purchases(
        self,
        data: Any = None,
        *,
        periods: int,
        frequency: Any = None,
        recency: Any = None,
        n_periods: Any = None,
        confidence: float | None = None,
    ) -> Any:
        """E[transactions in the next ``periods`` opportunities | frequency, recency, n_periods]
        (eq. 13).

        Parameters
        ----------
        data : DataFrame, optional
            As in :meth:`fit`.
        periods : int
            Future opportunities, a whole number >= 1.
        frequency, recency, n_periods : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds a delta-method interval (log scale).

        Returns
        -------
        DataFrame
            As :meth:`probability_alive`, with ``expected_purchases`` (and its
            ``_ci_low``/``_ci_high``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bgbb = cx.BetaGeoBetaBinom.from_parameters(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> out = bgbb.expected_purchases(periods=5, frequency=[0, 6], recency=[0, 6], n_periods=[6, 6])
        >>> out["expected_purchases"].round(3).tolist()
        [0.073, 3.752]
        """
        horizon = _whole(periods, "periods", 1)
        return self._predict(
            data,
            frequency,
            recency,
            n_periods,
            "expected_purchases",
            confidence,
            False,
            lambda p, d: log_expected(p, horizon, d),
        )

    def probability_of_purchases(
        self,
        data: Any = None,
        *,
        n: int,
        periods: int,
        frequency: Any = None,
        recency: Any = None,
        n_periods: Any = None,
        confidence: float | None = None,
    ) -> Any:
        """P(exactly ``n`` transactions in the next ``periods`` opportunities | history).

        Parameters
        ----------
        data : DataFrame, optional
            As in :meth:`fit`.
        n : int
            Number of transactions, a whole number 0 <= n <= periods.
        periods : int
            Future opportunities, a whole number >= 1.
        frequency, recency, n_periods : array-like, optional
            The customers as three numeric arrays (not with ``data``).
        confidence : float, optional
            A level in (0, 1): adds a delta-method interval (logit scale).

        Returns
        -------
        DataFrame
            As :meth:`probability_alive`, with ``probability_of_purchases`` (and its
            ``_ci_low``/``_ci_high``).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bgbb = cx.BetaGeoBetaBinom.from_parameters(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> out = bgbb.probability_of_purchases(n=0, periods=1, frequency=[6], recency=[6], n_periods=[6])
        >>> bool(0 < out["probability_of_purchases"].iloc[0] < 1)
        True
        """
        horizon = _whole(periods, "periods", 1)
        count = _whole(n, "n", 0)
        if count > horizon:
            raise ValueRangeError(f"n must be at most periods ({horizon}), got {n!r}")
        return self._predict(
            data,
            frequency,
            recency,
            n_periods,
            "probability_of_purchases",
            confidence,
            True,
            lambda p, d: log_pmf(p, count, horizon, d),
        )

    def _predict(
        self,
        data: Any,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        name: str,
        confidence: float | None,
        probability: bool,
        function: Any,
    ) -> Any:
        fits = self._fitted()
        z = None if confidence is None else z_value(confidence)
        _both(data, frequency, recency, n_periods)
        names = [name] if z is None else [name, f"{name}_ci_low", f"{name}_ci_high"]
        by = self.by_
        if data is not None:
            frame = _frame.from_native(data, name="data")
            _frame.require_columns(frame, {"by": by})
            _checks.no_clash(frame.collect_schema().names(), set(names),
                             function=f"{type(self).__name__}.{name}")
        table, _ = _table(data, frequency, recency, n_periods, None, by)
        keys = list(table.select(*by).rows()) if by else [None] * len(table)
        unknown = sorted({k for k in keys if k not in fits}, key=str)
        if unknown:
            raise ValueRangeError(
                f"by columns {by!r} have values the model was not fitted on: {format_examples(unknown)}"
            )
        x, t_x, n = (np.asarray(table[c].cast(nw.Float64).to_numpy(), dtype=np.float64) for c in COLUMNS)
        estimate, low, high = (np.full(len(x), np.nan) for _ in range(3))
        codes = np.array([list(fits).index(k) for k in keys], dtype=np.int64)
        for code, fit in enumerate(fits.values()):
            rows = np.flatnonzero(codes == code)
            if not len(rows):
                continue
            distinct, inverse = np.unique(
                np.column_stack([x[rows], t_x[rows], n[rows]]), axis=0, return_inverse=True
            )
            d = Rows(distinct[:, 0], distinct[:, 1], distinct[:, 2], np.ones(len(distinct)))
            log_value, log_grad = function(fit.params, d)
            value = np.exp(log_value)
            estimate[rows] = value[inverse.ravel()]
            if z is not None:
                _, part_low, part_high = delta_interval(value, log_grad, fit.covariance, z, probability)
                low[rows], high[rows] = part_low[inverse.ravel()], part_high[inverse.ravel()]
        columns = dict(zip(names, (estimate, low, high), strict=False))
        if data is not None and _frame.is_lazy(data):
            # per-row results stay lazy: the distinct rows' predictions joined back in the engine
            lazy = _frame.from_native(data, name="data")
            assert isinstance(lazy, nw.LazyFrame)
            on = [*COLUMNS, *by]
            predicted = table.select(*on).with_columns(
                *(nw.new_series(c, v, backend=table.implementation) for c, v in columns.items())
            )
            return _frame.per_row_result(lazy.join(_frame.into_engine(predicted, lazy), on=on, how="left"))
        if data is None:
            import pandas

            return pandas.DataFrame({"frequency": x, "recency": t_x, "n_periods": n, **columns})
        eager = nw.from_native(data, eager_only=True)
        return _frame.to_native(eager.with_columns(
            *(nw.new_series(c, v, backend=eager.implementation) for c, v in columns.items())))

    def expected_population_purchases(self, periods: int) -> Any:
        """E[transactions in the first ``periods`` opportunities] of a new customer (eq. 9),
        ``sum_{t=1}^{n} alpha / (alpha + beta) G(0, t)``.

        Parameters
        ----------
        periods : int
            Opportunities, >= 1.

        Returns
        -------
        float or dict
            The expectation; fitted with ``by``, ``{group: expectation}``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bgbb = cx.BetaGeoBetaBinom.from_parameters(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> round(bgbb.expected_population_purchases(6), 3)
        2.22
        """
        horizon = _whole(periods, "periods", 1)
        zero = Rows(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1))
        values = {
            k: float(np.exp(log_expected(f.params, horizon, zero)[0][0])) for k, f in self._fitted().items()
        }
        return self._named(values)

    def population_pmf(self, periods: int, *, max_count: int | None = None) -> Any:
        """P(X(periods) = k) for a new customer, k = 0..max_count (eq. 7): the distribution of
        transactions in its first ``periods`` opportunities.

        Parameters
        ----------
        periods : int
            Opportunities, >= 1.
        max_count : int, optional
            Largest count (default ``periods``, the whole distribution).

        Returns
        -------
        numpy.ndarray or dict
            Probabilities of 0..max_count; fitted with ``by``, ``{group: array}``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bgbb = cx.BetaGeoBetaBinom.from_parameters(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> bgbb.population_pmf(6).round(3)
        array([0.311, 0.17 , 0.121, 0.1  , 0.092, 0.092, 0.113])
        """
        horizon = _whole(periods, "periods", 1)
        top = horizon if max_count is None else min(_whole(max_count, "max_count", 0), horizon)
        zero = Rows(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1))
        values = {
            key: np.array([float(np.exp(log_pmf(f.params, k, horizon, zero)[0][0])) for k in range(top + 1)])
            for key, f in self._fitted().items()
        }
        return self._named(values)


#: Distinct histories per block of the likelihood's derivatives: the per-term Hessians are
#: (terms, rows, 4, 4), so blocks keep memory bounded (about 30 MB at 100 opportunities).
BLOCK_ROWS = 2048


def _total_derivatives(params: np.ndarray, d: Rows) -> tuple[float, np.ndarray, np.ndarray]:
    """The count-weighted log-likelihood with its gradient and Hessian, summed over blocks of rows."""
    total, grad, hess = 0.0, np.zeros(4), np.zeros((4, 4))
    for start in range(0, len(d.x), BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        block = Rows(d.x[rows], d.t_x[rows], d.n[rows], d.count[rows])
        value, g, h = log_likelihood(params, block, hessian=True)
        assert h is not None
        total += float(block.count @ value)
        grad += block.count @ g
        hess += np.einsum("r,rpq->pq", block.count, h)
    return total, grad, hess


_STARTS = [np.array(s) for s in ((1.0, 1.0, 1.0, 1.0), (0.5, 2.0, 0.5, 2.0), (2.0, 0.5, 2.0, 5.0))]


def _whole(value: Any, name: str, minimum: int) -> int:
    return int(_checks.whole(value, name, low=minimum))


def _both(data: Any, frequency: Any, recency: Any, n_periods: Any) -> None:
    """Either a summary frame or the arrays, never both."""
    given = [k for k, v in (("frequency", frequency), ("recency", recency), ("n_periods", n_periods))
             if v is not None]
    if data is not None and given:
        raise ValueRangeError(f"pass a summary frame as data or the arrays, not both (got data and {given})")


def _table(
    summary: Any, frequency: Any, recency: Any, n_periods: Any, count: Any, by: list[str]
) -> tuple[nw.DataFrame[Any], Any]:
    """The summary (or arrays) as an eager frame of the columns, checked; and its library."""
    if summary is None:
        if frequency is None or recency is None or n_periods is None:
            raise ValueRangeError("pass a summary frame, or all of frequency, recency and n_periods")
        import pandas

        columns = {
            c: numeric_array(v, c)
            for c, v in zip(COLUMNS, (frequency, recency, n_periods), strict=True)
        }
        lengths = {len(v) for v in columns.values()}
        if count is not None:
            columns["__cx_count"] = numeric_array(count, "count")
            lengths.add(len(columns["__cx_count"]))
        if len(lengths) != 1:
            raise ValueRangeError(
                f"frequency, recency, n_periods (and count) differ in length: {sorted(lengths)}"
            )
        if by:
            raise ValueRangeError("by= names columns of a summary frame; pass the summary")
        table = nw.from_dict(columns, backend=pandas)
        backend: Any = pandas
    else:
        frame = _frame.from_native(summary, name="data")
        numeric = [*COLUMNS, *([count] if isinstance(count, str) else [])]
        needed = [*numeric, *by]
        _frame.require_columns(frame, {"summary": numeric, "by": by})
        for column in numeric:
            _frame.require_numeric(frame, column, "summary")
        if count is not None and not isinstance(count, str):
            raise ValueRangeError("with a summary frame, count= names its column of customer counts")
        backend = _frame.eager_implementation(frame)
        if isinstance(frame, nw.LazyFrame):  # the distinct rows, grouped where the data live
            keys = [c for c in needed if c != count]
            weight = nw.col(count).sum() if count else nw.len()
            frame = _frame.collect(frame.group_by(*keys).agg(weight.alias("__cx_count")))
        elif count:
            frame = frame.with_columns(nw.col(count).alias("__cx_count"))
        table = frame.select(
            *COLUMNS,
            *by,
            *(["__cx_count"] if "__cx_count" in frame.columns else []),
        )
    x, t_x, n = (np.asarray(table[c].cast(nw.Float64).to_numpy(), dtype=np.float64) for c in COLUMNS)
    for values, name in ((x, "frequency"), (t_x, "recency"), (n, "n_periods")):
        whole_numbers(values, name)
    checks = [
        ("recency", t_x > n, "at most n_periods"),
        ("frequency", x > t_x, "at most recency"),
        ("recency", (x > 0) & (t_x < 1), ">= 1 when frequency > 0"),
    ]
    for name, bad, rule in checks:
        if bad.any():
            raise ValueRangeError(
                f"summary column {name!r} must be {rule}; {int(bad.sum())} rows are not, "
                f"for example frequency {format_examples(x[bad])}, recency "
                f"{format_examples(t_x[bad])}, n_periods {format_examples(n[bad])}"
            )
    if "__cx_count" in table.columns:
        whole_numbers(np.asarray(table["__cx_count"].cast(nw.Float64).to_numpy(), dtype=np.float64), "count")
    return table, backend


def _rows(
    summary: Any, frequency: Any, recency: Any, n_periods: Any, count: Any, by: list[str]
) -> tuple[list[tuple[Any, Rows]], Any]:
    table, backend = _table(summary, frequency, recency, n_periods, count, by)
    groups = []
    for key, rows in by_groups(table, by):
        values = np.column_stack(
            [np.asarray(rows[c].cast(nw.Float64).to_numpy(), dtype=np.float64) for c in COLUMNS]
        )
        weight = (
            np.asarray(rows["__cx_count"].cast(nw.Float64).to_numpy(), dtype=np.float64)
            if "__cx_count" in rows.columns
            else np.ones(len(values))
        )
        distinct, inverse = np.unique(values, axis=0, return_inverse=True)
        total = np.bincount(inverse.ravel(), weights=weight, minlength=len(distinct))
        kept = total > 0
        if not kept.any():
            raise ValueRangeError(
                f"the summary has no customers to fit{'' if key is None else f' in group {key!r}'}"
            )
        distinct, total = distinct[kept], total[kept]
        groups.append((key, Rows(distinct[:, 0], distinct[:, 1], distinct[:, 2], total)))
    return groups, backend
