"""NPS and CSAT over time windows, each period tested against the one before."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame, _stats, _time
from cxmetrics._typing import same_frame
from cxmetrics.errors import ColumnClashError
from cxmetrics.survey._aggregate import (
    NPS_CATEGORIES,
    GroupStats,
    check_confidence,
    finish,
    prepare,
    score_stats,
)
from cxmetrics.survey._metrics import _box, csat_columns, nps_columns

__all__ = ["csat_trend", "nps_trend"]

PERIOD = "period"
FREQUENCIES = _time.FREQUENCIES


@same_frame
def nps_trend(
    data: Any,
    *,
    score: str,
    time: str,
    freq: str = "M",
    by: str | Sequence[str] | None = None,
    rolling: int | None = None,
    weights: str | None = None,
    ci: str = "adjusted_wald",
    confidence: float = 0.95,
    points: bool = True,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> Any:
    """NPS per calendar period (and group), with intervals and a test of change.

    Periods run from the first to the last period in the data with no gaps: a period without
    responses is a row with n = 0 and NaN metrics. Each period is compared with the previous
    one (or, with ``rolling=k``, with the window ``k`` periods earlier, so the two windows do
    not overlap) by Welch's t test on the −1/0/+1 codes, as in :func:`compare_nps`.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    score : str
        0–10 score column.
    time : str
        Datetime or date column; must have no missing values. Time-zone-aware times are
        bucketed by their local wall-clock time and the zone is kept on ``period``.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length: day, ISO week (starting Monday), month, quarter, year.
    by : str or list of str, optional
        Group columns; each group gets its own series on the shared period grid.
    rolling : int, optional
        Pool the last ``rolling`` periods into each row (a trailing window).
    weights : str, optional
        As in :func:`cxmetrics.nps`.
    ci : {"adjusted_wald", "wald", "score", "bootstrap", "bayes"}
        As in :func:`cxmetrics.nps`.
    confidence : float
        As in :func:`cxmetrics.nps`; also the level of the change interval.
    points : bool
        As in :func:`cxmetrics.nps`: points (True) or proportions (False).
    n_boot : int
        Draws for ``ci="bootstrap"`` or ``"bayes"`` (at least 1).
    seed : int or numpy Generator, optional
        Seed for the simulated intervals: with the same seed two calls give the same result;
        without one a fixed seed (0) is used, so identical calls are identical.

    Returns
    -------
    DataFrame
        One row per (group, period), sorted: ``by…``, ``period`` (period start), every column of
        :func:`cxmetrics.survey` (``n`` … ``ci_method``), then ``change`` (NPS − NPS of the
        comparison period), ``change_ci_low``, ``change_ci_high``, ``change_p_value``
        (NaN for the first period(s) of each group).

    Notes
    -----
    Edge inputs: an empty frame gives no rows; a period with one response gets its value, se 0
    and NaN where a spread needs two; periods without responses are listed with n = 0; text
    times must be ISO 8601 without a zone (other text is refused, as engines read it
    differently), missing times raise; the time column cannot be a ``by`` column; simulated
    intervals use a fixed seed when none is given; the rules for ``by`` keys, scores, weights
    and column names are those of the :mod:`cxmetrics.survey` module (null keys form their own
    group; text or bool scores raise :class:`~cxmetrics.errors.ColumnTypeError`, scores off the
    scale :class:`~cxmetrics.errors.ValueRangeError`; clashing or ``__cx_`` columns
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> df = pd.DataFrame({
    ...     "date": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-28", "2025-03-02",
    ...                             "2025-03-09", "2025-03-15"]),
    ...     "ltr": [10, 6, 9, 9, 10, 8]})
    >>> out = cx.nps_trend(df, score="ltr", time="date", freq="M")
    >>> out["period"].dt.strftime("%Y-%m").tolist(), out["n"].tolist()
    (['2025-01', '2025-02', '2025-03'], [3, 0, 3])
    >>> out["nps"].round(1).tolist()
    [33.3, nan, 66.7]
    """
    _checks.option(ci, _stats.NPS_CI_METHODS, "ci")
    confidence = check_confidence(confidence)
    scale = 100.0 if _checks.flag(points, "points") else 1.0
    n_boot = _checks.whole(n_boot, "n_boot", low=1)
    seed = _checks.rng(seed)  # one stream for every period and group; None: a fixed seed
    stats, lag = _period_stats(data, score=score, time=time, freq=freq, by=by, rolling=rolling,
                               weights=weights, low=0, high=10, categories=NPS_CATEGORIES)
    columns = nps_columns(stats, weighted=weights is not None, ci=ci, confidence=confidence,
                          scale=scale, n_boot=n_boot, seed=seed)
    net, variance = stats.net_codes()
    n = stats.n_eff
    previous = _shift(stats, lag)
    change = _stats.welch_test(net, variance, n, net[previous], variance[previous], n[previous],
                               confidence=confidence)
    columns |= _change_columns(change, previous, scale)
    return finish(stats, columns)


@same_frame
def csat_trend(
    data: Any,
    *,
    score: str,
    time: str,
    freq: str = "M",
    by: str | Sequence[str] | None = None,
    rolling: int | None = None,
    scale: int = 5,
    top_box: Sequence[int] = (4, 5),
    weights: str | None = None,
    ci: str = "wilson",
    confidence: float = 0.95,
) -> Any:
    """CSAT per calendar period (and group), with intervals and a test of change.

    The period grid, ``rolling`` windows and comparison periods work as in :func:`nps_trend`;
    the change in top-box share is tested with the Miettinen–Nurminen score test and its
    inverted score interval, as in
    :func:`compare_csat`.

    Parameters
    ----------
    data, score, time, freq, by, rolling
        As in :func:`nps_trend` (``score`` holds ratings 1..``scale``).
    scale, top_box, weights, ci, confidence
        As in :func:`cxmetrics.csat`.

    Returns
    -------
    DataFrame
        One row per (group, period): ``by…``, ``period``, every column of :func:`cxmetrics.csat`,
        then ``change`` (percentage points), ``change_ci_low``, ``change_ci_high``,
        ``change_p_value``.

    Notes
    -----
    Edge inputs: an empty frame gives no rows; a period with one response gets its value and
    NaN where a spread needs two; periods without responses are listed with n = 0; text times
    must be ISO 8601 without a zone (other text is refused, as engines read it differently),
    missing times raise; the time column cannot be a ``by`` column and ``score`` or ``weights``
    cannot be called ``period``; the rules for ``by`` keys, scores, weights and column names
    are those of the :mod:`cxmetrics.survey` module.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> import cxmetrics as cx
    >>> df = pl.DataFrame({"day": [date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 14)],
    ...                    "sat": [5, 2, 4]})
    >>> cx.csat_trend(df, score="sat", time="day", freq="W").select("period", "n", "csat").rows()
    [(datetime.datetime(2025, 1, 6, 0, 0), 2, 50.0), (datetime.datetime(2025, 1, 13, 0, 0), 1, 100.0)]
    """
    _checks.option(ci, list(_stats.PROPORTION_CI_METHODS), "ci")
    confidence = check_confidence(confidence)
    box = _box(top_box, (4, 5), scale, "top_box")
    stats, lag = _period_stats(data, score=score, time=time, freq=freq, by=by, rolling=rolling,
                               weights=weights, low=1, high=scale, categories={"top": box})
    columns = csat_columns(stats, weighted=weights is not None, ci=ci, confidence=confidence)
    previous = _shift(stats, lag)
    count, n_eff = stats.effective_count("top"), stats.n_eff
    change = _stats.two_proportion_test(count, n_eff, count[previous], n_eff[previous],
                                        confidence=confidence)
    columns |= _change_columns(change, previous, 100.0)
    return finish(stats, columns)


def _change_columns(change: dict[str, np.ndarray], previous: np.ndarray, scale: float) -> dict[str, Any]:
    first = previous < 0

    def masked(values: np.ndarray, factor: float = 1.0) -> np.ndarray:
        return np.where(first, np.nan, values * factor)

    return {
        "change": masked(change["difference"], scale),
        "change_ci_low": masked(change["ci_low"], scale),
        "change_ci_high": masked(change["ci_high"], scale),
        "change_p_value": masked(change["p_value"]),
    }


def _shift(stats: GroupStats, lag: int) -> np.ndarray:
    """Index of the comparison row ``lag`` periods earlier in the same group, −1 if none.

    Rows with −1 index the last row (numpy wrap-around); their results are masked afterwards.
    """
    position = np.arange(len(stats.n))
    starts = stats_group_starts(stats)
    return np.where(position - lag >= starts, position - lag, -1)


def stats_group_starts(stats: GroupStats) -> np.ndarray:
    """For each row, the position of the first row of its group (periods are a full grid)."""
    if stats.keys is None or len(stats.n) == 0:
        return np.zeros(len(stats.n), dtype=np.int64)
    by = [c for c in stats.keys.columns if c != PERIOD]
    starts = _frame.run_starts(stats.keys, by)
    sizes = np.diff(np.append(starts, len(stats.n)))
    return np.repeat(starts, sizes)


def _period_stats(
    data: Any,
    *,
    score: str,
    time: str,
    freq: str,
    by: str | Sequence[str] | None,
    rolling: int | None,
    weights: str | None,
    low: int,
    high: int,
    categories: dict[str, tuple[float, float]],
) -> tuple[GroupStats, int]:
    _checks.option(freq, FREQUENCIES, "freq")
    rolling = _checks.whole(rolling, "rolling", low=1, allow_none=True)
    frame, by_list = prepare(data, score=score, by=by, weights=weights, roles={"time": time})
    _checks.no_clash(by_list, [PERIOD], function="the trend")
    if time in by_list:
        raise ColumnClashError(f"time column {time!r} cannot also be a by column")
    # the period code is written as PERIOD: only the time column itself may carry that name
    _checks.no_clash([c for c in (score, weights) if c is not None], [PERIOD], function="the trend")
    frame = _time.parse_times(frame, time)
    period, zone = _time.period_code(frame, time, freq)
    stats = score_stats(frame.with_columns(period.alias(PERIOD)), score=score,
                        by=[*by_list, PERIOD], weights=weights, low=low, high=high,
                        categories=categories)
    if stats.keys is not None and len(stats.n):
        starts = _time.period_starts(stats.keys[PERIOD].to_numpy(), freq)
        stats = dataclasses.replace(stats, keys=stats.keys.with_columns(
            nw.new_series(PERIOD, starts, backend=stats.keys.implementation)))
    stats = _on_period_grid(stats, by_list, freq)
    if zone is not None and stats.keys is not None:
        stats = dataclasses.replace(
            stats, keys=stats.keys.with_columns(nw.col(PERIOD).dt.replace_time_zone(zone)))
    if rolling and rolling > 1:
        stats = stats.windowed(rolling, stats_group_starts(stats))
    return stats, rolling or 1


def _on_period_grid(stats: GroupStats, by: list[str], freq: str) -> GroupStats:
    assert stats.keys is not None
    if len(stats.n) == 0:
        return stats
    observed = np.asarray(stats.keys[PERIOD].to_numpy()).astype("datetime64[us]")
    values = _time.period_range(observed.min(), observed.max(), freq)
    keys, placed = _frame.expand_grid(stats.keys, by, PERIOD, values, stats.arrays())
    return stats.replaced(keys, placed)
