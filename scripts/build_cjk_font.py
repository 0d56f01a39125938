"""Build the CJK font subset shipped in ``cxmetrics/plot/fonts`` (used by charts as a fallback).

Source: WenQuanYi Micro Hei (Debian package ``fonts-wqy-microhei``), licensed Apache-2.0 (or
GPLv3 with a font-embedding exception); we use it under Apache-2.0. The subset keeps

* every character of GB 2312 (the 6,763 Simplified hanzi and its symbols),
* the Big5 level-1 "frequently used" hanzi (5,401 Traditional characters, Big5 0xA440-0xC67E),
* ASCII, Latin-1, general punctuation, arrows and shapes the charts draw, CJK punctuation and
  full-width forms,

and is renamed "cxmetrics CJK Sans" (a modified version must not pass itself off as the
original: Apache-2.0 section 4(b) asks modified files to carry a notice of the change, written
into the font's name table and the NOTICE file beside it).

    apt-get install fonts-wqy-microhei   # or: apt-get download + dpkg-deb -x
    python scripts/build_cjk_font.py [path/to/wqy-microhei.ttc]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "cxmetrics" / "plot" / "fonts"
SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LICENCE = Path("/usr/share/common-licenses/Apache-2.0")
FAMILY = "cxmetrics CJK Sans"
FILE = "cxmetrics-cjk-sans.ttf"


def _decoded(codec: str, lead: range, trail: range) -> set[str]:
    chars = set()
    for a in lead:
        for b in trail:
            try:
                chars.add(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                continue
    return chars


def characters() -> set[str]:
    """GB 2312, Big5 level 1 and the Latin and punctuation ranges listed in the docstring."""
    chars = _decoded("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    big5 = _decoded("big5", range(0xA1, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))  # type: ignore[arg-type]
    level_one = {c for c in big5 if 0xA440 <= int.from_bytes(c.encode("big5"), "big") <= 0xC67E}
    chars |= level_one | {c for c in big5 if int.from_bytes(c.encode("big5"), "big") < 0xA440}
    ranges = [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2000, 0x206F),
        (0x2190, 0x21FF),
        (0x2200, 0x22FF),
        (0x25A0, 0x25FF),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ]
    for low, high in ranges:
        chars |= {chr(c) for c in range(low, high + 1)}
    return chars


def build(source: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=0)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # hinting serves only Latin at small sizes; it doubles the file
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters()])
    subsetter.subset(font)
    names = font["name"]
    notice = f"{FAMILY}: a subset of WenQuanYi Micro Hei made by cxmetrics (scripts/build_cjk_font.py)"
    for record in list(names.names):
        if record.nameID in (1, 4, 16, 18, 21):
            record.string = FAMILY
        elif record.nameID in (3,):
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID in (17, 22):
            record.string = "Regular"
    names.setName(notice, 5, 3, 1, 0x409)  # version string carries the modification notice
    TARGET.mkdir(parents=True, exist_ok=True)
    out = TARGET / FILE
    font.save(str(out))
    if LICENCE.is_file():
        shutil.copyfile(LICENCE, TARGET / "LICENSE-Apache-2.0.txt")
    (TARGET / "NOTICE.txt").write_text(
        f"{FILE} ('{FAMILY}') is a modified version of WenQuanYi Micro Hei 0.2.0-beta\n"
        "Copyright 2008-2009 The WenQuanYi Project Board of Trustees, Qianqian Fang, mozbug;\n"
        "based on Droid Sans Fallback, Copyright 2006-2008 Google Corporation.\n"
        "Used under the Apache License 2.0 (LICENSE-Apache-2.0.txt beside this file).\n\n"
        "Changes made by cxmetrics: subset to GB 2312, Big5 level-1 hanzi, Latin-1 and punctuation;\n"
        "hinting removed; the font renamed 'cxmetrics CJK Sans' so that it is not taken for the\n"
        "original. Built by scripts/build_cjk_font.py.\n",
        encoding="utf-8",
    )
    return out


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    out = build(source)
    print(f"{out}: {out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
