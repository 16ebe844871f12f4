"""Releasing packages to one partner: which packages it could be given, the rule decided on each,
and the disclosure leaves for what was actually given.

*Candidates* are the packages a partner could at all be given: the organisation's own active
packages that are TLP:CLEAR or GREEN, name the partner, or name an audience it belongs to; and
packages the organisation received, which it may pass on only under the ``onward`` operation
(CLEAR or GREEN, or after the originator approved). A decision is recorded for every candidate
evaluated and for every package a partner asks for by id; packages that never named the partner
are not candidates, so a read does not log a refusal for every package on the node.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.exchange import disclosure, store
from cthub.exchange.decisions import decide_many, rules_for
from cthub.exchange.models import AudienceMember, Package, PackageAudience, PackagePartner, Partner
from cthub.exchange.release import Rule, Verdict

OPEN_TLP = ("TLP:CLEAR", "TLP:GREEN")


@dataclass(frozen=True)
class Released:
    package: Package
    rule: Rule
    verdict: Verdict
    operation: str


def _reaching(partner: Partner) -> object:
    """SQL condition: the package names the partner or one of its audiences, or is open."""
    named = select(PackagePartner.package_id).where(PackagePartner.partner_id == partner.id)
    grouped = (
        select(PackageAudience.package_id)
        .join(AudienceMember, AudienceMember.audience_id == PackageAudience.audience_id)
        .where(AudienceMember.partner_id == partner.id)
    )
    return or_(Package.tlp.in_(OPEN_TLP), Package.id.in_(named), Package.id.in_(grouped))


def candidates(
    session: Session,
    org_id: int,
    partner: Partner,
    *,
    after_seq: int | None = None,
    package_ids: list[str] | None = None,
    include_incoming: bool = True,
) -> list[Package]:
    """Packages of ``org_id`` that could reach ``partner`` (see the module docstring)."""
    stmt = select(Package).where(Package.org_id == org_id, Package.state == "active")
    if package_ids is not None:
        stmt = stmt.where(Package.id.in_(package_ids))
    else:
        stmt = stmt.where(_reaching(partner))  # type: ignore[arg-type]
    if after_seq is not None:
        stmt = stmt.where(Package.seq > after_seq)
    if not include_incoming:
        stmt = stmt.where(Package.origin_partner_id.is_(None))
    # never send a partner back what it sent us
    stmt = stmt.where(
        or_(Package.origin_partner_id.is_(None), Package.origin_partner_id != partner.id)
    )
    return list(session.scalars(stmt.order_by(Package.seq)))


def release(
    session: Session,
    org_id: int,
    partner: Partner,
    packages: list[Package],
    *,
    operation: str,
    purpose: str,
    actor: str,
    at: dt.datetime | None = None,
) -> list[Released]:
    """Decide every package for the partner (recorded); received packages go as ``onward``."""
    rules = rules_for(session, packages)
    own = [rules[p.id] for p in packages if p.origin_partner_id is None]
    received = [rules[p.id] for p in packages if p.origin_partner_id is not None]
    moment = at or utcnow()
    verdicts = decide_many(
        session,
        org_id=org_id,
        partner=partner,
        rules=own,
        operation=operation,
        purpose=purpose,
        actor=actor,
        at=moment,
    )
    verdicts |= decide_many(
        session,
        org_id=org_id,
        partner=partner,
        rules=received,
        operation="onward",
        purpose=purpose,
        actor=actor,
        at=moment,
    )
    return [
        Released(
            p, rules[p.id], verdicts[p.id], operation if p.origin_partner_id is None else "onward"
        )
        for p in packages
    ]


def disclose(
    session: Session,
    org_id: int,
    partner: Partner,
    given: list[Released],
    *,
    purpose: str,
    actor: str,
    bodies: dict[str, list[bytes]] | None = None,
) -> list[int]:
    """Append one disclosure leaf per package actually given; ``bodies`` are what was sent."""
    entries = []
    for r in given:
        if not r.verdict.allowed:
            continue
        sent = (bodies or {}).get(r.package.id)
        if sent is None:
            sent = store.bodies(session, r.package.id)
        entries.append(
            disclosure.Entry(
                partner=partner,
                package_id=r.package.id,
                version=r.package.version,
                operation=r.operation,
                purpose=purpose,
                rule=r.rule,
                objects=len(sent),
                digest=disclosure.digest_of(sent),
                about_partner_id=r.package.origin_partner_id,
            )
        )
    return disclosure.append(session, org_id, entries, actor)


__all__ = ["Released", "candidates", "disclose", "release"]
