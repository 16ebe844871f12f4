"""Tables of the exchange capability: partners, audiences, packages and their objects, release
decisions, the disclosure log, notices, onward-sharing and lawful requests, sync state.

A *partner* belongs to the local organisation that registered it: either another organisation on
this node (``local_org_id``) or an organisation on another cthub node (``url`` + Ed25519 public
key, identified on the wire by ``key_id``). *Audiences* are named partner sets (sharing groups);
each is one TAXII collection.

A *package* is what is shared. Its release rule lives on the row (``tlp``, ``pap``, ``purposes``,
``legal_basis``, ``expires_at``) plus its partner and audience sets. Its STIX objects are rows of
``exchange_objects`` (one per object version), so a TAXII read filters in SQL. A package received
from a partner is a row too, with ``origin_partner_id`` and the originator's ``remote_id``; the
receiving node's own policy (``Partner.accept_tlp``, ``accept_purposes``) decided that it was kept.

``exchange_decisions`` records every release decision, allowed or refused, with the clause that
decided. ``exchange_disclosures`` is the leaf table of the append-only Merkle log (RFC 6962); its
rows are never updated (triggers refuse it, as for the audit log); ``exchange_tree_heads`` keeps
every signed tree head. ``exchange_seen_heads`` keeps the heads fetched from partners' logs, so a
fork is detected across runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow

PARTNER_STATES = ("active", "suspended")
PACKAGE_STATES = ("active", "erased")
PURPOSES = (
    "ct-investigation",
    "border-screening",
    "financial-intelligence",
    "content-moderation",
    "capacity-building",
    "judicial-cooperation",
)
ONWARD_STATES = ("pending", "approved", "refused")
REQUEST_STATES = ("open", "accepted", "partially-accepted", "declined", "answered", "withdrawn")
URGENCIES = ("routine", "urgent", "emergency")


class Partner(Base):
    __tablename__ = "exchange_partners"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    local_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    url: Mapped[str] = mapped_column(String(500), default="")
    public_key: Mapped[str] = mapped_column(Text, default="")
    key_id: Mapped[str | None] = mapped_column(String(16), index=True)
    #: what this node keeps when the partner sends it something (its own policy)
    accept_tlp: Mapped[str] = mapped_column(String(20), default="TLP:RED")
    accept_purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_purpose: Mapped[str] = mapped_column(String(40), default="ct-investigation")
    #: which of this organisation's lists the partner may match by PSI ("" = none, "watchlist")
    psi_list: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(12), default="active")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Audience(Base):
    __tablename__ = "exchange_audiences"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the TAXII collection id of this audience
    collection_id: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AudienceMember(Base):
    __tablename__ = "exchange_audience_members"
    audience_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_audiences.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_partners.id", ondelete="CASCADE"), primary_key=True
    )


class Package(Base):
    __tablename__ = "exchange_packages"
    __table_args__ = (UniqueConstraint("origin_partner_id", "remote_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="stix")
    tlp: Mapped[str] = mapped_column(String(20))
    pap: Mapped[str] = mapped_column(String(20), default="PAP:AMBER")
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(12), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    objects: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(200), default="")
    origin_partner_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_partners.id"))
    remote_id: Mapped[str | None] = mapped_column(String(36))
    #: sync order: raised on every change, the cursor partners pull from
    seq: Mapped[int] = mapped_column(BigInteger, index=True, unique=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_reason: Mapped[str] = mapped_column(Text, default="")


class PackagePartner(Base):
    __tablename__ = "exchange_package_partners"
    package_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_packages.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_partners.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PackageAudience(Base):
    __tablename__ = "exchange_package_audiences"
    package_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_packages.id", ondelete="CASCADE"), primary_key=True
    )
    audience_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_audiences.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StixObject(Base):
    """One version of one STIX object of a package; ``added`` is the TAXII date_added (ms)."""

    __tablename__ = "exchange_objects"
    __table_args__ = (
        Index("ix_exchange_objects_package_added", "package_id", "added"),
        Index("ix_exchange_objects_stix_id", "stix_id"),
        Index("ix_exchange_objects_added_seq", "added", "seq"),
    )
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    package_id: Mapped[str] = mapped_column(ForeignKey("exchange_packages.id", ondelete="CASCADE"))
    stix_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(60))
    modified: Mapped[str] = mapped_column(String(40), default="")
    added: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)


class Decision(Base):
    __tablename__ = "exchange_decisions"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    org_id: Mapped[int] = mapped_column(Integer, index=True)
    package_id: Mapped[str | None] = mapped_column(String(36), index=True)
    partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    operation: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(40), default="")
    allowed: Mapped[bool] = mapped_column(Boolean)
    clause: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")


class Disclosure(Base):
    """A leaf of an organisation's disclosure log; ``leaf`` is the canonical JSON that was hashed.

    Each organisation keeps its own log, its tree heads signed with the organisation's exchange
    key, the key its partners registered, so a partner verifies heads with what it already has.
    """

    __tablename__ = "exchange_disclosures"
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the partner whose data this is (for an incoming package passed on with approval)
    about_partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    package_id: Mapped[str | None] = mapped_column(String(36), index=True)
    leaf: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class TreeHeadRow(Base):
    __tablename__ = "exchange_tree_heads"
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    root: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(16))


class SeenHead(Base):
    """A signed tree head fetched from a partner's log (for fork detection across runs)."""

    __tablename__ = "exchange_seen_heads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(128))
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verdict: Mapped[str] = mapped_column(String(20), default="ok")
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Notice(Base):
    """A correction or erasure notice, sent (``out``) or received (``in``), and its ack."""

    __tablename__ = "exchange_notices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    org_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"), index=True)
    package_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ack: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class OnwardRequest(Base):
    """A recipient asks the originator to share a package beyond its release rule."""

    __tablename__ = "exchange_onward_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, index=True)  # the originator who decides
    package_id: Mapped[str] = mapped_column(String(36), index=True)
    requester_partner_id: Mapped[int | None] = mapped_column(Integer)
    requester: Mapped[str] = mapped_column(String(200), default="")
    target: Mapped[str] = mapped_column(String(200))
    target_partner_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class LawfulRequest(Base):
    """An authority's request for data to a partner (a platform, a bank), and its answer."""

    __tablename__ = "exchange_lawful_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, index=True)  # the requesting authority
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"), index=True)
    addressee_org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(Text)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    urgency: Mapped[str] = mapped_column(String(12), default="routine")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[str] = mapped_column(Text, default="")
    answer_package_id: Mapped[str | None] = mapped_column(String(36))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Nonce(Base):
    """Nonces of signed requests seen inside the clock-skew window (replay protection)."""

    __tablename__ = "exchange_nonces"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class SyncCursor(Base):
    """How far this node has pulled from (or pushed to) a partner: the partner's package seq."""

    __tablename__ = "exchange_sync_cursors"
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_partners.id", ondelete="CASCADE"), primary_key=True
    )
    direction: Mapped[str] = mapped_column(String(4), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")


__all__ = [
    "PACKAGE_STATES",
    "PARTNER_STATES",
    "PURPOSES",
    "Audience",
    "AudienceMember",
    "Decision",
    "Disclosure",
    "LawfulRequest",
    "Nonce",
    "Notice",
    "OnwardRequest",
    "Package",
    "PackageAudience",
    "PackagePartner",
    "Partner",
    "SeenHead",
    "StixObject",
    "SyncCursor",
    "TreeHeadRow",
]
