"""Post-stratification to the population shares of interlocked cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import CXMetricsError, DesignError, format_examples
from cxmetrics.weights._margins import match_levels, target_shares
from cxmetrics.weights._rake import relative_error
from cxmetrics.weights._report import Weighted, WeightReport
from cxmetrics.weights._units import (
    attach,
    cell_codes,
    check_base_weight,
    check_output_name,
    collect_units,
)

__all__ = ["poststratify"]


def _population_mapping(population: Any, cells: list[str]) -> Mapping[Any, Any]:
    """A population table (frame) as ``{cell: value}``; a mapping passes through."""
    if isinstance(population, Mapping):
        return population
    table = _frame.collect(_frame.from_native(population, name="population"))
    _frame.require_columns(table, {"cells": cells})
    others = [c for c in table.columns if c not in cells]
    if len(others) != 1:
        raise CXMetricsError(
            f"a population frame needs the cell columns {cells} and one column of shares or "
            f"counts; it has the other columns {others}"
        )
    _frame.require_numeric(table, others[0], "population")
    keys = table.select(cells).rows()
    values = table[others[0]].to_list()
    cell_keys = [k if len(cells) > 1 else k[0] for k in keys]
    if len(set(cell_keys)) != len(cell_keys):
        raise DesignError(f"the population frame lists some cells of {cells} more than once")
    return dict(zip(cell_keys, values, strict=True))


def poststratify(
    data: Any,
    *,
    cells: str | Sequence[str],
    population: Any,
    base_weight: str | None = None,
    name: str = "weight",
) -> Weighted:
    """Weight responses so that each interlocked cell carries its population share.

    Every row of cell c gets w = b · N_c / B_c, where N_c is the cell's population count
    (share × total) and B_c the sum of the base weights b in the cell (Holt & Smith 1979).
    Unlike :func:`rake`, the joint distribution of the cell variables must be known.

    Parameters
    ----------
    data : DataFrame
        pandas, polars or pyarrow frame (or a lazy frame), one row per response.
    cells : str or list of str
        Columns whose combinations form the cells.
    population : dict or DataFrame
        Each cell's population share (summing to 1) or count (whole numbers): a dict keyed by
        the level (one cell column) or by tuples of levels in the order of ``cells``, or a
        frame with the cell columns and one numeric column.
    base_weight : str, optional
        Column of design weights to start from (finite, non-negative, not missing).
    name : str
        Name of the weight column added (must not exist yet).

    Returns
    -------
    Weighted
        ``(data, report)``: the rows with the column ``name`` (in the caller's library and row
        order; a lazy input stays lazy) and a :class:`WeightReport` whose ``margin_errors``
        holds the largest relative cell share error under the key of the cell columns joined by " × ".
        Weights sum to the population total for counts, else to the sum of base weights.

    Raises
    ------
    DesignError
        Empty cells (a population cell with no responses, or whose base weights are all 0),
        a cell in the data absent from the population, cells listed twice.
    ValueRangeError
        Shares not summing to 1 (the sum is given), negative or non-finite values.

    Notes
    -----
    Edge inputs follow the rules of :func:`rake` (an empty frame raises
    :class:`~cxmetrics.errors.DesignError`, levels match the targets' keys by value, missing
    levels raise :class:`~cxmetrics.errors.MissingValueError`, base weights must be numeric,
    finite, non-negative and present, the weight column ``name`` must be new, unused columns
    pass through, a lazy input gives a lazy result).

    References
    ----------
    Holt, D., & Smith, T. M. F. (1979). Post stratification. *Journal of the Royal Statistical
    Society A* 142(1), 33–46.

    Examples
    --------
    >>> import polars as pl
    >>> import cxmetrics as cx
    >>> df = pl.DataFrame({"region": ["north", "north", "north", "south"],
    ...                    "channel": ["app", "app", "store", "app"]})
    >>> population = {("north", "app"): 0.3, ("north", "store"): 0.2, ("south", "app"): 0.5}
    >>> weighted, report = cx.poststratify(df, cells=["region", "channel"], population=population)
    >>> weighted["weight"].to_list()
    [0.6, 0.6, 0.8, 2.0]
    >>> round(report.efficiency, 3)
    0.746
    """
    cell_list = _frame.as_list(cells, "cells")
    if not cell_list:
        raise CXMetricsError("cells must name at least one column")
    frame = _frame.from_native(data)
    _frame.require_columns(frame, {"cells": cell_list})
    _checks.not_internal({"cells": cell_list, "base_weight": base_weight})
    check_output_name(frame, name)
    if base_weight is not None and base_weight in cell_list:
        raise CXMetricsError(f"base_weight column {base_weight!r} cannot also be a cell column")
    shares, population_total = target_shares(_population_mapping(population, cell_list), "population")
    check_base_weight(frame, base_weight)
    units = collect_units(frame, cell_list, base_weight)
    if len(units.counts) == 0:
        raise DesignError("the data have no rows to weight")
    label = " × ".join(cell_list)
    combined = cell_codes([units.codes[c] for c in cell_list], [len(units.levels[c]) for c in cell_list])
    _, first, cell_of_unit = np.unique(combined, return_index=True, return_inverse=True)
    cell_of_unit = cell_of_unit.ravel()
    keys = [tuple(units.levels[c][units.codes[c][i]] for c in cell_list) for i in first]
    if len(cell_list) == 1:
        keys = [k[0] for k in keys]
    observed_base = np.bincount(cell_of_unit, units.counts * units.base_weight, minlength=len(keys))
    base_by_key = dict(zip(keys, observed_base, strict=True))
    empty = [cell for cell, share in shares.items() if share > 0 and base_by_key.get(cell, 0.0) <= 0]
    if empty:
        raise DesignError(
            f"empty cells: {len(empty)} population cells of {label} have no responses (or only "
            f"zero base weights): {format_examples(empty)}; merge them with neighbouring cells"
        )
    code = match_levels(label, keys, shares, what="population")[cell_of_unit]
    share = np.array(list(shares.values()))
    base_total = float(np.sum(units.counts * units.base_weight))
    total = population_total if population_total is not None else base_total
    cell_base = np.bincount(code, units.counts * units.base_weight, minlength=len(share))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(cell_base > 0, share * total / cell_base, 0.0)
    w = units.base_weight * factor[code]
    achieved = np.bincount(code, units.counts * w, minlength=len(share))
    error = relative_error(achieved, share * total, total)
    report = WeightReport.from_weights(
        w, counts=units.counts, method="poststratify", iterations=1, margin_errors={label: error}
    )
    return Weighted(attach(frame, units, w, name), report)


