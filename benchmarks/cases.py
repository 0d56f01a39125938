"""Benchmark cases: each names a cxmetrics call and the baselines it is measured against.

A case is a data builder plus implementations. ``COMPARISONS`` lists which implementation is
compared with which baseline; the runner times every implementation in its own process.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.clv_simulate

N_REGIONS = 20
N_STORES = 500


def survey_data(n: int, backend: str) -> Any:
    """n responses with two keys (a 20-value string, a 500-value integer) and a 0–10 score."""
    rng = np.random.default_rng(42)
    columns = {
        "region": np.array([f"r{i:02d}" for i in range(N_REGIONS)])[rng.integers(0, N_REGIONS, n)],
        "store": rng.integers(0, N_STORES, n),
        "score": rng.integers(0, 11, n),
    }
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(columns)
    import polars as pl

    return pl.DataFrame(columns)


def cx_nps(df: Any) -> Any:
    import cxmetrics as cx

    return cx.nps(df, score="score", by=["region", "store"])


def pandas_groupby(df: Any) -> Any:
    flags = df.assign(det=df["score"] <= 6, pro=df["score"] >= 9)
    out = flags.groupby(["region", "store"]).agg(
        n=("score", "count"), det=("det", "sum"), pro=("pro", "sum")
    )
    out["nps"] = 100.0 * (out["pro"] - out["det"]) / out["n"]
    return out


def numpy_bound(df: Any) -> Any:
    import pandas as pd

    region, _ = pd.factorize(df["region"].to_numpy())
    store, _ = pd.factorize(df["store"].to_numpy())
    group = region * (store.max() + 1) + store
    score = df["score"].to_numpy()
    size = group.max() + 1
    n = np.bincount(group, minlength=size)
    det = np.bincount(group, weights=score <= 6, minlength=size)
    pro = np.bincount(group, weights=score >= 9, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * (pro - det) / n


def polars_group_by(df: Any) -> Any:
    import polars as pl

    score = pl.col("score")
    return df.group_by("region", "store").agg(
        n=pl.len(), det=(score <= 6).sum(), pro=(score >= 9).sum()
    ).with_columns(nps=100.0 * (pl.col("pro") - pl.col("det")) / pl.col("n"))


TRANSACTIONS_PER_CUSTOMER = 10


def transaction_data(n: int, backend: str) -> Any:
    """n transactions by n / 10 customers over 2024, with lognormal amounts."""
    rng = np.random.default_rng(7)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    columns = {
        "customer": rng.integers(0, max(n // TRANSACTIONS_PER_CUSTOMER, 1), n),
        "time": (start + rng.integers(0, 366 * 86_400, n).astype("timedelta64[s]")).astype("datetime64[us]"),
        "amount": np.round(rng.lognormal(3.0, 1.0, n), 2),
    }
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(columns)
    import polars as pl

    return pl.DataFrame(columns)


def cx_rfm(df: Any) -> Any:
    import cxmetrics as cx

    table = cx.rfm_table(df, customer="customer", time="time", amount="amount")
    return cx.rfm_score(table)


def pandas_rfm(df: Any) -> Any:
    """The usual hand-written RFM: groupby, then rank(method="first") into quintiles."""
    import pandas as pd

    as_of = df["time"].max().normalize() + pd.Timedelta(days=1)
    table = df.groupby("customer").agg(
        first_purchase=("time", "min"), last_purchase=("time", "max"),
        frequency=("amount", "size"), revenue=("amount", "sum"),
    )
    table["recency"] = (as_of - table["last_purchase"]) / pd.Timedelta(days=1)
    table["monetary"] = table["revenue"] / table["frequency"]
    for column, score, ascending in (("recency", "r", False), ("frequency", "f", True),
                                     ("monetary", "m", True)):
        ranks = table[column].rank(method="first", ascending=ascending, pct=True)
        table[f"{score}_score"] = np.ceil(ranks * 5).astype(np.int64)
    table["rfm_cell"] = (table["r_score"] * 100 + table["f_score"] * 10 + table["m_score"]).astype(str)
    return table


def polars_rfm(df: Any) -> Any:
    """The same in hand-written polars."""
    import polars as pl

    as_of = df["time"].max().replace(hour=0, minute=0, second=0)  # type: ignore[union-attr]
    table = df.group_by("customer").agg(
        first_purchase=pl.col("time").min(), last_purchase=pl.col("time").max(),
        frequency=pl.len(), revenue=pl.col("amount").sum(),
    ).with_columns(
        recency=(pl.lit(as_of) + pl.duration(days=1) - pl.col("last_purchase")).dt.total_seconds() / 86_400,
        monetary=pl.col("revenue") / pl.col("frequency"),
    )
    n = pl.len()
    table = table.with_columns(
        r_score=((-pl.col("recency")).rank("ordinal") / n * 5).ceil().cast(pl.Int64),
        f_score=(pl.col("frequency").rank("ordinal") / n * 5).ceil().cast(pl.Int64),
        m_score=(pl.col("monetary").rank("ordinal") / n * 5).ceil().cast(pl.Int64),
    )
    return table.with_columns(
        rfm_cell=(pl.col("r_score") * 100 + pl.col("f_score") * 10 + pl.col("m_score")).cast(pl.String)
    )


def clv_summary_data(n: int, backend: str) -> Any:
    """n simulated BG/NBD customers, first purchases spread over a year, daily times in weeks.

    Parameters near the CDNOW estimates but per day (r=0.25, alpha=30 days, a=0.8, b=2.5);
    times are whole days / 7, so the distinct (x, t_x, T) triples number in the tens of
    thousands, as in real daily data.
    """
    import pandas as pd

    rng = np.random.default_rng(2024)
    T_days = rng.integers(1, 366, n)
    rate = rng.gamma(0.25, 1 / 30.0, n)
    dropout = rng.beta(0.8, 2.5, n)
    x = np.zeros(n, dtype=np.int64)
    last = np.zeros(n)
    clock = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        clock[idx] += rng.exponential(1.0 / rate[idx])
        bought = clock[idx] <= T_days[idx]
        done = idx[~bought]
        active[done] = False
        buyers = idx[bought]
        x[buyers] += 1
        last[buyers] = clock[buyers]
        active[buyers[rng.random(len(buyers)) < dropout[buyers]]] = False
    return pd.DataFrame({"frequency": x, "recency": np.floor(last) / 7.0, "T": T_days / 7.0})


def clv_daily_data(n: int, backend: str) -> Any:
    """n simulated BG/NBD customers in day units: T between 30 and 365 days, CDNOW-like
    parameters per day; about half as many distinct (x, t_x, T) triples as customers."""
    import pandas as pd
    from tests.clv_simulate import daily

    x, t_x, big_t = daily(n)
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t})


def clv_grocery_data(n: int, backend: str) -> Any:
    """A grocery-shaped panel in weeks: n households (2,500 in the issue) with about 55
    repeat baskets each over a year and almost no dropout, daily times."""
    import pandas as pd
    from tests.clv_simulate import grocery

    x, t_x, big_t = grocery(n)
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t})


def cx_fit(model_name: str) -> Callable[[Any], float]:
    """A cxmetrics fit returning its log-likelihood."""

    def fit(summary: Any) -> float:
        import cxmetrics as cx

        return float(getattr(cx, model_name)().fit(summary).log_likelihood_)

    return fit


def lifetimes_fit(fitter_name: str, model_name: str) -> Callable[[Any], float]:
    """A lifetimes fit returning the log-likelihood of its estimates by cxmetrics' formula (a
    model built with the public ``from_parameters``), so the two optima are compared like
    for like."""

    def fit(summary: Any) -> float:
        import lifetimes

        import cxmetrics as cx

        columns = [summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")]
        try:
            params = getattr(lifetimes, fitter_name)().fit(*columns).params_.to_dict()
        except lifetimes.utils.ConvergenceError:  # lifetimes gives up: timed, no optimum to compare
            return float("nan")
        model = getattr(cx, model_name)
        same = model.from_parameters(**{k: params[k] for k in model.parameter_names})
        return float(same.log_likelihood(summary))

    return fit


def driver_data(n: int, backend: str) -> Any:
    """n survey responses: 20 correlated 1-5 driver ratings and a 0-10 outcome built from five."""
    import pandas as pd

    rng = np.random.default_rng(7)
    mood = rng.normal(size=n)
    ratings = np.clip(np.round(3 + 0.7 * mood[:, None] + rng.normal(size=(n, 20))), 1, 5)
    frame = pd.DataFrame(ratings, columns=[f"d{i:02d}" for i in range(20)])
    signal = ratings[:, :5] @ np.array([0.9, 0.7, 0.5, 0.3, 0.1])
    frame["ltr"] = np.clip(signal - 3 + rng.normal(size=n), 0, 10)
    if backend == "pandas":
        return frame
    import polars as pl

    return pl.from_pandas(frame)


def cx_drivers(method: str, count: int) -> Callable[[Any], Any]:
    def run(df: Any) -> Any:
        import cxmetrics as cx

        return cx.key_drivers(df, outcome="ltr", drivers=[f"d{i:02d}" for i in range(count)], method=method)

    return run


def statsmodels_ols(count: int) -> Callable[[Any], Any]:
    """The plain regression a driver analysis starts from: OLS with all drivers."""

    def run(df: Any) -> Any:
        import statsmodels.api as sm

        columns = [f"d{i:02d}" for i in range(count)]
        return sm.OLS(df["ltr"].to_numpy(), sm.add_constant(df[columns].to_numpy())).fit().params

    return run


def pingouin_relimp(count: int) -> Callable[[Any], Any]:
    def run(df: Any) -> Any:
        import pingouin

        return pingouin.linear_regression(df[[f"d{i:02d}" for i in range(count)]], df["ltr"], relimp=True)

    return run


JOURNEY_STEPS = ["home", "search", "product", "cart", "checkout"]


def journey_data(n: int, backend: str) -> Any:
    """n events of n / 10 customers over 30 days: eight stages, unsorted, as an export arrives."""
    import pandas as pd

    rng = np.random.default_rng(11)
    stages = np.array([*JOURNEY_STEPS, "purchase", "support", "account"])
    frame = pd.DataFrame({
        "customer": rng.integers(0, max(n // 10, 1), n),
        "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30 * 86400, n), unit="s"),
        "stage": stages[rng.choice(8, n, p=[0.25, 0.2, 0.2, 0.12, 0.08, 0.05, 0.05, 0.05])],
    })
    if backend == "pandas":
        return frame
    import polars as pl

    return pl.from_pandas(frame)


def cx_journey(df: Any) -> Any:
    import cxmetrics as cx

    call = dict(customer="customer", time="time", stage="stage")
    return cx.funnel(df, steps=JOURNEY_STEPS, **call), cx.transitions(df, **call)


def pandas_journey(df: Any) -> Any:
    """The same two analyses by hand: an ordered closed funnel by earliest positions, and the
    transition table with counts, customers, probabilities and time between (hours)."""
    import pandas as pd

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(["customer", "time"], kind="stable").reset_index(drop=True)

    log = ordered(df)
    log["pos"] = np.arange(len(log))
    state = log[log["stage"] == JOURNEY_STEPS[0]].groupby("customer")[["pos", "time"]].min()
    entered = [len(state)]
    for step in JOURNEY_STEPS[1:]:
        candidates = log.loc[log["stage"] == step, ["customer", "pos", "time"]].merge(
            state, left_on="customer", right_index=True, suffixes=("", "_prev"))
        candidates = candidates[candidates["pos"] > candidates["pos_prev"]]
        state = candidates.groupby("customer")[["pos", "time"]].min()
        entered.append(len(state))
    log = ordered(df)
    grouped = log.groupby("customer")
    log["next"] = grouped["stage"].shift(-1)
    log["gap"] = (grouped["time"].shift(-1) - log["time"]) / pd.Timedelta(hours=1)
    moves = log.dropna(subset=["next"]).groupby(["stage", "next"]).agg(
        moves=("gap", "size"), customers=("customer", "nunique"), time_median=("gap", "median"),
        time_p90=("gap", lambda g: g.quantile(0.9)))
    moves["probability"] = moves["moves"] / moves.groupby(level=0)["moves"].transform("sum")
    return entered, moves


def polars_journey(df: Any) -> Any:
    import polars as pl

    log = df.sort(["customer", "time"], maintain_order=True).with_row_index("pos")
    state = log.filter(pl.col("stage") == JOURNEY_STEPS[0]).group_by("customer").agg(
        pl.col("pos").min(), pl.col("time").min())
    entered = [state.height]
    for step in JOURNEY_STEPS[1:]:
        candidates = log.filter(pl.col("stage") == step).select("customer", "pos", "time").join(
            state, on="customer", suffix="_prev")
        state = candidates.filter(pl.col("pos") > pl.col("pos_prev")).group_by("customer").agg(
            pl.col("pos").min(), pl.col("time").min())
        entered.append(state.height)
    log = df.sort(["customer", "time"], maintain_order=True)
    moves = log.with_columns(
        pl.col("stage").shift(-1).over("customer").alias("next"),
        ((pl.col("time").shift(-1).over("customer") - pl.col("time")).dt.total_seconds() / 3600).alias("gap"),
    ).drop_nulls("next").group_by("stage", "next").agg(
        pl.len().alias("moves"), pl.col("customer").n_unique().alias("customers"),
        pl.col("gap").median().alias("time_median"), pl.col("gap").quantile(0.9, "linear").alias("time_p90"),
    ).with_columns((pl.col("moves") / pl.col("moves").sum().over("stage")).alias("probability"))
    return entered, moves


def journey_text_ids(n: int, backend: str) -> Any:
    """The journey log with text customer ids, which pm4py requires."""
    frame = journey_data(n, "pandas")
    return frame.assign(customer="c" + frame["customer"].astype(str))


def cx_transitions(df: Any) -> Any:
    import cxmetrics as cx

    return cx.transitions(df, customer="customer", time="time", stage="stage")


def pm4py_dfg(df: Any) -> Any:
    """pm4py's directly-follows graph: the transition counts of the same log."""
    import pm4py

    return pm4py.discover_dfg(df, case_id_key="customer", activity_key="stage", timestamp_key="time")


#: implementation name -> (data set, backend, function)
IMPLEMENTATIONS: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "cxmetrics.survey[pandas]": ("survey", "pandas", cx_nps),
    "pandas groupby": ("survey", "pandas", pandas_groupby),
    "numpy bincount": ("survey", "pandas", numpy_bound),
    "cxmetrics.survey[polars]": ("survey", "polars", cx_nps),
    "polars group_by": ("survey", "polars", polars_group_by),
    "cxmetrics.rfm[pandas]": ("transactions", "pandas", cx_rfm),
    "pandas rfm": ("transactions", "pandas", pandas_rfm),
    "cxmetrics.rfm[polars]": ("transactions", "polars", cx_rfm),
    "polars rfm": ("transactions", "polars", polars_rfm),
    "cxmetrics.BetaGeo": ("clv", "pandas", cx_fit("BetaGeo")),
    "lifetimes BetaGeo": ("clv", "pandas", lifetimes_fit("BetaGeoFitter", "BetaGeo")),
    "cxmetrics.ParetoNBD": ("clv", "pandas", cx_fit("ParetoNBD")),
    "lifetimes ParetoNBD": ("clv", "pandas", lifetimes_fit("ParetoNBDFitter", "ParetoNBD")),
    "cxmetrics.BetaGeo[daily]": ("clv_daily", "pandas", cx_fit("BetaGeo")),
    "lifetimes BetaGeo[daily]": ("clv_daily", "pandas", lifetimes_fit("BetaGeoFitter", "BetaGeo")),
    "cxmetrics.ParetoNBD[daily]": ("clv_daily", "pandas", cx_fit("ParetoNBD")),
    "lifetimes ParetoNBD[daily]": ("clv_daily", "pandas", lifetimes_fit("ParetoNBDFitter", "ParetoNBD")),
    "cxmetrics.BetaGeo[grocery]": ("clv_grocery", "pandas", cx_fit("BetaGeo")),
    "lifetimes BetaGeo[grocery]": ("clv_grocery", "pandas", lifetimes_fit("BetaGeoFitter", "BetaGeo")),
    "cxmetrics.ModifiedBetaGeo[grocery]": ("clv_grocery", "pandas", cx_fit("ModifiedBetaGeo")),
    "lifetimes ModifiedBetaGeo[grocery]": ("clv_grocery", "pandas",
                                           lifetimes_fit("ModifiedBetaGeoFitter", "ModifiedBetaGeo")),
    "cxmetrics.ParetoNBD[grocery]": ("clv_grocery", "pandas", cx_fit("ParetoNBD")),
    "lifetimes ParetoNBD[grocery]": ("clv_grocery", "pandas", lifetimes_fit("ParetoNBDFitter", "ParetoNBD")),
    "cxmetrics.key_drivers[rw 20]": ("drivers", "pandas", cx_drivers("relative_weights", 20)),
    "statsmodels OLS[20]": ("drivers", "pandas", statsmodels_ols(20)),
    "cxmetrics.key_drivers[shapley 12]": ("drivers", "pandas", cx_drivers("shapley", 12)),
    "pingouin relimp[12]": ("drivers", "pandas", pingouin_relimp(12)),
    "cxmetrics.journey[pandas]": ("journey", "pandas", cx_journey),
    "pandas journey": ("journey", "pandas", pandas_journey),
    "cxmetrics.journey[polars]": ("journey", "polars", cx_journey),
    "polars journey": ("journey", "polars", polars_journey),
    "cxmetrics.transitions[pandas]": ("journey_text", "pandas", cx_transitions),
    "pm4py discover_dfg": ("journey_text", "pandas", pm4py_dfg),
}

#: implementations too slow to repeat: timed once
MAX_REPEAT = {name: 1 for name in IMPLEMENTATIONS if name.startswith("lifetimes")}
#: modules imported before the timed calls of the implementations that have no warm-up call
#: (a first import of lifetimes is not part of its fit's time)
PRELOAD = {name: ("lifetimes", "cxmetrics") for name in MAX_REPEAT}

#: (case label, implementation, baseline, goal ratio as the issue states it)
COMPARISONS = [
    ("nps by 2 keys, pandas in", "cxmetrics.survey[pandas]", "pandas groupby", 1.0),
    ("nps by 2 keys, pandas in", "cxmetrics.survey[pandas]", "numpy bincount", 2.0),
    ("nps by 2 keys, polars in", "cxmetrics.survey[polars]", "polars group_by", 1.0),
    ("rfm table+score, pandas in", "cxmetrics.rfm[pandas]", "pandas rfm", 1.0),
    ("rfm table+score, polars in", "cxmetrics.rfm[polars]", "polars rfm", 1.0),
    ("clv BG/NBD fit", "cxmetrics.BetaGeo", "lifetimes BetaGeo", 1 / 50),
    ("clv Pareto/NBD fit", "cxmetrics.ParetoNBD", "lifetimes ParetoNBD", 1 / 100),
    ("clv BG/NBD fit, daily", "cxmetrics.BetaGeo[daily]", "lifetimes BetaGeo[daily]", 1 / 50),
    ("clv Pareto/NBD fit, daily", "cxmetrics.ParetoNBD[daily]", "lifetimes ParetoNBD[daily]", 1 / 100),
    ("clv BG/NBD fit, grocery", "cxmetrics.BetaGeo[grocery]", "lifetimes BetaGeo[grocery]", 1 / 50),
    ("clv MBG/NBD fit, grocery", "cxmetrics.ModifiedBetaGeo[grocery]", "lifetimes ModifiedBetaGeo[grocery]",
     1 / 50),
    ("clv Pareto/NBD fit, grocery", "cxmetrics.ParetoNBD[grocery]", "lifetimes ParetoNBD[grocery]", 1 / 100),
    ("drivers relative weights, 20", "cxmetrics.key_drivers[rw 20]", "statsmodels OLS[20]", 1.0),
    ("drivers shapley, 12", "cxmetrics.key_drivers[shapley 12]", "pingouin relimp[12]", 1.0),
    ("journey funnel+transitions, pandas", "cxmetrics.journey[pandas]", "pandas journey", 1.0),
    ("journey funnel+transitions, polars", "cxmetrics.journey[polars]", "polars journey", 1.0),
    ("journey transitions vs pm4py DFG", "cxmetrics.transitions[pandas]", "pm4py discover_dfg", 1.0),
]

#: comparisons run at their own sizes whatever --sizes says (the data set has a fixed shape)
CASE_SIZES = {"clv BG/NBD fit, daily": [20_000, 200_000], "clv Pareto/NBD fit, daily": [20_000, 200_000],
              "clv BG/NBD fit, grocery": [300, 2_500, 20_000, 200_000],
              "clv MBG/NBD fit, grocery": [300, 2_500, 20_000, 200_000],
              "clv Pareto/NBD fit, grocery": [300, 2_500, 20_000, 200_000]}
#: the size every case runs at under --smoke
SMOKE_SIZE = 300

DATA = {"survey": survey_data, "transactions": transaction_data, "clv": clv_summary_data,
        "clv_daily": clv_daily_data, "clv_grocery": clv_grocery_data,
        "drivers": driver_data, "journey": journey_data, "journey_text": journey_text_ids}
