"""Orders, not lines: one definition of a purchase and of as_of across RFM and CLV."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors


def line_items(seed: int = 3, customers: int = 60) -> pd.DataFrame:
    """Baskets of 1-12 lines each, several baskets a day for some customers."""
    rng = np.random.default_rng(seed)
    rows = []
    basket = 0
    for customer in range(customers):
        for _ in range(rng.integers(1, 8)):
            basket += 1
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 120)))
            at = day + pd.Timedelta(minutes=int(rng.integers(0, 1440)))
            for line in range(rng.integers(1, 13)):
                rows.append((f"c{customer}", f"o{basket}", at + pd.Timedelta(seconds=line),
                             float(rng.integers(1, 50))))
    return pd.DataFrame(rows, columns=["customer", "basket", "time", "value"])


def test_order_counts_baskets_and_sums_their_lines():
    lines = line_items()
    table = cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket")
    orders = lines.groupby(["customer", "basket"]).agg(time=("time", "min"), value=("value", "sum"))
    expected = orders.groupby("customer").agg(
        frequency=("value", "size"), revenue=("value", "sum"), last=("time", "max"))
    assert table["customer"].tolist() == expected.index.tolist()
    np.testing.assert_array_equal(table["frequency"], expected["frequency"])
    np.testing.assert_allclose(table["monetary"], expected["revenue"] / expected["frequency"])
    as_of = orders["time"].max()
    np.testing.assert_allclose(table["recency"], (as_of - expected["last"]) / pd.Timedelta(days=1))


def test_lines_without_order_warn_with_the_count_and_orders_do_not():
    lines = line_items()
    # every line has its own second here; dated at their basket's time they share it
    same_moment = lines.assign(time=lines.groupby("basket")["time"].transform("min"))
    n_shared = len(same_moment) - len(same_moment[["customer", "time"]].drop_duplicates())
    assert n_shared > 0.1 * len(lines)
    with pytest.warns(errors.LineItemWarning, match=f"{n_shared:,} of {len(lines):,} rows share"):
        cx.rfm_table(same_moment, customer="customer", time="time", amount="value")
    with warnings.catch_warnings():
        warnings.simplefilter("error", errors.LineItemWarning)
        cx.rfm_table(same_moment, customer="customer", time="time", amount="value", order="basket")
        # merging by day already folds the lines of a basket together
        cx.summary_from_transactions(same_moment, customer="customer", time="time", amount="value")
    with pytest.warns(errors.LineItemWarning, match="order="):
        cx.summary_from_transactions(same_moment, customer="customer", time="time", amount="value",
                                     merge_same_period=False)


def test_a_few_same_day_purchases_do_not_warn():
    log = pd.DataFrame({"customer": [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                        "day": pd.to_datetime(["2024-01-01"] * 2 + [f"2024-01-0{d}" for d in range(1, 10)]),
                        "value": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", errors.LineItemWarning)
        cx.rfm_table(log, customer="customer", time="day", amount="value")  # 1 of 11 rows: under 10 %


def test_summary_with_order_equals_the_summary_of_the_orders():
    lines = line_items(seed=5)
    orders = (lines.groupby(["customer", "basket"], as_index=False)
              .agg(time=("time", "min"), value=("value", "sum")))
    for merge in (True, False):
        got = cx.summary_from_transactions(lines, customer="customer", time="time", amount="value",
                                           order="basket", merge_same_period=merge)
        want = cx.summary_from_transactions(orders, customer="customer", time="time", amount="value",
                                            merge_same_period=merge)
        pd.testing.assert_frame_equal(got, want)


def test_order_on_polars_equals_pandas():
    lines = line_items(seed=8)
    want = cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket")
    got = cx.rfm_table(pl.from_pandas(lines), customer="customer", time="time", amount="value",
                       order="basket")
    assert isinstance(got, pl.DataFrame)
    pd.testing.assert_frame_equal(got.to_pandas(), want, check_dtype=False)


def test_bad_order_columns_are_named():
    lines = line_items(seed=9, customers=5)
    with pytest.raises(errors.ColumnNotFoundError, match="basket_id"):
        cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket_id")
    shared = lines.copy()
    shared.loc[shared["customer"] == "c1", "basket"] = shared["basket"].iloc[0]
    with pytest.raises(errors.ValueRangeError, match="order column 'basket' has ids used by more than one"):
        cx.rfm_table(shared, customer="customer", time="time", amount="value", order="basket")
    missing = lines.astype({"basket": object})
    missing.loc[0, "basket"] = None
    with pytest.raises(errors.CXMetricsError, match="basket"):
        cx.rfm_table(missing, customer="customer", time="time", amount="value", order="basket")


def test_an_order_that_nets_to_a_refund_follows_nonpositive():
    lines = pd.DataFrame({"customer": [1, 1, 1, 2], "basket": ["a", "a", "b", "c"],
                          "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-03"]),
                          "value": [10.0, -4.0, -3.0, 5.0]})
    with pytest.warns(errors.ExcludedDataWarning, match="excluded 1 orders"):
        table = cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket")
    assert table["frequency"].tolist() == [1, 1]
    assert table["monetary"].tolist() == [6.0, 5.0]  # a refund line inside an order is netted
    with pytest.raises(errors.ValueRangeError, match="1 orders of zero or less"):
        cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket",
                     nonpositive="error")


def test_rfm_and_clv_share_the_default_as_of():
    days = pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-29"])
    log = pd.DataFrame({"customer": [1, 1, 2], "day": days, "value": [1.0, 2.0, 3.0]})
    rfm = cx.rfm_table(log, customer="customer", time="day", amount="value")
    clv = cx.summary_from_transactions(log, customer="customer", time="day", unit="D")
    assert rfm["recency"].tolist() == [14.0, 0.0]  # the last day's purchase has recency 0
    np.testing.assert_allclose(clv["T"] - clv["recency"], rfm["recency"])


def test_an_as_of_date_is_its_midnight_in_rfm_and_its_day_in_the_merged_summary():
    lines = pd.DataFrame({
        "customer": ["c1", "c1", "c1", "c2"], "basket": ["b1", "b1", "b2", "b3"],
        "time": pd.to_datetime(["2024-03-01 09:00", "2024-03-01 09:00", "2024-03-10 18:30",
                                "2024-03-05 12:00"]),
        "value": [2.0, 3.0, 4.0, 6.0]})
    # rfm_table works in exact times: the evening basket is after 2024-03-10's midnight, and
    # the error counts orders, not lines.
    with pytest.raises(errors.ValueRangeError, match="1 orders fall after as_of"):
        cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket",
                     as_of="2024-03-10")
    table = cx.rfm_table(lines, customer="customer", time="time", amount="value", order="basket",
                         as_of="2024-03-11")
    np.testing.assert_allclose(table["recency"], [5.5 / 24, 5.5])
    # Merging by day, as_of names a day and the evening basket is inside it.
    summary = cx.summary_from_transactions(lines, customer="customer", time="time", amount="value",
                                           order="basket", as_of="2024-03-10", unit="D")
    assert summary["frequency"].tolist() == [1, 0]
    assert summary["T"].tolist() == [9.0, 5.0]
