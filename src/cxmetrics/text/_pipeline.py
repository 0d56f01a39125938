"""Public text preparation: :func:`normalize` and :func:`tokenize`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import narwhals.stable.v2 as nw

from cxmetrics import _checks
from cxmetrics.text._input import is_missing, read_texts
from cxmetrics.text._normalize import check_options, normalize_one
from cxmetrics.text._tokenize import content_words, default_stopwords, tokenizer, user_words_key

__all__ = ["normalize", "tokenize"]


def normalize(
    texts: Any,
    *,
    to: str | None = "simplified",
    width: bool = True,
    strip_urls: bool = True,
    emoji: str = "keep",
    lower: bool = False,
) -> Any:
    """Clean Chinese feedback text for analysis; the input is left untouched for display.

    Steps, in order: remove the byte-order mark and zero-width characters; full-width letters,
    digits and punctuation to half-width (``width``; ``，`` becomes ``,``; the ideographic
    space a plain one); drop URLs (``strip_urls``); handle emoji (``emoji``); convert the script
    (``to``); lower-case Latin letters (``lower``); collapse runs of whitespace and trim.

    Parameters
    ----------
    texts : str, list of str, or a pandas / polars Series
    to : {"simplified", "traditional"} or None
        Target script. Traditional → Simplified uses snownlp's conversion table, character by
        character plus the phrases whose characters convert differently together (畫上 → 画上);
        characters that are also everyday Simplified ones (著, 余, 覆) are left alone, so
        Simplified input comes back unchanged. ``"traditional"`` is the reverse mapping (each
        Simplified character to one Traditional form), used to test that Traditional input
        scores like its Simplified form. None keeps the script.
    width : bool
        Full-width forms to half-width.
    strip_urls : bool
        Remove ``http(s)://`` and ``www.`` links.
    emoji : {"keep", "token", "remove"}
        Keep emoji (the default: 😡 and 👍 carry sentiment the model has learned), replace each
        run by the token ``<emoji>``, or remove them.
    lower : bool
        Lower-case Latin letters.

    Returns
    -------
    The same kind as ``texts``: a string, a list, or a Series of the same library (pandas keeps
    the index). Missing entries (None, NaN) stay missing; non-string entries become missing.

    Notes
    -----
    Edge inputs: an empty list or Series gives an empty one. A DataFrame is refused with a hint
    to pass its column. A text column (or Series) whose type is numeric, boolean or a date, or
    whose values are all non-strings, holds no text: :class:`~cxmetrics.errors.ColumnTypeError`
    naming it. ``width``, ``strip_urls`` and ``lower`` must be True or False.

    Examples
    --------
    >>> from cxmetrics.text import normalize
    >>> normalize("客服態度很好！！ 解決問題迅速 http://t.cn/abc")
    '客服态度很好!! 解决问题迅速'
    >>> normalize(["ＡＰＰ很卡", None], lower=True)
    ['app很卡', None]
    >>> normalize("头发干净", to="traditional")
    '頭發乾凈'
    """
    check_options(to, emoji)
    for name, value in (("width", width), ("strip_urls", strip_urls), ("lower", lower)):
        _checks.flag(value, name)
    given = read_texts(texts, None, function="normalize", frames=False)
    out = [
        normalize_one(v, to=to, width=width, strip_urls=strip_urls, emoji=emoji, lower=lower)
        if isinstance(v, str)
        else None
        for v in given.values
    ]
    if given.kind == "str":
        return out[0]
    if given.kind == "list":
        return out
    return given.series_like(out, given.name, nw.String())


def tokenize(
    texts: Any,
    *,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = None,
    replace_stopwords: bool = False,
    hmm: bool = True,
) -> Any:
    """Split Chinese text into words with jieba.

    A private ``jieba.Tokenizer`` is used, never jieba's global one; its dictionary loads once per
    process on first use, with its cache file in the cxmetrics cache directory
    (``$CXMETRICS_CACHE_DIR``, ``$XDG_CACHE_HOME/cxmetrics`` or ``~/.cache/cxmetrics``). Safe to
    call from several threads. Normalise first (:func:`normalize`) if the text may be
    Traditional or full-width: the dictionary is Simplified.

    Parameters
    ----------
    texts : str, list of str, or a pandas / polars Series
    user_dict : list of words, or path of a jieba-format file (``word [freq] [tag]`` per line)
        Words jieba must keep whole (product names, store names). Each distinct dictionary gets
        its own tokenizer, built from the loaded default dictionary (the last eight are kept).
    stopwords : None, "default", an iterable of words, or a path (one word per line)
        Words to drop **in addition to** the bundled list of function words, pronouns,
        particles and punctuation (negators such as 不, 没 and degree words such as 很, 太 are
        not in it: they carry sentiment). Tokens made only of punctuation, symbols or spaces
        are dropped too.
    replace_stopwords : bool
        Drop ``stopwords`` instead of the bundled list; with ``stopwords=None`` nothing is
        dropped but whitespace.
    hmm : bool
        Let jieba's HMM join characters into words it does not know.

    Returns
    -------
    For a string, a list of words; for a list, a list of lists; for a Series, a Series of lists
    of the same library. Missing and non-string entries give None.

    Notes
    -----
    Edge inputs: an empty list or Series gives an empty one. A DataFrame is refused with a hint
    to pass its column. A text column (or Series) whose type is numeric, boolean or a date, or
    whose values are all non-strings, holds no text: :class:`~cxmetrics.errors.ColumnTypeError`
    naming it. ``stopwords`` and ``user_dict`` are lists of str or paths; ``hmm`` and
    ``replace_stopwords`` True or False.

    Examples
    --------
    >>> from cxmetrics.text import tokenize
    >>> tokenize("客服态度很好，解决问题迅速")
    ['客服', '态度', '很', '好', '解决问题', '迅速']
    >>> tokenize("这家瑞幸咖啡的生椰拿铁不错", user_dict=["生椰拿铁"])
    ['这家', '瑞幸', '咖啡', '生椰拿铁', '不错']
    >>> tokenize("这家瑞幸咖啡的生椰拿铁不错", user_dict=["生椰拿铁"], stopwords=["这家"])
    ['瑞幸', '咖啡', '生椰拿铁', '不错']
    """
    _checks.flag(hmm, "hmm")
    _checks.flag(replace_stopwords, "replace_stopwords")
    given = read_texts(texts, None, function="tokenize", frames=False)
    cutter = tokenizer(user_words_key(user_dict))
    from cxmetrics.text._keywords import resolve_stopwords

    if replace_stopwords is True and stopwords is None:
        drop = None
    else:
        drop = resolve_stopwords(stopwords, replace_stopwords, default_stopwords())
    out: list[list[str] | None] = []
    for value in given.values:
        if not isinstance(value, str) or is_missing(value):
            out.append(None)
            continue
        words = cutter.lcut(value, HMM=hmm)
        out.append([w for w in words if not w.isspace()] if drop is None else content_words(words, drop))
    if given.kind == "str":
        return out[0]
    if given.kind == "list":
        return out
    return given.series_like(out, given.name, nw.List(nw.String()))
