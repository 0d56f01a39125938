"""Sentiment shares per group with Wilson intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks
from cxmetrics._frame import to_native, with_arrays
from cxmetrics._stats import proportion_interval
from cxmetrics._typing import same_frame
from cxmetrics.text._input import read_grouped_texts
from cxmetrics.text._sentiment import check_options, cut_points, score_texts

__all__ = ["sentiment_summary"]

_LABELS = ("positive", "neutral", "negative")


@same_frame
def sentiment_summary(
    data: Any,
    *,
    text: str,
    by: str | Sequence[str] | None = None,
    method: str = "cxmetrics",
    thresholds: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> Any:
    """Share of positive, neutral and negative texts per group, with Wilson intervals.

    Parameters
    ----------
    data : DataFrame (pandas, polars, pyarrow)
    text : str
        The text column.
    by : str or list of str, optional
        Group columns (channel, store, month ...).
    method, thresholds
        As in :func:`sentiment` (None: the model's measured neutral band; (0.4, 0.6) with
        ``method="snownlp"``).
    confidence : float
        Level of the intervals (Wilson 1927, via statsmodels).

    Returns
    -------
    DataFrame
        The input's library, one row per group (sorted by ``by``): the ``by`` columns; ``n``
        (texts in the group) and ``n_scored`` (texts with a score: the denominators below;
        missing, empty and unscorable texts count in ``n`` only); ``share_positive``,
        ``share_neutral``, ``share_negative`` (shares of scored texts, 0–1), each with ``_ci_low``
        and ``_ci_high`` Wilson limits (NaN when ``n_scored`` is 0); ``mean_score`` (mean
        P(positive) of the scored texts).

    Notes
    -----
    Edge inputs: empty data gives one row with ``n`` = 0 and NaN shares without ``by``, and no
    rows with it (as :func:`~cxmetrics.nps` does). Null group keys (None, NaN, ``pd.NA``) are
    one group of their own, sorted last, on every backend. Missing, non-string, empty and
    unscorable texts count in ``n`` only. The text column (``text=``) must hold text: a column
    whose type is numeric, boolean or a date, or whose values are all non-strings, raises
    :class:`~cxmetrics.errors.ColumnTypeError` naming it. String, categorical, pyarrow-backed
    and nullable string columns are read as text; in a mixed object column the strings are read
    and the other values count as missing.

    A ``by`` column named like a result column (``n``, ``share_positive`` ...) raises
    :class:`~cxmetrics.errors.ColumnClashError`. A lazy frame is collected (the summary is
    small) and the result comes back eager.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import sentiment_summary
    >>> reviews = pd.DataFrame({
    ...     "store": ["A", "A", "A", "B", "B"],
    ...     "comment": ["很好吃，送餐也快", "服务热情", "太难吃了", "送错了，客服也不理人", None],
    ... })
    >>> out = sentiment_summary(reviews, text="comment", by="store")
    >>> out[["store", "n", "n_scored", "share_positive", "share_negative"]].round(2)
      store  n  n_scored  share_positive  share_negative
    0     A  3         3            0.67            0.33
    1     B  2         1            0.00            1.00
    """
    _, bounds = check_options(method=method, thresholds=thresholds)
    confidence = _checks.confidence(confidence)
    grouped = read_grouped_texts(data, text, by, function="sentiment_summary")
    given, keys, codes, n_groups = grouped.source, grouped.keys, grouped.codes, grouped.n_groups
    scores, _, band_shift = score_texts(given.values, method)
    scored = ~np.isnan(scores)
    low, high = cut_points(bounds, band_shift)
    columns: dict[str, Any] = {
        "n": np.bincount(codes, minlength=n_groups),
        "n_scored": np.bincount(codes, scored, minlength=n_groups).astype(np.int64),
    }
    total = columns["n_scored"]
    masks = {"positive": scored & (scores > high), "negative": scored & (scores < low)}
    masks["neutral"] = scored & ~masks["positive"] & ~masks["negative"]
    for label in _LABELS:
        count = np.bincount(codes, masks[label], minlength=n_groups)
        share = np.divide(count, total, out=np.full(n_groups, np.nan), where=total > 0)
        lo, hi = proportion_interval(count, total, method="wilson", confidence=confidence)
        columns |= {f"share_{label}": share, f"share_{label}_ci_low": lo, f"share_{label}_ci_high": hi}
    score_sum = np.bincount(codes, np.where(scored, scores, 0.0), minlength=n_groups)
    columns["mean_score"] = np.divide(score_sum, total, out=np.full(n_groups, np.nan), where=total > 0)
    return to_native(with_arrays(keys, columns, given.frame.implementation))
