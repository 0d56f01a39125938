"""Key-driver analysis: which touchpoint ratings explain NPS or satisfaction, and what to fix.

``key_drivers`` splits the explained variance of an outcome among correlated driver ratings
(Johnson's relative weights, Shapley/LMG, r², beta²; a logistic variant for 0/1 outcomes);
``importance_performance`` places each driver in the action quadrants.
"""

from cxmetrics.drivers._key_drivers import key_drivers
from cxmetrics.drivers._quadrant import QUADRANTS, importance_performance

__all__ = ["QUADRANTS", "importance_performance", "key_drivers"]
