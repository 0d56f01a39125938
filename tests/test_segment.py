"""RFM tables, scores, segments and profiles against independent computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors

from .conftest import make_frame, to_pandas


def small_log() -> dict[str, list]:
    return {
        "id": ["a", "a", "b", "c", "c", "c", "d"],
        "when": pd.to_datetime(["2024-01-02 09:00", "2024-03-01 18:30", "2024-02-10 00:00",
                                "2024-01-05 00:00",
                                "2024-02-20 00:00", "2024-03-10 23:59", "2024-03-10 00:00"]).tolist(),
        "spend": [20.0, 40.0, 15.0, 10.0, 30.0, 50.0, 5.0],
    }


def brute_force_scores(values: np.ndarray, bins: int, smaller_is_better: bool) -> np.ndarray:
    """Count, for each customer, the customers with a strictly worse value (O(n^2))."""
    sign = -1.0 if smaller_is_better else 1.0
    worse = np.array([(sign * values < sign * v).sum() for v in values])
    return np.array([1 + int(np.floor(bins * w / len(values))) for w in worse])


# --- rfm_table ------------------------------------------------------------------------------


def test_rfm_table_by_hand(backend: str) -> None:
    table = to_pandas(cx.rfm_table(make_frame(small_log(), backend), customer="id", time="when",
                                   amount="spend"))
    # as_of = the latest purchase (2024-03-10 23:59), as in summary_from_transactions
    assert table["id"].tolist() == ["a", "b", "c", "d"]
    last_minute = 1439 / 1440
    assert table["recency"].tolist() == pytest.approx([9 + 329 / 1440, 29 + last_minute, 0, last_minute])
    assert table["frequency"].tolist() == [2, 1, 3, 1]
    assert table["monetary"].tolist() == pytest.approx([30, 15, 30, 5])
    assert table["revenue"].tolist() == pytest.approx([60, 15, 90, 5])
    assert (table["as_of"] == pd.Timestamp("2024-03-10 23:59")).all()
    assert table["first_purchase"][0] == pd.Timestamp("2024-01-02 09:00")


def test_rfm_table_options() -> None:
    log = pd.DataFrame(small_log())
    total = cx.rfm_table(log, customer="id", time="when", amount="spend", monetary="total",
                         as_of="2024-03-17", unit="W")
    assert total["monetary"].tolist() == total["revenue"].tolist()
    assert total["recency"][1] == pytest.approx(36 / 7)


def test_rfm_table_time_zone_uses_wall_clock() -> None:
    log = pd.DataFrame(small_log())
    log["when"] = log["when"].dt.tz_localize("Asia/Shanghai")
    table = cx.rfm_table(log, customer="id", time="when", amount="spend")
    assert str(table["as_of"].dt.tz) == "Asia/Shanghai"
    assert table["as_of"][0] == pd.Timestamp("2024-03-10 23:59", tz="Asia/Shanghai")
    assert table["recency"][1] == pytest.approx(29 + 1439 / 1440)


def test_rfm_table_accepts_iso_text_and_dates() -> None:
    log = pd.DataFrame(small_log())
    as_text = log.assign(when=log["when"].dt.strftime("%Y-%m-%dT%H:%M"))
    as_date = pl.DataFrame(log).with_columns(pl.col("when").dt.date())
    from_text = cx.rfm_table(as_text, customer="id", time="when", amount="spend")
    from_date = to_pandas(cx.rfm_table(as_date, customer="id", time="when", amount="spend"))
    assert from_text["recency"].tolist() == pytest.approx(
        cx.rfm_table(log, customer="id", time="when", amount="spend")["recency"].tolist())
    assert from_date["recency"].tolist() == [9, 29, 0, 0]


def test_rfm_table_on_cdnow_matches_pandas(cdnow_master: pd.DataFrame) -> None:
    log = cdnow_master[cdnow_master["amount"] > 0]
    table = cx.rfm_table(log, customer="customer", time="date", amount="amount")
    as_of = log["date"].max()
    expected = log.groupby("customer").agg(last=("date", "max"), frequency=("date", "size"),
                                           revenue=("amount", "sum"))
    assert table["customer"].tolist() == expected.index.tolist()
    np.testing.assert_array_equal(table["recency"], (as_of - expected["last"]).dt.days)
    np.testing.assert_array_equal(table["frequency"], expected["frequency"])
    np.testing.assert_allclose(table["monetary"], expected["revenue"] / expected["frequency"])
    assert len(table) == 23_502  # 23,570 customers less 68 whose only purchases were $0


def test_rfm_table_does_not_modify_input() -> None:
    log = pd.DataFrame(small_log())
    log.loc[1, "spend"] = -5.0
    before = log.copy()
    with pytest.warns(errors.ExcludedDataWarning):
        cx.rfm_table(log, customer="id", time="when", amount="spend")
    pd.testing.assert_frame_equal(log, before)


# --- rfm_score ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "bins", "smaller_is_better", "expected"),
    [
        ([1, 1, 1, 1], 5, False, [1, 1, 1, 1]),  # all tied: nobody is worse than anyone
        ([7], 5, True, [1]),  # a single customer
        ([1, 1, 1, 2, 3], 5, False, [1, 1, 1, 4, 5]),  # a 60% tie leaves scores 2-3 empty
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, False, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
        ([10, 20, 20, 40], 2, True, [2, 1, 1, 1]),  # recency: smaller is better
    ],
)
def test_quantile_score_hand_cases(values: list[float], bins: int, smaller_is_better: bool,
                                   expected: list[int]) -> None:
    metric = "recency" if smaller_is_better else "frequency"
    table = pd.DataFrame({"recency": values, "frequency": values, "monetary": values})
    scored = cx.rfm_score(table, bins=bins)
    assert scored[{"recency": "r_score", "frequency": "f_score"}[metric]].tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 6), min_size=1, max_size=40),
    bins=st.integers(2, 9),
    seed=st.integers(0, 2**16),
)
def test_quantile_scores_match_brute_force_and_ignore_order(values: list[int], bins: int,
                                                             seed: int) -> None:
    v = np.array(values, dtype=float)
    table = pd.DataFrame({"recency": v, "frequency": v[::-1].copy(), "monetary": v * 1.5})
    scored = cx.rfm_score(table, bins=bins)
    np.testing.assert_array_equal(scored["r_score"], brute_force_scores(v, bins, True))
    np.testing.assert_array_equal(scored["f_score"], brute_force_scores(v[::-1], bins, False))
    order = np.random.default_rng(seed).permutation(len(v))
    shuffled = cx.rfm_score(pl.DataFrame(table.iloc[order]), bins=bins)
    for column in ("r_score", "f_score", "m_score", "rfm_cell"):
        assert shuffled[column].to_list() == scored[column].to_numpy()[order].tolist()


def test_cdnow_scores_do_not_depend_on_row_order(cdnow_master: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.ExcludedDataWarning)
        table = cx.rfm_table(cdnow_master, customer="customer", time="date", amount="amount")
        shuffled_log = cdnow_master.sample(frac=1.0, random_state=3)
        shuffled_table = cx.rfm_table(shuffled_log, customer="customer", time="date", amount="amount")
    scored = cx.rfm_score(table)
    again = cx.rfm_score(shuffled_table.sample(frac=1.0, random_state=4)).sort_values("customer")
    assert again["rfm_cell"].tolist() == scored["rfm_cell"].tolist()
    # The usual rank(method="first") fix changes many frequency scores under the same shuffle.
    first = np.ceil(table["frequency"].rank(method="first", pct=True) * 5)
    first_shuffled = np.ceil(shuffled_table.sample(frac=1.0, random_state=4)["frequency"]
                             .rank(method="first", pct=True) * 5).sort_index()
    assert (first.to_numpy() != first_shuffled.to_numpy()).mean() > 0.2
    # Sensible distribution: recency and monetary (few ties) split into near-equal fifths.
    for column in ("r_score", "m_score"):
        shares = scored[column].value_counts(normalize=True)
        assert shares.between(0.19, 0.21).all()


def r_rfm_package_cuts(values: np.ndarray, bins: int) -> np.ndarray:
    """The R rfm package's inner cut points: type-7 sample quantiles *plus one* (its ``bins()``)."""
    return np.quantile(values, np.linspace(0, 1, bins + 1))[1:-1] + 1


def r_rfm_package_scores(values: np.ndarray, bins: int, reverse: bool) -> np.ndarray:
    """The R rfm package's rule: bins ``[lower, upper)`` from the minimum, its cuts, max + 1."""
    cuts = r_rfm_package_cuts(values, bins)
    lower = np.concatenate([[values.min()], cuts])
    upper = np.concatenate([cuts, [values.max() + 1]])
    labels = np.arange(bins, 0, -1) if reverse else np.arange(1, bins + 1)
    scores = np.zeros(len(values), dtype=int)
    for i in range(bins):
        scores[(values >= lower[i]) & (values < upper[i])] = labels[i]
    return scores


def test_agreement_with_r_rfm_package(cdnow_master: pd.DataFrame) -> None:
    log = cdnow_master[cdnow_master["amount"] > 0]
    # R's amount is the customer's total revenue: monetary="total" is the like-for-like table.
    table = cx.rfm_table(log, customer="customer", time="date", amount="amount", monetary="total")
    scored = cx.rfm_score(table)
    agreement = {}
    for metric, score, reverse in (("recency", "r_score", True), ("frequency", "f_score", False),
                                   ("monetary", "m_score", False)):
        values = scored[metric].to_numpy().astype(float)
        theirs = r_rfm_package_scores(values, 5, reverse)
        ours = scored[score].to_numpy()
        assert (theirs > 0).all()  # R's bins cover every value
        agreement[metric] = (theirs == ours).mean()
        assert np.abs(theirs - ours).max() <= 1
        # Both rules are monotone in the value: never a higher value with a lower score.
        order = np.argsort(values * (-1 if reverse else 1), kind="stable")
        assert (np.diff(theirs[order]) >= 0).all() and (np.diff(ours[order]) >= 0).all()
    # They differ only near bin edges (R's type-7 cut + 1 against our share rule).
    assert agreement["recency"] > 0.97 and agreement["monetary"] > 0.96
    assert agreement["frequency"] == 1.0
    # Heavy ties: with the + 1, R too gives the 50% of one-time buyers score 1 and leaves 2 empty.
    one_time = scored["frequency"].to_numpy() == 1
    assert set(r_rfm_package_scores(scored["frequency"].to_numpy(), 5, False)[one_time]) == {1}
    assert set(scored["f_score"][one_time]) == {1}
    assert not (scored["f_score"] == 2).any()


def test_fixed_thresholds_reproduce_r_rfm_package_cuts(cdnow_master: pd.DataFrame) -> None:
    log = cdnow_master[cdnow_master["amount"] > 0]
    table = cx.rfm_table(log, customer="customer", time="date", amount="amount", monetary="total")
    recency, monetary = table["recency"].to_numpy(), table["monetary"].to_numpy()
    r_cuts, m_cuts = r_rfm_package_cuts(recency, 5), r_rfm_package_cuts(monetary, 5)
    # R sends a value on a cut to the next bin up (worse recency score; better monetary score).
    # cxmetrics gives a value on an edge the better score, so on whole-day recency R's cut c
    # is the edge ceil(c) - 1 (r < c exactly when r <= ceil(c) - 1); monetary cuts are taken
    # as they are.
    assert (recency == np.round(recency)).all()
    fixed = cx.rfm_score(table, method="fixed", thresholds={
        "recency": list(np.ceil(r_cuts) - 1), "frequency": [2, 3, 4, 5], "monetary": list(m_cuts)})
    assert (fixed["r_score"].to_numpy() == r_rfm_package_scores(recency, 5, True)).all()
    assert (fixed["m_score"].to_numpy() == r_rfm_package_scores(monetary, 5, False)).all()
    # Taken as they are, R's recency cuts move the customers sitting exactly on one.
    as_given = cx.rfm_score(table, method="fixed", thresholds={
        "recency": list(r_cuts), "frequency": [2, 3, 4, 5], "monetary": list(m_cuts)})
    on_a_cut = np.isin(recency, r_cuts)
    assert on_a_cut.any()
    assert (as_given["r_score"].to_numpy()[on_a_cut]
            == r_rfm_package_scores(recency, 5, True)[on_a_cut] + 1).all()


def test_fixed_thresholds_edges_go_to_the_better_score(backend: str) -> None:
    table = make_frame({"recency": [0, 30, 31, 90, 91, 400], "frequency": [1, 2, 3, 5, 6, 20],
                        "monetary": [5.0, 10.0, 10.5, 50.0, 99.0, 100.0]}, backend)
    scored = to_pandas(cx.rfm_score(table, bins=3, method="fixed", thresholds={
        "recency": [30, 90], "frequency": [2, 6], "monetary": [10, 100]}))
    assert scored["r_score"].tolist() == [3, 3, 2, 2, 1, 1]
    assert scored["f_score"].tolist() == [1, 2, 2, 2, 3, 3]
    assert scored["m_score"].tolist() == [1, 2, 2, 2, 2, 3]


def test_thresholds_report_realised_ranges(backend: str) -> None:
    table = make_frame({"recency": [1, 2, 3, 4], "frequency": [1, 1, 1, 9],
                        "monetary": [1.0, 2.0, 3.0, 4.0]}, backend)
    cuts = to_pandas(cx.rfm_thresholds(cx.rfm_score(table, bins=4), bins=4))
    freq = cuts[cuts["metric"] == "frequency"]
    assert freq["customers"].tolist() == [3, 0, 0, 1]
    assert freq["min"].isna().tolist() == [False, True, True, False]
    assert cuts.loc[cuts["metric"] == "recency", "max"].tolist() == [4, 3, 2, 1]


def test_scores_pandas_equals_polars() -> None:
    rng = np.random.default_rng(5)
    data = {"recency": rng.integers(0, 50, 300), "frequency": rng.integers(1, 6, 300),
            "monetary": rng.gamma(2.0, 10.0, 300).round(0)}
    a = cx.rfm_score(pd.DataFrame(data))
    b = cx.rfm_score(pl.DataFrame(data))
    assert a["rfm_cell"].tolist() == b["rfm_cell"].to_list()


# --- rules and segments ---------------------------------------------------------------------


def test_default_rules_cover_every_cell_once() -> None:
    report = cx.validate_rules()
    assert report.ok and report.uncovered == [] and report.overlapping == {} and report.unreachable == []
    names = {rule["segment"] for rule in cx.default_rules()}
    assert len(names) == 11 and "Other" not in names


def test_every_cell_gets_the_segment_its_rule_names() -> None:
    cells = np.array(np.meshgrid(*[np.arange(1, 6)] * 3)).reshape(3, -1).T
    scores = pd.DataFrame(cells, columns=["r_score", "f_score", "m_score"])
    segments = cx.rfm_segment(scores)["segment"]
    for (r, f, _), segment in zip(cells, segments, strict=True):
        matching = [rule["segment"] for rule in cx.default_rules()
                    if rule["r_min"] <= r <= rule["r_max"] and rule["f_min"] <= f <= rule["f_max"]]
        assert matching == [segment]
    assert set(segments) == {rule["segment"] for rule in cx.default_rules()}
    zh = cx.rfm_segment(scores, labels="zh")["segment"]
    assert set(zh) == {cx.segment.ZH_LABELS[name] for name in set(segments)}


def test_validate_rules_finds_gaps_overlaps_and_unreachable() -> None:
    rules = pd.DataFrame({"segment": ["Top", "Best", "Low"], "r_min": [4, 5, 1], "r_max": [5, 5, 2],
                          "f_min": [4, 5, 1], "f_max": [5, 5, 5]})
    report = cx.validate_rules(rules)
    assert report.unreachable == ["Best"]
    assert report.overlapping["555"] == ["Top", "Best"]
    assert "311" in report.uncovered and len(report.uncovered) == 125 - 20 - 50
    assert not report.ok


def test_custom_rules_first_match_and_other(backend: str) -> None:
    scores = make_frame({"r_score": [3, 1, 2], "f_score": [3, 1, 3], "m_score": [3, 3, 3]}, backend)
    rules = [{"segment": "Mid", "r_min": 2, "f_min": 2}, {"segment": "Also mid", "r_min": 2}]
    out = to_pandas(cx.rfm_segment(scores, rules=rules, other="Unassigned", bins=3))
    assert out["segment"].tolist() == ["Mid", "Unassigned", "Mid"]


def test_pipeline_on_polars_lazy_stays_lazy() -> None:
    log = pl.DataFrame(small_log()).lazy()
    table = cx.rfm_table(log, customer="id", time="when", amount="spend")
    assert isinstance(table, pl.LazyFrame)  # per-customer results stay in the engine
    out = cx.rfm_segment(cx.rfm_score(table, bins=2), rules=[{"segment": "all"}], bins=2)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["segment"].to_list() == ["all"] * 4


def test_segment_profile_matches_pandas(backend: str) -> None:
    rng = np.random.default_rng(9)
    n = 200
    data = {"segment": rng.choice(["A", "B", "C"], n), "recency": rng.integers(1, 99, n).astype(float),
            "frequency": rng.integers(1, 9, n), "monetary": rng.gamma(2, 9, n),
            "revenue": rng.gamma(2, 30, n), "clv": rng.normal(100, 10, n)}
    profile = to_pandas(cx.segment_profile(make_frame(data, backend), value="clv"))
    frame = pd.DataFrame(data)
    expected = frame.groupby("segment").agg(customers=("recency", "size"), revenue=("revenue", "sum"),
                                            recency_median=("recency", "median"), clv_mean=("clv", "mean"))
    expected = expected.sort_values("revenue", ascending=False)
    assert profile["segment"].tolist() == expected.index.tolist()
    np.testing.assert_allclose(profile["revenue"], expected["revenue"])
    np.testing.assert_allclose(profile["recency_median"], expected["recency_median"])
    np.testing.assert_allclose(profile["clv_mean"], expected["clv_mean"])
    np.testing.assert_allclose(profile["share"], expected["customers"] / n)
    assert profile["revenue_share"].sum() == pytest.approx(1.0)


# --- bad input ------------------------------------------------------------------------------


def test_nonpositive_amount_policies() -> None:
    log = pd.DataFrame(small_log())
    log.loc[[1, 6], "spend"] = [-40.0, 0.0]
    with pytest.warns(errors.ExcludedDataWarning, match="excluded 2 transactions"):
        excluded = cx.rfm_table(log, customer="id", time="when", amount="spend")
    assert excluded["id"].tolist() == ["a", "b", "c"]  # d had only a $0 row
    kept = cx.rfm_table(log, customer="id", time="when", amount="spend", nonpositive="keep")
    assert kept["revenue"].tolist() == pytest.approx([-20, 15, 90, 0])
    with pytest.raises(errors.ValueRangeError, match=r"has 2 values of zero or less .*: \[-40.0, 0.0\]"):
        cx.rfm_table(log, customer="id", time="when", amount="spend", nonpositive="error")


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda d: d.assign(id=[None, *d["id"][1:]]), errors.MissingValueError, "customer column 'id' has 1"),
        (lambda d: d.assign(spend=[np.nan, *d["spend"][1:]]), errors.MissingValueError,
         "amount column 'spend' has 1"),
        (lambda d: d.assign(when=["2024-01-02", "not a date", *d["when"][2:].astype(str)]),
         errors.ColumnTypeError, "time column 'when' could not be parsed"),
        (lambda d: d.assign(when=[f"2024-01-0{i + 1}T00:00+0{i % 2}:00" for i in range(len(d))]),
         errors.ColumnTypeError, "could not be parsed"),
        (lambda d: d.assign(when=range(len(d))), errors.ColumnTypeError, "must be a date or datetime"),
        (lambda d: d.assign(spend=d["spend"].astype(str)), errors.ColumnTypeError, "must be numeric"),
        (lambda d: d.rename(columns={"id": "who"}), errors.ColumnNotFoundError, "customer column 'id'"),
        (lambda d: d.iloc[:0], errors.ValueRangeError, "empty"),
    ],
)
def test_bad_transactions(change, error, message) -> None:
    log = change(pd.DataFrame(small_log()))
    with pytest.raises(error, match=message):
        cx.rfm_table(log, customer="id", time="when", amount="spend")


def test_transactions_after_as_of_and_bad_options() -> None:
    log = pd.DataFrame(small_log())
    with pytest.raises(errors.ValueRangeError, match="3 transactions fall after as_of=2024-03-01"):
        cx.rfm_table(log, customer="id", time="when", amount="spend", as_of="2024-03-01")
    with pytest.raises(errors.OptionError, match=r"unit='month' is not one of"):
        cx.rfm_table(log, customer="id", time="when", amount="spend", unit="month")
    with pytest.raises(errors.CXMetricsError, match="monetary='median' is not one of"):
        cx.rfm_table(log, customer="id", time="when", amount="spend", monetary="median")


@pytest.mark.parametrize("bins", [1, 10, 2.5, "5", True])
def test_bad_bins(bins) -> None:
    table = pd.DataFrame({"recency": [1], "frequency": [1], "monetary": [1.0]})
    with pytest.raises(errors.ValueRangeError, match="bins must be a whole number from 2 to 9"):
        cx.rfm_score(table, bins=bins)


def test_bad_scoring_input() -> None:
    table = pd.DataFrame({"recency": [1.0, np.nan], "frequency": [1, 2], "monetary": [1.0, 2.0]})
    with pytest.raises(errors.MissingValueError, match="'recency' has 1 missing"):
        cx.rfm_score(table)
    table = table.fillna(3.0)
    with pytest.raises(errors.ValueRangeError, match=r"thresholds\['frequency'\] must be 4 strictly"):
        cx.rfm_score(table, method="fixed", thresholds={"recency": [1, 2, 3, 4], "frequency": [3, 2, 1, 0],
                                                        "monetary": [1, 2, 3, 4]})
    with pytest.raises(errors.ValueRangeError, match="needs thresholds"):
        cx.rfm_score(table, method="fixed")
    with pytest.raises(errors.ValueRangeError, match="only used with method='fixed'"):
        cx.rfm_score(table, thresholds={"recency": [1, 2, 3, 4]})


def test_bad_rules_and_scores() -> None:
    with pytest.raises(errors.ValueRangeError, match=r"rule 0 \('X'\): r_max=6 must be a score from 1 to 5"):
        cx.validate_rules([{"segment": "X", "r_max": 6}])
    with pytest.raises(errors.ValueRangeError, match="f_min > f_max"):
        cx.validate_rules([{"segment": "X", "f_min": 4, "f_max": 2}])
    with pytest.raises(errors.ValueRangeError, match="unknown keys"):
        cx.validate_rules([{"segment": "X", "recency_min": 4}])
    scores = pd.DataFrame({"r_score": [6], "f_score": [1], "m_score": [1]})
    with pytest.raises(errors.ValueRangeError, match=r"'r_score' must hold whole scores 1\.\.5"):
        cx.rfm_segment(scores)
    with pytest.raises(errors.ValueRangeError, match="default rules are for bins=5"):
        cx.rfm_segment(scores, bins=6)


def r_rfm_package_segments(scores: pd.DataFrame, names: list[str], bounds: dict[str, list[int]]) -> list[str]:
    """R rfm's rfm_segment written out: segments in order, a customer keeps the first that
    matches (its loop skips customers already given a name); the rest are "Others"."""
    segment = np.array(["1"] * len(scores), dtype=object)
    for i, name in enumerate(names):
        match = np.ones(len(scores), dtype=bool)
        for letter, column in (("recency", "r_score"), ("frequency", "f_score"), ("monetary", "m_score")):
            values = scores[column].to_numpy()
            match &= (values >= bounds[f"{letter}_lower"][i]) & (values <= bounds[f"{letter}_upper"][i])
        segment[match & ~np.isin(segment, names)] = name
    segment[segment == "1"] = "Others"
    return segment.tolist()


def test_r_rfm_package_segment_vectors_as_a_rule_table() -> None:
    rng = np.random.default_rng(9)
    scores = pd.DataFrame({c: rng.integers(1, 6, 500) for c in ("r_score", "f_score", "m_score")})
    # the R package's documented example vectors
    names = ["Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
             "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Lost"]
    bounds = {
        "recency_lower": [4, 2, 3, 4, 3, 2, 2, 1, 1, 1], "recency_upper": [5, 5, 5, 5, 4, 3, 3, 2, 1, 2],
        "frequency_lower": [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], "frequency_upper": [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
        "monetary_lower": [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], "monetary_upper": [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
    }
    columns = {"r": "recency", "f": "frequency", "m": "monetary"}
    rules = pd.DataFrame({"segment": names} | {
        f"{short}_{end}": bounds[f"{long}_{side}"]
        for short, long in columns.items() for end, side in (("min", "lower"), ("max", "upper"))})
    ours = cx.rfm_segment(scores, rules=rules, other="Others")["segment"].tolist()
    theirs = r_rfm_package_segments(scores, names, bounds)
    assert ours == theirs
    assert "Others" in theirs and len(set(theirs)) > 5
