"""Build the same data in every library cxmetrics accepts, for the backend matrix.

Eager: pandas, polars, pyarrow. Lazy: polars LazyFrame, DuckDB relation, Dask DataFrame and
PySpark DataFrame (local mode). A backend whose package is absent is skipped, not failed.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import narwhals as nw
import pandas as pd
import pytest

EAGER = ["pandas", "polars", "pyarrow"]
LAZY = ["polars_lazy", "duckdb", "dask", "pyspark"]
ALL = EAGER + LAZY


@functools.cache
def spark_session() -> Any:
    """One local Spark session for the whole run (starting one takes seconds)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    # Python workers (mapInPandas) must import cxmetrics from this interpreter's environment
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("cxmetrics-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # naive pandas times arrive as naive (TIMESTAMP_NTZ), as in every other backend
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .getOrCreate()
    )


def convert(frame: pd.DataFrame, backend: str) -> Any:
    """``frame`` (pandas) as a frame of ``backend``."""
    if backend == "pandas":
        return frame.copy()
    if backend in ("polars", "polars_lazy"):
        pl = pytest.importorskip("polars")
        converted = pl.from_pandas(frame)
        return converted.lazy() if backend == "polars_lazy" else converted
    if backend == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        return pa.Table.from_pandas(frame, preserve_index=False)
    if backend == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        arrow = nw.from_native(frame).to_arrow()
        return duckdb.from_arrow(arrow)
    if backend == "dask":
        dd = pytest.importorskip("dask.dataframe")
        return dd.from_pandas(frame, npartitions=3)
    if backend == "pyspark":
        return spark_session().createDataFrame(frame)
    raise ValueError(backend)


def as_pandas(result: Any) -> pd.DataFrame:
    """Any result (eager or lazy, any library) as pandas with a clean index."""
    wrapped = nw.from_native(result)
    if isinstance(wrapped, nw.LazyFrame):
        wrapped = wrapped.collect()
    return wrapped.to_pandas().reset_index(drop=True)
