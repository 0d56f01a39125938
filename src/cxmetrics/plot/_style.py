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

from cxmetrics.errors import CXMetricsError, FontWarning, ValueRangeError

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
    "labelled",
    "legend",
    "missing_glyphs",
    "new_axes",
    "rows_figure",
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
    """The family of a CJK font installed on this machine, or None.

    Looks for the families in ``CJK_FAMILIES`` among matplotlib's known fonts, then for their
    files in the usual system folders (registering the first found); the search runs once per
    process.

    Returns
    -------
    str or None
        The family name (for example ``'Noto Sans CJK SC'``), or None on a machine without a
        CJK font (charts then draw Chinese with the bundled subset, :func:`cjk_font`).

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
    """The font list every chart text gets, in the order matplotlib falls back along it.

    Returns
    -------
    list of str
        ``'DejaVu Sans'`` (Latin text and digits), the system's CJK font when there is one
        (:func:`system_cjk_font`), and the bundled subset ``'cxmetrics CJK Sans'`` last, so the
        list is never without Chinese glyphs. matplotlib picks, glyph by glyph, the first font
        of the list that has the glyph.

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
    """The family that draws Chinese glyphs.

    Returns
    -------
    str
        The system's CJK font (:func:`system_cjk_font`), else the bundled subset
        ``'cxmetrics CJK Sans'`` (GB 2312 and the common Traditional characters; rarer
        characters, such as 堃 or 喆, need a full system font: charts warn with
        :class:`~cxmetrics.errors.FontWarning` naming them).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.plot.cjk_font() in (cx.plot.system_cjk_font(), "cxmetrics CJK Sans")
    True
    """
    return system_cjk_font() or _bundled_font()


def cjk_font_path() -> str:
    """The file of :func:`cjk_font`, for libraries that take a font path (such as wordcloud).

    Returns
    -------
    str
        The path of the system CJK font file (``.ttf``, ``.ttc`` or ``.otf``), or of the
        bundled subset when the system has none.

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

    Returns
    -------
    context manager
        Entering it gives the list of :func:`font_families`; leaving it restores nothing,
        since nothing was changed.

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
    """Give a figure you drew the chart fonts: every text and tick label.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to style (pyplot's or a plain ``Figure``).
    skip : iterable of matplotlib Axes, default ()
        Axes of the figure to leave alone (a caller's own Axes on a shared figure).
    fonts : list of str, optional
        Font families in fallback order (default :func:`font_families`).

    Returns
    -------
    None
        The figure's texts are changed in place; nothing global is. Characters that no font of
        the list has (they would draw as boxes) are named in a
        :class:`~cxmetrics.errors.FontWarning`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import cxmetrics as cx
    >>> figure = Figure()
    >>> ax = figure.add_subplot()
    >>> _ = ax.set_title("净推荐值")
    >>> cx.plot.style_figure(figure)
    >>> ax.title.get_fontfamily()[-1]
    'cxmetrics CJK Sans'
    """
    if not isinstance(figure, _figure_class()):
        raise ValueRangeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    if fonts is not None and (not isinstance(fonts, list) or not all(isinstance(f, str) for f in fonts)
                              or not fonts):
        raise ValueRangeError(f"fonts must be a non-empty list of family names, got {fonts!r}")
    fonts = fonts or font_families()
    _style(figure, skip, fonts)
    warn_missing_glyphs(figure, fonts, stacklevel=2)


def _figure_class() -> Any:
    from matplotlib.figure import Figure

    return Figure


def _style(figure: Any, skip: Any, fonts: list[str]) -> None:
    from matplotlib.text import Text

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


@functools.lru_cache(maxsize=16)
def _charmap(family: str) -> frozenset[int]:
    """The code points the font of ``family`` has glyphs for (empty when it is not found)."""
    from matplotlib import font_manager, ft2font

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        return frozenset(ft2font.FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def missing_glyphs(texts: Any, fonts: list[str]) -> list[str]:
    """The characters of ``texts`` that no font of ``fonts`` has, in order of appearance."""
    import unicodedata

    covered = [_charmap(f) for f in fonts]
    missing: dict[str, None] = {}
    for text in texts:
        for ch in text:
            if ch in missing or ch.isspace() or unicodedata.category(ch).startswith("C"):
                continue
            if not any(ord(ch) in c for c in covered):
                missing[ch] = None
    return list(missing)


def warn_missing_glyphs(figure: Any, fonts: list[str], *, stacklevel: int) -> None:
    """Warn (:class:`FontWarning`) naming the characters of the figure's texts that would draw
    as boxes, and how to get a font with them."""
    import warnings

    from matplotlib.text import Text

    texts = [t.get_text() for t in figure.findobj(Text)]
    for axes in figure.axes:
        texts += [t.get_text() for t in (*axes.get_xticklabels(), *axes.get_yticklabels())]
    missing = missing_glyphs(texts, fonts)
    if missing:
        shown = "".join(missing[:12]) + ("…" if len(missing) > 12 else "")
        warnings.warn(
            f"{len(missing)} characters of the chart's labels are in none of its fonts {fonts} and "
            f"will draw as boxes: {shown}. The bundled subset has GB 2312 and common Traditional "
            "characters; install a full CJK font (Debian: apt-get install fonts-noto-cjk)",
            FontWarning,
            stacklevel=stacklevel + 1,
        )


F = TypeVar("F", bound=Callable[..., Any])
#: How :mod:`cxmetrics.plot._data` starts a message about a column; :func:`chart` puts the
#: chart's name in place of "chart".
CHART_INPUT = "chart input column"


def chart(function: F) -> F:
    """Check ``ax`` and ``title``, then style what the chart drew: fonts on the texts and ticks
    of the Axes it drew on (and any it added, such as a colour bar); other Axes of a figure the
    caller passed in are left alone. Labels with characters no font has give a FontWarning."""

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> Any:
        from cxmetrics.plot._data import check_common

        given = kwargs.get("ax")
        check_common(given, kwargs.get("title"))
        before = set(given.figure.axes) if given is not None else set()
        try:
            result = function(*args, **kwargs)
        except CXMetricsError as exc:  # name the chart in the column checks' messages
            if exc.args and isinstance(exc.args[0], str) and exc.args[0].startswith(CHART_INPUT):
                exc.args = (function.__name__ + exc.args[0][len("chart"):], *exc.args[1:])
            raise
        fonts = font_families()
        _style(result.figure, before - {result}, fonts)
        warn_missing_glyphs(result.figure, fonts, stacklevel=2)
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


#: The tallest figure a chart makes, in inches (past it, each row's type gets smaller instead).
MAX_HEIGHT = 40.0


def rows_figure(
    width: float, rows: int, per_row: float, extra: float = 1.5
) -> tuple[tuple[float, float], float]:
    """The size of a chart of ``rows`` labelled rows (``per_row`` inches each, capped at
    :data:`MAX_HEIGHT`) and the label size in points that fits a row (9 at most, 3 at least)."""
    height = min(per_row * rows + extra, MAX_HEIGHT)
    room = (height - extra) / max(rows, 1) * 72.0
    return (width, height), float(min(9.0, max(3.0, 0.7 * room)))


def new_figure(size: tuple[float, float]) -> Any:
    """A figure of ``size`` inches that pyplot does not track."""
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def labelled(priority: Any, most: int) -> list[int]:
    """The rows of the ``most`` highest ``priority`` (NaN last), in row order: the points a
    crowded scatter names."""
    import numpy as np

    weight = np.nan_to_num(np.asarray(priority, dtype=float), nan=-np.inf)
    return sorted(np.argsort(-weight, kind="stable")[:most].tolist())


def legend(axes: Any, **options: Any) -> None:
    """A legend when something drawn has a label (matplotlib warns on an empty one)."""
    if axes.get_legend_handles_labels()[0]:
        axes.legend(**options)


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
