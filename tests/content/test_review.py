"""Review decisions: reason, user and time recorded and audited; rejection feeds a negative
bank; roles and organisations respected; thumbnails kept for the reviewer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cthub.content import (
    add_files,
    create_bank,
    decide,
    get_item,
    match_files,
    queue,
    thumbnail,
)
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from tests import factories
from tests.content.photos import BRIDGE, LABELME


@pytest.fixture
def item(hub: Hub) -> tuple[Hub, factories.Member, int]:
    analyst = factories.member(hub, "analyst")
    create_bank(hub, analyst.actor, "p", label="propaganda", tlp="TLP:GREEN")
    add_files(hub, analyst.actor, "p", [BRIDGE])
    (r,) = match_files(hub, analyst.actor, [BRIDGE], banks=["p"])
    pdq = next(m for m in r.matches if m.signal == "pdq")
    assert pdq.review_id is not None
    return hub, analyst, pdq.review_id


def test_decision_is_recorded_with_reason_user_and_time(item: tuple) -> None:
    hub, analyst, item_id = item
    reviewer = factories.member(hub, "reviewer", analyst.org)
    with pytest.raises(InvalidInput):
        decide(hub, reviewer.actor, item_id, "confirmed", "  ")
    with pytest.raises(InvalidInput):
        decide(hub, reviewer.actor, item_id, "maybe", "unsure")
    done = decide(hub, reviewer.actor, item_id, "confirmed", "ISIS propaganda still")
    assert (done.state, done.decided_by, done.reason) == (
        "confirmed", reviewer.username, "ISIS propaganda still")  # fmt: skip
    assert done.decided_at is not None
    with pytest.raises(Conflict):
        decide(hub, reviewer.actor, item_id, "rejected", "changed my mind")
    with hub.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "content.review")).all()
    assert any(e.details.get("decision") == "confirmed" for e in events)


def test_rejection_feeds_a_negative_bank(item: tuple) -> None:
    hub, analyst, item_id = item
    create_bank(hub, analyst.actor, "benign", negative=True)
    decide(hub, analyst.actor, item_id, "rejected", "news report of the event", "benign")
    (again,) = match_files(hub, analyst.actor, [BRIDGE], banks=["p", "benign"])
    assert again.matches == []
    assert again.suppressed_by == ["benign"]


def test_reviewer_cannot_feed_a_bank_and_viewer_cannot_decide(item: tuple) -> None:
    hub, analyst, item_id = item
    create_bank(hub, analyst.actor, "benign", negative=True)
    reviewer = factories.member(hub, "reviewer", analyst.org)
    viewer = factories.member(hub, "viewer", analyst.org)
    with pytest.raises(Forbidden):
        decide(hub, reviewer.actor, item_id, "rejected", "benign", "benign")
    assert get_item(hub, analyst.actor, item_id).state == "open"  # nothing half-done
    with pytest.raises(Forbidden):
        decide(hub, viewer.actor, item_id, "confirmed", "x")


def test_other_organisations_do_not_see_the_item(item: tuple) -> None:
    hub, _analyst, item_id = item
    stranger = factories.member(hub, "reviewer")
    assert queue(hub, stranger.actor) == ([], 0)
    with pytest.raises(NotFound):
        decide(hub, stranger.actor, item_id, "confirmed", "x")


def test_thumbnail_is_small_jpeg_and_unrelated_photos_open_nothing(item: tuple) -> None:
    hub, analyst, item_id = item
    data = thumbnail(hub, analyst.actor, item_id)
    assert data[:3] == b"\xff\xd8\xff"
    assert len(data) < 20_000
    assert get_item(hub, analyst.actor, item_id).has_thumbnail
    (r,) = match_files(hub, analyst.actor, [LABELME[0]])
    assert r.matches == []
    assert queue(hub, analyst.actor)[1] == 3  # md5, sha256, pdq of the one true match
