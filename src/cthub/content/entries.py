"""The entries of one hash bank, a page at a time, for the bank's page and the API.

Tombstoned entries stay listed (as ``removed``) so a reader sees what a bank stopped matching
and when; quarantined ones are ``quarantined`` until an admin releases or removes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from cthub.content.banks import bank_for
from cthub.content.models import ContentEntry
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor

STATUSES = ("active", "quarantined", "removed")


@dataclass(frozen=True)
class EntryView:
    id: int
    signal: str
    hash: str
    label: str
    source: str
    added_by: str
    added_at: dt.datetime
    status: str

    @classmethod
    def of(cls, e: ContentEntry) -> EntryView:
        status = (
            "removed"
            if e.removed_at is not None
            else ("quarantined" if e.quarantined_at is not None else "active")
        )
        return cls(e.id, e.signal, e.hash, e.label, e.source, e.added_by, e.added_at, status)


def list_entries(
    hub: Hub,
    actor: Actor,
    name: str,
    *,
    status: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EntryView], int]:
    """Entries of bank ``name`` (all, or those of one ``status``), newest first, and the total."""
    if status and status not in STATUSES:
        raise InvalidInput("Unknown entry status {status}.", hint="Use active, quarantined or "
                           "removed.", status=status[:40])  # fmt: skip
    with hub.unit(actor, "content.read") as u:
        b = bank_for(u, name)
        q = select(ContentEntry).where(ContentEntry.bank_id == b.id)
        if status == "removed":
            q = q.where(ContentEntry.removed_at.is_not(None))
        elif status == "quarantined":
            q = q.where(ContentEntry.removed_at.is_(None), ContentEntry.quarantined_at.is_not(None))
        elif status == "active":
            q = q.where(ContentEntry.removed_at.is_(None), ContentEntry.quarantined_at.is_(None))
        total = int(u.s.scalar(select(func.count()).select_from(q.subquery())) or 0)
        rows = u.s.scalars(q.order_by(ContentEntry.id.desc()).limit(limit).offset(offset))
        out = [EntryView.of(e) for e in rows]
        u.audit("content_bank", b.id, details={"bank": b.name, "entries": len(out)})
        return out, total


__all__ = ["STATUSES", "EntryView", "list_entries"]
