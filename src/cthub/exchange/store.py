"""Writing a package's STIX objects, and the sync sequence.

Objects are rows of ``exchange_objects`` written with one multi-row INSERT per chunk (ingest
must reach thousands of objects a second). Every object carries the package's TLP marking in
``object_marking_refs`` (any weaker TLP reference it had is replaced), so an object read alone,
through TAXII, still says how it may be shared. ``next_seq`` orders package changes for sync:
it is taken inside the writing transaction (SQLite serialises writers; on PostgreSQL the unique
index refuses a duplicate and the writer retries).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cthub.exchange.models import Package, StixObject
from cthub.exchange.tlp import Tlp, tlp_of_marking_id

CHUNK = 2_000


def next_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(Package.seq), 0))) or 0) + 1


def marked(obj: dict[str, Any], tlp: Tlp) -> dict[str, Any]:
    """``obj`` with the package's TLP marking, other TLP references dropped, others kept."""
    if obj.get("type") == "marking-definition":
        return obj
    refs = [r for r in obj.get("object_marking_refs", []) if tlp_of_marking_id(r) is None]
    return {**obj, "object_marking_refs": [tlp.marking_id, *refs]}


def write_objects(
    session: Session, package_id: str, objects: Iterable[dict[str, Any]], tlp: Tlp
) -> int:
    """Insert the objects of one package version; returns how many were written."""
    added = int(time.time() * 1000)
    count = 0
    batch: list[dict[str, Any]] = []
    for obj in objects:
        if obj.get("type") == "marking-definition" and tlp_of_marking_id(obj.get("id", "")):
            continue  # the TLP definitions themselves are served from the code, not stored
        body = marked(obj, tlp)
        batch.append(
            {
                "package_id": package_id,
                "stix_id": str(body.get("id", ""))[:120],
                "type": str(body.get("type", ""))[:60],
                "modified": str(body.get("modified") or body.get("created") or "")[:40],
                "added": added,
                "body": orjson.dumps(body).decode(),
            }
        )
        if len(batch) >= CHUNK:
            session.execute(insert(StixObject), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(StixObject), batch)
        count += len(batch)
    return count


def drop_objects(session: Session, package_id: str) -> None:
    session.execute(delete(StixObject).where(StixObject.package_id == package_id))


def bodies(session: Session, package_id: str) -> list[bytes]:
    """The stored objects of a package as JSON bytes, in insertion order."""
    rows = session.scalars(
        select(StixObject.body).where(StixObject.package_id == package_id).order_by(StixObject.seq)
    )
    return [b.encode() for b in rows]


__all__ = ["bodies", "drop_objects", "marked", "next_seq", "write_objects"]
