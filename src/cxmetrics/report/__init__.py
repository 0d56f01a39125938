"""``cxmetrics report``: one command from CX data files to an HTML report and CSV tables."""

from cxmetrics.report._cli import main

__all__ = ["main"]
