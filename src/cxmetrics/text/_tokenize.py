"""jieba tokenisers owned by cxmetrics: a private instance, a verified cache, user words.

jieba's module-level functions share one global tokenizer that other code may modify; each
cxmetrics tokenizer is its own ``jieba.Tokenizer``. The prefix dictionary is built once per
process (lazily, under a fork-safe lock) and cached by cxmetrics itself rather than by jieba: the
cache file is named after the versions of jieba and of cxmetrics and carries the SHA-256 of its
content, so an edited, truncated or stale file is rebuilt rather than trusted, and a read-only or
missing cache folder falls back to the next one quietly (:mod:`cxmetrics._process`). A tokenizer
with user words copies the loaded dictionary instead of reading it again; the most recently used
:func:`user_dict_cache_size` of them are kept.
"""

from __future__ import annotations

import marshal
import os
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cxmetrics._process import ForkSafeLock, cache_folder, read_verified, write_verified
from cxmetrics._version import __version__

__all__ = ["cache_dir", "content_words", "load_stopwords", "tokenizer", "user_dict_cache_size"]

_lock = ForkSafeLock()
_user_lock = ForkSafeLock()
_max_user_tokenizers = 8
_user_tokenizers: OrderedDict[tuple[str, ...] | str, Any] = OrderedDict()


def cache_dir() -> Path | None:
    """The cache folder in use: the first writable of ``$CXMETRICS_CACHE_DIR``, the platform's
    user cache folder (``$XDG_CACHE_HOME/cxmetrics`` or ``~/.cache/cxmetrics`` on Linux) and a
    per-user folder in the temporary directory; None when none is writable."""
    return cache_folder()


def _cache_name() -> str:
    import jieba

    return f"jieba-{jieba.__version__}-cxmetrics-{__version__}.dict"


def _base() -> Any:
    import jieba

    instance = jieba.Tokenizer()
    payload = read_verified(_cache_name())
    if payload is not None:
        instance.FREQ, instance.total = marshal.loads(payload)
    else:
        instance.FREQ, instance.total = instance.gen_pfdict(instance.get_dict_file())
        write_verified(_cache_name(), marshal.dumps((instance.FREQ, instance.total)))
    # jieba's own initialize() would log to stderr and write its unversioned cache; it is not run
    instance.initialized = True
    return instance


_base_instance: Any = None


def _loaded_base() -> Any:
    global _base_instance
    with _lock:
        if _base_instance is None:
            _base_instance = _base()
        return _base_instance


def user_dict_cache_size(size: int | None = None) -> int:
    """Get, or set, how many tokenizers with user dictionaries are kept (default 8).

    A service with one user dictionary per tenant sets this to its number of tenants: each kept
    tokenizer holds a copy of jieba's prefix dictionary (about 15 MB), and one evicted is rebuilt
    on its next use (about 0.3 s).

    Parameters
    ----------
    size : int, optional
        The new limit (at least 1). Omitted: the limit is only returned.

    Returns
    -------
    int
        The limit before this call.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> previous = cx.text.user_dict_cache_size(32)
    >>> cx.text.user_dict_cache_size(previous)
    32
    """
    global _max_user_tokenizers
    previous = _max_user_tokenizers
    if size is not None:
        from cxmetrics import _checks

        size = _checks.whole(size, "size", low=1)
        with _user_lock:
            _max_user_tokenizers = size
            while len(_user_tokenizers) > size:
                _user_tokenizers.popitem(last=False)
    return previous


def user_words_key(user_dict: str | os.PathLike[str] | Iterable[str] | None) -> tuple[str, ...] | str | None:
    """A hashable key for a user dictionary: the file's resolved path or the sorted words."""
    if user_dict is None:
        return None
    if isinstance(user_dict, (str, os.PathLike)):
        path = Path(user_dict)
        if not path.is_file():
            from cxmetrics.errors import CXMetricsError

            raise CXMetricsError(f"user_dict file {str(path)!r} does not exist")
        return str(path.resolve())
    words = tuple(sorted({w.strip() for w in word_list(user_dict, "user_dict") if w.strip()}))
    return words


def word_list(words: Any, name: str, *, paths: bool = True) -> list[str]:
    """An iterable of words (list, tuple, set ...) as a list; anything else, or a word that is
    not a str, raises :class:`~cxmetrics.errors.ValueRangeError` naming the argument."""
    from cxmetrics.errors import ValueRangeError, format_examples

    if isinstance(words, (bytes, dict)) or not isinstance(words, Iterable):
        alternatives = "a list of words or the path of a file" if paths else "a list of words"
        raise ValueRangeError(f"{name} must be {alternatives}, got {words!r}")
    listed = list(words)
    bad = [w for w in listed if not isinstance(w, str)]
    if bad:
        raise ValueRangeError(f"{name} must hold words (str); got {format_examples(bad)}")
    return listed


def tokenizer(user_words: tuple[str, ...] | str | None = None) -> Any:
    """The shared tokenizer for a user-dictionary key (see :func:`user_words_key`)."""
    base = _loaded_base()
    if not user_words:
        return base
    with _user_lock:
        if user_words in _user_tokenizers:
            _user_tokenizers.move_to_end(user_words)
            return _user_tokenizers[user_words]
    instance = _with_user_words(base, user_words)
    with _user_lock:
        _user_tokenizers[user_words] = instance
        while len(_user_tokenizers) > _max_user_tokenizers:
            _user_tokenizers.popitem(last=False)
    return instance


def _with_user_words(base: Any, user_words: tuple[str, ...] | str) -> Any:
    import jieba

    instance = jieba.Tokenizer()
    instance.FREQ, instance.total = dict(base.FREQ), base.total
    instance.initialized = True
    if isinstance(user_words, str):
        instance.load_userdict(user_words)
    else:
        for word in user_words:
            instance.add_word(word)
    return instance


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """The bundled stop-word list (function words, pronouns, particles, punctuation).

    Negators (不, 没) and degree words (很, 太, 非常) are deliberately absent: they carry sentiment.
    """
    text = resources.files("cxmetrics.text").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def load_stopwords(stopwords: str | os.PathLike[str] | Iterable[str] | None) -> frozenset[str] | None:
    """Resolve the ``stopwords`` option: ``"default"``, ``None``, a file path or an iterable of words."""
    if stopwords is None:
        return None
    if isinstance(stopwords, str) and stopwords == "default":
        return default_stopwords()
    if isinstance(stopwords, (str, os.PathLike)):
        path = Path(stopwords)
        if not path.is_file():
            from cxmetrics.errors import CXMetricsError

            raise CXMetricsError(
                f"stopwords must be 'default', None, a word list or a file; {str(path)!r} is not a file"
            )
        return frozenset(w.strip() for w in path.read_text("utf-8").splitlines() if w.strip())
    return frozenset(w.strip() for w in word_list(stopwords, "stopwords"))


def content_words(words: list[str], drop: frozenset[str], min_length: int = 1) -> list[str]:
    """Words that are not stop words, have a letter or digit, and are ``min_length`` long."""
    return [w for w in words if len(w) >= min_length and w not in drop and any(ch.isalnum() for ch in w)]
