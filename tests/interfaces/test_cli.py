"""The CLI in a fresh process: init, users, keys, audit verify and error exit codes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "cthub")


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(tmp_path),
        "CTHUB_MODE": "demo",
    }

    def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CLI, *args],
            env=env,
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return _run


def test_init_users_keys_audit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("init", "--org", "Ministry of Interior")
    assert first.returncode == 0, first.stderr
    assert "created administrator admin in Ministry of Interior; password: " in first.stdout
    assert "created administrator" not in run("init").stdout  # idempotent
    made = run("users", "create", "fiu.analyst", "--role", "analyst")
    assert made.returncode == 0
    assert "password: " in made.stdout
    given = run(
        "users",
        "create",
        "viewer1",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="a sufficiently long password\n",
    )
    assert given.returncode == 0
    assert "password:" not in given.stdout
    listing = run("users", "list", "--format", "csv")
    assert listing.stdout.splitlines()[0] == "username,display_name,org,role,disabled,created_at"
    assert {line.split(",")[0] for line in listing.stdout.splitlines()[1:]} == {
        "admin",
        "fiu.analyst",
        "viewer1",
    }
    key = run("keys", "create", "bank-feed", "--role", "viewer")
    assert key.returncode == 0
    assert key.stdout.strip().startswith("cth_")
    assert run("users", "disable", "viewer1").returncode == 0
    verified = run("audit", "verify")
    assert verified.returncode == 0
    assert "audit log intact" in verified.stdout
    events = run("audit", "list", "--action", "users.", "--format", "json").stdout.splitlines()
    assert len(events) >= 3


def test_errors_exit_with_their_code_and_a_hint(run) -> None:  # type: ignore[no-untyped-def]
    run("init")
    bad = run("users", "create", "someone", "--role", "boss")
    assert bad.returncode == 2
    assert "error: Unknown role boss." in bad.stderr
    assert "hint: Use one of:" in bad.stderr
    missing = run("users", "disable", "ghost")
    assert missing.returncode == 1
    assert "No user named ghost." in missing.stderr


def test_verify_names_the_tampered_event(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    run("users", "create", "a.user", "--role", "viewer")
    conn = sqlite3.connect(tmp_path / "cthub.db")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2")
    conn.commit()
    conn.close()
    result = run("audit", "verify")
    assert result.returncode == 1
    assert "BROKEN at event 2" in result.stdout


def test_production_refuses_to_start_without_secret(tmp_path: Path) -> None:
    env_run = subprocess.run(
        [CLI, "users", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": os.environ["PATH"],
            "CTHUB_MODE": "production",
            "CTHUB_DATA_DIR": str(tmp_path),
        },
    )
    assert env_run.returncode == 2
    assert "CTHUB_SECRET_KEY is missing" in env_run.stderr
