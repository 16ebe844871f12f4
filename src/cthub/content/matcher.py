"""Matching hashes against the banks: PDQ through a FAISS index, exact hashes through the
database, video frame lists against the video entries.

One PDQ index per database holds every active PDQ entry of every bank, keyed by entry id. It
is persisted next to the database (``<data_dir>/content/pdq.index``) and kept in step
incrementally: each match first compares every bank's ``revision`` with the one the index holds
and reads only the entries of a newer ``rev`` (revisions are taken in the changing
transaction, which holds the bank row until it commits, so none is missed). Bank selection,
visibility and per-bank thresholds are applied to the few candidates a search returns, so a
bank change never rebuilds the index.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.content.banks import digest_of, visible
from cthub.content.index import HashIndex, hex_to_bits
from cthub.content.models import ContentBank, ContentEntry
from cthub.content.signals import registry
from cthub.core.errors import CthubError
from cthub.core.hub import Hub

MAX_THRESHOLD = 128


@dataclass(frozen=True)
class Candidate:
    """One entry a query hash came close to, before bank rules are applied."""

    entry_id: int
    signal: str
    distance: int
    query: str


@dataclass(frozen=True)
class Hit:
    """One match that survived bank selection, thresholds and quarantine."""

    bank_id: int
    bank: str
    entry_id: int
    label: str
    signal: str
    distance: int
    threshold: int
    negative: bool
    action: str
    query: str


class PdqIndex:
    """Every active PDQ entry, in a FAISS index, synced from ``content_entries``."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.index = HashIndex()
        #: bank id -> the bank revision the index holds.
        self.seen: dict[int, int] = {}
        self.lock = threading.Lock()
        self.changed = 0
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            self.index, stamp = HashIndex.load(path)
            seen = json.loads(str(stamp.generation or "{}"))
            self.seen = {int(k): int(v) for k, v in seen.items()}
        except (CthubError, ValueError, AttributeError):  # damaged: rebuilt from the database
            self.index, self.seen = HashIndex(), {}

    def sync(self, s: Session) -> None:
        """Apply what changed in each bank since the revision the index holds."""
        with self.lock:
            revisions = {i: r for i, r in s.execute(select(ContentBank.id, ContentBank.revision))}
            if any(revisions.get(b, -1) < r for b, r in self.seen.items()):  # a restored DB
                self.index, self.seen = HashIndex(), {}
            for bank_id, revision in revisions.items():
                held = self.seen.get(bank_id, 0)
                if revision > held:
                    self._apply(s, bank_id, held)
                    self.seen[bank_id] = revision
            if self.path is not None and self.changed > 10_000:
                self.save()

    def _apply(self, s: Session, bank_id: int, after: int) -> None:
        rows = s.execute(
            select(
                ContentEntry.id, ContentEntry.hash, ContentEntry.removed_at,
                ContentEntry.quarantined_at,
            ).where(ContentEntry.bank_id == bank_id, ContentEntry.rev > after,
                    ContentEntry.signal == "pdq")
        ).all()  # fmt: skip
        add = [(i, h) for i, h, removed, held in rows if removed is None and held is None]
        drop = [i for i, _h, removed, held in rows if removed is not None or held is not None]
        if after and rows:  # an entry seen before may come back: never twice in the index
            self.index.remove(np.asarray([r[0] for r in rows], dtype=np.int64))
        elif drop:
            self.index.remove(np.asarray(drop, dtype=np.int64))
        if add:
            ids = np.asarray([i for i, _ in add], dtype=np.int64)
            self.index.add(ids, hex_to_bits([h for _, h in add]))
        self.changed += len(rows)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.index.save(self.path, json.dumps(self.seen))
        self.changed = 0

    def search(self, hashes: Sequence[str], max_distance: int) -> list[list[tuple[int, int]]]:
        if not hashes or len(self.index) == 0:
            return [[] for _ in hashes]
        with self.lock:
            return list(self.index.search(hex_to_bits(list(hashes)), max_distance))


_INDEXES: dict[str, PdqIndex] = {}
_GUARD = threading.Lock()


def pdq_index(hub: Hub) -> PdqIndex:
    """The process's PDQ index for this hub's database (loaded from disk once)."""
    path = hub.settings.data_dir / "content" / "pdq.index"
    key = f"{hub.settings.effective_database_url} {path}"
    with _GUARD:
        idx = _INDEXES.get(key)
        if idx is None:
            idx = _INDEXES[key] = PdqIndex(path)
        return idx


def candidates(
    hub: Hub, s: Session, queries: Sequence[tuple[str, str]], max_distance: int = MAX_THRESHOLD
) -> list[Candidate]:
    """Entries near each ``(signal, hash)`` query, within the largest threshold any bank uses."""
    out: list[Candidate] = []
    pdq = [h for sig, h in queries if sig == "pdq"]
    if pdq:
        idx = pdq_index(hub)
        idx.sync(s)
        limit = min(max_distance, _largest_threshold(s))
        for query, found in zip(pdq, idx.search(pdq, limit), strict=True):
            out += [Candidate(i, "pdq", d, query) for i, d in found]
    exact = [(sig, h) for sig, h in queries if sig in ("md5", "sha256")]
    for sig, value in exact:
        rows = s.execute(
            select(ContentEntry.id).where(ContentEntry.signal == sig,
                                          ContentEntry.digest == digest_of(value))
        ).scalars()  # fmt: skip
        out += [Candidate(i, sig, 0, value) for i in rows]
    videos = [h for sig, h in queries if sig == "vpdq"]
    if videos:
        out += _video_candidates(s, videos)
    return out


def _largest_threshold(s: Session) -> int:
    return int(max(s.scalars(select(ContentBank.threshold)).all(), default=31))


def _video_candidates(s: Session, videos: list[str]) -> list[Candidate]:
    signal = registry.get("vpdq")
    rows = s.execute(
        select(ContentEntry.id, ContentEntry.hash).where(
            ContentEntry.signal == "vpdq", ContentEntry.removed_at.is_(None),
            ContentEntry.quarantined_at.is_(None),
        )
    ).all()  # fmt: skip
    out = []
    for query in videos:
        for entry_id, value in rows:
            d = signal.distance(query, value)  # once: a frame-list comparison is not cheap
            if d <= signal.default_threshold:
                out.append(Candidate(entry_id, "vpdq", d, query))
    return out


def _suppresses(b: ContentBank, orgs: set[int] | None) -> bool:
    """Whether negative bank ``b`` may suppress this actor's matches: only its owner's (or
    the operator's banks, for everyone). A shared negative list from another organisation
    must not switch off detection across the deployment."""
    return orgs is None or b.org_id is None or b.org_id in orgs


def resolve(
    s: Session, found: list[Candidate], orgs: set[int] | None, banks: Sequence[str] | None
) -> list[Hit]:
    """Candidates that count: the bank is visible, chosen (negative banks always are) and
    enabled, the entry is active and within the bank's threshold (PDQ); nearest first, one
    hit per entry. Negative banks count only for their own organisation."""
    if not found:
        return []
    ids = {c.entry_id for c in found}
    rows = {
        e.id: (e, b)
        for e, b in s.execute(
            select(ContentEntry, ContentBank)
            .join(ContentBank, ContentBank.id == ContentEntry.bank_id)
            .where(ContentEntry.id.in_(ids))
        ).all()
    }
    best: dict[int, Hit] = {}
    for c in sorted(found, key=lambda c: c.distance):
        e, b = rows.get(c.entry_id, (None, None))
        if e is None or b is None or c.entry_id in best:
            continue
        if e.removed_at is not None or e.quarantined_at is not None or not b.enabled:
            continue
        if not visible(b, orgs) or (banks and b.name not in banks and not b.negative):
            continue
        if b.negative and not _suppresses(b, orgs):
            continue
        limit = b.threshold if c.signal == "pdq" else 0
        if c.signal != "vpdq" and c.distance > limit:
            continue
        best[c.entry_id] = Hit(b.id, b.name, e.id, e.label, c.signal, c.distance, limit,
                               b.negative, b.action, c.query)  # fmt: skip
    return sorted(best.values(), key=lambda h: (h.negative, h.distance, h.bank, h.entry_id))


__all__ = ["Candidate", "Hit", "PdqIndex", "candidates", "pdq_index", "resolve"]
