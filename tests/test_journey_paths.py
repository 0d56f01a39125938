"""Transitions, paths and time between against direct pandas computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors

from .conftest import to_pandas
from .test_journey_funnel import random_log

CALL = dict(customer="customer", time="time", stage="stage")


def ordered(log: pd.DataFrame) -> pd.DataFrame:
    return log.reset_index().sort_values(["customer", "time", "index"]).reset_index(drop=True)


def test_transitions_equal_pandas_shift() -> None:
    log = random_log(3, customers=150)
    result = cx.transitions(log, unit="min", **CALL)
    frame = ordered(log)
    frame["next"] = frame.groupby("customer")["stage"].shift(-1)
    frame["gap"] = (frame.groupby("customer")["time"].shift(-1) - frame["time"]) / pd.Timedelta(minutes=1)
    moves = frame.dropna(subset=["next"])
    expected = moves.groupby(["stage", "next"]).agg(
        moves=("gap", "size"), customers=("customer", "nunique"), time_median=("gap", "median"),
        time_p90=("gap", lambda g: g.quantile(0.9))).reset_index()
    expected["probability"] = expected["moves"] / expected.groupby("stage")["moves"].transform("sum")
    expected = expected.rename(columns={"stage": "from_stage", "next": "to_stage"})
    pd.testing.assert_frame_equal(result, expected[result.columns], check_dtype=False)
    polars = cx.transitions(pl.from_pandas(log), unit="min", **CALL)
    pd.testing.assert_frame_equal(to_pandas(polars), result, check_dtype=False)


def test_transitions_with_exits_form_a_stochastic_matrix() -> None:
    log = random_log(8, customers=100)
    result = cx.transitions(log, exits=True, **CALL)
    sums = result.groupby("from_stage")["probability"].sum()
    np.testing.assert_allclose(sums, 1.0)
    starts = result[result["from_stage"] == "(start)"]["moves"].sum()
    exits = result[result["to_stage"] == "(exit)"]["moves"].sum()
    assert starts == exits == log["customer"].nunique()
    assert result.loc[result["to_stage"] == "(exit)", "time_median"].isna().all()


def test_transitions_by_and_session() -> None:
    log = random_log(9, customers=80)
    log["half"] = np.where(log["time"].dt.hour == 0, "early", "late")
    by_session = cx.transitions(log, session="half", **CALL)
    frame = ordered(log)
    frame["next"] = frame.groupby(["customer", "half"])["stage"].shift(-1)
    assert by_session["moves"].sum() == frame["next"].notna().sum()
    split = cx.transitions(log, by="half", **CALL)
    assert set(split["half"]) == {"early", "late"}
    assert split["moves"].sum() == len(log) - log["customer"].nunique()


def test_paths_equal_a_direct_count() -> None:
    log = random_log(11, customers=300)
    result = cx.paths(log, conversion_stage="d", n=1000, max_length=50, **CALL)
    journeys = {}
    for customer, events in ordered(log).groupby("customer"):
        stages = events["stage"].tolist()
        if "d" in stages:
            stages = stages[:stages.index("d") + 1]
        collapsed = [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]
        journeys[customer] = " > ".join(collapsed)
    counts = pd.Series(journeys).value_counts()
    assert dict(zip(result["path"], result["journeys"], strict=True)) == counts.to_dict()
    assert result["share"].sum() == pytest.approx(1.0)
    converted = result[result["path"].str.endswith("d")]
    assert (converted["conversion_rate"] == 1.0).all()
    assert (result.loc[~result["path"].str.endswith("d"), "conversions"] == 0).all()
    short = cx.paths(log, n=3, max_length=2, **CALL)
    assert len(short) == 3 and short["path"].str.endswith("…").any()
    assert short["journeys"].is_monotonic_decreasing


def test_time_between_equals_direct_search() -> None:
    log = random_log(12, customers=200)
    result = cx.time_between(log, from_stage="a", to_stage="c", unit="min", **CALL)
    gaps = []
    started = 0
    for _, events in ordered(log).groupby("customer"):
        stages, times = events["stage"].tolist(), events["time"].tolist()
        if "a" not in stages:
            continue
        started += 1
        i = stages.index("a")
        after = [j for j in range(i + 1, len(stages)) if stages[j] == "c"]
        if after:
            gaps.append((times[after[0]] - times[i]) / pd.Timedelta(minutes=1))
    row = result.iloc[0]
    assert (row["customers"], row["reached"]) == (started, len(gaps))
    assert row["median"] == pytest.approx(np.median(gaps))
    assert row["p90"] == pytest.approx(np.quantile(gaps, 0.9))
    with pytest.raises(errors.ValueRangeError, match="do not occur"):
        cx.time_between(log, from_stage="a", to_stage="nowhere", **CALL)
    with pytest.raises(errors.ValueRangeError, match="n must be"):
        cx.paths(log, n=0, **CALL)


def test_customers_with_one_event() -> None:
    log = pd.DataFrame({"customer": [1, 2, 3], "time": pd.date_range("2024-01-01", periods=3, freq="h"),
                        "stage": ["a", "b", "a"], "device": ["app", "web", "app"]})
    assert len(cx.transitions(log, **CALL)) == 0
    with_exits = cx.transitions(log, exits=True, **CALL)
    assert with_exits["moves"].sum() == 6 and with_exits["time_median"].isna().all()
    funnel = cx.funnel(log, steps=["a", "b"], **CALL)
    assert funnel["entered"].tolist() == [2, 0] and funnel["converted"].iloc[0] == 0
    assert cx.paths(log, **CALL)["journeys"].tolist() == [2, 1]
    assert len(cx.gaps(log, switch="device", **CALL)) == 0
    kpis = cx.journey_kpis(log, conversion_stage="b", **CALL)
    assert kpis.loc[kpis["kpi"] == "bounce_rate", "rate"].iloc[0] == 1.0
