"""Customer journeys: funnels, drop-off, paths, KPIs, gaps at switches, Markov attribution.

Every function takes an event log (who, when, where, and through what) and sorts it once;
reductions are narwhals expressions over the sorted log.

**Edge inputs**, the same in every function here: an empty log raises
:class:`~cxmetrics.errors.DesignError`; missing ids, stages or times raise
:class:`~cxmetrics.errors.MissingValueError`; ISO text times are parsed (a lazy frame fails at
the call, like an eager one) and pandas object columns of dates are dates; null group keys form
their own group on every backend; a group column named like a result column raises
:class:`~cxmetrics.errors.ColumnClashError`; durations follow :mod:`cxmetrics._time` (a bare
number such as ``window=30`` is an error). One row, one customer and events all at one time are
results, not errors (ties keep their row order). Categorical, ``Int64``, pyarrow-backed and
text customer ids and stages work like plain ones; a pandas object stage or group column mixing
kinds of values (ints and strings) raises :class:`~cxmetrics.errors.ColumnTypeError`. The
customer, time or stage column may also be a group or attribute column (``by="stage"``); a
group or attribute column whose name starts with ``__cx_`` (the internal prefix) raises
:class:`~cxmetrics.errors.ColumnClashError`, and unused columns of any name are ignored. Stage
values asked for (steps, conversion stages) that do not occur, or are of another type than the
stage column (``1`` against text stages), raise :class:`~cxmetrics.errors.ValueRangeError`
naming them.
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
