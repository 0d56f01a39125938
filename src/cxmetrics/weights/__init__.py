"""Survey weighting: raking, post-stratification and calibration to population targets, the
report on what the weights cost in precision, and sample planning for two-group comparisons."""

from cxmetrics.weights._margins import load_margins
from cxmetrics.weights._rake import rake
from cxmetrics.weights._report import WeightReport, Weighted

__all__ = ["WeightReport", "Weighted", "load_margins", "rake"]
