"""Load what a service will use once, at start, instead of on its first request."""

from __future__ import annotations

import os
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

    Raises
    ------
    OptionError
        For a part not in the list above.
    ColumnTypeError
        For a part that is not a string, or ``user_dicts`` that is not a list of word lists
        or paths (a bare string or number is refused, not iterated letter by letter).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> timings = cx.warm_up("tokenizer", "stats")
    >>> sorted(timings)
    ['stats', 'tokenizer']
    >>> cx.warm_up("model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxmetrics.errors.OptionError: part='model' is not one of ['tokenizer', 'normalize', ...]
    """
    for part in parts:
        if not isinstance(part, str):
            raise ColumnTypeError(f"parts must be strings naming what to load; got {part!r}")
        check_choice(part, WARM_PARTS, "part")
    if isinstance(user_dicts, (str, bytes)) or not isinstance(user_dicts, Iterable):
        raise ColumnTypeError(
            f"user_dicts must be a list of word lists or dictionary file paths, got {user_dicts!r}")
    dictionaries = list(user_dicts)
    for words in dictionaries:
        if not isinstance(words, (str, os.PathLike, Iterable)) or isinstance(words, bytes):
            raise ColumnTypeError(
                f"user_dicts must hold word lists or dictionary file paths, got {words!r}")
    timings: dict[str, float] = {}
    for part in parts or WARM_PARTS:
        start = time.perf_counter()
        _PARTS[part]()
        timings[part] = time.perf_counter() - start
    if dictionaries:
        from cxmetrics.text._tokenize import tokenizer, user_words_key

        start = time.perf_counter()
        for words in dictionaries:
            tokenizer(user_words_key(words))
        timings["user_dicts"] = time.perf_counter() - start
    return timings

