"""The report's retention, weighting and topics sections end to end: each planted effect is
named by exactly one finding, data without one gets none, a section is absent when its input is,
and bad ``--margins`` exit 2 naming the problem."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxmetrics.report import main


def _run(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    assert main(["report", *args, "--out", str(out), "--quiet", "--json"]) == 0
    return out


def _findings(out: Path, section: str) -> list[str]:
    found = json.loads((out / "report.json").read_text(encoding="utf-8"))["findings"]
    return [f["text"] for f in found if f["section"] == section]


def _sections(out: Path) -> set[str]:
    html = (out / "report.html").read_text(encoding="utf-8")
    return {part.split('"', 1)[0] for part in html.split('<section id="')[1:]}


# ---------------------------------------------------------------- retention


def _visits(planted: bool, seed: int) -> pd.DataFrame:
    """Weekly visits over ten weeks; with ``planted``, android users come back half as often."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(1500):
        platform = ["ios", "android", "web"][user % 3]
        start = pd.Timestamp("2025-01-06") + pd.Timedelta(days=int(rng.integers(0, 28)))
        back = 0.25 if planted and platform == "android" else 0.5
        for week in range(10):
            if week == 0 or rng.random() < back:
                at = start + pd.Timedelta(days=7 * week, hours=int(rng.integers(0, 48)))
                rows.append((f"U{user}", at, "home", platform))
                rows.append((f"U{user}", at + pd.Timedelta(minutes=5), "product", platform))
    return pd.DataFrame(rows, columns=["user_id", "ts", "stage", "platform"])


@pytest.mark.parametrize("planted", [True, False])
def test_retention_names_the_group_that_churns_faster(tmp_path: Path, planted: bool):
    path = tmp_path / "events.csv"
    _visits(planted, 3).to_csv(path, index=False)
    out = _run(tmp_path, "--events", str(path))
    texts = _findings(out, "retention")
    if planted:
        assert len(texts) == 1 and "platform = android" in texts[0], texts
    else:
        assert texts == []
    groups = pd.read_csv(out / "retention_groups.csv")
    assert set(groups["group"]) <= {"ios", "android", "web"} and len(groups) >= 2
    cohorts = pd.read_csv(out / "retention_cohorts.csv")
    assert cohorts.loc[cohorts["period"] == 0, "rate"].eq(1).all()
    assert {"retention", "funnel"} <= _sections(out) and "retention_orders" not in _sections(out)


def test_retention_on_orders_with_an_order_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import cxmetrics

    given: dict[str, object] = {}
    for name in ("rfm_table", "summary_from_transactions"):
        original = getattr(cxmetrics, name)

        def spy(data: object, *, _f: object = original, _n: str = name, **kwargs: object) -> object:
            given[_n] = kwargs.get("order")
            return _f(data, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(cxmetrics, name, spy)
    rng = np.random.default_rng(5)
    rows = []
    for customer in range(400):
        channel = ["online", "store"][customer % 2]
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 90)))
        back = 0.15 if channel == "store" else 0.45
        for month in range(8):
            if month == 0 or rng.random() < back:
                order = f"O{len(rows)}"
                at = start + pd.Timedelta(days=30 * month)
                for _ in range(2):  # two lines of one basket
                    rows.append((f"C{customer}", at, float(rng.integers(5, 50)), order, channel))
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "basket_id", "sales_channel"])
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False)
    out = _run(tmp_path, "--transactions", str(path))
    texts = _findings(out, "retention_orders")
    assert len(texts) == 1 and "sales_channel = store" in texts[0], texts
    assert "retention" not in _sections(out)
    assert given == {"rfm_table": "basket_id", "summary_from_transactions": "basket_id"}


# ---------------------------------------------------------------- weighting


def _skewed(seed: int) -> pd.DataFrame:
    """80 % app answers (mostly promoters), 20 % store (mostly detractors); regions balanced."""
    rng = np.random.default_rng(seed)
    channel = np.where(rng.random(1200) < 0.8, "app", "store")
    promoter = np.where(channel == "app", 0.7, 0.1)
    detractor = np.where(channel == "app", 0.1, 0.7)
    u = rng.random(1200)
    ltr = np.where(u < promoter, 10, np.where(u < promoter + detractor, 3, 8))
    region = rng.choice(["north", "south"], 1200)
    return pd.DataFrame({"ltr": ltr, "channel": channel, "region": region})


def _margins(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "margins.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_weighting_moves_nps_and_says_so(tmp_path: Path):
    survey = _skewed(1)
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    margins = _margins(tmp_path, "[channel]\napp = 0.5\nstore = 0.5\n")
    out = _run(tmp_path, "--survey", str(path), "--margins", str(margins))
    texts = _findings(out, "weighting")
    assert len(texts) == 1 and "all answers" in texts[0], texts
    table = pd.read_csv(out / "weighting_nps.csv")
    overall = table.iloc[0]
    # independent: the weighted NPS is the mean of the two channels' NPS (equal population shares)
    per_channel = survey.groupby("channel")["ltr"].apply(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert overall["nps_weighted"] == pytest.approx(per_channel.mean(), abs=1e-9)
    assert overall["nps"] == pytest.approx(100 * ((survey["ltr"] >= 9).mean() - (survey["ltr"] <= 6).mean()))
    weights = pd.read_csv(out / "weighting_weights.csv")
    assert len(weights) == 8
    assert {"weighting", "nps"} <= _sections(out)
    assert not {"topics", "retention", "retention_orders"} & _sections(out)


def test_weighting_to_the_sample_shares_moves_nothing(tmp_path: Path):
    survey = _skewed(2)
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    shares = survey["channel"].value_counts(normalize=True)
    margins = _margins(
        tmp_path, f"[channel]\napp = {float(shares['app'])!r}\nstore = {float(1 - shares['app'])!r}\n"
    )
    out = _run(tmp_path, "--survey", str(path), "--margins", str(margins))
    assert _findings(out, "weighting") == []
    notes = json.loads((out / "report.json").read_text(encoding="utf-8"))["notes"]
    assert any("moves no NPS" in n for n in notes)


def test_no_margins_no_weighting_section(tmp_path: Path):
    path = tmp_path / "survey.csv"
    _skewed(3).to_csv(path, index=False)
    assert "weighting" not in _sections(_run(tmp_path, "--survey", str(path)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[channel]\napp = 0.5\nkiosk = 0.5\n", "kiosk"),
        ("[device]\nios = 0.5\nweb = 0.5\n", "device"),
        ("[channel]\napp = 0.5\nstore = 0.7\n", "channel"),
        ("[channel\napp = 0.5\n", "TOML"),
    ],
)
def test_bad_margins_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str):
    path = tmp_path / "survey.csv"
    _skewed(4).to_csv(path, index=False)
    margins = _margins(tmp_path, text)
    out = tmp_path / "out"
    code = main(["report", "--survey", str(path), "--margins", str(margins), "--out", str(out), "--quiet"])
    message = capsys.readouterr().err
    assert code == 2 and "--margins" in message and expected in message, message
    assert not out.exists()


def test_margins_documented_in_help(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "--margins PATH" in capsys.readouterr().out


# ---------------------------------------------------------------- topics

_TOPICS = {
    "wait": ["排队等了很久", "排队时间太长", "排队的人太多", "等了很久才排到"],
    "price": ["价格很实惠", "价格便宜划算", "这个价格很划算", "价格比别家便宜"],
    "pack": ["包装很精美", "包装完好无损", "包装结实精美", "快递包装完好"],
    "staff": ["店员很热情", "店员服务周到", "店员热情耐心", "服务周到耐心"],
}


def _comments(planted: bool, seed: int) -> pd.DataFrame:
    """Comments naming each topic independently (so topics overlap at random); with
    ``planted``, those about waiting in line score lower."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(800):
        present = [t for t in _TOPICS if rng.random() < 0.35] or [list(_TOPICS)[int(rng.integers(4))]]
        comment = "，".join(_TOPICS[t][int(rng.integers(4))] for t in present)
        low = planted and "wait" in present
        score = int(rng.choice([2, 8, 10], p=[0.6, 0.2, 0.2] if low else [0.2, 0.3, 0.5]))
        rows.append((comment, score))
    return pd.DataFrame(rows, columns=["comment", "ltr"])


@pytest.mark.parametrize("planted", [True, False])
def test_topics_name_the_topic_that_lowers_nps(tmp_path: Path, planted: bool):
    survey = _comments(planted, 7)
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    out = _run(tmp_path, "--survey", str(path))
    texts = _findings(out, "topics")
    if planted:
        # the model may split the waiting topic in two; every finding is about it, and lower
        assert texts and all("排队" in t and "(difference -" in t for t in texts), texts
    else:
        assert texts == []
    impact = pd.read_csv(out / "topics_impact.csv")
    assert len(impact) >= 2 and impact["p_adjusted"].between(0, 1).all()
    assert "topics" in _sections(out)


def test_no_comments_no_topics_section(tmp_path: Path):
    path = tmp_path / "survey.csv"
    _skewed(5).to_csv(path, index=False)
    assert "topics" not in _sections(_run(tmp_path, "--survey", str(path)))
