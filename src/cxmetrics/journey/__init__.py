"""Customer journeys: funnels, drop-off, paths, KPIs, gaps at switches, Markov attribution.

Every function takes an event log (who, when, where, and through what) and sorts it once;
reductions are narwhals expressions over the sorted log.
"""

from cxmetrics.journey._funnel import compare_funnels, funnel

__all__ = ["compare_funnels", "funnel"]
