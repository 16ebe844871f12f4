"""The DuckDB engine: the source becomes the view ``tx`` on one connection, queries run in turn.

Parquet paths are read with ``read_parquet`` (a list reads as one table), an Arrow table is
scanned in place, and a DuckDB relation is used on its own connection. A connection made here
is closed afterwards; a caller's keeps its settings except ``threads`` when that is given, and
loses only the views ``tx`` and ``listed`` this run registered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.finance.rules.executor import LISTED, check_columns


def run(
    queries: Sequence[str],
    source: Any,
    listed: pa.Table | None,
    connection: duckdb.DuckDBPyConnection | None,
    threads: int | None,
    on_query: Callable[[], None] | None = None,
) -> list[pa.Table]:
    """Each query's rows as Arrow, in order; ``on_query`` is called after each."""
    if connection is None and isinstance(source, duckdb.DuckDBPyRelation):
        connection = duckdb.default_connection()
    con = connection if connection is not None else duck.connect()
    try:
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        relation = _relation(con, source)
        check_columns(relation.columns)
        _register(con, "tx", relation)
        _register(con, "listed", listed if listed is not None else LISTED.empty_table())
        try:
            out = []
            for sql in queries:
                out.append(con.sql(sql).to_arrow_table())
                if on_query is not None:
                    on_query()
            return out
        finally:
            con.unregister("tx")
            con.unregister("listed")
    finally:
        if connection is None:
            con.close()


def _relation(con: duckdb.DuckDBPyConnection, source: Any) -> Any:
    if isinstance(source, duckdb.DuckDBPyRelation):
        return source
    if isinstance(source, pa.Table):
        return con.from_arrow(source)
    paths = [source] if isinstance(source, str | Path) else list(source)
    files: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*.parquet")))
        elif path.exists():
            files.append(str(path))
        else:
            raise InvalidInput("{file} does not exist.", file=str(path))
    if not files:
        raise InvalidInput("No Parquet file in {file}.", file=", ".join(map(str, paths)))
    return con.read_parquet(files)


def _register(con: duckdb.DuckDBPyConnection, name: str, value: Any) -> None:
    try:
        con.register(name, value)
    except duckdb.InvalidInputException as exc:
        raise InvalidInput(
            "The DuckDB relation belongs to another connection.",
            hint="Pass the connection it was made on as connection=.",
        ) from exc


__all__ = ["run"]
