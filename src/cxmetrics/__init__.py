"""cxmetrics: customer-experience analytics on DataFrames.

Survey metrics (NPS, CSAT, CES) with intervals, comparisons and trends; RFM segmentation;
CLV models (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma); key-driver analysis; journeys; Chinese
feedback text (``cxmetrics.text``); charts (``cxmetrics.plot``). Functions take a
pandas, polars or pyarrow frame and return the same library. Heavy dependencies (scipy.stats,
statsmodels, matplotlib, jieba, snownlp) load on first use, so importing the package is cheap.
"""

from cxmetrics import errors, plot, text
from cxmetrics._records import to_records
from cxmetrics._version import __version__
from cxmetrics._warm import warm_up
from cxmetrics.clv import (
    BetaGeo,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    calibration_report,
    customer_lifetime_value,
    frequency_recency_matrix,
    summary_from_transactions,
)
from cxmetrics.drivers import importance_performance, key_drivers
from cxmetrics.journey import (
    attribution,
    compare_funnels,
    funnel,
    gaps,
    journey_kpis,
    paths,
    time_between,
    transitions,
    validate_events,
)
from cxmetrics.segment import (
    RuleReport,
    default_rules,
    rfm_score,
    rfm_segment,
    rfm_table,
    rfm_thresholds,
    segment_profile,
    validate_rules,
)
from cxmetrics.survey import (
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

__all__ = [
    "BetaGeo",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "RuleReport",
    "__version__",
    "attribution",
    "calibration_report",
    "ces",
    "compare_csat",
    "compare_funnels",
    "compare_nps",
    "csat",
    "csat_trend",
    "customer_lifetime_value",
    "default_rules",
    "errors",
    "frequency_recency_matrix",
    "funnel",
    "gaps",
    "importance_performance",
    "journey_kpis",
    "key_drivers",
    "nps",
    "nps_trend",
    "paths",
    "plot",
    "rfm_score",
    "rfm_segment",
    "rfm_table",
    "rfm_thresholds",
    "sample_size_nps",
    "score_distribution",
    "segment_profile",
    "summary_from_transactions",
    "text",
    "time_between",
    "to_records",
    "transitions",
    "validate_events",
    "validate_rules",
    "warm_up",
]
