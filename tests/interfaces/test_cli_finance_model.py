"""`cthub finance model train` and `cthub finance monitor --model` from a fresh process: held-out
P/R/F1 printed, the model saved as text + JSON, the monitor CSV contract unchanged (columns
exact, best first) with model-only alerts naming the rule `model`, and clear exit codes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("cthub"))
COLUMNS = ["account", "score", "rules", "first_seen", "last_seen", "tx_count", "tx_ids"]


def _run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")}
    full = {**base, "CTHUB_DATA_DIR": str(cwd), "CTHUB_MODE": "demo", **env}
    return subprocess.run([CLI, *args], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def _synth(cwd: Path, name: str, accounts: str, seed: str) -> Path:
    tx = cwd / name
    out = _run(cwd, "finance", "synth", "--accounts", accounts, "--days", "90", "--seed", seed,
               "--output", str(tx))  # fmt: skip
    assert out.returncode == 0, out.stderr
    return tx


def _alerts(path: Path) -> list[dict[str, str]]:
    text = path.read_text()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


def test_train_then_monitor_with_the_model(tmp_path: Path) -> None:
    train_tx = _synth(tmp_path, "train.parquet", "1200", "17")
    model = tmp_path / "model"
    out = _run(tmp_path, "finance", "model", "train", "--input", str(train_tx), "--labels",
               f"{train_tx}.labels.parquet", "--output", str(model), "--seed", "2")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "precision" in out.stdout
    assert "recall at 5% alerted" in out.stdout
    lines = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line}
    assert 0.0 <= float(lines["model"][3]) <= 1.0  # the held-out F1
    assert sorted(p.name for p in model.iterdir()) == ["model.json", "model.txt"]
    tx = train_tx  # the CSV contract; quality on other seeds is tests/finance/test_model.py's
    plain, ranked = tmp_path / "plain.csv", tmp_path / "ranked.csv"
    out = _run(tmp_path, "finance", "monitor", "--input", str(tx), "--output", str(plain))
    assert out.returncode == 0, out.stderr
    out = _run(tmp_path, "finance", "monitor", "--input", str(tx), "--output", str(ranked),
               "--model", str(model))  # fmt: skip
    assert out.returncode == 0, out.stderr
    rules_rows, rows = _alerts(plain), _alerts(ranked)
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    by_rules = {r["account"]: r for r in rules_rows}
    for r in rows:
        if r["rules"] == "model":
            assert r["account"] not in by_rules
            assert int(r["tx_count"]) >= 1
            assert r["tx_ids"]
        else:
            assert r["rules"] == by_rules[r["account"]]["rules"]
            assert float(r["score"]) >= float(by_rules[r["account"]]["score"])
    assert set(by_rules) <= {r["account"] for r in rows}


def test_bad_model_and_missing_lightgbm_exit_2(tmp_path: Path) -> None:
    tx = tmp_path / "tx.parquet"  # never read: both refuse before any work
    out = _run(tmp_path, "finance", "monitor", "--input", str(tx), "--output", "-",
               "--model", str(tmp_path / "nowhere"))  # fmt: skip
    assert out.returncode == 2
    assert "nowhere" in out.stderr
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "lightgbm.py").write_text("raise ImportError('no lightgbm here')\n")
    out = _run(tmp_path, "finance", "model", "train", "--input", str(tx), "--labels",
               f"{tx}.labels.parquet", "--output", str(tmp_path / "m"),
               PYTHONPATH=str(fake))  # fmt: skip
    assert out.returncode == 2
    assert "LightGBM" in out.stderr
    assert "ml extra" in out.stderr
    assert not (tmp_path / "m").exists()
