"""Sentiment of feedback text: per-text calibrated P(positive) and a three-way label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, overload

import narwhals.stable.v2 as nw
import numpy as np

from cxmetrics import _checks
from cxmetrics.errors import ColumnClashError, CXMetricsError, OptionError, ValueRangeError
from cxmetrics.text._features import normalise_for_model, normalised_words
from cxmetrics.text._input import TextInput, is_missing, read_texts
from cxmetrics.text._model import SentimentModel, shipped_model
from cxmetrics.text._normalize import _EMOJI

__all__ = ["METHODS", "OPTIONS", "REASONS", "MeasuredBand", "Scored", "Sentiment", "check_options",
           "label_scores", "score_batch", "score_texts", "sentiment"]

METHODS = ("cxmetrics", "snownlp")
#: Why a text has no score (the ``reason`` column); None when it was scored.
REASONS = {
    "missing": "the value is None or NaN",
    "not_text": "the value is not a string",
    "empty": "nothing is left after normalising (empty or whitespace only)",
    "no_known_features": "no letter, character or emoji the model can read (only punctuation, "
    "digits or symbols, e.g. '???' or '123'), or no feature the model knows",
}
_BATCH = 4096


class Sentiment(NamedTuple):
    """Sentiment of one text: ``score`` is P(positive) (NaN when unscored, see ``reason``)."""

    score: float
    label: str | None
    reason: str | None


class MeasuredBand(tuple[float, float]):
    """The label cut points of ``thresholds=None``: the model's measured neutral band, which
    holds for texts recentred in full and is moved for each text by its
    :meth:`~cxmetrics.text._model.SentimentModel.band_shift` (:func:`label_scores`)."""

    __slots__ = ()


class Scored(NamedTuple):
    """Per text: P(positive) (NaN when unscored), why it is unscored (None when scored), and
    how far its measured neutral band lies below the model's (logit; 0 when unscored)."""

    scores: np.ndarray
    reasons: list[str | None]
    band_shift: np.ndarray


def check_thresholds(
    thresholds: tuple[float, float] | None, model: SentimentModel | None = None
) -> tuple[float, float]:
    """The label cut points: as given, or (None) the neutral band measured for the model."""
    if thresholds is None:
        return MeasuredBand((model or shipped_model()).neutral_band)
    if not isinstance(thresholds, (tuple, list, np.ndarray)) or len(thresholds) != 2:
        raise ValueRangeError(f"thresholds must be None or a pair of numbers (low, high), got {thresholds!r}")
    try:
        low, high = (_checks.probability(t, "thresholds") for t in thresholds)
    except ValueRangeError:
        raise ValueRangeError(
            f"thresholds must be two numbers in [0, 1] (not strings), got {thresholds!r}") from None
    if low > high:
        raise ValueRangeError(f"thresholds must satisfy 0 <= low <= high <= 1, got {tuple(thresholds)}")
    return low, high


def check_model(model: Any, method: str) -> SentimentModel | None:
    if model is None:
        return None
    if not isinstance(model, SentimentModel):
        raise ValueRangeError(
            f"model must be a text.SentimentModel (fitted or loaded), got {type(model).__name__}"
        )
    if method != "cxmetrics":
        raise CXMetricsError(f"model= is for method='cxmetrics', got method={method!r}")
    return model


def readable(clean: str) -> bool:
    """Whether a normalised text has anything the model reads as language: a letter (any
    script, CJK included) or an emoji. Digits, punctuation and symbols alone are not."""
    return any(ch.isalpha() for ch in clean) or _EMOJI.search(clean) is not None


def score_texts(values: Sequence[Any], method: str, model: SentimentModel | None = None) -> Scored:
    """Scores (NaN where unscored), reasons and band shifts of raw values, in batches so memory
    stays flat."""
    scores = np.full(len(values), np.nan)
    band_shift = np.zeros(len(values))
    reasons: list[str | None] = [None] * len(values)
    todo: list[int] = []
    normalised: dict[int, str] = {}
    for i, value in enumerate(values):
        if is_missing(value):
            reasons[i] = "missing"
        elif not isinstance(value, str):
            reasons[i] = "not_text"
        elif not (clean := normalise_for_model(value)):
            reasons[i] = "empty"
        elif method == "cxmetrics" and not readable(clean):
            reasons[i] = "no_known_features"
        else:
            todo.append(i)
            normalised[i] = clean
    chosen = (model or shipped_model()) if method == "cxmetrics" and todo else None
    for start in range(0, len(todo), _BATCH):
        rows = todo[start : start + _BATCH]
        if chosen is not None:
            texts = [normalised[i] for i in rows]
            lengths = np.fromiter(map(len, texts), dtype=np.float64, count=len(texts))
            got = _model_scores(texts, lengths, chosen)
            band_shift[rows] = np.where(np.isnan(got), 0.0, chosen.band_shift(lengths))
        else:  # snownlp reads the raw text, as its users call it
            got = _snownlp_scores([values[i] for i in rows])
        scores[rows] = got
        for i, s in zip(rows, got, strict=True):
            if np.isnan(s):
                reasons[i] = "no_known_features"
    return Scored(scores, reasons, band_shift)


def _model_scores(normalised: list[str], lengths: np.ndarray, model: SentimentModel) -> np.ndarray:
    raw, known = model.raw_scores(normalised_words(normalised))
    return np.where(known > 0, model.probability(raw, lengths), np.nan)


def _snownlp_scores(texts: list[str]) -> np.ndarray:
    from snownlp import SnowNLP

    return np.array([SnowNLP(text).sentiments for text in texts], dtype=float)


def cut_points(thresholds: tuple[float, float], band_shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the label cut points (low, high): ``thresholds`` as given, or the measured band
    (:class:`MeasuredBand`) moved down by each text's band shift in logit."""
    low, high = thresholds
    if isinstance(thresholds, MeasuredBand):
        return _moved(low, band_shift), _moved(high, band_shift)
    return np.full(len(band_shift), float(low)), np.full(len(band_shift), float(high))


def _moved(p: float, shift: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(np.log(p / (1.0 - p)) - shift)))


def label_scores(
    scores: np.ndarray, thresholds: tuple[float, float], band_shift: np.ndarray
) -> list[str | None]:
    low, high = cut_points(thresholds, band_shift)
    return [
        None if np.isnan(s) else "negative" if s < lo else "positive" if s > hi else "neutral"
        for s, lo, hi in zip(scores, low, high, strict=True)
    ]


@overload
def sentiment(
    data: str,
    *,
    text: None = None,
    method: str = ...,
    thresholds: tuple[float, float] | None = ...,
    prefix: str = ...,
    model: SentimentModel | None = ...,
) -> Sentiment: ...
@overload
def sentiment(
    data: list[str],
    *,
    text: None = None,
    method: str = ...,
    thresholds: tuple[float, float] | None = ...,
    prefix: str = ...,
    model: SentimentModel | None = ...,
) -> list[Sentiment]: ...
@overload
def sentiment(
    data: Any,
    *,
    text: str | None = ...,
    method: str = ...,
    thresholds: tuple[float, float] | None = ...,
    prefix: str = ...,
    model: SentimentModel | None = ...,
) -> Any: ...
def sentiment(
    data: Any,
    *,
    text: str | None = None,
    method: str = "cxmetrics",
    thresholds: tuple[float, float] | None = None,
    prefix: str = "",
    model: SentimentModel | None = None,
) -> Any:
    """Sentiment of Chinese feedback: calibrated P(positive) and a positive/neutral/negative label.

    ``method="cxmetrics"`` (default) is the library's own model: two linear scorers over jieba
    words, word bigrams, character 1–3-grams and negation/degree-marked words, trained on
    food-delivery, e-commerce and NLPCC-2014 reviews and calibrated with a Platt transform on
    reviews it was not trained on, short texts recentred so that one that says nothing scores
    about 0.5 (:meth:`SentimentModel.recentring`; see the model card,
    ``docs/guide/sentiment_model.md``). Text
    is normalised first (Traditional → Simplified, full-width → half-width, URLs removed), so
    Traditional input scores like its Simplified form. ``method="snownlp"`` is snownlp's
    ``SnowNLP(text).sentiments`` on the raw text, kept for comparison.

    Parameters
    ----------
    data : str, list of str, a pandas / polars Series, or a DataFrame with ``text=``
        A lazy frame (Dask, Spark, polars LazyFrame, DuckDB) is scored batch by batch in its
        engine and comes back lazy (see :func:`sentiment_batches`).
    text : str, optional
        The text column when ``data`` is a DataFrame.
    method : {"cxmetrics", "snownlp"}
    thresholds : (low, high), optional
        ``label`` is ``negative`` when score < low, ``positive`` when score > high, else
        ``neutral``. None (default) uses the model's measured neutral band
        (:attr:`SentimentModel.neutral_band`: where held-out topic-only fragments such as
        "十点多下单" score, see the model card); with ``method="snownlp"`` it is (0.4, 0.6).
    prefix : str
        Prepended to the added column names when ``data`` is a DataFrame (use it when the frame
        already has a ``score`` column, e.g. ``prefix="sentiment_"``).
    model : SentimentModel, optional
        A model fine-tuned on your own labels (:meth:`SentimentModel.fit`) or loaded with
        :meth:`SentimentModel.load`; default the shipped one.

    Returns
    -------
    Sentiment, list of Sentiment, or DataFrame
        For a string, a :class:`Sentiment` named tuple ``(score, label, reason)``; for a list,
        a list of them; for a Series, a frame of the same library with ``text`` (the input,
        named after the Series; ``text`` when it has no name, as a pyarrow array), ``score``,
        ``label``, ``reason`` (pandas keeps the index); for a DataFrame, the same frame with
        ``score``, ``label``, ``reason`` appended.

    ``score`` is P(positive) in [0, 1]; ``label`` one of ``positive``, ``neutral``,
    ``negative``; ``reason`` is None for scored texts, else why the score is NaN and the label
    None: ``missing``, ``not_text``, ``empty`` or ``no_known_features`` (see :data:`REASONS`:
    text with no letter, character or emoji, such as "???" or "123", gets no score rather than
    a guess). A bad entry never stops the batch.

    Notes
    -----
    Edge inputs: an empty frame or Series gives an empty result with the three columns. A
    missing, non-string, empty or unreadable entry gets NaN, no label and its reason, so a mixed
    object column scores its strings and gives the rest ``not_text``. A text column (or Series)
    whose type is numeric, boolean or a date, or whose values are all non-strings, holds no
    text: :class:`~cxmetrics.errors.ColumnTypeError` naming it. String, categorical, pyarrow-
    backed and nullable string columns are read as text.

    A column of ``data`` named like an added one raises
    :class:`~cxmetrics.errors.ColumnClashError` (pass ``prefix=``). ``thresholds`` are two
    numbers in [0, 1] (strings are refused). A lazy frame is checked (column present, its type,
    the options) when called, so it fails like an eager one, and its result stays lazy.

    Examples
    --------
    >>> from cxmetrics.text import sentiment
    >>> sentiment("客服态度很好，解决问题迅速").label
    'positive'
    >>> sentiment("味道不错，就是送餐太慢了，等了一个多小时").label
    'negative'
    >>> [s.label for s in sentiment(["不差", "東西很好用，物流也快", None])]
    ['positive', 'positive', None]
    >>> [s.label for s in sentiment(["送餐很快", "客服回复很快", "退款很快"])]
    ['positive', 'positive', 'positive']
    >>> sentiment("???")
    Sentiment(score=nan, label=None, reason='no_known_features')
    >>> import pandas as pd
    >>> comments = pd.DataFrame({"id": [1, 2], "comment": ["质量太差，再也不买了", "   "]})
    >>> sentiment(comments, text="comment")[["id", "label", "reason"]]
       id     label reason
    0   1  negative    NaN
    1   2       NaN  empty
    """
    chosen, bounds = check_options(method=method, thresholds=thresholds, prefix=prefix, model=model)
    lazy = nw.from_native(data, pass_through=True)
    if isinstance(lazy, nw.LazyFrame):
        from cxmetrics.text._batches import sentiment_lazy

        return sentiment_lazy(lazy, text, method=method, thresholds=bounds, prefix=prefix, model=chosen)
    return score_batch(data, text=text, method=method, thresholds=bounds, prefix=prefix, model=chosen,
                       whole=True)


def score_batch(data: Any, *, text: str | None, method: str, thresholds: tuple[float, float], prefix: str,
                model: SentimentModel | None, whole: bool = False) -> Any:
    """:func:`sentiment` on eager input with checked options.

    ``whole=False`` marks one batch of a larger frame (a Dask partition, a Spark Arrow batch):
    the column's type is checked, but not whether the batch holds a string, which depends on
    how the rows were split (a batch of a mixed column may hold only numbers).
    """
    given = read_texts(data, text, function="sentiment", check_values=whole)
    bounds = thresholds
    scores, reasons, band_shift = score_texts(given.values, method, model)
    labels = label_scores(scores, bounds, band_shift)
    if given.kind == "str":
        return Sentiment(float(scores[0]), labels[0], reasons[0])
    if given.kind == "list":
        return [Sentiment(float(s), lab, r) for s, lab, r in zip(scores, labels, reasons, strict=True)]
    return _as_frame(given, scores, labels, reasons, prefix)


#: The options of :func:`sentiment` besides the data (what :func:`sentiment_batches` accepts).
OPTIONS = ("text", "method", "thresholds", "prefix", "model")


def check_options(*, method: Any, thresholds: Any, prefix: Any = "",
                  model: Any = None) -> tuple[SentimentModel | None, tuple[float, float]]:
    """Check :func:`sentiment`'s options; return the model (None: the shipped one) and the label
    cut points."""
    _checks.option(method, METHODS, "method")
    if not isinstance(prefix, str):
        raise ValueRangeError(f"prefix must be a str (prepended to the added columns), got {prefix!r}")
    chosen = check_model(model, method)
    given = thresholds if thresholds is not None or method == "cxmetrics" else (0.4, 0.6)
    return chosen, check_thresholds(given, chosen)


def check_unknown(options: dict[str, Any], function: str) -> None:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise OptionError(f"{function} got unknown option(s) {unknown}; it takes {list(OPTIONS)}")


def _as_frame(
    given: TextInput, scores: np.ndarray, labels: list[str | None], reasons: list[str | None], prefix: str
) -> Any:
    names = {k: prefix + k for k in ("score", "label", "reason")}
    existing = given.frame.columns if given.kind == "frame" else [given.name]
    clash = [n for n in names.values() if n in existing]
    if clash:
        raise ColumnClashError(
            f"column(s) {clash} have the name of a column sentiment adds; pass prefix=, "
            f"e.g. prefix='sentiment_'"
        )
    columns = {names["score"]: scores.tolist(), names["label"]: labels, names["reason"]: reasons}
    dtypes = {names["score"]: nw.Float64(), names["label"]: nw.String(), names["reason"]: nw.String()}
    return given.with_columns(columns, dtypes)
