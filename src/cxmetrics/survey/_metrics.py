"""NPS, CSAT and CES per group, with intervals; score distributions; NPS sample size."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _stats
from cxmetrics._frame import COUNT
from cxmetrics._typing import same_frame
from cxmetrics.errors import CXMetricsError
from cxmetrics.survey._aggregate import (
    NPS_CATEGORIES,
    GroupStats,
    check_confidence,
    finish,
    prepare,
    score_stats,
)
from cxmetrics.survey._strata import STRATA_CI_METHOD, check_strata, linearized_se

__all__ = ["ces", "csat", "nps", "sample_size_nps", "score_distribution"]


@same_frame
def nps(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    ci: str = "adjusted_wald",
    confidence: float = 0.95,
    points: bool = True,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
    strata: str | None = None,
) -> Any:
    """Net Promoter Score per group, with a confidence interval.

    Responses on the 0–10 likelihood-to-recommend scale are detractors (0–6), passives (7–8)
    or promoters (9–10) (Reichheld 2003); NPS = share of promoters − share of detractors.

    Parameters
    ----------
    data : DataFrame
        pandas, polars or pyarrow frame (or a lazy frame narwhals supports), one row per response.
    score : str
        Column of 0–10 integer scores. Missing scores (null / NaN) are dropped and counted.
    by : str or list of str, optional
        Columns to group by; each group is one result row, groups as ordinary columns.
    weights : str, optional
        Column of non-negative survey weights. Shares are weighted; intervals use Kish's
        effective sample size n_eff = (Σw)² / Σw² (every ``ci`` method runs on effective counts,
        share × n_eff), unless ``strata`` is given.
    ci : {"adjusted_wald", "wald", "score", "bootstrap", "bayes"}
        Interval method (Rocks 2016). The default adjusted Wald adds ¾ detractor, 1½ passives and
        ¾ promoter before a Wald interval; by exact enumeration it keeps near-nominal coverage at
        n = 30, where the plain Wald interval does not. ``"score"`` inverts the score test;
        ``"bootstrap"`` is a percentile bootstrap; ``"bayes"`` an equal-tailed Dirichlet(1, 1, 1)
        posterior interval. The last two use ``n_boot`` draws and ``seed``.
    confidence : float
        Confidence level of the interval.
    points : bool
        True (default): NPS, its interval and the ``pct_*`` columns in points and percent
        (−100..100); False: as proportions (−1..1).
    n_boot : int
        Number of draws for ``"bootstrap"`` and ``"bayes"``.
    seed : int or numpy Generator, optional
        Seed for ``"bootstrap"`` and ``"bayes"``. Without one a fixed seed (0) is used, so two
        identical calls give identical intervals; pass another int for another draw, or a
        Generator to continue its stream.
    strata : str, optional
        Column of sampling strata. The standard error is then the Taylor-linearised one of the
        (weighted) NPS ratio estimator under stratified sampling, with each response its own
        unit (Woodruff 1971; Wolter 2007, §6.11), and the interval is the Wald interval on it
        (``ci_method`` ``"linearization"``; only ``ci="adjusted_wald"`` or ``"wald"`` are
        accepted). A stratum with a single scored response raises ``DesignError``.

    Returns
    -------
    DataFrame
        Same library as ``data``, one row per group, sorted by the group columns:

        - ``by…``: the group columns;
        - ``n``: responses with a score; ``n_missing``: responses without one;
        - ``n_eff``: effective sample size (only when ``weights`` is given);
        - ``n_detractors``, ``n_passives``, ``n_promoters``: unweighted counts;
        - ``pct_detractors``, ``pct_passives``, ``pct_promoters``: (weighted) shares (percent,
          or proportions with ``points=False``);
        - ``nps``: NPS in points (or a proportion);
        - ``se``: standard error sqrt(V / n), V = p + d − (p − d)², in the same unit;
        - ``ci_low``, ``ci_high``: interval limits, within −100..100 (or −1..1);
        - ``ci_method``: the interval method used.

        A group with no scores has n = 0 and NaN metrics.

    Notes
    -----
    Edge inputs: an empty frame gives one row with n = 0 and NaN metrics (no ``by``) or no rows
    (with ``by``); a group with one response gets its value, se 0 and NaN where a spread needs
    two; simulated intervals (``"bootstrap"``, ``"bayes"``) use a fixed seed when none is
    given, so identical calls agree; the rules for ``by`` keys, scores, weights and column
    names are those of the :mod:`cxmetrics.survey` module.

    References
    ----------
    Reichheld, F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    Rocks, B. (2016). Interval estimation for the Net Promoter Score. *The American
    Statistician* 70(4), 365–372.
    Woodruff, R. S. (1971). A simple method for approximating the variance of a complicated
    estimate. *JASA* 66(334), 411–414. Wolter, K. M. (2007). *Introduction to Variance
    Estimation*, 2nd ed. Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({"store": ["A"] * 5 + ["B"] * 5,
    ...                    "ltr": [10, 9, 8, 6, 10, 3, 7, 9, 5, 8]})
    >>> out = cx.nps(df, score="ltr", by="store")
    >>> out[["store", "n", "nps"]].to_dict("records")
    [{'store': 'A', 'n': 5, 'nps': 40.0}, {'store': 'B', 'n': 5, 'nps': -20.0}]
    >>> round(float(out["ci_low"][0]), 1), round(float(out["ci_high"][0]), 1)
    (-29.8, 79.8)
    """
    _checks.option(ci, _stats.NPS_CI_METHODS, "ci")
    confidence = check_confidence(confidence)
    scale = 100.0 if _checks.flag(points, "points") else 1.0
    n_boot = _checks.whole(n_boot, "n_boot", low=1)
    generator = _checks.rng(seed)
    frame, by_list = prepare(data, score=score, by=by, weights=weights)
    if strata is not None:
        check_strata(frame, strata, score=score, by=by_list, ci=ci)
    stats = score_stats(frame, score=score, by=by_list, weights=weights, low=0, high=10,
                        categories=NPS_CATEGORIES, complement="passives", moments=False)
    columns = nps_columns(stats, weighted=weights is not None, ci=ci, confidence=confidence,
                          scale=scale, n_boot=n_boot, seed=generator)
    if strata is not None:
        se = linearized_se(frame, score=score, by=by_list, weights=weights, strata=strata)
        net, half = columns["nps"] / scale, _stats.z_quantile(confidence) * se
        columns |= {"se": se * scale, "ci_low": np.clip(net - half, -1.0, 1.0) * scale,
                    "ci_high": np.clip(net + half, -1.0, 1.0) * scale,
                    "ci_method": [STRATA_CI_METHOD] * len(se)}
    return finish(stats, columns)


def nps_columns(
    stats: GroupStats,
    *,
    weighted: bool,
    ci: str,
    confidence: float,
    scale: float,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> dict[str, Any]:
    """The result columns of :func:`nps` from group statistics (shared with the trends)."""
    d, a, p = (stats.share(k) for k in NPS_CATEGORIES)
    n_eff = stats.n_eff
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(_stats.net_score_variance(p, d) / n_eff)
    low, high = _stats.nps_interval(
        *(stats.effective_count(k) for k in NPS_CATEGORIES),
        method=ci, confidence=confidence, n_boot=n_boot, seed=seed,
    )
    columns: dict[str, Any] = {"n": stats.n, "n_missing": stats.n_missing}
    if weighted:
        columns["n_eff"] = n_eff
    columns |= {f"n_{k}": stats.categories[k] for k in NPS_CATEGORIES}
    columns |= {"pct_detractors": d * scale, "pct_passives": a * scale, "pct_promoters": p * scale}
    columns |= {
        "nps": (p - d) * scale,
        "se": se * scale,
        "ci_low": low * scale,
        "ci_high": high * scale,
        "ci_method": [ci] * len(stats.n),
    }
    return columns


def _rating_stats(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None,
    weights: str | None,
    scale: int,
    boxes: dict[str, tuple[float, float]],
) -> GroupStats:
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 2:
        raise CXMetricsError(f"scale must be an integer ≥ 2 (ratings 1..scale), got {scale!r}")
    frame, by_list = prepare(data, score=score, by=by, weights=weights)
    return score_stats(frame, score=score, by=by_list, weights=weights, low=1, high=scale,
                       categories=boxes)


def _box(values: Sequence[int] | None, default: Sequence[int] | None, scale: int,
         name: str) -> tuple[int, int]:
    """The (low, high) ratings of a box on a 1..scale scale; ``default`` None: the top three."""
    scale = _checks.whole(scale, "scale", low=2)
    if default is None:
        default = range(max(scale - 2, 1), scale + 1)
    if values is not None and (isinstance(values, (str, bytes)) or not isinstance(values, Sequence | range)
                               or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                          for v in values)):
        raise CXMetricsError(f"{name}={values!r} must be a list of whole-number ratings")
    chosen = list(default if values is None else values)
    if not chosen or any(v < 1 or v > scale for v in chosen):
        raise CXMetricsError(f"{name}={values!r} must list ratings within 1..{scale} (scale={scale})")
    low, high = min(chosen), max(chosen)
    if sorted(chosen) != list(range(low, high + 1)):
        raise CXMetricsError(f"{name}={values!r} must be consecutive ratings")
    return low, high


def _base_columns(stats: GroupStats, weighted: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {"n": stats.n, "n_missing": stats.n_missing}
    if weighted:
        columns["n_eff"] = stats.n_eff
    return columns


@same_frame
def csat(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None = None,
    scale: int = 5,
    top_box: Sequence[int] = (4, 5),
    weights: str | None = None,
    ci: str = "wilson",
    confidence: float = 0.95,
) -> Any:
    """Customer satisfaction: top-box share and mean rating per group, each with an interval.

    Parameters
    ----------
    data : DataFrame
        One row per response (pandas, polars, pyarrow or lazy).
    score : str
        Column of integer ratings 1..``scale``. Missing ratings are dropped and counted.
    by : str or list of str, optional
        Group columns.
    scale : int
        Highest rating (ratings run 1..scale).
    top_box : sequence of int
        Ratings counted as satisfied ("top box"), consecutive, default 4 and 5 of 5.
    weights : str, optional
        Non-negative survey weights (Kish effective n for intervals).
    ci : {"wilson", "agresti_coull", "jeffreys", "clopper_pearson", "wald"}
        Interval for the top-box share (statsmodels ``proportion_confint``). Wilson (1927) keeps
        near-nominal coverage at small n; Wald does not.
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per group:

        - ``by…``, ``n``, ``n_missing``, ``n_eff`` (weighted only);
        - ``n_top``: responses in the top box (unweighted);
        - ``csat``: top-box share in percent (0–100); ``ci_low``, ``ci_high`` its interval;
        - ``ci_method``;
        - ``mean``: mean rating; ``mean_se``; ``mean_ci_low``, ``mean_ci_high``: Student t
          interval (NaN when n < 2).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22(158), 209–212.

    Notes
    -----
    Edge inputs: an empty frame gives one row with n = 0 and NaN metrics (no ``by``) or no rows
    (with ``by``); a group with one response gets its value, se 0 and NaN where a spread needs
    two; the rules for ``by`` keys, scores, weights and column names are those of the
    :mod:`cxmetrics.survey` module.

    Examples
    --------
    >>> import polars as pl
    >>> import cxmetrics as cx
    >>> df = pl.DataFrame({"sat": [5, 4, 4, 3, 5, 2, 5, 4]})
    >>> out = cx.csat(df, score="sat")
    >>> out.select("n", "n_top", "csat", "mean").row(0)
    (8, 6, 75.0, 4.0)
    >>> [round(x, 1) for x in out.select("ci_low", "ci_high").row(0)]
    [40.9, 92.9]
    """
    _checks.option(ci, list(_stats.PROPORTION_CI_METHODS), "ci")
    confidence = check_confidence(confidence)
    box = _box(top_box, (4, 5), scale, "top_box")
    stats = _rating_stats(data, score=score, by=by, weights=weights, scale=scale, boxes={"top": box})
    columns = csat_columns(stats, weighted=weights is not None, ci=ci, confidence=confidence)
    return finish(stats, columns)


def csat_columns(
    stats: GroupStats, *, weighted: bool, ci: str, confidence: float
) -> dict[str, Any]:
    """The result columns of :func:`csat` from group statistics (shared with the trends)."""
    low, high = _stats.proportion_interval(
        stats.effective_count("top"), stats.n_eff, method=ci, confidence=confidence
    )
    mean_se, mean_low, mean_high = _stats.mean_interval(
        stats.mean, stats.variance, stats.n_eff, confidence=confidence
    )
    return _base_columns(stats, weighted) | {
        "n_top": stats.categories["top"],
        "csat": stats.share("top") * 100.0,
        "ci_low": low * 100.0,
        "ci_high": high * 100.0,
        "ci_method": [ci] * len(stats.n),
        "mean": stats.mean,
        "mean_se": mean_se,
        "mean_ci_low": mean_low,
        "mean_ci_high": mean_high,
    }


CES_STATS = ("mean", "pct_easy", "index")


@same_frame
def ces(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None = None,
    scale: int = 7,
    stat: str = "mean",
    easy: Sequence[int] | None = None,
    weights: str | None = None,
    ci: str = "wilson",
    confidence: float = 0.95,
) -> Any:
    """Customer Effort Score per group, with an interval.

    The CES 2.0 item ("The company made it easy for me to handle my issue") is rated 1..scale,
    higher meaning easier.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    score : str
        Column of integer ratings 1..``scale``.
    by : str or list of str, optional
        Group columns.
    scale : int
        Highest rating (7 for CES 2.0).
    stat : {"mean", "pct_easy", "index"}
        ``"mean"``: mean rating with a Student t interval. ``"pct_easy"``: percent of responses
        in ``easy`` with an interval chosen by ``ci``. ``"index"``: the mean rescaled to 0–100,
        100·(mean − 1)/(scale − 1), with the rescaled t interval.
    easy : sequence of int, optional
        Consecutive ratings counted as easy; default the top three (5–7 on a 7-point scale).
    weights : str, optional
        Non-negative survey weights.
    ci : str
        Proportion interval for ``stat="pct_easy"`` (as in :func:`csat`).
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per group: ``by…``, ``n``, ``n_missing``, ``n_eff`` (weighted only), ``n_easy``,
        ``stat`` (the statistic chosen), ``ces`` (its value), ``se``, ``ci_low``, ``ci_high``,
        ``ci_method`` (``"t"`` for mean and index).

    Notes
    -----
    Edge inputs: an empty frame gives one row with n = 0 and NaN metrics (no ``by``) or no rows
    (with ``by``); a group with one response gets its value, se 0 and NaN where a spread needs
    two; the rules for ``by`` keys, scores, weights and column names are those of the
    :mod:`cxmetrics.survey` module.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({"effort": [7, 6, 5, 2, 6, 7, 3, 6]})
    >>> cx.ces(df, score="effort")[["n", "ces"]].to_dict("records")
    [{'n': 8, 'ces': 5.25}]
    >>> float(cx.ces(df, score="effort", stat="pct_easy")["ces"][0])
    75.0
    >>> float(cx.ces(df, score="effort", stat="index")["ces"][0])
    70.83333333333333
    """
    _checks.option(stat, CES_STATS, "stat")
    _checks.option(ci, list(_stats.PROPORTION_CI_METHODS), "ci")
    confidence = check_confidence(confidence)
    box = _box(easy, None, scale, "easy")
    stats = _rating_stats(data, score=score, by=by, weights=weights, scale=scale, boxes={"easy": box})
    if stat == "pct_easy":
        value = stats.share("easy") * 100.0
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(value / 100.0 * (1.0 - value / 100.0) / stats.n_eff) * 100.0
        low, high = (x * 100.0 for x in _stats.proportion_interval(
            stats.effective_count("easy"), stats.n_eff, method=ci, confidence=confidence))
        method = ci
    else:
        se, low, high = _stats.mean_interval(stats.mean, stats.variance, stats.n_eff,
                                             confidence=confidence)
        value = stats.mean
        if stat == "index":
            def rescale(x: np.ndarray) -> np.ndarray:
                return 100.0 * (x - 1.0) / (scale - 1.0)

            value, low, high = rescale(value), rescale(low), rescale(high)
            se = se * 100.0 / (scale - 1.0)
        method = "t"
    columns = _base_columns(stats, weights is not None) | {
        "n_easy": stats.categories["easy"],
        "stat": [stat] * len(stats.n),
        "ces": value,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "ci_method": [method] * len(stats.n),
    }
    return finish(stats, columns)


@same_frame
def score_distribution(
    data: Any,
    *,
    score: str,
    by: str | Sequence[str] | None = None,
    scale: tuple[int, int] | None = (0, 10),
) -> Any:
    """Counts and shares of each score value per group.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    score : str
        Numeric score column; missing values are excluded (not a value of their own).
    by : str or list of str, optional
        Group columns.
    scale : (int, int) or None
        Inclusive integer scale. Every value of the scale is listed, with zero counts for values
        nobody chose; values outside it raise. ``None`` lists only the observed values and
        checks nothing beyond the column being numeric.

    Returns
    -------
    DataFrame
        One row per (group, value), sorted: ``by…``, the score column (the value), ``n``
        (responses with that value), ``share`` (n / responses in the group, 0–1).

    Notes
    -----
    Edge inputs: an empty frame lists every value of the scale with n = 0 and NaN shares (no
    ``by``) or gives no rows (with ``by``); one response gives share 1 on its value; the rules
    for ``by`` keys, scores, weights and column names are those of the :mod:`cxmetrics.survey`
    module.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({"ltr": [10, 9, 9, 3]})
    >>> out = cx.score_distribution(df, score="ltr")
    >>> out[out["n"] > 0].to_dict("records")
    [{'ltr': 3, 'n': 1, 'share': 0.25}, {'ltr': 9, 'n': 2, 'share': 0.5}, {'ltr': 10, 'n': 1, 'share': 0.25}]
    >>> len(out)
    11
    """
    if scale is not None:
        if (not isinstance(scale, (tuple, list)) or len(scale) != 2
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in scale)
                or scale[0] >= scale[1]):
            raise CXMetricsError(
                f"scale must be (lowest, highest) whole-number ratings with lowest < highest, or "
                f"None, got {scale!r}")
        scale = (int(scale[0]), int(scale[1]))
    frame, by_list = prepare(data, score=score, by=by)
    _checks.finite_column(frame, score, "score")
    counts = _frame.value_counts(frame, score, by_list)
    _checks.no_clash(by_list, ["n", "share"], function="score_distribution")
    if scale is not None:
        _frame.check_scale(counts, score, low=scale[0], high=scale[1], integer=True)
    observed = counts.filter(~nw.col(score).is_null()).sort([*by_list, score], nulls_last=True)
    n = observed[COUNT].to_numpy().astype(np.int64)
    if scale is None:
        keys = observed.select(*by_list, score)
    else:
        values = np.arange(scale[0], scale[1] + 1)
        keys, placed = _frame.expand_grid(
            observed.with_columns(nw.col(score).cast(nw.Int64)), by_list, score, values, {"n": n}
        )
        n = placed["n"]
    starts = _frame.run_starts(keys, by_list)
    sizes = np.diff(np.append(starts, len(n)))
    totals = np.repeat(np.add.reduceat(n, starts), sizes) if len(n) else n
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, n / totals, np.nan)
    return _frame.to_native(_frame.with_arrays(keys, {"n": n, "share": share}, counts.implementation))


def sample_size_nps(
    margin: float,
    *,
    expected_nps: float | None = None,
    passives: float | None = None,
    confidence: float = 0.95,
    points: bool = True,
) -> int:
    """Responses needed for an NPS interval of half-width ``margin``.

    Solves z·sqrt(V / n) ≤ margin with V = p + d − (p − d)² (Rocks 2016, eq. 2). With
    ``expected_nps`` = p − d and a passive share a, V = (1 − a) − NPS²; without ``passives``
    the worst case a = 0 is used, and without ``expected_nps`` the worst case NPS = 0 (V = 1).

    Parameters
    ----------
    margin : float
        Half-width of the interval, in points (or as a proportion with ``points=False``):
        more than 0 and at most 100 (or 1), half the width of the whole NPS range.
    expected_nps : float, optional
        Expected NPS, in points (or as a proportion with ``points=False``).
    passives : float, optional
        Expected share of passives, 0–1.
    confidence : float
        Confidence level.
    points : bool
        True (default) when ``margin`` and ``expected_nps`` are in points (−100..100), False
        when they are proportions (−1..1).

    Returns
    -------
    int
        The smallest whole number of responses that meets the margin.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.sample_size_nps(5)
    1537
    >>> cx.sample_size_nps(5, expected_nps=40, passives=0.3)
    830
    """
    confidence = check_confidence(confidence)
    scale = 100.0 if _checks.flag(points, "points") else 1.0
    margin = _checks.number(margin, "margin", low=0, high=scale, low_open=True)
    net = 0.0 if expected_nps is None else _checks.number(expected_nps, "expected_nps") / scale
    passive_share = 0.0 if passives is None else _checks.number(passives, "passives")
    if not 0.0 <= passive_share < 1.0:
        raise CXMetricsError(f"passives must be a share in [0, 1), got {passives!r}")
    if abs(net) > 1.0 - passive_share:
        raise CXMetricsError(
            f"expected_nps={expected_nps!r} is impossible with a passive share of {passive_share}: "
            f"|NPS| cannot exceed {(1.0 - passive_share) * scale:g}"
        )
    variance = (1.0 - passive_share) - net**2
    z = _stats.z_quantile(confidence)
    # Round before ceil so that float noise (e.g. 1536.0000000002) does not add a response.
    return max(1, math.ceil(round(z**2 * variance / (margin / scale) ** 2, 9)))
