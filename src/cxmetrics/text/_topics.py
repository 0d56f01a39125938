"""Topics discovered in the comments: :func:`topics` fits a :class:`TopicModel`."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._frame import take_rows, to_native, with_arrays
from cxmetrics._stats import proportion_interval
from cxmetrics.errors import ColumnClashError, CXMetricsError, DesignError, ValueRangeError
from cxmetrics.text import _nmf
from cxmetrics.text._aspects import DEFAULT_ASPECTS
from cxmetrics.text._corpus import Corpus, read_corpus
from cxmetrics.text._features import DEGREES, NEGATORS
from cxmetrics.text._input import read_grouped_texts, same_texts
from cxmetrics.text._keywords import resolve_stopwords
from cxmetrics.text._normalize import normalize_one
from cxmetrics.text._tokenize import default_stopwords as function_words
from cxmetrics.text._tokenize import word_list

__all__ = ["TopicModel", "topics"]

#: Comments the number of topics is chosen on (a seeded random subsample of longer corpora).
SELECTION_ROWS = 3000
#: Subsample fits per candidate k in the stability criterion.
STABILITY_RUNS = 4
#: k whose stability is this close to the best count as equally stable.
STABILITY_TIE = 0.005
# Negators and degree words carry sentiment (so the tokenizer keeps them) but no subject.
_NOT_TOPICAL = NEGATORS | DEGREES


#: The columns of :meth:`TopicModel.shares` and :meth:`TopicModel.summary` beside the groups.
SHARE_COLUMNS = frozenset({"topic", "n", "n_comments", "share", "ci_low", "ci_high"})
SUMMARY_COLUMNS = SHARE_COLUMNS | {"label", "top_terms", "example", "aspect"}


def _check_seed(seed: Any) -> np.random.Generator:
    _checks.seed(seed)
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    return int(_checks.whole(value, name, low=minimum))


def _topic_words(corpus: Corpus) -> list[list[str] | None]:
    return [None if w is None else [t for t in w if t not in _NOT_TOPICAL] for w in corpus.words]


@dataclasses.dataclass(frozen=True)
class _Training:
    """What the model was fitted on, kept for its summaries."""

    words: list[list[str] | None]
    texts: list[Any]
    codes: np.ndarray
    keys: Any
    n_groups: int
    backend: Any


@dataclasses.dataclass(frozen=True)
class TopicModel:
    """Topics fitted by :func:`topics`: assign them to comments, edit them, summarise them.

    Editing methods (:meth:`merge`, :meth:`rename`, :meth:`add_words`, :meth:`pin`) return a new
    model; the fitted one is never changed.

    Attributes
    ----------
    names : list of str
        Topic names (their top three terms joined by "·" until renamed), most common first.
    k : int
        Number of topics.
    k_selection : dict of int to float
        With ``k=None``: the stability of each candidate number of topics (empty otherwise).
    """

    names: list[str]
    terms_: list[str]
    idf: np.ndarray
    h: np.ndarray  # fitted topic vectors (components), unit rows
    components: list[tuple[int, ...]]  # the rows of h each topic is made of
    seed_words: dict[str, tuple[str, ...]]
    aspects: dict[str, str]
    min_weight: float
    confidence: float
    k_selection: dict[int, float]
    user_dict: Any
    stopwords: Any
    training: _Training

    @property
    def k(self) -> int:
        return len(self.names)

    # --- scoring -------------------------------------------------------------------------
    def _vocabulary(self) -> _nmf.Vocabulary:
        return _nmf.Vocabulary(self.terms_, self.idf)

    def _score(self, words: list[list[str] | None], texts: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Topic weights W (comments × topics) and the 0/1 membership."""
        x = _nmf.tfidf_matrix(words, self._vocabulary())
        parts = _nmf.transform(x, self.h)
        w = np.column_stack([parts[:, list(c)].sum(axis=1) for c in self.components])
        member = np.column_stack([(parts[:, list(c)] >= self.min_weight).any(axis=1)
                                  for c in self.components])
        for j, name in enumerate(self.names):
            seeds = set(self.seed_words.get(name, ()))
            if seeds:
                member[:, j] |= [bool(doc) and not seeds.isdisjoint(doc or ()) for doc in words]
            aspect = self.aspects.get(name)
            if aspect is not None:
                pattern = re.compile("|".join(map(re.escape, sorted(DEFAULT_ASPECTS[aspect].terms, key=len,
                                                                   reverse=True))))
                member[:, j] |= [isinstance(t, str) and bool(pattern.search(_clean(t))) for t in texts]
        missing = np.array([doc is None for doc in words], dtype=bool)
        member[missing] = False
        return w, member

    def _read(self, data: Any, text: str, by: str | Sequence[str] | None,
              function: str) -> tuple[Corpus, list[list[str] | None]]:
        """The comments of ``data`` and their words (those of the fitting data are not cut again)."""
        grouped = read_grouped_texts(data, text, by, function=function)
        _checks.no_clash(grouped.groups, SHARE_COLUMNS, function=f"TopicModel.{function}")
        if same_texts(grouped.source.values, self.training.texts):
            corpus = Corpus(self.training.words, grouped.codes, grouped.keys, grouped.n_groups,
                            grouped.source)
            return corpus, self.training.words
        corpus = read_corpus(data, text=text, by=by, function=function, user_dict=self.user_dict,
                             stopwords=self.stopwords, min_length=2)
        return corpus, _topic_words(corpus)

    # --- results -------------------------------------------------------------------------
    def assign(self, data: Any, *, text: str, form: str = "wide") -> Any:
        """The topics of each comment of ``data``.

        Parameters
        ----------
        data : DataFrame
            Comments to tag (the fitting data or new ones), pandas, polars or pyarrow; a lazy
            frame is collected (scoring needs every comment's words) and comes back eager.
        text : str
            Text column.
        form : {"wide", "long"}
            ``"wide"``: ``data`` with one boolean column per topic (named by the topic) and
            ``topic``, the comment's main topic (highest weight; null when it has none).
            ``"long"``: one row per (comment, topic it has): ``row`` (0-based position in
            ``data``), ``topic``, ``weight``.

        Returns
        -------
        DataFrame of the same library as ``data``. A comment has a topic when its weight
        (the length of the topic's part of the comment's unit-length TF-IDF vector) is at least
        ``min_weight``, when it contains one of the topic's seed words (:meth:`add_words`), or
        when it mentions a term of the aspect the topic is pinned to (:meth:`pin`). Missing
        comments have no topic; so do empty ones and those with no word of the vocabulary.
        With ``form="wide"``, a column of ``data`` named like a topic or ``topic`` raises
        :class:`~cxmetrics.errors.ColumnClashError` (rename the column, or the topic).
        """
        _checks.option(form, ("wide", "long"), "form")
        corpus, words = self._read(data, text, None, "assign")
        if form == "wide":
            clash = [c for c in corpus.source.frame.columns if c in {*self.names, "topic"}]
            if clash:
                raise ColumnClashError(
                    f"column(s) {clash} of data have the name of a column assign adds (the topic "
                    f"names and 'topic'); rename the column, or the topics with rename()")
        w, member = self._score(words, corpus.source.values)
        if form == "long":
            rows, cols = np.nonzero(member)
            columns: dict[str, Any] = {"row": rows.astype(np.int64), "topic": [self.names[j] for j in cols],
                                       "weight": w[rows, cols]}
            return to_native(with_arrays(None, columns, corpus.backend))
        masked = np.where(member, w + 1.0, 0.0)  # rule-assigned topics rank after weighted ones
        main = [self.names[int(np.argmax(r))] if r.any() else None for r in masked]
        added = {name: member[:, j].tolist() for j, name in enumerate(self.names)}
        added["topic"] = main
        dtypes = {name: nw.Boolean() for name in self.names} | {"topic": nw.String()}
        return corpus.source.with_columns(added, dtypes)

    def shares(self, data: Any, *, text: str, by: str | Sequence[str] | None = None) -> Any:
        """Share of comments with each topic, per group of ``data`` (a period column gives a trend).

        Returns
        -------
        DataFrame: ``by`` columns, ``topic``, ``n`` (comments with the topic), ``n_comments``
        (non-missing comments of the group; empty ones count), ``share`` (n / n_comments),
        ``ci_low``, ``ci_high`` (Wilson 1927 interval at the model's ``confidence``). Null keys
        are one group, sorted last; a ``by`` column named like a result column raises
        :class:`~cxmetrics.errors.ColumnClashError`.
        """
        corpus, words = self._read(data, text, by, "shares")
        _, member = self._score(words, corpus.source.values)
        present = np.array([doc is not None for doc in words], dtype=bool)
        return to_native(self._share_table(member, present, corpus.codes, corpus.keys, corpus.n_groups,
                                           corpus.backend, extra=False))

    def _share_table(self, member: np.ndarray, present: np.ndarray, codes: np.ndarray, keys: Any,
                     n_groups: int, backend: Any, extra: bool) -> Any:
        k = self.k
        counts = np.zeros((n_groups, k))
        np.add.at(counts, codes, member.astype(float))
        totals = np.bincount(codes, weights=present.astype(float), minlength=n_groups)
        n = counts.ravel()
        nobs = np.repeat(totals, k)
        low, high = proportion_interval(n, nobs, method="wilson", confidence=self.confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(nobs > 0, n / np.where(nobs > 0, nobs, 1.0), np.nan)
        columns: dict[str, Any] = {"topic": self.names * n_groups}
        if extra:
            columns["label"] = [self.label(name) for name in self.names] * n_groups
            columns["top_terms"] = [self._term_string(j) for j in range(k)] * n_groups
        columns |= {"n": n.astype(np.int64), "n_comments": nobs.astype(np.int64), "share": share,
                    "ci_low": low, "ci_high": high}
        group_keys = None if keys is None else take_rows(keys, np.repeat(np.arange(n_groups), k))
        return with_arrays(group_keys, columns, backend)

    def label(self, topic: str) -> str:
        """The topic's top three terms joined by "·" (its readable label)."""
        j = self._position(topic)
        return "·".join(self._top(j, 3)[0])

    def _top(self, j: int, top: int) -> tuple[list[str], np.ndarray]:
        row = self.h[list(self.components[j])].sum(axis=0)
        row = row / max(float(np.linalg.norm(row)), 1e-12)
        order = np.lexsort((np.arange(len(row)), -row))[:top]
        order = order[row[order] > 0]
        return [self.terms_[i] for i in order], row[order]

    def _term_string(self, j: int, top: int = 5) -> str:
        names, weights = self._top(j, top)
        return ", ".join(f"{t} {v:.2f}" for t, v in zip(names, weights, strict=True))

    def _position(self, topic: str) -> int:
        if topic not in self.names:
            raise CXMetricsError(f"topic {topic!r} is not one of {self.names}")
        return self.names.index(topic)

    def summary(self) -> Any:
        """One row per topic (per group and topic when fitted with ``by=``) on the fitting data.

        Returns
        -------
        DataFrame of the fitting data's library: ``by`` columns, ``topic``, ``label`` (top three
        terms), ``top_terms`` (the five heaviest terms with their weights in the topic's
        unit-length term vector), ``n``, ``n_comments``, ``share``, ``ci_low``, ``ci_high``
        (Wilson interval), ``example`` (the fitting comment with the highest weight on the topic),
        ``aspect`` (the aspect it is pinned to, or null).
        """
        train = self.training
        w, member = self._score(train.words, train.texts)
        present = np.array([doc is not None for doc in train.words], dtype=bool)
        table = self._share_table(member, present, train.codes, train.keys, train.n_groups, train.backend,
                                  extra=True)
        example = [self._examples(w, member, j, 1) for j in range(self.k)]
        best = [str(train.texts[e[0][0]]) if e else None for e in example]
        table = table.with_columns(
            nw.new_series("example", best * train.n_groups, nw.String(), backend=train.backend),
            nw.new_series("aspect", [self.aspects.get(n) for n in self.names] * train.n_groups, nw.String(),
                          backend=train.backend),
        )
        return to_native(table)

    def _examples(self, w: np.ndarray, member: np.ndarray, j: int, n: int) -> list[tuple[int, float]]:
        rows = np.flatnonzero(member[:, j])
        order = rows[np.lexsort((rows, -w[rows, j]))][:n]
        return [(int(i), float(w[i, j])) for i in order]

    def terms(self, *, n: int = 10) -> Any:
        """The ``n`` heaviest terms of each topic.

        Parameters
        ----------
        n : int
            Terms kept per topic (a whole number >= 1).

        Returns
        -------
        DataFrame: ``topic``, ``term``, ``weight`` (in the topic's unit-length term vector),
        ``rank`` (1 = heaviest; ties broken by the term's position in the sorted vocabulary).
        """
        n = _positive_int(n, "n")
        cols: dict[str, list[Any]] = {"topic": [], "term": [], "weight": [], "rank": []}
        for j, name in enumerate(self.names):
            names, weights = self._top(j, n)
            cols["topic"] += [name] * len(names)
            cols["term"] += names
            cols["weight"] += weights.tolist()
            cols["rank"] += list(range(1, len(names) + 1))
        cols["rank"] = np.asarray(cols["rank"], dtype=np.int64)  # type: ignore[assignment]
        return to_native(with_arrays(None, cols, self.training.backend))

    def examples(self, *, n: int = 3) -> Any:
        """The ``n`` most representative fitting comments of each topic (highest weight first).

        Returns
        -------
        DataFrame: ``topic``, ``rank``, ``text`` (the comment as given), ``weight``, ``row``
        (its position in the fitting data).
        """
        n = _positive_int(n, "n")
        train = self.training
        w, member = self._score(train.words, train.texts)
        cols: dict[str, list[Any]] = {"topic": [], "rank": [], "text": [], "weight": [], "row": []}
        for j, name in enumerate(self.names):
            for rank, (row, weight) in enumerate(self._examples(w, member, j, n), start=1):
                cols["topic"].append(name)
                cols["rank"].append(rank)
                cols["text"].append(str(train.texts[row]))
                cols["weight"].append(weight)
                cols["row"].append(row)
        arrays = {k: (np.asarray(v, dtype=np.int64) if k in ("rank", "row") else v) for k, v in cols.items()}
        return to_native(with_arrays(None, arrays, train.backend))

    # --- editing -------------------------------------------------------------------------
    def rename(self, names: Mapping[str, str]) -> TopicModel:
        """A model with topics renamed (``{"配送·骑手·小时": "delivery"}``)."""
        if not isinstance(names, Mapping) or not all(isinstance(v, str) for v in names.values()):
            raise ValueRangeError(f"names must map topic names to new names (str), got {names!r}")
        for old in names:
            self._position(old)
        new = [str(names.get(n, n)) for n in self.names]
        if len(set(new)) != len(new):
            raise CXMetricsError(f"topic names must stay distinct, got {new}")
        moved = {names.get(k, k): v for k, v in self.seed_words.items()}
        pinned = {names.get(k, k): v for k, v in self.aspects.items()}
        return dataclasses.replace(self, names=new, seed_words=moved, aspects=pinned)

    def merge(self, topics: Sequence[str], *, name: str | None = None) -> TopicModel:
        """A model where ``topics`` are one topic: a comment has it when it has any of them, its
        weight is the sum of theirs, its terms are their term vectors added (and rescaled), and
        seed words and pinned aspects are pooled. It takes the place of the first of them and is
        called ``name`` (default: the names joined by "+")."""
        if not isinstance(topics, (list, tuple)) or len(topics) < 2:
            raise ValueRangeError(f"merge needs a list of at least two topic names, got {topics!r}")
        if name is not None and not isinstance(name, str):
            raise ValueRangeError(f"name must be a str, got {name!r}")
        positions = [self._position(t) for t in topics]
        if len(set(positions)) != len(positions):
            raise CXMetricsError(f"topics to merge are repeated: {list(topics)}")
        joined = name if name is not None else "+".join(topics)
        keep = [j for j in range(self.k) if j not in positions[1:]]
        pooled_rows = tuple(r for j in positions for r in self.components[j])
        components = [pooled_rows if j == positions[0] else self.components[j] for j in keep]
        names = [joined if j == positions[0] else self.names[j] for j in keep]
        if len(set(names)) != len(names):
            raise CXMetricsError(f"topic name {joined!r} is already taken")
        seeds = {k: v for k, v in self.seed_words.items() if k not in topics}
        pooled = tuple(dict.fromkeys(w for t in topics for w in self.seed_words.get(t, ())))
        if pooled:
            seeds[joined] = pooled
        aspects = {k: v for k, v in self.aspects.items() if k not in topics}
        first_aspect = next((self.aspects[t] for t in topics if t in self.aspects), None)
        if first_aspect is not None:
            aspects[joined] = first_aspect
        return dataclasses.replace(self, names=names, components=components, seed_words=seeds,
                                   aspects=aspects)

    def add_words(self, topic: str, words: Iterable[str]) -> TopicModel:
        """A model where every comment containing one of ``words`` (as a jieba word) has
        ``topic``, and words of the vocabulary join the topic's terms at its top weight."""
        j = self._position(topic)
        listed = [words] if isinstance(words, str) else word_list(words, "words", paths=False)
        given = [w.strip().lower() for w in listed]
        given = [w for w in given if w]
        if not given:
            raise CXMetricsError("add_words needs at least one non-empty word")
        h = self.h.copy()
        index = {t: i for i, t in enumerate(self.terms_)}
        row = self.components[j][0]  # the words join the topic's first component
        top = float(h[row].max())
        for word in given:
            if word in index:
                h[row, index[word]] = max(h[row, index[word]], top)
        h[row] = h[row] / max(float(np.linalg.norm(h[row])), 1e-12)
        seeds = dict(self.seed_words)
        seeds[topic] = tuple(dict.fromkeys([*seeds.get(topic, ()), *given]))
        return dataclasses.replace(self, h=h, seed_words=seeds)

    def pin(self, topic: str, aspect: str) -> TopicModel:
        """A model where ``topic`` stands for an aspect of the library's lexicon
        (:data:`~cxmetrics.text.DEFAULT_ASPECTS`, e.g. ``"delivery"``): every comment mentioning
        one of the aspect's terms has the topic, as :func:`aspect_sentiment` would find it."""
        self._position(topic)
        if aspect not in DEFAULT_ASPECTS:
            raise CXMetricsError(f"aspect {aspect!r} is not one of {sorted(DEFAULT_ASPECTS)}")
        return dataclasses.replace(self, aspects={**self.aspects, topic: aspect})


def _clean(text: str) -> str:
    return normalize_one(text, to="simplified", width=True, strip_urls=True, emoji="keep", lower=True)


def topics(
    data: Any,
    *,
    text: str,
    k: int | None = None,
    by: str | Sequence[str] | None = None,
    seed: int | np.random.Generator = 0,
    k_range: Sequence[int] = range(2, 13),
    min_df: int = 3,
    max_df: float = 0.5,
    max_terms: int = 2000,
    min_weight: float = 0.1,
    confidence: float = 0.95,
    user_dict: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = "default",
    replace_stopwords: bool = False,
) -> TopicModel:
    """Topics discovered in the comments, by non-negative matrix factorisation of TF-IDF.

    1. Words as :func:`keywords` counts them (normalised, cut by jieba, stop words, punctuation
       and single characters removed), without negators and degree words (不, 很, 太), which
       carry sentiment but no subject.
    2. Terms in at least ``min_df`` comments and at most a ``max_df`` share of them (the
       ``max_terms`` most common), then only *topical* terms: those whose mean NPMI with their
       three most associated terms is at least 0.15 (Bouma 2009). Words spread through comments
       at chance (今天, 外卖) would otherwise take whole topics.
    3. TF-IDF rows (sublinear tf, smoothed idf, unit length) factorised as X ≈ W H by HALS from
       an NNDSVDa start (Cichocki & Phan 2009; Boutsidis & Gallopoulos 2008), so a given k
       gives the same topics whatever the seed.
    4. ``k=None``: for each k of ``k_range`` the stability of Greene, O'Callaghan & Cunningham
       (2014), the mean Hungarian-matched cosine similarity between the topics fitted on all
       comments and on four random 80% subsamples (fits of at most 100 sweeps); the most
       stable k is chosen; among those within 0.005 of the best, the one whose topics are most
       coherent (mean NPMI of each topic's five top terms over the comments: Lau, Newman &
       Baldwin 2014). It is computed on a seeded random subsample of 3,000 comments with terms.

    Topics are ordered by their share of comments, most common first.

    Parameters
    ----------
    data : DataFrame
        One row per comment (pandas, polars or pyarrow; lazy frames are collected).
    text : str
        Text column. Missing comments are left out of shares; empty ones count and have no topic.
    k : int, optional
        Number of topics; None chooses it by stability over ``k_range``.
    by : str or list of str, optional
        Groups for the shares of :meth:`TopicModel.summary` (topics are fitted on all comments).
    seed : int or numpy Generator
        Seeds the subsamples of the choice of k (the fit itself starts from the data's SVD):
        same seed, same topics.
    k_range : sequence of int
        Candidates for ``k=None`` (each at least 2).
    min_df, max_df, max_terms : int, float, int
        Vocabulary limits (comments containing the term; share of comments; number of terms).
    min_weight : float
        Weight from which a comment has a topic (in (0, 1]; the comment's TF-IDF vector has
        length 1; the default 0.1 tags a topic a comment mentions alongside several others).
    confidence : float
        Level of the share intervals.
    user_dict : list of words or path, optional
        Words jieba must keep whole (see :func:`tokenize`).
    stopwords : "default", None, an iterable of words, or a path (one word per line)
        Words to leave out **in addition to** the bundled function words, as in
        :func:`tokenize` (``"default"`` and None add none).
    replace_stopwords : bool
        Use ``stopwords`` instead of the bundled list (``stopwords=None`` then drops no word).

    Returns
    -------
    TopicModel
        Fitted topics: :meth:`~TopicModel.summary`, :meth:`~TopicModel.terms`,
        :meth:`~TopicModel.examples`, :meth:`~TopicModel.assign`, :meth:`~TopicModel.shares`,
        and the editing methods.

    Raises
    ------
    DesignError
        No term is topical (too few comments, or none sharing words), or fewer comments with
        terms than topics.

    Notes
    -----
    Edge inputs: empty data, one comment, or comments sharing too few words raise
    :class:`~cxmetrics.errors.DesignError` naming the text column. Missing and non-string
    comments have no topic and are left out of shares. Null group keys are one group of their
    own, sorted last, on every backend. A text column (or Series) whose type is numeric, boolean
    or a date, or whose values are all non-strings, holds no text:
    :class:`~cxmetrics.errors.ColumnTypeError` naming it. A ``by`` column named like a summary
    column (``topic``, ``n``, ``share`` ...) raises :class:`~cxmetrics.errors.ColumnClashError`.
    ``seed`` is None, an int >= 0 or a numpy Generator; ``k``, ``min_df``, ``max_terms`` whole
    numbers; ``max_df``, ``min_weight`` numbers in (0, 1]; ``confidence`` in (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import topics
    >>> comments = ["骑手迟到一个小时", "配送超时，骑手还没到", "小时才送达，配送太慢",
    ...             "味道不错，口感很好", "口感一般，味道偏咸", "味道很好，口感新鲜"] * 5
    >>> model = topics(pd.DataFrame({"comment": comments}), text="comment", k=2)
    >>> model.summary()[["topic", "n", "share"]]
          topic   n  share
    0     口感·味道  15    0.5
    1  小时·骑手·配送  15    0.5
    """
    rng = _check_seed(seed)
    if k is not None:
        k = _positive_int(k, "k")
    if isinstance(k_range, (str, bytes)) or not isinstance(k_range, Iterable):
        raise ValueRangeError(f"k_range must be a sequence of whole numbers (each >= 2), got {k_range!r}")
    candidates = [_positive_int(c, "k_range values", 2) for c in k_range]
    if k is None and not candidates:
        raise ValueRangeError("k_range must hold at least one candidate number of topics")
    min_df = _positive_int(min_df, "min_df")
    max_terms = _positive_int(max_terms, "max_terms")
    max_df = _checks.number(max_df, "max_df", low=0.0, high=1.0, low_open=True)
    min_weight = _checks.number(min_weight, "min_weight", low=0.0, high=1.0, low_open=True)
    confidence = _checks.confidence(confidence)
    groups = _frame.as_list(by)
    _checks.no_clash(groups, SUMMARY_COLUMNS, function="topics (in TopicModel.summary)")
    stopwords = resolve_stopwords(stopwords, replace_stopwords, function_words())
    corpus = read_corpus(data, text=text, by=by, function="topics", user_dict=user_dict, stopwords=stopwords,
                         min_length=2)
    words = _topic_words(corpus)
    first = _nmf.build_vocabulary(words, min_df=min_df, max_df=max_df, max_terms=max_terms)
    keep = _nmf.topical_terms(_nmf.tfidf_matrix(words, first)) if first.terms else np.zeros(0, dtype=int)
    if len(keep) == 0:
        raise DesignError(
            f"topics found no topical terms in column {text!r}: no words appear in at least min_df={min_df} "
            f"comments together with associated words; give more comments or lower min_df")
    vocabulary = _nmf.Vocabulary([first.terms[i] for i in keep], first.idf[keep])
    x = _nmf.tfidf_matrix(words, vocabulary)
    rows = np.flatnonzero(np.diff(x.indptr) > 0)
    selection: dict[int, float] = {}
    if k is None:
        sample = (rows if len(rows) <= SELECTION_ROWS
                  else np.sort(rng.choice(rows, SELECTION_ROWS, replace=False)))
        usable = [c for c in candidates if c < min(len(sample), len(vocabulary.terms))]
        if not usable:
            raise DesignError(f"{len(sample)} comments with terms and {len(vocabulary.terms)} terms are too "
                              f"few for any k in k_range={list(candidates)}")
        sub = x[sample]
        selection = {c: _nmf.stability(sub, c, rng, STABILITY_RUNS) for c in usable}
        best = max(selection.values())
        near = [c for c, s in selection.items() if s >= best - STABILITY_TIE]
        # among equally stable k, the one whose topics' top terms hang together best
        fits = {c: float(_nmf.coherence(sub, _nmf.nmf(sub, c).h, top=5).mean()) for c in near}
        k = max(near, key=lambda c: (fits[c], c))
    if k > min(len(rows), len(vocabulary.terms)):
        raise DesignError(f"k={k} topics need at least as many comments with terms ({len(rows)}) and terms "
                          f"({len(vocabulary.terms)})")
    fit = _nmf.nmf(x[rows], k)
    h = fit.h
    w = _nmf.transform(x, h)
    order = np.lexsort((np.arange(k), -(w >= min_weight).sum(axis=0)))
    h = h[order]
    training = _Training(words, list(corpus.source.values), corpus.codes, corpus.keys, corpus.n_groups,
                         corpus.backend)
    model = TopicModel([f"t{j}" for j in range(k)], vocabulary.terms, vocabulary.idf, h,
                       [(j,) for j in range(k)], {}, {},
                       float(min_weight), float(confidence), selection, user_dict, stopwords, training)
    labels = [model.label(n) for n in model.names]
    names = [lab if labels.count(lab) == 1 else f"{lab} ({j + 1})" for j, lab in enumerate(labels)]
    return dataclasses.replace(model, names=names)
