"""Train the neural part of cxmetrics' sentiment model and ensemble it with the linear scorers.

    python scripts/sentiment_neural.py --linear src/cxmetrics/text/data/sentiment_model.npz \\
        --out src/cxmetrics/text/data/sentiment_model.npz
    python scripts/sentiment_neural.py --validation --linear LINEAR_VAL.npz --out /tmp/val.npz

Needs PyTorch (the ``train`` extra); the library scores the result with numpy only
(``cxmetrics.text._neural``). The network: a word and a character convolutional tower (embedding
dimensions 64 and 32, 64 and 48 filters of each width 1, 2, 3, ReLU, max-pooled over time; Kim
2014, "Convolutional neural networks for sentence classification") and one linear output layer.
It is trained on the rows the linear trainer uses (training reviews, their clauses, the
topic-only fragments, here once with target 1/2), drawn at random with fixed shares (60 %
reviews, 25 % clauses, 15 % fragments, within a kind in proportion to the linear trainer's
weights) so the frequent fragments do not crowd the reviews out; dropout 0.5 (0.25 on the
embeddings), AdamW (learning rate 2e-3 times 0.6 after each epoch, weight decay 0.01), 2 epochs.
The ensemble ``P = σ(a (z_linear + r z_neural) + b)`` is a logistic regression on the two logits
over the calibration part, domain balanced as the linear Platt transform; the recentring of
short texts (``scripts/sentiment_model.py``) and the neutral band are remeasured on the held-out
fragments. The numpy scorer is checked against PyTorch's forward pass
on texts neither saw (largest logit difference at most 1e-5).

``--linear`` is a weights file written by ``scripts/sentiment_model.py train`` on the same split.
With ``--validation`` (on both scripts) the training reviews in hash buckets 28–37 are held out and
each epoch reports their accuracy per domain for the linear model, the network and the ensemble:
the figures the design and the epochs were chosen on. The test part is never looked at here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentiment_model import (
    CORPORA,
    DEFAULT_DATA,
    clause_examples,
    domain_weights,
    load,
    topic_words,
)

WIDTHS = (1, 2, 3)


def vocabulary(token_lists: list[list[str]], cap: int | None, min_count: int) -> list[str]:
    """Tokens seen in at least ``min_count`` training reviews, most frequent first (ties by token)."""
    counts = Counter(t for tokens in token_lists for t in set(tokens))
    kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return kept[:cap] if cap else kept


def build_net(n_words: int, n_chars: int, dims: list[int], filters: list[int], dropout: float) -> Any:
    """The network; ``cxmetrics.text._neural`` computes the same function in numpy."""
    import torch
    from torch import nn

    class Tower(nn.Module):
        def __init__(self, rows: int, dim: int, count: int) -> None:
            super().__init__()
            self.embedding = nn.Embedding(rows, dim, padding_idx=0)
            nn.init.normal_(self.embedding.weight, std=0.1)
            with torch.no_grad():
                self.embedding.weight[0].zero_()
            # padding w − 1 on both sides: every window touching the text, as the numpy scorer
            self.convs = nn.ModuleList(nn.Conv1d(dim, count, w, padding=w - 1) for w in WIDTHS)
            self.drop = nn.Dropout(dropout / 2)

        def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            x = self.drop(self.embedding(ids)).transpose(1, 2)  # batch × dim × time
            pooled = []
            for w, conv in zip(WIDTHS, self.convs, strict=True):
                h = torch.relu(conv(x))  # batch × filters × (time + w − 1)
                valid = torch.arange(h.shape[2])[None, :] < (lengths + w - 1)[:, None]
                pooled.append((h * valid[:, None, :]).amax(dim=2))  # ReLU ≥ 0: masked windows are 0
            return torch.cat(pooled, dim=1)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = Tower(n_words, dims[0], filters[0])
            self.chars = Tower(n_chars, dims[1], filters[1])
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(len(WIDTHS) * (filters[0] + filters[1]), 1)

        def forward(
            self, w: torch.Tensor, wl: torch.Tensor, c: torch.Tensor, cl: torch.Tensor
        ) -> torch.Tensor:
            features = torch.cat([self.words(w, wl), self.chars(c, cl)], dim=1)
            return self.out(self.drop(features)).squeeze(1)

    return Net()


def padded(rows: list[np.ndarray]) -> tuple[Any, Any]:
    """A batch of id sequences as a zero-padded tensor and the lengths."""
    import torch

    lengths = np.array([len(r) for r in rows])
    out = np.zeros((len(rows), max(1, int(lengths.max()))), dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return torch.from_numpy(out), torch.from_numpy(lengths)


def batches(order: np.ndarray, lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar length (sorted within runs of 50 batches), in random order."""
    out = []
    run = size * 50
    for start in range(0, len(order), run):
        chunk = order[start : start + run]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--data", type=Path, default=DEFAULT_DATA)
    add("--linear", type=Path, required=True, help="the linear model, trained on the same split")
    add("--out", type=Path, required=True)
    add("--validation", action="store_true", help="hold out hash buckets 28-37 and report them")
    add("--epochs", type=int, default=2)
    add("--dims", default="64,32", help="embedding dimensions: words, characters")
    add("--filters", default="64,48", help="filters of each width: words, characters")
    add("--dropout", type=float, default=0.5, help="before the output layer (half on the embeddings)")
    add("--lr", type=float, default=2e-3)
    add("--decay", type=float, default=0.6, help="learning rate factor per epoch")
    add("--weight-decay", type=float, default=0.01, help="AdamW's decoupled weight decay")
    add("--batch", type=int, default=128)
    add("--seed", type=int, default=2026)
    add("--min-count", type=int, default=2, help="training reviews a token must be in")
    add("--vocabulary", type=int, default=40000, help="most frequent words kept")
    add(
        "--balance", type=float, default=0.0, help="power of the linear trainer's 1/sqrt(domain size) weights"
    )
    add("--shares", default="0.6,0.25,0.15", help="shares of the draws: reviews, clauses, fragments")
    add("--dump", type=Path, default=None, help="write each epoch's calibration/validation logits here")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    import torch
    from sklearn.linear_model import LogisticRegression

    from cxmetrics.text._features import model_words
    from cxmetrics.text._model import SentimentModel

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    reviews = load(args.data, args.validation)
    reviews["weight"] = 1.0
    short = clause_examples(reviews[reviews["part"] == "train"], topic_words())
    everything = pd.concat([reviews, short], ignore_index=True)
    started = time.perf_counter()
    words = model_words(everything["review"].tolist())
    chars = ["".join(w) for w in words]
    print(f"words of {len(everything)} texts in {time.perf_counter() - started:.0f} s", flush=True)
    part = everything["part"].to_numpy()
    is_review = part == "train"
    word_vocab = vocabulary(
        [w for w, r in zip(words, is_review, strict=True) if r], args.vocabulary, args.min_count
    )
    char_vocab = vocabulary(
        [list(c) for c, r in zip(chars, is_review, strict=True) if r], None, args.min_count
    )
    word_row = {w: i + 2 for i, w in enumerate(word_vocab)}
    char_row = {c: i + 2 for i, c in enumerate(char_vocab)}
    word_ids = [np.array([word_row.get(w, 1) for w in ws], dtype=np.int64) for ws in words]
    char_ids = [np.array([char_row.get(c, 1) for c in cs], dtype=np.int64) for cs in chars]
    print(f"{len(word_vocab)} words, {len(char_vocab)} characters", flush=True)

    # Training rows: a fragment is one row per label in the linear trainer, here one row, target 1/2.
    fit = np.flatnonzero(np.isin(part, ["train", "clause"]))
    fragment_rows = np.flatnonzero(part == "fragment")[::2]
    rows = np.concatenate([fit, fragment_rows])
    labels = everything["label"].to_numpy()
    target = np.concatenate([labels[fit].astype(float), np.full(len(fragment_rows), 0.5)])
    weight = everything["weight"].to_numpy()[rows] * np.where(np.arange(len(rows)) < len(fit), 1.0, 2.0)
    fit_mask = np.isin(part, ["train", "clause", "fragment"])
    balance = pd.Series(domain_weights(everything.loc[fit_mask, "domain"]), index=np.flatnonzero(fit_mask))
    weight = weight * balance.loc[rows].to_numpy() ** args.balance
    # Fragments hold 60 % of the linear trainer's weight; drawn that often they would crowd the
    # reviews out of the network's epochs, so each kind gets a fixed share of the draws.
    kind = np.where(np.arange(len(rows)) >= len(fit), 2, np.where(part[rows] == "clause", 1, 0))
    for k, share in enumerate(float(x) for x in args.shares.split(",")):
        weight[kind == k] *= share / weight[kind == k].sum()
    probability = weight / weight.sum()
    lengths = np.array([len(c) for c in chars])

    dims = [int(x) for x in args.dims.split(",")]
    filters = [int(x) for x in args.filters.split(",")]
    net = build_net(len(word_vocab) + 2, len(char_vocab) + 2, dims, filters, args.dropout)
    optimiser = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma=args.decay)
    linear = SentimentModel.load(args.linear)

    def net_logits(index: np.ndarray) -> np.ndarray:
        net.eval()
        out = np.zeros(len(index))
        order = np.argsort(lengths[index], kind="stable")
        with torch.no_grad():
            for s in range(0, len(order), 512):
                pos = order[s : s + 512]
                out[pos] = net(
                    *padded([word_ids[i] for i in index[pos]]), *padded([char_ids[i] for i in index[pos]])
                )
        return out

    cal = np.flatnonzero(part == "calibration")
    val = np.flatnonzero(part == "validation")
    z_lin_cal = linear.linear_scores([words[i] for i in cal])[0]
    z_lin_val = linear.linear_scores([words[i] for i in val])[0]
    cal_weight = domain_weights(everything.loc[cal, "domain"])
    domains = everything["domain"].to_numpy()
    platt = LogisticRegression(C=1e6).fit(z_lin_cal[:, None], labels[cal], sample_weight=cal_weight)

    for epoch in range(1, args.epochs + 1):
        net.train()
        drawn = rng.choice(len(rows), size=len(rows), p=probability)
        began, total = time.perf_counter(), 0.0
        for b in batches(drawn, lengths[rows], args.batch, rng):
            idx = rows[b]
            logit = net(*padded([word_ids[i] for i in idx]), *padded([char_ids[i] for i in idx]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logit, torch.from_numpy(target[b]).float()
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(b)
        schedule.step()
        z_nn_cal = net_logits(cal)
        ensemble = LogisticRegression(C=1e6).fit(
            np.c_[z_lin_cal, z_nn_cal], labels[cal], sample_weight=cal_weight
        )
        print(
            f"epoch {epoch}: loss {total / len(rows):.4f}, {time.perf_counter() - began:.0f} s, "
            f"ensemble slopes {ensemble.coef_[0].round(3).tolist()}, offset {ensemble.intercept_[0]:.3f}",
            flush=True,
        )
        z_nn_val = net_logits(val)
        if len(val):
            p_lin = platt.predict_proba(z_lin_val[:, None])[:, 1]
            p_ens = ensemble.predict_proba(np.c_[z_lin_val, z_nn_val])[:, 1]
            for d in CORPORA:
                m = domains[val] == d
                y = labels[val][m]
                print(
                    f"  validation {d}: linear {((p_lin[m] > 0.5) == y).mean():.4f}, network "
                    f"{((z_nn_val[m] > 0) == y).mean():.4f}, ensemble {((p_ens[m] > 0.5) == y).mean():.4f}"
                )
        if args.dump is not None:
            np.savez(
                args.dump.with_suffix(f".epoch{epoch}.npz"),
                cal=cal,
                val=val,
                z_lin_cal=z_lin_cal,
                z_lin_val=z_lin_val,
                z_nn_cal=z_nn_cal,
                z_nn_val=z_nn_val,
                y=labels,
                domains=domains.astype(str),
            )
    export(args, net, word_vocab, char_vocab, ensemble, words, part, word_ids, char_ids)


def export(
    args: argparse.Namespace,
    net: Any,
    word_vocab: list[str],
    char_vocab: list[str],
    ensemble: Any,
    words: list[list[str]],
    part: np.ndarray,
    word_ids: list[np.ndarray],
    char_ids: list[np.ndarray],
) -> None:
    """Write the linear model plus the network and the ensemble calibration to ``args.out``."""
    import torch

    from cxmetrics.text._model import SentimentModel
    from cxmetrics.text._neural import NeuralScorer

    # Embeddings ship as float16; the network is rounded the same way before the check.
    with torch.no_grad():
        for tower in (net.words, net.chars):
            tower.embedding.weight.copy_(tower.embedding.weight.half().float())
    arrays: dict[str, np.ndarray] = {
        "neural_words": np.frombuffer("\n".join(word_vocab).encode("utf-8"), dtype=np.uint8),
        "neural_chars": np.array([ord(c) for c in char_vocab], dtype=np.int32),
        "neural_output": net.out.weight.detach().numpy()[0].astype(np.float32),
    }
    for name, tower in (("word", net.words), ("char", net.chars)):
        arrays[f"neural_{name}_embedding"] = tower.embedding.weight.detach().numpy().astype(np.float16)
        for w, conv in zip(WIDTHS, tower.convs, strict=True):
            arrays[f"neural_{name}_kernel{w}"] = conv.weight.detach().numpy().astype(np.float32)
            arrays[f"neural_{name}_bias{w}"] = conv.bias.detach().numpy().astype(np.float32)
    a, c = float(ensemble.coef_[0, 0]), float(ensemble.coef_[0, 1])
    neural_meta = {
        "widths": list(WIDTHS),
        "output_intercept": float(net.out.bias.detach().numpy()[0]),
        "weight": c / a,
        "words": len(word_vocab),
        "chars": len(char_vocab),
        "epochs": args.epochs,
        "dims": args.dims,
        "filters": args.filters,
        "dropout": args.dropout,
        "lr": args.lr,
        "decay": args.decay,
        "weight_decay": args.weight_decay,
        "shares": args.shares,
        "batch": args.batch,
        "seed": args.seed,
    }
    scorer = NeuralScorer(arrays, neural_meta)

    # numpy against PyTorch on texts neither trained on (the test part when not validating)
    check = np.flatnonzero(part == ("validation" if args.validation else "test"))[:3000]
    check = np.concatenate([check, np.flatnonzero(part == "fragment_test")[:500]])
    net.eval()
    ours = scorer.logits([words[i] for i in check])
    with torch.no_grad():
        theirs = np.concatenate(
            [
                net(
                    *padded([word_ids[i] for i in check[s : s + 256]]),
                    *padded([char_ids[i] for i in check[s : s + 256]]),
                ).numpy()
                for s in range(0, len(check), 256)
            ]
        )
    gap = float(np.max(np.abs(ours - theirs)))
    print(f"largest numpy / PyTorch logit difference on {len(check)} unseen texts: {gap:.2e}")
    if gap > 1e-5:
        raise RuntimeError("the numpy neural scorer disagrees with PyTorch")

    model = SentimentModel.load(args.linear)
    linear_meta = {k: v for k, v in model.meta.items() if k not in ("neural", "linear_calibration")}
    combined = SentimentModel(
        vocabulary=model.vocabulary,
        idf=model.idf,
        tfidf_weights=model.tfidf_weights,
        nb_ratio=model.nb_ratio,
        nb_weights=model.nb_weights,
        intercepts=model.intercepts,
        calibration=(a, float(ensemble.intercept_[0])),
        meta=dict(linear_meta, neural=neural_meta, linear_calibration=list(model.calibration)),
        experts=model.experts,
        neural=scorer,
    )
    held = np.flatnonzero(part == "fragment_test")[::2]
    raw, _ = combined.raw_scores([words[i] for i in held])
    # recentred like the linear model (scripts/sentiment_model.py): the held-out fragments,
    # all short, get their median at 0.5
    logits = a * raw + float(ensemble.intercept_[0])
    combined.meta["recentring"] = -float(np.median(logits))
    neutral = 1.0 / (1.0 + np.exp(-(logits + combined.meta["recentring"])))
    band = [float(np.quantile(neutral, 0.05)), float(np.quantile(neutral, 0.95))]
    print(f"neutral band from {len(held)} held-out fragments: {band[0]:.3f} – {band[1]:.3f}")
    combined.meta["neutral_band"] = band
    combined.save(args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB); "
        f"P = σ({a:.3f} (z_linear + {c / a:.3f} z_neural) + {float(ensemble.intercept_[0]):.3f})"
    )
    print(json.dumps(neural_meta))


if __name__ == "__main__":
    main()
