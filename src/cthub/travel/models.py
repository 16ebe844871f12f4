"""Tables of the passenger-information unit: files received, flights, passengers, PNR versions,
hits and their human decisions, risk rules, the lost/stolen document list, and retention.

Personal data lives in the rows of ``travel_passengers`` and ``travel_pnrs`` (and in each PNR
version). Masking (Directive (EU) 2016/681 Art. 12(2)) moves it into ``travel_vault`` and blanks
it in place: ordinary reads then see a depersonalised record, and only an approved, logged
``travel_unmask_requests`` row opens the vault copy. Deletion (Art. 12(4)) removes both. A
``travel_holds`` row (a confirmed hit, with its legal basis) keeps one passenger out of both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow

CHECKS = ("watchlist", "document", "rule", "mrz")
HIT_STATES = ("open", "confirmed", "dismissed", "withdrawn")
DECISIONS = ("confirmed", "dismissed")
UNMASK_STATES = ("pending", "approved", "refused")


class TravelFile(Base):
    """One file received from a carrier (or uploaded): what it held and what was odd in it."""

    __tablename__ = "travel_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    passengers: Mapped[int] = mapped_column(Integer, default=0)
    pnrs: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    received_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Flight(Base):
    """One flight of one organisation (carrier + number + departure date + origin)."""

    __tablename__ = "travel_flights"
    __table_args__ = (UniqueConstraint("org_id", "carrier", "number", "departure_date", "origin"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(5))
    destination: Mapped[str] = mapped_column(String(5))
    departure_date: Mapped[dt.date] = mapped_column(Date, index=True)
    departure: Mapped[dt.datetime | None] = mapped_column(DateTime())
    arrival: Mapped[dt.datetime | None] = mapped_column(DateTime())
    legs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    masked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Pnr(Base):
    """The latest state of one PNR on one flight; every push is a ``PnrVersion``."""

    __tablename__ = "travel_pnrs"
    __table_args__ = (UniqueConstraint("flight_id", "locator"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("travel_flights.id"), index=True)
    locator: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PnrVersion(Base):
    """One push of a PNR: its full state and what changed since the previous push."""

    __tablename__ = "travel_pnr_versions"
    __table_args__ = (UniqueConstraint("pnr_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pnr_id: Mapped[int] = mapped_column(ForeignKey("travel_pnrs.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("travel_files.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TravelPassenger(Base):
    """One traveller on one flight, from the API manifest (``api``) or a PNR (``pnr``)."""

    __tablename__ = "travel_passengers"
    __table_args__ = (UniqueConstraint("flight_id", "source", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # No index of its own: the unique constraint's index starts with flight_id.
    flight_id: Mapped[int] = mapped_column(ForeignKey("travel_flights.id"))
    source: Mapped[str] = mapped_column(String(3))
    key: Mapped[str] = mapped_column(String(64))
    pnr_id: Mapped[int | None] = mapped_column(ForeignKey("travel_pnrs.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(600))
    pnr_locator: Mapped[str] = mapped_column(String(20), default="", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("travel_files.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TravelHit(Base):
    """One check result on one passenger, explained; open until a person decides."""

    __tablename__ = "travel_hits"
    __table_args__ = (UniqueConstraint("passenger_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("travel_flights.id"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("travel_passengers.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    check: Mapped[str] = mapped_column(String(12))
    list_name: Mapped[str] = mapped_column(String(80), default="")
    list_ref: Mapped[str] = mapped_column(String(200), default="")
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TravelDecision(Base):
    """A reviewer's decision on a hit; history, never overwritten."""

    __tablename__ = "travel_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("travel_hits.id"), index=True)
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TravelRule(Base):
    """One version of a risk rule of an organisation; the newest active version is used."""

    __tablename__ = "travel_rules"
    __table_args__ = (UniqueConstraint("org_id", "name", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentListVersion(Base):
    """One load of the lost/stolen/revoked document list; one version is active."""

    __tablename__ = "travel_document_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_by: Mapped[str] = mapped_column(String(120))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ListedDocument(Base):
    """One listed document (the SLTD model: number + issuing state + type → status)."""

    __tablename__ = "travel_documents"
    __table_args__ = (Index("ix_travel_documents_version_number", "version_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("travel_document_versions.id"))
    number: Mapped[str] = mapped_column(String(40))
    issuing_country: Mapped[str] = mapped_column(String(3))
    document_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))
    reported_on: Mapped[dt.date | None] = mapped_column(Date)


class VaultItem(Base):
    """The personal data of a masked row, opened only under an approved unmask request."""

    __tablename__ = "travel_vault"
    __table_args__ = (Index("ix_travel_vault_kind_row", "kind", "row_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("travel_flights.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    row_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    masked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnmaskRequest(Base):
    """A request to re-personalise one masked passenger (Art. 12(3)): reason, approval, expiry."""

    __tablename__ = "travel_unmask_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("travel_passengers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    requested_by: Mapped[str] = mapped_column(String(120))
    requester_id: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RetentionHold(Base):
    """A passenger kept past the retention periods under a recorded legal basis."""

    __tablename__ = "travel_holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("travel_passengers.id"), index=True)
    hit_id: Mapped[int | None] = mapped_column(ForeignKey("travel_hits.id"))
    legal_basis: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RetentionRun(Base):
    """What one retention run did, as of which date."""

    __tablename__ = "travel_retention_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    masked_passengers: Mapped[int] = mapped_column(Integer, default=0)
    masked_pnrs: Mapped[int] = mapped_column(Integer, default=0)
    deleted_flights: Mapped[int] = mapped_column(Integer, default=0)
    deleted_passengers: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    run_by: Mapped[str] = mapped_column(String(120))
    run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "CHECKS",
    "DECISIONS",
    "HIT_STATES",
    "UNMASK_STATES",
    "DocumentListVersion",
    "Flight",
    "ListedDocument",
    "Pnr",
    "PnrVersion",
    "RetentionHold",
    "RetentionRun",
    "TravelDecision",
    "TravelFile",
    "TravelHit",
    "TravelPassenger",
    "TravelRule",
    "UnmaskRequest",
    "VaultItem",
]
