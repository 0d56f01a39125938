"""gaps: finds the planted gap, nothing else, with counts and tests checked independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

import cxmetrics as cx
from cxmetrics import errors

from .conftest import to_pandas
from .journeys import simulate_journeys

CALL = dict(customer="customer", time="time", stage="stage")


@pytest.fixture(scope="module")
def journeys() -> pd.DataFrame:
    return simulate_journeys(8000, seed=21)


def test_finds_exactly_the_planted_gap(journeys: pd.DataFrame) -> None:
    result = cx.gaps(journeys, **CALL)
    found = result[result["p_adjusted"] < 0.05]
    assert list(zip(found["attribute"], found["from_stage"], found["to_stage"], strict=True)) == [
        ("device", "cart", "checkout")]
    top = result.iloc[0]
    assert (top["attribute"], top["from_stage"], top["to_stage"]) == ("device", "cart", "checkout")
    # half the switches are app -> web with +30 points: about +15 points over both directions
    assert 0.08 < top["difference"] < 0.25 and top["ci_low"] > 0
    assert top["gap_score"] == pytest.approx(top["difference"] * top["switched"])
    assert set(result["attribute"]) == {"device", "channel", "department"}


def test_without_a_planted_gap_nothing_is_found() -> None:
    result = cx.gaps(simulate_journeys(6000, seed=5, extra_exit=0.0), **CALL)
    assert (result["p_adjusted"].dropna() >= 0.05).all()


def test_counts_and_test_against_a_direct_computation(journeys: pd.DataFrame) -> None:
    result = cx.gaps(journeys, switch="device", **CALL).set_index(["from_stage", "to_stage"])
    frame = journeys.sort_values(["customer", "time"]).reset_index(drop=True)
    grouped = frame.groupby("customer")
    frame["next_stage"] = grouped["stage"].shift(-1)
    frame["next_device"] = grouped["device"].shift(-1)
    frame["exit"] = grouped["stage"].shift(-2).isna()
    moves = frame.dropna(subset=["next_stage"])
    moves = moves.assign(switched=moves["device"] != moves["next_device"])
    for (origin, target), pair in moves.groupby(["stage", "next_stage"]):
        row = result.loc[(origin, target)]
        yes, no = pair[pair["switched"]], pair[~pair["switched"]]
        assert (row["switched"], row["not_switched"]) == (len(yes), len(no))
        assert row["switched_rate"] == pytest.approx(yes["exit"].mean())
        assert row["not_switched_rate"] == pytest.approx(no["exit"].mean())
        table = np.array([[yes["exit"].sum(), len(yes) - yes["exit"].sum()],
                          [no["exit"].sum(), len(no) - no["exit"].sum()]])
        assert row["small_sample"] == (table.min() < 5)
        if row["small_sample"]:
            assert np.isnan(row["p_value"])
            continue
        # one stratum: the Mantel-Haenszel statistic is Pearson's chi-square times (n - 1) / n
        chi2 = stats.chi2_contingency(table, correction=False)[0] * (table.sum() - 1) / table.sum()
        assert row["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-8)


def test_strata_horizon_progress_and_engines(journeys: pd.DataFrame) -> None:
    pooled = cx.gaps(journeys, switch="device", by="channel", **CALL)
    assert pooled.iloc[0]["to_stage"] == "checkout" and pooled.iloc[0]["p_adjusted"] < 1e-6
    progress = cx.gaps(journeys, switch="device", outcome="progress", **CALL).set_index(
        ["from_stage", "to_stage"])
    assert progress.loc[("cart", "checkout"), "difference"] < -0.08  # fewer move on after the switch
    late = cx.gaps(journeys, switch="device", within="2D", **CALL)
    all_handoffs = len(journeys) - journeys["customer"].nunique()
    assert late["switched"].sum() + late["not_switched"].sum() < all_handoffs
    polars = cx.gaps(pl.from_pandas(journeys), switch=["device", "channel"], **CALL)
    pandas = cx.gaps(journeys, switch=["device", "channel"], **CALL)
    pd.testing.assert_frame_equal(to_pandas(polars), pandas, check_dtype=False)


def test_bad_input(journeys: pd.DataFrame) -> None:
    with pytest.raises(errors.MissingValueError, match="entirely missing"):
        cx.gaps(journeys.assign(device=None), switch="device", **CALL)
    with pytest.raises(errors.ColumnNotFoundError):
        cx.gaps(journeys[["customer", "time", "stage"]], **CALL)
    with pytest.raises(errors.ValueRangeError, match="within"):
        cx.gaps(journeys, switch="device", within="-1D", **CALL)
    with pytest.raises(errors.CXMetricsError, match="outcome"):
        cx.gaps(journeys, switch="device", outcome="churn", **CALL)
