"""Charts of journeys, RFM segments, CLV and key drivers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cxmetrics.errors import ValueRangeError, check_choice
from cxmetrics.plot._data import check_positive_int, labels, other_columns, result_frame, values
from cxmetrics.plot._style import COLORS, chart, hide_spines, message, new_axes, new_figure

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
def funnel(result: Any, *, max_groups: int = 24, ax: Any = None, title: str | None = None) -> Axes:
    """Customers at each step as bars, annotated with the step conversion and the drop-off.

    ``result`` is :func:`cxmetrics.funnel`'s frame (``step, entered, conversion_rate,
    drop_off``). Computed with ``by=``, it draws one small funnel per group (the
    ``max_groups`` largest, the rest named in the title), on a new figure. An empty result
    draws a message.

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
    check_positive_int(max_groups, "max_groups")
    frame = result_frame(result, ["step", "entered", "conversion_rate", "drop_off"], "funnel")
    groups = other_columns(frame, FUNNEL_COLUMNS)
    steps = labels(frame, "step")
    if not len(steps):
        return message(new_axes(ax), "no customers entered the funnel")
    if groups:
        return _funnel_groups(frame, groups, max_groups, ax, title)
    if len(set(steps)) != len(steps):
        raise ValueRangeError(
            "funnel chart takes one funnel per group; pass the group columns with the result"
        )
    ax = new_axes(ax, (7.0, min(0.5 * len(steps) + 1.5, 12.0)))
    _funnel_bars(
        ax, steps, values(frame, "entered"), values(frame, "conversion_rate"), values(frame, "drop_off")
    )
    ax.set_xlabel("customers")
    ax.set_title(title if title is not None else "Funnel (red: customers lost before the next step)")
    return ax


def _funnel_bars(
    ax: Any, steps: list[str], entered: np.ndarray, rate: np.ndarray, drop: np.ndarray, small: bool = False
) -> None:
    y = np.arange(len(steps))[::-1]
    ax.barh(y, entered, color=COLORS["accent"])
    ax.set_yticks(y, [_short(s, 14 if small else 24) for s in steps])
    top = entered.max() if len(entered) and entered.max() > 0 else 1.0
    size = 7 if small else 9
    for i in range(len(steps)):
        if small:
            text = f"{entered[i]:,.0f}" + ("" if np.isnan(rate[i]) else f" ({rate[i]:.0%})")
        else:
            text = f"{entered[i]:,.0f}" + ("" if np.isnan(rate[i]) else f"  ({rate[i]:.0%} of previous)")
        ax.text(entered[i] + 0.01 * top, y[i], text, va="center", fontsize=size)
        if not small and not np.isnan(drop[i]) and i + 1 < len(steps) and drop[i] > 0:
            ax.text(
                0.02 * top, y[i] - 0.5, f"−{drop[i]:,.0f}", color=COLORS["negative"], fontsize=8, va="center"
            )
    ax.set_xlim(0, top * (1.6 if small else 1.45))
    ax.set_ylim(-0.6, len(steps) - 0.4)
    ax.tick_params(labelsize=size)


def _funnel_groups(frame: Any, groups: list[str], max_groups: int, ax: Any, title: str | None) -> Any:
    keys = [" / ".join(str(v) for v in row) for row in frame.select(groups).rows()]
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


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


@chart
def journey_flow(
    result: Any,
    *,
    order: Sequence[Any] | None = None,
    min_share: float = 0.02,
    max_stages: int = 10,
    ax: Any = None,
    title: str | None = None,
) -> Axes:
    """Transitions as a flow network: stages left to right, arrows as wide as their moves.

    ``result`` is :func:`cxmetrics.transitions`'s frame (``from_stage, to_stage, moves``;
    with ``exits=True`` the start and exit appear at the ends). ``order`` fixes the left to
    right order of the stages (default: by how early they are reached); moves below
    ``min_share`` of all moves are left out for legibility, and past ``max_stages`` stages the
    least visited are merged into "(other)" (:func:`group_stages`). No moves draws a message.

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

    check_positive_int(max_stages, "max_stages")
    frame = result_frame(result, ["from_stage", "to_stage", "moves"], "journey_flow")
    origin, target = labels(frame, "from_stage"), labels(frame, "to_stage")
    moves = values(frame, "moves")
    if not len(moves) or not np.nansum(moves) > 0:
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
        and origin[i] in position
        and target[i] in position
        and origin[i] != target[i]
    ]
    ax = new_axes(ax, (min(max(7.0, 1.05 * len(stages)), 13.0), 4.2))
    widest = max((moves[i] for i in keep), default=1.0)
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
    result: Any, *, top: int = 10, alpha: float = 0.05, ax: Any = None, title: str | None = None
) -> Axes:
    """Gap scores (excess exits at switches) with intervals, largest first; significant ones red.

    ``result`` is :func:`cxmetrics.gaps`'s frame. The interval is the difference's interval
    times the switched handoffs; rows flagged ``small_sample`` are left out.

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
    >>> log["device"] = ["app", "web", "web", "app", "app", "web"]  # one switch: too few to test
    >>> ax = cx.plot.gap_chart(cx.gaps(log, switch="device", **call))
    >>> ax.texts[0].get_text()
    'no handoff had enough customers with and without a switch to test'
    >>> plt.close(ax.figure)
    """
    frame = result_frame(
        result,
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
    )
    keep = ~np.asarray(frame["small_sample"].to_list(), dtype=bool)
    score = values(frame, "gap_score")[keep]
    switched = values(frame, "switched")[keep]
    low, high = values(frame, "ci_low")[keep] * switched, values(frame, "ci_high")[keep] * switched
    q = values(frame, "p_adjusted")[keep]
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
    check_positive_int(top, "top")
    order = np.argsort(-score)[:top][::-1]
    if not len(order):
        return message(
            new_axes(ax),
            "no handoff had enough customers with and without a switch to test"
            if len(frame)
            else "no handoff with a switch to test",
        )
    ax = new_axes(ax, (7.0, 0.45 * len(order) + 1.5))
    colors = [COLORS["negative"] if q[i] < alpha else COLORS["muted"] for i in order]
    ax.barh(range(len(order)), score[order], color=colors)
    ax.errorbar(
        score[order],
        range(len(order)),
        xerr=[score[order] - low[order], high[order] - score[order]],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    ax.set_yticks(range(len(order)), [names[i] for i in order])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("excess exits at switched handoffs")
    ax.set_title(title if title is not None else f"Gaps at switches (red: q < {alpha:g})")
    return ax


@chart
def rfm_heatmap(scored: Any, *, value: str = "monetary", ax: Any = None, title: str | None = None) -> Axes:
    """The recency × frequency score grid, coloured by mean ``value`` (or ``value="count"``).

    ``scored`` is :func:`cxmetrics.rfm_score`'s frame (``r_score, f_score`` and the value
    column).

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
    needed = ["r_score", "f_score"] + ([] if value == "count" else [value])
    frame = result_frame(scored, needed, "rfm_heatmap")
    r, f = values(frame, "r_score").astype(int), values(frame, "f_score").astype(int)
    size = int(max(r.max(), f.max())) if len(r) else 1
    count = np.zeros((size, size))
    np.add.at(count, (r - 1, f - 1), 1.0)
    if value == "count":
        grid, label = count, "customers"
    else:
        total = np.zeros((size, size))
        np.add.at(total, (r - 1, f - 1), values(frame, value))
        with np.errstate(invalid="ignore", divide="ignore"):
            grid = np.where(count > 0, total / count, np.nan)
        label = f"mean {value}"
    ax = new_axes(ax, (6.0, 5.0))
    image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
    for i in range(size):
        for j in range(size):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:,.0f}", ha="center", va="center", color="white", fontsize=8)
    ax.set_xticks(range(size), [str(k + 1) for k in range(size)])
    ax.set_yticks(range(size), [str(k + 1) for k in range(size)])
    ax.set_xlabel("frequency score")
    ax.set_ylabel("recency score")
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_title(title if title is not None else f"RFM grid: {label}")
    return ax


@chart
def segment_bars(
    profile: Any, *, segment: str | None = None, ax: Any = None, title: str | None = None
) -> Axes:
    """Share of customers and of revenue per segment, side by side.

    ``profile`` is :func:`cxmetrics.segment_profile`'s frame (``customers, share,
    revenue_share`` and the segment column, default its first column).

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
    frame = result_frame(profile, ["share", "revenue_share"], "segment_bars")
    segment = segment or frame.columns[0]
    names = labels(frame, segment)
    share, revenue = values(frame, "share"), values(frame, "revenue_share")
    y = np.arange(len(names))[::-1]
    ax = new_axes(ax, (7.0, 0.45 * len(names) + 1.5))
    ax.barh(y + 0.2, share * 100, 0.4, label="customers", color=COLORS["accent"])
    ax.barh(y - 0.2, revenue * 100, 0.4, label="revenue", color=COLORS["positive"])
    ax.set_yticks(y, names)
    ax.set_xlabel("% of total")
    ax.legend()
    ax.set_title(title if title is not None else "Segments: share of customers and of revenue")
    return ax


@chart
def clv_distribution(
    data: Any, *, value: str = "clv", bins: int = 40, ax: Any = None, title: str | None = None
) -> Axes:
    """Histogram of customer lifetime values (log scale), with the median and top 10% marked.

    ``data`` is a frame with the ``value`` column (for example the summary with
    :func:`cxmetrics.customer_lifetime_value` added). The axis runs from the 0.5th percentile
    (at most five decades below the largest value) to the largest value; the median and top-10 %
    lines are named in the legend (so their labels
    never collide). No positive value draws a message.

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
    check_positive_int(bins, "bins")
    frame = result_frame(data, [value], "clv_distribution")
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
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_xlabel(f"{value} (log scale)")
    ax.set_ylabel("customers")
    top = np.sort(v)[::-1]
    share = top[: max(1, len(v) // 10)].sum() / v.sum()
    ax.set_title(title if title is not None else f"CLV distribution (top 10% hold {share:.0%} of the value)")
    return ax


@chart
def probability_alive_matrix(
    grid: Any, *, value: str = "probability_alive", ax: Any = None, title: str | None = None
) -> Axes:
    """Heat map of P(alive) (or ``value="expected_purchases"``) over frequency × recency.

    ``grid`` is :func:`cxmetrics.frequency_recency_matrix`'s frame.

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
    check_choice(value, ("probability_alive", "expected_purchases"), "value")
    frame = result_frame(grid, ["frequency", "recency", value], "probability_alive_matrix")
    f, r, z = values(frame, "frequency"), values(frame, "recency"), values(frame, value)
    freqs, recs = np.unique(f), np.unique(r)
    matrix = np.full((len(freqs), len(recs)), np.nan)
    matrix[np.searchsorted(freqs, f), np.searchsorted(recs, r)] = z
    ax = new_axes(ax, (7.0, 5.0))
    image = ax.imshow(
        matrix,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=(recs[0], recs[-1], freqs[0] - 0.5, freqs[-1] + 0.5),
    )
    ax.figure.colorbar(image, ax=ax, label=value.replace("_", " "))
    ax.set_xlabel("recency (time of last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title if title is not None else f"{value.replace('_', ' ')} by frequency and recency")
    return ax


@chart
def calibration_holdout(report: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Mean holdout purchases per calibration-frequency bucket: actual against predicted.

    ``report`` is :func:`cxmetrics.calibration_report`'s frame (the ``total`` row is shown
    in the title).

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
        report, ["frequency", "actual_mean", "predicted_mean", "actual", "predicted"], "calibration_holdout"
    )
    buckets = labels(frame, "frequency")
    rows = [i for i, b in enumerate(buckets) if b != "total"]
    actual, predicted = values(frame, "actual_mean")[rows], values(frame, "predicted_mean")[rows]
    ax = new_axes(ax)
    x = np.arange(len(rows))
    ax.bar(x - 0.2, actual, 0.4, label="actual", color=COLORS["accent"])
    ax.bar(x + 0.2, predicted, 0.4, label="predicted", color=COLORS["neutral"])
    ax.set_xticks(x, [buckets[i] for i in rows])
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("mean purchases in holdout")
    ax.legend()
    if "total" in buckets:
        t = buckets.index("total")
        default = (
            f"Calibration vs holdout: predicted {values(frame, 'predicted')[t]:,.0f}, "
            f"actual {values(frame, 'actual')[t]:,.0f}"
        )
    else:
        default = "Calibration vs holdout"
    ax.set_title(title if title is not None else default)
    return ax


@chart
def driver_quadrant(result: Any, *, ax: Any = None, title: str | None = None) -> Axes:
    """Importance against performance per driver, split into the four action quadrants.

    ``result`` is :func:`cxmetrics.importance_performance`'s frame (one group).

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
        result,
        ["driver", "importance", "performance", "importance_split", "performance_split", "quadrant"],
        "driver_quadrant",
    )
    imp, perf = values(frame, "importance"), values(frame, "performance")
    quadrant = labels(frame, "quadrant")
    palette = [COLORS["negative"], COLORS["positive"], COLORS["muted"], COLORS["neutral"]]
    colors = {q: palette[i % len(palette)] for i, q in enumerate(dict.fromkeys(quadrant))}
    ax = new_axes(ax, (6.5, 5.0))
    for q in colors:
        rows = [i for i, name in enumerate(quadrant) if name == q]
        ax.scatter(perf[rows], imp[rows], s=80, color=colors[q], label=q)
    for name, x, y in zip(labels(frame, "driver"), perf, imp, strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.axhline(values(frame, "importance_split")[0], color="black", linewidth=0.8, linestyle="--")
    ax.axvline(values(frame, "performance_split")[0], color="black", linewidth=0.8, linestyle="--")
    ax.set_xlabel("performance")
    ax.set_ylabel("importance (% of explained variance)")
    ax.legend(fontsize=8)
    ax.set_title(title if title is not None else "Importance–performance quadrants")
    return ax
