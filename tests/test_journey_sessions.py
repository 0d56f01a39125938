"""Journeys within sessions, and gaps that say why nothing was testable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors

CALL = dict(customer="customer", time="time", stage="stage")


def sessions_log(seed: int = 4, customers: int = 400) -> pd.DataFrame:
    """Each customer has 1-3 sessions; a session browses and sometimes buys; the platform is
    fixed within a session and may change between sessions."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        start = pd.Timestamp("2024-03-01") + pd.Timedelta(hours=int(rng.integers(0, 500)))
        for s in range(int(rng.integers(1, 4))):
            platform = ["app", "web"][int(rng.integers(0, 2))]
            at = start + pd.Timedelta(days=2 * s)
            path = ["home", "product"] + (["cart"] if rng.random() < 0.6 else [])
            buys = 0.7 if platform == "app" else 0.4
            path += ["paid"] if path[-1] == "cart" and rng.random() < buys else []
            for i, stage in enumerate(path):
                rows.append((c, f"s{c}-{s}", at + pd.Timedelta(minutes=3 * i), stage, platform,
                             "north" if c % 2 else "south"))
    return pd.DataFrame(rows, columns=["customer", "session", "time", "stage", "platform", "region"])


def by_hand_units(log: pd.DataFrame) -> pd.DataFrame:
    """The same log with the journey unit spelled out: one 'customer' per session."""
    return log.assign(customer=log["customer"].astype(str) + "|" + log["session"])


def test_funnel_within_sessions_equals_a_funnel_over_sessions_as_customers():
    log = sessions_log()
    steps = ["home", "cart", "paid"]
    got = cx.funnel(log, steps=steps, session="session", by="region", **CALL)
    want = cx.funnel(by_hand_units(log), steps=steps, by="region", **CALL)
    pd.testing.assert_frame_equal(got, want)
    per_customer = cx.funnel(log, steps=steps, **CALL)
    assert per_customer["entered"].iloc[0] == log["customer"].nunique()
    assert got.groupby("step_number")["entered"].sum().iloc[0] == log["session"].nunique()


def test_a_step_in_a_later_session_does_not_complete_the_funnel():
    log = pd.DataFrame({
        "customer": [1, 1, 1], "session": ["a", "a", "b"],
        "time": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-03 09:00"]),
        "stage": ["home", "cart", "paid"]})
    across = cx.funnel(log, steps=["home", "cart", "paid"], **CALL)
    within = cx.funnel(log, steps=["home", "cart", "paid"], session="session", **CALL)
    assert across["entered"].tolist() == [1, 1, 1]
    assert within["entered"].tolist() == [1, 1, 0]


def test_compare_funnels_within_sessions_and_on_polars():
    log = sessions_log(seed=6)
    steps = ["cart", "paid"]
    got = cx.compare_funnels(log, steps=steps, by="platform", session="session", **CALL)
    want = cx.compare_funnels(by_hand_units(log), steps=steps, by="platform", **CALL)
    pd.testing.assert_frame_equal(got, want)
    on_polars = cx.compare_funnels(pl.from_pandas(log), steps=steps, by="platform", session="session", **CALL)
    pd.testing.assert_frame_equal(on_polars.to_pandas(), got, check_dtype=False)
    app = got.set_index("group").loc["app"]
    assert app["difference"] > 0.15 and app["p_adjusted"] < 0.01  # the planted app advantage


def test_gaps_within_sessions_say_that_switches_happen_only_between_sessions():
    log = sessions_log(seed=7)
    with pytest.warns(errors.UntestableWarning, match="only between sessions"):
        within = cx.gaps(log, switch="platform", session="session", **CALL)
    assert within.empty
    with pytest.warns(errors.UntestableWarning, match="fewer than 5.*the result is empty"):  # few switch
        across = cx.gaps(log, switch="platform", **CALL)
    assert across.empty and list(within.columns) == list(across.columns)


def test_gaps_on_a_column_that_never_changes_is_empty_with_a_reason():
    log = sessions_log(seed=8)
    with pytest.warns(errors.UntestableWarning, match="no handoff switches 'region'; the result is empty"):
        result = cx.gaps(log, switch="region", **CALL)
    assert len(result) == 0 and "p_adjusted" in result.columns


def test_gaps_rows_without_any_switch_are_left_out():
    # the platform also changes inside some sessions here, so some stage pairs are testable
    log = sessions_log(seed=9, customers=1500)
    moved = (log["stage"] == "cart") & (log["customer"] % 3 == 0)
    log.loc[moved, "platform"] = log.loc[moved, "platform"].map({"app": "web", "web": "app"})
    result = cx.gaps(log, switch="platform", **CALL)
    assert len(result) and (result["switched"] > 0).all()
    found = set(zip(result["from_stage"], result["to_stage"], strict=True))
    assert ("product", "cart") in found and ("home", "product") not in found  # never switches


def test_missing_session_ids_are_named():
    log = sessions_log(seed=10, customers=20).astype({"session": object})
    log.loc[3, "session"] = None
    with pytest.raises(errors.MissingValueError, match="session column 'session' has 1 missing"):
        cx.funnel(log, steps=["home", "cart"], session="session", **CALL)
    with pytest.raises(errors.ColumnNotFoundError, match="visit"):
        cx.funnel(log, steps=["home", "cart"], session="visit", **CALL)


def test_validate_events_keeps_every_column():
    raw = pd.DataFrame({"customer": [2, 1, 1],
                        "time": ["2024-05-01 09:00", "2024-05-01 10:00", "2024-05-01 10:00"],
                        "stage": ["visit", "visit", "visit"], "campaign": ["a", "b", "c"],
                        "value": [1.0, 2.0, 3.0]})
    log, report = cx.validate_events(raw, session_gap="30min", **CALL)
    assert list(log.columns) == ["customer", "time", "stage", "campaign", "value", "session"]
    # rows equal on the named columns are duplicates whatever the other columns hold
    assert report.duplicates == 1 and log["campaign"].tolist() == ["b", "a"]
