"""Overlap review as a service, on both backends: stored reasons read in each language,
decisions kept when detection runs again, coordinator-only decisions."""

from __future__ import annotations

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import analysis
from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.core.i18n import gettext
from tests import factories

BASE = {
    "recipient": "KE", "areas": ["customs"], "forms": ["training"], "status": "implementation",
    "start_date": "2026-02-01", "end_date": "2027-01-31",
}  # fmt: skip
PAIR = (
    {**BASE, "donor": "Japan International Cooperation Agency",
     "title": "Training of customs officers on container screening at Mombasa port",
     "description": "Risk profiling and non-intrusive inspection of containers."},
    {**BASE, "donor": "Korea International Cooperation Agency",
     "title": "Training customs officers in container screening, Mombasa port",
     "description": "Non-intrusive inspection and risk profiling of containers."},
)  # fmt: skip


def test_reasons_are_stored_as_msgids_and_read_in_each_language(hub: Hub) -> None:
    for data in PAIR:
        co.create_project(hub, factories.member(hub, "analyst").actor, data)
    coordinator = factories.member(hub, "coordinator")
    flagged = analysis.detect(hub, coordinator.actor)
    assert (flagged.pairs, flagged.new) == (1, 1)
    [view] = analysis.list_overlaps(hub, coordinator.actor)
    english = view.reasons_in()
    chinese = view.reasons_in(gettext("zh_Hans"))
    assert english == view.reasons
    assert "same recipient KE" in english
    assert chinese != english
    assert "KE" in chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    with pytest.raises(InvalidInput, match="reason"):
        analysis.decide_overlap(hub, coordinator.actor, view.id, "dismissed", "  ")
    donor = factories.member(hub, "analyst")
    with pytest.raises(Forbidden):
        analysis.decide_overlap(hub, donor.actor, view.id, "dismissed", "not ours")
    analysis.decide_overlap(hub, coordinator.actor, view.id, "dismissed", "Different ports.")
    again = analysis.detect(hub, coordinator.actor)
    assert (again.new, again.kept_decisions) == (0, 1)
    [kept] = analysis.list_overlaps(hub, coordinator.actor)
    assert (kept.state, kept.note, kept.decided_by) == (
        "dismissed", "Different ports.", coordinator.actor.name,
    )  # fmt: skip
