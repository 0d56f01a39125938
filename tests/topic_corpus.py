"""A corpus with planted topics and planted effects on a 0-10 score, for the topic tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Planted topics: the words that mention each (all kept whole by jieba's dictionary).
PLANTED: dict[str, list[str]] = {
    "delivery": ["配送", "骑手", "迟到", "小时", "超时", "催单", "送达", "路上"],
    "taste": ["味道", "口感", "好吃", "难吃", "新鲜", "油腻", "口味", "清淡"],
    "packaging": ["包装", "餐盒", "破损", "密封", "塑料袋", "盒子", "汤汁", "漏出"],
    "price": ["价格", "优惠", "红包", "满减", "便宜", "划算", "折扣", "活动"],
    "service": ["客服", "退款", "投诉", "电话", "态度", "处理", "回复", "解决"],
    "portion": ["分量", "米饭", "份量", "吃饱", "太少", "足够", "加量", "小份"],
}
FILLER = ["今天", "中午", "晚上", "一份", "感觉", "这次", "下次", "朋友", "外卖", "公司"]


def planted_corpus(
    n: int = 2000,
    *,
    seed: int = 0,
    topics: list[str] | None = None,
    effects: dict[str, float] | None = None,
    p_topic: float = 0.25,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Comments mentioning each topic independently with probability ``p_topic`` (2-4 of its
    words), with filler words; ``score`` = 8 + sum of the effects of the topics present +
    N(0, 1.5), rounded and clipped to 0..10. Returns the frame and the 0/1 topic matrix."""
    rng = np.random.default_rng(seed)
    names = list(PLANTED) if topics is None else topics
    effects = {"delivery": -3.0, "packaging": -2.0} if effects is None else effects
    present = rng.random((n, len(names))) < p_topic
    comments = []
    for row in present:
        parts = []
        for j in np.flatnonzero(row):
            vocab = PLANTED[names[j]]
            parts.append("".join(rng.choice(vocab, size=rng.integers(2, 5), replace=False)))
        parts.append("".join(rng.choice(FILLER, size=rng.integers(1, 3), replace=False)))
        order = rng.permutation(len(parts))
        comments.append("，".join(parts[i] for i in order))
    shift = present.astype(float) @ np.array([effects.get(t, 0.0) for t in names])
    score = np.clip(np.round(8 + shift + rng.normal(0, 1.5, n)), 0, 10).astype(np.int64)
    return pd.DataFrame({"comment": comments, "score": score}), present
