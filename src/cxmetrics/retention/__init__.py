"""Retention and cohorts: who comes back, when, and which cohorts are slipping.

- :func:`cohort_retention`: the retention triangle (n-day, unbounded, bracket) with Wilson
  intervals;
- :func:`compare_retention`: groups against the rest or a reference, per period and as whole
  curves (log-rank);
- :func:`lifecycle`: new, returning, resurrected and dormant customers per period;
- :func:`stickiness`: DAU/MAU-style ratios per period.

Every function reduces the log in the caller's engine to per-(customer, period) activity and
collects only small tables.
"""

from cxmetrics.retention._cohorts import cohort_retention
from cxmetrics.retention._compare import compare_retention
from cxmetrics.retention._lifecycle import lifecycle
from cxmetrics.retention._stickiness import stickiness

__all__ = ["cohort_retention", "compare_retention", "lifecycle", "stickiness"]
