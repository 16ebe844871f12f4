"""The stored lost/stolen/revoked document list: versions in the database, one compact index
per version persisted next to it (``<data_dir>/travel/documents-v<N>.npz``), cached per process.

A load is all or nothing: the whole CSV is validated before the first row is written, and the
new version becomes active in the same transaction that writes its rows.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select, update

from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.travel.documents import DocumentIndex, DocumentRow, load_csv
from cthub.travel.models import DocumentListVersion, ListedDocument

CHUNK = 20_000

_lock = threading.Lock()
_cache: dict[tuple[str, int, str], DocumentIndex] = {}


@dataclass(frozen=True)
class DocListView:
    version: int
    file_name: str
    rows: int
    sha256: str
    active: bool


def _index_path(hub: Hub, version: int) -> Path:
    return hub.settings.data_dir / "travel" / f"documents-v{version}.npz"


def load_documents(hub: Hub, actor: Actor, path: Path | str) -> DocListView:
    """Validate and load a CSV as the new active version of the document list."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("{file} does not exist.", file=str(path))
    with hub.unit(actor, "travel.documents") as u:  # a refused file is audited as failed
        data = path.read_bytes()
        rows = load_csv(path, path.name)  # raises InvalidInput naming line and column
        if not rows:
            raise InvalidInput(
                "{file} lists no document: the active list is kept.",
                hint="A load replaces the whole list; send the full list.",
                file=path.name,
            )
        digest = hashlib.sha256(data).hexdigest()
        latest = u.s.scalar(select(func.max(DocumentListVersion.version))) or 0
        version = DocumentListVersion(
            version=latest + 1,
            file_name=path.name[:300],
            sha256=digest,
            rows=len(rows),
            active=True,
            loaded_by=actor.name,
            loaded_at=utcnow(),
        )
        u.s.execute(update(DocumentListVersion).values(active=False))
        u.s.add(version)
        u.s.flush()
        for start in range(0, len(rows), CHUNK):
            u.s.execute(
                insert(ListedDocument),
                [
                    {
                        "version_id": version.id,
                        "number": r.document_number[:40],
                        "issuing_country": r.issuing_country,
                        "document_type": r.document_type,
                        "status": r.status,
                        "reported_on": r.reported_on,
                    }
                    for r in rows[start : start + CHUNK]
                ],
            )
        u.audit(
            "document_list", version.version, details={"rows": len(rows), "file": path.name[:200]}
        )
        view = DocListView(version.version, version.file_name, version.rows, digest, True)
    index = DocumentIndex.build(rows)
    target = _index_path(hub, view.version)
    target.parent.mkdir(parents=True, exist_ok=True)
    index.save(target)
    return view


def versions(hub: Hub, actor: Actor) -> list[DocListView]:
    with hub.unit(actor, "travel.read") as u:
        out = [
            DocListView(v.version, v.file_name, v.rows, v.sha256, v.active)
            for v in u.s.scalars(
                select(DocumentListVersion).order_by(DocumentListVersion.version.desc())
            )
        ]
        u.audit("document_list")
    return out


def active_index(hub: Hub) -> DocumentIndex | None:
    """The index of the active version (``None`` when no list is loaded): an internal read for
    the checks, which audit themselves."""
    with hub.db.session(readonly=True) as s:
        v = s.scalar(select(DocumentListVersion).where(DocumentListVersion.active.is_(True)))
        if v is None:
            return None
        key = (hub.db.url, v.version, v.sha256)
        with _lock:
            if key in _cache:
                return _cache[key]
        path = _index_path(hub, v.version)
        if path.is_file():
            index = DocumentIndex.load(path)
        else:
            rows = s.execute(
                select(
                    ListedDocument.number,
                    ListedDocument.issuing_country,
                    ListedDocument.document_type,
                    ListedDocument.status,
                    ListedDocument.reported_on,
                ).where(ListedDocument.version_id == v.id)
            ).all()
            index = DocumentIndex.build(DocumentRow(*r) for r in rows)
            path.parent.mkdir(parents=True, exist_ok=True)
            index.save(path)
    with _lock:
        _cache.clear()
        _cache[key] = index
    return index


__all__ = ["DocListView", "active_index", "load_documents", "versions"]
