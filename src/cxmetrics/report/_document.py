"""The report as a document: key findings, then sections of headings, notes, tables for people
and charts, written to one self-contained HTML file.

Charts are inline SVG with their text kept as text (the reader's own fonts draw Chinese, and
the file stays small): :func:`svg` renders through a renderer that always writes ``<text>``
elements, whatever ``svg.fonttype`` says, so no rcParam is read-modified-restored. Tables show
a few formatted columns (the full frames go to the CSV and JSON files), cut to the top rows
with a note, and sort when a header is clicked (a twelve-line inline script, the only one).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

from cxmetrics.report._format import Col, cell, interval, raw

__all__ = ["Document", "Finding", "Section", "svg"]

_STYLE = """
* { box-sizing: border-box; }
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", "cxmetrics CJK Sans", system-ui, sans-serif;
       margin: 0 auto; padding: 1.5rem 2rem;
       max-width: 1180px; color: #222; line-height: 1.45; overflow-wrap: anywhere; }
h1 { border-bottom: 3px solid #2b6cb0; padding-bottom: .3rem; margin-bottom: .2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
h3 { margin-bottom: .3rem; }
nav { margin: .6rem 0 1rem; } nav a { margin-right: .9rem; white-space: nowrap; }
.headline { display: flex; flex-wrap: wrap; gap: .8rem; margin: .8rem 0; }
.figure-card { border: 1px solid #d6dde6; border-radius: 6px; padding: .5rem .8rem; min-width: 12rem;
               flex: 1 1 12rem; max-width: 24rem; background: #f7f9fc; }
.figure-card .label { color: #555; font-size: .85rem; }
.figure-card .value { font-size: 1.35rem; font-weight: 600; }
.figure-card .detail { color: #555; font-size: .8rem; }
ol.findings li { margin: .35rem 0; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: right; vertical-align: top; }
th { background: #f2f5f9; cursor: pointer; user-select: none; }
th:after { content: " \\2195"; color: #aaa; font-size: .7rem; }
td.num { white-space: nowrap; }
td.text, th.text { text-align: left; min-width: 8rem; max-width: 30rem; }
td.label, th.label { text-align: left; }
tr.flag td { background: #fff3cd; }
.flow { display: flex; flex-wrap: wrap; gap: .2rem 1.6rem; align-items: flex-start; }
.flow > h3, .flow > p.note { flex-basis: 100%; margin-bottom: 0; }
.flow > .table { max-width: 100%; }
figure.chart { margin: .6rem 0; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
.note { color: #555; font-size: .9rem; }
"""

_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th, i) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var dir = th.dataset.dir === "asc" ? -1 : 1;
    th.dataset.dir = dir > 0 ? "asc" : "desc";
    function key(r) { var c = r.cells[i]; return c.dataset.v !== undefined ? c.dataset.v : c.textContent; }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      return dir * (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

_SVG_FONTS = "'cxmetrics CJK Sans', 'DejaVu Sans', sans-serif"
_LEFT = ("text", "label", "date", "bool")


@dataclass
class Finding:
    """One ranked sentence: ``rank`` orders (smaller first), ``section`` is the link target."""

    text: str
    section: str
    rank: float = 0.0


@dataclass
class Section:
    """One part of the report; ``key`` is its anchor and the stem of its CSV files."""

    key: str
    title: str
    parts: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    zh: bool = False

    def note(self, text: str) -> None:
        self.parts.append(f'<p class="note">{html.escape(text)}</p>')

    def heading(self, text: str) -> None:
        self.parts.append(f"<h3>{html.escape(text)}</h3>")

    def table(
        self,
        name: str,
        frame: Any,
        columns: list[Col],
        *,
        top: int = 15,
        highlight: Any = None,
        more: str | None = None,
    ) -> None:
        """Show ``columns`` of a pandas frame (its first ``top`` rows) and keep the whole frame
        for the CSV and JSON files; rows where ``highlight`` is true are marked."""
        self.tables[name] = frame
        shown = frame.head(top)
        marks = [] if highlight is None else [bool(m) for m in list(highlight)[: len(shown)]]
        columns = [c for c in columns if c.name in frame.columns]
        head = "".join(
            f'<th class="{"text" if c.kind == "text" else "label" if c.kind in _LEFT else "num"}">'
            f"{html.escape(c.header)}</th>"
            for c in columns
        )
        body = []
        records = shown.to_dict("records")
        for i, row in enumerate(records):
            cells = "".join(self._cell(row, c) for c in columns)
            css = ' class="flag"' if i < len(marks) and marks[i] else ""
            body.append(f"<tr{css}>{cells}</tr>")
        rest = len(frame) - len(shown)
        note = ""
        if rest > 0:
            default = (
                f"前 {len(shown)} 行；另有 {rest:,} 行见 {self.key}_{name}.csv"
                if self.zh
                else f"Top {len(shown)} rows; {rest:,} more in {self.key}_{name}.csv"
            )
            note = f'<p class="note">{html.escape(more or default)}</p>'
        self.parts.append(
            f'<div class="table"><table class="sortable"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{note}</div>"
        )

    def _cell(self, row: dict[str, Any], col: Col) -> str:
        value = row.get(col.name)
        if col.low is not None and col.high is not None:
            shown = interval(value, row.get(col.low), row.get(col.high), col.kind)
        else:
            shown = cell(value, col.kind, zh=self.zh)
        css = "text" if col.kind == "text" else "label" if col.kind in _LEFT else "num"
        full = " ".join(str(value).split()) if col.kind == "text" and value is not None else ""
        title = f' title="{html.escape(full)}"' if full and full != shown else ""
        return f'<td class="{css}" data-v="{html.escape(raw(value))}"{title}>{html.escape(shown)}</td>'

    def figure(self, ax: Any, alt: str) -> None:
        """Embed a chart as inline SVG (text kept as text)."""
        self.parts.append(
            f'<figure class="chart" role="img" aria-label="{html.escape(alt)}">{svg(ax)}</figure>'
        )


class _TextSVGCanvas:
    """Builds the SVG canvas class on first use (matplotlib is imported lazily)."""

    cls: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls.cls is None:
            import codecs

            from matplotlib import cbook
            from matplotlib.backends.backend_mixed import MixedModeRenderer
            from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

            class TextRenderer(RendererSVG):
                # text as <text> elements whatever svg.fonttype says: the renderer decides,
                # so nothing process-wide is read-modified-restored
                _draw_text_as_path = RendererSVG._draw_text_as_text

            class Canvas(FigureCanvasSVG):
                def print_svg(self, filename: Any, *, bbox_inches_restore: Any = None, **_: Any) -> None:
                    with cbook.open_file_cm(filename, "w", encoding="utf-8") as opened:
                        fh: Any = opened
                        if not cbook.file_requires_unicode(fh):
                            fh = codecs.getwriter("utf-8")(fh)
                        dpi = self.figure.dpi
                        self.figure.dpi = 72
                        width, height = self.figure.get_size_inches()
                        renderer: Any = MixedModeRenderer(
                            self.figure,
                            width,
                            height,
                            dpi,
                            TextRenderer(width * 72, height * 72, fh, image_dpi=dpi, metadata={"Date": None}),
                            bbox_inches_restore=bbox_inches_restore,
                        )
                        self.figure.draw(renderer)
                        renderer.finalize()

            cls.cls = Canvas
        return cls.cls


def svg(ax: Any) -> str:
    """The figure of ``ax`` as an SVG element to inline in HTML (text as text, sized to fit)."""
    figure = ax if hasattr(ax, "savefig") else ax.figure
    canvas = _TextSVGCanvas.get()(figure)
    buffer = io.StringIO()
    canvas.print_figure(buffer, format="svg", bbox_inches="tight", pad_inches=0.05)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    match = re.search(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', text)
    if match:
        width = float(match.group(1)) * 4 / 3
        text = text.replace(
            f'width="{match.group(1)}pt" height="{match.group(2)}pt"',
            f'style="width: {width:.0f}px"',
            1,
        )
    # the embedded CJK subset first (it has no Latin glyphs, so Latin falls to DejaVu Sans, as in
    # matplotlib's own layout): Chromium does not reliably fall back past an installed font that
    # lacks a glyph to a web font later in the list
    text = re.sub(r"font-family: [^;\"]*", f"font-family: {_SVG_FONTS}", text)
    return re.sub(r"<metadata>.*?</metadata>", "", text, count=1, flags=re.S)


@dataclass
class Document:
    title: str
    subtitle: str = ""
    lang: str = "en"
    headline: list[tuple[str, str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    nothing_found: str = ""
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def ranked(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: f.rank)

    def html(self) -> str:
        label = self.labels
        findings_title = label.get("findings", "Key findings")
        notes_title = label.get("notes", "Data notes")
        entries = [("findings", findings_title)] + [(s.key, s.title) for s in self.sections]
        if self.notes:
            entries.append(("notes", notes_title))
        nav = "".join(f'<a href="#{k}">{html.escape(t)}</a>' for k, t in entries)
        cards = "".join(
            f'<div class="figure-card"><div class="label">{html.escape(a)}</div>'
            f'<div class="value">{html.escape(b)}</div><div class="detail">{html.escape(c)}</div></div>'
            for a, b, c in self.headline
        )
        items = "".join(f'<li>{html.escape(f.text)} <a href="#{f.section}">→</a></li>' for f in self.ranked())
        listing = (
            f'<ol class="findings">{items}</ol>' if items else f"<p>{html.escape(self.nothing_found)}</p>"
        )
        findings = (
            f'<section id="findings"><h2>{html.escape(findings_title)}</h2>'
            f'<div class="headline">{cards}</div>{listing}</section>'
        )
        body = "".join(
            f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>'
            f'<div class="flow">{"".join(s.parts)}</div></section>'
            for s in self.sections
        )
        notes = (
            f'<section id="notes"><h2>{html.escape(notes_title)}</h2><ul>'
            + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            + "</ul></section>"
            if self.notes
            else ""
        )
        lang = "zh-CN" if self.lang == "zh" else "en"
        content = (
            f'<h1>{html.escape(self.title)}</h1><p class="note">{html.escape(self.subtitle)}</p>'
            f"<nav>{nav}</nav>{findings}{body}{notes}"
        )
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(self.title)}</title>"
            f"<style>{font_face(self.title + content)}{_STYLE}</style>"
            f"</head><body>{content}<script>{_SCRIPT}</script></body></html>"
        )


def font_face(text: str) -> str:
    """A CSS ``@font-face`` embedding the bundled CJK font cut to the CJK characters of ``text``
    (a WOFF of a few tens of KB), so Chinese draws even in a browser on a machine without any
    CJK font; the reader's own fonts come first in every font list."""
    chars = sorted({ord(c) for c in text if ord(c) >= 0x2E80})
    if not chars:
        return ""
    import base64

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from cxmetrics.plot._style import BUNDLED_FAMILY, bundled_font_file

    font = TTFont(bundled_font_file())
    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and the family name
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{BUNDLED_FAMILY}"; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); }}'
    )
