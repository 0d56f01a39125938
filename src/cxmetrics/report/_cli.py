"""The ``cxmetrics`` command: ``cxmetrics report`` writes an HTML report and its tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cxmetrics.errors import CXMetricsError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxmetrics", description="Customer-experience analytics.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("quickstart", help="print survey metrics of the bundled sample")
    report = commands.add_parser(
        "report",
        help="write an HTML report and CSV tables",
        description=(
            "Write a self-contained HTML report (charts embedded) and the result tables as CSV. "
            "Give any of --survey, --events, --transactions (CSV, Parquet or Excel); with none, "
            "the bundled sample data are used. Columns are found by their usual names unless "
            "named with the flags."
        ),
    )
    report.add_argument(
        "--survey", type=Path, help="survey answers: a 0-10 score, optional comments and dimensions"
    )
    report.add_argument("--events", type=Path, help="event log: customer, time, stage")
    report.add_argument("--transactions", type=Path, help="orders: customer, time, amount")
    report.add_argument("--out", type=Path, default=Path("cxmetrics-report"), help="output folder (created)")
    report.add_argument("--score", help="0-10 likelihood-to-recommend column")
    report.add_argument("--csat", help="1-5 satisfaction column (optional)")
    report.add_argument("--text", help="comment column (optional)")
    report.add_argument("--by", action="append", default=None, help="breakdown column (repeatable)")
    report.add_argument("--customer", help="customer id column")
    report.add_argument("--time", help="date or time column")
    report.add_argument("--stage", help="stage column of the event log")
    report.add_argument("--steps", help="funnel steps, comma-separated (default: stages by first appearance)")
    report.add_argument(
        "--switch", action="append", default=None, help="attribute whose switches gaps() tests"
    )
    report.add_argument("--amount", help="order amount column")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 bad input)."""
    args = _parser().parse_args(argv)
    if args.command in (None, "quickstart"):
        from cxmetrics._quickstart import quickstart

        quickstart()
        return 0
    from cxmetrics.report._build import build_report

    try:
        path = build_report(args)
    except (CXMetricsError, ValueError, KeyError) as exc:
        print(f"\ncxmetrics report: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {path}")
    return 0


def entry() -> None:
    """The console script."""
    sys.exit(main())
