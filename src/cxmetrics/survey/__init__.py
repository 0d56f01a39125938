"""Survey metrics: NPS, CSAT and CES with intervals, comparisons, trends and distributions.

**Edge inputs**, the same in every summary here: null ``by`` keys (None, NaN, ``pd.NA``) form
their own group, sorted last, on every backend, and ``by`` may be a text, categorical, integer,
bool or datetime column (categorical groups come back as text, sorted by their text on every
backend; a pandas object column mixing kinds of values raises
:class:`~cxmetrics.errors.ColumnTypeError`). Scores may be any integer or float dtype, nullable
(``Int64``; ``pd.NA`` counts as missing), pyarrow-backed, a categorical whose categories are
numbers or a pandas object column of numbers; text (numeric text such as "9" too), text
categories and bool scores raise :class:`~cxmetrics.errors.ColumnTypeError`; scores off the
scale or fractional (9.5 on 0–10) raise :class:`~cxmetrics.errors.ValueRangeError` with their
count and values, infinite ones saying so. Infinite, negative or missing weights raise naming
the column. A ``by`` column named like a result column, and any column named for a role whose
name starts with ``__cx_``, raise :class:`~cxmetrics.errors.ColumnClashError`; one column
cannot serve two roles (the score as a ``by`` column, the weights as the score).
"""

from cxmetrics.survey._compare import compare_csat, compare_nps
from cxmetrics.survey._metrics import ces, csat, nps, sample_size_nps, score_distribution
from cxmetrics.survey._trend import csat_trend, nps_trend

__all__ = [
    "ces",
    "compare_csat",
    "compare_nps",
    "csat",
    "csat_trend",
    "nps",
    "nps_trend",
    "sample_size_nps",
    "score_distribution",
]
