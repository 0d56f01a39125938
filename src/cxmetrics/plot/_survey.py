"""Charts of survey metrics: trends, score distributions, breakdowns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import (
    MISSING_KEY,
    check_interval,
    column_argument,
    labels,
    other_columns,
    result_frame,
    values,
)
from cxmetrics.plot._style import COLORS, chart, legend, message, new_axes, rows_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TREND_COLUMNS = (
    "period",
    "n",
    "n_missing",
    "n_detractors",
    "n_passives",
    "n_promoters",
    "pct_detractors",
    "pct_passives",
    "pct_promoters",
    "nps",
    "se",
    "ci_low",
    "ci_high",
    "ci_method",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_p_value",
    "n_top",
    "csat",
    "mean",
    "mean_se",
    "mean_ci_low",
    "mean_ci_high",
    "n_easy",
    "stat",
    "ces",
)


#: The range each survey figure can take (NPS in points or as a proportion; CSAT as a share or
#: in percent); CES is a mean on the rating scale, unbounded here.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (None, None)}


def _trend(data: Any, value: str, name: str, alpha: Any, ax: Any, title: str | None) -> Any:
    alpha = _checks.probability(alpha, "alpha", open_ends=True)
    frame = result_frame(data, ["period", value, "ci_low", "ci_high"], name)
    low, high = RANGES[value]
    values(frame, value, low=low, high=high)
    check_interval(values(frame, "ci_low"), values(frame, "ci_high"), ("ci_low", "ci_high"))
    groups = other_columns(frame, TREND_COLUMNS)
    keys = [tuple(row) for row in frame.select(groups).rows()] if groups else [()] * len(frame)
    lines = list(dict.fromkeys(keys))
    ax = new_axes(ax, (7.0, 4.0) if len(lines) <= 1 else (9.5, 4.5))
    band = 0.15 if len(lines) <= 3 else 0.05  # many overlapping bands would hide the lines
    for key in lines:
        rows = np.array([k == key for k in keys])
        part = _frame.take_rows(frame, np.flatnonzero(rows)) if groups else frame
        x = part["period"].to_list()
        y = values(part, value)
        label = " / ".join(_key(k) for k in key) if key else value.upper()
        line = ax.plot(x, y, marker="o", markersize=4 if len(lines) > 3 else 6, label=_short(label, 24),
                       color=_colour(lines.index(key), len(lines)))[0]
        ax.fill_between(
            x, values(part, "ci_low"), values(part, "ci_high"), color=line.get_color(), alpha=band
        )
        if "change_p_value" in part.columns:
            p = values(part, "change_p_value", low=0, high=1)
            change = values(part, "change")
            for i in np.flatnonzero(p < alpha):
                ax.annotate(
                    "▲" if change[i] > 0 else "▼",
                    (x[i], y[i]),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    color=COLORS["positive" if change[i] > 0 else "negative"],
                )
    ax.set_ylabel(value.upper())
    ax.set_title(
        title if title is not None else f"{value.upper()} over time (band: interval; ▲▼: p < {alpha:g})"
    )
    if groups and len(lines) <= MAX_LEGEND:  # beside the chart, not over the lines
        legend(ax, title=", ".join(groups), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
               fontsize=8)
    ax.figure.autofmt_xdate()
    return ax


@chart
def nps_trend(data: Any, *, alpha: float = 0.05, ax: Any = None, title: str | None = None) -> Axes:
    """NPS per period with its interval band; significant changes marked ▲/▼.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.nps_trend`'s result (``period, nps, ci_low, ci_high`` and, for the
        markers, ``change`` and ``change_p_value``); ``by`` columns give one line per group.
    alpha : float, default 0.05
        Changes with ``change_p_value`` below this are marked.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what the band and the markers mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; text or
    infinite figures, NPS outside [-100, 100], p-values outside [0, 1] and ``ci_low`` above
    ``ci_high`` raise naming the column; a period with no answers (a missing NPS) breaks its line;
    a missing group key is a line of its own; one period draws one point with its interval. Groups
    get a legend beside the chart, up to 12 (past that, filter the groups you compare).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.nps_trend(cx.nps_trend(survey, score="ltr", time="date", freq="M"))
    >>> len(ax.lines)
    1
    >>> plt.close(ax.figure)
    """
    return _trend(data, "nps", "nps_trend", alpha, ax, title)


@chart
def csat_trend(data: Any, *, alpha: float = 0.05, ax: Any = None, title: str | None = None) -> Axes:
    """CSAT (top-box share) per period with its interval band, as :func:`nps_trend`.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.csat_trend`'s result (``period, csat, ci_low, ci_high`` and, for the
        markers, ``change`` and ``change_p_value``); ``by`` columns give one line per group.
    alpha : float, default 0.05
        Changes with ``change_p_value`` below this are marked.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what the band and the markers mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; text or
    infinite figures, CSAT outside [0, 100], p-values outside [0, 1] and ``ci_low`` above
    ``ci_high`` raise naming the column; a period with no answers (a missing CSAT) breaks its
    line; a missing group key is a line of its own; one period draws one point with its interval.
    Groups get a legend beside the chart, up to 12 (past that, filter the groups you compare).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.csat_trend(cx.csat_trend(survey, score="csat", time="date", freq="M"))
    >>> len(ax.lines)
    1
    >>> plt.close(ax.figure)
    """
    return _trend(data, "csat", "csat_trend", alpha, ax, title)


@chart
def nps_distribution(
    data: Any, *, score: str | None = None, ax: Any = None, title: str | None = None
) -> Axes:
    """The 0-10 score distribution, bars coloured detractor (0-6), passive (7-8), promoter (9-10).

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.score_distribution`'s result (the score column, ``n``, ``share``).
    score : str, optional
        The score column (default: the first column).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: the NPS and the promoter and detractor shares).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; scores that are
    text, not whole or outside 0-10, and shares outside [0, 1], raise naming the column; rows with
    a missing score (the "no answer" row) are left out; a score no one gave has no bar.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.nps_distribution(cx.score_distribution(survey, score="ltr"))
    >>> len(ax.patches)
    11
    >>> plt.close(ax.figure)
    """
    frame = result_frame(data, ["share"], "nps_distribution")
    score = frame.columns[0] if score is None else column_argument(frame, score, "score")
    scores = values(frame, score, low=0, high=10, whole=True)
    share = values(frame, "share", low=0, high=1)
    keep = ~np.isnan(scores)
    scores, share = scores[keep], np.nan_to_num(share[keep])
    if not len(scores):
        return message(new_axes(ax), "no answers with a score")
    colors = [
        COLORS["negative"] if s <= 6 else COLORS["neutral"] if s <= 8 else COLORS["positive"] for s in scores
    ]
    ax = new_axes(ax)
    bars = ax.bar(scores, share * 100, color=colors)
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in share * 100], fontsize=8)
    ax.set_xticks(np.arange(11))
    ax.set_xlabel(score)
    ax.set_ylabel("% of answers")
    detractors, promoters = share[scores <= 6].sum(), share[scores >= 9].sum()
    ax.set_title(
        title
        if title is not None
        else f"NPS {100 * (promoters - detractors):.0f}: "
        f"promoters {promoters:.0%}, detractors {detractors:.0%}"
    )
    return ax


def _breakdown(
    data: Any, value: str, name: str, by: Any, ax: Any, title: str | None, reference: Any
) -> Any:
    if reference is not None:
        reference = _checks.number(reference, "reference")
    frame = result_frame(data, [value, "ci_low", "ci_high"], name)
    if reference is None and "n_eff" in frame.columns:
        raise ValueRangeError(
            f"{name}: this {value.upper()} result is weighted (it has n_eff), and the overall "
            f"weighted {value.upper()} cannot be recovered from the groups' rows; pass "
            f"reference= (cx.{value}(data, score=..., weights=...) without by=)"
        )
    groups = other_columns(frame, TREND_COLUMNS)
    if by is not None:
        keys = [column_argument(frame, by, "by")]
    elif groups:
        keys = groups
    else:
        raise ValueRangeError(f"{name} needs a result with a group column (computed with by=)")
    low_value, high_value = RANGES[value]
    y = values(frame, value, low=low_value, high=high_value)
    order = np.argsort(y, kind="stable")
    joined = [" / ".join(parts) for parts in zip(*(labels(frame, k, MISSING_KEY) for k in keys), strict=True)]
    names = [_short(joined[i], 30) for i in order]
    if len(set(names)) < len(names):  # names cut alike, or a result by more columns than `by`
        names = [f"{label} ({rank})" for rank, label in enumerate(names, start=1)]
    low, high = values(frame, "ci_low")[order], values(frame, "ci_high")[order]
    y = y[order]
    check_interval(low, high, ("ci_low", "ci_high"))
    size, font = rows_figure(7.0, len(y), 0.35)
    ax = new_axes(ax, size)
    overall = _overall(frame, value, order) if reference is None else reference
    colors = [
        COLORS["positive"] if lo > overall else COLORS["negative"] if hi < overall else COLORS["accent"]
        for lo, hi in zip(low, high, strict=True)
    ]
    ax.barh(np.arange(len(y)), np.nan_to_num(y), color=colors, alpha=0.85)
    ax.set_yticks(np.arange(len(y)), names, fontsize=font)
    ax.errorbar(  # the interval from low to high (a bootstrap interval need not hold the estimate)
        (low + high) / 2, np.arange(len(y)), xerr=(high - low) / 2, fmt="none", ecolor="black", capsize=3
    )
    ax.axvline(overall, color=COLORS["muted"], linestyle="--", linewidth=1)
    ax.set_xlabel(value.upper())
    ax.set_title(
        title
        if title is not None
        else f"{value.upper()} by {', '.join(keys)} (interval; coloured when it excludes {overall:.3g})"
    )
    return ax


def _key(value: Any) -> str:
    return MISSING_KEY if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


#: Most lines a trend names in its legend (past this, filter the groups to compare).
MAX_LEGEND = 12


def _colour(i: int, n: int) -> Any:
    """The ``i``-th of ``n`` line colours: matplotlib's cycle up to 10, then a sequential map."""
    from matplotlib import colormaps

    return f"C{i}" if n <= 10 else colormaps["viridis"](0.85 * i / (n - 1))


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _overall(frame: Any, value: str, order: np.ndarray) -> float:
    """The figure over all respondents: the groups' values weighted by their answers.

    NPS, top-box CSAT and mean CES are means over respondents, so the n-weighted mean of the
    groups is the overall figure exactly for unweighted results (the plain mean of the groups
    would count a group of 10 like a group of 10,000).
    """
    y = values(frame, value)[order]
    n = values(frame, "n", low=0)[order] if "n" in frame.columns else np.ones(len(y))
    known = np.isfinite(y) & (n > 0)
    return float(np.average(y[known], weights=n[known])) if known.any() else float("nan")


@chart
def nps_breakdown(
    data: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Groups sorted by NPS with interval bars; groups whose interval excludes the reference
    are coloured.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.nps`'s result computed with ``by=`` (``nps, ci_low, ci_high``, the
        group columns and, for the reference, ``n``).
    by : str, optional
        The group column that labels the bars (default: every group column, joined by " / ").
    reference : float, optional
        The line the intervals are compared with (default: the overall NPS of all
        respondents, the groups' figures weighted by their answers ``n``, which is exact for
        an unweighted result; a weighted result, which has ``n_eff``, needs the overall figure
        passed here and raises :class:`~cxmetrics.errors.ValueRangeError` without it).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what the colours mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so does a
    result without a group column; text or infinite figures, an NPS outside [-100, 100] and
    ``ci_low`` above ``ci_high`` raise naming the column; a group with a missing NPS (no answers)
    has no bar and is drawn on top; a missing group key is labelled "(missing)". The figure
    grows with the groups (50 groups read); labels past 30 characters are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.nps_breakdown(cx.nps(survey, score="ltr", by="渠道"))
    >>> sorted(t.get_text() for t in ax.get_yticklabels())
    ['官网', '门店']
    >>> plt.close(ax.figure)
    """
    return _breakdown(data, "nps", "nps_breakdown", by, ax, title, reference)


@chart
def csat_breakdown(
    data: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """:func:`nps_breakdown` for :func:`cxmetrics.csat` (top-box share).

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.csat`'s result computed with ``by=`` (``csat, ci_low, ci_high``, the
        group columns and, for the reference, ``n``).
    by : str, optional
        The group column that labels the bars (default: every group column, joined by " / ").
    reference : float, optional
        The line the intervals are compared with (default: the overall CSAT of all
        respondents, the groups' figures weighted by their answers ``n``, which is exact for
        an unweighted result; a weighted result, which has ``n_eff``, needs the overall figure
        passed here and raises :class:`~cxmetrics.errors.ValueRangeError` without it).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what the colours mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so does a
    result without a group column; text or infinite figures, a CSAT outside [0, 100] and
    ``ci_low`` above ``ci_high`` raise naming the column; a group with a missing CSAT (no answers)
    has no bar and is drawn on top; a missing group key is labelled "(missing)". The figure
    grows with the groups (50 groups read); labels past 30 characters are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.csat_breakdown(cx.csat(survey, score="csat", by="渠道"))
    >>> len(ax.patches)
    2
    >>> plt.close(ax.figure)
    """
    return _breakdown(data, "csat", "csat_breakdown", by, ax, title, reference)


@chart
def ces_breakdown(
    data: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """:func:`nps_breakdown` for :func:`cxmetrics.ces`.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.ces`'s result computed with ``by=`` (``ces, ci_low, ci_high``, the
        group columns and, for the reference, ``n``).
    by : str, optional
        The group column that labels the bars (default: every group column, joined by " / ").
    reference : float, optional
        The line the intervals are compared with (default: the overall CES of all
        respondents, the groups' figures weighted by their answers ``n``, which is exact for
        an unweighted result; a weighted result, which has ``n_eff``, needs the overall figure
        passed here and raises :class:`~cxmetrics.errors.ValueRangeError` without it).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what the colours mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so does a
    result without a group column; text or infinite figures and ``ci_low`` above ``ci_high`` raise
    naming the column; a group with a missing CES (no answers) has no bar and is drawn on top; a
    missing group key is labelled "(missing)". The figure grows with the groups (50 groups
    read); labels past 30 characters are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> survey = pd.DataFrame({"渠道": ["门店", "官网"] * 55, "ltr": list(range(11)) * 10,
    ...                        "csat": [1, 2, 3, 4, 5] * 22, "ces": [1, 3, 5, 6, 7] * 22,
    ...                        "date": pd.date_range("2025-01-01", periods=110, freq="3D")})
    >>> ax = cx.plot.ces_breakdown(cx.ces(survey, score="ces", by="渠道"))
    >>> len(ax.patches)
    2
    >>> plt.close(ax.figure)
    """
    return _breakdown(data, "ces", "ces_breakdown", by, ax, title, reference)
