"""Charts of topics: where each topic sits by share and impact, and topic shares over time.

They draw the frames of :func:`cxmetrics.text.topic_impact` and
:meth:`cxmetrics.text.TopicModel.shares` (columns named by keywords). A new figure is a plain
``matplotlib.figure.Figure`` (never registered with pyplot) and the chart fonts are set on each
text, so no global rcParams are read or changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import check_interval, column_argument, flags, labels, result_frame, values
from cxmetrics.plot._style import COLORS, chart, labelled, legend, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


#: Most points a scatter names (past this, the labels would cover each other).
MAX_LABELS = 15


@chart
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
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; shares outside
    [0, 1], text or infinite numbers, and a ``significant`` column that is not boolean raise
    naming the column; a topic with a missing share or impact is not drawn. Topic names past 16
    characters are shortened with "…"; past 15 topics only the 15 most telling are named
    (significant ones first, then by share × |impact|).

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
    frame = result_frame(data, [], "topic_map")
    for role, name in (("topic", topic), ("share", share), ("impact", impact)):
        column_argument(frame, name, role)
    names = [_short(name, 16) for name in labels(frame, topic)]
    x, y = values(frame, share, low=0, high=1), values(frame, impact)
    marked = (np.ones(len(x), dtype=bool) if significant is None
              else flags(frame, column_argument(frame, significant, "significant")))
    ax = new_axes(ax, (7.0, 5.0))
    colors = np.where(y < 0, COLORS["negative"], COLORS["positive"])
    ax.scatter(x[marked], y[marked], s=80, c=list(colors[marked]), zorder=3)
    ax.scatter(x[~marked], y[~marked], s=80, facecolors="none", edgecolors=COLORS["muted"], zorder=3)
    for i in labelled(x * np.abs(y) + marked * 1e6, MAX_LABELS):  # significant, then the weightiest
        if np.isfinite(x[i]) and np.isfinite(y[i]):
            ax.annotate(names[i], (x[i], y[i]), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.margins(x=0.12)
    ax.axhline(0.0, color="black", linewidth=0.8)
    if np.isfinite(x).any():
        ax.axvline(float(np.nanmedian(x)), color=COLORS["muted"], linewidth=0.8, linestyle="--")
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel("share of comments")
    ax.set_ylabel(f"impact ({impact}, points)")
    ax.set_title(title if title is not None else "Topics: share and impact (act first: bottom right)")
    return ax


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


@chart
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
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; shares or
    bounds outside [0, 1], text or infinite numbers, and ``topics`` naming a topic the frame does
    not hold raise naming them; a missing period sorts last; a missing share breaks its line. Past
    12 topics the legend is left out.

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
    frame = result_frame(data, [], "topic_trend")
    for role, name in (("time", time), ("topic", topic), ("share", share), ("ci_low", ci_low),
                       ("ci_high", ci_high)):
        column_argument(frame, name, role)
    names = labels(frame, topic)
    if topics is not None and (not isinstance(topics, (list, tuple))
                               or not all(isinstance(t, str) for t in topics)):
        raise ValueRangeError(f"topics must be a list of topic names, got {topics!r}")
    chosen = list(dict.fromkeys(names)) if topics is None else list(topics)
    unknown = [t for t in chosen if t not in set(names)]
    if unknown:
        raise ValueRangeError(f"topics {unknown[:5]} are not in the {topic!r} column")
    periods = frame[time].to_list()
    periods = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in periods]
    known = set(periods) - {None}
    try:
        ordered: list[Any] = sorted(known)
    except TypeError:  # a mixed object column: sort by the labels as shown
        ordered = sorted(known, key=str)
    ordered += [None] if None in periods else []
    position = {v: i for i, v in enumerate(ordered)}
    ax = new_axes(ax, (8.0, 4.5))
    s, low, high = (values(frame, c, low=0, high=1) for c in (share, ci_low, ci_high))
    check_interval(low, high, (ci_low, ci_high))
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
    if len(chosen) <= 12:
        legend(ax, frameon=False)
    ax.set_title(title if title is not None else "Topic shares over time")
    return ax
