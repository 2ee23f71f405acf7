"""Rendering command results: rich tables for people, JSON and CSV for programs.

JSON goes to stdout with no decoration. Tables carry a caption naming the warehouse, so output
computed from the embedded demo is always labelled ``demo``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["OutputFormat", "emit", "emit_rows", "to_json"]

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True)


class OutputFormat(StrEnum):
    """How a command prints data."""

    table = "table"
    json = "json"
    csv = "csv"


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any) -> str:
    """JSON text of ``data`` (dates as ISO strings, NaN as null)."""
    return json.dumps(_clean(data), default=_default, ensure_ascii=False, indent=2)


def _clean(data: Any) -> Any:
    if isinstance(data, float) and data != data:
        return None
    if isinstance(data, dict):
        return {k: _clean(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(v) for v in data]
    return data


def _table(rows: list[dict[str, Any]], title: str | None, caption: str | None) -> Table:
    table = Table(title=title, caption=caption)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    return table


def _csv(rows: Iterable[dict[str, Any]]) -> str:
    rows = list(rows)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def emit_rows(rows: list[dict[str, Any]], fmt: OutputFormat, *, title: str | None = None,
              caption: str | None = None) -> None:
    """Print a list of records as a table, JSON array or CSV."""
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(rows) + "\n")
    elif fmt is OutputFormat.csv:
        sys.stdout.write(_csv(rows))
    else:
        stdout.print(_table(rows, title, caption))


def emit(data: dict[str, Any], fmt: OutputFormat, *, sections: dict[str, str],
         caption: str | None = None) -> None:
    """Print a document made of named record lists.

    JSON prints the whole document; CSV prints each section (named in a leading ``# section``
    line when there are several); a table prints one rich table per section.
    """
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(data) + "\n")
        return
    for key, title in sections.items():
        rows = data.get(key) or []
        if fmt is OutputFormat.csv:
            if len(sections) > 1:
                sys.stdout.write(f"# {key}\n")
            sys.stdout.write(_csv(rows))
        else:
            stdout.print(_table(rows, title, caption))
