"""Results as JSON-ready records: one documented conversion for services and dashboards."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from cxmetrics.errors import ColumnClashError, ColumnTypeError

__all__ = ["to_records"]

JSONValue = None | bool | int | float | str | list[Any] | dict[str, Any]


_MISSING_TYPES = frozenset({"NaTType", "NAType"})  # pandas' NaT passes for a datetime


def _value(value: Any) -> JSONValue:
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value).__name__ in _MISSING_TYPES:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if hasattr(value, "_asdict"):
        return {str(k): _value(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return _pandas_scalar(value)


def _pandas_scalar(value: Any) -> JSONValue:
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, pd.Interval):
        return [_value(value.left), _value(value.right)]
    return str(value)


def to_records(data: Any) -> list[Any] | dict[str, Any]:
    """A result as plain Python values that :func:`json.dumps` accepts with ``allow_nan=False``.

    Frames of any library narwhals knows (pandas, polars, pyarrow; lazy frames are collected)
    become a list of row dicts keyed by column name; a dict or dataclass of results (a report, a
    model's summary frames) becomes a dict with each value converted. Within values: NaN, inf,
    ``None``, ``pd.NA`` and ``NaT`` → ``None``; numpy scalars → Python numbers; dates and
    timestamps → ISO 8601 strings (time zones kept); durations → seconds; categories → their
    labels; anything else → its ``str``.

    Parameters
    ----------
    data : frame, Series, dict, list, named tuple or dataclass
        What a cxmetrics function returned (the argument is called ``data``, like the
        frame every other function takes).

    Returns
    -------
    list or dict
        Rows (dicts) for a frame or series (a series gives ``{name: value}`` rows); a list for a
        list or tuple of results (each converted); a dict for a dict or dataclass.

    Raises
    ------
    ColumnTypeError
        If ``data`` is none of the above (a bare scalar, for instance).
    ColumnClashError
        If a pandas frame has a column name twice (records need distinct keys).

    Notes
    -----
    Edge inputs: an empty frame gives ``[]`` and an empty dict ``{}``; column names that are
    not strings (pandas allows ints) become their ``str`` as keys; a pandas index is not part
    of the records (reset it first to keep it); a pyarrow table's columns are all kept, as
    they are.

    Examples
    --------
    >>> import json
    >>> import pandas as pd
    >>> import cxmetrics as cx
    >>> table = cx.nps(pd.DataFrame({"ltr": [10, 9, 3, 8]}), score="ltr")
    >>> rows = cx.to_records(table)
    >>> json.dumps(rows, allow_nan=False).startswith('[{"n": 4')
    True
    >>> cx.to_records(pd.DataFrame({"day": pd.to_datetime(["2025-01-01"]), "x": [float("nan")]}))
    [{'day': '2025-01-01T00:00:00', 'x': None}]
    """
    import narwhals.stable.v2 as nw

    if hasattr(data, "_asdict"):  # a named tuple such as text.Sentiment
        return {str(k): _value(v) for k, v in data._asdict().items()}
    if isinstance(data, (list, tuple)):
        return [_converted(item) for item in data]
    if isinstance(data, Mapping) or (dataclasses.is_dataclass(data) and not isinstance(data, type)):
        items = (
            data.items()
            if isinstance(data, Mapping)
            else ((f.name, getattr(data, f.name)) for f in dataclasses.fields(data))
        )
        return {str(k): _converted(v) for k, v in items}
    try:
        series = nw.from_native(data, series_only=True)
    except TypeError:
        series = None
    if series is not None:
        data = series.to_frame()
    try:
        frame = nw.from_native(data, eager_only=False)
    except TypeError as error:
        raise ColumnTypeError(
            f"to_records takes a result frame, series, dict, list or dataclass; got {type(data).__name__}"
        ) from error
    except nw.exceptions.DuplicateError as error:  # pandas allows a column name twice
        raise ColumnClashError(
            f"to_records needs distinct column names (the keys of each record); "
            f"{str(error).splitlines()[-1].strip()}") from error
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    columns = frame.columns
    values = {name: frame.get_column(name).to_list() for name in columns}
    return [{str(name): _value(values[name][i]) for name in columns} for i in range(len(frame))]


def _converted(value: Any) -> Any:
    try:
        return to_records(value)
    except ColumnTypeError:
        return _value(value)
