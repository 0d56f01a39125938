"""Keywords, word frequencies and phrases per group."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

import numpy as np

from cxmetrics import _checks
from cxmetrics._frame import take_rows, to_native, with_arrays
from cxmetrics._typing import same_frame
from cxmetrics.errors import DesignError
from cxmetrics.text._corpus import Corpus, read_corpus
from cxmetrics.text._tokenize import default_stopwords as function_words
from cxmetrics.text._tokenize import load_stopwords

__all__ = ["default_stopwords", "keywords", "ngrams", "resolve_stopwords", "word_freq"]

METHODS = ("tfidf", "textrank", "log_odds")

_DAMPING = 0.85  # Brin & Page (1998), as TextRank uses it
_WINDOW = 5


def _group_counts(corpus: Corpus, terms_of: Any) -> tuple[list[Counter[str]], list[Counter[str]]]:
    """Per group: occurrences of each term and the number of texts containing it."""
    counts = [Counter[str]() for _ in range(corpus.n_groups)]
    docs = [Counter[str]() for _ in range(corpus.n_groups)]
    for words, group in zip(corpus.words, corpus.codes.tolist(), strict=True):
        if words is None:
            continue
        terms = terms_of(words)
        counts[group].update(terms)
        docs[group].update(set(terms))
    return counts, docs


def _table(
    corpus: Corpus, column: str, names: list[str], rows: list[list[tuple[str, dict[str, float]]]]
) -> Any:
    """One frame: the group keys repeated for each of their rows, then the term and its numbers."""
    sizes = [len(r) for r in rows]
    flat = [item for r in rows for item in r]
    columns: dict[str, Any] = {column: [term for term, _ in flat]}
    for name in names:
        columns[name] = np.array([values[name] for _, values in flat], dtype=float)
        if name in ("count", "doc_freq", "rank"):
            columns[name] = columns[name].astype(np.int64)
    keys = None if corpus.keys is None else take_rows(corpus.keys, np.repeat(np.arange(len(sizes)), sizes))
    return to_native(with_arrays(keys, columns, corpus.backend))


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """The words keyword mining leaves out by default.

    The bundled function words, pronouns, particles and punctuation (those :func:`tokenize`
    drops) plus generic evaluative words: negators, degree and hedge words and topic-free praise
    or blame (没有, 不错, 非常, 有点, 满意, 一般 ...). They say how the writer feels, not what the
    comment is about, so they would otherwise top every group's keywords.

    Returns
    -------
    frozenset of str

    Examples
    --------
    >>> from cxmetrics.text import default_stopwords
    >>> {"没有", "不错", "非常", "有点", "的"} <= default_stopwords()
    True
    >>> "配送" in default_stopwords()
    False
    """
    text = resources.files("cxmetrics.text").joinpath("data/evaluative_words.txt").read_text("utf-8")
    evaluative = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return function_words() | frozenset(evaluative)


def resolve_stopwords(
    stopwords: str | os.PathLike[str] | Iterable[str] | None, replace: bool, default: frozenset[str]
) -> frozenset[str]:
    """The words to drop: ``default`` plus ``stopwords``; with ``replace``, ``stopwords`` alone.

    ``stopwords`` is None (nothing added; with ``replace``, nothing dropped), ``"default"`` (the
    default list), an iterable of words or a file with one word per line.
    """
    _checks.flag(replace, "replace_stopwords")
    if isinstance(stopwords, str) and stopwords == "default":
        return default
    extra = frozenset() if stopwords is None else load_stopwords(stopwords) or frozenset()
    return extra if replace else default | extra


@same_frame
def word_freq(
    data: Any,
    *,
    text: str,
    by: str | Sequence[str] | None = None,
    n: int | None = None,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = None,
    replace_stopwords: bool = False,
    min_length: int = 2,
) -> Any:
    """Word counts per group, most frequent first.

    Texts are normalised (Simplified, half-width, lower case, URLs and emoji removed) and cut by
    :func:`tokenize`; stop words, punctuation and words shorter than ``min_length`` characters
    (single characters by default) are left out.

    Parameters
    ----------
    data : DataFrame
    text : str
        The text column.
    by : str or list of str, optional
        Group columns.
    n : int, optional
        Words kept per group (all by default).
    user_dict : list of words or path, optional
        Words jieba must keep whole (see :func:`tokenize`).
    stopwords : None, "default", an iterable of words, or a path (one word per line)
        Words to leave out **in addition to** the bundled function words (those :func:`tokenize`
        drops; evaluative words such as 不错 are counted here, unlike in :func:`keywords`).
    replace_stopwords : bool
        Use ``stopwords`` instead of the bundled list.
    min_length : int
        Shortest word counted, in characters.

    Returns
    -------
    DataFrame: ``by`` columns, ``word``, ``count`` (occurrences), ``doc_freq`` (texts of the
    group containing it), ``share`` (count / all counted words of the group), ``rank`` (1 = most
    frequent; ties broken by the word, so the order is deterministic).

    Notes
    -----
    Edge inputs: empty data, or texts with no countable word, give no rows (with the columns
    above); missing and non-string texts count no words. Null group keys are one group of their
    own, sorted last, on every backend; a group with no countable word has no rows. The text
    column (``text=``) must hold text: a column whose type is numeric, boolean or a date, or
    whose values are all non-strings, raises :class:`~cxmetrics.errors.ColumnTypeError` naming
    it. String, categorical, pyarrow-backed and nullable string columns are read as text; in a
    mixed object column the strings are read and the other values count as missing.

    A ``by`` column named like a result column raises
    :class:`~cxmetrics.errors.ColumnClashError`. ``n`` and ``min_length`` are whole numbers >= 1
    (``True`` and ``"5"`` are refused); ``stopwords`` and ``user_dict`` are lists of str or
    paths. A lazy frame is collected and the result comes back eager.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import word_freq
    >>> reviews = pd.DataFrame({"comment": ["配送很快，包装完好", "配送太慢", "包装破损，配送员态度差"]})
    >>> word_freq(reviews, text="comment", n=3)
      word  count  doc_freq  share  rank
    0   配送      3         3    0.3     1
    1   包装      2         2    0.2     2
    2   太慢      1         1    0.1     3
    """
    n = _checks.whole(n, "n", low=1, allow_none=True)
    corpus = read_corpus(
        data,
        text=text,
        by=by,
        function="word_freq",
        user_dict=user_dict,
        stopwords=resolve_stopwords(stopwords, replace_stopwords, function_words()),
        min_length=min_length,
    )
    return _frequency_table(corpus, lambda words: words, "word", n)


@same_frame
def ngrams(
    data: Any,
    *,
    text: str,
    length: int = 2,
    by: str | Sequence[str] | None = None,
    n: int | None = None,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = None,
    replace_stopwords: bool = False,
    min_length: int = 2,
) -> Any:
    """Phrases: counts of ``length`` consecutive words per group ("送餐 太慢", "客服 态度").

    Words are those :func:`word_freq` counts (stop words, punctuation and words shorter than
    ``min_length`` removed first, so a phrase may bridge a removed word). Phrases are joined
    with a space.

    Parameters
    ----------
    data, text, by, n, user_dict, stopwords, replace_stopwords, min_length
        As in :func:`word_freq`.
    length : int
        Words per phrase (at least 2).

    Returns
    -------
    DataFrame: ``by`` columns, ``ngram``, ``count``, ``doc_freq``, ``share``, ``rank``.

    Notes
    -----
    Edge inputs as in :func:`word_freq`; a text with fewer than ``length`` counted words adds no
    phrase.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import ngrams
    >>> reviews = pd.DataFrame({"comment": ["送餐太慢了", "送餐太慢，饭都凉了", "味道很好"]})
    >>> ngrams(reviews, text="comment", n=1)[["ngram", "count", "doc_freq"]]
      ngram  count  doc_freq
    0  送餐 太慢      2         2
    """
    n = _checks.whole(n, "n", low=1, allow_none=True)
    length = _checks.whole(length, "length", low=2)
    corpus = read_corpus(
        data,
        text=text,
        by=by,
        function="ngrams",
        user_dict=user_dict,
        stopwords=resolve_stopwords(stopwords, replace_stopwords, function_words()),
        min_length=min_length,
    )

    def phrases(words: list[str]) -> list[str]:
        if length == 2:
            return [f"{a} {b}" for a, b in pairwise(words)]
        return [" ".join(words[i : i + length]) for i in range(len(words) - length + 1)]

    return _frequency_table(corpus, phrases, "ngram", n)


def _frequency_table(corpus: Corpus, terms_of: Any, column: str, n: int | None) -> Any:
    counts, docs = _group_counts(corpus, terms_of)
    rows = []
    for count, doc in zip(counts, docs, strict=True):
        total = sum(count.values())
        ranked = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        rows.append(
            [
                (term, {"count": c, "doc_freq": doc[term], "share": c / total, "rank": i + 1})
                for i, (term, c) in enumerate(ranked)
            ]
        )
    return _table(corpus, column, ["count", "doc_freq", "share", "rank"], rows)


@same_frame
def keywords(
    data: Any,
    *,
    text: str,
    by: str | Sequence[str] | None = None,
    method: str = "tfidf",
    n: int = 20,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = None,
    replace_stopwords: bool = False,
    min_length: int = 2,
    prior: float = 1.0,
) -> Any:
    """The words that characterise each group's texts.

    Words as in :func:`word_freq` (normalised, tokenised with ``user_dict``, punctuation and
    words shorter than ``min_length`` removed), minus :func:`default_stopwords`: function words
    and generic evaluative words (没有, 不错, 非常, 有点 ...), which say how the writer feels,
    not what the comments are about.

    - ``method="tfidf"``: weight = (occurrences in the group / words in the group) ×
      idf, idf = ln((1 + N) / (1 + df)) + 1 over all N texts of ``data`` (Salton & Buckley 1988;
      the smoothed form scikit-learn uses). A word frequent in one group but rare elsewhere
      ranks first; with ``by=None`` it ranks words that are both frequent and specific.
    - ``method="textrank"``: PageRank (damping 0.85) on the graph of words co-occurring within
      a window of 5 words in the group's texts, edges weighted by how often the pair co-occurs
      (Mihalcea & Tarau 2004); weights sum to 1 per group.
    - ``method="log_odds"``: contrastive keywords, each group against all the others: the
      log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
      "Fightin' words", *Political Analysis* 16(4), eq. 16–22). With ``y`` a word's count in the
      group, ``n`` the group's word count, ``y'``, ``n'`` the same in the other groups and the
      prior ``a = prior × (the word's count in all groups)``, ``a0 = prior × (all words)``:
      ``log_odds = ln((y + a) / (n + a0 − y − a)) − ln((y' + a) / (n' + a0 − y' − a))``,
      ``se = sqrt(1 / (y + a) + 1 / (y' + a))``, ``z = log_odds / se``; words are ranked by
      ``z`` (over-represented in the group first). Needs ``by`` with at least two groups
      (otherwise a :class:`~cxmetrics.errors.DesignError`); when the groups share a single word
      its odds are undefined and no row is returned.

    jieba's own ``jieba.analyse`` is not used: it reads jieba's global tokenizer and a general
    idf table, while these weights come from the caller's own texts and tokenizer.

    Parameters
    ----------
    data : DataFrame
    text : str
        The text column.
    by : str or list of str, optional
        Group columns; keywords are computed per group.
    method : {"tfidf", "textrank", "log_odds"}
    n : int
        Keywords kept per group.
    user_dict : list of words or path, optional
        Words jieba must keep whole (see :func:`tokenize`).
    stopwords : None, "default", an iterable of words, or a path (one word per line)
        Words to leave out **in addition to** :func:`default_stopwords` (None adds none).
    replace_stopwords : bool
        Use ``stopwords`` instead of the defaults (``stopwords=None`` then drops no word).
    min_length : int
        Shortest word counted, in characters.
    prior : float
        ``method="log_odds"`` only: the strength of the prior, as a multiple of the pooled
        counts (1 = Monroe et al.'s choice of the whole collection as prior). Must be > 0.

    Returns
    -------
    DataFrame: ``by`` columns, ``keyword``, ``weight`` (``z`` for ``log_odds``), ``count``
    (occurrences), ``doc_freq`` (texts of the group containing it), ``rank`` (1 = highest
    weight; ties broken by the word); with ``method="log_odds"`` also ``log_odds``, ``se`` and
    ``z``.

    Notes
    -----
    Edge inputs as in :func:`word_freq`. ``method="log_odds"`` with fewer than two groups raises
    :class:`~cxmetrics.errors.DesignError`; ``prior`` is a finite number > 0.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import keywords
    >>> reviews = pd.DataFrame({
    ...     "store": ["A", "A", "A", "B", "B", "B"],
    ...     "comment": ["配送太慢了，没有餐具", "配送员迟到", "味道不错但配送慢",
    ...                 "环境很好", "环境干净，味道不错", "服务热情，环境好"],
    ... })
    >>> keywords(reviews, text="comment", by="store", n=1)[["store", "keyword", "count", "doc_freq"]]
      store keyword  count  doc_freq
    0     A      配送      3         3
    1     B      环境      3         3
    >>> contrast = keywords(reviews, text="comment", by="store", method="log_odds", n=2)
    >>> contrast[["store", "keyword", "count"]]
      store keyword  count
    0     A      配送      3
    1     A      太慢      1
    2     B      环境      3
    3     B      干净      1
    >>> bool((contrast["z"] > 0).all())
    True
    """
    _checks.option(method, METHODS, "method")
    n = _checks.whole(n, "n", low=1)
    prior = _checks.number(prior, "prior", low=0.0, low_open=True)
    corpus = read_corpus(
        data,
        text=text,
        by=by,
        function="keywords",
        user_dict=user_dict,
        stopwords=resolve_stopwords(stopwords, replace_stopwords, default_stopwords()),
        min_length=min_length,
    )
    counts, docs = _group_counts(corpus, lambda words: words)
    names = ["weight", "count", "doc_freq", "rank"]
    extra: list[dict[str, dict[str, float]]] = [{} for _ in counts]
    if method == "tfidf":
        everywhere: Counter[str] = Counter()
        for doc in docs:
            everywhere.update(doc)
        n_texts = sum(w is not None for w in corpus.words)
        weights = [_tfidf(count, everywhere, n_texts) for count in counts]
    elif method == "textrank":
        weights = _textrank(corpus)
    else:
        if corpus.n_groups < 2:
            raise DesignError(
                "method='log_odds' contrasts groups: pass by= with at least two groups "
                f"(got {corpus.n_groups})"
            )
        extra = _log_odds(counts, float(prior))
        weights = [{t: v["z"] for t, v in group.items()} for group in extra]
        names += ["log_odds", "se", "z"]
    rows = []
    for weight, count, doc, more in zip(weights, counts, docs, extra, strict=True):
        ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        rows.append(
            [
                (
                    term,
                    {"weight": w, "count": count[term], "doc_freq": doc[term], "rank": i + 1}
                    | more.get(term, {}),
                )
                for i, (term, w) in enumerate(ranked)
            ]
        )
    return _table(corpus, "keyword", names, rows)


def _log_odds(counts: list[Counter[str]], prior: float) -> list[dict[str, dict[str, float]]]:
    """Monroe, Colaresi & Quinn (2008) log-odds with an informative Dirichlet prior, each group
    against the others, for every word the group uses."""
    pooled: Counter[str] = Counter()
    for count in counts:
        pooled.update(count)
    terms = sorted(pooled)
    index = {t: i for i, t in enumerate(terms)}
    alpha = prior * np.array([pooled[t] for t in terms], dtype=float)
    alpha0 = alpha.sum()
    total = alpha / prior
    out = []
    for count in counts:
        y = np.zeros(len(terms))
        for term, c in count.items():
            y[index[term]] = c
        rest = total - y
        n, n_rest = y.sum(), rest.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.log((y + alpha) / (n + alpha0 - y - alpha)) - np.log(
                (rest + alpha) / (n_rest + alpha0 - rest - alpha)
            )
            se = np.sqrt(1.0 / (y + alpha) + 1.0 / (rest + alpha))
        # with a one-word vocabulary the odds have a zero denominator: no contrast to report
        used = np.flatnonzero((y > 0) & np.isfinite(delta))
        out.append(
            {
                terms[i]: {"log_odds": float(delta[i]), "se": float(se[i]), "z": float(delta[i] / se[i])}
                for i in used
            }
        )
    return out


def _tfidf(count: Counter[str], df: Counter[str], n_texts: int) -> dict[str, float]:
    total = sum(count.values())
    return {t: c / total * (np.log((1 + n_texts) / (1 + df[t])) + 1.0) for t, c in count.items()}


def _textrank(corpus: Corpus) -> list[dict[str, float]]:
    from scipy import sparse

    out: list[dict[str, float]] = []
    for group in range(corpus.n_groups):
        index: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for words, code in zip(corpus.words, corpus.codes.tolist(), strict=True):
            if code != group or not words:
                continue
            ids = [index.setdefault(w, len(index)) for w in words]
            for i, a in enumerate(ids):
                for b in ids[i + 1 : i + _WINDOW]:
                    if a != b:
                        rows += [a, b]
                        cols += [b, a]
        size = len(index)
        if size == 0:
            out.append({})
            continue
        graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
        degree = np.asarray(graph.sum(axis=1)).ravel()
        walk = sparse.diags(np.divide(1.0, degree, out=np.zeros(size), where=degree > 0)) @ graph
        score = np.full(size, 1.0 / size)
        for _ in range(200):
            updated = (1 - _DAMPING) / size + _DAMPING * (walk.T @ score)
            updated += _DAMPING * score[degree == 0].sum() / size  # isolated words spread evenly
            done = np.abs(updated - score).sum() < 1e-10
            score = updated
            if done:
                break
        terms = list(index)
        out.append({terms[i]: float(score[i] / score.sum()) for i in range(size)})
    return out
