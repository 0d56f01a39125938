"""Math layer for topics: a TF-IDF matrix, non-negative matrix factorisation, stability.

No DataFrames here: word lists in, sparse and dense numpy arrays out.

- TF-IDF: sublinear term frequency 1 + ln(count), smoothed idf ln((1 + N) / (1 + df)) + 1,
  rows scaled to unit Euclidean length (Salton & Buckley 1988; the weighting scikit-learn's
  ``TfidfVectorizer(sublinear_tf=True)`` uses). A long comment therefore weighs as much as a
  short one, and a word repeated ten times does not drown the others.
- NMF: X ≈ W H with W, H ≥ 0, minimising the Frobenius error by hierarchical alternating least
  squares (HALS: Cichocki & Phan 2009, "Fast local algorithms for large scale nonnegative
  matrix and tensor factorizations", IEICE Trans. E92-A(3); Gillis 2014, "The why and how of
  nonnegative matrix factorization"). scikit-learn is not a run-time dependency, and HALS
  needs only sparse-times-dense products. Topics (rows of H) are scaled to unit length, so
  W[i, j] is the length of topic j's part of comment i's unit-length vector.
- Stability: Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis for
  topic models", ECML PKDD: the same k fitted from different random starts should find the same
  topics. Topics of two runs are matched one to one (Hungarian algorithm) and the agreement is
  the mean cosine similarity of matched topics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_EPS = 1e-12


@dataclass(frozen=True)
class Vocabulary:
    """The terms kept and their smoothed idf."""

    terms: list[str]
    idf: np.ndarray

    @property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}


def build_vocabulary(
    words: Sequence[list[str] | None], *, min_df: int, max_df: float, max_terms: int
) -> Vocabulary:
    """Terms in at least ``min_df`` comments and at most ``max_df`` of them, the ``max_terms``
    most frequent by document frequency (ties by the term, so the choice is deterministic)."""
    df: Counter[str] = Counter()
    n_docs = 0
    for doc in words:
        if doc is None:
            continue
        n_docs += 1
        df.update(set(doc))
    ceiling = max_df * n_docs
    kept = sorted(((t, c) for t, c in df.items() if min_df <= c <= ceiling), key=lambda tc: (-tc[1], tc[0]))
    kept = kept[:max_terms]
    terms = sorted(t for t, _ in kept)
    counts = np.array([df[t] for t in terms], dtype=float)
    idf = np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0
    return Vocabulary(terms, idf)


def tfidf_matrix(words: Sequence[list[str] | None], vocabulary: Vocabulary) -> Any:
    """Rows: comments (missing ones and those with no kept term are all-zero); columns: terms."""
    from scipy import sparse

    index = vocabulary.index
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, doc in enumerate(words):
        if not doc:
            continue
        counts = Counter(index[w] for w in doc if w in index)
        rows.extend([i] * len(counts))
        cols.extend(counts.keys())
        vals.extend(counts.values())
    data = np.asarray(vals, dtype=float)
    col = np.asarray(cols, dtype=np.int64)
    data = (1.0 + np.log(data)) * vocabulary.idf[col] if len(data) else data
    matrix = sparse.csr_matrix((data, (np.asarray(rows, dtype=np.int64), col)),
                               shape=(len(words), len(vocabulary.terms)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.diags(scale) @ matrix


def _hals_w(x: Any, w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One HALS sweep over the columns of W (H fixed)."""
    xh = np.asarray(x @ h.T)
    hh = h @ h.T
    for j in range(h.shape[0]):
        if hh[j, j] <= _EPS:
            continue
        w[:, j] = np.maximum(w[:, j] + (xh[:, j] - w @ hh[:, j]) / hh[j, j], 0.0)
    return w


def _hals_h(x: Any, w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One HALS sweep over the rows of H (W fixed)."""
    wx = np.asarray((x.T @ w).T)
    ww = w.T @ w
    for j in range(w.shape[1]):
        if ww[j, j] <= _EPS:
            continue
        h[j] = np.maximum(h[j] + (wx[j] - ww[j] @ h) / ww[j, j], 0.0)
    return h


def _error(x_norm2: float, x: Any, w: np.ndarray, h: np.ndarray) -> float:
    """||X - WH||_F² without forming WH."""
    cross = float(np.sum(np.asarray(x @ h.T) * w))
    return x_norm2 - 2.0 * cross + float(np.sum((w.T @ w) * (h @ h.T)))


@dataclass(frozen=True)
class Factors:
    w: np.ndarray
    h: np.ndarray  # rows of unit length
    error: float
    iterations: int


def _leading_singular(x: Any, k: int, oversample: int = 10, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The k leading singular values and right singular vectors of sparse ``x``."""
    n, m = x.shape
    size = min(k + oversample, m, n)
    omega = np.random.default_rng(0).standard_normal((m, size))
    q, _ = np.linalg.qr(np.asarray(x @ omega))
    for _ in range(power):
        z, _ = np.linalg.qr(np.asarray(x.T @ q))
        q, _ = np.linalg.qr(np.asarray(x @ z))
    small = np.asarray((x.T @ q).T)  # Qᵀ X, size × m
    _, s, vt = np.linalg.svd(small, full_matrices=False)
    return s[:k], vt[:k]


def nndsvd(x: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative double SVD start (Boutsidis & Gallopoulos 2008, "SVD based initialization:
    a head start for nonnegative matrix factorization", Pattern Recognition 41(4)), with zeros
    filled by the mean of X (their NNDSVDa variant).

    The leading singular vectors come from a randomized SVD (Halko, Martinsson & Tropp 2011,
    "Finding structure with randomness", SIAM Review 53(2): k + 10 random directions, four power
    iterations), drawn from a fixed generator so the start is a function of the data alone.
    """
    n, m = x.shape
    s, vt = _leading_singular(x, k)
    u = np.asarray(x @ vt.T) / np.where(s > _EPS, s, 1.0)
    w = np.zeros((n, k))
    h = np.zeros((k, m))
    for j in range(k):
        a, b = u[:, j], vt[j]
        if j == 0:
            a, b = np.abs(a), np.abs(b)
        else:
            ap, an, bp, bn = np.maximum(a, 0), np.maximum(-a, 0), np.maximum(b, 0), np.maximum(-b, 0)
            pos = np.linalg.norm(ap) * np.linalg.norm(bp)
            neg = np.linalg.norm(an) * np.linalg.norm(bn)
            a, b = (ap, bp) if pos >= neg else (an, bn)
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        if na <= _EPS or nb <= _EPS:
            continue
        scale = np.sqrt(s[j] * na * nb)
        w[:, j], h[j] = scale * a / na, scale * b / nb
    fill = float(x.sum()) / (n * m)
    return np.where(w > 0, w, fill), np.where(h > 0, h, fill)


def nmf(x: Any, k: int, *, max_iter: int = 200, tol: float = 1e-4) -> Factors:
    """Fit X ≈ W H (k topics) by HALS from the :func:`nndsvd` start.

    The fit stops when the relative decrease of the error over 10 sweeps falls below ``tol``.
    """
    w, h = nndsvd(x, k)
    x_norm2 = float(x.multiply(x).sum())
    previous = _error(x_norm2, x, w, h)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        h = _hals_h(x, w, h)
        w = _hals_w(x, w, h)
        if iterations % 10 == 0:
            current = _error(x_norm2, x, w, h)
            if previous - current < tol * max(previous, _EPS):
                break
            previous = current
    norms = np.linalg.norm(h, axis=1)
    keep = norms > _EPS
    h = np.where(keep[:, None], h / np.where(keep, norms, 1.0)[:, None], 0.0)
    w = w * norms[None, :]
    return Factors(w, h, _error(x_norm2, x, w, h), iterations)


def transform(x: Any, h: np.ndarray, *, sweeps: int = 30) -> np.ndarray:
    """W ≥ 0 minimising ||X - W H|| for fixed topics H (HALS on W only, from max(X Hᵀ, 0)).

    Each row of W is the non-negative least-squares fit of one comment, so assigning topics to a
    comment does not depend on the other comments it comes with.
    """
    n = x.shape[0]
    if n == 0 or h.shape[0] == 0:
        return np.zeros((n, h.shape[0]))
    w = np.maximum(np.asarray(x @ h.T), 0.0)
    for _ in range(sweeps):
        w = _hals_w(x, w, h)
    return w


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine similarity of the topics of two fits after the best one-to-one matching."""
    from scipy.optimize import linear_sum_assignment

    similarity = a @ b.T  # rows are unit length
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].mean())


def stability(x: Any, k: int, rng: np.random.Generator, runs: int, fraction: float = 0.8) -> float:
    """Greene et al.'s (2014) stability: the mean :func:`agreement` between the topics fitted on
    all rows of ``x`` and those fitted on each of ``runs`` random ``fraction`` subsamples."""
    reference = nmf(x, k, max_iter=100, tol=1e-3).h
    n = x.shape[0]
    size = max(int(fraction * n), k + 1)
    scores = []
    for _ in range(runs):
        rows = np.sort(rng.choice(n, size=size, replace=False))
        scores.append(agreement(reference, nmf(x[rows], k, max_iter=100, tol=1e-3).h))
    return float(np.mean(scores))


def coherence(x: Any, h: np.ndarray, top: int = 10) -> np.ndarray:
    """NPMI coherence of each topic's ``top`` terms over the comments of ``x``.

    For each pair of top terms, NPMI = ln(P(a, b) / (P(a) P(b))) / -ln P(a, b), with P the share
    of comments containing the terms (Bouma 2009, "Normalized (pointwise) mutual information in
    collocation extraction"; as topic coherence, Lau, Newman & Baldwin 2014, EACL). Pairs that
    never co-occur count -1. The topic's coherence is the mean over its pairs.
    """
    present = (x > 0).astype(np.float64).tocsc()
    n = max(x.shape[0], 1)
    out = np.zeros(h.shape[0])
    for j, row in enumerate(h):
        best = np.argsort(-row, kind="stable")[:top]
        best = best[row[best] > 0]
        if len(best) < 2:
            out[j] = -1.0
            continue
        block = present[:, best]
        joint = np.asarray((block.T @ block).todense()) / n
        single = np.diag(joint)
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(joint / np.outer(single, single))
            npmi = np.where(joint >= 1.0, 1.0, pmi / -np.log(joint))
        npmi = np.where(joint > 0, npmi, -1.0)
        upper = np.triu_indices(len(best), 1)
        out[j] = float(npmi[upper].mean())
    return out


def topical_terms(x: Any, *, partners: int = 3, min_npmi: float = 0.15, min_joint: int = 3) -> np.ndarray:
    """Columns of ``x`` whose terms keep company: the mean NPMI with their ``partners`` most
    associated terms (pairs seen together in at least ``min_joint`` comments) is ``min_npmi``
    or more.

    Words spread through the comments independently of what they are about (今天, 外卖, 一份)
    co-occur with others at chance (NPMI near 0) and would otherwise take whole topics, since
    NMF fits the variance they carry; the words of a subject co-occur above chance.
    """
    present = (x > 0).astype(np.float64).tocsc()
    n = max(x.shape[0], 1)
    joint = np.asarray((present.T @ present).todense())
    single = np.diag(joint) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        p = joint / n
        npmi = np.log(p / np.outer(single, single)) / -np.log(p)
    npmi = np.where((joint >= min_joint) & (p < 1.0), npmi, -1.0)
    np.fill_diagonal(npmi, -1.0)
    best = -np.sort(-npmi, axis=1)[:, :partners] if npmi.shape[1] else npmi
    score = best.mean(axis=1) if best.shape[1] else np.zeros(0)
    return np.flatnonzero(score >= min_npmi)
