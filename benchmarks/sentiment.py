"""Sentiment throughput in characters per CPU-second: cxmetrics against snownlp, same texts, same run.

    python benchmarks/sentiment.py                 # 10,000 reviews, 3 repeats
    python benchmarks/sentiment.py --reviews 2000 --sizes 1000,10000,100000
    python benchmarks/sentiment.py --smoke     # every case once on 100 reviews (CI)

Reviews are drawn (seeded) from the shared development corpora when they are present
(``../shared/data/sentiment``, or ``$CXMETRICS_DATA/sentiment``), else built from a fixed set of
comments. Each figure is the median of ``--repeat`` runs of CPU time (``time.process_time``) after
one warm-up call, so the dictionary and weights loads are excluded (they are reported separately);
snownlp runs once. The stage breakdown times each step of the pipeline on its own. Peak memory is
the resident-set growth during the call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from run import _PeakSampler, _rss_mb

# The shared data sit beside the repository (../shared/data); CXMETRICS_DATA points elsewhere.
DATA = os.environ.get("CXMETRICS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
CORPORA = Path(DATA) / "sentiment"
FALLBACK = [
    "客服态度很好，解决问题迅速",
    "送餐太慢了，等了一个多小时，饭都凉了",
    "味道不错，分量也足，下次还点",
    "质量太差，用了两天就坏了，再也不买了",
    "酒店位置很好，房间干净，就是隔音一般",
    "包装破损，但是客服处理得很及时",
]


def reviews(n: int) -> list[str]:
    rng = np.random.default_rng(7)
    if CORPORA.is_dir():
        pool = pd.concat(
            [pd.read_csv(p)["review"].astype(str) for p in sorted(CORPORA.glob("*.csv"))]
        ).tolist()
    else:
        pool = FALLBACK
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def cpu_seconds(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    call()
    base = _rss_mb()
    sampler = _PeakSampler()
    sampler.start()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return statistics.median(times), max(sampler.stop() - base, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--reviews", type=int, default=10_000, help="texts in the snownlp comparison")
    parser.add_argument("--sizes", default="1000,10000,100000", help="texts for the growth table")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="every case once on 100 reviews")
    args = parser.parse_args()
    if args.smoke:
        args.reviews, args.sizes, args.repeat = 100, "100", 1

    start = time.process_time()
    from cxmetrics.text import sentiment
    from cxmetrics.text._features import clean_words, normalise_for_model, word_lists
    from cxmetrics.text._model import shipped_model
    from cxmetrics.text._tokenize import tokenizer

    shipped_model()
    loaded = time.process_time()
    tokenizer()
    normalise_for_model("預熱")
    print(
        f"one-time loads: weights {loaded - start:.2f} CPU s, jieba dictionary and script tables "
        f"{time.process_time() - loaded:.2f} CPU s\n"
    )

    texts = reviews(args.reviews)
    chars = sum(map(len, texts))
    ours, ours_mb = cpu_seconds(lambda: sentiment(texts), args.repeat)
    from snownlp import SnowNLP

    begin = time.process_time()
    for t in texts:
        _ = SnowNLP(t).sentiments
    snow = time.process_time() - begin
    print(f"{len(texts):,} reviews, {chars:,} characters")
    print(f"{'method':<28} {'CPU s':>8} {'chars / CPU s':>14} {'peak MB':>8}")
    print(f"{'cxmetrics sentiment':<28} {ours:>8.2f} {chars / ours:>14,.0f} {ours_mb:>8.0f}")
    print(f"{'snownlp SnowNLP.sentiments':<28} {snow:>8.2f} {chars / snow:>14,.0f} {'':>8}")
    print(f"speed-up: {snow / ours:.1f}x (goal 20x)\n")

    normalised = [normalise_for_model(t) for t in texts]
    words = [clean_words(w) for w in word_lists(tokenizer(), normalised)]
    model = shipped_model()
    stages = {
        "normalise": lambda: [normalise_for_model(t) for t in texts],
        "jieba without HMM (as scored)": lambda: word_lists(tokenizer(), normalised),
        "jieba with HMM (tokenize)": lambda: [tokenizer().lcut(t) for t in normalised],
        "features + score (encoder)": lambda: model.linear_scores(words),
    }
    if model.neural is not None:
        stages["neural scorer"] = lambda: model.neural_scores(words)
    print(f"{'stage':<30} {'CPU s':>8} {'chars / CPU s':>14} {'share':>6}")
    timed = {name: cpu_seconds(call, args.repeat)[0] for name, call in stages.items()}
    pipeline = sum(v for k, v in timed.items() if "tokenize" not in k)
    for name, seconds in timed.items():
        share = "" if "tokenize" in name else f"{seconds / pipeline:>6.0%}"
        print(f"{name:<30} {seconds:>8.3f} {chars / seconds:>14,.0f} {share:>6}")

    print(f"\n{'texts':>8} {'CPU s':>8} {'chars / CPU s':>14} {'peak MB':>8}")
    for size in (int(float(s)) for s in args.sizes.split(",")):
        batch = reviews(size)
        seconds, mb = cpu_seconds(lambda b=batch: sentiment(b), args.repeat)
        print(f"{size:>8,} {seconds:>8.2f} {sum(map(len, batch)) / seconds:>14,.0f} {mb:>8.0f}")


if __name__ == "__main__":
    main()
