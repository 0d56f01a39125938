"""Regenerate the chart gallery's images: run docs/guide/gallery.md's examples into docs/guide/img/gallery.

    python scripts/gallery.py
"""

from __future__ import annotations

import doctest
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    page = (ROOT / "docs" / "guide" / "gallery.md").read_text(encoding="utf-8")
    examples = doctest.DocTestParser().get_examples(page)
    code = "".join(e.source for e in examples if e.exc_msg is None)  # not the examples of errors
    target = ROOT / "docs" / "guide" / "img" / "gallery"
    target.mkdir(parents=True, exist_ok=True)
    code = code.replace("out = pathlib.Path(tempfile.mkdtemp())", f"out = pathlib.Path({str(target)!r})")
    exec(compile(code, "gallery.md", "exec"), {})  # the page's own examples, nothing else


if __name__ == "__main__":
    main()
