"""Lawful data requests (G20 point 20): an authority asks a partner (a platform, a bank) for data.

A request states its legal basis, its scope (which accounts or content, which period), its
urgency, when it is due and when it expires. The addressee accepts, partially accepts or
declines it, with reasons, and delivers its answer as a package released to the requester
under the request's legal basis and expiry, so the answer is itself purpose-bound and logged.
Every step is kept on the request's history and audited; a request past its due date and not
answered is overdue, and one past its expiry can no longer be answered.

Requests go between organisations on this node (the addressee is a local partner).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.exchange import intake, packages
from cthub.exchange.models import URGENCIES, LawfulRequest, Partner
from cthub.exchange.scope import acting_org, partner_named

RESPONSES = ("accepted", "partially-accepted", "declined")
OPEN_STATES = ("open", "accepted", "partially-accepted")
DUE_DAYS = {"routine": 30, "urgent": 5, "emergency": 1}


@dataclass(frozen=True)
class Scope:
    accounts: tuple[str, ...] = ()
    content: tuple[str, ...] = ()
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "accounts": list(self.accounts),
            "content": list(self.content),
            "period_from": self.period_from.isoformat() if self.period_from else None,
            "period_to": self.period_to.isoformat() if self.period_to else None,
            "description": self.description,
        }


@dataclass(frozen=True)
class RequestView:
    id: int
    reference: str
    requester: str
    addressee: str
    legal_basis: str
    scope: dict[str, Any]
    urgency: str
    due_at: dt.datetime
    expires_at: dt.datetime | None
    state: str
    overdue: bool
    created_by: str
    created_at: dt.datetime
    answered_by: str | None
    answered_at: dt.datetime | None
    response: str
    answer_package_id: str | None
    history: list[dict[str, Any]]


def _view(u: Unit, r: LawfulRequest) -> RequestView:
    requester = u.s.get(Organisation, r.org_id)
    addressee = u.s.get(Organisation, r.addressee_org_id) if r.addressee_org_id else None
    overdue = r.state in OPEN_STATES and r.due_at <= utcnow()
    return RequestView(
        r.id,
        r.reference,
        requester.name if requester else "?",
        addressee.name if addressee else "?",
        r.legal_basis,
        dict(r.scope),
        r.urgency,
        r.due_at,
        r.expires_at,
        r.state,
        overdue,
        r.created_by,
        r.created_at,
        r.answered_by,
        r.answered_at,
        r.response,
        r.answer_package_id,
        list(r.history),
    )


def _check_scope(scope: Scope) -> None:
    if not (scope.accounts or scope.content or scope.description.strip()):
        raise InvalidInput(
            "A request must say what it asks for.",
            hint="Name accounts, content identifiers or describe the data requested.",
        )
    if scope.period_from and scope.period_to and scope.period_from > scope.period_to:
        raise InvalidInput(
            "The period starts after it ends ({start} > {end}).",
            start=scope.period_from.isoformat(),
            end=scope.period_to.isoformat(),
        )


def _step(r: LawfulRequest, actor: Actor, what: str, reason: str = "") -> None:
    r.history = [
        *r.history,
        {"at": utcnow().isoformat(), "by": actor.name, "step": what, "reason": reason[:2000]},
    ]


def send(
    hub: Hub,
    actor: Actor,
    partner: str,
    *,
    legal_basis: str,
    scope: Scope,
    urgency: str = "routine",
    due: dt.date | None = None,
    expires: dt.date | None = None,
    reference: str = "",
    org: str | None = None,
) -> RequestView:
    """Send a request to a partner organisation; due defaults by urgency (30, 5 or 1 days)."""
    if not legal_basis.strip():
        raise InvalidInput(
            "A request needs its legal basis.", hint="Name the law, order or warrant it rests on."
        )
    if urgency not in URGENCIES:
        raise InvalidInput(
            "Unknown urgency {urgency}.",
            hint="Use routine, urgent or emergency.",
            urgency=urgency[:20],
        )
    _check_scope(scope)
    now = utcnow()
    due_at = (
        dt.datetime.combine(due, dt.time(23, 59), dt.UTC)
        if due
        else now + dt.timedelta(days=DUE_DAYS[urgency])
    )
    expires_at = dt.datetime.combine(expires, dt.time(23, 59), dt.UTC) if expires else None
    if due_at <= now or (expires_at is not None and expires_at < due_at):
        raise InvalidInput("The due date must be in the future and not after the expiry.")
    with hub.unit(actor, "exchange.requests") as u:
        owner = acting_org(u, org)
        p = partner_named(u.s, owner.id, partner)
        if p.local_org_id is None:
            raise InvalidInput(
                "Lawful requests go to partner organisations on this node.",
                hint="{name} is on another node: send the request through its own channel.",
                name=p.name,
            )
        r = LawfulRequest(
            org_id=owner.id,
            partner_id=p.id,
            addressee_org_id=p.local_org_id,
            reference=reference[:100],
            legal_basis=legal_basis.strip()[:4000],
            scope=scope.to_json(),
            urgency=urgency,
            due_at=due_at,
            expires_at=expires_at,
            created_by=actor.name,
            history=[],
        )
        _step(r, actor, "sent")
        u.s.add(r)
        u.s.flush()
        u.audit(
            "exchange_request",
            r.id,
            org_id=owner.id,
            details={"to": p.name, "urgency": urgency, "due": due_at.isoformat()},
        )
        return _view(u, r)


def _addressed(u: Unit, request_id: int, org_id: int) -> LawfulRequest:
    r = u.s.get(LawfulRequest, request_id)
    if r is None or org_id not in (r.org_id, r.addressee_org_id):
        raise NotFound("Request {id} does not exist.", id=request_id)
    if r.addressee_org_id != org_id:
        raise Forbidden("Only the organisation the request is addressed to can answer it.")
    if r.state not in OPEN_STATES:
        raise Conflict("Request {id} is {state} already.", id=r.id, state=r.state)
    if r.expires_at is not None and r.expires_at <= utcnow():
        raise Conflict(
            "Request {id} expired on {date}.", id=r.id, date=r.expires_at.date().isoformat()
        )
    return r


def respond(
    hub: Hub, actor: Actor, request_id: int, decision: str, reason: str, *, org: str | None = None
) -> RequestView:
    """The addressee accepts, partially accepts or declines; a reason is always kept."""
    if decision not in RESPONSES:
        raise InvalidInput(
            "Unknown response {decision}.",
            hint="Use accepted, partially-accepted or declined.",
            decision=decision[:30],
        )
    if decision != "accepted" and not reason.strip():
        raise InvalidInput(
            "Declining or partially accepting needs a reason.", hint="Say what is refused and why."
        )
    with hub.unit(actor, "exchange.requests") as u:
        r = _addressed(u, request_id, acting_org(u, org).id)
        r.state, r.response = decision, reason.strip()[:4000]
        _step(r, actor, decision, reason)
        u.audit(
            "exchange_request",
            r.id,
            org_id=r.addressee_org_id,
            details={"response": decision, "reason": reason[:500]},
        )
        return _view(u, r)


def answer(
    hub: Hub,
    actor: Actor,
    request_id: int,
    data: bytes,
    filename: str,
    *,
    tlp: str = "amber",
    note: str = "",
    org: str | None = None,
) -> RequestView:
    """Deliver the answer as a package to the requester, under the request's legal basis."""
    with hub.unit(actor, "exchange.requests") as u:
        me = acting_org(u, org)
        r = _addressed(u, request_id, me.id)
        if r.state == "open":
            raise Conflict("Accept or partially accept request {id} before answering it.", id=r.id)
        back = u.s.scalars(
            select(Partner).where(Partner.org_id == me.id, Partner.local_org_id == r.org_id)
        ).first()
        if back is None:
            raise InvalidInput(
                "Register the requesting organisation as a partner first.",
                hint="Its answer is released to it as a package.",
            )
        basis, expires, back_name = r.legal_basis, r.expires_at, back.name
    content = intake.read(filename, data)
    spec = packages.ReleaseSpec(
        tlp=tlp,
        partners=(back_name,),
        purposes=("judicial-cooperation",),
        legal_basis=basis,
        expires=expires,
    )
    made = packages.create_from(
        hub,
        actor,
        content,
        spec,
        title=f"Answer to request {request_id}",
        source=f"lawful-request:{request_id}",
        org=org,
    )
    with hub.unit(actor, "exchange.requests") as u:
        r = _addressed(u, request_id, me.id)
        r.state, r.answer_package_id = "answered", made.id
        r.answered_by, r.answered_at = actor.name, utcnow()
        _step(r, actor, "answered", note)
        u.audit("exchange_request", r.id, org_id=me.id, details={"package": made.id})
        return _view(u, r)


def requests(
    hub: Hub,
    actor: Actor,
    *,
    box: str = "all",
    overdue: bool = False,
    org: str | None = None,
) -> list[RequestView]:
    """Requests sent (``box="sent"``), received (``"received"``) or both, newest first."""
    with hub.unit(actor, "exchange.read") as u:
        me = acting_org(u, org).id
        where = {
            "sent": LawfulRequest.org_id == me,
            "received": LawfulRequest.addressee_org_id == me,
        }.get(box, or_(LawfulRequest.org_id == me, LawfulRequest.addressee_org_id == me))
        stmt = select(LawfulRequest).where(where)
        if overdue:
            stmt = stmt.where(
                LawfulRequest.state.in_(OPEN_STATES), LawfulRequest.due_at <= utcnow()
            )
        rows = list(u.s.scalars(stmt.order_by(LawfulRequest.due_at)))
        u.audit("exchange_request", org_id=me, details={"box": box, "returned": len(rows)})
        return [_view(u, r) for r in rows]


__all__ = ["RESPONSES", "RequestView", "Scope", "answer", "requests", "respond", "send"]
