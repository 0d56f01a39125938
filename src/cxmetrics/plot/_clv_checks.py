"""Charts of the CLV model checks: tracking, repeat-purchase histogram, sBG survival.

Each draws on ``ax`` or on the Axes of a new ``matplotlib.figure.Figure`` (never through
pyplot, so no figure is registered globally), sets the chart fonts on its own texts instead
of changing rcParams (:func:`cxmetrics.plot.font_families`), and returns the Axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _checks
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import check_interval, labels, other_columns, result_frame, values
from cxmetrics.plot._style import COLORS, chart, legend, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@chart
def tracking_plot(data: Any, *, kind: str = "cumulative", ax: Any = None, title: str | None = None) -> Axes:
    """Actual against predicted repeat purchases per period, calibration and holdout divided
    (Fader, Hardie & Lee 2005a, figures 2 and 3).

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.tracking`'s result (``period, part`` and the actual and predicted
        repeat purchases, per period and cumulative).
    kind : {"cumulative", "incremental"}, default "cumulative"
        Which pair of columns to draw.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; missing or text
    periods, negative, text or infinite purchases raise naming the column; a missing purchase
    count breaks its line; without a holdout part no divider is drawn.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> result = pd.DataFrame({"period": [1, 2, 3, 4], "part": ["calibration"] * 2 + ["holdout"] * 2,
    ...                        "actual": [3, 5, 4, 6], "predicted": [3.5, 4.5, 4.8, 5.1],
    ...                        "actual_cumulative": [3, 8, 12, 18],
    ...                        "predicted_cumulative": [3.5, 8.0, 12.8, 17.9]})
    >>> ax = cx.plot.tracking_plot(result, kind="incremental")
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['actual', 'predicted']
    """
    kind = _checks.option(kind, ("cumulative", "incremental"), "kind")
    suffix = "_cumulative" if kind == "cumulative" else ""
    frame = result_frame(data, ["period", "part", "actual" + suffix, "predicted" + suffix], "tracking_plot")
    period = values(frame, "period", missing=False)
    actual, predicted = values(frame, "actual" + suffix, low=0), values(frame, "predicted" + suffix, low=0)
    ax = new_axes(ax)
    ax.plot(period, actual, color=COLORS["accent"], label="actual")
    ax.plot(
        period,
        predicted,
        color=COLORS["negative"],
        linestyle="--",
        label="predicted",
    )
    part = labels(frame, "part")
    calibration = [p for p, name in zip(period, part, strict=True) if name == "calibration"]
    if calibration and len(calibration) < len(period):
        ax.axvline(max(calibration) + 0.5, color=COLORS["muted"], linewidth=1)
        ax.text(max(calibration) + 0.5, 0.97, " holdout", transform=ax.get_xaxis_transform(), va="top",
                fontsize=8, color=COLORS["muted"])
    ax.set_xlabel("period")
    ax.set_ylabel(f"{kind} repeat purchases")
    legend(ax, loc="upper left" if kind == "cumulative" else "upper right")
    ax.set_title(title if title is not None else f"Tracking {kind} repeat purchases")
    return ax


@chart
def purchase_histogram(data: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Customers by number of repeat purchases in calibration: actual against expected bars.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.repeat_purchase_histogram`'s result (``frequency`` buckets,
        ``actual``, ``expected``; the chi-square ``p_value`` is shown in the title when
        present).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; negative, text
    or infinite counts and a p-value outside [0, 1] raise naming the column; a missing count draws
    no bar.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> result = pd.DataFrame({"frequency": ["0", "1", "2+"], "actual": [50, 20, 10],
    ...                        "expected": [48.0, 22.5, 9.5]})
    >>> len(cx.plot.purchase_histogram(result).patches)
    6
    """
    frame = result_frame(data, ["frequency", "actual", "expected"], "purchase_histogram")
    buckets = labels(frame, "frequency")
    actual, expected = values(frame, "actual", low=0), values(frame, "expected", low=0)
    p_value = values(frame, "p_value", low=0, high=1) if "p_value" in frame.columns else None
    x = np.arange(len(buckets))
    ax = new_axes(ax)
    ax.bar(x - 0.2, actual, 0.4, label="actual", color=COLORS["accent"])
    ax.bar(x + 0.2, expected, 0.4, label="expected", color=COLORS["neutral"])
    ax.set_xticks(x, buckets)
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("customers")
    legend(ax)
    default = "Repeat purchases: actual vs expected"
    if p_value is not None and not np.isnan(p_value[0]):
        default += f" (chi-square p = {p_value[0]:.2g})"
    ax.set_title(title if title is not None else default)
    return ax


@chart
def survival_curve(data: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Share of a cohort still active per period, with its interval band, one line per cohort.

    Parameters
    ----------
    data : DataFrame
        :meth:`cxmetrics.ShiftedBetaGeometric.survival`'s result (``period, survival`` and,
        for the band, ``ci_low, ci_high``); a column ``observed`` (the actual share, when the
        caller adds it) is drawn as points, and one more column names the cohorts.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so do two
    or more cohort columns; shares outside [0, 1], missing or text periods and infinite values
    raise naming the column; a missing share breaks its line.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> sbg = cx.ShiftedBetaGeometric.from_parameters(alpha=0.704, beta=1.182)
    >>> ax = cx.plot.survival_curve(sbg.survival(periods=range(13)))
    >>> len(ax.get_lines())
    1
    """
    frame = result_frame(data, ["period", "survival"], "survival_curve")
    known = ("period", "survival", "se", "ci_low", "ci_high", "observed")
    groups = other_columns(frame, known)
    if len(groups) > 1:
        raise ValueRangeError(f"survival_curve draws one cohort column, got {groups}")
    names = labels(frame, groups[0]) if groups else [""] * len(frame)
    period, survival = values(frame, "period", missing=False), values(frame, "survival", low=0, high=1)
    band = "ci_low" in frame.columns and "ci_high" in frame.columns
    low = values(frame, "ci_low", low=0, high=1) if band else None
    high = values(frame, "ci_high", low=0, high=1) if band else None
    if low is not None and high is not None:
        check_interval(low, high, ("ci_low", "ci_high"))
    observed = values(frame, "observed", low=0, high=1) if "observed" in frame.columns else None
    ax = new_axes(ax)
    palette = [COLORS["accent"], COLORS["negative"], COLORS["positive"], COLORS["neutral"], COLORS["muted"]]
    for i, name in enumerate(dict.fromkeys(names)):
        rows = np.array([n == name for n in names])
        color = palette[i % len(palette)]
        ax.plot(period[rows], survival[rows], color=color, label=name or "model")
        if low is not None and high is not None:
            ax.fill_between(
                period[rows],
                low[rows],
                high[rows],
                color=color,
                alpha=0.2,
                linewidth=0,
            )
        if observed is not None:
            ax.scatter(period[rows], observed[rows], color=color, s=14)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("period")
    ax.set_ylabel("share still active")
    if groups:
        legend(ax, title=groups[0])
    ax.set_title(title if title is not None else "Survival (shifted-beta-geometric)")
    return ax
