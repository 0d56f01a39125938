"""Population targets: checking margins (shares or counts) and reading them from TOML."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from cxmetrics.errors import ColumnTypeError, CXMetricsError, DesignError, ValueRangeError, format_examples

__all__ = ["load_margins"]

_SUM_TOL = 1e-6


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueRangeError(f"{where} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueRangeError(f"{where} must be finite and non-negative, got {value!r}")
    return x


def target_shares(
    targets: Mapping[Any, Any], name: str
) -> tuple[dict[Any, float], float | None]:
    """One variable's targets as shares summing to 1, and its total when given as counts.

    Values in [0, 1] summing to 1 (within 1e-6) are shares; whole numbers summing to more
    than 1 are counts. Anything else is refused with the sum it came to.
    """
    if not isinstance(targets, Mapping) or not targets:
        raise CXMetricsError(f"{name} must be a non-empty mapping of level to share or count, "
                             f"got {targets!r}")
    values = {level: _number(v, f"{name}[{level!r}]") for level, v in targets.items()}
    total = math.fsum(values.values())
    if abs(total - 1.0) <= _SUM_TOL and all(v <= 1.0 for v in values.values()):
        return {k: v / total for k, v in values.items()}, None
    if total > 1.0 and all(float(v).is_integer() for v in values.values()):
        return {k: v / total for k, v in values.items()}, total
    raise ValueRangeError(
        f"{name} shares sum to {total:.10g}, not 1 (give shares summing to 1, or whole-number "
        "counts)"
    )


def normalise_margins(
    margins: Mapping[str, Mapping[Any, Any]],
) -> tuple[dict[str, dict[Any, float]], float | None]:
    """Every margin as shares, and the population total when any margin was given as counts.

    Margins given as counts must agree on the total.
    """
    if not isinstance(margins, Mapping) or not margins:
        raise CXMetricsError("margins must be a non-empty mapping of column to {level: share}")
    shares: dict[str, dict[Any, float]] = {}
    totals: dict[str, float] = {}
    for column, targets in margins.items():
        if not isinstance(column, str):
            raise CXMetricsError(f"margins keys must be column names, got {column!r}")
        shares[column], total = target_shares(targets, f"margins[{column!r}]")
        if total is not None:
            totals[column] = total
    if totals:
        values = list(totals.values())
        if max(values) - min(values) > _SUM_TOL * max(values):
            raise DesignError(
                f"margins given as counts disagree on the population total: {totals}"
            )
        return shares, values[0]
    return shares, None


def match_levels(
    column: str, observed: list[Any], targets: Mapping[Any, float], what: str = "margins"
) -> np.ndarray:
    """Each observed level's position among the target levels; both directions checked.

    A level in the data without a target, or a target with a positive share and no rows,
    raises naming the levels.
    """
    order = {level: i for i, level in enumerate(targets)}
    unmatched = sorted({v for v in observed if v not in order}, key=repr)
    if unmatched:
        raise DesignError(
            f"column {column!r} has levels absent from {what}: {format_examples(unmatched)}; "
            f"{what} list {format_examples(list(targets), limit=8)}"
        )
    seen = set(observed)
    empty = [level for level, share in targets.items() if share > 0 and level not in seen]
    if empty:
        raise DesignError(
            f"{what} for {column!r} list levels absent from the data: {format_examples(empty)} "
            "(no rows can carry their share)"
        )
    return np.array([order[v] for v in observed], dtype=np.int64)


def load_margins(path: str | PathLike[str]) -> dict[str, dict[str, float]]:
    """Read raking margins from a TOML file, ready for ``rake(data, margins=...)``.

    Each table is a weighting column; its keys are levels and its values shares (summing
    to 1) or population counts. The tables may sit at the top level or under ``[margins]``::

        [margins.region]
        "华东" = 0.31
        "华北" = 0.22

        [margins.channel]
        app = 0.55
        store = 0.45

    TOML keys are always text, so the weighting columns should hold text levels. The file is
    read with :mod:`tomllib` (Python ≥ 3.11) or, on Python 3.10, the ``tomli`` package when it
    is installed; without either a :class:`~cxmetrics.errors.CXMetricsError` says so. The
    margins are checked as :func:`rake` checks them.

    Parameters
    ----------
    path : str or path-like
        The TOML file.

    Returns
    -------
    dict
        ``{column: {level: value}}`` as written in the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cxmetrics.weights import load_margins
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "margins.toml"
    >>> _ = path.write_text('[region]\\nnorth = 0.4\\nsouth = 0.6\\n', encoding="utf-8")
    >>> load_margins(path)
    {'region': {'north': 0.4, 'south': 0.6}}
    """
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[no-redef,import-not-found,unused-ignore]
        except ModuleNotFoundError as exc:
            raise CXMetricsError(
                "reading a margins TOML file needs Python >= 3.11 (tomllib) or the tomli package "
                "(pip install tomli); or pass margins= as a dict"
            ) from exc
    if not isinstance(path, (str, PathLike)):
        raise ColumnTypeError(f"path must be a file path (a str or path-like), got {path!r}")
    file = Path(path)
    try:
        document = toml.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CXMetricsError(f"margins file {str(file)!r} not found") from exc
    except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission, not text
        raise CXMetricsError(f"margins file {str(file)!r} cannot be read as text: {exc}") from exc
    except toml.TOMLDecodeError as exc:
        raise CXMetricsError(f"margins file {str(file)!r} is not valid TOML: {exc}") from exc
    margins = document.get("margins", document) if isinstance(document.get("margins"), dict) else document
    for column, table in margins.items():
        if not isinstance(table, dict):
            raise CXMetricsError(
                f"margins file {str(file)!r}: {column!r} must be a table of level = share, got {table!r}"
            )
    normalise_margins(margins)
    return {column: dict(table) for column, table in margins.items()}
