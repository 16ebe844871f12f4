"""Partner organisations and audiences (named partner sets), as an organisation registers them.

A partner is another organisation on this node (``local``: its users see what is released to
it) or an organisation on another cthub node (``url`` and its Ed25519 public key: requests are
signed, never authenticated by a shared password). ``accept_tlp`` and ``accept_purposes`` are
this node's own policy for what the partner sends: a package above that TLP or for another
purpose is refused on arrival, whatever the sender's rule says.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.errors import Conflict, InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.exchange import signing
from cthub.exchange.models import PARTNER_STATES, PURPOSES, Audience, AudienceMember, Partner
from cthub.exchange.scope import acting_org, audience_named, partner_named
from cthub.exchange.tlp import parse_tlp

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


@dataclass(frozen=True)
class PartnerView:
    id: int
    name: str
    kind: str
    url: str
    key_id: str | None
    local_org: str | None
    accept_tlp: str
    accept_purposes: list[str]
    default_purpose: str
    psi_list: str
    state: str
    audiences: list[str]
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class AudienceView:
    id: int
    name: str
    description: str
    collection_id: str
    members: list[str]


def check_name(name: str, what: str = "partner") -> str:
    text = (name or "").strip()
    if not NAME.match(text):
        raise InvalidInput(
            "The {what} name {name} is not usable.",
            hint="Use 1-100 letters, digits, spaces, dots, dashes or underscores.",
            what=what,
            name=text[:100],
        )
    return text


def check_purposes(purposes: list[str]) -> list[str]:
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        raise InvalidInput(
            "Unknown purpose {purpose}.",
            hint="Use one of: {known}.",
            purpose=unknown[0][:40],
            known=", ".join(PURPOSES),
        )
    return sorted(set(purposes))


def _audiences_of(session: Session, partner_id: int) -> list[str]:
    rows = session.scalars(
        select(Audience.name)
        .join(AudienceMember, AudienceMember.audience_id == Audience.id)
        .where(AudienceMember.partner_id == partner_id)
        .order_by(Audience.name)
    )
    return list(rows)


def view(session: Session, p: Partner) -> PartnerView:
    local = session.get(Organisation, p.local_org_id) if p.local_org_id else None
    return PartnerView(
        p.id,
        p.name,
        "local" if p.local_org_id else "node",
        p.url,
        p.key_id,
        local.name if local else None,
        p.accept_tlp,
        list(p.accept_purposes or []),
        p.default_purpose,
        p.psi_list,
        p.state,
        _audiences_of(session, p.id),
        p.created_by,
        p.created_at,
    )


def add_partner(
    hub: Hub,
    actor: Actor,
    name: str,
    *,
    url: str = "",
    public_key: bytes | None = None,
    key_source: str = "public key",
    local_org: str | None = None,
    accept_tlp: str = "TLP:RED",
    accept_purposes: list[str] | None = None,
    default_purpose: str = "ct-investigation",
    psi_list: str = "",
    org: str | None = None,
) -> PartnerView:
    """Register a partner: a local organisation, or a node with its URL and public key."""
    name = check_name(name)
    tlp = parse_tlp(accept_tlp)
    purposes = check_purposes(accept_purposes or [])
    check_purposes([default_purpose])
    if psi_list not in ("", "watchlist"):
        raise InvalidInput(
            "Unknown PSI list {list}.", hint="Use watchlist, or leave it empty.", list=psi_list[:40]
        )
    verify_key = signing.load_public_key(public_key, key_source) if public_key else None
    if local_org is None and (verify_key is None or not url.startswith(("http://", "https://"))):
        raise InvalidInput(
            "A partner on another node needs its URL and its public key.",
            hint="Pass --url https://... and --public-key FILE, or --local-org NAME.",
        )
    with hub.unit(actor, "exchange.partners") as u:
        owner = acting_org(u, org)
        if u.s.scalars(
            select(Partner.id).where(Partner.org_id == owner.id, Partner.name == name)
        ).first():
            raise Conflict("A partner named {name} exists already.", name=name)
        local = None
        if local_org is not None:
            local = u.s.scalars(select(Organisation).where(Organisation.name == local_org)).first()
            if local is None or local.id == owner.id:
                raise InvalidInput(
                    "No other organisation named {name} on this node.", name=local_org[:100]
                )
        partner = Partner(
            org_id=owner.id,
            name=name,
            local_org_id=local.id if local else None,
            url=url.rstrip("/"),
            key_id=signing.key_id(verify_key) if verify_key else None,
            public_key=signing.public_key_text(verify_key) if verify_key else "",
            accept_tlp=tlp.label,
            accept_purposes=purposes,
            default_purpose=default_purpose,
            psi_list=psi_list,
            created_by=actor.name,
        )
        u.s.add(partner)
        u.s.flush()
        u.audit(
            "exchange_partner",
            partner.id,
            org_id=owner.id,
            details={
                "name": name,
                "url": partner.url,
                "key_id": partner.key_id,
                "local_org": local_org,
            },
        )
        return view(u.s, partner)


def partners(hub: Hub, actor: Actor, *, org: str | None = None) -> list[PartnerView]:
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        rows = u.s.scalars(select(Partner).where(Partner.org_id == owner.id).order_by(Partner.name))
        found = [view(u.s, p) for p in rows]
        u.audit("exchange_partner", org_id=owner.id, details={"returned": len(found)})
        return found


def set_state(
    hub: Hub, actor: Actor, name: str, state: str, *, org: str | None = None
) -> PartnerView:
    """Suspend a partner (it receives nothing from then on) or make it active again."""
    if state not in PARTNER_STATES:
        raise InvalidInput(
            "Unknown partner state {state}.", hint="Use active or suspended.", state=state[:20]
        )
    with hub.unit(actor, "exchange.partners") as u:
        owner = acting_org(u, org)
        p = partner_named(u.s, owner.id, name)
        before, p.state = p.state, state
        u.audit("exchange_partner", p.id, org_id=owner.id, details={"state": state, "was": before})
        return view(u.s, p)


def create_audience(
    hub: Hub,
    actor: Actor,
    name: str,
    members: list[str],
    *,
    description: str = "",
    org: str | None = None,
) -> AudienceView:
    """A named partner set (a sharing group); it is also one TAXII collection."""
    name = check_name(name, "audience")
    with hub.unit(actor, "exchange.partners") as u:
        owner = acting_org(u, org)
        if u.s.scalars(
            select(Audience.id).where(Audience.org_id == owner.id, Audience.name == name)
        ).first():
            raise Conflict("An audience named {name} exists already.", name=name)
        group = Audience(
            org_id=owner.id,
            name=name,
            description=description[:2000],
            collection_id=str(uuid.uuid4()),
        )
        u.s.add(group)
        u.s.flush()
        for member in sorted(set(members)):
            u.s.add(
                AudienceMember(
                    audience_id=group.id, partner_id=partner_named(u.s, owner.id, member).id
                )
            )
        u.audit(
            "exchange_audience",
            group.id,
            org_id=owner.id,
            details={"name": name, "members": sorted(set(members))},
        )
        return AudienceView(
            group.id, name, group.description, group.collection_id, sorted(set(members))
        )


def audiences(hub: Hub, actor: Actor, *, org: str | None = None) -> list[AudienceView]:
    with hub.unit(actor, "exchange.read") as u:
        owner = acting_org(u, org)
        found = []
        for group in u.s.scalars(
            select(Audience).where(Audience.org_id == owner.id).order_by(Audience.name)
        ):
            names = u.s.scalars(
                select(Partner.name)
                .join(AudienceMember, AudienceMember.partner_id == Partner.id)
                .where(AudienceMember.audience_id == group.id)
                .order_by(Partner.name)
            )
            found.append(
                AudienceView(
                    group.id, group.name, group.description, group.collection_id, list(names)
                )
            )
        u.audit("exchange_audience", org_id=owner.id, details={"returned": len(found)})
        return found


__all__ = [
    "AudienceView",
    "PartnerView",
    "add_partner",
    "audience_named",
    "audiences",
    "check_purposes",
    "create_audience",
    "partners",
    "set_state",
]
