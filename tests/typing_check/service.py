"""A service's own code using cxmetrics, type-checked with ``mypy --strict`` by
``tests/test_typing.py``: every call returns a concrete type, so nothing leaks ``Any``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
from matplotlib.axes import Axes

import cxmetrics as cx
from cxmetrics.text import Sentiment


def survey_by_channel(answers: pd.DataFrame) -> pd.DataFrame:
    return cx.nps(answers, score="ltr", by="channel")


def satisfaction(answers: pl.DataFrame) -> pl.DataFrame:
    return cx.csat(answers, score="csat", by="region")


def quarterly(answers: pd.DataFrame) -> pd.DataFrame:
    return cx.nps_trend(answers, score="ltr", time="date", freq="Q")


def checkout_funnel(events: pd.DataFrame) -> pd.DataFrame:
    return cx.funnel(events, customer="customer", time="time", stage="stage", steps=["home", "paid"])


def returning(events: pl.DataFrame) -> pl.DataFrame:
    return cx.cohort_retention(events, customer="customer", time="time", freq="W")


def segments(orders: pd.DataFrame) -> pd.DataFrame:
    return cx.rfm_segment(cx.rfm_score(cx.rfm_table(orders, customer="id", time="day", amount="spend")))


def one_comment(text: str) -> float:
    scored: Sentiment = cx.text.sentiment(text)
    return scored.score


def many_comments(texts: list[str]) -> list[Sentiment]:
    return cx.text.sentiment(texts)


def fitted(summary: pd.DataFrame) -> cx.BetaGeo:
    return cx.BetaGeo().fit(summary)


def any_purchase_model(model: cx.TransactionModel) -> cx.TransactionModel:
    return model


def chart(trend: pd.DataFrame) -> Axes:
    return cx.plot.nps_trend(trend)


def payload(table: pd.DataFrame) -> list[Any] | dict[str, Any]:
    return cx.to_records(table)


def timings() -> dict[str, float]:
    return cx.warm_up("tokenizer")
