"""Assembling the report: inputs → sections → HTML, CSV and JSON files in the output folder.

Output is written into a temporary folder beside ``--out`` and moved into place at the end, so
a failed run leaves nothing half-written; an existing non-empty ``--out`` is replaced only with
``--force`` and is never mixed with files of an earlier run.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxmetrics.errors import CXMetricsError
from cxmetrics.report._document import Document, Section
from cxmetrics.report._inputs import INPUTS, Input, load_config, read_table, resolve
from cxmetrics.report._lang import tr

__all__ = ["OutputError", "build_report", "to_json"]

#: The command warns when the HTML file is larger than this.
SIZE_WARNING = 20_000_000


class OutputError(CXMetricsError):
    """The output folder cannot be written (exit code 2)."""


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


def _sample_frames() -> dict[str, Any]:
    from cxmetrics.datasets import load_journeys, load_survey, load_transactions

    return {"survey": load_survey(), "events": load_journeys(), "transactions": load_transactions()}


def _inputs(args: argparse.Namespace) -> tuple[dict[str, Input], str]:
    config = load_config(getattr(args, "config", None))
    base = Path(args.config).parent if getattr(args, "config", None) else Path()
    paths = {}
    for kind in INPUTS:
        given = getattr(args, kind, None)
        if given is None and "path" in config.get(kind, {}):
            given = base / str(config[kind]["path"])
        if given is not None:
            paths[kind] = Path(given)
    if not paths:
        frames = _sample_frames()
        return {k: resolve(k, f, "sample", args, config.get(k, {})) for k, f in frames.items()}, ""
    inputs = {}
    for kind, path in paths.items():
        inputs[kind] = resolve(kind, read_table(path), path.name, args, config.get(kind, {}))
    return inputs, ", ".join(f"{k}: {p.name}" for k, p in paths.items())


def _previous(args: argparse.Namespace, inputs: dict[str, Input]) -> dict[str, Input]:
    """The previous period's files (``--compare-survey`` ...), read with the current input's
    column flags."""
    config = load_config(getattr(args, "config", None))
    previous = {}
    for kind in INPUTS:
        path = getattr(args, f"compare_{kind}", None)
        if path is None:
            continue
        if kind not in inputs:
            raise CXMetricsError(f"--compare-{kind} needs the current {kind} file too (--{kind})")
        previous[kind] = resolve(kind, read_table(Path(path)), Path(path).name, args, config.get(kind, {}))
    return previous


def _prepare_out(out: Path, force: bool) -> Path:
    """Check ``out`` can be written and return a fresh temporary folder beside it."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {str(out)!r} is a file, not a folder")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the report to {str(out)!r}: the folder is read-only")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(
            f"--out {str(out)!r} is not empty; pass --force to replace it (its files are removed) or "
            "choose another folder"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        temporary.chmod(0o755)  # mkdtemp's folder is private; the report folder is not
        return temporary
    except OSError as exc:
        raise OutputError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from exc


def _move_into_place(temporary: Path, out: Path) -> None:
    old = None
    try:
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(old / "previous")
        temporary.rename(out)
    except OSError as exc:
        if old is not None and (old / "previous").exists() and not out.exists():
            (old / "previous").rename(out)
        raise OutputError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from exc
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def build_report(args: argparse.Namespace) -> Path:
    """Write ``report.html``, one CSV per table and (with ``--json``) ``report.json`` into
    ``args.out``; return the HTML's path."""
    from cxmetrics.report._sections import SECTIONS, Context

    lang = getattr(args, "lang", "en") or "en"
    inputs, described = _inputs(args)
    previous = _previous(args, inputs)
    margins = None
    if getattr(args, "margins", None) is not None:
        from cxmetrics.weights import load_margins

        try:
            margins = load_margins(args.margins)
        except CXMetricsError as exc:
            raise CXMetricsError(f"--margins: {exc}") from exc
    split = getattr(args, "compare", None)
    if split is not None:
        import pandas as pd

        try:
            split = pd.Timestamp(split).strftime("%Y-%m-%d")
        except ValueError as exc:
            raise CXMetricsError(f"--compare {split!r} is not a date (use YYYY-MM-DD)") from exc
    out = Path(args.out)
    temporary = _prepare_out(out, bool(getattr(args, "force", False)))
    try:
        labels = None
        if previous:
            kind = next(iter(previous))
            labels = (previous[kind].source, inputs[kind].source)
        context = Context(
            inputs, lang, previous=previous, split=split, previous_labels=labels, margins=margins
        )
        progress = Progress(len(SECTIONS) + 1, enabled=not args.quiet)
        sections: list[Section] = []
        for make in SECTIONS:
            sections += progress.step(make.__name__.replace("_", " "), functools.partial(make, context))
        document = Document(
            tr(lang, "title"),
            subtitle=described or tr(lang, "sample"),
            lang=lang,
            headline=context.headline,
            findings=context.findings,
            nothing_found=tr(lang, "nothing", tests=f"{context.tests:,}"),
            sections=sections,
            notes=context.notes,
            labels={"findings": tr(lang, "findings"), "notes": tr(lang, "notes")},
        )
        progress.step(
            "writing files", lambda: _write(document, temporary, bool(getattr(args, "json", False)))
        )
        _move_into_place(temporary, out)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    path = out / "report.html"
    size = path.stat().st_size
    if size > SIZE_WARNING:
        print(
            f"cxmetrics report: warning: {path} is {size / 1e6:.1f} MB (over {SIZE_WARNING / 1e6:g} MB); "
            "browsers may open it slowly",
            file=sys.stderr,
        )
    return path


def _write(document: Document, folder: Path, with_json: bool) -> None:
    try:
        for section in document.sections:
            for name, frame in section.tables.items():
                frame.to_csv(folder / f"{section.key}_{name}.csv", index=False, encoding="utf-8-sig")
        (folder / "report.html").write_text(document.html(), encoding="utf-8")
        if with_json:
            (folder / "report.json").write_text(
                json.dumps(to_json(document), ensure_ascii=False, allow_nan=False, indent=1), encoding="utf-8"
            )
    except OSError as exc:
        raise OutputError(
            f"cannot write the report to {str(folder.parent)!r}: {exc.strerror or exc}"
        ) from exc


def to_json(document: Document) -> dict[str, Any]:
    """The findings, headline figures, data notes and every table of the report as one
    JSON-ready object (tables as lists of records by :func:`cxmetrics.to_records`: NaN as null,
    dates as ISO strings)."""
    from cxmetrics import to_records

    tables = {}
    for section in document.sections:
        for name, frame in section.tables.items():
            tables[f"{section.key}_{name}"] = to_records(frame)
    return {
        "title": document.title,
        "inputs": document.subtitle,
        "headline": [{"label": a, "value": b, "detail": c} for a, b, c in document.headline],
        "findings": [{"text": f.text, "section": f.section} for f in document.ranked()],
        "notes": list(document.notes),
        "tables": tables,
    }
