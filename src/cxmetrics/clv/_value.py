"""Discounted customer lifetime value and holdout calibration of the purchase models."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _stats, _time
from cxmetrics.clv import _predict
from cxmetrics.clv._likelihood import Triples
from cxmetrics.clv._models import (
    SUMMARY_COLUMNS,
    GammaGamma,
    IntervalOptions,
    TransactionModel,
    _backend_of,
    _distinct,
    _spend_arrays,
    attach_columns,
    join_per_triple,
    spend_moments,
    summary_arrays,
)
from cxmetrics.errors import ValueRangeError

#: Length of a discounting period in days.
PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0, "Q": 365.25 / 4.0, "Y": 365.25}
_DISCOUNTED = "__cx_discounted_purchases"


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend_model: GammaGamma,
    summary: Any,
    *,
    horizon: int,
    discount_rate: float,
    unit: str | float = "M",
    time_unit: str = "W",
    confidence: float | None = None,
    method: str = "delta",
    resamples: int = 200,
    seed: Any = 0,
) -> Any:
    """Expected discounted value of each customer's purchases over the next ``horizon`` periods.

    Exactly::

        CLV = sum_{k=1..horizon} E[spend] * (E[Y(k u)] - E[Y((k-1) u)]) / (1 + discount_rate)^k

    where ``E[Y(t)]`` is ``transaction_model.expected_purchases(t)``, ``E[spend]`` is
    ``spend_model.expected_spend()``, and ``u`` is the period length in the summary's time unit
    (for ``unit="M"`` and weekly summaries, 365.25 / 12 / 7 = 4.348 weeks). Purchases in period
    k are discounted by k whole periods (end-of-period discounting), as in lifetimes.

    Parameters
    ----------
    transaction_model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        A fitted purchase model.
    spend_model : GammaGamma
        A fitted spend model.
    summary : DataFrame
        ``frequency``, ``recency``, ``T`` and ``monetary`` per customer.
    horizon : int
        Number of periods.
    discount_rate : float
        Discount rate per period (0.01 = 1% a month for ``unit="M"``).
    unit : {"D", "W", "M", "Q", "Y"} or float
        The discounting period, or its length in ``time_unit``.
    time_unit : {"D", "W", "h"}
        Time unit of the summary (``summary_from_transactions``' ``unit``).
    confidence : float, optional
        With it, the result is the summary (same library; lazy stays lazy) with ``clv``,
        ``clv_ci_low`` and ``clv_ci_high``.
    method : {"delta", "bootstrap"}
        ``"delta"``: the two fits are independent, so
        Var(CLV) = D^2 Var(spend) + spend^2 Var(D) for D the discounted expected purchases,
        each by the delta method from its model's covariance; interval on the log scale.
        ``"bootstrap"``: ``resamples`` refits of each model on resampled customers (seeded by
        ``seed``), replicate k of one paired with replicate k of the other; percentile
        interval (eager summaries only).
    resamples : int
        Bootstrap refits (``method="bootstrap"``), at least 1.
    seed : int or numpy.random.Generator
        Seed of the bootstrap resampling.

    Returns
    -------
    numpy.ndarray or frame
        Without ``confidence``: one value per summary row, in the summary's order. For a lazy
        summary (DuckDB, Dask, Spark, polars LazyFrame): the summary with a ``clv`` column,
        still lazy; the purchase model runs once per distinct (frequency, recency, T) and is
        joined back in the engine, and the spend model is an expression evaluated there.
        With ``confidence``: the summary with the three columns.

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> summary = {"frequency": np.array([0, 2, 6]), "recency": np.array([0.0, 30.0, 36.0]),
    ...            "T": np.array([38.0, 38.0, 38.0]), "monetary": np.array([0.0, 25.0, 40.0])}
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW
    >>> gg = cx.GammaGamma.from_parameters(p=6.25, q=3.74, gamma=15.44)
    >>> import pandas as pd
    >>> cx.customer_lifetime_value(bg, gg, pd.DataFrame(summary), horizon=12,
    ...                            discount_rate=0.01).round(2)
    array([  8.52,  40.35, 188.91])
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueRangeError(f"horizon must be a whole number of periods >= 1, got {horizon!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueRangeError(f"discount_rate must be a finite rate above -1, got {discount_rate!r}")
    period = _period_length(unit, time_unit)
    params = transaction_model._fitted()
    interval = IntervalOptions.make(confidence, method, resamples, seed)

    def discounted(theta: np.ndarray, triples: Triples) -> np.ndarray:
        value = np.zeros(len(triples.count))
        previous = np.zeros(len(triples.count))
        for k in range(1, int(horizon) + 1):
            cumulative = transaction_model._expected(theta, k * period, triples)
            value += (cumulative - previous) / (1.0 + discount_rate) ** k
            previous = cumulative
        return value

    def discounted_purchases(triples: Triples) -> np.ndarray:
        return discounted(params, triples)

    if interval.confidence is not None:
        return _clv_interval(transaction_model, spend_model, summary, discounted, interval)
    if _frame.is_lazy(summary):
        purchases = join_per_triple(summary, [_DISCOUNTED], discounted_purchases)
        spend = nw.from_native(spend_model.expected_spend(purchases.to_native()))
        clv = (nw.col("expected_spend") * nw.col(_DISCOUNTED)).alias("clv")
        return _frame.per_row_result(spend.with_columns(clv).drop(_DISCOUNTED, "expected_spend"))
    spend = spend_model.expected_spend(summary)
    triples, inverse = _distinct(*summary_arrays(summary))  # once, not once per period
    return spend * discounted_purchases(triples)[inverse]


def _clv_interval(transaction_model: TransactionModel, spend_model: GammaGamma, summary: Any,
                  discounted: Any, interval: IntervalOptions) -> Any:
    """CLV with its interval (see :func:`customer_lifetime_value`)."""
    assert interval.confidence is not None
    names = ["clv", "clv_ci_low", "clv_ci_high"]
    z = _stats.z_quantile(interval.confidence)
    theta, spend_theta = transaction_model._fitted(), spend_model._fitted()

    def moments(triples: Triples) -> np.ndarray:
        """Discounted purchases and their delta-method variance per distinct triple."""
        estimate = discounted(theta, triples)
        grad = _predict.gradient(lambda p: discounted(p, triples), theta)
        covariance = transaction_model._covariance()
        return np.stack([estimate, np.einsum("ij,jk,ik->i", grad, covariance, grad)])

    if _frame.is_lazy(summary):
        if interval.method == "bootstrap":
            raise ValueRangeError("method='bootstrap' needs an eager summary for customer_lifetime_value; "
                                  "use method='delta' on a lazy one")
        joined = nw.from_native(join_per_triple(summary, [_DISCOUNTED, _DISCOUNTED + "_var"], moments))
        repeats = nw.col("frequency").cast(nw.Float64)
        kept = nw.when(repeats > 0).then(nw.col("monetary")).otherwise(0.0)
        spend, spend_var = spend_moments(spend_theta, spend_model._covariance(), repeats, kept)
        purchases, purchases_var = nw.col(_DISCOUNTED), nw.col(_DISCOUNTED + "_var")
        clv = spend * purchases
        se = (purchases**2 * spend_var + spend**2 * purchases_var) ** 0.5
        spread = (se * z / clv).exp()
        return _frame.per_row_result(joined.with_columns(
            clv.alias("clv"), (clv / spread).alias("clv_ci_low"), (clv * spread).alias("clv_ci_high"),
        ).drop(_DISCOUNTED, _DISCOUNTED + "_var"))
    x, t_x, big_t, count = summary_arrays(summary)
    frequency, monetary, _ = _spend_arrays(summary, None, None)
    monetary = np.where(frequency > 0, monetary, 0.0)
    triples, inverse = _distinct(x, t_x, big_t, count)
    if interval.method == "bootstrap":
        purchase_draws = transaction_model._bootstrap(interval.resamples, interval.seed)
        spend_draws = spend_model._bootstrap(interval.resamples, interval.seed)
        replicates = min(len(purchase_draws), len(spend_draws))
        draws = np.stack([
            discounted(purchase_draws[k], triples)[inverse]
            * spend_model_expected(spend_draws[k], frequency, monetary) for k in range(replicates)])
        estimate = (discounted(theta, triples)[inverse]
                    * spend_model_expected(spend_theta, frequency, monetary))
        low, high = _predict.percentile_bounds(draws, interval.confidence)
    else:
        purchases, purchases_var = moments(triples)[:, inverse]
        spend, spend_var = spend_moments(spend_theta, spend_model._covariance(), frequency, monetary)
        estimate = spend * purchases
        se = np.sqrt(purchases**2 * spend_var + spend**2 * purchases_var)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            spread = np.where(estimate > 0, np.exp(z * se / estimate), 1.0)
        low, high = estimate / spread, estimate * spread
    return attach_columns(summary, dict(zip(names, (estimate, low, high), strict=True)), {})


def spend_model_expected(theta: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    from cxmetrics.clv._likelihood import gamma_gamma_expected

    return np.asarray(gamma_gamma_expected(theta, frequency, monetary))


def _period_length(unit: str | float, time_unit: str) -> float:
    if isinstance(unit, str):
        if unit not in PERIOD_DAYS:
            raise ValueRangeError(f"unit must be one of {list(PERIOD_DAYS)} or a number, got {unit!r}")
        return PERIOD_DAYS[unit] / _time.unit_days(time_unit)
    length = float(unit)
    if not np.isfinite(length) or length <= 0:
        raise ValueRangeError(f"a numeric unit must be a positive period length, got {unit!r}")
    return length


def calibration_report(model: TransactionModel, summary: Any, *, max_frequency: int = 7) -> Any:
    """Predicted against actual holdout purchases, per calibration frequency and in total.

    Parameters
    ----------
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted on the calibration columns of ``summary``.
    summary : DataFrame
        A calibration/holdout summary (``summary_from_transactions(..., calibration_end=...)``).
    max_frequency : int
        Calibration frequencies above this are pooled into one bucket.

    Returns
    -------
    DataFrame
        Same library as ``summary``; one row per frequency bucket 0..max_frequency, then a
        ``"total"`` row. Columns: ``frequency`` (text: "0", ..., "7+", "total"),
        ``customers``, ``actual`` and ``predicted`` (holdout purchases, summed),
        ``actual_mean`` and ``predicted_mean`` (per customer), ``error`` (predicted - actual),
        ``percent_error`` (100 x error / actual), ``mae`` and ``rmse`` (over customers).
        This is the data behind the calibration-vs-holdout chart.
    """
    frame = _frame.from_native(summary, name="summary")
    _frame.require_columns(frame, {"holdout": ["frequency_holdout", "duration_holdout"]})
    weight = None
    if isinstance(frame, nw.LazyFrame):  # customers alike in all five columns, counted in the engine
        frame = _frame.distinct_counts(frame, [*SUMMARY_COLUMNS, "frequency_holdout", "duration_holdout"])
        weight = np.asarray(frame[_frame.COUNT].to_numpy(), dtype=np.float64)
    x, t_x, big_t, _ = summary_arrays(frame)
    weight = np.ones(len(x)) if weight is None else weight
    actual = np.asarray(frame["frequency_holdout"].to_numpy(), dtype=np.float64)
    duration = np.asarray(frame["duration_holdout"].to_numpy(), dtype=np.float64)
    predicted = np.zeros(len(x))
    for length in np.unique(duration):
        rows = duration == length
        predicted[rows] = model.expected_purchases(
            float(length), frequency=x[rows], recency=t_x[rows], T=big_t[rows])
    bucket = np.minimum(x, max_frequency).astype(np.int64)
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+", "total"]
    columns: dict[str, list[Any]] = {name: [] for name in (
        "frequency", "customers", "actual", "predicted", "actual_mean", "predicted_mean", "error",
        "percent_error", "mae", "rmse")}
    for k, label in enumerate(labels):
        rows = bucket == k if label != "total" else np.ones(len(x), dtype=bool)
        w = weight[rows]
        n = int(w.sum())
        a, p = w @ actual[rows], w @ predicted[rows]
        residual = predicted[rows] - actual[rows]
        columns["frequency"].append(label)
        columns["customers"].append(n)
        columns["actual"].append(float(a))
        columns["predicted"].append(float(p))
        columns["actual_mean"].append(float(a / n) if n else None)
        columns["predicted_mean"].append(float(p / n) if n else None)
        columns["error"].append(float(p - a))
        columns["percent_error"].append(float(100.0 * (p - a) / a) if a else None)
        columns["mae"].append(float(w @ np.abs(residual) / n) if n else None)
        columns["rmse"].append(float(np.sqrt(w @ residual**2 / n)) if n else None)
    return _frame.to_native(nw.from_dict(columns, backend=frame.implementation))


def frequency_recency_matrix(model: TransactionModel, summary: Any = None, *, t: float = 1.0,
                             T: float | None = None, max_frequency: int | None = None,
                             recency_step: float = 1.0) -> Any:
    """P(alive) and expected purchases over a grid of (frequency, recency) at one customer age.

    The data behind the two classic heat maps (Fader, Hardie & Lee 2005a, figures 4-5): how
    likely a customer is still active, and how much it will buy in the next ``t``, given how
    often it bought and how recently, all customers being ``T`` old.

    Parameters
    ----------
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        A fitted model (or one made by ``from_parameters``).
    summary : DataFrame, optional
        Supplies the defaults: ``T`` is the largest age and ``max_frequency`` the largest
        frequency in it; and the library of the result (pandas without it).
    t : float
        Horizon of ``expected_purchases``, in the summary's time unit.
    T : float, optional
        Customer age for the whole grid. Required without ``summary``.
    max_frequency : int, optional
        Frequencies 0..max_frequency. Required without ``summary``.
    recency_step : float
        Spacing of the recency grid 0, step, 2 step, ... up to ``T`` (``T`` is always included).

    Returns
    -------
    DataFrame
        One row per (frequency, recency) cell, sorted by frequency then recency. Columns:
        ``frequency``, ``recency``, ``T``, ``probability_alive``, ``expected_purchases``. A
        customer without repeat purchases has recency 0 by definition, so the cells with
        frequency 0 and recency > 0 are missing (null).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> grid = cx.frequency_recency_matrix(bg, t=39, T=39, max_frequency=3, recency_step=13)
    >>> grid.shape
    (16, 5)
    >>> row = grid[(grid["frequency"] == 3) & (grid["recency"] == 39)]
    >>> round(float(row["probability_alive"].iloc[0]), 3)
    0.848
    """
    model._fitted()
    backend = _backend_of(summary)
    if summary is not None and (T is None or max_frequency is None):
        x, _, big_t, _ = summary_arrays(summary)
        T = float(big_t.max()) if T is None else T
        max_frequency = int(x.max()) if max_frequency is None else max_frequency
    if T is None or max_frequency is None:
        raise ValueRangeError("pass a summary, or both T and max_frequency")
    age = float(T)
    if not np.isfinite(age) or age <= 0:
        raise ValueRangeError(f"T must be a positive, finite age, got {T!r}")
    whole = isinstance(max_frequency, (int, np.integer)) and not isinstance(max_frequency, bool)
    if not whole or max_frequency < 0:
        raise ValueRangeError(f"max_frequency must be a whole number >= 0, got {max_frequency!r}")
    step = float(recency_step)
    if not np.isfinite(step) or step <= 0:
        raise ValueRangeError(f"recency_step must be positive, got {recency_step!r}")
    recency = np.unique(np.append(np.arange(0.0, age, step), age))
    frequency_grid, recency_grid = (v.ravel() for v in np.meshgrid(
        np.arange(int(max_frequency) + 1, dtype=np.float64), recency, indexing="ij"))
    valid = (frequency_grid > 0) | (recency_grid == 0)
    ages = np.full(int(valid.sum()), age)
    alive = np.full(len(frequency_grid), np.nan)
    expected = np.full(len(frequency_grid), np.nan)
    cells = {"frequency": frequency_grid[valid], "recency": recency_grid[valid], "T": ages}
    alive[valid] = model.probability_alive(**cells)
    expected[valid] = model.expected_purchases(t, **cells)
    return _frame.to_native(nw.from_dict({
        "frequency": frequency_grid.astype(np.int64),
        "recency": recency_grid,
        "T": np.full(len(frequency_grid), age),
        "probability_alive": [None if np.isnan(v) else float(v) for v in alive],
        "expected_purchases": [None if np.isnan(v) else float(v) for v in expected],
    }, backend=backend))
