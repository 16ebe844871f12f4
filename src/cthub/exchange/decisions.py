"""Release rules read from the database, and every decision written back.

``rules_for`` builds the engine's ``Rule`` for many packages in three queries (a TAXII read or a
sync decides hundreds at once). ``decide`` evaluates one ask and records the decision, allowed
or refused, with the clause that decided, in ``exchange_decisions``: Directive 2016/680 Art. 25
asks for the log of why a disclosure was allowed, and refusals are kept as well.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.exchange.models import (
    AudienceMember,
    Decision,
    Package,
    PackageAudience,
    PackagePartner,
    Partner,
)
from cthub.exchange.release import Ask, Rule, Verdict, evaluate
from cthub.exchange.tlp import parse_tlp


def rules_for(session: Session, packages: Iterable[Package]) -> dict[str, Rule]:
    """The release rule of each package, with its audiences resolved to their members."""
    rows = {p.id: p for p in packages}
    if not rows:
        return {}
    ids = list(rows)
    named: dict[str, set[int]] = defaultdict(set)
    grouped: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        for pid, partner_id in session.execute(
            select(PackagePartner.package_id, PackagePartner.partner_id).where(
                PackagePartner.package_id.in_(chunk)
            )
        ):
            named[pid].add(partner_id)
        for pid, partner_id in session.execute(
            select(PackageAudience.package_id, AudienceMember.partner_id)
            .join(AudienceMember, AudienceMember.audience_id == PackageAudience.audience_id)
            .where(PackageAudience.package_id.in_(chunk))
        ):
            grouped[pid].add(partner_id)
    return {
        pid: Rule(
            package_id=pid,
            tlp=parse_tlp(p.tlp),
            partners=frozenset(named[pid]),
            audience_partners=frozenset(grouped[pid]),
            purposes=frozenset(p.purposes or ()),
            legal_basis=p.legal_basis,
            expires_at=p.expires_at,
            state=p.state,
            # on a received copy, a named partner is one the originator approved onward
            onward_approved=frozenset(named[pid])
            if p.origin_partner_id is not None
            else frozenset(),
        )
        for pid, p in rows.items()
    }


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def decide_many(
    session: Session,
    *,
    org_id: int,
    partner: Partner,
    rules: Iterable[Rule],
    operation: str,
    purpose: str,
    actor: str,
    at: dt.datetime | None = None,
) -> dict[str, Verdict]:
    """Evaluate and record one decision per rule for one partner (one INSERT for all)."""
    moment = at or utcnow()
    verdicts: dict[str, Verdict] = {}
    rows = []
    for rule in rules:
        ask = Ask(partner.id, purpose, operation, moment, partner.state == "active")
        verdict = evaluate(rule, ask)
        verdicts[rule.package_id] = verdict
        rows.append(
            {
                "at": moment,
                "org_id": org_id,
                "package_id": rule.package_id,
                "partner_id": partner.id,
                "operation": operation,
                "purpose": purpose[:40],
                "allowed": verdict.allowed,
                "clause": verdict.clause,
                "reason": verdict.render()[:2000],
                "actor": actor[:200],
            }
        )
    if rows:
        session.execute(insert(Decision), rows)
    return verdicts


def refuse_request(
    session: Session,
    *,
    org_id: int,
    partner_id: int | None,
    operation: str,
    clause: str,
    reason: str,
    actor: str,
    package_id: str | None = None,
    purpose: str = "",
) -> None:
    """Record a refusal that no package rule decided (unknown partner, bad signature, ...)."""
    session.add(
        Decision(
            org_id=org_id,
            package_id=package_id,
            partner_id=partner_id,
            operation=operation,
            purpose=purpose[:40],
            allowed=False,
            clause=clause,
            reason=reason[:2000],
            actor=actor[:200],
        )
    )


__all__ = ["decide_many", "refuse_request", "rules_for"]
