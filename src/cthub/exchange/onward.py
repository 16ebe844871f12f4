"""Onward sharing: a recipient asks the originator to let it pass a package on, and the answer.

A recipient may pass on what it received only within the rule (CLEAR, GREEN); anything else
needs the originator's approval. ``request_onward`` is called by the recipient for a package it
holds: an *incoming* copy (the request goes to the originator's node as an ``onward-request``
envelope, and a copy of the request is kept here to follow it), or a package of another
organisation on this node released to it as a local partner (the request is created directly).
``decide_onward`` is the originator's answer (``exchange.approve``): the decision is recorded
like any release decision; for a remote recipient an ``onward-decision`` envelope goes back,
and on approval the recipient's node adds the target as a named partner of its copy (a local
recipient, which holds no copy, is given one with the target named). Both sides
audit every step. The recipient's copy of a request is matched to the decision by package,
target and purpose (the oldest pending one).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.exchange import disclosure, inbox, store
from cthub.exchange.decisions import rules_for
from cthub.exchange.envelopes import Payload
from cthub.exchange.models import (
    Decision,
    Disclosure,
    OnwardRequest,
    Package,
    PackagePartner,
    Partner,
)
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.partners import check_purposes
from cthub.exchange.peers import Link, Peer, partner_row
from cthub.exchange.release import Verdict
from cthub.exchange.scope import acting_org, partner_named
from cthub.exchange.sharing import Released, disclose
from cthub.exchange.tlp import parse_tlp


@dataclass(frozen=True)
class OnwardView:
    id: int
    package_id: str
    #: ``decide`` when the organisation is the originator, ``asked`` when it is the recipient
    role: str
    requester: str
    target: str
    purpose: str
    reason: str
    state: str
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str


def _view(session: Session, row: OnwardRequest) -> OnwardView:
    package = session.get(Package, row.package_id)
    asked = package is not None and package.origin_partner_id is not None and (
        package.org_id == row.org_id)  # fmt: skip
    return OnwardView(row.id, row.package_id, "asked" if asked else "decide", row.requester,
                      row.target, row.purpose, row.reason, row.state, row.created_at,
                      row.decided_by, row.decided_at, row.decision_reason)  # fmt: skip


def _peer(p: Partner, org_id: int) -> Peer:
    return Peer(p.id, org_id, p.name, p.url, p.key_id or "", p.public_key, p.default_purpose)


def _checked(purpose: str, reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("An onward-sharing request needs a reason.",
                           hint="Say why the target needs the package.")  # fmt: skip
    return check_purposes([purpose])[0]


def request_onward(
    hub: Hub, actor: Actor, package_id: str, target: str, purpose: str, reason: str, *,
    org: str | None = None, client: httpx.Client | None = None,
) -> OnwardView:  # fmt: skip
    """Ask the originator of a package this organisation received to let it go to ``target``."""
    purpose = _checked(purpose, reason)
    with hub.unit(actor, "exchange.onward") as u:
        owner = acting_org(u, org)
        to = partner_named(u.s, owner.id, target)
        package = u.s.get(Package, package_id)
        if package is None:
            raise NotFound("Package {id} does not exist.", id=package_id[:40])
        if package.org_id == owner.id and package.origin_partner_id is not None:
            origin = partner_row(u.s, package.origin_partner_id)
            if origin.id == to.id:
                raise InvalidInput("{target} is the package's originator.", target=target)
            with Link(hub.settings, _peer(origin, owner.id), client) as link:
                link.post({"type": "onward-request", "package": package.remote_id,
                           "target": to.name, "purpose": purpose, "reason": reason[:2000],
                           "requester": actor.name})  # fmt: skip
            row = OnwardRequest(org_id=owner.id, package_id=package.id, requester=actor.name,
                                target=to.name, target_partner_id=to.id, purpose=purpose,
                                reason=reason[:2000])  # fmt: skip
        else:
            local = u.s.scalars(
                select(Partner).where(
                    Partner.org_id == package.org_id, Partner.local_org_id == owner.id
                )
            ).first()
            if local is None or package.origin_partner_id is not None:
                raise NotFound("Package {id} does not exist.", id=package_id[:40])
            row = OnwardRequest(org_id=package.org_id, package_id=package.id,
                                requester_partner_id=local.id, requester=actor.name,
                                target=to.name, target_partner_id=to.id, purpose=purpose,
                                reason=reason[:2000])  # fmt: skip
        u.s.add(row)
        u.s.flush()
        u.audit("exchange_onward", row.id, org_id=owner.id,
                details={"package": package.id, "target": to.name, "purpose": purpose})  # fmt: skip
        return _view(u.s, row)


def decide_onward(
    hub: Hub, actor: Actor, request_id: int, approve: bool, reason: str, *,
    org: str | None = None, client: httpx.Client | None = None,
) -> OnwardView:  # fmt: skip
    """The originator approves or refuses a pending request; a remote recipient is told."""
    with hub.unit(actor, "exchange.approve") as u:
        owner = acting_org(u, org)
        row = u.s.get(OnwardRequest, request_id)
        package = u.s.get(Package, row.package_id) if row else None
        if row is None or package is None or row.org_id != owner.id or (
            package.origin_partner_id is not None):  # fmt: skip
            raise NotFound("No onward-sharing request {id}.", id=request_id)
        if row.state != "pending":
            raise Conflict("Request {id} was already {state}.", id=request_id, state=row.state)
        requester = u.s.get(Partner, row.requester_partner_id or 0)
        if requester is not None and requester.local_org_id is None:
            with Link(hub.settings, _peer(requester, owner.id), client) as link:
                link.post({"type": "onward-decision", "package": row.package_id,
                           "target": row.target, "purpose": row.purpose, "approved": approve,
                           "reason": reason[:2000], "decided_by": actor.name})  # fmt: skip
        _decided(row, approve, reason, actor.name)
        handed = approve and requester is not None and requester.local_org_id is not None
        if handed and requester is not None:
            _hand_over(u.s, package, requester, row, actor.name)
        u.s.add(Decision(org_id=owner.id, package_id=row.package_id,
                         partner_id=row.requester_partner_id, operation="onward",
                         purpose=row.purpose, allowed=approve, clause="approval",
                         reason=("Approved" if approve else "Refused") + " by the originator "
                         "for " + row.target + ": " + reason[:1500], actor=actor.name))  # fmt: skip
        u.audit(
            "exchange_onward",
            row.id,
            org_id=owner.id,
            details={"approved": approve, "target": row.target, "reason": reason[:500]},
        )
        view, org_id = _view(u.s, row), owner.id
    if handed:
        disclosure.publish_head(hub.settings, hub.db, org_id)
    return view


def _hand_over(
    session: Session, package: Package, requester: Partner, row: OnwardRequest, actor: str
) -> None:
    """A local recipient holds no copy of the originator's package: on approval it gets one, as
    a remote node would hold it (incoming, from its partner row for the originator), with the
    approved target named, so that its own export, sync or TAXII can pass it on. The copy is
    a disclosure by the originator to the requester, under ``onward``, and is logged."""
    org_id = int(requester.local_org_id or 0)
    origin = session.scalars(
        select(Partner).where(Partner.org_id == org_id, Partner.local_org_id == package.org_id)
    ).first()
    if origin is None:  # the copy needs a sender: register the originator as a local partner
        owner = session.get(Organisation, package.org_id)
        name = re.sub(r"[^A-Za-z0-9 ._-]", "-", owner.name if owner else "originator")[:100]
        taken = set(session.scalars(select(Partner.name).where(Partner.org_id == org_id)))
        while name in taken:
            name = name[:96] + f"-{len(taken)}"
        origin = Partner(org_id=org_id, name=name.strip("-. ") or "originator",
                         local_org_id=package.org_id, created_by=actor[:200])  # fmt: skip
        session.add(origin)
        session.flush()
    if row.target_partner_id is None:  # pragma: no cover - request_onward names a partner
        raise Conflict("The onward request names no registered target.")
    bodies = store.bodies(session, package.id)
    payload = Payload(
        remote_id=package.id, title=package.title, kind=package.kind,
        tlp=parse_tlp(package.tlp), pap=package.pap, purposes=list(package.purposes or []),
        legal_basis=package.legal_basis, expires_at=package.expires_at, version=package.version,
        sha256=package.sha256, objects=[orjson.loads(b) for b in bodies],
    )  # fmt: skip
    copy = inbox.store_copy(session, org_id, origin, payload,
                            inbox.incoming(session, origin.id, package.id), actor)  # fmt: skip
    if session.get(PackagePartner, (copy.id, row.target_partner_id)) is None:
        session.add(PackagePartner(package_id=copy.id, partner_id=row.target_partner_id))
    rule = rules_for(session, [package])[package.id]
    given = Released(package, rule, Verdict(True, "approval", "Approved onward."), "onward")
    disclose(session, package.org_id, requester, [given], purpose=row.purpose, actor=actor,
             bodies={package.id: bodies})  # fmt: skip


def _decided(row: OnwardRequest, approve: bool, reason: str, by: str) -> None:
    row.state = "approved" if approve else "refused"
    row.decided_by, row.decided_at, row.decision_reason = by[:200], utcnow(), reason[:2000]


def onward_requests(
    hub: Hub, actor: Actor, *, state: str | None = None, org: str | None = None
) -> list[OnwardView]:
    """Requests the organisation must decide and requests it made, newest first."""
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        stmt = select(OnwardRequest).where(OnwardRequest.org_id == owner.id)
        if state is not None:
            stmt = stmt.where(OnwardRequest.state == state)
        rows = [_view(u.s, r) for r in u.s.scalars(stmt.order_by(OnwardRequest.id.desc()))]
        u.audit("exchange_onward", org_id=owner.id, details={"returned": len(rows)})
        return rows


def _text(envelope: dict[str, Any], name: str, limit: int) -> str:
    value = envelope.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidInput("The envelope lacks {field}.", field=name)
    return value[:limit]


def received_request(hub: Hub, caller: NodeCaller, envelope: dict[str, Any]) -> dict[str, Any]:
    """A recipient node asks: record it for the originator to decide."""
    package_id = _text(envelope, "package", 36)
    target, purpose = _text(envelope, "target", 200), _text(envelope, "purpose", 40)
    with hub.unit(caller.actor, "exchange.node") as u:
        given = u.s.scalars(select(Disclosure.idx).where(
            Disclosure.org_id == caller.org_id, Disclosure.partner_id == caller.partner_id,
            Disclosure.package_id == package_id)).first()  # fmt: skip
        if given is None:
            raise NotFound("Package {id} was never disclosed to you.", id=package_id)
        who = str(envelope.get("requester", ""))[:150]
        row = OnwardRequest(org_id=caller.org_id, package_id=package_id,
                            requester_partner_id=caller.partner_id,
                            requester=(caller.partner_name + ":" + who)[:200], target=target,
                            purpose=purpose,
                            reason=str(envelope.get("reason", ""))[:2000])  # fmt: skip
        u.s.add(row)
        u.s.flush()
        u.audit(
            "exchange_onward",
            row.id,
            org_id=caller.org_id,
            details={"received": package_id, "from": caller.partner_name, "target": target},
        )
        return {"id": row.id}


def received_decision(hub: Hub, caller: NodeCaller, envelope: dict[str, Any]) -> dict[str, Any]:
    """The originator answered: on approval the target becomes a named partner of our copy."""
    remote_id = _text(envelope, "package", 36)
    target, purpose = _text(envelope, "target", 200), _text(envelope, "purpose", 40)
    approve = envelope.get("approved") is True
    with hub.unit(caller.actor, "exchange.node") as u:
        held = inbox.incoming(u.s, caller.partner_id, remote_id)
        if held is None or held.org_id != caller.org_id:
            raise NotFound("This node holds no copy of package {id}.", id=remote_id)
        row = u.s.scalars(select(OnwardRequest).where(
            OnwardRequest.org_id == caller.org_id, OnwardRequest.package_id == held.id,
            OnwardRequest.target == target, OnwardRequest.purpose == purpose,
            OnwardRequest.state == "pending").order_by(OnwardRequest.id)).first()  # fmt: skip
        if row is None:
            return {"applied": False}
        _decided(row, approve, str(envelope.get("reason", "")),
                 caller.partner_name + ":" + str(envelope.get("decided_by", "")))  # fmt: skip
        if approve and row.target_partner_id is not None and u.s.get(
            PackagePartner, (held.id, row.target_partner_id)) is None:  # fmt: skip
            u.s.add(PackagePartner(package_id=held.id, partner_id=row.target_partner_id))
        u.audit(
            "exchange_onward",
            row.id,
            org_id=caller.org_id,
            details={"decision": row.state, "from": caller.partner_name, "target": target},
        )
        return {"applied": True, "id": row.id}


__all__ = [
    "OnwardView",
    "decide_onward",
    "onward_requests",
    "received_decision",
    "received_request",
    "request_onward",
]
