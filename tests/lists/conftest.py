"""Fixtures for list tests: small documented inputs in tests/fixtures/lists, and the shared data.

The full OFAC set is read from ../shared/data only by the parser test, through ``shared_data``,
which fails (not skips) with the missing path when the checkout lacks it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cthub.lists.models  # noqa: F401 - the tables, until the cthub.models entry point is installed

FIXTURES = Path(__file__).parent.parent / "fixtures" / "lists"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def shared_data(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.fail(f"shared data file {path} is missing; see tests/fixtures/lists/README.md")
    return path
