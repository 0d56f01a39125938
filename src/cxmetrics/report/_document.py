"""The report as a document: sections of headings, notes, tables and embedded charts, written
to one self-contained HTML file (charts as base64 PNG, no external files or scripts)."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document", "Section"]

_STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei",
       system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; line-height: 1.45; }
h1 { border-bottom: 3px solid #2b6cb0; padding-bottom: .3rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: right; }
th { background: #f2f5f9; }
td:first-child, th:first-child { text-align: left; }
tr.significant td { background: #fff3cd; }
img { max-width: 100%; margin: .8rem 0; }
.note { color: #555; font-size: .9rem; }
nav a { margin-right: 1rem; }
"""


@dataclass
class Section:
    """One part of the report; ``key`` is its anchor and the stem of its CSV files."""

    key: str
    title: str
    parts: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)

    def note(self, text: str) -> None:
        self.parts.append(f'<p class="note">{html.escape(text)}</p>')

    def heading(self, text: str) -> None:
        self.parts.append(f"<h3>{html.escape(text)}</h3>")

    def table(self, name: str, frame: Any, *, highlight: Any = None, max_rows: int = 30) -> None:
        """Show a pandas frame (the first ``max_rows`` rows) and keep it for the CSV export;
        rows where ``highlight`` is true are marked."""
        self.tables[name] = frame
        shown = frame.head(max_rows)
        marks = [] if highlight is None else list(highlight[: len(shown)])
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
        body = []
        for i, row in enumerate(shown.itertuples(index=False)):
            cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
            css = ' class="significant"' if i < len(marks) and marks[i] else ""
            body.append(f"<tr{css}>{cells}</tr>")
        more = (
            f'<p class="note">{len(frame) - max_rows} more rows in {self.key}_{name}.csv</p>'
            if len(frame) > max_rows
            else ""
        )
        self.parts.append(
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
        )

    def figure(self, ax: Any, alt: str) -> None:
        """Embed a chart as PNG and close its figure."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(ax.figure)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:,.4g}"
    return "" if value is None else str(value)


@dataclass
class Document:
    title: str
    sections: list[Section] = field(default_factory=list)

    def html(self, subtitle: str) -> str:
        nav = "".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in self.sections)
        body = "".join(
            f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>{"".join(s.parts)}</section>'
            for s in self.sections
        )
        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>"
            f'<h1>{html.escape(self.title)}</h1><p class="note">{html.escape(subtitle)}</p>'
            f"<nav>{nav}</nav>{body}"
            "</body></html>"
        )
