"""Regenerate the images of docs/guide/clv_models.md from the CDNOW sample and the sBG paper data.

python scripts/clv_models_images.py [path/to/shared/data]
"""

from __future__ import annotations

import pathlib
import sys

import pandas as pd

import cxmetrics as cx

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(data: pathlib.Path) -> None:
    out = ROOT / "docs" / "guide" / "img" / "clv_models"
    out.mkdir(parents=True, exist_ok=True)

    def save(ax: object, name: str) -> None:
        ax.figure.savefig(out / f"{name}.png", dpi=80, bbox_inches="tight")  # type: ignore[attr-defined]

    log = pd.read_csv(
        data / "transactions" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer", "date", "cds", "amount"],
        dtype={"date": str},
    )
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    summary = cx.summary_from_transactions(
        log,
        customer="customer",
        time="date",
        amount="amount",
        calibration_end="1997-09-30",
        nonpositive="keep",
    )
    bg = cx.BetaGeo().fit(summary)
    track = cx.tracking(log, model=bg, customer="customer", time="date", calibration_end="1997-09-30")
    for kind in ("cumulative", "incremental"):
        save(cx.plot.tracking_plot(track, kind=kind), f"tracking_{kind}")
    save(cx.plot.purchase_histogram(cx.repeat_purchase_histogram(summary, model=bg)), "histogram")
    survivors = pd.DataFrame(
        {
            "segment": ["regular"] * 8 + ["high end"] * 8,
            "period": list(range(8)) * 2,
            "active": [1000, 631, 468, 382, 326, 289, 262, 241, 1000, 869, 743, 653, 593, 551, 517, 491],
        }
    )
    sbg = cx.ShiftedBetaGeometric().fit(survivors, survivors="active", by="segment")
    observed = survivors.assign(observed=survivors["active"] / 1000)[["segment", "period", "observed"]]
    curve = sbg.survival(periods=range(13)).merge(observed, on=["segment", "period"], how="left")
    save(cx.plot.survival_curve(curve), "survival")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
