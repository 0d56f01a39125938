"""Charts of feedback text: sentiment, aspects, keywords.

They draw frames with the documented columns (named by keywords, so any frame of that shape
works): per-text scores and labels, per-aspect counts, per-keyword weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _checks
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import check_positive_int, column_argument, labels, result_frame, values
from cxmetrics.plot._style import COLORS, chart, cjk_font_path, legend, message, new_axes, rows_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


@chart
def sentiment_distribution(
    data: Any,
    *,
    score: str = "score",
    thresholds: tuple[float, float] = (0.4, 0.6),
    bins: int = 20,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Histogram of sentiment scores (P(positive)), bins coloured negative / neutral / positive.

    Parameters
    ----------
    data : DataFrame
        A frame with a ``score`` column in [0, 1], one row per text (for example
        :func:`cxmetrics.text.sentiment`'s result).
    score : str, default "score"
        The score column.
    thresholds : (float, float), default (0.4, 0.6)
        The label cut points: below the first is negative, above the second positive.
    bins : int, default 20
        Number of bins over [0, 1] (a whole number from 1).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: the three shares).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; scores that are
    text, infinite or outside [0, 1], and thresholds that are not two numbers with 0 <= low <=
    high <= 1, raise naming the column or argument; missing scores (texts the model could not
    score) are left out, and when none is left the chart says so.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> ax = cx.plot.sentiment_distribution(pd.DataFrame({"score": [0.05, 0.2, 0.5, 0.8, 0.9, 0.95]}))
    >>> ax.get_title()
    'Sentiment: 50% positive, 17% neutral, 33% negative'
    >>> plt.close(ax.figure)
    """
    bins = check_positive_int(bins, "bins")
    if not isinstance(thresholds, (tuple, list)) or len(thresholds) != 2:
        raise ValueRangeError(f"thresholds must be two numbers (low, high), got {thresholds!r}")
    low = _checks.probability(thresholds[0], "thresholds[0]")
    high = _checks.probability(thresholds[1], "thresholds[1]")
    if low > high:
        raise ValueRangeError(f"thresholds must satisfy 0 <= low <= high <= 1, got {thresholds}")
    frame = result_frame(data, [], "sentiment_distribution")
    score = column_argument(frame, score, "score")
    v = values(frame, score, low=0, high=1)
    v = v[~np.isnan(v)]
    ax = new_axes(ax)
    if not len(v):
        return message(ax, "no scored texts")
    counts, edges = np.histogram(v, bins=bins, range=(0.0, 1.0))
    centers = (edges[:-1] + edges[1:]) / 2
    colors = [
        COLORS["negative"] if c < low else COLORS["positive"] if c > high else COLORS["neutral"]
        for c in centers
    ]
    ax.bar(centers, counts, width=edges[1] - edges[0], color=colors, edgecolor="white")
    shares = [(v < low).mean(), ((v >= low) & (v <= high)).mean(), (v > high).mean()] if len(v) else [0, 0, 0]
    ax.set_xlabel("sentiment score (P(positive))")
    ax.set_ylabel("texts")
    ax.set_title(
        title
        if title is not None
        else f"Sentiment: {shares[2]:.0%} positive, {shares[1]:.0%} neutral, {shares[0]:.0%} negative"
    )
    return ax


@chart
def aspect_chart(
    data: Any,
    *,
    aspect: str = "aspect",
    positive: str = "positive",
    negative: str = "negative",
    n: int = 30,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Positive and negative mentions per aspect as diverging bars, most mentioned on top.

    Parameters
    ----------
    data : DataFrame
        One row per aspect with its counts (for example :func:`cxmetrics.text.aspect_sentiment`
        counted per aspect).
    aspect, positive, negative : str, default "aspect", "positive", "negative"
        The columns of the aspect name and its positive and negative mentions.
    n : int, default 30
        How many aspects to draw (the most mentioned).
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
    or infinite counts raise naming the column; a missing count is no mentions; when no aspect has
    a mention the chart says so. Names past 24 characters are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> aspects = pd.DataFrame({"aspect": ["物流", "价格"], "positive": [30, 12], "negative": [5, 20]})
    >>> ax = cx.plot.aspect_chart(aspects)
    >>> len(ax.patches)
    4
    >>> plt.close(ax.figure)
    """
    n = check_positive_int(n, "n")
    from matplotlib.ticker import FuncFormatter

    frame = result_frame(data, [], "aspect_chart")
    for role, name in (("aspect", aspect), ("positive", positive), ("negative", negative)):
        column_argument(frame, name, role)
    names = [_short(name, 24) for name in labels(frame, aspect)]
    pos = np.nan_to_num(values(frame, positive, low=0))
    neg = np.nan_to_num(values(frame, negative, low=0))
    if not (pos + neg).sum() > 0:
        return message(new_axes(ax), "no aspect was mentioned")
    order = np.argsort(pos + neg, kind="stable")[-n:]
    y = np.arange(len(order))
    size, font = rows_figure(7.0, len(order), 0.4)
    ax = new_axes(ax, size)
    ax.barh(y, pos[order], color=COLORS["positive"], label=positive)
    ax.barh(y, -neg[order], color=COLORS["negative"], label=negative)
    ax.set_yticks(y, [names[i] for i in order], fontsize=font)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("mentions (negative left, positive right)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    legend(ax, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
    ax.set_title(title if title is not None else "Aspects", pad=18)
    return ax


@chart
def keyword_bars(
    data: Any,
    *,
    keyword: str = "keyword",
    weight: str = "weight",
    n: int = 20,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """The ``n`` keywords with the largest weight as horizontal bars, largest on top.

    Parameters
    ----------
    data : DataFrame
        One row per keyword (for example :func:`cxmetrics.text.keywords`'s result).
    keyword, weight : str, default "keyword", "weight"
        The columns of the keyword and its weight (any number: TF-IDF, count, χ²).
    n : int, default 20
        How many keywords to draw.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; text or
    infinite weights raise naming the column; keywords with a missing weight are left out, and
    when none is left the chart says so; ties keep the frame's order. Keywords past 20 characters
    are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> keywords = pd.DataFrame({"keyword": ["快递", "包装", "破损"], "weight": [5.0, 3.0, 1.0]})
    >>> ax = cx.plot.keyword_bars(keywords, n=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['包装', '快递']
    >>> plt.close(ax.figure)
    """
    n = check_positive_int(n, "n")
    frame = result_frame(data, [], "keyword_bars")
    keyword = column_argument(frame, keyword, "keyword")
    weight = column_argument(frame, weight, "weight")
    names, w = [_short(name, 20) for name in labels(frame, keyword)], values(frame, weight)
    known = np.flatnonzero(~np.isnan(w))
    if not len(known):
        return message(new_axes(ax), "no keyword has a weight")
    order = known[np.argsort(-w[known], kind="stable")][:n][::-1]
    size, font = rows_figure(6.0, len(order), 0.3)
    ax = new_axes(ax, size)
    ax.barh(range(len(order)), w[order], color=COLORS["accent"])
    ax.set_yticks(range(len(order)), [names[i] for i in order], fontsize=font)
    ax.set_xlabel(weight)
    ax.set_title(title if title is not None else "Keywords")
    return ax


@chart
def wordcloud(
    data: Any,
    *,
    keyword: str = "keyword",
    weight: str = "weight",
    ax: Any = None,
    max_words: int = 100,
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """A word cloud of keywords sized by weight, in a CJK font.

    Needs the optional ``wordcloud`` package (``pip install "cxmetrics[wordcloud]"``).

    Parameters
    ----------
    data : DataFrame
        One row per keyword (for example :func:`cxmetrics.text.keywords`'s result).
    keyword, weight : str, default "keyword", "weight"
        The columns of the keyword and its weight.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    max_words : int, default 100
        The most words drawn (a whole number from 1).
    seed : int, default 0
        The layout's random seed (a non-negative int): the same seed gives the same picture.
    title : str, optional
        The title (default: none).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`, and so does one
    where no keyword has a positive weight; text or infinite weights raise naming the column;
    keywords with a missing, zero or negative weight are left out.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> keywords = pd.DataFrame({"keyword": ["快递", "包装", "破损"], "weight": [5.0, 3.0, 1.0]})
    >>> ax = cx.plot.wordcloud(keywords)  # doctest: +SKIP
    >>> ax.images[0].get_array().shape  # doctest: +SKIP
    (400, 800, 3)
    """
    max_words = check_positive_int(max_words, "max_words")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueRangeError(f"seed must be a non-negative int, got {seed!r}")
    try:
        from wordcloud import WordCloud
    except ImportError as exc:
        raise ImportError(
            'wordcloud charts need the wordcloud package: pip install "cxmetrics[wordcloud]"'
        ) from exc
    frame = result_frame(data, [], "wordcloud")
    keyword = column_argument(frame, keyword, "keyword")
    weight = column_argument(frame, weight, "weight")
    frequencies = {
        k: float(w) for k, w in zip(labels(frame, keyword), values(frame, weight), strict=True) if k and w > 0
    }
    if not frequencies:
        raise ValueRangeError(f"wordcloud needs positive weights in {weight!r}")
    cloud = WordCloud(
        font_path=cjk_font_path(),
        width=800,
        height=400,
        background_color="white",
        max_words=max_words,
        random_state=seed,
    ).generate_from_frequencies(frequencies)
    ax = new_axes(ax, (8.0, 4.0))
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.axis("off")
    ax.set_title(title if title is not None else "")
    return ax
