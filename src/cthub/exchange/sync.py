"""Node-to-node sync: pull from and push to a partner node, incremental and resumable.

Server side, ``serve_pull`` answers a partner's signed ``GET .../packages?after=<seq>``: the
candidates with a higher sync sequence, each decided for the partner under ``sync`` (every
decision recorded), the allowed ones sent with their rule and objects, one disclosure leaf per
package sent, and ``next`` (the last sequence examined) and ``more``. Pages are bounded by
packages and by objects. ``serve_inbox`` takes a signed envelope (``envelopes.ENVELOPES``).

Client side, ``sync`` pulls (the partner's answer is kept only as this node's policy allows,
``inbox.receive``), pushes what the partner may receive that changed since the push cursor
(the partner's node applies its own policy and says what it refused), after delivering the
queued notices. A cursor (``SyncCursor`` per partner and direction) moves only after the page it
covers is committed, so an interrupted sync resumes where it stopped and repeats at most one
page, which the version check makes harmless. Failures are written to the cursor's
``last_error`` and returned in ``SyncResult.errors``; the sync does not raise for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import disclosure, inbox, notices, onward, store
from cthub.exchange.envelopes import ENVELOPES, dumps, payload
from cthub.exchange.models import Package, SyncCursor
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.peers import Link, Peer, partner_row, peer_named
from cthub.exchange.scope import acting_org
from cthub.exchange.sharing import Released, candidates, disclose, release

PAGE_PACKAGES = 200
PAGE_OBJECTS = 50_000
DIRECTIONS = ("both", "pull", "push")


@dataclass
class SyncResult:
    partner: str
    pulled: int = 0
    pulled_objects: int = 0
    pushed: int = 0
    pushed_objects: int = 0
    unchanged: int = 0
    #: packages refused: by the partner's rule (pull) or by the partner's own policy (push),
    #: or by this node's policy on arrival
    refused: int = 0
    notices_delivered: int = 0
    notices_acked: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def page_of(found: list[Package], limit: int) -> tuple[list[Package], bool]:
    """The first packages of ``found`` within ``limit`` packages and ``PAGE_OBJECTS`` objects."""
    page: list[Package] = []
    objects = 0
    for p in found[: max(1, min(limit, PAGE_PACKAGES))]:
        if page and objects + p.objects > PAGE_OBJECTS:
            break
        page.append(p)
        objects += p.objects
    return page, len(page) < len(found)


Given = tuple[list[Released], dict[str, list[bytes]]]


def _given(session: Session, released: list[Released]) -> Given:
    given = [r for r in released if r.verdict.allowed]
    return given, {r.package.id: store.bodies(session, r.package.id) for r in given}


def serve_pull(
    hub: Hub, caller: NodeCaller, *, after: int, limit: int, purpose: str | None
) -> bytes:
    """The answer to a partner's pull (JSON bytes); its disclosures are logged and signed."""
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = partner_row(u.s, caller.partner_id)
        stated = (purpose or partner.default_purpose)[:40]
        page, more = page_of(candidates(u.s, caller.org_id, partner, after_seq=after), limit)
        released = release(u.s, caller.org_id, partner, page, operation="sync", purpose=stated,
                           actor=caller.actor.name)  # fmt: skip
        given, bodies = _given(u.s, released)
        disclose(u.s, caller.org_id, partner, given, purpose=stated, actor=caller.actor.name,
                 bodies=bodies)  # fmt: skip
        refused = [{"id": r.package.id, "clause": r.verdict.clause}
                   for r in released if not r.verdict.allowed]  # fmt: skip
        answer = dumps({"packages": [payload(r.package, bodies[r.package.id]) for r in given],
                        "refused": refused, "next": page[-1].seq if page else after,
                        "more": more})  # fmt: skip
        u.audit("exchange_sync", partner.id, org_id=caller.org_id,
                details={"served": "pull", "after": after, "given": len(given),
                         "refused": len(refused), "purpose": stated})  # fmt: skip
    if given:
        disclosure.publish_head(hub.settings, hub.db, caller.org_id)
    return answer


def _accept_push(hub: Hub, caller: NodeCaller, envelope: dict[str, Any]) -> dict[str, Any]:
    raws = envelope.get("packages")
    if not isinstance(raws, list):
        raise InvalidInput("The packages envelope has no list of packages.")
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = partner_row(u.s, caller.partner_id)
        arrival = inbox.receive(u.s, caller.org_id, partner, raws, actor=caller.actor.name)
        u.audit("exchange_sync", partner.id, org_id=caller.org_id,
                details={"served": "push", "accepted": len(arrival.accepted),
                         "unchanged": len(arrival.unchanged),
                         "refused": len(arrival.refused)})  # fmt: skip
    return arrival.to_json()


HANDLERS: dict[str, Callable[[Hub, NodeCaller, dict[str, Any]], dict[str, Any]]] = {
    "packages": _accept_push,
    "notice": notices.apply,
    "ack": notices.late_ack,
    "onward-request": onward.received_request,
    "onward-decision": onward.received_decision,
}


def serve_inbox(hub: Hub, caller: NodeCaller, body: bytes) -> dict[str, Any]:
    """Handle one signed envelope from a partner node; returns the JSON answer."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError:
        envelope = None
    kind = envelope.get("type") if isinstance(envelope, dict) else None
    if not isinstance(envelope, dict) or kind not in HANDLERS:
        raise InvalidInput("The inbox takes a JSON envelope whose type is one of {types}.",
                           types=", ".join(ENVELOPES))  # fmt: skip
    return HANDLERS[str(kind)](hub, caller, envelope)


def _cursor(hub: Hub, partner_id: int, direction: str) -> int:
    with hub.db.session(readonly=True) as s:
        row = s.get(SyncCursor, (partner_id, direction))
        return row.cursor if row else 0


def _advance(session: Session, partner_id: int, direction: str, value: int) -> None:
    row = session.get(SyncCursor, (partner_id, direction))
    if row is None:
        row = SyncCursor(partner_id=partner_id, direction=direction)
        session.add(row)
    row.cursor, row.updated_at, row.last_error = value, utcnow(), ""


def _failed(hub: Hub, partner_id: int, direction: str, message: str) -> None:
    with hub.db.session() as s:
        row = s.get(SyncCursor, (partner_id, direction))
        if row is None:
            row = SyncCursor(partner_id=partner_id, direction=direction, cursor=0)
            s.add(row)
        row.last_error, row.updated_at = message[:2000], utcnow()


def _pull(hub: Hub, actor: Actor, peer: Peer, link: Link, result: SyncResult, limit: int,
          max_pages: int | None) -> None:  # fmt: skip
    cursor = _cursor(hub, peer.partner_id, "pull")
    pages = 0
    while max_pages is None or pages < max_pages:
        answer = link.get("/packages", {"after": cursor, "limit": limit}, peer.default_purpose)
        nxt = int(answer.get("next", cursor))
        with hub.unit(actor, "exchange.sync") as u:
            partner = partner_row(u.s, peer.partner_id)
            arrival = inbox.receive(u.s, peer.org_id, partner, list(answer.get("packages", [])),
                                    actor=actor.name)  # fmt: skip
            _advance(u.s, peer.partner_id, "pull", max(cursor, nxt))
            u.audit(
                "exchange_sync",
                peer.partner_id,
                org_id=peer.org_id,
                details={
                    "pull": peer.name,
                    "after": cursor,
                    "next": nxt,
                    "kept": len(arrival.accepted),
                    "refused": len(arrival.refused),
                },
            )
        pages += 1
        result.pages += 1
        result.pulled += len(arrival.accepted)
        result.pulled_objects += arrival.objects
        result.unchanged += len(arrival.unchanged)
        result.refused += len(arrival.refused) + len(answer.get("refused", []))
        if not answer.get("more") or nxt <= cursor:
            break
        cursor = nxt


def _push(hub: Hub, actor: Actor, peer: Peer, link: Link, result: SyncResult, limit: int,
          max_pages: int | None) -> None:  # fmt: skip
    cursor = _cursor(hub, peer.partner_id, "push")
    pages = 0
    while max_pages is None or pages < max_pages:
        with hub.unit(actor, "exchange.sync") as u:  # decisions are recorded even if not sent
            partner = partner_row(u.s, peer.partner_id)
            page, more = page_of(candidates(u.s, peer.org_id, partner, after_seq=cursor), limit)
            released = release(u.s, peer.org_id, partner, page, operation="sync",
                               purpose=peer.default_purpose, actor=actor.name)  # fmt: skip
            given, bodies = _given(u.s, released)
            u.audit(
                "exchange_sync",
                peer.partner_id,
                org_id=peer.org_id,
                details={"push": peer.name, "after": cursor, "given": len(given)},
            )
        if not page:
            break
        nxt = page[-1].seq
        answer: dict[str, Any] = {}
        if given:
            answer = link.post({"type": "packages", "packages": [
                payload(r.package, bodies[r.package.id]) for r in given]})  # fmt: skip
        with hub.unit(actor, "exchange.sync") as u:
            partner = partner_row(u.s, peer.partner_id)
            disclose(u.s, peer.org_id, partner, given, purpose=peer.default_purpose,
                     actor=actor.name, bodies=bodies)  # fmt: skip
            _advance(u.s, peer.partner_id, "push", nxt)
            u.audit("exchange_sync", peer.partner_id, org_id=peer.org_id,
                    details={"pushed": peer.name, "next": nxt,
                             "accepted": len(answer.get("accepted", [])),
                             "refused": len(answer.get("refused", []))})  # fmt: skip
        if given:
            disclosure.publish_head(hub.settings, hub.db, peer.org_id)
        pages += 1
        result.pages += 1
        result.pushed += len(answer.get("accepted", []))
        result.pushed_objects += int(answer.get("objects", 0))
        result.unchanged += len(answer.get("unchanged", []))
        result.refused += len(answer.get("refused", [])) + len(released) - len(given)
        if not more:
            break
        cursor = nxt


def _guarded(
    hub: Hub, peer: Peer, direction: str, result: SyncResult, work: Callable[[], None]
) -> None:
    try:
        work()
    except CthubError as exc:
        result.errors.append(exc.render())
        _failed(hub, peer.partner_id, direction, exc.render())


def sync(
    hub: Hub, actor: Actor, partner_name: str, *, org: str | None = None,
    direction: str = "both", client: httpx.Client | None = None, limit: int = PAGE_PACKAGES,
    max_pages: int | None = None,
) -> SyncResult:  # fmt: skip
    """Sync the organisation with one partner node; see the module docstring.

    ``client`` replaces the HTTP client made for the partner's URL (tests, benchmarks);
    ``max_pages`` stops each direction after that many pages (the cursor says where).
    """
    if direction not in DIRECTIONS:
        raise InvalidInput("Unknown sync direction {direction}.", hint="Use both, pull or push.",
                           direction=direction[:10])  # fmt: skip
    with hub.unit(actor, "exchange.sync") as u:
        owner = acting_org(u, org)
        peer = peer_named(u.s, owner.id, partner_name)
        u.audit("exchange_sync", peer.partner_id, org_id=owner.id,
                details={"partner": peer.name, "direction": direction})  # fmt: skip
    result = SyncResult(peer.name)
    with Link(hub.settings, peer, client) as link:
        if direction in ("both", "pull"):
            _guarded(hub, peer, "pull", result,
                     lambda: _pull(hub, actor, peer, link, result, limit, max_pages))  # fmt: skip
        if direction in ("both", "push"):  # notices first: a correction arrives with its reason
            delivered, acked, errors = notices.deliver(hub, actor, peer, link)
            result.notices_delivered, result.notices_acked = delivered, acked
            result.errors.extend(errors)
            _guarded(hub, peer, "push", result,
                     lambda: _push(hub, actor, peer, link, result, limit, max_pages))  # fmt: skip
    return result


__all__ = ["DIRECTIONS", "SyncResult", "page_of", "serve_inbox", "serve_pull", "sync"]
