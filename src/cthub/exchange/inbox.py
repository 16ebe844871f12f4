"""Packages arriving from a partner node, kept only if this node's own policy allows them.

Whatever the sender's rule says, the receiving organisation decides what it keeps from each
partner (``Partner.accept_tlp``, ``Partner.accept_purposes``), and it never keeps a package
that has already expired. A package that passes is stored as an *incoming* package
(``origin_partner_id`` = the sender, ``remote_id`` = the sender's id), or replaces the stored
copy when its ``version`` is newer; the same version again changes nothing, so a page resent
after a lost answer is harmless. An erased copy is never revived. Every refusal is recorded as
a decision (clause ``expiry``, ``accept_tlp``, ``accept_purpose`` or ``format``) and reported
back to the sender, package by package.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.exchange import store
from cthub.exchange.decisions import refuse_request
from cthub.exchange.envelopes import Payload, parse_payload
from cthub.exchange.models import Package, Partner
from cthub.exchange.tlp import parse_tlp


@dataclass
class Arrival:
    """What became of each package of one page: kept (new or newer), unchanged, refused."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    objects: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "unchanged": self.unchanged, "refused": self.refused,
                "objects": self.objects}  # fmt: skip


def refusal(partner: Partner, p: Payload, now: dt.datetime) -> tuple[str, str] | None:
    """``(clause, reason)`` when this node's policy refuses ``p`` from ``partner``, else None.

    The reason is written to the decision log in English (as the release engine's are).
    """
    if p.expires_at is not None and p.expires_at <= now:
        return "expiry", f"The package expired at {p.expires_at.isoformat()}."
    ceiling = parse_tlp(partner.accept_tlp)
    if p.tlp.rank > ceiling.rank:
        return "accept_tlp", (
            f"This node accepts at most {ceiling.label} from {partner.name}; "
            f"the package is {p.tlp.label}."
        )
    wanted = set(partner.accept_purposes or [])
    if wanted and not wanted & set(p.purposes):
        return "accept_purpose", (
            f"This node accepts {partner.name}'s packages for {', '.join(sorted(wanted))} only; "
            f"the package is for {', '.join(p.purposes) or '-'}."
        )
    return None


def incoming(session: Session, partner_id: int, remote_id: str) -> Package | None:
    """This node's copy of the sender's package ``remote_id``, if it holds one."""
    return session.scalars(
        select(Package).where(Package.origin_partner_id == partner_id,
                              Package.remote_id == remote_id)
    ).first()  # fmt: skip


def store_copy(
    session: Session, org_id: int, partner: Partner, p: Payload, held: Package | None, actor: str
) -> Package:
    """Write ``p`` as the organisation's copy (new, or replacing the objects of ``held``)."""
    seq = store.next_seq(session)  # before the new row is added: the query autoflushes
    if held is None:
        held = Package(id=str(uuid.uuid4()), org_id=org_id, origin_partner_id=partner.id,
                       remote_id=p.remote_id, created_by=actor[:200],
                       source=("partner:" + partner.name)[:200])  # fmt: skip
        session.add(held)
    else:
        store.drop_objects(session, held.id)
        held.updated_at = utcnow()
    held.title, held.kind, held.tlp, held.pap = p.title, p.kind, p.tlp.label, p.pap
    held.purposes, held.legal_basis, held.expires_at = p.purposes, p.legal_basis, p.expires_at
    held.version, held.sha256, held.state = p.version, p.sha256, "active"
    held.seq = seq
    session.flush()
    held.objects = store.write_objects(session, held.id, p.objects, p.tlp)
    session.flush()
    return held


def receive(
    session: Session, org_id: int, partner: Partner, raws: list[Any], *, actor: str
) -> Arrival:
    """Keep what the organisation's policy allows of ``raws`` (package payloads)."""
    arrival = Arrival()
    now = utcnow()
    for raw in raws:
        p, problem = parse_payload(raw)
        if p is None:
            rid = str(raw.get("id", ""))[:36] if isinstance(raw, dict) else ""
            _refuse(session, org_id, partner, rid, "format", problem, actor, arrival)
            continue
        held = incoming(session, partner.id, p.remote_id)
        if held is not None and (held.version >= p.version or held.state != "active"):
            arrival.unchanged.append(p.remote_id)
            continue
        refused = refusal(partner, p, now)
        if refused is not None:
            _refuse(session, org_id, partner, p.remote_id, *refused, actor, arrival,
                    purpose=",".join(p.purposes))  # fmt: skip
            continue
        copy = store_copy(session, org_id, partner, p, held, actor)
        arrival.objects += copy.objects
        arrival.accepted.append({"id": p.remote_id, "local_id": copy.id, "version": p.version,
                                 "objects": copy.objects})  # fmt: skip
    return arrival


def _refuse(
    session: Session, org_id: int, partner: Partner, remote_id: str, clause: str, reason: str,
    actor: str, arrival: Arrival, *, purpose: str = "",
) -> None:  # fmt: skip
    refuse_request(session, org_id=org_id, partner_id=partner.id, operation="sync",
                   clause=clause, reason=reason, actor=actor, package_id=remote_id or None,
                   purpose=purpose)  # fmt: skip
    arrival.refused.append({"id": remote_id, "clause": clause, "reason": reason})


__all__ = ["Arrival", "incoming", "receive", "refusal", "store_copy"]
