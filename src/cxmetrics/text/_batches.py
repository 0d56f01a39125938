"""Sentiment over lazy frames: the text is scored batch by batch where the data lives.

Scoring a text needs the model, not the other rows, so a lazy frame is scored by mapping one
function over its batches: Dask partitions (``map_partitions``), Spark Arrow batches
(``mapInPandas``), polars ``map_batches``, and DuckDB's Arrow record-batch stream. Each batch
is an ordinary pandas / polars / pyarrow frame scored by :func:`~cxmetrics.text.sentiment`, so
the results are identical to scoring the collected frame.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import narwhals.stable.v2 as nw

from cxmetrics.errors import ColumnTypeError
from cxmetrics.text._input import check_text_column

__all__ = ["sentiment_batches", "sentiment_lazy"]

#: Rows per Arrow batch when DuckDB streams a relation through the scorer.
DUCKDB_BATCH_ROWS = 100_000


def sentiment_batches(batches: Iterable[Any], **options: Any) -> Iterator[Any]:
    """Score each frame of ``batches`` and yield it with ``score``, ``label`` and ``reason``.

    The shape Spark's ``DataFrame.mapInPandas`` expects (an iterator of pandas frames in, one
    out); the options are those of :func:`~cxmetrics.text.sentiment` (``text=`` is required).

    Parameters
    ----------
    batches : iterable of DataFrames
        pandas, polars or pyarrow frames (Spark hands ``mapInPandas`` an iterator of pandas
        frames; a Dask partition is one pandas frame). An empty batch gives an empty frame with
        the three columns added; an empty iterable yields nothing.
    **options
        Keyword arguments of :func:`~cxmetrics.text.sentiment`: ``text`` (required), ``method``,
        ``thresholds``, ``prefix``, ``model``. They are checked before the first batch is read,
        so a bad option fails at once, not inside a Spark task.

    Returns
    -------
    iterator of DataFrames
        Each batch in its own library with ``score`` (P(positive), NaN when unscored),
        ``label`` (positive / neutral / negative, null when unscored) and ``reason`` (null, or
        why the text has no score: see :data:`~cxmetrics.text.REASONS`) appended, each name
        preceded by ``prefix``. A batch whose columns already include one of them raises
        :class:`~cxmetrics.errors.ColumnClashError`, and a text column whose type is numeric,
        boolean or a date :class:`~cxmetrics.errors.ColumnTypeError`. A batch is part
        of a column, so one that happens to hold no string (a slice of a mixed object column) is
        scored like any other: its entries get the reason ``not_text`` or ``missing``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxmetrics.text import sentiment_batches
    >>> parts = [pd.DataFrame({"c": ["很好用"]}), pd.DataFrame({"c": ["太差了"]})]
    >>> [part["label"].tolist() for part in sentiment_batches(parts, text="c")]
    [['positive'], ['negative']]
    """
    from cxmetrics.text._sentiment import check_options, check_unknown, score_batch

    check_unknown(options, "sentiment_batches")
    text = options.get("text")
    if not isinstance(text, str):
        raise ColumnTypeError(f"sentiment_batches needs text=, the name of the text column, got {text!r}")
    method, prefix = options.get("method", "cxmetrics"), options.get("prefix", "")
    model, bounds = check_options(method=method, thresholds=options.get("thresholds"), prefix=prefix,
                                  model=options.get("model"))
    return _scored(batches, functools.partial(
        score_batch, text=text, method=method, thresholds=bounds, prefix=prefix, model=model))


def _scored(batches: Iterable[Any], score: Callable[[Any], Any]) -> Iterator[Any]:
    for batch in batches:
        yield score(batch)


def sentiment_lazy(frame: nw.LazyFrame[Any], text: str | None, **options: Any) -> Any:
    """:func:`~cxmetrics.text.sentiment` on a lazy frame, returning the engine's lazy frame."""
    from cxmetrics.text._sentiment import score_batch

    if text is None:
        raise ColumnTypeError("sentiment got a lazy frame: name its text column with text=")
    check_text_column(frame, text, "sentiment")
    score: Callable[[Any], Any] = functools.partial(score_batch, text=text, **options)
    native = frame.to_native()
    implementation = frame.implementation
    if implementation.is_dask():
        return native.map_partitions(score, meta=score(native._meta))
    if implementation.is_spark_like():
        return _spark(native, text, options)
    if implementation.is_polars():
        empty = score(native.head(0).collect())
        # the scorer needs the text column: keep the optimiser from projecting it away
        return native.map_batches(score, schema=empty.schema, projection_pushdown=False,
                                  predicate_pushdown=False, slice_pushdown=False)
    if implementation.is_duckdb():
        return _duckdb(native, score)
    raise ColumnTypeError(
        f"sentiment has no batch path for {implementation} frames; collect the text column "
        f"first, or use sentiment_batches on its batches")


def _spark(native: Any, text: str, options: dict[str, Any]) -> Any:
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    prefix = options.get("prefix", "")
    schema = StructType([*native.schema.fields,
                         StructField(prefix + "score", DoubleType()),
                         StructField(prefix + "label", StringType()),
                         StructField(prefix + "reason", StringType())])
    batches = functools.partial(sentiment_batches, text=text, **options)
    return native.mapInPandas(batches, schema=schema)


def _duckdb(native: Any, score: Callable[[Any], Any]) -> Any:
    """A DuckDB relation over the scored record-batch stream.

    The stream is read once: the relation can be queried a single time (materialise it with
    ``.to_table`` or write it out to reuse it). Memory holds one batch at a time. The result
    lives on its own connection, because the input's connection is busy streaming.
    """
    import duckdb
    import pyarrow as pa

    reader = native.to_arrow_reader(DUCKDB_BATCH_ROWS)
    schema = score(reader.schema.empty_table()).schema

    def scored() -> Iterator[Any]:
        for batch in reader:
            yield from score(pa.Table.from_batches([batch])).cast(schema).to_batches()

    return duckdb.connect().from_arrow(pa.RecordBatchReader.from_batches(schema, scored()))
