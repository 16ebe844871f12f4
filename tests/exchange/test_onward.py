"""Onward-sharing requests and decisions: between two real nodes, and between two organisations
of one node (the recipient is a local partner of the originator)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cthub.core.errors import Conflict, Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.exchange import export, intake, logverify, packages, partners, signing
from cthub.exchange.models import Decision, OnwardRequest, PackagePartner
from cthub.exchange.onward import decide_onward, onward_requests, request_onward
from cthub.exchange.packages import ReleaseSpec
from cthub.exchange.sync import sync
from tests.exchange.conftest import build_world, stix_objects
from tests.exchange.nodes import Pair, two_nodes
from tests.exchange.test_sync import AMBER, copy_of, share
from tests.factories import OPERATOR

__all__ = ["two_nodes"]


@pytest.fixture(scope="module")
def received(two_nodes: Pair) -> tuple[str, str]:
    """A package alpha shared with beta, beta's copy of it, and beta's partner ``gamma``."""
    pid = share(two_nodes.a, 3)
    sync(two_nodes.b.hub, two_nodes.b.analyst.actor, "alpha", direction="pull")
    held = copy_of(two_nodes.b, pid)
    assert held is not None
    key = signing.generate_key()
    partners.add_partner(two_nodes.b.hub, two_nodes.b.admin.actor, "gamma",
                         url="http://127.0.0.1:9", public_key=signing.public_key_text(
                             key.verify_key).encode())  # fmt: skip
    return pid, held.id


def test_approval_makes_the_target_a_named_partner_of_the_copy(
    two_nodes: Pair, received: tuple[str, str]
) -> None:
    a, b = two_nodes.a, two_nodes.b
    pid, copy = received
    asked = request_onward(b.hub, b.analyst.actor, copy, "gamma", "ct-investigation",
                           "gamma runs the joint investigation")  # fmt: skip
    assert (asked.role, asked.state) == ("asked", "pending")
    pending = onward_requests(a.hub, a.admin.actor, state="pending")
    mine = [r for r in pending if r.package_id == pid]
    assert len(mine) == 1
    assert mine[0].role == "decide"
    assert mine[0].target == "gamma"
    with pytest.raises(Forbidden):
        decide_onward(a.hub, a.analyst.actor, mine[0].id, True, "fine")
    decided = decide_onward(a.hub, a.admin.actor, mine[0].id, True, "within the MoU")
    assert decided.state == "approved"
    assert decided.decided_by == a.admin.actor.name
    with pytest.raises(Conflict):
        decide_onward(a.hub, a.admin.actor, mine[0].id, False, "changed my mind")
    theirs = [r for r in onward_requests(b.hub, b.analyst.actor) if r.id == asked.id]
    assert theirs[0].state == "approved"
    assert theirs[0].decision_reason == "within the MoU"
    with b.hub.db.session(readonly=True) as s:
        named = s.scalars(select(PackagePartner.partner_id).where(
            PackagePartner.package_id == copy)).all()  # fmt: skip
        gamma = s.scalars(select(OnwardRequest.target_partner_id).where(
            OnwardRequest.id == asked.id)).one()  # fmt: skip
    assert named == [gamma]
    with a.hub.db.session(readonly=True) as s:
        logged = s.scalars(select(Decision).where(Decision.package_id == pid,
                                                  Decision.clause == "approval")).one()  # fmt: skip
    assert logged.allowed
    assert logged.operation == "onward"
    # the approval takes effect: beta may now pass its TLP:AMBER copy to gamma, and only it
    given = export.export(b.hub, b.analyst.actor, "gamma", purpose="ct-investigation")
    assert given.packages == [copy]
    assert export.export(b.hub, b.analyst.actor, "gamma", purpose="border-screening").packages == []


def test_refusal_reaches_the_recipient_and_names_no_one(
    two_nodes: Pair, received: tuple[str, str]
) -> None:
    a, b = two_nodes.a, two_nodes.b
    pid, copy = received
    asked = request_onward(b.hub, b.analyst.actor, copy, "gamma", "border-screening",
                           "gamma screens the border")  # fmt: skip
    row = [r for r in onward_requests(a.hub, a.admin.actor, state="pending") if r.package_id == pid]
    decide_onward(a.hub, a.admin.actor, row[0].id, False, "not for border screening")
    theirs = [r for r in onward_requests(b.hub, b.analyst.actor) if r.id == asked.id]
    assert theirs[0].state == "refused"


def test_request_needs_a_reason_and_a_known_purpose(
    two_nodes: Pair, received: tuple[str, str]
) -> None:
    b = two_nodes.b
    with pytest.raises(InvalidInput):
        request_onward(b.hub, b.analyst.actor, received[1], "gamma", "ct-investigation", " ")
    with pytest.raises(InvalidInput):
        request_onward(b.hub, b.analyst.actor, received[1], "gamma", "gossip", "why not")


def test_local_recipient_asks_its_originator_on_the_same_node(sqlite_hub: Hub) -> None:
    w = build_world(sqlite_hub)
    content = intake.Content("stix", "stix", stix_objects(2), None)
    spec = ReleaseSpec(tlp="TLP:AMBER", partners=("border",), purposes=AMBER.purposes,
                       legal_basis="Interagency MoU")  # fmt: skip
    made = packages.create_from(w.hub, w.analyst.actor, content, spec, title="local")
    key = signing.generate_key()
    partners.add_partner(w.hub, OPERATOR, "coast-guard", url="http://127.0.0.1:9",
                         public_key=signing.public_key_text(key.verify_key).encode(),
                         org=w.local_org)  # fmt: skip
    asked = request_onward(w.hub, w.local_user.actor, made.id, "coast-guard",
                           "ct-investigation", "joint patrol")  # fmt: skip
    assert asked.role == "decide"
    assert asked.state == "pending"
    assert export.export(w.hub, OPERATOR, "coast-guard", org=w.local_org).packages == []
    decided = decide_onward(w.hub, w.admin.actor, asked.id, True, "approved")
    assert decided.state == "approved"
    # the local recipient now holds a copy naming the target, and may pass it on
    given = export.export(w.hub, OPERATOR, "coast-guard", org=w.local_org)
    assert len(given.packages) == 1
    assert given.objects == 2
    assert logverify.verify_own(w.hub, OPERATOR, org=w.origin).ok
