"""journey_kpis against direct pandas computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors

from .conftest import to_pandas
from .journeys import simulate_journeys

CALL = dict(customer="customer", time="time", stage="stage")


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    frame = simulate_journeys(3000, seed=8)
    rng = np.random.default_rng(1)
    extra = frame.sample(600, random_state=2).assign(stage="support")  # support contacts
    extra["time"] = extra["time"] + pd.to_timedelta(rng.integers(1, 60 * 24 * 10, len(extra)), unit="min")
    return pd.concat([frame, extra], ignore_index=True)


def test_kpis_equal_direct_computations(log: pd.DataFrame) -> None:
    kpis = cx.journey_kpis(log, conversion_stage="purchase", checkout_stage="checkout", window="1D",
                           support_stage="support", repeat_window="3D", **CALL)
    value = kpis.set_index(["kpi", kpis["stage"].fillna("")])
    frame = log.reset_index().sort_values(["customer", "time", "index"]).reset_index(drop=True)
    customers = frame["customer"].nunique()
    buyers = frame.loc[frame["stage"] == "purchase", "customer"].nunique()
    assert value.loc[("conversion_rate", ""), ["numerator", "denominator"]].tolist() == [buyers, customers]
    gap = frame.groupby("customer")["time"].diff()
    frame["session"] = (gap.isna() | (gap > pd.Timedelta(minutes=30))).groupby(frame["customer"]).cumsum()
    sizes = frame.groupby(["customer", "session"]).size()
    bounce = value.loc[("bounce_rate", ""), ["numerator", "denominator"]].tolist()
    assert bounce == [(sizes == 1).sum(), len(sizes)]
    frame["last"] = ~frame.duplicated(["customer", "session"], keep="last")
    for stage, events in frame.groupby("stage"):
        assert value.loc[("exit_rate", stage), ["numerator", "denominator"]].tolist() == [
            events["last"].sum(), len(events)]
    abandoned, started = 0, 0
    for _, events in frame.groupby("customer"):
        stages, times = events["stage"].tolist(), events["time"].tolist()
        if "checkout" in stages:
            started += 1
            i = stages.index("checkout")
            paid = [j for j in range(i + 1, len(stages)) if stages[j] == "purchase"
                    and times[j] - times[i] <= pd.Timedelta("1D")]
            abandoned += not paid
    abandonment = value.loc[("checkout_abandonment", ""), ["numerator", "denominator"]].tolist()
    assert abandonment == [abandoned, started]
    support = frame[frame["stage"] == "support"]
    first = support.groupby("customer")["time"].transform("min")
    first_pos = support.groupby("customer")["index"].transform("first")
    repeat = support[(support["index"] != first_pos) & (support["time"] - first <= pd.Timedelta("3D"))]
    assert value.loc[("repeat_contact_rate", ""), ["numerator", "denominator"]].tolist() == [
        repeat["customer"].nunique(), support["customer"].nunique()]
    assert (kpis["ci_low"] <= kpis["rate"]).all() and (kpis["rate"] <= kpis["ci_high"]).all()


def test_groups_sessions_and_engines(log: pd.DataFrame) -> None:
    grouped = cx.journey_kpis(log, conversion_stage="purchase", by="channel", **CALL)
    first_channel = log.sort_values(["customer", "time"]).groupby("customer")["channel"].first()
    conversion = grouped[grouped["kpi"] == "conversion_rate"].set_index("channel")["denominator"]
    assert conversion.to_dict() == first_channel.value_counts().to_dict()
    polars = cx.journey_kpis(pl.from_pandas(log), conversion_stage="purchase", by="channel", **CALL)
    pd.testing.assert_frame_equal(to_pandas(polars), grouped, check_dtype=False)
    daily = log.assign(day=log["time"].dt.date.astype(str))
    by_day = cx.journey_kpis(daily, conversion_stage="purchase", session="day", **CALL)
    sessions = daily.groupby(["customer", "day"]).size()
    bounce = by_day[by_day["kpi"] == "bounce_rate"].iloc[0]
    assert (bounce["numerator"], bounce["denominator"]) == ((sessions == 1).sum(), len(sessions))
    with pytest.raises(errors.ValueRangeError, match="do not occur"):
        cx.journey_kpis(log, conversion_stage="order", **CALL)
    with pytest.raises(errors.ValueRangeError, match="repeat_window"):
        cx.journey_kpis(log, conversion_stage="purchase", repeat_window="0D", **CALL)
