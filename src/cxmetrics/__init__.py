"""cxmetrics: customer-experience analytics on DataFrames.

Survey metrics (NPS, CSAT, CES) with intervals, comparisons and trends; survey weighting and
sample planning (``cxmetrics.weights``); RFM segmentation; CLV models (BG/NBD, MBG/NBD,
Pareto/NBD, Gamma-Gamma, shifted-beta-geometric, BG/BB); key-driver analysis; journeys;
retention and cohorts; Chinese feedback text (``cxmetrics.text``); charts (``cxmetrics.plot``).
Functions take a pandas, polars or pyarrow frame and return the same library. Heavy
dependencies (scipy.stats, statsmodels, matplotlib, jieba, snownlp) load on first use, so
importing the package is cheap.
"""

from cxmetrics import errors, plot, text, weights
from cxmetrics._records import to_records
from cxmetrics._version import __version__
from cxmetrics._warm import warm_up
from cxmetrics.clv import (
    BetaGeo,
    BetaGeoBetaBinom,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeometric,
    TransactionModel,
    calibration_report,
    compare_models,
    customer_lifetime_value,
    frequency_recency_matrix,
    repeat_purchase_histogram,
    summary_from_transactions,
    tracking,
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
from cxmetrics.retention import cohort_retention, compare_retention, lifecycle, stickiness
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
from cxmetrics.weights import (
    SampleSize,
    Weighted,
    WeightReport,
    calibrate,
    load_margins,
    minimum_detectable_difference,
    poststratify,
    rake,
    sample_size_compare,
)

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "RuleReport",
    "SampleSize",
    "ShiftedBetaGeometric",
    "TransactionModel",
    "WeightReport",
    "Weighted",
    "__version__",
    "attribution",
    "calibrate",
    "calibration_report",
    "ces",
    "cohort_retention",
    "compare_csat",
    "compare_funnels",
    "compare_models",
    "compare_nps",
    "compare_retention",
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
    "lifecycle",
    "load_margins",
    "minimum_detectable_difference",
    "nps",
    "nps_trend",
    "paths",
    "plot",
    "poststratify",
    "rake",
    "repeat_purchase_histogram",
    "rfm_score",
    "rfm_segment",
    "rfm_table",
    "rfm_thresholds",
    "sample_size_compare",
    "sample_size_nps",
    "score_distribution",
    "segment_profile",
    "stickiness",
    "summary_from_transactions",
    "text",
    "time_between",
    "to_records",
    "tracking",
    "transitions",
    "validate_events",
    "validate_rules",
    "warm_up",
    "weights",
]
