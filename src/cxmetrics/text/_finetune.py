"""Fine-tuning the sentiment model on a business's own labelled comments.

The shipped model's calibrated logit ``a z + b + o`` (``o``: its fixed recentring of short texts,
:meth:`~cxmetrics.text._model.SentimentModel.recentring`) gets a correction ``x · d`` over the NB
scorer's features seen in the user's texts: ``P = 1 / (1 + exp(-(a z + b + o + x · d)))``. ``a``, ``b`` and
``d`` are fitted by penalised maximum likelihood, the penalty
``(penalty / 2) (|a - a0|² + |b - b0|² + |d|²)`` pulling them towards the shipped model (a
Gaussian prior centred on the prior model's weights, Chelba & Acero 2006, "Adaptation of
maximum entropy capitalizer: little data can help a lot").
Because ``x`` is the same normalised vector the NB scorer reads, the correction folds back into
the NB weights (``w + d / a``) and the calibration (``a, b``): the tuned model is an ordinary
:class:`~cxmetrics.text._model.SentimentModel`, scored by the same numpy code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cxmetrics.text._model import SentimentModel

__all__ = ["Design", "design", "fit_correction"]

_MIN_SLOPE = 0.05


@dataclass(frozen=True)
class Design:
    """Per text: the shipped model's raw logit, its recentring and its NB-scorer vector over the
    local features."""

    raw: np.ndarray  # (n,)
    offset: np.ndarray  # (n,) the fixed recentring of each text's logit
    rows: np.ndarray  # sparse coordinates: text
    cols: np.ndarray  # local feature index
    values: np.ndarray
    features: np.ndarray  # vocabulary id of each local feature
    known: np.ndarray  # (n,) distinct known features per text


def design(model: SentimentModel, texts: list[str]) -> Design:
    """The design of normalised ``texts`` (:func:`~cxmetrics.text._sentiment.normalise_for_model`)."""
    from cxmetrics.text._features import normalised_words

    word_lists = normalised_words(texts)
    ids, signs, doc = model.encoder.encode(word_lists)
    n = len(word_lists)
    raw, known = model._logits(ids, signs, doc, n)
    raw = raw + model.neural_scores(word_lists)
    size = len(model.idf)
    pairs, inverse = np.unique(doc * size + ids, return_inverse=True)
    signed = np.bincount(inverse, signs, minlength=len(pairs))
    doc, ids = np.divmod(pairs, size)
    value = np.sign(signed) * model.nb_ratio[ids]
    norm = np.sqrt(np.bincount(doc, value * value, minlength=n))
    value = np.divide(value, norm[doc], out=np.zeros_like(value), where=norm[doc] > 0)
    features, cols = np.unique(ids, return_inverse=True)
    offset = model.recentring(np.array([len(t) for t in texts]))
    return Design(raw, offset, doc, cols, value, features, known)


def fit_correction(
    part: Design, rows: np.ndarray, y: np.ndarray, start: tuple[float, float], penalty: float
) -> tuple[float, float, np.ndarray]:
    """``(a, b, d)`` maximising the penalised likelihood of labels ``y`` of the texts ``rows``."""
    from scipy import sparse
    from scipy.optimize import minimize

    keep = np.isin(part.rows, rows)
    local = np.full(len(part.raw), -1)
    local[rows] = np.arange(len(rows))
    x = sparse.csr_matrix(
        (part.values[keep], (local[part.rows[keep]], part.cols[keep])), shape=(len(rows), len(part.features))
    )
    raw, offset = part.raw[rows], part.offset[rows]

    theta0 = np.concatenate([list(start), np.zeros(x.shape[1])])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b, d = theta[0], theta[1], theta[2:]
        eta = a * raw + b + offset + x @ d
        # log(1 + e^eta) - y eta, written stably
        value = np.logaddexp(0.0, eta) - y * eta
        g = 1.0 / (1.0 + np.exp(-eta)) - y
        shift = theta - theta0
        grad = np.concatenate([[g @ raw, g.sum()], x.T @ g]) + penalty * shift
        return float(value.sum() + 0.5 * penalty * shift @ shift), grad

    bounds = [(_MIN_SLOPE, None), (None, None)] + [(None, None)] * x.shape[1]
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    theta = result.x
    return float(theta[0]), float(theta[1]), theta[2:]


def evaluate(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Accuracy (score > 0.5 against the label) and mean log loss of predictions ``p``."""
    clipped = np.clip(p, 1e-12, 1 - 1e-12)
    return {
        "n": len(y),
        "correct": int(((p > 0.5) == (y == 1)).sum()),
        "log_loss": float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
        if len(y)
        else np.nan,
    }
