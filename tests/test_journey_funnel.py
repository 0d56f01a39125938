"""Funnels against a per-customer brute force, for every mode, order and window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors

from .conftest import to_pandas

STEPS = ["a", "b", "c", "d"]
MINUTE = pd.Timedelta(minutes=1)


def random_log(seed: int, customers: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        for _ in range(rng.integers(1, 9)):
            rows.append((f"u{c}", pd.Timestamp("2024-01-01") + int(rng.integers(0, 120)) * MINUTE,
                         rng.choice(["a", "b", "c", "d", "x"], p=[0.3, 0.25, 0.2, 0.15, 0.1])))
    frame = pd.DataFrame(rows, columns=["customer", "time", "stage"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # unsorted on purpose


def brute_force(log: pd.DataFrame, mode: str, order: str, window: float, step_window: float):
    """Per-customer walk over the definitions; returns entered, converted and move times per step."""
    k = len(STEPS)
    entered, converted = np.zeros(k, int), np.zeros(k, int)
    moves: list[list[float]] = [[] for _ in range(k)]
    ordered = log.reset_index().sort_values(["customer", "time", "index"])
    for _, events in ordered.groupby("customer"):
        stages = events["stage"].tolist()
        times = [(t - pd.Timestamp("2024-01-01")) / MINUTE for t in events["time"]]

        def first(stage: str, after: int = -1, stages: list[str] = stages) -> int | None:
            return next((i for i in range(after + 1, len(stages)) if stages[i] == stage), None)

        def directly(previous: int, stage: str, stages: list[str] = stages) -> int | None:
            return previous + 1 if previous + 1 < len(stages) and stages[previous + 1] == stage else None

        if mode == "closed":
            if order == "any":
                firsts = [first(s) for s in STEPS]
                for step in range(k):
                    found = firsts[:step + 1]
                    if None in found:
                        break
                    span = [times[i] for i in found]  # type: ignore[index]
                    if max(span) - min(span) > window:
                        break
                    entered[step] += 1
                    if step:
                        moves[step].append(max(span) - max(span[:-1]))
                continue
            start = first(STEPS[0])
            if start is None:
                continue
            entered[0] += 1
            previous = start
            for step in range(1, k):
                nxt = first(STEPS[step], previous) if order == "ordered" else directly(previous, STEPS[step])
                if nxt is None or times[nxt] - times[start] > window:
                    break
                if times[nxt] - times[previous] > step_window:
                    break
                entered[step] += 1
                moves[step].append(times[nxt] - times[previous])
                previous = nxt
            continue
        limit = min(window, step_window)
        for step in range(k):
            here = first(STEPS[step])
            if here is None:
                continue
            entered[step] += 1
            if step + 1 == k:
                continue
            if order == "any":
                there = first(STEPS[step + 1])
                ok = there is not None and abs(times[there] - times[here]) <= window
                gap = abs(times[there] - times[here]) if there is not None else None
            elif order == "ordered":
                there = first(STEPS[step + 1], here)
                ok = there is not None and times[there] - times[here] <= limit
                gap = times[there] - times[here] if there is not None else None
            else:
                there = directly(here, STEPS[step + 1])
                ok = there is not None and times[there] - times[here] <= limit
                gap = times[there] - times[here] if there is not None else None
            if ok:
                converted[step] += 1
                moves[step + 1].append(gap)  # type: ignore[arg-type]
    if mode == "closed":
        converted[:-1] = entered[1:]
    return entered, converted, moves


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["closed", "open"]),
       order=st.sampled_from(["ordered", "strict", "any"]),
       window=st.sampled_from([None, 20, 60]), step_window=st.sampled_from([None, 10, 30]))
def test_funnel_equals_brute_force(seed: int, mode: str, order: str, window: int | None,
                                   step_window: int | None) -> None:
    if order == "any":
        step_window = None
    log = random_log(seed)
    result = cx.funnel(log, customer="customer", time="time", stage="stage", steps=STEPS, mode=mode,
                       order=order, window=None if window is None else f"{window}min",
                       step_window=None if step_window is None else f"{step_window}min", unit="min")
    inf = float("inf")
    entered, converted, moves = brute_force(log, mode, order, inf if window is None else window,
                                            inf if step_window is None else step_window)
    assert result["entered"].tolist() == entered.tolist()
    assert result["converted"].iloc[:-1].astype(int).tolist() == converted[:-1].tolist()
    for step in range(1, len(STEPS)):
        median = result["time_to_convert_median"].iloc[step]
        if moves[step]:
            assert median == pytest.approx(np.median(moves[step]))
        else:
            assert pd.isna(median)
    rate = result["conversion_rate"].iloc[1:].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(rate, converted[:-1] / entered[:-1], equal_nan=True)


def test_funnel_by_and_engines_and_intervals() -> None:
    log = random_log(5, customers=200)
    log["channel"] = np.where(log["customer"].str[1:].astype(int) % 2 == 0, "app", "web")
    grouped = cx.funnel(log, customer="customer", time="time", stage="stage", steps=STEPS, by="channel")
    assert grouped["channel"].tolist() == ["app"] * 4 + ["web"] * 4
    for channel in ("app", "web"):
        alone = cx.funnel(log[log["channel"] == channel], customer="customer", time="time", stage="stage",
                          steps=STEPS)
        part = grouped[grouped["channel"] == channel].drop(columns="channel").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone)
    polars = cx.funnel(pl.from_pandas(log), customer="customer", time="time", stage="stage", steps=STEPS,
                       by="channel")
    assert isinstance(polars, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars), grouped, check_dtype=False)
    row = grouped.iloc[1]
    assert row["conversion_low"] <= row["conversion_rate"] <= row["conversion_high"]
    assert grouped["overall_rate"].iloc[0] == 1.0
    first = grouped.iloc[0]
    assert first["drop_off"] == first["entered"] - first["converted"]


def test_compare_funnels_flags_and_tests() -> None:
    rng = np.random.default_rng(2)
    rows = []
    for c in range(2000):
        channel = "app" if c % 2 else "web"
        rows.append((c, 0, "a", channel))
        if rng.random() < (0.6 if channel == "app" else 0.4):
            rows.append((c, 1, "b", channel))
    log = pd.DataFrame(rows, columns=["customer", "minute", "stage", "channel"])
    log["time"] = pd.Timestamp("2024-01-01") + log["minute"] * MINUTE
    log.loc[len(log)] = [5000, 0, "a", "kiosk", pd.Timestamp("2024-01-01")]  # a tiny group
    result = cx.compare_funnels(log, customer="customer", time="time", stage="stage", steps=["a", "b"],
                                by="channel").set_index("group")
    assert result.loc["app", "p_adjusted"] < 1e-6 and result.loc["app", "difference"] > 0.15
    assert bool(result.loc["kiosk", "small_sample"]) and pd.isna(result.loc["kiosk", "p_value"])
    assert result.loc["app", "previous_step"] == 1000
    # entered means what it means in funnel: the group's customers at this step
    plain = cx.funnel(log, customer="customer", time="time", stage="stage", steps=["a", "b"], by="channel")
    at_b = plain[plain["step"] == "b"].set_index("channel")["entered"]
    assert result.loc["app", "entered"] == at_b["app"] == result.loc["app", "converted"]
    assert result.loc["app", "entered_other"] == at_b.drop("app").sum()
    versus_web = cx.compare_funnels(log, customer="customer", time="time", stage="stage", steps=["a", "b"],
                                    by="channel", reference="web")
    assert "web" not in versus_web["group"].tolist() and set(versus_web["versus"]) == {"web"}


def test_funnel_bad_input() -> None:
    log = random_log(1)
    call = dict(customer="customer", time="time", stage="stage")
    with pytest.raises(errors.ValueRangeError, match="at least 2 steps"):
        cx.funnel(log, steps=["a"], **call)
    with pytest.raises(errors.ValueRangeError, match=r"\['zzz'\] do not occur"):
        cx.funnel(log, steps=["a", "zzz"], **call)
    with pytest.raises(errors.ValueRangeError, match="distinct"):
        cx.funnel(log, steps=["a", "a"], **call)
    with pytest.raises(errors.ValueRangeError, match="window"):
        cx.funnel(log, steps=STEPS, window="-5min", **call)
    with pytest.raises(errors.ValueRangeError, match="step_window"):
        cx.funnel(log, steps=STEPS, order="any", step_window="5min", **call)
    with pytest.raises(errors.MissingValueError, match="validate_events"):
        cx.funnel(log.assign(customer=log["customer"].where(log.index > 3)), steps=STEPS, **call)
    with pytest.raises(errors.CXMetricsError, match="mode"):
        cx.funnel(log, steps=STEPS, mode="half-open", **call)
    mixed = log.assign(time=["2024-01-01T10:00:00+08:00", "2024-01-01T10:00:00+00:00"] * (len(log) // 2)
                       + ["2024-01-01T10:00:00+01:00"] * (len(log) % 2))
    with pytest.raises(errors.ColumnTypeError, match="time"):
        cx.funnel(mixed, steps=STEPS, **call)
    before = log.copy()
    cx.funnel(log, steps=STEPS, **call)
    pd.testing.assert_frame_equal(log, before)
