"""The TAXII 2.1 server of the exchange: what a partner node reads, under the release rules.

Every request is an Ed25519 signed request from a registered partner (``nodeauth``); there is
no other way in. Discovery lists one API root per local organisation whose partner registry
holds the caller's key (``/taxii2/<org key id>/``). An API root's collections are the
organisation's audiences the partner belongs to (id = ``Audience.collection_id``) and one
*direct* collection per partner (id = uuid5 of ``DIRECT`` and the partner's key id): the
packages that name it individually and the open (CLEAR, GREEN) ones.

Every read (objects, one object, manifest, versions) takes the partner's candidate packages
(``sharing.candidates``), keeps those of the collection, decides each under operation
``taxii`` for the stated purpose (``X-Cthub-Purpose``, else the partner's default), recording
every decision, and then selects in SQL, among the allowed packages only, the objects that
match the filters (``taxii_filters``). Each package whose objects were sent gets one
disclosure leaf with the digest of exactly what was sent; the tree head is signed after the
commit. A collection the partner is not in is refused (403) and that refusal is a decision.
Writes are refused: partners send packages by sync, under the receiving node's policy.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from cthub.core.errors import CthubError, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.tables import Organisation
from cthub.exchange import disclosure, identity, nodeauth, sharing, signing
from cthub.exchange.decisions import refuse_request
from cthub.exchange.models import (
    PURPOSES,
    Audience,
    AudienceMember,
    Package,
    PackageAudience,
    PackagePartner,
    Partner,
    StixObject,
)
from cthub.exchange.taxii_filters import Query, date_added, encode_cursor, page_statement

MEDIA_TAXII = "application/taxii+json;version=2.1"
MEDIA_STIX = "application/stix+json;version=2.1"
#: the namespace of the direct collections' ids (uuid5 of it and the partner's key id)
DIRECT = uuid.UUID("0b6f7d3e-5a41-5c8e-9d62-7c0e1f4a2b93")
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
KINDS = ("objects", "manifest", "versions")
#: above this many objects in the allowed packages a page walks the date index (see filters)
BY_DATE_ROWS = 50_000


class NotAcceptable(CthubError):
    """The client does not accept TAXII 2.1 (HTTP 406)."""

    code = "not_acceptable"
    http_status = 406


def check_accept(header: str) -> None:
    """Refuse a request whose ``Accept`` header names no TAXII 2.1 media type."""
    for item in header.replace(" ", "").lower().split(","):
        kind, _, params = item.partition(";")
        version = dict(p.partition("=")[::2] for p in params.split(";") if p).get("version")
        if kind == "application/taxii+json" and version in (None, "2.1"):
            return
    raise NotAcceptable(
        "This server answers in {media} only.",
        hint="Send Accept: {media}.",
        media=MEDIA_TAXII,
    )


def direct_collection_id(key_id: str) -> str:
    return str(uuid.uuid5(DIRECT, key_id))


@dataclass(frozen=True)
class Page:
    """One page of a read: the JSON of each item, whether there is more, and where it ends."""

    kind: str
    items: list[bytes]
    more: bool = False
    next: str | None = None
    first_added: int | None = None
    last_added: int | None = None

    def body(self) -> bytes:
        """The envelope (objects), manifest or versions resource, per TAXII 2.1."""
        if not self.items:
            return b'{"more":false}'
        head = {"more": self.more, **({"next": self.next} if self.more and self.next else {})}
        key = b'"versions"' if self.kind == "versions" else b'"objects"'
        return orjson.dumps(head)[:-1] + b"," + key + b":[" + b",".join(self.items) + b"]}"

    def headers(self) -> dict[str, str]:
        if self.first_added is None or self.last_added is None:
            return {}
        return {"X-TAXII-Date-Added-First": date_added(self.first_added),
                "X-TAXII-Date-Added-Last": date_added(self.last_added)}  # fmt: skip


def _orgs_holding(session: Session, key_id: str) -> list[int]:
    rows = session.scalars(
        select(Partner.org_id)
        .where(Partner.key_id == key_id, Partner.state == "active")
        .order_by(Partner.org_id)
    )
    return list(dict.fromkeys(rows))


def authenticate(
    hub: Hub,
    org_key_id: str | None,
    *,
    method: str,
    path: str,
    host: str,
    headers: dict[str, str],
    body: bytes,
) -> nodeauth.NodeCaller:
    """The verified partner behind a TAXII request to one API root (``None``: discovery)."""
    if org_key_id is not None:
        return nodeauth.addressed(
            hub.db,
            hub.settings,
            org_key_id,
            method=method,
            path=path,
            host=host,
            headers=headers,
            body=body,
            operation="taxii",
        )
    with hub.db.session(readonly=True) as s:
        sender = {k.lower(): v for k, v in headers.items()}.get(signing.KEY_HEADER.lower(), "")
        orgs = _orgs_holding(s, sender.strip())
    if not orgs:  # nobody here knows the key: refused by the same checks, unrecorded
        nodeauth.refuse_unaddressed(method, path, host, headers, body)
    return nodeauth.authenticate(hub.db, orgs[0], method=method, path=path, host=host,
                                 headers=headers, body=body, operation="taxii")  # fmt: skip


def _partner(u: Unit, caller: nodeauth.NodeCaller) -> Partner:
    partner = u.s.get(Partner, caller.partner_id)
    if partner is None or partner.key_id is None:  # pragma: no cover - checked by authenticate
        raise Forbidden("Partner {name} is not registered here.", name=caller.partner_name)
    return partner


def discovery(hub: Hub, caller: nodeauth.NodeCaller, base_url: str) -> dict[str, Any]:
    """The discovery resource: one API root per organisation that registered the caller."""
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = _partner(u, caller)
        orgs = _orgs_holding(u.s, partner.key_id or "")
        roots = [f"{base_url.rstrip('/')}/taxii2/{identity.org_key_id(hub.settings, o)}/"
                 for o in orgs]  # fmt: skip
        u.audit("exchange_taxii", org_id=caller.org_id, details={"resource": "discovery"})
    return {"title": "cthub TAXII 2.1",
            "description": "Packages released to your organisation under their release rules.",
            "default": roots[0] if roots else None, "api_roots": roots}  # fmt: skip


def api_root(hub: Hub, caller: nodeauth.NodeCaller) -> dict[str, Any]:
    with hub.unit(caller.actor, "exchange.node") as u:
        org = u.s.get(Organisation, caller.org_id)
        u.audit("exchange_taxii", org_id=caller.org_id, details={"resource": "api-root"})
        return {"title": org.name if org else "cthub", "versions": [MEDIA_TAXII],
                "description": "What this organisation releases to its partners.",
                "max_content_length": MAX_CONTENT_LENGTH}  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """A collection as one partner sees it; ``packages`` is None when it may not read it."""

    id: str
    title: str
    description: str
    packages: ColumnElement[bool] | None

    def resource(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "description": self.description,
                "can_read": True, "can_write": False, "media_types": [MEDIA_STIX]}  # fmt: skip


def _direct(partner: Partner) -> Scope:
    named = select(PackagePartner.package_id).where(PackagePartner.partner_id == partner.id)
    return Scope(direct_collection_id(partner.key_id or ""), f"Direct: {partner.name}",
                 "Packages naming you individually, and open (TLP:CLEAR, TLP:GREEN) ones.",
                 or_(Package.tlp.in_(sharing.OPEN_TLP), Package.id.in_(named)))  # fmt: skip


def _audience(session: Session, group: Audience, partner: Partner) -> Scope:
    member = session.get(AudienceMember, (group.id, partner.id)) is not None
    shared = select(PackageAudience.package_id).where(PackageAudience.audience_id == group.id)
    return Scope(group.collection_id, group.name, group.description or f"Audience {group.name}",
                 Package.id.in_(shared) if member else None)  # fmt: skip


def _scope(session: Session, org_id: int, partner: Partner, collection_id: str) -> Scope:
    if collection_id == direct_collection_id(partner.key_id or ""):
        return _direct(partner)
    group = session.scalars(
        select(Audience).where(Audience.org_id == org_id, Audience.collection_id == collection_id)
    ).first()
    if group is not None:
        return _audience(session, group, partner)
    keys = session.scalars(select(Partner.key_id).where(Partner.org_id == org_id))
    if any(k and direct_collection_id(k) == collection_id for k in keys):
        return Scope(collection_id, "", "", None)  # another partner's direct collection
    raise NotFound("Collection {id} does not exist.", id=collection_id[:40])


def _readable(session: Session, org_id: int, partner: Partner) -> list[Scope]:
    groups = session.scalars(
        select(Audience)
        .join(AudienceMember, AudienceMember.audience_id == Audience.id)
        .where(Audience.org_id == org_id, AudienceMember.partner_id == partner.id)
        .order_by(Audience.name)
    )
    return [_direct(partner), *(_audience(session, g, partner) for g in groups)]


def collections(hub: Hub, caller: nodeauth.NodeCaller) -> dict[str, Any]:
    """The collections resource: the caller's direct collection and its audiences."""
    with hub.unit(caller.actor, "exchange.node") as u:
        found = [c.resource() for c in _readable(u.s, caller.org_id, _partner(u, caller))]
        u.audit("exchange_taxii", org_id=caller.org_id,
                details={"resource": "collections", "returned": len(found)})  # fmt: skip
        return {"collections": found}


def collection(hub: Hub, caller: nodeauth.NodeCaller, collection_id: str) -> dict[str, Any]:
    refused = False
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = _partner(u, caller)
        scope = _scope(u.s, caller.org_id, partner, collection_id)
        refused = scope.packages is None
        if refused:
            _refuse_collection(u, caller, partner, collection_id, "")
        else:
            u.audit("exchange_taxii", collection_id, org_id=caller.org_id,
                    details={"resource": "collection"})  # fmt: skip
    if refused:
        _forbid(collection_id)
    return scope.resource()


def _refuse_collection(
    u: Unit, caller: nodeauth.NodeCaller, partner: Partner, collection_id: str, purpose: str
) -> None:
    refuse_request(u.s, org_id=caller.org_id, partner_id=partner.id, operation="taxii",
                   clause="audience", purpose=purpose, actor=caller.actor.name,
                   reason=f"Not in the audience of collection {collection_id[:40]}.")  # fmt: skip
    u.audit("exchange_taxii", collection_id, org_id=caller.org_id,
            details={"refused": "collection"})  # fmt: skip


def _forbid(collection_id: str) -> NoReturn:
    raise Forbidden(
        "You may not read collection {id}.",
        hint="Ask the organisation to add you to the audience of this collection.",
        id=collection_id[:40],
    )


def _purpose(stated: str | None, partner: Partner) -> str:
    purpose = (stated or "").strip() or partner.default_purpose
    if purpose not in PURPOSES:
        raise InvalidInput("Unknown purpose {purpose}.", hint="Use one of: {known}.",
                           purpose=purpose[:40], known=", ".join(PURPOSES))  # fmt: skip
    return purpose


def _in_scope(session: Session, org_id: int, scope: Scope, ids: tuple[str, ...]) -> set[str]:
    """Ids of the organisation's packages in the collection (holding one of ``ids``, if any)."""
    stmt = select(Package.id).where(Package.org_id == org_id, Package.state == "active")
    if scope.packages is not None:
        stmt = stmt.where(scope.packages)
    if ids:
        stmt = stmt.where(
            exists().where(StixObject.package_id == Package.id, StixObject.stix_id.in_(ids))
        )
    return set(session.scalars(stmt))


def _item(kind: str, row: Any) -> bytes:
    if kind == "objects":
        return str(row.body).encode()
    version = row.modified or date_added(row.added)
    if kind == "versions":
        return orjson.dumps(version)
    return orjson.dumps({"id": row.stix_id, "date_added": date_added(row.added),
                         "version": version, "media_type": MEDIA_STIX})  # fmt: skip


def _page(
    session: Session, q: Query, allowed: list[Package], kind: str
) -> tuple[Page, dict[str, list[bytes]]]:
    rows: list[Any] = []
    if allowed:
        ids = [p.id for p in allowed]
        by_date = sum(p.objects for p in allowed) > BY_DATE_ROWS and not q.ids
        stmt = page_statement(q, ids, with_body=kind == "objects", by_date=by_date)
        rows = list(session.execute(stmt))
    more, rows = len(rows) > q.limit, rows[: q.limit]
    sent: dict[str, list[bytes]] = {}
    items = []
    for row in rows:
        item = _item(kind, row)
        items.append(item)
        sent.setdefault(row.package_id, []).append(item)
    if not rows:
        return Page(kind, []), sent
    last = rows[-1]
    return Page(kind, items, more, encode_cursor(last.added, last.seq) if more else None,
                rows[0].added, last.added), sent  # fmt: skip


@dataclass(frozen=True)
class _Served:
    page: Page
    leaves: int
    refusal: CthubError | None = None


def _serve(u: Unit, caller: nodeauth.NodeCaller, partner: Partner, scope: Scope, q: Query,
           kind: str, purpose: str) -> _Served:  # fmt: skip
    org = caller.org_id
    wanted = _in_scope(u.s, org, scope, q.ids)
    chosen = [p for p in sharing.candidates(u.s, org, partner) if p.id in wanted]
    decided: dict[str, sharing.Released] = {}

    def decide(found: list[Package]) -> set[str]:
        """Decide (and record) ``found``; the ids refused."""
        released = sharing.release(u.s, org, partner, found, operation="taxii", purpose=purpose,
                                   actor=caller.actor.name)  # fmt: skip
        decided.update((r.package.id, r) for r in released)
        return {r.package.id for r in released if not r.verdict.allowed}

    # Every package whose objects this page would carry is decided and recorded before anything
    # is sent. A package with nothing for this query (all its objects before added_after, of
    # other types) is not read and not decided. A refusal removes the package and the page is
    # read again; after a few rounds every remaining candidate is decided at once.
    refused: set[str] = decide(chosen) if q.ids else set()
    for attempt in range(1 if q.ids else 4):
        pool = [p for p in chosen if p.id not in refused]
        page, sent = _page(u.s, q, pool, kind)
        fresh = [p for p in pool if p.id not in decided and (attempt == 3 or p.id in sent)]
        if not fresh:
            break
        newly = decide(fresh)
        if not newly:
            break
        refused |= newly
    else:
        if not q.ids:
            page, sent = _page(u.s, q, [p for p in chosen if p.id not in refused], kind)
    released = list(decided.values())
    allowed = [r.package for r in released if r.verdict.allowed]
    given = [r for r in released if r.package.id in sent]
    leaves = sharing.disclose(u.s, org, partner, given, purpose=purpose,
                              actor=caller.actor.name, bodies=sent)  # fmt: skip
    u.audit("exchange_taxii", scope.id, org_id=org,
            details={"resource": kind, "returned": len(page.items), "packages": len(given),
                     "decided": len(released), "allowed": len(allowed)})  # fmt: skip
    refusal = None
    if len(q.ids) == 1 and not page.items and q.after is None:
        refusal = _absent(q.ids[0], [r for r in released if not r.verdict.allowed])
    return _Served(page, len(leaves), refusal)


def _absent(object_id: str, refused: list[sharing.Released]) -> CthubError:
    """Why one asked-for object was not sent: refused by a rule (403) or not there (404)."""
    if refused:
        return Forbidden("Object {id} may not be released to you: {reason}",
                         id=object_id[:120], reason=refused[0].verdict.render())  # fmt: skip
    return NotFound("Object {id} is not in this collection.", id=object_id[:120])


def read(
    hub: Hub,
    caller: nodeauth.NodeCaller,
    collection_id: str,
    query: Query,
    *,
    kind: str = "objects",
    object_id: str | None = None,
    purpose: str | None = None,
) -> Page:
    """One page of objects, manifest records or versions of a collection, as released."""
    if kind not in KINDS:  # pragma: no cover - the router passes one of them
        raise ValueError(f"unknown TAXII read {kind!r}")
    if object_id is not None:
        query = dataclasses.replace(query, ids=(object_id,))
    with hub.unit(caller.actor, "exchange.node") as u:
        partner = _partner(u, caller)
        stated = _purpose(purpose, partner)
        scope = _scope(u.s, caller.org_id, partner, collection_id)
        if scope.packages is None:
            _refuse_collection(u, caller, partner, collection_id, stated)
            served = _Served(Page(kind, []), 0, None)
        else:
            served = _serve(u, caller, partner, scope, query, kind, stated)
    if scope.packages is None:
        _forbid(collection_id)
    if served.leaves:
        disclosure.publish_head(hub.settings, hub.db, caller.org_id)
    if served.refusal is not None and object_id is not None:
        raise served.refusal
    return served.page


def refuse_write(hub: Hub, caller: nodeauth.NodeCaller, collection_id: str) -> NoReturn:
    """TAXII writes are refused (recorded): partners send packages by signed sync instead."""
    with hub.unit(caller.actor, "exchange.node") as u:
        refuse_request(u.s, org_id=caller.org_id, partner_id=caller.partner_id,
                       operation="taxii", clause="operation", actor=caller.actor.name,
                       reason="TAXII writes are not accepted.")  # fmt: skip
        u.audit("exchange_taxii", collection_id[:40], org_id=caller.org_id,
                details={"refused": "write"})  # fmt: skip
    raise Forbidden(
        "Collection {id} does not accept writes.",
        hint="Send packages to this node by sync; its own policy decides what it keeps.",
        id=collection_id[:40],
    )


__all__ = [
    "DIRECT",
    "MEDIA_STIX",
    "MEDIA_TAXII",
    "NotAcceptable",
    "Page",
    "Scope",
    "api_root",
    "authenticate",
    "check_accept",
    "collection",
    "collections",
    "direct_collection_id",
    "discovery",
    "read",
    "refuse_write",
]
