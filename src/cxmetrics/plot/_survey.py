"""Charts of survey metrics: trends, score distributions, breakdowns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import labels, other_columns, result_frame, values
from cxmetrics.plot._style import COLORS, chart, message, new_axes

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


def _trend(result: Any, value: str, name: str, alpha: float, ax: Any, title: str | None) -> Any:
    frame = result_frame(result, ["period", value, "ci_low", "ci_high"], name)
    groups = other_columns(frame, TREND_COLUMNS)
    ax = new_axes(ax)
    keys = [tuple(row) for row in frame.select(groups).rows()] if groups else [()] * len(frame)
    for key in dict.fromkeys(keys):
        rows = np.array([k == key for k in keys])
        part = _frame.take_rows(frame, np.flatnonzero(rows)) if groups else frame
        x = part["period"].to_list()
        y = values(part, value)
        label = " / ".join(str(k) for k in key) if key else value.upper()
        line = ax.plot(x, y, marker="o", label=label)[0]
        ax.fill_between(
            x, values(part, "ci_low"), values(part, "ci_high"), color=line.get_color(), alpha=0.15
        )
        if "change_p_value" in part.columns:
            p = values(part, "change_p_value")
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
    if groups:
        ax.legend(title=", ".join(groups))
    ax.figure.autofmt_xdate()
    return ax


@chart
def nps_trend(result: Any, *, alpha: float = 0.05, ax: Any = None, title: str | None = None) -> Axes:
    """NPS per period with its interval band; significant changes marked ▲/▼.

    Parameters
    ----------
    result : DataFrame
        :func:`cxmetrics.nps_trend`'s result (``period, nps, ci_low, ci_high`` and, for the
        markers, ``change`` and ``change_p_value``); ``by`` columns give one line per group.
    alpha : float
        Changes with ``change_p_value`` below this are marked.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib Axes

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
    return _trend(result, "nps", "nps_trend", alpha, ax, title)


@chart
def csat_trend(result: Any, *, alpha: float = 0.05, ax: Any = None, title: str | None = None) -> Axes:
    """CSAT (top-box share) per period, as :func:`nps_trend`, from :func:`cxmetrics.csat_trend`.

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
    return _trend(result, "csat", "csat_trend", alpha, ax, title)


@chart
def nps_distribution(
    result: Any, *, score: str | None = None, ax: Any = None, title: str | None = None
) -> Axes:
    """The 0-10 score distribution, bars coloured detractor (0-6), passive (7-8), promoter (9-10).

    ``result`` is :func:`cxmetrics.score_distribution`'s frame (the score column, ``n``,
    ``share``); ``score`` names the score column (default: the first column).

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
    frame = result_frame(result, ["share"], "nps_distribution")
    score = score or frame.columns[0]
    scores = values(frame, score)
    share = values(frame, "share")
    keep = ~np.isnan(scores)
    scores, share = scores[keep], share[keep]
    if ((scores < 0) | (scores > 10)).any():
        raise ValueRangeError(f"nps_distribution needs 0-10 scores in {score!r}, got {sorted(set(scores))}")
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
    result: Any, value: str, name: str, by: str | None, ax: Any, title: str | None, reference: float | None
) -> Any:
    frame = result_frame(result, [value, "ci_low", "ci_high"], name)
    groups = other_columns(frame, TREND_COLUMNS)
    by = by or (groups[0] if groups else None)
    if by is None:
        raise ValueRangeError(f"{name} needs a result with a group column (computed with by=)")
    y = values(frame, value)
    if not len(y):
        return message(new_axes(ax), "no groups to compare")
    order = np.argsort(y)
    names = [labels(frame, by)[i] for i in order]
    low, high = values(frame, "ci_low")[order], values(frame, "ci_high")[order]
    y = y[order]
    ax = new_axes(ax, (7.0, 0.45 * len(y) + 1.5))
    overall = _overall(frame, value, order) if reference is None else reference
    colors = [
        COLORS["positive"] if lo > overall else COLORS["negative"] if hi < overall else COLORS["accent"]
        for lo, hi in zip(low, high, strict=True)
    ]
    ax.barh(names, y, color=colors, alpha=0.85)
    ax.errorbar(y, np.arange(len(y)), xerr=[y - low, high - y], fmt="none", ecolor="black", capsize=3)
    ax.axvline(overall, color=COLORS["muted"], linestyle="--", linewidth=1)
    ax.set_xlabel(value.upper())
    ax.set_title(
        title
        if title is not None
        else f"{value.upper()} by {by} (interval; coloured when it excludes {overall:.3g})"
    )
    return ax


def _overall(frame: Any, value: str, order: np.ndarray) -> float:
    """The figure over all respondents: the groups' values weighted by their answers.

    NPS, top-box CSAT and mean CES are means over respondents, so the n-weighted mean of the
    groups is the overall figure exactly for unweighted results (the plain mean of the groups
    would count a group of 10 like a group of 10,000).
    """
    y = values(frame, value)[order]
    n = values(frame, "n")[order] if "n" in frame.columns else np.ones(len(y))
    known = np.isfinite(y) & (n > 0)
    return float(np.average(y[known], weights=n[known])) if known.any() else float("nan")


@chart
def nps_breakdown(
    result: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Groups sorted by NPS with interval bars; groups whose interval excludes the reference
    are coloured.

    The reference defaults to the overall NPS of all respondents (the groups' NPS weighted by
    their answers ``n``), which is exact for an unweighted result; for a weighted one pass
    ``reference=cx.nps(data, score=..., weights=...)["nps"][0]``.

    ``result`` is :func:`cxmetrics.survey` computed with ``by=``; ``by`` picks the column to
    label bars with (default: the first group column).

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
    return _breakdown(result, "nps", "nps_breakdown", by, ax, title, reference)


@chart
def csat_breakdown(
    result: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """:func:`nps_breakdown` for :func:`cxmetrics.csat` (top-box share).

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
    return _breakdown(result, "csat", "csat_breakdown", by, ax, title, reference)


@chart
def ces_breakdown(
    result: Any,
    *,
    by: str | None = None,
    reference: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """:func:`nps_breakdown` for :func:`cxmetrics.ces`.

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
    return _breakdown(result, "ces", "ces_breakdown", by, ax, title, reference)
