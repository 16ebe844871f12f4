"""Alerts as reviewers see them, and their decisions: list, read, decide (true or false match).

Alerts are read in the organisations the actor may see (``alerts.read``, sharing rules
included); deciding (``alerts.decide``) needs a reason, is kept as history with its user and
time, and is refused on a closed (delisted) alert. ``review`` re-exports these names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.screening.models import ALERT_STATES, DECISIONS, Alert, Decision


@dataclass(frozen=True)
class DecisionView:
    decision: str
    reason: str
    decided_by: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class AlertView:
    id: int
    org_id: int
    subject_id: int | None
    query_id: str
    list_name: str
    list_ref: str
    entry_hash: str
    score: float
    matched_name: str
    entity_name: str
    explanation: str
    state: str
    closed_reason: str | None
    reopens_alert_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    decisions: list[DecisionView] = field(default_factory=list)


def _view(alert: Alert, decisions: list[Decision]) -> AlertView:
    return AlertView(
        id=alert.id,
        org_id=alert.org_id,
        subject_id=alert.subject_id,
        query_id=alert.query_id,
        list_name=alert.list_name,
        list_ref=alert.list_ref,
        entry_hash=alert.entry_hash,
        score=alert.score,
        matched_name=alert.matched_name,
        entity_name=alert.entity_name,
        explanation=alert.explanation,
        state=alert.state,
        closed_reason=alert.closed_reason,
        reopens_alert_id=alert.reopens_alert_id,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        decisions=[
            DecisionView(d.decision, d.reason, d.decided_by, d.decided_at) for d in decisions
        ],
    )


def _decisions(u: Unit, ids: list[int]) -> dict[int, list[Decision]]:
    found: dict[int, list[Decision]] = {i: [] for i in ids}
    if ids:
        for d in u.s.scalars(
            select(Decision).where(Decision.alert_id.in_(ids)).order_by(Decision.id)
        ):
            found[d.alert_id].append(d)
    return found


def alerts(
    hub: Hub,
    actor: Actor,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertView], int]:
    """Alerts visible to the actor (newest first) and their total count."""
    if state is not None and state not in ALERT_STATES:
        raise InvalidInput(
            "Unknown alert state {state}.",
            hint="Use open, true_match, false_positive or closed.",
            state=state,
        )
    with hub.unit(actor, "alerts.read") as u:
        stmt = select(Alert)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(Alert.org_id.in_(sorted(orgs)))
        if state is not None:
            stmt = stmt.where(Alert.state == state)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(u.s.scalars(stmt.order_by(Alert.id.desc()).limit(limit).offset(offset)))
        decided = _decisions(u, [a.id for a in rows])
        u.audit("alert", details={"state": state, "returned": len(rows), "total": total})
        return [_view(a, decided[a.id]) for a in rows], total


def _load(u: Unit, alert_id: int) -> Alert:
    alert = u.s.get(Alert, alert_id)
    if alert is None:
        raise NotFound("Alert {id} does not exist.", id=alert_id)
    u.require(alert)
    return alert


def alert(hub: Hub, actor: Actor, alert_id: int) -> AlertView:
    """One alert with its decisions."""
    with hub.unit(actor, "alerts.read") as u:
        found = _load(u, alert_id)
        u.audit("alert", found.id, org_id=found.org_id)
        return _view(found, _decisions(u, [found.id])[found.id])


def decide(hub: Hub, actor: Actor, alert_id: int, decision: str, reason: str) -> AlertView:
    """Mark an alert a true match or a false positive, with a reason; recorded and audited."""
    with hub.unit(actor, "alerts.decide") as u:
        found = _load(u, alert_id)
        if decision not in DECISIONS:
            raise InvalidInput(
                "Unknown decision {decision}.",
                hint="Use true_match or false_positive.",
                decision=decision,
            )
        text = (reason or "").strip()
        if not text:
            raise InvalidInput(
                "A decision needs a reason.",
                hint="Say why the alert is a true match or a false positive.",
            )
        if found.state == "closed":
            raise Conflict(
                "Alert {id} is closed ({reason}); it cannot be decided.",
                id=found.id,
                reason=found.closed_reason or "",
            )
        now = utcnow()
        u.s.add(
            Decision(
                alert_id=found.id,
                decision=decision,
                reason=text[:4000],
                decided_by=actor.name,
                decided_at=now,
            )
        )
        found.state = decision
        found.updated_at = now
        u.s.flush()
        u.audit("alert", found.id, org_id=found.org_id, details={"decision": decision})
        return _view(found, _decisions(u, [found.id])[found.id])


__all__ = ["AlertView", "DecisionView", "alert", "alerts", "decide"]
