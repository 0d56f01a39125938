"""Model checking and choice for the purchase models: comparison table, tracking, histogram,
and the Gamma-Gamma independence check.

- :func:`compare_models`: log-likelihood, AIC (Akaike 1974) and BIC (Schwarz 1978) per model,
  and holdout errors from :func:`~cxmetrics.calibration_report`.
- :func:`tracking`: actual against expected repeat purchases per period over calibration and
  holdout (Fader, Hardie & Lee 2005a, "Counting your customers the easy way", figures 2-3):
  the expected cumulative count at time ``tau`` is ``sum_i E[X(tau - s_i)]`` over the customers
  whose first purchase ``s_i`` came before ``tau``, ``E[X(t)]`` being the model's expectation for
  a new customer (FHL 2005a eq. 9).
- :func:`repeat_purchase_histogram`: customers with 0, 1, ..., k+ repeat purchases in
  calibration against ``sum_i P(X(T_i) = x)`` (FHL 2005a figure 1), with a chi-square test.
- :func:`check_independence`: Gamma-Gamma assumes a customer's mean spend is independent of
  its purchase count (Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value curves",
  section 3; they report a correlation of 0.11 on CDNOW): Pearson and Spearman correlations
  with their tests.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks as check
from cxmetrics import _frame, _time, _transactions
from cxmetrics._typing import same_frame
from cxmetrics.clv._fit import z_value
from cxmetrics.errors import DependenceWarning, NotFittedError, ValueRangeError, format_examples

#: The Gamma-Gamma fit warns when the Pearson correlation of frequency and mean spend among
#: repeat buyers is at least this large in absolute value and significant at 5 %.
DEPENDENCE_THRESHOLD = 0.3
_DAY_US = 86_400_000_000


def _model_label(model: Any) -> str:
    return str(getattr(model, "title", "") or type(model).__name__)


def _is_fitted(model: Any) -> bool:
    try:
        model.parameters  # noqa: B018 - raises when the model is not fitted
    except NotFittedError:
        return False
    return True


def _model_kind(model: Any) -> str:
    """``"continuous"`` (BG/NBD, MBG/NBD, Pareto/NBD on frequency/recency/T) or ``"discrete"``
    (BG/BB on frequency/recency/n_periods); anything else is refused, saying why."""
    from cxmetrics.clv._discrete import BetaGeoBetaBinom
    from cxmetrics.clv._models import TransactionModel

    if isinstance(model, TransactionModel):
        return "continuous"
    if isinstance(model, BetaGeoBetaBinom):
        return "discrete"
    name = type(model).__name__
    why = {
        "GammaGamma": "a spend model is compared on spend, not purchases; use its summary()",
        "ShiftedBetaGeometric": "sBG fits survivor counts per period, a different table",
    }.get(name, "it is not a purchase model")
    raise ValueRangeError(f"compare_models takes BetaGeo, ModifiedBetaGeo, ParetoNBD or BetaGeoBetaBinom "
                          f"models, got {name}: {why}")


@same_frame
def compare_models(data: Any, *, models: Sequence[Any], max_frequency: int = 7) -> Any:
    """One row per purchase model: fit, information criteria and (with holdout) errors.

    The models must all read the same summary shape: the continuous-time models (BG/NBD,
    MBG/NBD, Pareto/NBD) read ``frequency``, ``recency``, ``T``; BG/BB reads ``frequency``,
    ``recency``, ``n_periods``. Mixing the two raises
    :class:`~cxmetrics.errors.ValueRangeError` (their likelihoods are of different data, so
    AIC and BIC do not compare); so do GammaGamma and sBG, which are not purchase models.

    Parameters
    ----------
    data : DataFrame
        A summary (eager or lazy) of the shape above; for the continuous-time models, with
        ``frequency_holdout`` and ``duration_holdout`` (``calibration_end=``) the holdout
        errors are added (BG/BB: no holdout columns).
    models : sequence
        Model classes or unfitted instances, fitted here on ``data`` (BG/BB without ``by``);
        or fitted models, used as they are (they must have been fitted on ``data``).
    max_frequency : int
        Passed to :func:`~cxmetrics.calibration_report` (pooling of the frequency buckets),
        a whole number >= 0.

    Returns
    -------
    DataFrame
        Same library as ``data`` (eager for a lazy one), in the order of ``models``. Columns:
        ``model``, ``log_likelihood``, ``n_parameters``, ``parameters`` (text:
        ``"r=0.2426, alpha=4.414, ..."``), ``customers``, ``aic`` (``2k - 2 LL``), ``bic``
        (``k ln(customers) - 2 LL``), ``delta_aic`` and ``delta_bic`` (from the smallest);
        with holdout columns also ``holdout_actual`` and ``holdout_predicted`` (totals),
        ``holdout_error`` (predicted - actual), ``holdout_percent_error``, ``mae`` and
        ``rmse`` (per customer). An empty summary raises (nothing to fit).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import cxmetrics as cx
    >>> rng = np.random.default_rng(1)
    >>> T = rng.uniform(20, 40, 300)
    >>> x = rng.poisson(0.1 * T)
    >>> summary = pd.DataFrame({"frequency": x, "recency": np.where(x > 0, T * rng.uniform(0.5, 1, 300), 0),
    ...                         "T": T})
    >>> table = cx.compare_models(summary, models=[cx.BetaGeo, cx.ParetoNBD])
    >>> table["model"].tolist(), table.columns[:4].tolist()
    (['BG/NBD', 'Pareto/NBD'], ['model', 'log_likelihood', 'n_parameters', 'parameters'])
    """
    from cxmetrics.clv._value import calibration_report

    if isinstance(models, (str, bytes)) or not isinstance(models, Sequence) or not models:
        raise ValueRangeError(f"models must be a non-empty list of models, got {models!r}")
    max_frequency = check.whole(max_frequency, "max_frequency", low=0)
    frame = _frame.from_native(data, name="data")
    instances = [item() if isinstance(item, type) else item for item in models]
    kinds = {_model_kind(model) for model in instances}
    if len(kinds) > 1:
        raise ValueRangeError("compare_models cannot compare BG/BB (discrete opportunities: frequency, "
                              "recency, n_periods) with BG/NBD-type models (frequency, recency, T): "
                              "their likelihoods are of different data; compare each kind on its own")
    discrete = kinds == {"discrete"}
    names = frame.collect_schema().names()
    holdout = not discrete and "frequency_holdout" in names and "duration_holdout" in names
    rows: dict[str, list[Any]] = {
        c: [] for c in ("model", "log_likelihood", "n_parameters", "parameters", "customers", "aic", "bic")
    }
    holdout_columns = ("holdout_actual", "holdout_predicted", "holdout_error", "holdout_percent_error",
                       "mae", "rmse")
    if holdout:
        rows.update({c: [] for c in holdout_columns})
    for model in instances:
        if not _is_fitted(model):
            model.fit(data)
        if discrete and model.by_:
            raise ValueRangeError("compare_models takes BG/BB models fitted without by=; compare each "
                                  "cohort's models on its rows")
        loglik, k, n = float(model.log_likelihood_), len(model.parameter_names), int(model.n_customers_)
        rows["model"].append(_model_label(model))
        rows["log_likelihood"].append(loglik)
        rows["n_parameters"].append(k)
        rows["parameters"].append(", ".join(f"{p}={v:.4g}" for p, v in model.parameters.items()))
        rows["customers"].append(n)
        rows["aic"].append(2.0 * k - 2.0 * loglik)
        rows["bic"].append(k * float(np.log(n)) - 2.0 * loglik if n else float("nan"))
        if holdout:
            report = nw.from_native(calibration_report(data, model=model, max_frequency=max_frequency),
                                    eager_only=True)
            total = report.rows(named=True)[-1]
            for column, source in zip(holdout_columns, ("actual", "predicted", "error", "percent_error",
                                                        "mae", "rmse"), strict=True):
                rows[column].append(total[source])
    for criterion in ("aic", "bic"):
        values = np.asarray(rows[criterion], dtype=np.float64)
        best = values[np.isfinite(values)].min() if np.isfinite(values).any() else np.nan
        rows[f"delta_{criterion}"] = (values - best).tolist()
    order = ["model", "log_likelihood", "n_parameters", "parameters", "customers", "aic", "bic",
             "delta_aic", "delta_bic", *(holdout_columns if holdout else ())]
    return _frame.to_native(
        nw.from_dict({c: rows[c] for c in order}, backend=_frame.eager_implementation(frame))
    )


@same_frame
def tracking(
    data: Any,
    *,
    model: Any,
    customer: str,
    time: str,
    calibration_end: Any,
    as_of: Any = None,
    unit: str = "W",
    period: float = 1.0,
) -> Any:
    """Actual against expected repeat purchases per period, through calibration and holdout.

    The log is reduced in its engine to repeat-purchase days per period and first purchases
    per day; purchases on one day are one purchase (as in
    :func:`~cxmetrics.summary_from_transactions`). Periods start at the log's first day.

    Parameters
    ----------
    data : DataFrame
        The transaction log (eager or lazy), one row per purchase.
    model : BetaGeo, ModifiedBetaGeo or ParetoNBD
        Fitted on the calibration summary in the same ``unit``.
    customer, time : str
        Customer id and purchase time columns.
    calibration_end : date, datetime or ISO str
        Last day of the calibration period (the model's); later periods are holdout.
    as_of : date, datetime or ISO str, optional
        End of the log (default: its last purchase day); only complete periods are shown.
    unit : {"W", "D", "h"}
        The model's time unit.
    period : float
        Length of a period, in ``unit`` (1 = a week for weekly models).

    Returns
    -------
    DataFrame
        Same library as ``data`` (eager), one row per period: ``period`` (1, 2, ...),
        ``part`` (``"calibration"`` or ``"holdout"``: holdout once the period ends after
        ``calibration_end``), ``customers`` (acquired by the period's end), ``actual`` and
        ``predicted`` (repeat purchases in the period), ``actual_cumulative`` and
        ``predicted_cumulative``.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2, 2, 3],
    ...                     "day": pd.to_datetime(["2024-01-01", "2024-01-09", "2024-01-20", "2024-01-03",
    ...                                            "2024-01-25", "2024-01-10"])})
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> track = cx.tracking(log, model=bg, customer="id", time="day", calibration_end="2024-01-14")
    >>> track[["period", "part", "customers", "actual", "actual_cumulative"]]
       period         part  customers  actual  actual_cumulative
    0       1  calibration          2       0                  0
    1       2  calibration          3       1                  1
    2       3      holdout          3       1                  2
    """
    from cxmetrics.clv._models import TransactionModel

    if not isinstance(model, TransactionModel):
        raise ValueRangeError(
            f"tracking takes a fitted BetaGeo, ModifiedBetaGeo or ParetoNBD, got {type(model).__name__}"
        )
    model.parameters  # noqa: B018 - raises NotFittedError when the model is not fitted
    length = check.number(period, "period", low=0.0, low_open=True) * _time.unit_days(unit)
    prepared = _transactions.prepare(data, customer=customer, time=time, amount=None, nonpositive="keep")
    origin = _time.start_of_day(prepared.first) // _DAY_US
    day = (nw.col(_transactions.TIME_US) - nw.col(_transactions.TIME_US) % _DAY_US) // _DAY_US - origin
    days = prepared.frame.select(nw.col(customer), day.alias("__cx_day")).unique()
    firsts = days.group_by(customer).agg(nw.col("__cx_day").min().alias("__cx_first"))
    joined = days.join(firsts, on=customer)  # type: ignore[arg-type]
    repeats = _frame.collect(
        joined.filter(nw.col("__cx_day") > nw.col("__cx_first"))
        .group_by("__cx_day")
        .agg(nw.len().alias("__cx_n"))
    )
    acquired = _frame.collect(firsts.group_by("__cx_first").agg(nw.len().alias("__cx_n")))
    end = (
        _time.start_of_day(prepared.latest)
        if as_of is None
        else _time.start_of_day(_time.to_microseconds(as_of, "as_of"))
    ) // _DAY_US - origin
    cutoff = _time.start_of_day(_time.to_microseconds(calibration_end, "calibration_end")) // _DAY_US - origin
    if not 0 <= cutoff < end:
        raise ValueRangeError(f"calibration_end={calibration_end!r} must fall inside the log")
    n_periods = int(np.floor((end + 1) / length + 1e-9))
    if n_periods < 1:
        raise ValueRangeError(f"the log is shorter than one period ({period} {unit})")
    period_end = np.arange(1, n_periods + 1) * length  # in days from the origin, exclusive
    repeat_day = np.asarray(repeats["__cx_day"].to_numpy(), dtype=np.float64)
    repeat_n = np.asarray(repeats["__cx_n"].to_numpy(), dtype=np.float64)
    first_day = np.asarray(acquired["__cx_first"].to_numpy(), dtype=np.float64)
    first_n = np.asarray(acquired["__cx_n"].to_numpy(), dtype=np.float64)
    which = np.floor(repeat_day / length + 1e-9).astype(np.int64)
    inside = which < n_periods
    actual = np.bincount(which[inside], weights=repeat_n[inside], minlength=n_periods)
    # expected cumulative: each first-purchase day's customers, at each period's end
    ages = (period_end[:, None] - first_day[None, :]) / _time.unit_days(unit)
    distinct, inverse = np.unique(np.round(ages, 9), return_inverse=True)
    expected = np.array([model.expected_population_purchases(float(a)) if a > 0 else 0.0 for a in distinct])
    cumulative = expected[inverse.reshape(ages.shape)] @ first_n
    customers = (first_day[None, :] < period_end[:, None]).astype(np.float64) @ first_n
    result = {
        "period": np.arange(1, n_periods + 1),
        "part": ["calibration" if e <= cutoff + 1 + 1e-9 else "holdout" for e in period_end],
        "customers": customers.astype(np.int64),
        "actual": actual.astype(np.int64),
        "predicted": np.diff(cumulative, prepend=0.0),
        "actual_cumulative": np.cumsum(actual).astype(np.int64),
        "predicted_cumulative": cumulative,
    }
    return _frame.to_native(nw.from_dict(result, backend=_frame.eager_implementation(prepared.frame)))


@same_frame
def repeat_purchase_histogram(data: Any, *, model: Any, max_frequency: int = 7) -> Any:
    """Customers by number of repeat purchases in calibration: actual against expected.

    Expected customers with ``x`` repeat purchases are ``sum_i P(X(T_i) = x)``, the model's
    probability that a new customer makes ``x`` repeat purchases in its ``T_i`` (evaluated once
    per distinct ``T``); the last bucket pools ``max_frequency`` and more. A Pearson chi-square
    test compares the counts, with ``buckets - 1 - parameters`` degrees of freedom.

    Parameters
    ----------
    data : DataFrame
        The calibration summary the model was fitted on (``frequency``, ``T``; for BG/BB
        ``frequency`` and ``n_periods``, one row per customer).
    model : BetaGeo, ModifiedBetaGeo, ParetoNBD or BetaGeoBetaBinom
        A fitted model (BG/BB: fitted without ``by``; its probabilities are FHS 2010 eq. 7).
    max_frequency : int
        First pooled bucket (``"7+"`` by default).

    Returns
    -------
    DataFrame
        Same library as ``data`` (eager), one row per bucket: ``frequency`` (text
        ``"0"``, ..., ``"7+"``), ``actual``, ``expected``, and, repeated on every row,
        ``chi_square``, ``df``, ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> summary = pd.DataFrame({"frequency": [0, 0, 1, 3], "recency": [0, 0, 10, 30], "T": [39] * 4})
    >>> table = cx.repeat_purchase_histogram(summary, model=bg, max_frequency=2)
    >>> table["frequency"].tolist(), round(float(table["expected"].sum()), 6)
    (['0', '1', '2+'], 4.0)
    """
    import scipy.stats

    from cxmetrics.clv._models import summary_arrays

    max_frequency = check.whole(max_frequency, "max_frequency", low=1)
    from cxmetrics.clv._discrete import BetaGeoBetaBinom

    _model_kind(model)
    model.parameters  # noqa: B018 - raises NotFittedError when the model is not fitted
    frame = _frame.from_native(data, name="data")
    discrete = isinstance(model, BetaGeoBetaBinom)
    if discrete:
        if model.by_:
            raise ValueRangeError(
                "repeat_purchase_histogram takes a BG/BB model fitted without by=; "
                "check each group's rows against a model fitted on them"
            )
        from cxmetrics.clv._discrete import _table

        rows, _ = _table(data, None, None, None, None, [])
        x, big_t = (
            np.asarray(rows[c].cast(nw.Float64).to_numpy(), dtype=np.float64)
            for c in ("frequency", "n_periods")
        )
        count = (np.asarray(rows["__cx_count"].cast(nw.Float64).to_numpy(), dtype=np.float64)
                 if "__cx_count" in rows.columns else np.ones(len(x)))  # lazy: distinct rows, counted
    else:
        x, _, big_t, count = summary_arrays(data)
    if not len(x):
        raise ValueRangeError("data has no customers (an empty summary): nothing to compare")
    ages, inverse = np.unique(big_t, return_inverse=True)
    probabilities = np.zeros((len(ages), max_frequency))
    for row, age in enumerate(ages):
        if discrete and age > 0:
            pmf = model.population_pmf(int(age), max_count=max_frequency - 1)
            probabilities[row, : len(pmf)] = pmf
        elif age > 0:
            probabilities[row] = [model._new_customer_pmf(k, float(age)) for k in range(max_frequency)]
        else:
            probabilities[row, 0] = 1.0
    customers = np.bincount(inverse.ravel(), weights=count, minlength=len(ages))
    expected = customers @ probabilities
    expected = np.append(expected, customers.sum() - expected.sum())
    actual = np.bincount(
        np.minimum(x, max_frequency).astype(np.int64), weights=count, minlength=max_frequency + 1
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.sum(np.where(expected > 0, (actual - expected) ** 2 / expected, 0.0)))
    df = max(len(expected) - 1 - len(model.parameter_names), 1)
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    return _frame.to_native(
        nw.from_dict(
            {
                "frequency": labels,
                "actual": actual.astype(np.int64),
                "expected": expected,
                "chi_square": [statistic] * len(labels),
                "df": [df] * len(labels),
                "p_value": [float(scipy.stats.chi2.sf(statistic, df))] * len(labels),
            },
            backend=_frame.eager_implementation(frame),
        )
    )


def check_independence(
    data: Any, *, frequency: str = "frequency", monetary: str = "monetary", confidence: float = 0.95
) -> Any:
    """Correlation of purchase count and mean spend among repeat buyers, with tests.

    Gamma-Gamma assumes they are independent (FHL 2005b). Customers without repeat purchases
    (``frequency`` 0) are left out, as in the fit.

    Parameters
    ----------
    data : DataFrame
        A summary with ``frequency`` and ``monetary`` (eager or lazy; collected).
    frequency, monetary : str
        Column names.
    confidence : float
        Level of the intervals: Fisher's z for Pearson; for Spearman Fisher's z with the
        standard error ``sqrt(1.06 / (n - 3))`` of Fieller, Hartley & Pearson (1957).

    Returns
    -------
    DataFrame
        Same library as ``data`` (eager); rows ``pearson`` and ``spearman``. Columns:
        ``method``, ``correlation``, ``ci_low``, ``ci_high``, ``p_value`` (two-sided test of
        zero correlation: scipy's ``pearsonr`` and ``spearmanr``), ``customers``.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> summary = pd.DataFrame({"frequency": [0, 1, 2, 3, 4, 5, 6],
    ...                         "monetary": [0, 20, 25, 22, 30, 27, 24.0]})
    >>> cx.GammaGamma.check_independence(summary)["method"].tolist()
    ['pearson', 'spearman']
    """
    import scipy.stats

    z = z_value(confidence)
    frame = _frame.collect(_frame.from_native(data, name="data"))
    _frame.require_columns(frame, {"summary": [frequency, monetary]})
    for column in (frequency, monetary):
        _frame.require_numeric(frame, column, "summary")
    x = np.asarray(frame[frequency].cast(nw.Float64).to_numpy(), dtype=np.float64)
    m = np.asarray(frame[monetary].cast(nw.Float64).to_numpy(), dtype=np.float64)
    bad = ~np.isfinite(x) | ~np.isfinite(m)
    if bad.any():
        raise ValueRangeError(
            f"columns {frequency!r} and {monetary!r} must be finite; {int(bad.sum())} rows "
            f"are not, for example {format_examples(x[bad])}, {format_examples(m[bad])}"
        )
    keep = x > 0
    x, m = x[keep], m[keep]
    n = len(x)
    if n < 4 or np.ptp(x) == 0 or np.ptp(m) == 0:
        raise ValueRangeError(
            f"check_independence needs at least 4 repeat buyers with varying frequency and "
            f"monetary values, got {n}"
        )
    columns: dict[str, list[Any]] = {
        c: [] for c in ("method", "correlation", "ci_low", "ci_high", "p_value", "customers")
    }
    for method, result, spread in (
        ("pearson", scipy.stats.pearsonr(x, m), 1.0),
        ("spearman", scipy.stats.spearmanr(x, m), 1.06),
    ):
        r = float(result[0])
        centre = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        half = z * np.sqrt(spread / (n - 3)) if n > 3 else np.inf
        columns["method"].append(method)
        columns["correlation"].append(r)
        columns["ci_low"].append(float(np.tanh(centre - half)))
        columns["ci_high"].append(float(np.tanh(centre + half)))
        columns["p_value"].append(float(result[1]))
        columns["customers"].append(n)
    return _frame.to_native(nw.from_dict(columns, backend=_frame.eager_implementation(frame)))


def warn_if_dependent(x: np.ndarray, m: np.ndarray, weight: np.ndarray) -> None:
    """The Gamma-Gamma fit's check: a :class:`DependenceWarning` when the (customer-weighted)
    Pearson correlation of repeat buyers' frequency and mean spend is at least
    :data:`DEPENDENCE_THRESHOLD` in size and significant at 5 % (t test, n - 2 df)."""
    from scipy.special import stdtr

    n = float(weight.sum())
    if n < 4:
        return
    mean_x, mean_m = weight @ x / n, weight @ m / n
    cov = weight @ ((x - mean_x) * (m - mean_m))
    spread = np.sqrt((weight @ (x - mean_x) ** 2) * (weight @ (m - mean_m) ** 2))
    if spread == 0:
        return
    r = float(cov / spread)
    t = r * np.sqrt((n - 2) / max(1.0 - r * r, 1e-300))
    p = float(2.0 * stdtr(n - 2, -abs(t)))
    if abs(r) >= DEPENDENCE_THRESHOLD and p < 0.05:
        warnings.warn(
            f"Gamma-Gamma assumes mean spend is independent of purchase frequency, but their correlation "
            f"among the {n:.0f} repeat buyers is {r:.2f} (p = {p:.2g}); expected spend will be biased. "
            f"See GammaGamma.check_independence",
            DependenceWarning,
            stacklevel=3,
        )
