"""jieba tokenisers owned by cxmetrics: a private instance, a cache directory, user words.

jieba's module-level functions share one global tokenizer that other code may modify; each
cxmetrics tokenizer is its own ``jieba.Tokenizer``. The dictionary is loaded once per process
(lazily, under a lock) and its cache file goes to the cxmetrics cache directory, not the system
temporary directory. A tokenizer with user words copies the loaded dictionary instead of
reading it again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "content_words", "load_stopwords", "tokenizer"]

_lock = threading.Lock()
_MAX_TOKENIZERS = 8


def cache_dir() -> Path:
    """Where cxmetrics keeps caches: ``$CXMETRICS_CACHE_DIR``, else ``$XDG_CACHE_HOME/cxmetrics``,
    else ``~/.cache/cxmetrics``."""
    if os.environ.get("CXMETRICS_CACHE_DIR"):
        return Path(os.environ["CXMETRICS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cxmetrics"


@contextmanager
def _quiet_jieba() -> Any:
    # jieba announces every dictionary load on stderr; an embedded library should not.
    logger = logging.getLogger("jieba")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _base() -> Any:
    import jieba

    folder = cache_dir()
    # If the folder cannot be made, jieba fails to write its cache, logs it and carries on.
    with suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    instance = jieba.Tokenizer()
    instance.tmp_dir = str(folder)
    with _quiet_jieba():
        instance.initialize()
    return instance


_base_instance: Any = None


def _loaded_base() -> Any:
    global _base_instance
    with _lock:
        if _base_instance is None:
            _base_instance = _base()
        return _base_instance


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
    words = tuple(sorted({str(w).strip() for w in user_dict if str(w).strip()}))
    return words


@lru_cache(maxsize=_MAX_TOKENIZERS)
def tokenizer(user_words: tuple[str, ...] | str | None = None) -> Any:
    """The shared tokenizer for a user-dictionary key (see :func:`user_words_key`)."""
    base = _loaded_base()
    if not user_words:
        return base
    import jieba

    with _lock:
        instance = jieba.Tokenizer()
        instance.FREQ, instance.total = dict(base.FREQ), base.total
        instance.initialized = True
        if isinstance(user_words, str):
            with _quiet_jieba():
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
    return frozenset(str(w).strip() for w in stopwords)


def content_words(words: list[str], drop: frozenset[str], min_length: int = 1) -> list[str]:
    """Words that are not stop words, have a letter or digit, and are ``min_length`` long."""
    return [w for w in words if len(w) >= min_length and w not in drop and any(ch.isalnum() for ch in w)]
