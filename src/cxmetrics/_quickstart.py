"""``cxmetrics quickstart``: survey metrics of the bundled sample, printed."""

from __future__ import annotations

import cxmetrics as cx
from cxmetrics.datasets import load_survey


def quickstart() -> None:
    """Print NPS overall and by channel, the wave comparison, the quarterly trend and CSAT."""
    import pandas as pd

    survey = load_survey()
    with pd.option_context("display.width", 120, "display.max_columns", 20,
                           "display.float_format", "{:.4g}".format):
        print(f"cxmetrics {cx.__version__} quickstart: bundled survey, {len(survey)} responses\n")
        print("NPS overall (adjusted-Wald 95% interval)")
        print(cx.nps(survey, score="ltr")[["n", "n_missing", "nps", "ci_low", "ci_high"]], "\n")
        print("NPS by channel")
        print(cx.nps(survey, score="ltr", by="channel")[["channel", "n", "nps", "ci_low", "ci_high"]],
              "\n")
        print("Channels against the web channel (Welch t, Holm-adjusted)")
        vs_web = cx.compare_nps(survey, score="ltr", by="channel", reference="web")
        print(vs_web[["group_a", "group_b", "difference", "ci_low", "ci_high", "p_adjusted"]], "\n")
        print("Same customers, two waves (paired t)")
        paired = cx.compare_nps(survey, score="ltr", by="wave", paired=True,
                                subject="customer_id")
        print(paired[["group_a", "group_b", "n_a", "difference", "p_value"]], "\n")
        print("Quarterly NPS trend with the change from the previous quarter")
        trend = cx.nps_trend(survey, score="ltr", time="date", freq="Q")
        print(trend[["period", "n", "nps", "ci_low", "ci_high", "change", "change_p_value"]], "\n")
        print("CSAT (top-2-box, Wilson interval) by region")
        print(cx.csat(survey, score="csat", by="region")[["region", "n", "csat", "ci_low", "ci_high",
                                                          "mean"]], "\n")
        print("Responses needed for a ±5-point NPS margin:", cx.sample_size_nps(5))
