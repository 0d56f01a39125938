"""Reading result frames for charts: check what a chart needs, give numpy arrays.

Every chart goes through these checks, so the same mistake gets the same message in every chart
(the scalar checks are :mod:`cxmetrics._checks`):

- the frame is pandas, polars or pyarrow (a lazy frame is collected); any other object is a
  :class:`~cxmetrics.errors.ColumnTypeError`;
- an empty frame (no rows) is a :class:`~cxmetrics.errors.ValueRangeError` ("nothing to
  draw"): charts never draw an empty box in silence;
- the columns a chart reads are present (:class:`~cxmetrics.errors.ColumnNotFoundError`
  naming the column), numeric where the chart reads numbers (text is never read as numbers:
  :class:`~cxmetrics.errors.ColumnTypeError`), finite (``inf`` refused, with the count), and in
  range where the result guarantees a range (shares in [0, 1], scores whole numbers from 1);
- missing values (null, NaN) stay NaN: each chart's docstring says what it does with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import ColumnTypeError, MissingValueError, ValueRangeError, format_examples


def result_frame(
    data: Any, required: Sequence[str], chart: str, *, allow_empty: bool = False
) -> nw.DataFrame[Any]:
    """``data`` as an eager narwhals frame with the ``required`` columns and at least one row
    (or none, with ``allow_empty``, for results whose emptiness is itself a finding)."""
    frame = _frame.collect(_frame.from_native(data, name=f"{chart} data"))
    _frame.require_columns(frame, {f"{chart} input": list(required)})
    if not len(frame) and not allow_empty:
        raise ValueRangeError(
            f"{chart} input is empty (0 rows): nothing to draw; check the result before charting it"
        )
    return frame


def column_argument(frame: nw.DataFrame[Any], name: Any, role: str) -> str:
    """An argument that names a column (``score=``, ``keyword=`` ...): a str, present."""
    return _checks.column(frame, name, role)


def values(
    frame: nw.DataFrame[Any],
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    whole: bool = False,
    missing: bool = True,
) -> np.ndarray:
    """A numeric column as floats, missing values as NaN.

    Text, dates or booleans are a ColumnTypeError naming the column (strings are never read as
    numbers);
    ``inf`` is a ValueRangeError with the count; values outside [``low``, ``high``], or not
    whole numbers with ``whole``, are a ValueRangeError listing a few; missing values are a
    MissingValueError unless ``missing``.
    """
    dtype = frame[column].dtype
    if not dtype.is_numeric():  # booleans are not numbers either
        examples = format_examples(frame[column].drop_nulls().head(3).to_list())
        raise ColumnTypeError(f"chart input column {column!r} must be numeric, got {dtype}: {examples}")
    x = np.asarray(frame[column].cast(nw.Float64).fill_null(float("nan")).to_numpy(), dtype=np.float64)
    infinite = np.isinf(x)
    if infinite.any():
        raise ValueRangeError(
            f"chart input column {column!r} has {int(infinite.sum())} infinite values: "
            f"{format_examples(x[infinite][:3].tolist())}; drop or cap them first"
        )
    known = x[~np.isnan(x)]
    if not missing and len(known) < len(x):
        raise MissingValueError(
            f"chart input column {column!r} has {len(x) - len(known)} missing values; "
            "drop those rows first"
        )
    below = known < low if low is not None else np.zeros(len(known), dtype=bool)
    above = known > high if high is not None else np.zeros(len(known), dtype=bool)
    outside = known[below | above]
    if len(outside):
        bounds = f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"
        raise ValueRangeError(
            f"chart input column {column!r} must hold values in {bounds}; {len(outside)} do not: "
            f"{format_examples(_tidy(sorted(set(outside.tolist()))))}"
        )
    if whole and (known != np.round(known)).any():
        bad = known[known != np.round(known)]
        raise ValueRangeError(
            f"chart input column {column!r} must hold whole numbers, got {format_examples(bad[:3].tolist())}"
        )
    return x


def check_interval(low: np.ndarray, high: np.ndarray, names: Sequence[str]) -> None:
    """An interval's bounds in order, ``low <= high`` wherever both are known, else a
    ValueRangeError naming the two columns and how many rows break it. (A bootstrap or Bayesian
    interval need not hold the point estimate, so that is not asked.)"""
    with np.errstate(invalid="ignore"):
        bad = low > high
    if bad.any():
        raise ValueRangeError(
            f"chart input column {names[0]!r} must not exceed {names[1]!r} (an interval's bounds); "
            f"{int(bad.sum())} rows do: "
            f"{format_examples(zip(low[bad][:3].tolist(), high[bad][:3].tolist(), strict=True))}"
        )


def _tidy(numbers: list[float]) -> list[float | int]:
    """Whole floats as ints, for messages (14, not 14.0)."""
    return [int(x) if x == int(x) else x for x in numbers]


def flags(frame: nw.DataFrame[Any], column: str) -> np.ndarray:
    """A boolean column as a bool array (missing: False); anything but booleans is a
    ColumnTypeError (the strings "False" and "no" are not read as False)."""
    dtype = frame[column].dtype
    if dtype != nw.Boolean:
        examples = format_examples(frame[column].drop_nulls().head(3).to_list())
        raise ColumnTypeError(f"chart input column {column!r} must be boolean, got {dtype}: {examples}")
    return np.asarray(frame[column].fill_null(value=False).to_numpy(), dtype=bool)


def labels(frame: nw.DataFrame[Any], column: str, missing: str = "") -> list[str]:
    """A column as display strings (missing values as ``missing``)."""
    return [missing if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in frame[column].to_list()]


#: How a missing group key is labelled (a group of its own).
MISSING_KEY = "(missing)"


def other_columns(frame: nw.DataFrame[Any], known: Sequence[str]) -> list[str]:
    """Columns that are not the known result columns: the group keys."""
    return [c for c in frame.columns if c not in set(known)]


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as a whole number of at least 1 (bins, n, max_groups), else a ValueRangeError."""
    return int(_checks.whole(value, name, low=1))


def check_common(ax: Any, title: Any) -> None:
    """``ax`` is None or a matplotlib Axes; ``title`` is None or a str."""
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise ValueRangeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    if title is not None and not isinstance(title, str):
        raise ValueRangeError(f"title must be a str or None, got {title!r}")
