"""The report's sections. Each is a function ``(ctx) -> list[Section]`` in :data:`SECTIONS`:
it reads the inputs it needs from ``ctx`` (returning ``[]`` when they are absent), computes
with the library's functions, adds tables and charts to its sections, and adds headline
figures, findings (computed from the tests, never written by hand) and data notes to ``ctx``.

To add a section (retention, topics ...): write such a function and append it to
:data:`SECTIONS`; nothing else changes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxmetrics.errors import CXMetricsWarning
from cxmetrics.report._document import Finding, Section
from cxmetrics.report._format import Col, cell
from cxmetrics.report._inputs import CONVERSION_NAMES, Input
from cxmetrics.report._lang import tr

__all__ = ["SECTIONS", "Context"]

ALPHA = 0.05
#: Fewest switched handoffs in an event log for the gaps section to test a column.
MIN_SWITCHES = 20


@dataclass
class Context:
    """What a section reads (inputs, language) and adds to (headline, findings, notes)."""

    inputs: dict[str, Input]
    lang: str = "en"
    headline: list[tuple[str, str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tests: int = 0
    previous: dict[str, Input] = field(default_factory=dict)
    split: str | None = None
    previous_labels: tuple[str, str] | None = None
    margins: dict[str, dict[str, float]] | None = None

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def section(self, key: str) -> Section:
        return Section(key, self.t(f"s_{key}"), zh=self.zh)

    def label(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def zh_only(self, zh: str) -> str | None:
        """``zh`` in a Chinese report; None (the chart's own English words) otherwise."""
        return zh if self.zh else None

    def finding(self, text: str, section: str, rank: float) -> None:
        self.findings.append(Finding(text, section, rank))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def difference_col(self, kind: str) -> Col:
        """The ``difference`` column of a comparison, shown with its ``ci_low``–``ci_high``."""
        return Col("difference", self.label("difference (95 % interval)", "差（95 % 区间）"), kind,
                   "ci_low", "ci_high")

    def adjusted_p_col(self, column: str = "p_adjusted") -> Col:
        return Col(column, self.label("adjusted p", "校正后 p"), "p")


def parse_dates(column: Any) -> Any:
    """Dates of a column as read from a file: datetimes as they are, 8-digit whole numbers as
    YYYYMMDD (20250131), text parsed; what does not parse is NaT (counted in the data notes)."""
    import pandas as pd

    if column.dtype.kind in "iu" or (column.dtype.kind == "f" and column.dropna().mod(1).eq(0).all()):
        whole = column.dropna()
        if len(whole) and whole.between(19000101, 21001231).all():
            return pd.to_datetime(column.astype("Int64").astype(str), format="%Y%m%d", errors="coerce")
    if column.dtype.kind == "M":
        return column
    # ISO 8601 first (fast, no per-element guessing); element by element only when that fails
    parsed = pd.to_datetime(column, format="ISO8601", errors="coerce")
    if (parsed.isna() & column.notna()).mean() > 0.1:
        parsed = pd.to_datetime(column, format="mixed", errors="coerce")
    return parsed


def _adjust(p_values: list[float], method: str) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def _titled(ax: Any, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    from cxmetrics.plot import font_families

    fonts = font_families()  # the chart styled (and checked) its own texts; these three are new
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_fontfamily(fonts)
    return ax


# ---------------------------------------------------------------- survey


def _clean_survey(ctx: Context, survey: Input) -> Any:
    import pandas as pd

    frame = survey.frame
    score = survey.get("score")
    values = pd.to_numeric(frame[score], errors="coerce")
    valid = values.between(0, 10)
    if (~valid).sum():
        ctx.note(ctx.t("n_score", n=f"{int((~valid).sum()):,}"))
    frame = frame.loc[valid].assign(**{score: values[valid].astype(float)})
    time = survey.get("time")
    if time is not None:
        parsed = parse_dates(frame[time])
        bad = parsed.isna() & frame[time].notna()
        if bad.sum():
            ctx.note(ctx.t("n_dates", source="survey", n=f"{int(bad.sum()):,}", column=time))
        frame = frame.assign(**{time: parsed})
    return frame.reset_index(drop=True)


def _nps_columns(ctx: Context, group: str | None = None) -> list[Col]:
    first = [Col(group, group, "label")] if group else []
    return [
        *first,
        Col("n", ctx.label("answers", "答卷数"), "count"),
        Col("nps", ctx.label("NPS (95 % interval)", "NPS（95 % 区间）"), "score", "ci_low", "ci_high"),
        Col("pct_promoters", ctx.label("promoters", "推荐者"), "percent"),
        Col("pct_passives", ctx.label("passives", "被动者"), "percent"),
        Col("pct_detractors", ctx.label("detractors", "贬损者"), "percent"),
    ]


def _group_tests(ctx: Context, survey: Any, score: str, columns: list[str]) -> Any:
    """Groups whose NPS differs from the rest, column by column, step-down.

    Each round tests every remaining group against the other remaining answers (Welch t on NPS,
    :func:`cxmetrics.compare_nps`), Holm-adjusts over the round's groups and Bonferroni over the
    columns; the most different group, if significant, is set aside and the rest tested again.
    Setting it aside keeps one extreme group from making every other group look different from
    "the rest". Each group's row is its last round.
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for column in columns:
        pool = [g for g in survey[column].dropna().unique()]
        while len(pool) >= 2:
            part = survey[survey[column].isin(pool)]
            round_rows = []
            for level in pool:
                marker = np.where(part[column] == level, "group", "rest")
                test = cx_compare(part.assign(__group=marker), score)
                if test is not None:
                    round_rows.append({"column": column, "group": level, **test})
            ctx.tests += len(round_rows)
            if not round_rows:
                break
            adjusted = np.minimum(_adjust([r["p_value"] for r in round_rows], "holm") * len(columns), 1.0)
            for r, p in zip(round_rows, adjusted, strict=True):
                r["p_adjusted"] = p
            best = min(round_rows, key=lambda r: (r["p_adjusted"], -abs(r["difference"])))
            if not best["p_adjusted"] < ALPHA:
                rows += round_rows
                break
            rows.append(best)
            pool = [g for g in pool if g != best["group"]]
            if len(pool) < 2:
                break
    return pd.DataFrame(
        rows, columns=["column", "group", "nps", "nps_rest", "difference", "p_value", "p_adjusted"]
    )


def cx_compare(data: Any, score: str) -> dict[str, float] | None:
    """The "group" against the "rest" rows of ``data["__group"]`` (Welch t on NPS)."""
    import cxmetrics as cx

    if data["__group"].nunique() < 2:
        return None
    row = cx.compare_nps(data, score=score, by="__group", p_adjust="none").iloc[0]
    a_is_group = row["group_a"] == "group"
    return {
        "nps": row["nps_a"] if a_is_group else row["nps_b"],
        "nps_rest": row["nps_b"] if a_is_group else row["nps_a"],
        "difference": row["difference"] if a_is_group else -row["difference"],
        "p_value": row["p_value"],
    }


def _period(freq: str) -> str:
    return {"W": "week", "M": "month", "Q": "quarter"}.get(freq, "period")


def _freq(times: Any) -> str:
    span = (times.max() - times.min()).days if len(times) else 0
    return "Q" if span > 540 else "M" if span > 75 else "W"


def survey_sections(ctx: Context) -> list[Section]:
    import cxmetrics as cx
    from cxmetrics import plot

    survey_input = ctx.inputs.get("survey")
    if survey_input is None:
        return []
    survey = _clean_survey(ctx, survey_input)
    score, by, time = survey_input.get("score"), survey_input.get("by") or [], survey_input.get("time")
    overview = ctx.section("nps")
    overall = cx.nps(survey, score=score)
    overview.table("overall", overall, _nps_columns(ctx))
    row = overall.iloc[0]
    headline = [
        ctx.t("h_nps"),
        f"{row['nps']:.1f} ({row['ci_low']:.1f} – {row['ci_high']:.1f})",
        ctx.t("h_n", n=f"{int(row['n']):,}"),
    ]
    overview.note(
        ctx.label(
            "Adjusted-Wald 95 % intervals (Rocks 2016). Yellow rows: the group's NPS differs from the rest "
            "of the answers (Welch t; Holm over the groups, Bonferroni over the columns, p < 0.05; "
            "step-down: "
            "a group found different is set aside before the others are tested again).",
            "95 % 区间为调整 Wald 区间 (Rocks 2016)。黄色行：该组 NPS 与其余答卷显著不同（Welch t 检验；"
            "组间 Holm 校正、列间 Bonferroni 校正，p < 0.05；"
            "逐步法：已判定不同的组先剔除，再检验其余各组）。",
        )
    )
    overview.figure(
        _titled(
            plot.nps_distribution(cx.score_distribution(survey, score=score)),
            title=ctx.zh_only(
                f"NPS {row['nps']:.0f}：推荐者 {row['pct_promoters']:.0f} %，"
                f"贬损者 {row['pct_detractors']:.0f} %"
            ),
            xlabel=score,
            ylabel=ctx.label("% of answers", "答卷占比 %"),
        ),
        "score distribution",
    )
    tests = _group_tests(ctx, survey, score, by)
    for column in by:
        per_group = cx.nps(survey, score=score, by=column).sort_values("nps", ascending=False)
        mine = tests[tests["column"] == column].set_index("group")["p_adjusted"]
        flagged = [bool(mine.get(g, 1.0) < ALPHA) for g in per_group[column]]
        overview.heading(ctx.label(f"NPS by {column}", f"按 {column} 的 NPS"))
        overview.table(f"by_{column}", per_group, _nps_columns(ctx, column), highlight=flagged)
        overview.figure(
            _titled(
                plot.nps_breakdown(per_group, by=column),
                title=ctx.label(f"NPS by {column}", f"按 {column} 的 NPS"),
            ),
            f"NPS by {column}",
        )
    for _, test in tests[tests["p_adjusted"] < ALPHA].iterrows():
        ctx.finding(
            ctx.t(
                "f_group",
                column=test["column"],
                group=test["group"],
                value=f"{test['nps']:.1f}",
                other=f"{test['nps_rest']:.1f}",
                diff=f"{test['difference']:+.1f}",
                p=cell(test["p_adjusted"], "p"),
            ),
            "nps",
            2 + float(test["p_adjusted"]) - abs(float(test["difference"])) / 1000,
        )
    overview.tables["group_tests"] = tests
    sections = [overview]
    if time is not None and survey[time].notna().any():
        sections.append(_trend_section(ctx, survey[survey[time].notna()], score, time, headline))
    ctx.headline.append((headline[0], headline[1], headline[2]))
    csat = survey_input.get("csat")
    if csat is not None:
        sections.append(_csat_section(ctx, survey, csat, by))
    return sections


def _trend_section(ctx: Context, survey: Any, score: str, time: str, headline: list[str]) -> Section:
    import cxmetrics as cx
    from cxmetrics import plot

    section = ctx.section("trend")
    freq = _freq(survey[time])
    trend = cx.nps_trend(survey, score=score, time=time, freq=freq)
    trend["change_p_adjusted"] = _adjust(trend["change_p_value"].tolist(), "holm")
    ctx.tests += int(trend["change_p_value"].notna().sum())
    columns = [
        Col("period", ctx.label(_period(freq), {"W": "周", "M": "月", "Q": "季度"}[freq]), "date"),
        Col("n", ctx.label("answers", "答卷数"), "count"),
        Col("nps", ctx.label("NPS (95 % interval)", "NPS（95 % 区间）"), "score", "ci_low", "ci_high"),
        Col(
            "change",
            ctx.label("change (95 % interval)", "变化（95 % 区间）"),
            "score",
            "change_ci_low",
            "change_ci_high",
        ),
        ctx.adjusted_p_col("change_p_adjusted"),
    ]
    section.table("trend", trend, columns, top=24, highlight=(trend["change_p_adjusted"] < ALPHA).to_numpy())
    section.note(
        ctx.label(
            "Change from the previous period with its test; p-values Holm-adjusted over all periods. "
            "Yellow: significant change.",
            "与上一期相比的变化及检验；p 值对所有期做 Holm 校正。黄色：显著变化。",
        )
    )
    section.figure(
        _titled(
            plot.nps_trend(trend.drop(columns=["change_p_adjusted"])),
            title=ctx.label("NPS over time (band: 95 % interval)", "NPS 趋势（阴影：95 % 区间）"),
        ),
        "NPS trend",
    )
    for i in np.flatnonzero((trend["change_p_adjusted"] < ALPHA).to_numpy()):
        row, before = trend.iloc[i], trend.iloc[i - 1]
        ctx.finding(
            ctx.t(
                "f_trend",
                change=f"{row['change']:+.1f}",
                period=cell(row["period"], "date"),
                before=f"{before['nps']:.1f}",
                after=f"{row['nps']:.1f}",
                p=cell(row["change_p_adjusted"], "p"),
            ),
            "trend",
            1 + float(row["change_p_adjusted"]),
        )
    if len(trend) >= 2 and np.isfinite(trend["change"].iloc[-1]):
        last = trend.iloc[-1]
        headline[2] += "; " + ctx.t(
            "h_change",
            period=cell(last["period"], "date"),
            change=f"{last['change']:+.1f}",
            p=cell(last["change_p_value"], "p"),
        )
    return section


def _csat_section(ctx: Context, survey: Any, csat: str, by: list[str]) -> Section:
    import pandas as pd

    import cxmetrics as cx
    from cxmetrics import plot

    section = ctx.section("csat")
    values = pd.to_numeric(survey[csat], errors="coerce")
    rated = survey.loc[values.between(1, 5)].assign(**{csat: values[values.between(1, 5)].astype(int)})
    overall = cx.csat(rated, score=csat)
    row = overall.iloc[0]
    ctx.headline.append(
        (
            ctx.t("h_csat"),
            f"{row['csat']:.1f} % ({row['ci_low']:.1f} – {row['ci_high']:.1f})",
            ctx.t("h_n", n=f"{int(row['n']):,}"),
        )
    )
    columns = [
        Col("n", ctx.label("answers", "答卷数"), "count"),
        Col(
            "csat", ctx.label("CSAT % (95 % interval)", "满意度 %（95 % 区间）"), "score", "ci_low", "ci_high"
        ),
        Col(
            "mean",
            ctx.label("mean rating (95 % interval)", "平均分（95 % 区间）"),
            "number",
            "mean_ci_low",
            "mean_ci_high",
        ),
    ]
    section.table("overall", overall, columns)
    for column in by[:2]:
        result = cx.csat(rated, score=csat, by=column).sort_values("csat", ascending=False)
        section.heading(ctx.label(f"CSAT by {column}", f"按 {column} 的满意度"))
        section.table(f"by_{column}", result, [Col(column, column, "label"), *columns])
        section.figure(
            _titled(plot.csat_breakdown(result, by=column), title=ctx.zh_only(f"按 {column} 的满意度")),
            f"CSAT by {column}",
        )
    section.note(
        ctx.label(
            "Top-2-box share (4 or 5 of 5) with Wilson intervals, and the mean rating.",
            "前两档（5 分制的 4、5 分）占比及 Wilson 区间，和平均分。",
        )
    )
    return section


# ---------------------------------------------------------------- comments


def text_sections(ctx: Context) -> list[Section]:
    from cxmetrics import plot, text

    survey_input = ctx.inputs.get("survey")
    if survey_input is None or survey_input.get("text") is None:
        return []
    column, score = survey_input.get("text"), survey_input.get("score")
    customer = survey_input.get("customer")
    survey = _clean_survey(Context(ctx.inputs, ctx.lang), survey_input)
    survey = survey.assign(**{column: survey[column].fillna("").astype(str)})
    comments = survey[survey[column].str.strip() != ""].reset_index(drop=True)
    if comments.empty:
        return []
    feeling = ctx.section("sentiment")
    scored = text.sentiment(comments[[column]], text=column)
    summary = text.sentiment_summary(comments, text=column)
    feeling.table(
        "summary",
        summary,
        [
            Col("n", ctx.label("comments", "评论数"), "count"),
            Col(
                "share_positive",
                ctx.label("positive (95 % interval)", "正面（95 % 区间）"),
                "share",
                "share_positive_ci_low",
                "share_positive_ci_high",
            ),
            Col(
                "share_negative",
                ctx.label("negative (95 % interval)", "负面（95 % 区间）"),
                "share",
                "share_negative_ci_low",
                "share_negative_ci_high",
            ),
            Col("mean_score", ctx.label("mean P(positive)", "平均正面概率"), "number"),
        ],
    )
    feeling.note(
        ctx.label(
            "P(positive) from cxmetrics' calibrated model; shares with Wilson intervals.",
            "正面概率来自 cxmetrics 的校准模型；占比附 Wilson 区间。",
        )
    )
    feeling.figure(
        _titled(
            plot.sentiment_distribution(scored),
            title=ctx.zh_only("评论情感分布"),
            xlabel=ctx.zh_only("正面概率"),
            ylabel=ctx.zh_only("评论数"),
        ),
        "sentiment distribution",
    )
    found = text.keywords(comments, text=column, n=15)
    feeling.heading(ctx.label("Keywords", "关键词"))
    feeling.table(
        "keywords",
        found,
        [
            Col("keyword", ctx.label("keyword", "关键词"), "label"),
            Col("weight", ctx.label("weight", "权重"), "number"),
            Col("count", ctx.label("mentions", "出现次数"), "count"),
        ],
        top=10,
    )
    if len(found):
        feeling.figure(_titled(plot.keyword_bars(found), title=ctx.label("Keywords", "关键词")), "keywords")

    aspects = ctx.section("aspects")
    result = text.aspect_sentiment(comments, text=column)
    table = result.summary.sort_values("share_negative", ascending=False)
    name = "aspect_zh" if ctx.zh and "aspect_zh" in table.columns else "aspect"
    aspects.table(
        "summary",
        table,
        [
            Col(name, ctx.label("aspect", "方面"), "label"),
            Col("mentions", ctx.label("mentions", "提及次数"), "count"),
            Col(
                "share_negative",
                ctx.label("negative (95 % interval)", "负面占比（95 % 区间）"),
                "share",
                "share_negative_ci_low",
                "share_negative_ci_high",
            ),
            Col("mean_score", ctx.label("mean P(positive)", "平均正面概率"), "number"),
        ],
        highlight=(table["share_negative_ci_low"] > 0.5).to_numpy(),
    )
    aspects.note(
        ctx.label(
            "Clauses naming each aspect, scored one by one; yellow: negative for more than half "
            "of the mentions even at the interval's low end.",
            "逐句识别并打分；黄色：区间下限仍超过一半为负面。",
        )
    )
    if len(table):
        aspects.figure(
            _titled(
                plot.aspect_chart(table, aspect=name),
                title=ctx.zh_only("评价方面"),
                xlabel=ctx.zh_only("提及次数（左：负面，右：正面）"),
            ),
            "aspects",
        )
    bad = table[table["share_negative_ci_low"] > 0.5].head(3)
    for _, row in bad.iterrows():
        ctx.finding(
            ctx.t(
                "f_aspect",
                aspect=row[name],
                share=cell(row["share_negative"], "share"),
                n=f"{int(row['mentions']):,}",
            ),
            "aspects",
            5 - float(row["share_negative"]) / 10,
        )

    alerts = ctx.section("alerts")
    flagged = text.flag_negative(survey, text=column, score=score, customer=customer)
    alerts.table(
        "alerts",
        flagged,
        [
            Col("priority", ctx.label("priority", "优先级"), "label"),
            Col("severity", ctx.label("severity", "严重度"), "number"),
            *([Col(customer, customer, "label")] if customer else []),
            Col(score, score, "number"),
            Col(column, ctx.label("comment", "评论"), "text"),
            Col("reason", ctx.label("why flagged", "标记原因"), "text"),
        ],
        top=20,
    )
    alerts.note(
        ctx.label(
            f"{len(flagged):,} responses flagged, most severe first; "
            "severity is the documented sum of reasons.",
            f"共标记 {len(flagged):,} 条，按严重度排序；严重度为各原因的加总。",
        )
    )
    high = flagged[flagged["priority"] == "high"] if "priority" in flagged.columns else flagged.iloc[:0]
    if len(high):
        first = " ".join(str(high.iloc[0][column]).split())
        ctx.finding(
            ctx.t(
                "f_alerts",
                high=f"{len(high):,}",
                total=f"{len(flagged):,}",
                text=first[:60] + ("…" if len(first) > 60 else ""),
            ),
            "alerts",
            6,
        )
    return [feeling, aspects, alerts]


# ---------------------------------------------------------------- journeys


def _clean_events(ctx: Context, events: Input) -> Any:

    frame = events.frame
    customer, time, stage = events.get("customer"), events.get("time"), events.get("stage")
    keep = frame[customer].notna() & frame[stage].notna()
    for role, column in (("customer", customer), ("stage", stage)):
        missing = int(frame[column].isna().sum())
        if missing:
            ctx.note(ctx.t("n_missing", source="events", n=f"{missing:,}", role=role, column=column))
    parsed = parse_dates(frame[time])
    bad = int((parsed.isna() & keep).sum())
    if bad:
        ctx.note(ctx.t("n_dates", source="events", n=f"{bad:,}", column=time))
    keep &= parsed.notna()
    return (
        frame.loc[keep]
        .assign(**{time: parsed[keep], stage: frame.loc[keep, stage].astype(str)})
        .reset_index(drop=True)
    )


def default_steps(
    events: Any, customer: str, time: str, stage: str, conversion: Any = None
) -> tuple[list[str], float]:
    """The most common ordered path into the conversion stage, with its share of converting
    customers. The conversion is ``conversion``, else a stage with a usual name (purchase,
    order, 支付 ...), else the stage customers reach last on average."""
    ordered = events.sort_values([customer, time], kind="stable")
    firsts = ordered.drop_duplicates([customer, stage])
    stages = firsts[stage].astype(str)
    if conversion is None:
        names = {s.lower(): s for s in stages.unique()}
        conversion = next((names[n] for n in CONVERSION_NAMES if n in names), None)
    if conversion is None:
        position = firsts.groupby(customer).cumcount()
        conversion = str(position.groupby(stages).mean().idxmax())
    paths: dict[tuple[str, ...], int] = {}
    for _, visits in firsts.groupby(customer, sort=False)[stage]:
        sequence = [str(s) for s in visits]
        if conversion in sequence:
            key = tuple(sequence[: sequence.index(conversion) + 1])
            paths[key] = paths.get(key, 0) + 1
    if not paths:
        order = list(dict.fromkeys(stages))
        return order[:12], 0.0
    best = max(paths.items(), key=lambda item: (item[1], -len(item[0])))
    return list(best[0]), best[1] / sum(paths.values())


def journey_sections(ctx: Context) -> list[Section]:
    import cxmetrics as cx
    from cxmetrics import plot

    events_input = ctx.inputs.get("events")
    if events_input is None:
        return []
    events = _clean_events(ctx, events_input)
    customer, time, stage = (events_input.get(r) for r in ("customer", "time", "stage"))
    call = {"customer": customer, "time": time, "stage": stage}
    steps = events_input.get("steps")
    if not steps:
        steps, share = default_steps(events, customer, time, stage, events_input.get("conversion"))
        ctx.note(ctx.t("n_funnel", stage=steps[-1] if steps else "", share=cell(share, "share")))
    section = ctx.section("funnel")
    result = cx.funnel(events, steps=steps, **call)
    section.table(
        "funnel",
        result,
        [
            Col("step", ctx.label("step", "步骤"), "label"),
            Col("entered", ctx.label("customers", "客户数"), "count"),
            Col(
                "conversion_rate",
                ctx.label("from previous (95 % interval)", "较上一步（95 % 区间）"),
                "share",
                "conversion_ci_low",
                "conversion_ci_high",
            ),
            Col(
                "overall_rate",
                ctx.label("from first step", "较第一步"),
                "share",
                "overall_ci_low",
                "overall_ci_high",
            ),
            Col("drop_off", ctx.label("lost before next", "下一步前流失"), "count"),
        ],
        top=30,
    )
    section.figure(
        _titled(
            plot.funnel(result),
            title=ctx.label(
                "Funnel (red: customers lost before the next step)", "转化漏斗（红色：下一步前流失的客户）"
            ),
        ),
        "funnel",
    )
    if len(result) >= 2:
        last = result.iloc[-1]
        ctx.headline.append(
            (
                ctx.t("h_conversion"),
                f"{cell(last['overall_rate'], 'share')} ({cell(last['overall_ci_low'], 'share')} – "
                f"{cell(last['overall_ci_high'], 'share')})",
                ctx.t(
                    "h_customers",
                    entered=f"{int(result['entered'].iloc[0]):,}",
                    converted=f"{int(last['entered']):,}",
                ),
            )
        )
    segments = events_input.get("switch") or []
    comparisons = []
    for column in segments:
        compared = cx.compare_funnels(events, steps=steps, by=column, **call)
        comparisons.append(compared.assign(column=column))
    if comparisons:
        import pandas as pd

        compared = pd.concat(comparisons, ignore_index=True)
        tested = ~compared["small_sample"].astype(bool)
        compared["p_adjusted"] = np.nan
        compared.loc[tested, "p_adjusted"] = _adjust(compared.loc[tested, "p_value"].tolist(), "fdr_bh")
        ctx.tests += int(tested.sum())
        significant = compared[compared["p_adjusted"] < ALPHA].sort_values("p_adjusted")
        section.heading(ctx.label("Step conversion by segment", "按细分的步骤转化"))
        shown = significant if len(significant) else compared.sort_values("p_value")
        section.table(
            "by_segment",
            shown,
            [
                Col("step", ctx.label("step", "步骤"), "label"),
                Col("column", ctx.label("segment", "细分"), "label"),
                Col("group", ctx.label("group", "组"), "label"),
                Col("entered", ctx.label("entered", "进入"), "count"),
                Col("rate", ctx.label("rate", "转化率"), "share"),
                Col("rate_other", ctx.label("rest", "其余"), "share"),
                ctx.difference_col("share"),
                ctx.adjusted_p_col(),
            ],
            top=10,
            highlight=(shown["p_adjusted"] < ALPHA).to_numpy(),
        )
        section.tables["by_segment"] = compared
        section.note(
            ctx.label(
                "Each group's step conversion against the rest (score test), Benjamini-Hochberg over every "
                "step of every segment column.",
                "每组的步骤转化与其余客户比较（score 检验），对所有细分列的所有步骤做 BH 校正。",
            )
        )
        for _, row in significant.head(5).iterrows():
            ctx.finding(
                ctx.t(
                    "f_step",
                    step=row["step"],
                    column=row["column"],
                    group=row["group"],
                    rate=cell(row["rate"], "share"),
                    other=cell(row["rate_other"], "share"),
                    p=cell(row["p_adjusted"], "p"),
                ),
                "funnel",
                3 + float(row["p_adjusted"]),
            )
    flow = ctx.section("paths")
    moves = cx.transitions(events, exits=True, **call).sort_values("moves", ascending=False)
    flow.table(
        "transitions",
        moves,
        [
            Col("from_stage", ctx.label("from", "从"), "label"),
            Col("to_stage", ctx.label("to", "到"), "label"),
            Col("moves", ctx.label("moves", "次数"), "count"),
            Col("probability", ctx.label("share of moves out", "占流出比例"), "share"),
            Col("time_median", ctx.label("median hours", "中位小时"), "number"),
        ],
    )
    if len(moves):  # charts refuse an empty result
        flow.figure(
            _titled(
                plot.journey_flow(moves),
                title=ctx.label(
                    "Journey flow (width: moves; red: moves back)", "旅程流向（宽度：次数；红色：回退）"
                ),
            ),
            "journey flow",
        )
    sections = [section, flow]
    ordered = events.sort_values([customer, time], kind="stable")
    same = ordered[customer].eq(ordered[customer].shift(-1))
    switches = {
        c: int((same & ordered[c].ne(ordered[c].shift(-1)) & ordered[c].notna()).sum()) for c in segments
    }
    # gaps() needs at least 5 handoffs in each cell of a stage pair; with fewer than 20 switched
    # handoffs in the whole log nothing could be tested, so the column is named in a note instead
    switching = [c for c in segments if switches[c] >= MIN_SWITCHES]
    for column in segments:
        if column not in switching:
            ctx.note(ctx.t("n_no_switch", column=column, n=f"{switches[column]:,}"))
    if switching:
        sections.append(_gap_section(ctx, events, call, switching))
    return sections


def _gap_section(ctx: Context, events: Any, call: dict[str, Any], switch: list[str]) -> Section:
    import cxmetrics as cx
    from cxmetrics import plot

    section = ctx.section("gaps")
    found = cx.gaps(events, switch=switch, **call)
    ctx.tests += int((~found["small_sample"].astype(bool)).sum())
    section.table(
        "gaps",
        found,
        [
            Col("attribute", ctx.label("switch of", "切换项"), "label"),
            Col("from_stage", ctx.label("from", "从"), "label"),
            Col("to_stage", ctx.label("to", "到"), "label"),
            Col("switched", ctx.label("switched handoffs", "切换次数"), "count"),
            Col("switched_rate", ctx.label("exit if switched", "切换后流失"), "share"),
            Col("not_switched_rate", ctx.label("exit otherwise", "未切换流失"), "share"),
            ctx.difference_col("share"),
            Col("p_adjusted", "q", "p"),
        ],
        top=12,
        highlight=(found["p_adjusted"] < ALPHA).to_numpy(),
    )
    section.note(
        ctx.label(
            "Exit after a handoff with a switch against without (Mantel–Haenszel, BH q-values).",
            "有切换与无切换的交接后流失率比较（Mantel–Haenszel，BH q 值）。",
        )
    )
    if len(found):  # charts refuse an empty result
        section.figure(
            _titled(
                plot.gap_chart(found),
                title=ctx.zh_only("切换处的断点（红色：q < 0.05）"),
                xlabel=ctx.zh_only("切换后多流失的人数"),
            ),
            "gaps",
        )
    significant = found[(found["p_adjusted"] < ALPHA) & ~found["small_sample"].astype(bool)]
    for _, row in significant.sort_values("gap_score", ascending=False).head(3).iterrows():
        ctx.finding(
            ctx.t(
                "f_gap",
                attribute=row["attribute"],
                start=row["from_stage"],
                end=row["to_stage"],
                base=cell(row["not_switched_rate"], "share"),
                rate=cell(row["switched_rate"], "share"),
                excess=f"{row['gap_score']:,.0f}",
                q=cell(row["p_adjusted"], "p"),
            ),
            "gaps",
            4 + float(row["p_adjusted"]),
        )
    return section


# ---------------------------------------------------------------- customers


def _clean_orders(ctx: Context, orders: Input) -> Any:
    import pandas as pd

    frame = orders.frame
    customer, time, amount = orders.get("customer"), orders.get("time"), orders.get("amount")
    values = pd.to_numeric(frame[amount], errors="coerce")
    dates = parse_dates(frame[time])
    missing = int(frame[customer].isna().sum())
    if missing:
        ctx.note(
            ctx.t("n_missing", source="transactions", n=f"{missing:,}", role="customer", column=customer)
        )
    bad_dates = int((dates.isna() & frame[customer].notna()).sum())
    if bad_dates:
        ctx.note(ctx.t("n_dates", source="transactions", n=f"{bad_dates:,}", column=time))
    nonpositive = int((values <= 0).sum() + values.isna().sum())
    if nonpositive:
        ctx.note(ctx.t("n_amount", n=f"{nonpositive:,}"))
    keep = frame[customer].notna() & dates.notna() & (values > 0)
    return (
        frame.loc[keep]
        .assign(**{time: dates[keep], amount: values[keep].astype(float)})
        .reset_index(drop=True)
    )


def customer_sections(ctx: Context) -> list[Section]:
    import cxmetrics as cx
    from cxmetrics import plot

    orders_input = ctx.inputs.get("transactions")
    if orders_input is None:
        return []
    orders = _clean_orders(ctx, orders_input)
    customer, time, amount = (orders_input.get(r) for r in ("customer", "time", "amount"))
    call = {"customer": customer, "time": time, "amount": amount}
    if orders_input.get("order") is not None:
        call["order"] = orders_input.get("order")
    _revenue_headline(ctx, orders, time, amount)
    segments = ctx.section("rfm")
    scored = cx.rfm_score(cx.rfm_table(orders, **call))
    labelled = cx.rfm_segment(scored, labels="zh" if ctx.zh else "en")
    profile = cx.segment_profile(labelled, by="segment")
    segments.table(
        "profile",
        profile,
        [
            Col("segment", ctx.label("segment", "分层"), "label"),
            Col("customers", ctx.label("customers", "客户数"), "count"),
            Col("share", ctx.label("of customers", "客户占比"), "share"),
            Col("revenue", ctx.label("revenue", "收入"), "money"),
            Col("revenue_share", ctx.label("of revenue", "收入占比"), "share"),
            Col("recency_median", ctx.label("median days since last", "距上次购买中位天数"), "number"),
            Col("frequency_median", ctx.label("median orders", "中位订单数"), "number"),
        ],
        top=12,
    )
    segments.figure(
        _titled(plot.segment_bars(profile), title=ctx.zh_only("各分层的客户占比与收入占比")), "segments"
    )
    segments.figure(
        _titled(
            plot.rfm_heatmap(scored),
            title=ctx.zh_only("RFM 网格：平均消费"),
            xlabel=ctx.zh_only("频率得分"),
            ylabel=ctx.zh_only("最近度得分"),
        ),
        "RFM heat map",
    )

    value = ctx.section("clv")
    summary = cx.summary_from_transactions(orders, **call)
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    # what a fit has to say (a parameter the data do not identify) belongs in the data notes,
    # not on the console; the report is a command run on its own, so recording is safe here
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", CXMetricsWarning)
        model = cx.BetaGeo().fit(summary)
        spend = cx.GammaGamma().fit(repeaters)
    for warning in said:
        if issubclass(warning.category, CXMetricsWarning):
            ctx.note(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    summary = cx.customer_lifetime_value(model.probability_alive(summary), transaction_model=model,
                                         spend_model=spend, horizon=12, discount_rate=0.01)
    parameters = model.summary()
    value.table(
        "parameters",
        parameters,
        [
            Col("parameter", ctx.label("parameter", "参数"), "label"),
            Col(
                "estimate",
                ctx.label("estimate (95 % interval)", "估计（95 % 区间）"),
                "number",
                "ci_low",
                "ci_high",
            ),
            Col("se", ctx.label("standard error", "标准误"), "number"),
        ],
    )
    if parameters["se"].isna().any():
        value.note(ctx.t("n_se"))
    ctx.note(ctx.t("n_gg", n=f"{len(repeaters):,}"))
    spent = orders.groupby(customer)[amount].sum().rename("past_spend")
    summary = summary.join(spent, on=customer)
    ranked = summary.sort_values("clv", ascending=False)
    value.table(
        "customers",
        ranked,
        [
            Col(customer, customer, "label"),
            Col("frequency", ctx.label("repeat purchases", "复购次数"), "count"),
            Col("past_spend", ctx.label("past spend", "历史消费"), "money"),
            Col("probability_alive", "P(alive)", "share"),
            Col("clv", ctx.label("12-month CLV", "12 个月 CLV"), "money"),
        ],
    )
    value.note(
        ctx.label(
            "BG/NBD for purchases, Gamma-Gamma for spend; 12-month CLV at 1 % monthly discount.",
            "BG/NBD 预测购买次数，Gamma-Gamma 预测客单价；12 个月 CLV，月折现率 1 %。",
        )
    )
    value.figure(
        _titled(
            plot.clv_distribution(summary),
            title=ctx.zh_only("12 个月 CLV 分布"),
            ylabel=ctx.zh_only("客户数"),
        ),
        "CLV distribution",
    )
    threshold = summary["past_spend"].quantile(0.8)
    top = summary[summary["past_spend"] >= threshold]
    at_risk = top[top["probability_alive"] < 0.5]
    ctx.headline.append((ctx.t("h_risk"), f"{len(at_risk):,}", ctx.t("h_risk_detail")))
    if len(at_risk):
        share = at_risk["past_spend"].sum() / max(top["past_spend"].sum(), 1e-12)
        ctx.finding(ctx.t("f_risk", n=f"{len(at_risk):,}", share=cell(share, "share")), "clv", 7)
        value.heading(ctx.label("High-value customers at risk", "高价值流失风险客户"))
        value.table(
            "at_risk",
            at_risk.sort_values("past_spend", ascending=False),
            [
                Col(customer, customer, "label"),
                Col("past_spend", ctx.label("past spend", "历史消费"), "money"),
                Col("probability_alive", "P(alive)", "share"),
                Col(
                    "recency",
                    ctx.label("last purchase (weeks after first)", "最后购买（首购后周数）"),
                    "number",
                ),
                Col("T", ctx.label("weeks since first", "首购至今周数"), "number"),
            ],
            top=10,
        )
    return [segments, value]


def _revenue_headline(ctx: Context, orders: Any, time: str, amount: str) -> None:
    total = float(orders[amount].sum())
    months = orders.groupby(orders[time].dt.to_period("M"))[amount].sum()
    detail = ""
    if len(months) >= 2:
        last, previous = months.iloc[-1], months.iloc[-2]
        if previous > 0:
            change = f"{100 * (last / previous - 1):+.1f} %"
            detail = ctx.label(
                f"{months.index[-1]} vs {months.index[-2]}: {change}",
                f"{months.index[-1]} 较 {months.index[-2]}：{change}",
            )
    ctx.headline.append((ctx.t("h_revenue"), cell(total, "money"), detail))


# ---------------------------------------------------------------- what changed


def _periods(ctx: Context, kind: str, clean: Callable[[Context, Input], Any]) -> Any:
    """The input ``kind`` as one frame with ``__period`` "previous" / "current": the previous
    file against the current one, or the rows before ``ctx.split`` against those after."""
    import pandas as pd

    current = ctx.inputs.get(kind)
    if current is None:
        return None
    quiet = Context(ctx.inputs, ctx.lang)  # the data notes are the main sections'
    if kind in ctx.previous:
        before = clean(quiet, ctx.previous[kind]).assign(__period="previous")
        after = clean(quiet, current).assign(__period="current")
        return pd.concat([before, after], ignore_index=True)
    time = current.get("time")
    if ctx.split is None or time is None:
        return None
    frame = clean(quiet, current)
    stamps = pd.to_datetime(frame[time])
    cut = pd.Timestamp(ctx.split)
    if getattr(stamps.dt, "tz", None) is not None and cut.tzinfo is None:
        cut = cut.tz_localize(stamps.dt.tz)
    frame = frame.assign(__period=np.where(stamps < cut, "previous", "current"))
    return frame if frame["__period"].nunique() == 2 else None


def _change_row(
    metric: str, kind: str, before: float, after: float, low: float, high: float, p: float, section: str
) -> dict[str, Any]:
    """One measure in both periods; ``low``/``high`` bound the change (current minus previous)."""
    return {
        "metric": metric,
        "kind": kind,
        "previous": before,
        "current": after,
        "change": after - before,
        "ci_low": low,
        "ci_high": high,
        "p_value": p,
        "section": section,
    }


def compare_sections(ctx: Context) -> list[Section]:
    """What changed between two periods (``--compare DATE``) or two files (``--compare-survey``
    and the like): NPS and CSAT (two-sample tests), each funnel step's conversion (score test),
    orders and spend per order (Welch t), Holm over every row."""
    import pandas as pd

    import cxmetrics as cx

    rows: list[dict[str, Any]] = []
    survey = _periods(ctx, "survey", _clean_survey)
    if survey is not None:
        score = ctx.inputs["survey"].get("score")
        test = cx.compare_nps(survey, score=score, by="__period", reference="previous", p_adjust="none")
        r = test.iloc[0]
        rows.append(
            _change_row(
                "NPS", "score", r["nps_b"], r["nps_a"], r["ci_low"], r["ci_high"], r["p_value"], "nps"
            )
        )
        csat = ctx.inputs["survey"].get("csat")
        if csat is not None:
            rated = survey[pd.to_numeric(survey[csat], errors="coerce").between(1, 5)]
            rated = rated.assign(**{csat: pd.to_numeric(rated[csat]).astype(int)})
            r = cx.compare_csat(
                rated, score=csat, by="__period", reference="previous", p_adjust="none"
            ).iloc[0]
            rows.append(
                _change_row(
                    "CSAT", "score", r["csat_b"], r["csat_a"], r["ci_low"], r["ci_high"], r["p_value"], "csat"
                )
            )
    events = _periods(ctx, "events", _clean_events)
    if events is not None:
        given = ctx.inputs["events"]
        call = {role: given.get(role) for role in ("customer", "time", "stage")}
        steps = (
            given.get("steps")
            or default_steps(events, call["customer"], call["time"], call["stage"], given.get("conversion"))[
                0
            ]
        )
        compared = cx.compare_funnels(events, steps=steps, by="__period", reference="previous", **call)
        for _, r in compared[compared["group"] == "current"].iterrows():
            if bool(r["small_sample"]):
                continue
            rows.append(
                _change_row(
                    ctx.label(f"conversion into {r['step']}", f"进入 {r['step']} 的转化率"),
                    "share",
                    r["rate_other"],
                    r["rate"],
                    r["ci_low"],
                    r["ci_high"],
                    r["p_value"],
                    "funnel",
                )
            )
    orders = _periods(ctx, "transactions", _clean_orders)
    if orders is not None:
        from scipy import stats

        amount = ctx.inputs["transactions"].get("amount")
        before = orders.loc[orders["__period"] == "previous", amount].to_numpy(float)
        after = orders.loc[orders["__period"] == "current", amount].to_numpy(float)
        rows.append(
            _change_row(
                ctx.label("orders", "订单数"), "count", len(before), len(after), np.nan, np.nan, np.nan, "rfm"
            )
        )
        rows.append(
            _change_row(
                ctx.label("revenue", "收入"),
                "money",
                before.sum(),
                after.sum(),
                np.nan,
                np.nan,
                np.nan,
                "rfm",
            )
        )
        if len(before) >= 2 and len(after) >= 2:
            welch = stats.ttest_ind(after, before, equal_var=False)
            interval = welch.confidence_interval(0.95)
            rows.append(
                _change_row(
                    ctx.label("spend per order", "客单价"),
                    "money",
                    before.mean(),
                    after.mean(),
                    interval.low,
                    interval.high,
                    float(welch.pvalue),
                    "clv",
                )
            )
    if not rows:
        return []
    table = pd.DataFrame(rows)
    table["p_adjusted"] = _adjust(table["p_value"].tolist(), "holm")
    ctx.tests += int(table["p_value"].notna().sum())
    for name in ("previous", "current"):
        table[f"{name}_shown"] = [cell(v, k) for v, k in zip(table[name], table["kind"], strict=True)]
    table["change_shown"] = [
        _signed(r["change"], r["kind"])
        + (
            f" ({cell(r['ci_low'], r['kind'])} – {cell(r['ci_high'], r['kind'])})"
            if np.isfinite(r["ci_low"])
            else ""
        )
        for _, r in table.iterrows()
    ]
    section = ctx.section("compare")
    labels = ctx.previous_labels or (
        ctx.label(f"before {ctx.split}", f"{ctx.split} 之前"),
        ctx.label(f"from {ctx.split}", f"{ctx.split} 起"),
    )
    section.table(
        "changes",
        table,
        [
            Col("metric", ctx.label("measure", "指标"), "label"),
            Col("previous_shown", labels[0], "label"),
            Col("current_shown", labels[1], "label"),
            Col("change_shown", ctx.label("change (95 % interval)", "变化（95 % 区间）"), "label"),
            ctx.adjusted_p_col(),
        ],
        top=40,
        highlight=(table["p_adjusted"] < ALPHA).to_numpy(),
    )
    section.note(
        ctx.label(
            "NPS: Welch t; CSAT and conversion: score tests; spend per order: Welch t; "
            "p-values Holm-adjusted over the rows. Yellow: significant change.",
            "NPS：Welch t 检验；满意度与转化率：score 检验；客单价：Welch t 检验；"
            "p 值对各行做 Holm 校正。黄色：显著变化。",
        )
    )
    for _, r in table[table["p_adjusted"] < ALPHA].iterrows():
        ctx.finding(
            ctx.t(
                "f_change",
                metric=r["metric"],
                before=r["previous_shown"],
                after=r["current_shown"],
                p=cell(r["p_adjusted"], "p"),
            ),
            "compare",
            0.5 + float(r["p_adjusted"]),
        )
    return [section]


def _signed(value: float, kind: str) -> str:
    shown = cell(abs(value), kind)
    return ("+" if value >= 0 else "−") + shown


#: The report's sections, in order. Append a function ``(ctx) -> list[Section]`` to add one.
SECTIONS: list[Callable[[Context], list[Section]]] = [
    compare_sections,
    survey_sections,
    text_sections,
    journey_sections,
    customer_sections,
]
