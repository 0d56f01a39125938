from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd
import polars as pl
import pytest

BACKENDS = ["pandas", "polars"]


def make_frame(data: dict[str, Any], backend: str) -> Any:
    """Build a frame of the given library from column lists."""
    if backend == "pandas":
        return pd.DataFrame(data)
    if backend == "polars":
        return pl.DataFrame(data, strict=False)
    raise ValueError(backend)


def to_pandas(result: Any) -> pd.DataFrame:
    """Any result frame as pandas, for comparing numbers across libraries."""
    return nw.from_native(result).to_pandas()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param
