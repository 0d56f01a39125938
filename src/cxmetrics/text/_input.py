"""Texts in, results out in the caller's shape: a string, a list, a Series or a frame column."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw

from cxmetrics import _checks
from cxmetrics._frame import Frame, collect, from_native, group_codes
from cxmetrics.errors import ColumnTypeError, format_examples

__all__ = ["GroupedTexts", "TextInput", "check_holds_text", "check_text_column", "read_grouped_texts",
           "read_texts", "same_texts"]


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
    """A DataFrame's text column and its ``by`` groups (sorted keys, each row's position).

    Null keys (None, NaN, ``pd.NA``) are one group of their own, sorted last, on every backend.
    """
    if isinstance(data, (str, list, tuple)) or isinstance(
            nw.from_native(data, series_only=True, pass_through=True), nw.Series):
        raise ColumnTypeError(f"{function} needs a DataFrame and text=, e.g. {function}(df, text='comment')")
    frame = from_native(data, name=f"{function}'s data")
    groups = _checks.columns(frame, {"text": _text_name(text, function), "by": by})
    given = read_texts(data, text, function=function)
    keys, codes = group_codes(given.frame, groups)
    return GroupedTexts(given, groups, keys, codes)


def _text_name(text: Any, function: str) -> str:
    if text is None:
        raise ColumnTypeError(
            f"{function} got a DataFrame: name its text column with text=, "
            f"e.g. {function}(df, text='comment')")
    if not isinstance(text, str):
        raise ColumnTypeError(f"text must be the name of the text column (a str), got {text!r}")
    return text


def check_text_column(frame: Frame, text: Any, function: str) -> str:
    """``text`` names a column of ``frame`` whose type can hold text (see :func:`check_holds_text`)."""
    name = _checks.column(frame, _text_name(text, function), "text")
    dtype = frame.collect_schema()[name]
    if _not_text_type(dtype):
        examples = collect(frame.select(nw.col(name)).head(3))[name].to_list()
        raise ColumnTypeError(
            f"text column {name!r} holds no text: its type is {dtype} (first values: "
            f"{format_examples(examples)}); name the column of comments with text=")
    return name


def _not_text_type(dtype: Any) -> bool:
    return bool(dtype.is_numeric() or dtype == nw.Boolean or dtype.is_temporal())


def check_holds_text(values: Sequence[Any], what: str) -> None:
    """A column (or Series) whose values are all non-strings holds no text at all: an error
    naming it (numbers stored as objects, a mistaken ``text=``), rather than every row scored
    "not_text". An all-missing or empty column is text with nothing in it; in a mixed column
    the strings are read and every other value gets its per-row reason."""
    if any(isinstance(v, str) for v in values):  # stops at the first string: one step, usually
        return
    present = [v for v in values if not is_missing(v)]
    if present:
        raise ColumnTypeError(
            f"{what} holds no text: its {len(present)} values are not strings "
            f"({format_examples(present)})")


def read_texts(data: Any, text: str | None, *, function: str, frames: bool = True,
               check_values: bool = True) -> TextInput:
    """Accept a string, a list/tuple of strings, a pandas / polars Series or a pyarrow array,
    or (with ``frames``) a frame with ``text=``.

    A function that takes texts only (``frames=False``: normalize, tokenize, redact) refuses a
    frame with a hint to pass its column. ``check_values=False`` skips :func:`check_holds_text`
    (for one batch of a larger frame); the column's type is always checked.
    """
    if isinstance(data, str):
        return TextInput("str", [data])
    if isinstance(data, (list, tuple)):
        return TextInput("list", list(data))
    series = nw.from_native(data, series_only=True, pass_through=True)
    if isinstance(series, nw.Series):
        name = series.name or "text"
        what = f"texts Series {series.name!r}" if series.name else "the unnamed Series of texts"
        if _not_text_type(series.dtype):
            raise ColumnTypeError(
                f"{what} holds no text: its type is {series.dtype} (first values: "
                f"{format_examples(series.head(3).to_list())})")
        values = series.to_list()
        check_holds_text(values, what)
        return TextInput("series", values, series=series, name=name)
    is_frame = isinstance(nw.from_native(data, pass_through=True), (nw.DataFrame, nw.LazyFrame))
    if not frames:
        got = f"a {type(data).__module__.split('.')[0]} {type(data).__name__}" if is_frame else repr(data)
        raise ColumnTypeError(
            f"{function} takes texts: a str, a list of str or a Series (pass the column, e.g. "
            f"{function}(df['comment'])), got {got}")
    if not is_frame:
        raise ColumnTypeError(
            f"{function}'s data must be texts (a str, a list of str or a Series) or a DataFrame "
            f"with text=, got {type(data).__name__}")
    wrapped = from_native(data, name=f"{function}'s data")
    name = check_text_column(wrapped, text, function)
    frame = collect(wrapped)
    values = frame[name].to_list()
    if check_values:
        check_holds_text(values, f"text column {name!r} of {function}'s data")
    return TextInput("frame", values, frame=frame, name=name)


def same_texts(left: Sequence[Any], right: Sequence[Any]) -> bool:
    """Whether two lists of raw values hold the same texts (missing values of any kind alike;
    ``==`` on a list holding ``pd.NA`` would raise)."""
    return len(left) == len(right) and all(_same_value(a, b) for a, b in zip(left, right, strict=True))


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    return type(a) is type(b) and repr(a) == repr(b)
