"""Packages: create one from a file (or from another capability's objects), correct it, erase it.

The release rule is checked when the package is made: a TLP label not weaker than the content's
own markings, at least one purpose, a legal basis unless TLP:CLEAR, at least one recipient
unless CLEAR or GREEN, an expiry in the future. Correcting or erasing a package raises its
sync sequence and queues a signed notice for every partner it was disclosed to (``notices``
delivers them); an erased package keeps its row (state, reason, who, when) and loses its objects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.exchange import intake, store
from cthub.exchange.decisions import rules_for
from cthub.exchange.models import (
    Disclosure,
    Notice,
    Package,
    PackageAudience,
    PackagePartner,
    Partner,
)
from cthub.exchange.partners import check_purposes
from cthub.exchange.scope import acting_org, audience_named, package_of, partner_named
from cthub.exchange.tlp import Tlp, parse_pap, parse_tlp
from cthub.exchange.views import PackageView, package_view


@dataclass(frozen=True)
class ReleaseSpec:
    """The release rule as a user writes it (names, not ids)."""

    tlp: str
    partners: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    legal_basis: str = ""
    expires: dt.datetime | dt.date | None = None
    pap: str = "PAP:AMBER"
    #: the web form and API insist on a legal basis above TLP:CLEAR; the CLI contract does
    #: not, and warns instead (the rule then says "no legal basis stated" in plain words)
    legal_basis_required: bool = True


def _expiry(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0, 0), dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value <= utcnow():
        raise InvalidInput(
            "The expiry {expires} is in the past.",
            hint="Give a future date (YYYY-MM-DD): the grant stops by itself then.",
            expires=value.date().isoformat(),
        )
    return value


def check_spec(spec: ReleaseSpec, content_tlp: Tlp | None) -> tuple[Tlp, list[str]]:
    tlp = parse_tlp(spec.tlp)
    parse_pap(spec.pap)
    if content_tlp is not None and content_tlp.rank > tlp.rank:
        raise InvalidInput(
            "The content is marked {found}; it cannot be shared as {asked}.",
            hint="Choose {found} or stricter.",
            found=content_tlp.label,
            asked=tlp.label,
        )
    purposes = check_purposes(list(spec.purposes))
    if not purposes:
        raise InvalidInput(
            "A package needs at least one purpose.",
            hint="Say what the partners may use it for, e.g. --purpose ct-investigation.",
        )
    if spec.legal_basis_required and tlp is not Tlp.CLEAR and not spec.legal_basis.strip():
        raise InvalidInput(
            "A package above TLP:CLEAR needs its legal basis.",
            hint="Name the law or agreement that allows the disclosure (--legal-basis).",
        )
    if tlp not in (Tlp.CLEAR, Tlp.GREEN) and not (spec.partners or spec.audiences):
        raise InvalidInput(
            "{tlp} needs at least one named partner or audience.",
            hint="Pass --partners A,B or --audiences NAME.",
            tlp=tlp.label,
        )
    if tlp is Tlp.RED and not spec.partners:
        raise InvalidInput(
            "TLP:RED goes to partners named individually, not to audiences.",
            hint="Name the partners with --partners.",
        )
    return tlp, purposes


def _set_recipients(u: Unit, package: Package, org_id: int, spec: ReleaseSpec) -> None:
    for name in sorted(set(spec.partners)):
        u.s.add(
            PackagePartner(package_id=package.id, partner_id=partner_named(u.s, org_id, name).id)
        )
    for name in sorted(set(spec.audiences)):
        u.s.add(
            PackageAudience(package_id=package.id, audience_id=audience_named(u.s, org_id, name).id)
        )


def create(
    hub: Hub,
    actor: Actor,
    data: bytes,
    filename: str,
    spec: ReleaseSpec,
    *,
    title: str = "",
    fmt: str | None = None,
    source: str = "",
    org: str | None = None,
) -> PackageView:
    """Make a package from a file under a release rule; returns it (its id is what others cite)."""
    content = intake.read(filename, data, fmt)
    return create_from(hub, actor, content, spec, title=title or filename, source=source, org=org)


def create_from(
    hub: Hub,
    actor: Actor,
    content: intake.Content,
    spec: ReleaseSpec,
    *,
    title: str,
    source: str = "",
    org: str | None = None,
) -> PackageView:
    """Make a package from objects already built (another capability's hit, case or bank)."""
    tlp, purposes = check_spec(spec, content.tlp)
    expires = _expiry(spec.expires)
    if not content.objects:
        raise InvalidInput("The package has no objects to share.", hint="Check the file.")
    with hub.unit(actor, "exchange.share") as u:
        owner = acting_org(u, org)
        package = Package(
            id=str(uuid.uuid4()),
            org_id=owner.id,
            title=title[:300],
            kind=content.kind,
            tlp=tlp.label,
            pap=parse_pap(spec.pap).label,
            purposes=purposes,
            legal_basis=spec.legal_basis.strip()[:4000],
            expires_at=expires,
            sha256=intake.sha256_of(content.objects),
            source=source[:200],
            seq=store.next_seq(u.s),
            created_by=actor.name,
        )
        u.s.add(package)
        u.s.flush()
        _set_recipients(u, package, owner.id, spec)
        package.objects = store.write_objects(u.s, package.id, content.objects, tlp)
        u.audit(
            "exchange_package",
            package.id,
            org_id=owner.id,
            details={
                "tlp": tlp.label,
                "purposes": purposes,
                "objects": package.objects,
                "partners": sorted(spec.partners),
                "audiences": sorted(spec.audiences),
                "expires": expires.isoformat() if expires else None,
                "format": content.format,
            },
        )
        return package_view(u.s, package)


def _recipients(session: Session, package_id: str) -> list[int]:
    """Partners this package was ever disclosed to (they receive its notices)."""
    rows = session.scalars(
        select(Disclosure.partner_id).where(Disclosure.package_id == package_id).distinct()
    )
    return sorted(p for p in rows if p is not None)


def _queue_notices(u: Unit, package: Package, kind: str, reason: str) -> int:
    queued = 0
    for partner_id in _recipients(u.s, package.id):
        partner = u.s.get(Partner, partner_id)
        if partner is None or partner.local_org_id is not None:
            continue  # a local partner reads the package itself: nothing to deliver
        u.s.add(
            Notice(
                id=str(uuid.uuid4()),
                direction="out",
                org_id=package.org_id,
                partner_id=partner_id,
                package_id=package.id,
                kind=kind,
                version=package.version,
                reason=reason[:2000],
            )
        )
        queued += 1
    return queued


def _own(u: Unit, org: str | None, package_id: str) -> Package:
    owner = acting_org(u, org)
    package = package_of(u.s, owner.id, package_id)
    if package.origin_partner_id is not None:
        raise Conflict(
            "Package {id} was received from a partner; only its originator can change it.",
            id=package_id[:40],
        )
    if package.state != "active":
        raise Conflict("Package {id} was erased.", id=package_id[:40])
    return package


def correct(
    hub: Hub,
    actor: Actor,
    package_id: str,
    data: bytes,
    filename: str,
    *,
    reason: str,
    fmt: str | None = None,
    org: str | None = None,
) -> PackageView:
    """Replace a package's content with a corrected version; recipients get a signed notice."""
    if not reason.strip():
        raise InvalidInput("A correction needs a reason.", hint="Say what was wrong.")
    content = intake.read(filename, data, fmt)
    with hub.unit(actor, "exchange.share") as u:
        package = _own(u, org, package_id)
        tlp = parse_tlp(package.tlp)
        if content.tlp is not None and content.tlp.rank > tlp.rank:
            raise InvalidInput(
                "The corrected content is marked {found}, stricter than {tlp}.",
                found=content.tlp.label,
                tlp=tlp.label,
            )
        store.drop_objects(u.s, package.id)
        package.objects = store.write_objects(u.s, package.id, content.objects, tlp)
        package.version += 1
        package.sha256 = intake.sha256_of(content.objects)
        package.seq, package.updated_at = store.next_seq(u.s), utcnow()
        queued = _queue_notices(u, package, "correction", reason)
        u.audit(
            "exchange_package",
            package.id,
            org_id=package.org_id,
            action="exchange.share",
            details={"corrected": package.version, "reason": reason[:500], "notices": queued},
        )
        return package_view(u.s, package)


def erase(
    hub: Hub, actor: Actor, package_id: str, *, reason: str, org: str | None = None
) -> PackageView:
    """Erase a package: its objects go, nobody receives it again, recipients must erase it."""
    if not reason.strip():
        raise InvalidInput("An erasure needs a reason.", hint="Say why the data must go.")
    with hub.unit(actor, "exchange.share") as u:
        package = _own(u, org, package_id)
        store.drop_objects(u.s, package.id)
        package.state, package.erased_reason = "erased", reason.strip()[:2000]
        package.objects, package.version = 0, package.version + 1
        package.seq, package.updated_at = store.next_seq(u.s), utcnow()
        queued = _queue_notices(u, package, "erasure", reason)
        u.audit(
            "exchange_package",
            package.id,
            org_id=package.org_id,
            details={"erased": True, "reason": reason[:500], "notices": queued},
        )
        return package_view(u.s, package)


def packages(
    hub: Hub,
    actor: Actor,
    *,
    incoming: bool | None = None,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
    org: str | None = None,
) -> tuple[list[PackageView], int]:
    """The organisation's packages (own, or received with ``incoming=True``), newest first."""
    from sqlalchemy import func

    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        stmt = select(Package).where(Package.org_id == owner.id)
        if incoming is not None:
            column = Package.origin_partner_id
            stmt = stmt.where(column.is_not(None) if incoming else column.is_(None))
        if state is not None:
            stmt = stmt.where(Package.state == state)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(u.s.scalars(stmt.order_by(Package.seq.desc()).limit(limit).offset(offset)))
        u.audit(
            "exchange_package",
            org_id=owner.id,
            details={"incoming": incoming, "returned": len(rows)},
        )
        return [package_view(u.s, p) for p in rows], total


def package(hub: Hub, actor: Actor, package_id: str, *, org: str | None = None) -> PackageView:
    with hub.unit(actor, "exchange.read") as u:
        found = package_of(u.s, acting_org(u, org).id, package_id)
        u.audit("exchange_package", found.id, org_id=found.org_id)
        return package_view(u.s, found)


def rule_of(session: Session, package: Package) -> Any:
    return rules_for(session, [package])[package.id]


__all__ = [
    "ReleaseSpec",
    "check_spec",
    "correct",
    "create",
    "create_from",
    "erase",
    "package",
    "packages",
]
