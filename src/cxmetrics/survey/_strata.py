"""Taylor-linearised variance of the weighted NPS under stratified sampling.

The weighted NPS is a ratio estimator R = Σ w z / Σ w of the −1/0/+1 codes z. Its linearised
variable is u_i = w_i (z_i − R) / Σ w, and under stratified sampling with replacement of
responses within strata (each response its own primary unit) the variance is

    V(R) = Σ_h n_h / (n_h − 1) · Σ_{i∈h} (u_i − ū_h)²

(Woodruff 1971; Wolter 2007, §6.11; the default of R ``survey::svyratio`` for a design with
``strata=`` and ``weights=``). Every sum above is a per-(group, stratum) sum of w, w·p, w·d,
w², w²·p and w²·d (p, d: promoter and detractor flags, z² = p + d), so one group-by in the
caller's engine gives the variance.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics.errors import CXMetricsError, DesignError, MissingValueError, format_examples

#: ``ci`` values that :func:`cxmetrics.nps` accepts together with ``strata=``.
STRATA_CI = ("adjusted_wald", "wald")
STRATA_CI_METHOD = "linearization"

_SUMS = ("n", "w", "wp", "wd", "q", "qp", "qd")


def check_strata(frame: _frame.Frame, strata: str, *, score: str, by: list[str], ci: str) -> None:
    """The strata column exists, is not a role already, and the interval is a Wald one."""
    _checks.column(frame, strata, "strata")
    _checks.not_internal([strata], "strata")
    if strata == score:
        raise CXMetricsError(f"strata column {strata!r} cannot also be the score column")
    if ci not in STRATA_CI:
        raise CXMetricsError(
            f"ci={ci!r} is not available with strata=: the stratified interval is a Wald interval "
            f"on the linearised standard error (ci='wald' or the default)"
        )


def linearized_se(
    frame: _frame.Frame, *, score: str, by: list[str], weights: str | None, strata: str
) -> np.ndarray:
    """Linearised standard error of the weighted NPS (a proportion) per ``by`` group.

    Groups come in the order of :func:`cxmetrics.survey._aggregate.score_stats` (sorted, null
    keys last), including groups without scores (NaN).
    """
    value = _frame.without_nan(score) if frame.collect_schema()[score].is_float() else nw.col(score)
    present = ~value.is_null()
    weight = nw.col(weights).cast(nw.Float64) if weights is not None else nw.lit(1.0)
    promoter = nw.when(present & (value >= 9)).then(1.0).otherwise(0.0)
    detractor = nw.when(present & (value <= 6)).then(1.0).otherwise(0.0)
    w = nw.when(present).then(weight).otherwise(0.0)
    parts = {
        "n": present.cast(nw.Int64), "w": w, "wp": w * promoter, "wd": w * detractor,
        "q": w * w, "qp": w * w * promoter, "qd": w * w * detractor,
    }
    keys = by if strata in by else [*by, strata]
    internal = {f"__cx_{k}": v for k, v in parts.items()}  # out of the way of the caller's keys
    table = _frame.collect(_frame.grouped(
        frame.select(*(nw.col(k) for k in keys), **internal), keys, [nw.col(k).sum() for k in internal]
    ))
    sums = {k: table[f"__cx_{k}"].to_numpy().astype(float) for k in _SUMS}
    null_stratum = table[strata].is_null().to_numpy() & (sums["n"] > 0)
    if null_stratum.any():
        raise MissingValueError(
            f"strata column {strata!r} is missing for {int(sums['n'][null_stratum].sum())} scored "
            "responses; give them a stratum"
        )
    lonely = sums["n"] == 1
    if lonely.any():
        examples = table.filter(nw.new_series("lonely", lonely, backend=table.implementation))
        raise DesignError(
            f"strata with a single scored response have no variance estimate: "
            f"{format_examples(examples.select(keys).rows())}; merge them with a neighbouring stratum"
        )
    starts = _frame.run_starts(table, by)
    group = np.cumsum(np.isin(np.arange(len(table)), starts)) - 1 if by else np.zeros(len(table), int)
    n_groups = len(starts) if by else 1

    def per_group(x: np.ndarray) -> np.ndarray:
        return np.bincount(group, x, minlength=n_groups)

    total = per_group(sums["w"])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (per_group(sums["wp"]) - per_group(sums["wd"])) / total
        r, wt = ratio[group], total[group]
        s1 = (sums["wp"] - sums["wd"] - r * sums["w"]) / wt
        s2 = (sums["qp"] + sums["qd"] - 2.0 * r * (sums["qp"] - sums["qd"]) + r**2 * sums["q"]) / wt**2
        n_h = sums["n"]
        within = np.where(n_h > 1, n_h / (n_h - 1.0) * (s2 - s1**2 / np.where(n_h > 0, n_h, 1.0)), 0.0)
        variance = per_group(np.maximum(within, 0.0))
    return np.where(total > 0, np.sqrt(variance), np.nan)
