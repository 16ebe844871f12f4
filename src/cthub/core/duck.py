"""DuckDB connections as cthub opens them: never printing to the terminal.

DuckDB's progress bar is on by default and writes to standard output, even when that is a
pipe, once a query runs for two seconds, which would corrupt a CSV written to stdout
(``cthub finance monitor --output -``). Every connection in cthub is made here, with the bar
off; cthub's own progress bars report instead.
"""

from __future__ import annotations

from typing import Any

import duckdb


def connect(database: str = ":memory:", *, threads: int | None = None,
            **config: Any) -> duckdb.DuckDBPyConnection:  # fmt: skip
    """A DuckDB connection with the progress bar off (and ``threads`` when given)."""
    settings: dict[str, Any] = dict(config)
    if threads:
        settings["threads"] = int(threads)
    con = duckdb.connect(database, config=settings)
    con.execute("SET enable_progress_bar = false")  # a session option, not a global one
    return con


__all__ = ["connect"]
