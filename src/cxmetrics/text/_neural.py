"""The sentiment model's neural scorer, in numpy: two convolutional towers over a text's jieba
words and its characters, max-pooled over time (Kim 2014, "Convolutional neural networks for
sentence classification", EMNLP).

Each tower embeds its tokens (unknown ones share a row, padding is the zero row), applies
convolutions of widths 1–3 with ReLU, and keeps each filter's largest value over every window
that touches the text (zero padding of ``width − 1`` on both sides, so a one-word text has
windows of every width). The pooled values of both towers go through one linear layer to a
logit. ``scripts/sentiment_neural.py`` trains it with PyTorch and checks this code against
PyTorch's forward pass.

Scoring is vectorised over a batch: the texts' tokens are laid end to end with ``2`` padding
rows between neighbours, so no window reaches two texts; the first convolution layer is linear
in the embeddings, so each token's contribution to every filter and offset is one row of a
table computed once at load time (embedding times kernel), and a window's value is a sum of
shifted rows. The max over a text's windows is a segment maximum (``np.maximum.reduceat``); the
bias and the ReLU are applied after it (``max relu(x + b) = relu(max x + b)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import numpy as np

__all__ = ["NEURAL_PREFIX", "NeuralScorer"]

#: Array names of the neural scorer in the weights file start with this.
NEURAL_PREFIX = "neural_"
_PAD, _UNKNOWN = 0, 1  # embedding rows; the known tokens start at row 2
_CHUNK = 4096  # characters per step: the per-position rows stay within the cache (measured best)


@dataclass(frozen=True, eq=False)
class _Tower:
    """One convolutional tower: ``table[v]`` holds token ``v``'s contribution to every
    (width, offset, filter); ``bias[k]`` the bias of the filters of width ``widths[k]``."""

    table: np.ndarray  # (vocabulary + 2, sum(widths) * filters), float32
    bias: list[np.ndarray]
    widths: tuple[int, ...]
    filters: int

    @classmethod
    def build(cls, embedding: np.ndarray, kernels: list[np.ndarray], biases: list[np.ndarray]) -> _Tower:
        """From the embedding (V × d) and each width's kernel (filters × d × width, PyTorch's
        ``Conv1d`` layout)."""
        blocks = [kernel[:, :, offset].T for kernel in kernels for offset in range(kernel.shape[2])]
        table = embedding.astype(np.float32) @ np.concatenate(blocks, axis=1).astype(np.float32)
        table[_PAD] = 0.0
        widths = tuple(int(k.shape[2]) for k in kernels)
        return cls(table, [b.astype(np.float32) for b in biases], widths, int(kernels[0].shape[0]))

    def pooled(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Max-pooled ReLU filter values (texts × widths·filters) of texts whose token rows are
        ``ids`` laid end to end, ``lengths`` tokens each (a text without tokens gets zeros)."""
        n = len(lengths)
        gap = max(self.widths) - 1
        total = int(lengths.sum())
        before = np.cumsum(lengths) - lengths
        starts = before + gap * np.arange(1, n + 1)  # where each text's first token sits
        size = total + gap * (n + 1) + 1  # one more padding row: every text's windows end inside
        sequence = np.zeros(size, dtype=np.int64)
        sequence[np.repeat(starts - before, lengths) + np.arange(total)] = ids
        rows = np.take(self.table, sequence, axis=0)
        out = np.empty((n, len(self.widths) * self.filters), dtype=np.float32)
        column = 0
        for k, width in enumerate(self.widths):
            windows = size - width + 1
            value = rows[:windows, column : column + self.filters]  # a view when width is 1
            for offset in range(1, width):
                column += self.filters
                shifted = rows[offset : offset + windows, column : column + self.filters]
                value = value + shifted if offset == 1 else np.add(value, shifted, out=value)
            column += self.filters
            # text i's windows start from starts[i] - (width - 1) to starts[i] + lengths[i] - 1;
            # reduceat over [first_i, end_i), [end_i, first_i+1), ... keeps every other segment
            bounds = np.empty(2 * n, dtype=np.int64)
            bounds[0::2] = starts - (width - 1)
            bounds[1::2] = starts + lengths
            block = np.maximum.reduceat(value, bounds, axis=0)[0::2]
            out[:, k * self.filters : (k + 1) * self.filters] = block + self.bias[k]
        # the bias and the ReLU after the max (max(relu(x + b)) = relu(max(x) + b)): the same
        # values, computed on one row per text instead of one per window
        np.maximum(out, 0.0, out=out)
        out[lengths == 0] = 0.0
        return out


class NeuralScorer:
    """The neural scorer of a weights file: ``logits(word_lists)`` gives one logit per text."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        self.arrays = arrays
        self.meta = meta
        words = bytes(arrays["neural_words"]).decode("utf-8").split("\n")
        self.word_rows = {w: i + 2 for i, w in enumerate(words)}
        codes = arrays["neural_chars"].astype(np.int64)
        # character row by code point: a dense table up to the largest known code point
        self.char_rows = np.full(int(codes.max()) + 2 if len(codes) else 1, _UNKNOWN, dtype=np.int64)
        self.char_rows[codes] = np.arange(len(codes)) + 2
        self.towers = [
            _Tower.build(
                arrays[f"neural_{name}_embedding"],
                [arrays[f"neural_{name}_kernel{w}"] for w in meta["widths"]],
                [arrays[f"neural_{name}_bias{w}"] for w in meta["widths"]],
            )
            for name in ("word", "char")
        ]
        self.output = arrays["neural_output"].astype(np.float64)
        self.intercept = float(meta["output_intercept"])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays this scorer was built from (for the weights file)."""
        return dict(self.arrays)

    def _word_ids(self, batch: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
        flat = chain.from_iterable(batch)
        rows = map(self.word_rows.get, flat, repeat(_UNKNOWN))
        ids = np.fromiter(rows, dtype=np.int64, count=int(lengths.sum()))
        return ids, lengths

    def _char_ids(self, batch: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        texts = ["".join(words) for words in batch]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        return self.char_rows[np.minimum(codes, len(self.char_rows) - 1)], lengths

    def features(self, word_lists: list[list[str]]) -> np.ndarray:
        """The pooled values both towers pass to the output layer (texts × features)."""
        parts = []
        for chunk in _chunks(word_lists):
            word_ids, word_lengths = self._word_ids(chunk)
            char_ids, char_lengths = self._char_ids(chunk)
            parts.append(
                np.hstack(
                    [
                        self.towers[0].pooled(word_ids, word_lengths),
                        self.towers[1].pooled(char_ids, char_lengths),
                    ]
                )
            )
        width = sum(len(t.widths) * t.filters for t in self.towers)
        return np.vstack(parts) if parts else np.zeros((0, width), dtype=np.float32)

    def logits(self, word_lists: list[list[str]]) -> np.ndarray:
        """The neural logit of each text given its cleaned words."""
        return self.features(word_lists).astype(np.float64) @ self.output + self.intercept


def _chunks(word_lists: list[list[str]]) -> Iterator[list[list[str]]]:
    """Consecutive runs of texts holding about ``_CHUNK`` characters each (a longer text alone)."""
    start, used = 0, 0
    for i, words in enumerate(word_lists):
        size = sum(map(len, words))
        if used and used + size > _CHUNK:
            yield word_lists[start:i]
            start, used = i, 0
        used += size
    if start < len(word_lists):
        yield word_lists[start:]
