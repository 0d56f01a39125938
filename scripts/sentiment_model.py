"""Train and evaluate cxmetrics' sentiment model on the development corpora.

    python scripts/sentiment_model.py train    [--data DIR]  # writes src/cxmetrics/text/data/*.npz
    python scripts/sentiment_model.py evaluate [--data DIR]  # held-out figures for the model card

Needs scikit-learn (training only; the library scores with numpy). The split is a fixed hash of
each review, so it is the same on every machine: 20 % test (never trained on, never used to
choose anything), 8 % calibration (the Platt transform), 72 % training. ``evaluate`` scores the
test part with the *shipped* weights through the public API, next to snownlp and a plain
TF-IDF + logistic-regression baseline trained on the same training part.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
WEIGHTS = ROOT / "src" / "cxmetrics" / "text" / "data" / "sentiment_model.npz"
RESULTS = ROOT / "docs" / "guide" / "sentiment_evaluation.json"
CORPORA = {"waimai": "waimai_dev.csv", "shopping": "online_shopping_dev.csv", "nlpcc": "nlpcc2014_train.csv"}
MIN_DF = 3
C_TFIDF = float(os.environ.get("CX_C_TFIDF", 4.0))
C_NB = float(os.environ.get("CX_C_NB", 4.0))
SNOWNLP_SAMPLE = 20000  # per domain (all of each test part): snownlp scores ~5,000 characters a second


def load(data: Path) -> pd.DataFrame:
    frames = []
    for domain, name in CORPORA.items():
        frame = pd.read_csv(data / name)
        frames.append(
            pd.DataFrame({"review": frame["review"].astype(str), "label": frame["label"], "domain": domain})
        )
    reviews = pd.concat(frames, ignore_index=True)
    bucket = reviews["review"].map(lambda s: int(hashlib.md5(s.encode("utf-8")).hexdigest()[:8], 16) % 100)
    reviews["part"] = np.select([bucket < 20, bucket < 28], ["test", "calibration"], "train")
    return reviews


def domain_weights(domains: pd.Series) -> np.ndarray:
    # 1/sqrt(domain size): the small domains count for more than their share without the
    # 36k shopping reviews counting for as little as 7k food-delivery ones.
    weights = 1.0 / np.sqrt(domains.map(domains.value_counts()).to_numpy(dtype=float))
    return weights / weights.mean()


def train(data: Path) -> None:
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    from cxmetrics.text._features import FEATURE_VERSION, model_features
    from cxmetrics.text._model import SentimentModel

    reviews = load(data)
    started = time.perf_counter()
    feats = model_features(reviews["review"].tolist())
    print(f"features of {len(reviews)} reviews in {time.perf_counter() - started:.1f} s")
    is_train = (reviews["part"] == "train").to_numpy()
    is_cal = (reviews["part"] == "calibration").to_numpy()
    train_feats = [f for f, keep in zip(feats, is_train, strict=True) if keep]
    y = reviews["label"].to_numpy()[is_train]

    def identity(x: list[str]) -> list[str]:
        return x

    vocabulary = CountVectorizer(analyzer=identity, binary=True, min_df=MIN_DF)
    presence = vocabulary.fit_transform([p + m for p, m in train_feats])
    idf = np.log((1.0 + presence.shape[0]) / (1.0 + np.asarray(presence.sum(axis=0)).ravel())) + 1.0
    pos = np.asarray(presence[y == 1].sum(axis=0)).ravel() + 1.0
    neg = np.asarray(presence[y == 0].sum(axis=0)).ravel() + 1.0
    ratio = np.log(pos / pos.sum()) - np.log(neg / neg.sum())

    counter = CountVectorizer(analyzer=identity, vocabulary=vocabulary.vocabulary_)

    def matrices(rows: list[tuple[list[str], list[str]]]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The two scorers' inputs: signed sublinear TF-IDF and signed NB-scaled presence, L2-normalised."""
        signed = (counter.transform([p for p, _ in rows]) - counter.transform([m for _, m in rows])).tocsr()
        signed.eliminate_zeros()
        tf = signed.copy()
        tf.data = np.sign(tf.data) * (1.0 + np.log(np.abs(tf.data)))
        direction = signed.copy()
        direction.data = np.sign(direction.data)
        return normalize(tf @ sparse.diags(idf)), normalize(direction @ sparse.diags(ratio))

    x_tfidf, x_nb = matrices(train_feats)
    tfidf_model = LogisticRegression(C=C_TFIDF, max_iter=5000).fit(x_tfidf, y)
    nb_model = LogisticRegression(C=C_NB, max_iter=5000).fit(
        x_nb, y, sample_weight=domain_weights(reviews.loc[is_train, "domain"])
    )

    def raw(rows: list[tuple[list[str], list[str]]]) -> np.ndarray:
        a, b = matrices(rows)
        return tfidf_model.decision_function(a) + nb_model.decision_function(b)

    cal_feats = [f for f, keep in zip(feats, is_cal, strict=True) if keep]
    # Domain-balanced like the NB scorer: fitted on the pooled split, the transform would follow
    # the shopping reviews and be over-confident on the noisier food-delivery and NLPCC ones.
    platt = LogisticRegression(C=1e6).fit(
        raw(cal_feats)[:, None],
        reviews["label"].to_numpy()[is_cal],
        sample_weight=domain_weights(reviews.loc[is_cal, "domain"]),
    )

    terms = np.empty(len(vocabulary.vocabulary_), dtype=object)
    for term, index in vocabulary.vocabulary_.items():
        terms[index] = term
    if any("\n" in t for t in terms):
        raise RuntimeError("a feature contains a newline; the vocabulary blob is newline-separated")
    meta = {
        "feature_version": FEATURE_VERSION,
        "intercepts": [float(tfidf_model.intercept_[0]), float(nb_model.intercept_[0])],
        "calibration": [float(platt.coef_[0, 0]), float(platt.intercept_[0])],
        "features": len(terms),
        "training_reviews": int(is_train.sum()),
        "calibration_reviews": int(is_cal.sum()),
        "min_df": MIN_DF,
        "C": [C_TFIDF, C_NB],
        "corpora": CORPORA,
    }
    arrays = {
        "vocabulary": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        "idf": idf.astype(np.float32),
        "tfidf_weights": tfidf_model.coef_[0].astype(np.float32),
        "nb_ratio": ratio.astype(np.float32),
        "nb_weights": nb_model.coef_[0].astype(np.float32),
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
    }
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(WEIGHTS, **arrays)

    # The library's numpy scorer must reproduce scikit-learn's on unseen text (float32 weights).
    model = SentimentModel.from_arrays(np.load(WEIGHTS))
    test_feats = [f for f, part in zip(feats, reviews["part"], strict=True) if part == "test"]
    ours, _ = model.logits(test_feats)
    gap = float(np.max(np.abs(ours - raw(test_feats))))
    print(
        f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size / 1e6:.1f} MB, {len(terms)} features); "
        f"max logit gap to scikit-learn {gap:.2e}"
    )
    if gap > 1e-3:
        raise RuntimeError("the library's scorer disagrees with scikit-learn")


def baseline_predictions(train_part: pd.DataFrame, test_part: pd.DataFrame) -> np.ndarray:
    """The issue's plain baseline: TF-IDF over jieba words (1–2-grams) and characters (1–3-grams),
    logistic regression, trained on all three development sets (raw text, the global jieba)."""
    import jieba
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def words(text: str) -> list[str]:
        tokens = jieba.lcut(text)
        return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]

    word_vec = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=2)
    char_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    x = sparse.hstack(
        [word_vec.fit_transform(train_part["review"]), char_vec.fit_transform(train_part["review"])]
    )
    fitted = LogisticRegression(C=1.0, max_iter=5000).fit(x.tocsr(), train_part["label"])
    x_test = sparse.hstack([word_vec.transform(test_part["review"]), char_vec.transform(test_part["review"])])
    return fitted.predict_proba(x_test.tocsr())[:, 1]


def calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error over equal-width bins of the predicted probability."""
    edges = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = edges == b
        if inside.any():
            total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return total


def extremes(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    sure = (p < 0.01) | (p > 0.99)
    right = (p > 0.5) == (y == 1)
    return {
        "share": float(sure.mean()),
        "accuracy": float(right[sure].mean()) if sure.any() else float("nan"),
    }


def evaluate(data: Path) -> None:
    import cxmetrics.text as text

    reviews = load(data)
    test = reviews[reviews["part"] == "test"].reset_index(drop=True)
    train_part = reviews[reviews["part"] == "train"]
    y = test["label"].to_numpy()
    ours = text.sentiment(test["review"])["score"].to_numpy()
    traditional = text.normalize(test["review"].tolist(), to="traditional", width=False, strip_urls=False)
    ours_traditional = text.sentiment(pd.Series(traditional))["score"].to_numpy()
    base = baseline_predictions(train_part, test)
    rng = np.random.default_rng(2026)
    report: dict[str, dict[str, object]] = {}
    for domain in CORPORA:
        rows = (test["domain"] == domain).to_numpy()
        sample = rng.choice(np.flatnonzero(rows), size=min(SNOWNLP_SAMPLE, int(rows.sum())), replace=False)
        snow = text.sentiment(test["review"].iloc[sample], method="snownlp")["score"].to_numpy()
        report[domain] = {
            "test_reviews": int(rows.sum()),
            "accuracy": float(((ours[rows] > 0.5) == y[rows]).mean()),
            "accuracy_traditional": float(((ours_traditional[rows] > 0.5) == y[rows]).mean()),
            "baseline_accuracy": float(((base[rows] > 0.5) == y[rows]).mean()),
            "ece": calibration_error(ours[rows], y[rows]),
            "extremes": extremes(ours[rows], y[rows]),
            "snownlp_sample": len(sample),
            "snownlp_accuracy": float(((snow > 0.5) == y[sample]).mean()),
            "snownlp_ece": calibration_error(snow, y[sample]),
            "snownlp_extremes": extremes(snow, y[sample]),
            "ours_accuracy_on_snownlp_sample": float(((ours[sample] > 0.5) == y[sample]).mean()),
        }
    report["all"] = {"ece": calibration_error(ours, y), "extremes": extremes(ours, y)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["train", "evaluate"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    (train if args.command == "train" else evaluate)(args.data)


if __name__ == "__main__":
    main()
