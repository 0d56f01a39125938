"""Fonts and style for charts: a CJK-capable font, applied through a context.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so Chinese labels render as
boxes. :func:`cjk_font` finds a font that has them, in this order:

1. a family matplotlib already knows: Noto Sans CJK / Source Han Sans, WenQuanYi, SimHei,
   PingFang, Microsoft YaHei, Heiti, Arial Unicode MS;
2. a font file in the usual system folders (for fonts installed after matplotlib built its
   font cache), registered with matplotlib's font manager;
3. the Noto Sans CJK SC file of the optional ``mplfonts`` package
   (``pip install "cxmetrics[cjk]"``), for machines with no CJK font at all.

Bundling a font was rejected: a CJK font is 5-20 MB, larger than the rest of the library. The
charts draw inside :func:`chart_context`, an ``rc_context``, so the caller's rcParams are never
changed.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from cxmetrics.errors import FontWarning

#: Families with CJK glyphs, preferred first.
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

#: The library's palette: detractor / passive / promoter and positive / neutral / negative.
COLORS = {
    "negative": "#d1495b",
    "neutral": "#edae49",
    "positive": "#00798c",
    "accent": "#30638e",
    "muted": "#9e9e9e",
}


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs, or None (see the module docstring).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> family = cx.plot.cjk_font()  # e.g. 'Noto Sans CJK SC', or None without any CJK font
    >>> family is None or isinstance(family, str)
    True
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for pattern in FONT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            registered = _register(path)
            if registered:
                return registered
    try:
        import mplfonts
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(mplfonts.__file__), "fonts", "NotoSansCJKsc-Regular.otf")
    return _register(path) if os.path.exists(path) else None


def _register(path: str) -> str | None:
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    except (OSError, RuntimeError, ValueError):
        return None


def cjk_font_path() -> str | None:
    """The file of :func:`cjk_font` (for libraries that take a path, such as wordcloud).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> path = cx.plot.cjk_font_path()
    >>> path is None or path.endswith((".ttf", ".ttc", ".otf"))
    True
    """
    family = cjk_font()
    if family is None:
        return None
    from matplotlib import font_manager

    return str(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))


def chart_fonts(stacklevel: int = 3) -> list[str]:
    """The font families a chart uses: a CJK font, then matplotlib's DejaVu Sans (for glyphs
    the CJK font lacks); :class:`FontWarning` when no CJK font is found."""
    family = cjk_font()
    if family is None:
        warnings.warn(
            "no font with Chinese glyphs found; Chinese labels will show as boxes. Install one "
            "(Debian: apt-get install fonts-noto-cjk or fonts-wqy-microhei) or "
            'pip install "cxmetrics[cjk]"',
            FontWarning,
            stacklevel=stacklevel,
        )
        return ["DejaVu Sans"]
    # families that are not installed would only log "not found" for every text
    return [family, "DejaVu Sans"]


def pin_fonts(axes: Any, fonts: list[str]) -> None:
    """Set ``fonts`` on every text and tick label of ``axes``, so no global rcParams are read."""
    from matplotlib.text import Text

    axes.tick_params(labelfontfamily=fonts)
    for text in axes.findobj(Text):
        text.set_fontfamily(fonts)


@contextlib.contextmanager
def chart_context() -> Iterator[list[str]]:
    """rcParams for one chart: a CJK font first in the sans-serif list, a proper minus sign.

    Yields the font list, which :func:`chart` also pins on every text of the figure, since tick
    labels made later at draw time would otherwise read the global rcParams.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> import cxmetrics as cx
    >>> before = mpl.rcParams["font.sans-serif"]
    >>> with cx.plot.chart_context() as fonts:
    ...     inside = mpl.rcParams["font.sans-serif"]
    >>> inside == fonts and mpl.rcParams["font.sans-serif"] == before
    True
    """
    import matplotlib as mpl

    fonts = chart_fonts(stacklevel=4)
    with mpl.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": fonts,
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield fonts


F = TypeVar("F", bound=Callable[..., Any])


def chart(function: F) -> F:
    """Draw inside :func:`chart_context` and pin its fonts on the texts and ticks of the Axes
    the chart drew on (and any it added, such as a colour bar); other Axes of a figure the
    caller passed in keep their fonts."""

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("ax")
        before = set(given.figure.axes) if given is not None else set()
        with chart_context() as fonts:
            result = function(*args, **kwargs)
            drawn = [a for a in result.figure.axes if a not in before or a is result]
            for axes in drawn:
                pin_fonts(axes, fonts)
        return result

    return draw  # type: ignore[return-value]


def new_axes(ax: Any, size: tuple[float, float] = (7.0, 4.0)) -> Any:
    """``ax``, or the Axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(figsize=size)
    return axes
