"""The bad-input suite of cxmetrics.text: every public function, fed edge and bad inputs on
pandas, polars, pyarrow and a polars LazyFrame.

Each call ends in one of two ways: a documented result, or an error from :mod:`cxmetrics.errors`
whose message names the argument or column at fault; never a raw exception. The eager backends
agree (same outcome, same error class, same numbers), a LazyFrame fails like the eager frames
(and, where it succeeds, gives the eager answer), and the caller's frame comes back unchanged.
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

from cxmetrics import errors, text
from tests.backends import as_pandas, convert

EAGER = ["pandas", "polars", "pyarrow"]
BACKENDS = [*EAGER, "polars_lazy"]

COMMENTS = [
    "送餐太慢了，饭都凉了",
    "味道不错，包装很好",
    "客服态度很好",
    "骑手迟到一个小时",
    "味道一般，价格便宜",
    "质量差，再也不买了",
    "物流很快，包装完好",
    "东西很好用",
    "太难吃了，送餐也慢",
    "价格便宜，味道好",
    "一般般吧",
    "服务热情，送餐快",
]


def reviews() -> pd.DataFrame:
    n = len(COMMENTS)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "store": ["a", "b", "c"] * (n // 3),
            "ltr": [2, 9, 10, 3, 8, 1, 10, 9, 0, 9, 7, 10],
            "customer": ["c1", "c2", "c1", "c3"] * (n // 4),
            "comment": COMMENTS,
            "late": [True, False, False, True, False, False, False, False, True, False, False, False],
            "taste": [False, True, False, False, True, False, False, False, True, True, False, False],
        }
    )


TOPIC_COMMENTS = [
    "骑手迟到一个小时",
    "配送超时，骑手还没到",
    "小时才送达，配送太慢",
    "味道不错，口感很好",
    "口感一般，味道偏咸",
    "味道很好，口感新鲜",
]


def topic_reviews() -> pd.DataFrame:
    return pd.DataFrame(
        {"store": ["a", "b", "c"] * 10, "ltr": [2, 3, 4, 9, 8, 10] * 5, "comment": TOPIC_COMMENTS * 5}
    )


_MODEL: list[text.TopicModel] = []


def topic_model() -> text.TopicModel:
    if not _MODEL:
        _MODEL.append(text.topics(topic_reviews(), text="comment", k=2))
    return _MODEL[0]


# ---------------------------------------------------------------------- the public functions


def _series(data: Any, column: str = "comment") -> Any:
    """The text column as the library's own Series (a LazyFrame is passed on as it is)."""
    if isinstance(data, pl.LazyFrame):
        return data
    return data[column]


def _named(result: Any) -> Any:
    """A pyarrow array has no name: its texts come back in a column called ``text``."""
    return (
        result.rename_columns(["comment", *result.column_names[1:]])
        if isinstance(result, pa.Table)
        else result
    )


def _plain(result: Any) -> Any:
    """A result in a form the backends can be compared on (pandas frames, lists, dicts)."""
    if isinstance(result, (text.AspectSentiment, text.Redaction)):
        return tuple(_plain(part) for part in result)
    if isinstance(result, text.TopicModel):
        return _plain(result.summary())
    if isinstance(result, (pd.Series, pl.Series, pa.ChunkedArray, pa.Array)):
        values = result.to_pylist() if isinstance(result, (pa.ChunkedArray, pa.Array)) else result.to_list()
        return [None if _missing(v) else _scalar(v) for v in values]
    if isinstance(result, (dict, list, tuple, str)):
        return result
    return as_pandas(result)


class Case:
    """A public function called on a frame: ``call(data, **options)``; ``by`` is its group
    option (None when it has none); ``per_row`` says a lazy input gives a lazy result."""

    def __init__(
        self,
        call: Callable[..., Any],
        *,
        by: bool = True,
        per_row: bool = False,
        make: Callable[[], pd.DataFrame] = reviews,
        text_column: bool = True,
        series: bool = False,
    ) -> None:
        self.call, self.by, self.per_row, self.make, self.text_column = call, by, per_row, make, text_column
        self.series = series  # takes texts (a Series), not a frame: no lazy form to run


CASES: dict[str, Case] = {
    "normalize": Case(lambda d, **k: text.normalize(_series(d), **k), by=False, series=True),
    "tokenize": Case(lambda d, **k: text.tokenize(_series(d), **k), by=False, series=True),
    "redact": Case(lambda d, **k: text.redact(_series(d), **k), by=False, series=True),
    "sentiment": Case(lambda d, **k: text.sentiment(d, text="comment", **k), by=False, per_row=True),
    "sentiment_series": Case(lambda d, **k: _named(text.sentiment(_series(d), **k)), by=False, series=True),
    "sentiment_batches": Case(
        lambda d, **k: list(text.sentiment_batches([d], text="comment", **k)), by=False
    ),
    "sentiment_summary": Case(lambda d, **k: text.sentiment_summary(d, text="comment", **k)),
    "keywords": Case(lambda d, **k: text.keywords(d, text="comment", **k)),
    "keywords_log_odds": Case(
        lambda d, **k: text.keywords(d, text="comment", method="log_odds", **({"by": "store"} | k))
    ),
    "word_freq": Case(lambda d, **k: text.word_freq(d, text="comment", **k)),
    "ngrams": Case(lambda d, **k: text.ngrams(d, text="comment", **k)),
    "aspect_sentiment": Case(lambda d, **k: text.aspect_sentiment(d, text="comment", **k)),
    "flag_negative": Case(
        lambda d, **k: text.flag_negative(d, text="comment", score="ltr", customer="customer", **k), by=False
    ),
    "topics": Case(lambda d, **k: text.topics(d, text="comment", k=2, **k), make=topic_reviews),
    "topic_model_shares": Case(
        lambda d, **k: topic_model().shares(d, text="comment", **k), make=topic_reviews
    ),
    "topic_model_assign": Case(
        lambda d, **k: topic_model().assign(d, text="comment", **k), by=False, make=topic_reviews
    ),
    "topic_impact_model": Case(
        lambda d, **k: text.topic_impact(
            d, **({"score": "ltr", "topics": topic_model(), "text": "comment", "n_boot": 0} | k)
        ),
        make=topic_reviews,
    ),
    "topic_impact_columns": Case(
        lambda d, **k: text.topic_impact(
            d, **({"score": "ltr", "topics": ["late", "taste"], "n_boot": 0} | k)
        ),
        text_column=False,
    ),
}


def outcome(case: Case, native: Any, **options: Any) -> tuple[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CXMetricsWarning)  # a test may silence warnings
            result = case.call(native, **options)
    except errors.CXMetricsError as error:
        return "error", error
    return "ok", result


def snapshot(native: Any) -> Any:
    if isinstance(native, pd.DataFrame):
        return native.copy(deep=True)
    if isinstance(native, pl.LazyFrame):
        return native.collect()
    return native.clone() if isinstance(native, pl.DataFrame) else native  # arrow is immutable


def unchanged(native: Any, before: Any) -> bool:
    if isinstance(native, pd.DataFrame):
        return (
            native.equals(before)
            and list(native.columns) == list(before.columns)
            and list(native.dtypes) == list(before.dtypes)
        )
    if isinstance(native, pl.LazyFrame):
        return native.collect().equals(before)
    return bool(native.equals(before))


def same(left: Any, right: Any, where: str) -> None:
    if isinstance(left, tuple) and isinstance(right, tuple):
        assert len(left) == len(right), where
        for a, b in zip(left, right, strict=True):
            same(a, b, where)
        return
    if isinstance(left, pd.DataFrame):
        assert isinstance(right, pd.DataFrame), where
        assert list(left.columns) == list(right.columns), where
        assert len(left) == len(right), where
        for column in left.columns:
            a, b = left[column], right[column]
            if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
                np.testing.assert_allclose(
                    a.to_numpy(dtype=float, na_value=np.nan),
                    b.to_numpy(dtype=float, na_value=np.nan),
                    rtol=1e-9,
                    atol=1e-12,
                    err_msg=f"{where}: {column}",
                )
            else:
                plain = [[None if _missing(v) else _scalar(v) for v in s] for s in (a, b)]
                assert plain[0] == plain[1], f"{where}: {column}"
        return
    if isinstance(left, list) and isinstance(right, list) and left and isinstance(left[0], pd.DataFrame):
        for a, b in zip(left, right, strict=True):
            same(a, b, where)
        return
    assert _nan_equal(left, right), f"{where}: {left!r} != {right!r}"


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (list, np.ndarray)) and bool(pd.isna(value)))


def _scalar(value: Any) -> Any:
    return list(value) if isinstance(value, np.ndarray) else value


def _nan_equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (np.isnan(a) and np.isnan(b)) or a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_nan_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _comparable(result: Any) -> Any:
    if (
        isinstance(result, list)
        and result
        and isinstance(result[0], (pd.DataFrame, pl.DataFrame, pl.LazyFrame, pa.Table))
    ):
        return [as_pandas(part) for part in result]
    plain = _plain(result)
    if isinstance(plain, list):
        return [tuple(v) if isinstance(v, text.Sentiment) else v for v in plain]
    return plain


def check_everywhere(
    case: Case, frame: pd.DataFrame, *, names: set[str], lazy: bool = True, **options: Any
) -> tuple[str, Any]:
    """Run on every backend; assert the contract; return the pandas outcome (or the first)."""
    results: dict[str, tuple[str, Any]] = {}
    for backend in BACKENDS if lazy and not case.series else EAGER:
        try:
            native = convert(frame, backend)
        except (pa.ArrowException, pl.exceptions.PolarsError, TypeError, ValueError):
            continue  # the library cannot hold this column (mixed objects): not ours to test
        before = snapshot(native)
        results[backend] = outcome(case, native, **options)
        assert unchanged(native, before), f"{backend}: the input frame was modified"
    kinds = {backend: kind for backend, (kind, _) in results.items()}
    assert len(set(kinds.values())) == 1, f"backends disagree: {results}"
    kind, value = results.get("pandas") or next(iter(results.values()))
    if kind == "error":
        assert len({type(v) for _, v in results.values()}) == 1, f"error classes differ: {results}"
        for backend, (_, error) in results.items():
            assert any(name in str(error) for name in names), (
                f"{backend}: the error names none of {sorted(names)}: {error}"
            )
        return kind, value
    reference = _comparable(value)
    for backend, (_, result) in results.items():
        if backend == "polars_lazy" and case.per_row:
            assert isinstance(result, pl.LazyFrame), "a per-row result of a lazy frame stays lazy"
        same(_comparable(result), reference, backend)
    return kind, value


# ------------------------------------------------------------------------------ edge data


def _with(frame: pd.DataFrame, column: str, values: Any) -> pd.DataFrame:
    frame = frame.copy()
    frame[column] = (
        values if not isinstance(values, list) else pd.Series(values, index=frame.index, dtype=object)
    )
    return frame


def _cycle(values: list[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


#: edge data: kind -> (make the frame from the base, the names an error must mention)
EDGES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "empty": lambda f: f.iloc[:0],
    "one_row": lambda f: f.iloc[:1],
    "null_text": lambda f: _with(
        f, "comment", [None if i % 3 == 0 else c for i, c in enumerate(f["comment"])]
    ),
    "nan_text": lambda f: _with(
        f, "comment", [np.nan if i % 4 == 1 else c for i, c in enumerate(f["comment"])]
    ),
    "all_missing_text": lambda f: _with(f, "comment", [None] * len(f)),
    "blank_and_symbols": lambda f: _with(f, "comment", _cycle(["", "   ", "???", "123", "😀", "好"], len(f))),
    "mixed_text": lambda f: _with(
        f, "comment", [c if i % 3 else [5, 2.5, True, b"x"][i % 4] for i, c in enumerate(f["comment"])]
    ),
    "categorical_text": lambda f: f.assign(comment=f["comment"].astype("category")),
    "string_dtype_text": lambda f: f.assign(
        comment=f["comment"].astype("string").where(np.arange(len(f)) % 5 != 2, pd.NA)
    ),
    "pyarrow_text": lambda f: f.convert_dtypes(dtype_backend="pyarrow"),
    "null_keys": lambda f: _with(f, "store", [None if i % 3 == 2 else s for i, s in enumerate(f["store"])]),
    "nan_keys": lambda f: _with(f, "store", [np.nan if i % 3 == 2 else s for i, s in enumerate(f["store"])]),
    "categorical_keys": lambda f: f.assign(store=f["store"].astype("category")),
    "bool_keys": lambda f: f.assign(store=np.arange(len(f)) % 2 == 0),
    "int_keys": lambda f: f.assign(store=np.arange(len(f)) % 3),
    "date_keys": lambda f: f.assign(
        store=pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(f)) % 2, unit="D")
    ),
    "nullable_int_keys": lambda f: f.assign(
        store=pd.array([None if i % 4 == 0 else i % 2 for i in range(len(f))], dtype="Int64")
    ),
}

#: kinds where the text column holds no text: an error naming it, for every text function
NO_TEXT: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "int_text": lambda f: f.assign(comment=np.arange(len(f))),
    "float_text": lambda f: f.assign(comment=np.where(np.arange(len(f)) % 2, 1.5, np.nan)),
    "object_numbers_text": lambda f: _with(f, "comment", _cycle([1, 2.5, None], len(f))),
    "bool_text": lambda f: f.assign(comment=np.arange(len(f)) % 2 == 0),
    "date_text": lambda f: f.assign(
        comment=pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(f)), unit="D")
    ),
}


#: edge data in the score and topic columns (flag_negative, topic_impact): a result or an error naming them
SCORE_EDGES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "nan_score": lambda f: f.assign(ltr=f["ltr"].astype(float).where(np.arange(len(f)) % 4 != 1)),
    "nullable_score": lambda f: f.assign(
        ltr=f["ltr"].astype("Int64").where(np.arange(len(f)) % 4 != 1, pd.NA)
    ),
    "inf_score": lambda f: f.assign(ltr=f["ltr"].astype(float).where(np.arange(len(f)) % 4 != 1, np.inf)),
    "fraction_score": lambda f: f.assign(ltr=f["ltr"] + 0.5),
    "out_of_range_score": lambda f: f.assign(ltr=f["ltr"] + 5),
    "string_score": lambda f: f.assign(ltr=f["ltr"].astype(str)),
    "bool_score": lambda f: f.assign(ltr=f["ltr"] > 6),
    "pyarrow_everything": lambda f: f.convert_dtypes(dtype_backend="pyarrow"),
    "nullable_topics": lambda f: f.assign(
        late=f["late"].astype("boolean").where(np.arange(len(f)) % 5 != 0, pd.NA)
    ),
    "int_topics": lambda f: f.assign(late=f["late"].astype(int), taste=f["taste"].astype(int)),
    "two_valued_topics": lambda f: f.assign(late=f["late"].astype(int) * 2),
    "string_topics": lambda f: f.assign(late=f["late"].astype(str)),
    "null_customers": lambda f: _with(
        f, "customer", [None if i % 3 == 0 else c for i, c in enumerate(f["customer"])]
    ),
    "nan_customers": lambda f: _with(
        f, "customer", [np.nan if i % 3 == 0 else c for i, c in enumerate(f["customer"])]
    ),
}
SCORED = ["flag_negative", "topic_impact_model", "topic_impact_columns"]


@pytest.mark.parametrize("kind", SCORE_EDGES)
@pytest.mark.parametrize("name", SCORED)
def test_edge_scores_end_in_a_result_or_a_named_error(name: str, kind: str) -> None:
    case = CASES[name]
    frame = case.make()
    if ("topics" in kind and "late" not in frame.columns) or (
        "customer" in kind and "customer" not in frame.columns
    ):
        pytest.skip("the case has no such column")
    got, error = check_everywhere(case, SCORE_EDGES[kind](frame), names={"'ltr'", "'late'"})
    topic_columns = case is CASES["topic_impact_columns"]
    if (
        kind in ("inf_score", "string_score", "bool_score")
        or (kind in ("string_topics", "two_valued_topics") and topic_columns)
        or (kind in ("fraction_score", "out_of_range_score"))
    ):
        assert got == "error", (kind, error)


def _options(case: Case, kind: str) -> dict[str, Any]:
    return {"by": "store"} if case.by and "keys" in kind else {}


@pytest.mark.parametrize("kind", EDGES)
@pytest.mark.parametrize("name", CASES)
def test_edge_inputs_end_in_a_result_or_a_named_error(name: str, kind: str) -> None:
    case = CASES[name]
    frame = EDGES[kind](case.make())
    got, value = check_everywhere(
        case, frame, names={"comment", "store", "ltr", "data", "text", "k", "by"}, **_options(case, kind)
    )
    if kind in ("null_keys", "nan_keys") and got == "ok" and case.by:
        plain = _plain(value)
        tables = [t for t in (plain if isinstance(plain, tuple) else (plain,)) if "store" in t.columns]
        assert tables and all(t["store"].isna().any() for t in tables), "the null key is its own group"


@pytest.mark.parametrize("kind", NO_TEXT)
@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.text_column])
def test_a_column_holding_no_text_is_an_error_naming_it(name: str, kind: str) -> None:
    case = CASES[name]
    frame = NO_TEXT[kind](case.make())
    if name == "sentiment_batches" and kind == "object_numbers_text":
        # one batch of a column: whether it holds a string depends on how the rows were split,
        # so only the column's type is checked (polars and arrow type these values as numbers),
        # and a pandas object batch is scored ("not_text")
        (batch,) = case.call(frame)
        assert set(batch["reason"].dropna()) == {"not_text", "missing"}
        return
    got, error = check_everywhere(case, frame, names={"'comment'", "unnamed Series of texts"})
    assert got == "error" and isinstance(error, errors.ColumnTypeError), error


def test_a_mixed_column_scores_its_strings_and_gives_the_rest_a_reason() -> None:
    frame = pd.DataFrame({"comment": ["很好用", 5, None, 2.5, "太差了", True]})
    out = text.sentiment(frame, text="comment")
    assert out["reason"].tolist()[1:4] == ["not_text", "missing", "not_text"]
    assert out["label"].tolist()[0] == "positive" and out["label"].tolist()[4] == "negative"
    summary = text.sentiment_summary(frame, text="comment")
    assert summary["n"].tolist() == [6] and summary["n_scored"].tolist() == [2]
    assert text.normalize(frame["comment"]).isna().tolist() == [False, True, True, True, False, True]


def test_null_group_keys_are_one_group_on_every_backend() -> None:
    frame = EDGES["null_keys"](reviews())
    for backend in EAGER:
        out = as_pandas(text.sentiment_summary(convert(frame, backend), text="comment", by="store"))
        assert out["store"].tolist()[:2] == ["a", "b"] and pd.isna(out["store"].tolist()[2])
        assert out["n"].tolist() == [4, 4, 4]


# -------------------------------------------------------------------------- clashing names

#: name -> (the caller's column that clashes, the options that bring it into the result)
CLASHES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "sentiment": [("score", {}), ("label", {}), ("reason", {}), ("s_label", {"prefix": "s_"})],
    "sentiment_batches": [("reason", {})],
    "sentiment_summary": [(c, {"by": c}) for c in ("n", "n_scored", "share_negative", "mean_score")],
    "keywords": [(c, {"by": c}) for c in ("keyword", "weight", "rank")],
    "keywords_log_odds": [(c, {"by": c}) for c in ("z", "se", "log_odds")],
    "word_freq": [(c, {"by": c}) for c in ("word", "share", "doc_freq")],
    "ngrams": [(c, {"by": c}) for c in ("ngram", "count")],
    "aspect_sentiment": [(c, {"by": c}) for c in ("row", "aspect", "mentions", "label", "clause")],
    "flag_negative": [(c, {"keep": c}) for c in ("rank", "row", "severity", "reason", "sentiment")],
    "topics": [(c, {"by": c}) for c in ("topic", "share", "n")],
    "topic_model_shares": [(c, {"by": c}) for c in ("topic", "ci_low", "n_comments")],
    "topic_model_assign": [("topic", {})],
    "topic_impact_model": [(c, {"by": c}) for c in ("topic", "p_value", "with")],
    "topic_impact_columns": [(c, {"by": c}) for c in ("topic", "difference", "method")],
}


@pytest.mark.parametrize("name", CLASHES)
def test_a_column_named_like_a_result_column_is_a_clash_error(name: str) -> None:
    case = CASES[name]
    for column, options in CLASHES[name]:
        frame = case.make()
        frame = frame.assign(**{column: ["x", "y"] * (len(frame) // 2)})
        got, error = check_everywhere(case, frame, names={f"'{column}'"}, **options)
        assert got == "error" and isinstance(error, errors.ColumnClashError), (column, error)


@pytest.mark.filterwarnings("ignore::cxmetrics.errors.UntestableWarning")  # one topic per comment
@pytest.mark.parametrize("internal", ["__score", "__t0", "__w", "__cx_score", "__cx_t0", "__cx_w"])
def test_internal_names_step_out_of_the_callers_way(internal: str) -> None:
    options: dict[str, Any] = {"score": "ltr", "topics": ["late", "taste"], "n_boot": 0}
    expected = as_pandas(text.topic_impact(reviews(), by="store", **options))
    got = as_pandas(text.topic_impact(reviews().rename(columns={"store": internal}), by=internal, **options))
    same(got, expected.rename(columns={"store": internal}), internal)
    beside = as_pandas(text.topic_impact(reviews().assign(**{internal: 1.0}), by="store", **options))
    same(beside, expected, internal)


# ------------------------------------------------------------------------------ bad scalars

#: name -> [(options, the name the error must mention)]
BAD_SCALARS: dict[str, list[tuple[dict[str, Any], str]]] = {
    "normalize": [
        ({"to": "pinyin"}, "to"),
        ({"emoji": 1}, "emoji"),
        ({"width": "no"}, "width"),
        ({"strip_urls": 1}, "strip_urls"),
        ({"lower": None}, "lower"),
    ],
    "tokenize": [
        ({"stopwords": 5}, "stopwords"),
        ({"stopwords": True}, "stopwords"),
        ({"stopwords": [1, 2]}, "stopwords"),
        ({"user_dict": 5}, "user_dict"),
        ({"user_dict": [3]}, "user_dict"),
        ({"hmm": "yes"}, "hmm"),
        ({"replace_stopwords": 1}, "replace_stopwords"),
        ({"stopwords": "no_such_file.txt"}, "stopwords"),
    ],
    "redact": [
        ({"kinds": "telephone"}, "telephone"),
        ({"kinds": 5}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["phone", 3]}, "kinds"),
        ({"kinds": None}, "kinds"),
    ],
    "sentiment": [
        ({"method": "bert"}, "method"),
        ({"method": None}, "method"),
        ({"thresholds": (0.6, 0.4)}, "thresholds"),
        ({"thresholds": ("0.3", "0.7")}, "thresholds"),
        ({"thresholds": 0.5}, "thresholds"),
        ({"thresholds": (0.1,)}, "thresholds"),
        ({"thresholds": (0.2, 1.5)}, "thresholds"),
        ({"thresholds": (True, 0.6)}, "thresholds"),
        ({"thresholds": (np.nan, 0.6)}, "thresholds"),
        ({"thresholds": "0.4,0.6"}, "thresholds"),
        ({"prefix": 5}, "prefix"),
        ({"prefix": None}, "prefix"),
        ({"model": "shipped"}, "model"),
        ({"model": 3}, "model"),
    ],
    "sentiment_batches": [
        ({"method": "bert"}, "method"),
        ({"thresholds": (0.9, 0.1)}, "thresholds"),
        ({"prefix": 1}, "prefix"),
        ({"bogus": 1}, "bogus"),
    ],
    "sentiment_summary": [
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": "0.95"}, "confidence"),
        ({"confidence": True}, "confidence"),
        ({"confidence": 0}, "confidence"),
        ({"thresholds": (0.7, 0.2)}, "thresholds"),
        ({"thresholds": ["a", "b"]}, "thresholds"),
        ({"method": "vader"}, "method"),
        ({"by": 5}, "by"),
        ({"by": ["store", "store"]}, "store"),
        ({"by": "nope"}, "nope"),
        ({"by": {"store"}}, "by"),
    ],
    "keywords": [
        ({"n": "5"}, "n"),
        ({"n": True}, "n"),
        ({"n": 0}, "n"),
        ({"n": 2.0}, "n"),
        ({"n": None}, "n"),
        ({"method": "lda"}, "method"),
        ({"stopwords": 5}, "stopwords"),
        ({"stopwords": 1.5}, "stopwords"),
        ({"min_length": "2"}, "min_length"),
        ({"min_length": 0}, "min_length"),
        ({"min_length": True}, "min_length"),
        ({"replace_stopwords": "yes"}, "replace_stopwords"),
        ({"user_dict": 3}, "user_dict"),
        ({"by": 3}, "by"),
    ],
    "keywords_log_odds": [
        ({"prior": 0}, "prior"),
        ({"prior": "1"}, "prior"),
        ({"prior": True}, "prior"),
        ({"prior": np.inf}, "prior"),
        ({"by": None}, "by"),
    ],
    "word_freq": [
        ({"n": "5"}, "n"),
        ({"n": True}, "n"),
        ({"n": -1}, "n"),
        ({"stopwords": 7}, "stopwords"),
        ({"min_length": 1.5}, "min_length"),
    ],
    "ngrams": [
        ({"n": "5"}, "n"),
        ({"n": False}, "n"),
        ({"length": 1}, "length"),
        ({"length": "2"}, "length"),
        ({"length": True}, "length"),
        ({"length": 2.0}, "length"),
    ],
    "aspect_sentiment": [
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": "0.9"}, "confidence"),
        ({"thresholds": (0.8, 0.1)}, "thresholds"),
        ({"domain": "cars"}, "domain"),
        ({"domain": 3}, "domain"),
        ({"aspects": 5}, "aspects"),
        ({"aspects": "mine"}, "aspects"),
        ({"aspects": {"speed": 5}}, "speed"),
        ({"aspects": {"speed": []}}, "speed"),
        ({"aspects": {"speed": "快"}}, "speed"),
        ({"aspects": {}}, "aspects"),
    ],
    "flag_negative": [
        ({"sentiment_threshold": 1.5}, "sentiment_threshold"),
        ({"sentiment_threshold": "0.3"}, "sentiment_threshold"),
        ({"sentiment_threshold": True}, "sentiment_threshold"),
        ({"detractor_max": "6"}, "detractor_max"),
        ({"detractor_max": True}, "detractor_max"),
        ({"detractor_max": 6.5}, "detractor_max"),
        ({"detractor_max": 11}, "detractor_max"),
        ({"repeat_min": 1}, "repeat_min"),
        ({"repeat_min": "2"}, "repeat_min"),
        ({"repeat_min": 2.5}, "repeat_min"),
        ({"domain": "cars"}, "domain"),
        ({"aspects": 3}, "aspects"),
        ({"keep": 3}, "keep"),
        ({"keep": "nope"}, "nope"),
    ],
    "topics": [
        ({"seed": "1"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": -1}, "seed"),
        ({"seed": True}, "seed"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": "0.95"}, "confidence"),
        ({"min_df": "1"}, "min_df"),
        ({"min_df": 0}, "min_df"),
        ({"max_df": "0.5"}, "max_df"),
        ({"max_df": 0}, "max_df"),
        ({"max_df": True}, "max_df"),
        ({"max_terms": 2.5}, "max_terms"),
        ({"min_weight": "0.1"}, "min_weight"),
        ({"min_weight": 0}, "min_weight"),
        ({"k_range": 5}, "k_range"),
        ({"k_range": ["2"]}, "k_range"),
        ({"k_range": [1]}, "k_range"),
        ({"stopwords": 4}, "stopwords"),
        ({"user_dict": 4}, "user_dict"),
    ],
    "topic_model_shares": [({"by": 2}, "by"), ({"by": "nope"}, "nope")],
    "topic_model_assign": [({"form": "tall"}, "form"), ({"form": None}, "form")],
    "topic_impact_columns": [
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": "0.95"}, "confidence"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": "0.05"}, "alpha"),
        ({"seed": "1"}, "seed"),
        ({"seed": -2}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"n_boot": True}, "n_boot"),
        ({"n_boot": -1}, "n_boot"),
        ({"n_boot": "5"}, "n_boot"),
        ({"target": "50"}, "target"),
        ({"target": np.inf}, "target"),
        ({"target": True}, "target"),
        ({"method": "logit"}, "method"),
        ({"joint": "ols"}, "joint"),
        ({"weights": "nope"}, "nope"),
        ({"weights": "comment"}, "comment"),
        ({"score": "comment"}, "comment"),
        ({"topics": []}, "topics"),
        ({"topics": ["comment"]}, "comment"),
        ({"topics": ["ltr"]}, "ltr"),
        ({"topics": 5}, "topics"),
        ({"text": 5}, "text"),
    ],
    "topic_impact_model": [({"text": None}, "text"), ({"text": "nope"}, "nope"), ({"text": 3}, "text")],
}


@pytest.mark.parametrize("name", BAD_SCALARS)
def test_bad_scalars_are_named_errors(name: str) -> None:
    case = CASES[name]
    for options, named in BAD_SCALARS[name]:
        got, error = check_everywhere(case, case.make(), names={named}, **options)
        assert got == "error", (name, options, error)


def test_bad_text_arguments_are_named_errors() -> None:
    frame = reviews()
    for function in (
        text.sentiment_summary,
        text.keywords,
        text.word_freq,
        text.ngrams,
        text.aspect_sentiment,
        text.topics,
        text.flag_negative,
    ):
        for bad, named in ((5, "text"), (["comment"], "text"), ("nope", "nope"), (None, "text")):
            if function is text.flag_negative and bad is None:
                continue  # flag_negative scores only when text= is given
            case = Case(lambda d, f=function, b=bad: f(d, text=b), make=reviews)
            got, _ = check_everywhere(case, frame, names={named})
            assert got == "error", (function.__name__, bad)


def test_flag_negative_checks_its_options_without_text_too() -> None:
    for options, named in (
        ({"aspects": 5}, "aspects"),
        ({"domain": "cars"}, "domain"),
        ({"sentiment_threshold": 2}, "sentiment_threshold"),
    ):
        case = Case(lambda d, o=options: text.flag_negative(d, score="ltr", **o), text_column=False)
        got, _ = check_everywhere(case, reviews(), names={named})
        assert got == "error", options
    with pytest.raises(errors.CXMetricsError, match="text= or score="):
        text.flag_negative(reviews())
    sure = text.sentiment("很好", thresholds=np.array([0.3, 0.7]))  # an array pair is a pair
    assert sure.label == "positive"


def test_series_functions_refuse_frames_with_a_hint() -> None:
    for function in (text.normalize, text.tokenize, text.redact):
        for backend in BACKENDS:
            with pytest.raises(errors.ColumnTypeError, match=f"{function.__name__}.*Series"):
                function(convert(reviews(), backend))
        with pytest.raises(errors.ColumnTypeError, match="texts"):
            function(5)


def test_topic_model_edits_check_their_arguments() -> None:
    model = topic_model()
    first = model.names[0]
    bad: list[tuple[Callable[[], Any], str]] = [
        (lambda: model.rename(5), "names"),  # type: ignore[arg-type]
        (lambda: model.rename({first: 3}), "names"),  # type: ignore[dict-item]
        (lambda: model.rename({"nope": "x"}), "nope"),
        (lambda: model.merge(5), "merge"),  # type: ignore[arg-type]
        (lambda: model.merge(model.names, name=3), "name"),  # type: ignore[arg-type]
        (lambda: model.add_words(first, 5), "words"),  # type: ignore[arg-type]
        (lambda: model.add_words(first, [1]), "words"),  # type: ignore[list-item]
        (lambda: model.pin(first, "wifi"), "wifi"),
        (lambda: model.examples(n="3"), "n"),  # type: ignore[arg-type]
        (lambda: model.terms(n=True), "n"),
        (lambda: model.terms(n=0), "n"),
    ]
    for call, named in bad:
        with pytest.raises(errors.CXMetricsError, match=named):
            call()


def test_redact_reports_a_misspelt_kind_not_its_letters() -> None:
    with pytest.raises(errors.OptionError, match=r"'telephone'") as raised:
        text.redact("13812345678", kinds="telephone")
    assert "'p', 'h'" not in str(raised.value)
    assert text.redact("13812345678", kinds="phone").text == "[PHONE]"


def test_sentiment_batches_checks_its_options_before_the_first_batch() -> None:
    def batches() -> Any:
        raise AssertionError("read")
        yield  # pragma: no cover

    with pytest.raises(errors.OptionError, match="method"):
        text.sentiment_batches(batches(), text="comment", method="bert")
    with pytest.raises(errors.ColumnTypeError, match="text="):
        text.sentiment_batches(batches())
    assert list(text.sentiment_batches([], text="comment")) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(CASES)),
    kind=st.sampled_from(sorted(EDGES)),
    rows=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
)
def test_random_rows_of_edge_inputs(name: str, kind: str, rows: list[int]) -> None:
    case = CASES[name]
    base = case.make()
    frame = EDGES[kind](base.iloc[sorted({r % len(base) for r in rows})].reset_index(drop=True))
    check_everywhere(
        case,
        frame,
        names={"comment", "store", "ltr", "data", "text", "k", "by"},
        lazy=False,
        **_options(case, kind),
    )


_TEXTS = st.sampled_from([*COMMENTS[:6], "", "   ", "???", "123", "😀", "好", None])
_KEYS = st.sampled_from(["a", "b", None])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_TEXTS, _KEYS), min_size=0, max_size=12))
def test_summaries_of_random_frames_add_up_and_agree(rows: list[tuple[Any, Any]]) -> None:
    frame = pd.DataFrame(
        {
            "comment": pd.Series([t for t, _ in rows], dtype=object),
            "store": pd.Series([k for _, k in rows], dtype=object),
        }
    )
    case = Case(lambda d: text.sentiment_summary(d, text="comment", by="store"))
    got, summary = check_everywhere(case, frame, names={"comment", "store"})
    assert got == "ok"
    summary = as_pandas(summary)
    assert summary["n"].sum() == len(rows)
    assert (summary["n_scored"] <= summary["n"]).all()
    scored = summary[summary["n_scored"] > 0]
    shares = scored[["share_positive", "share_neutral", "share_negative"]].sum(axis=1)
    np.testing.assert_allclose(shares.to_numpy(dtype=float), 1.0)
    assert (scored["share_negative_ci_low"] <= scored["share_negative"]).all()
    assert (scored["share_negative"] <= scored["share_negative_ci_high"]).all()
    counts = Case(lambda d: text.word_freq(d, text="comment", by="store"))
    got, words = check_everywhere(counts, frame, names={"comment", "store"})
    words = as_pandas(words)
    assert got == "ok" and (words["doc_freq"] <= words["count"]).all()
