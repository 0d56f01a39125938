"""Text normalisation: Traditional ↔ Simplified script, full-width forms, URLs, whitespace, emoji.

The script tables come from snownlp's Traditional→Simplified dictionary (``snownlp.normal.zh``),
turned into one ``str.translate`` table for single characters plus a regular expression for the
phrases whose characters convert differently together (畫 → 划 alone, 畫上 → 画上). snownlp's own
converter walks a Python trie character by character, about 50 times slower; its lexical
substitutions of different length (印表機 → 打印机) and name renderings are not script
conversion and are left out. Eleven common Traditional characters the table lacks (讚, 閒, 僱 …)
are added, Traditional → Simplified only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cxmetrics._process import ForkSafeLock
from cxmetrics.errors import check_choice

__all__ = ["EMOJI_TOKEN", "normalize_one", "script_converter"]

EMOJI_TOKEN = "<emoji>"

# Full-width ASCII (U+FF01–U+FF5E) sits at a fixed offset from ASCII; U+3000 is the ideographic space.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# Pictographs, dingbats, flags, variation selectors and the zero-width joiner that glues emoji.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u200d\u2b50\u2b55\u2764]+"
)
_lock = ForkSafeLock()


@dataclass(frozen=True)
class _Converter:
    chars: dict[int, str]
    phrases: dict[str, str]
    pattern: re.Pattern[str] | None

    def __call__(self, text: str) -> str:
        if self.pattern is not None:
            text = self.pattern.sub(lambda m: self.phrases[m.group()], text)
        return text.translate(self.chars)


def _phrase_pattern(phrases: dict[str, str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = "|".join(map(re.escape, sorted(phrases, key=len, reverse=True)))
    first = "".join(sorted({p[0] for p in phrases}))
    # The lookahead on the first character lets the engine skip most positions cheaply.
    return re.compile(f"(?=[{re.escape(first)}])(?:{alternatives})")


# Keys of the table that are also everyday Simplified characters (著作, 多余, 幺, 覆盖): mapping
# them would alter Simplified input, so they stay as they are.
_ALSO_SIMPLIFIED = frozenset("余著幺覆")


def _script_phrases(table: dict[str, str], chars: dict[str, str]) -> dict[str, str]:
    """Phrases that convert differently from their characters, kept only if script-level.

    A phrase position may differ from the single-character mapping only through a pair that the
    table uses systematically (畫 → 画 in dozens of phrases); a pair seen once or twice is a
    vocabulary substitution (變數 → 变量) and disqualifies the phrase.
    """
    same_length = {t: s for t, s in table.items() if len(t) > 1 and len(t) == len(s)}
    pairs: dict[tuple[str, str], int] = {}
    for t, s in same_length.items():
        for a, b in zip(t, s, strict=True):
            if b not in (a, chars.get(a)):
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
    plain = str.maketrans(chars)
    return {
        t: s
        for t, s in same_length.items()
        if all(b in (a, chars.get(a)) or pairs[(a, b)] >= 3 for a, b in zip(t, s, strict=True))
        and t.translate(plain) != s
    }


def _snownlp_table() -> dict[str, str]:
    """snownlp's ``zh2hans`` dictionary, read from its source without importing snownlp: the
    package's ``__init__`` loads all its models (about 2.5 CPU seconds)."""
    import ast
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise ImportError("snownlp is required for script conversion")
    source = (Path(spec.origin).parent / "normal" / "zh.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "zh2hans" for t in node.targets):
            table: dict[str, str] = ast.literal_eval(node.value)
            return table
    raise ImportError("snownlp's conversion table (snownlp/normal/zh.py: zh2hans) was not found")


# Traditional characters of customer comments that snownlp's table does not list ("給個讚" stayed
# "给个讚", unknown to the model), each with its one Simplified form in the General Standard
# Chinese Characters table (2013). One way only: 卷, 欲 and 雇 are Traditional characters too.
_MISSING = {
    "讚": "赞", "僱": "雇", "嚐": "尝", "餵": "喂", "擡": "抬", "綑": "捆", "閒": "闲", "甦": "苏",
    "慾": "欲", "蹟": "迹", "捲": "卷",
}


@lru_cache(maxsize=2)
def script_converter(to: str) -> Callable[[str], str]:
    """The converter to ``"simplified"`` or ``"traditional"`` (built once per process)."""
    with _lock:
        table = _snownlp_table()
        chars = {
            t: s
            for t, s in table.items()
            if len(t) == 1 and len(s) == 1 and t != s and t not in _ALSO_SIMPLIFIED
        }
        if to == "simplified":
            phrases = _script_phrases(table, chars)
            return _Converter(str.maketrans(chars | _MISSING), phrases, _phrase_pattern(phrases))
        # Reverse: each simplified character goes to the first traditional form listed for it,
        # unless the table lists it as a Traditional character too (面, 后 stay), so converting
        # back with the forward table restores the simplified text.
        keep = {t for t, s in table.items() if t == s and len(t) == 1} | {"面"}  # 后面, not 後麵
        back: dict[str, str] = {}
        for t, s in chars.items():
            if s not in keep:
                back.setdefault(s, t)
        return _Converter(str.maketrans(back), {}, None)


def normalize_one(
    text: str, *, to: str | None, width: bool, strip_urls: bool, emoji: str, lower: bool
) -> str:
    """Normalise one string (see :func:`cxmetrics.text.normalize` for the steps)."""
    text = text.translate(_INVISIBLE)
    if width:
        text = text.translate(_WIDTH)
    if strip_urls:
        text = _URL.sub(" ", text)
    if emoji != "keep":
        text = _EMOJI.sub(f" {EMOJI_TOKEN} " if emoji == "token" else " ", text)
    if to is not None:
        text = script_converter(to)(text)
    if lower:
        text = text.lower()
    return _SPACE.sub(" ", text).strip()


def check_options(to: str | None, emoji: str) -> None:
    if to is not None:
        check_choice(to, ("simplified", "traditional"), "to")
    check_choice(emoji, ("keep", "token", "remove"), "emoji")
