"""The report's sections: each computes its tables with the library's functions and draws its
charts with ``cxmetrics.plot``."""

from __future__ import annotations

from typing import Any

import numpy as np

import cxmetrics as cx
from cxmetrics import plot, text
from cxmetrics.report._document import Section

__all__ = ["customer_sections", "journey_sections", "survey_sections", "text_sections"]

_ALPHA = 0.05


def survey_sections(
    survey: Any, *, score: str, by: list[str], time: str | None, csat: str | None
) -> list[Section]:
    overview = Section("nps", "NPS")
    overall = cx.nps(survey, score=score)
    overview.table("overall", overall)
    overview.note(
        "Adjusted-Wald 95 % intervals (Rocks 2016). In the breakdowns, yellow rows differ from the "
        "largest group at p < 0.05 (Welch t, Holm-adjusted)."
    )
    overview.figure(plot.nps_distribution(cx.score_distribution(survey, score=score)), "score distribution")
    for column in by:
        per_group = cx.nps(survey, score=score, by=column)
        significant = _significant_groups(survey, score, column, per_group)
        overview.heading(f"NPS by {column}")
        overview.table(f"by_{column}", per_group, highlight=significant)
        overview.figure(plot.nps_breakdown(per_group, by=column), f"NPS by {column}")
    sections = [overview]
    if time is not None:
        trend_section = Section("trend", "NPS trend")
        trend = cx.nps_trend(survey, score=score, time=time, freq="M")
        trend_section.table("monthly", trend, highlight=(trend["change_p_value"] < _ALPHA).to_numpy())
        trend_section.note("Monthly NPS; yellow rows changed significantly from the previous month.")
        trend_section.figure(plot.nps_trend(trend), "NPS trend")
        sections.append(trend_section)
    if csat is not None:
        satisfaction = Section("csat", "CSAT")
        result = cx.csat(survey, score=csat, by=by[0] if by else None)
        satisfaction.table("csat", result)
        satisfaction.note("Top-2-box share with Wilson intervals, and the mean rating.")
        if by:
            satisfaction.figure(plot.csat_breakdown(result, by=by[0]), "CSAT breakdown")
        sections.append(satisfaction)
    return sections


def _significant_groups(survey: Any, score: str, column: str, per_group: Any) -> np.ndarray:
    """Groups whose NPS differs from the largest group's (Welch t, Holm-adjusted)."""
    counts = per_group.set_index(column)["n"]
    if len(counts) < 2:
        return np.zeros(len(per_group), dtype=bool)
    reference = counts.idxmax()
    tests = cx.compare_nps(survey, score=score, by=column, reference=reference)
    flagged = set(tests.loc[tests["p_adjusted"] < _ALPHA, "group_a"]) | set(
        tests.loc[tests["p_adjusted"] < _ALPHA, "group_b"]
    )
    return per_group[column].isin(flagged - {reference}).to_numpy()


def text_sections(
    survey: Any, *, text_column: str, score: str | None, customer: str | None, by: list[str]
) -> list[Section]:
    comments = survey[survey[text_column].fillna("").astype(str).str.strip() != ""]
    group = by[0] if by else None
    feeling = Section("sentiment", "Sentiment of comments")
    scored = text.sentiment(comments[[text_column]], text=text_column)
    feeling.table("summary", text.sentiment_summary(comments, text=text_column, by=group))
    feeling.note("P(positive) from cxmetrics' calibrated model; shares with Wilson intervals.")
    feeling.figure(plot.sentiment_distribution(scored), "sentiment distribution")
    found = text.keywords(comments, text=text_column, top=15)
    feeling.heading("Keywords")
    feeling.table("keywords", found)
    if len(found):
        feeling.figure(plot.keyword_bars(found), "keywords")

    aspects = Section("aspects", "Aspects")
    result = text.aspect_sentiment(comments, text=text_column, by=group)
    aspects.table("summary", result.summary, highlight=(result.summary["share_negative"] > 0.5).to_numpy())
    aspects.note("Clauses naming each aspect, scored one by one; yellow: more than half negative.")
    if len(result.summary):
        # the chart's counts over all groups: summed from the summary, not scored again
        overall = result.summary.groupby("aspect", sort=False)[["positive", "negative"]].sum().reset_index()
        aspects.figure(plot.aspect_chart(overall), "aspects")

    alerts = Section("alerts", "Alerts: who to call back")
    flagged = text.flag_negative(survey, text=text_column, score=score, customer=customer)
    alerts.table("alerts", flagged)
    alerts.note(
        f"{len(flagged)} responses flagged; each row says why. Severity is the documented sum of reasons."
    )
    return [feeling, aspects, alerts]


def journey_sections(
    events: Any, *, customer: str, time: str, stage: str, steps: list[Any], switch: list[str]
) -> list[Section]:
    funnel_section = Section("funnel", "Funnel")
    result = cx.funnel(events, customer=customer, time=time, stage=stage, steps=steps)
    funnel_section.table("funnel", result)
    funnel_section.figure(plot.funnel(result), "funnel")
    flow = Section("paths", "Journey flow")
    moves = cx.transitions(events, customer=customer, time=time, stage=stage, exits=True)
    flow.table("transitions", moves.sort_values("moves", ascending=False))
    flow.figure(plot.journey_flow(moves), "journey flow")
    sections = [funnel_section, flow]
    if switch:
        gap_section = Section("gaps", "Gaps: exits at switches")
        found = cx.gaps(events, customer=customer, time=time, stage=stage, switch=switch)
        gap_section.table("gaps", found, highlight=(found["p_adjusted"] < _ALPHA).to_numpy())
        gap_section.note("Exit after a handoff with a switch against without (Mantel–Haenszel, BH q-values).")
        gap_section.figure(plot.gap_chart(found), "gaps")
        sections.append(gap_section)
    return sections


def customer_sections(orders: Any, *, customer: str, time: str, amount: str) -> list[Section]:
    segments = Section("rfm", "RFM segments")
    scored = cx.rfm_score(cx.rfm_table(orders, customer=customer, time=time, amount=amount))
    labelled = cx.rfm_segment(scored)
    profile = cx.segment_profile(labelled, by="segment")
    segments.table("profile", profile)
    segments.figure(plot.segment_bars(profile), "segments")
    segments.figure(plot.rfm_heatmap(scored), "RFM heat map")

    value = Section("clv", "Customer lifetime value")
    summary = cx.summary_from_transactions(orders, customer=customer, time=time, amount=amount)
    transactions_model = cx.BetaGeo().fit(summary)
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    spend_model = cx.GammaGamma().fit(repeaters)
    summary["clv"] = cx.customer_lifetime_value(
        transactions_model, spend_model, summary, horizon=12, discount_rate=0.01
    )
    value.table("parameters", transactions_model.summary())
    value.table("customers", summary.sort_values("clv", ascending=False))
    value.note("BG/NBD for purchases, Gamma-Gamma for spend; 12-month CLV at 1 % monthly discount.")
    value.figure(plot.clv_distribution(summary), "CLV distribution")
    return [segments, value]
