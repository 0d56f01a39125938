"""Feedback mining throughput on many reviews, each step against the sentiment pass itself.

    python benchmarks/feedback.py                       # 100,000 reviews, 10 stores
    python benchmarks/feedback.py --reviews 20000 --repeat 3
    python benchmarks/feedback.py --smoke          # every step once on 300 reviews (CI)

The issue's bar: no step slower than the sentiment pass by more than 2x. CPU seconds
(``time.process_time``), median of ``--repeat`` runs after a warm-up on a small batch; peak
memory is the resident-set growth during the calls.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from sentiment import cpu_seconds, reviews


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="every step once on 300 reviews")
    args = parser.parse_args()
    if args.smoke:
        args.reviews, args.repeat = 300, 1

    from cxmetrics.text import aspect_sentiment, flag_negative, keywords, ngrams, sentiment, word_freq

    texts = reviews(args.reviews)
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"store": rng.integers(0, 10, len(texts)).astype(str), "comment": texts})
    chars = sum(map(len, texts))
    sentiment(texts[:200])  # load the weights and the dictionary before timing
    steps = {
        "sentiment (reference)": lambda: sentiment(frame, text="comment"),
        "keywords tfidf, by store": lambda: keywords(frame, text="comment", by="store"),
        "keywords textrank, by store": lambda: keywords(frame, text="comment", by="store", method="textrank"),
        "word_freq, by store": lambda: word_freq(frame, text="comment", by="store"),
        "ngrams (2), by store": lambda: ngrams(frame, text="comment", by="store"),
        "aspect_sentiment, by store": lambda: aspect_sentiment(frame, text="comment", by="store"),
        "flag_negative (text)": lambda: flag_negative(frame, text="comment"),
    }
    print(f"{len(texts):,} reviews, {chars:,} characters")
    print(f"{'step':<30} {'CPU s':>8} {'reviews / CPU s':>16} {'x sentiment':>12} {'peak MB':>8}")
    reference = None
    for name, call in steps.items():
        seconds, mb = cpu_seconds(call, args.repeat)
        reference = reference or seconds
        print(
            f"{name:<30} {seconds:>8.2f} {len(texts) / seconds:>16,.0f} "
            f"{seconds / reference:>12.2f} {mb:>8.0f}"
        )


if __name__ == "__main__":
    main()
