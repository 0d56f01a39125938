"""Load what a service will use once, at start, instead of on its first request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from cxmetrics.errors import ColumnTypeError, check_choice

__all__ = ["WARM_PARTS", "warm_up"]


def _tokenizer() -> None:
    from cxmetrics.text._tokenize import tokenizer

    tokenizer()


def _sentiment() -> None:
    import cxmetrics.text as text

    text.sentiment("预热")  # loads the tokenizer, the normaliser's tables and the model weights


def _normalize() -> None:
    import cxmetrics.text as text

    text.normalize("預熱")


def _stats() -> None:
    import scipy.stats  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401


def _charts() -> None:
    import matplotlib.figure  # noqa: F401

    from cxmetrics.plot import cjk_font

    cjk_font()


_PARTS: dict[str, Callable[[], None]] = {
    "tokenizer": _tokenizer,
    "normalize": _normalize,
    "sentiment": _sentiment,
    "stats": _stats,
    "charts": _charts,
}
#: The parts :func:`warm_up` knows, in the order it loads them.
WARM_PARTS = tuple(_PARTS)


def warm_up(*parts: str, user_dicts: Iterable[Iterable[str] | str] = ()) -> dict[str, float]:
    """Load models, dictionaries and heavy imports now, so no request pays for them.

    Call it once at service start (before forking workers with gunicorn ``--preload`` or Celery
    prefork, the loaded state is shared copy-on-write). Each part is loaded once per process;
    calling again costs nothing. Thread-safe.

    Parameters
    ----------
    *parts : str
        Any of ``"tokenizer"`` (jieba's dictionary), ``"normalize"`` (the Traditional→Simplified
        tables), ``"sentiment"`` (the model weights, and the two before it), ``"stats"`` (scipy
        and statsmodels, used by every interval and test) and ``"charts"`` (matplotlib and the
        CJK font lookup). None given: all of them.
    user_dicts : iterable of word lists or dictionary file paths, optional
        Tenant user dictionaries to build tokenizers for as well (see
        :func:`cxmetrics.text.user_dict_cache_size` for how many are kept).

    Returns
    -------
    dict of str to float
        Seconds each part took in this call (near zero when it was already loaded), with
        ``"user_dicts"`` when some were given.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> timings = cx.warm_up("tokenizer", "stats")
    >>> sorted(timings)
    ['stats', 'tokenizer']
    >>> cx.warm_up("model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxmetrics.errors.CXMetricsError: part='model' is not one of ['tokenizer', 'normalize', ...]
    """
    for part in parts:
        if not isinstance(part, str):
            raise ColumnTypeError(f"parts must be strings naming what to load; got {part!r}")
        check_choice(part, WARM_PARTS, "part")
    timings: dict[str, float] = {}
    for part in parts or WARM_PARTS:
        start = time.perf_counter()
        _PARTS[part]()
        timings[part] = time.perf_counter() - start
    dictionaries = list(user_dicts)
    if dictionaries:
        from cxmetrics.text._tokenize import tokenizer, user_words_key

        start = time.perf_counter()
        for words in dictionaries:
            tokenizer(user_words_key(words))
        timings["user_dicts"] = time.perf_counter() - start
    return timings

