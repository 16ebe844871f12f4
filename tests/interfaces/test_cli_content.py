"""`cthub content` from a fresh process: the hash and match contracts (columns exact), banks
created, filled from files and hash lists, exported with removals, matches reviewed."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.content.photos import BRIDGE, LABELME, REF, edited

CLI = str(Path(sys.executable).with_name("cthub"))
BAD = Path(__file__).resolve().parents[1] / "fixtures" / "content" / "bad"


def _run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
    }
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, input=stdin)  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("content")
    return path


def test_hash_contract_with_bad_files(home: Path) -> None:
    files = [str(BRIDGE), str(BAD / "truncated.jpg"), str(BAD / "empty.jpg"), str(BAD / "junk.bin")]
    out = _run(home, "content", "hash", *files, "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["path", "md5", "sha256", "pdq", "quality", "error"]
    assert len(rows[0]["pdq"]) == 64
    assert int(rows[0]["quality"]) >= 50
    assert not rows[0]["error"]
    assert [bool(r["error"]) for r in rows] == [False, True, True, True]
    assert all(r["path"] in r["error"] or not r["error"] for r in rows)
    lines = _run(home, "content", "hash", str(BRIDGE)).stdout.splitlines()
    assert json.loads(lines[0])["pdq"] == rows[0]["pdq"]


def test_banks_match_review_export(home: Path, tmp_path: Path) -> None:
    assert _run(home, "content", "bank", "create", "terror", "--label", "propaganda",
                "--threshold", "31").returncode == 0  # fmt: skip
    out = _run(home, "content", "bank", "add", "terror", str(BRIDGE))
    assert "3 added" in out.stdout, out.stderr
    listed = tmp_path / "list.csv"
    listed.write_text("signal_type,hash,label\npdq,zz,x\nmd5,d41d8cd98f00b204e9800998ecf8427e,x\n")
    out = _run(home, "content", "bank", "add", "terror", "--hashes", str(listed))
    assert "1 added" in out.stdout
    assert "list.csv:2" in out.stderr
    copy = edited(BRIDGE, tmp_path / "repost.jpg", "recompress")
    out = _run(home, "content", "match", str(copy), *map(str, LABELME[:2]), "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["path", "bank", "entry_id", "label", "signal", "distance"]
    assert {r["path"] for r in rows} == {str(copy)}
    assert rows[0]["signal"] == "pdq"
    assert int(rows[0]["distance"]) <= 31
    out = _run(home, "content", "match", *map(str, LABELME[:2]), "--all", "--no-review")
    assert [json.loads(x)["bank"] for x in out.stdout.splitlines()] == ["", ""]
    low = _run(home, "content", "match", str(REF / "misc-images" / "small.jpg"))
    assert "below 50" in low.stderr
    queue = _run(home, "content", "review", "list", "--format", "json").stdout.splitlines()
    item = json.loads(queue[0])
    out = _run(home, "content", "review", "decide", str(item["id"]), "confirmed",
               "--reason", "known propaganda")  # fmt: skip
    assert "confirmed by" in out.stdout, out.stderr
    export = tmp_path / "terror.csv"
    assert _run(home, "content", "bank", "export", "terror", "-o", str(export)).returncode == 0
    lines = export.read_text().splitlines()
    assert lines[0] == "signal_type,hash,label,status"
    assert len(lines) == 5


def test_errors_are_one_line_with_exit_codes(home: Path) -> None:
    out = _run(home, "content", "bank", "add", "nope", str(BRIDGE))
    assert out.returncode == 1
    assert "No hash bank named nope" in out.stderr
    out = _run(home, "content", "bank", "create", "bad name!")
    assert out.returncode == 2
