"""Texts in, results out in the caller's shape: a string, a list, a Series or a frame column."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw

from cxmetrics._frame import as_list, collect, from_native, group_codes, require_columns
from cxmetrics.errors import ColumnTypeError

__all__ = ["GroupedTexts", "TextInput", "read_grouped_texts", "read_texts"]


@dataclass(frozen=True)
class TextInput:
    """The texts as a Python list plus what is needed to hand results back in the same shape.

    ``kind`` is ``"str"``, ``"list"``, ``"series"`` or ``"frame"``; ``values`` keeps every entry
    as given (missing and non-string values included, so outputs stay aligned).
    """

    kind: str
    values: list[Any]
    series: Any = None
    frame: Any = None
    name: str = "text"

    def series_like(self, values: Sequence[Any], name: str, dtype: Any = None) -> Any:
        """A native Series of the caller's library holding ``values`` (pandas keeps the index)."""
        new = nw.new_series(name, list(values), dtype, backend=self.series.implementation)
        return _with_index(new.to_native(), self.series)

    def with_columns(self, columns: dict[str, Sequence[Any]], dtypes: dict[str, Any]) -> Any:
        """The caller's frame with ``columns`` appended (a Series input becomes a frame)."""
        base = self.frame if self.kind == "frame" else self.series.rename(self.name).to_frame()
        backend = base.implementation
        added = [nw.new_series(n, list(v), dtypes.get(n), backend=backend) for n, v in columns.items()]
        if base.implementation.is_pandas_like():
            index = base.to_native().index
            return base.to_native().assign(**{s.name: s.to_native().set_axis(index) for s in added})
        return base.with_columns(*added).to_native()


def _with_index(native: Any, like: Any) -> Any:
    if like.implementation.is_pandas_like():
        return native.set_axis(like.to_native().index)
    return native


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or _is_pandas_na(value)


def _is_pandas_na(value: Any) -> bool:
    return type(value).__name__ in ("NAType", "NaTType")


@dataclass(frozen=True)
class GroupedTexts:
    """A frame's texts with each row's group: ``codes`` index the sorted ``keys`` (None without by)."""

    source: TextInput
    groups: list[str]
    keys: Any
    codes: Any

    @property
    def n_groups(self) -> int:
        return 1 if self.keys is None else len(self.keys)


def read_grouped_texts(
    data: Any, text: str, by: str | Sequence[str] | None, *, function: str
) -> GroupedTexts:
    """A DataFrame's text column and its ``by`` groups (sorted keys, each row's position)."""
    given = read_texts(data, text, function=function)
    if given.kind != "frame":
        raise ColumnTypeError(f"{function} needs a DataFrame and text=, e.g. {function}(df, text='comment')")
    groups = as_list(by)
    require_columns(given.frame, {"by": groups})
    keys, codes = group_codes(given.frame, groups)
    return GroupedTexts(given, groups, keys, codes)


def read_texts(data: Any, text: str | None, *, function: str) -> TextInput:
    """Accept a string, a list/tuple of strings, a pandas or polars Series, or a frame with ``text=``."""
    if isinstance(data, str):
        return TextInput("str", [data])
    if isinstance(data, (list, tuple)):
        return TextInput("list", list(data))
    series = nw.from_native(data, series_only=True, pass_through=True)
    if isinstance(series, nw.Series):
        return TextInput("series", series.to_list(), series=series, name=series.name or "text")
    frame = collect(from_native(data, name=f"{function}'s data"))
    if text is None:
        raise ColumnTypeError(
            f"{function} got a DataFrame: name its text column with text=, "
            f"e.g. {function}(df, text='comment')"
        )
    require_columns(frame, {"text": text})
    return TextInput("frame", frame[text].to_list(), frame=frame, name=text)
