"""Bad input gets a clear cxmetrics error; the caller's frame is never modified."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics import errors

from .conftest import make_frame


def test_errors_are_value_errors():
    assert issubclass(errors.CXMetricsError, ValueError)
    for cls in (errors.ColumnNotFoundError, errors.ColumnTypeError, errors.ValueRangeError,
                errors.MissingValueError, errors.DesignError):
        assert issubclass(cls, errors.CXMetricsError)


def test_missing_column_names_role_and_column(backend):
    df = make_frame({"ltr": [1, 2]}, backend)
    with pytest.raises(errors.ColumnNotFoundError, match=r"score column 'nps_score' not found.*'ltr'"):
        cx.nps(df, score="nps_score")
    with pytest.raises(errors.ColumnNotFoundError, match=r"by column 'region'"):
        cx.nps(df, score="ltr", by="region")


def test_non_numeric_scores(backend):
    df = make_frame({"ltr": ["9", "10"]}, backend)
    with pytest.raises(errors.ColumnTypeError, match=r"score column 'ltr' must be numeric.*'9'"):
        cx.nps(df, score="ltr")


def test_out_of_range_scores_say_which_and_how_many(backend):
    df = make_frame({"ltr": [11, 12, -1, 5, 11]}, backend)
    with pytest.raises(errors.ValueRangeError,
                       match=r"score column 'ltr' has 4 values outside 0\.\.10: \[-1\.0, 11\.0, 12\.0\]"):
        cx.nps(df, score="ltr")


def test_fractional_scores(backend):
    df = make_frame({"sat": [4.5, 5.0, 3.0]}, backend)
    with pytest.raises(errors.ValueRangeError, match=r"whole numbers.*1 values are fractional: \[4\.5\]"):
        cx.csat(df, score="sat")


@pytest.mark.parametrize(("weights", "error"), [([1.0, -2.0], errors.ValueRangeError),
                                                ([1.0, None], errors.MissingValueError)])
def test_bad_weights(backend, weights, error):
    df = make_frame({"ltr": [9, 10], "w": weights}, backend)
    with pytest.raises(error, match=r"weights column 'w'"):
        cx.nps(df, score="ltr", weights="w")


def test_paired_needs_subject_and_matched_subjects():
    df = pd.DataFrame({"id": [1, 2, 1], "wave": ["a", "a", "b"], "ltr": [9, 3, 10]})
    with pytest.raises(errors.DesignError, match="subject="):
        cx.compare_nps(df, score="ltr", by="wave", paired=True)
    with pytest.raises(errors.DesignError, match=r"1 subjects of wave='a' are missing.*\[2\]"):
        cx.compare_nps(df, score="ltr", by="wave", paired=True, subject="id")
    repeated = pd.DataFrame({"id": [1, 1, 1], "wave": ["a", "a", "b"], "ltr": [9, 3, 10]})
    with pytest.raises(errors.DesignError, match="one response per subject"):
        cx.compare_nps(repeated, score="ltr", by="wave", paired=True, subject="id")


def test_compare_needs_two_groups_and_a_known_reference():
    df = pd.DataFrame({"g": ["a", "a"], "ltr": [9, 3]})
    with pytest.raises(errors.DesignError, match="at least two groups"):
        cx.compare_nps(df, score="ltr", by="g")
    df2 = pd.DataFrame({"g": ["a", "b"], "ltr": [9, 3]})
    with pytest.raises(errors.DesignError, match="reference 'z'"):
        cx.compare_nps(df2, score="ltr", by="g", reference="z")


def test_unknown_options():
    df = pd.DataFrame({"ltr": [9]})
    with pytest.raises(errors.CXMetricsError, match="ci='exact' is not one of"):
        cx.nps(df, score="ltr", ci="exact")
    with pytest.raises(errors.CXMetricsError, match="confidence"):
        cx.nps(df, score="ltr", confidence=95)
    with pytest.raises(errors.CXMetricsError, match="freq="):
        cx.nps_trend(pd.DataFrame({"t": [pd.Timestamp("2025-01-01")], "s": [9]}),
                     score="s", time="t", freq="H")
    with pytest.raises(errors.CXMetricsError, match="top_box="):
        cx.csat(pd.DataFrame({"s": [5]}), score="s", top_box=(4, 6))
    with pytest.raises(errors.CXMetricsError, match="margin"):
        cx.sample_size_nps(0)
    with pytest.raises(errors.CXMetricsError, match="impossible"):
        cx.sample_size_nps(5, expected_nps=80, passives=0.5)


def test_time_column_must_be_datetime_without_gaps():
    # ISO text is parsed, as everywhere else; other text and numbers are refused
    parsed = cx.nps_trend(pd.DataFrame({"t": ["2025-01-01"], "s": [9]}), score="s", time="t")
    assert parsed["n"].tolist() == [1]
    with pytest.raises(errors.ColumnTypeError, match=r"time column 't' could not be parsed"):
        cx.nps_trend(pd.DataFrame({"t": ["soon"], "s": [9]}), score="s", time="t")
    with pytest.raises(errors.ColumnTypeError, match=r"time column 't' must be a date or datetime"):
        cx.nps_trend(pd.DataFrame({"t": [20250101], "s": [9]}), score="s", time="t")
    df = pl.DataFrame({"t": [dt.date(2025, 1, 1), None], "s": [9, 9]})
    with pytest.raises(errors.MissingValueError, match=r"time column 't' has 1 missing"):
        cx.nps_trend(df, score="s", time="t")


def test_not_a_frame():
    with pytest.raises(errors.ColumnTypeError, match="must be a DataFrame"):
        cx.nps([9, 10], score="ltr")


def test_caller_frames_are_not_modified():
    df = pd.DataFrame({"g": ["a", "b", "a", "b"], "s": [9.0, None, 3.0, 10.0],
                       "w": [1.0, 2.0, 1.0, 1.0], "id": [1, 1, 2, 2],
                       "t": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-05", "2025-02-07"])})
    before = df.copy(deep=True)
    cx.nps(df, score="s", by="g", weights="w")
    cx.csat(df.assign(s=df["s"].clip(1, 5)), score="s")
    cx.nps_trend(df, score="s", time="t", rolling=2)
    cx.compare_nps(df, score="s", by="g", paired=True, subject="id")
    cx.score_distribution(df, score="s", by="g")
    pd.testing.assert_frame_equal(df, before)
    pl_df = pl.from_pandas(before)
    pl_before = pl_df.clone()
    cx.nps(pl_df, score="s", by="g")
    assert pl_df.equals(pl_before)


def test_compare_csat_rejects_a_gapped_top_box():
    df = pd.DataFrame({"g": ["a", "b"], "s": [5, 4]})
    with pytest.raises(errors.CXMetricsError, match="consecutive"):
        cx.compare_csat(df, score="s", by="g", top_box=(3, 5))


@pytest.mark.parametrize("scale", [(1, 7), 1, 7.5, True])
def test_scale_must_be_a_whole_number(scale):
    df = pd.DataFrame({"s": [5, 4, 7]})
    with pytest.raises(errors.CXMetricsError, match="scale must be a whole number"):
        cx.ces(df, score="s", scale=scale)
    with pytest.raises(errors.CXMetricsError, match="scale must be a whole number"):
        cx.csat(df, score="s", scale=scale)
