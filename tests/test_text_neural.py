"""The sentiment model's optional neural scorer (numpy inference of the convolutional towers that
``scripts/sentiment_neural.py`` trains): against a plain per-window computation, invariant to
batching, order and chunking, ensembled with the linear scorers, saved, loaded and fine-tuned.

The shipped weights have no neural part (the model card says why), so the network here has random
weights of the trained one's shapes, attached to the shipped linear model; the training script
checks a trained network against PyTorch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.text import SentimentModel, _neural, sentiment
from cxmetrics.text._features import model_words
from cxmetrics.text._model import shipped_model
from cxmetrics.text._sentiment import normalise_for_model

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


def random_network(seed: int = 0) -> _neural.NeuralScorer:
    """A network of the trained one's layout (word and character towers, widths 1–3) with random
    weights, over the words and characters of TEXTS (a few left out: unknown tokens)."""
    rng = np.random.default_rng(seed)
    words = sorted({w for ws in model_words(TEXTS) for w in ws})[:-3]
    chars = sorted({c for ws in model_words(TEXTS) for c in "".join(ws)})[:-3]
    arrays = {
        "neural_words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        "neural_chars": np.array([ord(c) for c in chars], dtype=np.int32),
        "neural_output": rng.normal(0, 0.3, 2 * 3 * 5).astype(np.float32),
    }
    for name, rows, dim in (("word", len(words) + 2, 6), ("char", len(chars) + 2, 4)):
        embedding = rng.normal(0, 1, (rows, dim)).astype(np.float16)
        embedding[0] = 0  # the padding row
        arrays[f"neural_{name}_embedding"] = embedding
        for w in (1, 2, 3):
            arrays[f"neural_{name}_kernel{w}"] = rng.normal(0, 0.5, (5, dim, w)).astype(np.float32)
            arrays[f"neural_{name}_bias{w}"] = rng.normal(0, 0.5, 5).astype(np.float32)
    return _neural.NeuralScorer(arrays, {"widths": [1, 2, 3], "output_intercept": 0.2})


def scorer() -> _neural.NeuralScorer:
    return random_network()


def with_network(weight: float = 0.4) -> SentimentModel:
    """The shipped linear model with the random network added to its logit."""
    base = shipped_model()
    neural = random_network()
    meta = dict(base.meta, neural=dict(neural.meta, weight=weight))
    return replace(base, neural=_neural.NeuralScorer(neural.arrays, meta["neural"]), meta=meta)


def recentring(model: SentimentModel, texts: list[str]) -> np.ndarray:
    """The documented recentring: in full up to 20 characters, fading to none at 40."""
    lengths = np.array([len(normalise_for_model(t)) for t in texts])
    return model.meta["recentring"] * np.clip((40 - lengths) / 20, 0, 1)


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


def test_the_shipped_model_is_linear_only():
    model = shipped_model()
    assert model.neural is None and "neural" not in model.meta
    words = model_words(TEXTS)
    np.testing.assert_array_equal(model.neural_scores(words), np.zeros(len(TEXTS)))
    np.testing.assert_array_equal(model.raw_scores(words)[0], model.linear_scores(words)[0])


def test_an_empty_batch_has_no_rows():
    assert scorer().logits([]).shape == (0,)
    assert scorer().features([]).shape == (0, 30)


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
    model = with_network(weight=0.4)
    words = model_words(TEXTS)
    linear, _ = model.linear_scores(words)
    raw = linear + 0.4 * scorer().logits(words)
    slope, offset = model.calibration
    expected = 1 / (1 + np.exp(-(slope * raw + offset + recentring(model, TEXTS))))
    np.testing.assert_allclose([s.score for s in sentiment(TEXTS, model=model)], expected, rtol=1e-12)
    # the network moves the scores: the ensemble is not the linear model
    linear_only = [s.score for s in sentiment(TEXTS)]
    assert np.max(np.abs(np.array(linear_only) - expected)) > 1e-3


def test_save_and_load_keep_the_neural_part(tmp_path: Path):
    model = with_network()
    path = tmp_path / "with_network.npz"
    model.save(path)
    loaded = SentimentModel.load(path)
    assert loaded.neural is not None and loaded.meta["neural"]["weight"] == 0.4
    np.testing.assert_allclose(
        [s.score for s in sentiment(TEXTS, model=loaded)],
        [s.score for s in sentiment(TEXTS, model=model)],
        rtol=1e-6,
    )


def test_fine_tuning_keeps_the_network_frozen_and_in_the_logit():
    rng = np.random.default_rng(3)
    good, bad = ["器械新", "私教专业", "淋浴干净"], ["晚上人多", "人多要排队", "更衣室挤"]
    positive = rng.random(300) < 0.5
    labelled = pd.DataFrame(
        {
            "comment": [str(rng.choice(good if p else bad)) for p in positive],
            "happy": positive.astype(int),
        }
    )
    base = with_network()
    tuned = SentimentModel.fit(labelled, text="comment", label="happy", base=base, seed=1)
    assert tuned.neural is base.neural
    assert tuned.evaluation["accuracy"].iloc[1] >= tuned.evaluation["accuracy"].iloc[0]
    words = model_words(good + bad)
    raw = tuned.linear_scores(words)[0] + 0.4 * scorer().logits(words)
    slope, offset = tuned.calibration
    np.testing.assert_allclose(
        [s.score for s in sentiment(good + bad, model=tuned)],
        1 / (1 + np.exp(-(slope * raw + offset + recentring(tuned, good + bad)))),
        rtol=1e-12,
    )
