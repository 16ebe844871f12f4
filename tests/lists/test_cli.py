"""``cthub lists`` through Typer's runner, against a SQLite database in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cthub.interfaces.cli.lists import app
from tests.conftest import SECRET
from tests.lists.conftest import FIXTURES

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CTHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'cthub.db'}")
    monkeypatch.setenv("CTHUB_SECRET_KEY", SECRET)
    monkeypatch.setenv("CTHUB_MODE", "development")


@pytest.mark.usefixtures("env")
def test_load_show_diff() -> None:
    result = runner.invoke(app, ["load", "un", str(FIXTURES / "un-subset.xml")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "list un version 1: 20 entries"
    result = runner.invoke(app, ["load", "ofac-sdn", str(FIXTURES / "ofac")])
    assert result.output.strip() == "list ofac-sdn version 1: 33 entries"
    runner.invoke(app, ["load", "un", str(FIXTURES / "un-subset.xml")])
    result = runner.invoke(app, ["show", "--format", "json"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["list"], r["version"], r["active"]) for r in rows] == [
        ("ofac-sdn", 1, True),
        ("un", 1, False),
        ("un", 2, True),
    ]
    result = runner.invoke(app, ["diff", "un", "--from", "1", "--to", "2", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.strip() == "change,ref"


@pytest.mark.usefixtures("env")
def test_bad_input_raises_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS>")
    result = runner.invoke(app, ["load", "un", str(bad)])
    assert result.exit_code != 0
    assert "bad.xml" in str(result.exception)
