"""``cxmetrics report`` end to end: sample data, a user-style CSV, bad input, the browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxmetrics.report import main

SECTIONS = {"nps", "trend", "csat", "sentiment", "aspects", "alerts", "funnel", "paths", "gaps", "rfm", "clv"}


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        if tag == "img":
            self.images += 1
            if not (values.get("src") or "").startswith("data:image/png;base64,"):
                self.external.append(values.get("src") or "")
        if tag in ("script", "link"):
            self.external.append(tag)


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    return out


def test_sample_report_has_every_section_and_is_self_contained(sample_report: Path):
    found = outline(sample_report / "report.html")
    assert set(found.sections) == SECTIONS
    assert found.images >= 12 and found.external == []
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    assert "物流配送" in html or "delivery" in html  # aspects
    csvs = {p.name for p in sample_report.glob("*.csv")}
    assert {
        "nps_overall.csv",
        "alerts_alerts.csv",
        "funnel_funnel.csv",
        "gaps_gaps.csv",
        "clv_customers.csv",
    } <= csvs


def test_tables_match_the_library(sample_report: Path):
    import cxmetrics as cx
    from cxmetrics.datasets import load_survey

    written = pd.read_csv(sample_report / "nps_by_channel.csv")
    direct = cx.nps(load_survey(), score="ltr", by="channel")
    np.testing.assert_allclose(written["nps"], direct["nps"])
    gaps = pd.read_csv(sample_report / "gaps_gaps.csv")
    top = gaps.iloc[0]
    assert (top["attribute"], top["from_stage"], top["to_stage"]) == ("device", "cart", "checkout")


def test_user_csv_with_named_columns(tmp_path: Path):
    rng = np.random.default_rng(1)
    n = 300
    survey = pd.DataFrame(
        {
            "会员": [f"m{i % 120}" for i in range(n)],
            "推荐分": rng.integers(0, 11, n),
            "门店": rng.choice(["静安", "徐汇", "浦东"], n),
            "提交日期": pd.date_range("2025-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "意见": rng.choice(["送餐太慢了", "味道很好", "客服态度差", "", "包装破损"], n),
        }
    )
    path = tmp_path / "answers.csv"
    survey.to_csv(path, index=False)
    out = tmp_path / "out"
    code = main(
        [
            "report",
            "--survey",
            str(path),
            "--score",
            "推荐分",
            "--text",
            "意见",
            "--by",
            "门店",
            "--customer",
            "会员",
            "--time",
            "提交日期",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert set(outline(out / "report.html").sections) == {"nps", "trend", "sentiment", "aspects", "alerts"}


def test_bad_column_names_it_and_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "answers.csv"
    pd.DataFrame({"score": [9, 3], "comment": ["好", "差"]}).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["report", "--survey", str(path), "--by", "region", "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert "region" in message and "survey" in message
    assert not out.exists()  # nothing written when the input is bad
    assert main(["report", "--survey", str(tmp_path / "absent.csv"), "--out", str(out), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_nothing_written_outside_the_output_folder(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    cache = tmp_path / "cache"
    env = {**os.environ, "CXMETRICS_CACHE_DIR": str(cache), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    subprocess.run(
        [sys.executable, "-m", "cxmetrics", "report", "--quiet", "--out", "result"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    assert [p.name for p in work.iterdir()] == ["result"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium(sample_report: Path, tmp_path: Path):
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1200,2000",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            (sample_report / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 50_000
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []


def test_parquet_and_excel_inputs(tmp_path: Path):
    from cxmetrics.datasets import load_journeys, load_transactions

    events, orders = tmp_path / "events.parquet", tmp_path / "orders.xlsx"
    load_journeys(customers=400).to_parquet(events)
    load_transactions(customers=300).to_excel(orders, index=False)
    out = tmp_path / "out"
    code = main(
        [
            "report",
            "--events",
            str(events),
            "--switch",
            "device",
            "--transactions",
            str(orders),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert set(outline(out / "report.html").sections) == {"funnel", "paths", "gaps", "rfm", "clv"}
    bad = tmp_path / "notes.docx"
    bad.write_text("x")
    assert main(["report", "--survey", str(bad), "--out", str(out), "--quiet"]) == 2
