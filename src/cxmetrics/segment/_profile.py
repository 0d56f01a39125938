"""Per-segment profiles: size, typical R/F/M, revenue, and any value column joined in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.errors import ColumnTypeError


@same_frame
def segment_profile(
    data: Any,
    *,
    by: str | Sequence[str] = "segment",
    value: str | Sequence[str] | None = None,
    revenue: str = "revenue",
) -> Any:
    """Summarise each segment so it can be compared with, and joined to, other results.

    Parameters
    ----------
    data : DataFrame
        One row per customer with ``recency``, ``frequency``, ``monetary``, the ``revenue``
        column and the ``by`` column(s), such as :func:`rfm_segment`'s result (optionally
        joined with survey scores or predicted CLV).
    by : str or list of str
        Segment column(s).
    value : str or list of str, optional
        Numeric columns to average per segment (for example an NPS response or a predicted
        CLV); missing values are skipped.
    revenue : str
        Column of each customer's total spend.

    Returns
    -------
    DataFrame
        Same library, one row per segment, largest revenue first: the ``by`` column(s),
        ``customers``, ``share`` (of customers), ``recency_median``, ``frequency_median``,
        ``monetary_median``, ``revenue`` (sum), ``revenue_share``, and ``<value>_mean`` for
        each value column.

    Notes
    -----
    Edge inputs: an empty frame gives no rows; null segment keys (None, NaN, ``pd.NA``) form
    their own row on every backend; text, bool or infinite values raise naming the column
    (``revenue`` by that name); a ``by`` column named like a result column or starting with
    ``__cx_`` raises :class:`~cxmetrics.errors.ColumnClashError`.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> scored = pd.DataFrame({"segment": ["A", "A", "B"], "recency": [3.0, 5.0, 90.0],
    ...                        "frequency": [4, 6, 1], "monetary": [20.0, 30.0, 10.0],
    ...                        "revenue": [80.0, 180.0, 10.0], "nps": [10, 8, 0]})
    >>> profile = cx.segment_profile(scored, value="nps")
    >>> profile[["segment", "customers", "share", "recency_median", "revenue_share", "nps_mean"]]
      segment  customers     share  recency_median  revenue_share  nps_mean
    0       A          2  0.666667             4.0       0.962963       9.0
    1       B          1  0.333333            90.0       0.037037       0.0
    """
    frame = _frame.from_native(data)
    keys = _frame.as_list(by)
    if not isinstance(revenue, str):
        raise ColumnTypeError(f"revenue must be a column name (a str), got {revenue!r}")
    values = _frame.as_list(value, "value")
    _checks.not_internal({"by": keys, "value": values, "revenue": revenue})
    metrics = ["recency", "frequency", "monetary"]
    _checks.distinct({"by": keys, "revenue": revenue})
    _checks.distinct({"by": keys, "value": values})
    _frame.require_columns(frame, {"by": keys, "revenue": revenue,
                                   "value": list(dict.fromkeys([*metrics, *values]))})
    roles = {**{c: "value" for c in [*metrics, *values]}, revenue: "revenue"}
    _frame.check_keys(frame, keys)
    for column, role in roles.items():
        frame = _frame.numeric_categories(frame, column)
        _frame.require_numeric(frame, column, role)
        _checks.finite_column(frame, column, role)
    _checks.no_clash(keys, ["customers", "share", *(f"{m}_median" for m in metrics), "revenue",
                            "revenue_share", *(f"{v}_mean" for v in values)], function="segment_profile")
    backend = _frame.eager_implementation(frame)
    if isinstance(frame, nw.DataFrame) and frame.implementation.is_pyarrow():
        frame = nw.from_native(frame.to_pandas())  # pyarrow's grouped median is approximate
    elif frame.implementation.is_dask():  # Dask has no grouped median with null keys
        frame = _frame.collect(frame.select(*dict.fromkeys([*keys, *metrics, revenue, *values])))
    # the per-segment aggregation runs in the engine; the few rows it gives are finished eagerly
    aggregated = _frame.collect(
        frame.group_by(*keys, drop_null_keys=False).agg(
            nw.len().alias("customers"),
            *(nw.col(m).median().alias(f"{m}_median") for m in metrics),
            nw.col(revenue).sum().alias("revenue"),
            *(nw.col(v).mean().alias(f"{v}_mean") for v in values),
        )
    )
    profile = aggregated.with_columns(
        (nw.col("customers") / nw.col("customers").sum()).alias("share"),
        (nw.col("revenue") / nw.col("revenue").sum()).alias("revenue_share"),
    ).sort(["revenue", *keys], descending=[True, *([False] * len(keys))], nulls_last=True)
    ordered = [*keys, "customers", "share", *(f"{m}_median" for m in metrics), "revenue",
               "revenue_share", *(f"{v}_mean" for v in values)]
    table = _frame.collect(profile.select(ordered))
    if backend.is_pyarrow() and not table.implementation.is_pyarrow():
        table = nw.from_native(nw.from_native(_frame.to_native(table)).to_arrow())
    return _frame.to_native(table)
