"""Customer journeys: funnels, drop-off, paths, KPIs, gaps at switches, Markov attribution.

Every function takes an event log (who, when, where, and through what) and sorts it once;
reductions are narwhals expressions over the sorted log.
"""

from cxmetrics.journey._attribution import attribution
from cxmetrics.journey._funnel import compare_funnels, funnel
from cxmetrics.journey._gaps import gaps
from cxmetrics.journey._kpis import journey_kpis
from cxmetrics.journey._paths import paths, time_between, transitions
from cxmetrics.journey._validate import EventReport, validate_events

__all__ = [
    "EventReport",
    "attribution",
    "compare_funnels",
    "funnel",
    "gaps",
    "journey_kpis",
    "paths",
    "time_between",
    "transitions",
    "validate_events",
]
