"""Frame layer: the only place that touches the caller's DataFrame.

Everything here goes through narwhals, so the same code runs on pandas, polars and pyarrow
(and, for the reductions, on lazy engines). Public modules call these helpers to validate
columns and to reduce rows to small summaries; the math layer receives numpy arrays.

The lazy/eager rule: reductions are computed in the caller's engine and the *small* summary
is collected, coming back in the caller's library when it is eager and in the library
narwhals collects that engine to when it is lazy (:func:`eager_implementation`). Per-row
results of a lazy input stay lazy (:func:`per_row_result`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics.errors import (
    ColumnClashError,
    ColumnNotFoundError,
    ColumnTypeError,
    MissingValueError,
    ValueRangeError,
    format_examples,
)

Frame = nw.DataFrame[Any] | nw.LazyFrame[Any]

#: Name of the count column produced by :func:`value_counts`.
COUNT = "__cx_n"
WEIGHT_SUM = "__cx_w"
WEIGHT_SQ_SUM = "__cx_w2"


def as_list(columns: str | Sequence[str] | None, role: str = "by") -> list[str]:
    """Normalise a ``by=`` argument (None, a name, or a list or tuple of names) to a list.

    Anything else (a number, a set, a dict) raises :class:`ColumnTypeError` naming ``role``.
    """
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
        raise ColumnTypeError(f"{role} must be a column name or a list of names, got {columns!r}")
    if len(set(columns)) != len(columns):
        raise ValueRangeError(f"{role} names a column more than once: {list(columns)!r}")
    return list(columns)


def from_native(data: Any, *, name: str = "data") -> Frame:
    """Wrap a pandas / polars / pyarrow (eager or lazy) frame for narwhals.

    Anything else raises :class:`ColumnTypeError`; a pandas frame with a column name twice
    raises :class:`ColumnClashError` naming it.
    """
    try:
        return nw.from_native(_one_chunk(data))
    except nw.exceptions.DuplicateError as exc:  # pandas allows a column name twice
        names = list(getattr(data, "column_names", None) or getattr(data, "columns", []))
        repeated = sorted({str(c) for c in names if names.count(c) > 1})
        raise ColumnClashError(
            f"{name} has more than one column called {format_examples(repeated)}; rename or drop "
            f"the copies first") from exc
    except TypeError as exc:
        raise ColumnTypeError(
            f"{name} must be a DataFrame (pandas, polars, pyarrow, or a lazy frame narwhals "
            f"supports), got {type(data).__name__}"
        ) from exc


def unused_name(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name`` with a numeric suffix, whichever is not among ``taken``: an internal
    column kept out of the way of the caller's columns."""
    candidate, k = name, 0
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def require_columns(frame: Frame, roles: Mapping[str, str | Sequence[str] | None]) -> None:
    """Check that every column named for a role exists; say which role and which names."""
    available = frame.collect_schema().names()
    for role, names in roles.items():
        for column in as_list(names, role):
            if not isinstance(column, str):
                raise ColumnTypeError(f"{role} must be a column name, got {column!r}")
            if column not in available:
                raise ColumnNotFoundError(
                    f"{role} column {column!r} not found; available columns: "
                    f"{format_examples(available, limit=12)}"
                )


def numeric_categories(frame: Frame, column: str) -> Frame:
    """``frame`` with ``column`` read as numbers where it holds numbers in another container:
    a categorical whose categories are numbers (a pandas ``Categorical`` of ratings, a pyarrow
    dictionary of ints) or a pandas object column of Python numbers only (what polars and
    pyarrow make an integer or float column). Text, bools, mixtures and polars categoricals
    (which hold text) are left for the numeric check to refuse: text is never read as a number.
    """
    dtype = frame.collect_schema()[column]
    if dtype not in (nw.Categorical, nw.Object) or not isinstance(frame, nw.DataFrame):
        return frame
    native = frame[column].to_native()
    numeric = False
    if frame.implementation.is_pandas_like():
        import pandas as pd

        if dtype == nw.Object:
            if pd.api.types.infer_dtype(native, skipna=True) in ("integer", "floating",
                                                                  "mixed-integer-float"):
                numbers = pd.to_numeric(native).astype(float).reset_index(drop=True)
                return frame.with_columns(nw.new_series(column, numbers, backend=frame.implementation))
            return frame
        categories = native.cat.categories
        numeric = pd.api.types.is_numeric_dtype(categories) and not pd.api.types.is_bool_dtype(categories)
    elif frame.implementation.is_pyarrow() and dtype == nw.Categorical:
        import pyarrow as pa

        value_type = native.type.value_type
        numeric = pa.types.is_integer(value_type) or pa.types.is_floating(value_type)
    return frame.with_columns(nw.col(column).cast(nw.Float64)) if numeric else frame


def categorical_keys_as_text(frame: Frame, by: Sequence[str]) -> Frame:
    """Categorical (and enum) group columns as text, so that groups sort by their text on every
    backend (pandas would sort by category order, polars and pyarrow by text)."""
    schema = frame.collect_schema()
    casts = [nw.col(c).cast(nw.String) for c in by if schema[c] in (nw.Categorical, nw.Enum)]
    return frame.with_columns(*casts) if casts else frame


def check_keys(frame: Frame, by: Sequence[str]) -> None:
    """Group columns must hold one kind of value (see :func:`require_one_kind`)."""
    for column in by:
        require_one_kind(frame, column, "by")


def require_one_kind(frame: Frame, column: str, role: str) -> None:
    """A pandas object column must hold one kind of value (text, or numbers, ...), since labels
    of several kinds cannot be sorted or compared; raise :class:`ColumnTypeError` naming the
    column, the kinds and a few values. Other engines type their columns already."""
    if frame.collect_schema()[column] != nw.Object or not isinstance(frame, nw.DataFrame):
        return
    import pandas as pd

    values = frame[column].to_pandas()
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("mixed", "mixed-integer"):  # ints with floats are numbers: fine
        present = values.dropna()
        kinds = sorted({type(v).__name__ for v in present})
        examples = [present[present.map(type).map(lambda t, k=k: t.__name__ == k)].iloc[0] for k in kinds]
        raise ColumnTypeError(
            f"{role} column {column!r} mixes kinds of values ({', '.join(kinds)}): "
            f"{format_examples(examples)}; convert it to one type first (for example .astype(str))")


def require_numeric(frame: Frame, column: str, role: str) -> None:
    """Raise :class:`ColumnTypeError` unless ``column`` holds numbers (not booleans)."""
    dtype = frame.collect_schema()[column]
    if dtype.is_numeric():
        return
    examples = collect(frame.select(nw.col(column)).head(3))[column].to_list()
    raise ColumnTypeError(
        f"{role} column {column!r} must be numeric, got dtype {dtype} "
        f"(first values: {format_examples(examples)})"
    )


def collect(frame: Frame) -> nw.DataFrame[Any]:
    """Bring a (small) lazy result into memory; eager frames pass through."""
    if isinstance(frame, nw.LazyFrame):
        collected = frame.collect()
        native = collected.to_native()
        single = _one_chunk(native)
        return collected if single is native else nw.from_native(single)
    return frame


def _one_chunk(data: Any) -> Any:
    """A pyarrow table with one chunk per column (a copy when it had several; others as given).

    narwhals' window expressions (``over``) on a table of several chunks do not always return
    the rows in their order (a threaded join underneath), so a window compared row by row, or
    joined back by position, came out wrong now and then. Tables read from Parquet datasets or
    collected from Spark and DuckDB often have several chunks.
    """
    # the module first: reading .columns of a polars LazyFrame resolves its schema and warns
    if not (type(data).__module__.startswith("pyarrow") and hasattr(data, "combine_chunks")):
        return data
    if any(getattr(c, "num_chunks", 1) > 1 for c in getattr(data, "columns", ())):
        return data.combine_chunks()
    return data


def count_true(condition: nw.Expr) -> nw.Expr:
    """How many rows meet ``condition``, as a whole-frame aggregation.

    The flags are summed as integers because Spark refuses to sum booleans.
    """
    return condition.cast(nw.Int64).sum()


def count_rows(frame: Frame) -> int:
    """Number of rows, counted in the engine."""
    return int(collect(frame.select(nw.len().alias("n")))["n"][0])


def distinct_counts(frame: Frame, columns: Sequence[str]) -> nw.DataFrame[Any]:
    """The distinct rows of ``columns`` with how many rows each stands for (:data:`COUNT`),
    grouped in the caller's engine and collected; null keys form their own rows."""
    return collect(frame.group_by(*columns, drop_null_keys=False).agg(nw.len().alias(COUNT)))


def fill_missing(expr: nw.Expr, value: Any) -> nw.Expr:
    """``expr`` with nulls (and NaN on pandas, where they are the same) replaced by ``value``.

    ``Expr.fill_null`` would do, but narwhals wraps it on pandas in ``warnings.catch_warnings``,
    which rewrites the process-wide filter list and races with other threads before Python 3.14.
    """
    return nw.when(~expr.is_null()).then(expr).otherwise(nw.lit(value))  # named after expr


def without_nan(column: str) -> nw.Expr:
    """The column with floating NaN turned into null, so both count as missing everywhere."""
    values = nw.col(column)
    return nw.when(~values.is_nan()).then(values)


def grouped(frame: Frame, by: list[str], aggregations: Sequence[nw.Expr]) -> Frame:
    """``group_by(by).agg(...)`` sorted by the keys, or a one-row ``select`` when ``by`` is empty.

    Null keys form their own group (sorted last), as in ``pandas.groupby(dropna=False)``.
    """
    if not by:
        return frame.select(*aggregations)
    return frame.group_by(*by, drop_null_keys=False).agg(*aggregations).sort(by, nulls_last=True)


def value_counts(
    frame: Frame, value: str, by: list[str], weights: str | None = None
) -> nw.DataFrame[Any]:
    """Counts per (group, value), computed in the caller's engine and collected.

    This one pass is the sufficient statistic for every survey metric: the distribution of
    scores per group (missing scores appear as a null value). With ``weights``, also the sum
    of weights and of squared weights per cell (for Kish's effective sample size).
    """
    numeric_dtype = frame.collect_schema()[value]
    cleaned = without_nan(value) if numeric_dtype.is_float() else nw.col(value)
    columns = [*(nw.col(b) for b in by), cleaned.alias(value)]
    aggregations = [nw.len().alias(COUNT)]
    if weights is not None:
        # Square first so the group_by only sums (narwhals' fast path on pandas and Dask).
        columns += [nw.col(weights).alias(WEIGHT_SUM),
                    (nw.col(weights) * nw.col(weights)).alias(WEIGHT_SQ_SUM)]
        aggregations += [nw.col(WEIGHT_SUM).sum(), nw.col(WEIGHT_SQ_SUM).sum()]
    reduced = (
        frame.select(*columns)
        .group_by(*by, value, drop_null_keys=False)
        .agg(*aggregations)
    )
    return collect(reduced)


def take_rows(frame: nw.DataFrame[Any], rows: np.ndarray) -> nw.DataFrame[Any]:
    """Rows of a small eager frame by position (repeats allowed), with a clean pandas index."""
    taken = frame[rows]
    if taken.implementation.is_pandas_like():
        return nw.from_native(taken.to_native().reset_index(drop=True))
    return taken


def run_starts(table: nw.DataFrame[Any], by: list[str]) -> np.ndarray:
    """Row positions where a new group starts in a small frame sorted by ``by``.

    Nulls (and pandas NaN keys) compare equal to each other, so a null group is one run.
    """
    if len(table) == 0:
        return np.zeros(0, dtype=np.int64)
    if not by:
        return np.zeros(1, dtype=np.int64)
    rows = [tuple(None if _is_missing(v) else v for v in row) for row in table.select(by).rows()]
    return np.flatnonzero([i == 0 or rows[i] != rows[i - 1] for i in range(len(rows))])


def is_key(column: str, value: Any) -> nw.Expr:
    """Rows whose ``column`` holds the group key ``value``; a missing key (None, NaN, ``pd.NA``)
    matches the null rows, which ``==`` never does."""
    return nw.col(column).is_null() if _is_missing(value) else nw.col(column) == value


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT or ``pd.NA`` (whose ``!=`` has no truth value)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pd.NA
        return True


def group_codes(rows: nw.DataFrame[Any], by: list[str]) -> tuple[nw.DataFrame[Any] | None, np.ndarray]:
    """The distinct ``by`` keys of an eager frame (sorted, null keys last) and each row's
    position among them; without ``by``, no keys and position 0 for every row.

    Null keys (None, NaN, NaT, ``pd.NA``) form their own group on every backend: keys and rows
    are matched on normalised Python tuples in which every missing value is one marker.
    """
    if not by:
        return None, np.zeros(len(rows), dtype=np.int64)
    import pandas as pd

    keys = collect(grouped(rows, by, [nw.len().alias(COUNT)])).select(by)
    key_index = pd.MultiIndex.from_frame(_normalised_keys(keys))
    row_index = pd.MultiIndex.from_frame(_normalised_keys(rows.select(by)))
    return keys, np.asarray(key_index.get_indexer(row_index), dtype=np.int64)


class _MissingKey:
    """The one marker every missing key value (None, NaN, NaT, ``pd.NA``) becomes."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING_KEY = _MissingKey()


def _normalised_keys(frame: nw.DataFrame[Any]) -> Any:
    """Key columns as pandas object columns with every missing value as :data:`_MISSING_KEY`."""
    import pandas as pd

    native = frame.to_pandas().astype(object)
    return native.where(pd.notna(native), _MISSING_KEY)


def expand_grid(
    table: nw.DataFrame[Any],
    by: list[str],
    column: str,
    values: np.ndarray,
    arrays: Mapping[str, np.ndarray],
) -> tuple[nw.DataFrame[Any], dict[str, np.ndarray]]:
    """Put every group of ``table`` on the full grid of ``values`` of ``column``.

    ``table`` is small, eager and sorted by ``by`` then ``column``; ``arrays`` are aligned with
    its rows. Returns the grid's key frame (groups × values, same order) and the arrays placed
    on it, zero where a group had no row. Done by position in numpy rather than with a join, so
    null group keys keep their rows.
    """
    positions = np.searchsorted(values, np.asarray(table[column].to_numpy()).astype(values.dtype))
    first_rows = run_starts(table, by) if by else np.zeros(1, dtype=np.int64)
    group = np.cumsum(np.isin(np.arange(len(table)), first_rows)) - 1
    n_groups, n_values = len(first_rows), len(values)
    slot = group * n_values + positions
    placed = {}
    for name, array in arrays.items():
        full = np.zeros(n_groups * n_values, dtype=array.dtype)
        full[slot] = array
        placed[name] = full
    grid_values = nw.new_series(column, np.tile(values, n_groups), backend=table.implementation)
    if by:
        keys = take_rows(table.select(by), np.repeat(first_rows, n_values)).with_columns(grid_values)
    else:
        keys = nw.from_dict({column: grid_values}, backend=table.implementation)
    return keys, placed


def check_weights(frame: Frame, weights: str) -> None:
    """Weights must be numeric, present, finite and non-negative."""
    require_numeric(frame, weights, "weights")
    w = nw.col(weights)
    bad = w.is_null() | (w < 0)
    if frame.collect_schema()[weights].is_float():
        bad = bad | w.is_nan() | (w == float("inf"))
    counts = collect(frame.select(count_true(bad).alias("bad")))
    n_bad = int(counts["bad"][0])
    if n_bad:
        examples = collect(frame.filter(bad).select(w).head(5))[weights].to_list()
        error = MissingValueError if any(_is_missing(v) for v in examples) else ValueRangeError
        raise error(
            f"weights column {weights!r} must be finite, non-negative and not missing; "
            f"{n_bad} values break the rule: {format_examples(examples)}"
        )


def check_scale(
    counts: nw.DataFrame[Any], value: str, *, low: float, high: float, integer: bool
) -> None:
    """Validate the distinct values of a score column from its value counts.

    Raises :class:`ValueRangeError` naming how many responses fall outside ``low..high``
    (or are fractional when ``integer``) and a few of the offending values.
    """
    present = counts.filter(~nw.col(value).is_null())
    values = present[value].to_numpy().astype(float)
    n = present[COUNT].to_numpy()
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueRangeError(
            f"score column {value!r} has {int(n[infinite].sum())} infinite values: "
            f"{format_examples(np.unique(values[infinite]))}; drop or cap them first"
        )
    outside = (values < low) | (values > high) | ~np.isfinite(values)
    if outside.any():
        raise ValueRangeError(
            f"score column {value!r} has {int(n[outside].sum())} values outside "
            f"{_fmt(low)}..{_fmt(high)}: {format_examples(np.sort(values[outside]))}"
        )
    if integer:
        fractional = values != np.round(values)
        if fractional.any():
            raise ValueRangeError(
                f"score column {value!r} must hold whole numbers on the {_fmt(low)}..{_fmt(high)} "
                f"scale; {int(n[fractional].sum())} values are fractional: "
                f"{format_examples(np.sort(values[fractional]))}"
            )


def check_scale_rows(frame: Frame, value: str, *, low: float, high: float, integer: bool) -> None:
    """:func:`check_scale` straight on the rows: one pass for min, max and fractional parts.

    Only when that pass finds a problem are the offending rows counted (and :func:`check_scale`
    raises with the usual message).
    """
    is_float = frame.collect_schema()[value].is_float()
    cleaned = without_nan(value) if is_float else nw.col(value)
    fractional = (cleaned - cleaned.round(0)).abs()
    checks = [cleaned.min().alias("low"), cleaned.max().alias("high")]
    if is_float and integer:
        checks.append(fractional.max().alias("fractional"))
    found = collect(frame.select(*checks)).row(0)
    observed_low, observed_high = found[0], found[1]
    has_fraction = len(found) > 2 and found[2] is not None and found[2] > 0
    if observed_low is None or observed_low != observed_low:  # no scores at all
        return
    if observed_low >= low and observed_high <= high and not has_fraction:
        return
    offending = (cleaned < low) | (cleaned > high)
    if has_fraction:
        offending = offending | (fractional > 0)
    check_scale(value_counts(frame.filter(offending), value, []), value,
                low=low, high=high, integer=integer)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def with_arrays(
    keys: nw.DataFrame[Any] | None, columns: Mapping[str, Any], backend: Any
) -> nw.DataFrame[Any]:
    """Append numpy arrays or lists as columns to a small eager frame of group keys.

    With ``keys=None`` (no grouping) the columns alone form the frame. A key column named
    like one of ``columns`` raises :class:`ColumnClashError` rather than being overwritten.
    """
    if keys is None:
        return nw.from_dict(
            {name: _as_column(values) for name, values in columns.items()}, backend=backend
        )
    clashes = [name for name in keys.columns if name in columns]
    if clashes:
        raise ColumnClashError(
            f"column {format_examples(clashes)} has the name of a result column (result "
            f"columns: {format_examples(list(columns), limit=12)}); rename it first")
    return keys.with_columns(
        *(nw.new_series(name, _as_column(values), backend=backend) for name, values in columns.items())
    )


def _as_column(values: Any) -> Any:
    return values if isinstance(values, list) else np.asarray(values)


def eager_implementation(frame: Frame) -> Any:
    """The library a summary of ``frame`` comes back in: its own when eager; for a lazy frame,
    the one narwhals collects that engine to (polars for polars, pandas for Dask, pyarrow for
    DuckDB, Spark and the rest). Found without running a query."""
    if isinstance(frame, nw.DataFrame):
        return frame.implementation
    if frame.implementation.is_polars():
        return nw.Implementation.POLARS
    if frame.implementation.is_dask():
        return nw.Implementation.PANDAS
    return nw.Implementation.PYARROW


def is_lazy(data: Any) -> bool:
    """Whether ``data`` is a lazy frame (polars LazyFrame, DuckDB, Dask, Spark, ...)."""
    return isinstance(nw.from_native(data, pass_through=True), nw.LazyFrame)


def into_engine(table: nw.DataFrame[Any], like: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """A small eager ``table`` as a lazy frame of ``like``'s engine, ready to join to it."""
    implementation = like.implementation
    if implementation.is_spark_like():
        return table.lazy(backend=implementation, session=like.to_native().sparkSession)
    return table.lazy(backend=implementation)


def per_row_result(result: Frame) -> Any:
    """A per-row (per-customer, per-response) result in the caller's library.

    The lazy/eager rule: a lazy input gives a lazy result, still unevaluated in its engine,
    so a hundred million customers are never collected; an eager input gives an eager one.
    """
    if isinstance(result, nw.LazyFrame):
        return result.to_native()
    return to_native(result)


def to_native(result: nw.DataFrame[Any]) -> Any:
    """Return the caller's library; pandas results get a clean 0..n-1 index."""
    native = result.to_native()
    if result.implementation.is_pandas_like():
        native = native.reset_index(drop=True)
    return native
