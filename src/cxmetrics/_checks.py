"""The one checking module: every public function validates its arguments here.

The same mistake gets the same message everywhere. Each check takes the value and the
argument's name (as the caller spelled it), returns the value in its checked form, and raises
an error from :mod:`cxmetrics.errors` naming the argument and what was wrong. Strings are
never coerced to numbers and booleans are never numbers.

How to adopt it in a public function::

    from cxmetrics import _checks

    def thing(data, *, score, by=None, confidence=0.95, n_boot=2000, seed=None, window="7D"):
        frame = _frame.from_native(data)
        by_columns = _checks.columns(frame, {"score": score, "by": by})  # str, present
        _checks.no_clash(by_columns, RESULT_COLUMNS, function="thing")    # result names free
        confidence = _checks.confidence(confidence)
        n_boot = _checks.whole(n_boot, "n_boot", low=1)
        _checks.seed(seed)
        window_us = _checks.duration(window, "window")
        _checks.finite_column(frame, score, "score")

========================  =============================================  =====================
check                     accepts                                        error
========================  =============================================  =====================
:func:`column`            a str naming a column of the frame             ColumnType/NotFound
:func:`columns`           ``{role: name | [names] | None}``              ColumnType/NotFound
:func:`distinct`          the columns of different roles differ          ValueRangeError
:func:`no_clash`          column names vs a function's result names      ColumnClashError
:func:`not_internal`      column names not starting with ``__cx_``       ColumnClashError
:func:`confidence`        a real number strictly inside (0, 1)           ValueRangeError
:func:`probability`       a real number in [0, 1] (or open ends)         ValueRangeError
:func:`number`            a finite real number within optional bounds    ValueRangeError
:func:`whole`             an int (not bool) within optional bounds       ValueRangeError
:func:`flag`              a bool                                         ValueRangeError
:func:`option`            one of the listed strings                      OptionError
:func:`seed`              None, an int >= 0 or a numpy Generator         ValueRangeError
:func:`rng`               a seed, as a Generator (None: a fixed seed)    ValueRangeError
:func:`duration`          timedelta, numpy timedelta64, ``"30min"``      ValueRangeError
:func:`finite_column`     a numeric column without +-inf                 ValueRangeError
:func:`present`           values that occur in a column (same kind)      ValueRangeError
:func:`comparable`        values of the kind a column holds              ValueRangeError
:func:`position`          where a value is among a few (or None)         (no error)
:func:`fitted`            a model whose ``params_`` is set               NotFittedError
========================  =============================================  =====================
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _frame, _time
from cxmetrics.errors import (
    ColumnClashError,
    ColumnNotFoundError,
    ColumnTypeError,
    NotFittedError,
    ValueRangeError,
    check_choice,
    format_examples,
)

__all__ = [
    "column",
    "columns",
    "comparable",
    "confidence",
    "distinct",
    "duration",
    "finite_column",
    "fitted",
    "flag",
    "no_clash",
    "not_internal",
    "number",
    "option",
    "position",
    "present",
    "probability",
    "rng",
    "seed",
    "whole",
]

_REAL = (int, float, np.integer, np.floating)

#: Prefix of every internal helper column; a caller's column may not start with it.
INTERNAL_PREFIX = "__cx_"


def _is_real(value: Any) -> bool:
    return isinstance(value, _REAL) and not isinstance(value, (bool, np.bool_))


def column(frame: _frame.Frame, name: Any, role: str) -> str:
    """``name`` must be a str naming a column of ``frame``; returns it."""
    if not isinstance(name, str):
        raise ColumnTypeError(f"{role} must be a column name (a str), got {name!r}")
    available = frame.collect_schema().names()
    if name not in available:
        raise ColumnNotFoundError(
            f"{role} column {name!r} not found; available columns: "
            f"{format_examples(available, limit=12)}")
    return name


def columns(frame: _frame.Frame, roles: Mapping[str, Any]) -> list[str]:
    """Check every column named for a role (a name, a list of names or None).

    Returns the names of the role called ``"by"`` as a list (empty without one), since that is
    what a caller needs next. Lists must be lists or tuples of str, with no name twice.
    """
    by: list[str] = []
    for role, names in roles.items():
        if names is None:
            continue
        if isinstance(names, str):
            listed = [names]
        elif isinstance(names, (list, tuple)):
            listed = list(names)
            if len(set(map(repr, listed))) != len(listed):
                raise ValueRangeError(f"{role} names a column twice: {listed!r}")
        else:
            raise ColumnTypeError(
                f"{role} must be a column name or a list of names, got {names!r}")
        for name in listed:
            column(frame, name, role)
        if role == "by":
            by = listed
    return by


def _listed(names: Any) -> list[Any]:
    """A role's column names as a list (a name, a list or tuple of names; anything else,
    None included, gives none here and is left to :func:`columns` to refuse)."""
    if isinstance(names, str):
        return [names]
    return list(names) if isinstance(names, (list, tuple)) else []


def distinct(roles: Mapping[str, Any]) -> None:
    """Columns named for different roles must differ: ``{role: name | [names] | None}``.

    Raises :class:`ValueRangeError` naming both roles and the column, so that a call such as
    ``rfm_table(customer="date", time="date")`` is refused rather than read twice.
    """
    seen: dict[str, str] = {}
    for role, names in roles.items():
        for name in _listed(names):
            if isinstance(name, str) and name in seen and seen[name] != role:
                raise ValueRangeError(
                    f"{seen[name]} and {role} both name the column {name!r}; each role needs its "
                    f"own column")
            if isinstance(name, str):
                seen.setdefault(name, role)


def no_clash(names: Iterable[str], reserved: Collection[str], *, function: str = "the result") -> None:
    """Raise :class:`ColumnClashError` when a caller's column would be overwritten.

    ``names`` are the caller's columns that come back in the result (group keys, passed-through
    columns); ``reserved`` the columns the function adds. Internal helper columns never clash:
    they start with ``__cx_`` and are chosen out of the caller's way.
    """
    clashes = [name for name in names if name in reserved]
    if clashes:
        raise ColumnClashError(
            f"column {format_examples(clashes)} has the name of a column {function} writes "
            f"(result columns: {format_examples(sorted(reserved), limit=12)}); rename it first")


def not_internal(names: Iterable[Any] | Mapping[str, Any], role: str = "by") -> None:
    """Raise :class:`ColumnClashError` for a caller's column whose name starts with ``__cx_``,
    the prefix of the library's internal columns (which would otherwise overwrite it).

    ``names`` is a list of names, or ``{role: name | [names] | None}`` for several roles.
    """
    if isinstance(names, Mapping):
        for each_role, each in names.items():
            not_internal(_listed(each), each_role)
        return
    taken = [name for name in names if isinstance(name, str) and name.startswith(INTERNAL_PREFIX)]
    if taken:
        raise ColumnClashError(
            f"{role} column {format_examples(taken)} starts with {INTERNAL_PREFIX!r}, the prefix "
            f"cxmetrics keeps for its internal columns; rename it first")


def number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (not a bool, not a string) within the optional bounds."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueRangeError(f"{name} must be a finite number, got {value!r}")
    x = float(value)
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueRangeError(f"{name} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return x


def confidence(value: Any, name: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1 (0.95, not 95 or "0.95")."""
    if not _is_real(value) or not 0.0 < float(value) < 1.0:
        raise ValueRangeError(
            f"{name} must be a number strictly between 0 and 1 (such as 0.95), got {value!r}")
    return float(value)


def probability(value: Any, name: str, *, open_ends: bool = False) -> float:
    """A probability in [0, 1], or in (0, 1) with ``open_ends``."""
    return number(value, name, low=0.0, high=1.0, low_open=open_ends, high_open=open_ends)


def whole(value: Any, name: str, *, low: int | None = None, high: int | None = None,
          allow_none: bool = False) -> Any:
    """An int (Python or numpy; not a bool, float or string) within the optional bounds."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueRangeError(f"{name} must be a whole number (an int), got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"from {low} to {high}" if low is not None and high is not None
                  else f"at least {low}" if low is not None else f"at most {high}")
        raise ValueRangeError(f"{name} must be a whole number {bounds}, got {value!r}")
    return int(value)


def flag(value: Any, name: str) -> bool:
    """A bool (True/False, numpy bool too); 0, 1 and "yes" are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueRangeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def option(value: Any, allowed: Sequence[str], name: str) -> str:
    """One of the ``allowed`` strings; anything else raises :class:`OptionError`
    (:func:`cxmetrics.errors.check_choice`, returning the checked value)."""
    check_choice(value, allowed, name)
    return value


def seed(value: Any, name: str = "seed") -> Any:
    """``None``, a non-negative int or a :class:`numpy.random.Generator`; returned unchanged."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueRangeError(
            f"{name} must be None, a non-negative int or a numpy Generator, got {value!r}")
    return value


#: The seed simulated intervals use when the caller gives none: identical calls, identical results.
DEFAULT_SEED = 0


def rng(value: Any, name: str = "seed") -> np.random.Generator:
    """The random generator of a simulation: :func:`seed`-checked, and for ``None`` one seeded
    with :data:`DEFAULT_SEED`, so that two identical calls give identical results."""
    seed(value, name)
    return np.random.default_rng(DEFAULT_SEED if value is None else value)


def duration(value: Any, name: str, *, unit: str | None = None,
             allow_none: bool = False) -> int | None:
    """A duration in microseconds, read by :func:`cxmetrics._time.parse_duration`.

    ``None`` passes only with ``allow_none`` (for arguments where None documents "no limit").
    """
    if value is None and allow_none:
        return None
    return _time.parse_duration(value, name, unit=unit)


def finite_column(frame: _frame.Frame, name: str, role: str) -> None:
    """A float column must hold no +-inf (NaN and nulls are left to the missing-value policy).

    The error names the column, how many values are infinite and a few of them.
    """
    if not frame.collect_schema()[name].is_float():
        return
    values = nw.col(name)
    infinite = (values.abs() == float("inf")).fill_null(value=False)
    n_inf = int(_frame.collect(frame.select(_frame.count_true(infinite).alias("k")))["k"][0])
    if n_inf:
        examples = _frame.collect(frame.filter(infinite).select(values).head(3))[name].to_list()
        raise ValueRangeError(
            f"{role} column {name!r} has {n_inf} infinite values: {format_examples(examples)}; "
            f"drop or cap them first")


def fitted(model: Any, attribute: str = "params_") -> None:
    """Raise :class:`NotFittedError` unless ``model.<attribute>`` is set (call ``fit`` first)."""
    if getattr(model, attribute, None) is None:
        raise NotFittedError(
            f"this {type(model).__name__} is not fitted yet; call .fit(...) first")


def _same_value(wanted: Any, found: Any) -> bool:
    """A wanted value matches a found one of the same kind (text to text, number to number,
    bool to bool), so ``1`` never matches ``"1"`` and no engine compares across types."""
    if isinstance(wanted, str) != isinstance(found, str):
        return False
    if isinstance(wanted, (bool, np.bool_)) != isinstance(found, (bool, np.bool_)):
        return False
    try:
        return bool(wanted == found)
    except (TypeError, ValueError):
        return False


def present(wanted: Sequence[Any], found: Sequence[Any], role: str, column: str) -> None:
    """Every value of ``wanted`` must occur among ``found`` (a column's distinct values).

    Compared in Python, value by value, so a value of another type than the column (``1``
    against text stages) is reported as absent on every backend instead of failing inside
    the engine. The error names the role, the column, the absent values and a few present.
    """
    absent = [w for w in wanted if not any(_same_value(w, f) for f in found)]
    if absent:
        shown = sorted((str(f) for f in found if f is not None), key=str)
        raise ValueRangeError(
            f"{role} {absent} do not occur in {column} (values: {format_examples(shown, limit=8)})")


def _kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    return "text" if isinstance(value, str) else "other"


def comparable(wanted: Sequence[Any], found: Sequence[Any], role: str, column: str) -> None:
    """Values of ``wanted`` must be of a kind ``found`` holds (text for text, numbers for
    numbers), so that comparing them is meaningful and no engine fails on mixed types; unlike
    :func:`present`, a value of the right kind that does not occur passes."""
    kinds = {_kind(f) for f in found if f is not None}
    if not kinds:
        return
    wrong = [w for w in wanted if _kind(w) not in kinds]
    if wrong:
        shown = sorted((str(f) for f in found if f is not None), key=str)
        raise ValueRangeError(
            f"{role} {wrong} cannot match {column}, which holds values such as "
            f"{format_examples(shown, limit=8)} (a number never equals a text value)")


def position(value: Any, values: Sequence[Any]) -> int | None:
    """Index of ``value`` among ``values`` by :func:`present`'s rule (same kind, equal), or
    None; a missing value such as ``pd.NA`` matches nothing instead of raising."""
    for i, candidate in enumerate(values):
        if _same_value(value, candidate):
            return i
    return None
