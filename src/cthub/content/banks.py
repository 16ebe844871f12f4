"""Hash banks: create, list, add from files or hash lists, remove as tombstones, export.

A bank belongs to its owner organisation, which alone writes to it. Banks marked TLP:CLEAR or
TLP:GREEN are matched and read by every organisation of the deployment (a shared hash list, as
in GIFCT's hash-sharing database); AMBER and RED banks stay with the owner, or with the
organisations a sharing rule for ``content_bank`` names. Every import is one transaction: a
failed one leaves the bank as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cthub.content import hashlists
from cthub.content.hashing import hash_files
from cthub.content.models import ACTIONS, SHARED_TLP, TLP, ContentBank, ContentEntry
from cthub.content.signals import registry
from cthub.core.db import utcnow
from cthub.core.errors import Conflict, CthubError, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")
Progress = Callable[[int, int | None, str], None]
_CHUNK = 20_000


@dataclass(frozen=True)
class BankView:
    id: int
    name: str
    org_id: int | None
    description: str
    default_label: str
    tlp: str
    threshold: int
    negative: bool
    action: str
    enabled: bool
    active: int = 0
    removed: int = 0
    quarantined: int = 0

    @classmethod
    def of(cls, b: ContentBank, counts: dict[str, int] | None = None) -> BankView:
        c = counts or {}
        return cls(
            b.id, b.name, b.org_id, b.description, b.default_label, b.tlp, b.threshold,
            b.negative, b.action, b.enabled,
            c.get("active", 0), c.get("removed", 0), c.get("quarantined", 0),
        )  # fmt: skip


@dataclass
class AddResult:
    """What an addition did: hashes added (or restored), already present, removed, skipped."""

    bank: str
    added: int = 0
    present: int = 0
    removed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def digest_of(value: str) -> str:
    """The indexed key of a hash: itself up to 64 characters, else its SHA-256."""
    return value if len(value) <= 64 else hashlib.sha256(value.encode()).hexdigest()


def bump(s: Session, bank_id: int) -> int:
    """The bank's next revision, taken in the caller's transaction (which then holds the bank
    row, so revisions commit in order); every entry changed in it gets this ``rev``."""
    s.execute(
        update(ContentBank)
        .where(ContentBank.id == bank_id)
        .values(revision=ContentBank.revision + 1)
        .execution_options(synchronize_session=False)
    )
    return int(s.scalar(select(ContentBank.revision).where(ContentBank.id == bank_id)) or 0)


def visible(b: ContentBank, orgs: set[int] | None) -> bool:
    return orgs is None or b.tlp in SHARED_TLP or b.org_id in orgs


def bank_for(u: Unit, name: str, *, write: bool = False) -> ContentBank:
    """The bank ``name`` if the actor may see it (and write to it, with ``write``)."""
    b = u.s.scalars(select(ContentBank).where(ContentBank.name == name)).first()
    if b is None or not visible(b, u.visible_orgs()):
        raise NotFound(
            "No hash bank named {name}.", hint="List the banks with: cthub content bank list",
            name=name,
        )  # fmt: skip
    if write and not u.actor.is_system and b.org_id != u.actor.org_id:
        raise Forbidden("Only the organisation that owns bank {name} may change it.", name=name)
    return b


def create_bank(
    hub: Hub,
    actor: Actor,
    name: str,
    *,
    label: str = "",
    threshold: int = 31,
    tlp: str = "TLP:AMBER",
    negative: bool = False,
    action: str = "review",
    description: str = "",
) -> BankView:
    _check_settings(name, label, threshold, tlp, action)
    with hub.unit(actor, "content.banks") as u:
        if u.s.scalars(select(ContentBank.id).where(ContentBank.name == name)).first():
            raise Conflict("A hash bank named {name} exists already.", name=name)
        b = ContentBank(
            org_id=actor.org_id, name=name, description=description[:2000],
            default_label=label, tlp=tlp, threshold=threshold, negative=negative,
            action="review" if negative else action, created_by=actor.name,
        )  # fmt: skip
        u.s.add(b)
        u.s.flush()
        u.audit("content_bank", b.id, details={"name": name, "tlp": tlp, "negative": negative})
        return BankView.of(b)


def _check_settings(name: str, label: str, threshold: int, tlp: str, action: str) -> None:
    if not NAME.fullmatch(name):
        raise InvalidInput(
            "Bank name {name} is not allowed.",
            hint="Use 1-120 letters, digits, '.', '_' or '-', starting with a letter or digit.",
            name=name[:130],
        )
    _check_label(label)
    if not 0 <= threshold <= 128:
        raise InvalidInput(
            "Threshold {threshold} is out of range.",
            hint="Give a PDQ Hamming distance from 0 to 128 (default 31).",
            threshold=threshold,
        )
    if tlp not in TLP:
        raise InvalidInput("Unknown TLP marking {tlp}.", hint="Use one of: {all}.", tlp=tlp,
                           all=", ".join(TLP))  # fmt: skip
    if action not in ACTIONS:
        raise InvalidInput("Unknown bank action {action}.", hint="Use review or remove.",
                           action=action)  # fmt: skip


def _check_label(label: str) -> None:
    bad = any(c in label for c in ",\n\r\x00") or label[:1] in hashlists.FORMULA
    if len(label) > hashlists.MAX_LABEL or bad:  # a leading = + - @ is a spreadsheet formula
        raise InvalidInput(
            "Label {label} is not allowed.",
            hint="Use at most 80 characters without commas or line breaks, "
            "not starting with =, +, - or @.",
            label=label[:90],
        )


def list_banks(hub: Hub, actor: Actor) -> list[BankView]:
    with hub.unit(actor, "content.read") as u:
        orgs = u.visible_orgs()
        banks = [b for b in u.s.scalars(select(ContentBank).order_by(ContentBank.name))
                 if visible(b, orgs)]  # fmt: skip
        counts = _counts(u.s, [b.id for b in banks])
        return [BankView.of(b, counts.get(b.id)) for b in banks]


def get_bank(hub: Hub, actor: Actor, name: str) -> BankView:
    with hub.unit(actor, "content.read") as u:
        b = bank_for(u, name)
        return BankView.of(b, _counts(u.s, [b.id]).get(b.id))


def _counts(s: Session, ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = s.execute(
        select(
            ContentEntry.bank_id,
            ContentEntry.removed_at.is_not(None),
            ContentEntry.quarantined_at.is_not(None),
            func.count(),
        )
        .where(ContentEntry.bank_id.in_(ids))
        .group_by(ContentEntry.bank_id, ContentEntry.removed_at.is_not(None),
                  ContentEntry.quarantined_at.is_not(None))
    )  # fmt: skip
    for bank_id, removed, quarantined, n in rows:
        c = out[bank_id]
        key = "removed" if removed else ("quarantined" if quarantined else "active")
        c[key] = c.get(key, 0) + n
    return out


def add_files(
    hub: Hub, actor: Actor, name: str, paths: Sequence[Path], label: str | None = None
) -> AddResult:
    """Hash each file (PDQ for photos, MD5 and SHA-256 for every file) and add the hashes.

    A file that cannot be read is reported and skipped; PDQ hashes below quality 50 are not
    added (they would match unrelated flat images), and the result says so."""
    out_errors: list[tuple[str, str]] = []
    rows: list[hashlists.ListedHash] = []
    for i, h in enumerate(hash_files(list(paths))):
        if h.error and not h.md5:
            out_errors.append((h.path, h.error))
            continue
        for signal, value in (("md5", h.md5), ("sha256", h.sha256)):
            rows.append(hashlists.ListedHash(i + 1, signal, value, label or ""))
        if h.pdq and (h.quality or 0) >= 50:
            rows.append(hashlists.ListedHash(i + 1, "pdq", h.pdq, label or ""))
        elif h.pdq:
            out_errors.append((h.path, f"PDQ quality {h.quality} is below 50: PDQ not added"))
        elif h.md5 and h.sha256 != _EMPTY:
            video, problem = _video(Path(h.path))
            if video:
                rows.append(hashlists.ListedHash(i + 1, "vpdq", video, label or ""))
            elif problem:
                out_errors.append((h.path, problem))
    result = _store(hub, actor, name, rows, source="upload", label=label)
    result.errors = out_errors + result.errors
    return result


_EMPTY = hashlib.sha256(b"").hexdigest()


def _video(path: Path) -> tuple[str, str]:
    """The frame-list hash of a video file (``""`` when it is no video), or why not."""
    try:
        got = registry.get("vpdq").hash_file(path)
    except CthubError as exc:
        return "", exc.render()
    if got is None:
        return "", ""
    if not got.usable:
        return "", f"{path}: no video frame of PDQ quality 50 or more: video hash not added"
    return got.value, ""


def import_list(
    hub: Hub,
    actor: Actor,
    name: str,
    data: bytes,
    file: str,
    label: str | None = None,
    progress: Progress | None = None,
) -> AddResult:
    """Add a hash list (see ``hashlists``); bad lines are reported with their numbers."""
    read = hashlists.read_list(data, file, label or "")
    result = _store(hub, actor, name, read.rows, source=file[:300], label=label,
                    progress=progress)  # fmt: skip
    result.errors = [(f"{file}:{n}", msg) for n, msg in read.errors] + result.errors
    return result


def _store(
    hub: Hub,
    actor: Actor,
    name: str,
    rows: list[hashlists.ListedHash],
    *,
    source: str,
    label: str | None,
    progress: Progress | None = None,
) -> AddResult:
    if label is not None:
        _check_label(label)
    with hub.unit(actor, "content.banks") as u:
        b = bank_for(u, name, write=True)
        result = AddResult(b.name)
        adds = [r for r in rows if not r.removed]
        gone = [r for r in rows if r.removed]
        default = label if label is not None else b.default_label
        total = len(rows)
        for start in range(0, len(adds), _CHUNK):
            chunk = adds[start : start + _CHUNK]
            result.added += _insert(u.s, b.id, chunk, default, source, actor.name)
            if progress:
                progress(start + len(chunk), total, "adding hashes")
        result.present = len(adds) - result.added
        if gone:
            result.removed = _tombstone(u.s, b.id, [(r.signal, r.hash) for r in gone], actor)
        u.audit("content_bank", b.id, details={
            "bank": b.name, "source": source, "added": result.added,
            "present": result.present, "removed": result.removed,
        })  # fmt: skip
        return result


def _insert(
    s: Session, bank_id: int, rows: list[hashlists.ListedHash], label: str, source: str, by: str
) -> int:
    """New entries in one ``executemany``; a hash already there (even tombstoned, which comes
    back) is not doubled: ON CONFLICT, which SQLite and PostgreSQL both understand."""
    conn = s.connection()
    now = utcnow()
    rev = bump(s, bank_id)
    stamp: Any = now
    qmark = conn.dialect.paramstyle == "qmark"
    if conn.dialect.name == "sqlite":
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    mark = "?" if qmark else "%s"
    marks = ", ".join([mark] * 11)
    sql = (
        "INSERT INTO content_entries (bank_id, signal, digest, hash, label, source, added_by,"
        " added_at, removed_by, changed_at, rev) VALUES (%s)"
        " ON CONFLICT (bank_id, signal, digest) DO UPDATE SET removed_at = NULL,"
        " removed_by = '', changed_at = excluded.changed_at, rev = excluded.rev"
        " WHERE content_entries.removed_at IS NOT NULL"
    ).replace("%s", marks, 1)
    seen: set[tuple[str, str]] = set()
    params = []
    for r in rows:
        if (r.signal, r.hash) in seen:
            continue
        seen.add((r.signal, r.hash))
        params.append((bank_id, r.signal, digest_of(r.hash), r.hash, r.label or label, source,
                       by, stamp, "", stamp, rev))  # fmt: skip
    if not params:
        return 0
    # rowcount of an executemany is the rows inserted or restored, on both drivers
    return int(conn.exec_driver_sql(sql, params).rowcount or 0)


def _tombstone(s: Session, bank_id: int, keys: list[tuple[str, str]], actor: Actor) -> int:
    now = utcnow()
    rev = bump(s, bank_id)
    count = 0
    for signal, value in keys:
        res = s.execute(
            update(ContentEntry)
            .where(
                ContentEntry.bank_id == bank_id,
                ContentEntry.signal == signal,
                ContentEntry.digest == digest_of(value),
                ContentEntry.removed_at.is_(None),
            )
            .values(removed_at=now, removed_by=actor.name, changed_at=now, rev=rev)
        )
        count += int(getattr(res, "rowcount", 0) or 0)
    return count


def remove_entry(hub: Hub, actor: Actor, name: str, entry_id: int, reason: str = "") -> None:
    """Tombstone one entry: it stops matching at once and the removal is exported."""
    with hub.unit(actor, "content.banks") as u:
        b = bank_for(u, name, write=True)
        e = u.s.get(ContentEntry, entry_id)
        if e is None or e.bank_id != b.id:
            raise NotFound("Bank {name} has no entry {id}.", name=name, id=entry_id)
        if e.removed_at is None:
            e.removed_at = e.changed_at = utcnow()
            e.removed_by, e.rev = actor.name, bump(u.s, b.id)
        u.audit("content_entry", e.id, details={"bank": b.name, "reason": reason[:500]})


def export_rows(hub: Hub, actor: Actor, name: str) -> list[tuple[str, str, str, str]]:
    """Every entry of a bank, tombstones included: ``(signal, hash, label, status)``.

    Read at once (not lazily), so the policy check and the audit event happen at the call."""
    with hub.unit(actor, "content.read") as u:
        b = bank_for(u, name)
        u.audit("content_bank", b.id, details={"bank": b.name, "export": True})
        rows = u.s.execute(
            select(ContentEntry.signal, ContentEntry.hash, ContentEntry.label,
                   ContentEntry.removed_at)
            .where(ContentEntry.bank_id == b.id).order_by(ContentEntry.id)
        ).all()  # fmt: skip
    return [(sig, value, lbl, "removed" if gone else "active") for sig, value, lbl, gone in rows]


__all__ = [
    "AddResult",
    "BankView",
    "add_files",
    "create_bank",
    "digest_of",
    "export_rows",
    "get_bank",
    "import_list",
    "list_banks",
    "remove_entry",
]
