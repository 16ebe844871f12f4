"""Node-to-node sync between two real cthub nodes on loopback, and the node routes alone.

The two-node tests share one module-scoped pair (``alpha`` originates, ``beta`` keeps at most
TLP:AMBER from alpha); each test creates its own packages and counts what changed, so the
order of tests does not matter. The route tests at the end sign as ``fiu-b`` of the ``world``
fixture through FastAPI's TestClient, where a second node is not needed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import func, select

from cthub.core.hub import Hub
from cthub.exchange import envelopes, identity, intake, packages, signing, store
from cthub.exchange.models import Decision, Notice, Package, StixObject, SyncCursor
from cthub.exchange.packages import ReleaseSpec
from cthub.exchange.sync import page_of, sync
from cthub.interfaces.api import create_app
from tests.exchange.conftest import World, build_world, stix_bundle, stix_objects
from tests.exchange.nodes import Node, Pair, two_nodes

__all__ = ["two_nodes"]

AMBER = ReleaseSpec(tlp="TLP:AMBER", partners=("beta",), purposes=("ct-investigation",),
                    legal_basis="MoU alpha-beta 2026, art. 4")  # fmt: skip


def share(node: Node, n: int = 5, spec: ReleaseSpec = AMBER, seed: int | None = None) -> str:
    objects = stix_objects(n, seed=seed if seed is not None else uuid.uuid4().int >> 100)
    content = intake.Content("stix", "stix", objects, None)
    return packages.create_from(node.hub, node.analyst.actor, content, spec, title="feed").id


def copy_of(node: Node, remote_id: str) -> Package | None:
    with node.hub.db.session(readonly=True) as s:
        return s.scalars(select(Package).where(Package.remote_id == remote_id)).first()


def objects_of(node: Node, package_id: str) -> list[dict[str, Any]]:
    with node.hub.db.session(readonly=True) as s:
        return [orjson.loads(b) for b in store.bodies(s, package_id)]


def pull(p: Pair, **kwargs: Any) -> Any:
    return sync(p.b.hub, p.b.analyst.actor, "alpha", direction="pull", **kwargs)


def test_pull_brings_released_packages_with_equal_objects(two_nodes: Pair) -> None:
    pull(two_nodes)
    first, second = share(two_nodes.a, 7), share(two_nodes.a, 3)
    result = pull(two_nodes)
    assert result.ok, result.errors
    assert (result.pulled, result.pulled_objects) == (2, 10)
    for pid in (first, second):
        held = copy_of(two_nodes.b, pid)
        assert held is not None
        assert held.tlp == "TLP:AMBER"
        assert held.version == 1
        assert held.legal_basis == AMBER.legal_basis
        assert held.purposes == ["ct-investigation"]
        assert objects_of(two_nodes.b, held.id) == objects_of(two_nodes.a, pid)


def test_second_sync_pulls_only_what_is_new(two_nodes: Pair) -> None:
    pull(two_nodes)
    assert pull(two_nodes).pulled == 0
    fresh = share(two_nodes.a, 4)
    again = pull(two_nodes)
    assert again.pulled == 1
    assert again.pulled_objects == 4
    assert copy_of(two_nodes.b, fresh) is not None


class Cut(httpx.BaseTransport):
    """A loopback transport that fails after ``allowed`` requests (a dropped connection)."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.allowed <= 0:
            raise httpx.ConnectError("connection reset by test", request=request)
        self.allowed -= 1
        return self.inner.handle_request(request)


def test_interrupted_sync_resumes_from_its_cursor(two_nodes: Pair) -> None:
    pull(two_nodes)
    made = [share(two_nodes.a, 2) for _ in range(3)]
    client = httpx.Client(base_url=two_nodes.a.url, transport=Cut(allowed=1))
    cut = pull(two_nodes, limit=1, client=client)  # one page, then the line drops
    assert cut.pulled == 1
    assert not cut.ok
    assert "cannot be reached" in cut.errors[0]
    with two_nodes.b.hub.db.session(readonly=True) as s:
        cursor = s.scalars(select(SyncCursor).where(SyncCursor.direction == "pull")).one()
        assert "cannot be reached" in cursor.last_error
    resumed = pull(two_nodes, limit=1)
    assert resumed.ok
    assert resumed.pulled == 2
    assert resumed.pages == 2
    assert all(copy_of(two_nodes.b, pid) is not None for pid in made)


def test_receiving_policy_refuses_red_and_records_it(two_nodes: Pair) -> None:
    pull(two_nodes)
    spec = ReleaseSpec(tlp="TLP:RED", partners=("beta",), purposes=("ct-investigation",),
                       legal_basis="MoU")  # fmt: skip
    red = share(two_nodes.a, 3, spec)
    result = pull(two_nodes)
    assert result.pulled == 0
    assert result.refused == 1
    assert copy_of(two_nodes.b, red) is None
    with two_nodes.b.hub.db.session(readonly=True) as s:
        refusal = s.scalars(select(Decision).where(Decision.package_id == red)).one()
    assert (refusal.allowed, refusal.clause) == (False, "accept_tlp")
    assert "TLP:AMBER" in refusal.reason


def test_push_is_kept_by_the_partner_and_is_idempotent(two_nodes: Pair) -> None:
    a = two_nodes.a
    sync(a.hub, a.analyst.actor, "beta", direction="push")
    pushed = share(a, 6)
    result = sync(a.hub, a.analyst.actor, "beta", direction="push")
    assert result.ok
    assert result.pushed == 1
    assert result.pushed_objects == 6
    held = copy_of(two_nodes.b, pushed)
    assert held is not None
    assert held.objects == 6
    assert pull(two_nodes).pulled == 0  # the pull finds the same version: nothing changes
    again = copy_of(two_nodes.b, pushed)
    assert again is not None
    assert (again.id, again.seq, again.version) == (held.id, held.seq, 1)


def test_correction_and_erasure_reach_the_partner_and_are_acknowledged(two_nodes: Pair) -> None:
    a, b = two_nodes.a, two_nodes.b
    pid = share(a, 4)
    pull(two_nodes)
    packages.correct(a.hub, a.analyst.actor, pid, stix_bundle(6, seed=77), "fixed.json",
                     reason="two indicators were wrong")  # fmt: skip
    corrected = sync(a.hub, a.analyst.actor, "beta", direction="push")
    assert corrected.notices_delivered >= 1
    assert corrected.notices_acked >= 1
    held = copy_of(b, pid)
    assert held is not None
    assert held.version == 2
    assert held.objects == 6
    packages.erase(a.hub, a.admin.actor, pid, reason="court order 2026/17")
    erased = sync(a.hub, a.analyst.actor, "beta", direction="push")
    assert erased.notices_acked == 1, erased.errors
    held = copy_of(b, pid)
    assert held is not None
    assert held.state == "erased"
    assert held.objects == 0
    assert held.erased_reason == "court order 2026/17"
    with b.hub.db.session(readonly=True) as s:
        assert s.scalar(select(func.count()).where(StixObject.package_id == held.id)) == 0
        received = s.scalars(select(Notice).where(Notice.package_id == held.id,
                                                  Notice.kind == "erasure")).one()  # fmt: skip
        assert received.direction == "in"
        assert received.applied_at is not None
    with a.hub.db.session(readonly=True) as s:
        sent = list(s.scalars(select(Notice).where(Notice.package_id == pid)))
    assert {n.kind for n in sent} == {"correction", "erasure"}
    for notice in sent:
        assert notice.acked_at is not None
        body = envelopes.verify_ack(notice.ack, b.public_key, b.key_id)
        assert body is not None
        assert body["notice"] == notice.id
    assert {n.ack["body"]["result"] for n in sent} == {"corrected", "erased"}


def _signed_get(node: Node, key: SigningKey, target: Node) -> httpx.Request:
    url = f"{target.url}/api/exchange/node/{target.key_id}/packages?after=0"
    return httpx.Request("GET", url, headers=signing.sign_request(key, "GET", url, b""))


def _refusals(node: Node) -> int:
    with node.hub.db.session(readonly=True) as s:
        return int(s.scalar(select(func.count()).where(Decision.clause == "signature")) or 0)


def test_replayed_and_wrongly_signed_requests_are_refused_and_logged(two_nodes: Pair) -> None:
    a, b = two_nodes.a, two_nodes.b
    key_b = identity.org_key(b.hub.settings, b.org_id)
    before = _refusals(a)
    with httpx.Client() as http:
        first = http.send(_signed_get(b, key_b, a))
        assert first.status_code == 200
        replay = http.send(first.request)  # the same headers resent
        assert replay.status_code == 401
        assert replay.json()["reason"] == "replayed_nonce"
        stranger = http.send(_signed_get(b, signing.generate_key(), a))
        assert stranger.status_code == 401
        assert stranger.json()["reason"] == "unknown_key"
    assert _refusals(a) == before + 2
    # a push signed with the wrong key stores nothing on the receiver
    with b.hub.db.session(readonly=True) as s:
        held = s.scalar(select(func.count()).select_from(Package))
    url = f"{b.url}/api/exchange/node/{b.key_id}/inbox"
    new = {"id": str(uuid.uuid4()), "tlp": "TLP:GREEN", "version": 1, "objects": stix_objects(2)}
    body = envelopes.dumps({"type": "packages", "packages": [new]})
    forged = httpx.post(url, content=body, headers=signing.sign_request(
        signing.generate_key(), "POST", url, body))  # fmt: skip
    assert forged.status_code == 401
    with b.hub.db.session(readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Package)) == held
    assert _refusals(b) >= 1


def test_log_view_lists_what_was_disclosed_to_the_partner(two_nodes: Pair) -> None:
    pull(two_nodes)
    share(two_nodes.a, 2)
    pull(two_nodes)
    b = two_nodes.b
    key_b = identity.org_key(b.hub.settings, b.org_id)
    url = f"{two_nodes.a.url}/api/exchange/node/{two_nodes.a.key_id}/log"
    view = httpx.get(url, auth=signing.HttpxSigner(key_b)).json()
    assert view["head"]["size"] >= len(view["entries"]) >= 1
    assert all(orjson.loads(e["leaf"])["partner"] == "beta" for e in view["entries"])


# --- the node routes without a second node -------------------------------------------------


@pytest.fixture
def node_world(sqlite_hub: Hub) -> Iterator[tuple[World, TestClient, str]]:
    w = build_world(sqlite_hub)
    with TestClient(create_app(hub=sqlite_hub)) as client:
        org_id = w.admin.actor.org_id
        assert org_id is not None
        yield w, client, identity.org_key_id(sqlite_hub.settings, org_id)


def test_pull_route_releases_by_rule_and_states_the_purpose(
    node_world: tuple[World, TestClient, str],
) -> None:
    w, client, key_id = node_world
    content = intake.Content("stix", "stix", stix_objects(3), None)
    spec = ReleaseSpec(tlp="TLP:AMBER", audiences=("fius",), purposes=("border-screening",),
                       legal_basis="Treaty")  # fmt: skip
    made = packages.create_from(w.hub, w.analyst.actor, content, spec, title="t")
    auth = signing.HttpxSigner(w.key_of("fiu-b"))
    route = f"/api/exchange/node/{key_id}/packages"
    wrong = client.get(route, auth=auth).json()  # default purpose ct-investigation: refused
    assert wrong["packages"] == []
    assert wrong["refused"] == [{"id": made.id, "clause": "purpose"}]
    right = client.get(route, auth=auth, headers={envelopes.PURPOSE_HEADER: "border-screening"})
    answer = right.json()
    assert [p["id"] for p in answer["packages"]] == [made.id]
    assert len(answer["packages"][0]["objects"]) == 3
    assert answer["next"] >= 1


def test_inbox_refuses_unknown_envelopes_and_malformed_packages(
    node_world: tuple[World, TestClient, str],
) -> None:
    _, client, key_id = node_world
    auth = signing.HttpxSigner(_world_key(node_world))
    route = f"/api/exchange/node/{key_id}/inbox"
    assert client.post(route, content=b'{"type": "gossip"}', auth=auth).status_code == 400
    bad = client.post(route, content=envelopes.dumps({"type": "packages", "packages": [
        {"id": "x", "tlp": "TLP:PURPLE", "version": 1, "objects": []}]}), auth=auth)  # fmt: skip
    assert bad.status_code == 200
    assert bad.json()["refused"][0]["clause"] == "format"


def _world_key(nw: tuple[World, TestClient, str]) -> SigningKey:
    return nw[0].key_of("fiu-b")


def test_page_of_bounds_packages_and_objects() -> None:
    rows = [Package(id=str(i), seq=i, objects=30_000, tlp="TLP:GREEN", org_id=1)
            for i in range(5)]  # fmt: skip
    page, more = page_of(rows, 10)
    assert len(page) == 1
    assert more
    assert page_of(rows[:1], 10) == (rows[:1], False)


def test_private_matching_between_two_nodes_over_signed_requests(two_nodes: Pair) -> None:
    """beta blinds its list and posts it to alpha's PSI route, signed; alpha answers only once
    it offers beta a list, and neither side's audit holds an identifier."""
    from cthub.core.errors import Unavailable
    from cthub.core.tables import AuditEvent
    from cthub.exchange import psimatch
    from cthub.exchange.models import Partner
    from cthub.screening import watch

    a, b = two_nodes.a, two_nodes.b
    watch(a.hub, a.analyst.actor, [
        {"id": "a-1", "name": "Abu Bakr al-Baghdadi", "birth_date": "1971-07-28"},
        {"id": "a-2", "name": "Karim Benali", "id_number": "P 123 456 78", "nationality": "FR"},
        {"id": "a-3", "name": "Jane Ordinary", "birth_date": "1980-01-01"}])  # fmt: skip
    watch(b.hub, b.analyst.actor, [
        {"id": "b-1", "name": "AL-BAGHDADI, Abu Bakr", "birth_date": "1971-07-28"},
        {"id": "b-2", "name": "K. Benali", "id_number": "p12345678", "nationality": "FR"},
        {"id": "b-3", "name": "Jane Ordinary", "birth_date": "1981-01-01"}])  # fmt: skip
    with pytest.raises(Unavailable, match=r"refused the matching \(403\)"):
        psimatch.match(b.hub, b.analyst.actor, "alpha", "watchlist")
    with a.hub.db.session() as s:
        s.scalars(select(Partner).where(Partner.name == "beta")).one().psi_list = "watchlist"
    result = psimatch.match(b.hub, b.analyst.actor, "alpha", "watchlist")
    assert result.matches == ["b-1", "b-2"]
    for node in (a, b):
        with node.hub.db.session(readonly=True) as s:
            events = s.scalars(select(AuditEvent).where(AuditEvent.resource_type == "exchange_psi"))
            details = [orjson.dumps(e.details).decode() for e in events]
        assert details
        assert not any("Baghdadi" in d or "Benali" in d for d in details)
