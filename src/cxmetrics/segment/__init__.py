"""RFM segmentation: per-customer R/F/M, tie-safe scores, auditable rule tables, profiles.

``rfm_table`` reduces a transaction log to one row per customer; ``rfm_score`` scores
recency, frequency and monetary value so tied customers share a score and row order never
matters; ``rfm_segment`` names segments from a plain-data rule table that
``validate_rules`` checks cell by cell; ``segment_profile`` summarises the segments.
"""

from cxmetrics.segment._profile import segment_profile
from cxmetrics.segment._rules import ZH_LABELS, RuleReport, default_rules, rfm_segment, validate_rules
from cxmetrics.segment._score import rfm_score, rfm_thresholds
from cxmetrics.segment._table import rfm_table

__all__ = [
    "ZH_LABELS",
    "RuleReport",
    "default_rules",
    "rfm_score",
    "rfm_segment",
    "rfm_table",
    "rfm_thresholds",
    "segment_profile",
    "validate_rules",
]
