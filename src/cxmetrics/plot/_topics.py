"""Charts of topics: where each topic sits by share and impact, and topic shares over time.

They draw the frames of :func:`cxmetrics.text.topic_impact` and
:meth:`cxmetrics.text.TopicModel.shares` (columns named by keywords). A new figure is a plain
``matplotlib.figure.Figure`` (never registered with pyplot) and the CJK font is set on each
text, so no global rcParams are read or changed.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics.errors import FontWarning
from cxmetrics.plot._data import labels, result_frame, values
from cxmetrics.plot._style import COLORS, cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=size).add_subplot()


def _finish(ax: Any) -> Any:
    """The library's look: no top and right spines, a CJK font on every text of the Axes."""
    from matplotlib.text import Text

    family = cjk_font()
    if family is None:
        warnings.warn("no font with Chinese glyphs found; Chinese labels will show as boxes. Install one "
                      '(Debian: apt-get install fonts-noto-cjk) or pip install "cxmetrics[cjk]"',
                      FontWarning, stacklevel=3)
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelfontfamily=fonts)
    for text in ax.findobj(Text):
        text.set_fontfamily(fonts)
    return ax


def topic_map(
    data: Any,
    *,
    topic: str = "topic",
    share: str = "share",
    impact: str = "difference",
    significant: str | None = "significant",
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Topics by how many comments mention them (x) and their impact on the score (y).

    The quadrant to act on first is bottom right: common topics whose comments score lower.
    Points of significant topics are filled (red below zero, teal above); others are hollow.

    Parameters
    ----------
    data : DataFrame
        A :func:`~cxmetrics.text.topic_impact` result (one group), or any frame with the columns.
    topic, share, impact : str
        Columns of the topic name, its share of comments and its impact (NPS points).
    significant : str or None
        Boolean column marking significant impacts (None: all drawn filled).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> impact = pd.DataFrame({"topic": ["配送慢", "味道", "包装"], "share": [0.3, 0.4, 0.1],
    ...                        "difference": [-40.0, 12.0, -3.0], "significant": [True, True, False]})
    >>> ax = cx.plot.topic_map(impact)
    >>> [t.get_text() for t in ax.texts]
    ['配送慢', '味道', '包装']
    """
    needed = [topic, share, impact] + ([significant] if significant else [])
    frame = result_frame(data, needed, "topic_map")
    names = labels(frame, topic)
    x, y = values(frame, share), values(frame, impact)
    marked = (np.ones(len(x), dtype=bool) if not significant
              else np.asarray(frame[significant].to_list(), dtype=bool))
    ax = _axes(ax, (7.0, 5.0))
    colors = np.where(y < 0, COLORS["negative"], COLORS["positive"])
    ax.scatter(x[marked], y[marked], s=80, c=list(colors[marked]), zorder=3)
    ax.scatter(x[~marked], y[~marked], s=80, facecolors="none", edgecolors=COLORS["muted"], zorder=3)
    for xi, yi, name in zip(x, y, names, strict=True):
        ax.annotate(name, (xi, yi), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.axhline(0.0, color="black", linewidth=0.8)
    if len(x):
        ax.axvline(float(np.nanmedian(x)), color=COLORS["muted"], linewidth=0.8, linestyle="--")
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel("share of comments")
    ax.set_ylabel(f"impact ({impact}, points)")
    ax.set_title(title if title is not None else "Topics: share and impact (act first: bottom right)")
    return _finish(ax)


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def topic_trend(
    data: Any,
    *,
    time: str,
    topic: str = "topic",
    share: str = "share",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    topics: list[str] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Topic shares over time with their intervals (a line and a band per topic).

    Parameters
    ----------
    data : DataFrame
        :meth:`~cxmetrics.text.TopicModel.shares` with ``by=`` a period column.
    time : str
        The period column (dates, or labels drawn in sorted order).
    topic, share, ci_low, ci_high : str
        Columns of the result.
    topics : list of str, optional
        Topics to draw (default: all, in order of first appearance).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> shares = pd.DataFrame({"month": ["01", "01", "02", "02"], "topic": ["配送慢", "味道"] * 2,
    ...                        "share": [0.3, 0.2, 0.2, 0.25], "ci_low": [0.25, 0.15, 0.15, 0.2],
    ...                        "ci_high": [0.35, 0.25, 0.25, 0.3]})
    >>> ax = cx.plot.topic_trend(shares, time="month")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['配送慢', '味道']
    """
    frame = result_frame(data, [time, topic, share, ci_low, ci_high], "topic_trend")
    names = labels(frame, topic)
    chosen = list(dict.fromkeys(names)) if topics is None else list(topics)
    periods = frame[time].to_list()
    ordered = sorted(set(periods), key=lambda v: (v is None, v))
    position = {v: i for i, v in enumerate(ordered)}
    ax = _axes(ax, (8.0, 4.5))
    s, low, high = values(frame, share), values(frame, ci_low), values(frame, ci_high)
    for name in chosen:
        rows = [i for i, n in enumerate(names) if n == name]
        rows.sort(key=lambda i: position[periods[i]])
        xs = [position[periods[i]] for i in rows]
        line = ax.plot(xs, s[rows], marker="o", label=name)[0]
        ax.fill_between(xs, low[rows], high[rows], color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xticks(range(len(ordered)), [str(v) for v in ordered])
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel("share of comments")
    ax.set_xlabel(time)
    ax.legend(frameon=False)
    ax.set_title(title if title is not None else "Topic shares over time")
    return _finish(ax)
