"""Tables of the content capability: hash banks, their entries, matches under review, and
quarantine alerts.

An entry is never deleted: removing one sets ``removed_at`` (a tombstone), so an export or a
partner's copy learns of the removal too. Every change of an entry's state gives it the bank's
next ``revision`` as its ``rev``, which is how the in-memory index learns what to add or drop
without rereading the bank. A match is a review item: it stays ``open`` until a person
confirms or rejects it, with reason, user and time; an automatic action taken by a bank's rule
is recorded on the item and still waits for that decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow

ACTIONS = ("review", "remove")
MATCH_STATES = ("open", "confirmed", "rejected")
DECISIONS = ("confirmed", "rejected")
TLP = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
#: Markings that let every organisation of the deployment match against a bank.
SHARED_TLP = ("TLP:CLEAR", "TLP:GREEN")


class ContentBank(Base):
    """A named collection of hashes with labels, an owner and a TLP marking.

    ``negative`` banks hold known-benign content: a match there suppresses the positive
    matches of the same file. ``action`` is what a match does: ``review`` queues it; ``remove``
    also records the automatic removal (still reviewed). ``threshold`` is the PDQ distance.
    """

    __tablename__ = "content_banks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    default_label: Mapped[str] = mapped_column(String(80), default="")
    tlp: Mapped[str] = mapped_column(String(20), default="TLP:AMBER")
    threshold: Mapped[int] = mapped_column(Integer, default=31)
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str] = mapped_column(String(12), default="review")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Raised by every change to the bank's entries, in the changing transaction (which holds
    #: the bank row until it commits): entries with ``rev`` above what the index has seen are
    #: exactly what it must add or drop.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContentEntry(Base):
    """One hash in one bank. ``hash`` is the signal's normal form (lower-case hex for PDQ,
    MD5 and SHA-256; the frame list for video)."""

    __tablename__ = "content_entries"
    __table_args__ = (
        UniqueConstraint("bank_id", "signal", "digest"),
        Index("ix_content_entries_signal_digest", "signal", "digest"),
        Index("ix_content_entries_bank_rev", "bank_id", "rev"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("content_banks.id"))
    signal: Mapped[str] = mapped_column(String(20))
    #: The hash itself when it has at most 64 characters, else its SHA-256 (video frame lists
    #: grow with the video; index keys must stay short).
    digest: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(80), default="")
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    added_by: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by: Mapped[str] = mapped_column(String(200), default="")
    quarantined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rev: Mapped[int] = mapped_column(Integer, default=0)


class ContentMatch(Base):
    """One file matched one entry: a review item with its explanation and decision."""

    __tablename__ = "content_matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("content_banks.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("content_entries.id"), index=True)
    content_ref: Mapped[str] = mapped_column(String(500))
    content_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    content_md5: Mapped[str] = mapped_column(String(32), default="")
    content_pdq: Mapped[str] = mapped_column(String(64), default="")
    signal: Mapped[str] = mapped_column(String(20))
    distance: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(12), default="review")
    explanation: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ContentAlert(Base):
    """A hash quarantined after a flood of matches (a poisoned list?), until an admin acts."""

    __tablename__ = "content_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("content_entries.id"), index=True)
    matches: Mapped[int] = mapped_column(Integer)
    window_s: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="open")
    resolution: Mapped[str] = mapped_column(String(20), default="")
    resolved_by: Mapped[str] = mapped_column(String(200), default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "ACTIONS",
    "DECISIONS",
    "MATCH_STATES",
    "SHARED_TLP",
    "TLP",
    "ContentAlert",
    "ContentBank",
    "ContentEntry",
    "ContentMatch",
]
