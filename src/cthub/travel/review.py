"""Human review of passenger hits: the queue, decisions with reason, user and time, and the
export of a confirmed hit as a case for a partner.

No hit leaves the unit without a recorded decision: ``export_case`` refuses anything but a
confirmed hit. Confirming records the legal basis under which the passenger's data is kept
past the retention periods (a ``RetentionHold``); dismissing lets retention run as usual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, true

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.travel.models import (
    DECISIONS,
    Flight,
    RetentionHold,
    TravelDecision,
    TravelHit,
    TravelPassenger,
)


@dataclass(frozen=True)
class QueueItem:
    hit_id: int
    flight_id: int
    flight: str
    departure_date: dt.date
    passenger_id: int
    name: str
    check: str
    list_name: str
    list_ref: str
    score: float
    explanation: str
    state: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DecisionRecord:
    hit_id: int
    decision: str
    reason: str
    legal_basis: str | None
    decided_by: str
    decided_at: dt.datetime


def _owned_hit(u: Unit, hit_id: int) -> TravelHit:
    hit = u.s.get(TravelHit, hit_id)
    orgs = u.visible_orgs()
    if hit is None or (orgs is not None and hit.org_id not in orgs):
        raise NotFound("No hit {id}.", hint="See the review queue.", id=hit_id)
    return hit


def shared_hits(u: Unit) -> Any:
    """Which hits the actor may read: all of its own organisation's, and only confirmed ones
    of an organisation that shared passenger data with it (no undecided hit leaves a unit)."""
    orgs = u.visible_orgs()
    if orgs is None:
        return true()
    own = u.actor.org_id
    return TravelHit.org_id.in_(orgs) & (
        (TravelHit.org_id == own) | (TravelHit.state == "confirmed")
    )


def queue(
    hub: Hub,
    actor: Actor,
    state: str = "open",
    check: str | None = None,
    flight_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[QueueItem], int]:
    """Hits in ``state`` (open first by score), and how many there are in all."""
    with hub.unit(actor, "travel.read") as u:
        stmt = (
            select(TravelHit, Flight, TravelPassenger)
            .join(Flight, Flight.id == TravelHit.flight_id)
            .join(TravelPassenger, TravelPassenger.id == TravelHit.passenger_id)
            .where(TravelHit.state == state)
        )
        stmt = stmt.where(shared_hits(u))
        if check:
            stmt = stmt.where(TravelHit.check == check)
        if flight_id is not None:
            stmt = stmt.where(TravelHit.flight_id == flight_id)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = u.s.execute(
            stmt.order_by(Flight.departure_date, TravelHit.score.desc(), TravelHit.id)
            .offset(offset)
            .limit(limit)
        ).all()
        items = [
            QueueItem(
                h.id,
                f.id,
                f"{f.carrier}{f.number}/{f.departure_date:%Y-%m-%d}",
                f.departure_date,
                p.id,
                p.name,
                h.check,
                h.list_name,
                h.list_ref,
                h.score,
                h.explanation,
                h.state,
                h.created_at,
            )
            for h, f, p in rows
        ]
        u.audit("travel_hit", details={"state": state, "count": len(items)})
    return items, total


def decide(
    hub: Hub,
    actor: Actor,
    hit_id: int,
    decision: str,
    reason: str,
    legal_basis: str | None = None,
) -> DecisionRecord:
    """Confirm or dismiss one hit. A confirmation needs the legal basis for keeping the data."""
    if decision not in DECISIONS:
        raise InvalidInput(
            "The decision must be confirmed or dismissed, not {value}.",
            value=decision,
            field="decision",
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give the reason for the decision.", hint="It is kept with the hit.", field="reason"
        )
    basis = (legal_basis or "").strip() or None
    if decision == "confirmed" and basis is None:
        raise InvalidInput(
            "A confirmed hit needs the legal basis under which the passenger's data is kept.",
            hint="For example: Art. 12(3) Directive (EU) 2016/681, case file 2026/123.",
            field="legal_basis",
        )
    with hub.unit(actor, "travel.review") as u:
        hit = _owned_hit(u, hit_id)
        u.require(hit)
        if hit.state == "withdrawn":
            raise Conflict("Hit {id} was withdrawn: the check no longer finds it.", id=hit_id)
        now = utcnow()
        record = TravelDecision(
            hit_id=hit.id,
            decision=decision,
            reason=reason[:4000],
            legal_basis=basis,
            decided_by=actor.name,
            decided_at=now,
        )
        u.s.add(record)
        hit.state = decision
        hit.updated_at = now
        if decision == "dismissed":  # a reversed confirmation no longer keeps the data
            u.s.execute(delete(RetentionHold).where(RetentionHold.hit_id == hit.id))
        if decision == "confirmed" and not u.s.scalar(
            select(RetentionHold.id).where(RetentionHold.hit_id == hit.id).limit(1)
        ):
            u.s.add(
                RetentionHold(
                    org_id=hit.org_id,
                    passenger_id=hit.passenger_id,
                    hit_id=hit.id,
                    legal_basis=basis or "",
                    recorded_by=actor.name,
                    recorded_at=now,
                )
            )
        u.audit(
            "travel_hit",
            hit.id,
            org_id=hit.org_id,
            details={"decision": decision, "check": hit.check, "legal_basis": basis},
        )
    return DecisionRecord(hit_id, decision, reason, basis, actor.name, now)


def decisions(hub: Hub, actor: Actor, hit_id: int) -> list[DecisionRecord]:
    with hub.unit(actor, "travel.read") as u:
        hit = _owned_hit(u, hit_id)
        out = [
            DecisionRecord(
                d.hit_id, d.decision, d.reason, d.legal_basis, d.decided_by, d.decided_at
            )
            for d in u.s.scalars(
                select(TravelDecision)
                .where(TravelDecision.hit_id == hit.id)
                .order_by(TravelDecision.decided_at, TravelDecision.id)
            )
        ]
        u.audit("travel_hit", hit.id, org_id=hit.org_id)
    return out


def export_case(hub: Hub, actor: Actor, hit_id: int, partner: str) -> dict[str, Any]:
    """A confirmed hit as a case document for a partner; refused for any other hit."""
    partner = (partner or "").strip()
    if not partner:
        raise InvalidInput("Name the partner the case goes to.", field="partner")
    with hub.unit(actor, "travel.export") as u:
        hit = _owned_hit(u, hit_id)
        u.require(hit)
        if hit.state != "confirmed":
            raise Conflict(
                "Hit {id} is {state}: only a confirmed hit can leave the unit.",
                hint="A reviewer must confirm it first, with reason and legal basis.",
                id=hit_id,
                state=hit.state,
            )
        p = u.s.get_one(TravelPassenger, hit.passenger_id)
        f = u.s.get_one(Flight, hit.flight_id)
        decided = u.s.scalars(
            select(TravelDecision)
            .where(TravelDecision.hit_id == hit.id)
            .order_by(TravelDecision.decided_at.desc(), TravelDecision.id.desc())
        ).first()
        case = {
            "type": "cthub-travel-case",
            "version": 1,
            "partner": partner,
            "exported_by": actor.name,
            "exported_at": utcnow().isoformat(),
            "flight": {
                "carrier": f.carrier,
                "number": f.number,
                "origin": f.origin,
                "destination": f.destination,
                "departure_date": f.departure_date.isoformat(),
            },
            "passenger": {"name": p.name, "role": p.role, "record": p.data},
            "hit": {
                "id": hit.id,
                "check": hit.check,
                "list": hit.list_name,
                "list_ref": hit.list_ref,
                "score": hit.score,
                "explanation": hit.explanation,
            },
            "decision": {
                "decision": decided.decision if decided else None,
                "reason": decided.reason if decided else None,
                "legal_basis": decided.legal_basis if decided else None,
                "decided_by": decided.decided_by if decided else None,
                "decided_at": decided.decided_at.isoformat() if decided else None,
            },
        }
        u.audit("travel_hit", hit.id, org_id=hit.org_id, details={"partner": partner[:200]})
    return case


__all__ = ["DecisionRecord", "QueueItem", "decide", "decisions", "export_case", "queue"]
