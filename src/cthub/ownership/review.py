"""Ownership exposure alerts as reviewers see them, and their decisions.

Reading needs ``ownership.read``; deciding (``ownership.decide``) needs a reason, keeps who and
when on the alert and writes an audit event with the decision and the state it replaced, so
the log holds every decision when a later one replaces it. A closed alert cannot be decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import func, select

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.ownership.compute import REGIMES
from cthub.ownership.models import ALERT_DECISIONS, ALERT_STATES, OwnershipAlert


@dataclass(frozen=True)
class AlertView:
    id: int
    regime: str
    entity_id: str
    name: str
    status: str
    owners_share: str
    path: str
    seeds: list[dict[str, str]]
    state: str
    reason: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None = None
    decision: str | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None


def _view(a: OwnershipAlert) -> AlertView:
    values = {f.name: getattr(a, f.name) for f in fields(AlertView)}
    return AlertView(**{**values, "seeds": list(a.seeds or [])})


def alerts(
    hub: Hub,
    actor: Actor,
    *,
    state: str | None = None,
    regime: str | None = None,
    entity_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AlertView], int]:
    """Ownership alerts (newest first), filtered by state, regime or entity, and their count."""
    if state is not None and state not in ALERT_STATES:
        raise InvalidInput(
            "Unknown alert state {state}.",
            hint="Use one of {known}.",
            state=state[:20],
            known=", ".join(ALERT_STATES),
        )
    if regime is not None and regime not in REGIMES:
        raise InvalidInput(
            "Unknown regime {regime}.",
            hint="Use one of {known}.",
            regime=regime[:20],
            known=", ".join(sorted(REGIMES)),
        )
    with hub.unit(actor, "ownership.read") as u:
        stmt = select(OwnershipAlert)
        for column, value in (
            (OwnershipAlert.state, state),
            (OwnershipAlert.regime, regime),
            (OwnershipAlert.entity_id, entity_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        order = (OwnershipAlert.id.desc(),)
        rows = list(u.s.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
        u.audit(
            "ownership_alert",
            details={"state": state, "regime": regime, "returned": len(rows), "total": total},
        )
        return [_view(a) for a in rows], total


def alert(hub: Hub, actor: Actor, alert_id: int) -> AlertView:
    """One ownership alert."""
    with hub.unit(actor, "ownership.read") as u:
        found = u.s.get(OwnershipAlert, alert_id)
        if found is None:
            raise NotFound("Ownership alert {id} does not exist.", id=alert_id)
        u.audit("ownership_alert", found.id)
        return _view(found)


def decide(hub: Hub, actor: Actor, alert_id: int, decision: str, reason: str) -> AlertView:
    """Confirm or dismiss an alert, with a reason; who and when are kept on it, and audited."""
    if decision not in ALERT_DECISIONS:
        raise InvalidInput(
            "Unknown decision {decision}.",
            hint="Use confirmed or dismissed.",
            decision=str(decision)[:20],
        )
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            "A decision needs a reason.", hint="Say why the exposure is confirmed or dismissed."
        )
    with hub.unit(actor, "ownership.decide") as u:
        found = u.s.get(OwnershipAlert, alert_id)
        if found is None:
            raise NotFound("Ownership alert {id} does not exist.", id=alert_id)
        if found.state == "closed":
            raise Conflict(
                "Ownership alert {id} is closed ({reason}); it cannot be decided.",
                id=found.id,
                reason=found.reason[:300],
            )
        previous, now = found.state, utcnow()
        found.state, found.decision, found.decision_reason = decision, decision, text[:4000]
        found.decided_by, found.decided_at, found.updated_at = actor.name[:200], now, now
        u.audit(
            "ownership_alert",
            found.id,
            details={
                "decision": decision,
                "previous": previous,
                "regime": found.regime,
                "entity_id": found.entity_id,
            },
        )
        return _view(found)


__all__ = ["AlertView", "alert", "alerts", "decide"]
