"""Bulk reads and writes for the ownership store: IN-lists in chunks, and upserts.

Rows go straight to the driver's ``executemany`` (SQLite and PostgreSQL share the
``INSERT ... ON CONFLICT`` syntax); SQLAlchemy's per-value bind processing cost more than the
inserts themselves, so values are prepared here instead: JSON as text, dates in ISO form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table, select
from sqlalchemy.orm import Session

IN = 500  # ids per IN (...) list: under every backend's parameter limit
ROWS = 5000  # rows per executemany


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def rows_in(s: Session, columns: Sequence[Any], key: Any, values: Iterable[str]) -> list[Any]:
    """Rows of ``columns`` whose ``key`` is among ``values``, in IN-lists of ``_IN``."""
    wanted, out = sorted(set(values)), list[Any]()
    for part in chunks(wanted, IN):
        out += s.execute(select(*columns).where(key.in_(part))).all()
    return out


def upsert(
    s: Session, table: Table, rows: list[dict[str, Any]], keys: list[str], cols: list[str]
) -> None:
    """Insert ``rows``; on a key conflict update ``cols`` (none: keep the stored row).

    Bulk rows go straight to the driver's ``executemany`` (SQLite and PostgreSQL share the
    ``INSERT ... ON CONFLICT`` syntax): SQLAlchemy's per-value bind processing would cost more
    than the insert. Values are prepared here instead: JSON as text, dates in ISO form.
    """
    if not rows:
        return
    names = list(rows[0])
    postgres = s.get_bind().dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    action = "DO NOTHING"
    if cols:
        action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in cols)
    columns, marks = ", ".join(names), ", ".join([mark] * len(names))
    conflict = ", ".join(keys)
    # our own table and column names; the values are parameters
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) ON CONFLICT ({conflict}) "  # noqa: S608
    sql += action
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    values = [tuple(_value(r[n], n in json_cols) for n in names) for r in rows]
    cursor = s.connection().connection.cursor()
    try:
        for part in chunks(values, ROWS):
            cursor.executemany(sql, list(part))
    finally:
        cursor.close()


def _value(value: Any, as_json: bool) -> Any:
    if as_json:
        return orjson.dumps(value).decode()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


__all__ = ["IN", "ROWS", "chunks", "rows_in", "upsert"]
