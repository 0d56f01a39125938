"""Customer lifetime value: BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma, fitted natively.

``summary_from_transactions`` turns a log into per-customer (frequency, recency, T,
monetary); the model classes fit on the distinct (x, t_x, T) triples and predict purchases,
P(alive) and spend; ``customer_lifetime_value`` discounts them; ``calibration_report``
checks predictions against a holdout period; ``frequency_recency_matrix`` tabulates P(alive)
and expected purchases over a (frequency, recency) grid.
"""

from cxmetrics.clv._models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from cxmetrics.clv._summary import summary_from_transactions
from cxmetrics.clv._value import calibration_report, customer_lifetime_value, frequency_recency_matrix

__all__ = [
    "BetaGeo",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "calibration_report",
    "customer_lifetime_value",
    "frequency_recency_matrix",
    "summary_from_transactions",
]
