"""Frame layer for key drivers: validate the rating columns and bring them to numpy per group."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import ColumnTypeError, DesignError, MissingValueError, ValueRangeError

MISSING = ("listwise", "pairwise")


@dataclasses.dataclass(frozen=True)
class Ratings:
    """Ratings as one float matrix (drivers, then the outcome; NaN = missing), weights and
    each row's group."""

    outcome: str
    drivers: list[str]
    matrix: np.ndarray
    w: np.ndarray | None
    keys: nw.DataFrame[Any] | None  # one row per group, or None without ``by``
    group: np.ndarray  # each row's group position
    backend: Any

    @property
    def x(self) -> np.ndarray:
        return self.matrix[:, :-1]

    @property
    def y(self) -> np.ndarray:
        return self.matrix[:, -1]

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The matrix and weights at ``rows`` (sorted positions); all rows without a copy."""
        if len(rows) == len(self.matrix):
            return self.matrix, self.w
        return self.matrix[rows], None if self.w is None else self.w[rows]

    def groups(self) -> Iterator[tuple[int, np.ndarray]]:
        for position in range(1 if self.keys is None else len(self.keys)):
            yield position, np.flatnonzero(self.group == position)


def load(data: Any, outcome: str, drivers: Sequence[str], weights: str | None,
         by: str | Sequence[str] | None) -> Ratings:
    """Check the columns and collect them (only those named) as float arrays."""
    frame = _frame.from_native(data)
    drivers = _frame.as_list(drivers, "drivers")
    if not drivers:
        raise ValueRangeError("drivers must name at least one column")
    repeated = sorted({d for d in drivers if drivers.count(d) > 1})
    if repeated:
        raise ValueRangeError(f"drivers are listed more than once: {repeated}")
    if outcome in drivers:
        raise ValueRangeError(f"the outcome {outcome!r} is also listed as a driver")
    group_by = _frame.as_list(by)
    _checks.distinct({"outcome": outcome, "drivers": drivers, "weights": weights, "by": group_by})
    _checks.not_internal({"outcome": outcome, "drivers": drivers, "weights": weights, "by": group_by})
    _frame.require_columns(frame, {"outcome": outcome, "drivers": drivers, "weights": weights,
                                   "by": group_by})
    for role, column in [("outcome", outcome), *(("drivers", d) for d in drivers)]:
        frame = _frame.numeric_categories(frame, column)  # a Categorical of ratings holds numbers
        _check_numeric(frame, column, role)
        _checks.finite_column(frame, column, role)
    if weights is not None:
        frame = _frame.numeric_categories(frame, weights)
        _frame.check_weights(frame, weights)
    _frame.check_keys(frame, group_by)
    frame = _frame.categorical_keys_as_text(frame, group_by)
    numeric = [*drivers, outcome, *([weights] if weights else [])]
    schema = frame.collect_schema()
    collected = _frame.collect(frame.select(
        *(nw.col(b) for b in group_by),
        *((_frame.without_nan(c) if schema[c].is_float() else nw.col(c)).cast(nw.Float64).alias(c)
          for c in numeric),
    ))
    backend = collected.implementation
    keys, group = _frame.group_codes(collected, group_by)
    matrix = np.asarray(collected.select(numeric).to_numpy(), dtype=np.float64)
    w = None
    if weights:
        matrix, w = matrix[:, :-1], np.ascontiguousarray(matrix[:, -1])
        if np.isnan(w).any():
            raise MissingValueError(f"weights column {weights!r} has {int(np.isnan(w).sum())} missing values")
    return Ratings(outcome, drivers, matrix, w, keys, group, backend)


def _check_numeric(frame: Any, column: str, role: str) -> None:
    dtype = frame.collect_schema()[column]
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        raise ColumnTypeError(f"{role} column {column!r} must hold numeric ratings, got {dtype}")


def complete_rows(ratings: Ratings, rows: np.ndarray, missing: str) -> np.ndarray:
    """Rows of the group to use: complete cases (listwise), or rows with any rating (pairwise)."""
    absent = np.isnan(ratings.rows(rows)[0])
    keep = ~absent.any(axis=1) if missing == "listwise" else ~absent.all(axis=1)
    return rows if keep.all() else rows[keep]


def check_design(ratings: Ratings, rows: np.ndarray, label: str) -> None:
    """Clear errors for designs no regression can fit: too few rows, constant columns."""
    p = len(ratings.drivers)
    if len(rows) < p + 2:
        raise DesignError(
            f"{label}: {len(rows)} complete responses for {p} drivers; a regression needs at least "
            f"{p + 2} (drivers + 2)")
    matrix = ratings.rows(rows)[0]
    # an all-missing column gets low = inf > high = -inf, so it is reported as constant; nanmin
    # would warn, and silencing it would need a process-wide warning filter
    missing = np.isnan(matrix)
    low = np.where(missing, np.inf, matrix).min(axis=0, initial=np.inf)
    high = np.where(missing, -np.inf, matrix).max(axis=0, initial=-np.inf)
    if not low[-1] < high[-1]:
        raise DesignError(f"{label}: outcome {ratings.outcome!r} takes a single value "
                          f"({low[-1]}); there is nothing to explain")
    constant = [d for j, d in enumerate(ratings.drivers) if not low[j] < high[j]]
    if constant:
        raise DesignError(f"{label}: driver columns {constant} are constant, so they cannot explain "
                          f"differences in {ratings.outcome!r}; drop them")
