"""Who a signed request comes from: a partner of one local organisation, by its key.

Node routes carry the addressed organisation's key id in their path
(``/api/exchange/node/<org key id>/...``, ``/taxii2/<org key id>/...``): the partner registry
of that organisation is the only place the sender's key is looked up, so one remote node can be
a partner of several organisations here without any of them seeing the others' packages. A
refused request (unknown key, bad signature, replay, stale date, suspended partner) is recorded
as a refusal decision and raised; nonces are kept for the skew window and then pruned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from nacl.signing import VerifyKey
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.errors import Forbidden, NotFound
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.exchange import identity, signing
from cthub.exchange.decisions import refuse_request
from cthub.exchange.models import Nonce, Partner

MAX_SKEW_S = 300


@dataclass(frozen=True)
class NodeCaller:
    """A verified partner request: the local organisation addressed and the partner."""

    org_id: int
    partner_id: int
    partner_name: str
    actor: Actor


def org_by_key_id(session: Session, settings: Settings, org_key_id: str) -> Organisation:
    """The local organisation whose exchange key id is ``org_key_id``."""
    for org in session.scalars(select(Organisation)):
        if identity.key_path(settings, org.id).exists() and (
            identity.org_key_id(settings, org.id) == org_key_id
        ):
            return org
    raise NotFound(
        "No organisation on this node has exchange key {key_id}.", key_id=org_key_id[:16]
    )


def refuse_unaddressed(
    method: str, path: str, host: str, headers: Mapping[str, str], body: bytes
) -> NoReturn:
    """A request to an organisation this node does not hold: refused as an unsigned or
    unknown-key request would be (401, the signature checks' own reason), so that a caller
    without a registered key learns nothing about which organisations are here."""
    signing.verify_request(method, path, host, headers, body, lookup_key=lambda _k: None,
                           remember_nonce=lambda *_a: False)  # fmt: skip
    raise AssertionError("unreachable: an unknown key never verifies")  # pragma: no cover


def addressed(
    db: Database,
    settings: Settings,
    org_key_id: str,
    *,
    method: str,
    path: str,
    host: str,
    headers: Mapping[str, str],
    body: bytes,
    operation: str,
) -> NodeCaller:
    """``authenticate`` for a request addressed to ``/<org key id>/``; unknown ids are 401."""
    with db.session(readonly=True) as s:
        try:
            org_id = org_by_key_id(s, settings, org_key_id).id
        except NotFound:
            org_id = None
    if org_id is None:
        refuse_unaddressed(method, path, host, headers, body)
    return authenticate(db, org_id, method=method, path=path, host=host, headers=headers,
                        body=body, operation=operation)  # fmt: skip


def _remember(db: Database, prune_before: dt.datetime) -> signing.RememberNonce:
    def remember(key_id: str, nonce: str, at: dt.datetime) -> bool:
        try:
            with db.session() as s:
                s.execute(delete(Nonce).where(Nonce.at < prune_before))
                s.add(Nonce(key_id=key_id, nonce=nonce, at=at))
        except IntegrityError:
            return False
        return True

    return remember


def authenticate(
    db: Database,
    org_id: int,
    *,
    method: str,
    path: str,
    host: str,
    headers: Mapping[str, str],
    body: bytes,
    operation: str,
    now: dt.datetime | None = None,
) -> NodeCaller:
    """Verify a signed request addressed to ``org_id``; refusals are recorded, then raised."""
    moment = now or dt.datetime.now(dt.UTC)
    found: dict[str, Partner] = {}

    def lookup(key_id: str) -> VerifyKey | None:
        with db.session(readonly=True) as s:
            row = s.scalars(
                select(Partner).where(Partner.org_id == org_id, Partner.key_id == key_id)
            ).first()
            if row is None:
                return None
            s.expunge(row)
        found["partner"] = row
        return signing.load_public_key(row.public_key.encode(), f"partner {row.name}")

    sender = str(headers.get(signing.KEY_HEADER) or headers.get(signing.KEY_HEADER.lower()) or "")
    try:
        signing.verify_request(
            method,
            path,
            host,
            headers,
            body,
            lookup_key=lookup,
            remember_nonce=_remember(db, moment - dt.timedelta(seconds=2 * MAX_SKEW_S)),
            now=moment,
            max_skew_s=MAX_SKEW_S,
        )
    except signing.SignatureRefused as exc:
        partner = found.get("partner")
        with db.session() as s:
            refuse_request(
                s,
                org_id=org_id,
                partner_id=partner.id if partner else None,
                operation=operation,
                clause="signature",
                reason=f"{exc.reason}: {exc.render()}",
                actor=f"key:{sender[:16]}",
            )
        raise
    partner = found["partner"]
    if partner.state != "active":
        with db.session() as s:
            refuse_request(
                s,
                org_id=org_id,
                partner_id=partner.id,
                operation=operation,
                clause="partner",
                reason="The partner is suspended.",
                actor=f"partner:{partner.name}",
            )
        raise Forbidden("Partner {name} is suspended here.", name=partner.name)
    actor = Actor(
        name=f"partner:{partner.name}",
        role="partner",
        org_id=org_id,
        via="signed",
        extra={"partner_id": partner.id},
    )
    return NodeCaller(org_id, partner.id, partner.name, actor)


__all__ = ["MAX_SKEW_S", "NodeCaller", "addressed", "authenticate", "org_by_key_id",
           "refuse_unaddressed"]  # fmt: skip
