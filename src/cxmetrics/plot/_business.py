"""Charts of journeys, RFM segments, CLV and key drivers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics import _checks
from cxmetrics.errors import ValueRangeError
from cxmetrics.plot._data import (
    MISSING_KEY,
    check_interval,
    check_positive_int,
    column_argument,
    flags,
    labels,
    other_columns,
    result_frame,
    values,
)
from cxmetrics.plot._style import (
    COLORS,
    chart,
    hide_spines,
    labelled,
    legend,
    message,
    new_axes,
    new_figure,
    rows_figure,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FUNNEL_COLUMNS = (
    "step",
    "step_number",
    "entered",
    "converted",
    "conversion_rate",
    "conversion_ci_low",
    "conversion_ci_high",
    "overall_rate",
    "overall_ci_low",
    "overall_ci_high",
    "drop_off",
    "drop_off_rate",
    "time_to_convert_median",
    "time_to_convert_p90",
)


@chart
def funnel(data: Any, *, max_groups: int = 24, ax: Any = None, title: str | None = None) -> Axes:
    """Customers at each step as bars, annotated with the step conversion and the drop-off.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.funnel`'s result (pandas, polars or pyarrow; a lazy frame is
        collected): ``step``, ``entered``, ``conversion_rate`` and ``drop_off`` are read; any
        column that is not a funnel result column is a group key (computed with ``by=``).
    max_groups : int, default 24
        With group keys, one small funnel is drawn per group, for the ``max_groups`` groups
        with the most customers; the title says how many were left out.
    ax : matplotlib Axes, optional
        Where to draw a funnel of one group (a new figure, not registered with pyplot, when
        absent). A grouped funnel draws small multiples on its own figure, so ``ax`` must be
        None then.
    title : str, optional
        The title (default: says what the colours mean).

    Returns
    -------
    matplotlib Axes
        The funnel's Axes (the first small multiple for a grouped result).

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; negative or
    infinite counts, text in a count column, and rates outside [0, 1] raise naming the column; a
    step with no customers draws an empty bar; missing group keys are a group of their own (titled
    "(missing)"); the same step twice without group columns is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 3],
    ...                     "stage": ["首页", "购物车", "支付", "首页", "购物车", "首页"],
    ...                     "time": pd.date_range("2025-05-01", periods=6, freq="h"),
    ...                     "device": ["app"] * 3 + ["web"] * 3})
    >>> call = dict(customer="customer", time="time", stage="stage")
    >>> ax = cx.plot.funnel(cx.funnel(log, steps=["首页", "购物车", "支付"], **call))
    >>> len(ax.patches)
    3
    >>> grouped = cx.plot.funnel(cx.funnel(log, steps=["首页", "购物车", "支付"], by="device", **call))
    >>> len(grouped.figure.axes)
    2
    """
    max_groups = check_positive_int(max_groups, "max_groups")
    frame = result_frame(data, ["step", "entered", "conversion_rate", "drop_off"], "funnel")
    groups = other_columns(frame, FUNNEL_COLUMNS)
    steps = labels(frame, "step")
    entered = values(frame, "entered", low=0)
    rate = values(frame, "conversion_rate", low=0, high=1)
    drop = values(frame, "drop_off", low=0)
    if groups:
        return _funnel_groups(frame, groups, max_groups, ax, title)
    if len(set(steps)) != len(steps):
        raise ValueRangeError(
            "funnel chart takes one funnel per group; pass the group columns with the result"
        )
    ax = new_axes(ax, (7.0, min(0.5 * len(steps) + 1.5, 12.0)))
    _funnel_bars(ax, steps, entered, rate, drop)
    ax.set_xlabel("customers")
    ax.set_title(title if title is not None else "Funnel (red: customers lost before the next step)")
    return ax


def _funnel_bars(
    ax: Any, steps: list[str], entered: np.ndarray, rate: np.ndarray, drop: np.ndarray, small: bool = False
) -> None:
    y = np.arange(len(steps))[::-1]
    ax.barh(y, entered, color=COLORS["accent"])
    ax.set_yticks(y, [_short(s, 14 if small else 24) for s in steps])
    top = float(np.nanmax(entered)) if np.isfinite(entered).any() else 0.0
    top = top if top > 0 else 1.0
    size = 7 if small else 9
    for i in range(len(steps)):
        if small:
            text = _count(entered[i]) + ("" if np.isnan(rate[i]) else f" ({rate[i]:.0%})")
        else:
            text = _count(entered[i]) + ("" if np.isnan(rate[i]) else f"  ({rate[i]:.0%} of previous)")
        ax.text(np.nan_to_num(entered[i]) + 0.01 * top, y[i], text, va="center", fontsize=size)
        if not small and not np.isnan(drop[i]) and i + 1 < len(steps) and drop[i] > 0:
            ax.text(
                0.02 * top, y[i] - 0.5, f"−{drop[i]:,.0f}", color=COLORS["negative"], fontsize=8, va="center"
            )
    ax.set_xlim(0, top * (1.6 if small else 1.45))
    ax.set_ylim(-0.6, len(steps) - 0.4)
    ax.tick_params(labelsize=size)


def _funnel_groups(frame: Any, groups: list[str], max_groups: int, ax: Any, title: str | None) -> Any:
    keys = [" / ".join(parts) for parts in zip(*(labels(frame, g, MISSING_KEY) for g in groups), strict=True)]
    steps, entered = labels(frame, "step"), values(frame, "entered")
    rate, drop = values(frame, "conversion_rate"), values(frame, "drop_off")
    order = list(dict.fromkeys(keys))
    size = {k: max((entered[i] for i in range(len(keys)) if keys[i] == k), default=0.0) for k in order}
    shown = sorted(order, key=lambda k: -size[k])[:max_groups]
    n_steps = len(dict.fromkeys(steps))
    columns = min(4, len(shown))
    rows = int(np.ceil(len(shown) / columns))
    if ax is not None:
        raise ValueRangeError(
            "a grouped funnel draws small multiples on its own figure; leave ax=None "
            "or filter the result to one group"
        )
    figure = new_figure((3.2 * columns + 1.0, rows * (0.32 * n_steps + 0.9) + 0.8))
    grid = figure.subplots(rows, columns, squeeze=False, sharex=False)
    for index, key in enumerate(shown):
        cell = grid[index // columns][index % columns]
        hide_spines(cell)
        rows_of = [i for i in range(len(keys)) if keys[i] == key]
        _funnel_bars(
            cell, [steps[i] for i in rows_of], entered[rows_of], rate[rows_of], drop[rows_of], small=True
        )
        cell.set_title(_short(key, 28), fontsize=9)
        cell.set_xticks([])  # each bar carries its count
        cell.spines["bottom"].set_visible(False)
        if index % columns:
            cell.set_yticklabels([])
    for index in range(len(shown), rows * columns):
        grid[index // columns][index % columns].set_visible(False)
    rest = len(order) - len(shown)
    default = f"Funnel by {', '.join(groups)}" + (
        f" ({len(shown)} largest of {len(order)} groups)" if rest else ""
    )
    figure.suptitle(title if title is not None else default)
    return grid[0][0]


def _count(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:,.0f}"


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


@chart
def journey_flow(
    data: Any,
    *,
    order: Sequence[Any] | None = None,
    min_share: float = 0.02,
    max_stages: int = 10,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Transitions as a flow network: stages left to right, arrows as wide as their moves.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.transitions`'s result (``from_stage, to_stage, moves``; with
        ``exits=True`` the start and exit appear at the ends).
    order : sequence, optional
        The left to right order of the stages (default: by how early a customer reaches them);
        stages not listed are left out.
    min_share : float, default 0.02
        Moves below this share of all moves are left out, for legibility (0 draws every move).
    max_stages : int, default 10
        Past this many stages the least visited are merged into "(other)"
        (:func:`group_stages`), so 50 stages still read.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what width and colour mean).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; negative,
    infinite or text ``moves`` raise naming the column; rows whose moves are missing count as no
    moves; when no move is left to draw, the chart says so in its middle. Long stage labels are
    wrapped onto two lines and shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 3],
    ...                     "stage": ["首页", "购物车", "支付", "首页", "购物车", "首页"],
    ...                     "time": pd.date_range("2025-05-01", periods=6, freq="h"),
    ...                     "device": ["app"] * 3 + ["web"] * 3})
    >>> call = dict(customer="customer", time="time", stage="stage")
    >>> ax = cx.plot.journey_flow(cx.transitions(log, exits=True, **call), min_share=0)
    >>> [t.get_text() for t in ax.texts]
    ['(start)', '首页', '购物车', '支付', '(exit)']
    >>> plt.close(ax.figure)
    """
    from matplotlib.patches import FancyArrowPatch

    max_stages = check_positive_int(max_stages, "max_stages")
    min_share = _checks.probability(min_share, "min_share")
    if order is not None and (isinstance(order, (str, bytes)) or not isinstance(order, Sequence)):
        raise ValueRangeError(f"order must be a list of stages, got {order!r}")
    frame = result_frame(data, ["from_stage", "to_stage", "moves"], "journey_flow")
    origin, target = labels(frame, "from_stage"), labels(frame, "to_stage")
    moves = np.nan_to_num(values(frame, "moves", low=0))
    if not np.nansum(moves) > 0:
        return message(new_axes(ax), "no moves between stages")
    origin, target, moves = group_stages(origin, target, moves, max_stages)
    stages = [str(s) for s in order] if order is not None else _flow_order(origin, target, moves)
    if order is not None and OTHER in set(origin) | set(target):
        stages.insert(len(stages) - ("(exit)" in stages), OTHER)
    position = {s: i for i, s in enumerate(stages)}
    keep = [
        i
        for i in range(len(moves))
        if moves[i] >= min_share * moves.sum()
        and moves[i] > 0
        and origin[i] in position
        and target[i] in position
        and origin[i] != target[i]
    ]
    ax = new_axes(ax, (min(max(7.0, 1.05 * len(stages)), 13.0), 4.2))
    widest = max((moves[i] for i in keep), default=1.0) or 1.0
    for i in keep:
        a, b = position[origin[i]], position[target[i]]
        bend = 0.0 if b == a + 1 else (0.35 if b > a else -0.35)
        ax.add_patch(
            FancyArrowPatch(
                (a, 0),
                (b, 0),
                connectionstyle=f"arc3,rad={bend}",
                arrowstyle="-|>",
                mutation_scale=12,
                lw=0.5 + 8 * moves[i] / widest,
                color=COLORS["accent"] if b > a else COLORS["negative"],
                alpha=0.6,
            )
        )
    ax.scatter(range(len(stages)), np.zeros(len(stages)), s=300, color="white", edgecolor="black", zorder=3)
    # labels above the nodes, arcs (skips forward, moves back) below them; crowded labels alternate
    # between two rows
    crowded = len(stages) > 7
    for i, stage in enumerate(stages):
        high = crowded and i % 2 == 1
        ax.text(
            i,
            0.09 + (0.2 if high else 0.0),
            _wrap(stage, 9 if crowded else 14),
            ha="center",
            va="bottom",
            fontsize=8 if crowded else 9,
        )
    ax.set_xlim(-0.6, len(stages) - 0.4)
    longest = max((abs(position[origin[i]] - position[target[i]]) for i in keep), default=1)
    ax.set_ylim(-0.25 - 0.12 * min(longest, 12), 0.75 if crowded else 0.5)
    ax.axis("off")
    ax.set_title(title if title is not None else "Journey flow (width: moves; red: moves back)")
    return ax


#: The stage that stands for the stages :func:`group_stages` leaves out.
OTHER = "(other)"


def group_stages(
    origin: list[str], target: list[str], moves: np.ndarray, max_stages: int
) -> tuple[list[str], list[str], np.ndarray]:
    """Keep the ``max_stages`` stages with the most moves in and out (plus "(start)" and
    "(exit)"), merge the others into "(other)", and sum the moves again."""
    traffic: dict[str, float] = {}
    for a, b, m in zip(origin, target, moves, strict=True):
        traffic[a] = traffic.get(a, 0.0) + m
        traffic[b] = traffic.get(b, 0.0) + m
    ends = {"(start)", "(exit)"}
    ranked = sorted((s for s in traffic if s not in ends), key=lambda s: (-traffic[s], s))
    if len(ranked) <= max_stages:
        return origin, target, moves
    kept = set(ranked[:max_stages]) | ends
    merged: dict[tuple[str, str], float] = {}
    for a, b, m in zip(origin, target, moves, strict=True):
        key = (a if a in kept else OTHER, b if b in kept else OTHER)
        merged[key] = merged.get(key, 0.0) + m
    pairs = list(merged)
    return [p[0] for p in pairs], [p[1] for p in pairs], np.array([merged[p] for p in pairs])


def _wrap(label: str, width: int) -> str:
    import textwrap

    label = label if len(label) <= 2 * width else label[: 2 * width - 1] + "…"
    return "\n".join(textwrap.wrap(label, width, break_long_words=True)) or label


def _flow_order(origin: list[str], target: list[str], moves: np.ndarray) -> list[str]:
    """Stages by the mean step at which a walker on the transitions visits them.

    The walker starts at "(start)" when the table has it, else at the stages with more moves
    out than in; a funnel's stages come out in funnel order.
    """
    stages = list(dict.fromkeys([*origin, *target]))
    index = {s: i for i, s in enumerate(stages)}
    counts = np.zeros((len(stages), len(stages)))
    for a, b, m in zip(origin, target, moves, strict=True):
        counts[index[a], index[b]] += m
    totals = counts.sum(axis=1, keepdims=True)
    chain = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    if "(start)" in index:
        walker = np.eye(len(stages))[index["(start)"]]
    else:
        net = np.clip(counts.sum(axis=1) - counts.sum(axis=0), 0.0, None)
        walker = net / net.sum() if net.sum() > 0 else np.full(len(stages), 1.0 / len(stages))
    weight, step_sum = np.zeros(len(stages)), np.zeros(len(stages))
    for step in range(4 * len(stages)):
        weight += walker
        step_sum += step * walker
        walker = walker @ chain
    mean_step = np.divide(step_sum, weight, out=np.full(len(stages), np.inf), where=weight > 0)
    if "(start)" in index:
        mean_step[index["(start)"]] = -np.inf
    if "(exit)" in index:
        mean_step[index["(exit)"]] = np.inf  # the exit closes every journey: rightmost
    return sorted(stages, key=lambda s: (mean_step[index[s]], s))


@chart
def gap_chart(
    data: Any, *, n: int = 10, alpha: float = 0.05, ax: Any = None, title: str | None = None
) -> Axes:
    """Gap scores (excess exits at switches) with intervals, largest first; significant ones red.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.gaps`'s result (``attribute, from_stage, to_stage, switched, ci_low,
        ci_high, p_adjusted, gap_score, small_sample``). The interval drawn is the
        difference's interval times the switched handoffs; rows flagged ``small_sample`` are
        left out.
    n : int, default 10
        How many handoffs to draw (the largest gap scores).
    alpha : float, default 0.05
        Gaps whose ``p_adjusted`` is below this are drawn red.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: says what red means).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: a ``small_sample`` column that is not boolean, text or infinite numbers, and
    adjusted p-values outside [0, 1] raise naming the column; when the result is empty (what
    :func:`cxmetrics.gaps` returns, with a warning, when nothing could be tested) or every row
    is a small sample, the chart says nothing could be tested; a missing p-value is drawn grey.

    Examples
    --------
    >>> import warnings
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 3],
    ...                     "stage": ["首页", "购物车", "支付", "首页", "购物车", "首页"],
    ...                     "time": pd.date_range("2025-05-01", periods=6, freq="h"),
    ...                     "device": ["app", "web", "web", "app", "app", "web"]})
    >>> call = dict(customer="customer", time="time", stage="stage")
    >>> with warnings.catch_warnings(record=True):  # one switch: too few to test, and it says so
    ...     warnings.simplefilter("always")
    ...     found = cx.gaps(log, switch="device", **call)
    >>> ax = cx.plot.gap_chart(found)
    >>> ax.texts[0].get_text()
    'no handoff had enough customers with and without a switch to test'
    >>> plt.close(ax.figure)
    """
    n = check_positive_int(n, "n")
    alpha = _checks.probability(alpha, "alpha", open_ends=True)
    frame = result_frame(
        data,
        [
            "attribute",
            "from_stage",
            "to_stage",
            "switched",
            "ci_low",
            "ci_high",
            "p_adjusted",
            "gap_score",
            "small_sample",
        ],
        "gap_chart",
        allow_empty=True,
    )
    keep = ~flags(frame, "small_sample")
    score = values(frame, "gap_score")[keep]
    switched = values(frame, "switched", low=0)[keep]
    low, high = values(frame, "ci_low")[keep] * switched, values(frame, "ci_high")[keep] * switched
    check_interval(low, high, ("ci_low", "ci_high"))
    q = values(frame, "p_adjusted", low=0, high=1)[keep]
    names = [
        f"{a}: {f} → {t}"
        for a, f, t, k in zip(
            labels(frame, "attribute"),
            labels(frame, "from_stage"),
            labels(frame, "to_stage"),
            keep,
            strict=True,
        )
        if k
    ]
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")[:n][::-1]
    if not len(order):
        return message(new_axes(ax), "no handoff had enough customers with and without a switch to test")
    size, font = rows_figure(7.0, len(order), 0.45)
    ax = new_axes(ax, size)
    colors = [COLORS["negative"] if q[i] < alpha else COLORS["muted"] for i in order]
    names = [_short(name, 48) for name in names]
    ax.barh(range(len(order)), score[order], color=colors)
    ax.errorbar(  # the interval from low to high, wherever the estimate lies
        (low[order] + high[order]) / 2,
        range(len(order)),
        xerr=(high[order] - low[order]) / 2,
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    ax.set_yticks(range(len(order)), [names[i] for i in order], fontsize=font)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("excess exits at switched handoffs")
    ax.set_title(title if title is not None else f"Gaps at switches (red: q < {alpha:g})")
    return ax


#: Most points a scatter names (past this, the labels would cover each other).
MAX_LABELS = 15

#: The highest RFM score a heat map draws (``rfm_score(bins=)`` beyond this would not read).
MAX_SCORE = 20


@chart
def rfm_heatmap(data: Any, *, value: str = "monetary", ax: Any = None, title: str | None = None) -> Axes:
    """The recency × frequency score grid, coloured by the mean of ``value`` (or the count).

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.rfm_score`'s result: ``r_score`` and ``f_score`` (whole numbers from
        1, as many rows and columns as the highest score) and the ``value`` column.
    value : str, default "monetary"
        The numeric column averaged in each cell, or ``"count"`` for customers per cell.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: names what the colour shows).

    Returns
    -------
    matplotlib Axes
        The grid's Axes (the figure also holds its colour bar).

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; scores below 1
    (0 never wraps into the top row), above 20, not whole or missing raise naming the score column
    and the offending values; a text or infinite ``value`` column raises naming it; cells without
    customers stay blank, and missing values are left out of a cell's mean.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> tx = pd.DataFrame({"customer": [1, 1, 2, 3, 3, 3, 4],
    ...                    "amount": [20.0, 35.0, 12.0, 50.0, 40.0, 60.0, 8.0],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10", "2024-01-20",
    ...                                            "2024-02-25", "2024-04-02", "2024-03-30"])})
    >>> scored = cx.rfm_score(cx.rfm_table(tx, customer="customer", time="date", amount="amount"), bins=2)
    >>> ax = cx.plot.rfm_heatmap(scored, value="count")
    >>> len(ax.images)
    1
    >>> plt.close(ax.figure)
    """
    if not isinstance(value, str):
        raise ValueRangeError(f"value must be a column name or 'count', got {value!r}")
    needed = ["r_score", "f_score"] + ([] if value == "count" else [value])
    frame = result_frame(data, needed, "rfm_heatmap")
    r = values(frame, "r_score", low=1, high=MAX_SCORE, whole=True, missing=False).astype(int)
    f = values(frame, "f_score", low=1, high=MAX_SCORE, whole=True, missing=False).astype(int)
    size = int(max(r.max(), f.max()))
    count = np.zeros((size, size))
    np.add.at(count, (r - 1, f - 1), 1.0)
    if value == "count":
        grid, label = count, "customers"
    else:
        v = values(frame, value)
        known = ~np.isnan(v)
        total, counted = np.zeros((size, size)), np.zeros((size, size))
        np.add.at(total, (r[known] - 1, f[known] - 1), v[known])
        np.add.at(counted, (r[known] - 1, f[known] - 1), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            grid = np.where(counted > 0, total / counted, np.nan)
        label = f"mean {value}"
    ax = new_axes(ax, (6.0, 5.0) if size <= 6 else (8.0, 6.5))
    image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
    if size <= 10:  # past 10 scores the cells are too small for numbers: the colour bar reads them
        for i in range(size):
            for j in range(size):
                if not np.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:,.0f}", ha="center", va="center", color="white",
                            fontsize=8 if size <= 6 else 6)
    ax.set_xticks(range(size), [str(k + 1) for k in range(size)])
    ax.set_yticks(range(size), [str(k + 1) for k in range(size)])
    ax.set_xlabel("frequency score")
    ax.set_ylabel("recency score")
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_title(title if title is not None else f"RFM grid: {label}")
    return ax


@chart
def segment_bars(
    data: Any, *, segment: str | None = None, ax: Any = None, title: str | None = None
) -> Axes:
    """Share of customers and of revenue per segment, side by side.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.segment_profile`'s result: ``share`` and ``revenue_share`` (in
        [0, 1]) and the segment column.
    segment : str, optional
        The column naming the segments (default: the first column).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; shares outside
    [0, 1], text or infinite shares raise naming the column; a missing share draws no bar; a
    missing segment name is labelled "(missing)". The figure grows with the number of segments;
    names past 30 characters are shortened with "…".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> profile = pd.DataFrame({"segment": ["忠诚客户", "流失客户"], "share": [0.3, 0.7],
    ...                         "revenue_share": [0.6, 0.4]})
    >>> ax = cx.plot.segment_bars(profile)
    >>> len(ax.patches)
    4
    >>> plt.close(ax.figure)
    """
    frame = result_frame(data, ["share", "revenue_share"], "segment_bars")
    segment = frame.columns[0] if segment is None else column_argument(frame, segment, "segment")
    names = [_short(name, 30) for name in labels(frame, segment, MISSING_KEY)]
    share = values(frame, "share", low=0, high=1)
    revenue = values(frame, "revenue_share", low=0, high=1)
    y = np.arange(len(names))[::-1]
    size, font = rows_figure(7.0, len(names), 0.45)
    ax = new_axes(ax, size)
    ax.barh(y + 0.2, share * 100, 0.4, label="customers", color=COLORS["accent"])
    ax.barh(y - 0.2, revenue * 100, 0.4, label="revenue", color=COLORS["positive"])
    ax.set_yticks(y, names, fontsize=font)
    ax.set_xlabel("% of total")
    legend(ax)
    ax.set_title(title if title is not None else "Segments: share of customers and of revenue")
    return ax


@chart
def clv_distribution(
    data: Any, *, value: str = "clv", bins: int = 40, ax: Any = None, title: str | None = None
) -> Axes:
    """Histogram of customer lifetime values (log scale), with the median and top 10% marked.

    The axis runs from the 0.5th percentile (at most five decades below the largest value) to
    the largest value; smaller values go in the first bin. The median and top-10 % lines are
    named in the legend (so their labels never collide).

    Parameters
    ----------
    data : DataFrame
        A frame with the ``value`` column, one row per customer (for example the summary with
        :func:`cxmetrics.customer_lifetime_value` added).
    value : str, default "clv"
        The column of values.
    bins : int, default 40
        Number of bins (a whole number from 1).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: the share of the value the top 10 % hold).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; a text or
    infinite ``value`` column raises naming it; missing, zero and negative values are left out (a
    log axis cannot show them), and when none is left the chart says so; one customer, or
    customers with one value, draw one bar on an axis ±50 % around it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> ax = cx.plot.clv_distribution(pd.DataFrame({"clv": [12.0, 30.0, 55.0, 80.0, 400.0]}), bins=5)
    >>> ax.get_xscale()
    'log'
    >>> plt.close(ax.figure)
    """
    bins = check_positive_int(bins, "bins")
    frame = result_frame(data, [], "clv_distribution")
    value = column_argument(frame, value, "value")
    v = values(frame, value)
    v = v[np.isfinite(v) & (v > 0)]
    ax = new_axes(ax)
    if not len(v):
        return message(ax, f"no customer with a positive {value}")
    # the axis starts at the 0.5th percentile (at most five decades below the largest value), not
    # at the smallest value (a model gives customers it expects nothing from values near 1e-12);
    # smaller values go in the first bin
    high = float(v.max())
    low = max(float(np.quantile(v, 0.005)), high * 1e-5)
    if high <= low * 1.01:
        low, high = low / 1.5, high * 1.5
    edges = np.geomspace(low, high, bins + 1)
    ax.hist(np.clip(v, low, high), bins=edges, color=COLORS["accent"])
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    styles = (("median", 0.5, "--"), ("top 10% from", 0.9, ":"))
    for name, q, style in styles:
        level = float(np.quantile(v, q))
        ax.axvline(
            level, color=COLORS["negative"], linestyle=style, linewidth=1.2, label=f"{name} {level:,.0f}"
        )
    legend(ax, fontsize=8, loc="upper left", frameon=False)
    ax.set_xlabel(f"{value} (log scale)")
    ax.set_ylabel("customers")
    top = np.sort(v)[::-1]
    share = top[: max(1, len(v) // 10)].sum() / v.sum()
    ax.set_title(title if title is not None else f"CLV distribution (top 10% hold {share:.0%} of the value)")
    return ax


@chart
def probability_alive_matrix(
    data: Any, *, value: str = "probability_alive", ax: Any = None, title: str | None = None
) -> Axes:
    """Heat map of P(alive) (or the expected purchases) over frequency × recency.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.frequency_recency_matrix`'s result (``frequency, recency`` and the
        ``value`` column, one row per cell).
    value : {"probability_alive", "expected_purchases"}, default "probability_alive"
        The column to colour by.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes
        The grid's Axes (the figure also holds its colour bar).

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; text, missing
    or infinite frequencies and recencies, probabilities outside [0, 1] and negative expected
    purchases raise naming the column; cells the frame does not hold stay blank; a grid of one
    recency or one frequency draws one column or row of cells.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> bg = cx.BetaGeo.from_parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> grid = cx.frequency_recency_matrix(model=bg, t=39, T=39, max_frequency=5, recency_step=13)
    >>> ax = cx.plot.probability_alive_matrix(grid)
    >>> ax.images[0].get_array().shape
    (6, 4)
    >>> plt.close(ax.figure)
    """
    value = _checks.option(value, ("probability_alive", "expected_purchases"), "value")
    frame = result_frame(data, ["frequency", "recency", value], "probability_alive_matrix")
    f = values(frame, "frequency", low=0, missing=False)
    r = values(frame, "recency", low=0, missing=False)
    z = values(frame, value, low=0, high=1 if value == "probability_alive" else None)
    freqs, recs = np.unique(f), np.unique(r)
    matrix = np.full((len(freqs), len(recs)), np.nan)
    matrix[np.searchsorted(freqs, f), np.searchsorted(recs, r)] = z
    step = float(np.diff(recs).min()) if len(recs) > 1 else 1.0
    left, right = (recs[0], recs[-1]) if len(recs) > 1 else (recs[0] - step / 2, recs[0] + step / 2)
    ax = new_axes(ax, (7.0, 5.0))
    image = ax.imshow(
        matrix,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=(left, right, freqs[0] - 0.5, freqs[-1] + 0.5),
    )
    ax.figure.colorbar(image, ax=ax, label=value.replace("_", " "))
    ax.set_xlabel("recency (time of last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title if title is not None else f"{value.replace('_', ' ')} by frequency and recency")
    return ax


@chart
def calibration_holdout(data: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Mean holdout purchases per calibration-frequency bucket: actual against predicted.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.calibration_report`'s result (``frequency`` buckets, ``actual_mean,
        predicted_mean, actual, predicted``); its ``total`` row is shown in the title.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title (default: the predicted and actual totals).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame, or one with only the ``total`` row, raises
    :class:`~cxmetrics.errors.ValueRangeError`; negative, text or infinite means raise naming the
    column; a missing mean draws no bar.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> report = pd.DataFrame({"frequency": ["0", "1", "2+", "total"], "actual": [20.0, 30.0, 60.0, 110.0],
    ...                        "predicted": [22.0, 28.0, 55.0, 105.0], "actual_mean": [0.2, 0.6, 1.5, 0.6],
    ...                        "predicted_mean": [0.22, 0.56, 1.4, 0.57]})
    >>> ax = cx.plot.calibration_holdout(report)
    >>> len(ax.patches)
    6
    >>> plt.close(ax.figure)
    """
    frame = result_frame(
        data, ["frequency", "actual_mean", "predicted_mean", "actual", "predicted"], "calibration_holdout"
    )
    buckets = labels(frame, "frequency")
    rows = [i for i, b in enumerate(buckets) if b != "total"]
    if not rows:
        raise ValueRangeError("calibration_holdout input has only the 'total' row: no bucket to draw")
    actual = values(frame, "actual_mean", low=0)[rows]
    predicted = values(frame, "predicted_mean", low=0)[rows]
    totals = values(frame, "actual", low=0), values(frame, "predicted", low=0)
    ax = new_axes(ax)
    x = np.arange(len(rows))
    ax.bar(x - 0.2, actual, 0.4, label="actual", color=COLORS["accent"])
    ax.bar(x + 0.2, predicted, 0.4, label="predicted", color=COLORS["neutral"])
    ax.set_xticks(x, [buckets[i] for i in rows])
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("mean purchases in holdout")
    legend(ax)
    if "total" in buckets:
        t = buckets.index("total")
        default = (
            f"Calibration vs holdout: predicted {totals[1][t]:,.0f}, actual {totals[0][t]:,.0f}"
        )
    else:
        default = "Calibration vs holdout"
    ax.set_title(title if title is not None else default)
    return ax


@chart
def driver_quadrant(data: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Importance against performance per driver, split into the four action quadrants.

    Parameters
    ----------
    data : DataFrame
        :func:`cxmetrics.importance_performance`'s result for one group (``driver,
        importance, performance, importance_split, performance_split, quadrant``).
    ax : matplotlib Axes, optional
        Where to draw (a new figure, not registered with pyplot, when absent).
    title : str, optional
        The title.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Edge inputs: an empty frame raises :class:`~cxmetrics.errors.ValueRangeError`; text or
    infinite numbers raise naming the column; splits that differ between rows (a result of several
    groups) raise, asking for one group; a driver with a missing importance or performance is not
    drawn. Driver names past 16 characters are shortened with "…"; past 15 drivers only the 15
    most important are named.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> result = pd.DataFrame({"driver": ["配送", "客服"], "importance": [70.0, 30.0],
    ...                        "performance": [2.1, 4.0],
    ...                        "importance_split": [50.0, 50.0], "performance_split": [3.05, 3.05],
    ...                        "quadrant": ["重点改进", "过度投入"]})
    >>> ax = cx.plot.driver_quadrant(result)
    >>> sorted(t.get_text() for t in ax.texts)
    ['客服', '配送']
    >>> plt.close(ax.figure)
    """
    frame = result_frame(
        data,
        ["driver", "importance", "performance", "importance_split", "performance_split", "quadrant"],
        "driver_quadrant",
    )
    imp, perf = values(frame, "importance"), values(frame, "performance")
    splits = {}
    for column in ("importance_split", "performance_split"):
        split = values(frame, column, missing=False)
        if len(np.unique(split)) > 1:
            raise ValueRangeError(
                f"driver_quadrant draws one group, but {column!r} differs between rows: "
                f"{sorted(set(split.tolist()))[:3]}; filter the result to one group first"
            )
        splits[column] = float(split[0])
    quadrant = labels(frame, "quadrant")
    palette = [COLORS["negative"], COLORS["positive"], COLORS["muted"], COLORS["neutral"]]
    colors = {q: palette[i % len(palette)] for i, q in enumerate(dict.fromkeys(quadrant))}
    ax = new_axes(ax, (6.5, 5.0))
    for q in colors:
        rows = [i for i, name in enumerate(quadrant) if name == q]
        ax.scatter(perf[rows], imp[rows], s=80, color=colors[q], label=q)
    drivers = labels(frame, "driver")
    for i in labelled(imp, MAX_LABELS):  # the most important drivers
        if np.isfinite(perf[i]) and np.isfinite(imp[i]):
            ax.annotate(_short(drivers[i], 16), (perf[i], imp[i]), textcoords="offset points",
                        xytext=(6, 4), fontsize=9)
    ax.margins(x=0.12)
    ax.axhline(splits["importance_split"], color="black", linewidth=0.8, linestyle="--")
    ax.axvline(splits["performance_split"], color="black", linewidth=0.8, linestyle="--")
    ax.set_xlabel("performance")
    ax.set_ylabel("importance (% of explained variance)")
    legend(ax, fontsize=8)
    ax.set_title(title if title is not None else "Importance–performance quadrants")
    return ax
