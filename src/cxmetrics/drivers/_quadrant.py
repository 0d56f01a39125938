"""``importance_performance``: the importance-performance quadrant (Martilla & James 1977)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.drivers import _data
from cxmetrics.drivers._key_drivers import drivers_table
from cxmetrics.errors import ValueRangeError

#: Quadrant labels by (high importance, high performance), in English and Chinese.
QUADRANTS = {
    "en": {(True, True): "keep up the good work", (True, False): "concentrate here",
           (False, False): "low priority", (False, True): "possible overkill"},
    "zh": {(True, True): "继续保持", (True, False): "重点改进",
           (False, False): "低优先级", (False, True): "过度投入"},
}


@same_frame
def importance_performance(
    data: Any,
    *,
    outcome: str,
    drivers: Sequence[str],
    performance: str = "mean",
    top_box: float | None = None,
    method: str = "relative_weights",
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    split: str = "mean",
    labels: str = "en",
) -> Any:
    """Importance against performance per driver, with the four action quadrants.

    Importance is the driver's share of explained variance (:func:`key_drivers`, in percent);
    performance is how well it is rated. Drivers above the cross-driver ``split`` on both axes
    are strengths to *keep up the good work*; important but poorly rated ones are where to
    *concentrate here*; unimportant and poorly rated ones are *low priority*; unimportant but
    well rated ones are *possible overkill* (Martilla & James 1977, "Importance-performance
    analysis", Journal of Marketing 41(1)).

    Parameters
    ----------
    data, outcome, drivers, method, weights, by
        As in :func:`key_drivers` (listwise deletion).
    performance : {"mean", "top_box"}
        The (weighted) mean rating, or the share of ratings at or above ``top_box``.
    top_box : float, optional
        Lowest rating counted in the top box (e.g. 9 on 0-10, 4 for a top-2 box on 1-5);
        required with ``performance="top_box"`` and refused with ``"mean"``. A ``top_box``
        above every driver's highest rating, or at or below every lowest one (a box that is
        empty or holds every rating), raises :class:`~cxmetrics.errors.ValueRangeError`.
    split : {"mean", "median"}
        Where the quadrant lines cross: the mean or median importance and performance over
        the drivers (of each group).
    labels : {"en", "zh"}
        Language of the quadrant labels (``QUADRANTS`` holds both).

    Returns
    -------
    DataFrame
        One row per (group, driver): the ``by`` columns, ``driver``, ``importance`` (percent
        of the explained variance), ``performance``, ``importance_split`` and
        ``performance_split`` (the lines), ``quadrant``. The data of the driver-quadrant chart.

    Notes
    -----
    Edge inputs: fewer complete responses than drivers + 2 (an empty frame, one row), a
    constant outcome or driver raise :class:`~cxmetrics.errors.DesignError` naming the group;
    null ``by`` keys (None, NaN, ``pd.NA``) form their own group on every backend (categorical
    groups come back as text, sorted by their text); text or
    infinite ratings raise naming the column (bool ratings are read as 0/1, a categorical of
    numbers as its numbers); a ``by`` column named like a result column or starting with
    ``__cx_`` raises :class:`~cxmetrics.errors.ColumnClashError`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import cxmetrics as cx
    >>> rng = np.random.default_rng(1)
    >>> survey = pd.DataFrame({"delivery": rng.integers(1, 4, 400), "staff": rng.integers(3, 6, 400),
    ...                        "price": rng.integers(1, 4, 400), "app": rng.integers(3, 6, 400)})
    >>> survey["csat"] = survey["delivery"] + 0.8 * survey["staff"] + rng.normal(0, 0.5, 400)
    >>> quadrants = cx.importance_performance(survey, outcome="csat",
    ...                                       drivers=["delivery", "staff", "price", "app"])
    >>> quadrants[["driver", "quadrant"]]
         driver               quadrant
    0  delivery       concentrate here
    1     staff  keep up the good work
    2     price           low priority
    3       app      possible overkill
    """
    _checks.option(performance, ("mean", "top_box"), "performance")
    _checks.option(split, ("mean", "median"), "split")
    _checks.option(labels, tuple(QUADRANTS), "labels")
    if performance == "top_box" and top_box is None:
        raise ValueRangeError("performance='top_box' needs top_box=, the lowest rating in the top box")
    if top_box is not None:
        if performance != "top_box":
            raise ValueRangeError(f"top_box={top_box!r} applies to performance='top_box' only")
        top_box = _checks.number(top_box, "top_box")
    ratings = _data.load(data, outcome, drivers, weights, by)
    if top_box is not None:
        with np.errstate(invalid="ignore"):
            low, high = np.nanmin(ratings.x, initial=np.inf), np.nanmax(ratings.x, initial=-np.inf)
        if top_box > high or top_box <= low:
            raise ValueRangeError(
                f"top_box={top_box!r} lies outside the drivers' ratings ({low:g}..{high:g}): every "
                f"top box would be {'empty' if top_box > high else 'every rating'}")
    importance = drivers_table(ratings, method=method)
    position = {name: j for j, name in enumerate(ratings.drivers)}
    group_starts = np.arange(0, len(importance), len(ratings.drivers))
    scores = np.empty(len(importance))
    pct = importance["pct"].to_numpy().astype(np.float64)
    names = importance["driver"].to_list()
    for (_, group_rows), start in zip(ratings.groups(), group_starts, strict=True):
        rows = _data.complete_rows(ratings, group_rows, "listwise")
        weight = np.ones(len(rows)) if ratings.w is None else ratings.w[rows]
        for k in range(start, start + len(ratings.drivers)):
            values = ratings.x[rows, position[names[k]]]
            rated = values if performance == "mean" else (values >= float(top_box)).astype(np.float64)  # type: ignore[arg-type]
            scores[k] = float(weight @ rated / weight.sum())
    center = np.mean if split == "mean" else np.median
    importance_split = np.repeat([center(pct[s:s + len(ratings.drivers)]) for s in group_starts],
                                 len(ratings.drivers))
    performance_split = np.repeat([center(scores[s:s + len(ratings.drivers)]) for s in group_starts],
                                  len(ratings.drivers))
    quadrant = [QUADRANTS[labels][(bool(i >= si), bool(s >= ss))]
                for i, si, s, ss in zip(pct, importance_split, scores, performance_split, strict=True)]
    by_columns = _frame.as_list(by)
    keys = importance.select(by_columns) if by_columns else None
    return _frame.to_native(_frame.with_arrays(keys, {
        "driver": names, "importance": pct, "performance": scores, "importance_split": importance_split,
        "performance_split": performance_split, "quadrant": quadrant}, importance.implementation))
