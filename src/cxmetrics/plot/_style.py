"""Fonts and style for charts, applied to each figure's own artists (no global state).

matplotlib's default font (DejaVu Sans) has no Chinese glyphs. Every text a chart draws gets the
font list of :func:`font_families`: DejaVu Sans for Latin text, then a CJK font of the system
when there is one (Noto Sans CJK, Source Han Sans, WenQuanYi, PingFang, Microsoft YaHei ...),
then the subset of WenQuanYi Micro Hei that ships inside the package ("cxmetrics CJK Sans",
GB 2312 plus the common Traditional characters, about 1.7 MB, Apache-2.0; built by
``scripts/build_cjk_font.py``), so Chinese labels draw on a machine with no CJK font at all.
matplotlib's font fallback picks, glyph by glyph, the first font of the list that has it.

Nothing process-wide is changed: no rcParams, no ``rc_context`` (which is process-global and
not thread-safe), no pyplot figure registry. Fonts are set on each text artist and on the tick
labels (``tick_params(labelfontfamily=...)``), spines on the chart's own Axes, and charts
drawn without ``ax=`` are on a ``matplotlib.figure.Figure`` that pyplot does not know about
(nothing to close, nothing leaking in a long-running process). The only shared step is adding
the bundled font file to matplotlib's font manager once, under a lock.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from cxmetrics.errors import FontWarning

__all__ = [
    "BUNDLED_FAMILY",
    "COLORS",
    "FontWarning",
    "bundled_font_file",
    "chart",
    "chart_context",
    "cjk_font",
    "cjk_font_path",
    "font_families",
    "new_axes",
    "style_figure",
    "system_cjk_font",
]

#: Families with CJK glyphs a system may have, preferred first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "PingFang SC",
    "Microsoft YaHei",
    "Heiti SC",
    "STHeiti",
    "Arial Unicode MS",
)
#: Where system fonts with those families usually live (Debian, Fedora, macOS, Windows).
FONT_GLOBS = (
    "/usr/share/fonts/**/*[Nn]oto*CJK*",
    "/usr/share/fonts/**/wqy*",
    "/usr/share/fonts/**/*[Ss]ource*[Hh]an*",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.tt?",
    "C:/Windows/Fonts/simhei.ttf",
)
#: The family name of the font subset shipped in ``cxmetrics/plot/fonts``.
BUNDLED_FAMILY = "cxmetrics CJK Sans"
_BUNDLED_FILE = os.path.join(os.path.dirname(__file__), "fonts", "cxmetrics-cjk-sans.ttf")
_LATIN = "DejaVu Sans"

#: The library's palette: detractor / passive / promoter and positive / neutral / negative.
COLORS = {
    "negative": "#d1495b",
    "neutral": "#edae49",
    "positive": "#00798c",
    "accent": "#30638e",
    "muted": "#9e9e9e",
}

_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _system_cjk_font() -> str | None:
    from matplotlib import font_manager

    with _lock:
        known = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in known:
                return family
        for pattern in FONT_GLOBS:
            for path in sorted(glob.glob(pattern, recursive=True)):
                registered = _register(path)
                if registered:
                    return registered
    return None


def system_cjk_font() -> str | None:
    """The family of a CJK font installed on this machine, or None (searched once).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> family = cx.plot.system_cjk_font()  # e.g. 'Noto Sans CJK SC'; None on a bare server
    >>> family is None or isinstance(family, str)
    True
    """
    return _system_cjk_font()


@functools.lru_cache(maxsize=1)
def _bundled_font() -> str:
    with _lock:
        from matplotlib import font_manager

        if BUNDLED_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
            font_manager.fontManager.addfont(_BUNDLED_FILE)
    return BUNDLED_FAMILY


def bundled_font_file() -> str:
    """The path of the CJK font subset shipped with the package."""
    return _BUNDLED_FILE


def _register(path: str) -> str | None:
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    except (OSError, RuntimeError, ValueError):
        return None


def font_families() -> list[str]:
    """The font list every chart text gets: DejaVu Sans, the system's CJK font (if any), the
    bundled subset. matplotlib falls back glyph by glyph along the list.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> families = cx.plot.font_families()
    >>> families[0], families[-1]
    ('DejaVu Sans', 'cxmetrics CJK Sans')
    """
    system = system_cjk_font()
    return [_LATIN, *([system] if system else []), _bundled_font()]


def cjk_font() -> str:
    """The family that draws Chinese glyphs: the system's CJK font, else the bundled subset.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.plot.cjk_font() in (cx.plot.system_cjk_font(), "cxmetrics CJK Sans")
    True
    """
    return system_cjk_font() or _bundled_font()


def cjk_font_path() -> str:
    """The file of :func:`cjk_font` (for libraries that take a path, such as wordcloud).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.plot.cjk_font_path().endswith((".ttf", ".ttc", ".otf"))
    True
    """
    system = system_cjk_font()
    if system is None:
        return _BUNDLED_FILE
    from matplotlib import font_manager

    return str(font_manager.findfont(font_manager.FontProperties(family=system), fallback_to_default=False))


@contextlib.contextmanager
def chart_context() -> Iterator[list[str]]:
    """The fonts a chart uses, for drawing your own charts in the library's style.

    Changes nothing global (it is no longer an ``rc_context``): apply the yielded list with
    ``text.set_fontfamily(fonts)``, or call :func:`style_figure` on your figure.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> import cxmetrics as cx
    >>> before = dict(mpl.rcParams)
    >>> with cx.plot.chart_context() as fonts:
    ...     fonts[-1]
    'cxmetrics CJK Sans'
    >>> dict(mpl.rcParams) == before
    True
    """
    yield font_families()


def pin_fonts(axes: Any, fonts: list[str]) -> None:
    """Set ``fonts`` on every text and tick label of ``axes``, so no global rcParams are read."""
    from matplotlib.text import Text

    axes.tick_params(labelfontfamily=fonts)
    for text in axes.findobj(Text):
        text.set_fontfamily(fonts)


def style_figure(figure: Any, *, skip: Any = (), fonts: list[str] | None = None) -> None:
    """Give every text of ``figure`` (tick labels too) the chart fonts and hide the top and right
    spines, except on the Axes in ``skip`` (a caller's own Axes on a shared figure)."""
    from matplotlib.text import Text

    fonts = fonts or font_families()
    skipped = set(skip)
    for axes in figure.axes:
        if axes not in skipped:
            pin_fonts(axes, fonts)
    for text in figure.texts:
        text.set_fontfamily(fonts)
    legends = getattr(figure, "legends", [])
    for legend in legends:
        for text in legend.findobj(Text):
            text.set_fontfamily(fonts)


F = TypeVar("F", bound=Callable[..., Any])


def chart(function: F) -> F:
    """Style what the chart drew: fonts on the texts and ticks of the Axes it drew on (and any it
    added, such as a colour bar); other Axes of a figure the caller passed in are left alone."""

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("ax")
        before = set(given.figure.axes) if given is not None else set()
        result = function(*args, **kwargs)
        style_figure(result.figure, skip=before - {result})
        return result

    return draw  # type: ignore[return-value]


def new_axes(ax: Any, size: tuple[float, float] = (7.0, 4.0)) -> Any:
    """``ax``, or the Axes of a new figure of ``size`` inches (not registered with pyplot; top and
    right spines hidden)."""
    if ax is not None:
        return ax
    axes = new_figure(size).add_subplot()
    hide_spines(axes)
    return axes


def new_figure(size: tuple[float, float]) -> Any:
    """A figure of ``size`` inches that pyplot does not track."""
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def hide_spines(axes: Any) -> None:
    for name in ("top", "right"):
        axes.spines[name].set_visible(False)


def message(ax: Any, text: str) -> Any:
    """Write ``text`` in the middle of an empty chart (nothing to draw is said, not left blank)."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax
