"""Invariants checked on generated data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics as cx

scores = st.lists(st.integers(0, 10), min_size=1, max_size=60)
groups = st.lists(st.sampled_from(["a", "b", "c"]), min_size=60, max_size=60)


@settings(max_examples=60, deadline=None)
@given(scores, groups, st.sampled_from(["adjusted_wald", "wald", "score"]))
def test_bounds_shares_and_wald_contains_estimate(values, labels, method):
    df = pd.DataFrame({"s": values, "g": labels[: len(values)]})
    out = cx.nps(df, score="s", by="g", ci=method)
    assert ((out["nps"] >= -100) & (out["nps"] <= 100)).all()
    shares = out[["pct_detractors", "pct_passives", "pct_promoters"]].sum(axis=1)
    np.testing.assert_allclose(shares, 100.0)
    assert ((out["ci_low"] >= -100) & (out["ci_high"] <= 100)).all()
    assert (out["ci_low"] <= out["ci_high"]).all()
    if method == "wald":
        assert ((out["ci_low"] <= out["nps"] + 1e-9) & (out["nps"] <= out["ci_high"] + 1e-9)).all()


@settings(max_examples=40, deadline=None)
@given(scores, groups, st.randoms(use_true_random=False))
def test_row_order_invariance(values, labels, rnd):
    df = pd.DataFrame({"s": values, "g": labels[: len(values)]})
    shuffled = df.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    for fn in (cx.nps, cx.score_distribution):
        pd.testing.assert_frame_equal(fn(df, score="s", by="g"), fn(shuffled, score="s", by="g"))


@settings(max_examples=40, deadline=None)
@given(scores, groups)
def test_pandas_and_polars_agree(values, labels):
    df = pd.DataFrame({"s": values, "g": labels[: len(values)]})
    for fn, kwargs in ((cx.nps, {}), (cx.nps, {"ci": "score"}), (cx.score_distribution, {})):
        from_pandas = fn(df, score="s", by="g", **kwargs)
        from_polars = fn(pl.from_pandas(df), score="s", by="g", **kwargs).to_pandas()
        pd.testing.assert_frame_equal(from_pandas, from_polars, check_dtype=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=60))
def test_csat_bounds(values):
    out = cx.csat(pd.DataFrame({"s": values}), score="s").iloc[0]
    assert 0 <= out["ci_low"] <= out["csat"] <= out["ci_high"] <= 100
    assert 1 <= out["mean"] <= 5
