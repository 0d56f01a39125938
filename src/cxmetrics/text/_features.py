"""The sentiment model's features: jieba words and word bigrams, character 1–3-grams, and
polarity shifting inside negation scopes.

A negator (不, 没有, 并非 …) opens a scope over the next words of its clause. Inside it, each
word and every character n-gram lying within that word count with sign −1, so "不差" takes the
evidence the model has for "差" and reverses it (contextual valence shifting, Polanyi & Zaenen
2006); the word is also emitted tagged ``¬`` (Das & Chen 2001) so that asymmetric cases with
enough data ("不好" is stronger than "好") learn their own weight. A negator ending its clause
after 都 or 也 negates the words before them ("一点毛病都没有"), and a verb of finding or
perceiving with a negative potential complement (找不到, 挑不出, 闻不到) negates the words after
it ("找不到缺点"). A forward scope passes over words that judge nothing (让, 人, 任何, 什么 …)
without spending its reach ("没让人失望" negates 失望). No character n-gram joins a negator to a
word it negates, nor the word bigram of 都/也 and the negator of a fronted construction: "有问题"
inside "没有问题" would read the un-negated phrase, and "都没有" is a complaint of its own in the
reviews ("什么都没有"), so either would undo the negation. (Word bigrams such as "没有 问题" stay:
they learn their own weight, like the ``¬`` words. n-grams joining a passed-over word to the
negated one, "人失望", stay too.) Words
after a degree word (很, 太, 非常) are also emitted tagged ``↑``.

Training (``scripts/sentiment_model.py``) and scoring call this same code, so the shipped
weights always meet the features they were fitted on.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from cxmetrics.text._normalize import normalize_one
from cxmetrics.text._tokenize import tokenizer

__all__ = [
    "FEATURE_VERSION",
    "NEGATOR",
    "Features",
    "clean_words",
    "dropped_bigrams",
    "features",
    "kept_bigrams",
    "marks",
    "model_features",
    "model_words",
    "shifted_words",
]

# Bumped whenever the features change; the weights file records the version it was trained on.
FEATURE_VERSION = 6

NEGATORS = frozenset(
    "不 没 没有 别 无 未 非 不是 不太 不会 不能 不够 不怎么 毫无 并不 从不 从没 没什么 "  # noqa: SIM905
    "一点也不 一点都不 并非 绝非 不算 不再".split()
)
DEGREES = frozenset(
    "太 很 非常 特别 超 超级 极 极其 十分 挺 相当 真 真的 好 有点 有些 略 稍微 比较 最 更 巨".split()  # noqa: SIM905
)
# A scope also ends at a contrast or a new clause: "不贵，但是难吃" must not shift 难吃.
_SCOPE_BREAKERS = frozenset(["但", "但是", "可是", "不过", "就是", "而且", "却", "然而", "只是", "还是"])
_NEGATION_REACH = 2
_CLAUSE_END = frozenset(",.!?;:，。！？；：~～…、")
_MARKERS = NEGATORS | DEGREES
_CHAR_ORDERS = (1, 2, 3)
_SHORT_NEGATORS = frozenset("不没无未别")
_FRONTING = frozenset(["都", "也"])
_FINAL_PARTICLES = frozenset(["了", "过", "的", "啊", "呀", "哦", "呢", "吧", "嘛"])
# Finding or perceiving verbs with a negative potential complement: "找不到缺点", "闻不到异味" and
# "挑不出毛病" deny what follows, like 没有 does. jieba gives them as one word (挑不出, 看不出) or
# as verb + 不到 (找 | 不到); other verbs' 不到 is left alone ("排队不到五分钟" is a duration).
_PERCEIVING = frozenset("找 闻 听 看 挑 见 感觉 感受 发现 察觉 吃 尝 觉得".split())  # noqa: SIM905
_POTENTIAL_NEGATIVES = frozenset(["不到", "不出", "不见", "不着"])
# the ones jieba's dictionary holds as one word (the others come cut as verb + 不到)
_PERCEIVING_NOT = frozenset("挑不出 看不出 找不出 吃不出 听不出 看不到 看不见 听不见 找不着 见不着".split())  # noqa: SIM905
_MARKER_WORDS = _MARKERS | _POTENTIAL_NEGATIVES | _PERCEIVING_NOT
# Words that a forward scope passes over without spending its reach: "没让人失望" negates 失望,
# the third word after the negator, and "没有让我们失望" the fourth.
_REACH_FREE = frozenset("让 使 令 叫 人 我 我们 你 您 任何 什么 啥 一点 一丝".split())  # noqa: SIM905
NEGATOR, NEGATED, FRONTING = 1, 2, 3

#: Features of one text: those counted +1 and those counted −1 (duplicates kept: counts matter).
Features = tuple[list[str], list[str]]


def clean_words(words: list[str]) -> list[str]:
    """jieba's words without whitespace tokens or inner spaces: the text the features see."""
    return [w.replace(" ", "") for w in words if not w.isspace()]


def shifted_words(words: list[str]) -> list[tuple[int, str]]:
    """Positions and tags (``¬`` negated, ``↑`` intensified) of the words that get marked."""
    return marks(words)[0]


def marks(words: list[str]) -> tuple[list[tuple[int, str]], dict[int, int]]:
    """The marked words (positions and tags, as :func:`shifted_words`) and the negation roles
    of words by position: ``NEGATOR`` for a negator that negates at least one word, ``NEGATED``
    for the words it negates, ``FRONTING`` for the 都/也 of a fronted construction. A word
    gets the role of its last assignment in reading order (a 都 negated by an earlier negator and
    then fronting a later one is ``FRONTING``, and keeps its ``¬`` tag); the reference and the
    fast encoder both read these roles, so they agree on every such case."""
    if _MARKER_WORDS.isdisjoint(words):
        return [], {}
    tags, roles = _marks(words)
    return sorted(tags.items()), roles


def features(words: list[str]) -> Features:
    """Signed feature strings of one normalised text given its jieba words.

    The reference definition: training counts these strings; scoring computes the same counts
    faster (:meth:`cxmetrics.text._encode.FeatureEncoder.encode`), and a test holds the two equal.
    """
    words = clean_words(words)
    shifted, roles = marks(words)
    plus = list(words)
    plus += kept_bigrams(words, roles)
    compact = "".join(words)
    size = len(compact)
    if not shifted:
        for n in _CHAR_ORDERS:
            plus += [compact[i : i + n] for i in range(size - n + 1)]
        return plus, []
    minus: list[str] = []
    inside = [False] * (size + 1)
    ends = [0] * (size + 1)  # for a start position inside a shifted word: where that word ends
    starts, position = [], 0
    for w in words:
        starts.append(position)
        position += len(w)
    for k, tag in shifted:
        word = words[k]
        if tag == "¬":
            minus.append(word)
            plus.remove(word)
            for i in range(starts[k], starts[k] + len(word)):
                inside[i], ends[i] = True, starts[k] + len(word)
        plus.append(tag + word)
    role = [0] * size  # the negation role of each character
    for k, r in roles.items():
        role[starts[k] : starts[k] + len(words[k])] = [r] * len(words[k])
    for n in _CHAR_ORDERS:
        for i in range(size - n + 1):
            span = role[i : i + n]
            if NEGATOR in span and (NEGATED in span or FRONTING in span):
                continue  # joins a negator to what it negates
            gram = compact[i : i + n]
            (minus if inside[i] and i + n <= ends[i] else plus).append(gram)
    return plus, minus


def _marks(words: list[str]) -> tuple[dict[int, str], dict[int, int]]:
    """Tags of the words inside a negation scope (``¬``) or right after a degree word (``↑``),
    and the negation roles (see :func:`marks`)."""
    tags: dict[int, str] = {}
    roles: dict[int, int] = {}
    scope = 0
    opener = -1
    boost = False
    for k, word in enumerate(words):
        if word[0] in _CLAUSE_END or word in _SCOPE_BREAKERS:
            scope, boost = 0, False
            continue
        if word in NEGATORS or _perceives_nothing(words, k):
            scope, boost, opener = _NEGATION_REACH, False, k
            fronted = _fronted_scope(words, k)
            if fronted:
                tags.update(dict.fromkeys(fronted, "¬"))
                roles.update(dict.fromkeys(fronted, NEGATED))
                roles[k - 1], roles[k] = FRONTING, NEGATOR
            continue
        if scope:
            if word in _REACH_FREE:
                continue
            tags[k] = "¬"
            roles[k], roles[opener] = NEGATED, NEGATOR
            scope -= 1
        elif boost:
            tags[k] = "↑"
        boost = word in DEGREES
    return tags, roles


def kept_bigrams(words: list[str], roles: dict[int, int]) -> list[str]:
    """The word bigrams of a text given its negation roles (:func:`marks`): all but those that
    :func:`dropped_bigrams` names."""
    dropped = dropped_bigrams(roles)
    return [f"{a} {b}" for k, (a, b) in enumerate(pairwise(words), 1) if k not in dropped]


def dropped_bigrams(roles: dict[int, int]) -> set[int]:
    """Positions of the second word of the bigrams not counted: the 都/也 and negator of a
    fronted construction ("毛病都没有"), since "都 没有" reads "there is none at all" in
    complaints."""
    return {k for k, r in roles.items() if r == NEGATOR and roles.get(k - 1) == FRONTING}


def _perceives_nothing(words: list[str], k: int) -> bool:
    """Whether word ``k`` is a finding or perceiving verb with a negative potential complement
    (找不到, 挑不出), as one word or as verb + 不到."""
    word = words[k]
    if word in _PERCEIVING_NOT:
        return True
    return word in _POTENTIAL_NEGATIVES and k > 0 and words[k - 1] in _PERCEIVING


def _fronted_scope(words: list[str], k: int) -> list[int]:
    """The words a clause-final negator after 都 or 也 negates: "一点毛病都没有" and "异味也没有"
    put what is negated before the negator (the emphatic 都/也 construction; Li & Thompson 1981,
    "Mandarin Chinese: a functional reference grammar", on negation), where a forward scope
    would miss it."""
    rest = words[k + 1 :]
    end = next((i for i, w in enumerate(rest) if w[0] in _CLAUSE_END), len(rest))
    if k < 2 or words[k - 1] not in _FRONTING or not _FINAL_PARTICLES.issuperset(rest[:end]):
        return []
    out: list[int] = []
    for j in range(k - 2, max(k - 2 - _NEGATION_REACH, -1), -1):
        word = words[j]
        if word[0] in _CLAUSE_END or word in _SCOPE_BREAKERS or word in _MARKERS:
            break
        out.append(j)
    return out


def word_lists(tokenizer: Any, texts: list[str]) -> list[list[str]]:
    """jieba words of normalised texts, with negators split back off the word they were glued to.

    No HMM: the character n-grams already cover the unknown words it would guess, and it costs a
    third of the tokenising time.
    """
    cut, vocabulary = tokenizer.lcut, tokenizer.FREQ
    return [_split_negators(cut(text, HMM=False), vocabulary) for text in texts]


def _split_negators(words: list[str], vocabulary: dict[str, int]) -> list[str]:
    """Undo jieba's "不难 | 吃" when "不 | 难吃" is the reading: if a two-character word starts with
    a negator and its second character joins the next word into a dictionary word, split there."""
    if not any(len(w) == 2 and w[0] in _SHORT_NEGATORS for w in words):
        return words
    out: list[str] = []
    k = 0
    while k < len(words):
        word = words[k]
        if (
            len(word) == 2
            and word[0] in _SHORT_NEGATORS
            and k + 1 < len(words)
            and vocabulary.get(word[1] + words[k + 1])
        ):
            out += [word[0], word[1] + words[k + 1]]
            k += 2
            continue
        out.append(word)
        k += 1
    return out


#: Common emoji of customer comments read as the word they stand for. The review corpora the
#: model is trained on hold almost no emoji, so it has no feature for them; "👍" alone would get
#: no score and "好👍" only the score of "好".
EMOJI_WORDS = {
    "👍": "赞", "👏": "点赞", "💯": "满分", "😊": "开心", "😄": "开心", "😃": "开心", "😁": "开心",
    "🙂": "满意", "😍": "喜欢", "🥰": "喜欢", "❤": "喜欢", "💕": "喜欢", "👎": "差",
    "😡": "生气", "😠": "生气", "🤬": "生气", "😤": "生气", "😢": "难过", "😭": "难过", "😞": "失望",
    "😔": "失望", "💔": "失望", "😩": "失望", "🙄": "无语", "😒": "无语", "🤮": "恶心", "💩": "垃圾",
}
_EMOJI_TABLE = str.maketrans({e: f" {w} " for e, w in EMOJI_WORDS.items()})


def normalise_for_model(text: str) -> str:
    """The normalisation the model was trained with: Simplified script, half-width, no URLs,
    lower case; emoji kept (they carry sentiment), the common ones as the word they stand for
    (:data:`EMOJI_WORDS`)."""
    clean = normalize_one(text, to="simplified", width=True, strip_urls=True, emoji="keep", lower=True)
    return clean.translate(_EMOJI_TABLE)


def normalised_words(normalised: list[str]) -> list[list[str]]:
    """The cleaned words of texts already passed through :func:`normalise_for_model`."""
    return [clean_words(w) for w in word_lists(tokenizer(), normalised)]


def model_words(texts: list[str]) -> list[list[str]]:
    """The cleaned words of raw texts, as the model sees them."""
    return normalised_words([normalise_for_model(t) for t in texts])


def model_features(texts: list[str]) -> list[Features]:
    """Feature strings of raw texts exactly as training counts them."""
    return [features(w) for w in model_words(texts)]
