"""Service functions over the audit log: filtered listing and chain verification.

Reading the log is itself audited. Verification of a long log is a job (``audit.verify``) so the
web UI shows progress; the CLI runs the same job inline with a progress bar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from cthub.core import audit
from cthub.core.hub import Hub
from cthub.core.jobs import JobContext, job
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent


@dataclass(frozen=True)
class EventView:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    outcome: str
    resource_type: str | None
    resource_id: str | None
    org_id: int | None
    details: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class EventPage:
    events: list[EventView]
    total: int
    limit: int
    offset: int


def _view(ev: AuditEvent) -> EventView:
    return EventView(
        ev.seq,
        ev.at,
        ev.actor,
        ev.action,
        ev.outcome,
        ev.resource_type,
        ev.resource_id,
        ev.org_id,
        ev.details or {},
        ev.hash,
    )


def list_events(
    hub: Hub, actor: Actor, flt: audit.AuditFilter | None = None, limit: int = 50, offset: int = 0
) -> EventPage:
    """Events newest first. Admins see events of their own organisation only."""
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    with hub.unit(actor, "audit.read") as u:
        flt = flt or audit.AuditFilter()
        orgs = u.visible_orgs()
        if orgs is not None:
            flt = audit.AuditFilter(**{**flt.__dict__, "org_ids": orgs})
        stmt = audit.query(flt)
        total = u.s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = u.s.scalars(stmt.limit(limit).offset(offset))
        page = EventPage([_view(e) for e in rows], total, limit, offset)
        u.audit("audit", details={"returned": len(page.events)})
        return page


def verify_now(hub: Hub, actor: Actor, ctx: JobContext | None = None) -> audit.Verification:
    """Verify the whole chain. The chain is global, so only the operator or an admin may."""
    with hub.unit(actor, "audit.verify") as u:  # permission first, and a record of the start
        u.audit("audit", details={"phase": "started"})
    with hub.db.session(readonly=True) as s:
        result = audit.verify(s, progress=(lambda d, t: ctx.progress(d, t)) if ctx else None)
    with hub.unit(actor, "audit.verify") as u:
        u.audit(
            "audit",
            details={
                "ok": result.ok,
                "checked": result.checked,
                "first_bad_seq": result.first_bad_seq,
            },
        )
    return result


@job("audit.verify", action="audit.verify")
def _verify_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    result = verify_now(hub, ctx.actor, ctx)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
    }


__all__ = ["EventPage", "EventView", "list_events", "verify_now"]
