"""Named segments from R-F-M scores through plain-data rule tables (first match wins)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import numbers
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.errors import CXMetricsError, ValueRangeError, check_choice, format_examples
from cxmetrics.segment._score import METRICS, check_bins

SCORE_COLUMNS = [score for _, score, _ in METRICS]

BOUNDS = ("r_min", "r_max", "f_min", "f_max", "m_min", "m_max")
LABEL_LANGUAGES = ("en", "zh")

# The R x F map widely used for 5-score RFM (recency rows, frequency columns; monetary value
# does not change the segment), with the two lowest R-F corners split into Hibernating and
# Lost. Every one of the 125 cells falls in exactly one rule; `validate_rules` proves it.
_DEFAULT_RULES = (
    ("Champions", (5, 5), (4, 5)),
    ("Loyal", (3, 4), (4, 5)),
    ("Potential Loyalist", (4, 5), (2, 3)),
    ("New Customers", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need Attention", (3, 3), (3, 3)),
    ("About To Sleep", (3, 3), (1, 2)),
    ("Can't Lose Them", (1, 2), (5, 5)),
    ("At Risk", (1, 2), (3, 4)),
    ("Hibernating", (2, 2), (1, 2)),
    ("Lost", (1, 1), (1, 2)),
)

#: Chinese names in the style of Chinese CRM practice (重要价值客户 ...): value / keep /
#: win-back language for the recent-and-frequent, lapsing-but-valuable and lapsed groups.
ZH_LABELS = {
    "Champions": "重要价值客户",
    "Loyal": "忠诚客户",
    "Potential Loyalist": "潜在忠诚客户",
    "New Customers": "新客户",
    "Promising": "有潜力客户",
    "Need Attention": "需要关注客户",
    "About To Sleep": "即将沉睡客户",
    "Can't Lose Them": "重要挽留客户",
    "At Risk": "重要保持客户",
    "Hibernating": "沉睡客户",
    "Lost": "流失客户",
    "Other": "其他",
}


def default_rules(*, labels: str = "en") -> list[dict[str, Any]]:
    """The default rule table for 5 scores, as a list of dicts (plain data to copy and edit).

    Each rule has ``segment`` and inclusive score ranges ``r_min, r_max, f_min, f_max,
    m_min, m_max``. The segments follow the R x F map common in RFM practice (Champions:
    R 5 and F 4-5; Loyal: R 3-4 and F 4-5; Potential Loyalist: R 4-5 and F 2-3; New
    Customers: R 5, F 1; Promising: R 4, F 1; Need Attention: R 3, F 3; About To Sleep: R 3,
    F 1-2; Can't Lose Them: R 1-2, F 5; At Risk: R 1-2, F 3-4; Hibernating: R 2, F 1-2;
    Lost: R 1, F 1-2), any M.

    Parameters
    ----------
    labels : {"en", "zh"}
        Language of the segment names.

    Returns
    -------
    list of dict
        A fresh copy on every call (editing it changes nothing else).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.default_rules()[0]
    {'segment': 'Champions', 'r_min': 5, 'r_max': 5, 'f_min': 4, 'f_max': 5, 'm_min': 1, 'm_max': 5}
    >>> cx.default_rules(labels="zh")[0]["segment"]
    '重要价值客户'
    """
    check_choice(labels, LABEL_LANGUAGES, "labels")
    return [
        {
            "segment": ZH_LABELS[name] if labels == "zh" else name,
            "r_min": r[0], "r_max": r[1], "f_min": f[0], "f_max": f[1], "m_min": 1, "m_max": 5,
        }
        for name, r, f in _DEFAULT_RULES
    ]


@dataclasses.dataclass(frozen=True)
class RuleReport:
    """What :func:`validate_rules` found.

    Attributes
    ----------
    uncovered : list of str
        Cells (such as ``"153"``) no rule matches.
    overlapping : dict of str to list of str
        Cells matched by more than one rule, with the matching segments in rule order (the
        first one wins).
    unreachable : list of str
        Segments that no cell reaches because earlier rules take all their cells.
    """

    uncovered: list[str]
    overlapping: dict[str, list[str]]
    unreachable: list[str]

    @property
    def ok(self) -> bool:
        """True when every cell is covered exactly once and every segment is reachable."""
        return not (self.uncovered or self.overlapping or self.unreachable)


def validate_rules(rules: Any = "default", *, bins: int = 5) -> RuleReport:
    """Check a rule table against every one of the ``bins ** 3`` R-F-M cells.

    Parameters
    ----------
    rules : "default", DataFrame or list of dict
        Rules with ``segment`` and inclusive ranges ``r_min .. m_max`` (a missing bound means
        the full range 1..bins).
    bins : int
        Number of scores per metric.

    Returns
    -------
    RuleReport
        ``uncovered`` cells, ``overlapping`` cells and ``unreachable`` segments, and ``ok``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.validate_rules().ok
    True
    >>> report = cx.validate_rules([{"segment": "Top", "r_min": 4, "f_min": 4},
    ...                             {"segment": "Best", "r_min": 5, "f_min": 5},
    ...                             {"segment": "Rest", "r_max": 3}], bins=5)
    >>> len(report.uncovered), report.unreachable
    (30, ['Best'])
    """
    bins = check_bins(bins)
    table = parse_rules(rules, bins)
    matches = _match_matrix(table, bins)
    names = [rule["segment"] for rule in table]
    cells = ["".join(map(str, cell)) for cell in _cells(bins)]
    n_matching = matches.sum(axis=1)
    first = np.where(n_matching > 0, matches.argmax(axis=1), -1)
    reached = {names[i] for i in first[first >= 0]}
    return RuleReport(
        uncovered=[cells[i] for i in np.flatnonzero(n_matching == 0)],
        overlapping={
            cells[i]: [names[j] for j in np.flatnonzero(matches[i])]
            for i in np.flatnonzero(n_matching > 1)
        },
        unreachable=list(dict.fromkeys(name for name in names if name not in reached)),
    )


@same_frame
def rfm_segment(
    data: Any,
    *,
    rules: Any = "default",
    other: str = "Other",
    labels: str = "en",
    bins: int = 5,
) -> Any:
    """Name each customer's segment from its R, F and M scores.

    Parameters
    ----------
    data : DataFrame
        A frame with integer ``r_score``, ``f_score`` and ``m_score`` in 1..bins, such as
        the result of :func:`rfm_score`.
    rules : "default", DataFrame or list of dict
        The rule table: ``segment`` plus inclusive ranges ``r_min, r_max, f_min, f_max,
        m_min, m_max`` (a missing bound means the full range); the first matching rule wins.
        ``"default"`` is :func:`default_rules` (5 scores, 11 segments, all 125 cells).
    other : str
        Segment of customers no rule matches (never used by the default table).
    labels : {"en", "zh"}
        Language of the default segment names (and of ``other`` when left at its default);
        see :data:`ZH_LABELS`. Custom rules keep their own names.
    bins : int
        Number of scores the table was built with.

    Returns
    -------
    DataFrame
        ``scores`` (same library, rows and order) with a text column ``segment``.

    Notes
    -----
    Edge inputs: no customers give no rows with the segment column; scores outside 1..bins,
    fractional or missing raise naming the column, infinite ones saying so; text and bool
    score columns raise :class:`~cxmetrics.errors.ColumnTypeError` (text is never read as a
    number); nullable and pyarrow-backed columns are read as their values; ``other`` must be
    a str, and a rule's bounds whole numbers (not bools or text); a frame that already has a
    ``segment`` column raises :class:`~cxmetrics.errors.ColumnClashError` (drop it to segment
    again). A lazy input gives a lazy result.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> scores = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 5, 1], "m_score": [4, 2, 1]})
    >>> cx.rfm_segment(scores)["segment"].tolist()
    ['Champions', "Can't Lose Them", 'About To Sleep']
    >>> cx.rfm_segment(scores, labels="zh")["segment"].tolist()
    ['重要价值客户', '重要挽留客户', '即将沉睡客户']
    """
    bins = check_bins(bins)
    check_choice(labels, LABEL_LANGUAGES, "labels")
    if isinstance(rules, str) and rules == "default":
        if bins != 5:
            raise ValueRangeError(f"the default rules are for bins=5, got bins={bins}; pass your own rules")
        table = default_rules(labels=labels)
        if labels == "zh" and other == "Other":
            other = ZH_LABELS["Other"]
    else:
        if labels != "en":
            raise CXMetricsError("labels only translates the default rules; name custom segments yourself")
        table = parse_rules(rules, bins)
    if not isinstance(other, str):
        raise ValueRangeError(f"other must be a segment name (a str), got {other!r}")
    frame = _frame.from_native(data)
    _frame.require_columns(frame, {"score": SCORE_COLUMNS})
    _checks.no_clash(frame.collect_schema().names(), ["segment"], function="rfm_segment")
    _check_scores(frame, SCORE_COLUMNS, bins)
    return _frame.per_row_result(frame.with_columns(_segment_expression(table, other).alias("segment")))


def parse_rules(rules: Any, bins: int) -> list[dict[str, Any]]:
    """Rules as a list of dicts with all six bounds filled in and checked."""
    if isinstance(rules, str):
        if rules != "default":
            raise ValueRangeError(f"rules must be 'default', a DataFrame or a list of dicts, got {rules!r}")
        return default_rules()
    if isinstance(rules, Sequence):
        rows = [dict(rule) for rule in rules]
    else:
        frame = _frame.collect(_frame.from_native(rules, name="rules"))
        rows = list(frame.iter_rows(named=True))
    if not rows:
        raise ValueRangeError("rules is empty; give at least one rule")
    parsed = []
    for position, row in enumerate(rows):
        if not isinstance(row, Mapping) or "segment" not in row:
            raise ValueRangeError(f"rule {position} has no 'segment': {row!r}")
        unknown = set(row) - {"segment", *BOUNDS}
        if unknown:
            raise ValueRangeError(
                f"rule {position} has unknown keys {sorted(unknown)}; allowed: {list(BOUNDS)}"
            )
        if not isinstance(row["segment"], str) or not row["segment"]:
            raise ValueRangeError(f"rule {position}: segment must be a non-empty name (a str), got "
                                  f"{row['segment']!r}")
        rule: dict[str, Any] = {"segment": row["segment"]}
        for bound in BOUNDS:
            value = row.get(bound)
            rule[bound] = (1 if bound.endswith("min") else bins) if value is None or value != value else value
            if isinstance(rule[bound], (bool, np.bool_)) or not isinstance(rule[bound], numbers.Real) \
                    or not float(rule[bound]).is_integer() or not 1 <= rule[bound] <= bins:
                raise ValueRangeError(
                    f"rule {position} ({rule['segment']!r}): {bound}={value!r} must be a score "
                    f"from 1 to {bins}"
                )
            rule[bound] = int(rule[bound])
        for letter in "rfm":
            if rule[f"{letter}_min"] > rule[f"{letter}_max"]:
                raise ValueRangeError(
                    f"rule {position} ({rule['segment']!r}): {letter}_min > {letter}_max matches nothing"
                )
        parsed.append(rule)
    return parsed


def _segment_expression(table: list[dict[str, Any]], other: str) -> nw.Expr:
    """The first rule whose bounds hold, as one engine expression (a nested CASE WHEN)."""
    segment: nw.Expr = nw.lit(other, dtype=nw.String)
    for rule in reversed(table):
        inside = functools.reduce(operator.and_, [
            nw.col(score).is_between(rule[f"{letter}_min"], rule[f"{letter}_max"])
            for letter, score in zip("rfm", SCORE_COLUMNS, strict=True)])
        segment = nw.when(inside).then(nw.lit(rule["segment"], dtype=nw.String)).otherwise(segment)
    return segment


def _check_scores(frame: _frame.Frame, columns: Sequence[str], bins: int) -> None:
    """Every score a whole number 1..bins, checked in one pass in the engine (text and bool
    columns are refused first: strings are never read as numbers)."""
    for column in columns:
        _frame.require_numeric(frame, column, "score")
        _checks.finite_column(frame, column, "score")
    def bad(column: str) -> nw.Expr:
        value = nw.col(column).cast(nw.Float64)
        return value.is_null() | value.is_nan() | ~value.is_between(1, bins) | (value != value.round(0))

    found = _frame.collect(frame.select(*(_frame.count_true(bad(c)).alias(c) for c in columns))).row(0)
    for column, n_bad in zip(columns, found, strict=True):
        if n_bad:
            examples = _frame.collect(frame.filter(bad(column)).select(column).head(5))[column].to_list()
            raise ValueRangeError(
                f"score column {column!r} must hold whole scores 1..{bins}; {int(n_bad)} rows do "
                f"not, for example {format_examples(sorted(examples, key=str))}"
            )


def _cells(bins: int) -> list[tuple[int, ...]]:
    return list(itertools.product(range(1, bins + 1), repeat=3))


def _match_matrix(table: list[dict[str, Any]], bins: int) -> np.ndarray:
    """Boolean (cells x rules): does rule j match cell i (cells in R, F, M order)."""
    cells = np.array(_cells(bins))
    matrix = np.ones((len(cells), len(table)), dtype=bool)
    for j, rule in enumerate(table):
        for axis, letter in enumerate("rfm"):
            inside = (cells[:, axis] >= rule[f"{letter}_min"]) & (cells[:, axis] <= rule[f"{letter}_max"])
            matrix[:, j] &= inside
    return matrix


