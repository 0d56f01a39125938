"""``cxmetrics report`` end to end: findings computed from the data (planted effects named, none
when there are none), tables and files, three real-style files with different columns, a CLI
that fails cleanly, JSON output, and the page in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxmetrics.report import main

# what the library would warn about is said in the report's data notes, never on the console
pytestmark = pytest.mark.filterwarnings("error::cxmetrics.errors.CXMetricsWarning")

SECTIONS = {
    "findings",
    "nps",
    "trend",
    "csat",
    "sentiment",
    "aspects",
    "alerts",
    "funnel",
    "paths",
    "gaps",
    "rfm",
    "clv",
    "topics",
    "retention",
    "retention_orders",
    "notes",
}


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.charts = 0
        self.external: list[str] = []
        self.scripts = 0
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        if tag == "svg":
            self.charts += 1
        if tag in ("img", "link", "iframe") or (tag == "script" and values.get("src")):
            self.external.append(tag)
        if tag == "script":
            self.scripts += 1
        self._in_h2 = tag == "h2"

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings.append(data)
            self._in_h2 = False


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def findings(out: Path) -> list[dict]:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))["findings"]


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["report", "--out", str(out), "--quiet", "--json"]) == 0
    return out


def test_sample_report_findings_first_and_self_contained(sample_report: Path):
    found = outline(sample_report / "report.html")
    assert found.sections[0] == "findings" and set(found.sections) == SECTIONS
    assert found.charts >= 14 and found.external == [] and found.scripts == 1
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    assert "<text" in html and "@font-face" in html  # charts keep text; Chinese drawn by the embedded subset
    assert (sample_report / "report.html").stat().st_size < 3_000_000
    texts = [f["text"] for f in findings(sample_report)]
    # the sample's incidents: the phone channel's low NPS and the app → web switch at checkout
    assert any("channel = phone" in t for t in texts)
    assert any("device switch between cart and checkout" in t for t in texts)
    assert {
        "nps_overall.csv",
        "alerts_alerts.csv",
        "funnel_funnel.csv",
        "gaps_gaps.csv",
        "clv_customers.csv",
    } <= {p.name for p in sample_report.glob("*.csv")}


def test_tables_for_people(sample_report: Path):
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", html)
    assert any(re.fullmatch(r"-?\d+\.\d \(-?\d+\.\d – -?\d+\.\d\)", c) for c in cells)  # "31.2 (27.9 – 34.5)"
    assert not [c for c in cells if "e+0" in c or "00:00:00" in c or c in ("ci_method", "se", "n_missing")]
    assert any(re.fullmatch(r"\d+\.\d %", c) for c in cells) and any(
        re.fullmatch(r"\d{1,3}(,\d{3})+", c) for c in cells
    )
    assert any(re.fullmatch(r"2025-\d\d-01", c) for c in cells)  # periods as dates
    assert "Top 20 rows;" in html and "more in alerts_alerts.csv" in html


def test_tables_match_the_library(sample_report: Path):
    import cxmetrics as cx
    from cxmetrics.datasets import load_survey

    written = pd.read_csv(sample_report / "nps_by_channel.csv").sort_values("channel")
    direct = cx.nps(load_survey(), score="ltr", by="channel").sort_values("channel")
    np.testing.assert_allclose(written["nps"], direct["nps"])
    gaps = pd.read_csv(sample_report / "gaps_gaps.csv")
    top = gaps.iloc[0]
    assert (top["attribute"], top["from_stage"], top["to_stage"]) == ("device", "cart", "checkout")


def test_json_has_findings_and_every_table(sample_report: Path):
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    document = json.loads((sample_report / "report.json").read_text(encoding="utf-8"), parse_constant=refuse)
    csvs = {p.stem for p in sample_report.glob("*.csv")}
    assert set(document["tables"]) == csvs
    assert document["findings"] and document["headline"][0]["label"] == "NPS"
    assert document["tables"]["trend_trend"][0]["period"].startswith("2025-01-01T")
    assert document["tables"]["trend_trend"][0]["change"] is None  # NaN → null


# ---------------------------------------------------------------- findings from planted effects


def _survey(planted: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    regions = ["华北", "华东", "华南", "西南", "西北", "东北"]
    rows = []
    for region in regions:
        for _ in range(300):
            low = planted and region == "华北"
            p = [0.45, 0.3, 0.25] if low else [0.2, 0.3, 0.5]  # detractor, passive, promoter
            kind = rng.choice(3, p=p)
            score = [rng.integers(0, 7), rng.integers(7, 9), rng.integers(9, 11)][kind]
            rows.append(
                (
                    f"C{len(rows)}",
                    region,
                    rng.choice(["app", "web", "store"]),
                    pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 180))),
                    score,
                )
            )
    return pd.DataFrame(rows, columns=["customer_id", "region", "channel", "date", "ltr"])


def _events(planted: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    steps = ["home", "product", "cart", "purchase"]
    platforms = ["ios", "android", "web", "wechat", "alipay", "h5", "pad", "tv"]
    rows = []
    for user in range(2400):
        platform = platforms[user % len(platforms)]
        at = pd.Timestamp("2025-03-01") + pd.Timedelta(hours=int(rng.integers(0, 2000)))
        for k, step in enumerate(steps):
            rows.append((f"U{user}", at + pd.Timedelta(minutes=5 * k), step, platform))
            go_on = 0.45 if (planted and platform == "ios" and step == "cart") else 0.75
            if rng.random() > go_on:
                break
    return pd.DataFrame(rows, columns=["user_id", "ts", "stage", "platform"])


def _planted_report(tmp_path: Path, planted: bool) -> Path:
    survey, events = tmp_path / "survey.csv", tmp_path / "events.csv"
    _survey(planted, 11).to_csv(survey, index=False)
    _events(planted, 12).to_csv(events, index=False)
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                "--survey",
                str(survey),
                "--events",
                str(events),
                "--out",
                str(out),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    return out


def test_findings_name_exactly_the_planted_effects(tmp_path: Path):
    out = _planted_report(tmp_path, planted=True)
    texts = [f["text"] for f in findings(out)]
    assert len(texts) == 2, texts
    assert "region = 华北" in texts[0] and "NPS" in texts[0]
    assert "purchase" in texts[1] and "platform = ios" in texts[1]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.index('id="findings"') < html.index('id="nps"')
    assert "funnel steps taken from the data" in html  # the default funnel, said in the data notes


def test_no_effects_says_so(tmp_path: Path):
    out = _planted_report(tmp_path, planted=False)
    assert findings(out) == []
    assert "No significant change or group difference was found" in (out / "report.html").read_text("utf-8")


def test_default_funnel_is_the_common_path_into_the_conversion():
    from cxmetrics.report._sections import default_steps

    events = _events(False, 3)
    steps, share = default_steps(events, "user_id", "ts", "stage")
    assert steps == ["home", "product", "cart", "purchase"] and share == 1.0


# ---------------------------------------------------------------- real files


def _three_files(tmp_path: Path) -> dict[str, Path]:
    from cxmetrics.datasets import load_journeys, load_survey, load_transactions

    survey = load_survey()  # customer_id, date, ltr, comment ...
    events = load_journeys().rename(columns={"customer": "user_id", "time": "ts", "device": "platform"})
    orders = load_transactions(customers=400).rename(
        columns={"customer": "household_id", "date": "order_date", "amount": "sales"}
    )
    paths = {
        "survey": tmp_path / "answers.csv.gz",
        "events": tmp_path / "clicks.jsonl",
        "transactions": tmp_path / "orders.parquet",
    }
    survey.to_csv(paths["survey"], index=False, compression="gzip")
    events.assign(ts=events["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_json(
        paths["events"], orient="records", lines=True, force_ascii=False
    )
    orders.to_parquet(paths["transactions"])
    return paths


def test_three_files_with_different_customer_columns(tmp_path: Path):
    paths = _three_files(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "report",
            "--survey",
            str(paths["survey"]),
            "--events",
            str(paths["events"]),
            "--transactions",
            str(paths["transactions"]),
            "--out",
            str(out),
            "--quiet",
            "--json",
        ]
    )
    assert code == 0
    assert set(outline(out / "report.html").sections) == SECTIONS
    texts = [f["text"] for f in findings(out)]
    assert any("platform switch between cart and checkout" in t for t in texts)  # gaps over `platform`


def test_per_input_flags_and_toml_mapping(tmp_path: Path):
    from cxmetrics.datasets import load_journeys, load_transactions

    events = load_journeys(customers=300).rename(
        columns={"customer": "visitor", "time": "when", "stage": "page"}
    )
    orders = load_transactions(customers=300).rename(
        columns={"customer": "hh", "date": "day", "amount": "paid"}
    )
    events.to_csv(tmp_path / "e.csv", index=False)
    orders.to_csv(tmp_path / "o.tsv", index=False, sep="\t")
    out = tmp_path / "flags"
    assert (
        main(
            [
                "report",
                "--events",
                str(tmp_path / "e.csv"),
                "--events-customer",
                "visitor",
                "--events-time",
                "when",
                "--events-stage",
                "page",
                "--events-switch",
                "device",
                "--transactions",
                str(tmp_path / "o.tsv"),
                "--transactions-customer",
                "hh",
                "--transactions-time",
                "day",
                "--transactions-amount",
                "paid",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert set(outline(out / "report.html").sections) == {
        "findings",
        "funnel",
        "paths",
        "gaps",
        "retention",
        "retention_orders",
        "rfm",
        "clv",
        "notes",
    }
    config = tmp_path / "columns.toml"
    config.write_text(
        '[events]\npath = "e.csv"\ncustomer = "visitor"\ntime = "when"\nstage = "page"\n'
        'steps = ["home", "search", "product"]\n\n'
        '[transactions]\npath = "o.tsv"\ncustomer = "hh"\ntime = "day"\namount = "paid"\n',
        encoding="utf-8",
    )
    out = tmp_path / "toml"
    assert main(["report", "--config", str(config), "--out", str(out), "--quiet"]) == 0
    funnel = pd.read_csv(out / "funnel_funnel.csv")
    assert funnel["step"].tolist() == ["home", "search", "product"]
    config.write_text('[events]\ncustomr = "visitor"\n', encoding="utf-8")
    assert main(["report", "--config", str(config), "--out", str(tmp_path / "bad"), "--quiet"]) == 2


def test_bad_column_names_it_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "answers.csv"
    pd.DataFrame({"score": [9, 3], "comment": ["好", "差"]}).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["report", "--survey", str(path), "--survey-by", "region", "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert "region" in message and "--survey-by" in message and "answers.csv" in message
    assert not out.exists() and list(tmp_path.iterdir()) == [path]  # nothing written, no temp folder
    assert main(["report", "--survey", str(tmp_path / "absent.csv"), "--out", str(out), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "notes.docx"
    bad.write_text("x")
    assert main(["report", "--survey", str(bad), "--out", str(out), "--quiet"]) == 2


def test_data_notes_instead_of_console_warnings(tmp_path: Path, capfd: pytest.CaptureFixture[str]):
    from cxmetrics.datasets import load_transactions

    orders = load_transactions(customers=300)
    orders.loc[:9, "amount"] = -5.0  # refunds
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["report", "--transactions", str(path), "--out", str(out), "--quiet"]) == 0
    captured = capfd.readouterr()
    assert "Warning" not in captured.err and captured.err == ""
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "10 rows with an amount of zero or less" in html


# ---------------------------------------------------------------- failing cleanly


def _survey_file(tmp_path: Path) -> Path:
    path = tmp_path / "s.csv"
    _survey(False, 1).head(300).to_csv(path, index=False)
    return path


def test_unwritable_out_exits_2_naming_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    survey = _survey_file(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker / "report", blocker):
        assert main(["report", "--survey", str(survey), "--out", str(out), "--quiet"]) == 2
        message = capsys.readouterr().err
        assert str(out) in message and "Traceback" not in message
    assert blocker.read_text() == "not a folder"


def test_read_only_out_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from cxmetrics.report import _build

    survey = _survey_file(tmp_path)
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    real_access = os.access
    # as root a chmod does not stop writing; os.access answers as for an ordinary user
    monkeypatch.setattr(
        _build.os, "access", lambda p, mode: False if Path(p) == out else real_access(p, mode)
    )
    try:
        assert main(["report", "--survey", str(survey), "--out", str(out), "--quiet", "--force"]) == 2
        assert str(out) in capsys.readouterr().err and list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


def test_existing_folder_replaced_only_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    survey = _survey_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.csv").write_text("old")
    assert main(["report", "--survey", str(survey), "--out", str(out), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err and [p.name for p in out.iterdir()] == ["stale.csv"]
    assert main(["report", "--survey", str(survey), "--out", str(out), "--quiet", "--force"]) == 0
    names = {p.name for p in out.iterdir()}
    assert "report.html" in names and "stale.csv" not in names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.csv"]  # no temporary folders left


def test_failure_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from cxmetrics.errors import DesignError
    from cxmetrics.report import _sections

    def broken(ctx):
        raise DesignError("planted failure")

    monkeypatch.setattr(_sections, "SECTIONS", [_sections.survey_sections, broken])
    survey = _survey_file(tmp_path)
    out = tmp_path / "out"
    assert main(["report", "--survey", str(survey), "--out", str(out), "--quiet"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_size_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    from cxmetrics.report import _build

    monkeypatch.setattr(_build, "SIZE_WARNING", 1000)
    assert (
        main(["report", "--survey", str(_survey_file(tmp_path)), "--out", str(tmp_path / "o"), "--quiet"])
        == 0
    )
    assert "warning" in capsys.readouterr().err


def test_chinese_headings(tmp_path: Path):
    out = tmp_path / "zh"
    assert (
        main(
            ["report", "--survey", str(_survey_file(tmp_path)), "--out", str(out), "--quiet", "--lang", "zh"]
        )
        == 0
    )
    headings = outline(out / "report.html").headings
    assert headings[:2] == ["关键发现", "净推荐值 (NPS)"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "答卷数" in html and "NPS（95 % 区间）" in html


def test_nothing_written_outside_the_output_folder(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **os.environ,
        "CXMETRICS_CACHE_DIR": str(tmp_path / "cache"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    subprocess.run(
        [sys.executable, "-m", "cxmetrics", "report", "--quiet", "--out", "result"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    assert [p.name for p in work.iterdir()] == ["result"]


# ---------------------------------------------------------------- in the browser

_MEASURE = """<script>
window.addEventListener("load", function () {
  var rows = Array.from(document.querySelectorAll("tr")).map(function (r) {
    return r.getBoundingClientRect().height; });
  var charts = Array.from(document.querySelectorAll("figure.chart svg")).map(function (s) {
    var b = s.getBoundingClientRect(); return [b.width, b.height, b.right]; });
  var out = {scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth,
             maxRow: Math.max.apply(null, rows), charts: charts,
             sections: Array.from(document.querySelectorAll("section")).map(function (s) { return s.id; })};
  var pre = document.createElement("pre"); pre.id = "metrics"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body>"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine (.ci/run installs it)")
@pytest.mark.parametrize("which", ["sample", "three files"])
def test_report_in_headless_chromium(which: str, sample_report: Path, tmp_path: Path):
    if which == "sample":
        html = sample_report / "report.html"
    else:
        paths = _three_files(tmp_path)
        out = tmp_path / "out"
        assert (
            main(
                [
                    "report",
                    "--survey",
                    str(paths["survey"]),
                    "--events",
                    str(paths["events"]),
                    "--transactions",
                    str(paths["transactions"]),
                    "--out",
                    str(out),
                    "--quiet",
                    "--lang",
                    "zh",
                ]
            )
            == 0
        )
        html = out / "report.html"
    page = tmp_path / "measured.html"
    page.write_text(html.read_text(encoding="utf-8").replace("</body>", _MEASURE), encoding="utf-8")
    run = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'<pre id="metrics">(.*?)</pre>', run.stdout)
    assert found, run.stderr[-2000:]
    metrics = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert metrics["scrollWidth"] <= metrics["width"] == 1280  # nothing scrolls sideways
    assert metrics["maxRow"] <= 200
    assert len(metrics["charts"]) >= 12
    assert all(w > 100 and h > 50 and right <= 1280 for w, h, right in metrics["charts"])
    assert metrics["sections"][0] == "findings"


# ---------------------------------------------------------------- what changed


def test_compare_two_files_names_the_change(tmp_path: Path):
    before, after = _survey(False, 21), _survey(False, 22)
    after["ltr"] = np.clip(after["ltr"] - 3, 0, 10)  # a planted drop
    paths = {name: tmp_path / f"{name}.csv" for name in ("s0", "s1", "e0", "e1")}
    before.to_csv(paths["s0"], index=False)
    after.to_csv(paths["s1"], index=False)
    _events(False, 23).to_csv(paths["e0"], index=False)
    _events(False, 24).to_csv(paths["e1"], index=False)
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                "--survey",
                str(paths["s1"]),
                "--compare-survey",
                str(paths["s0"]),
                "--events",
                str(paths["e1"]),
                "--compare-events",
                str(paths["e0"]),
                "--out",
                str(out),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    changes = pd.DataFrame(document["tables"]["compare_changes"])
    nps = changes[changes["metric"] == "NPS"].iloc[0]
    import cxmetrics as cx

    np.testing.assert_allclose(nps["previous"], cx.nps(before, score="ltr")["nps"].iloc[0])
    np.testing.assert_allclose(nps["current"], cx.nps(after, score="ltr")["nps"].iloc[0])
    assert nps["ci_low"] < nps["change"] < nps["ci_high"] < 0 and nps["p_adjusted"] < 0.001
    assert changes["metric"].str.startswith("conversion into").sum() == 3
    assert not (changes.loc[changes["metric"] != "NPS", "p_adjusted"] < 0.05).any()  # nothing else planted
    texts = [f["text"] for f in document["findings"]]
    assert texts[0].startswith("NPS changed between the periods")
    assert outline(out / "report.html").sections[:2] == ["findings", "compare"]


def test_compare_at_a_date(tmp_path: Path):
    survey = _survey(False, 31)
    late = survey["date"] >= "2025-04-01"
    survey.loc[late, "ltr"] = np.clip(survey.loc[late, "ltr"] - 3, 0, 10)
    path = tmp_path / "s.csv"
    survey.to_csv(path, index=False)
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                "--survey",
                str(path),
                "--compare",
                "2025-04-01",
                "--out",
                str(out),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    texts = [f["text"] for f in findings(out)]
    assert texts[0].startswith("NPS changed between the periods")
    assert "before 2025-04-01" in (out / "report.html").read_text(encoding="utf-8")
    assert (
        main(["report", "--survey", str(path), "--compare", "soon", "--out", str(tmp_path / "x"), "--quiet"])
        == 2
    )


def test_cells_by_kind():
    from cxmetrics.report._format import cell, interval

    assert cell(0.3812, "share") == "38.1 %" and cell(38.12, "percent") == "38.1 %"
    assert cell(19460.4, "count") == "19,460" and cell(19460.4, "money") == "19,460"
    assert cell(12.345, "money") == "12.35" and cell(0.38123, "number") == "0.381"
    assert cell(0.0004, "p") == "< 0.001" and cell(0.01234, "p") == "0.012"
    assert cell(pd.Timestamp("2025-01-01"), "date") == "2025-01-01"
    assert cell(pd.Timestamp("2025-01-01 13:05"), "date") == "2025-01-01 13:05"
    assert cell(np.int64(7592), "label") == "7592" and cell(float("nan"), "share") == ""
    assert interval(31.24, 27.91, 34.52, "score") == "31.2 (27.9 – 34.5)"
    assert interval(31.24, float("nan"), 34.5, "score") == "31.2"
    assert cell("很" * 200, "text").endswith("…") and len(cell("很" * 200, "text")) == 90


def test_whitespace_text_file_with_yyyymmdd_dates(tmp_path: Path):
    from cxmetrics.datasets import load_transactions

    orders = load_transactions(customers=300)
    path = tmp_path / "orders.txt"
    lines = ["customer_id  date number_of_cds  dollar_value"] + [
        f" {c}  {d:%Y%m%d}  1   {a:.2f}"
        for c, d, a in orders[["customer", "date", "amount"]].itertuples(index=False)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                "--transactions",
                str(path),
                "--transactions-amount",
                "dollar_value",
                "--out",
                str(out),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert not [n for n in document["notes"] if "not a date" in n]
    assert len(document["tables"]["clv_customers"]) == orders["customer"].nunique()
