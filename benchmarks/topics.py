"""Topics and their impact on NPS against the sentiment pass on the same comments (goal < 2x).

    python benchmarks/topics.py                  # 10,000 and 100,000 comments
    python benchmarks/topics.py --smoke          # 300 comments, once (the CI smoke run)

Comments are drawn (seeded) from the shared review corpora when present (``shared/data/sentiment``
beside the project), else from a fixed set; each gets a 0-10 score from its sentiment label
(positive 7-10, negative 0-8). cxmetrics' side is ``topics`` (k chosen by stability) followed by
``topic_impact`` (200 bootstrap resamples of the joint model); the baseline is ``sentiment`` on
the same comments. Figures are CPU seconds (``time.process_time``) after a warm-up that loads the
jieba dictionary and the sentiment weights: the median of ``--repeat`` calls (the largest size
runs once) and the peak resident-memory growth during the calls.
"""

from __future__ import annotations

import argparse
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

_HERE = Path(__file__).resolve()
CORPORA = next((p / "shared" / "data" / "sentiment" for p in _HERE.parents[1:4]
                if (p / "shared" / "data" / "sentiment").is_dir()), Path("absent"))
FALLBACK = [
    ("送餐太慢了，等了一个多小时，饭都凉了", 0),
    ("骑手迟到半小时，配送太慢", 0),
    ("味道不错，分量也足，下次还点", 1),
    ("包装破损，汤洒了一袋子", 0),
    ("味道很好，口感新鲜", 1),
    ("客服态度很好，退款处理及时", 1),
]


def comments(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    if CORPORA.is_dir():
        pool = pd.concat([pd.read_csv(p)[["review", "label"]] for p in sorted(CORPORA.glob("*.csv"))])
        texts, labels = pool["review"].astype(str).tolist(), pool["label"].to_numpy()
    else:
        texts, labels = [t for t, _ in FALLBACK], np.array([lab for _, lab in FALLBACK])
    pick = rng.integers(0, len(texts), n)
    positive = labels[pick] == 1
    score = np.where(positive, rng.integers(7, 11, n), rng.integers(0, 9, n))
    return pd.DataFrame({"comment": [texts[i] for i in pick], "ltr": score})


def cpu_seconds(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
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
    parser.add_argument("--sizes", default="10000,100000", help="comments per run")
    parser.add_argument("--repeat", type=int, default=3, help="calls per size below the largest")
    parser.add_argument("--smoke", action="store_true", help="300 comments, once")
    args = parser.parse_args()
    sizes = [300] if args.smoke else [int(float(s)) for s in args.sizes.split(",")]

    from cxmetrics.text import sentiment, topic_impact, topics

    warm = comments(300)
    sentiment(warm["comment"])
    topics(warm, text="comment", k=2)

    fitted: list[Any] = []

    def ours(frame: pd.DataFrame) -> Any:
        model = topics(frame, text="comment", seed=0)
        fitted.append(model)
        return topic_impact(frame, score="ltr", topics=model, text="comment", target=50)

    print(f"{'comments':>9} {'topics+impact s':>16} {'sentiment s':>12} {'ratio':>6} {'goal':>5} "
          f"{'cx MB':>6} {'sentiment MB':>13} {'k':>3}")
    for size in sizes:
        frame = comments(size)
        repeat = 1 if args.smoke or size == max(sizes) else args.repeat
        cx_s, cx_mb = cpu_seconds(lambda f=frame: ours(f), repeat)
        base_s, base_mb = cpu_seconds(lambda f=frame: sentiment(f["comment"]), repeat)
        k = fitted[-1].k
        print(f"{size:>9,} {cx_s:>16.2f} {base_s:>12.2f} {cx_s / base_s:>6.2f} {'< 2':>5} "
              f"{cx_mb:>6.0f} {base_mb:>13.0f} {k:>3}")


if __name__ == "__main__":
    main()
