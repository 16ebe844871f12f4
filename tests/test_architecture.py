"""Dependencies point one way: interfaces -> capabilities -> core (import-linter contracts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_direction() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken" in done.stdout, done.stdout


def test_core_does_not_import_interfaces() -> None:
    offenders = [
        p
        for p in (ROOT / "src" / "cthub" / "core").rglob("*.py")
        if "cthub.interfaces" in p.read_text()
    ]
    assert offenders == []


def test_duckdb_connections_come_from_core_duck() -> None:
    """DuckDB's progress bar writes to stdout, even into a pipe: every connection is made by
    ``cthub.core.duck.connect``, which turns it off."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src" / "cthub").rglob("*.py")
        if "duckdb.connect(" in p.read_text() and p.name != "duck.py"
    ]
    assert offenders == []


def test_duckdb_progress_bar_is_off() -> None:
    from cthub.core import duck

    con = duck.connect()
    try:
        row = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
    finally:
        con.close()
    assert row is not None
    assert row[0] is False
