"""The ``cxmetrics`` command: ``cxmetrics report`` writes an HTML report and its tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cxmetrics.errors import CXMetricsError

__all__ = ["main"]

_DESCRIPTION = """\
Write a self-contained HTML report (key findings first, charts as inline SVG) and the result
tables as CSV (and JSON with --json). Give any of --survey, --events, --transactions; with none,
the bundled sample data are used. Files may be CSV (.csv, .csv.gz, .tsv), JSON Lines (.jsonl),
Parquet or Excel.

Columns are found by their usual names (customer_id, user_id, date, ltr, comment, stage,
amount ...). Name them per input with --survey-customer, --events-time, --transactions-amount
and so on, or for all inputs at once with --customer, --time ..., or in a TOML file given with
--config, one table per input:

    [survey]
    path = "answers.csv"
    customer = "customer_id"
    score = "ltr"
    by = ["region", "channel"]

    [events]
    path = "clicks.jsonl"
    customer = "user_id"
    time = "ts"
    steps = ["home", "product", "cart", "purchase"]

    [transactions]
    path = "orders.csv.gz"
    customer = "household_id"

Without steps, the funnel is the most common ordered path into the conversion stage (a stage
named purchase, order, 支付 ..., or --events-conversion). Gaps and funnel comparisons run over
every switch-like column of the event log (device, platform, channel, department) unless
--events-switch names them; survey breakdowns over its segment columns unless --survey-by does.
What was left out of the data is listed under "Data notes" in the report.

Exit codes: 0 written; 2 bad input or an output folder that cannot be written (nothing is
left half-written; an existing non-empty --out is replaced only with --force).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxmetrics", description="Customer-experience analytics.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("quickstart", help="print survey metrics of the bundled sample")
    report = commands.add_parser(
        "report",
        help="write an HTML report and CSV tables",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    files = report.add_argument_group("input files")
    files.add_argument(
        "--survey", type=Path, help="survey answers: a 0-10 score, optional comments and segments"
    )
    files.add_argument("--events", type=Path, help="event log: customer, time, stage")
    files.add_argument("--transactions", type=Path, help="orders: customer, time, amount")
    files.add_argument("--config", type=Path, help="TOML file mapping each input's path and columns")
    files.add_argument(
        "--margins",
        type=Path,
        metavar="PATH",
        help="TOML file of population shares per survey column ([region] north = 0.4 ...): "
        "adds a weighting section (the survey raked to them, NPS unweighted against weighted)",
    )
    compare = report.add_argument_group("what changed (a section comparing two periods or two files)")
    compare.add_argument("--compare", metavar="DATE", help="compare the rows before DATE with those from it")
    compare.add_argument("--compare-survey", type=Path, help="the previous period's survey file")
    compare.add_argument("--compare-events", type=Path, help="the previous period's event log")
    compare.add_argument("--compare-transactions", type=Path, help="the previous period's orders")
    output = report.add_argument_group("output")
    output.add_argument("--out", type=Path, default=Path("cxmetrics-report"), help="output folder (created)")
    output.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    output.add_argument(
        "--json", action="store_true", help="also write report.json: findings and every table"
    )
    output.add_argument("--lang", choices=("en", "zh"), default="en", help="language of headings and labels")
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    survey = report.add_argument_group("survey columns")
    survey.add_argument("--survey-customer", help="customer id column")
    survey.add_argument("--survey-time", help="date column (gives the trend)")
    survey.add_argument("--survey-score", help="0-10 likelihood-to-recommend column")
    survey.add_argument("--survey-csat", help="1-5 satisfaction column")
    survey.add_argument("--survey-text", help="comment column")
    survey.add_argument(
        "--survey-by", action="append", help="segment column (repeatable; default: all segment-like)"
    )
    events = report.add_argument_group("event-log columns")
    events.add_argument("--events-customer", help="customer id column")
    events.add_argument("--events-time", help="time column")
    events.add_argument("--events-stage", help="stage column")
    events.add_argument("--events-steps", help="funnel steps, comma-separated (default: from the data)")
    events.add_argument(
        "--events-conversion", help="the conversion stage (default: purchase, order, 支付 ...)"
    )
    events.add_argument(
        "--events-switch", action="append", help="attribute whose switches gaps() tests (repeatable)"
    )
    orders = report.add_argument_group("transaction columns")
    orders.add_argument("--transactions-customer", help="customer id column")
    orders.add_argument("--transactions-time", help="date column")
    orders.add_argument("--transactions-amount", help="order amount column")
    orders.add_argument(
        "--transactions-order",
        help="order / basket / invoice id column (rows of one order count as one purchase; "
        "default: order_id, basket_id, invoice ...)",
    )
    shared = report.add_argument_group("columns shared by every input (a per-input flag wins)")
    shared.add_argument("--customer", help="customer id column")
    shared.add_argument("--time", help="date or time column")
    shared.add_argument("--score", help="0-10 likelihood-to-recommend column (survey)")
    shared.add_argument("--csat", help="1-5 satisfaction column (survey)")
    shared.add_argument("--text", help="comment column (survey)")
    shared.add_argument("--by", action="append", default=None, help="survey segment column (repeatable)")
    shared.add_argument("--stage", help="stage column (events)")
    shared.add_argument("--steps", help="funnel steps, comma-separated (events)")
    shared.add_argument(
        "--switch", action="append", default=None, help="switch attribute (events, repeatable)"
    )
    shared.add_argument("--amount", help="order amount column (transactions)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 bad input or output)."""
    args = _parser().parse_args(argv)
    if args.command in (None, "quickstart"):
        from cxmetrics._quickstart import quickstart

        quickstart()
        return 0
    from cxmetrics.report._build import build_report

    try:
        path = build_report(args)
    except (CXMetricsError, ValueError, KeyError, OSError) as exc:
        print(f"\ncxmetrics report: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {path}")
    return 0


def entry() -> None:
    """The console script."""
    sys.exit(main())
