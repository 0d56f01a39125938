"""The sentiment model's neural scorer (numpy inference of the convolutional towers): against a
plain per-window computation, and invariant to batching, order and chunking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.text import SentimentModel, _neural, sentiment
from cxmetrics.text._features import model_words
from cxmetrics.text._model import shipped_model

TEXTS = [
    "客服态度很好，解决问题迅速",
    "好",
    "不差，就是太慢了😡",
    "送餐很快",
    "iPhone 15 Pro用了3天就坏了，不推荐！！",
    "十点多下单",
    "ok",
    "东西不错，物流也快，下次还来",
]


def scorer() -> _neural.NeuralScorer:
    neural = shipped_model().neural
    assert neural is not None
    return neural


def reference_logit(neural: _neural.NeuralScorer, words: list[str]) -> float:
    """One text, window by window, from the stored arrays (no lookup tables, no batching)."""
    arrays, widths = neural.arrays, neural.meta["widths"]
    rows = bytes(arrays["neural_words"]).decode("utf-8").split("\n")
    word_row = {w: i + 2 for i, w in enumerate(rows)}
    char_row = {chr(int(c)): i + 2 for i, c in enumerate(arrays["neural_chars"])}
    tokens = {
        "word": [word_row.get(w, 1) for w in words],
        "char": [char_row.get(c, 1) for c in "".join(words)],
    }
    pooled = []
    for name in ("word", "char"):
        embedding = arrays[f"neural_{name}_embedding"].astype(np.float64)
        embedding[0] = 0.0
        x = embedding[tokens[name]]
        for w in widths:
            kernel = arrays[f"neural_{name}_kernel{w}"].astype(np.float64)  # filters × dim × width
            bias = arrays[f"neural_{name}_bias{w}"].astype(np.float64)
            padded = np.vstack([np.zeros((w - 1, x.shape[1])), x, np.zeros((w - 1, x.shape[1]))])
            windows = [
                bias + sum(kernel[:, :, o] @ padded[t + o] for o in range(w)) for t in range(len(x) + w - 1)
            ]
            pooled.append(np.maximum(np.max(windows, axis=0), 0.0))
    features = np.concatenate(pooled)
    return float(features @ arrays["neural_output"].astype(np.float64) + neural.meta["output_intercept"])


def test_the_shipped_model_has_a_neural_part_with_its_ensemble_weight():
    model = shipped_model()
    assert model.neural is not None
    assert model.meta["neural"]["weight"] > 0
    assert model.neural.logits([]).shape == (0,)


def test_batched_scorer_matches_a_per_window_computation():
    neural = scorer()
    words = model_words(TEXTS)
    got = neural.logits(words)
    expected = [reference_logit(neural, w) for w in words]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_a_text_scores_the_same_alone_in_a_batch_and_in_any_order():
    neural = scorer()
    words = model_words(TEXTS)
    batch = neural.logits(words)
    alone = np.array([neural.logits([w])[0] for w in words])
    np.testing.assert_allclose(batch, alone, rtol=1e-12, atol=1e-12)
    order = np.random.default_rng(5).permutation(len(words))
    np.testing.assert_allclose(neural.logits([words[i] for i in order]), batch[order], rtol=1e-12, atol=1e-12)


def test_batches_longer_than_a_chunk_score_like_single_texts(monkeypatch: pytest.MonkeyPatch):
    neural = scorer()
    words = model_words(TEXTS * 3 + ["服务很好，" * 50])
    alone = np.array([neural.logits([w])[0] for w in words])
    monkeypatch.setattr(_neural, "_CHUNK", 20)  # many chunks, and one text longer than a chunk
    np.testing.assert_allclose(neural.logits(words), alone, rtol=1e-12, atol=1e-12)


_PIECES = ["好", "不", "很", "差", "送餐", "快", "，", "😡", "ok", "3", "退款", "太慢了", "ꙮ", "没有"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map("".join), min_size=1, max_size=6)
)
def test_batch_invariance_on_random_texts(texts: list[str]):
    neural = scorer()
    words = model_words(texts)
    batch = neural.logits(words)
    assert batch.shape == (len(texts),)
    np.testing.assert_allclose(batch, [neural.logits([w])[0] for w in words], rtol=1e-12, atol=1e-12)


def test_the_score_is_the_calibrated_sum_of_the_linear_and_neural_logits():
    model = shipped_model()
    words = model_words(TEXTS)
    linear, _ = model.linear_scores(words)
    raw = linear + model.meta["neural"]["weight"] * scorer().logits(words)
    slope, offset = model.calibration
    expected = 1 / (1 + np.exp(-(slope * raw + offset)))
    np.testing.assert_allclose([s.score for s in sentiment(TEXTS)], expected, rtol=1e-12)


def test_save_and_load_keep_the_neural_part(tmp_path: Path):
    path = tmp_path / "copy.npz"
    shipped_model().save(path)
    loaded = SentimentModel.load(path)
    assert loaded.neural is not None
    np.testing.assert_allclose(
        [s.score for s in sentiment(TEXTS, model=loaded)], [s.score for s in sentiment(TEXTS)], rtol=1e-6
    )
