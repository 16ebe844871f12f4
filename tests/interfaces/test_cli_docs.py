"""Every CLI command is documented in docs/cli.md (a new command without docs fails here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from cthub.interfaces.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _paths(cmd: Any, prefix: str) -> list[str]:
    subcommands = getattr(cmd, "commands", None)  # typer vendors its own click: duck-type
    if subcommands:
        out: list[str] = []
        for name, sub in subcommands.items():
            out += _paths(sub, f"{prefix} {name}")
        return out
    return [prefix]


def test_every_command_is_documented() -> None:
    text = DOCS.read_text()
    commands = _paths(typer.main.get_command(app), "cthub")
    assert len(commands) >= 15
    missing = [c for c in commands if f"`{c}" not in text and f"/ `{c}" not in text]
    assert not missing, f"document in docs/cli.md: {missing}"
