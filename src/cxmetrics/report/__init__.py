"""``cxmetrics report``: one command from CX data files to an HTML report and CSV tables."""

from cxmetrics.report import _more_sections, _sections
from cxmetrics.report._cli import main

# The retention, weighting and topic sections build on _sections' helpers, so they live in a
# module of their own and join the list here (registering them from _sections would be a cycle).
for _after, _section in (
    (_sections.survey_sections, _more_sections.weighting_sections),
    (_sections.text_sections, _more_sections.topic_sections),
    (_sections.journey_sections, _more_sections.retention_sections),
):
    _sections.SECTIONS.insert(_sections.SECTIONS.index(_after) + 1, _section)

__all__ = ["main"]
