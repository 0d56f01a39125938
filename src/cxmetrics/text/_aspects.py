"""Aspect-based sentiment: which parts of the experience each comment praises or blames."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from cxmetrics._frame import take_rows, to_native, with_arrays
from cxmetrics._stats import proportion_interval
from cxmetrics.errors import CXMetricsError
from cxmetrics.text._input import read_grouped_texts
from cxmetrics.text._normalize import normalize_one
from cxmetrics.text._sentiment import check_thresholds, label_scores, score_texts

__all__ = ["DEFAULT_ASPECTS", "Aspect", "AspectSentiment", "aspect_sentiment", "find_aspects"]


class Aspect(NamedTuple):
    """An aspect of the experience: its Chinese name and the words that mention it."""

    name_zh: str
    terms: tuple[str, ...]


#: The default CX aspect lexicon, keyed by English name. Terms are matched as substrings of a
#: normalised clause, longest first, so keep them specific (物流, 送餐; not 快).
DEFAULT_ASPECTS: dict[str, Aspect] = {
    "service": Aspect("服务", ("服务", "客服", "售后", "服务员", "店员", "前台", "商家", "卖家", "回复")),
    "attitude": Aspect("态度", ("态度", "热情", "耐心", "礼貌", "冷漠", "不耐烦", "爱理不理", "脸色")),
    "price": Aspect(
        "价格", ("价格", "价钱", "性价比", "划算", "实惠", "便宜", "太贵", "很贵", "有点贵", "优惠", "收费")
    ),
    "delivery": Aspect(
        "物流配送",
        (
            "物流",
            "快递",
            "配送",
            "送餐",
            "送货",
            "发货",
            "到货",
            "送达",
            "送到",
            "骑手",
            "外卖小哥",
            "小哥",
            "派送",
        ),
    ),
    "speed": Aspect(
        "速度",
        ("速度", "太慢", "很慢", "好慢", "超慢", "慢死", "很快", "及时", "效率", "等了", "等太久", "迅速"),
    ),
    "quality": Aspect(
        "质量", ("质量", "做工", "品质", "材质", "正品", "假货", "坏了", "瑕疵", "次品", "耐用")
    ),
    "packaging": Aspect("包装", ("包装", "餐盒", "盒子", "破损", "漏了", "洒了", "撒了", "密封")),
    "taste": Aspect(
        "口味",
        ("味道", "口味", "口感", "好吃", "难吃", "太咸", "太淡", "油腻", "新鲜", "不新鲜", "香", "入味"),
    ),
    "portion": Aspect("分量", ("分量", "份量", "量少", "量很足", "量大", "量足")),
    "environment": Aspect(
        "环境", ("环境", "卫生", "干净", "装修", "隔音", "噪音", "吵", "房间", "设施", "氛围")
    ),
    "app": Aspect("应用", ("app", "闪退", "卡顿", "界面", "系统", "页面", "下单", "支付")),
}

# Clauses end at punctuation and before contrast words, whose clause carries its own opinion.
_CLAUSE = re.compile(r"[,.!?;:，。！？；：~～…\n\r]+|(?=但是|但|不过|可是|然而|就是)")


class AspectSentiment(NamedTuple):
    """``mentions``: one row per (text, aspect); ``summary``: one row per (group, aspect)."""

    mentions: Any
    summary: Any


def resolve_lexicon(aspects: str | Mapping[str, Aspect | Sequence[str]]) -> dict[str, Aspect]:
    if isinstance(aspects, str):
        if aspects != "default":
            raise CXMetricsError(
                f"aspects must be 'default' or a mapping of aspect -> terms, got {aspects!r}"
            )
        return DEFAULT_ASPECTS
    out: dict[str, Aspect] = {}
    for name, spec in aspects.items():
        aspect = spec if isinstance(spec, Aspect) else Aspect(str(name), tuple(spec))
        terms = tuple(str(t).lower() for t in aspect.terms if str(t).strip())
        if not terms:
            raise CXMetricsError(f"aspect {name!r} has no terms")
        out[str(name)] = Aspect(aspect.name_zh, terms)
    return out


def term_matcher(lexicon: dict[str, Aspect]) -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for name, aspect in lexicon.items():
        for term in aspect.terms:
            owner.setdefault(term, name)
    pattern = re.compile("|".join(map(re.escape, sorted(owner, key=len, reverse=True))))
    return pattern, owner


def find_aspects(text: str, pattern: re.Pattern[str], owner: dict[str, str]) -> list[tuple[str, str]]:
    """(aspect, clause) pairs of one text: each clause mentioning an aspect, once per aspect."""
    clean = normalize_one(text, to="simplified", width=True, strip_urls=True, emoji="keep", lower=True)
    found: list[tuple[str, str]] = []
    for clause in _CLAUSE.split(clean):
        clause = clause.strip()
        if not clause:
            continue
        named = dict.fromkeys(owner[m] for m in pattern.findall(clause))
        found += [(aspect, clause) for aspect in named]
    return found


def scored_mentions(texts: list[Any], lexicon: dict[str, Aspect]) -> list[dict[str, list[tuple[str, float]]]]:
    """Per text: each aspect it names → its mentioning clauses and their P(positive), in order of
    first mention. Each distinct clause is scored once, in one batch."""
    pattern, owner = term_matcher(lexicon)
    found = [find_aspects(t, pattern, owner) if isinstance(t, str) else [] for t in texts]
    distinct = list(dict.fromkeys(clause for pairs in found for _, clause in pairs))
    scores, _ = score_texts(distinct, "cxmetrics")
    clause_score = dict(zip(distinct, scores.tolist(), strict=True))
    out = []
    for pairs in found:
        per_aspect: dict[str, list[tuple[str, float]]] = {}
        for aspect, clause in pairs:
            per_aspect.setdefault(aspect, []).append((clause, clause_score[clause]))
        out.append(per_aspect)
    return out


def _mean(values: list[float]) -> float:
    known = [v for v in values if not np.isnan(v)]
    return float(np.mean(known)) if known else float("nan")


def aspect_sentiment(
    data: Any,
    *,
    text: str,
    aspects: str | Mapping[str, Aspect | Sequence[str]] = "default",
    by: str | Sequence[str] | None = None,
    thresholds: tuple[float, float] = (0.4, 0.6),
    confidence: float = 0.95,
) -> AspectSentiment:
    """Sentiment per aspect: split each comment into clauses, find the aspects each clause names,
    and score the clause.

    Clauses end at punctuation and before contrast words (但是, 不过, 就是 …), so "味道不错，就是
    送餐太慢" gives taste → positive and delivery/speed → negative. Each mentioning clause is
    scored by the library's sentiment model (negation inside a clause is handled: "物流不慢" is
    positive); an aspect named in several clauses of one text gets their mean score.

    Parameters
    ----------
    data : DataFrame with a text column
    text : str
    aspects : "default" or a mapping
        The lexicon: ``"default"`` is :data:`DEFAULT_ASPECTS` (service/服务, attitude/态度,
        price/价格, delivery/物流配送, speed/速度, quality/质量, packaging/包装, taste/口味,
        portion/分量, environment/环境, app/应用). A mapping of name → :class:`Aspect` or list of
        terms replaces it; extend the default with ``{**DEFAULT_ASPECTS, "wifi": ["wifi", "网络"]}``.
        Terms match as substrings of the normalised clause (Simplified, lower case); a term in
        two aspects counts for the first.
    by : str or list of str, optional
        Group columns for the summary.
    thresholds, confidence
        Label cut points as in :func:`sentiment`; level of the Wilson intervals.

    Returns
    -------
    AspectSentiment
        ``mentions`` (one row per text and aspect): ``row`` (position of the text in ``data``),
        ``by`` columns, ``aspect``, ``aspect_zh``, ``clause`` (the mentioning clauses, joined by
        " | "), ``score`` (P(positive)), ``label``.

        ``summary`` (one row per group and aspect, groups sorted, aspects in lexicon order):
        ``by`` columns, ``aspect``, ``aspect_zh``, ``mentions`` (texts mentioning it),
        ``positive``, ``neutral``, ``negative`` (counts), ``share_negative`` with
        ``share_negative_low`` and ``share_negative_high`` (Wilson), ``mean_score``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import aspect_sentiment
    >>> reviews = pd.DataFrame(
    ...     {"comment": ["味道不错，就是送餐太慢了", "物流不慢，包装也完好", "客服态度很差"]}
    ... )
    >>> out = aspect_sentiment(reviews, text="comment")
    >>> out.mentions[["row", "aspect", "label"]]
       row     aspect     label
    0    0      taste  positive
    1    0   delivery  negative
    2    0      speed  negative
    3    1   delivery  positive
    4    1  packaging  positive
    5    2    service  negative
    6    2   attitude  negative
    """
    bounds = check_thresholds(thresholds)
    lexicon = resolve_lexicon(aspects)
    grouped = read_grouped_texts(data, text, by, function="aspect_sentiment")
    given, groups, keys, codes = grouped.source, grouped.groups, grouped.keys, grouped.codes

    mentioned_in = scored_mentions(given.values, lexicon)
    pairs = [(i, aspect) for i, per_aspect in enumerate(mentioned_in) for aspect in per_aspect]
    found = [mentioned_in[i][aspect] for i, aspect in pairs]
    scores = np.array([_mean([score for _, score in clauses]) for clauses in found], dtype=float)
    labels = label_scores(scores, bounds)
    text_rows = np.array([p[0] for p in pairs], dtype=np.int64)
    aspect_names = [p[1] for p in pairs]
    frame = given.frame
    mention_columns = {
        "row": text_rows,
        "aspect": aspect_names,
        "aspect_zh": [lexicon[a].name_zh for a in aspect_names],
        "clause": [" | ".join(clause for clause, _ in clauses) for clauses in found],
        "score": scores,
        "label": labels,
    }
    base = take_rows(frame.select(groups), text_rows) if groups else None
    mentions = with_arrays(base, mention_columns, frame.implementation).select(
        ["row", *groups, *list(mention_columns)[1:]]
    )

    order = list(lexicon)
    n_groups = grouped.n_groups
    slot = codes[text_rows] * len(order) + np.array([order.index(a) for a in aspect_names], dtype=np.int64)
    size = n_groups * len(order)
    counts = {
        label: np.bincount(slot, np.array([x == label for x in labels], dtype=float), minlength=size)
        for label in ("positive", "neutral", "negative")
    }
    scored_mask = ~np.isnan(scores)
    mentioned = np.bincount(slot, minlength=size)
    n_scored = np.bincount(slot, scored_mask.astype(float), minlength=size)
    score_sum = np.bincount(slot, np.where(scored_mask, scores, 0.0), minlength=size)
    keep = np.flatnonzero(mentioned > 0)
    low, high = proportion_interval(
        counts["negative"][keep], n_scored[keep], method="wilson", confidence=confidence
    )
    summary_keys = None if keys is None else take_rows(keys, keep // len(order))
    summary = with_arrays(
        summary_keys,
        {
            "aspect": [order[k % len(order)] for k in keep],
            "aspect_zh": [lexicon[order[k % len(order)]].name_zh for k in keep],
            "mentions": mentioned[keep],
            "positive": counts["positive"][keep].astype(np.int64),
            "neutral": counts["neutral"][keep].astype(np.int64),
            "negative": counts["negative"][keep].astype(np.int64),
            "share_negative": np.divide(
                counts["negative"][keep],
                n_scored[keep],
                out=np.full(len(keep), np.nan),
                where=n_scored[keep] > 0,
            ),
            "share_negative_low": low,
            "share_negative_high": high,
            "mean_score": np.divide(
                score_sum[keep], n_scored[keep], out=np.full(len(keep), np.nan), where=n_scored[keep] > 0
            ),
        },
        frame.implementation,
    )
    return AspectSentiment(to_native(mentions), to_native(summary))
