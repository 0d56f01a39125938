"""Discounted customer lifetime value and holdout calibration of the purchase models."""

from __future__ import annotations

import functools
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks as check
from cxmetrics import _frame, _stats, _time
from cxmetrics.clv import _predict
from cxmetrics.clv._likelihood import Triples
from cxmetrics.clv._models import (
    SUMMARY_COLUMNS,
    GammaGamma,
    IntervalOptions,
    TransactionModel,
    _backend_of,
    _check_spend_rows,
    _checked_frame,
    _distinct,
    _spend_arrays,
    attach_columns,
    check_free,
    interval_names,
    join_per_triple,
    numeric_array,
    spend_expressions,
    spend_moments,
    summary_arrays,
)
from cxmetrics.errors import ValueRangeError, format_examples

#: Length of a discounting period in days.
PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0, "Q": 365.25 / 4.0, "Y": 365.25}
_DISCOUNTED = "__cx_discounted_purchases"
_SPEND = "__cx_expected_spend"


def customer_lifetime_value(
    data: Any,
    *,
    transaction_model: TransactionModel,
    spend_model: GammaGamma,
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

    where ``E[Y(t)]`` is ``transaction_model``'s expected purchases in ``t``, ``E[spend]`` is
    ``spend_model``'s expected spend (Fader, Hardie & Lee 2005b, "RFM and CLV", eq. 5), and
    ``u`` is the period length in the summary's time unit (for ``unit="M"`` and weekly
    summaries, 365.25 / 12 / 7 = 4.348 weeks). Purchases in period k are discounted by k whole
    periods (end-of-period discounting), as in lifetimes.

    Parameters
    ----------
    data : DataFrame
        ``frequency``, ``recency``, ``T`` and ``monetary`` per customer (pandas, polars,
        pyarrow or lazy), as from :func:`summary_from_transactions`.
    transaction_model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        A fitted purchase model (or one made by ``from_parameters``).
    spend_model : GammaGamma
        A fitted spend model.
    horizon : int
        Number of periods, a whole number >= 1.
    discount_rate : float
        Discount rate per period, finite and > -1 (0.01 = 1% a month for ``unit="M"``).
    unit : {"D", "W", "M", "Q", "Y"} or float
        The discounting period, or its length (> 0) in ``time_unit``.
    time_unit : {"D", "W", "h"}
        Time unit of the summary (``summary_from_transactions``' ``unit``).
    confidence : float, optional
        A level in (0, 1): adds ``clv_ci_low`` and ``clv_ci_high``.
    method : {"delta", "bootstrap"}
        ``"delta"``: the two fits are independent, so
        Var(CLV) = D^2 Var(spend) + spend^2 Var(D) for D the discounted expected purchases,
        each by the delta method from its model's covariance; interval on the log scale.
        ``"bootstrap"``: ``resamples`` refits of each model on resampled customers (seeded by
        ``seed``), replicate k of one paired with replicate k of the other; percentile
        interval (eager summaries only).
    resamples : int
        Bootstrap refits (``method="bootstrap"``), >= 20.
    seed : int or numpy.random.Generator
        Seed of the bootstrap resampling.

    Returns
    -------
    DataFrame
        ``data`` as a new frame in its own library with ``clv`` added (and ``clv_ci_low``,
        ``clv_ci_high`` with ``confidence``). A lazy summary (DuckDB, Dask, Spark, polars
        LazyFrame) stays lazy: the purchase model runs once per distinct (frequency, recency,
        T) and is joined back in the engine, and the spend model is an expression evaluated
        there. An empty summary gives an empty frame with the columns; a ``clv`` column
        already in ``data`` raises :class:`~cxmetrics.errors.ColumnClashError`.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> summary = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0.0, 30.0, 36.0],
    ...                         "T": [38.0, 38.0, 38.0], "monetary": [0.0, 25.0, 40.0]})
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW
    >>> gg = cx.GammaGamma.from_parameters(p=6.25, q=3.74, gamma=15.44)
    >>> cx.customer_lifetime_value(summary, transaction_model=bg, spend_model=gg, horizon=12,
    ...                            discount_rate=0.01)["clv"].round(2).tolist()
    [8.52, 40.35, 188.91]
    """
    if data is None:
        raise ValueRangeError("data must be a summary frame with frequency, recency, T and monetary")
    _check_models(transaction_model, spend_model)
    horizon = check.whole(horizon, "horizon", low=1)
    rate = check.number(discount_rate, "discount_rate", low=-1.0, low_open=True)
    period = _period_length(unit, time_unit)
    interval = IntervalOptions.make(confidence, method, resamples, seed)
    names = interval_names("clv", interval.confidence)
    check_free(data, names, "customer_lifetime_value")
    params = transaction_model._fitted()
    spend_model._fitted()
    transaction_model._interval_ready(interval)
    spend_model._interval_ready(interval)
    _checked_frame(data, (*SUMMARY_COLUMNS, "monetary"))

    def discounted(theta: np.ndarray, triples: Triples) -> np.ndarray:
        value = np.zeros(len(triples.count))
        previous = np.zeros(len(triples.count))
        for k in range(1, horizon + 1):
            cumulative = transaction_model._expected(theta, k * period, triples)
            value += (cumulative - previous) / (1.0 + rate) ** k
            previous = cumulative
        return value

    if interval.confidence is not None:
        return _clv_interval(transaction_model, spend_model, data, discounted, interval)
    if _frame.is_lazy(data):
        _check_spend_rows(_checked_frame(data, (*SUMMARY_COLUMNS, "monetary")))
        purchases = nw.from_native(join_per_triple(data, [_DISCOUNTED], lambda d: discounted(params, d)))
        spend = spend_expressions(spend_model._fitted(), None, None, [_SPEND])
        clv = (nw.col(_SPEND) * nw.col(_DISCOUNTED)).alias("clv")
        result = purchases.with_columns(*spend).with_columns(clv).drop(_DISCOUNTED, _SPEND)
        return _frame.per_row_result(result)
    x, t_x, big_t, count = summary_arrays(data)
    frequency, monetary, _ = _spend_arrays(data, None, None)
    monetary = np.where(frequency > 0, monetary, 0.0)
    value = np.zeros(len(x))
    if len(x):
        triples, inverse = _distinct(x, t_x, big_t, count)  # once, not once per period
        spend_value = spend_model_expected(spend_model._fitted(), frequency, monetary)
        value = spend_value * discounted(params, triples)[inverse]
    return attach_columns(data, {"clv": value}, {})


def _check_models(transaction_model: Any, spend_model: Any) -> None:
    if not isinstance(transaction_model, TransactionModel):
        raise ValueRangeError(f"transaction_model must be a BetaGeo, ModifiedBetaGeo or ParetoNBD, "
                              f"got {type(transaction_model).__name__}")
    if not isinstance(spend_model, GammaGamma):
        raise ValueRangeError(f"spend_model must be a GammaGamma, got {type(spend_model).__name__}")


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
        _check_spend_rows(_checked_frame(summary, (*SUMMARY_COLUMNS, "monetary")))
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
    if not len(x):
        return attach_columns(summary, {name: np.zeros(0) for name in names}, {})
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
    days = _time.unit_days(time_unit, "time_unit")
    if isinstance(unit, str):
        return PERIOD_DAYS[check.option(unit, list(PERIOD_DAYS), "unit")] / days
    return check.number(unit, "unit", low=0.0, low_open=True)


def calibration_report(data: Any, *, model: TransactionModel, max_frequency: int = 7) -> Any:
    """Predicted against actual holdout purchases, per calibration frequency and in total.

    Parameters
    ----------
    data : DataFrame
        A calibration/holdout summary (``summary_from_transactions(..., calibration_end=...)``):
        ``frequency``, ``recency``, ``T``, ``frequency_holdout`` and ``duration_holdout``
        (eager or lazy; reduced to its distinct rows in the engine).
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted on the calibration columns of ``data``.
    max_frequency : int
        Calibration frequencies above this (a whole number >= 0) are pooled into one bucket.

    Returns
    -------
    DataFrame
        Same library as ``data`` (eager for a lazy one); one row per frequency bucket
        0..max_frequency, then a ``"total"`` row. Columns: ``frequency`` (text: "0", ...,
        "7+", "total"), ``customers``, ``actual`` and ``predicted`` (holdout purchases,
        summed), ``actual_mean`` and ``predicted_mean`` (per customer), ``error`` (predicted -
        actual), ``percent_error`` (100 x error / actual), ``mae`` and ``rmse`` (over
        customers). A bucket without customers has nulls in the per-customer columns; an
        empty summary raises :class:`~cxmetrics.errors.ValueRangeError`. This is the data
        behind the calibration-vs-holdout chart.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> split = pd.DataFrame({"frequency": [0, 1, 3], "recency": [0.0, 10, 30], "T": [39.0, 39, 39],
    ...                       "frequency_holdout": [0, 1, 2], "duration_holdout": [39.0, 39, 39]})
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> report = cx.calibration_report(split, model=bg, max_frequency=2)
    >>> report["frequency"].tolist(), report["customers"].tolist()
    (['0', '1', '2+', 'total'], [1, 1, 1, 3])
    """
    _check_model(model, "model")
    model._fitted()
    max_frequency = check.whole(max_frequency, "max_frequency", low=0)
    frame = _checked_frame(data, (*SUMMARY_COLUMNS, "frequency_holdout", "duration_holdout"))
    weight = None
    if isinstance(frame, nw.LazyFrame):  # customers alike in all five columns, counted in the engine
        frame = _frame.distinct_counts(frame, [*SUMMARY_COLUMNS, "frequency_holdout", "duration_holdout"])
        weight = np.asarray(frame[_frame.COUNT].to_numpy(), dtype=np.float64)
    x, t_x, big_t, _ = summary_arrays(frame.to_native())
    if not len(x):
        raise ValueRangeError("data has no customers (an empty summary): nothing to calibrate")
    weight = np.ones(len(x)) if weight is None else weight
    actual = numeric_array(frame["frequency_holdout"].to_numpy(), "frequency_holdout")
    duration = numeric_array(frame["duration_holdout"].to_numpy(), "duration_holdout")
    for name, values in (("frequency_holdout", actual), ("duration_holdout", duration)):
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            raise ValueRangeError(
                f"summary column {name!r} must be finite and >= 0; {int(weight[bad].sum())} "
                f"customers are not, for example {format_examples(values[bad])}")
    predicted = np.zeros(len(x))
    for length in np.unique(duration):
        rows = duration == length
        if length > 0:
            predicted[rows] = model._values(functools.partial(_expected_in, model, float(length)),
                                            x[rows], t_x[rows], big_t[rows])
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


#: Largest (frequency, recency) grid frequency_recency_matrix builds.
MAX_GRID_CELLS = 1_000_000


def _expected_in(model: TransactionModel, horizon: float, params: np.ndarray, triples: Triples) -> np.ndarray:
    return model._expected(params, horizon, triples)


def frequency_recency_matrix(data: Any = None, *, model: TransactionModel, t: float = 1.0,
                             T: float | None = None, max_frequency: int | None = None,
                             recency_step: float = 1.0) -> Any:
    """P(alive) and expected purchases over a grid of (frequency, recency) at one customer age.

    The data behind the two classic heat maps (Fader, Hardie & Lee 2005a, figures 4-5): how
    likely a customer is still active, and how much it will buy in the next ``t``, given how
    often it bought and how recently, all customers being ``T`` old.

    Parameters
    ----------
    data : DataFrame or None
        A summary (``frequency``, ``recency``, ``T``; eager or lazy) supplying the defaults:
        ``T`` is its largest age and ``max_frequency`` its largest frequency; and the library
        of the result. ``None`` is allowed: then ``T`` and ``max_frequency`` are required and
        the result is pandas.
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        A fitted model (or one made by ``from_parameters``).
    t : float
        Horizon of the expected purchases, a finite number > 0 in the summary's time unit.
    T : float, optional
        Customer age for the whole grid, > 0. Required without ``data``.
    max_frequency : int, optional
        Frequencies 0..max_frequency (a whole number >= 0). Required without ``data``.
    recency_step : float
        Spacing of the recency grid 0, step, 2 step, ... up to ``T`` (``T`` is always
        included), > 0; the grid may hold at most a million cells.

    Returns
    -------
    DataFrame
        One row per (frequency, recency) cell, sorted by frequency then recency, in the
        library of ``data`` (eager for a lazy one; pandas without data). Columns:
        ``frequency``, ``recency``, ``T``, ``probability_alive``, ``expected_purchases``. A
        customer without repeat purchases has recency 0 by definition, so the cells with
        frequency 0 and recency > 0 are missing (null). An empty ``data`` without both ``T``
        and ``max_frequency`` raises :class:`~cxmetrics.errors.ValueRangeError`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> grid = cx.frequency_recency_matrix(model=bg, t=39, T=39, max_frequency=3, recency_step=13)
    >>> grid.shape
    (16, 5)
    >>> row = grid[(grid["frequency"] == 3) & (grid["recency"] == 39)]
    >>> round(float(row["probability_alive"].iloc[0]), 3)
    0.848
    """
    _check_model(model, "model")
    model._fitted()
    horizon = check.number(t, "t", low=0.0, low_open=True)
    step = check.number(recency_step, "recency_step", low=0.0, low_open=True)
    if T is not None:
        check.number(T, "T", low=0.0, low_open=True)
    if max_frequency is not None:
        check.whole(max_frequency, "max_frequency", low=0)
    backend = _backend_of(data)
    if data is not None and (T is None or max_frequency is None):
        x, _, big_t, _ = summary_arrays(data)
        if not len(x):
            raise ValueRangeError("data has no customers (an empty summary): pass T and max_frequency")
        T = float(big_t.max()) if T is None else T
        max_frequency = int(x.max()) if max_frequency is None else max_frequency
    if T is None or max_frequency is None:
        raise ValueRangeError("pass a summary as data, or both T and max_frequency")
    age = float(T)
    if age <= 0:
        raise ValueRangeError(f"T must be a positive age; the summary's largest T is {age:g}")
    cells = (int(max_frequency) + 1) * (np.floor(age / step) + 2)
    if cells > MAX_GRID_CELLS:
        raise ValueRangeError(f"the grid would have about {cells:.3g} cells (max_frequency={max_frequency}, "
                              f"T={age:g}, recency_step={step:g}); the limit is {MAX_GRID_CELLS:,}: "
                              f"use a larger recency_step or a smaller max_frequency")
    recency = np.unique(np.append(np.arange(0.0, age, step), age))
    frequency_grid, recency_grid = (v.ravel() for v in np.meshgrid(
        np.arange(int(max_frequency) + 1, dtype=np.float64), recency, indexing="ij"))
    valid = (frequency_grid > 0) | (recency_grid == 0)
    ages = np.full(int(valid.sum()), age)
    alive = np.full(len(frequency_grid), np.nan)
    expected = np.full(len(frequency_grid), np.nan)
    cell = (frequency_grid[valid], recency_grid[valid], ages)
    alive[valid] = model._values(model._p_alive, *cell)
    expected[valid] = model._values(lambda p, d: model._expected(p, horizon, d), *cell)
    return _frame.to_native(nw.from_dict({
        "frequency": frequency_grid.astype(np.int64),
        "recency": recency_grid,
        "T": np.full(len(frequency_grid), age),
        "probability_alive": [None if np.isnan(v) else float(v) for v in alive],
        "expected_purchases": [None if np.isnan(v) else float(v) for v in expected],
    }, backend=backend))


def _check_model(model: Any, name: str) -> None:
    if not isinstance(model, TransactionModel):
        raise ValueRangeError(
            f"{name} must be a BetaGeo, ModifiedBetaGeo or ParetoNBD, got {type(model).__name__}")
