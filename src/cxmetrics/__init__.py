"""cxmetrics: customer-experience analytics on DataFrames.

Survey metrics (NPS, CSAT, CES) with intervals, comparisons and trends. Functions take a
pandas, polars or pyarrow frame and return the same library. Heavy dependencies (scipy.stats,
statsmodels, matplotlib, jieba, snownlp) load on first use, so importing the package is cheap.
"""

from cxmetrics import errors
from cxmetrics.nps import (
    ces,
    compare_csat,
    compare_nps,
    csat,
    csat_trend,
    nps,
    nps_trend,
    sample_size_nps,
    score_distribution,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ces",
    "compare_csat",
    "compare_nps",
    "csat",
    "csat_trend",
    "errors",
    "nps",
    "nps_trend",
    "sample_size_nps",
    "score_distribution",
]
