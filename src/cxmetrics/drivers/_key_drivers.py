"""``key_drivers``: which ratings explain the outcome, by relative weights, Shapley, r or beta."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.drivers import _data
from cxmetrics.drivers import _importance as imp
from cxmetrics.errors import DesignError, ValueRangeError

METHODS = ("relative_weights", "shapley", "correlation", "beta")


@dataclasses.dataclass(frozen=True)
class _Fit:
    importance: np.ndarray
    beta: np.ndarray
    p_value: np.ndarray
    correlation: np.ndarray
    r_squared: float
    model: str


@same_frame
def key_drivers(
    data: Any,
    *,
    outcome: str,
    drivers: Sequence[str],
    method: str = "relative_weights",
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    missing: str = "listwise",
) -> Any:
    """Importance of each driver rating for an outcome (NPS likelihood-to-recommend, CSAT, ...).

    Ratings are always correlated, so regression coefficients alone rank drivers unstably.
    ``relative_weights`` (Johnson 2000) and ``shapley`` (Lindeman, Merenda & Gold 1980; the
    Shapley value of R²) split the model R² into non-negative shares that sum to it;
    ``correlation`` uses r² and ``beta`` the squared standardised coefficients.

    A 0/1 outcome (say, promoter or not) switches to logistic regression: relative weights by
    Tonidandel & LeBreton's (2010) extension, which sum to the squared correlation of the
    outcome with the fitted probability; betas are Menard's (2004) standardised logistic
    coefficients with Wald p-values. Shapley needs R² of every subset and is linear only.

    Parameters
    ----------
    data : DataFrame
        One row per response (pandas, polars, pyarrow or lazy).
    outcome : str
        The overall rating to explain (0/1 for the logistic variant).
    drivers : list of str
        The touchpoint or attribute ratings.
    method : {"relative_weights", "shapley", "correlation", "beta"}
        How importance is measured. Shapley is exact and limited to 15 drivers (2^15
        subset regressions); relative weights track it closely and take milliseconds at any
        size.
    weights : str, optional
        Column of survey weights: they weight the correlations (and the logistic fit).
        Tests use the number of responses.
    by : str or list of str, optional
        Analyse each group separately.
    n_boot : int
        Bootstrap resamples for a percentile interval on each importance (0: none).
    seed : int or numpy Generator, optional
        Seed of the bootstrap. Without one a fixed seed (0) is used, so two identical calls
        give identical intervals.
    confidence : float
        Level of the bootstrap interval.
    alpha : float
        Level at which a driver's effect counts as significant.
    missing : {"listwise", "pairwise"}
        Listwise (default) drops a response missing any rating. Pairwise computes each
        correlation from the responses that have both ratings, which keeps more data but can
        give a correlation matrix no single data set has; tests then use the smallest pairwise
        count. The logistic variant is always listwise.

    Returns
    -------
    DataFrame
        Same library as ``data``; one row per (group, driver), drivers ranked within groups.
        Columns: the ``by`` columns, ``driver``, ``importance`` (share of R² for
        relative weights and Shapley, r² for correlation, beta² for beta), ``pct`` (importance
        as a percentage of the group's total), ``rank`` (1 = most important; ties share the
        smaller rank), ``beta`` (standardised coefficient in the model with all drivers),
        ``p_value`` (its t-test, or Wald test for a 0/1 outcome), ``correlation`` (with the
        outcome), ``significant`` (p_value < alpha: the driver's effect holding the others
        fixed is distinguishable from zero), ``importance_ci_low`` and ``importance_ci_high``
        (bootstrap percentile interval; only with ``n_boot > 0``), ``r_squared`` (of the model
        with all drivers), ``n`` (responses used), ``model`` ("linear" or "logistic").

    Raises
    ------
    DesignError
        Fewer responses than drivers + 2, a constant driver or outcome, drivers that are
        exact linear combinations of others (named), or a 0/1 outcome that the drivers
        separate, where the logistic estimates do not exist (Albert & Anderson 1984; named).

    Notes
    -----
    Edge inputs: fewer complete responses than drivers + 2 (an empty frame, one row), a
    constant outcome or driver raise :class:`~cxmetrics.errors.DesignError` naming the group;
    null ``by`` keys (None, NaN, ``pd.NA``) form their own group on every backend (categorical
    groups come back as text, sorted by their text); text or
    infinite ratings raise naming the column (bool ratings are read as 0/1, a categorical of
    numbers as its numbers); a ``by`` column named like a result column or starting with
    ``__cx_`` raises :class:`~cxmetrics.errors.ColumnClashError`. The bootstrap uses a fixed
    seed when none is given, so identical calls agree.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import cxmetrics as cx
    >>> rng = np.random.default_rng(0)
    >>> survey = pd.DataFrame(rng.integers(1, 6, size=(500, 3)), columns=["delivery", "staff", "price"])
    >>> survey["ltr"] = 2 * survey["delivery"] + survey["staff"] + rng.normal(0, 1, 500)
    >>> result = cx.key_drivers(survey, outcome="ltr", drivers=["delivery", "staff", "price"])
    >>> result[["driver", "rank", "significant"]]
         driver  rank  significant
    0  delivery     1         True
    1     staff     2         True
    2     price     3        False
    >>> bool(np.isclose(result["importance"].sum(), result["r_squared"].iloc[0]))
    True
    """
    ratings = _data.load(data, outcome, drivers, weights, by)
    table = drivers_table(ratings, method=method, n_boot=n_boot, seed=seed, confidence=confidence,
                          alpha=alpha, missing=missing)
    return _frame.to_native(table)


def drivers_table(ratings: _data.Ratings, *, method: str = "relative_weights", n_boot: int = 0,
                  seed: int | np.random.Generator | None = None, confidence: float = 0.95,
                  alpha: float = 0.05, missing: str = "listwise") -> nw.DataFrame[Any]:
    """:func:`key_drivers` on ratings already loaded, as an eager narwhals frame."""
    _checks.option(method, METHODS, "method")
    _checks.option(missing, _data.MISSING, "missing")
    n_boot = _checks.whole(n_boot, "n_boot", low=0)
    confidence = _checks.confidence(confidence)
    alpha = _checks.probability(alpha, "alpha", open_ends=True)
    rng = _checks.rng(seed)
    p = len(ratings.drivers)
    if method == "shapley" and p > imp.MAX_SHAPLEY_DRIVERS:
        raise ValueRangeError(
            f"exact Shapley needs R² of all 2^{p} = {2**p:,} subsets of {p} drivers; it is limited to "
            f"{imp.MAX_SHAPLEY_DRIVERS} drivers. method='relative_weights' gives nearly the same shares "
            f"in milliseconds")
    columns: dict[str, list[Any]] = {name: [] for name in (
        "group", "driver", "importance", "pct", "rank", "beta", "p_value", "correlation", "significant",
        "importance_ci_low", "importance_ci_high", "r_squared", "n", "model")}
    for position, rows in ratings.groups():
        label = _group_label(ratings, position)
        used = _data.complete_rows(ratings, rows, missing)
        _data.check_design(ratings, used, label)
        binary = _is_binary(ratings.rows(used)[0][:, -1])
        if binary and method == "shapley":
            raise ValueRangeError(
                f"{label}: outcome {ratings.outcome!r} is 0/1, and Shapley is defined here for the linear "
                f"R² only; use method='relative_weights' (Tonidandel & LeBreton's logistic extension)")
        if binary and missing == "pairwise":
            used = _data.complete_rows(ratings, rows, "listwise")
        fit = _fit(ratings, used, method, binary, missing, label)
        low = high = np.full(p, np.nan)
        if n_boot:
            low, high = _bootstrap(ratings, used, method, binary, missing, n_boot, confidence, rng)
        total = fit.importance.sum()
        order = (-fit.importance).argsort(kind="stable")
        # ties share the smaller rank
        rank = 1 + (fit.importance[None, :] > fit.importance[:, None] + 1e-15).sum(axis=1)
        for j in order:
            columns["group"].append(position)
            columns["driver"].append(ratings.drivers[j])
            columns["importance"].append(float(fit.importance[j]))
            columns["pct"].append(float(100.0 * fit.importance[j] / total) if total > 0 else np.nan)
            columns["rank"].append(int(rank[j]))
            columns["beta"].append(float(fit.beta[j]))
            columns["p_value"].append(float(fit.p_value[j]))
            columns["correlation"].append(float(fit.correlation[j]))
            columns["significant"].append(bool(fit.p_value[j] < alpha))
            columns["importance_ci_low"].append(float(low[j]))
            columns["importance_ci_high"].append(float(high[j]))
            columns["r_squared"].append(fit.r_squared)
            columns["n"].append(len(used))
            columns["model"].append(fit.model)
    group = np.asarray(columns.pop("group"), dtype=np.int64)
    if not n_boot:
        del columns["importance_ci_low"], columns["importance_ci_high"]
    keys = None if ratings.keys is None else _frame.take_rows(ratings.keys, group)
    return _frame.with_arrays(keys, columns, ratings.backend)


def _is_binary(y: np.ndarray) -> bool:
    """A 0/1 outcome (both values present: constant outcomes are rejected before)."""
    return bool(((y == 0.0) | (y == 1.0)).all())


def _group_label(ratings: _data.Ratings, position: int) -> str:
    if ratings.keys is None:
        return "data"
    return "group " + ", ".join(f"{k}={v!r}" for k, v in zip(ratings.keys.columns, ratings.keys.row(position),
                                                             strict=True))


def _data_at(ratings: _data.Ratings, rows: np.ndarray,
             counts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Ratings and weights at ``rows``, bootstrap counts folded into the weights."""
    matrix, w = ratings.rows(rows)
    if counts is not None:
        w = counts if w is None else w * counts
    return matrix, w


def _fit(ratings: _data.Ratings, rows: np.ndarray, method: str, binary: bool, missing: str, label: str,
         counts: np.ndarray | None = None) -> _Fit:
    matrix, w = _data_at(ratings, rows, counts)
    moments = (imp.pairwise_moments if missing == "pairwise" else imp.weighted_moments)(matrix, w)
    if not np.isfinite(moments.rxx).all() or not np.isfinite(moments.rxy).all():
        raise DesignError(f"{label}: some pair of ratings has no responses in common, or no variation "
                          f"where they overlap; correlations are undefined")
    groups = imp.collinear_groups(moments.rxx)
    if groups:
        named = [[ratings.drivers[j] for j in g] for g in groups]
        raise DesignError(f"{label}: drivers {named} are perfectly collinear (each set is an exact linear "
                          f"combination); drop one driver of each set")
    if binary:
        logistic = imp.logistic_importance(matrix[:, :-1], matrix[:, -1], w)
        if logistic.separating:
            separating = [ratings.drivers[j] for j in logistic.separating]
            raise DesignError(f"{label}: the 0/1 outcome {ratings.outcome!r} is (quasi-)perfectly separated "
                              f"by {separating}: some responses are predicted with probability 0 or 1 "
                              f"and the logistic coefficients have no finite maximum; merge sparse rating "
                              f"levels of these drivers, drop one, or use method='correlation'")
        importance = {"relative_weights": logistic.relative_weights, "correlation": moments.rxy**2,
                      "beta": logistic.betas**2}[method]
        return _Fit(importance, logistic.betas, logistic.p_values, moments.rxy, logistic.r_squared,
                    "logistic")
    beta = imp.standardised_betas(moments.rxx, moments.rxy)
    importance = {
        "relative_weights": lambda: imp.relative_weights(moments.rxx, moments.rxy),
        "shapley": lambda: imp.shapley_r_squared(moments.rxx, moments.rxy),
        "correlation": lambda: moments.rxy**2,
        "beta": lambda: beta**2,
    }[method]()
    return _Fit(importance, beta, imp.beta_p_values(moments), moments.rxy,
                imp.r_squared(moments.rxx, moments.rxy), "linear")


def _bootstrap(ratings: _data.Ratings, rows: np.ndarray, method: str, binary: bool, missing: str, n_boot: int,
               confidence: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each importance over resamples of the responses.

    A resample is a multinomial count per response, used as a frequency weight, so no rows
    are copied. Resamples where the design degenerates (a constant column) are skipped.
    """
    draws = []
    for _ in range(n_boot):
        counts = rng.multinomial(len(rows), np.full(len(rows), 1.0 / len(rows))).astype(np.float64)
        kept = counts > 0
        try:
            fit = _fit(ratings, rows[kept], method, binary, missing, "bootstrap", counts[kept])
        except (DesignError, np.linalg.LinAlgError):
            continue
        draws.append(fit.importance)
    if not draws:
        nan = np.full(len(ratings.drivers), np.nan)
        return nan, nan
    tail = (1.0 - confidence) / 2.0
    return np.quantile(np.array(draws), tail, axis=0), np.quantile(np.array(draws), 1.0 - tail, axis=0)
