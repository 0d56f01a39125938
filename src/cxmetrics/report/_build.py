"""Assembling the report: inputs → sections → HTML and CSV files in the output folder."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxmetrics.report._document import Document, Section
from cxmetrics.report._inputs import check_columns, optional_column, pick_column, read_table

__all__ = ["build_report"]


class Progress:
    """A one-line progress bar on stderr, one tick per report step (silent with ``--quiet``)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self.started = time.perf_counter()

    def step(self, label: str, work: Callable[[], Any]) -> Any:
        if self.enabled:
            filled = int(20 * self.done / max(self.total, 1))
            bar = "#" * filled + "-" * (20 - filled)
            print(f"\r[{bar}] {self.done}/{self.total} {label:<40}", end="", file=sys.stderr, flush=True)
        result = work()
        self.done += 1
        if self.enabled and self.done == self.total:
            elapsed = time.perf_counter() - self.started
            print(
                f"\r[{'#' * 20}] {self.total}/{self.total} done in {elapsed:.1f} s{' ' * 30}", file=sys.stderr
            )
        return result


def _sample_inputs() -> dict[str, Any]:
    from cxmetrics.datasets import load_journeys, load_survey, load_transactions

    return {"survey": load_survey(), "events": load_journeys(), "transactions": load_transactions()}


def _plan(args: argparse.Namespace, inputs: dict[str, Any], sample: bool) -> list[tuple[str, Any]]:
    """The steps to run, each a label and a function returning sections; columns are resolved
    (and bad ones reported) before anything is computed or written."""
    from cxmetrics.report import _sections as sections

    steps: list[tuple[str, Any]] = []
    if "survey" in inputs:
        survey = inputs["survey"]
        score = pick_column(survey, args.score, "score", "survey")
        csat = optional_column(survey, args.csat, "csat", "survey")
        comments = optional_column(survey, args.text, "text", "survey")
        time = optional_column(survey, args.time, "time", "survey")
        customer = optional_column(survey, args.customer, "customer", "survey")
        by = check_columns(survey, args.by or (["channel", "region"] if sample else []), "by", "survey")
        if time is not None:
            import pandas as pd

            survey = survey.assign(**{time: pd.to_datetime(survey[time])})
        steps.append(
            (
                "survey metrics",
                lambda: sections.survey_sections(survey, score=score, by=by, time=time, csat=csat),
            )
        )
        if comments is not None:
            steps.append(
                (
                    "comments: sentiment, aspects, alerts",
                    lambda: sections.text_sections(
                        survey, text_column=comments, score=score, customer=customer, by=by
                    ),
                )
            )
    if "events" in inputs:
        events = inputs["events"]
        event_customer = pick_column(events, args.customer, "customer", "event")
        event_time = pick_column(events, args.time, "time", "event")
        stage = pick_column(events, args.stage, "stage", "event")
        steps_given = [s.strip() for s in args.steps.split(",")] if args.steps else None
        order = list(dict.fromkeys(events[stage].dropna().tolist()))
        funnel_steps = steps_given or order
        switch = check_columns(events, args.switch or (["device"] if sample else []), "switch", "event")
        steps.append(
            (
                "journeys",
                lambda: sections.journey_sections(
                    events,
                    customer=event_customer,
                    time=event_time,
                    stage=stage,
                    steps=funnel_steps,
                    switch=switch,
                ),
            )
        )
    if "transactions" in inputs:
        orders = inputs["transactions"]
        buyer = pick_column(orders, args.customer, "customer", "transactions")
        bought = pick_column(orders, args.time, "time", "transactions")
        amount = pick_column(orders, args.amount, "amount", "transactions")
        steps.append(
            (
                "customers: RFM and CLV",
                lambda: sections.customer_sections(orders, customer=buyer, time=bought, amount=amount),
            )
        )
    return steps


def build_report(args: argparse.Namespace) -> Path:
    """Write ``report.html`` and one CSV per table into ``args.out``; return the HTML's path."""
    import matplotlib

    given = {
        k: getattr(args, k) for k in ("survey", "events", "transactions") if getattr(args, k) is not None
    }
    sample = not given
    inputs = _sample_inputs() if sample else {k: read_table(Path(v)) for k, v in given.items()}
    plan = _plan(args, inputs, sample)
    progress = Progress(len(plan) + 1, enabled=not args.quiet)
    document = Document("cxmetrics report")
    with matplotlib.rc_context({"backend": "Agg"}):
        for label, run in plan:
            document.sections += progress.step(label, run)
    out = Path(args.out)
    subtitle = (
        "bundled sample data" if sample else ", ".join(f"{k}: {Path(v).name}" for k, v in given.items())
    )
    return progress.step("writing files", lambda: _write(document, out, subtitle))


def _write(document: Document, out: Path, subtitle: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for section in document.sections:
        _write_tables(section, out)
    path = out / "report.html"
    path.write_text(document.html(subtitle), encoding="utf-8")
    return path


def _write_tables(section: Section, out: Path) -> None:
    for name, frame in section.tables.items():
        frame.to_csv(out / f"{section.key}_{name}.csv", index=False, encoding="utf-8-sig")
