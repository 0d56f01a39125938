"""Static types for the public API: "the caller's frame type comes back".

Every summary function takes a frame and returns one of the same library. At run time that is
checked by the backend matrix; for a type checker, :func:`same_frame` gives a function the type
:class:`SameFrame`, whose call returns the type of its first argument for pandas and polars
frames (the libraries with type stubs) and ``Any`` for everything else (pyarrow, lazy engines,
whose summaries come back in the library their engine collects to). The decorator returns the
function itself, so signatures, docstrings and ``inspect`` are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, cast, overload

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["EagerFrameT", "SameFrame", "same_frame"]

P = ParamSpec("P")
#: A pandas or polars DataFrame, the same one in and out.
EagerFrameT = TypeVar("EagerFrameT", "pd.DataFrame", "pl.DataFrame")


class SameFrame(Protocol[P]):
    """A function from a frame (and keyword arguments ``P``) to a frame of the same library."""

    @overload
    def __call__(self, data: EagerFrameT, /, *args: P.args, **kwargs: P.kwargs) -> EagerFrameT: ...

    @overload
    def __call__(self, data: Any, /, *args: P.args, **kwargs: P.kwargs) -> Any: ...


def same_frame(function: Callable[Concatenate[Any, P], Any]) -> SameFrame[P]:
    """Type ``function`` as returning the caller's frame type (see the module docstring)."""
    return cast("SameFrame[P]", function)
