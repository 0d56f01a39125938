"""Reading the report's input files and finding each one's columns.

Each input (``survey``, ``events``, ``transactions``) has its own columns: named by
``--survey-customer`` style flags, by a ``[survey]`` table of a TOML mapping file, by the
shared ``--customer`` style flags, or else found by their usual names. Inputs are checked here
(and what is left out is said in the report's "Data notes"), so the library's functions get
clean frames and print nothing to the console.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxmetrics.errors import ColumnNotFoundError, CXMetricsError

__all__ = ["INPUTS", "ROLES", "Input", "load_config", "read_table", "resolve"]

#: The inputs and the column roles each one has (``list`` roles take several columns).
ROLES: dict[str, tuple[str, ...]] = {
    "survey": ("customer", "time", "score", "csat", "text", "by"),
    "events": ("customer", "time", "stage", "steps", "switch", "conversion"),
    "transactions": ("customer", "time", "amount", "order"),
}
INPUTS = tuple(ROLES)
_LIST_ROLES = ("by", "steps", "switch")
_REQUIRED = {
    "survey": ("score",),
    "events": ("customer", "time", "stage"),
    "transactions": ("customer", "time", "amount"),
}

#: Column names tried, in order, when nothing names one (compared case-insensitively).
GUESSES = {
    "customer": (
        "customer",
        "customer_id",
        "user_id",
        "userid",
        "member_id",
        "household_id",
        "client_id",
        "account_id",
        "客户",
        "客户id",
        "用户id",
        "会员",
        "会员id",
    ),
    "time": (
        "time",
        "date",
        "timestamp",
        "datetime",
        "created_at",
        "event_time",
        "order_date",
        "ts",
        "时间",
        "日期",
    ),
    "score": ("ltr", "nps", "nps_score", "score", "recommend", "likelihood_to_recommend", "推荐", "推荐分"),
    "text": ("comment", "comments", "text", "review", "feedback", "verbatim", "评论", "评价", "留言", "意见"),
    "stage": ("stage", "event", "event_name", "step", "page", "action", "阶段", "事件"),
    "amount": ("amount", "revenue", "value", "price", "sales", "spend", "order_value", "金额"),
    "csat": ("csat", "satisfaction", "满意度"),
    "order": (
        "order_id",
        "orderid",
        "order_no",
        "order_number",
        "basket_id",
        "basket",
        "invoice",
        "invoice_id",
        "invoiceno",
        "invoice_no",
        "transaction_id",
        "订单号",
        "订单id",
    ),
}
#: Attribute columns whose switches the gaps section tests and whose groups the funnel compares.
SWITCH_LIKE = ("device", "platform", "channel", "department", "os", "browser", "设备", "平台", "渠道", "部门")
#: Stage names taken as the conversion when no flag names one.
CONVERSION_NAMES = (
    "purchase",
    "order",
    "paid",
    "payment",
    "buy",
    "checkout_complete",
    "conversion",
    "convert",
    "signup",
    "subscribe",
    "支付",
    "下单",
    "购买",
    "付款",
    "成交",
)


@dataclass
class Input:
    """One input file read, with the columns found for its roles."""

    kind: str
    frame: Any
    source: str
    columns: dict[str, Any] = field(default_factory=dict)

    def get(self, role: str) -> Any:
        return self.columns.get(role)


def read_table(path: Path) -> Any:
    """A CSV (also ``.csv.gz``, ``.tsv``), JSON Lines, JSON, Parquet or Excel file as a pandas
    frame; a clear error for anything else."""
    import pandas as pd

    if not path.is_file():
        raise CXMetricsError(f"input file {str(path)!r} does not exist")
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    compressed = suffixes[-1:] in ([".gz"], [".bz2"], [".zip"], [".xz"], [".zst"])
    suffix = suffixes[-2] if compressed and len(suffixes) == 2 else suffixes[-1] if suffixes else ""
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix == ".txt":  # comma, tab, semicolon or runs of spaces, as the first line shows
            with open(path, encoding="utf-8", errors="replace") as handle:
                first = handle.readline()
            sep = next((s for s in ("\t", ",", ";", "|") if s in first), r"\s+")
            return pd.read_csv(path, sep=sep)
        if suffix == ".tsv":
            return pd.read_csv(path, sep="\t")
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True)
        if suffix == ".json":
            return pd.read_json(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path)
    except ImportError as exc:
        raise CXMetricsError(
            f"reading {path.name} needs an optional package ({exc}); pip install 'cxmetrics[files]'"
        ) from exc
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise CXMetricsError(f"input file {path.name!r} could not be read: {exc}") from exc
    raise CXMetricsError(
        f"input file {path.name!r}: use CSV (.csv, .csv.gz, .tsv), JSON Lines (.jsonl), Parquet "
        "(.parquet) or Excel (.xlsx)"
    )


def load_config(path: Path | None) -> dict[str, dict[str, Any]]:
    """The TOML mapping file: a table per input (``[survey]``, ``[events]``, ``[transactions]``)
    with ``path`` and column roles; unknown tables or roles are errors."""
    if path is None:
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    if not path.is_file():
        raise CXMetricsError(f"--config file {str(path)!r} does not exist")
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CXMetricsError(f"--config file {path.name!r} is not valid TOML: {exc}") from exc
    for name, table in config.items():
        if name not in ROLES or not isinstance(table, dict):
            raise CXMetricsError(f"--config: unknown table [{name}]; use {list(ROLES)}")
        unknown = set(table) - {"path", *ROLES[name]}
        if unknown:
            raise CXMetricsError(
                f"--config [{name}]: unknown keys {sorted(unknown)}; use path, {', '.join(ROLES[name])}"
            )
    return config


def _given(args: argparse.Namespace, config: dict[str, Any], kind: str, role: str) -> Any:
    value = getattr(args, f"{kind}_{role}", None)
    if value is None:
        value = config.get(role)
    if value is None and role in (
        "customer",
        "time",
        "score",
        "csat",
        "text",
        "stage",
        "amount",
        "by",
        "steps",
        "switch",
    ):
        value = getattr(args, role, None)
    if role == "steps" and isinstance(value, str):
        value = [s.strip() for s in value.split(",") if s.strip()]
    if role in _LIST_ROLES and isinstance(value, str):
        value = [value]
    return value


def _guess(frame: Any, role: str) -> str | None:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    for name in GUESSES.get(role, ()):
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def switch_like(frame: Any, exclude: Sequence[str]) -> list[str]:
    """Attribute columns (device, platform, channel, department ...) with 2 to 30 values."""
    found = []
    for column in frame.columns:
        name = str(column).lower()
        if column in exclude or not any(
            word == name or name.endswith(word) or name.startswith(word) for word in SWITCH_LIKE
        ):
            continue
        levels = frame[column].nunique(dropna=True)
        if 2 <= levels <= 30:
            found.append(str(column))
    return found


def segment_columns(frame: Any, exclude: Sequence[str]) -> list[str]:
    """Text columns with 2 to 30 values that repeat (segments such as region or channel)."""
    found = []
    for column in frame.columns:
        if column in exclude:
            continue
        series = frame[column]
        if series.dtype.kind in "ifuMmbc":
            continue
        levels = series.nunique(dropna=True)
        if 2 <= levels <= 30 and levels < 0.2 * max(len(series), 1):
            found.append(str(column))
    return found


def resolve(kind: str, frame: Any, source: str, args: argparse.Namespace, config: dict[str, Any]) -> Input:
    """Find every role's column of one input; a named column the file lacks is an error naming
    the flag, the file and its columns."""
    columns = list(frame.columns)
    found: dict[str, Any] = {}
    for role in ROLES[kind]:
        value = _given(args, config, kind, role)
        flag = f"--{kind}-{role}"
        if value is None:
            if role in GUESSES:
                found[role] = _guess(frame, role)
            continue
        if role == "steps":
            found[role] = list(value)
            continue
        if role == "conversion":
            found[role] = value
            continue
        names = value if isinstance(value, list) else [value]
        missing = [n for n in names if n not in columns]
        if missing:
            raise ColumnNotFoundError(
                f"{flag} names column(s) {missing} that the {kind} file {source!r} does not have; "
                f"its columns are {columns}"
            )
        found[role] = names if role in _LIST_ROLES else names[0]
    for role in _REQUIRED[kind]:
        if found.get(role) is None:
            raise ColumnNotFoundError(
                f"the {kind} file {source!r} has no {role} column (tried {list(GUESSES.get(role, ()))}); "
                f"name it with --{kind}-{role}; its columns are {columns}"
            )
    taken = [v for r, v in found.items() if isinstance(v, str) and r != "conversion"]
    if kind == "survey" and found.get("by") is None:
        found["by"] = segment_columns(frame, taken)
    if kind == "events" and found.get("switch") is None:
        found["switch"] = switch_like(frame, taken)
    return Input(kind, frame, source, found)
