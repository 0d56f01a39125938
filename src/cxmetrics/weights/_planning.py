"""Sample planning for two-group NPS and CSAT comparisons (normal approximation)."""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from cxmetrics.errors import CXMetricsError, ValueRangeError, check_choice

__all__ = ["SampleSize", "minimum_detectable_difference", "sample_size_compare"]

ALTERNATIVES = ("two-sided", "one-sided")


class SampleSize(NamedTuple):
    """Responses needed in each group (see :func:`sample_size_compare`)."""

    n_a: int
    n_b: int

    @property
    def total(self) -> int:
        """Responses in both groups."""
        return self.n_a + self.n_b


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise CXMetricsError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _z_sum(power: float, alpha: float, alternative: str) -> float:
    """z_{1−α/2} (or z_{1−α}) + z_{power}."""
    from scipy.special import ndtri

    check_choice(alternative, ALTERNATIVES, "alternative")
    if not 0.0 < _real(power, "power") < 1.0:
        raise CXMetricsError(f"power must be between 0 and 1 (exclusive), got {power!r}")
    if not 0.0 < _real(alpha, "alpha") < 1.0:
        raise CXMetricsError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}")
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    return float(ndtri(1.0 - tail) + ndtri(power))


class _Metric(NamedTuple):
    name: str
    low: float
    high: float
    passives: float

    def variance(self, value: float) -> float:
        """Per-response variance: 1 − a − NPS² (Rocks 2016) or p(1 − p) for a top-box share."""
        if self.name == "nps":
            return (1.0 - self.passives) - value**2
        return value * (1.0 - value)


def _metric(nps: float | None, csat: float | None, passives: float | None, scale: float,
            names: tuple[str, str]) -> tuple[_Metric, float]:
    if (nps is None) == (csat is None):
        raise CXMetricsError(f"give exactly one of {names[0]} (NPS) or {names[1]} (CSAT top-box share)")
    scale = _real(scale, "scale")
    if scale <= 0:
        raise CXMetricsError(f"scale must be positive, got {scale!r}")
    if csat is not None:
        if passives is not None:
            raise CXMetricsError("passives applies to NPS comparisons only")
        value = _real(csat, names[1]) / scale
        if not 0.0 < value < 1.0:
            raise CXMetricsError(f"{names[1]}={csat!r} must lie strictly between 0 and {scale:g}")
        return _Metric("csat", 0.0, 1.0, 0.0), value
    share = 0.0 if passives is None else _real(passives, "passives")
    if not 0.0 <= share < 1.0:
        raise CXMetricsError(f"passives must be a share in [0, 1), got {passives!r}")
    value = _real(nps, names[0]) / scale
    limit = 1.0 - share
    if abs(value) >= limit:
        raise CXMetricsError(
            f"{names[0]}={nps!r} is impossible with a passive share of {share:g}: "
            f"|NPS| must stay below {limit * scale:g}"
        )
    return _Metric("nps", -limit, limit, share), value


def sample_size_compare(
    *,
    nps_a: float | None = None,
    nps_b: float | None = None,
    csat_a: float | None = None,
    csat_b: float | None = None,
    difference: float | None = None,
    passives: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    scale: float = 100,
) -> SampleSize:
    """Responses per group for a two-group NPS or CSAT comparison to reach a given power.

    With per-response variances V_a, V_b and a true difference Δ, the Wald test of the
    difference reaches the power when n_a = (z_{1−α/2} + z_{power})² (V_a + V_b / k) / Δ² and
    n_b = k·n_a (Chow, Shao & Wang 2008, §4.2). For NPS, V = (1 − a) − NPS² with a the share
    of passives (Rocks 2016; a = 0, the largest variance, when not given); for a CSAT top-box
    share p, V = p(1 − p). Checked against simulated power in the tests.

    Parameters
    ----------
    nps_a, nps_b : float, optional
        Expected NPS of groups a and b, in the units of ``scale`` (points by default).
    csat_a, csat_b : float, optional
        Expected top-box shares instead, in the units of ``scale`` (percent by default).
    difference : float, optional
        b − a, instead of ``nps_b`` / ``csat_b``.
    passives : float, optional
        Expected share of passives in both groups (NPS only), 0–1.
    power : float
        Probability of detecting the difference.
    alpha : float
        Significance level.
    ratio : float
        n_b / n_a.
    alternative : {"two-sided", "one-sided"}
        The test's alternative.
    scale : float
        100 when scores are in points or percent, 1 for proportions.

    Returns
    -------
    SampleSize
        ``(n_a, n_b)``, each rounded up; ``.total`` is their sum.

    References
    ----------
    Chow, S.-C., Shao, J., & Wang, H. (2008). *Sample Size Calculations in Clinical Research*,
    2nd ed. Chapman & Hall, §4.2. Rocks, B. (2016). Interval estimation for the Net Promoter
    Score. *The American Statistician* 70(4), 365–372.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.sample_size_compare(nps_a=30, nps_b=40, passives=0.3)
    SampleSize(n_a=903, n_b=903)
    >>> cx.sample_size_compare(csat_a=80, difference=5).total
    1806
    """
    metric, a = _metric(nps_a, csat_a, passives, scale, ("nps_a", "csat_a"))
    other = nps_b if metric.name == "nps" else csat_b
    wrong = csat_b if metric.name == "nps" else nps_b
    if wrong is not None:
        raise CXMetricsError("compare like with like: nps_a with nps_b, csat_a with csat_b")
    if (other is None) == (difference is None):
        raise CXMetricsError(f"give exactly one of {metric.name}_b or difference")
    b = (_real(other, f"{metric.name}_b") if other is not None else a * scale
         + _real(difference, "difference")) / scale
    if not metric.low < b < metric.high:
        raise CXMetricsError(f"group b's expected value {b * scale:g} is outside the scale")
    if b == a:
        raise CXMetricsError(
            "the two groups' expected values are equal: no sample size detects a zero difference")
    k = _real(ratio, "ratio")
    if k <= 0:
        raise CXMetricsError(f"ratio must be positive, got {ratio!r}")
    z = _z_sum(power, alpha, alternative)
    n_a = z**2 * (metric.variance(a) + metric.variance(b) / k) / (b - a) ** 2
    # round before ceil so float noise does not add a response
    return SampleSize(max(2, math.ceil(round(n_a, 9))), max(2, math.ceil(round(n_a * k, 9))))


def minimum_detectable_difference(
    *,
    n_a: int,
    n_b: int | None = None,
    nps_a: float | None = None,
    csat_a: float | None = None,
    passives: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    scale: float = 100,
) -> float:
    """The smallest rise from group a's NPS or CSAT that groups of these sizes detect.

    Solves Δ = (z_{1−α/2} + z_{power}) · sqrt(V(a) / n_a + V(a + Δ) / n_b) for Δ > 0, with
    the variances of :func:`sample_size_compare`, so group b's variance is taken at its own
    value.

    Parameters
    ----------
    n_a : int
        Responses in group a.
    n_b : int, optional
        Responses in group b (default ``n_a``).
    nps_a, csat_a : float, optional
        Group a's expected NPS or top-box share (exactly one), in the units of ``scale``.
    passives : float, optional
        Expected share of passives (NPS only); 0, the worst case, when not given.
    power, alpha, alternative, scale
        As in :func:`sample_size_compare`.

    Returns
    -------
    float
        Δ in the units of ``scale`` (points or percentage points by default).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> round(cx.minimum_detectable_difference(n_a=903, nps_a=30, passives=0.3), 2)
    10.0
    >>> round(cx.minimum_detectable_difference(n_a=500, n_b=1000, csat_a=80), 2)
    5.88
    """
    metric, a = _metric(nps_a, csat_a, passives, scale, ("nps_a", "csat_a"))
    sizes: list[int] = []
    for label, size in (("n_a", n_a), ("n_b", n_a if n_b is None else n_b)):
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 2:
            raise CXMetricsError(f"{label} must be a whole number >= 2, got {size!r}")
        sizes.append(int(size))
    z = _z_sum(power, alpha, alternative)

    def gap(delta: float) -> float:
        return delta - z * math.sqrt(metric.variance(a) / sizes[0]
                                     + max(metric.variance(a + delta), 0.0) / sizes[1])

    room = metric.high - a
    if gap(1e-12) >= 0:
        raise ValueRangeError(
            f"power={power!r} is below what chance alone gives at alpha={alpha!r}: every difference "
            f"would count as detectable; ask for a power above alpha")
    if gap(room) < 0:
        raise CXMetricsError(
            f"no rise from {a * scale:g} up to the top of the scale is detectable with "
            f"n_a={sizes[0]}, n_b={sizes[1]} at power {power}"
        )
    from scipy.optimize import brentq

    return float(brentq(gap, 1e-12, room, xtol=1e-12)) * scale
