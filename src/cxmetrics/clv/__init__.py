"""Customer lifetime value: BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma, fitted natively;
shifted-beta-geometric retention (contractual) and BG/BB (discrete opportunities).

``summary_from_transactions`` turns a log into per-customer (frequency, recency, T,
monetary); the model classes fit on the distinct (x, t_x, T) triples and predict purchases,
P(alive) and spend; ``customer_lifetime_value`` discounts them; ``calibration_report``
checks predictions against a holdout period; ``frequency_recency_matrix`` tabulates P(alive)
and expected purchases over a (frequency, recency) grid. ``ShiftedBetaGeometric`` fits survivor
counts per period, ``BetaGeoBetaBinom`` discrete-opportunity histories (both by cohort);
``compare_models``, ``tracking``, ``repeat_purchase_histogram`` and
``GammaGamma.check_independence`` check and choose models.
"""

from cxmetrics.clv._checks import compare_models, repeat_purchase_histogram, tracking
from cxmetrics.clv._contractual import ShiftedBetaGeometric
from cxmetrics.clv._discrete import BetaGeoBetaBinom
from cxmetrics.clv._models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD, TransactionModel
from cxmetrics.clv._summary import summary_from_transactions
from cxmetrics.clv._value import calibration_report, customer_lifetime_value, frequency_recency_matrix

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "ShiftedBetaGeometric",
    "TransactionModel",
    "calibration_report",
    "compare_models",
    "customer_lifetime_value",
    "frequency_recency_matrix",
    "repeat_purchase_histogram",
    "summary_from_transactions",
    "tracking",
]
