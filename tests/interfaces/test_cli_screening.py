"""The screening CLI contract in a fresh process: columns, ordering, limits and bad input."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "cthub")
HEADER = "query_id,score,list,list_ref,matched_name,entity_name,explanation"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screening")
    done = _run(path, "lists", "load", "un")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "list un version 1: 1003 entries"
    return path


def _run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
    }
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_contract(workdir: Path) -> None:
    rows = "id,name,birth_date,nationality\nq1,Eric Badege,,\nq2,Zzyzx Qwerty,,\n"
    done = _run(
        workdir,
        "screening",
        "screen",
        "--input",
        "-",
        "--output",
        "-",
        "--lists",
        "un",
        "--top",
        "2",
        stdin=rows,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == HEADER
    out = list(csv.DictReader(io.StringIO(done.stdout)))
    assert out
    assert {r["query_id"] for r in out} == {"q1"}
    assert len(out) <= 2
    assert out[0]["list_ref"] == "CDi.001"
    assert out[0]["list"] == "un"
    scores = [float(r["score"]) for r in out]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= 0.7 for s in scores)


def test_files_and_threshold(workdir: Path) -> None:
    (workdir / "in.csv").write_text("id,name\na,ERIC BADEGE\n", encoding="utf-8")
    done = _run(
        workdir,
        "screening",
        "screen",
        "--input",
        "in.csv",
        "--output",
        "out.csv",
        "--threshold",
        "0.99",
    )
    assert done.returncode == 0, done.stderr
    out = (workdir / "out.csv").read_text().splitlines()
    assert out[0] == HEADER
    assert all(float(line.split(",")[1]) >= 0.99 for line in out[1:])


def test_missing_column_is_named(workdir: Path) -> None:
    done = _run(
        workdir,
        "screening",
        "screen",
        "--input",
        "-",
        "--output",
        "-",
        stdin="identifier,full_name\n1,X\n",
    )
    assert done.returncode == 2
    assert "stdin line 1: column id, name is missing" in done.stderr


def test_bad_rows_skip_or_abort(workdir: Path) -> None:
    rows = "id,name,birth_date\n1,Eric Badege,\n2,Someone,19xx\n"
    skip = _run(workdir, "screening", "screen", "--input", "-", "--output", "-", stdin=rows)
    assert skip.returncode == 0
    assert "stdin line 3: birth_date 19xx is not YYYY or YYYY-MM-DD." in skip.stderr
    abort = _run(
        workdir,
        "screening",
        "screen",
        "--input",
        "-",
        "--output",
        "-",
        "--on-error",
        "abort",
        stdin=rows,
    )
    assert abort.returncode == 2
    assert "birth_date 19xx" in abort.stderr
