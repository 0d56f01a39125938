"""Breakdown charts colour groups against the overall figure, not the mean of the groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import cxmetrics as cx
from cxmetrics import errors
from cxmetrics.plot._style import COLORS


def _survey() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"store": ["big"] * 1000 + ["small"] * 20,
                         "ltr": np.r_[rng.integers(6, 11, 1000), rng.integers(0, 5, 20)],
                         "csat": np.r_[rng.integers(3, 6, 1000), rng.integers(1, 3, 20)]})


def _bars(ax) -> dict[str, str]:
    labels = [t.get_text() for t in ax.get_yticklabels()]
    return {label: to_hex(patch.get_facecolor()) for label, patch in zip(labels, ax.patches, strict=True)}


@pytest.mark.parametrize(("metric", "score", "chart"), [
    (cx.nps, "ltr", cx.plot.nps_breakdown), (cx.csat, "csat", cx.plot.csat_breakdown)])
def test_reference_is_the_overall_figure(metric, score, chart):
    survey = _survey()
    overall = float(metric(survey, score=score)[metric.__name__][0])
    ax = chart(metric(survey, score=score, by="store"))
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(overall)
    colours = _bars(ax)
    # the big store is the overall figure give or take its interval; the mean of the two groups
    # (pulled down by 20 answers) would have coloured it as better than the rest
    assert colours["big"] == COLORS["accent"] and colours["small"] == COLORS["negative"]


def test_an_explicit_reference_wins():
    ax = cx.plot.nps_breakdown(cx.nps(_survey(), score="ltr", by="store"), reference=-50.0)
    assert ax.lines[-1].get_xdata()[0] == -50.0
    assert _bars(ax)["big"] == COLORS["positive"]


@pytest.mark.parametrize(("metric", "score", "chart"), [
    (cx.nps, "ltr", cx.plot.nps_breakdown), (cx.csat, "csat", cx.plot.csat_breakdown)])
def test_a_weighted_result_needs_its_overall_figure(metric, score, chart):
    survey = _survey().assign(w=np.r_[np.full(1000, 0.2), np.full(20, 5.0)])
    per_group = metric(survey, score=score, by="store", weights="w")
    overall = float(metric(survey, score=score, weights="w")[metric.__name__][0])
    # the answer-weighted mean of the groups is not the weighted overall figure
    n_weighted = float(np.average(per_group[metric.__name__], weights=per_group["n"]))
    assert abs(n_weighted - overall) > 5
    with pytest.raises(errors.ValueRangeError, match="reference="):
        chart(per_group)
    ax = chart(per_group, reference=overall)
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(overall)
