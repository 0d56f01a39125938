"""Formatting result values for people: one function per kind of column.

A table in the report shows a few :class:`Col` of a result frame, each of a kind:

``text``      wrapped, cut at ``TEXT_LIMIT`` characters (the full text in the tooltip)
``count``     whole numbers with thousands separators: ``9,782``
``number``    three significant figures with separators: ``19,460`` or ``0.381``
``money``     separators, no decimals above 100: ``19,460``; ``12.35``
``share``     a 0-1 share as a percentage: ``38.1 %``
``percent``   a value already in percent (NPS's shares): ``38.1 %``
``score``     one decimal (NPS, CSAT in percent): ``31.2``
``p``         p- and q-values: ``0.012``, ``< 0.001``
``date``      dates as dates: ``2025-01-01`` (times only when there is one)
``bool``      yes / no (是 / 否)
``label``     ids and names as they are: ``7592``, ``华北``

An interval column joins a value with its bounds: ``31.2 (27.9 – 34.5)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["TEXT_LIMIT", "Col", "cell", "raw"]

#: Longest text shown in a table cell; longer texts end in "…" and show whole on hover.
TEXT_LIMIT = 90


@dataclass(frozen=True)
class Col:
    """One shown column: the frame's column ``name``, its header, its kind and, for an interval,
    the bound columns ``low``/``high``."""

    name: str
    header: str
    kind: str = "number"
    low: str | None = None
    high: str | None = None


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _number(value: float, kind: str) -> str:
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "share":
        return f"{100 * value:.1f} %"
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "score":
        return f"{value:.1f}"
    if kind == "money":
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    if kind == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def _date(value: Any) -> str:
    import pandas as pd

    stamp = pd.Timestamp(value)
    if stamp.hour == stamp.minute == stamp.second == 0:
        return stamp.strftime("%Y-%m-%d")
    return stamp.strftime("%Y-%m-%d %H:%M")


def cell(value: Any, kind: str, *, zh: bool = False) -> str:
    """``value`` as shown in a column of ``kind`` (empty for a missing value)."""
    if _missing(value):
        return ""
    if kind == "bool":
        return ("是" if zh else "yes") if bool(value) else ("否" if zh else "no")
    if kind == "date":
        return _date(value)
    if kind == "label":  # ids and names as they are (no thousands separators in an id)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value.item() if hasattr(value, "item") else value)
    if kind == "text":
        text = " ".join(str(value).split())
        return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or hasattr(value, "dtype"):
        try:
            return _number(float(value), kind)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def interval(value: Any, low: Any, high: Any, kind: str) -> str:
    """``31.2 (27.9 – 34.5)``; the value alone when a bound is missing."""
    shown = cell(value, kind)
    if _missing(low) or _missing(high) or not shown:
        return shown
    return f"{shown} ({cell(low, kind)} – {cell(high, kind)})"


def raw(value: Any) -> str:
    """The value a column sorts by (numbers as numbers, everything else as text)."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)) or (hasattr(value, "dtype") and value.dtype.kind in "iuf"):
        return repr(float(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
