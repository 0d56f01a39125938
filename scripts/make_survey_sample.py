"""Generate the bundled synthetic survey sample (src/cxmetrics/datasets/data/survey.csv).

A made-up but realistic CX survey: 800 customers answer two waves (H1 and H2 2025) across
regions, channels and departments, with likelihood-to-recommend (0–10), satisfaction (1–5),
effort (1–7) and a short Chinese comment. The H2 wave has a better app experience, and the
phone channel a worse one, so comparisons and trends have something to find.
Run from the repository root: ``python scripts/make_survey_sample.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20251123
N_CUSTOMERS = 800
REGIONS = ["华东", "华北", "华南", "西南"]
CHANNELS = ["app", "web", "store", "phone"]
DEPARTMENTS = ["售后", "物流", "销售"]
CHANNEL_SHIFT = {"app": 0.3, "web": 0.0, "store": 0.5, "phone": -1.0}
COMMENTS = {
    "negative": ["客服态度很差，等了很久", "物流太慢了", "退款一直没有处理", "电话打不通",
                 "质量一般，不推荐"],
    "neutral": ["还可以", "一般般吧", "价格有点贵", "包装普通"],
    "positive": ["客服态度很好，解决问题迅速", "送货很快", "质量不错，会再买", "服务周到", "App 很好用"],
}


def main() -> None:
    rng = np.random.default_rng(SEED)
    customers = pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(N_CUSTOMERS)],
        "region": rng.choice(REGIONS, N_CUSTOMERS, p=[0.35, 0.25, 0.25, 0.15]),
        "loyalty": rng.normal(0, 1.2, N_CUSTOMERS),
    })
    rows = []
    for wave, (start, uplift) in {"2025H1": ("2025-01-01", 0.0), "2025H2": ("2025-07-01", 0.4)}.items():
        days = rng.integers(0, 181, N_CUSTOMERS)
        channel = rng.choice(CHANNELS, N_CUSTOMERS, p=[0.4, 0.25, 0.2, 0.15])
        department = rng.choice(DEPARTMENTS, N_CUSTOMERS)
        shift = np.array([CHANNEL_SHIFT[c] for c in channel]) + (channel == "app") * uplift
        latent = 7.4 + customers["loyalty"].to_numpy() + shift + rng.normal(0, 1.5, N_CUSTOMERS)
        ltr = np.clip(np.round(latent), 0, 10).astype(int)
        csat = np.clip(np.round(1 + (latent - 2) / 2 + rng.normal(0, 0.6, N_CUSTOMERS)), 1, 5)
        ces = np.clip(np.round(1 + (latent - 1.5) * 0.7 + rng.normal(0, 0.9, N_CUSTOMERS)), 1, 7)
        mood = np.where(ltr <= 6, "negative", np.where(ltr <= 8, "neutral", "positive"))
        comment = [rng.choice(COMMENTS[m]) if rng.random() < 0.7 else "" for m in mood]
        rows.append(pd.DataFrame({
            "response_id": [f"{wave}-{i:04d}" for i in range(N_CUSTOMERS)],
            "customer_id": customers["customer_id"],
            "wave": wave,
            "date": pd.Timestamp(start) + pd.to_timedelta(days, unit="D"),
            "region": customers["region"],
            "channel": channel,
            "department": department,
            "ltr": ltr,
            "csat": csat.astype(int),
            "ces": ces.astype(int),
            "comment": comment,
        }))
    survey = pd.concat(rows, ignore_index=True).sort_values(["date", "response_id"])
    # A few skipped questions, as in every real survey export.
    skipped = rng.choice(len(survey), 25, replace=False)
    survey["ltr"] = survey["ltr"].astype("Int64")
    survey.iloc[skipped, survey.columns.get_loc("ltr")] = pd.NA
    out = Path("src/cxmetrics/datasets/data/survey.csv")
    survey.to_csv(out, index=False, date_format="%Y-%m-%d")
    print(f"wrote {len(survey)} rows to {out}")


if __name__ == "__main__":
    main()
