"""validate_events: dropped rows counted, duplicates removed, sessions as defined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors

from .conftest import to_pandas


def messy_log() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame({
        "customer": rng.integers(0, 30, n).astype(float),
        "time": (pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="min"))
        .strftime("%Y-%m-%d %H:%M:%S"),
        "stage": rng.choice(["home", "search", "product", "cart"], n),
        "device": rng.choice(["app", "web"], n),
    })
    frame.loc[[3, 17], "customer"] = np.nan
    frame.loc[[5], "stage"] = None
    frame.loc[[8, 9], "time"] = "not a time"
    frame.loc[[11], "time"] = None
    return pd.concat([frame, frame.iloc[[20, 21, 22]]], ignore_index=True)  # three duplicates


def test_report_counts_and_clean_log() -> None:
    raw = messy_log()
    before = raw.copy()
    log, report = cx.validate_events(raw, customer="customer", time="time", stage="stage", device="device")
    pd.testing.assert_frame_equal(raw, before)
    assert (report.rows, report.null_customer, report.null_stage) == (403, 2, 1)
    assert (report.unparsable_time, report.null_time, report.duplicates) == (2, 1, 3)
    assert report.kept == 403 - 2 - 1 - 3 - 3 == len(log)
    assert not report.was_sorted and not report.mixed_offsets
    assert report.customers == log["customer"].nunique()
    assert not log.duplicated(["customer", "time", "stage", "device"]).any()
    assert log["time"].dtype.kind == "M"
    assert (log.groupby("customer")["time"].diff().dropna() >= pd.Timedelta(0)).all()
    assert list(log.columns) == ["customer", "time", "stage", "device"]
    assert "kept" in str(report) and report.as_dict()["duplicates"] == 3


def test_sessions_match_a_brute_force_and_polars() -> None:
    raw = messy_log().dropna()
    raw = raw[raw["time"] != "not a time"]
    log, report = cx.validate_events(raw, session_gap="45min", customer="customer", time="time",
                                     stage="stage")
    expected = []
    for _, events in log.groupby("customer", sort=True):
        session, last = 0, None
        for t in events["time"]:
            if last is None or t - last > pd.Timedelta(minutes=45):
                session += 1
            expected.append(session)
            last = t
    assert log["session"].tolist() == expected
    assert report.sessions == len(log[["customer", "session"]].drop_duplicates())
    polars_log, polars_report = cx.validate_events(pl.from_pandas(raw), customer="customer", time="time",
                                                   stage="stage", session_gap="45min")
    assert isinstance(polars_log, pl.DataFrame)
    pd.testing.assert_frame_equal(to_pandas(polars_log), log, check_dtype=False)
    assert polars_report == report


def test_mixed_offsets_become_utc() -> None:
    raw = pd.DataFrame({"customer": [1, 1, 2], "stage": ["a", "b", "a"],
                        "time": ["2024-01-01T10:00:00+08:00", "2024-01-01T03:30:00Z",
                                 "2024-01-01T09:00:00+08:00"]})
    log, report = cx.validate_events(raw, customer="customer", time="time", stage="stage")
    assert report.mixed_offsets
    assert log["time"].tolist() == [pd.Timestamp("2024-01-01 02:00"), pd.Timestamp("2024-01-01 03:30"),
                                    pd.Timestamp("2024-01-01 01:00")]
    # the clean log then works where the raw one is refused
    with pytest.raises(errors.ColumnTypeError):
        cx.funnel(raw, customer="customer", time="time", stage="stage", steps=["a", "b"])
    result = cx.funnel(log, customer="customer", time="time", stage="stage", steps=["a", "b"], unit="min")
    assert result["time_to_convert_median"].iloc[1] == 90.0


@pytest.mark.parametrize(("suffix", "frame"), [("+08:00", pd.DataFrame), ("+0800", pl.from_pandas),
                                              ("Z", pd.DataFrame)])
def test_one_offset_throughout_keeps_its_wall_clock(suffix, frame) -> None:
    raw = pd.DataFrame({"customer": [1, 1, 2], "stage": ["a", "b", "a"], "note": ["x", "y", "z"],
                        "time": [f"2024-01-01T09:00:00{suffix}", f"2024-01-01T10:30:00{suffix}",
                                 f"2024-01-01T23:15:00{suffix}"]})
    log, report = cx.validate_events(frame(raw), customer="customer", time="time", stage="stage")
    assert not report.mixed_offsets and "mixed" not in str(report)
    # the late-evening event stays on its own day, as a zoned column is read
    expected = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:30", "2024-01-01 23:15"])
    assert to_pandas(log)["time"].tolist() == expected.tolist()
    assert to_pandas(log)["note"].tolist() == ["x", "y", "z"]


def test_bad_arguments() -> None:
    raw = messy_log()
    with pytest.raises(errors.ColumnNotFoundError, match="channel"):
        cx.validate_events(raw, customer="customer", time="time", stage="stage", channel="channel")
    with pytest.raises(errors.ValueRangeError, match="session_gap"):
        cx.validate_events(raw, customer="customer", time="time", stage="stage", session_gap="soon")
