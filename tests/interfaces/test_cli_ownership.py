"""The ownership CLI contracts in a fresh process: ``ubo`` and ``blocked`` (columns exact)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ownership.test_analysis import ENTITIES, LIST, OWNERSHIP

CLI = str(Path(sys.executable).parent / "cthub")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
        "COLUMNS": "120",
    }
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def _prepared(path: Path) -> Path:
    """A data folder with the test list loaded and the ownership structure stored."""
    lines = [{"id": i, "schema": s, "properties": p} for i, s, p in ENTITIES]
    lines += [{"id": f"own-{n}", "schema": "Ownership",
               "properties": {"owner": [o], "asset": [a], "percentage": [share]}}
              for n, (o, a, share) in enumerate(OWNERSHIP)]  # fmt: skip
    (path / "own.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (path / "list.csv").write_text(LIST)
    assert _run(path, "lists", "load", "plain-csv", "list.csv").returncode == 0
    done = _run(path, "ownership", "load", "own.jsonl")
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prepared(tmp_path_factory.mktemp("ownership"))


def test_blocked_contract(workdir: Path) -> None:
    done = _run(workdir, "ownership", "blocked", "--regime", "ofac", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "entity_id,name,status,owners_share,path"
    rows = {r["entity_id"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert rows["ftm:co-y"]["status"] == "blocked"
    assert "ftm:co-x -[ownership 50%]-> ftm:co-y" in rows["ftm:co-y"]["path"]
    assert "ftm:co-z" not in rows
    assert "2 listed seeds" in done.stderr
    eu = _run(workdir, "ownership", "blocked", "--regime", "eu", "--format", "csv")
    assert "ftm:co-x" not in eu.stdout
    bad = _run(workdir, "ownership", "blocked", "--regime", "mars")
    assert bad.returncode == 2
    assert "Unknown regime" in bad.stderr


def test_ubo_contract(workdir: Path) -> None:
    done = _run(workdir, "ownership", "ubo", "ftm:co-y", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["threshold"] == 0.25
    assert [o["owner_id"] for o in report["owners"] if o["status"] == "ubo"] == ["ftm:pe-p"]
    table = _run(workdir, "ownership", "ubo", "ftm:co-y", "--threshold", "0.5", "--format", "csv")
    assert table.stdout.splitlines()[0] == "owner_id,name,status,ownership,voting,control,basis"
    missing = _run(workdir, "ownership", "ubo", "nobody")
    assert missing.returncode != 0
    assert "No entity nobody" in missing.stderr


def test_a_new_list_version_closes_exposure_alerts_with_the_reason(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = _prepared(tmp_path_factory.mktemp("ownership-delta"))
    done = _run(path, "ownership", "evaluate", "--regime", "ofac")
    assert done.returncode == 0, done.stderr
    opened = _run(path, "ownership", "alerts", "--state", "open", "--format", "csv")
    assert "ftm:co-y" in opened.stdout
    # T-2 (the name-linked co-b) delisted: X falls to 25%, so X and Y are no longer blocked
    (path / "list.csv").write_text("\n".join(LIST.splitlines()[:2]) + "\n")
    reload = _run(path, "lists", "load", "plain-csv", "list.csv")
    assert reload.returncode == 0, reload.stderr
    assert "ownership-delta: succeeded" in reload.stdout
    closed = _run(path, "ownership", "alerts", "--state", "closed", "--format", "csv")
    rows = {r["entity_id"]: r for r in csv.DictReader(io.StringIO(closed.stdout))}
    assert "no longer blocked under ofac" in rows["ftm:co-y"]["reason"]
    still = _run(path, "ownership", "alerts", "--state", "open", "--format", "csv")
    assert "ftm:co-a" in still.stdout
    assert "ftm:co-y" not in still.stdout
