"""Every chart renders with Chinese labels, no missing glyphs (also on a machine without any CJK
font: the bundled subset), the expected artists, the caller's rcParams and pyplot's figure list
untouched (from 8 threads too), and text that neither overlaps nor leaves the figure at real
sizes."""

from __future__ import annotations

import io
import os
import threading
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
    summary["clv"] = cx.customer_lifetime_value(summary, transaction_model=bg, spend_model=gg, horizon=12,
                                                discount_rate=0.01)["clv"]
    render(plot.clv_distribution(summary))
    grid = plot.probability_alive_matrix(cx.frequency_recency_matrix(summary, model=bg, t=10))
    assert grid.images
    render(grid)
    calibration = plot.calibration_holdout(cx.calibration_report(summary, model=bg))
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
    ax = plot.keyword_bars(keywords, n=3)
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


# ---------------------------------------------------------------- fonts, state, threads


def _chinese_charts() -> list:
    """A few charts with Chinese labels, drawn fresh."""
    aspects = pd.DataFrame(
        {"aspect": ["物流配送", "價格", "客服"], "positive": [30, 12, 8], "negative": [5, 20, 9]}
    )
    keywords = pd.DataFrame({"keyword": ["快递", "包裝", "破损"], "weight": [5.0, 3.0, 1.0]})
    survey = pd.DataFrame({"渠道": ["门店", "官网", "小程序"] * 40, "ltr": list(range(11)) * 10 + [9] * 10})
    return [
        plot.aspect_chart(aspects, title="评价方面"),
        plot.keyword_bars(keywords, title="关键词"),
        plot.nps_breakdown(cx.nps(survey, score="ltr", by="渠道"), title="按渠道的 NPS"),
    ]


def test_no_system_cjk_font_still_draws_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmetrics.plot import _style

    monkeypatch.setattr(_style, "system_cjk_font", lambda: None)
    assert plot.font_families() == ["DejaVu Sans", "cxmetrics CJK Sans"]
    assert plot.cjk_font() == "cxmetrics CJK Sans" and plot.cjk_font_path().endswith("cxmetrics-cjk-sans.ttf")
    for ax in _chinese_charts():
        assert ax.title.get_fontfamily()[-1] == "cxmetrics CJK Sans"
        render(ax)  # asserts no missing-glyph warning


def test_bundled_font_is_small_licensed_and_renamed() -> None:
    from fontTools.ttLib import TTFont

    from cxmetrics.plot import _style

    path = _style.bundled_font_file()
    folder = os.path.dirname(path)
    assert os.path.getsize(path) < 3_000_000
    assert {"LICENSE-Apache-2.0.txt", "NOTICE.txt"} <= set(os.listdir(folder))
    font = TTFont(path)
    assert font["name"].getDebugName(1) == "cxmetrics CJK Sans"
    cmap = font.getBestCmap()
    gb2312 = {
        bytes([a, b]).decode("gb2312")
        for a in range(0xB0, 0xF8)
        for b in range(0xA1, 0xFF)
        if not (a == 0xD7 and b > 0xF9)
    }
    assert all(ord(c) in cmap for c in gb2312)  # every GB 2312 hanzi
    assert all(ord(c) in cmap for c in "臺灣與們這個來時說會")  # common Traditional


def _png(ax) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


def test_threads_leave_rcparams_and_pyplot_alone() -> None:
    rc_before = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    figures_before = plt.get_fignums()
    sequential = [_png(ax) for ax in _chinese_charts()]
    results: list[list[bytes]] = []
    errors_seen: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append([_png(ax) for ax in _chinese_charts()])
        except BaseException as exc:  # pragma: no cover - reported below
            errors_seen.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors_seen == []
    assert len(results) == 40 and all(r == sequential for r in results)
    assert {k: v for k, v in matplotlib.rcParams.items() if k != "backend"} == rc_before
    assert plt.get_fignums() == figures_before  # no figure registered with pyplot


# ---------------------------------------------------------------- real sizes


def _texts(figure) -> list:
    from matplotlib.text import Text

    figure.canvas.draw()  # tick labels exist only once drawn
    renderer = figure.canvas.get_renderer()
    hidden = set()
    for axes in figure.axes:
        if not axes.get_visible():
            hidden |= set(axes.findobj(Text))
            continue
        for axis in (axes.xaxis, axes.yaxis):
            hidden |= set(axis.findobj(Text)) - {axis.label, axis.offsetText}
            if axes.axison:  # only the ticks inside the view are drawn
                for tick in axis._update_ticks():
                    hidden -= {tick.label1, tick.label2}
    found = []
    for text in figure.findobj(Text):
        if text not in hidden and text.get_visible() and text.get_text().strip() and text.get_alpha() != 0:
            found.append((text.get_text(), text.get_window_extent(renderer)))
    return found


def assert_legible(ax) -> None:
    """No text leaves the figure and no two texts overlap (by their rendered extents)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = ax.figure
    FigureCanvasAgg(figure)
    texts = _texts(figure)
    box = figure.bbox
    for label, extent in texts:
        assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, f"{label!r} leaves the figure sideways"
        assert extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1, f"{label!r} leaves the figure"
    for i, (a, ea) in enumerate(texts):
        for b, eb in texts[i + 1 :]:
            width = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
            height = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
            assert width <= 1 or height <= 1, f"{a!r} overlaps {b!r}"
    render(ax)


def _long_log(stages: int, customers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = [f"阶段{i:02d}·页面" for i in range(stages)]
    rows = []
    for c in range(customers):
        at = pd.Timestamp("2025-01-01")
        for k in range(rng.integers(1, stages + 1)):
            at += pd.Timedelta(minutes=int(rng.integers(1, 60)))
            rows.append(
                (c, at, names[min(k + int(rng.integers(0, 2)), stages - 1)], rng.choice(["app", "web"]))
            )
    return pd.DataFrame(rows, columns=["customer", "time", "stage", "device"])


def test_journey_flow_with_many_stages_groups_the_rest() -> None:
    log = _long_log(22, 400, seed=5)
    moves = cx.transitions(log, customer="customer", time="time", stage="stage", exits=True)
    ax = plot.journey_flow(moves, max_stages=10)
    labels = [t.get_text().replace("\n", "") for t in ax.texts]
    assert "(other)" in labels and len(labels) == 13  # 10 stages + start, exit, other
    width, height = ax.figure.get_size_inches()
    assert width <= 13 and height <= 5
    assert_legible(ax)


def test_funnel_small_multiples_for_fifty_groups() -> None:
    rng = np.random.default_rng(8)
    steps = ["首页", "搜索", "商品", "购物车", "支付"]
    rows = []
    for c in range(3000):
        group = f"门店{rng.integers(0, 50):02d}"
        depth = rng.integers(1, len(steps) + 1)
        for k in range(depth):
            rows.append((c, pd.Timestamp("2025-01-01") + pd.Timedelta(minutes=10 * k), steps[k], group))
    log = pd.DataFrame(rows, columns=["customer", "time", "stage", "store"])
    result = cx.funnel(log, customer="customer", time="time", stage="stage", steps=steps, by="store")
    ax = plot.funnel(result)
    shown = [a for a in ax.figure.axes if a.get_visible()]
    assert len(shown) == 24 and "24 largest of 50" in ax.figure._suptitle.get_text()
    assert_legible(ax)
    with pytest.raises(errors.ValueRangeError, match="max_groups"):
        plot.funnel(result, max_groups=0)


def test_clv_distribution_axis_and_labels() -> None:
    rng = np.random.default_rng(4)
    clv = np.concatenate([rng.lognormal(4, 1.2, 2000), np.full(30, 1e-12)])
    ax = plot.clv_distribution(pd.DataFrame({"clv": clv}))
    low, _ = ax.get_xlim()
    assert low > 1e-3  # not down to the model's 1e-12
    assert [t.get_text().split()[0] for t in ax.get_legend().get_texts()] == ["median", "top"]
    assert_legible(ax)


def test_one_customer_draws_and_an_empty_result_is_refused() -> None:
    log = pd.DataFrame(
        {
            "customer": [1, 1],
            "time": pd.date_range("2025-01-01", periods=2, freq="h"),
            "stage": ["首页", "支付"],
            "device": ["app", "web"],
        }
    )
    call = dict(customer="customer", time="time", stage="stage")
    assert_legible(plot.funnel(cx.funnel(log, steps=["首页", "支付"], **call)))
    assert_legible(plot.journey_flow(cx.transitions(log, exits=True, **call)))
    assert_legible(plot.clv_distribution(pd.DataFrame({"clv": [42.0]})))
    with pytest.warns(errors.UntestableWarning, match="the result is empty"):
        untestable = cx.gaps(log, switch="device", **call)
    gap = plot.gap_chart(untestable)
    assert gap.texts and "enough customers" in gap.texts[0].get_text()
    with pytest.raises(errors.ValueRangeError, match="keyword_bars input is empty"):
        plot.keyword_bars(
            pd.DataFrame({"keyword": pd.Series([], dtype=str), "weight": pd.Series([], dtype=float)})
        )
    assert (
        plot.clv_distribution(pd.DataFrame({"clv": [0.0, -1.0]}))
        .texts[0]
        .get_text()
        .startswith("no customer")
    )


def test_chart_inputs_are_checked() -> None:
    with pytest.raises(errors.ColumnTypeError, match="'weight'"):
        plot.keyword_bars(pd.DataFrame({"keyword": ["快递"], "weight": ["5"]}))
    with pytest.raises(errors.ValueRangeError, match=r"\[0, 1\]"):
        plot.sentiment_distribution(pd.DataFrame({"score": [0.2, 1.7]}))
    with pytest.raises(errors.ValueRangeError, match="bins"):
        plot.sentiment_distribution(pd.DataFrame({"score": [0.2]}), bins=0)
    with pytest.raises(errors.ValueRangeError, match="bins"):
        plot.clv_distribution(pd.DataFrame({"clv": [2.0]}), bins=0)
    with pytest.raises(errors.ValueRangeError, match=r"'ltr' must hold values in \[0, 10\]"):
        plot.nps_distribution(pd.DataFrame({"ltr": [3, 14], "share": [0.5, 0.5]}))
