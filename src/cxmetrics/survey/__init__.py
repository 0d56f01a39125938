"""Survey metrics: NPS, CSAT and CES with intervals, comparisons, trends and distributions."""

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
