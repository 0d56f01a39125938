"""Retention charts: drawn from result frames, no pyplot figures, no rcParams touched."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import cxmetrics as cx
from cxmetrics.errors import ColumnNotFoundError, CXMetricsWarning, ValueRangeError

pytestmark = pytest.mark.filterwarnings("ignore::cxmetrics.errors.FontWarning")


def log() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for c in range(300):
        start = int(rng.integers(0, 6))
        for week in range(start, start + int(rng.integers(1, 8))):
            rows.append((c, pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * week + 1),
                         "a" if c % 2 else "b"))
    return pd.DataFrame(rows, columns=["customer", "time", "plan"])


def test_charts_build_their_own_figure_and_leave_global_state_alone() -> None:
    import matplotlib.pyplot as plt

    figures, rc = plt.get_fignums(), dict(matplotlib.rcParams)
    table = cx.cohort_retention(log(), customer="customer", time="time", periods=5)
    curve = cx.plot.retention_curve(table)
    heat = cx.plot.cohort_heatmap(table)
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc
    n_cohorts = table["cohort"].nunique()
    assert len(curve.lines) == n_cohorts and len(curve.collections) == n_cohorts
    grid = heat.images[0].get_array()
    assert grid.shape == (n_cohorts, 6)
    # the triangle: the last cohort has only its observable periods, the rest is blank
    assert int(np.ma.count(grid[-1])) == int((table["cohort"] == table["cohort"].max()).sum())
    cell = table[(table["cohort"] == table["cohort"].min()) & (table["period"] == 2)]["rate"].item()
    assert grid[0, 2] == pytest.approx(cell)


def test_comparison_curves_with_a_reference_and_a_given_axes() -> None:
    from matplotlib.figure import Figure

    out = cx.compare_retention(log(), customer="customer", time="time", by="plan",
                               reference="a", periods=5)
    ax = Figure().add_subplot()
    assert cx.plot.retention_curve(out, ax=ax) is ax
    assert len(ax.lines) == 2  # group b and the dashed reference
    assert ax.lines[1].get_linestyle() == "--"


def test_bad_chart_input_is_named() -> None:
    table = cx.cohort_retention(log(), customer="customer", time="time", by="plan", periods=3)
    with pytest.raises(ValueRangeError, match="plan"):
        cx.plot.cohort_heatmap(table)
    with pytest.raises(ColumnNotFoundError, match="rate"):
        cx.plot.retention_curve(table.drop(columns="rate"))
    assert issubclass(cx.errors.FontWarning, CXMetricsWarning)
