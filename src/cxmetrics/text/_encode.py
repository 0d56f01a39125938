"""Fast feature counting for scoring: the counts of :func:`~cxmetrics.text._features.features`
without building a string per character n-gram.

Most features are character 1–3-grams and short words. A string of at most three characters is
coded exactly as one integer, its code points in 21-bit fields (``c0 << 42 | c1 << 21 | c2``;
code points are below 2**21 and never 0 in text, so lengths cannot collide). The batch becomes
one numpy array of code points, every n-gram's code is computed with shifts, and the vocabulary
is searched with ``np.searchsorted`` (once per distinct code of the batch, in sorted order, which
keeps the walk through the table in cache). A word bigram is found by the pair of its words' ids,
so only marked words (``¬``, ``↑``) and words longer than three characters go through the
dictionary. A dict lookup costs ~0.35 µs here (the 380k-entry table does not fit in cache); this
path is about ten times faster than looking up every string.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from cxmetrics.text._features import NEGATOR, dropped_bigrams, marks

__all__ = ["FeatureEncoder"]

_BITS = 21
_MAX_CODED = 3


def _lookup(table: np.ndarray, table_ids: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The ids of codes in a sorted code table, −1 where absent."""
    if not len(table) or not len(codes):
        return np.full(len(codes), -1, dtype=np.int64)
    # searching the sorted distinct codes walks the table in order: cache-friendly, and a
    # batch's common n-grams are searched once
    distinct, inverse = np.unique(codes, return_inverse=True)
    pos = np.minimum(np.searchsorted(table, distinct), len(table) - 1)
    return np.where(table[pos] == distinct, table_ids[pos], -1)[inverse]


def _code(term: str) -> int:
    value = 0
    for ch in term:
        value = (value << _BITS) | ord(ch)
    return value


class FeatureEncoder:
    """Maps the cleaned words of a batch of texts to (vocabulary id, sign, text) triples."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.size = len(vocabulary)
        # Word bigrams are found by the pair of their words' ids. A word of a bigram that is not
        # a feature itself gets an id past the vocabulary, used only to find the bigram.
        pairs = [(t.split(" "), i) for t, i in vocabulary.items() if " " in t]
        self.terms = dict(vocabulary)
        for parts, _ in pairs:
            for part in parts:
                self.terms.setdefault(part, len(self.terms))
        coded = sorted((_code(t), i) for t, i in self.terms.items() if len(t) <= _MAX_CODED and " " not in t)
        self.codes = np.array([c for c, _ in coded], dtype=np.int64)
        self.code_ids = np.array([i for _, i in coded], dtype=np.int64)
        width = len(self.terms)
        paired = sorted((self.terms[a] * width + self.terms[b], i) for (a, b), i in pairs)
        self.pair_codes = np.array([c for c, _ in paired], dtype=np.int64)
        self.pair_ids = np.array([i for _, i in paired], dtype=np.int64)

    def encode(self, batch: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Known feature occurrences of each text's cleaned words: ids, signs (±1), text index."""
        n = len(batch)
        word_counts = np.zeros(n, dtype=np.int64)
        all_words: list[str] = []
        negated_words: list[int] = []  # global word indexes counted −1
        role_words: list[tuple[int, int]] = []  # global word indexes and their negation role
        dropped_pairs: list[int] = []  # global index of a pair's second word: bigrams not counted
        marked: list[str] = []  # the tagged words (¬, ↑)
        marked_doc: list[int] = []
        for d, words in enumerate(batch):
            first = len(all_words)
            all_words += words
            word_counts[d] = len(words)
            shifted, roles = marks(words)
            if not roles and not shifted:
                continue
            role_words += [(first + k, r) for k, r in roles.items()]
            dropped_pairs += [first + k for k in dropped_bigrams(roles)]
            for k, tag in shifted:
                marked.append(tag + words[k])
                if tag == "¬":
                    negated_words.append(first + k)
            marked_doc += [d] * len(shifted)

        word_lengths = np.fromiter(map(len, all_words), dtype=np.int64, count=len(all_words))
        word_sign = np.ones(len(all_words))
        word_sign[negated_words] = -1.0
        word_doc = np.repeat(np.arange(n), word_counts)
        text_lengths = np.bincount(word_doc, word_lengths, minlength=n).astype(np.int64)

        points = np.frombuffer("".join(all_words).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        total = len(points)
        word_start = np.cumsum(word_lengths) - word_lengths
        # a negated word's characters: the position where that word ends, −1 elsewhere
        inside_end = np.full(total + _MAX_CODED, -1, dtype=np.int64)
        for k in negated_words:
            inside_end[word_start[k] : word_start[k] + word_lengths[k]] = word_start[k] + word_lengths[k]
        # characters of negators, and of the words they negate or the 都/也 fronting them: an
        # n-gram holding both kinds is dropped
        negator_chars = np.zeros(total + 1, dtype=np.int64)
        negated_chars = np.zeros(total + 1, dtype=np.int64)
        for k, r in role_words:
            chars = negator_chars if r == NEGATOR else negated_chars
            chars[word_start[k] + 1 : word_start[k] + word_lengths[k] + 1] = 1
        negator_before = np.cumsum(negator_chars)
        negated_before = np.cumsum(negated_chars)
        text_end = np.repeat(np.cumsum(text_lengths), text_lengths)
        text_of = np.repeat(np.arange(n), text_lengths)
        padded = np.concatenate([points, np.zeros(_MAX_CODED, dtype=np.int64)])
        positions = np.arange(total)

        ids, signs, docs = [], [], []
        code = np.zeros(total, dtype=np.int64)
        for size in range(1, _MAX_CODED + 1):
            code = (code << _BITS) | padded[size - 1 : size - 1 + total]
            valid = positions + size <= text_end
            at = positions[valid]
            straddles = (negator_before[at + size] > negator_before[at]) & (
                negated_before[at + size] > negated_before[at]
            )
            valid[valid] = ~straddles
            ids.append(_lookup(self.codes, self.code_ids, code[valid]))
            signs.append(np.where(inside_end[:total][valid] >= positions[valid] + size, -1.0, 1.0))
            docs.append(text_of[valid])

        word_ids = self._word_ids(all_words, word_start, word_lengths, padded)
        ids.append(word_ids)
        signs.append(word_sign)
        docs.append(word_doc)

        # bigrams: each word with the next one of the same text, both known, not dropped
        second = np.flatnonzero(word_doc[1:] == word_doc[:-1]) + 1
        second = second[(word_ids[second - 1] >= 0) & (word_ids[second] >= 0)]
        if dropped_pairs:
            second = second[~np.isin(second, dropped_pairs)]
        pair_code = word_ids[second - 1] * len(self.terms) + word_ids[second]
        ids.append(_lookup(self.pair_codes, self.pair_ids, pair_code))
        signs.append(np.ones(len(second)))
        docs.append(word_doc[second])

        get = self.vocabulary.get
        ids.append(np.fromiter(map(get, marked, repeat(-1)), dtype=np.int64, count=len(marked)))
        signs.append(np.ones(len(marked)))
        docs.append(np.asarray(marked_doc, dtype=np.int64))

        all_ids = np.concatenate(ids)
        known = (all_ids >= 0) & (all_ids < self.size)
        return all_ids[known], np.concatenate(signs)[known], np.concatenate(docs)[known]

    def _word_ids(
        self, words: list[str], starts: np.ndarray, lengths: np.ndarray, padded: np.ndarray
    ) -> np.ndarray:
        """Term ids of words (vocabulary ids, or ids past it for bigram parts; −1 if neither):
        short words by their code, longer ones by the dictionary."""
        out = np.full(len(words), -1, dtype=np.int64)
        short = lengths <= _MAX_CODED
        starts, short_lengths = starts[short], lengths[short]
        last = len(padded) - _MAX_CODED
        word_code = np.zeros(len(starts), dtype=np.int64)
        for j in range(_MAX_CODED):
            extended = (word_code << _BITS) | padded[np.minimum(starts + j, last)]
            word_code = np.where(short_lengths > j, extended, word_code)
        out[short] = _lookup(self.codes, self.code_ids, word_code)
        get = self.terms.get
        long_words = np.flatnonzero(~short)
        out[long_words] = np.fromiter(
            (get(words[k], -1) for k in long_words.tolist()), dtype=np.int64, count=len(long_words)
        )
        return out
