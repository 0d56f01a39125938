"""Trends: per-period numbers equal nps() on the rows of that period."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics.datasets import load_survey

from .conftest import to_pandas


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_monthly_trend_equals_nps_per_month(backend):
    survey = load_survey(backend=backend)
    out = to_pandas(cx.nps_trend(survey, score="ltr", time="date", freq="M"))
    pdf = load_survey()
    assert len(out) == 12
    for _, row in out.iterrows():
        month = pdf[pdf["date"].dt.to_period("M").dt.start_time == row["period"]]
        ref = cx.nps(month, score="ltr").iloc[0]
        assert row["nps"] == pytest.approx(ref["nps"])
        assert row["ci_low"] == pytest.approx(ref["ci_low"])
        assert row["n_missing"] == ref["n_missing"]


def test_change_is_welch_against_previous_period():
    survey = load_survey()
    trend = cx.nps_trend(survey, score="ltr", time="date", freq="Q")
    survey["quarter"] = survey["date"].dt.to_period("Q").astype(str)
    ref = cx.compare_nps(survey, score="ltr", by="quarter", p_adjust="none")
    q2_vs_q1 = ref[(ref["group_a"] == "2025Q1") & (ref["group_b"] == "2025Q2")].iloc[0]
    assert trend["change"][1] == pytest.approx(-q2_vs_q1["difference"])
    assert trend["change_p_value"][1] == pytest.approx(q2_vs_q1["p_value"])
    assert np.isnan(trend["change"][0])


def test_gaps_are_filled_and_weeks_start_monday():
    df = pl.DataFrame({"day": [dt.date(2025, 1, 8), dt.date(2025, 1, 26)], "s": [10, 3]})
    out = cx.nps_trend(df, score="s", time="day", freq="W")
    assert out["period"].to_list() == [dt.datetime(2025, 1, 6), dt.datetime(2025, 1, 13),
                                       dt.datetime(2025, 1, 20)]
    assert out["n"].to_list() == [1, 0, 1]


def test_rolling_pools_periods_within_groups():
    survey = load_survey()
    out = cx.nps_trend(survey, score="ltr", time="date", freq="M", by="region", rolling=3)
    east = out[out["region"] == "华东"].reset_index(drop=True)
    rows = survey[(survey["region"] == "华东") & (survey["date"] >= "2025-02-01")
                  & (survey["date"] < "2025-05-01")]
    assert east["nps"][3] == pytest.approx(cx.nps(rows, score="ltr")["nps"][0])
    assert east["change"][:3].isna().all() and not np.isnan(east["change"][3])


def test_time_zone_is_kept_and_buckets_use_local_time():
    times = pd.to_datetime(["2025-01-31 23:30", "2025-02-01 08:00"]).tz_localize("Asia/Shanghai")
    out = cx.nps_trend(pd.DataFrame({"t": times, "s": [9, 9]}), score="s", time="t", freq="M")
    assert str(out["period"].dt.tz) == "Asia/Shanghai"
    assert out["n"].tolist() == [1, 1]


def test_csat_trend_matches_csat_per_quarter():
    survey = load_survey()
    out = cx.csat_trend(survey, score="csat", time="date", freq="Q")
    q1 = survey[survey["date"] < "2025-04-01"]
    assert out["csat"][0] == pytest.approx(cx.csat(q1, score="csat")["csat"][0])
    assert out["change_p_value"].notna().sum() == 3
