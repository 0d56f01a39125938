"""Small bundled samples for examples, docs and tests.

The data are synthetic (made by ``scripts/make_survey_sample.py`` with a fixed seed) and
ship inside the package, so they work offline.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Literal

import narwhals as nw

from cxmetrics import _frame
from cxmetrics.errors import CXMetricsError

__all__ = ["load_journeys", "load_survey", "load_transactions"]

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
    comment = _frame.fill_missing(nw.col("comment"), "")
    frame = frame.with_columns(parsed.cast(nw.Datetime("us")), comment)
    return frame.to_native()


def load_journeys(*, customers: int = 3000, seed: int = 7) -> Any:
    """A synthetic e-commerce journey log with a planted gap (pandas).

    Customers walk home → search → product → cart → checkout → purchase and may leave after
    any event; moving from the app to the web at checkout adds 30 points of exit risk, which
    :func:`cxmetrics.gaps` should find. Columns: ``customer``, ``time``, ``stage``, ``device``
    (app / web), ``channel``, ``department``.

    Examples
    --------
    >>> from cxmetrics.datasets import load_journeys
    >>> log = load_journeys(customers=200)
    >>> sorted(log.columns)
    ['channel', 'customer', 'department', 'device', 'stage', 'time']
    >>> log["customer"].nunique()
    200
    """
    from cxmetrics.datasets._synthetic import simulate_journeys

    return simulate_journeys(customers, seed)


def load_transactions(*, customers: int = 1500, seed: int = 11) -> Any:
    """A synthetic order table following the BG/NBD and Gamma-Gamma assumptions (pandas).

    Columns: ``customer``, ``date``, ``amount`` (yuan), over 78 weeks from 2024-01-01.

    Examples
    --------
    >>> from cxmetrics.datasets import load_transactions
    >>> orders = load_transactions(customers=100)
    >>> list(orders.columns), orders["customer"].nunique()
    (['customer', 'date', 'amount'], 100)
    """
    from cxmetrics.datasets._synthetic import simulate_transactions

    return simulate_transactions(customers, seed)
