"""Benchmark cases: each names a cxmetrics call and the baselines it is measured against.

A case is a data builder plus implementations. ``COMPARISONS`` lists which implementation is
compared with which baseline; the runner times every implementation in its own process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

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


#: implementation name -> (data set, backend, function)
IMPLEMENTATIONS: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "cxmetrics.nps[pandas]": ("survey", "pandas", cx_nps),
    "pandas groupby": ("survey", "pandas", pandas_groupby),
    "numpy bincount": ("survey", "pandas", numpy_bound),
    "cxmetrics.nps[polars]": ("survey", "polars", cx_nps),
    "polars group_by": ("survey", "polars", polars_group_by),
    "cxmetrics.rfm[pandas]": ("transactions", "pandas", cx_rfm),
    "pandas rfm": ("transactions", "pandas", pandas_rfm),
    "cxmetrics.rfm[polars]": ("transactions", "polars", cx_rfm),
    "polars rfm": ("transactions", "polars", polars_rfm),
}

#: (case label, implementation, baseline, goal ratio as the issue states it)
COMPARISONS = [
    ("nps by 2 keys, pandas in", "cxmetrics.nps[pandas]", "pandas groupby", 1.0),
    ("nps by 2 keys, pandas in", "cxmetrics.nps[pandas]", "numpy bincount", 2.0),
    ("nps by 2 keys, polars in", "cxmetrics.nps[polars]", "polars group_by", 1.0),
    ("rfm table+score, pandas in", "cxmetrics.rfm[pandas]", "pandas rfm", 1.0),
    ("rfm table+score, polars in", "cxmetrics.rfm[polars]", "polars rfm", 1.0),
]

DATA = {"survey": survey_data, "transactions": transaction_data}
