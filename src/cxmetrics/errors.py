"""Errors raised by cxmetrics.

Every error is a :class:`CXMetricsError`, itself a :class:`ValueError`, so callers can catch
either. Messages name the column, the rule that was broken and a few offending values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "CXMetricsError",
    "CXMetricsWarning",
    "ColumnClashError",
    "ColumnNotFoundError",
    "ColumnTypeError",
    "ConvergenceError",
    "DependenceWarning",
    "DesignError",
    "ExcludedDataWarning",
    "FontWarning",
    "LineItemWarning",
    "MissingValueError",
    "NotFittedError",
    "NotIdentifiedWarning",
    "OptionError",
    "UntestableWarning",
    "ValueRangeError",
    "check_choice",
    "format_examples",
]

_MAX_EXAMPLES = 5


def format_examples(values: Iterable[Any], limit: int = _MAX_EXAMPLES) -> str:
    """Render up to ``limit`` offending values as ``[a, b, c, ...]`` for an error message."""
    shown = []
    more = False
    for i, value in enumerate(values):
        if i == limit:
            more = True
            break
        shown.append(repr(value.item() if hasattr(value, "item") else value))
    return "[" + ", ".join(shown) + (", ..." if more else "") + "]"


class CXMetricsError(ValueError):
    """Base class of every error cxmetrics raises on bad input."""


class ColumnNotFoundError(CXMetricsError, KeyError):
    """A column named by the caller is not in the data."""

    def __str__(self) -> str:  # KeyError would quote the message; keep it readable
        return str(self.args[0]) if self.args else ""


class ColumnTypeError(CXMetricsError, TypeError):
    """A column has the wrong type (for example text where numbers are expected)."""


class ValueRangeError(CXMetricsError):
    """Values fall outside what the metric allows (scale, sign, integrality)."""


class MissingValueError(CXMetricsError):
    """Missing values where the rule forbids them (ids, weights)."""


class DesignError(CXMetricsError):
    """The data cannot support the requested analysis (unmatched pairs, too few groups)."""


class ConvergenceError(CXMetricsError):
    """A model fit did not converge; the message gives the optimiser's reason."""


class ColumnClashError(CXMetricsError):
    """A caller's column has the name of a column the function would write into its result."""


class OptionError(CXMetricsError):
    """An option string (``ci=``, ``method=``, ``mode=`` ...) is not one of the accepted values."""


class NotFittedError(CXMetricsError, AttributeError):
    """A model method that needs fitted parameters was called before ``fit``."""


class CXMetricsWarning(UserWarning):
    """Base class of every warning cxmetrics raises, so a service can filter them in one line."""


class ExcludedDataWarning(CXMetricsWarning):
    """Rows were left out under a documented policy (refunds, customers outside a window).

    The message says how many and why; the function's parameters say how to keep them.
    """


class LineItemWarning(CXMetricsWarning):
    """Rows of a transaction log look like the lines of orders, and each is counted as a purchase.

    Pass ``order=`` (the basket or invoice id) to count orders instead.
    """


class UntestableWarning(CXMetricsWarning):
    """Nothing in the data could be tested; the message says why (no cases, or too few)."""


class FontWarning(CXMetricsWarning):
    """No CJK-capable font was found; Chinese labels would render as boxes."""


class DependenceWarning(CXMetricsWarning):
    """Spend and frequency are correlated, against the Gamma-Gamma model's assumption."""


class NotIdentifiedWarning(CXMetricsWarning):
    """A model parameter is not identified by the data (its likelihood is flat towards a
    boundary); the message names it, and the fit's summary gives it an infinite bound."""


def check_choice(value: Any, allowed: Sequence[str], name: str) -> None:
    """Reject an unknown option string with :class:`OptionError`, listing the accepted ones.

    Anything that is not a string (a list, a number, None) is refused the same way, so
    ``kinds=["phone"]``-style mistakes never reach a membership test that happens to pass.
    Prefer :func:`cxmetrics._checks.option`, which also returns the value.
    """
    if not isinstance(value, str) or value not in allowed:
        raise OptionError(f"{name}={value!r} is not one of {list(allowed)}")
