"""The one checking module (cxmetrics._checks) and the duration language (cxmetrics._time)."""

from __future__ import annotations

import datetime as dt

import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import _checks, _frame, _time, errors


def test_new_errors_are_cxmetrics_errors():
    for cls in (errors.OptionError, errors.NotFittedError, errors.ColumnClashError):
        assert issubclass(cls, errors.CXMetricsError)
    assert issubclass(errors.NotFittedError, AttributeError)


@pytest.mark.parametrize("value", [0.95, 0.5, np.float64(0.9), 1e-9])
def test_confidence_accepts_open_unit_interval(value):
    assert _checks.confidence(value) == float(value)


@pytest.mark.parametrize("value", [0, 1, 1.5, -1, 95, "0.95", None, True, float("nan"), [0.9]])
def test_confidence_refuses_everything_else(value):
    with pytest.raises(errors.ValueRangeError, match="confidence"):
        _checks.confidence(value)


@pytest.mark.parametrize("value", [True, 2.0, "3", None, np.float64(3.0)])
def test_whole_refuses_non_integers(value):
    with pytest.raises(errors.ValueRangeError, match="n_boot must be a whole number"):
        _checks.whole(value, "n_boot", low=1)


def test_whole_bounds_and_numpy_ints():
    assert _checks.whole(np.int32(4), "top", low=1) == 4
    with pytest.raises(errors.ValueRangeError, match="from 2 to 9"):
        _checks.whole(10, "bins", low=2, high=9)
    with pytest.raises(errors.ValueRangeError, match="at least 1"):
        _checks.whole(0, "n_boot", low=1)
    assert _checks.whole(None, "rolling", low=1, allow_none=True) is None


def test_number_and_probability():
    assert _checks.number(3, "penalizer", low=0) == 3.0
    for bad in ("1", float("inf"), float("nan"), False):
        with pytest.raises(errors.ValueRangeError, match="penalizer"):
            _checks.number(bad, "penalizer", low=0)
    with pytest.raises(errors.ValueRangeError, match=r"alpha must be in \(0, 1\)"):
        _checks.probability(1.0, "alpha", open_ends=True)
    assert _checks.probability(1.0, "share") == 1.0


def test_option_is_one_error_class():
    assert _checks.option("wilson", ["wilson", "wald"], "ci") == "wilson"
    for bad in ("Wilson", ["wilson"], None, 1):
        with pytest.raises(errors.OptionError, match=r"ci=.* is not one of \['wilson', 'wald'\]"):
            _checks.option(bad, ["wilson", "wald"], "ci")
    with pytest.raises(errors.OptionError):
        errors.check_choice(["wilson"], ["wilson"], "ci")


def test_seed_and_flag():
    generator = np.random.default_rng(1)
    assert _checks.seed(generator) is generator
    assert _checks.seed(None) is None and _checks.seed(3) == 3
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(errors.ValueRangeError, match="seed"):
            _checks.seed(bad)
    with pytest.raises(errors.ValueRangeError, match="exits must be True or False"):
        _checks.flag(1, "exits")


def test_columns_checks_types_presence_and_repeats():
    frame = _frame.from_native(pd.DataFrame({"a": [1], "b": [2]}))
    assert _checks.columns(frame, {"score": "a", "by": ["b"]}) == ["b"]
    assert _checks.columns(frame, {"score": "a", "by": None}) == []
    with pytest.raises(errors.ColumnTypeError, match="score must be a column name"):
        _checks.columns(frame, {"score": 1})
    with pytest.raises(errors.ColumnNotFoundError, match="by column 'c' not found"):
        _checks.columns(frame, {"by": ["b", "c"]})
    with pytest.raises(errors.ValueRangeError, match="twice"):
        _checks.columns(frame, {"by": ["b", "b"]})
    with pytest.raises(errors.ColumnTypeError, match="by must be a column name or a list"):
        _checks.columns(frame, {"by": {"b"}})


def test_no_clash_names_the_column():
    with pytest.raises(errors.ColumnClashError, match=r"column \['nps'\].*cx\.nps"):
        _checks.no_clash(["region", "nps"], {"nps", "n"}, function="cx.nps")
    _checks.no_clash(["region"], {"nps", "n"}, function="cx.nps")


@pytest.mark.parametrize("make", [pd.DataFrame, pl.DataFrame, lambda d: pl.DataFrame(d).lazy()])
def test_finite_column_counts_infinities(make):
    frame = _frame.from_native(make({"amount": [1.0, np.inf, -np.inf, np.nan, 2.0]}))
    with pytest.raises(errors.ValueRangeError, match=r"amount column 'amount' has 2 infinite values"):
        _checks.finite_column(frame, "amount", "amount")
    _checks.finite_column(_frame.from_native(make({"amount": [1.0, np.nan]})), "amount", "amount")


def test_fitted():
    class Model:
        params_ = None

    with pytest.raises(errors.NotFittedError, match="Model is not fitted"):
        _checks.fitted(Model())


# ------------------------------------------------------------------------------- durations

HOUR = 3_600_000_000


@pytest.mark.parametrize(("value", "micro"), [
    ("30min", 30 * 60_000_000), ("7D", 7 * 24 * HOUR), ("7d", 7 * 24 * HOUR), ("1h30min", 90 * 60_000_000),
    ("1.5h", 90 * 60_000_000), (" 2 W ", 14 * 24 * HOUR), ("250ms", 250_000), ("10s", 10_000_000),
    (dt.timedelta(hours=2), 2 * HOUR), (pd.Timedelta("2h"), 2 * HOUR), (np.timedelta64(3, "m"), 180_000_000),
])
def test_duration_grammar(value, micro):
    assert _checks.duration(value, "window") == micro


@pytest.mark.parametrize("value", [30, 30.0, "30", "7M", "1Y", "abc", True, pd.NaT, np.timedelta64("NaT"),
                                   "0s", dt.timedelta(0), -dt.timedelta(hours=1), [1], None])
def test_duration_refuses_bare_numbers_and_nonsense(value):
    with pytest.raises(errors.ValueRangeError, match="window"):
        _checks.duration(value, "window")


def test_duration_numbers_only_with_a_named_unit():
    assert _checks.duration(2, "horizon_days", unit="D") == 48 * HOUR
    assert _checks.duration(None, "window", allow_none=True) is None


@given(st.integers(1, 10_000), st.sampled_from(list(_time.UNIT_MICROSECONDS)))
def test_duration_string_matches_unit_table(count, unit):
    assert _checks.duration(f"{count}{unit}", "gap") == count * _time.UNIT_MICROSECONDS[unit]


def test_unit_table_is_shared():
    assert _time.unit_days("W") == 7.0
    assert _time.unit_days("h") == pytest.approx(1 / 24)
    with pytest.raises(errors.OptionError, match=r"unit='M' is not one of"):
        _time.unit_days("M")


def test_group_codes_null_keys_are_one_group_on_pandas():
    rows = pd.DataFrame({"g": ["a", None, "b", np.nan, "a"],
                         "h": pd.array([1, 2, None, 2, 1], dtype="Int64")})
    for frame in (rows, pl.from_pandas(rows)):
        keys, codes = _frame.group_codes(nw.from_native(frame), ["g"])
        assert (codes >= 0).all() and len(keys) == 3
        assert codes[1] == codes[3]
        keys, codes = _frame.group_codes(nw.from_native(frame), ["g", "h"])
        assert (codes >= 0).all() and codes[1] == codes[3] and codes[0] == codes[4]
