"""Markov attribution against a hand-solved chain, power iteration, simulation and direct counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.journey._attribution import absorption

from .conftest import to_pandas

CHANNELS = ["ads", "email", "search", "social"]


def simulate(n: int, seed: int) -> pd.DataFrame:
    """Journeys from a known chain: ads and search lead to conversion, social mostly to null."""
    rng = np.random.default_rng(seed)
    moves = {  # next state probabilities over CHANNELS + [buy, (null)]
        "start": [0.4, 0.2, 0.3, 0.1, 0.0, 0.0],
        "ads": [0.1, 0.2, 0.2, 0.05, 0.25, 0.2],
        "email": [0.1, 0.1, 0.2, 0.1, 0.15, 0.35],
        "search": [0.05, 0.05, 0.1, 0.05, 0.35, 0.4],
        "social": [0.05, 0.05, 0.05, 0.15, 0.05, 0.65],
    }
    rows = []
    for c in range(n):
        state, clock = "start", 0
        while True:
            state = ([*CHANNELS, "buy", None])[rng.choice(6, p=moves[state])]
            if state is None:
                break
            rows.append((c, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=clock), state))
            clock += 1
            if state == "buy":
                after = pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=clock)
                rows.append((c, after, "ads"))  # after the conversion: ignored
                break
    return pd.DataFrame(rows, columns=["customer", "time", "channel"])


def empirical_chain(log: pd.DataFrame) -> np.ndarray:
    """Transition matrix counted directly with pandas, states [start, CHANNELS..., buy, null]."""
    states = ["start", *CHANNELS, "buy", "null"]
    counts = pd.DataFrame(0.0, index=states, columns=states)
    for _, events in log.sort_values(["customer", "time"]).groupby("customer"):
        path = events["channel"].tolist()
        path = path[:path.index("buy") + 1] if "buy" in path else [*path, "null"]
        for a, b in zip(["start", *path[:-1]], path, strict=True):
            counts.loc[a, b] += 1
    return (counts.div(counts.sum(axis=1).replace(0, 1), axis=0)).to_numpy()


def test_removal_effects_equal_the_closed_form_on_the_counted_chain() -> None:
    log = simulate(4000, seed=3)
    result = cx.attribution(log, customer="customer", time="time", stage="channel", conversion_stage="buy")
    chain = empirical_chain(log)
    base = absorption(chain)
    # power iteration of the same chain: an independent route to the absorption probability
    state = np.zeros(len(chain))
    state[0] = 1.0
    for _ in range(2000):
        state = state @ np.where(np.arange(len(chain))[:, None] >= len(chain) - 2, np.eye(len(chain)), chain)
    assert base == pytest.approx(state[-2], rel=1e-10)
    effects = result.set_index("touchpoint")["removal_effect"]
    for j, channel in enumerate(CHANNELS):
        assert effects[channel] == pytest.approx(1 - absorption(chain, removed=j + 1) / base, rel=1e-10)
    assert result["conversions"].sum() == pytest.approx((log.groupby("customer")["channel"]
                                                         .apply(lambda s: "buy" in s.tolist())).sum())
    assert result["share"].sum() == pytest.approx(1.0)


def test_closed_form_matches_a_simulation_of_the_chain() -> None:
    log = simulate(4000, seed=4)
    chain = empirical_chain(log)
    rng = np.random.default_rng(0)
    removed = CHANNELS.index("search") + 1
    walks, converted = 40_000, 0
    cumulative = np.cumsum(chain, axis=1)
    for _ in range(walks):
        state = 0
        while state < len(chain) - 2:
            state = int(np.searchsorted(cumulative[state], rng.random()))
            if state == removed:
                state = len(chain) - 1
        converted += state == len(chain) - 2
    estimate = converted / walks
    exact = absorption(chain, removed=removed)
    assert abs(estimate - exact) < 4 * np.sqrt(exact * (1 - exact) / walks)


def test_heuristics_equal_direct_counts_and_engines() -> None:
    log = simulate(1500, seed=5)
    call = dict(customer="customer", time="time", stage="channel", conversion_stage="buy")
    journeys = []
    for _, events in log.sort_values(["customer", "time"]).groupby("customer"):
        path = events["channel"].tolist()
        if "buy" in path:
            journeys.append(path[:path.index("buy")])
    for method, credit in (("first_touch", lambda p: {p[0]: 1.0} if p else {}),
                           ("last_touch", lambda p: {p[-1]: 1.0} if p else {})):
        expected = pd.Series(0.0, index=CHANNELS)
        for path in journeys:
            for channel, value in credit(path).items():
                expected[channel] += value
        result = cx.attribution(log, method=method, **call).set_index("touchpoint")["conversions"]
        np.testing.assert_allclose(result[CHANNELS], expected * len(journeys) / expected.sum())
    linear = cx.attribution(log, method="linear", **call)
    assert "removal_effect" not in linear.columns and linear["share"].sum() == pytest.approx(1.0)
    polars = cx.attribution(pl.from_pandas(log), **call)
    pd.testing.assert_frame_equal(to_pandas(polars), cx.attribution(log, **call), check_dtype=False)


def test_touchpoint_column_and_bad_input() -> None:
    log = simulate(300, seed=6)
    log["medium"] = log["channel"].map({"ads": "paid", "search": "paid", "email": "owned", "social": "owned",
                                        "buy": "owned"})
    result = cx.attribution(log, customer="customer", time="time", stage="channel", conversion_stage="buy",
                            touchpoint="medium")
    assert set(result["touchpoint"]) == {"paid", "owned"}
    with pytest.raises(errors.ValueRangeError, match="do not occur"):
        cx.attribution(log, customer="customer", time="time", stage="channel", conversion_stage="order")
    with pytest.raises(errors.CXMetricsError, match="method"):
        cx.attribution(log, customer="customer", time="time", stage="channel", conversion_stage="buy",
                       method="shapley")
