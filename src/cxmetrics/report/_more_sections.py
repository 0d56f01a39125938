"""The report's retention, weighting and topics sections (each a ``(ctx) -> list[Section]``
appended to :data:`cxmetrics.report._sections.SECTIONS`).

- Retention (when an event log or an order log is given): monthly or weekly cohorts chosen from
  the log's time span (:func:`cxmetrics.cohort_retention`), the triangle and the curves, and each
  group of the log's segment columns (platform, channel, device ...) against the rest
  (:func:`cxmetrics.compare_retention`, BH over periods, Holm over the groups).
- Weighting (with ``--margins``): the survey raked to the margins (:func:`cxmetrics.weights.rake`),
  the weights' cost in precision, and NPS unweighted against weighted, overall and by each margin
  variable.
- Topics (when the survey has comments): topics found in the comments
  (:func:`cxmetrics.text.topics`) and each one's impact on NPS (:func:`cxmetrics.text.topic_impact`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.errors import CXMetricsError
from cxmetrics.report._document import Section
from cxmetrics.report._format import Col, cell
from cxmetrics.report._inputs import Input, switch_like
from cxmetrics.report._sections import (
    ALPHA,
    Context,
    _adjust,
    _clean_events,
    _clean_orders,
    _clean_survey,
    _titled,
)

__all__ = ["retention_sections", "topic_sections", "weighting_sections"]

#: Cohorts are months when the log spans more than this many days, else weeks.
MONTHLY_AFTER_DAYS = 120
#: Periods after the first shown and tested.
PERIODS = 12


# ---------------------------------------------------------------- retention


def _retention_freq(times: Any) -> str:
    span = (times.max() - times.min()).days if len(times) else 0
    return "M" if span > MONTHLY_AFTER_DAYS else "W"


def _per_customer(log: Any, customer: str, time: str, columns: list[str]) -> Any:
    """Each segment column as the customer's value at their first event, so that the groups
    are properties of the customer as :func:`cxmetrics.compare_retention` needs."""
    ordered = log.sort_values([customer, time], kind="stable")
    first = ordered.groupby(customer, sort=False)[columns].first()
    return log.drop(columns=columns).join(first, on=customer)


def _retention_tests(ctx: Context, log: Any, customer: str, time: str, freq: str, columns: list[str]) -> Any:
    """Groups whose retention differs from the rest, column by column, step-down as the NPS
    groups are (:func:`cxmetrics.report._sections._group_tests`).

    Each round compares every remaining group with the other remaining customers period by
    period (:func:`cxmetrics.compare_retention`, BH over the periods) and takes each group's
    most different period; Holm over the round's groups, Bonferroni over the columns. The most
    different group, if significant, is set aside and the rest compared again, so that one
    group churning faster does not make the others look different from "the rest". Of two
    groups left, only the one retaining fewer is tested (the other is its mirror image).
    """
    import pandas as pd

    import cxmetrics as cx

    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    for column in columns:
        pool = list(log[column].dropna().unique())
        while len(pool) >= 2:
            compared = cx.compare_retention(
                log[log[column].isin(pool)],
                customer=customer,
                time=time,
                by=column,
                freq=freq,
                periods=PERIODS,
                p_adjust="fdr_bh",
            )
            curves.setdefault(column, compared)  # from period 0 (everyone) down
            compared = compared[(compared["period"] > 0) & compared["p_value"].notna()]
            round_rows = []
            for group, part in compared.groupby(column, sort=False):
                if part.empty:
                    continue
                row = part.loc[part["p_adjusted"].idxmin()]
                round_rows.append({"column": column, "group": group, **row.drop(labels=[column]).to_dict()})
            if len(round_rows) == 2:
                round_rows = [min(round_rows, key=lambda r: (r["p_adjusted"], r["difference"]))]
            ctx.tests += sum(int((compared[column] == r["group"]).sum()) for r in round_rows)
            if not round_rows:
                break
            adjusted = np.minimum(_adjust([r["p_adjusted"] for r in round_rows], "holm") * len(columns), 1.0)
            for r, p in zip(round_rows, adjusted, strict=True):
                r["p_holm"] = p
            best = min(round_rows, key=lambda r: (r["p_holm"], -abs(r["difference"])))
            if not best["p_holm"] < ALPHA:
                rows += round_rows
                break
            rows.append(best)
            pool = [g for g in pool if g != best["group"]]
    return pd.DataFrame(rows), curves


def _retention_section(
    ctx: Context, key: str, log: Any, customer: str, time: str, columns: list[str]
) -> Section:
    import cxmetrics as cx
    from cxmetrics import plot

    section = ctx.section(key)
    freq = _retention_freq(log[time])
    unit = ctx.label({"M": "month", "W": "week"}[freq], {"M": "月", "W": "周"}[freq])
    cohorts = cx.cohort_retention(log, customer=customer, time=time, freq=freq, periods=PERIODS)
    later = cohorts[cohorts["period"] > 0]
    weighted = later.groupby("period")[["retained", "cohort_size"]].sum()
    if len(weighted) and key == "retention_orders":  # the event log's sessions: no headline
        first = weighted.iloc[0]
        ctx.headline.append(
            (
                ctx.t(f"h_{key}"),
                cell(first["retained"] / max(first["cohort_size"], 1), "share"),
                ctx.label(
                    f"of customers active again 1 {unit} after their first",
                    f"的客户在首次后第 1 {unit}再次活跃",
                ),
            )
        )
    section.table(
        "cohorts",
        cohorts,
        [
            Col("cohort", ctx.label("cohort", "同期群"), "date"),
            Col("period", ctx.label(f"{unit}s after", f"之后第几{unit}"), "count"),
            Col("cohort_size", ctx.label("customers", "客户数"), "count"),
            Col("retained", ctx.label("active", "活跃"), "count"),
            Col(
                "rate",
                ctx.label("retention (95 % interval)", "留存率（95 % 区间）"),
                "share",
                "ci_low",
                "ci_high",
            ),
        ],
        top=24,
    )
    section.note(
        ctx.label(
            f"Customers grouped by the {unit} of their first activity; retention in {unit} N is the share "
            f"active in exactly that {unit} (Wilson 95 % intervals); {unit}s not yet observable are blank.",
            f"按首次活跃所在{unit}分组；第 N {unit}留存率为恰在该{unit}活跃的客户占比（Wilson 95 % 区间）；"
            f"尚不可观测的{unit}为空。",
        )
    )
    section.figure(
        _titled(plot.cohort_heatmap(cohorts), title=ctx.label("Retention by cohort", "各同期群留存率")),
        "cohort retention triangle",
    )
    tests, curves = _retention_tests(ctx, log, customer, time, freq, columns)
    if columns:
        column = columns[0]
        section.figure(
            _titled(
                plot.retention_curve(curves[column]),
                title=ctx.label(
                    f"Retention by {column} (band: 95 % interval)", f"按 {column} 的留存率（阴影：95 % 区间）"
                ),
            ),
            f"retention by {column}",
        )
    else:
        largest = cohorts.groupby("cohort")["cohort_size"].first().nlargest(5).index
        section.figure(
            _titled(
                plot.retention_curve(
                    cohorts[cohorts["cohort"].isin(largest)].assign(
                        cohort=lambda f: f["cohort"].dt.strftime("%Y-%m-%d")  # the legend's labels
                    )
                ),
                title=ctx.label("Retention of the largest cohorts", "最大几个同期群的留存率"),
            ),
            "retention curves",
        )
    if len(tests):
        section.heading(ctx.label("Groups against the rest", "各组与其余客户对比"))
        section.table(
            "groups",
            tests.sort_values("p_holm"),
            [
                Col("column", ctx.label("column", "列"), "label"),
                Col("group", ctx.label("group", "组"), "label"),
                Col("period", ctx.label(f"{unit}s after", f"之后第几{unit}"), "count"),
                Col(
                    "rate", ctx.label("group retention", "该组留存率"), "share", "rate_ci_low", "rate_ci_high"
                ),
                Col("reference_rate", ctx.label("the rest", "其余"), "share"),
                ctx.difference_col("share"),
                ctx.adjusted_p_col("p_holm"),
            ],
            highlight=(tests.sort_values("p_holm")["p_holm"] < ALPHA).to_numpy(),
        )
        section.note(
            ctx.label(
                f"Each group against the rest of the customers (a customer's group is its value at the first "
                f"activity), {unit} by {unit}: two-proportion tests BH-adjusted over the {unit}s, the "
                "most different shown, Holm over the groups. Yellow: significant.",
                f"各组与其余客户逐{unit}对比（客户所属组取首次活跃时的值）：两比例检验，"
                f"对各{unit}做 BH 校正，"
                "显示差异最大的一期，组间 Holm 校正。黄色：显著。",
            )
        )
        for _, row in tests[tests["p_holm"] < ALPHA].iterrows():
            ctx.finding(
                ctx.t(
                    "f_retention",
                    column=row["column"],
                    group=row["group"],
                    rate=cell(row["rate"], "share"),
                    other=cell(row["reference_rate"], "share"),
                    period=f"{int(row['period'])}",
                    unit=unit,
                    p=cell(row["p_holm"], "p"),
                ),
                key,
                3 + float(row["p_holm"]),
            )
    return section


def retention_sections(ctx: Context) -> list[Section]:
    sections = []
    quiet = Context(ctx.inputs, ctx.lang)  # the data notes are the main sections'
    events: Input | None = ctx.inputs.get("events")
    if events is not None:
        customer, time = events.get("customer"), events.get("time")
        log = _clean_events(quiet, events)
        columns = list(events.get("switch") or [])
        log = _per_customer(log[[customer, time, *columns]], customer, time, columns)
        sections.append(_retention_section(ctx, "retention", log, customer, time, columns))
    orders: Input | None = ctx.inputs.get("transactions")
    if orders is not None:
        customer, time, amount = (orders.get(r) for r in ("customer", "time", "amount"))
        log = _clean_orders(quiet, orders)
        taken = [c for c in (customer, time, amount, orders.get("order")) if c]
        columns = switch_like(log, taken)
        log = _per_customer(log[[customer, time, *columns]], customer, time, columns)
        sections.append(_retention_section(ctx, "retention_orders", log, customer, time, columns))
    return sections


# ---------------------------------------------------------------- weighting


def weighting_sections(ctx: Context) -> list[Section]:
    import pandas as pd

    import cxmetrics as cx
    from cxmetrics.weights import rake

    margins = ctx.margins
    survey_input = ctx.inputs.get("survey")
    if margins is None:
        return []
    if survey_input is None:
        raise CXMetricsError("--margins weights the survey; give the survey file too (--survey)")
    survey = _clean_survey(Context(ctx.inputs, ctx.lang), survey_input)
    score = survey_input.get("score")
    absent = [c for c in margins if c not in survey.columns]
    if absent:
        raise CXMetricsError(
            f"--margins names variables {absent} that the survey does not have; its columns are "
            f"{list(survey.columns)}"
        )
    try:
        weighted, report = rake(survey, margins=margins, name="__weight")
    except CXMetricsError as exc:
        raise CXMetricsError(f"--margins: {exc}") from exc
    section = ctx.section("weighting")
    quality = pd.DataFrame(
        [
            (
                ctx.label("converged", "已收敛"),
                ctx.label("yes", "是") if report.converged else ctx.label("no", "否"),
            ),
            (ctx.label("iterations", "迭代次数"), f"{report.iterations:,}"),
            (ctx.label("answers weighted", "加权答卷数"), f"{report.n:,}"),
            (ctx.label("effective sample size", "有效样本量"), f"{report.n_eff:,.0f}"),
            (ctx.label("design effect", "设计效应"), f"{report.design_effect:.2f}"),
            (ctx.label("weighting efficiency", "加权效率"), cell(report.efficiency, "share")),
            (ctx.label("weight range", "权重范围"), f"{report.weight_min:.2f} – {report.weight_max:.2f}"),
            (
                ctx.label("largest margin error", "最大边际误差"),
                f"{max(report.margin_errors.values(), default=0.0):.1e}",
            ),
        ],
        columns=["measure", "value"],
    )
    section.table(
        "weights",
        quality,
        [Col("measure", ctx.label("weights", "权重"), "label"), Col("value", "", "label")],
    )
    section.note(
        ctx.label(
            f"Answers raked to the margins of {', '.join(margins)} (iterative proportional fitting); "
            "design effect and effective sample size by Kish's formula (1 + CV² of the weights).",
            f"按 {', '.join(margins)} 的总体边际做迭代比例加权（raking）；设计效应与有效样本量按 Kish 公式"
            "（1 + 权重变异系数²）。",
        )
    )
    rows = []
    for variable in [None, *margins]:
        plain = cx.nps(weighted, score=score, by=variable)
        heavy = cx.nps(weighted, score=score, by=variable, weights="__weight")
        if variable:
            both = plain.merge(heavy, on=variable, suffixes=("", "_w"))
        else:
            both = plain.join(heavy.add_suffix("_w"))
        for _, r in both.iterrows():
            rows.append(
                {
                    "variable": variable or ctx.label("all answers", "全部答卷"),
                    "level": "" if variable is None else str(r[variable]),
                    "n": r["n"],
                    "nps": r["nps"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "nps_weighted": r["nps_w"],
                    "weighted_ci_low": r["ci_low_w"],
                    "weighted_ci_high": r["ci_high_w"],
                    "change": r["nps_w"] - r["nps"],
                    "half_width": (r["ci_high"] - r["ci_low"]) / 2,
                }
            )
    table = pd.DataFrame(rows)
    moved = (table["change"].abs() > table["half_width"]).to_numpy()
    section.heading(ctx.label("NPS unweighted and weighted", "未加权与加权 NPS"))
    section.table(
        "nps",
        table,
        [
            Col("variable", ctx.label("variable", "变量"), "label"),
            Col("level", ctx.label("level", "水平"), "label"),
            Col("n", ctx.label("answers", "答卷数"), "count"),
            Col("nps", ctx.label("NPS (95 % interval)", "NPS（95 % 区间）"), "score", "ci_low", "ci_high"),
            Col(
                "nps_weighted",
                ctx.label("weighted NPS (95 % interval)", "加权 NPS（95 % 区间）"),
                "score",
                "weighted_ci_low",
                "weighted_ci_high",
            ),
            Col("change", ctx.label("change", "变化"), "score"),
        ],
        top=40,
        highlight=moved,
    )
    section.note(
        ctx.label(
            "Weighted intervals use the effective sample size of the weights. Yellow: weighting moves NPS "
            "by more than half the width of its unweighted 95 % interval.",
            "加权区间按权重的有效样本量计算。黄色：加权使 NPS 的变化超过未加权 95 % 区间的半宽。",
        )
    )
    for i in np.flatnonzero(moved):
        r = table.iloc[i]
        ctx.finding(
            ctx.t(
                "f_weighting",
                what=r["variable"] if not r["level"] else f"{r['variable']} = {r['level']}",
                before=f"{r['nps']:.1f}",
                after=f"{r['nps_weighted']:.1f}",
                half=f"{r['half_width']:.1f}",
            ),
            "weighting",
            2.5 - abs(float(r["change"])) / 1000,
        )
    if not moved.any():
        ctx.note(ctx.t("n_weighting", margins=", ".join(margins)))
    return [section]


# ---------------------------------------------------------------- topics


def topic_sections(ctx: Context) -> list[Section]:
    from cxmetrics import plot, text

    survey_input = ctx.inputs.get("survey")
    if survey_input is None or survey_input.get("text") is None:
        return []
    column, score = survey_input.get("text"), survey_input.get("score")
    survey = _clean_survey(Context(ctx.inputs, ctx.lang), survey_input)
    survey = survey.assign(**{column: survey[column].fillna("").astype(str)})
    try:
        model = text.topics(survey, text=column, seed=0)
    except CXMetricsError as exc:  # too few distinct words to find topics in
        ctx.note(ctx.t("n_skipped", what=ctx.t("s_topics"), reason=str(exc)))
        return []
    impact = text.topic_impact(survey, score=score, topics=model, text=column, seed=0)
    summary = model.summary()[["topic", "label", "ci_low", "ci_high"]].rename(
        columns={"ci_low": "share_ci_low", "ci_high": "share_ci_high"}
    )
    table = impact.merge(summary, on="topic", how="left").sort_values("share", ascending=False)
    ctx.tests += int(table["p_value"].notna().sum())
    section = ctx.section("topics")
    significant = (table["p_adjusted"] < ALPHA).to_numpy()
    section.table(
        "impact",
        table,
        [
            Col("label", ctx.label("topic", "话题"), "label"),
            Col(
                "share",
                ctx.label("of comments (95 % interval)", "评论占比（95 % 区间）"),
                "share",
                "share_ci_low",
                "share_ci_high",
            ),
            Col("with", ctx.label("NPS with", "提及者 NPS"), "score"),
            Col("without", ctx.label("NPS without", "未提及者 NPS"), "score"),
            ctx.difference_col("score"),
            ctx.adjusted_p_col(),
        ],
        top=12,
        highlight=significant,
    )
    section.note(
        ctx.label(
            "Topics found in the comments (non-negative matrix factorisation of TF-IDF; the number chosen "
            "by stability across subsamples), shares with Wilson intervals; NPS of answers mentioning "
            "each topic against the others (Welch t, BH over the topics). Yellow: significant.",
            "话题由评论自动发现（TF-IDF 非负矩阵分解，话题数按子样本稳定性选定），占比附 Wilson 区间；"
            "提及该话题与未提及者的 NPS 对比（Welch t 检验，话题间 BH 校正）。黄色：显著。",
        )
    )
    if len(table):
        section.figure(
            _titled(
                plot.topic_map(table, topic="label"),
                title=ctx.label("Topics: share and impact on NPS", "话题：占比与对 NPS 的影响"),
            ),
            "topic map",
        )
    for _, row in table[significant].iterrows():
        ctx.finding(
            ctx.t(
                "f_topic",
                topic=row["label"],
                share=cell(row["share"], "share"),
                value=f"{row['with']:.1f}",
                other=f"{row['without']:.1f}",
                diff=f"{row['difference']:+.1f}",
                p=cell(row["p_adjusted"], "p"),
            ),
            "topics",
            4.5 + float(row["p_adjusted"]) - abs(float(row["difference"])) / 1000,
        )
    return [section]
