"""Retention and cohorts: who comes back, when, and which cohorts are slipping.

- :func:`cohort_retention`: the retention triangle (n-day, unbounded, bracket) with Wilson
  intervals;
- :func:`compare_retention`: groups against the rest or a reference, per period and as whole
  curves (log-rank);
- :func:`lifecycle`: new, returning, resurrected and dormant customers per period;
- :func:`stickiness`: DAU/MAU-style ratios per period.

Every function reduces the log in the caller's engine to per-(customer, period) activity and
collects only small tables.

**Edge inputs**, the same in every function here: an empty log raises
:class:`~cxmetrics.errors.DesignError`; missing customer ids or times (``None``, ``NaT``,
``pd.NA``) raise :class:`~cxmetrics.errors.MissingValueError`; a missing stage is not one of
the ``active`` stages. ISO text times are parsed (a lazy frame fails at the call, like an eager
one), pandas object columns of dates are dates, numbers are not times
(:class:`~cxmetrics.errors.ColumnTypeError`). One customer or one row gives a one-cohort
result. Null ``by`` keys form their own group on every backend; ``by`` must hold one value per
customer (else :class:`~cxmetrics.errors.DesignError`) and may not be the customer or time
column, nor a pandas object column mixing kinds of values
(:class:`~cxmetrics.errors.ColumnTypeError`); a ``by`` column named like a result column or
starting with ``__cx_`` raises :class:`~cxmetrics.errors.ColumnClashError`. ``active`` values
of another type than the stage column raise :class:`~cxmetrics.errors.ValueRangeError`; ones of
the right type that never occur count nobody as active.
"""

from cxmetrics.retention._cohorts import cohort_retention
from cxmetrics.retention._compare import compare_retention
from cxmetrics.retention._lifecycle import lifecycle
from cxmetrics.retention._stickiness import stickiness

__all__ = ["cohort_retention", "compare_retention", "lifecycle", "stickiness"]
