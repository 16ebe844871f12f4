"""The edge table as Arrow, read in bulk and kept as a snapshot file between loads.

A Python row per edge costs microseconds per value; a million edges would take several
seconds. So the columns are read in bulk instead: on SQLite one ``group_concat`` per column in
one pass (a separator parsers never let through, split with numpy into Arrow buffers), on
PostgreSQL one ``COPY ... TO STDOUT (FORMAT csv)`` parsed by Arrow's CSV reader. The default
edge table (``edges_table()``) is then written as an Arrow IPC file under
``<data_dir>/ownership/`` named by the database and its latest load (id and time): every change
to the edges is a load, so a snapshot with the current name is current, and later reads
memory-map it. A load in another process changes the name, and the next read rebuilds.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import text
from sqlalchemy.orm import Session

from cthub.core.hub import Hub

COLUMNS = pa.schema(
    [
        ("owner", pa.string()),
        ("asset", pa.string()),
        ("interest", pa.string()),
        ("share_min", pa.float64()),
        ("share_max", pa.float64()),
        ("min_inclusive", pa.bool_()),
        ("max_inclusive", pa.bool_()),
        ("joint_group", pa.string()),
        ("edge_id", pa.string()),
        ("source", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("interest_type", pa.string()),
        ("direct", pa.string()),
        ("beneficial", pa.bool_()),
        ("summary", pa.bool_()),
        ("status", pa.string()),
        ("statement_id", pa.string()),
    ]
)
_SEP, _NULL = 0x1F, 0x1E  # unit / record separator: parsers replace control characters
_CHUNK = 2_000_000  # rows per group_concat (SQLite strings stop at 1 GB)


CURRENT = "status = 'current' AND summary = :no"


def read(s: Session, schema: pa.Schema = COLUMNS, current_only: bool = False) -> pa.Table:
    """The stored edges' ``schema`` columns (current, non-summary ones only if asked)."""
    if s.get_bind().dialect.name == "postgresql":
        return _postgres(s, schema, current_only)
    low, high = s.execute(text("SELECT min(rowid), max(rowid) FROM ownership_edges")).one()
    if low is None:
        return schema.empty_table()
    parts = [
        _sqlite_chunk(s, schema, current_only, after)
        for after in range(int(low) - 1, int(high), _CHUNK)
    ]
    return pa.concat_tables(parts)


def _sqlite_chunk(s: Session, schema: pa.Schema, current_only: bool, after: int) -> pa.Table:
    aggregates = ", ".join(
        f"group_concat(ifnull({c}, char({_NULL})), char({_SEP}))" for c in schema.names
    )
    where = "rowid > :after AND rowid <= :upto" + (f" AND {CURRENT}" if current_only else "")
    sql = f"SELECT count(*), {aggregates} FROM ownership_edges WHERE {where}"  # noqa: S608
    bounds = {"after": after, "upto": after + _CHUNK, "no": False}
    row = s.execute(text(sql), bounds).one()
    n = int(row[0])
    if n == 0:
        return schema.empty_table()
    arrays = []
    for value, fld in zip(row[1:], schema, strict=True):
        strings = _split(str(value), n)
        if strings is None:  # a separator inside a value: never from our parsers, but be safe
            return _rows(s, schema, where, bounds)
        arrays.append(_typed(strings, fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _split(value: str, n: int) -> pa.Array | None:
    data = value.encode()
    buf = np.frombuffer(data, dtype=np.uint8)
    cuts = np.flatnonzero(buf == _SEP)
    if len(cuts) != n - 1:
        return None
    ends = cuts - np.arange(len(cuts))
    offsets = np.concatenate(([0], ends, [len(data) - len(cuts)])).astype(np.int32)
    clean = data.replace(bytes([_SEP]), b"") if len(cuts) else data
    validity = None
    if bytes([_NULL]) in clean:
        lengths = np.diff(offsets)
        starts = offsets[:-1]
        chars = np.frombuffer(clean, dtype=np.uint8)
        single = lengths == 1
        null = np.zeros(n, dtype=bool)
        null[single] = chars[starts[single]] == _NULL
        validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(clean), validity)


def _typed(strings: pa.Array, kind: pa.DataType) -> pa.Array:
    if pa.types.is_boolean(kind):
        return strings.cast(pa.int8()).cast(pa.bool_())
    return strings if pa.types.is_string(kind) else strings.cast(kind)


def _rows(s: Session, schema: pa.Schema, where: str, bounds: dict[str, Any]) -> pa.Table:
    sql = f"SELECT {', '.join(schema.names)} FROM ownership_edges WHERE {where}"  # noqa: S608
    rows = s.execute(text(sql), bounds).all()
    columns = list(zip(*rows, strict=True))
    arrays: list[Any] = []
    for values, fld in zip(columns, schema, strict=True):
        if pa.types.is_boolean(fld.type):
            arrays.append(pa.array(values, type=pa.int8()).cast(pa.bool_()))
        elif pa.types.is_date(fld.type):
            arrays.append(pa.array(values, type=pa.string()).cast(pa.date32()))
        else:
            arrays.append(pa.array(values, type=fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _postgres(s: Session, schema: pa.Schema, current_only: bool) -> pa.Table:
    raw = s.connection().connection.driver_connection
    out = io.BytesIO()
    where = " WHERE status = 'current' AND NOT summary" if current_only else ""
    select = ", ".join(schema.names)  # our own column names
    sql = f"COPY (SELECT {select} FROM ownership_edges{where}) TO STDOUT (FORMAT csv)"  # noqa: S608
    with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        for chunk in copy:
            out.write(chunk)
    if out.tell() == 0:
        return schema.empty_table()
    out.seek(0)
    return pacsv.read_csv(
        out,
        read_options=pacsv.ReadOptions(column_names=schema.names),
        convert_options=pacsv.ConvertOptions(
            column_types=schema,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )


def _name(hub: Hub, s: Session) -> str | None:
    last = s.execute(
        text("SELECT id, loaded_at FROM ownership_loads ORDER BY id DESC LIMIT 1")
    ).first()
    if last is None:
        return None
    key = f"{hub.db.url}|{last[0]}|{last[1]}".encode()
    return f"edges-{hashlib.sha256(key).hexdigest()[:24]}.arrow"


def edges(hub: Hub, schema: pa.Schema, *, current_only: bool, cached: bool) -> pa.Table:
    """Edges as ``schema``; with ``cached``, from the snapshot file, rebuilt after a load.

    Only one shape is kept as a snapshot (the caller's default); other reads go to the
    database. Callers check permissions: this reads in a read-only session and writes only
    the snapshot file.
    """
    folder = hub.settings.data_dir / "ownership"
    with hub.db.session(readonly=True) as s:
        name = _name(hub, s) if cached else None
        if name is None:
            return read(s, schema, current_only) if not cached else schema.empty_table()
        path = folder / name
        if path.exists():
            with contextlib.suppress(OSError, pa.ArrowInvalid):
                table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
                if table.schema == schema:
                    return table
        table = read(s, schema, current_only)
    _write(folder, path, table)
    return table


def _write(folder: Path, path: Path, table: pa.Table) -> None:
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(tmp, path)
        for old in folder.glob("edges-*.arrow"):
            if old != path:
                old.unlink(missing_ok=True)


__all__ = ["COLUMNS", "edges", "read"]
