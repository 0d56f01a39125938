"""Reading the report's input files and finding its columns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cxmetrics.errors import ColumnNotFoundError, CXMetricsError

__all__ = ["check_columns", "optional_column", "pick_column", "read_table"]

#: Column names tried, in order, when a flag does not name one.
GUESSES = {
    "customer": ("customer", "customer_id", "user_id", "member_id", "客户", "客户id", "用户id"),
    "time": ("time", "date", "timestamp", "datetime", "created_at", "时间", "日期"),
    "score": ("ltr", "nps", "score", "recommend", "推荐"),
    "text": ("comment", "text", "review", "feedback", "评论", "评价", "留言"),
    "stage": ("stage", "event", "step", "page", "阶段", "事件"),
    "amount": ("amount", "revenue", "value", "price", "金额"),
    "csat": ("csat", "satisfaction", "满意度"),
}


def read_table(path: Path) -> Any:
    """A CSV, Parquet or Excel file as a pandas frame; a clear error for anything else."""
    import pandas as pd

    if not path.is_file():
        raise CXMetricsError(f"input file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path)
    except ImportError as exc:
        raise CXMetricsError(
            f"reading {path.name} needs an optional package ({exc}); pip install 'cxmetrics[files]'"
        ) from exc
    raise CXMetricsError(f"input file {path.name!r}: use CSV, Parquet or Excel (.csv, .parquet, .xlsx)")


def optional_column(frame: Any, given: str | None, role: str, source: str) -> str | None:
    """The column for ``role``: the one the flag names (it must exist), else a usual name, else None."""
    columns = list(frame.columns)
    if given is not None:
        if given not in columns:
            raise ColumnNotFoundError(
                f"--{role} names column {given!r}, which the {source} file does not have; "
                f"its columns are {columns}"
            )
        return given
    for name in GUESSES.get(role, ()):
        for column in columns:
            if str(column).lower() == name:
                return str(column)
    return None


def pick_column(frame: Any, given: str | None, role: str, source: str) -> str:
    """As :func:`optional_column`, but the column must be found."""
    found = optional_column(frame, given, role, source)
    if found is None:
        raise ColumnNotFoundError(
            f"the {source} file has no {role} column (tried {list(GUESSES.get(role, ()))}); "
            f"name it with --{role}; its columns are {list(frame.columns)}"
        )
    return found


def check_columns(frame: Any, names: Sequence[str], role: str, source: str) -> list[str]:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ColumnNotFoundError(
            f"--{role} names column(s) {missing} that the {source} file does not have; "
            f"its columns are {list(frame.columns)}"
        )
    return list(names)
