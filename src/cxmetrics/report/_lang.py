"""The report's words in English and Chinese (``--lang en|zh``)."""

from __future__ import annotations

__all__ = ["LANGUAGES", "tr"]

LANGUAGES = ("en", "zh")

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Customer-experience report", "客户体验报告"),
    "findings": ("Key findings", "关键发现"),
    "notes": ("Data notes", "数据说明"),
    "nothing": (
        "No significant change or group difference was found ({tests} tests, adjusted for multiple "
        "comparisons); no journey gap, negative aspect or at-risk high-value customer stands out.",
        "未发现显著变化或组间差异（共 {tests} 项检验，已做多重比较校正）；"
        "旅程断点、负面方面和高价值流失风险客户均无突出项。",
    ),
    "sample": ("bundled sample data", "内置示例数据"),
    # sections
    "s_nps": ("NPS", "净推荐值 (NPS)"),
    "s_trend": ("NPS trend", "NPS 趋势"),
    "s_csat": ("CSAT", "满意度 (CSAT)"),
    "s_sentiment": ("Sentiment of comments", "评论情感"),
    "s_aspects": ("Aspects", "评价方面"),
    "s_alerts": ("Alerts: who to call back", "预警：需回访的客户"),
    "s_funnel": ("Funnel", "转化漏斗"),
    "s_paths": ("Journey flow", "旅程流向"),
    "s_gaps": ("Gaps: exits at switches", "断点：切换处的流失"),
    "s_rfm": ("RFM segments", "RFM 客户分层"),
    "s_clv": ("Customer lifetime value", "客户终身价值 (CLV)"),
    "s_compare": ("What changed", "变化对比"),
    "s_retention": ("Retention (event log)", "留存（事件日志）"),
    "s_retention_orders": ("Repeat purchases (orders)", "复购留存（订单）"),
    "s_weighting": ("Weighting to the population", "按总体加权"),
    "s_topics": ("Topics in the comments", "评论话题"),
    # headline cards
    "h_nps": ("NPS", "NPS"),
    "h_csat": ("CSAT (top-2-box)", "满意度（前两档）"),
    "h_conversion": ("Conversion", "转化率"),
    "h_revenue": ("Revenue", "收入"),
    "h_risk": ("High-value customers at risk", "高价值流失风险客户"),
    "h_change": ("{period} vs previous: {change} (p {p})", "{period} 较上期：{change}（p {p}）"),
    "h_retention_orders": ("Repeat buyers after one period", "一期后复购率"),
    "h_n": ("{n} answers", "{n} 份答卷"),
    "h_customers": (
        "{entered} customers entered, {converted} converted",
        "{entered} 位进入，{converted} 位转化",
    ),
    "h_risk_detail": (
        "top 20 % by past spend with P(alive) < 0.5",
        "历史消费前 20 % 中存活概率 < 0.5",
    ),
    # findings
    "f_group": (
        "NPS of {column} = {group} is {value} against {other} for the rest "
        "(difference {diff}, adjusted p {p}).",
        "{column} = {group} 的 NPS 为 {value}，其余为 {other}（差 {diff}，校正后 p {p}）。",
    ),
    "f_trend": (
        "NPS changed by {change} in {period} ({before} → {after}, adjusted p {p}).",
        "NPS 在 {period} 变化 {change}（{before} → {after}，校正后 p {p}）。",
    ),
    "f_step": (
        "Funnel step {step}: {column} = {group} converts {rate} against {other} for the rest "
        "(adjusted p {p}).",
        "漏斗步骤 {step}：{column} = {group} 的转化率为 {rate}，其余为 {other}（校正后 p {p}）。",
    ),
    "f_gap": (
        "Journey gap: a {attribute} switch between {start} and {end} raises exits from {base} to {rate} "
        "({excess} excess exits, q {q}).",
        "旅程断点：{start} → {end} 之间切换 {attribute} 使流失率从 {base} 升至 {rate}"
        "（多流失 {excess} 人，q {q}）。",
    ),
    "f_aspect": (
        "Most negative aspect: {aspect}, {share} of {n} mentions negative.",
        "最负面的方面：{aspect}，{n} 次提及中 {share} 为负面。",
    ),
    "f_alerts": (
        "{high} high-priority alerts to call back (of {total} flagged); the first: “{text}”.",
        "{high} 条高优先级预警需回访（共标记 {total} 条）；首条：“{text}”。",
    ),
    "f_risk": (
        "{n} high-value customers (top 20 % by past spend, {share} of it) have P(alive) below 0.5.",
        "{n} 位高价值客户（历史消费前 20 %，占其 {share}）的存活概率低于 0.5。",
    ),
    "f_change": (
        "{metric} changed between the periods: {before} → {after} (adjusted p {p}).",
        "{metric} 在两期之间变化：{before} → {after}（校正后 p {p}）。",
    ),
    "f_retention": (
        "Retention of {column} = {group} is {rate} in {unit} {period} against {other} for the rest "
        "(adjusted p {p}).",
        "{column} = {group} 在第 {period} {unit}的留存率为 {rate}，其余为 {other}（校正后 p {p}）。",
    ),
    "f_weighting": (
        "Weighting to the population moves the NPS of {what} from {before} to {after} "
        "(more than the interval half-width {half}).",
        "按总体加权后，{what} 的 NPS 从 {before} 变为 {after}（超过区间半宽 {half}）。",
    ),
    "f_topic": (
        "Comments about “{topic}” ({share} of comments) come with NPS {value} against {other} "
        "without (difference {diff}, adjusted p {p}).",
        "提及“{topic}”的评论（占 {share}）NPS 为 {value}，未提及者为 {other}（差 {diff}，校正后 p {p}）。",
    ),
    # notes
    "n_score": (
        "survey: {n} answers without a valid 0-10 score left out of NPS.",
        "问卷：{n} 份答卷无有效 0-10 分，未计入 NPS。",
    ),
    "n_amount": (
        "transactions: {n} rows with an amount of zero or less (returns, refunds) left out.",
        "交易：{n} 行金额小于等于 0（退货或退款），未计入。",
    ),
    "n_missing": (
        "{source}: {n} rows with a missing {role} ({column}) left out.",
        "{source}：{n} 行缺少{role}（{column}），未计入。",
    ),
    "n_dates": (
        "{source}: {n} rows whose {column} is not a date left out.",
        "{source}：{n} 行的 {column} 不是日期，未计入。",
    ),
    "n_funnel": (
        "funnel steps taken from the data: the most common ordered path into {stage} "
        "({share} of converting customers).",
        "漏斗步骤取自数据：进入 {stage} 最常见的有序路径（占转化客户的 {share}）。",
    ),
    "n_flow": (
        "journey flow shows the {k} most visited of {n} stages; the rest are grouped as “(other)”.",
        "旅程流向显示 {n} 个阶段中访问最多的 {k} 个，其余合并为“(其他)”。",
    ),
    "n_no_switch": (
        "events: {n} handoffs switch {column}, too few to test gaps at its switches (20 needed).",
        "事件：仅 {n} 次交接切换了 {column}，不足以检验断点（至少 20 次）。",
    ),
    "n_weighting": (
        "weighting to the margins of {margins} moves no NPS by more than half its interval.",
        "按 {margins} 的边际加权后，没有 NPS 的变化超过其区间半宽。",
    ),
    "n_skipped": ("{what} left out: {reason}", "{what} 未生成：{reason}"),
    "n_gg": (
        "CLV spend model fitted on the {n} repeat buyers; the others get the population mean spend.",
        "消费金额模型仅用 {n} 位复购客户拟合，其余客户取总体均值。",
    ),
    "n_se": (
        "standard errors are blank where the model's information matrix cannot give one "
        "(a parameter at its bound).",
        "标准误为空表示该参数处于边界，信息矩阵无法给出。",
    ),
}


def tr(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    en, zh = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)
