"""The shipped sentiment model: two linear scorers over the same features, averaged in logit
space and calibrated by a Platt transform.

Scorer one is logistic regression on sublinear TF-IDF (``1 + ln tf`` times ``ln((1+n)/(1+df)) + 1``,
L2-normalised per text). Scorer two is NB-weighted logistic regression (Wang & Manning 2012,
"Baselines and bigrams", ACL): binary presence scaled by the naive-Bayes log-count ratio ``r``,
L2-normalised. ``P(positive) = 1 / (1 + exp(-(a (z1 + z2) + c)))`` with ``a, c`` fitted on a
calibration split the scorers never saw (Platt 1999). ``scripts/sentiment_model.py`` trains it
and checks this code against the training library's own predictions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from itertools import chain, repeat
from typing import Any

import numpy as np

from cxmetrics._process import ForkSafeLock
from cxmetrics.errors import CXMetricsError
from cxmetrics.text._encode import FeatureEncoder
from cxmetrics.text._features import FEATURE_VERSION, Features

__all__ = ["MODEL_FILE", "SentimentModel", "shipped_model"]

MODEL_FILE = "data/sentiment_model.npz"
_lock = ForkSafeLock()
_loaded: SentimentModel | None = None


@dataclass(frozen=True)
class SentimentModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    tfidf_weights: np.ndarray
    nb_ratio: np.ndarray
    nb_weights: np.ndarray
    intercepts: tuple[float, float]
    calibration: tuple[float, float]
    meta: dict[str, Any]

    @classmethod
    def from_arrays(cls, arrays: Any) -> SentimentModel:
        meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        if meta["feature_version"] != FEATURE_VERSION:
            raise CXMetricsError(
                f"sentiment weights were trained on features v{meta['feature_version']}, "
                f"this cxmetrics computes v{FEATURE_VERSION}; retrain with scripts/sentiment_model.py"
            )
        terms = bytes(arrays["vocabulary"]).decode("utf-8").split("\n")
        return cls(
            vocabulary={term: i for i, term in enumerate(terms)},
            idf=arrays["idf"].astype(np.float64),
            tfidf_weights=arrays["tfidf_weights"].astype(np.float64),
            nb_ratio=arrays["nb_ratio"].astype(np.float64),
            nb_weights=arrays["nb_weights"].astype(np.float64),
            intercepts=(float(meta["intercepts"][0]), float(meta["intercepts"][1])),
            calibration=(float(meta["calibration"][0]), float(meta["calibration"][1])),
            meta=meta,
        )

    @cached_property
    def encoder(self) -> FeatureEncoder:
        return FeatureEncoder(self.vocabulary)

    def feature_ids(self, feature_lists: list[Features]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vocabulary id, sign (+1, −1) and text of every known feature string (the reference
        counting, used by training checks and tests; scoring uses :attr:`encoder`)."""
        n = len(feature_lists)
        segments = list(chain.from_iterable(feature_lists))  # plus, minus, plus, minus, ...
        lengths = np.fromiter(map(len, segments), dtype=np.int64, count=2 * n)
        flat = chain.from_iterable(segments)
        ids = np.fromiter(
            map(self.vocabulary.get, flat, repeat(-1)), dtype=np.int64, count=int(lengths.sum())
        )
        signs = np.repeat(np.tile([1.0, -1.0], n), lengths)
        doc = np.repeat(np.arange(n), lengths.reshape(n, 2).sum(axis=1))
        known = ids >= 0
        return ids[known], signs[known], doc[known]

    def raw_scores(self, word_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`logits` of texts given their cleaned words, through the fast encoder."""
        return self._logits(*self.encoder.encode(word_lists), len(word_lists))

    def logits(self, feature_lists: list[Features]) -> tuple[np.ndarray, np.ndarray]:
        """Summed raw logits of the two scorers and the number of distinct known features per text.

        A feature's value is its signed count ``s`` (occurrences minus negated occurrences):
        ``sign(s) (1 + ln |s|) idf`` for the TF-IDF scorer, ``sign(s) r`` for the NB scorer.
        """
        return self._logits(*self.feature_ids(feature_lists), len(feature_lists))

    def _logits(
        self, ids: np.ndarray, signs: np.ndarray, doc: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        size = len(self.idf)
        pairs, inverse = np.unique(doc * size + ids, return_inverse=True)
        signed = np.bincount(inverse, signs, minlength=len(pairs))
        doc, ids = np.divmod(pairs, size)
        known = np.bincount(doc, minlength=n)
        direction = np.sign(signed)
        tfidf = direction * (1.0 + np.log(np.maximum(np.abs(signed), 1.0))) * self.idf[ids]
        z1 = _normalised_dot(doc, tfidf, self.tfidf_weights[ids], n)
        ratio = direction * self.nb_ratio[ids]
        z2 = _normalised_dot(doc, ratio, self.nb_weights[ids], n)
        return z1 + z2 + sum(self.intercepts), known

    def probability(self, raw_logits: np.ndarray) -> np.ndarray:
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * raw_logits + offset)))


def _normalised_dot(doc: np.ndarray, values: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    norm = np.sqrt(np.bincount(doc, values * values, minlength=n))
    dot = np.bincount(doc, values * weights, minlength=n)
    return np.divide(dot, norm, out=np.zeros(n), where=norm > 0)


def shipped_model() -> SentimentModel:
    """The bundled weights, loaded once per process."""
    global _loaded
    with _lock:
        if _loaded is None:
            with resources.files("cxmetrics.text").joinpath(MODEL_FILE).open("rb") as handle:
                _loaded = SentimentModel.from_arrays(np.load(handle))
            _ = _loaded.encoder  # built here, under the lock, not lazily by concurrent callers
        return _loaded
