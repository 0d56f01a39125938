"""Every chart renders with Chinese labels, no missing glyphs, the expected artists, and the
caller's rcParams untouched."""

from __future__ import annotations

import io
import os
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

import cxmetrics as cx
from cxmetrics import (
    errors,
    plot,
)

from .journeys import simulate_journeys

if plot.cjk_font() is None and os.environ.get("CXMETRICS_REQUIRE_CJK"):
    raise RuntimeError("CXMETRICS_REQUIRE_CJK is set but no CJK font was found")
pytestmark = pytest.mark.skipif(plot.cjk_font() is None, reason="no CJK font on this machine")


def render(ax) -> list[str]:
    """Draw the figure to PNG and return every warning raised while drawing."""
    figure = ax if isinstance(ax, matplotlib.figure.Figure) else ax.figure
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png", dpi=60)
    plt.close(figure)
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "Glyph" in m or "missing from" in m], messages
    return messages


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 1500
    frame = pd.DataFrame(
        {
            "渠道": rng.choice(["门店", "官网", "小程序", "客服热线"], n),
            "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 360, n), unit="D"),
            "ltr": rng.integers(0, 11, n),
            "csat": rng.integers(1, 6, n),
            "ces": rng.integers(1, 8, n),
        }
    )
    frame.loc[frame["渠道"] == "小程序", "ltr"] = np.clip(frame["ltr"] + 3, 0, 10)
    return frame


def test_rcparams_untouched_and_axes_returned(survey: pd.DataFrame) -> None:
    before = dict(matplotlib.rcParams)
    ax = plot.nps_breakdown(cx.nps(survey, score="ltr", by="渠道"))
    assert isinstance(ax, matplotlib.axes.Axes)
    render(ax)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()
    _, (given, other) = plt.subplots(1, 2)
    other.set_title("caller's own", fontfamily="serif")
    assert plot.nps_distribution(cx.score_distribution(survey, score="ltr"), ax=given) is given
    assert other.title.get_fontfamily() == ["serif"]  # the other Axes keeps its fonts
    render(given)


def test_survey_charts(survey: pd.DataFrame) -> None:
    trend = cx.nps_trend(survey, score="ltr", time="date", freq="Q")
    ax = plot.nps_trend(trend)
    assert len(ax.lines) == 1 and len(ax.collections) >= 1
    render(ax)
    grouped = plot.nps_trend(cx.nps_trend(survey, score="ltr", time="date", freq="Q", by="渠道"))
    assert len(grouped.lines) == 4 and {t.get_text() for t in grouped.get_legend().get_texts()} >= {
        "门店",
        "官网",
    }
    render(grouped)
    render(plot.csat_trend(cx.csat_trend(survey, score="csat", time="date", freq="Q")))
    dist = plot.nps_distribution(cx.score_distribution(survey, score="ltr"))
    colors = {tuple(np.round(b.get_facecolor(), 3)) for b in bars(dist)}
    assert len(bars(dist)) == 11 and len(colors) == 3
    render(dist)
    breakdown = plot.nps_breakdown(cx.nps(survey, score="ltr", by="渠道"))
    assert len(bars(breakdown)) == 4
    assert [t.get_text() for t in breakdown.get_yticklabels()][-1] == "小程序"  # best group on top
    render(breakdown)
    render(plot.csat_breakdown(cx.csat(survey, score="csat", by="渠道")))
    render(plot.ces_breakdown(cx.ces(survey, score="ces", by="渠道", scale=7)))


def test_journey_charts() -> None:
    log = simulate_journeys(2000, seed=3)
    names = {
        "home": "首页",
        "search": "搜索",
        "product": "商品",
        "cart": "购物车",
        "checkout": "结算",
        "purchase": "支付",
    }
    log["stage"] = log["stage"].map(names)
    call = dict(customer="customer", time="time", stage="stage")
    result = cx.funnel(log, steps=list(names.values()), **call)
    ax = plot.funnel(result)
    assert len(bars(ax)) == 6 and any("−" in t.get_text() for t in ax.texts)
    render(ax)
    flow = plot.journey_flow(cx.transitions(log, exits=True, **call))
    assert len([p for p in flow.patches if isinstance(p, FancyArrowPatch)]) >= 6
    assert {t.get_text() for t in flow.texts} >= {"首页", "支付", "(exit)"}
    render(flow)
    gaps = plot.gap_chart(cx.gaps(log, switch=["device", "channel"], **call))
    assert "device: 购物车 → 结算" in [t.get_text() for t in gaps.get_yticklabels()][-1]
    render(gaps)
    with pytest.raises(errors.ColumnNotFoundError, match=r"gap_chart input column .attribute."):
        plot.gap_chart(cx.funnel(log, steps=list(names.values()), **call))


def test_segment_clv_driver_charts() -> None:
    rng = np.random.default_rng(2)
    tx = pd.DataFrame(
        {
            "customer": rng.integers(0, 400, 3000),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, 3000), unit="D"),
            "amount": rng.gamma(2.0, 30.0, 3000),
        }
    )
    scored = cx.rfm_score(cx.rfm_table(tx, customer="customer", time="date", amount="amount"))
    heat = plot.rfm_heatmap(scored)
    assert heat.images and len(heat.texts) >= 10
    render(heat)
    render(plot.rfm_heatmap(scored, value="count"))
    segments = cx.rfm_segment(scored, labels="zh")
    bars_ax = plot.segment_bars(cx.segment_profile(segments, by="segment"))
    assert any("客户" in t.get_text() for t in bars_ax.get_yticklabels())
    render(bars_ax)
    summary = cx.summary_from_transactions(
        tx, customer="customer", time="date", amount="amount", calibration_end="2024-09-30"
    )
    bg = cx.BetaGeo().fit(summary, penalizer=0.001)
    gg = cx.GammaGamma.from_parameters(p=6.25, q=3.74, gamma=15.44)
    summary["clv"] = cx.customer_lifetime_value(bg, gg, summary, horizon=12, discount_rate=0.01)
    render(plot.clv_distribution(summary))
    grid = plot.probability_alive_matrix(cx.frequency_recency_matrix(bg, summary, t=10))
    assert grid.images
    render(grid)
    calibration = plot.calibration_holdout(cx.calibration_report(bg, summary))
    assert len(bars(calibration)) == 16
    render(calibration)
    ratings = pd.DataFrame(rng.integers(1, 6, (500, 4)), columns=["配送", "客服", "价格", "包装"])
    ratings["满意度"] = ratings["配送"] + 0.5 * ratings["客服"] + rng.normal(0, 1, 500)
    quadrant = plot.driver_quadrant(
        cx.importance_performance(
            ratings, outcome="满意度", drivers=["配送", "客服", "价格", "包装"], labels="zh"
        )
    )
    assert {t.get_text() for t in quadrant.texts} == {"配送", "客服", "价格", "包装"}
    render(quadrant)


def test_text_charts_and_polars_input() -> None:
    rng = np.random.default_rng(3)
    scores = pl.DataFrame({"text": ["好"] * 300, "score": rng.beta(2, 2, 300)})
    render(plot.sentiment_distribution(scores))
    aspects = pd.DataFrame(
        {"aspect": ["物流", "价格", "客服"], "positive": [30, 12, 8], "negative": [5, 20, 9]}
    )
    ax = plot.aspect_chart(aspects)
    assert len(bars(ax)) == 6
    render(ax)
    keywords = pd.DataFrame(
        {"keyword": ["快递", "很快", "包装", "破损", "客服"], "weight": [5.0, 4.0, 3.0, 2.0, 1.0]}
    )
    ax = plot.keyword_bars(keywords, top=3)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["包装", "很快", "快递"]
    render(ax)
    with pytest.raises(errors.ValueRangeError, match="thresholds"):
        plot.sentiment_distribution(scores, thresholds=(0.7, 0.2))


def test_wordcloud() -> None:
    pytest.importorskip("wordcloud")
    keywords = pd.DataFrame(
        {"keyword": ["快递", "很快", "包装", "破损", "客服"], "weight": [5.0, 4.0, 3.0, 2.0, 1.0]}
    )
    ax = plot.wordcloud(keywords)
    assert ax.images
    render(ax)
