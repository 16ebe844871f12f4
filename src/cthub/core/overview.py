"""The dashboard's figures for one organisation, as one audited service call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from cthub.core.db import Base
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import ApiKey, AuditEvent, Job, Organisation, User


@dataclass(frozen=True)
class Overview:
    org_name: str
    org_kind: str
    users: int
    active_keys: int
    audit_events: int
    open_jobs: int


def overview(hub: Hub, actor: Actor) -> Overview:
    with hub.unit(actor, "jobs.read") as u:
        org_id = actor.org_id
        org = u.s.get(Organisation, org_id) if org_id is not None else None

        def count(model: type[Base], *where: ColumnElement[bool]) -> int:
            return u.s.scalar(select(func.count()).select_from(model).where(*where)) or 0

        result = Overview(
            org_name=org.name if org else "",
            org_kind=org.kind if org else "",
            users=count(User, User.org_id == org_id, User.disabled.is_(False)),
            active_keys=count(ApiKey, ApiKey.org_id == org_id, ApiKey.revoked_at.is_(None)),
            audit_events=count(AuditEvent, AuditEvent.org_id == org_id),
            open_jobs=count(Job, Job.org_id == org_id, Job.state.in_(("queued", "running"))),
        )
        u.audit("dashboard", action="jobs.read")
        return result


__all__ = ["Overview", "overview"]
