"""Masking personal data in verbatims: phone numbers, resident ID numbers, e-mail, bank cards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import narwhals.stable.v2 as nw

from cxmetrics import _checks
from cxmetrics.errors import OptionError
from cxmetrics.text._input import read_texts

__all__ = ["KINDS", "Redaction", "redact"]

#: What each kind is replaced by.
KINDS = {"email": "[EMAIL]", "id_card": "[ID]", "bank_card": "[CARD]", "phone": "[PHONE]"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 18-digit resident ID (GB 11643-1999): region, birth date, sequence, check character.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
# Bank cards: 16–19 digits, optionally in groups separated by single spaces or hyphens.
_BANK_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){15,18}\d(?![\d-])")
# Mainland mobiles (1[3-9] + 9 digits, optional +86, 3-4-4 grouping) and landlines with area code.
_PHONE = re.compile(r"(?<!\d)(?:(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}|0\d{2,3}[ -]?\d{7,8})(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class Redaction(NamedTuple):
    """Masked texts (the input's shape) and how many of each kind were masked in total."""

    text: Any
    counts: dict[str, int]


def id_card_valid(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check character of GB 11643-1999."""
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers (ISO/IEC 7812-1)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _checked(pattern: re.Pattern[str], check: Any, token: str, text: str, count: list[int]) -> str:
    def replace(match: re.Match[str]) -> str:
        if check is not None and not check(re.sub(r"[ -]", "", match.group())):
            return match.group()
        count[0] += 1
        return token

    return pattern.sub(replace, text)


_RULES = {
    "email": (_EMAIL, None),
    "id_card": (_ID_CARD, id_card_valid),
    "bank_card": (_BANK_CARD, luhn_valid),
    "phone": (_PHONE, None),
}


def redact(texts: Any, *,
           kinds: str | Sequence[str] = ("phone", "id_card", "email", "bank_card")) -> Redaction:
    """Mask personal data in verbatims before they are stored or shown.

    Kinds, applied in this order so that one never eats part of another:

    - ``email``: ``name@domain.tld`` → ``[EMAIL]``;
    - ``id_card``: 18-character resident ID numbers (GB 11643-1999) with a plausible birth date
      **and** a valid ISO 7064 MOD 11-2 check character → ``[ID]``;
    - ``bank_card``: 16–19 digits, optionally grouped by spaces or hyphens, passing the Luhn
      check (ISO/IEC 7812-1) → ``[CARD]``;
    - ``phone``: mainland mobiles (``1[3-9]`` and 9 digits, optional ``+86``, ``138 1234 5678``
      grouping) and landlines with an area code (``010-12345678``, ``0755 1234567``) →
      ``[PHONE]``.

    Digit runs that are longer or shorter than these, or fail the checksums (order numbers,
    tracking numbers), are left alone.

    Parameters
    ----------
    texts : str, list of str, or a pandas / polars Series
    kinds : str or sequence of {"phone", "id_card", "email", "bank_card"}
        One kind (``kinds="phone"``) or several.

    Returns
    -------
    Redaction
        ``text``: the masked texts, same shape as the input (missing stays missing);
        ``counts``: how many of each kind were masked, over all texts.

    Notes
    -----
    Edge inputs: an empty list or Series gives an empty one with zero counts; missing and non-
    string entries stay missing. A DataFrame is refused with a hint to pass its column. A text
    column (or Series) whose type is numeric, boolean or a date, or whose values are all non-
    strings, holds no text: :class:`~cxmetrics.errors.ColumnTypeError` naming it. ``kinds`` must
    name at least one kind; a misspelt kind raises :class:`~cxmetrics.errors.OptionError` naming
    it.

    Examples
    --------
    >>> from cxmetrics.text import redact
    >>> out = redact("我的电话13812345678，邮箱 li.lei@example.com，订单号 2023110512345678 还没到")
    >>> out.text
    '我的电话[PHONE]，邮箱 [EMAIL]，订单号 2023110512345678 还没到'
    >>> out.counts
    {'email': 1, 'id_card': 0, 'bank_card': 0, 'phone': 1}
    """
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, (list, tuple)) or not kinds:
        raise OptionError(f"kinds must be one of {list(KINDS)} or a non-empty list of them, got {kinds!r}")
    for kind in kinds:
        _checks.option(kind, tuple(KINDS), "kinds")
    given = read_texts(texts, None, function="redact", frames=False)
    chosen = [k for k in KINDS if k in kinds]
    counters = {k: [0] for k in chosen}
    out: list[str | None] = []
    for value in given.values:
        if not isinstance(value, str):
            out.append(None)
            continue
        for kind in chosen:
            pattern, check = _RULES[kind]
            value = _checked(pattern, check, KINDS[kind], value, counters[kind])
        out.append(value)
    counts = {k: counters[k][0] for k in chosen}
    if given.kind == "str":
        return Redaction(out[0], counts)
    if given.kind == "list":
        return Redaction(out, counts)
    return Redaction(given.series_like(out, given.name, nw.String()), counts)
