"""Small bundled samples for examples, docs and tests.

The data are synthetic (made by ``scripts/make_survey_sample.py`` with a fixed seed) and
ship inside the package, so they work offline.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Literal

import narwhals as nw

from cxmetrics.errors import CXMetricsError

__all__ = ["load_survey"]

_BACKENDS = ("pandas", "polars", "pyarrow")


def load_survey(*, backend: Literal["pandas", "polars", "pyarrow"] = "pandas") -> Any:
    """A synthetic two-wave CX survey: 1,600 responses from 800 customers.

    Parameters
    ----------
    backend : {"pandas", "polars", "pyarrow"}
        Library of the returned frame.

    Returns
    -------
    DataFrame
        Columns: ``response_id``; ``customer_id`` (each customer answers both waves);
        ``wave`` ("2025H1" / "2025H2"); ``date`` (datetime); ``region`` (华东, 华北, 华南, 西南);
        ``channel`` (app, web, store, phone); ``department`` (售后, 物流, 销售); ``ltr``
        (likelihood to recommend 0–10, 25 missing); ``csat`` (1–5); ``ces`` (1–7, higher is
        easier); ``comment`` (short Chinese comment, empty when none was left).

    Examples
    --------
    >>> from cxmetrics.datasets import load_survey
    >>> survey = load_survey()
    >>> survey.shape
    (1600, 11)
    >>> load_survey(backend="polars")["wave"].unique().sort().to_list()
    ['2025H1', '2025H2']
    """
    if backend not in _BACKENDS:
        raise CXMetricsError(f"backend={backend!r} is not one of {list(_BACKENDS)}")
    path = files("cxmetrics.datasets") / "data" / "survey.csv"
    frame = nw.read_csv(str(path), backend=backend)
    date = nw.col("date")
    # pyarrow's reader already parses ISO dates (as date32); pandas and polars keep strings.
    parsed = date.str.to_datetime("%Y-%m-%d") if frame.schema["date"] == nw.String else date
    frame = frame.with_columns(parsed.cast(nw.Datetime("us")), nw.col("comment").fill_null(""))
    return frame.to_native()
