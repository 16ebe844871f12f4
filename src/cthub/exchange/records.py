"""What the organisation can read back about its exchange: release decisions, the disclosure
log with its signed head, and the heads seen from partners' logs (a fork shows here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, select

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import disclosure
from cthub.exchange.models import Decision, Disclosure, Partner, SeenHead
from cthub.exchange.scope import acting_org


@dataclass(frozen=True)
class DecisionView:
    id: int
    at: dt.datetime
    package_id: str | None
    partner: str | None
    operation: str
    purpose: str
    allowed: bool
    clause: str
    reason: str
    actor: str


@dataclass(frozen=True)
class DisclosureView:
    index: int
    at: dt.datetime
    partner: str
    package_id: str | None
    operation: str
    purpose: str
    objects: int
    tlp: str
    leaf: dict[str, Any]


@dataclass(frozen=True)
class HeadView:
    size: int
    root: str
    timestamp: dt.datetime
    key_id: str


@dataclass(frozen=True)
class SeenHeadView:
    partner: str
    size: int
    root: str
    fetched_at: dt.datetime
    verdict: str
    problems: list[dict[str, Any]]


def _names(hub_session: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = hub_session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}


def decisions(
    hub: Hub,
    actor: Actor,
    *,
    allowed: bool | None = None,
    package_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
    org: str | None = None,
) -> tuple[list[DecisionView], int]:
    """Release decisions of the organisation, newest first, with their total."""
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        stmt = select(Decision).where(Decision.org_id == owner.id)
        if allowed is not None:
            stmt = stmt.where(Decision.allowed.is_(allowed))
        if package_id is not None:
            stmt = stmt.where(Decision.package_id == package_id)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(u.s.scalars(stmt.order_by(Decision.id.desc()).limit(limit).offset(offset)))
        names = _names(u.s, {r.partner_id for r in rows if r.partner_id is not None})
        u.audit("exchange_decision", org_id=owner.id, details={"returned": len(rows)})
        return [
            DecisionView(
                r.id,
                r.at,
                r.package_id,
                names.get(r.partner_id or 0),
                r.operation,
                r.purpose,
                r.allowed,
                r.clause,
                r.reason,
                r.actor,
            )
            for r in rows
        ], total


def disclosures(
    hub: Hub, actor: Actor, *, limit: int = 100, offset: int = 0, org: str | None = None
) -> tuple[list[DisclosureView], int, HeadView | None]:
    """The organisation's disclosure log (newest first), its size and its latest signed head."""
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        total = u.s.scalar(select(func.count()).where(Disclosure.org_id == owner.id)) or 0
        rows = list(
            u.s.scalars(
                select(Disclosure)
                .where(Disclosure.org_id == owner.id)
                .order_by(Disclosure.idx.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        views = []
        for r in rows:
            leaf = orjson.loads(r.leaf)
            views.append(
                DisclosureView(
                    r.idx,
                    r.at,
                    str(leaf.get("partner", "")),
                    r.package_id,
                    str(leaf.get("operation", "")),
                    str(leaf.get("purpose", "")),
                    int(leaf.get("objects", 0)),
                    str(leaf.get("rule", {}).get("tlp", "")),
                    leaf,
                )
            )
        row = disclosure.latest_head(u.s, owner.id)
        head = None
        if row is not None:
            stamp = dt.datetime.fromtimestamp(row.timestamp / 1000, dt.UTC)
            head = HeadView(row.size, row.root, stamp, row.key_id)
        u.audit("exchange_log", org_id=owner.id, details={"returned": len(rows)})
        return views, total, head


def seen_heads(hub: Hub, actor: Actor, *, org: str | None = None) -> list[SeenHeadView]:
    """The latest head fetched from each partner's log and its verdict (``fork`` alerts)."""
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        latest = (
            select(func.max(SeenHead.id))
            .join(Partner, Partner.id == SeenHead.partner_id)
            .where(Partner.org_id == owner.id)
            .group_by(SeenHead.partner_id)
        )
        rows = list(u.s.scalars(select(SeenHead).where(SeenHead.id.in_(latest))))
        names = _names(u.s, {r.partner_id for r in rows})
        u.audit("exchange_log", org_id=owner.id, details={"partner_heads": len(rows)})
        return [
            SeenHeadView(
                names.get(r.partner_id, "?"),
                r.size,
                r.root,
                r.fetched_at,
                r.verdict,
                list(r.problems),
            )
            for r in rows
        ]


__all__ = [
    "DecisionView",
    "DisclosureView",
    "HeadView",
    "SeenHeadView",
    "decisions",
    "disclosures",
    "seen_heads",
]
