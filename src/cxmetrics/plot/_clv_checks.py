"""Charts of the CLV model checks: tracking, repeat-purchase histogram, sBG survival.

Each draws on ``ax`` or on the Axes of a new ``matplotlib.figure.Figure`` (never through
pyplot, so no figure is registered globally), pins a CJK-capable font on its own texts instead
of changing rcParams, and returns the Axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics.errors import ValueRangeError, check_choice
from cxmetrics.plot._data import labels, other_columns, result_frame, values
from cxmetrics.plot._style import COLORS, cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _axes(ax: Any, size: tuple[float, float] = (7.0, 4.0)) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=size).add_subplot()


def _finish(ax: Any) -> Any:
    """Pin the CJK font (when there is one) on the Axes' texts and ticks; hide the top and right
    spines."""
    from matplotlib.text import Text

    family = cjk_font()
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    ax.tick_params(labelfontfamily=fonts)
    for text in ax.findobj(Text):
        text.set_fontfamily(fonts)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def tracking_plot(result: Any, *, kind: str = "cumulative", ax: Any = None, title: str | None = None) -> Axes:
    """Actual against predicted repeat purchases per period, calibration and holdout divided
    (Fader, Hardie & Lee 2005a, figures 2 and 3).

    ``result`` is :func:`cxmetrics.tracking`'s frame; ``kind`` is ``"cumulative"`` or
    ``"incremental"``.

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
    check_choice(kind, ("cumulative", "incremental"), "kind")
    suffix = "_cumulative" if kind == "cumulative" else ""
    frame = result_frame(result, ["period", "part", "actual" + suffix, "predicted" + suffix], "tracking_plot")
    period = values(frame, "period")
    ax = _axes(ax)
    ax.plot(period, values(frame, "actual" + suffix), color=COLORS["accent"], label="actual")
    ax.plot(
        period,
        values(frame, "predicted" + suffix),
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
    ax.legend(loc="upper left" if kind == "cumulative" else "upper right")
    ax.set_title(title if title is not None else f"Tracking {kind} repeat purchases")
    return _finish(ax)


def purchase_histogram(result: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Customers by number of repeat purchases in calibration: actual against expected bars.

    ``result`` is :func:`cxmetrics.repeat_purchase_histogram`'s frame (the chi-square test is
    shown in the title when present).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> result = pd.DataFrame({"frequency": ["0", "1", "2+"], "actual": [50, 20, 10],
    ...                        "expected": [48.0, 22.5, 9.5]})
    >>> len(cx.plot.purchase_histogram(result).patches)
    6
    """
    frame = result_frame(result, ["frequency", "actual", "expected"], "purchase_histogram")
    buckets = labels(frame, "frequency")
    x = np.arange(len(buckets))
    ax = _axes(ax)
    ax.bar(x - 0.2, values(frame, "actual"), 0.4, label="actual", color=COLORS["accent"])
    ax.bar(x + 0.2, values(frame, "expected"), 0.4, label="expected", color=COLORS["neutral"])
    ax.set_xticks(x, buckets)
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("customers")
    ax.legend()
    default = "Repeat purchases: actual vs expected"
    if "p_value" in frame.columns and len(frame):
        default += f" (chi-square p = {values(frame, 'p_value')[0]:.2g})"
    ax.set_title(title if title is not None else default)
    return _finish(ax)


def survival_curve(result: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Share of a cohort still active per period, with its interval band, one line per cohort.

    ``result`` is :meth:`cxmetrics.ShiftedBetaGeometric.survival`'s frame; a column
    ``observed`` (the actual share, when the caller adds it) is drawn as points.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> sbg = cx.ShiftedBetaGeometric.from_parameters(alpha=0.704, beta=1.182)
    >>> ax = cx.plot.survival_curve(sbg.survival(periods=range(13)))
    >>> len(ax.get_lines())
    1
    """
    frame = result_frame(result, ["period", "survival"], "survival_curve")
    known = ("period", "survival", "se", "ci_low", "ci_high", "observed")
    groups = other_columns(frame, known)
    if len(groups) > 1:
        raise ValueRangeError(f"survival_curve draws one cohort column, got {groups}")
    names = labels(frame, groups[0]) if groups else [""] * len(frame)
    period, survival = values(frame, "period"), values(frame, "survival")
    band = "ci_low" in frame.columns and "ci_high" in frame.columns
    ax = _axes(ax)
    palette = [COLORS["accent"], COLORS["negative"], COLORS["positive"], COLORS["neutral"], COLORS["muted"]]
    for i, name in enumerate(dict.fromkeys(names)):
        rows = np.array([n == name for n in names])
        color = palette[i % len(palette)]
        ax.plot(period[rows], survival[rows], color=color, label=name or "model")
        if band:
            ax.fill_between(
                period[rows],
                values(frame, "ci_low")[rows],
                values(frame, "ci_high")[rows],
                color=color,
                alpha=0.2,
                linewidth=0,
            )
        if "observed" in frame.columns:
            ax.scatter(period[rows], values(frame, "observed")[rows], color=color, s=14)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("period")
    ax.set_ylabel("share still active")
    if groups:
        ax.legend(title=groups[0])
    ax.set_title(title if title is not None else "Survival (shifted-beta-geometric)")
    return _finish(ax)
