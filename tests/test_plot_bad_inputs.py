"""Every chart on bad and edge input: a cxmetrics error naming the column or argument, or a
documented drawing; never a raw exception, never a changed input, the same chart on every engine.

Each chart has a small valid frame here (the columns its result has); the tests break it one way
at a time (empty, a column missing, text or inf in a number column, a value out of range, a bad
row count or bin count, an object that is not a frame) on pandas and polars, and a hypothesis test
draws frames of edge values (NaN, inf, negatives, None labels, long Chinese labels) for each.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import errors

pytestmark = pytest.mark.filterwarnings("ignore::cxmetrics.errors.FontWarning")


@dataclass
class Case:
    """A chart, a valid input frame for it, and how it may be broken."""

    chart: str
    frame: Callable[[], pd.DataFrame]
    kwargs: dict[str, Any] = field(default_factory=dict)
    numeric: tuple[str, ...] = ()  # columns the chart reads as numbers
    required: tuple[str, ...] = ()  # columns it needs (defaults included)
    out_of_range: tuple[tuple[str, Any], ...] = ()  # (column, a value it must refuse)
    counts: tuple[str, ...] = ()  # whole-number arguments of at least 1


def _gaps() -> pd.DataFrame:
    return pd.DataFrame({"attribute": ["device"] * 2, "from_stage": ["首页", "购物车"],
                         "to_stage": ["购物车", "支付"], "switched": [40, 25],
                         "ci_low": [0.05, -0.1], "ci_high": [0.3, 0.2], "p_adjusted": [0.01, 0.6],
                         "gap_score": [7.0, 1.2], "small_sample": [False, False]})


CASES = [
    Case("funnel", lambda: pd.DataFrame({"step": ["首页", "支付"], "entered": [10, 4],
                                         "conversion_rate": [1.0, 0.4], "drop_off": [6.0, np.nan]}),
         numeric=("entered", "conversion_rate", "drop_off"),
         required=("step", "entered", "conversion_rate", "drop_off"),
         out_of_range=(("entered", -1), ("conversion_rate", 1.5)), counts=("max_groups",)),
    Case("journey_flow", lambda: pd.DataFrame({"from_stage": ["(start)", "首页", "首页"],
                                               "to_stage": ["首页", "支付", "(exit)"],
                                               "moves": [10, 4, 6]}),
         kwargs={"min_share": 0.0}, numeric=("moves",), required=("from_stage", "to_stage", "moves"),
         out_of_range=(("moves", -3),), counts=("max_stages",)),
    Case("gap_chart", _gaps, numeric=("switched", "ci_low", "ci_high", "p_adjusted", "gap_score"),
         required=tuple(_gaps().columns), out_of_range=(("p_adjusted", 1.5), ("switched", -2)),
         counts=("n",)),
    Case("rfm_heatmap", lambda: pd.DataFrame({"r_score": [1, 2, 3, 3], "f_score": [1, 3, 2, 3],
                                              "monetary": [10.0, 20.0, 35.0, 50.0]}),
         numeric=("r_score", "f_score", "monetary"), required=("r_score", "f_score", "monetary"),
         out_of_range=(("r_score", 0), ("f_score", 1.5), ("r_score", 21))),
    Case("segment_bars", lambda: pd.DataFrame({"segment": ["忠诚客户", "流失客户"], "share": [0.3, 0.7],
                                               "revenue_share": [0.6, 0.4]}),
         numeric=("share", "revenue_share"), required=("share", "revenue_share"),
         out_of_range=(("share", 1.5), ("revenue_share", -0.1))),
    Case("clv_distribution", lambda: pd.DataFrame({"clv": [12.0, 30.0, 55.0, 80.0, 400.0]}),
         numeric=("clv",), required=("clv",), counts=("bins",)),
    Case("probability_alive_matrix",
         lambda: pd.DataFrame({"frequency": [0, 0, 1, 1], "recency": [0.0, 10.0, 0.0, 10.0],
                               "probability_alive": [1.0, 1.0, 0.3, 0.9]}),
         numeric=("frequency", "recency", "probability_alive"),
         required=("frequency", "recency", "probability_alive"),
         out_of_range=(("probability_alive", 1.5), ("frequency", -1))),
    Case("calibration_holdout",
         lambda: pd.DataFrame({"frequency": ["0", "1", "total"], "actual": [20.0, 30.0, 50.0],
                               "predicted": [22.0, 28.0, 50.0], "actual_mean": [0.2, 0.6, 0.4],
                               "predicted_mean": [0.22, 0.56, 0.4]}),
         numeric=("actual", "predicted", "actual_mean", "predicted_mean"),
         required=("frequency", "actual", "predicted", "actual_mean", "predicted_mean"),
         out_of_range=(("actual_mean", -1.0),)),
    Case("driver_quadrant",
         lambda: pd.DataFrame({"driver": ["配送", "客服"], "importance": [70.0, 30.0],
                               "performance": [2.1, 4.0], "importance_split": [50.0, 50.0],
                               "performance_split": [3.05, 3.05], "quadrant": ["重点改进", "过度投入"]}),
         numeric=("importance", "performance", "importance_split", "performance_split"),
         required=("driver", "importance", "performance", "importance_split", "performance_split",
                   "quadrant")),
    Case("nps_trend",
         lambda: pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                               "nps": [20.0, 35.0, 10.0], "ci_low": [10.0, 25.0, 0.0],
                               "ci_high": [30.0, 45.0, 20.0], "change": [np.nan, 15.0, -25.0],
                               "change_p_value": [np.nan, 0.01, 0.002]}),
         numeric=("nps", "ci_low", "ci_high", "change", "change_p_value"),
         required=("period", "nps", "ci_low", "ci_high"),
         out_of_range=(("nps", 150.0), ("change_p_value", 2.0))),
    Case("csat_trend",
         lambda: pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                               "csat": [70.0, 75.0], "ci_low": [60.0, 65.0], "ci_high": [80.0, 85.0]}),
         numeric=("csat", "ci_low", "ci_high"), required=("period", "csat", "ci_low", "ci_high"),
         out_of_range=(("csat", 150.0),)),
    Case("nps_distribution",
         lambda: pd.DataFrame({"ltr": list(range(11)), "n": [1] * 11, "share": [1 / 11] * 11}),
         numeric=("ltr", "share"), required=("share",),
         out_of_range=(("ltr", 11), ("ltr", 2.5), ("share", 1.5))),
    *[Case(f"{metric}_breakdown",
           lambda metric=metric: pd.DataFrame({"渠道": ["门店", "官网"], "n": [50, 80],
                                               metric: [30.0, 10.0] if metric != "ces" else [5.2, 4.8],
                                               "ci_low": [20.0, 0.0] if metric != "ces" else [4.9, 4.5],
                                               "ci_high": [40.0, 20.0] if metric != "ces" else [5.5, 5.1]}),
           numeric=(metric, "ci_low", "ci_high", "n"), required=(metric, "ci_low", "ci_high"),
           out_of_range=(((metric, 150.0),) if metric != "ces" else ()) + (("n", -5),))
      for metric in ("nps", "csat", "ces")],
    Case("sentiment_distribution", lambda: pd.DataFrame({"score": [0.05, 0.2, 0.5, 0.8, 0.95]}),
         numeric=("score",), required=("score",), out_of_range=(("score", 1.5),), counts=("bins",)),
    Case("aspect_chart", lambda: pd.DataFrame({"aspect": ["物流", "价格"], "positive": [30, 12],
                                               "negative": [5, 20]}),
         numeric=("positive", "negative"), required=("aspect", "positive", "negative"),
         out_of_range=(("negative", -1),), counts=("n",)),
    Case("keyword_bars",
         lambda: pd.DataFrame({"keyword": ["快递", "包装", "破损"], "weight": [5.0, 3.0, 1.0]}),
         numeric=("weight",), required=("keyword", "weight"), counts=("n",)),
    Case("retention_curve",
         lambda: pd.DataFrame({"period": [0, 1, 2], "rate": [1.0, 0.4, 0.3],
                               "ci_low": [1.0, 0.3, 0.2], "ci_high": [1.0, 0.5, 0.4]}),
         numeric=("period", "rate", "ci_low", "ci_high"), required=("period", "rate"),
         out_of_range=(("rate", 1.5), ("ci_high", 1.2))),
    Case("cohort_heatmap",
         lambda: pd.DataFrame({"cohort": ["2024-01", "2024-01", "2024-02"], "period": [0, 1, 0],
                               "cohort_size": [100, 100, 80], "rate": [1.0, 0.4, 1.0]}),
         numeric=("period", "cohort_size", "rate"), required=("cohort", "period", "cohort_size", "rate"),
         out_of_range=(("period", -1), ("period", 1.5), ("rate", 1.5), ("cohort_size", -1))),
    Case("tracking_plot",
         lambda: pd.DataFrame({"period": [1, 2, 3, 4], "part": ["calibration"] * 2 + ["holdout"] * 2,
                               "actual": [3, 5, 4, 6], "predicted": [3.5, 4.5, 4.8, 5.1],
                               "actual_cumulative": [3, 8, 12, 18],
                               "predicted_cumulative": [3.5, 8.0, 12.8, 17.9]}),
         numeric=("period", "actual_cumulative", "predicted_cumulative"),
         required=("period", "part", "actual_cumulative", "predicted_cumulative"),
         out_of_range=(("actual_cumulative", -1),)),
    Case("purchase_histogram",
         lambda: pd.DataFrame({"frequency": ["0", "1", "2+"], "actual": [50, 20, 10],
                               "expected": [48.0, 22.5, 9.5]}),
         numeric=("actual", "expected"), required=("frequency", "actual", "expected"),
         out_of_range=(("expected", -1.0),)),
    Case("survival_curve",
         lambda: pd.DataFrame({"period": [0, 1, 2], "survival": [1.0, 0.6, 0.45],
                               "ci_low": [1.0, 0.5, 0.35], "ci_high": [1.0, 0.7, 0.55]}),
         numeric=("period", "survival", "ci_low", "ci_high"), required=("period", "survival"),
         out_of_range=(("survival", 1.5),)),
    Case("topic_map",
         lambda: pd.DataFrame({"topic": ["配送慢", "味道", "包装"], "share": [0.3, 0.4, 0.1],
                               "difference": [-40.0, 12.0, -3.0], "significant": [True, True, False]}),
         numeric=("share", "difference"), required=("topic", "share", "difference", "significant"),
         out_of_range=(("share", 1.5),)),
    Case("topic_trend",
         lambda: pd.DataFrame({"month": ["01", "01", "02", "02"], "topic": ["配送慢", "味道"] * 2,
                               "share": [0.3, 0.2, 0.2, 0.25], "ci_low": [0.25, 0.15, 0.15, 0.2],
                               "ci_high": [0.35, 0.25, 0.25, 0.3]}),
         kwargs={"time": "month"}, numeric=("share", "ci_low", "ci_high"),
         required=("month", "topic", "share", "ci_low", "ci_high"), out_of_range=(("share", 1.5),)),
]
BY_NAME = {case.chart: case for case in CASES}
IDS = [case.chart for case in CASES]


def test_every_chart_has_a_case() -> None:
    charts = {name for name in cx.plot.__all__ if name not in NOT_CHARTS}
    assert charts == set(BY_NAME) | {"wordcloud"}


NOT_CHARTS = {"FontWarning", "chart_context", "cjk_font", "cjk_font_path", "font_families",
              "style_figure", "system_cjk_font"}
ENGINES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "pandas": lambda f: f,
    "polars": pl.from_pandas,
}


def draw(case: Case, frame: Any, **extra: Any) -> Any:
    ax = getattr(cx.plot, case.chart)(frame, **{**case.kwargs, **extra})
    plt.close(ax.figure)
    return ax


def signature(ax: Any) -> tuple[Any, ...]:
    """What a chart drew, engine-independent: artist counts, texts, title, tick labels."""
    return (len(ax.patches), len(ax.lines), len(ax.collections), len(ax.images),
            sorted(t.get_text() for t in ax.texts), ax.get_title(),
            [t.get_text() for t in ax.get_yticklabels()], len(ax.figure.axes))


def with_column(frame: pd.DataFrame, column: str, value: Any) -> pd.DataFrame:
    changed = frame.copy()
    changed[column] = changed[column].astype(object if isinstance(value, str) else float)
    changed.loc[changed.index[-1], column] = value
    return changed


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_engine_draws_the_same_chart(case: Case) -> None:
    frame = case.frame()
    before = frame.copy()
    reference = signature(draw(case, frame))
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    for native in (pl.from_pandas(frame), pl.from_pandas(frame).lazy(), pa.Table.from_pandas(frame)):
        assert signature(draw(case, native)) == reference, type(native).__name__


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_empty_input_is_a_clear_error(case: Case, engine: str) -> None:
    if case.chart in EMPTY_IS_A_FINDING:
        assert_says_nothing_was_tested(draw(case, ENGINES[engine](case.frame().head(0))))
        return
    with pytest.raises(errors.ValueRangeError, match=rf"{case.chart} input is empty"):
        draw(case, ENGINES[engine](case.frame().head(0)))


#: Charts of results that are empty when nothing could be tested (``cx.gaps`` then warns why):
#: an empty input is drawn as that finding, not refused.
EMPTY_IS_A_FINDING = {"gap_chart"}


def assert_says_nothing_was_tested(ax: Any) -> None:
    assert ax.texts and "enough customers" in ax.texts[0].get_text()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pyarrow_and_lazy_inputs_fail_like_eager_ones(case: Case) -> None:
    frame = case.frame()
    texts = frame.assign(**{case.numeric[0]: [str(v) for v in frame[case.numeric[0]]]})
    for convert in (pa.Table.from_pandas, lambda f: pl.from_pandas(f).lazy()):
        if case.chart in EMPTY_IS_A_FINDING:
            assert_says_nothing_was_tested(draw(case, convert(frame.head(0))))
        else:
            with pytest.raises(errors.ValueRangeError, match=rf"{case.chart} input is empty"):
                draw(case, convert(frame.head(0)))
        with pytest.raises(errors.ColumnNotFoundError, match=repr(case.required[0])):
            draw(case, convert(frame.drop(columns=[case.required[0]])))
        with pytest.raises(errors.ColumnTypeError, match=rf"{case.numeric[0]!r} must be numeric"):
            draw(case, convert(texts))
        with pytest.raises(errors.ValueRangeError, match="infinite"):
            draw(case, convert(with_column(frame, case.numeric[0], np.inf)))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_missing_column_is_named(case: Case, engine: str) -> None:
    for column in case.required:
        with pytest.raises(errors.ColumnNotFoundError, match=repr(column)):
            draw(case, ENGINES[engine](case.frame().drop(columns=[column])))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_text_where_numbers_belong_is_named(case: Case, engine: str) -> None:
    for column in case.numeric:
        frame = case.frame()
        frame[column] = [str(v) for v in frame[column]]  # "5", not 5: never read as a number
        message = rf"{case.chart} input column {column!r} must be numeric"
        with pytest.raises(errors.ColumnTypeError, match=message):
            draw(case, ENGINES[engine](frame))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_infinite_values_are_named(case: Case, engine: str) -> None:
    for column in case.numeric:
        with pytest.raises(errors.ValueRangeError, match=rf"{column!r} has 1 infinite"):
            draw(case, ENGINES[engine](with_column(case.frame(), column, np.inf)))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", [c for c in CASES if c.out_of_range], ids=[c.chart for c in CASES
                                                                             if c.out_of_range])
def test_values_out_of_range_are_named(case: Case, engine: str) -> None:
    for column, bad in case.out_of_range:
        with pytest.raises(errors.ValueRangeError, match=rf"{column!r} must hold"):
            draw(case, ENGINES[engine](with_column(case.frame(), column, bad)))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_missing_values_draw_or_are_named(case: Case, engine: str) -> None:
    """A null in any number column: the chart draws (leaving it out) or says which column."""
    for column in case.numeric:
        frame = with_column(case.frame(), column, np.nan)
        try:
            draw(case, ENGINES[engine](frame))
        except errors.MissingValueError as exc:
            assert repr(column) in str(exc)


@pytest.mark.parametrize("case", [c for c in CASES if c.counts], ids=[c.chart for c in CASES if c.counts])
@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3", None])
def test_counts_are_whole_numbers_from_one(case: Case, bad: Any) -> None:
    for name in case.counts:
        with pytest.raises(errors.ValueRangeError, match=rf"{name} must be a whole number"):
            draw(case, case.frame(), **{name: bad})


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("bad", [None, [1, 2], {"a": [1]}, np.arange(3), "data.csv"])
def test_a_non_frame_is_named(case: Case, bad: Any) -> None:
    with pytest.raises(errors.ColumnTypeError, match=rf"{case.chart} data must be a DataFrame"):
        draw(case, bad)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_ax_and_title_are_checked(case: Case) -> None:
    with pytest.raises(errors.ValueRangeError, match="ax must be a matplotlib Axes"):
        draw(case, case.frame(), ax="left")
    with pytest.raises(errors.ValueRangeError, match="title must be a str"):
        draw(case, case.frame(), title=3)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_row_draws(case: Case) -> None:
    ax = draw(case, case.frame().head(1))
    assert ax.figure is not None


def test_column_arguments_are_checked() -> None:
    keywords = BY_NAME["keyword_bars"].frame()
    with pytest.raises(errors.ColumnTypeError, match="weight must be a column name"):
        cx.plot.keyword_bars(keywords, weight=3)
    with pytest.raises(errors.ColumnNotFoundError, match="weight column 'score' not found"):
        cx.plot.keyword_bars(keywords, weight="score")
    with pytest.raises(errors.ColumnNotFoundError, match="segment column '分层' not found"):
        cx.plot.segment_bars(BY_NAME["segment_bars"].frame(), segment="分层")
    with pytest.raises(errors.ColumnNotFoundError, match="by column 'region' not found"):
        cx.plot.nps_breakdown(BY_NAME["nps_breakdown"].frame(), by="region")
    with pytest.raises(errors.ColumnNotFoundError, match="series column 'device' not found"):
        cx.plot.retention_curve(BY_NAME["retention_curve"].frame(), series="device")


def test_scalar_arguments_are_checked() -> None:
    with pytest.raises(errors.ValueRangeError, match="alpha must be in"):
        cx.plot.nps_trend(BY_NAME["nps_trend"].frame(), alpha=1.5)
    with pytest.raises(errors.ValueRangeError, match="alpha must be a finite number"):
        cx.plot.gap_chart(_gaps(), alpha="0.05")
    with pytest.raises(errors.ValueRangeError, match="min_share must be in"):
        cx.plot.journey_flow(BY_NAME["journey_flow"].frame(), min_share=2)
    with pytest.raises(errors.ValueRangeError, match="reference must be a finite number"):
        cx.plot.nps_breakdown(BY_NAME["nps_breakdown"].frame(), reference="20")
    with pytest.raises(errors.ValueRangeError, match="thresholds"):
        cx.plot.sentiment_distribution(BY_NAME["sentiment_distribution"].frame(), thresholds=(0.7, 0.3))
    with pytest.raises(errors.ValueRangeError, match="thresholds"):
        cx.plot.sentiment_distribution(BY_NAME["sentiment_distribution"].frame(), thresholds=0.5)
    with pytest.raises(errors.ValueRangeError, match="annotate must be True or False"):
        cx.plot.cohort_heatmap(BY_NAME["cohort_heatmap"].frame(), annotate="yes")
    with pytest.raises(errors.OptionError, match="kind"):
        cx.plot.tracking_plot(BY_NAME["tracking_plot"].frame(), kind="weekly")
    with pytest.raises(errors.OptionError, match="value"):
        cx.plot.probability_alive_matrix(BY_NAME["probability_alive_matrix"].frame(), value="clv")
    with pytest.raises(errors.ValueRangeError, match="topics"):
        cx.plot.topic_trend(BY_NAME["topic_trend"].frame(), time="month", topics=["价格"])
    with pytest.raises(errors.ValueRangeError, match="order must be a list"):
        cx.plot.journey_flow(BY_NAME["journey_flow"].frame(), order="首页")


@pytest.mark.parametrize("chart", ["gap_chart", "nps_trend", "nps_breakdown", "retention_curve",
                                   "survival_curve", "topic_trend"])
def test_interval_bounds_out_of_order_are_named(chart: str) -> None:
    case = BY_NAME[chart]
    frame = case.frame()
    frame.loc[frame.index[-1], "ci_low"] = frame["ci_high"].iloc[-1] + 0.01
    message = rf"{chart} input column 'ci_low' must not exceed 'ci_high'"
    with pytest.raises(errors.ValueRangeError, match=message):
        draw(case, frame)


def test_an_interval_need_not_hold_its_estimate() -> None:
    """A bootstrap interval can miss the point estimate: the bar is drawn from low to high."""
    frame = BY_NAME["nps_breakdown"].frame().assign(nps=[45.0, 10.0])  # 45 above (20, 40)
    ax = draw(BY_NAME["nps_breakdown"], frame)
    segments = ax.collections[0].get_segments()
    assert sorted((round(s[0][0]), round(s[1][0])) for s in segments) == [(0, 20), (20, 40)]


def test_boolean_columns_are_not_read_from_text() -> None:
    gaps = _gaps().assign(small_sample=["False", "True"])  # "False" is truthy: refuse it
    with pytest.raises(errors.ColumnTypeError, match="'small_sample' must be boolean"):
        cx.plot.gap_chart(gaps)
    topics = BY_NAME["topic_map"].frame().assign(significant=[1, 0, 1])
    with pytest.raises(errors.ColumnTypeError, match="'significant' must be boolean"):
        cx.plot.topic_map(topics)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_rfm_score_zero_does_not_wrap_into_the_top_row(engine: str) -> None:
    scored = pd.DataFrame({"r_score": [0, 1, 5], "f_score": [1, 2, 5], "monetary": [1.0, 2.0, 3.0]})
    message = r"rfm_heatmap input column 'r_score' must hold values in \[1, 20\]; 1 do not: \[0\]"
    with pytest.raises(errors.ValueRangeError, match=message):
        cx.plot.rfm_heatmap(ENGINES[engine](scored))
    with pytest.raises(errors.MissingValueError, match="'f_score' has 1 missing"):
        cx.plot.rfm_heatmap(ENGINES[engine](scored.assign(r_score=[1, 2, 5], f_score=[1.0, np.nan, 5.0])))


def test_rfm_grid_counts_by_hand() -> None:
    scored = pd.DataFrame({"r_score": [1, 1, 2, 3], "f_score": [1, 1, 3, 2],
                           "monetary": [2.0, 4.0, 9.0, np.nan]})
    count = draw(BY_NAME["rfm_heatmap"], scored, value="count").images[0].get_array()
    expected = np.zeros((3, 3))
    for r, f in [(1, 1), (1, 1), (2, 3), (3, 2)]:
        expected[r - 1, f - 1] += 1
    np.testing.assert_array_equal(np.asarray(count), expected)
    mean = np.asarray(draw(BY_NAME["rfm_heatmap"], scored).images[0].get_array())
    assert mean[0, 0] == 3.0 and mean[1, 2] == 9.0 and np.isnan(mean[2, 1])  # the NaN is left out


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("clv", [[42.0], [7.0, 7.0, 7.0], [1e-12], [0.0, 5.0]])
def test_clv_histogram_of_one_customer_or_one_value(engine: str, clv: list[float]) -> None:
    ax = draw(BY_NAME["clv_distribution"], ENGINES[engine](pd.DataFrame({"clv": clv})), bins=40)
    low, high = ax.get_xlim()
    assert 0 < low < max(clv) <= high
    assert sum(p.get_height() for p in ax.patches) == sum(v > 0 for v in clv)


def test_nothing_to_draw_is_said_not_left_blank() -> None:
    def said(ax: Any) -> str:
        return " ".join(t.get_text() for t in ax.texts)

    assert "no customer with a positive clv" in said(
        cx.plot.clv_distribution(pd.DataFrame({"clv": [0.0, -1.0]})))
    assert "no moves" in said(cx.plot.journey_flow(BY_NAME["journey_flow"].frame().assign(moves=0)))
    assert "no scored texts" in said(cx.plot.sentiment_distribution(pd.DataFrame({"score": [np.nan]})))
    assert "enough customers" in said(cx.plot.gap_chart(_gaps().assign(small_sample=True)))
    assert "no keyword has a weight" in said(
        cx.plot.keyword_bars(pd.DataFrame({"keyword": ["快递"], "weight": [np.nan]})))
    assert "no aspect" in said(
        cx.plot.aspect_chart(BY_NAME["aspect_chart"].frame().assign(positive=0, negative=0)))


def test_nullable_and_pyarrow_backed_dtypes() -> None:
    frame = pd.DataFrame({"keyword": pd.array(["快递", None, "破损"], dtype="string[pyarrow]"),
                          "weight": pd.array([5, pd.NA, 1], dtype="Int64")})
    ax = cx.plot.keyword_bars(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["破损", "快递"]  # the NA weight is left out
    scored = pd.DataFrame({"r_score": pd.array([1, 2], dtype="Int64"),
                           "f_score": pd.array([2, 1], dtype="int8"),
                           "monetary": pd.array([1.5, 2.5], dtype="float32")})
    assert draw(BY_NAME["rfm_heatmap"], scored).images
    flags = _gaps().assign(small_sample=pd.array([False, pd.NA], dtype="boolean"))
    assert len(draw(BY_NAME["gap_chart"], flags).patches) == 2  # NA: not flagged small


# -- hypothesis: frames of edge values never give a raw exception

EDGE_NUMBERS = st.sampled_from([0.0, 0.5, 1.0, 3.0, -1.0, 1e12, np.nan, np.inf, -np.inf, 2.5])
EDGE_LABELS = st.sampled_from(
    ["首页", "", "支付成功后七天内申请退款并要求上门取件的客户", "total", "0", None])


@st.composite
def edge_frames(draw_: Any, case: Case) -> pd.DataFrame:
    template = case.frame()
    rows = draw_(st.integers(0, 4))
    data: dict[str, list[Any]] = {}
    for column in template.columns:
        if column in case.numeric:
            data[column] = draw_(st.lists(EDGE_NUMBERS, min_size=rows, max_size=rows))
        elif template[column].dtype == bool:
            data[column] = draw_(st.lists(st.booleans(), min_size=rows, max_size=rows))
        elif pd.api.types.is_datetime64_any_dtype(template[column]):
            data[column] = list(pd.date_range("2025-01-01", periods=rows, freq="MS"))
        else:
            data[column] = draw_(st.lists(EDGE_LABELS, min_size=rows, max_size=rows))
    frame = pd.DataFrame(data, columns=list(template.columns))
    for column in template.columns:
        if column in case.numeric:
            frame[column] = frame[column].astype(float)
        elif template[column].dtype == bool:
            frame[column] = frame[column].astype(bool)
    return frame


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_edge_frames_draw_or_raise_a_cxmetrics_error(case: Case) -> None:
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(frame=edge_frames(case), engine=st.sampled_from(list(ENGINES)))
    def check(frame: pd.DataFrame, engine: str) -> None:
        before = frame.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy or matplotlib complaining is a bug here too
            warnings.simplefilter("ignore", errors.FontWarning)
            try:
                draw(case, ENGINES[engine](frame))
            except errors.CXMetricsError as exc:
                assert str(exc)
        pd.testing.assert_frame_equal(frame, before)

    check()


def test_wordcloud_inputs() -> None:
    pytest.importorskip("wordcloud")
    keywords = BY_NAME["keyword_bars"].frame()
    with pytest.raises(errors.ValueRangeError, match="wordcloud input is empty"):
        cx.plot.wordcloud(pl.from_pandas(keywords.head(0)))
    with pytest.raises(errors.ColumnTypeError, match="wordcloud input column 'weight' must be numeric"):
        cx.plot.wordcloud(keywords.assign(weight=["5", "3", "1"]))
    with pytest.raises(errors.ValueRangeError, match="max_words must be a whole number"):
        cx.plot.wordcloud(keywords, max_words=0)
    with pytest.raises(errors.ValueRangeError, match="seed must be a non-negative int"):
        cx.plot.wordcloud(keywords, seed=-1)
    with pytest.raises(errors.ValueRangeError, match="positive weights"):
        cx.plot.wordcloud(keywords.assign(weight=0.0))


# -- fonts: the bundled subset covers GB 2312; rarer characters are named, not silently boxed


def test_characters_outside_every_font_are_named_in_a_font_warning() -> None:
    from cxmetrics.plot import _style

    keywords = pd.DataFrame({"keyword": ["快递", "王堃", "陶喆"], "weight": [3.0, 2.0, 1.0]})
    fonts = cx.plot.font_families()
    expected = [c for c in "堃喆" if _style.missing_glyphs([c], fonts)]
    if not expected:
        pytest.skip("a system CJK font with these characters is installed")
    with pytest.warns(errors.FontWarning, match="will draw as boxes: ") as caught:
        ax = cx.plot.keyword_bars(keywords)
    assert sorted(str(caught[0].message).split("boxes: ")[1].split(".")[0]) == sorted(expected)
    assert caught[0].filename == __file__  # points at the caller's line
    plt.close(ax.figure)


def test_common_chinese_draws_without_a_font_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmetrics.plot import _style

    monkeypatch.setattr(_style, "system_cjk_font", lambda: None)  # a machine with no CJK font
    gb2312 = [bytes([a, b]).decode("gb2312") for a in range(0xB0, 0xF8, 7) for b in range(0xA1, 0xFF, 11)
              if not (a == 0xD7 and b > 0xF9)]
    keywords = pd.DataFrame({"keyword": ["".join(gb2312[i:i + 6]) for i in range(0, len(gb2312), 6)]})
    keywords["weight"] = np.arange(len(keywords), 0, -1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a FontWarning nor matplotlib's missing-glyph warning
        ax = cx.plot.keyword_bars(keywords, n=len(keywords), title="繁體：臺灣與們這個來時說會")
        ax.figure.savefig(__import__("io").BytesIO(), format="png", dpi=40)
    assert ax.title.get_fontfamily() == ["DejaVu Sans", "cxmetrics CJK Sans"]
    plt.close(ax.figure)


def test_style_figure_checks_its_arguments() -> None:
    with pytest.raises(errors.ValueRangeError, match="figure must be a matplotlib Figure"):
        cx.plot.style_figure("figure")
    from matplotlib.figure import Figure

    with pytest.raises(errors.ValueRangeError, match="fonts must be a non-empty list"):
        cx.plot.style_figure(Figure(), fonts="SimHei")


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_missing_group_key_is_a_group_of_its_own(engine: str) -> None:
    per_group = BY_NAME["nps_breakdown"].frame().assign(渠道=["门店", None])
    ax = draw(BY_NAME["nps_breakdown"], ENGINES[engine](per_group))
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["(missing)", "门店"]
    funnel = pd.DataFrame({"step": ["首页", "支付"] * 2, "entered": [10, 4, 8, 2],
                           "conversion_rate": [1.0, 0.4, 1.0, 0.25], "drop_off": [6.0, np.nan, 6.0, np.nan],
                           "device": ["app", "app", None, None]})
    ax = cx.plot.funnel(ENGINES[engine](funnel))
    assert sorted(a.get_title() for a in ax.figure.axes) == ["(missing)", "app"]
    plt.close(ax.figure)


def test_odd_frames_are_named() -> None:
    twice = pd.DataFrame([[1.0, 2.0]], columns=["weight", "weight"]).assign(keyword="快递")
    with pytest.raises(errors.ColumnClashError, match="keyword_bars data has more than one column called"):
        cx.plot.keyword_bars(twice)
    flags = pd.DataFrame({"keyword": ["快递", "包装"], "weight": [True, False]})
    with pytest.raises(errors.ColumnTypeError, match="'weight' must be numeric, got Boolean"):
        cx.plot.keyword_bars(flags)  # a boolean is not a weight
    with pytest.raises(errors.ColumnTypeError, match="keyword_bars data must be a DataFrame"):
        cx.plot.keyword_bars(pd.Series([1.0]))
    categories = pd.DataFrame({"ltr": pd.Categorical([1, 2]), "share": [0.5, 0.5]})
    with pytest.raises(errors.ColumnTypeError, match="'ltr' must be numeric, got Categorical"):
        cx.plot.nps_distribution(categories)
    labels = pd.DataFrame({"keyword": pd.Categorical(["快递", "包装"]), "weight": [1.0, 2.0]})
    assert [t.get_text() for t in draw(BY_NAME["keyword_bars"], labels).get_yticklabels()] == ["快递", "包装"]


def test_a_chart_of_thousands_of_rows_stays_drawable() -> None:
    """Past 40 inches the figure stops growing and the labels get smaller (a PNG stays within
    Agg's 65,536-pixel limit)."""
    keywords = pd.DataFrame({"keyword": [f"关键词{i}" for i in range(3000)], "weight": np.arange(3000.0)})
    ax = draw(BY_NAME["keyword_bars"], keywords, n=3000)
    assert ax.figure.get_size_inches()[1] == 40.0 and ax.get_yticklabels()[0].get_fontsize() == 3.0
    ax = draw(BY_NAME["keyword_bars"], keywords, n=20)
    assert ax.get_yticklabels()[0].get_fontsize() == 9.0
