"""Adversarial inputs for survey, drivers, segment and weights, on every backend.

Each call runs on pandas, polars, pyarrow and a polars LazyFrame and must end in a documented
result or an error from :mod:`cxmetrics.errors` naming the argument or column at fault; never
a raw exception. The backends agree (same outcome, error class and numbers), the caller's
frame comes back unchanged, and inputs that are invalid (infinite, off the scale, fractional,
text or bool where numbers are needed, clashing names) are refused, never accepted silently.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxmetrics as cx
import cxmetrics.datasets
from cxmetrics import errors
from tests.backends import as_pandas, convert

BACKENDS = ["pandas", "polars", "pyarrow", "polars_lazy"]


# ---------------------------------------------------------------------------------- data


def survey(n: int = 60, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "ltr": rng.integers(0, 11, n), "sat": rng.integers(1, 6, n), "effort": rng.integers(1, 8, n),
        "region": rng.choice(["north", "south", "east"], n), "weight": rng.uniform(0.5, 2.0, n),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "respondent": np.arange(n) % (n // 2), "wave": np.where(np.arange(n) < n // 2, "w1", "w2"),
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "stratum": np.arange(n) % 3,
        "channel": rng.choice(["app", "web"], n),
    })


def transactions() -> pd.DataFrame:
    return cx.datasets.load_transactions(customers=40, seed=2)


def rfm() -> pd.DataFrame:
    return cx.rfm_table(transactions(), customer="customer", time="date", amount="amount")


def scored() -> pd.DataFrame:
    return cx.rfm_segment(cx.rfm_score(rfm()))


MARGINS = {"region": {"north": 0.3, "south": 0.3, "east": 0.4}, "channel": {"app": 0.5, "web": 0.5}}
CELLS = {(r, c): 1 / 6 for r in ("north", "south", "east") for c in ("app", "web")}


def _weighted(result: Any) -> Any:
    """A Weighted pair as one comparable frame: the rows and the report's key figures."""
    rows = as_pandas(result.data)
    report = result.report
    rows["__report"] = (f"{report.method} n={report.n} total={report.total:.9g} "
                        f"deff={report.design_effect:.9g}")
    return rows


class Case:
    """A public function: how to build its data and call it, its group and value columns."""

    def __init__(self, make: Callable[[], pd.DataFrame], call: Callable[..., Any], *, by: str | None,
                 value: str | None, scale: tuple[float, float] | None = None,
                 fractional_ok: bool = True, weights: bool = False,
                 result: Callable[[Any], pd.DataFrame] = as_pandas) -> None:
        self.make, self.call, self.by, self.value = make, call, by, value
        self.scale, self.fractional_ok, self.weights, self.result = scale, fractional_ok, weights, result


def call(function: Callable[..., Any], **defaults: Any) -> Callable[..., Any]:
    """``function(data, **defaults)`` where the test's options override the defaults."""
    return lambda data, **options: function(data, **(defaults | options))


SURVEY = {"by": "region"}
DRIVERS = {"outcome": "ltr", "drivers": ["x1", "x2"]}
RFM = {"customer": "customer", "time": "date", "amount": "amount"}
NAME = {"name": "raked"}

CASES: dict[str, Case] = {
    "nps": Case(survey, call(cx.nps, score="ltr", **SURVEY), by="region", value="ltr", scale=(0, 10),
                fractional_ok=False),
    "nps_weighted": Case(survey, call(cx.nps, score="ltr", weights="weight", **SURVEY), by="region",
                         value="ltr", scale=(0, 10), fractional_ok=False, weights=True),
    "nps_strata": Case(survey, call(cx.nps, score="ltr", strata="stratum", **SURVEY), by="region",
                       value="ltr", scale=(0, 10), fractional_ok=False),
    "csat": Case(survey, call(cx.csat, score="sat", **SURVEY), by="region", value="sat", scale=(1, 5),
                 fractional_ok=False),
    "csat_weighted": Case(survey, call(cx.csat, score="sat", weights="weight", **SURVEY), by="region",
                          value="sat", scale=(1, 5), fractional_ok=False, weights=True),
    "ces": Case(survey, call(cx.ces, score="effort", **SURVEY), by="region", value="effort", scale=(1, 7),
                fractional_ok=False),
    "score_distribution": Case(survey, call(cx.score_distribution, score="ltr", **SURVEY), by="region",
                               value="ltr", scale=(0, 10), fractional_ok=False),
    "compare_nps": Case(survey, call(cx.compare_nps, score="ltr", **SURVEY), by="region", value="ltr",
                        scale=(0, 10), fractional_ok=False),
    "compare_nps_paired": Case(survey, call(cx.compare_nps, score="ltr", paired=True, subject="respondent",
                                            by="wave"), by="wave", value="ltr", scale=(0, 10),
                               fractional_ok=False),
    "compare_csat": Case(survey, call(cx.compare_csat, score="sat", **SURVEY), by="region", value="sat",
                         scale=(1, 5), fractional_ok=False),
    "nps_trend": Case(survey, call(cx.nps_trend, score="ltr", time="when", **SURVEY), by="region",
                      value="ltr", scale=(0, 10), fractional_ok=False),
    "csat_trend": Case(survey, call(cx.csat_trend, score="sat", time="when", **SURVEY), by="region",
                       value="sat", scale=(1, 5), fractional_ok=False),
    "key_drivers": Case(survey, call(cx.key_drivers, **DRIVERS, **SURVEY), by="region", value="x1"),
    "key_drivers_outcome": Case(survey, call(cx.key_drivers, **DRIVERS), by=None, value="ltr"),
    "importance_performance": Case(survey, call(cx.importance_performance, **DRIVERS, **SURVEY), by="region",
                                   value="x2"),
    "rfm_table": Case(transactions, call(cx.rfm_table, **RFM), by=None, value="amount"),
    "rfm_score": Case(rfm, call(cx.rfm_score), by=None, value="monetary"),
    "rfm_segment": Case(lambda: cx.rfm_score(rfm()), call(cx.rfm_segment), by=None, value="r_score"),
    "segment_profile": Case(scored, call(cx.segment_profile, by="segment"), by="segment", value="monetary"),
    "rake": Case(survey, call(cx.rake, margins=MARGINS, **NAME), by=None, value=None, result=_weighted),
    "rake_base": Case(survey, call(cx.rake, margins=MARGINS, base_weight="weight", **NAME), by=None,
                      value=None, weights=True, result=_weighted),
    "poststratify": Case(survey, call(cx.poststratify, cells=["region", "channel"], population=CELLS, **NAME),
                         by=None, value=None, result=_weighted),
    "poststratify_base": Case(survey, call(cx.poststratify, cells=["region", "channel"], population=CELLS,
                                           base_weight="weight", **NAME), by=None, value=None, weights=True,
                              result=_weighted),
    "calibrate": Case(survey, call(cx.calibrate, totals={"x1": 3.0}, population_size=60, **NAME), by=None,
                      value="x1", result=_weighted),
    "calibrate_base": Case(survey, call(cx.calibrate, totals={"x1": 3.0}, population_size=60,
                                        base_weight="weight", **NAME), by=None, value="x1", weights=True,
                           result=_weighted),
}

_DATA: dict[str, pd.DataFrame] = {}


def base(name: str) -> pd.DataFrame:
    make = CASES[name].make
    key = make.__name__
    if key not in _DATA:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)
            _DATA[key] = make()
    return _DATA[key].copy()


# ----------------------------------------------------------------------------- harness


def snapshot(native: Any) -> Any:
    if isinstance(native, pd.DataFrame):
        return native.copy(deep=True)
    if isinstance(native, pl.DataFrame):
        return native.clone()
    if isinstance(native, pl.LazyFrame):
        return native.collect()
    return native


def unchanged(native: Any, before: Any) -> bool:
    if isinstance(native, pd.DataFrame):
        return bool(native.equals(before)) and list(native.columns) == list(before.columns) \
            and list(native.dtypes) == list(before.dtypes)
    if isinstance(native, pl.LazyFrame):
        return bool(native.collect().equals(before))
    return bool(native.equals(before))


def run(case: Case, native: Any, **options: Any) -> tuple[str, Any]:
    """("ok", result as pandas) or ("error", the cxmetrics error); anything else fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)  # the test silences, not the library
            result = case.call(native, **options)
    except errors.CXMetricsError as error:
        return "error", error
    except Exception as error:
        pytest.fail(f"raw {type(error).__name__}: {error}")
    return "ok", case.result(result)


def same(left: pd.DataFrame, right: pd.DataFrame, where: str) -> None:
    assert list(left.columns) == list(right.columns), where
    assert len(left) == len(right), where
    for column in left.columns:
        a, b = left[column], right[column]
        if pd.api.types.is_bool_dtype(a) and pd.api.types.is_bool_dtype(b):
            assert a.tolist() == b.tolist(), (where, column)
        elif pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            np.testing.assert_allclose(a.to_numpy(dtype=float, na_value=np.nan),
                                       b.to_numpy(dtype=float, na_value=np.nan), rtol=1e-8, atol=1e-10,
                                       err_msg=f"{where}: {column}")
        elif pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
            assert _naive(a) == _naive(b), (where, column)
        else:
            assert _labels(a) == _labels(b), (where, column)


def _naive(times: pd.Series) -> list[Any]:
    times = pd.to_datetime(times)
    if getattr(times.dtype, "tz", None):
        times = times.dt.tz_localize(None)
    return times.fillna(pd.Timestamp(0)).tolist()


def _labels(values: pd.Series) -> list[str | None]:
    return [None if _missing(v) else str(v) for v in values]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def everywhere(case: Case, frame: pd.DataFrame, *, names: set[str] | None = None,
               **options: Any) -> tuple[str, Any]:
    """Run on every backend: no raw exception, input unchanged, backends agree."""
    results: dict[str, tuple[str, Any]] = {}
    for backend in BACKENDS:
        try:
            native = convert(frame, backend)
        except (pa.ArrowException, pl.exceptions.PolarsError, TypeError, ValueError):
            continue  # that library cannot hold this column at all (mixed objects): not ours
        before = snapshot(native)
        results[backend] = run(case, native, **options)
        assert unchanged(native, before), f"{backend}: the input frame was modified"
    kinds = {backend: kind for backend, (kind, _) in results.items()}
    assert len(set(kinds.values())) == 1, f"backends disagree: {results}"
    kind, value = next(iter(results.values()))
    if kind == "error":
        classes = {backend: type(error).__name__ for backend, (_, error) in results.items()}
        assert len(set(classes.values())) == 1, f"error classes differ: {classes}"
        allowed = (names or set()) | set(options) | {str(c) for c in frame.columns} | {"data"}
        if len(frame) == 0:
            allowed |= {"empty", "no rows"}
        message = str(value)
        assert any(name in message for name in allowed), f"error names none of {sorted(allowed)}: {message}"
    else:
        first = next(iter(results))
        for backend, (_, other) in results.items():
            same(other, results[first][1], f"{backend} vs {first}")
    return kind, value


# --------------------------------------------------------------------------- mutations

#: kind -> must it be refused ("error"), be accepted ("ok") or either ("any")
MUTATIONS: dict[str, str] = {
    "empty": "any", "single_row": "any", "single_group": "any", "all_null_value": "any",
    "null_keys": "ok", "nan_values": "ok", "inf_values": "error", "neg_inf_values": "error",
    "off_scale_high": "error", "off_scale_low": "error", "fractional": "error",
    "text_values": "error", "numeric_text": "error", "bool_values": "error",
    "nullable_int": "ok", "categorical_by": "ok", "string_by": "ok", "pyarrow_backed": "ok",
    "int_keys": "ok", "bool_keys": "ok", "inf_weights": "error", "negative_weights": "error",
    "nan_weights": "error", "zero_weights": "any", "internal_names": "ok",
}


def mutate(case: Case, kind: str, frame: pd.DataFrame,
           positions: list[int] | None = None) -> pd.DataFrame | None:
    """The frame with one kind of edge input (at ``positions``, by default rows 0, 3 and 7),
    or None when the kind does not apply."""
    frame = frame.copy()
    rows = frame.index[sorted({p % len(frame) for p in (positions or [0, 3, 7])})]
    by, value = case.by, case.value
    numeric_value = value is not None and pd.api.types.is_numeric_dtype(frame[value])
    if kind == "empty":
        return frame.iloc[:0]
    if kind == "single_row":
        return frame.iloc[:1]
    if kind == "single_group":
        return frame.assign(**{by: frame[by].iloc[0]}) if by else None
    if kind == "all_null_value":
        return frame.assign(**{value: np.nan}) if numeric_value else None
    if kind in ("null_keys", "string_by", "categorical_by", "int_keys", "bool_keys") and not by:
        return None
    if kind == "null_keys":  # a sizeable null group: every fourth row
        frame[by] = frame[by].astype(object)
        frame.loc[frame.index[::4], by] = None
    elif kind == "string_by":
        frame[by] = frame[by].astype("string")
        frame.loc[frame.index[1::4], by] = pd.NA
    elif kind == "categorical_by":
        frame[by] = frame[by].astype("category")
    elif kind == "int_keys":
        frame[by] = pd.factorize(frame[by])[0]
    elif kind == "bool_keys":
        frame[by] = pd.factorize(frame[by])[0] == 0
    elif kind in ("nan_values", "inf_values", "neg_inf_values"):
        if not numeric_value:
            return None
        frame[value] = frame[value].astype(float)
        frame.loc[rows, value] = {"nan_values": np.nan, "inf_values": np.inf, "neg_inf_values": -np.inf}[kind]
    elif kind in ("off_scale_high", "off_scale_low", "fractional"):
        if case.scale is None or (kind == "fractional" and case.fractional_ok):
            return None
        bad = {"off_scale_high": case.scale[1] + 1, "off_scale_low": case.scale[0] - 1,
               "fractional": case.scale[0] + 0.5}[kind]
        frame[value] = frame[value].astype(float)
        frame.loc[rows[:1], value] = bad
    elif kind == "text_values":
        if not numeric_value:
            return None
        frame[value] = frame[value].astype(object)
        frame.loc[rows, value] = "n/a"
    elif kind == "numeric_text":
        if not numeric_value:
            return None
        frame[value] = frame[value].astype(str)
    elif kind == "bool_values":
        if not numeric_value:
            return None
        frame[value] = frame[value] > frame[value].median()
    elif kind == "nullable_int":
        if not numeric_value:
            return None
        if pd.api.types.is_integer_dtype(frame[value]):
            frame[value] = frame[value].astype("Int64")
        else:
            frame[value] = frame[value].astype("Float64")
        frame.loc[rows, value] = pd.NA
    elif kind == "pyarrow_backed":
        frame = frame.convert_dtypes(dtype_backend="pyarrow")
    elif kind in ("inf_weights", "negative_weights", "nan_weights", "zero_weights"):
        if not case.weights:
            return None
        frame.loc[rows, "weight"] = {"inf_weights": np.inf, "negative_weights": -1.0, "nan_weights": np.nan,
                                     "zero_weights": 0.0}[kind]
    elif kind == "internal_names":
        frame = frame.assign(__cx_n=1.0, __cx_score="x", __cx_w=2, __cx_row=3, n=5, nps="x", ci_low=0.0,
                             customers=1, share="s", __index_level_0__=9)
    return frame


#: (case, kind) -> the documented outcome where it differs from :data:`MUTATIONS`
EXPECTED: dict[tuple[str, str], str] = {
    # a paired design needs every subject in both groups: null or NA groups break the pairs
    **{("compare_nps_paired", kind): "any" for kind in ("null_keys", "string_by")},
    # R, F and M (and the amounts behind them) may not be missing: a documented error
    **{(name, kind): "any" for name in ("rfm_table", "rfm_score", "rfm_segment")
       for kind in ("nan_values", "nullable_int")},
    # drivers: a 0/1 bool driver or outcome is read as 0/1 (documented)
    **{(name, "bool_values"): "ok" for name in ("key_drivers", "key_drivers_outcome",
                                                "importance_performance")},
    # calibration: auxiliaries may not be missing (documented MissingValueError)
    **{(name, kind): "error" for name in ("calibrate", "calibrate_base")
       for kind in ("nan_values", "nullable_int")},
}


def _mutation_cases() -> list[Any]:
    found = []
    for name in sorted(CASES):
        for kind in MUTATIONS:
            if mutate(CASES[name], kind, base(name).head(12)) is not None:
                found.append(pytest.param(name, kind, id=f"{name}-{kind}"))
    return found


@pytest.mark.parametrize(("name", "kind"), _mutation_cases())
def test_edge_inputs(name: str, kind: str) -> None:
    case = CASES[name]
    frame = mutate(case, kind, base(name))
    assert frame is not None
    outcome, value = everywhere(case, frame)
    expected = EXPECTED.get((name, kind), MUTATIONS[kind])
    if expected == "error":
        assert outcome == "error", f"{kind} was accepted"
    elif expected == "ok":
        assert outcome == "ok", f"{kind} refused: {value}"
    if kind in ("inf_values", "neg_inf_values", "inf_weights"):
        assert "infinite" in str(value) or "finite" in str(value), str(value)
    if kind == "null_keys" and outcome == "ok":
        column = "group_a" if name.startswith("compare") else case.by
        if column in value.columns:
            keys = pd.concat([value[column], value["group_b"]]) if column == "group_a" else value[column]
            assert keys.isna().any(), "the null group was dropped"
    if kind == "internal_names" and outcome == "ok":
        plain = everywhere(case, base(name))[1]
        shared = [c for c in plain.columns if c in value.columns and c not in ("__report",)]
        same(value[shared].reset_index(drop=True), plain[shared].reset_index(drop=True), "internal names")


# ------------------------------------------------------------------------- bad scalars

CONFIDENCE = [1.5, -1, 0, 1, "0.95", True, None, float("nan"), 95]
SEED = ["1", 1.5, -1, True, [1]]
N_BOOT = [0, -5, "100", 2.5, True, None]
POINTS = ["yes", 1, None, 0]
COLUMN_NAMES = [3, None, ["ltr"], "missing_column"]
BY = [3, {"region"}, ["region", "region"], "nowhere", [["region"]]]

#: case -> {argument: bad values}; every call must raise naming the argument
BAD_SCALARS: dict[str, dict[str, list[Any]]] = {
    "nps": {"confidence": CONFIDENCE, "seed": SEED, "n_boot": N_BOOT, "points": POINTS, "by": BY,
            "ci": ["exact", 1, None, "BOOTSTRAP"], "score": COLUMN_NAMES,
            "weights": [3, "nowhere", ["weight"]],
            "strata": [3, "nowhere"]},
    "csat": {"confidence": CONFIDENCE, "scale": [1, "5", True, 4.5, 0, -5, None],
             "top_box": ["4", ["4", "5"], (0, 5), (5, 6), (3, 5), [], 4, (4.5, 5), (True, 5)],
             "ci": ["exact", None], "by": BY, "weights": [3, "nowhere"]},
    "ces": {"confidence": CONFIDENCE, "scale": [1, "7", True, 6.5], "stat": ["median", None, 1],
            "easy": [["5"], "567", (0, 7), (7, 8), (5, 7), 5], "ci": ["exact"]},
    "score_distribution": {"scale": [(10, 0), (0, 10.5), "0-10", (0,), (0, 5, 10), (True, 10), 10], "by": BY},
    "compare_nps": {"confidence": CONFIDENCE, "points": POINTS, "paired": ["yes", 1, None],
                    "p_adjust": ["tukey", None, 1], "by": [3, None, ["region", "region"], "nowhere"],
                    "subject": [3, "nowhere"], "reference": ["nowhere", 3]},
    "compare_csat": {"confidence": CONFIDENCE, "scale": [1, "5", True], "top_box": ["4", (0, 5), (4.5, 5)],
                     "method": ["magic", None, 1], "p_adjust": ["tukey"], "reference": ["nowhere"]},
    "nps_trend": {"confidence": CONFIDENCE, "seed": SEED, "n_boot": N_BOOT, "points": POINTS,
                  "freq": ["H", 1, None, "month", "2M"], "rolling": [0, "2", True, 1.5, -1],
                  "time": [3, "nowhere", "ltr", "region"], "ci": ["exact"]},
    "csat_trend": {"confidence": CONFIDENCE, "freq": ["H", None], "rolling": [0, True],
                   "scale": [1, True], "top_box": [(0, 5)], "time": ["ltr", "region"]},
    "key_drivers": {"confidence": CONFIDENCE, "seed": SEED, "n_boot": [-1, "100", 2.5, True, None],
                    "alpha": [0, 1, "0.05", True, 1.5], "method": ["magic", None],
                    "missing": ["drop", None], "drivers": [[], ["x1", "x1"], ["ltr"], ["region"], [3], None],
                    "outcome": [3, "region", "nowhere"], "weights": [3, "region"]},
    "importance_performance": {"performance": ["max", None], "top_box": ["4", -100, 100, True, float("nan")],
                               "split": ["mode", None], "labels": ["fr", None], "method": ["magic"],
                               "drivers": [[], ["x1", "x1"]]},
    "rfm_table": {"unit": ["month", 3, None, "M"], "monetary": ["median", None], "nonpositive": ["drop", 1],
                  "as_of": ["not a date", 3, True], "customer": [3, "nowhere"], "time": ["amount", "nowhere"],
                  "amount": ["customer", "date", "nowhere"], "order": [3, "nowhere"]},
    "rfm_score": {"bins": [1, 0, "5", True, 2.5, 100], "method": ["magic", None],
                  "thresholds": [{"recency": ["1", "2"], "frequency": [1, 2], "monetary": [1, 2]}, "edges",
                                 {"recency": [2, 1, 0, -1], "frequency": [1, 2, 3, 4],
                                  "monetary": [1, 2, 3, 4]},
                                 {"recency": [1, 2, 3, 4], "frequency": [1, 2, 3, 4]},
                                 {"recency": [1, float("inf"), 3, 4], "frequency": [1, 2, 3, 4],
                                  "monetary": [1, 2, 3, 4]}]},
    "rfm_segment": {"rules": ["custom", 3, [], [{"segment": "x", "r_min": 0}], [{"r_min": 1}],
                              [{"segment": "x", "r_min": 4, "r_max": 2}], [{"segment": "x", "color": 1}]],
                    "labels": ["fr", None], "bins": [1, "5", True], "other": [3, None]},
    "segment_profile": {"by": [*BY[:1], "nowhere"], "value": [3, "nowhere", ["monetary", "monetary"]],
                        "revenue": [3, "nowhere", "segment"]},
    "rake": {"margins": [{}, {"region": {}}, {"region": {"north": 0.5, "south": 0.5}},
                         {"region": {"north": 0.3, "south": 0.3, "east": 0.3}},
                         {"region": {"north": -0.2, "south": 0.6, "east": 0.6}},
                         {"region": {"north": "0.3", "south": 0.3, "east": 0.4}},
                         {"region": {"north": float("inf"), "south": 0.3, "east": 0.4}},
                         {"region": {"north": 0.3, "south": 0.3, "east": 0.2, "west": 0.2}},
                         {"nowhere": {"a": 1.0}}, "region", None],
             "trim": [(2, 0.5), (-1, 2), "tight", (0.5,), (0.5, float("nan"))],
             "max_iter": [0, 2.5, "100", True], "tol": [0, -1, "1e-8", True, 2],
             "name": [3, "", "region", None], "base_weight": [3, "nowhere", "region", "region_code"]},
    "poststratify": {"cells": [[], 3, "nowhere", ["region", "region"]],
                     "population": [{}, {("north", "app"): 1.0}, "cells", None,
                                    {**CELLS, ("north", "app"): -1.0}],
                     "name": ["region", ""], "base_weight": ["region"]},
    "calibrate": {"totals": [{}, {"x1": "3"}, {"x1": float("inf")}, {"region": 3.0}, {"nowhere": 1.0}, None,
                             {"x1": True}],
                  "method": ["magic", None], "bounds": [(1.5, 2.0), (2.0, 0.5), (0.5, 1.0), "wide", None],
                  "population_size": [0, -5, "60", True, float("inf")], "max_iter": [0, True],
                  "tol": [0, "1e-10"], "name": ["x1", ""]},
}

#: a bad value reaches its check only with these other options
NEEDS: dict[tuple[str, str], dict[str, Any]] = {
    ("nps", "seed"): {"ci": "bootstrap", "n_boot": 50},
    ("nps", "n_boot"): {"ci": "bootstrap"},
    ("nps_trend", "seed"): {"ci": "bootstrap", "n_boot": 20},
    ("nps_trend", "n_boot"): {"ci": "bootstrap"},
    ("key_drivers", "seed"): {"n_boot": 5},
    ("key_drivers", "confidence"): {"n_boot": 5, "seed": 1},
    ("importance_performance", "top_box"): {"performance": "top_box"},
    ("rfm_score", "thresholds"): {"method": "fixed", "bins": 5},
    ("compare_nps", "subject"): {"paired": True, "by": "wave"},
    ("calibrate", "bounds"): {"method": "logit"},
}

#: what an error about an argument may name instead of the argument itself
ALSO_NAMED = {"margins": {"margin", "region", "nowhere", "share", "target"},
              "population": {"population", "cell"},
              "totals": {"total", "x1", "region", "nowhere"}, "rules": {"rule"}, "by": {"column"},
              "drivers": {"driver", "outcome"}, "time": {"time"}, "score": {"score"}, "cells": {"cell"},
              "value": {"value"}, "outcome": {"outcome"}}


def _scalar_cases() -> list[Any]:
    found = []
    for name, arguments in BAD_SCALARS.items():
        for argument, values in arguments.items():
            for position, bad in enumerate(values):
                found.append(pytest.param(name, argument, bad, id=f"{name}-{argument}-{position}"))
    return found


@pytest.mark.parametrize(("name", "argument", "bad"), _scalar_cases())
def test_bad_arguments_raise_naming_the_argument(name: str, argument: str, bad: Any) -> None:
    case = CASES[name]
    data = base(name)
    if name == "rake" and argument == "base_weight":
        data = data.assign(region_code=data["region"].astype(str))
    options = {**NEEDS.get((name, argument), {}), argument: bad}
    kind, value = run(case, data, **options)
    assert kind == "error", f"{argument}={bad!r} was accepted"
    message = str(value)
    named = {argument} | ALSO_NAMED.get(argument, set())
    assert any(word in message for word in named), message


# ------------------------------------------------------------------- names that clash

#: case -> result columns a ``by`` column may not be named after (each must raise by name)
RESULT_NAMES = {
    "nps": ["n", "nps", "ci_low", "se", "pct_promoters", "n_missing", "ci_method"],
    "nps_strata": ["n", "nps", "se"],
    "csat": ["n", "csat", "mean", "n_top", "mean_ci_high"],
    "ces": ["ces", "stat", "n_easy"],
    "score_distribution": ["n", "share"],
    "nps_trend": ["period", "nps", "change", "change_p_value"],
    "csat_trend": ["period", "csat"],
    "key_drivers": ["driver", "importance", "pct", "rank", "r_squared", "model"],
    "importance_performance": ["driver", "quadrant", "importance", "performance_split"],
    "segment_profile": ["customers", "share", "revenue_share", "recency_median"],
}


def _clash_cases() -> list[Any]:
    return [pytest.param(name, column, id=f"{name}-{column}")
            for name, columns in RESULT_NAMES.items() for column in columns]


@pytest.mark.parametrize(("name", "column"), _clash_cases())
def test_a_group_column_named_like_a_result_column_is_refused(name: str, column: str) -> None:
    case = CASES[name]
    data = base(name)
    data = data.drop(columns=[c for c in data.columns if c == column]).rename(columns={case.by: column})
    kind, value = everywhere(case, data, by=column)
    assert kind == "error" and isinstance(value, errors.ColumnClashError), value
    assert repr(column) in str(value)


@pytest.mark.parametrize("name", ["nps", "nps_strata", "csat", "ces", "score_distribution", "compare_nps",
                                  "compare_csat", "nps_trend", "csat_trend", "key_drivers",
                                  "importance_performance", "segment_profile"])
@pytest.mark.parametrize("column", ["__cx_n", "__cx_score", "__cx_rows", "__cx_period"])
def test_a_group_column_with_the_internal_prefix_is_refused_by_name(name: str, column: str) -> None:
    case = CASES[name]
    data = base(name).rename(columns={case.by: column})
    kind, value = everywhere(case, data, by=column)
    assert kind == "error" and isinstance(value, errors.ColumnClashError), value
    assert column in str(value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_caller_columns_named_like_internals_change_nothing(name: str) -> None:
    """Columns the call does not use, named like internal or result columns, are left alone."""
    case = CASES[name]
    plain = base(name)
    crowded = plain.assign(__cx_n=1.0, __cx_score="x", __cx_rows=2, __cx_row0=3, __cx_s_n=4, period=5,
                           driver="d", quadrant="q", group_a="g", difference=0.5)
    kind, value = everywhere(case, crowded)
    expected_kind, expected = everywhere(case, plain)
    assert kind == expected_kind
    if kind == "ok":
        shared = [c for c in expected.columns if c in value.columns and c != "__report"]
        same(value[shared], expected[shared], "crowded vs plain")


def test_by_may_not_hold_the_score_or_a_column_twice() -> None:
    data = base("nps")
    for case, by in [("nps", "ltr"), ("nps", ["region", "ltr"]), ("csat", "sat"), ("nps_trend", "ltr"),
                     ("score_distribution", "ltr")]:
        kind, value = everywhere(CASES[case], data, by=by)
        assert (kind == "error" and "ltr" in str(value)) or "sat" in str(value), value
    kind, value = everywhere(CASES["nps"], data, by=["region", "region"])
    assert kind == "error" and "region" in str(value)
    kind, value = everywhere(CASES["nps_trend"], data, by="when")
    assert kind == "error" and "when" in str(value)


# ----------------------------------------------------------------- defined edge results


def test_null_group_of_a_paired_comparison_is_found() -> None:
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"ltr": rng.integers(0, 11, 40), "respondent": np.arange(40) % 20,
                         "wave": ["a"] * 20 + [None] * 20})
    kind, value = everywhere(CASES["compare_nps_paired"], data, reference="a")
    assert kind == "ok", value
    row = value.iloc[0]
    codes = np.sign(data["ltr"].between(9, 10).astype(int) - data["ltr"].le(6).astype(int))
    expected = (codes[20:].mean() - codes[:20].mean()) * 100
    assert pd.isna(row["group_a"]) and row["group_b"] == "a"
    assert row["difference"] == pytest.approx(expected)


@pytest.mark.parametrize("ci", ["bootstrap", "bayes"])
def test_simulated_intervals_without_a_seed_are_reproducible(ci: str) -> None:
    data = base("nps")
    first = cx.nps(data, score="ltr", by="region", ci=ci, n_boot=300)
    again = cx.nps(data, score="ltr", by="region", ci=ci, n_boot=300)
    pd.testing.assert_frame_equal(first, again)
    assert first["ci_low"].notna().all()
    trend = cx.nps_trend(data, score="ltr", time="when", ci=ci, n_boot=100)
    pd.testing.assert_frame_equal(trend, cx.nps_trend(data, score="ltr", time="when", ci=ci, n_boot=100))
    other = cx.nps(data, score="ltr", by="region", ci=ci, n_boot=300, seed=12345)
    assert not np.allclose(other["ci_low"], first["ci_low"])  # a seed does choose the draw


def test_key_driver_bootstrap_without_a_seed_is_reproducible() -> None:
    data = base("key_drivers")
    first = cx.key_drivers(data, outcome="ltr", drivers=["x1", "x2"], n_boot=30)
    pd.testing.assert_frame_equal(first, cx.key_drivers(data, outcome="ltr", drivers=["x1", "x2"], n_boot=30))


def test_empty_and_one_row_results_are_documented() -> None:
    data = base("nps")
    empty = cx.nps(data.iloc[:0], score="ltr")
    assert list(empty["n"]) == [0] and empty["nps"].isna().all()
    assert len(cx.nps(data.iloc[:0], score="ltr", by="region")) == 0
    one = cx.nps(data.iloc[:1], score="ltr")
    assert (one["n"].tolist() == [1] and np.isnan(one["se"][0])) or one["se"][0] == 0
    for call in (lambda d: cx.compare_nps(d, score="ltr", by="region"),
                 lambda d: cx.key_drivers(d, outcome="ltr", drivers=["x1", "x2"])):
        with pytest.raises(errors.DesignError):
            call(data.iloc[:1])


def test_fractional_and_bool_scores_are_refused_naming_the_column() -> None:
    data = base("nps").assign(ltr=lambda d: d["ltr"].astype(float))
    data.loc[data.index[2], "ltr"] = 9.5
    with pytest.raises(errors.ValueRangeError, match=r"'ltr'.*1 values are fractional: \[9.5\]"):
        cx.nps(data, score="ltr")
    with pytest.raises(errors.ColumnTypeError, match="'ltr'"):
        cx.nps(data.assign(ltr=data["ltr"] > 5), score="ltr")
    with pytest.raises(errors.ValueRangeError, match=r"'ltr' has 2 infinite values"):
        cx.nps(data.assign(ltr=[np.inf, -np.inf] + [5.0] * (len(data) - 2)), score="ltr")


def test_inf_weights_and_amounts_are_refused_with_column_and_count() -> None:
    survey_data = base("nps")
    survey_data.loc[survey_data.index[:2], "weight"] = np.inf
    for call in (lambda d: cx.nps(d, score="ltr", weights="weight"),
                 lambda d: cx.csat(d, score="sat", weights="weight"),
                 lambda d: cx.key_drivers(d, outcome="ltr", drivers=["x1", "x2"], weights="weight"),
                 lambda d: cx.rake(d, margins=MARGINS, base_weight="weight", name="raked"),
                 lambda d: cx.calibrate(d, totals={"x1": 3.0}, base_weight="weight", name="raked")):
        for backend in BACKENDS:
            with pytest.raises(errors.ValueRangeError, match=r"'weight'.*\b2\b"):
                call(convert(survey_data, backend))
    log = base("rfm_table")
    log.loc[log.index[:3], "amount"] = np.inf
    for backend in BACKENDS:
        with pytest.raises(errors.ValueRangeError, match=r"'amount'.*\b3\b.*infinite|infinite.*'amount'"):
            cx.rfm_table(convert(log, backend), **RFM)


def test_margins_that_do_not_fit_the_data_are_named() -> None:
    data = base("rake")
    with pytest.raises(errors.ValueRangeError, match="sum"):
        cx.rake(data, margins={"region": {"north": 0.5, "south": 0.5, "east": 0.5}}, name="raked")
    with pytest.raises(errors.DesignError, match="west"):
        cx.rake(data, margins={"region": {"north": 0.3, "south": 0.3, "east": 0.2, "west": 0.2}},
                name="raked")
    with pytest.raises(errors.DesignError, match="east"):
        cx.rake(data, margins={"region": {"north": 0.5, "south": 0.5}}, name="raked")
    with pytest.raises(errors.CXMetricsError, match="population"):
        cx.poststratify(data, cells="region", population={"north": 0.5, "south": 0.5}, name="raked")


def test_trend_score_or_weights_named_period_are_refused() -> None:
    data = base("nps_trend")
    for options, column in (({"score": "period"}, "ltr"), ({"weights": "period"}, "weight")):
        renamed = data.rename(columns={column: "period"})
        kind, value = everywhere(CASES["nps_trend"], renamed, **options)
        assert kind == "error" and isinstance(value, errors.ColumnClashError) and "period" in str(value)
    as_time = data.rename(columns={"when": "period"})
    kind, value = everywhere(CASES["nps_trend"], as_time, time="period")
    assert kind == "ok" and "period" in value.columns


# ------------------------------------------------------------------ properties (hypothesis)


@st.composite
def survey_frames(draw: Any) -> pd.DataFrame:
    """Small surveys: missing scores and group keys allowed, 0 to 25 rows."""
    n = draw(st.integers(0, 25))
    ltr = draw(st.lists(st.one_of(st.integers(0, 10), st.none()), min_size=n, max_size=n))
    sat = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    region = draw(st.lists(st.sampled_from(["north", "south", None]), min_size=n, max_size=n))
    channel = draw(st.lists(st.sampled_from(["app", "web"]), min_size=n, max_size=n))
    weight = draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n))
    return pd.DataFrame({"ltr": pd.array(ltr, dtype="float64"), "sat": pd.array(sat, dtype="int64"),
                         "region": pd.Series(region, dtype=object),
                         "channel": pd.Series(channel, dtype=object),
                         "weight": pd.array(weight, dtype="float64"), "id": np.arange(n)})


PROPERTY_CALLS = {
    "nps": call(cx.nps, score="ltr", by="region"),
    "nps_weighted": call(cx.nps, score="ltr", by="region", weights="weight"),
    "nps_overall_score_ci": call(cx.nps, score="ltr", ci="score"),
    "csat": call(cx.csat, score="sat", by=["region", "channel"]),
    "ces": call(cx.ces, score="sat", by="channel", scale=5, stat="pct_easy"),
    "score_distribution": call(cx.score_distribution, score="ltr", by="region"),
}


def _property_case(name: str) -> Case:
    return Case(survey, PROPERTY_CALLS[name], by=None, value=None)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=survey_frames(), name=st.sampled_from(sorted(PROPERTY_CALLS)), order=st.randoms())
def test_backends_agree_and_row_order_does_not_matter(frame: pd.DataFrame, name: str, order: Any) -> None:
    case = _property_case(name)
    kind, value = everywhere(case, frame)
    shuffled = frame.iloc[order.sample(range(len(frame)), len(frame))]
    again_kind, again = everywhere(case, shuffled)
    assert again_kind == kind
    if kind == "ok":
        same(again, value, "shuffled")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=survey_frames())
def test_nps_counts_match_a_brute_force_count(frame: pd.DataFrame) -> None:
    result = as_pandas(cx.nps(convert(frame, "polars"), score="ltr", by="region"))
    for _, row in result.iterrows():
        key = row["region"]
        rows = frame[frame["region"].isna()] if pd.isna(key) else frame[frame["region"] == key]
        scores = rows["ltr"].dropna()
        assert row["n"] == len(scores) and row["n_missing"] == rows["ltr"].isna().sum()
        if len(scores):
            assert row["nps"] == pytest.approx(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=survey_frames(), order=st.randoms())
def test_rake_weights_follow_their_rows(frame: pd.DataFrame, order: Any) -> None:
    margins = {"channel": {"app": 0.5, "web": 0.5}}
    present = set(frame["channel"])
    case = Case(survey, call(cx.rake, margins=margins, name="raked"), by=None, value=None, result=_weighted)
    kind, value = everywhere(case, frame)
    if present != {"app", "web"}:
        assert kind == "error"  # a target level with no rows, or no rows at all
        return
    assert kind == "ok", value
    shuffled = frame.iloc[order.sample(range(len(frame)), len(frame))]
    _, again = everywhere(case, shuffled)
    mine = value.set_index("id")["raked"]
    np.testing.assert_allclose(again.set_index("id")["raked"].loc[mine.index], mine, rtol=1e-9)
    shares = value.groupby("channel")["raked"].sum() / value["raked"].sum()
    np.testing.assert_allclose(shares.to_numpy(), [0.5, 0.5], atol=1e-7)


# ---------------------------------------------------------------------- times as text

TIME_FORMS: dict[str, tuple[Callable[[pd.Series], pd.Series], str]] = {
    "iso_date_text": (lambda s: s.dt.strftime("%Y-%m-%d"), "ok"),
    "iso_datetime_text": (lambda s: s.dt.strftime("%Y-%m-%dT%H:%M:%S"), "ok"),
    "iso_space_text": (lambda s: s.dt.strftime("%Y-%m-%d %H:%M"), "ok"),
    "object_timestamps": (lambda s: s.astype(object), "ok"),
    "object_dates": (lambda s: s.dt.date.astype(object), "ok"),
    "tz_aware": (lambda s: s.dt.tz_localize("Asia/Shanghai"), "ok"),
    "microseconds": (lambda s: s.astype("datetime64[us]"), "ok"),
    "day_first_text": (lambda s: s.dt.strftime("%d/%m/%Y"), "error"),  # engines guess differently
    "zoned_text": (lambda s: s.dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "error"),  # pandas UTC, polars refuses
    "words": (lambda s: pd.Series("soon", index=s.index), "error"),
    "numbers": (lambda s: pd.Series(np.arange(len(s)), index=s.index), "error"),
    "missing": (lambda s: s.where(np.arange(len(s)) % 7 != 0), "error"),
    "mixed_objects": (lambda s: pd.Series([x if i % 5 else "2024-01-01" for i, x in enumerate(s)],
                                          index=s.index, dtype=object), "error"),
}


@pytest.mark.parametrize("form", sorted(TIME_FORMS))
@pytest.mark.parametrize(("name", "column"), [("nps_trend", "when"), ("csat_trend", "when"),
                                              ("rfm_table", "date")])
def test_times_in_every_form_are_read_alike_or_refused(name: str, column: str, form: str) -> None:
    change, expected = TIME_FORMS[form]
    data = base(name)
    data[column] = change(data[column])
    kind, value = everywhere(CASES[name], data)
    assert kind == expected, value
    if kind == "error":
        assert isinstance(value, errors.CXMetricsError) and repr(column) in str(value)


# ------------------------------------------------------------- functions without a frame

PLANNING_BAD: list[tuple[Callable[[], Any], str]] = [
    (lambda: cx.sample_size_nps(0), "margin"), (lambda: cx.sample_size_nps("5"), "margin"),
    (lambda: cx.sample_size_nps(True), "margin"), (lambda: cx.sample_size_nps(float("nan")), "margin"),
    (lambda: cx.sample_size_nps(5, points=False), "margin"), (lambda: cx.sample_size_nps(250), "margin"),
    (lambda: cx.sample_size_nps(5, expected_nps=150), "expected_nps"),
    (lambda: cx.sample_size_nps(5, passives=1.0), "passives"),
    (lambda: cx.sample_size_nps(5, confidence="0.95"), "confidence"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=30), "equal"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=40, power=1.0), "power"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=40, alpha="0.05"), "alpha"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=40, ratio=0), "ratio"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=40, alternative="bigger"), "alternative"),
    (lambda: cx.sample_size_compare(csat_a=80, csat_b=120), "outside"),
    (lambda: cx.sample_size_compare(nps_a=30, nps_b=40, csat_a=80), "nps_a"),
    (lambda: cx.minimum_detectable_difference(n_a=100, nps_a=30, power=0.01), "power"),
    (lambda: cx.minimum_detectable_difference(n_a=1, nps_a=30), "n_a"),
    (lambda: cx.minimum_detectable_difference(n_a=100.0, nps_a=30), "n_a"),
    (lambda: cx.minimum_detectable_difference(n_a=100, n_b=True, nps_a=30), "n_b"),
    (lambda: cx.default_rules(labels="fr"), "labels"),
    (lambda: cx.validate_rules([{"segment": "a", "r_min": "1"}]), "r_min"),
    (lambda: cx.validate_rules([{"segment": "a", "f_max": True}]), "f_max"),
    (lambda: cx.validate_rules([{"segment": None}]), "segment"),
    (lambda: cx.validate_rules([{"segment": "a", "r_min": 4, "r_max": 2}]), "r_min"),
    (lambda: cx.validate_rules([{"segment": "a"}], bins=1), "bins"),
    (lambda: cx.validate_rules([]), "rules"),
    (lambda: cx.load_margins(3), "path"), (lambda: cx.load_margins(None), "path"),
    (lambda: cx.load_margins("/nonexistent/margins.toml"), "margins file"),
]


@pytest.mark.parametrize(("make_call", "named"), PLANNING_BAD, ids=[n for _, n in PLANNING_BAD])
def test_planning_rules_and_margins_refuse_bad_arguments_by_name(make_call: Callable[[], Any],
                                                                 named: str) -> None:
    with pytest.raises(errors.CXMetricsError, match=named):
        make_call()


def test_a_margins_path_that_is_a_directory_is_named(tmp_path: Any) -> None:
    with pytest.raises(errors.CXMetricsError, match="cannot be read"):
        cx.load_margins(tmp_path)


@pytest.mark.parametrize("name", ["nps", "csat", "ces", "compare_csat", "csat_trend", "score_distribution",
                                  "key_drivers_outcome"])
def test_a_categorical_of_ratings_is_read_as_its_numbers(name: str) -> None:
    case = CASES[name]
    data = base(name)
    column = case.value
    plain = everywhere(case, data)
    kind, value = everywhere(case, data.assign(**{column: data[column].astype("category")}))
    assert kind == plain[0] == "ok", value
    same(value, plain[1], "categorical vs plain")
    kind, value = everywhere(case, data.assign(**{column: data[column].astype(str).astype("category")}))
    assert kind == "error" and repr(column) in str(value)  # text categories are text


# ------------------------------------------------- a test and its interval never contradict


def _tables_frame(sizes: range) -> pd.DataFrame:
    """One group per small table (a satisfied of n), as rows of ratings 5 (top box) and 1."""
    rows = []
    for n in sizes:
        for a in range(n + 1):
            rows += [{"g": f"{a}/{n}", "sat": 5 if i < a else 1} for i in range(n)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["score", "newcombe"])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_compare_csat_test_and_interval_agree_on_every_small_table(method: str, confidence: float) -> None:
    frame = _tables_frame(range(1, 9))
    result = cx.compare_csat(frame, score="sat", by="g", method=method, confidence=confidence,
                             p_adjust="none")
    assert len(result) == 44 * 43 // 2
    alpha = 1 - confidence
    clear = (result["p_value"] - alpha).abs() > 1e-7
    rejects = result["p_value"] < alpha
    excludes_zero = (result["ci_low"] > 0) | (result["ci_high"] < 0)
    assert clear.mean() > 0.99
    assert not (clear & (rejects != excludes_zero)).any(), result[clear & (rejects != excludes_zero)].head()
    assert set(result["test"]) == {method}


def test_compare_csat_anchor_through_the_public_function() -> None:
    # 0/16 against 15/72 (Fagerland, Lydersen & Laake 2017): Miettinen-Nurminen (-0.3164, -0.0056)
    frame = pd.DataFrame({"g": ["a"] * 16 + ["b"] * 72, "s": [1] * 16 + [5] * 15 + [1] * 57})
    for backend in BACKENDS:
        row = as_pandas(cx.compare_csat(convert(frame, backend), score="s", by="g")).iloc[0]
        assert row["ci_low"] == pytest.approx(-31.64, abs=5e-3)
        assert row["ci_high"] == pytest.approx(-0.56, abs=5e-3)
        assert row["p_value"] < 0.05 and row["test"] == "score"


def test_csat_trend_change_test_and_interval_agree() -> None:
    frame = _tables_frame(range(1, 9))
    groups = frame["g"].unique()
    periods = {g: pd.Timestamp("2024-01-01") + pd.DateOffset(months=i) for i, g in enumerate(groups)}
    frame["when"] = frame["g"].map(periods)
    trend = cx.csat_trend(frame, score="sat", time="when", freq="M")
    tested = trend[trend["change_p_value"].notna()]
    assert len(tested) > 30
    rejects = tested["change_p_value"] < 0.05
    excludes = (tested["change_ci_low"] > 0) | (tested["change_ci_high"] < 0)
    clear = (tested["change_p_value"] - 0.05).abs() > 1e-7
    assert not (clear & (rejects != excludes)).any()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_pandas_frame_with_a_column_twice_is_refused_naming_it(name: str) -> None:
    case = CASES[name]
    data = base(name)
    column = case.value or case.by or data.columns[0]
    doubled = pd.concat([data, data[[column]]], axis=1)
    kind, value = run(case, doubled)
    assert kind == "error" and isinstance(value, errors.ColumnClashError) and repr(column) in str(value)


@pytest.mark.parametrize("bad", [[1, 2, 3], {"ltr": [1, 2]}, np.arange(3), None, pd.Series([1, 2])])
@pytest.mark.parametrize("name", sorted(CASES))
def test_data_that_is_not_a_frame_is_named(name: str, bad: Any) -> None:
    kind, value = run(CASES[name], bad)
    assert kind == "error" and "data" in str(value)


ROLE_CLASHES: list[tuple[str, dict[str, Any], str]] = [
    ("rfm_table", {"customer": "date"}, "'date'"), ("rfm_table", {"amount": "customer"}, "'customer'"),
    ("nps_weighted", {"weights": "ltr"}, "'ltr'"), ("nps_trend", {"time": "ltr"}, "'ltr'"),
    ("key_drivers", {"weights": "ltr"}, "'ltr'"), ("key_drivers", {"by": "x1"}, "'x1'"),
    ("compare_nps_paired", {"subject": "wave"}, "'wave'"),
    ("compare_nps", {"subject": "respondent"}, "paired"),
    ("segment_profile", {"revenue": "segment"}, "'segment'"),
]


@pytest.mark.parametrize(("name", "options", "named"), ROLE_CLASHES,
                         ids=[f"{n}-{next(iter(o))}" for n, o, _ in ROLE_CLASHES])
def test_one_column_in_two_roles_is_refused(name: str, options: dict[str, Any], named: str) -> None:
    kind, value = everywhere(CASES[name], base(name), **options)
    assert kind == "error" and named in str(value), value


def test_a_metric_may_also_be_averaged_in_a_profile() -> None:
    kind, value = everywhere(CASES["segment_profile"], base("segment_profile"), value="recency")
    assert kind == "ok" and {"recency_median", "recency_mean"} <= set(value.columns)


INTERNAL_ROLES: list[tuple[str, str, Callable[[str], dict[str, Any]]]] = [
    ("score_distribution", "ltr", lambda c: {"score": c}), ("nps", "ltr", lambda c: {"score": c}),
    ("nps_weighted", "weight", lambda c: {"weights": c}), ("nps_trend", "when", lambda c: {"time": c}),
    ("key_drivers", "x1", lambda c: {"drivers": [c, "x2"]}),
    ("key_drivers", "ltr", lambda c: {"outcome": c}),
    ("rake", "region", lambda c: {"margins": {c: MARGINS["region"]}}),
    ("rake_base", "weight", lambda c: {"base_weight": c}),
    ("poststratify", "region", lambda c: {"cells": c, "population": MARGINS["region"]}),
    ("calibrate", "x1", lambda c: {"totals": {c: 3.0}}),
    ("rfm_table", "customer", lambda c: {"customer": c}), ("rfm_table", "amount", lambda c: {"amount": c}),
    ("segment_profile", "revenue", lambda c: {"revenue": c}),
]


@pytest.mark.parametrize("internal", ["__cx_n", "__cx_rows"])
@pytest.mark.parametrize(("name", "column", "options"), INTERNAL_ROLES,
                         ids=[f"{n}-{c}" for n, c, _ in INTERNAL_ROLES])
def test_any_role_named_with_the_internal_prefix_is_refused(name: str, column: str,
                                                            options: Callable[[str], dict[str, Any]],
                                                            internal: str) -> None:
    data = base(name).rename(columns={column: internal})
    kind, value = everywhere(CASES[name], data, **options(internal))
    assert kind == "error" and isinstance(value, errors.ColumnClashError) and internal in str(value), value


@pytest.mark.parametrize(("name", "data"), [("rfm_score", lambda: cx.rfm_score(rfm())),
                                            ("rfm_segment", scored)])
def test_scoring_again_would_overwrite_and_is_refused(name: str, data: Callable[[], pd.DataFrame]) -> None:
    kind, value = everywhere(CASES[name], data())
    assert kind == "error" and isinstance(value, errors.ColumnClashError)
    assert ("segment" if name == "rfm_segment" else "r_score") in str(value)


@pytest.mark.parametrize("bad", [[1.0, np.inf], [np.nan, 1.0], ["a"], [True, False], 3, None,
                                 np.ones((2, 2))])
def test_a_weight_report_of_bad_weights_is_refused_naming_them(bad: Any) -> None:
    with pytest.raises(errors.CXMetricsError, match="weights"):
        cx.weights.WeightReport.from_weights(bad)


def test_a_weight_report_of_no_weights_is_empty() -> None:
    report = cx.weights.WeightReport.from_weights([])
    assert report.n == 0 and report.n_eff == 0 and np.isnan(report.design_effect)


@pytest.mark.parametrize(("name", "column"), [("nps", "ltr"), ("nps_weighted", "weight"), ("csat", "sat"),
                                              ("compare_csat", "sat"), ("nps_trend", "ltr"),
                                              ("key_drivers_outcome", "x1"), ("rfm_table", "amount"),
                                              ("segment_profile", "monetary")])
def test_a_pandas_object_column_of_numbers_is_read_as_numbers(name: str, column: str) -> None:
    """polars and pyarrow make such a column numeric; pandas now agrees (text stays refused)."""
    case = CASES[name]
    data = base(name)
    kind, value = everywhere(case, data.assign(**{column: data[column].astype(object)}))
    plain_kind, plain = everywhere(case, data)
    assert kind == plain_kind == "ok", value
    same(value, plain, "object vs numeric")


@pytest.mark.parametrize("name", ["nps", "key_drivers", "segment_profile"])
def test_a_group_column_mixing_kinds_is_refused_naming_it(name: str) -> None:
    case = CASES[name]
    data = base(name)
    data[case.by] = pd.Series([1 if i % 2 else "a" for i in range(len(data))], dtype=object)
    kind, value = run(case, data)
    assert kind == "error" and isinstance(value, errors.ColumnTypeError) and repr(case.by) in str(value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CASES)), kind=st.sampled_from(sorted(MUTATIONS)),
       positions=st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
def test_edge_inputs_at_random_rows(name: str, kind: str, positions: list[int]) -> None:
    case = CASES[name]
    frame = mutate(case, kind, base(name), positions)
    if frame is None:
        return
    outcome, _ = everywhere(case, frame)
    if EXPECTED.get((name, kind), MUTATIONS[kind]) == "error":
        assert outcome == "error", f"{kind} was accepted"


@pytest.mark.parametrize("name", ["nps", "csat", "score_distribution", "nps_trend", "compare_nps",
                                  "key_drivers", "importance_performance", "nps_strata"])
@pytest.mark.parametrize("ordered", [False, True])
def test_categorical_groups_sort_alike_on_every_backend(name: str, ordered: bool) -> None:
    case = CASES[name]
    data = base(name)
    data[case.by] = pd.Categorical(data[case.by], categories=["south", "north", "east", "west"],
                                   ordered=ordered)
    kind, value = everywhere(case, data)
    assert kind == "ok", value
    column = "group_a" if name == "compare_nps" else case.by
    firsts = list(dict.fromkeys(value[column]))
    assert firsts == sorted(firsts)  # by their text, whatever the category order
