"""Closed-loop alerts: which responses to follow up today, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks
from cxmetrics._frame import as_list, collect, from_native, require_numeric, take_rows, to_native, with_arrays
from cxmetrics._typing import same_frame
from cxmetrics.errors import CXMetricsError, ValueRangeError, format_examples
from cxmetrics.text._aspects import Aspect, resolve_lexicon, scored_mentions
from cxmetrics.text._input import check_holds_text, check_text_column, is_missing
from cxmetrics.text._sentiment import score_texts

__all__ = ["RESULT_COLUMNS", "flag_negative"]

#: The columns flag_negative writes beside the caller's.
RESULT_COLUMNS = frozenset({"rank", "row", "sentiment", "detractor", "negative_text", "negative_aspects",
                            "customer_flags", "repeat_complaint", "severity", "priority", "reason"})

_REPEAT_BONUS = 1.0
_ASPECT_POINTS = 0.5
_MAX_ASPECT_POINTS = 1.5


def _ratings(frame: Any, score: str, scale_max: float) -> np.ndarray:
    require_numeric(frame, score, "score")
    values = np.asarray(frame[score].to_numpy(), dtype=float)
    bad = values[~np.isnan(values) & ((values < 0) | (values > scale_max))]
    if len(bad):
        raise ValueRangeError(
            f"score column {score!r} has {len(bad)} values outside 0–{scale_max:g}: "
            f"{format_examples(np.unique(bad))}"
        )
    return values


@same_frame
def flag_negative(
    data: Any,
    *,
    text: str | None = None,
    score: str | None = None,
    customer: str | None = None,
    sentiment_threshold: float = 0.3,
    detractor_max: int = 6,
    aspects: str | Mapping[str, Aspect | Sequence[str]] = "default",
    domain: str = "general",
    repeat_min: int = 2,
    keep: str | Sequence[str] | None = None,
) -> Any:
    """The responses to act on, each with the reasons it was flagged and a severity ranking.

    A response is flagged when any of these holds; each is a column and a phrase in ``reason``:

    - **detractor**: ``score`` (0–10 likelihood to recommend) ≤ ``detractor_max``;
    - **negative text**: the comment's P(positive) (:func:`sentiment`) < ``sentiment_threshold``;
    - **negative aspects**: clauses naming an aspect (:func:`aspect_sentiment`'s lexicon) score
      below ``sentiment_threshold``, even when the comment as a whole is not negative ("菜很好吃，
      但是骑手态度恶劣");
    - **repeated complaint** (only with ``customer``): the customer has at least ``repeat_min``
      flagged responses in ``data``.

    Severity adds up what was found, so the ranking can be explained line by line:
    detractor ``1 + (detractor_max − score) / detractor_max`` (1 to 2); negative text
    ``1 + (threshold − P) / threshold`` (1 to 2); 0.5 per negative aspect (at most 1.5); 1 for a
    repeated complaint. ``priority`` is ``high`` from 3, ``medium`` from 2, else ``low``. The
    result is deterministic: ties keep the input order.

    Parameters
    ----------
    data : DataFrame
    text, score, customer : str, optional
        Columns of the comment, the 0–10 score and the customer id; give at least one of text
        and score.
    sentiment_threshold : float
        P(positive) below which a text or an aspect clause counts as negative.
    detractor_max : int
        Highest detractor score (6 on the 0–10 NPS scale).
    aspects : "default" or a mapping
        The aspect lexicon (see :func:`aspect_sentiment`).
    domain : {"general", "food_delivery", "ecommerce", "hotel", "service"}
        Which lexicon ``"default"`` means (see :func:`aspect_lexicon`).
    repeat_min : int
        Flagged responses from one customer that make a repeated complaint.
    keep : str or list of str, optional
        Further columns to carry into the alerts (store, date, agent ...).

    Returns
    -------
    DataFrame with one row per flagged response, most severe first: ``rank``, ``row`` (position
    in ``data``), the ``customer``, ``score``, ``text`` and ``keep`` columns given,
    ``sentiment`` (P(positive) of the text), ``detractor``, ``negative_text``,
    ``negative_aspects`` (comma-separated names, empty when none), ``customer_flags`` (flagged
    responses of the customer), ``repeat_complaint``, ``severity``, ``priority``, ``reason``.

    Notes
    -----
    Edge inputs: empty data, or nothing to flag, gives no rows (with the columns above). A
    missing score is not a detractor; a missing, non-string or unscorable text is not negative;
    missing customer ids never make a repeated complaint. The score column must be numeric,
    finite and within 0–10 (strings, booleans, inf and values outside raise an error naming it).
    A text column (or Series) whose type is numeric, boolean or a date, or whose values are all
    non-strings, holds no text: :class:`~cxmetrics.errors.ColumnTypeError` naming it.

    A ``customer``, ``score``, ``text`` or ``keep`` column named like a result column (``rank``,
    ``row``, ``reason`` ...) raises :class:`~cxmetrics.errors.ColumnClashError`.
    ``sentiment_threshold`` is a number in (0, 1); ``detractor_max`` a whole number 0–10;
    ``repeat_min`` a whole number >= 2. A lazy frame is collected.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import flag_negative
    >>> survey = pd.DataFrame({
    ...     "customer": ["c1", "c2", "c1", "c3"],
    ...     "ltr": [2, 9, 5, 10],
    ...     "comment": ["送餐太慢，饭都凉了", "很好吃，下次还点", "客服不理人", "菜很好吃，但是骑手态度恶劣"],
    ... })
    >>> alerts = flag_negative(survey, text="comment", score="ltr", customer="customer")
    >>> alerts[["rank", "customer", "priority", "negative_aspects"]]
       rank customer priority      negative_aspects
    0     1       c1     high  delivery,speed,taste
    1     2       c1     high      service,attitude
    2     3       c3      low     attitude,delivery
    >>> for part in alerts["reason"].iloc[0].split("; "):
    ...     print(part)
    detractor (score 2 ≤ 6)
    negative text (P(positive) 0.00 < 0.3)
    negative aspects: delivery, speed, taste
    repeated: 2 flagged responses from this customer
    """
    if text is None and score is None:
        raise CXMetricsError("flag_negative needs text= or score= (or both)")
    sentiment_threshold = _checks.probability(sentiment_threshold, "sentiment_threshold", open_ends=True)
    detractor_max = _checks.whole(detractor_max, "detractor_max", low=0, high=10)
    repeat_min = _checks.whole(repeat_min, "repeat_min", low=2)
    lexicon = resolve_lexicon(aspects, domain)  # checked even when there is no text to read
    wrapped = from_native(data, name="flag_negative's data")
    _checks.columns(wrapped, {"text": text, "score": score, "customer": customer, "keep": keep})
    carried = as_list(keep, "keep")
    if text is not None:
        check_text_column(wrapped, text, "flag_negative")
    given = [c for c in dict.fromkeys([customer, score, text, *carried]) if c is not None]
    _checks.no_clash(given, RESULT_COLUMNS, function="flag_negative")
    frame = collect(wrapped)
    n = len(frame)

    ratings = _ratings(frame, score, 10.0) if score is not None else np.full(n, np.nan)
    detractor = ~np.isnan(ratings) & (ratings <= detractor_max)
    if text is not None:
        texts = frame[text].to_list()
        check_holds_text(texts, f"text column {text!r} of flag_negative's data")
        p = score_texts(texts, "cxmetrics").scores
        bad_aspects = _negative_aspects(texts, lexicon, sentiment_threshold)
    else:
        p, bad_aspects = np.full(n, np.nan), [[] for _ in range(n)]
    negative_text = ~np.isnan(p) & (p < sentiment_threshold)
    flagged = detractor | negative_text | np.array([bool(a) for a in bad_aspects], dtype=bool)

    customer_flags = np.zeros(n, dtype=np.int64)
    if customer is not None:
        ids = frame[customer].to_list()
        per_customer: dict[Any, int] = {}
        for i in np.flatnonzero(flagged).tolist():
            if not is_missing(ids[i]):
                per_customer[ids[i]] = per_customer.get(ids[i], 0) + 1
        customer_flags = np.array(
            [0 if is_missing(c) else per_customer.get(c, 0) for c in ids], dtype=np.int64
        )
    repeat = flagged & (customer_flags >= repeat_min)

    severity = (
        np.where(detractor, 1 + (detractor_max - np.nan_to_num(ratings)) / max(detractor_max, 1), 0.0)
        + np.where(negative_text, 1 + (sentiment_threshold - np.nan_to_num(p)) / sentiment_threshold, 0.0)
        + np.minimum(_ASPECT_POINTS * np.array([len(a) for a in bad_aspects]), _MAX_ASPECT_POINTS)
        + np.where(repeat, _REPEAT_BONUS, 0.0)
    )
    rows = np.flatnonzero(flagged)
    rows = rows[np.argsort(-severity[rows], kind="stable")]
    reasons = [
        _reason(
            i,
            ratings,
            detractor,
            p,
            negative_text,
            bad_aspects,
            repeat,
            customer_flags,
            detractor_max,
            sentiment_threshold,
        )
        for i in rows.tolist()
    ]
    columns_in = [c for c in dict.fromkeys([customer, score, text, *carried]) if c is not None]
    base = take_rows(frame.select(columns_in), rows)
    out = with_arrays(
        base,
        {
            "sentiment": p[rows],
            "detractor": detractor[rows],
            "negative_text": negative_text[rows],
            "negative_aspects": [",".join(bad_aspects[i]) for i in rows.tolist()],
            "customer_flags": customer_flags[rows],
            "repeat_complaint": repeat[rows],
            "severity": severity[rows],
            "priority": ["high" if s >= 3 else "medium" if s >= 2 else "low" for s in severity[rows]],
            "reason": reasons,
            "rank": np.arange(1, len(rows) + 1),
            "row": rows,
        },
        frame.implementation,
    )
    return to_native(out.select(["rank", "row", *[c for c in out.columns if c not in ("rank", "row")]]))


def _negative_aspects(texts: list[Any], lexicon: dict[str, Aspect], threshold: float) -> list[list[str]]:
    # an aspect whose every clause is unreadable (NaN) is not negative
    return [
        [a for a, clauses in per_aspect.items()
         if np.nanmin([m.score for m in clauses] + [np.inf]) < threshold]
        for per_aspect in scored_mentions(texts, lexicon)
    ]


def _reason(
    i: int,
    ratings: np.ndarray,
    detractor: np.ndarray,
    p: np.ndarray,
    negative_text: np.ndarray,
    bad_aspects: list[list[str]],
    repeat: np.ndarray,
    customer_flags: np.ndarray,
    detractor_max: int,
    threshold: float,
) -> str:
    parts = []
    if detractor[i]:
        parts.append(f"detractor (score {ratings[i]:g} ≤ {detractor_max})")
    if negative_text[i]:
        parts.append(f"negative text (P(positive) {p[i]:.2f} < {threshold:g})")
    if bad_aspects[i]:
        parts.append("negative aspects: " + ", ".join(bad_aspects[i]))
    if repeat[i]:
        parts.append(f"repeated: {customer_flags[i]} flagged responses from this customer")
    return "; ".join(parts)
