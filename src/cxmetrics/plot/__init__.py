"""Charts of every result, with Chinese labels that render.

Each chart takes the result frame a module returns as its one positional argument, ``data``
(pandas, polars or pyarrow; a lazy frame is collected), every other argument by keyword
(``n=`` for how many rows to draw), draws on ``ax`` (a new figure when absent, not registered
with pyplot) and returns the Axes; none calls ``plt.show()`` or changes rcParams: fonts are set
on the figure's own texts (:func:`font_families`: the system's CJK font, then a CJK subset
shipped with the package, so Chinese labels draw on any machine; characters in no font give a
:class:`FontWarning` naming them).

Charts check their input like the rest of the library: an empty frame, a missing column, text
or ``inf`` in a number column, values out of range and bad counts raise an error from
:mod:`cxmetrics.errors` naming the column or argument; each chart's Notes say what it does
with missing values and with a frame that has nothing to draw.
"""

from cxmetrics.plot._business import (
    calibration_holdout,
    clv_distribution,
    driver_quadrant,
    funnel,
    gap_chart,
    journey_flow,
    probability_alive_matrix,
    rfm_heatmap,
    segment_bars,
)
from cxmetrics.plot._clv_checks import purchase_histogram, survival_curve, tracking_plot
from cxmetrics.plot._retention import cohort_heatmap, retention_curve
from cxmetrics.plot._style import (
    FontWarning,
    chart_context,
    cjk_font,
    cjk_font_path,
    font_families,
    style_figure,
    system_cjk_font,
)
from cxmetrics.plot._survey import (
    ces_breakdown,
    csat_breakdown,
    csat_trend,
    nps_breakdown,
    nps_distribution,
    nps_trend,
)
from cxmetrics.plot._text import aspect_chart, keyword_bars, sentiment_distribution, wordcloud
from cxmetrics.plot._topics import topic_map, topic_trend

__all__ = [
    "FontWarning",
    "aspect_chart",
    "calibration_holdout",
    "ces_breakdown",
    "chart_context",
    "cjk_font",
    "cjk_font_path",
    "clv_distribution",
    "cohort_heatmap",
    "csat_breakdown",
    "csat_trend",
    "driver_quadrant",
    "font_families",
    "funnel",
    "gap_chart",
    "journey_flow",
    "keyword_bars",
    "nps_breakdown",
    "nps_distribution",
    "nps_trend",
    "probability_alive_matrix",
    "purchase_histogram",
    "retention_curve",
    "rfm_heatmap",
    "segment_bars",
    "sentiment_distribution",
    "style_figure",
    "survival_curve",
    "system_cjk_font",
    "topic_map",
    "topic_trend",
    "tracking_plot",
    "wordcloud",
]
