"""Rows to weighting units and back.

Raking, post-stratification and trimming treat alike every row that shares the levels of the
weighting variables and its base weight, so the weights are computed on *units*: distinct
level combinations (without base weights) or single rows (with them), each with its row
count. Levels are coded as integers once.

- Eager frames: the weighting columns are read once (as pandas columns) and factorised
  (``pandas.factorize``, one hash pass each); each row's unit is kept as an index, and the
  final weights go back as a new column in the rows' own order.
- Lazy frames: the units are grouped in the caller's engine (only the distinct combinations
  leave it) and the weights are joined back there, so the result stays lazy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import CXMetricsError, MissingValueError, ValueRangeError, format_examples


@dataclasses.dataclass(frozen=True)
class Units:
    """Weighting units: per variable, each unit's code among that variable's observed levels."""

    variables: list[str]
    base: str | None
    codes: dict[str, np.ndarray]
    levels: dict[str, list[Any]]
    counts: np.ndarray
    base_weight: np.ndarray
    inverse: np.ndarray | None  # eager: the unit of every row
    table: nw.DataFrame[Any] | None  # lazy: the unit keys, for the join back


def check_output_name(frame: _frame.Frame, name: str) -> None:
    """The weight column must be a new name."""
    if not isinstance(name, str) or not name:
        raise CXMetricsError(f"name must be a non-empty column name, got {name!r}")
    if name in frame.collect_schema().names():
        raise CXMetricsError(
            f"the data already have a column {name!r}; pass name= to give the weights another name"
        )


def check_base_weight(frame: _frame.Frame, base_weight: str | None) -> None:
    """Base weights must be numeric, present, finite and non-negative."""
    if base_weight is None:
        return
    _frame.require_columns(frame, {"base_weight": base_weight})
    _frame.require_numeric(frame, base_weight, "base_weight")
    w = nw.col(base_weight)
    is_float = frame.collect_schema()[base_weight].is_float()
    missing = w.is_null() | w.is_nan() if is_float else w.is_null()
    found = _frame.collect(frame.select(
        _frame.count_true(missing).alias("missing"),
        _frame.count_true(~missing & (w < 0)).alias("negative"),
        _frame.count_true(~missing & ~w.is_finite()).alias("infinite") if is_float
        else nw.lit(0).alias("infinite"),
    )).row(0)
    n_missing, n_negative, n_infinite = (int(x or 0) for x in found)
    if n_missing:
        raise MissingValueError(
            f"base_weight column {base_weight!r} has {n_missing} missing values (null or NaN); "
            "every row needs a base weight"
        )
    if n_negative or n_infinite:
        bad = (w < 0) | ~w.is_finite() if is_float else w < 0
        examples = _frame.collect(frame.filter(bad).select(w).head(5))[base_weight].to_list()
        raise ValueRangeError(
            f"base_weight column {base_weight!r} must be finite and non-negative; "
            f"{n_negative + n_infinite} values break the rule: {format_examples(examples)}"
        )


def _factorize(values: Any, column: str) -> tuple[np.ndarray, list[Any]]:
    """Integer codes of a column's values and the distinct values; missing levels refused."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    missing = int(np.count_nonzero(codes < 0))
    if missing:
        raise MissingValueError(
            f"weighting column {column!r} has {missing} missing values; give them a level of "
            "their own (and a target) or drop those rows"
        )
    return codes.astype(np.int64), list(uniques)


def cell_codes(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One integer per combination of levels (mixed radix), or row ranks when that overflows."""
    if float(np.prod([max(s, 1) for s in sizes], dtype=float)) < 2.0**62:
        combined = np.zeros(len(codes[0]), dtype=np.int64)
        for c, size in zip(codes, sizes, strict=True):
            combined = combined * size + c
        return combined
    return np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)[1].ravel()


def collect_units(frame: _frame.Frame, variables: Sequence[str], base_weight: str | None) -> Units:
    """The weighting units of the rows (see the module docstring)."""
    variables = list(variables)
    if isinstance(frame, nw.LazyFrame):
        return _engine_units(frame, variables, base_weight)
    columns = frame.select(variables).to_pandas()
    factorised = [_factorize(columns[v], v) for v in variables]
    row_codes = [c for c, _ in factorised]
    levels = {v: lv for v, (_, lv) in zip(variables, factorised, strict=True)}
    n = len(frame)
    if base_weight is not None or n == 0:
        base = (frame[base_weight].to_numpy().astype(float) if base_weight is not None
                else np.ones(n))
        return Units(variables, base_weight, dict(zip(variables, row_codes, strict=True)), levels,
                     np.ones(n), base, np.arange(n), None)
    sizes = [len(levels[v]) for v in variables]
    cells = cell_codes(row_codes, sizes)
    grid = float(np.prod(sizes, dtype=float))
    if grid <= max(4.0 * n, 1e6):  # few possible cells: count them directly, no sort
        per_cell = np.bincount(cells, minlength=int(grid))
        present = np.flatnonzero(per_cell)
        lookup = np.zeros(int(grid), dtype=np.int64)
        lookup[present] = np.arange(len(present))
        inverse, counts = lookup[cells], per_cell[present]
        first = np.zeros(len(present), dtype=np.int64)
        first[inverse[::-1]] = np.arange(n)[::-1]  # the first row of each cell
    else:
        _, first, inverse, counts = np.unique(cells, return_index=True, return_inverse=True,
                                              return_counts=True)
    codes = {v: c[first] for v, c in zip(variables, row_codes, strict=True)}
    return Units(variables, None, codes, levels, counts.astype(float), np.ones(len(first)),
                 inverse.ravel(), None)


def _engine_units(frame: nw.LazyFrame[Any], variables: list[str], base_weight: str | None) -> Units:
    keys = variables + ([base_weight] if base_weight is not None else [])
    table = _frame.distinct_counts(frame, keys)
    counts = table[_frame.COUNT].to_numpy().astype(float)
    codes, levels = {}, {}
    for v in variables:
        null = table[v].is_null().to_numpy()
        if null.any():
            raise MissingValueError(
                f"weighting column {v!r} has {int(counts[null].sum())} missing values; give them a "
                "level of their own (and a target) or drop those rows"
            )
        codes[v], levels[v] = _factorize(np.asarray(table[v].to_list(), dtype=object), v)
    base = (table[base_weight].to_numpy().astype(float) if base_weight is not None
            else np.ones(len(table)))
    return Units(variables, base_weight, codes, levels, counts, base, None, table.select(keys))


def attach(frame: _frame.Frame, units: Units, weights: np.ndarray, name: str) -> Any:
    """Each unit's weight on its rows, in the caller's library (and row order when eager)."""
    weights = np.asarray(weights, dtype=float)
    if isinstance(frame, nw.DataFrame):
        assert units.inverse is not None  # eager units carry each row's unit
        column = nw.new_series(name, weights[units.inverse], backend=frame.implementation)
        return _frame.to_native(frame.with_columns(column))
    assert units.table is not None
    keys = units.variables + ([units.base] if units.base is not None else [])
    lookup = units.table.with_columns(
        nw.new_series(name, weights, backend=units.table.implementation))
    if not frame.implementation.is_polars():  # engines without a row order: a plain join
        return _frame.per_row_result(frame.join(_frame.into_engine(lookup, frame), on=keys, how="left"))
    # a polars LazyFrame has a row order, which a join need not keep: number the rows first
    taken = set(frame.collect_schema().names())
    row = next(f"__cx_row{i}" for i in range(len(taken) + 1) if f"__cx_row{i}" not in taken)
    numbered = nw.from_native(frame.to_native().with_row_index(row))
    joined = numbered.join(_frame.into_engine(lookup, frame), on=keys, how="left")
    return _frame.per_row_result(joined.sort(row).drop(row))
