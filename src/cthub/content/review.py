"""Review of content matches: the queue, decisions, and the quarantine of flooded hashes.

Every match is recorded as a review item. Nothing is final until a person confirms or rejects
it, with a reason; the decision, its author and time are stored and audited. A rejection may
add the file's hashes to a negative bank, so the same benign content stops matching. A hash
that matches more than ``content_flood_matches`` times within ``content_flood_window_s`` is
quarantined (it stops matching) and raises an alert for an admin: a poisoned list, or a hash
of something everyday, must not flood the queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from cthub.content import hashlists
from cthub.content.banks import _insert, bank_for, bump, visible
from cthub.content.models import DECISIONS, ContentAlert, ContentBank, ContentEntry, ContentMatch
from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor


@dataclass(frozen=True)
class ReviewItem:
    id: int
    bank: str
    entry_id: int
    label: str
    signal: str
    distance: int
    content_ref: str
    content_sha256: str
    action: str
    explanation: str
    state: str
    reason: str
    decided_by: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    has_thumbnail: bool
    why: tuple[str, dict[str, Any]] = ("", {})

    def explain(self, gettext: Callable[[str], str] | None = None) -> str:
        """The explanation in the reader's language (the stored English text otherwise)."""
        msgid, params = self.why
        if not msgid or gettext is None:
            return self.explanation
        try:
            return gettext(msgid).format(**params)
        except (KeyError, IndexError, ValueError):
            return self.explanation

    @classmethod
    def of(cls, m: ContentMatch, bank: str) -> ReviewItem:
        return cls(
            m.id, bank, m.entry_id, m.label, m.signal, m.distance, m.content_ref,
            m.content_sha256, m.action, m.explanation, m.state, m.reason, m.decided_by,
            m.decided_at, m.created_at, m.thumbnail is not None, _why(m.details),
        )  # fmt: skip


def _why(details: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    why = (details or {}).get("why")
    if isinstance(why, list) and len(why) == 2 and isinstance(why[1], dict):
        return str(why[0]), why[1]
    return "", {}


@dataclass(frozen=True)
class AlertView:
    id: int
    entry_id: int
    bank: str
    signal: str
    hash: str
    matches: int
    window_s: int
    state: str
    resolution: str
    resolved_by: str
    created_at: dt.datetime


def flood_check(u: Unit, entry: ContentEntry, limit: int, window_s: int) -> bool:
    """Quarantine ``entry`` when its matches in the window reach ``limit``; True if it did."""
    if entry.quarantined_at is not None:
        return False
    since = utcnow() - dt.timedelta(seconds=window_s)
    n = int(
        u.s.scalar(
            select(func.count()).where(
                ContentMatch.entry_id == entry.id, ContentMatch.created_at >= since
            )
        )
        or 0
    )
    if n < limit:
        return False
    entry.quarantined_at = entry.changed_at = utcnow()
    entry.rev = bump(u.s, entry.bank_id)
    bank = u.s.get(ContentBank, entry.bank_id)
    alert = ContentAlert(org_id=bank.org_id if bank else None, entry_id=entry.id, matches=n,
                         window_s=window_s)  # fmt: skip
    u.s.add(alert)
    u.s.flush()
    u.audit("content_alert", alert.id, action="content.quarantine",
            details={"entry": entry.id, "matches": n, "window_s": window_s})  # fmt: skip
    return True


def queue(
    hub: Hub, actor: Actor, state: str = "open", limit: int = 50, offset: int = 0
) -> tuple[list[ReviewItem], int]:
    """Review items of the actor's organisation, newest first, with the total count."""
    with hub.unit(actor, "content.read") as u:
        q = select(ContentMatch, ContentBank.name).join(
            ContentBank, ContentBank.id == ContentMatch.bank_id
        )
        if state:
            q = q.where(ContentMatch.state == state)
        orgs = u.visible_orgs()
        if orgs is not None:
            q = q.where(ContentMatch.org_id.in_(orgs))
        total = int(u.s.scalar(select(func.count()).select_from(q.subquery())) or 0)
        rows = u.s.execute(
            q.order_by(ContentMatch.created_at.desc(), ContentMatch.id.desc())
            .limit(limit).offset(offset)
        ).all()  # fmt: skip
        return [ReviewItem.of(m, name) for m, name in rows], total


def _item(u: Unit, item_id: int) -> tuple[ContentMatch, ContentBank]:
    m = u.s.get(ContentMatch, item_id)
    orgs = u.visible_orgs()
    if m is None or (orgs is not None and m.org_id not in orgs):
        raise NotFound("No content match {id}.", id=item_id)
    bank = u.s.get(ContentBank, m.bank_id)
    if bank is None:  # pragma: no cover - banks are never deleted
        raise NotFound("No content match {id}.", id=item_id)
    return m, bank


def get_item(hub: Hub, actor: Actor, item_id: int) -> ReviewItem:
    with hub.unit(actor, "content.read") as u:
        m, bank = _item(u, item_id)
        return ReviewItem.of(m, bank.name)


def thumbnail(hub: Hub, actor: Actor, item_id: int) -> bytes:
    """The item's small JPEG thumbnail (pages show it blurred until the reviewer reveals it)."""
    with hub.unit(actor, "content.review") as u:
        m, _bank = _item(u, item_id)
        if m.thumbnail is None:
            raise NotFound("Content match {id} has no thumbnail.", id=item_id)
        u.audit("content_match", m.id, details={"thumbnail": True})
        return m.thumbnail


def decide(
    hub: Hub,
    actor: Actor,
    item_id: int,
    decision: str,
    reason: str,
    negative_bank: str | None = None,
) -> ReviewItem:
    """Confirm or reject one match, with a reason; a rejection can feed a negative bank."""
    if decision not in DECISIONS:
        raise InvalidInput("Unknown decision {decision}.", hint="Use confirmed or rejected.",
                           decision=decision[:40])  # fmt: skip
    if not reason.strip():
        raise InvalidInput("A decision needs a reason.",
                           hint="Say why the match is confirmed or rejected.")  # fmt: skip
    with hub.unit(actor, "content.review") as u:
        m, bank = _item(u, item_id)
        if m.state != "open":
            raise Conflict("Content match {id} was decided already ({state}).", id=m.id,
                           state=m.state)  # fmt: skip
        m.state, m.reason = decision, reason.strip()[:2000]
        m.decided_by, m.decided_at = actor.name, utcnow()
        added = 0
        if negative_bank and decision == "rejected":
            added = _to_negative(u, m, negative_bank)
        u.audit("content_match", m.id, details={
            "decision": decision, "bank": bank.name, "entry": m.entry_id,
            "negative_bank": negative_bank or "", "negative_added": added,
        })  # fmt: skip
        return ReviewItem.of(m, bank.name)


def _to_negative(u: Unit, m: ContentMatch, name: str) -> int:
    u.require(action="content.banks")  # feeding a bank is a bank write
    neg = bank_for(u, name, write=True)
    if not neg.negative:
        raise InvalidInput("Bank {name} is not a negative bank.",
                           hint="Choose a bank created with --negative.", name=name)  # fmt: skip
    rows = [
        hashlists.ListedHash(0, sig, value, m.label)
        for sig, value in (
            ("pdq", m.content_pdq),
            ("md5", m.content_md5),
            ("sha256", m.content_sha256),
        )
        if value
    ]
    return _insert(u.s, neg.id, rows, "", f"review {m.id}", u.actor.name)


def alerts(hub: Hub, actor: Actor, state: str = "open") -> list[AlertView]:
    with hub.unit(actor, "content.read") as u:
        q = (
            select(ContentAlert, ContentEntry, ContentBank.name)
            .join(ContentEntry, ContentEntry.id == ContentAlert.entry_id)
            .join(ContentBank, ContentBank.id == ContentEntry.bank_id)
        )
        if state:
            q = q.where(ContentAlert.state == state)
        orgs = u.visible_orgs()
        out = []
        for a, e, bank in u.s.execute(q.order_by(ContentAlert.id.desc())).all():
            if orgs is not None and a.org_id not in orgs:
                continue
            out.append(AlertView(a.id, e.id, bank, e.signal, e.hash, a.matches, a.window_s,
                                 a.state, a.resolution, a.resolved_by, a.created_at))  # fmt: skip
        return out


def resolve_alert(hub: Hub, actor: Actor, alert_id: int, resolution: str) -> None:
    """``release``: the hash matches again; ``remove``: it is tombstoned for good."""
    if resolution not in ("release", "remove"):
        raise InvalidInput("Unknown resolution {resolution}.", hint="Use release or remove.",
                           resolution=resolution[:40])  # fmt: skip
    with hub.unit(actor, "content.quarantine") as u:
        a = u.s.get(ContentAlert, alert_id)
        orgs = u.visible_orgs()
        if a is None or (orgs is not None and a.org_id not in orgs):
            raise NotFound("No content alert {id}.", id=alert_id)
        if a.state != "open":
            raise Conflict("Content alert {id} was resolved already.", id=alert_id)
        e = u.s.get(ContentEntry, a.entry_id)
        if e is None:  # pragma: no cover - entries are never deleted
            raise NotFound("No content entry {id}.", id=a.entry_id)
        now = utcnow()
        if resolution == "release":
            e.quarantined_at = None
        else:
            e.removed_at, e.removed_by = now, actor.name
        e.changed_at, e.rev = now, bump(u.s, e.bank_id)
        a.state, a.resolution, a.resolved_by, a.resolved_at = (
            "resolved",
            resolution,
            actor.name,
            now,
        )
        u.audit("content_alert", a.id, details={"resolution": resolution, "entry": e.id})


__all__ = [
    "AlertView",
    "ReviewItem",
    "alerts",
    "decide",
    "flood_check",
    "get_item",
    "queue",
    "resolve_alert",
    "thumbnail",
    "visible",
]
