"""How far each customer gets through a sequence of steps, by mode and order.

Works on the sorted log of :mod:`cxmetrics.journey._log` with narwhals expressions: one
filter to the step events, then per step a join of the previous step's per-customer table
and a group-by (ordered), shifts within customer (strict), or one group-by of first
occurrences (any order). Results are per-customer numpy arrays aligned with the customer
table, so groups and statistics are computed on small arrays.

Definitions (documented in :func:`cxmetrics.funnel`): a closed funnel starts at each
customer's first occurrence of step 1; each later step is matched at its earliest occurrence
after the previous matched step ("ordered", other events may come between) or must be the
very next event ("strict"); "any" order needs each step's first occurrence, in any order.
``window`` bounds the time from the start of the funnel, ``step_window`` the time from the
previous step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics.journey._log import CIDX, POS, TIME, Events, ahead, customer_positions, starts_run, step_code

CODE = "__cx_code"
PREV_POS, PREV_TIME, START = "__cx_prev_pos", "__cx_prev_time", "__cx_start"
NO_LIMIT = np.iinfo(np.int64).max


@dataclasses.dataclass(frozen=True)
class Reach:
    """Per step (rows) and customer (columns): who entered, who went on to the next step,
    and how long the move into the step took (microseconds, NaN where it did not happen)."""

    entered: np.ndarray
    converted: np.ndarray
    delta_into: np.ndarray


def _floats(series: nw.Series[Any]) -> np.ndarray:
    """Microsecond times as floats, missing ones (past a customer's last event) as NaN."""
    # every engine gives NaN for a null float here; Series.fill_null would touch warning filters
    return np.asarray(series.cast(nw.Float64).to_numpy(), dtype=np.float64)


def _codes(series: nw.Series[Any]) -> np.ndarray:
    """Step codes, missing ones (past a customer's last event) as -1."""
    return np.nan_to_num(_floats(series), nan=-1.0).astype(np.int64)


def _limit(value: int | None) -> int:
    return NO_LIMIT if value is None else value


def reach(log: Events, customers: nw.DataFrame[Any], steps: Sequence[Any], mode: str, order: str,
          window: int | None, step_window: int | None) -> Reach:
    """Dispatch to the (mode, order) definition; results align with the ``customers`` table."""
    coded = log.frame.with_columns(step_code(steps).alias(CODE))
    if order == "any":
        return _any_order(coded, len(customers), len(steps), mode, _limit(window))
    if order == "strict":
        return _strict(coded, len(customers), len(steps), mode, _limit(window), _limit(step_window))
    return _ordered(coded, len(customers), len(steps), mode, _limit(window), _limit(step_window))


def _empty(k: int, n: int) -> Reach:
    return Reach(np.zeros((k, n), dtype=bool), np.zeros((k, n), dtype=bool), np.full((k, n), np.nan))


def _ordered(coded: nw.DataFrame[Any], n: int, k: int, mode: str, window: int,
             step_window: int) -> Reach:
    out = _empty(k, n)
    steps = coded.filter(nw.col(CODE) >= 0).select(CIDX, POS, TIME, CODE)
    first = steps.group_by(CIDX, CODE).agg(nw.col(POS).min(), nw.col(TIME).min())
    if mode == "closed":
        state = first.filter(nw.col(CODE) == 0).with_columns(nw.col(TIME).alias(START))
        out.entered[0, customer_positions(state)] = True
        for step in range(1, k):
            state = _next_match(steps, state, step, window, step_window, carry_start=True)
            index = customer_positions(state)
            out.entered[step, index] = True
            out.delta_into[step, index] = (state[TIME] - state[PREV_TIME]).to_numpy()
        out.converted[:-1] = out.entered[1:]
        return out
    limit = min(window, step_window)  # open: both bound the one move from a step to the next
    for step in range(k):
        state = first.filter(nw.col(CODE) == step).with_columns(nw.col(TIME).alias(START))
        out.entered[step, customer_positions(state)] = True
        if step + 1 < k:
            moved = _next_match(steps, state, step + 1, limit, limit, carry_start=True)
            index = customer_positions(moved)
            out.converted[step, index] = True
            out.delta_into[step + 1, index] = (moved[TIME] - moved[PREV_TIME]).to_numpy()
    return out


def _next_match(steps: nw.DataFrame[Any], state: nw.DataFrame[Any], step: int, window: int,
                step_window: int, carry_start: bool) -> nw.DataFrame[Any]:
    """Earliest event of ``step`` after each customer's matched position, within the windows."""
    previous = state.select(CIDX, nw.col(POS).alias(PREV_POS), nw.col(TIME).alias(PREV_TIME), START)
    candidates = steps.filter(nw.col(CODE) == step).join(previous, on=CIDX, how="inner")
    within = (nw.col(POS) > nw.col(PREV_POS)) & (nw.col(TIME) - nw.col(START) <= window) & (
        nw.col(TIME) - nw.col(PREV_TIME) <= step_window)
    # positions grow with time within a customer, so the earliest position has the least time
    return candidates.filter(within).group_by(CIDX).agg(
        nw.col(POS).min(), nw.col(TIME).min(), nw.col(PREV_TIME).min(), nw.col(START).min())


def _strict(coded: nw.DataFrame[Any], n: int, k: int, mode: str, window: int,
            step_window: int) -> Reach:
    out = _empty(k, n)
    depth = k if mode == "closed" else 2
    later = range(1, depth)
    shifted = coded.with_columns(
        *(ahead(CODE, j).alias(f"__cx_code{j}") for j in later),
        *(ahead(TIME, j).alias(f"__cx_time{j}") for j in later),
    )
    if mode == "closed":
        start = shifted.filter(nw.col(CODE) == 0).filter(starts_run())  # first occurrence
        out.entered[0, customer_positions(start)] = True
        ok = np.ones(len(start), dtype=bool)
        times = _floats(start[TIME])
        begin, previous = times, times
        index = customer_positions(start)
        for j in range(1, k):
            code = _codes(start[f"__cx_code{j}"])
            now = _floats(start[f"__cx_time{j}"])
            with np.errstate(invalid="ignore"):
                ok = ok & (code == j) & (now - begin <= window) & (now - previous <= step_window)
            out.entered[j, index[ok]] = True
            out.delta_into[j, index[ok]] = (now - previous)[ok]
            previous = now
        out.converted[:-1] = out.entered[1:]
        return out
    limit = min(window, step_window)
    for step in range(k):
        start = shifted.filter(nw.col(CODE) == step).filter(starts_run())
        index = customer_positions(start)
        out.entered[step, index] = True
        if step + 1 < k:
            code = _codes(start["__cx_code1"])
            gap = _floats(start["__cx_time1"]) - _floats(start[TIME])
            with np.errstate(invalid="ignore"):
                ok = (code == step + 1) & (gap <= limit)
            out.converted[step, index[ok]] = True
            out.delta_into[step + 1, index[ok]] = gap[ok]
    return out


def _any_order(coded: nw.DataFrame[Any], n: int, k: int, mode: str,
               window: int) -> Reach:
    out = _empty(k, n)
    first = coded.filter(nw.col(CODE) >= 0).group_by(CIDX, CODE).agg(nw.col(TIME).min())
    times = np.full((n, k), np.nan)
    times[customer_positions(first), first[CODE].to_numpy()] = first[TIME].to_numpy()
    done = ~np.isnan(times)
    if mode == "closed":
        for step in range(k):
            span = times[:, :step + 1]
            complete = done[:, :step + 1].all(axis=1)
            with np.errstate(invalid="ignore"):
                ok = complete & (np.nanmax(np.where(complete[:, None], span, 0), axis=1)
                                 - np.nanmin(np.where(complete[:, None], span, 0), axis=1) <= window)
            out.entered[step] = ok
            if step:
                previous_done = np.where(complete[:, None], times[:, :step], 0).max(axis=1)
                out.delta_into[step, ok] = (span.max(axis=1) - previous_done)[ok]
        out.converted[:-1] = out.entered[1:]
        return out
    for step in range(k):
        out.entered[step] = done[:, step]
        if step + 1 < k:
            gap = np.abs(times[:, step + 1] - times[:, step])
            with np.errstate(invalid="ignore"):
                ok = done[:, step] & done[:, step + 1] & (gap <= window)
            out.converted[step] = ok
            out.delta_into[step + 1, ok] = gap[ok]
    return out
