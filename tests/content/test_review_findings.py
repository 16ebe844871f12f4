"""Findings of a fresh-eyes review of the content capability, each pinned by a test.

- A negative bank shared as TLP:GREEN/CLEAR by one organisation must not switch off another
  organisation's matches (anyone could otherwise silence detection for the whole deployment).
- Choosing which banks to match against must not drop the actor's own negative banks:
  known-benign content stays suppressed.
- A label given with an upload is checked like a bank's default label (at most 80 characters):
  PostgreSQL refused a longer one with a server error.
"""

from __future__ import annotations

import pytest

from cthub.content import add_files, create_bank, get_bank, match_files
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from tests import factories
from tests.content.photos import BRIDGE


def test_another_organisations_shared_negative_bank_does_not_suppress(hub: Hub) -> None:
    mine = factories.member(hub, "analyst")
    theirs = factories.member(hub, "analyst")
    create_bank(hub, mine.actor, "ours", label="propaganda")
    add_files(hub, mine.actor, "ours", [BRIDGE])
    create_bank(hub, theirs.actor, "their-benign", negative=True, tlp="TLP:CLEAR")
    add_files(hub, theirs.actor, "their-benign", [BRIDGE])
    (r,) = match_files(hub, mine.actor, [BRIDGE], record=False)
    assert r.suppressed_by == []
    assert {m.bank for m in r.matches} == {"ours"}
    # the owner's own matches are still suppressed by its negative bank
    create_bank(hub, theirs.actor, "their-list", tlp="TLP:AMBER")
    add_files(hub, theirs.actor, "their-list", [BRIDGE])
    (own,) = match_files(hub, theirs.actor, [BRIDGE], record=False)
    assert own.matches == []
    assert own.suppressed_by == ["their-benign"]


def test_choosing_banks_keeps_the_negative_banks(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    create_bank(hub, analyst.actor, "p", label="propaganda")
    add_files(hub, analyst.actor, "p", [BRIDGE])
    create_bank(hub, analyst.actor, "benign", negative=True)
    add_files(hub, analyst.actor, "benign", [BRIDGE])
    (r,) = match_files(hub, analyst.actor, [BRIDGE], banks=["p"], record=False)
    assert r.matches == []
    assert r.suppressed_by == ["benign"]


def test_a_long_label_is_refused_on_every_backend(hub: Hub) -> None:
    """PostgreSQL refuses a label over 80 characters (a 500); SQLite stored it silently."""
    analyst = factories.member(hub, "analyst")
    create_bank(hub, analyst.actor, "p")
    with pytest.raises(InvalidInput, match="Label"):
        add_files(hub, analyst.actor, "p", [BRIDGE], "x" * 81)
    assert get_bank(hub, analyst.actor, "p").active == 0
