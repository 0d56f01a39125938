"""pyarrow tables of several chunks (Parquet datasets, Spark and DuckDB results) give the same
answers as one-chunk tables and pandas, run after run.

narwhals' window expressions on a table of several chunks do not always keep the row order (a
threaded join underneath); ``validate_events`` once dropped every row of such a log as a
duplicate about one run in three. cxmetrics gives every pyarrow table one chunk first.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow as pa

import cxmetrics as cx
from cxmetrics import _frame
from tests.backends import as_pandas
from tests.journeys import simulate_journeys

JOURNEY = {"customer": "customer", "time": "time", "stage": "stage"}


def chunked(frame: pd.DataFrame, pieces: int = 4) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    step = -(-len(table) // pieces)
    return pa.concat_tables([table.slice(i, step) for i in range(0, len(table), step)])


def test_a_window_over_a_chunked_table_keeps_every_row_every_run() -> None:
    # Each (c, t, s) is distinct, so every row is the first of its key. Over a three-chunk table
    # read through narwhals directly, this kept fewer rows in about one run in three.
    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame({"c": rng.integers(0, 400, n), "s": rng.choice(list("abcde"), n),
                          "t": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="s")})
    table = chunked(frame, pieces=3)
    for _ in range(20):
        rows = _frame.from_native(table).with_row_index("r")
        first = rows.filter(nw.col("r") == nw.col("r").min().over("c", "t", "s"))
        assert len(first) == n
    assert table["c"].num_chunks == 3  # the caller's table is left as it was


def test_validate_events_on_a_chunked_log_matches_pandas_every_run() -> None:
    log = simulate_journeys(3000, seed=11)
    table = chunked(log)
    expected, expected_report = cx.validate_events(log, **JOURNEY, session_gap="30min")
    columns = list(expected.columns)
    for _ in range(8):
        got, report = cx.validate_events(table, **JOURNEY, session_gap="30min")
        assert report == expected_report
        pd.testing.assert_frame_equal(as_pandas(got).sort_values(columns).reset_index(drop=True),
                                      expected.sort_values(columns).reset_index(drop=True), check_dtype=False)


def test_lazy_frames_pass_without_their_schema_being_resolved() -> None:
    # reading .columns of a polars LazyFrame resolves its schema and warns: the chunk check
    # looks at the module first
    import warnings

    import polars as pl

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(_frame.from_native(pl.LazyFrame({"a": [1, 2]})), nw.LazyFrame)
