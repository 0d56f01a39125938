"""Survey weighting: raking, post-stratification and calibration to population targets, a
report on what the weights cost in precision, and sample planning for two-group comparisons.

Weighting functions return a :class:`Weighted` pair ``(data, report)``: the caller's rows in
their own library with a weight column, and a :class:`WeightReport`.
"""

from cxmetrics.weights._calibrate import calibrate
from cxmetrics.weights._margins import load_margins
from cxmetrics.weights._planning import SampleSize, minimum_detectable_difference, sample_size_compare
from cxmetrics.weights._poststratify import poststratify
from cxmetrics.weights._rake import rake
from cxmetrics.weights._report import Weighted, WeightReport

__all__ = [
    "SampleSize",
    "WeightReport",
    "Weighted",
    "calibrate",
    "load_margins",
    "minimum_detectable_difference",
    "poststratify",
    "rake",
    "sample_size_compare",
]
