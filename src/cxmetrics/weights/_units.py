"""Rows to weighting units and back.

Raking, post-stratification and trimming treat alike every row that shares the weighting
variables and the base weight, so the rows are grouped in the caller's engine into *units*
(distinct combinations with their row counts) and the weights are computed on those. The
final weight of each unit is joined back to the rows, which come back in their own order
(eager frames) or stay lazy (lazy frames).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame
from cxmetrics.errors import CXMetricsError, MissingValueError, ValueRangeError, format_examples

COUNT = "__cx_rows"
BASE = "__cx_base"
ROW = "__cx_row"


@dataclasses.dataclass(frozen=True)
class Units:
    """Distinct (variables, base weight) combinations of the rows, with their counts."""

    table: nw.DataFrame[Any]
    variables: list[str]
    base: str | None
    counts: np.ndarray
    base_weight: np.ndarray

    def values(self, column: str) -> list[Any]:
        """The unit values of one weighting variable, as Python objects."""
        return self.table[column].to_list()


def check_output_name(frame: _frame.Frame, name: str) -> None:
    """The weight column must be a new name."""
    if not isinstance(name, str) or not name:
        raise CXMetricsError(f"name must be a non-empty column name, got {name!r}")
    if name in frame.collect_schema().names():
        raise CXMetricsError(
            f"the data already have a column {name!r}; pass name= to give the weights another name"
        )


def check_base_weight(frame: _frame.Frame, base_weight: str | None) -> None:
    """Base weights must be numeric, present, finite and non-negative, and not all zero."""
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


def collect_units(frame: _frame.Frame, variables: Sequence[str], base_weight: str | None) -> Units:
    """Group the rows by the weighting variables (and base weight) in the caller's engine.

    Null levels are refused here, naming the column and how many rows lack a level.
    """
    keys = list(variables) + ([base_weight] if base_weight is not None else [])
    table = _frame.distinct_counts(frame, keys)
    for column in variables:
        nulls = table.filter(nw.col(column).is_null())
        if len(nulls):
            raise MissingValueError(
                f"weighting column {column!r} has {int(nulls[_frame.COUNT].sum())} missing values; "
                "give them a level of their own (and a target) or drop those rows"
            )
    table = table.sort(keys)
    counts = table[_frame.COUNT].to_numpy().astype(float)
    base = (table[base_weight].to_numpy().astype(float) if base_weight is not None
            else np.ones(len(table)))
    return Units(table=table, variables=list(variables), base=base_weight, counts=counts,
                 base_weight=base)


def attach(frame: _frame.Frame, units: Units, weights: np.ndarray, name: str) -> Any:
    """Join each unit's weight back to its rows, in the caller's library and row order."""
    keys = units.variables + ([units.base] if units.base is not None else [])
    lookup = units.table.select(keys).with_columns(
        nw.new_series(name, np.asarray(weights, dtype=float), backend=units.table.implementation)
    )
    if isinstance(frame, nw.LazyFrame):
        joined = frame.join(_frame.into_engine(lookup, frame), on=keys, how="left")
        return _frame.per_row_result(joined)
    indexed = frame.with_row_index(ROW)
    joined = indexed.join(lookup, on=keys, how="left").sort(ROW).drop(ROW)
    return _frame.to_native(joined)
