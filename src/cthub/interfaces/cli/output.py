"""Output for CLI commands: a rich table on a terminal, or CSV / JSON Lines for machines."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def rows_of(items: Sequence[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        is_instance = dataclasses.is_dataclass(item) and not isinstance(item, type)
        data = dataclasses.asdict(item) if is_instance else dict(item)
        out.append({c: _plain(data.get(c)) for c in columns})
    return out


def emit(items: Sequence[Any], columns: Sequence[str], fmt: Format, title: str = "") -> None:
    rows = rows_of(items, columns)
    if fmt is Format.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: json.dumps(v) if isinstance(v, dict) else v for k, v in r.items()} for r in rows
        )
    else:
        table = Table(title=title or None)
        for c in columns:
            table.add_column(c)
        for row in rows:
            table.add_row(*["" if row[c] is None else str(row[c]) for c in columns])
        Console().print(table)
