"""Charts of retention: curves with interval bands, and the cohort triangle.

Drawn from :func:`cxmetrics.cohort_retention` and :func:`cxmetrics.compare_retention` frames
only. No rcParams are read or changed and no figure is registered with pyplot: without ``ax``
a :class:`matplotlib.figure.Figure` is built directly, and fonts are set on each text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _checks
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import check_interval, column_argument, labels, other_columns, result_frame, values
from cxmetrics.plot._style import COLORS, chart, legend, new_axes, rows_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Result columns of the retention functions (everything else is a group key).
KNOWN = (
    "cohort", "period", "period_to", "cohort_size", "retained", "rate", "ci_low", "ci_high",
    "versus", "n", "rate_ci_low", "rate_ci_high", "reference_n", "reference_retained",
    "reference_rate", "difference", "statistic", "p_value", "p_adjusted", "p_adjust_method",
    "logrank_statistic", "logrank_p_value",
)
#: Most series given their own legend entry.
MAX_LEGEND = 12


@chart
def retention_curve(
    data: Any,
    *,
    series: str | Sequence[str] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Retention by period, one line per cohort or group, with its interval as a band.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.cohort_retention`'s result (``period, rate, ci_low, ci_high``) or
        :func:`cxmetrics.compare_retention`'s (``period, rate, rate_ci_low, rate_ci_high``).
        A comparison against one reference group also draws the reference's rate, dashed.
    series : str or list of str, optional
        The columns that tell the lines apart (default: the group columns, plus ``cohort``
        for a cohort table).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; rates or
    interval bounds outside [0, 1], missing or infinite periods and text in a number column raise
    naming the column; a missing rate (a period not yet observable) breaks its line; a missing
    series key is a line of its own. Past 12 lines the legend is left out (the lines are coloured
    along a sequential map).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 2, 2, 3],
    ...                     "time": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-02",
    ...                                             "2024-01-16", "2024-01-08"])})
    >>> ax = cx.plot.retention_curve(cx.cohort_retention(log, customer="customer", time="time"))
    >>> len(ax.lines)
    2
    """
    frame = result_frame(data, ["period", "rate"], "retention_curve")
    if series is not None and not isinstance(series, str) and not (
            isinstance(series, (list, tuple)) and all(isinstance(k, str) for k in series)):
        raise ValueRangeError(f"series must be a column name or a list of names, got {series!r}")
    low_name, high_name = ("rate_ci_low", "rate_ci_high") if "rate_ci_low" in frame.columns \
        else ("ci_low", "ci_high")
    keys = list(series) if isinstance(series, Sequence) and not isinstance(series, str) else (
        [series] if series is not None else other_columns(frame, KNOWN))
    if series is None and "cohort" in frame.columns:
        keys.append("cohort")
    keys = [column_argument(frame, k, "series") for k in keys]
    names = [" · ".join(parts) for parts in zip(*(labels(frame, k) for k in keys), strict=True)] \
        if keys else [""] * len(frame)
    period, rate = values(frame, "period", missing=False), values(frame, "rate", low=0, high=1)
    nan = np.full(len(frame), np.nan)
    low = values(frame, low_name, low=0, high=1) if low_name in frame.columns else nan
    high = values(frame, high_name, low=0, high=1) if high_name in frame.columns else nan
    check_interval(low, high, (low_name, high_name))
    ax = new_axes(ax, (7.5, 4.5))
    order = list(dict.fromkeys(names))
    colours = _palette(len(order))
    for name, colour in zip(order, colours, strict=True):
        rows = np.flatnonzero(np.asarray(names) == name)
        rows = rows[np.argsort(period[rows], kind="stable")]
        ax.plot(period[rows], rate[rows], marker="o", markersize=3, color=colour,
                label=name or "all customers")
        ax.fill_between(period[rows], low[rows], high[rows], color=colour, linewidth=0,
                        alpha=0.15 if len(order) <= 3 else 0.04)  # many bands would hide the lines
    if "reference_rate" in frame.columns and "versus" in frame.columns:
        versus = set(labels(frame, "versus"))
        if len(versus) == 1 and versus != {"rest"} and order:
            rows = np.flatnonzero(np.asarray(names) == order[0])
            rows = rows[np.argsort(period[rows], kind="stable")]
            ax.plot(period[rows], values(frame, "reference_rate")[rows], linestyle="--",
                    color=COLORS["muted"], label=f"{versus.pop()} (reference)")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel("periods since the cohort period")
    ax.set_ylabel("retained")
    if len(order) + ("reference_rate" in frame.columns) > 1 and len(order) <= MAX_LEGEND:
        legend(ax, frameon=False, fontsize=8)
    ax.set_title(title if title is not None else "Retention (bands: confidence intervals)")
    return ax


@chart
def cohort_heatmap(
    data: Any, *, annotate: bool = True, ax: Any = None, title: str | None = None
) -> Axes:
    """The retention triangle: cohorts down, periods across, cells coloured by rate.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.cohort_retention`'s result for one group (``cohort, period,
        cohort_size, rate``); filter a ``by`` result to one group first.
    annotate : bool, default True
        Write each cell's rate in it (left out past 24 periods, where cells are too small).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes
        The triangle's Axes (the figure also holds its colour bar).

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so do
    several groups; periods that are missing, negative or not whole, rates outside [0, 1],
    negative cohort sizes and text in a number column raise naming the column; cells not yet
    observable (missing rates) stay blank; each row is labelled with its cohort and size.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 2, 2, 3],
    ...                     "time": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-02",
    ...                                             "2024-01-16", "2024-01-08"])})
    >>> ax = cx.plot.cohort_heatmap(cx.cohort_retention(log, customer="customer", time="time"))
    >>> ax.images[0].get_array().shape
    (2, 3)
    """
    annotate = _checks.flag(annotate, "annotate")
    frame = result_frame(data, ["cohort", "period", "cohort_size", "rate"], "cohort_heatmap")
    groups = other_columns(frame, KNOWN)
    if groups and len(set(zip(*(labels(frame, g) for g in groups), strict=True))) > 1:
        raise ValueRangeError(
            f"cohort_heatmap draws one group; filter the result on {groups} to one group first")
    cohorts = labels(frame, "cohort")
    rows = list(dict.fromkeys(cohorts))
    period = values(frame, "period", low=0, whole=True, missing=False).astype(int)
    columns = np.unique(period)
    grid = np.full((len(rows), len(columns)), np.nan)
    size = np.zeros(len(rows))
    row_of = {c: i for i, c in enumerate(rows)}
    r = np.array([row_of[c] for c in cohorts], dtype=int)
    grid[r, np.searchsorted(columns, period)] = values(frame, "rate", low=0, high=1)
    size[r] = values(frame, "cohort_size", low=0)
    (_, height), font = rows_figure(0.0, len(rows), 0.35)
    ax = new_axes(ax, (max(5.0, 0.55 * len(columns) + 3.0), max(3.0, height)))
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    if annotate and len(columns) <= 24:
        for i in range(len(rows)):
            for j in range(len(columns)):
                if not np.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0%}", ha="center", va="center", fontsize=7,
                            color="white" if grid[i, j] > 0.55 else "black")
    ax.set_xticks(range(len(columns)), [str(c) for c in columns])
    ax.set_yticks(range(len(rows)), [f"{c[:10]}  (n={s:,.0f})" for c, s in zip(rows, size, strict=True)],
                  fontsize=font)
    ax.set_xlabel("periods since the cohort period")
    ax.set_ylabel("cohort")
    ax.figure.colorbar(image, ax=ax, label="retained", format=_percent())
    ax.set_title(title if title is not None else "Retention by cohort")
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def _palette(n: int) -> list[Any]:
    """``n`` distinct colours: the library's accent first, then a sequential map."""
    if n <= 1:
        return [COLORS["accent"]][:n]
    from matplotlib import colormaps

    return [colormaps["viridis"](x) for x in np.linspace(0.0, 0.85, n)]
