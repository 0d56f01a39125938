"""Charts of every result, with Chinese labels that render.

Each function takes the result frame a module returns, draws on ``ax`` (a new figure when
absent) and returns the Axes; none calls ``plt.show()`` or changes global rcParams (drawing
happens in :func:`chart_context`). :func:`cjk_font` finds a font with Chinese glyphs.
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
from cxmetrics.plot._style import FontWarning, chart_context, cjk_font, cjk_font_path
from cxmetrics.plot._survey import (
    ces_breakdown,
    csat_breakdown,
    csat_trend,
    nps_breakdown,
    nps_distribution,
    nps_trend,
)
from cxmetrics.plot._text import aspect_chart, keyword_bars, sentiment_distribution, wordcloud

__all__ = [
    "FontWarning",
    "aspect_chart",
    "calibration_holdout",
    "ces_breakdown",
    "chart_context",
    "cjk_font",
    "cjk_font_path",
    "clv_distribution",
    "csat_breakdown",
    "csat_trend",
    "driver_quadrant",
    "funnel",
    "gap_chart",
    "journey_flow",
    "keyword_bars",
    "nps_breakdown",
    "nps_distribution",
    "nps_trend",
    "probability_alive_matrix",
    "purchase_histogram",
    "rfm_heatmap",
    "segment_bars",
    "sentiment_distribution",
    "survival_curve",
    "tracking_plot",
    "wordcloud",
]
