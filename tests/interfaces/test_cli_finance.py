"""`cthub finance` from a fresh process: synth, ingest with bad rows skipped, and the monitor
CSV contract (columns exact, best first, planted accounts among the alerts)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb

CLI = str(Path(sys.executable).with_name("cthub"))
COLUMNS = ["account", "score", "rules", "first_seen", "last_seen", "tx_count", "tx_ids"]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
    }
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def test_synth_ingest_monitor(tmp_path: Path) -> None:
    tx = tmp_path / "tx.parquet"
    out = _run(tmp_path, "finance", "synth", "--accounts", "600", "--days", "90", "--seed", "8",
               "--output", str(tx))  # fmt: skip
    assert out.returncode == 0, out.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("tx_id,timestamp,sender,receiver,amount,currency\n"
                   "a1,2026-01-01T00:00:00Z,A,B,10,EUR\na2,nope,A,B,10,EUR\n")  # fmt: skip
    out = _run(tmp_path, "finance", "ingest", str(bad), "--on-error", "skip")
    assert "1 rows added to default, 1 skipped" in out.stdout
    assert "line 3, column timestamp" in out.stderr
    assert _run(tmp_path, "lists", "load", "un").returncode == 0
    alerts = tmp_path / "alerts.csv"
    out = _run(tmp_path, "finance", "monitor", "--input", str(tx), "--output", str(alerts))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(alerts.read_text())))
    assert list(rows[0]) == COLUMNS
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    planted = {r[0] for r in duckdb.sql(
        f"SELECT account FROM read_parquet('{tx}.labels.parquet')").fetchall()}  # fmt: skip
    assert len(planted & {r["account"] for r in rows}) / len(planted) >= 0.4
    assert all(len(r["tx_ids"].split(",")) == int(r["tx_count"]) for r in rows)  # every one
    out = _run(tmp_path, "finance", "monitor", "--input", str(tmp_path / "missing.csv"),
               "--output", "-")  # fmt: skip
    assert out.returncode == 2
    assert "missing.csv" in out.stderr


def test_monitor_maps_columns_and_refuses_bad_rows_unless_told_to_skip(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("id,when,from,to,value,ccy\n"
                    "x1,2026-01-01T00:00:00Z,A,B,10.00,EUR\n"
                    "x2,2026-01-01T01:00:00Z,A,B,ten,EUR\n")  # fmt: skip
    pairs = (
        "tx_id=id",
        "timestamp=when",
        "sender=from",
        "receiver=to",
        "amount=value",
        "currency=ccy",
    )
    columns = [arg for pair in pairs for arg in ("--map", pair)]
    out = _run(tmp_path, "finance", "monitor", "-i", str(feed), "-o", "-", *columns)
    assert out.returncode == 2, out.stderr
    assert "line 3, column amount" in out.stderr
    out = _run(tmp_path, "finance", "monitor", "-i", str(feed), "-o", "-", *columns,
               "--on-error", "skip")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "skipped feed.csv: line 3, column amount: not a decimal number" in out.stderr
    assert out.stdout.splitlines()[0] == ",".join(COLUMNS)
    assert "1 transactions, 1 skipped" in out.stderr
    nowhere = tmp_path / "no-such-folder" / "alerts.csv"
    out = _run(tmp_path, "finance", "monitor", "-i", str(feed), "-o", str(nowhere), *columns)
    assert out.returncode == 2
    assert "does not exist" in out.stderr
    european = tmp_path / "eu.csv"
    european.write_text("id;when;from;to;value;ccy\nx1;2026-01-01T00:00:00Z;A;B;1.234,50;EUR\n")
    out = _run(tmp_path, "finance", "monitor", "-i", str(european), "-o", "-", *columns)
    assert out.returncode == 2
    assert "line 2 writes an amount with a decimal comma" in out.stderr
    assert "--decimal , (the decimal comma)" in out.stderr
    out = _run(tmp_path, "finance", "ingest", str(european), "--dataset", "eu", *columns,
               "--decimal", ",")  # fmt: skip
    assert "1 rows added to eu, 0 skipped" in out.stdout, out.stderr
    empty = tmp_path / "rules"
    empty.mkdir()
    out = _run(tmp_path, "finance", "monitor", "-i", str(feed), "-o", "-", *columns,
               "--on-error", "skip", "--rules", str(empty))  # fmt: skip
    assert out.returncode == 2
    assert "No enabled rule" in out.stderr
