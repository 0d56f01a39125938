"""Shifted-beta-geometric (sBG) retention for contractual (subscription) businesses.

Fader & Hardie (2007) "How to project customer retention", Journal of Interactive Marketing
21(1): each customer renews at every period's end with probability ``1 - theta`` until it
cancels, ``theta ~ Beta(alpha, beta)`` across customers. Then

- ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)`` (eq. 3), ``t = 1, 2, ...``;
- survival ``S(t) = B(alpha, beta + t) / B(alpha, beta)`` (eq. 4);
- retention ``r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)`` (eq. 8),
  rising with ``t`` because the customers who stay are those with small ``theta``;
- the likelihood of survivor counts ``n_0 >= n_1 >= ... >= n_k`` is
  ``sum_t (n_{t-1} - n_t) log P(T = t) + n_k log S(k)`` (eq. 7).

Fader & Hardie (2010) "Customer-base valuation in a contractual setting: the perils of
ignoring heterogeneity", Marketing Science 29(1), eq. 6: the discounted expected residual
lifetime of a customer who has made ``n - 1`` renewals,
``DERL = sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n)``
``= B(alpha, beta + n) / B(alpha, beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))``,
the expected number of further payments, each discounted to the decision point. With ``d = 0``
it is ``(beta + n - 1) / (alpha - 1)`` (infinite for ``alpha <= 1``).
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
from cxmetrics.errors import ConvergenceError, ValueRangeError, format_examples

#: Relative size of the last term kept in the discounted-lifetime sum.
SUM_TOLERANCE = 1e-14


class ShiftedBetaGeometric(CohortModel):
    """Shifted-beta-geometric retention model (Fader & Hardie 2007), fitted on survivor counts.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> regular = pd.DataFrame({"year": range(8),
    ...                         "active": [1000, 631, 468, 382, 326, 289, 262, 241]})
    >>> model = cx.ShiftedBetaGeometric().fit(regular, period="year", survivors="active")
    >>> {k: round(v, 3) for k, v in model.parameters.items()}
    {'alpha': 0.704, 'beta': 1.182}
    >>> model.survival(periods=[8, 12]).round(3)
       period  survival     se  ci_low  ci_high
    0       8      0.22  0.013   0.195    0.247
    1      12      0.17  0.013   0.146    0.198
    """

    parameter_names = ("alpha", "beta")
    title = "sBG"
    _ridge_hint = (
        ": alpha and beta growing together means churn is the same for every customer "
        "(a geometric model with churn alpha / (alpha + beta))"
    )

    def __init__(self) -> None:
        super().__init__()
        self.survivors_: dict[Any, np.ndarray] = {}

    def fit(
        self,
        data: Any,
        *,
        survivors: str = "survivors",
        period: str = "period",
        by: str | Sequence[str] | None = None,
        confidence: float = 0.95,
    ) -> ShiftedBetaGeometric:
        """Fit by maximum likelihood on the customers alive at the start of each period.

        Parameters
        ----------
        data : DataFrame
            One row per period (per cohort): the periods of a cohort are 0, 1, ..., k (each
            once, in any order), ``survivors`` at period 0 is the cohort's size and the counts
            never rise. Eager or lazy (it is collected: a row per period is small).
        survivors : str
            Column of customers still active at the start of the period (whole numbers).
        period : str
            Column of period numbers 0, 1, ..., k.
        by : str or list of str, optional
            Cohort columns (acquisition year, plan, segment): one fit per combination of
            values, all in this call.
        confidence : float
            Level of the parameter intervals (Wald on the log scale, z from the normal
            quantile: 1.960 at 0.95).

        Returns
        -------
        self
            With ``params_`` (the ``by`` columns when given, ``parameter``, ``estimate``,
            ``se``, ``ci_low``, ``ci_high``, ``identified``), ``log_likelihood_`` (summed over cohorts),
            ``n_customers_`` and ``survivors_`` (the counts per group, keyed as ``_fits``: None
            without ``by``, else the tuple of the group's values).

        Raises
        ------
        ConvergenceError
            When the likelihood has no interior maximum (nobody cancelled, or everybody in the
            first period) or the search does not converge; the message says which.
        """
        z_value(confidence)
        frame = _frame.collect(_frame.from_native(data, name="data"))
        groups = _frame.as_list(by)
        _frame.require_columns(frame, {"survivors": survivors, "period": period, "by": groups})
        self.by_ = groups
        for column, role in ((survivors, "survivors"), (period, "period")):
            _frame.require_numeric(frame, column, role)
        fits: dict[Any, Fit] = {}
        counts: dict[Any, np.ndarray] = {}
        for key, rows in by_groups(frame, groups):
            counts[key] = _survivor_counts(rows, survivors, period, key)
            fits[key] = self._fit_one(_derivatives_of(counts[key]), _STARTS, float(counts[key][0]), key)
        self.survivors_ = counts
        self._store(fits, groups, _frame.eager_implementation(frame), confidence)
        return self

    # -- predictions ------------------------------------------------------------------------
    def survival(self, *, periods: Sequence[int] | int, confidence: float = 0.95) -> Any:
        """Share of a cohort still active at the start of each period: ``S(t)`` (eq. 4).

        Parameters
        ----------
        periods : int or sequence of int
            Periods t >= 0 (0 gives 1).
        confidence : float
            Level of the delta-method interval (logit scale, from the parameter covariance).

        Returns
        -------
        DataFrame
            In the library the model was fitted on; one row per (group, period): the ``by``
            columns (when fitted by group), ``period``, ``survival``, ``se``, ``ci_low``,
            ``ci_high``.
        """
        t = _periods(periods, minimum=0)

        def compute(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            value, grad, _ = log_beta_ratio(params[0], params[1], 0.0, t)
            return np.exp(value), grad

        return self._table(t, "survival", compute, confidence, probability=True)

    def retention_rate(self, *, periods: Sequence[int] | int, confidence: float = 0.95) -> Any:
        """Share of those active in period ``t - 1`` who renew into period ``t`` (eq. 8).

        Parameters
        ----------
        periods : int or sequence of int
            Periods t >= 1.
        confidence : float
            Level of the delta-method interval (logit scale).

        Returns
        -------
        DataFrame
            The ``by`` columns (when fitted by group), ``period``, ``retention``, ``se``,
            ``ci_low``, ``ci_high``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> sbg = cx.ShiftedBetaGeometric.from_parameters(alpha=0.704, beta=1.182)
        >>> sbg.retention_rate(periods=[1, 2, 5])["retention"].round(3).tolist()
        [0.627, 0.756, 0.88]
        """
        t = _periods(periods, minimum=1)

        def compute(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            alpha, beta = params
            total = alpha + beta + t - 1.0
            grad = np.stack([-1.0 / total, 1.0 / (beta + t - 1.0) - 1.0 / total], axis=-1)
            return (beta + t - 1.0) / total, grad

        return self._table(t, "retention", compute, confidence, probability=True)

    def residual_lifetime(
        self, *, renewals: Sequence[int] | int = 0, discount_rate: float = 0.0, confidence: float = 0.95
    ) -> Any:
        """Expected further payments of a customer who has renewed ``renewals`` times,
        discounted at ``discount_rate`` per period: DERL (Fader & Hardie 2010, eq. 6).

        A customer with ``n - 1`` renewals has made ``n`` payments and is about to decide on the
        next; the result counts the payments from there on, the k-th of them discounted by
        ``(1 + discount_rate)^(k - 1)`` (multiply by the payment for money). With
        ``discount_rate=0`` it is the expected residual lifetime ``(beta + n - 1) / (alpha - 1)``,
        infinite when ``alpha <= 1`` (a heavy tail of customers who almost never cancel).

        Parameters
        ----------
        renewals : int or sequence of int
            Renewals made so far (0 = a customer just acquired, after its first payment).
        discount_rate : float
            Discount rate per period, >= 0.
        confidence : float
            Level of the delta-method interval (log scale).

        Returns
        -------
        DataFrame
            The ``by`` columns (when fitted by group), ``renewals``, ``residual_lifetime``,
            ``se``, ``ci_low``, ``ci_high``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> sbg = cx.ShiftedBetaGeometric.from_parameters(alpha=0.668, beta=3.806)
        >>> sbg.residual_lifetime(renewals=[0, 4], discount_rate=0.1)["residual_lifetime"].round(2).tolist()
        [5.41, 6.9]
        """
        n = _periods(renewals, minimum=0) + 1.0
        rate = _checks.number(discount_rate, "discount_rate", low=0.0)

        def compute(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            alpha, beta = params
            if rate == 0.0:
                if alpha <= 1.0:
                    return np.full(len(n), np.inf), np.full((len(n), 2), np.nan)
                grad = np.stack([np.full(len(n), -1.0 / (alpha - 1.0)), 1.0 / (beta + n - 1.0)], axis=-1)
                return (beta + n - 1.0) / (alpha - 1.0), grad
            # Terms shrink at least geometrically, by 1 / (1 + d): keep them down to SUM_TOLERANCE.
            k = np.arange(int(np.ceil(np.log(SUM_TOLERANCE * rate / (1 + rate)) / -np.log1p(rate))) + 1)
            steps = n[None, :] + k[:, None]  # (terms, renewals): t = n, n + 1, ...
            value, grad, _ = log_beta_ratio(alpha, beta, 0.0, steps)
            start, start_grad, _ = log_beta_ratio(alpha, beta, 0.0, n - 1.0)
            total, total_grad, _ = log_sum(value - k[:, None] * np.log1p(rate), grad)
            return np.exp(total - start), total_grad - start_grad

        return self._table(
            n - 1.0, "residual_lifetime", compute, confidence, probability=False, index="renewals"
        )

    def _table(
        self,
        t: np.ndarray,
        name: str,
        compute: Any,
        confidence: float,
        *,
        probability: bool,
        index: str = "period",
    ) -> Any:
        z = z_value(confidence)
        columns: dict[str, list[Any]] = {index: [], name: [], "se": [], "ci_low": [], "ci_high": []}
        keys: list[Any] = []
        for key, fit in self._fitted().items():
            estimate, log_grad = compute(fit.params)
            se, low, high = delta_interval(estimate, log_grad, fit.covariance, z, probability)
            keys += [key] * len(t)
            columns[index] += t.astype(np.int64).tolist()
            for column, values in ((name, estimate), ("se", se), ("ci_low", low), ("ci_high", high)):
                columns[column] += np.asarray(values, dtype=np.float64).tolist()
        table = self._key_columns(keys)
        return _frame.to_native(nw.from_dict({**table, **columns}, backend=self._backend))


_STARTS = [np.array(s) for s in ((1.0, 1.0), (0.1, 0.1), (10.0, 10.0), (0.5, 5.0))]


def _derivatives_of(counts: np.ndarray) -> Any:
    """The sBG log-likelihood of one cohort's survivor counts, with gradient and Hessian."""
    k = len(counts) - 1
    t = np.arange(1, k + 1, dtype=np.float64)
    weights = np.append(counts[:-1] - counts[1:], counts[-1])
    da = np.append(np.ones(k), 0.0)
    db = np.append(t - 1.0, float(k))

    def derivatives(params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        value, grad, hess = log_beta_ratio(params[0], params[1], da, db)
        return float(weights @ value), weights @ grad, np.einsum("r,rpq->pq", weights, hess)

    return derivatives


def _survivor_counts(rows: nw.DataFrame[Any], survivors: str, period: str, key: Any) -> np.ndarray:
    """One cohort's counts ordered by period, checked: periods 0..k once each, counts whole,
    positive at the start and never rising."""
    where = "" if key is None else f" in group {key!r}"
    order = np.asarray(rows[period].cast(nw.Float64).to_numpy(), dtype=np.float64)
    counts = np.asarray(rows[survivors].cast(nw.Float64).to_numpy(), dtype=np.float64)
    whole_numbers(order, period)
    whole_numbers(counts, survivors)
    if len(order) < 2 or not np.array_equal(np.sort(order), np.arange(len(order))):
        raise ValueRangeError(
            f"column {period!r}{where} must hold the periods 0, 1, ..., k once each "
            f"(k >= 1), got {format_examples(np.sort(order))}"
        )
    counts = counts[np.argsort(order)]
    if counts[0] <= 0:
        raise ValueRangeError(f"column {survivors!r}{where} must be positive at period 0, got {counts[0]:g}")
    rising = np.flatnonzero(np.diff(counts) > 0) + 1
    if len(rising):
        raise ValueRangeError(
            f"column {survivors!r}{where} must never rise from one period to the next; "
            f"it does at periods {format_examples(rising)}"
        )
    if counts[-1] == counts[0] or counts[1] == 0:
        what = "nobody cancelled" if counts[-1] == counts[0] else "everybody cancelled in the first period"
        raise ConvergenceError(
            f"sBG fit{where}: {what}, so the likelihood has no interior maximum "
            f"(a churn probability of exactly {0 if counts[-1] == counts[0] else 1})"
        )
    return counts


def _periods(periods: Sequence[int] | int, minimum: int) -> np.ndarray:
    values = np.atleast_1d(np.asarray(periods))
    if values.dtype.kind not in "iuf" or values.ndim != 1 or not len(values):
        raise ValueRangeError(f"periods must be whole numbers >= {minimum}, got {periods!r}")
    values = values.astype(np.float64)
    bad = ~np.isfinite(values) | (values < minimum) | (values != np.round(values))
    if bad.any():
        raise ValueRangeError(
            f"periods must be whole numbers >= {minimum}; got {format_examples(values[bad])}"
        )
    return values
