"""The shipped sentiment model: two linear scorers over the same features, averaged in logit
space and calibrated by a Platt transform.

Scorer one is logistic regression on sublinear TF-IDF (``1 + ln tf`` times ``ln((1+n)/(1+df)) + 1``,
L2-normalised per text). Scorer two is NB-weighted logistic regression (Wang & Manning 2012,
"Baselines and bigrams", ACL): binary presence scaled by the naive-Bayes log-count ratio ``r``,
L2-normalised. ``P(positive) = 1 / (1 + exp(-(a (z1 + z2) + c + r(n))))`` with ``a, c`` fitted on a
calibration split the scorers never saw (Platt 1999) and ``r(n)`` the recentring of a text of
``n`` characters (:meth:`SentimentModel.recentring`). ``scripts/sentiment_model.py`` trains it
and checks this code against the training library's own predictions.

A weights file may also hold a convolutional network (``scripts/sentiment_neural.py``, scored by
:mod:`cxmetrics.text._neural`): its logit, times the ensemble weight ``meta["neural"]["weight"]``,
is added to ``z1 + z2`` before the calibration. The shipped weights have none (the model card
gives the figures of the one tried).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics._process import ForkSafeLock
from cxmetrics.errors import ColumnTypeError, CXMetricsError, ValueRangeError, format_examples
from cxmetrics.text._encode import FeatureEncoder
from cxmetrics.text._features import FEATURE_VERSION, Features
from cxmetrics.text._neural import NEURAL_PREFIX, NeuralScorer

__all__ = ["MODEL_FILE", "SentimentModel", "shipped_model"]

MODEL_FILE = "data/sentiment_model.npz"
#: Characters up to which a text is recentred in full, and from which not at all, when a weights
#: file does not say (the training script writes them next to the recentring)
_RECENTRING_LENGTHS = (20, 40)
_EXPERT_ARRAYS = ("expert_weights", "expert_intercepts", "gate_weights", "gate_intercepts")
_lock = ForkSafeLock()
_loaded: SentimentModel | None = None


@dataclass(frozen=True, eq=False)
class SentimentModel:
    """The sentiment model: the shipped weights, or weights fine-tuned on your own labels.

    ``text.sentiment(..., model=m)`` scores with ``m``. Get one with :meth:`shipped`,
    :meth:`fit` (fine-tune on labelled comments, with a held-out evaluation) or :meth:`load`.
    ``evaluation`` holds the held-out comparison of a model made by :meth:`fit` (None otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import SentimentModel, sentiment
    >>> said = {"套餐很划算": 1, "流量不限速": 1, "经常掉线": 0, "网速太慢": 0, "副卡免月租": 1, "乱扣费": 0}
    >>> labelled = pd.DataFrame(
    ...     [{"comment": where + text, "happy": happy}
    ...      for where in ["", "家里", "地铁上", "小区里", "最近"] for text, happy in said.items()] * 2
    ... )
    >>> tuned = SentimentModel.fit(labelled, text="comment", label="happy", seed=0)
    >>> tuned.evaluation[["model", "n_test", "accuracy"]].round(2)
            model  n_test  accuracy
    0     shipped      12      0.83
    1  fine_tuned      12      1.00
    >>> sentiment("流量不限速", model=tuned).label
    'positive'
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    tfidf_weights: np.ndarray
    nb_ratio: np.ndarray
    nb_weights: np.ndarray
    intercepts: tuple[float, float]
    calibration: tuple[float, float]
    meta: dict[str, Any]
    #: Domain experts (expert weights K×V, expert intercepts K, gate weights K×V, gate intercepts K)
    experts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    evaluation: Any = None
    #: The convolutional scorer added to the linear logit with weight ``meta["neural"]["weight"]``
    neural: NeuralScorer | None = None

    @classmethod
    def from_arrays(cls, arrays: Any) -> SentimentModel:
        meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        if meta["feature_version"] != FEATURE_VERSION:
            raise CXMetricsError(
                f"sentiment weights were trained on features v{meta['feature_version']}, "
                f"this cxmetrics computes v{FEATURE_VERSION}: fit a model saved by an earlier release "
                "again from the shipped one (SentimentModel.fit on the same labels), or retrain "
                "weights with scripts/sentiment_model.py"
            )
        terms = bytes(arrays["vocabulary"]).decode("utf-8").split("\n")
        names = getattr(arrays, "files", list(arrays))
        experts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        if _EXPERT_ARRAYS[0] in names:
            w, b, g, c = (arrays[k] for k in _EXPERT_ARRAYS)
            # one row per feature holding its gate and expert weights (see _expert_columns);
            # the K × V arrays are views of it, so the weights are held once
            table = np.concatenate([g, w]).T.astype(np.float64, order="C")
            k = len(g)
            experts = (table[:, k:].T, b.astype(np.float64), table[:, :k].T, c.astype(np.float64))
        neural = None
        if "neural" in meta:
            stored = {k: arrays[k] for k in names if k.startswith(NEURAL_PREFIX)}
            neural = NeuralScorer(stored, meta["neural"])
        return cls(
            vocabulary={term: i for i, term in enumerate(terms)},
            idf=arrays["idf"].astype(np.float64),
            tfidf_weights=arrays["tfidf_weights"].astype(np.float64),
            nb_ratio=arrays["nb_ratio"].astype(np.float64),
            nb_weights=arrays["nb_weights"].astype(np.float64),
            intercepts=(float(meta["intercepts"][0]), float(meta["intercepts"][1])),
            calibration=(float(meta["calibration"][0]), float(meta["calibration"][1])),
            meta=meta,
            experts=experts,
            neural=neural,
        )

    @classmethod
    def shipped(cls) -> SentimentModel:
        """The model bundled with cxmetrics (see the model card)."""
        return shipped_model()

    @property
    def neutral_band(self) -> tuple[float, float]:
        """The measured neutral band ``(low, high)``: the 5th and 95th percentiles of the scores
        of held-out topic-only fragments ("十点多下单", "订的大床房"), the default label cut points."""
        band = self.meta.get("neutral_band", (0.4, 0.6))
        return float(band[0]), float(band[1])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays of the weights file (the format :meth:`from_arrays` reads)."""
        terms = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            terms[index] = term
        meta = dict(self.meta, intercepts=list(self.intercepts), calibration=list(self.calibration))
        arrays: dict[str, np.ndarray] = {
            "vocabulary": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
            "idf": self.idf.astype(np.float32),
            "tfidf_weights": self.tfidf_weights.astype(np.float32),
            "nb_ratio": self.nb_ratio.astype(np.float32),
            "nb_weights": self.nb_weights.astype(np.float32),
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        }
        if self.experts is not None:
            for key, values in zip(_EXPERT_ARRAYS, self.experts, strict=True):
                arrays[key] = values.astype(np.float32)  # holds the shipped half-precision gate exactly
        if self.neural is not None:
            arrays |= self.neural.to_arrays()
        return arrays

    def save(self, path: str | Path) -> None:
        """Write the model to ``path`` (a compressed ``.npz``; numpy only, no pickle)."""
        arrays: dict[str, Any] = self.to_arrays()
        np.savez_compressed(Path(path), **arrays)

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save`."""
        target = Path(path)
        if not target.is_file():
            raise CXMetricsError(f"path {str(target)!r} is not a saved sentiment model file")
        with np.load(target, allow_pickle=False) as arrays:
            return cls.from_arrays(arrays)

    @classmethod
    def fit(
        cls,
        data: Any,
        *,
        text: str,
        label: str,
        base: SentimentModel | None = None,
        test_size: float = 0.2,
        penalty: float = 1.0,
        seed: int | np.random.Generator = 0,
    ) -> SentimentModel:
        """Fine-tune a model on your own labelled comments, with a held-out evaluation.

        The distinct texts are split at random into a fitting part and a held-out part
        (``test_size`` of them), so a comment that appears several times is either fitted or
        held out, never both.
        On the fitting part, the shipped model's calibrated logit ``a z + b`` is refitted (its
        recentring of short texts, :meth:`recentring`, stays a fixed part of it) and
        corrected by ``x · d`` over the NB-scorer features of your texts (``x`` as the model
        reads it), by maximum likelihood with the penalty
        ``(penalty / 2) (|a - a0|² + |b - b0|² + |d|²)`` that keeps the model close to the
        shipped one (a Gaussian prior centred on it, Chelba & Acero
        2006). A base model with a neural part keeps it unchanged (its weighted logit is part
        of ``z``). Texts the model cannot read (missing, empty, only symbols) are left out and
        counted.

        Parameters
        ----------
        data : DataFrame
            Labelled comments (pandas, polars, pyarrow; lazy frames are collected).
        text, label : str
            The comment column and the label column: 1 / True = positive, 0 / False = negative.
        base : SentimentModel, optional
            The model to start from (default the shipped one).
        test_size : float
            Share of distinct texts held out for the evaluation, in (0, 1).
        penalty : float
            Strength of the pull towards the base model (> 0; larger = smaller changes).
        seed : int or numpy Generator
            For the split.

        Returns
        -------
        SentimentModel
            Usable as ``sentiment(..., model=...)``. Its ``evaluation`` frame (the library of
            ``data``) has one row per model, ``shipped`` (the base) and ``fine_tuned``, on the
            held-out rows: ``model``, ``n_train``, ``n_test``, ``n_dropped`` (rows without a
            usable text), ``accuracy`` with ``accuracy_ci_low`` / ``accuracy_ci_high``
            (Wilson, 95 %), ``log_loss``.
        """
        from cxmetrics._frame import to_native, with_arrays
        from cxmetrics._stats import proportion_interval
        from cxmetrics.text._finetune import design, evaluate, fit_correction
        from cxmetrics.text._input import read_texts
        from cxmetrics.text._sentiment import normalise_for_model, readable

        start = base or shipped_model()
        if not isinstance(start, SentimentModel):
            raise CXMetricsError(f"base must be a SentimentModel, got {type(start).__name__}")
        if not (isinstance(test_size, float | int) and 0 < test_size < 1):
            raise ValueRangeError(f"test_size must be in (0, 1), got {test_size!r}")
        if not (isinstance(penalty, float | int) and np.isfinite(penalty) and penalty > 0):
            raise ValueRangeError(f"penalty must be a positive number, got {penalty!r}")
        if not isinstance(seed, int | np.random.Generator) or isinstance(seed, bool):
            raise ValueRangeError(f"seed must be an int or a numpy Generator, got {seed!r}")
        given = read_texts(data, text, function="SentimentModel.fit")
        if given.kind != "frame":
            raise ColumnTypeError("SentimentModel.fit needs a DataFrame with text= and label= columns")
        from cxmetrics._frame import require_columns

        require_columns(given.frame, {"label": label})
        y_all = _binary_labels(given.frame[label].to_list(), label)
        clean = [normalise_for_model(v) if isinstance(v, str) else "" for v in given.values]
        usable = np.array([bool(c) and readable(c) for c in clean]) & ~np.isnan(y_all)
        rows = np.flatnonzero(usable)
        part = design(start, [clean[i] for i in rows])
        y = y_all[rows]
        seen = part.known > 0
        if not seen.all():
            rows, y = rows[seen], y[seen]
            part = design(start, [clean[i] for i in rows])
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        # split distinct texts, not rows: a comment repeated in the data is fitted or held out,
        # never both, so the held-out accuracy is not measured on texts the fit has seen
        distinct, group = np.unique(np.array([clean[i] for i in rows], dtype=object), return_inverse=True)
        held = np.zeros(len(distinct), dtype=bool)
        held[rng.permutation(len(distinct))[: round(test_size * len(distinct))]] = True
        test, train = np.flatnonzero(held[group]), np.flatnonzero(~held[group])
        n_test = len(test)
        if n_test < 1 or len(train) < 2 or len(np.unique(y[train])) < 2:
            raise CXMetricsError(
                f"SentimentModel.fit needs both labels among the fitting rows and at least one "
                f"held-out row; got {len(rows)} usable rows ({len(train)} to fit, {n_test} held out)"
            )
        a, b, d = fit_correction(part, train, y[train], start.calibration, float(penalty))
        weights = start.nb_weights.copy()
        weights[part.features] += d / a
        slope, offset = start.calibration

        def scores(new_a: float, new_b: float, correction: np.ndarray) -> np.ndarray:
            local = np.zeros(len(rows))
            np.add.at(local, part.rows, part.values * correction[part.cols])
            return 1.0 / (1.0 + np.exp(-(new_a * part.raw + new_b + part.offset + local)))

        before = evaluate(scores(slope, offset, np.zeros(len(d)))[test], y[test])
        after = evaluate(scores(a, b, d)[test], y[test])
        correct = np.array([before["correct"], after["correct"]], dtype=float)
        low, high = proportion_interval(correct, np.array([n_test, n_test], dtype=float))
        dropped = len(given.values) - len(rows)
        table = {
            "model": ["shipped", "fine_tuned"],
            "n_train": np.array([len(train)] * 2, dtype=np.int64),
            "n_test": np.array([n_test] * 2, dtype=np.int64),
            "n_dropped": np.array([dropped] * 2, dtype=np.int64),
            "accuracy": correct / n_test,
            "accuracy_ci_low": low,
            "accuracy_ci_high": high,
            "log_loss": np.array([before["log_loss"], after["log_loss"]]),
        }
        evaluation = to_native(with_arrays(None, table, given.frame.implementation))
        meta = dict(
            start.meta,
            fine_tuned={
                "rows": len(train),
                "held_out": n_test,
                "held_out_texts": int(held.sum()),
                "penalty": float(penalty),
                "features_adjusted": len(d),
                "held_out_accuracy": [float(c / n_test) for c in correct],
            },
        )
        return cls(
            vocabulary=start.vocabulary,
            idf=start.idf,
            tfidf_weights=start.tfidf_weights,
            nb_ratio=start.nb_ratio,
            nb_weights=weights,
            intercepts=start.intercepts,
            calibration=(a, b),
            meta=meta,
            experts=start.experts,
            evaluation=evaluation,
            neural=start.neural,
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
        """The raw logit (before calibration) of texts given their cleaned words: the linear
        scorers' (:meth:`linear_scores`) plus the weighted neural scorer's
        (:meth:`neural_scores`), and the number of distinct known features per text."""
        raw, known = self.linear_scores(word_lists)
        return raw + self.neural_scores(word_lists), known

    def linear_scores(self, word_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`logits` of texts given their cleaned words, through the fast encoder."""
        return self._logits(*self.encoder.encode(word_lists), len(word_lists))

    def neural_scores(self, word_lists: list[list[str]]) -> np.ndarray:
        """The neural scorer's logit times its ensemble weight (zeros for a linear-only model)."""
        if self.neural is None:
            return np.zeros(len(word_lists))
        return float(self.meta["neural"]["weight"]) * self.neural.logits(word_lists)

    def logits(self, feature_lists: list[Features]) -> tuple[np.ndarray, np.ndarray]:
        """Summed raw logits of the two linear scorers and the number of distinct known features
        per text.

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
        if self.experts is not None:
            z2 = z2 + self._experts(doc, ids, tfidf, ratio, n)
        return z1 + z2 + sum(self.intercepts), known

    def _experts(
        self, doc: np.ndarray, ids: np.ndarray, tfidf: np.ndarray, ratio: np.ndarray, n: int
    ) -> np.ndarray:
        """The domain experts' logit: the NB features read by each domain's own weights, mixed by
        the gate's P(domain | text) (a softmax over the TF-IDF vector)."""
        assert self.experts is not None
        _, intercepts, gate, gate_intercepts = self.experts
        k = len(gate)
        # ``doc`` is sorted: each text's features are one run of rows, summed by reduceat
        columns = self._expert_columns[ids]
        columns[:, :k] *= tfidf[:, None]
        columns[:, k:] *= ratio[:, None]
        present = np.flatnonzero(np.bincount(doc, minlength=n))
        sums = np.zeros((n, 2 * k))
        if len(present):
            sums[present] = np.add.reduceat(columns, np.searchsorted(doc, present), axis=0)
        norms = np.sqrt(np.stack([np.bincount(doc, v * v, minlength=n) for v in (tfidf, ratio)], axis=1))
        safe = np.where(norms > 0, norms, 1.0)
        gate_logits = sums[:, :k] / safe[:, :1] + gate_intercepts
        gate_logits -= gate_logits.max(axis=1, keepdims=True)
        share = np.exp(gate_logits)
        share /= share.sum(axis=1, keepdims=True)
        expert = sums[:, k:] / safe[:, 1:]
        return np.asarray(((expert + intercepts) * share).sum(axis=1))

    @cached_property
    def _expert_columns(self) -> np.ndarray:
        """Feature × (gate weights, expert weights): a text's gate and expert sums come from one
        gather of its features' rows. Models read from a file already hold the experts as views
        of such a table; other models get a copy."""
        assert self.experts is not None
        weights, _, gate, _ = self.experts
        owner = gate.base
        k = len(gate)
        if (
            isinstance(owner, np.ndarray)
            and owner is weights.base
            and owner.dtype == np.float64
            and owner.shape == (weights.shape[1], 2 * k)
            and gate.ctypes.data == owner.ctypes.data
            and weights.ctypes.data == owner.ctypes.data + k * owner.itemsize
            and gate.strides == weights.strides == owner.strides[::-1]
        ):
            return owner
        return np.ascontiguousarray(np.concatenate([gate, weights]).T, dtype=np.float64)

    def recentring(self, lengths: np.ndarray) -> np.ndarray:
        """The logit added for texts of ``lengths`` characters (normalised text): the weights'
        ``meta["recentring"]`` in full up to the first of ``meta["recentring_lengths"]``, fading
        linearly to none at the second (the model card, Method: Calibration). Weights without it
        add nothing.

        Examples
        --------
        >>> SentimentModel.shipped().recentring(np.array([4, 20, 30, 40, 200])).round(3)
        array([0.057, 0.057, 0.029, 0.   , 0.   ])
        """
        lengths = _lengths(lengths)
        if "recentring" not in self.meta:
            return np.zeros_like(lengths)
        full, none = (float(n) for n in self.meta.get("recentring_lengths", _RECENTRING_LENGTHS))
        return float(self.meta["recentring"]) * np.clip((none - lengths) / max(none - full, 1.0), 0.0, 1.0)

    def band_shift(self, lengths: np.ndarray) -> np.ndarray:
        """How far (in logit) below :attr:`neutral_band` the neutral band of a text of
        ``lengths`` characters lies: the band was measured on fragments recentred in full, so a
        longer text, recentred less (:meth:`recentring`), has it moved down by the difference.

        Examples
        --------
        >>> SentimentModel.shipped().band_shift(np.array([4, 30, 200])).round(3)
        array([0.   , 0.029, 0.057])
        """
        return float(self.meta.get("recentring", 0.0)) - self.recentring(lengths)

    def probability(self, raw_logits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Calibrated P(positive) of texts with these raw logits and lengths in characters."""
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * raw_logits + offset + self.recentring(lengths))))


def _lengths(lengths: Any) -> np.ndarray:
    """Text lengths in characters as floats; anything but non-negative numbers is an error."""
    try:
        out = np.asarray(lengths, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueRangeError(f"lengths must be numbers of characters, got {lengths!r}") from None
    bad = out[~(out >= 0)]  # negatives and NaN
    if len(bad.ravel()):
        raise ValueRangeError(
            f"lengths must be numbers of characters (0 or more); got {format_examples(bad.ravel().tolist())}")
    return out


def _binary_labels(values: list[Any], column: str) -> np.ndarray:
    """0/1 labels as floats (NaN where missing); anything else is an error naming the values."""
    out = np.full(len(values), np.nan)
    bad = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        number = isinstance(v, int | float | np.integer | np.floating)
        if isinstance(v, bool | np.bool_) or (number and v in (0, 1)):
            out[i] = float(v)
        else:
            bad.append(v)
    if bad:
        raise ValueRangeError(
            f"label column {column!r} must hold 1/True (positive) or 0/False (negative); "
            f"{len(bad)} other values: {format_examples(bad)}"
        )
    return out


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
