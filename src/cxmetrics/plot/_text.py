"""Charts of feedback text: sentiment, aspects, keywords.

They draw frames with the documented columns (named by keywords, so any frame of that shape
works): per-text scores and labels, per-aspect counts, per-keyword weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import check_positive_int, labels, result_frame, values
from cxmetrics.plot._style import COLORS, chart, cjk_font_path, message, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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

    ``data`` is a frame with a ``score`` column in [0, 1] (missing scores are left out);
    ``thresholds`` are the label cut points.

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
    check_positive_int(bins, "bins")
    frame = result_frame(data, [score], "sentiment_distribution")
    v = values(frame, score)
    v = v[~np.isnan(v)]
    low, high = thresholds
    if not 0 <= low <= high <= 1:
        raise ValueRangeError(f"thresholds must satisfy 0 <= low <= high <= 1, got {thresholds}")
    outside = v[(v < 0) | (v > 1)]
    if len(outside):
        raise ValueRangeError(
            f"sentiment_distribution needs scores in [0, 1] in {score!r}; {len(outside)} are outside: "
            f"{sorted(set(outside.tolist()))[:5]}"
        )
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
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Positive and negative mentions per aspect as diverging bars, most mentioned on top.

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
    frame = result_frame(data, [aspect, positive, negative], "aspect_chart")
    names = labels(frame, aspect)
    pos, neg = values(frame, positive), values(frame, negative)
    if not len(names):
        return message(new_axes(ax), "no aspect was mentioned")
    order = np.argsort(pos + neg)
    y = np.arange(len(names))
    ax = new_axes(ax, (7.0, 0.45 * len(names) + 1.5))
    ax.barh(y, pos[order], color=COLORS["positive"], label=positive)
    ax.barh(y, -neg[order], color=COLORS["negative"], label=negative)
    ax.set_yticks(y, [names[i] for i in order])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("mentions (negative left, positive right)")
    ax.legend()
    ax.set_title(title if title is not None else "Aspects")
    return ax


@chart
def keyword_bars(
    data: Any,
    *,
    keyword: str = "keyword",
    weight: str = "weight",
    top: int = 20,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """The ``top`` keywords by weight as horizontal bars.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> keywords = pd.DataFrame({"keyword": ["快递", "包装", "破损"], "weight": [5.0, 3.0, 1.0]})
    >>> ax = cx.plot.keyword_bars(keywords, top=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['包装', '快递']
    >>> plt.close(ax.figure)
    """
    frame = result_frame(data, [keyword, weight], "keyword_bars")
    check_positive_int(top, "top")
    names, w = labels(frame, keyword), values(frame, weight)
    if not len(names):
        return message(new_axes(ax), "no keywords")
    order = np.argsort(-w)[:top][::-1]
    ax = new_axes(ax, (6.0, 0.35 * len(order) + 1.5))
    ax.barh(range(len(order)), w[order], color=COLORS["accent"])
    ax.set_yticks(range(len(order)), [names[i] for i in order])
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

    Needs the optional ``wordcloud`` package (``pip install "cxmetrics[wordcloud]"``); the
    layout is deterministic for a ``seed``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> keywords = pd.DataFrame({"keyword": ["快递", "包装", "破损"], "weight": [5.0, 3.0, 1.0]})
    >>> ax = cx.plot.wordcloud(keywords)  # doctest: +SKIP
    """
    try:
        from wordcloud import WordCloud
    except ImportError as exc:
        raise ImportError(
            'wordcloud charts need the wordcloud package: pip install "cxmetrics[wordcloud]"'
        ) from exc
    frame = result_frame(data, [keyword, weight], "wordcloud")
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
