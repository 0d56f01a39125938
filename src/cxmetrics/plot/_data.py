"""Reading result frames for charts: check the columns a chart needs, give numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import ColumnTypeError, ValueRangeError, format_examples


def result_frame(result: Any, required: Sequence[str], chart: str) -> nw.DataFrame[Any]:
    """The result as an eager narwhals frame with ``required`` columns (named in the error)."""
    frame = _frame.collect(_frame.from_native(result, name=f"{chart} input"))
    _frame.require_columns(frame, {f"{chart} input": list(required)})
    return frame


def values(frame: nw.DataFrame[Any], column: str) -> np.ndarray:
    """A numeric column as floats, missing values as NaN; text or dates are a ColumnTypeError
    naming the column (strings are never read as numbers)."""
    dtype = frame[column].dtype
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        examples = format_examples(frame[column].drop_nulls().head(3).to_list())
        raise ColumnTypeError(f"chart input column {column!r} must be numeric, got {dtype}: {examples}")
    return np.asarray(frame[column].cast(nw.Float64).fill_null(float("nan")).to_numpy(), dtype=np.float64)


def labels(frame: nw.DataFrame[Any], column: str) -> list[str]:
    """A column as display strings (missing as "")."""
    return ["" if v is None else str(v) for v in frame[column].to_list()]


def other_columns(frame: nw.DataFrame[Any], known: Sequence[str]) -> list[str]:
    """Columns that are not the known result columns: the group keys."""
    return [c for c in frame.columns if c not in set(known)]


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as a whole number of at least 1 (bins, top, max_groups), else a ValueRangeError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueRangeError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)
