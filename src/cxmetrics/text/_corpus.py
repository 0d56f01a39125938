"""A frame's texts as word lists per row, with the row's group: the input of keyword mining."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxmetrics import _checks
from cxmetrics.text._input import TextInput, read_grouped_texts
from cxmetrics.text._normalize import normalize_one
from cxmetrics.text._redact import KINDS
from cxmetrics.text._tokenize import content_words, load_stopwords, tokenizer, user_words_key

__all__ = ["Corpus", "read_corpus"]

#: The placeholders :func:`~cxmetrics.text.redact` writes ([PHONE], [EMAIL] ...): masked data,
#: not words, so keyword mining and topics never count them.
_PLACEHOLDERS = re.compile("|".join(re.escape(mark) for mark in KINDS.values()))


@dataclass(frozen=True)
class Corpus:
    """Word lists of the texts (None where missing), each text's group, and the group keys."""

    words: list[list[str] | None]
    codes: np.ndarray
    keys: Any  # the group keys (a narwhals DataFrame) or None without by
    n_groups: int
    source: TextInput

    @property
    def backend(self) -> Any:
        return self.source.frame.implementation


def read_corpus(
    data: Any,
    *,
    text: str,
    by: str | Sequence[str] | None,
    function: str,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = "default",
    min_length: int = 2,
) -> Corpus:
    """Normalise (Simplified, half-width, lower case, no URLs, no redaction placeholders) and
    tokenise a frame's text column."""
    min_length = _checks.whole(min_length, "min_length", low=1)
    grouped = read_grouped_texts(data, text, by, function=function)
    cut = tokenizer(user_words_key(user_dict)).lcut
    drop = load_stopwords(stopwords) or frozenset()
    words: list[list[str] | None] = []
    for value in grouped.source.values:
        if not isinstance(value, str):
            words.append(None)
            continue
        clean = normalize_one(_PLACEHOLDERS.sub(" ", value), to="simplified", width=True, strip_urls=True,
                              emoji="remove", lower=True)
        words.append(content_words(cut(clean), drop, min_length))
    return Corpus(words, grouped.codes, grouped.keys, grouped.n_groups, grouped.source)
