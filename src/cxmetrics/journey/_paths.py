"""``transitions``, ``paths`` and ``time_between``: how customers move between stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np

from cxmetrics import _checks, _frame
from cxmetrics._typing import same_frame
from cxmetrics.journey import _log
from cxmetrics.journey._log import CIDX, CUSTOMER, POS, STAGE, TIME
from cxmetrics.journey._reach import reach

START, EXIT = "(start)", "(exit)"
NEXT_STAGE, NEXT_TIME = "__cx_next_stage", "__cx_next_time"


def _partition(session: str | None) -> list[str]:
    """A journey: a customer's events, or a run of events with the same session value."""
    return [CIDX] if session is None else [CIDX, session]


TRANSITION_COLUMNS = ("from_stage", "to_stage", "moves", "customers", "probability", "time_median",
                      "time_p90")
TIME_BETWEEN_COLUMNS = ("customers", "reached", "reached_rate", "mean", "median", "p25", "p75", "p90",
                        "min", "max")


@same_frame
def transitions(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    session: str | None = None,
    by: str | Sequence[str] | None = None,
    exits: bool = False,
    unit: str = "h",
) -> Any:
    """Moves from each stage to the next: counts, probabilities, customers and time between.

    Consecutive events of a customer (or of a session, with ``session``) form one move. With
    ``exits=True`` the last event of each journey also moves to ``"(exit)"`` (and the first
    comes from ``"(start)"``), which completes the Markov transition matrix. A session is a
    run of consecutive events of a customer with the same ``session`` value.

    Parameters
    ----------
    data : DataFrame
        The event log (no missing customer, time or stage).
    customer, time, stage : str
    session : str, optional
        Moves stay within sessions.
    by : str or list of str, optional
        Columns of the event a move starts from, to split the table by.
    exits : bool
        Add the ``(start)`` and ``(exit)`` moves.
    unit : {"s", "min", "h", "D"}
        Unit of the time columns.

    Returns
    -------
    DataFrame
        One row per (group, from_stage, to_stage), sorted: the ``by`` columns, ``from_stage``,
        ``to_stage``, ``moves``, ``customers`` (distinct customers making the move),
        ``probability`` (moves / all moves out of ``from_stage`` in the group),
        ``time_median`` and ``time_p90`` (time between the two events; null for start and
        exit moves).

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 1, 2, 2],
    ...                     "time": pd.date_range("2024-05-01", periods=5, freq="10min"),
    ...                     "stage": ["home", "search", "product", "home", "product"]})
    >>> cx.transitions(log, customer="customer", time="time", stage="stage", unit="min")
      from_stage to_stage  moves  customers  probability  time_median  time_p90
    0       home  product      1          1          0.5         10.0      10.0
    1       home   search      1          1          0.5         10.0      10.0
    2     search  product      1          1          1.0         10.0      10.0
    """
    group_by = _frame.as_list(by)
    per_unit = _log.check_unit(unit)
    exits = _checks.flag(exits, "exits")
    _log.check_names(session=session)
    _checks.no_clash(group_by, TRANSITION_COLUMNS, function="transitions")
    frame = _log.narrowed(data, customer=customer, time=time, stage=stage,
                          roles={"by": group_by, "session": session})
    backend = _frame.eager_implementation(frame)
    if isinstance(frame, nw.LazyFrame) and session is None and not frame.implementation.is_dask():
        # the engine orders each customer's events itself (window functions): nothing is collected
        order = _log.ENGINE_ORDER
        if frame.implementation.is_polars():  # polars keeps row order: ties in row order, as eager
            frame = nw.from_native(frame.to_native().with_row_index(_log.ROW))
            order = [TIME, _log.ROW]
        ahead = [nw.col(c).shift(-1).over(CUSTOMER, order_by=order) for c in (STAGE, TIME)]
        first = nw.col(TIME).shift(1).over(CUSTOMER, order_by=order).is_null()
    else:
        log = _log.sorted_log(frame, stage)  # validated once, by narrowed above
        frame, part = log.frame, _partition(session)
        if frame.implementation.is_pyarrow():  # narwhals' pyarrow group-by has no n_unique or quantile
            frame = nw.from_native(frame.to_pandas())
        ahead = [_log.ahead(STAGE, 1, part), _log.ahead(TIME, 1, part)]
        first = _log.starts_run(part)
    stage_type = frame.collect_schema()[STAGE]
    if exits and stage_type != nw.String:
        frame = frame.with_columns(nw.col(STAGE).cast(nw.String))
    moves = frame.with_columns(ahead[0].alias(NEXT_STAGE), ahead[1].alias(NEXT_TIME))
    if exits:
        starts = moves.filter(first).with_columns(
            nw.col(STAGE).alias(NEXT_STAGE), nw.lit(START).alias(STAGE),
            nw.when(nw.lit(value=False)).then(nw.col(NEXT_TIME)).alias(NEXT_TIME))  # null, same type
        ends = moves.filter(nw.col(NEXT_STAGE).is_null()).with_columns(nw.lit(EXIT).alias(NEXT_STAGE))
        columns = moves.collect_schema().names()
        moves = nw.concat([moves.filter(~nw.col(NEXT_STAGE).is_null()), starts.select(columns),  # type: ignore[type-var]
                           ends.select(columns)])
    else:
        moves = moves.filter(~nw.col(NEXT_STAGE).is_null())
    gap = ((nw.col(NEXT_TIME) - nw.col(TIME)).cast(nw.Float64) / per_unit).alias("__cx_gap")
    moves = moves.with_columns(gap)
    table = moves.group_by(*group_by, STAGE, NEXT_STAGE, drop_null_keys=False).agg(
        nw.len().alias("moves"), nw.col(CUSTOMER).n_unique().alias("customers"),
        nw.col("__cx_gap").median().alias("time_median"),
        nw.col("__cx_gap").quantile(0.9, interpolation="linear").alias("time_p90"),
    )
    out_of = nw.col("moves").sum().over(*group_by, STAGE) if group_by else nw.col("moves").sum().over(STAGE)
    table = table.with_columns((nw.col("moves") / out_of).alias("probability")).rename(
        {STAGE: "from_stage", NEXT_STAGE: "to_stage"})
    # sorted last: an engine need not keep row order through the window sum
    table = table.select(*group_by, "from_stage", "to_stage", "moves", "customers",
                         "probability", "time_median", "time_p90")
    # categorical groups in label order (a pyarrow dictionary's codes follow first appearance)
    schema = table.collect_schema()
    labels = {b: f"__cx_label_{i}" for i, b in enumerate(group_by) if schema[b] == nw.Categorical}
    if labels:
        table = table.with_columns(*(nw.col(b).cast(nw.String).alias(k) for b, k in labels.items()))
    table = _frame.collect(table.sort([labels.get(b, b) for b in group_by] + ["from_stage", "to_stage"],
                                      nulls_last=True))
    if labels:
        table = table.drop(*labels.values())
    if backend.is_pyarrow() and not table.implementation.is_pyarrow():
        table = nw.from_native(nw.from_native(_frame.to_native(table)).to_arrow())  # no index column
    return _frame.to_native(table)


@same_frame
def paths(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    session: str | None = None,
    conversion_stage: Any = None,
    n: int = 20,
    max_length: int = 10,
    collapse_repeats: bool = True,
) -> Any:
    """The most frequent journeys (process-mining "variants"), with share and conversion.

    A journey is a customer's (or session's) sequence of stages in time order. Repeats of the
    same stage in a row count once (``collapse_repeats``), and a journey ends at its first
    ``conversion_stage`` when one is given. Journeys longer than ``max_length`` are grouped
    by their first ``max_length`` stages, marked with a trailing "…".

    Parameters
    ----------
    data : DataFrame
        The event log, one row per event (pandas, polars, pyarrow or a lazy frame). Text
        times are parsed as ISO-8601 (pandas object columns of dates too); an empty log raises
        :class:`~cxmetrics.errors.DesignError`; missing customers, stages or times raise
        :class:`~cxmetrics.errors.MissingValueError` (clean with :func:`validate_events`).
    customer, time, stage : str
        Columns of the customer id, the event time and the stage (any hashable values).
    session : str, optional
        Column of session ids: each session is a journey.
    conversion_stage : optional
        Stage value that ends a journey and counts it as converted.
    n : int
        How many paths to return (the most frequent; at least 1).
    max_length : int
        Stages shown per path (at least 1); longer journeys are grouped by their start.
    collapse_repeats : bool
        Count repeats of one stage in a row once.

    Returns
    -------
    DataFrame
        The ``n`` most frequent paths (ties by path text): ``path`` (stages joined by
        " > "), ``length`` (stages in the path), ``journeys``, ``share`` (of all journeys),
        and with ``conversion_stage``: ``conversions`` and ``conversion_rate``.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 3, 3],
    ...                     "time": pd.date_range("2024-05-01", periods=7, freq="h"),
    ...                     "stage": ["home", "home", "buy", "home", "buy", "home", "search"]})
    >>> cx.paths(log, customer="customer", time="time", stage="stage", conversion_stage="buy")
                path  length  journeys     share  conversions  conversion_rate
    0     home > buy       2         2  0.666667            2              1.0
    1  home > search       2         1  0.333333            0              0.0
    """
    n = _checks.whole(n, "n", low=1)
    _log.check_names(session=session)
    max_length = _checks.whole(max_length, "max_length", low=1)
    collapse_repeats = _checks.flag(collapse_repeats, "collapse_repeats")
    log = _log.prepare(data, customer=customer, time=time, stage=stage, roles={"session": session})
    part = _partition(session)
    frame = log.frame
    if conversion_stage is not None:
        _log.check_steps(log, [conversion_stage], minimum=1, role="conversion_stage")
        first_conversion = nw.when(nw.col(STAGE) == conversion_stage).then(nw.col(POS)).min().over(*part)
        frame = frame.filter(first_conversion.is_null() | (nw.col(POS) <= first_conversion))
    if collapse_repeats:
        previous = _log.behind(STAGE, 1, part)
        frame = frame.filter(previous.is_null() | (nw.col(STAGE) != previous))
    stages, stage_code = _log.category_codes(frame, STAGE)
    code = _frame.collect(frame.select(stage_code.alias("code"), _log.starts_run(part).alias("first")))
    journey = np.cumsum(code["first"].to_numpy()) - 1  # rows are sorted by journey, then time
    codes = code["code"].to_numpy()
    starts = np.flatnonzero(code["first"].to_numpy())
    index = np.arange(len(codes)) - starts[journey]
    lengths = np.bincount(journey)
    if len(lengths):  # no journey is longer than the longest: a huge max_length costs nothing
        max_length = min(max_length, int(lengths.max()))
    shown = index < max_length
    matrix = np.full((len(starts), max_length + 1), -1, dtype=np.int64)
    matrix[journey[shown], index[shown]] = codes[shown]
    matrix[:, max_length] = np.minimum(lengths, max_length + 1)  # max_length + 1 marks "longer"
    variants, variant_of, counts = np.unique(matrix, axis=0, return_inverse=True, return_counts=True)
    variant_of = variant_of.ravel()
    texts = [" > ".join(str(stages[c]) for c in row[:max_length] if c >= 0)
             + (" > …" if row[max_length] > max_length else "") for row in variants]
    order = sorted(range(len(variants)), key=lambda v: (-counts[v], texts[v]))[:n]
    result: dict[str, Any] = {
        "path": np.asarray([texts[v] for v in order], dtype=np.str_),  # typed even when empty
        "length": [int(min(variants[v][max_length], max_length)) for v in order],
        "journeys": [int(counts[v]) for v in order],
        "share": [float(counts[v] / len(starts)) for v in order],
    }
    if conversion_stage is not None:
        converted = np.zeros(len(starts), dtype=bool)
        converted[journey[codes == stages.index(conversion_stage)]] = True
        per_variant = np.bincount(variant_of, weights=converted, minlength=len(variants))
        result["conversions"] = [int(per_variant[v]) for v in order]
        result["conversion_rate"] = [float(per_variant[v] / counts[v]) for v in order]
    return _frame.to_native(_frame.with_arrays(None, result, log.backend))


@same_frame
def time_between(
    data: Any,
    *,
    customer: str,
    time: str,
    stage: str,
    from_stage: Any,
    to_stage: Any,
    by: str | Sequence[str] | None = None,
    unit: str = "h",
) -> Any:
    """Time from a customer's first ``from_stage`` to the first ``to_stage`` after it.

    Parameters
    ----------
    data : DataFrame
        The event log, one row per event (pandas, polars, pyarrow or a lazy frame). Text
        times are parsed as ISO-8601 (pandas object columns of dates too); an empty log raises
        :class:`~cxmetrics.errors.DesignError`; missing customers, stages or times raise
        :class:`~cxmetrics.errors.MissingValueError` (clean with :func:`validate_events`).
    customer, time, stage : str
        Columns of the customer id, the event time and the stage (any hashable values).
    from_stage, to_stage
        Stage values; both must occur in the log.
    by : str or list of str, optional
        Group columns, read at each customer's first event; null keys form their own group.
        A group column named like a result column raises
        :class:`~cxmetrics.errors.ColumnClashError`.
    unit : {"us", "ms", "s", "min", "h", "D", "W"}
        Unit of the durations (the one unit table of :mod:`cxmetrics._time`).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``customers`` (with ``from_stage``),
        ``reached`` (of those, with ``to_stage`` after it), ``reached_rate``, and over the
        customers who reached it: ``mean``, ``median``, ``p25``, ``p75``, ``p90``, ``min``,
        ``max``, in ``unit``.

    Notes
    -----
    Edge inputs follow the event-log rules in :mod:`cxmetrics.journey` (an empty log is a
    :class:`~cxmetrics.errors.DesignError`, null group keys are their own group, a bare
    number as a duration is an error, clashing or ``__cx_`` columns are a
    :class:`~cxmetrics.errors.ColumnClashError`).

    Examples
    --------
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> log = pd.DataFrame({"customer": [1, 1, 2, 2, 3],
    ...                     "time": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 12:00",
    ...                                             "2024-05-02 09:00", "2024-05-02 13:00",
    ...                                             "2024-05-03 08:00"]),
    ...                     "stage": ["ticket", "resolved", "ticket", "resolved", "ticket"]})
    >>> cx.time_between(log, customer="customer", time="time", stage="stage",
    ...                 from_stage="ticket", to_stage="resolved")[["customers", "reached", "median", "max"]]
       customers  reached  median  max
    0          3        2     3.0  4.0
    """
    group_by = _frame.as_list(by)
    per_unit = _log.check_unit(unit)
    _checks.no_clash(group_by, TIME_BETWEEN_COLUMNS, function="time_between")
    log = _log.prepare(data, customer=customer, time=time, stage=stage, roles={"by": group_by})
    steps = _log.check_steps(log, [from_stage, to_stage], role="from_stage and to_stage")
    customers = _log.first_per_customer(log.frame, group_by)
    keys, group = _frame.group_codes(customers, group_by)
    moved = reach(log, customers, steps, "closed", "ordered", None, None)
    n_groups = 1 if keys is None else len(keys)
    names = ("customers", "reached", "reached_rate", "mean", "median", "p25", "p75", "p90", "min", "max")
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for g in range(n_groups):
        mine = group == g
        delta = moved.delta_into[1, mine]
        delta = delta[~np.isnan(delta)] / per_unit
        started = int(moved.entered[0, mine].sum())
        columns["customers"].append(started)
        columns["reached"].append(len(delta))
        columns["reached_rate"].append(len(delta) / started if started else None)
        stats = [delta.mean(), *np.quantile(delta, [0.5, 0.25, 0.75, 0.9]), delta.min(), delta.max()] if len(
            delta) else [None] * 7
        for name, value in zip(names[3:], stats, strict=True):
            columns[name].append(None if value is None else float(value))
    return _frame.to_native(_frame.with_arrays(keys, columns, log.backend))
