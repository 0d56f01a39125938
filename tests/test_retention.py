"""Retention, lifecycle and stickiness against brute force written here, customer by customer."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics.errors import (
    ColumnNotFoundError,
    ColumnTypeError,
    CXMetricsError,
    DesignError,
    MissingValueError,
    ValueRangeError,
)
from tests.conftest import to_pandas

# ------------------------------------------------------------------- brute force, by hand


def period_index(moment: dt.datetime, freq: str) -> int:
    """A calendar period as a whole number, from the date alone (no library code)."""
    day = moment.date()
    if freq == "D":
        return day.toordinal()
    if freq == "W":
        return (day.toordinal() - day.weekday()) // 7  # Mondays are ordinal = 0 mod 7
    if freq == "M":
        return day.year * 12 + day.month - 1
    if freq == "Q":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def period_start(index: int, freq: str) -> dt.datetime:
    if freq == "D":
        return dt.datetime.combine(dt.date.fromordinal(index), dt.time())
    if freq == "W":
        return dt.datetime.combine(dt.date.fromordinal(index * 7 + 1), dt.time())
    if freq == "M":
        return dt.datetime(index // 12, index % 12 + 1, 1)
    if freq == "Q":
        return dt.datetime(index // 4, (index % 4) * 3 + 1, 1)
    return dt.datetime(index, 1, 1)


def wall(moment: Any) -> dt.datetime:
    """The wall-clock reading of a (possibly aware) timestamp."""
    return pd.Timestamp(moment).tz_localize(None).to_pydatetime() if pd.Timestamp(moment).tzinfo \
        else pd.Timestamp(moment).to_pydatetime()


def brute_retention(log: pd.DataFrame, *, freq: str, kind: str, periods: int,
                    brackets: list[tuple[int, int]] | None, active: list[str] | None,
                    by: str | None) -> dict[tuple[Any, ...], tuple[int, int]]:
    """{(group, cohort start, period): (cohort size, retained)} customer by customer."""
    last = max(period_index(wall(t), freq) for t in log["time"])
    customers: dict[Any, dict[str, Any]] = {}
    for row in log.itertuples(index=False):
        p = period_index(wall(row.time), freq)
        c = customers.setdefault(row.customer, {"first": p, "active": set(), "group": None})
        c["first"] = min(c["first"], p)
        if active is None or row.stage in active:
            c["active"].add(p)
        if by is not None:
            c["group"] = getattr(row, by)
    out: dict[tuple[Any, ...], list[int]] = {}
    for c in customers.values():
        cohort = c["first"]
        horizon = last - cohort
        offsets = {p - cohort for p in c["active"] if p >= cohort}
        columns = ([(k, k) for k in range(periods + 1)] if kind != "bracket" else brackets)
        assert columns is not None
        for a, b in columns:
            if a > horizon:
                continue
            if kind == "n-day":
                hit = a in offsets
            elif kind == "unbounded":
                hit = any(o >= a for o in offsets)
            else:
                hit = any(a <= o <= b for o in offsets)
            cell = out.setdefault((c["group"], period_start(cohort, freq), a), [0, 0])
            cell[0] += 1
            cell[1] += int(hit)
    return {k: (v[0], v[1]) for k, v in out.items()}


def result_cells(result: Any, by: str | None) -> dict[tuple[Any, ...], tuple[int, int]]:
    frame = to_pandas(result)
    cells = {}
    for row in frame.to_dict("records"):
        cohort = pd.Timestamp(row["cohort"]).tz_localize(None) if pd.Timestamp(row["cohort"]).tzinfo \
            else pd.Timestamp(row["cohort"])
        key = (row[by] if by else None, cohort.to_pydatetime(), int(row["period"]))
        cells[key] = (int(row["cohort_size"]), int(row["retained"]))
    return cells


# ------------------------------------------------------------------------ simulated logs

# zones without "_": narwhals 2.29 reads pandas "datetime64[us, America/New_York]" as Unknown
ZONES = [None, "Asia/Shanghai", "America/Chicago"]


@st.composite
def logs(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    start = dt.datetime(2024, 1, 1)
    # few distinct minutes, so ties (same customer, same time) happen
    minutes = draw(st.lists(st.integers(0, 120 * 24 * 60), min_size=1, max_size=8))
    rows = draw(st.lists(st.tuples(st.integers(0, 7), st.sampled_from(minutes),
                                   st.sampled_from(["visit", "buy", "chat"])), min_size=n, max_size=n))
    zone = draw(st.sampled_from(ZONES))
    times = pd.to_datetime([start + dt.timedelta(minutes=m) for _, m, _ in rows])
    if zone is not None:
        times = times.tz_localize("UTC").tz_convert(zone)
    log = pd.DataFrame({"customer": [c for c, _, _ in rows], "time": times,
                        "stage": [s for _, _, s in rows]})
    log["plan"] = np.where(log["customer"] % 3 == 0, "pro", "free")
    order = draw(st.permutations(range(len(log))))
    return log.iloc[list(order)].reset_index(drop=True)


KIND_OPTIONS = st.sampled_from([
    ("n-day", None), ("unbounded", None), ("bracket", [(0, 0), (1, 2), (4, 9)]),
    ("bracket", [(1, 1)]),
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=logs(), kind=KIND_OPTIONS, freq=st.sampled_from(["D", "W", "M", "Q"]),
       periods=st.integers(0, 6), active=st.sampled_from([None, ["buy"], ["buy", "chat"]]),
       by=st.sampled_from([None, "plan"]))
def test_cohort_retention_matches_brute_force(log: pd.DataFrame, kind: tuple[str, Any], freq: str,
                                              periods: int, active: list[str] | None,
                                              by: str | None) -> None:
    name, brackets = kind
    before = log.copy()
    result = cx.cohort_retention(log, customer="customer", time="time", freq=freq, kind=name,
                                 periods=periods, brackets=brackets, by=by,
                                 stage="stage" if active else None, active=active)
    pd.testing.assert_frame_equal(log, before)
    expected = brute_retention(log, freq=freq, kind=name, periods=periods, brackets=brackets,
                               active=active, by=by)
    assert result_cells(result, by) == expected
    frame = to_pandas(result)
    assert (frame["ci_low"] <= frame["rate"] + 1e-12).all()
    assert (frame["rate"] <= frame["ci_high"] + 1e-12).all()


def test_polars_and_duckdb_give_the_pandas_answer() -> None:
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    log = simulated_log(300, seed=1)
    calls = {
        "n-day": lambda d: cx.cohort_retention(d, customer="customer", time="time", by="plan"),
        "bracket": lambda d: cx.cohort_retention(d, customer="customer", time="time", kind="bracket",
                                                 brackets=[(1, 2), (3, 8)], stage="stage",
                                                 active="buy"),
        "compare": lambda d: cx.compare_retention(d, customer="customer", time="time", by="plan",
                                                  kind="unbounded", periods=6),
        "lifecycle": lambda d: cx.lifecycle(d, customer="customer", time="time", by="plan"),
        "stickiness": lambda d: cx.stickiness(d, customer="customer", time="time"),
    }
    for name, call in calls.items():
        want = to_pandas(call(log))
        for other in (pl.from_pandas(log), duckdb.from_df(log)):
            got = to_pandas(call(other))
            pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=name)


def simulated_log(customers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        start = rng.integers(0, 70)
        life = rng.exponential(40)
        n = rng.integers(1, 12)
        days = np.sort(start + rng.uniform(0, life, n))
        for d in days:
            rows.append((c, pd.Timestamp("2024-01-01") + pd.Timedelta(days=float(d)),
                         rng.choice(["visit", "buy"]), "pro" if c % 4 == 0 else "free"))
    return pd.DataFrame(rows, columns=["customer", "time", "stage", "plan"])


# -------------------------------------------------------------------------- the intervals


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson (1927) score interval, from its closed form."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_intervals_are_wilson_and_cover_at_the_nominal_level() -> None:
    from scipy.stats import binom

    n = 20
    rows = []
    for k in range(n + 1):  # cohort k: n customers, k of whom come back the next week
        week = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=k)
        for i in range(n):
            rows.append((f"{k}-{i}", week))
            if i < k:
                rows.append((f"{k}-{i}", week + pd.Timedelta(days=7)))
    rows.append(("late", pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=n + 1)))
    log = pd.DataFrame(rows, columns=["customer", "time"])
    result = to_pandas(cx.cohort_retention(log, customer="customer", time="time", periods=1))
    week1 = result[(result["period"] == 1) & (result["cohort_size"] == n)].sort_values("retained")
    assert week1["retained"].tolist() == list(range(n + 1))
    z = 1.959963984540054
    for k, low, high in zip(week1["retained"], week1["ci_low"], week1["ci_high"], strict=True):
        want = wilson(int(k), n, z)
        assert low == pytest.approx(max(want[0], 0.0), abs=1e-9)
        assert high == pytest.approx(min(want[1], 1.0), abs=1e-9)
    lows, highs = week1["ci_low"].to_numpy(), week1["ci_high"].to_numpy()
    grid = np.linspace(0.02, 0.98, 97)
    coverage = np.array([binom.pmf(np.arange(n + 1), n, p)[(lows <= p) & (p <= highs)].sum()
                         for p in grid])
    # Wilson's coverage oscillates around the nominal level (Brown, Cai & DasGupta 2001)
    assert 0.93 <= coverage.mean() <= 0.97
    assert coverage.min() > 0.83


# ---------------------------------------------------------------------------- comparisons


def test_compare_retention_pools_cohorts_and_finds_a_faster_churning_group() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for c in range(2000):
        plan = "trial" if c % 2 else "paid"
        weekly_stay = 0.55 if plan == "trial" else 0.8
        week = int(rng.integers(0, 8))
        while week < 20:
            rows.append((c, pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * week + 2), plan))
            if rng.random() > weekly_stay:
                break
            week += 1
    log = pd.DataFrame(rows, columns=["customer", "time", "plan"])
    out = to_pandas(cx.compare_retention(log, customer="customer", time="time", by="plan",
                                         reference="paid", kind="unbounded", periods=8))
    cohorts = to_pandas(cx.cohort_retention(log, customer="customer", time="time", by="plan",
                                            kind="unbounded", periods=8))
    for plan, column in (("trial", ""), ("paid", "reference_")):
        pooled = cohorts[cohorts["plan"] == plan].groupby("period")[["cohort_size", "retained"]].sum()
        assert out[f"{column}n"].tolist() == pooled["cohort_size"].tolist()
        assert out[f"{column}retained"].tolist() == pooled["retained"].tolist()
    assert (out["plan"] == "trial").all() and (out["versus"] == "paid").all()
    later = out[out["period"] >= 1]
    assert (later["difference"] < 0).all() and (later["p_adjusted"] < 0.001).all()
    assert out["logrank_p_value"].iloc[0] < 1e-10
    assert out["logrank_statistic"].iloc[0] == pytest.approx(
        brute_logrank(log, "plan", "trial", periods=8), rel=1e-9)


def brute_logrank(log: pd.DataFrame, by: str, group: Any, periods: int) -> float:
    """Mantel's log-rank chi-squared written out: time = last return + 1 (0 for none), censored
    when the last return is at the last period observable for the customer's cohort."""
    last = max(period_index(wall(t), "W") for t in log["time"])
    rows = []
    for _, events in log.groupby("customer"):
        weeks = sorted({period_index(wall(t), "W") for t in events["time"]})
        cohort = weeks[0]
        horizon = min(last - cohort, periods)
        final = min(weeks[-1] - cohort, periods)
        rows.append((final + 1, final < horizon, events[by].iloc[0] == group))
    times = np.array([r[0] for r in rows])
    stopped = np.array([r[1] for r in rows])
    mine = np.array([r[2] for r in rows])
    observed = expected = variance = 0.0
    for t in np.unique(times[stopped]):
        at_risk = times >= t
        n, n1 = at_risk.sum(), (at_risk & mine).sum()
        d = (stopped & (times == t)).sum()
        d1 = (stopped & (times == t) & mine).sum()
        observed += d1
        expected += d * n1 / n
        if n > 1:
            variance += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return float((observed - expected) ** 2 / variance)


# ------------------------------------------------------------------ lifecycle, stickiness


@settings(max_examples=60, deadline=None)
@given(log=logs(), freq=st.sampled_from(["D", "W", "M"]), stages=st.sampled_from([None, ["buy"]]))
def test_lifecycle_matches_brute_force(log: pd.DataFrame, freq: str, stages: list[str] | None) -> None:
    result = to_pandas(cx.lifecycle(log, customer="customer", time="time", freq=freq,
                                    stage="stage" if stages else None, active=stages))
    active: dict[Any, set[int]] = {c: set() for c in log["customer"]}
    seen: dict[Any, int] = {}
    for row in log.itertuples(index=False):
        p = period_index(wall(row.time), freq)
        seen[row.customer] = min(seen.get(row.customer, p), p)
        if stages is None or row.stage in stages:
            active[row.customer].add(p)
    indices = [period_index(wall(t), freq) for t in log["time"]]
    span = range(min(indices), max(indices) + 1)
    assert len(result) == len(span)
    for t, row in zip(span, result.to_dict("records"), strict=True):
        assert pd.Timestamp(row["period"]).tz_localize(None) == period_start(t, freq) \
            if pd.Timestamp(row["period"]).tzinfo else pd.Timestamp(row["period"]) == period_start(t, freq)
        now = {c for c, s in active.items() if t in s}
        new = {c for c in now if seen[c] == t}
        returning = {c for c in now if t - 1 in active[c]}
        dormant = {c for c, s in active.items() if t - 1 in s and t not in s}
        assert row["active"] == len(now) and row["new"] == len(new)
        assert row["returning"] == len(returning)
        assert row["resurrected"] == len(now - new - returning)
        assert row["dormant"] == len(dormant)


@settings(max_examples=60, deadline=None)
@given(log=logs(), pair=st.sampled_from([("D", "W"), ("D", "M"), ("M", "Q")]))
def test_stickiness_matches_brute_force(log: pd.DataFrame, pair: tuple[str, str]) -> None:
    short, long = pair
    result = to_pandas(cx.stickiness(log, customer="customer", time="time", short=short, long=long))
    moments = [wall(t) for t in log["time"]]
    first, last = min(period_index(m, short) for m in moments), max(period_index(m, short) for m in moments)
    for row in result.to_dict("records"):
        start = pd.Timestamp(row["period"]).tz_localize(None) if pd.Timestamp(row["period"]).tzinfo \
            else pd.Timestamp(row["period"])
        index = period_index(start.to_pydatetime(), long)
        shorts = {s for s in range(first, last + 1)
                  if period_index(period_start(s, short), long) == index}
        per_short = [len({r.customer for r, m in zip(log.itertuples(), moments, strict=True)
                          if period_index(m, short) == s}) for s in shorts]
        in_long = {r.customer for r, m in zip(log.itertuples(), moments, strict=True)
                   if period_index(m, long) == index}
        assert row["short_periods"] == len(shorts)
        assert row["long_active"] == len(in_long)
        assert row["short_active_mean"] == pytest.approx(np.mean(per_short))
        if in_long:
            assert row["stickiness"] == pytest.approx(np.mean(per_short) / len(in_long))
            # the t interval of the mean share of short periods each active customer used
            from scipy import stats

            used = np.array([len({period_index(m, short) for r, m in
                                  zip(log.itertuples(), moments, strict=True)
                                  if r.customer == c and period_index(m, long) == index})
                             for c in in_long])
            shares = used / len(shorts)
            if len(used) > 1 and len(set(used)) > 1:
                half = stats.t.ppf(0.975, len(shares) - 1) * shares.std(ddof=1) / np.sqrt(len(shares))
                assert row["ci_low"] == pytest.approx(max(shares.mean() - half, 0.0))
                assert row["ci_high"] == pytest.approx(min(shares.mean() + half, 1.0))


@settings(max_examples=60, deadline=None)
@given(log=logs(), kind=KIND_OPTIONS, reference=st.sampled_from([None, "free"]))
def test_compare_retention_pools_the_brute_force_cells(log: pd.DataFrame, kind: tuple[str, Any],
                                                       reference: str | None) -> None:
    name, brackets = kind
    if log["plan"].nunique() < 2:
        return
    out = to_pandas(cx.compare_retention(log, customer="customer", time="time", by="plan",
                                         reference=reference, kind=name, brackets=brackets,
                                         periods=4))
    cells = brute_retention(log, freq="W", kind=name, periods=4, brackets=brackets, active=None,
                            by="plan")
    for row in out.to_dict("records"):
        mine = [v for (g, _, p), v in cells.items() if g == row["plan"] and p == row["period"]]
        theirs = [v for (g, _, p), v in cells.items() if g != row["plan"] and p == row["period"]
                  and (reference is None or g == reference)]
        assert (row["n"], row["retained"]) == tuple(np.sum(mine, axis=0))
        assert (row["reference_n"], row["reference_retained"]) == tuple(np.sum(theirs, axis=0)) \
            if theirs else row["reference_n"] == 0
        assert row["versus"] == (reference or "rest")
    assert reference is None or (out["plan"] != reference).all()


# ----------------------------------------------------------------------------- bad inputs


GOOD = pd.DataFrame({"customer": [1, 1, 2], "time": pd.to_datetime(["2024-01-01", "2024-01-09",
                                                                    "2024-01-02"]),
                     "stage": ["a", "b", "a"], "plan": ["x", "x", "y"]})


@pytest.mark.parametrize(("change", "options", "error", "words"), [
    (None, {"customer": "who"}, ColumnNotFoundError, "who"),
    (None, {"kind": "weekly"}, CXMetricsError, "kind"),
    (None, {"freq": "H"}, CXMetricsError, "freq"),
    (None, {"periods": -1}, CXMetricsError, "periods"),
    (None, {"periods": True}, CXMetricsError, "periods"),
    (None, {"confidence": 1.5}, CXMetricsError, "confidence"),
    (None, {"kind": "bracket"}, CXMetricsError, "brackets"),
    (None, {"kind": "bracket", "brackets": [(1, 3), (3, 4)]}, CXMetricsError, "overlap"),
    (None, {"kind": "bracket", "brackets": [(2, 1)]}, CXMetricsError, "ends before"),
    (None, {"brackets": [(1, 2)]}, CXMetricsError, "bracket"),
    (None, {"active": "a"}, CXMetricsError, "stage"),
    (None, {"by": "stage"}, DesignError, "properties of the customer"),
    (None, {"by": "period"}, CXMetricsError, "clash"),
    (None, {"cohort": "plan"}, ColumnTypeError, "plan"),
    ("missing_customer", {}, MissingValueError, "customer"),
    ("missing_time", {}, MissingValueError, "time"),
    ("text_time", {}, ColumnTypeError, "time"),
])
def test_bad_input_is_named(change: str | None, options: dict[str, Any], error: type,
                            words: str) -> None:
    log = GOOD.copy()
    if change == "missing_customer":
        log["customer"] = log["customer"].astype("Float64")
        log.loc[0, "customer"] = None
    elif change == "missing_time":
        log.loc[1, "time"] = pd.NaT
    elif change == "text_time":
        log["time"] = ["2024-01-01", "not a date", "2024-01-03"]
    call = {"customer": "customer", "time": "time", **options}
    with pytest.raises(error, match=words):
        cx.cohort_retention(log, **call)


def test_bad_comparisons_and_periods_are_named() -> None:
    call = {"customer": "customer", "time": "time"}
    with pytest.raises(ValueRangeError, match="reference 'z'"):
        cx.compare_retention(GOOD, **call, by="plan", reference="z")
    with pytest.raises(CXMetricsError, match="p_adjust"):
        cx.compare_retention(GOOD, **call, by="plan", p_adjust="magic")
    with pytest.raises(CXMetricsError, match="long"):
        cx.stickiness(GOOD, **call, short="D", long="D")
    with pytest.raises(CXMetricsError, match="short"):
        cx.stickiness(GOOD, **call, short="W", long="M")
    with pytest.raises(DesignError, match="properties"):
        cx.lifecycle(GOOD, **call, by="stage")
    with pytest.raises(ColumnTypeError, match="DataFrame"):
        cx.lifecycle([1, 2], **call)


def test_cohort_column_and_unobservable_periods() -> None:
    log = pd.DataFrame({
        "customer": [1, 1, 2, 2],
        "time": pd.to_datetime(["2024-01-03", "2024-01-17", "2024-01-10", "2024-01-17"]),
        "signup": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09", "2024-01-09"]),
    })
    out = to_pandas(cx.cohort_retention(log, customer="customer", time="time", cohort="signup",
                                        periods=5))
    # cohorts of Jan 1 (periods 0..2 observable) and Jan 8 (0..1); nothing later, not zeros
    assert out[["period", "cohort_size", "retained"]].values.tolist() == [
        [0, 1, 1], [1, 1, 0], [2, 1, 1], [0, 1, 1], [1, 1, 1]]
    log.loc[3, "signup"] = pd.NaT
    with pytest.raises(MissingValueError, match="signup"):
        cx.cohort_retention(log, customer="customer", time="time", cohort="signup")


def test_one_group_compares_to_nothing() -> None:
    out = to_pandas(cx.compare_retention(GOOD.assign(plan="x"), customer="customer", time="time",
                                         by="plan"))
    assert len(out) == 0 and {"difference", "p_adjusted", "logrank_p_value"} <= set(out.columns)


def test_empty_log_is_an_error_and_one_event_is_a_triangle_of_one() -> None:
    with pytest.raises(DesignError, match="no events"):
        cx.cohort_retention(GOOD.iloc[:0], customer="customer", time="time")
    one = to_pandas(cx.cohort_retention(GOOD.iloc[:1], customer="customer", time="time"))
    assert one[["period", "cohort_size", "retained"]].values.tolist() == [[0, 1, 1]]


# ------------------------------------------------------------------------ real data: CDNOW


@pytest.mark.parametrize("kind", ["n-day", "unbounded"])
def test_cdnow_monthly_retention_matches_brute_force_on_pandas_and_duckdb(
        cdnow_master: pd.DataFrame, kind: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    orders = cdnow_master.rename(columns={"date": "time"})
    expected = brute_retention(orders, freq="M", kind=kind, periods=17, brackets=None, active=None,
                               by=None)
    for data in (orders, duckdb.from_df(orders)):
        result = cx.cohort_retention(data, customer="customer", time="time", freq="M", kind=kind,
                                     periods=17)
        assert result_cells(result, None) == expected
    # the CDNOW cohort is the first quarter of 1997: three monthly cohorts, 18 months of data
    assert {k[1].month for k in expected} == {1, 2, 3}
