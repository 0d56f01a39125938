"""The backend matrix: every listed function gives the pandas answer on every backend.

Eager backends (pandas, polars, pyarrow) and lazy ones (polars LazyFrame, DuckDB, Dask, and
Spark in local mode) run the same calls on the same data; results are compared with pandas'
to 1e-9 relative. Lazy inputs must give eager summaries and lazy per-row results (the rule in
docs/guide/scaling.md). Spark tests carry the ``spark`` mark: CI runs them in their own step.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics import _time
from tests.backends import ALL, LAZY, as_pandas, convert
from tests.journeys import simulate_journeys


def _param(backend: str) -> Any:
    return pytest.param(backend, marks=pytest.mark.spark) if backend == "pyspark" else backend


BACKENDS = [_param(b) for b in ALL]
OTHER_BACKENDS = [_param(b) for b in ALL if b != "pandas"]


def assert_same(result: Any, expected: Any, sort_by: list[str] | None = None) -> None:
    """Equal columns and values (floats to 1e-9 relative), rows matched by ``sort_by``."""
    got, want = as_pandas(result), as_pandas(expected)
    assert list(got.columns) == list(want.columns)
    if sort_by:
        got = got.sort_values(sort_by).reset_index(drop=True)
        want = want.sort_values(sort_by).reset_index(drop=True)
    assert len(got) == len(want)
    for column in want.columns:
        a, b = got[column], want[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-9,
                                       atol=1e-12, err_msg=column)
        elif pd.api.types.is_datetime64_any_dtype(b):
            assert (pd.to_datetime(a).to_numpy() == pd.to_datetime(b).to_numpy()).all(), column
        else:
            assert [None if pd.isna(v) else v for v in a] == [None if pd.isna(v) else v for v in b], column


def check_kind(result: Any, backend: str, *, per_row: bool) -> None:
    """Summaries come back eager; per-row results stay lazy for a lazy input."""
    is_lazy = isinstance(nw.from_native(result), nw.LazyFrame)
    assert is_lazy == (per_row and backend in LAZY), (backend, type(result))


# ---------------------------------------------------------------------------------- data


def survey() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 900
    return pd.DataFrame({
        "ltr": rng.integers(0, 11, n),
        "sat": rng.integers(1, 6, n),
        "effort": rng.integers(1, 8, n),
        "region": rng.choice(["north", "south", "east"], n),
        "weight": rng.uniform(0.5, 2.0, n),
        "when": pd.Timestamp("2023-11-20") + pd.to_timedelta(rng.integers(0, 400 * 24, n), unit="h"),
        "respondent": np.arange(n) % 300,
        "wave": np.arange(n) // 300,
    })


def transactions() -> pd.DataFrame:
    return cx.datasets.load_transactions(customers=400, seed=5)


def events() -> pd.DataFrame:
    log = simulate_journeys(400, seed=4)
    # a distinct time per event of a customer, so every engine orders the log alike
    return log.assign(time=log["time"] + pd.to_timedelta(np.arange(len(log)) % 7, unit="ms"))


SURVEY_CALLS: dict[str, Callable[[Any], Any]] = {
    "nps": lambda d: cx.nps(d, score="ltr", by="region"),
    "nps_weighted": lambda d: cx.nps(d, score="ltr", weights="weight"),
    "csat": lambda d: cx.csat(d, score="sat", by="region"),
    "ces": lambda d: cx.ces(d, score="effort", by=["region"]),
    "compare_nps": lambda d: cx.compare_nps(d, score="ltr", by="region"),
    "compare_nps_paired": lambda d: cx.compare_nps(d, score="ltr", by="wave", paired=True,
                                                   subject="respondent"),
    "compare_csat": lambda d: cx.compare_csat(d, score="sat", by="region"),
    "nps_trend_month": lambda d: cx.nps_trend(d, score="ltr", time="when", by="region"),
    "nps_trend_week": lambda d: cx.nps_trend(d, score="ltr", time="when", freq="W", rolling=3),
    "nps_trend_quarter": lambda d: cx.nps_trend(d, score="ltr", time="when", freq="Q"),
    "score_distribution": lambda d: cx.score_distribution(d, score="ltr", by="region"),
    "csat_trend": lambda d: cx.csat_trend(d, score="sat", time="when", by="region"),
    "key_drivers": lambda d: cx.key_drivers(d, outcome="ltr", drivers=["sat", "effort"], by="region"),
    "importance_performance": lambda d: cx.importance_performance(d, outcome="ltr",
                                                                  drivers=["sat", "effort", "weight"]),
}

JOURNEY = {"customer": "customer", "time": "time", "stage": "stage"}
STEPS = ["home", "search", "product", "cart", "checkout", "purchase"]
JOURNEY_CALLS: dict[str, Callable[[Any], Any]] = {
    "funnel_ordered": lambda d: cx.funnel(d, **JOURNEY, steps=STEPS[2:], by="department"),
    "funnel_strict_open": lambda d: cx.funnel(d, **JOURNEY, steps=STEPS[:4], order="strict", mode="open"),
    "funnel_any_window": lambda d: cx.funnel(d, **JOURNEY, steps=STEPS[3:], order="any", window="2h"),
    "transitions": lambda d: cx.transitions(d, **JOURNEY, by="device", exits=True),
    "journey_kpis": lambda d: cx.journey_kpis(d, **JOURNEY, conversion_stage="purchase",
                                              checkout_stage="checkout", by="channel"),
    "gaps": lambda d: cx.gaps(d, **JOURNEY, switch=["device", "channel"]),
    "compare_funnels": lambda d: cx.compare_funnels(d, **JOURNEY, steps=STEPS[2:], by="device"),
    "paths": lambda d: cx.paths(d, **JOURNEY, conversion_stage="purchase", n=50),
    "time_between": lambda d: cx.time_between(d, **JOURNEY, from_stage="home", to_stage="purchase",
                                              by="channel"),
    "attribution": lambda d: cx.attribution(d, **JOURNEY, conversion_stage="purchase",
                                            touchpoint="channel"),
}


# ------------------------------------------------------------------------ the frame layer


@pytest.mark.parametrize("backend", BACKENDS)
def test_wall_clock_microseconds_are_exact(backend: str) -> None:
    rng = np.random.default_rng(0)
    micro = rng.integers(-2_000_000_000_000_000, 4_000_000_000_000_000, 500)  # 1906 .. 2096
    frame = nw.from_native(convert(pd.DataFrame({"t": pd.to_datetime(micro, unit="us")}), backend))
    out = frame.select(nw.col("t"), _time.microseconds(nw.col("t"), frame).alias("us"))
    got = as_pandas(out.to_native()).sort_values("us")["us"].to_numpy()
    np.testing.assert_array_equal(got, np.sort(micro))


# ------------------------------------------------------------------------------- surveys


SUMMARY_CALLS = {**{name: (survey, call) for name, call in SURVEY_CALLS.items()},
                 **{name: (events, call) for name, call in JOURNEY_CALLS.items()}}


@pytest.mark.parametrize("name", SUMMARY_CALLS)
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_survey_and_journey_summaries_match_pandas(backend: str, name: str) -> None:
    make_data, call = SUMMARY_CALLS[name]
    data = make_data()
    result = call(convert(data, backend))
    check_kind(result, backend, per_row=False)
    assert_same(result, call(data))


# ----------------------------------------------------------------------------------- RFM


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_rfm_pipeline_matches_pandas(backend: str) -> None:
    data = transactions()

    def pipeline(frame: Any) -> tuple[Any, Any, Any]:
        table = cx.rfm_table(frame, customer="customer", time="date", amount="amount")
        scores = cx.rfm_score(table, bins=5)
        return table, scores, cx.rfm_segment(scores)

    expected = pipeline(data)
    got_all = pipeline(convert(data, backend))
    for got, want in zip(got_all, expected, strict=True):
        check_kind(got, backend, per_row=True)
        assert_same(got, want, sort_by=["customer"])
    profile = cx.segment_profile(got_all[2])
    check_kind(profile, backend, per_row=False)
    assert_same(profile, cx.segment_profile(expected[2]))


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_rfm_fixed_thresholds_and_cut_points_match_pandas(backend: str) -> None:
    table = cx.rfm_table(transactions(), customer="customer", time="date", amount="amount")
    edges = {"recency": [30, 90], "frequency": [2, 5], "monetary": [50.0, 150.0]}
    fixed = cx.rfm_score(convert(table, backend), bins=3, method="fixed", thresholds=edges)
    assert_same(fixed, cx.rfm_score(table, bins=3, method="fixed", thresholds=edges), sort_by=["customer"])
    scored = cx.rfm_score(convert(table, backend), bins=4)
    assert_same(cx.rfm_thresholds(scored, bins=4), cx.rfm_thresholds(cx.rfm_score(table, bins=4), bins=4))


# ----------------------------------------------------------------------------------- CLV


def _summary(frame: Any, **options: Any) -> Any:
    return cx.summary_from_transactions(frame, customer="customer", time="date", amount="amount", **options)


@pytest.mark.filterwarnings("ignore::cxmetrics.errors.ExcludedDataWarning")
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_clv_summary_fit_and_predictions_match_pandas(backend: str) -> None:
    data = transactions()
    summary = _summary(data)
    lazy_summary = _summary(convert(data, backend))
    check_kind(lazy_summary, backend, per_row=True)
    assert_same(lazy_summary, summary, sort_by=["customer"])

    bg, bg_engine = cx.BetaGeo().fit(summary), cx.BetaGeo().fit(lazy_summary)
    assert_same(bg_engine.params_, bg.params_)
    assert bg_engine.n_customers_ == bg.n_customers_ == len(summary)
    gg, gg_engine = (cx.GammaGamma().fit(s) for s in (summary, lazy_summary))
    assert_same(gg_engine.params_, gg.params_)

    clv = {"transaction_model": bg, "spend_model": gg, "horizon": 6, "discount_rate": 0.01}
    expected = summary.assign(
        probability_alive=bg.probability_alive(summary)["probability_alive"],
        expected_purchases=bg.expected_purchases(summary, t=10.0)["expected_purchases"],
        expected_spend=gg.expected_spend(summary)["expected_spend"],
        clv=cx.customer_lifetime_value(summary, **clv)["clv"])
    predictions = {
        "probability_alive": bg.probability_alive(lazy_summary),
        "expected_purchases": bg.expected_purchases(lazy_summary, t=10.0),
        "expected_spend": gg.expected_spend(lazy_summary),
        "clv": cx.customer_lifetime_value(lazy_summary, **clv),
    }
    for column, result in predictions.items():
        # the caller's frame with the prediction appended, in its library; lazy stays lazy
        check_kind(result, backend, per_row=True)
        assert_same(result, expected[[*summary.columns, column]], sort_by=["customer"])


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_clv_calibration_split_and_report_match_pandas(backend: str) -> None:
    data = transactions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.errors.ExcludedDataWarning)
        split = _summary(data, calibration_end="2024-12-31")
        lazy_split = _summary(convert(data, backend), calibration_end="2024-12-31")
    assert_same(lazy_split, split, sort_by=["customer"])
    model = cx.BetaGeo().fit(split)
    assert_same(cx.calibration_report(lazy_split, model=model), cx.calibration_report(split, model=model))


# CLV
@pytest.mark.filterwarnings("ignore::cxmetrics.errors.CXMetricsWarning")
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_clv_checks_and_grid_match_pandas(backend: str) -> None:
    data = transactions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.errors.ExcludedDataWarning)
        split = _summary(data, calibration_end="2024-12-31")
        lazy_split = _summary(convert(data, backend), calibration_end="2024-12-31")
    model = cx.BetaGeo().fit(split)
    grid = cx.frequency_recency_matrix(split, model=model, t=10.0, recency_step=5.0)
    assert_same(cx.frequency_recency_matrix(lazy_split, model=model, t=10.0, recency_step=5.0), grid)
    check_kind(cx.frequency_recency_matrix(lazy_split, model=model, t=10.0, recency_step=5.0), backend,
               per_row=False)
    assert_same(cx.compare_models(lazy_split, models=[model]), cx.compare_models(split, models=[model]))
    assert_same(cx.repeat_purchase_histogram(lazy_split, model=model),
                cx.repeat_purchase_histogram(split, model=model))
    track = {"model": model, "customer": "customer", "time": "date", "calibration_end": "2024-12-31"}
    assert_same(cx.tracking(convert(data, backend), **track), cx.tracking(data, **track))


# ------------------------------------------------------------------ event-log validation


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_validate_events_matches_pandas(backend: str) -> None:
    raw = events().assign(customer=lambda d: d["customer"].where(d.index % 50 != 0))
    expected, expected_report = cx.validate_events(raw, **JOURNEY, session_gap="30min")
    got, report = cx.validate_events(convert(raw, backend), **JOURNEY, session_gap="30min")
    assert report == expected_report
    assert_same(got, expected, sort_by=["customer", "time", "stage"])


# ----------------------------------------------------------------------------- text mining

TEXT_CALLS: dict[str, Callable[[Any], Any]] = {
    "keywords": lambda d: cx.text.keywords(d, text="comment", by="store", n=3),
    "word_freq": lambda d: cx.text.word_freq(d, text="comment", n=5),
    "ngrams": lambda d: cx.text.ngrams(d, text="comment", n=5),
    "sentiment_summary": lambda d: cx.text.sentiment_summary(d, text="comment", by="store"),
    "aspect_sentiment": lambda d: cx.text.aspect_sentiment(d, text="comment").summary,
    "flag_negative": lambda d: cx.text.flag_negative(d, text="comment"),
}


def comments() -> pd.DataFrame:
    texts = ["物流很快，包装很好", "客服态度太差了", "味道不错，价格便宜", "送餐太慢了，饭都凉了",
             "东西很好用", None, "一般般吧", "质量差，再也不买了"]
    return pd.DataFrame({"id": range(24), "store": ["a", "b", None] * 8, "comment": texts * 3})


# ----------------------------------------------------------------------------- sentiment


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_sentiment_scores_lazy_frames_in_their_engine(backend: str) -> None:
    comments = pd.DataFrame({
        "id": range(8),
        "comment": ["很好用，物流也快", "太差了，再也不买", None, "   ", "不难吃", "東西很好用", "一般般",
                    "😀"],
    })
    result = cx.text.sentiment(convert(comments, backend), text="comment", prefix="s_")
    check_kind(result, backend, per_row=True)
    assert_same(result, cx.text.sentiment(comments, text="comment", prefix="s_"), sort_by=["id"])


@pytest.mark.parametrize("backend", ["dask", _param("pyspark")])
def test_sentiment_batches_is_the_documented_batch_path(backend: str) -> None:
    comments = pd.DataFrame({"id": range(40), "comment": ["包装很好", "送餐太慢了"] * 20})
    expected = cx.text.sentiment(comments, text="comment")
    native = convert(comments, backend)
    if backend == "dask":
        scored = native.map_partitions(lambda part: next(cx.text.sentiment_batches([part], text="comment")))
    else:
        from pyspark.sql.types import DoubleType, StringType, StructField, StructType

        schema = StructType([*native.schema.fields, StructField("score", DoubleType()),
                             StructField("label", StringType()), StructField("reason", StringType())])
        scored = native.mapInPandas(lambda parts: cx.text.sentiment_batches(parts, text="comment"),
                                    schema=schema)
    assert_same(scored, expected, sort_by=["id"])


def test_sentiment_on_a_lazy_frame_needs_the_text_column() -> None:
    lazy = convert(pd.DataFrame({"comment": ["好"]}), "polars_lazy")
    with pytest.raises(cx.errors.ColumnTypeError, match="text="):
        cx.text.sentiment(lazy)
    with pytest.raises(cx.errors.ColumnNotFoundError, match="'body'"):
        cx.text.sentiment(lazy, text="body")


# ----------------------------------------------------------------- bad input, lazily too


@pytest.mark.parametrize("backend", [b for b in LAZY if b != "pyspark"])
def test_bad_input_on_lazy_frames_names_column_and_values(backend: str) -> None:
    bad = survey().assign(ltr=lambda d: d["ltr"].where(d.index % 100 != 0, 12))
    with pytest.raises(cx.errors.ValueRangeError, match=r"'ltr' has 9 values outside 0..10: \[12"):
        cx.nps(convert(bad, backend), score="ltr")
    with pytest.raises(cx.errors.ColumnNotFoundError, match="'regoin'"):
        cx.nps(convert(survey(), backend), score="ltr", by="regoin")
    scores = pd.DataFrame({"r_score": [1, 7], "f_score": [1, 2], "m_score": [1, 2]})
    with pytest.raises(cx.errors.ValueRangeError, match=r"'r_score' must hold whole scores 1..5; 1 rows"):
        cx.rfm_segment(convert(scores, backend))


def test_lazy_inputs_are_not_modified() -> None:
    data = transactions()
    lazy = convert(data, "polars_lazy")
    before = lazy.collect()
    cx.rfm_segment(cx.rfm_score(cx.rfm_table(lazy, customer="customer", time="date", amount="amount")))
    assert lazy.collect().equals(before)


@pytest.mark.parametrize("backend", [b for b in LAZY if b != "pyspark"])
def test_bad_summaries_on_lazy_frames_are_reported_like_eager_ones(backend: str) -> None:
    gg = cx.GammaGamma.from_parameters(p=6.25, q=3.74, gamma=15.44)
    bad = pd.DataFrame({"frequency": [0, 2, -1, 3], "monetary": [0.0, 25.0, 10.0, np.nan]})
    message = r"monetary finite; 2 customers are not"
    with pytest.raises(cx.errors.ValueRangeError, match=message):
        gg.expected_spend(bad)
    with pytest.raises(cx.errors.ValueRangeError, match=message):
        gg.expected_spend(convert(bad, backend))
    bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    late = pd.DataFrame({"frequency": [1, 2], "recency": [5.0, 40.0], "T": [30.0, 30.0]})
    with pytest.raises(cx.errors.ValueRangeError, match=r"'recency' must be between 0 and T; 1 customers"):
        bg.probability_alive(convert(late, backend))


# ----------------------------------------------------------------------------- retention


def retention_log() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 1500
    customer = rng.integers(0, 250, n)
    days = rng.integers(0, 120, n) + (customer % 40)
    return pd.DataFrame({
        "customer": customer,
        "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(days * 24 + rng.integers(0, 24, n), unit="h"),
        "stage": rng.choice(["visit", "buy"], n),
        "plan": np.where(customer % 3 == 0, "pro", "free"),
        "signup": pd.Timestamp("2023-12-20") + pd.to_timedelta(customer % 40, unit="D"),
    })


RETENTION = {"customer": "customer", "time": "time"}
RETENTION_CALLS: dict[str, Callable[[Any], Any]] = {
    "cohort_retention": lambda d: cx.cohort_retention(d, **RETENTION, by="plan"),
    "cohort_retention_unbounded_month": lambda d: cx.cohort_retention(
        d, **RETENTION, freq="M", kind="unbounded", periods=3, stage="stage", active="buy"),
    "cohort_retention_bracket": lambda d: cx.cohort_retention(
        d, **RETENTION, kind="bracket", brackets=[(1, 2), (3, 6)]),
    "cohort_retention_signup": lambda d: cx.cohort_retention(d, **RETENTION, cohort="signup",
                                                             freq="M", periods=4),
    "compare_retention": lambda d: cx.compare_retention(d, **RETENTION, by="plan", periods=6),
    "lifecycle": lambda d: cx.lifecycle(d, **RETENTION, by="plan"),
    "lifecycle_buyers": lambda d: cx.lifecycle(d, **RETENTION, freq="M", stage="stage", active="buy"),
    "stickiness": lambda d: cx.stickiness(d, **RETENTION, short="D", long="W"),
}


@pytest.mark.parametrize("name", RETENTION_CALLS)
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_retention_summaries_match_pandas(backend: str, name: str) -> None:
    log = retention_log()
    expected = RETENTION_CALLS[name](log)
    result = RETENTION_CALLS[name](convert(log, backend))
    check_kind(result, backend, per_row=False)
    assert_same(result, expected)


# ------------------------------------------------------------------------------- weights


def weighting_sample() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 400
    return pd.DataFrame({
        "id": np.arange(n), "region": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2]),
        "channel": rng.choice(["app", "web"], n), "age": rng.normal(40, 12, n).round(1),
        "design": rng.uniform(0.5, 2.0, n).round(3),
    })


WEIGHT_MARGINS = {"region": {"north": 0.4, "south": 0.35, "east": 0.25},
                  "channel": {"app": 0.55, "web": 0.45}}
WEIGHT_CELLS = {(r, c): s * t for r, s in WEIGHT_MARGINS["region"].items()
                for c, t in WEIGHT_MARGINS["channel"].items()}
WEIGHT_CALLS: dict[str, Callable[[Any], Any]] = {
    "rake": lambda d: cx.rake(d, margins=WEIGHT_MARGINS),
    "rake_base_trim": lambda d: cx.rake(d, margins=WEIGHT_MARGINS, base_weight="design", trim=(0.3, 3.0),
                                        max_iter=500),
    "poststratify": lambda d: cx.poststratify(d, cells=["region", "channel"], population=WEIGHT_CELLS),
    "poststratify_base": lambda d: cx.poststratify(d, cells="region", population=WEIGHT_MARGINS["region"],
                                                   base_weight="design"),
    "calibrate": lambda d: cx.calibrate(d, totals={"age": 41.0 * 400}, population_size=400),
    "calibrate_raking": lambda d: cx.calibrate(d, totals={"age": 41.0 * 400}, method="raking",
                                               population_size=400, base_weight="design"),
    "calibrate_logit": lambda d: cx.calibrate(d, totals={"age": 41.0 * 400}, method="logit",
                                              bounds=(0.5, 2.0), population_size=400),
}


@pytest.mark.parametrize("name", WEIGHT_CALLS)
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_weights_match_pandas(backend: str, name: str) -> None:
    data = weighting_sample()
    expected = WEIGHT_CALLS[name](data)
    result = WEIGHT_CALLS[name](convert(data, backend))
    check_kind(result.data, backend, per_row=True)
    assert_same(result.data, expected.data, sort_by=["id"])
    assert result.report.n == expected.report.n
    np.testing.assert_allclose([result.report.total, result.report.design_effect],
                               [expected.report.total, expected.report.design_effect], rtol=1e-9)
# ------------------------------------------------------------------------------- journey


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_to_records_gives_the_pandas_records(backend: str) -> None:
    frame = pd.DataFrame({
        "customer": [1, 2, 3], "score": [0.5, float("nan"), float("inf")],
        "when": pd.to_datetime(["2024-01-01 00:00", "2024-01-02 10:30", None]), "label": ["a", None, "c"],
    })
    assert cx.to_records(convert(frame, backend)) == cx.to_records(frame)
    summary = cx.funnel(simulate_journeys(40, seed=3), customer="customer", time="time", stage="stage",
                        steps=["home", "product", "purchase"], by="device")
    assert cx.to_records(convert(summary, backend)) == cx.to_records(summary)
# ---------------------------------------------------------------------------------- text
# Every frame-taking function of cxmetrics.text on every engine. Mining reads the text column
# into memory, so a lazy input is collected and its summaries come back eager; the topic model
# is fitted once on pandas and applied to each engine's frame.


def topic_comments() -> pd.DataFrame:
    from tests.topic_corpus import planted_corpus

    data, _ = planted_corpus(240, seed=2)
    return data.assign(store=np.array(["a", "b", "c", None], dtype=object)[np.arange(len(data)) % 4])


@functools.cache
def topic_model() -> Any:
    return cx.text.topics(topic_comments(), text="comment", k=4)


TEXT_ENGINE_CALLS: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[Any], Any]]] = {
    **{name: (comments, call) for name, call in TEXT_CALLS.items()},
    "keywords_log_odds": (comments, lambda d: cx.text.keywords(d, text="comment", by="store",
                                                               method="log_odds", n=4)),
    "aspect_mentions": (comments, lambda d: cx.text.aspect_sentiment(d, text="comment", by="store").mentions),
    "topics": (topic_comments, lambda d: cx.text.topics(d, text="comment", k=4, by="store").summary()),
    "topic_shares": (topic_comments, lambda d: topic_model().shares(d, text="comment", by="store")),
    "topic_impact": (topic_comments, lambda d: cx.text.topic_impact(
        d, score="score", topics=topic_model(), text="comment", by="store", n_boot=20, seed=1)),
}


@pytest.mark.parametrize("name", TEXT_ENGINE_CALLS)
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_text_summaries_match_pandas_on_every_engine(backend: str, name: str) -> None:
    make_data, call = TEXT_ENGINE_CALLS[name]
    data = make_data()
    result = call(convert(data, backend))
    check_kind(result, backend, per_row=False)
    assert_same(result, call(data))
