"""The disclosure log: one append-only Merkle log (RFC 6962) per organisation.

Every disclosure (a package released to a partner by query, export, sync or TAXII) is one leaf:
canonical JSON saying who disclosed what to whom, when, by which operation, for which purpose and
under which rule, with the SHA-256 of what was sent. Leaves are appended inside the transaction
that discloses, so a disclosure and its leaf land together; the tree head for the new size is
signed with the organisation's exchange key right after (``publish_head``). Partners fetch the
head, their entries and the proofs (``partner_view``) and check them with ``cthub exchange log
verify``; ``verify_own`` re-derives the whole log from the stored leaves and checks every head
the organisation ever signed, so a removed, edited or reordered leaf is found.

The tree is cached per process and organisation and caught up from the table by index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.exchange import identity
from cthub.exchange.merkle import MerkleTree, leaf_hash
from cthub.exchange.models import Disclosure, Partner, TreeHeadRow
from cthub.exchange.release import Rule
from cthub.exchange.treehead import TreeHead, sign_tree_head

_lock = threading.Lock()
_trees: dict[tuple[int, int], MerkleTree] = {}


@dataclass(frozen=True)
class Entry:
    """What one disclosure says, before it gets its index."""

    partner: Partner
    package_id: str
    version: int
    operation: str
    purpose: str
    rule: Rule
    objects: int
    digest: str
    about_partner_id: int | None = None


def recipient_ref(p: Partner) -> str:
    """How a leaf names its recipient: the key id of a node partner, the org of a local one."""
    return f"key:{p.key_id}" if p.key_id else f"org:{p.local_org_id}"


def canonical(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def digest_of(bodies: list[bytes]) -> str:
    h = hashlib.sha256()
    for body in bodies:
        h.update(hashlib.sha256(body).digest())
    return h.hexdigest()


def append(session: Session, org_id: int, entries: list[Entry], actor: str) -> list[int]:
    """Append leaves for ``entries`` in the caller's transaction; returns their indices."""
    if not entries:
        return []
    start = session.scalar(
        select(func.coalesce(func.max(Disclosure.idx) + 1, 0)).where(Disclosure.org_id == org_id)
    )
    at = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for offset, e in enumerate(entries):
        idx = int(start or 0) + offset
        leaf = canonical(
            {
                "v": 1,
                "idx": idx,
                "at": at.isoformat(),
                "org": org_id,
                "actor": actor,
                "to": recipient_ref(e.partner),
                "partner": e.partner.name,
                "about": e.about_partner_id,
                "package": e.package_id,
                "version": e.version,
                "operation": e.operation,
                "purpose": e.purpose,
                "rule": e.rule.describe(),
                "objects": e.objects,
                "sha256": e.digest,
            }
        )
        rows.append(
            {
                "org_id": org_id,
                "idx": idx,
                "at": at,
                "partner_id": e.partner.id,
                "about_partner_id": e.about_partner_id,
                "package_id": e.package_id,
                "leaf": leaf.decode(),
                "leaf_hash": leaf_hash(leaf).hex(),
            }
        )
    session.execute(insert(Disclosure), rows)
    return [int(r["idx"]) for r in rows]


def _tree(db: Database, session: Session, org_id: int) -> MerkleTree:
    """The organisation's tree, cached per process and extended by the entries added since.

    The cache is checked against the stored log before use: when the last leaf it holds is
    not the stored one at that index (a database recreated under the same object id, an
    organisation id used again after a reset), it is rebuilt from the stored leaves."""
    key = (id(db), org_id)
    with _lock:
        tree = _trees.setdefault(key, MerkleTree())
        if tree.size:
            last = session.scalar(
                select(Disclosure.leaf_hash).where(
                    Disclosure.org_id == org_id, Disclosure.idx == tree.size - 1
                )
            )
            if last is None or bytes.fromhex(last) != tree.leaf(tree.size - 1):
                tree = _trees[key] = MerkleTree()
        hashes = session.scalars(
            select(Disclosure.leaf_hash)
            .where(Disclosure.org_id == org_id, Disclosure.idx >= tree.size)
            .order_by(Disclosure.idx)
        )
        tree.extend(bytes.fromhex(h) for h in hashes)
        return tree


def forget(db: Database) -> None:
    """Drop the cached trees of ``db`` (tests that rewrite a log behind the cache's back)."""
    with _lock:
        for key in [k for k in _trees if k[0] == id(db)]:
            del _trees[key]


def head_of(row: TreeHeadRow) -> TreeHead:
    return TreeHead(
        size=row.size,
        root=bytes.fromhex(row.root),
        timestamp=row.timestamp,
        signature=bytes.fromhex(row.signature),
        key_id=row.key_id,
    )


def publish_head(settings: Settings, db: Database, org_id: int) -> TreeHead:
    """Sign the head of the log at its current size (once per size) and return it."""
    with db.session() as s:
        tree = _tree(db, s, org_id)
        size = tree.size
        held = s.get(TreeHeadRow, (org_id, size))
        if held is not None:
            return head_of(held)
        key = identity.org_key(settings, org_id)
        head = sign_tree_head(
            key,
            size,
            tree.root(size),
            int(time.time() * 1000),
            identity.org_key_id(settings, org_id),
        )
    try:
        with db.session() as s:
            s.add(
                TreeHeadRow(
                    org_id=org_id,
                    size=head.size,
                    root=head.root.hex(),
                    timestamp=head.timestamp,
                    signature=head.signature.hex(),
                    key_id=head.key_id,
                )
            )
    except IntegrityError:  # another process signed this size first: serve its head
        with db.session() as s:
            row = s.get(TreeHeadRow, (org_id, size))
            if row is not None:
                return head_of(row)
    return head


def latest_head(session: Session, org_id: int) -> TreeHeadRow | None:
    return session.scalars(
        select(TreeHeadRow).where(TreeHeadRow.org_id == org_id).order_by(TreeHeadRow.size.desc())
    ).first()


def partner_view(
    db: Database, session: Session, org_id: int, partner_id: int, *, since: int | None = None
) -> dict[str, Any]:
    """What a partner downloads: the latest signed head, its entries (disclosures to it or about
    its data) with inclusion proofs, and a consistency proof from the size it saw last."""
    row = latest_head(session, org_id)
    if row is None:
        return {"head": None, "entries": [], "consistency": []}
    head = head_of(row)
    tree = _tree(db, session, org_id)
    leaves = session.execute(
        select(Disclosure.idx, Disclosure.leaf)
        .where(
            Disclosure.org_id == org_id,
            Disclosure.idx < head.size,
            or_(Disclosure.partner_id == partner_id, Disclosure.about_partner_id == partner_id),
        )
        .order_by(Disclosure.idx)
    )
    entries = [
        {
            "index": idx,
            "leaf": leaf,
            "proof": [h.hex() for h in tree.inclusion_proof(idx, head.size)],
        }
        for idx, leaf in leaves
    ]
    consistency: list[str] = []
    if since is not None and 0 < since <= head.size:
        consistency = [h.hex() for h in tree.consistency_proof(since, head.size)]
    return {"head": head.to_json(), "entries": entries, "consistency": consistency, "since": since}


__all__ = [
    "Entry",
    "append",
    "canonical",
    "digest_of",
    "forget",
    "head_of",
    "latest_head",
    "partner_view",
    "publish_head",
    "recipient_ref",
]
