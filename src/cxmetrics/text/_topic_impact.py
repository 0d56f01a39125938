"""Which topics move NPS: :func:`topic_impact`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._stats import adjust_p_values, welch_test
from cxmetrics._typing import same_frame
from cxmetrics.drivers._data import Ratings
from cxmetrics.drivers._key_drivers import drivers_table
from cxmetrics.errors import ColumnTypeError, UntestableWarning, ValueRangeError

__all__ = ["RESULT_COLUMNS", "topic_impact"]

#: The columns of topic_impact's result beside the groups, in order.
RESULT_COLUMNS = (
    "topic", "n_with", "n_without", "share", "with", "without", "difference", "se", "ci_low",
    "ci_high", "statistic", "df", "p_value", "p_adjusted", "p_adjust_method", "significant", "lift",
    "gap_share", "joint_share", "joint_ci_low", "joint_ci_high", "joint_beta", "joint_p_value",
    "joint_p_adjusted", "joint_significant", "r_squared", "method")


def _codes(score: np.ndarray, method: str) -> np.ndarray:
    if method == "regression":
        return score
    return np.where(score >= 9, 100.0, np.where(score <= 6, -100.0, 0.0))


def _weighted(values: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted mean, variance (ddof 1 in effective counts) and Kish's effective n."""
    total = float(w.sum())
    if total <= 0:
        return np.nan, np.nan, 0.0
    mean = float(w @ values / total)
    n_eff = total**2 / float(w @ w)
    var = float(w @ (values - mean) ** 2 / total) * n_eff / (n_eff - 1.0) if n_eff > 1 else np.nan
    return mean, var, n_eff


@same_frame
def topic_impact(
    data: Any,
    *,
    score: str,
    topics: Any,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    method: str = "nps",
    text: str | None = None,
    target: float | None = None,
    joint: str = "relative_weights",
    n_boot: int = 200,
    seed: int | None = 0,
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> Any:
    """Each topic's effect on NPS (or on the mean score): with against without, and jointly.

    For each topic, the comments that have it are compared with those that do not:
    ``difference`` = NPS (points, −100..100) of comments with the topic − NPS of those without,
    with Welch's t interval and test on the −100/0/100 response codes (the test
    :func:`~cxmetrics.compare_nps` uses); p-values are adjusted across the topics of a group by
    Benjamini & Hochberg (1995). ``method="regression"`` does the same on the raw score's mean.

    Topics overlap (a comment about a late rider and cold food has both), so the differences
    double-count. The joint model regresses the codes (or the score) on all topic indicators at
    once with the key-driver machinery (:func:`~cxmetrics.key_drivers`): Johnson's (2000)
    relative weights or the Shapley value of R² (Lindeman, Merenda & Gold 1980), shares that sum
    to the model's R², with bootstrap percentile intervals.

    ``lift`` is what the overall NPS would gain if the comments with the topic scored like the
    others: share × (without − with); with a ``target``, ``gap_share`` = lift / (target − NPS),
    the part of the gap to the target that fixing the topic would close.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    score : str
        0–10 likelihood-to-recommend (``method="nps"``) or any numeric score (``"regression"``).
        Rows with a missing score are left out.
    topics : list of str, or TopicModel
        Boolean (or 0/1) topic columns of ``data``, e.g. those :meth:`TopicModel.assign` adds; or
        a fitted :class:`TopicModel`, assigned to the ``text`` column first.
    by : str or list of str, optional
        Analyse each group separately.
    weights : str, optional
        Survey weights: weighted NPS / means, Kish effective sizes in the tests, weighted joint model.
    method : {"nps", "regression"}
        Outcome: NPS codes, or the score itself.
    text : str, optional
        Text column, needed when ``topics`` is a TopicModel.
    target : float, optional
        Target NPS (or mean score) for ``gap_share``.
    joint : {"relative_weights", "shapley"}
        Decomposition of the joint model's R².
    n_boot : int
        Bootstrap resamples of the joint shares' intervals (0: none).
    seed : int, optional
        Seed of the bootstrap.
    confidence : float
        Level of the intervals.
    alpha : float
        Level at which ``significant`` (``p_adjusted < alpha``) is set.

    Returns
    -------
    DataFrame of ``data``'s library, one row per (group, topic) in the given topic order:
    ``by`` columns, ``topic``, ``n_with``, ``n_without`` (responses), ``share`` (weighted share
    with the topic), ``with`` and ``without`` (NPS in points, or mean score), ``difference``
    (with − without), ``se``, ``ci_low``, ``ci_high``, ``statistic`` (t), ``df``, ``p_value``,
    ``p_adjusted`` (Benjamini–Hochberg), ``p_adjust_method`` ("fdr_bh"), ``significant``, ``lift``,
    ``gap_share`` (NaN without ``target``), ``joint_share`` (share of R²), ``joint_ci_low``,
    ``joint_ci_high`` (bootstrap; NaN with ``n_boot=0``), ``joint_beta`` (standardised
    coefficient), ``joint_p_value`` (its t test), ``joint_p_adjusted`` (Benjamini–Hochberg),
    ``joint_significant`` (``joint_p_adjusted < alpha``: the topic's effect holding the other
    topics fixed), ``r_squared`` (of the joint model), ``method``.

    ``significant`` answers "do comments with the topic score differently?"; when topics are
    correlated (comments that do not mention price mention delivery more often) a topic with
    no effect of its own can differ, and ``joint_significant`` is the test to act on.
    Topics no response of a group has (or all have) get NaN joint columns there; a group with
    fewer responses than topics + 2 gets NaN joint columns throughout.

    Notes
    -----
    Edge inputs: empty data gives one row per topic with ``n_with`` = ``n_without`` = 0 and NaN
    statistics without ``by``, and no rows with it; a topic that every or no response has gets
    NaN tests. Null group keys are one group of their own, sorted last, on every backend. The
    score must be numeric and finite (0–10 whole numbers with ``method="nps"``); topic columns
    boolean or 0/1 (nulls count as 0); otherwise an error naming the column.

    A ``by`` column named like a result column raises
    :class:`~cxmetrics.errors.ColumnClashError`; the internal columns are renamed out of the
    caller's way. ``confidence`` and ``alpha`` are in (0, 1), ``n_boot`` a whole number >= 0,
    ``seed`` None, an int >= 0 or a numpy Generator, ``target`` a finite number. A lazy frame is
    collected.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import topic_impact
    >>> df = pd.DataFrame({"ltr": [2, 5, 6, 9, 10, 10, 9, 8, 3, 10, 9, 7],
    ...                    "late": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    ...                    "taste": [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1]})
    >>> out = topic_impact(df, score="ltr", topics=["late", "taste"], n_boot=0)
    >>> out[["topic", "with", "without", "difference"]].round(1)
      topic   with  without  difference
    0   late -100.0     75.0      -175.0
    1  taste   50.0    -16.7        66.7
    """
    _checks.option(method, ("nps", "regression"), "method")
    _checks.option(joint, ("relative_weights", "shapley"), "joint")
    confidence = _checks.confidence(confidence)
    alpha = _checks.probability(alpha, "alpha", open_ends=True)
    n_boot = _checks.whole(n_boot, "n_boot", low=0)
    _checks.seed(seed)
    if target is not None:
        target = _checks.number(target, "target")
    from cxmetrics.text._topics import TopicModel

    if isinstance(topics, TopicModel):
        if text is None:
            raise ColumnTypeError("topic_impact with a TopicModel needs text=, the comment column")
        model = topics
        _checks.columns(_frame.from_native(data), {"score": score, "weights": weights, "by": by})
        data = model.assign(data, text=text, form="wide")
        names = list(model.names)
    elif isinstance(topics, str):
        names = [topics]
    elif isinstance(topics, (list, tuple)):
        names = list(topics)
    else:
        raise ColumnTypeError(f"topics must be a list of topic columns or a TopicModel, got {topics!r}")
    if not names:
        raise ValueRangeError("topics must name at least one topic column")
    frame = _frame.from_native(data)
    groups = _checks.columns(frame, {"score": score, "topics": names, "weights": weights, "by": by,
                                     "text": text})
    _checks.no_clash(groups, RESULT_COLUMNS, function="topic_impact")
    _frame.require_numeric(frame, score, "score")
    _checks.finite_column(frame, score, "score")
    schema = frame.collect_schema()
    for name in names:
        dtype = schema[name]
        if not (dtype == nw.Boolean or dtype.is_integer()):
            raise ColumnTypeError(f"topics column {name!r} must be boolean or 0/1, got {dtype}")
    if weights is not None:
        _frame.check_weights(frame, weights)
    if method == "nps":
        _frame.check_scale_rows(frame, score, low=0, high=10, integer=True)
    # internal columns get names none of the caller's columns has
    taken = set(schema.names())
    prefix = next(p for p in ("__cx_", *(f"__cx{i}_" for i in range(1, len(taken) + 2)))
                  if not any(c.startswith(p) for c in taken))
    y_name, w_name = f"{prefix}score", f"{prefix}w"
    collected = _frame.collect(frame.select(
        *(nw.col(g) for g in groups),
        _frame.without_nan(score).cast(nw.Float64).alias(y_name),
        *(nw.col(t).cast(nw.Float64).alias(f"{prefix}t{j}") for j, t in enumerate(names)),
        *([nw.col(weights).cast(nw.Float64).alias(w_name)] if weights else []),
    ))
    y_all = np.asarray(collected[y_name].to_numpy(), dtype=float)
    indicators = np.column_stack([np.asarray(collected[f"{prefix}t{j}"].fill_null(0).to_numpy(), dtype=float)
                                  for j in range(len(names))])
    bad = ~np.isin(indicators, (0.0, 1.0))
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        raise ValueRangeError(f"topics column {names[j]!r} must hold 0/1 values; found "
                              f"{sorted(set(indicators[bad[:, j], j].tolist()))[:5]}")
    w_all = np.asarray(collected[w_name].to_numpy(), dtype=float) if weights else np.ones(len(y_all))
    keys, codes = _frame.group_codes(collected, groups)
    present = ~np.isnan(y_all)
    outcome = _codes(np.where(present, y_all, 0.0), method)
    p = len(names)
    rows_out: dict[str, list[Any]] = {c: [] for c in ("group", *RESULT_COLUMNS)}
    rng = np.random.default_rng(seed)
    for g in range(1 if keys is None else len(keys)):
        rows = np.flatnonzero((codes == g) & present)
        y, x, w = outcome[rows], indicators[rows], w_all[rows]
        overall, _, _ = _weighted(y, w)
        stats = []
        for j in range(p):
            has = x[:, j] == 1.0
            a = _weighted(y[has], w[has])
            b = _weighted(y[~has], w[~has])
            share = float(w[has].sum() / w.sum()) if len(w) else np.nan
            stats.append((int(has.sum()), int((~has).sum()), share, a, b))
        tests = welch_test([s[3][0] for s in stats], [s[3][1] for s in stats], [s[3][2] for s in stats],
                           [s[4][0] for s in stats], [s[4][1] for s in stats], [s[4][2] for s in stats],
                           confidence=confidence)
        adjusted = adjust_p_values(tests["p_value"], "fdr_bh")
        joint_cols = _joint(y, x, w if weights else None, names, joint, n_boot, rng, confidence)
        joint_adjusted = adjust_p_values(joint_cols["joint_p_value"], "fdr_bh")
        for j, (n_with, n_without, share, a, b) in enumerate(stats):
            lift = share * (b[0] - a[0]) if n_with and n_without else np.nan
            gap = (target - overall) if target is not None else np.nan
            rows_out["group"].append(g)
            rows_out["topic"].append(names[j])
            rows_out["n_with"].append(n_with)
            rows_out["n_without"].append(n_without)
            rows_out["share"].append(share)
            rows_out["with"].append(a[0])
            rows_out["without"].append(b[0])
            for key in ("difference", "se", "ci_low", "ci_high", "statistic", "df", "p_value"):
                rows_out[key].append(float(tests[key][j]))
            rows_out["p_adjusted"].append(float(adjusted[j]))
            rows_out["p_adjust_method"].append("fdr_bh")
            rows_out["significant"].append(bool(adjusted[j] < alpha))
            rows_out["lift"].append(float(lift))
            rows_out["gap_share"].append(float(lift / gap) if np.isfinite(gap) and gap != 0 else np.nan)
            for key, values in joint_cols.items():
                rows_out[key].append(float(values[j]) if key != "r_squared" else float(values))
            rows_out["joint_p_adjusted"].append(float(joint_adjusted[j]))
            rows_out["joint_significant"].append(bool(joint_adjusted[j] < alpha))
            rows_out["method"].append(method)
    group = np.asarray(rows_out.pop("group"), dtype=np.int64)
    arrays: dict[str, Any] = {k: (v if k in ("topic", "p_adjust_method", "method") else np.asarray(v))
                              for k, v in rows_out.items()}
    table = _frame.with_arrays(None if keys is None else _frame.take_rows(keys, group), arrays,
                               collected.implementation)
    return _frame.to_native(table)


def _joint(y: np.ndarray, x: np.ndarray, w: np.ndarray | None, names: list[str], method: str, n_boot: int,
           rng: np.random.Generator, confidence: float) -> dict[str, Any]:
    """The key-driver model of the outcome on the topics that vary in this group."""
    p = len(names)
    out: dict[str, Any] = {k: np.full(p, np.nan) for k in
                           ("joint_share", "joint_ci_low", "joint_ci_high", "joint_beta", "joint_p_value")}
    out["r_squared"] = np.nan
    varying = [j for j in range(p) if 0 < x[:, j].sum() < len(x)]
    if not varying or len(y) < len(varying) + 2 or np.ptp(y) == 0:
        return out
    # A 0/1 outcome would switch key_drivers to its logistic variant; the joint model here is
    # always the linear one, so shift such an outcome off {0, 1} (correlations do not change).
    shifted = y + 2.0 if np.isin(y, (0.0, 1.0)).all() else y
    design = np.column_stack([np.ones(len(y)), x[:, varying]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        # e.g. every comment has exactly one topic: the indicators add up to the intercept, so
        # no joint model separates them; the per-topic comparisons still stand
        warnings.warn(
            f"the joint model is not identified: the indicators of topics {[names[j] for j in varying]} "
            f"are collinear (every comment has exactly one of them, for instance); its columns are NaN",
            UntestableWarning,
            stacklevel=3,
        )
        return out
    matrix = np.column_stack([x[:, varying], shifted])
    ratings = Ratings("outcome", [names[j] for j in varying], matrix, w, None,
                      np.zeros(len(y), dtype=np.int64), nw.Implementation.PANDAS)
    # a bootstrap resample in which a rare topic is constant has no correlation for it (NaN,
    # left out of the percentile interval); numpy's warning about it says nothing to the caller
    with np.errstate(invalid="ignore", divide="ignore"):
        table = drivers_table(ratings, method=method, n_boot=n_boot, seed=int(rng.integers(2**31)),
                              confidence=confidence)
    position = {names[j]: j for j in varying}
    for row in table.iter_rows(named=True):
        j = position[row["driver"]]
        out["joint_share"][j] = row["importance"]
        out["joint_beta"][j] = row["beta"]
        out["joint_p_value"][j] = row["p_value"]
        if n_boot:
            out["joint_ci_low"][j] = row["importance_ci_low"]
            out["joint_ci_high"][j] = row["importance_ci_high"]
        out["r_squared"] = row["r_squared"]
    return out
