"""Correction and erasure notices between nodes, and their signed acknowledgements.

``packages.correct`` and ``packages.erase`` queue one ``out`` notice per remote partner the
package was disclosed to. ``deliver`` (run by ``sync``) posts each to the partner's inbox in a
signed request: a correction carries the corrected package when its rule still releases it to
that partner (the release is decided, recorded and logged like any other), an erasure carries
nothing. The receiving node applies it (``apply``) to its copy: a correction replaces objects
and version (its own acceptance policy still applies), an erasure deletes the objects and marks
the copy erased, keeping who asked, when and why on the ``in`` notice row; it then queues
notices of its own for the partners it passed the package on to. Either way it answers with an
acknowledgement signed by its organisation key, which the sender verifies against the key it
registered for the partner and stores on the notice (``acked_at``, ``ack``). A notice
delivered twice is applied once and acknowledged with the same signed ack.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import CthubError, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import disclosure, identity, inbox, store
from cthub.exchange.envelopes import parse_payload, payload, sign_ack, verify_ack
from cthub.exchange.models import Disclosure, Notice, Package, Partner
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.peers import Link, Peer, partner_row
from cthub.exchange.sharing import Released, candidates, disclose, release

KINDS = ("correction", "erasure")
#: names the ``in`` row of a notice: the same notice from the same sender is one row
RECEIVED = uuid.UUID("0b5c6c52-2f4e-4d54-9a43-6c1f3f1d1e01")


def pending(session: Session, partner_id: int) -> list[Notice]:
    return list(session.scalars(
        select(Notice).where(Notice.direction == "out", Notice.partner_id == partner_id,
                             Notice.delivered_at.is_(None)).order_by(Notice.created_at)
    ))  # fmt: skip


def record_ack(session: Session, notice: Notice, signed: Any, partner: Partner) -> bool:
    """Store a verified acknowledgement on ``notice``; False when it does not verify."""
    body = verify_ack(signed, partner.public_key, partner.key_id)
    if body is None or body.get("notice") != notice.id:
        notice.error = "The acknowledgement does not verify under the partner's key."
        return False
    notice.acked_at, notice.ack, notice.error = utcnow(), signed, ""
    return True


Prepared = tuple[dict[str, Any], list[Released], dict[str, list[bytes]]]


def _notice(session: Session, notice_id: str) -> Notice:
    found = session.get(Notice, notice_id)
    if found is None:
        raise NotFound("Notice {id} does not exist.", id=notice_id[:36])
    return found


def _prepare(hub: Hub, actor: Actor, peer: Peer, notice_id: str) -> Prepared:
    """The envelope of one notice; a correction carries the package if still released."""
    given: list[Released] = []
    bodies: dict[str, list[bytes]] = {}
    with hub.unit(actor, "exchange.sync") as u:
        notice = _notice(u.s, notice_id)
        envelope: dict[str, Any] = {"type": "notice", "id": notice.id, "package": notice.package_id,
                                    "kind": notice.kind, "version": notice.version,
                                    "reason": notice.reason}  # fmt: skip
        partner = partner_row(u.s, peer.partner_id)
        found = candidates(u.s, peer.org_id, partner, package_ids=[notice.package_id])
        if notice.kind == "correction" and found:
            released = release(u.s, peer.org_id, partner, found, operation="sync",
                               purpose=peer.default_purpose, actor=actor.name)  # fmt: skip
            given = [r for r in released if r.verdict.allowed]
            for r in given:
                bodies[r.package.id] = store.bodies(u.s, r.package.id)
                envelope["payload"] = payload(r.package, bodies[r.package.id])
        u.audit("exchange_notice", notice.id, org_id=peer.org_id,
                details={"deliver": notice.kind, "partner": peer.name,
                         "with_package": bool(given)})  # fmt: skip
    return envelope, given, bodies


def deliver(hub: Hub, actor: Actor, peer: Peer, link: Link) -> tuple[int, int, list[str]]:
    """Post every queued notice for ``peer``; returns (delivered, acknowledged, errors)."""
    with hub.db.session(readonly=True) as s:
        queued = [n.id for n in pending(s, peer.partner_id)]
    delivered = acked = 0
    logged = False
    errors: list[str] = []
    for notice_id in queued:
        envelope, given, bodies = _prepare(hub, actor, peer, notice_id)
        try:
            answer = link.post(envelope)
        except CthubError as exc:
            errors.append(exc.render())
            with hub.db.session() as s:
                row = s.get(Notice, notice_id)
                if row is not None:
                    row.error = exc.render()[:2000]
            continue
        with hub.unit(actor, "exchange.sync") as u:
            notice, partner = _notice(u.s, notice_id), partner_row(u.s, peer.partner_id)
            notice.delivered_at = utcnow()
            ok = record_ack(u.s, notice, answer, partner)
            disclose(u.s, peer.org_id, partner, given, purpose=peer.default_purpose,
                     actor=actor.name, bodies=bodies)  # fmt: skip
            u.audit("exchange_notice", notice.id, org_id=peer.org_id,
                    details={"delivered": notice.kind, "partner": peer.name, "acked": ok,
                             "result": (answer.get("body") or {}).get("result")})  # fmt: skip
        delivered += 1
        acked += int(ok)
        logged = logged or bool(given)
    if logged:
        disclosure.publish_head(hub.settings, hub.db, peer.org_id)
    return delivered, acked, errors


def _check(envelope: dict[str, Any]) -> tuple[str, str, str, int, str]:
    nid, package_id = envelope.get("id"), envelope.get("package")
    kind, version = envelope.get("kind"), envelope.get("version")
    if (
        not isinstance(nid, str)
        or not isinstance(package_id, str)
        or kind not in KINDS
        or (not isinstance(version, int))
    ):
        raise InvalidInput(
            "The notice is malformed.",
            hint="A notice has an id, a package id, a kind (correction or erasure) and a version.",
        )
    return nid[:36], package_id[:36], str(kind), version, str(envelope.get("reason", ""))[:2000]


def queue_onward(session: Session, package: Package, kind: str, reason: str) -> int:
    """Queue notices for the remote partners this node passed ``package`` on to."""
    ids = session.scalars(
        select(Disclosure.partner_id).where(Disclosure.org_id == package.org_id,
                                            Disclosure.package_id == package.id).distinct()
    )  # fmt: skip
    queued = 0
    for partner_id in sorted(p for p in ids if p is not None):
        partner = session.get(Partner, partner_id)
        if partner is None or partner.local_org_id is not None:
            continue
        session.add(Notice(id=str(uuid.uuid4()), direction="out", org_id=package.org_id,
                           partner_id=partner_id, package_id=package.id, kind=kind,
                           version=package.version, reason=reason))  # fmt: skip
        queued += 1
    return queued


def _apply_to(session: Session, caller: NodeCaller, partner: Partner, held: Package | None,
              kind: str, version: int, reason: str, raw: Any) -> str:  # fmt: skip
    """Apply the notice to the copy; returns the result the ack states."""
    if held is None:
        return "unknown"
    if held.state != "active":
        return "erased"
    if kind == "erasure":
        store.drop_objects(session, held.id)
        held.state, held.erased_reason = "erased", reason or "erased by the originator"
        held.objects, held.version = 0, max(held.version, version)
        held.seq, held.updated_at = store.next_seq(session), utcnow()
        queue_onward(session, held, "erasure", reason)
        return "erased"
    p, _ = parse_payload(raw) if raw is not None else (None, "")
    if p is None or p.version <= held.version:
        return "current" if held.version >= version else "noted"
    refused = inbox.refusal(partner, p, utcnow())
    if refused is not None:
        inbox.receive(session, caller.org_id, partner, [raw], actor=caller.actor.name)
        return "refused"
    inbox.store_copy(session, caller.org_id, partner, p, held, caller.actor.name)
    queue_onward(session, held, "correction", reason)
    return "corrected"


def apply(hub: Hub, caller: NodeCaller, envelope: dict[str, Any]) -> dict[str, Any]:
    """Apply a notice from the calling partner to this node's copy; returns the signed ack."""
    nid, remote_id, kind, version, reason = _check(envelope)
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = partner_row(u.s, caller.partner_id)
        row_id = str(uuid.uuid5(RECEIVED, f"{partner.key_id}:{nid}"))
        seen = u.s.get(Notice, row_id)
        if seen is not None:
            u.audit("exchange_notice", row_id, org_id=caller.org_id, details={"repeated": nid})
            return dict(seen.ack)
        held = inbox.incoming(u.s, partner.id, remote_id)
        result = _apply_to(u.s, caller, partner, held, kind, version, reason,
                           envelope.get("payload"))  # fmt: skip
        now = utcnow()
        body = {"v": 1, "notice": nid, "package": remote_id, "kind": kind, "version": version,
                "result": result, "at": now.isoformat(),
                "by": identity.org_key_id(hub.settings, caller.org_id)}  # fmt: skip
        ack = sign_ack(identity.org_key(hub.settings, caller.org_id), body)
        u.s.add(Notice(id=row_id, direction="in", org_id=caller.org_id, partner_id=partner.id,
                       package_id=held.id if held else remote_id, kind=kind, version=version,
                       reason=reason, delivered_at=now,
                       applied_at=now if result in ("erased", "corrected") else None,
                       acked_at=now, ack=ack))  # fmt: skip
        u.audit("exchange_notice", row_id, org_id=caller.org_id,
                details={"received": kind, "from": partner.name, "package": remote_id,
                         "result": result})  # fmt: skip
        return ack


def late_ack(hub: Hub, caller: NodeCaller, envelope: dict[str, Any]) -> dict[str, Any]:
    """An acknowledgement sent on its own (the answer to a delivery was lost)."""
    signed = envelope.get("ack")
    nid = (signed.get("body") or {}).get("notice") if isinstance(signed, dict) else None
    with hub.unit(caller.actor, "exchange.node") as u:
        notice = u.s.get(Notice, str(nid)) if nid else None
        partner = u.s.get(Partner, caller.partner_id)
        if notice is None or partner is None or notice.partner_id != partner.id:
            raise InvalidInput("No notice {id} was sent to you.", id=str(nid)[:36])
        ok = record_ack(u.s, notice, signed, partner)
        u.audit("exchange_notice", notice.id, org_id=caller.org_id, details={"ack": ok})
        return {"stored": ok}


__all__ = ["KINDS", "apply", "deliver", "late_ack", "pending", "queue_onward", "record_ack"]
