"""The TAXII 2.1 service on both backends: collections per partner, reads under the release
rules, filters and paging in SQL, decisions and disclosure leaves for every read.

Callers are built the way the router builds them (a signed request verified by
``taxii.authenticate``), so the tests cover the service with real partner identities.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, update

from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.exchange import identity, intake, packages, signing, taxii
from cthub.exchange.models import Decision, Disclosure, Package, Partner, TreeHeadRow
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.packages import ReleaseSpec
from cthub.exchange.taxii_filters import Query, decode_cursor, encode_cursor, parse_query
from tests.exchange.conftest import World, stix_bundle, stix_objects

HOST = "127.0.0.1:8800"


def _org_id(world: World) -> int:
    org_id = world.admin.actor.org_id
    assert org_id is not None
    return org_id


def _caller(world: World, partner: str, path: str | None = None) -> NodeCaller:
    key = world.key_of(partner)
    root = identity.org_key_id(world.hub.settings, _org_id(world))
    path = path or f"/taxii2/{root}/collections/"
    headers = signing.sign_request(key, "GET", f"http://{HOST}{path}", b"")
    return taxii.authenticate(world.hub, root, method="GET", path=path, host=HOST,
                              headers=headers, body=b"")  # fmt: skip


def _share(world: World, tlp: str, *, n: int = 6, seed: int = 1, **spec: Any) -> str:
    spec.setdefault("purposes", ("ct-investigation",))
    if tlp != "TLP:CLEAR":
        spec.setdefault("legal_basis", "Egmont principles, art. 4")
    view = packages.create(world.hub, world.admin.actor, stix_bundle(n, seed=seed), "feed.json",
                           ReleaseSpec(tlp=tlp, **spec))  # fmt: skip
    return view.id


def _ids(page: taxii.Page) -> list[str]:
    return [orjson.loads(i)["id"] for i in page.items]


def _direct(world: World, partner: str) -> str:
    with world.hub.db.session() as s:
        key = s.scalars(select(Partner.key_id).where(Partner.name == partner)).one()
    assert key is not None
    return taxii.direct_collection_id(key)


def _fius(caller: NodeCaller, world: World) -> str:
    found = taxii.collections(world.hub, caller)["collections"]
    return str(next(c["id"] for c in found if c["title"] == "fius"))


def _count(world: World, model: Any, **where: Any) -> int:
    with world.hub.db.session() as s:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(s.scalar(stmt) or 0)


def test_collections_are_the_direct_one_and_the_partners_audiences(world: World) -> None:
    b = _caller(world, "fiu-b")
    found = taxii.collections(world.hub, b)["collections"]
    assert [c["title"] for c in found] == ["Direct: fiu-b", "fius"]
    assert all(c["can_read"] and not c["can_write"] for c in found)
    assert found[0]["id"] == _direct(world, "fiu-b")
    assert found[0]["media_types"] == [taxii.MEDIA_STIX]
    assert taxii.collection(world.hub, b, found[1]["id"])["title"] == "fius"


def test_amber_for_one_partner_reaches_it_only_with_decisions_and_leaves(world: World) -> None:
    package_id = _share(world, "TLP:AMBER", partners=("fiu-b",))
    b, c = _caller(world, "fiu-b"), _caller(world, "fiu-c")
    page = taxii.read(world.hub, b, _direct(world, "fiu-b"), Query())
    assert len(page.items) == 6
    assert all("marking-definition--" in orjson.loads(i)["object_marking_refs"][0]
               for i in page.items)  # fmt: skip
    assert taxii.read(world.hub, c, _direct(world, "fiu-c"), Query()).items == []
    assert _count(world, Decision, package_id=package_id, partner_id=b.partner_id,
                  allowed=True, operation="taxii") == 1  # fmt: skip
    assert _count(world, Decision, package_id=package_id, partner_id=c.partner_id) == 0
    leaves = _count(world, Disclosure, package_id=package_id, partner_id=b.partner_id)
    assert leaves == 1
    with world.hub.db.session() as s:
        leaf = orjson.loads(s.scalars(select(Disclosure.leaf)).one())
        head = s.scalars(select(TreeHeadRow).order_by(TreeHeadRow.size.desc())).first()
    assert leaf["operation"] == "taxii"
    assert leaf["objects"] == 6
    assert head is not None
    assert head.size == 1


def test_other_partners_direct_collection_is_refused_and_recorded(world: World) -> None:
    c = _caller(world, "fiu-c")
    with pytest.raises(Forbidden):
        taxii.read(world.hub, c, _direct(world, "fiu-b"), Query())
    with pytest.raises(Forbidden):
        taxii.collection(world.hub, c, _direct(world, "fiu-b"))
    assert _count(world, Decision, partner_id=c.partner_id, clause="audience",
                  allowed=False) == 2  # fmt: skip
    with pytest.raises(NotFound):
        taxii.read(world.hub, c, str(uuid.uuid4()), Query())


def test_audience_collection_serves_the_audience_packages(world: World) -> None:
    shared = _share(world, "TLP:AMBER", audiences=("fius",), seed=2)
    _share(world, "TLP:AMBER", partners=("fiu-b",), seed=3)
    for partner in ("fiu-b", "fiu-c"):
        caller = _caller(world, partner)
        page = taxii.read(world.hub, caller, _fius(caller, world), Query())
        assert len(page.items) == 6
        assert _count(world, Disclosure, package_id=shared, partner_id=caller.partner_id) == 1


def test_filters_and_paging_cover_every_match_once(world: World) -> None:
    _share(world, "TLP:GREEN", n=30, seed=4)
    b = _caller(world, "fiu-b")
    direct = _direct(world, "fiu-b")
    typed = parse_query({"match[type]": "indicator", "limit": "7"})
    seen: list[str] = []
    page = taxii.read(world.hub, b, direct, typed)
    while True:
        seen += _ids(page)
        assert all(i.startswith("indicator--") for i in _ids(page))
        if not page.more:
            break
        assert page.next is not None
        page = taxii.read(world.hub, b, direct, parse_query(
            {"match[type]": "indicator", "limit": "7", "next": page.next}))  # fmt: skip
    expected = [o["id"] for o in stix_objects(30, seed=4) if o["type"] == "indicator"]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    one = expected[3]
    assert _ids(taxii.read(world.hub, b, direct, parse_query({"match[id]": one}))) == [one]
    assert taxii.read(world.hub, b, direct, parse_query(
        {"match[spec_version]": "2.0"})).items == []  # fmt: skip
    headers = page.headers()
    assert headers["X-TAXII-Date-Added-First"].endswith("Z")


def test_added_after_returns_only_later_writes(world: World) -> None:
    _share(world, "TLP:GREEN", n=5, seed=5)
    b = _caller(world, "fiu-b")
    direct = _direct(world, "fiu-b")
    first = taxii.read(world.hub, b, direct, Query())
    last_added = first.headers()["X-TAXII-Date-Added-Last"]
    later = _share(world, "TLP:GREEN", n=4, seed=6)
    with world.hub.db.session() as s:
        s.execute(_later(later))
    page = taxii.read(world.hub, b, direct, parse_query({"added_after": last_added}))
    assert sorted(_ids(page)) == sorted(o["id"] for o in stix_objects(4, seed=6))


def _later(package_id: str) -> Any:
    """Move a package's objects 5 s later (writes within one millisecond would tie)."""
    from cthub.exchange.models import StixObject

    return (
        update(StixObject)
        .where(StixObject.package_id == package_id)
        .values(added=StixObject.added + 5000)
    )


def _versioned(modified: str, name: str) -> bytes:
    obj = stix_objects(2, seed=7)[1]
    obj.update(modified=modified, name=name)
    return orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [obj]})


def test_versions_last_first_all_and_manifest(world: World) -> None:
    for modified, name in (("2026-11-03T10:00:00.000Z", "v2"), ("2026-11-02T10:00:00.000Z", "v1")):
        packages.create(world.hub, world.admin.actor, _versioned(modified, name), "v.json",
                        ReleaseSpec(tlp="TLP:GREEN", purposes=("ct-investigation",),
                                    legal_basis="MoU"))  # fmt: skip
    b = _caller(world, "fiu-b")
    direct = _direct(world, "fiu-b")
    oid = stix_objects(2, seed=7)[1]["id"]
    names = {
        v: [orjson.loads(i)["name"] for i in taxii.read(
            world.hub, b, direct, parse_query({"match[version]": v}), object_id=oid).items]
        for v in ("last", "first", "all", "2026-11-02T10:00:00Z")
    }  # fmt: skip
    assert names == {"last": ["v2"], "first": ["v1"], "all": ["v2", "v1"],
                     "2026-11-02T10:00:00Z": ["v1"]}  # fmt: skip
    versions = taxii.read(world.hub, b, direct, parse_query({}, default_version="all"),
                          kind="versions", object_id=oid)  # fmt: skip
    assert orjson.loads(versions.body())["versions"] == [
        "2026-11-03T10:00:00.000Z", "2026-11-02T10:00:00.000Z"]  # fmt: skip
    manifest = orjson.loads(taxii.read(world.hub, b, direct, Query(), kind="manifest").body())
    assert manifest["more"] is False
    (record,) = manifest["objects"]
    assert set(record) == {"id", "date_added", "version", "media_type"}
    assert record["version"] == "2026-11-03T10:00:00.000Z"


def test_expired_and_erased_packages_vanish(world: World) -> None:
    expiring = _share(world, "TLP:AMBER", partners=("fiu-b",), seed=8)
    erased = _share(world, "TLP:AMBER", partners=("fiu-b",), seed=9)
    b = _caller(world, "fiu-b")
    direct = _direct(world, "fiu-b")
    assert len(taxii.read(world.hub, b, direct, Query()).items) == 12
    with world.hub.db.session() as s:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        s.execute(update(Package).where(Package.id == expiring).values(expires_at=past))
    packages.erase(world.hub, world.admin.actor, erased, reason="Wrong subject")
    assert taxii.read(world.hub, b, direct, Query()).items == []
    assert _count(world, Decision, package_id=expiring, clause="expiry", allowed=False) == 1
    oid = stix_objects(3, seed=8)[2]["id"]
    with pytest.raises(Forbidden, match="expired"):
        taxii.read(world.hub, b, direct, Query(), object_id=oid)


def test_wrong_purpose_is_refused_and_recorded(world: World) -> None:
    package_id = _share(world, "TLP:AMBER", partners=("fiu-b",), seed=10)
    b = _caller(world, "fiu-b")
    direct = _direct(world, "fiu-b")
    page = taxii.read(world.hub, b, direct, Query(), purpose="border-screening")
    assert page.items == []
    assert _count(world, Decision, package_id=package_id, clause="purpose",
                  purpose="border-screening", allowed=False) == 1  # fmt: skip
    oid = stix_objects(2, seed=10)[1]["id"]
    with pytest.raises(Forbidden, match="Purpose border-screening"):
        taxii.read(world.hub, b, direct, Query(), object_id=oid, purpose="border-screening")
    with pytest.raises(InvalidInput):
        taxii.read(world.hub, b, direct, Query(), purpose="curiosity")
    with pytest.raises(NotFound):
        taxii.read(world.hub, b, direct, Query(), object_id="indicator--" + str(uuid.uuid4()))


def test_discovery_lists_the_org_and_writes_are_refused(world: World) -> None:
    b = _caller(world, "fiu-b")
    found = taxii.discovery(world.hub, b, "http://127.0.0.1:8800/")
    root = identity.org_key_id(world.hub.settings, _org_id(world))
    assert found["api_roots"] == [f"http://127.0.0.1:8800/taxii2/{root}/"]
    assert found["default"] == found["api_roots"][0]
    assert taxii.api_root(world.hub, b)["versions"] == [taxii.MEDIA_TAXII]
    with pytest.raises(Forbidden):
        taxii.refuse_write(world.hub, b, _direct(world, "fiu-b"))
    assert _count(world, Decision, partner_id=b.partner_id, clause="operation") == 1


def test_unsigned_or_unknown_requests_are_refused(world: World) -> None:
    root = identity.org_key_id(world.hub.settings, _org_id(world))
    with pytest.raises(signing.SignatureRefused) as missing:
        taxii.authenticate(world.hub, root, method="GET", path="/taxii2/", host=HOST,
                           headers={}, body=b"")  # fmt: skip
    assert missing.value.reason == "missing_header"
    stranger = signing.generate_key()
    headers = signing.sign_request(stranger, "GET", f"http://{HOST}/taxii2/", b"")
    with pytest.raises(signing.SignatureRefused) as unknown:
        taxii.authenticate(world.hub, None, method="GET", path="/taxii2/", host=HOST,
                           headers=headers, body=b"")  # fmt: skip
    assert unknown.value.reason == "unknown_key"
    with pytest.raises(signing.SignatureRefused) as nobody:  # no organisation with that key
        taxii.authenticate(world.hub, "0" * 16, method="GET", path="/taxii2/", host=HOST,
                           headers=headers, body=b"")  # fmt: skip
    assert nobody.value.reason == "unknown_key"


def test_query_parsing_and_accept() -> None:
    q = parse_query({"added_after": "2026-01-01T00:00:00.123456Z", "match[type]": "a,b,a",
                     "limit": "5000"})  # fmt: skip
    assert q.types == ("a", "b")
    assert q.limit == 1000
    assert q.added_after_us is not None
    assert decode_cursor(encode_cursor(123, 45)) == (123, 45)
    for bad in ({"limit": "0"}, {"limit": "x"}, {"added_after": "yesterday"},
                {"next": "!!"}, {"match[version]": "latest"}):  # fmt: skip
        with pytest.raises(InvalidInput):
            parse_query(bad)
    taxii.check_accept("application/taxii+json;version=2.1")
    taxii.check_accept("text/html, application/taxii+json")
    for bad_accept in ("application/json", "application/taxii+json;version=2.0", ""):
        with pytest.raises(taxii.NotAcceptable):
            taxii.check_accept(bad_accept)
    assert intake.detect("x.json", stix_bundle(2)) == "stix"
