"""The TAXII 2.1 server driven by the real taxii2-client over a real socket.

A uvicorn server runs ``create_app`` on a loopback port in a thread, on a SQLite hub holding
the exchange ``world``; partners are ``taxii2client.v21`` clients signing every request with
``RequestsSigner``. The server and its world are built once for the module (uvicorn startup and
the users' password hashes dominate otherwise); tests that change a package make their own.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from nacl.signing import SigningKey
from sqlalchemy import func, select, update
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.exchange import identity, packages, signing, taxii
from cthub.exchange.models import Decision, Disclosure, Package
from cthub.exchange.packages import ReleaseSpec
from cthub.interfaces.api import create_app
from tests.conftest import make_settings
from tests.exchange.conftest import World, build_world, stix_bundle, stix_objects


class Node:
    def __init__(self, world: World, base: str) -> None:
        self.world = world
        self.base = base
        org_id = world.admin.actor.org_id
        assert org_id is not None
        self.org_id = org_id
        self.root = f"{base}/taxii2/{identity.org_key_id(world.hub.settings, org_id)}/"

    def share(self, tlp: str, seed: int, n: int = 9, **spec: Any) -> str:
        spec.setdefault("purposes", ("ct-investigation",))
        spec.setdefault("legal_basis", "Egmont principles")
        return packages.create(self.world.hub, self.world.admin.actor, stix_bundle(n, seed=seed),
                               "feed.json", ReleaseSpec(tlp=tlp, **spec)).id  # fmt: skip

    def count(self, model: Any, **where: Any) -> int:
        with self.world.hub.db.session() as s:
            stmt = select(func.count()).select_from(model)
            for name, value in where.items():
                stmt = stmt.where(getattr(model, name) == value)
            return int(s.scalar(stmt) or 0)


class PurposeSigner(signing.RequestsSigner):
    """Signs like RequestsSigner and states a purpose (X-Cthub-Purpose)."""

    def __init__(self, key: SigningKey, purpose: str) -> None:
        super().__init__(key)
        self.purpose = purpose

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["X-Cthub-Purpose"] = self.purpose
        return super().__call__(request)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Node]:
    tmp = tmp_path_factory.mktemp("taxii-node")
    shutil.copy(sqlite_template, tmp / "cthub.db")
    url = f"sqlite:///{tmp / 'cthub.db'}"
    hub = Hub(make_settings(tmp, url), Database(url))
    world = build_world(hub)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(hub=hub), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield Node(world, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
    hub.close()


def _root(node: Node, partner: str, purpose: str | None = None) -> ApiRoot:
    key = node.world.key_of(partner)
    auth = PurposeSigner(key, purpose) if purpose else signing.RequestsSigner(key)
    server = Server(f"{node.base}/taxii2/", auth=auth)
    assert [r.url for r in server.api_roots] == [node.root]
    assert server.default is not None
    return server.default


def _collection(root: ApiRoot, title: str) -> Collection:
    return next(c for c in root.collections if c.title == title)


def _ids(envelope: dict[str, Any]) -> list[str]:
    return [o["id"] for o in envelope.get("objects", [])]


def test_discovery_collections_filters_paging_object_manifest(node: Node) -> None:
    package_id = node.share("TLP:AMBER", seed=21, n=40, partners=("fiu-b",))
    root = _root(node, "fiu-b")
    assert root.versions == [taxii.MEDIA_TAXII]
    assert sorted(c.title for c in root.collections) == ["Direct: fiu-b", "fius"]
    direct = _collection(root, "Direct: fiu-b")
    indicators = [o["id"] for o in stix_objects(40, seed=21) if o["type"] == "indicator"]
    pages = list(as_pages(direct.get_objects, per_request=7, type="indicator"))
    seen = [i for page in pages for i in _ids(page)]
    assert len(pages) == -(-len(indicators) // 7)
    assert sorted(seen) == sorted(indicators)
    assert all(p["more"] for p in pages[:-1])
    assert not pages[-1]["more"]
    one = direct.get_object(indicators[5])
    assert _ids(one) == [indicators[5]]
    assert one["objects"][0]["object_marking_refs"][0].startswith("marking-definition--")
    manifest = direct.get_manifest(limit=1000)
    assert {m["id"] for m in manifest["objects"]} == {o["id"] for o in stix_objects(40, seed=21)}
    assert direct.object_versions(indicators[5])["versions"] == ["2026-11-02T10:00:00.000Z"]
    raw = requests.get(direct.objects_url, auth=signing.RequestsSigner(node.world.key_of("fiu-b")),
                       headers={"Accept": taxii.MEDIA_TAXII},
                       params={"added_after": "2000-01-01T00:00:00Z", "match[type]": "identity"},
                       timeout=10)  # fmt: skip
    assert raw.headers["Content-Type"] == taxii.MEDIA_TAXII
    assert raw.headers["X-TAXII-Date-Added-First"] == raw.headers["X-TAXII-Date-Added-Last"]
    assert _ids(raw.json()) == [stix_objects(1, seed=21)[0]["id"]]
    reads = len(pages) + 4  # the pages, one object, the manifest, the versions, the raw read
    assert node.count(Disclosure, package_id=package_id) == reads
    assert node.count(Decision, package_id=package_id, allowed=True) == reads


def test_release_rules_per_partner(node: Node) -> None:
    for_b = node.share("TLP:AMBER", seed=22, partners=("fiu-b",))
    for_both = node.share("TLP:AMBER", seed=23, audiences=("fius",))
    b, c = _root(node, "fiu-b"), _root(node, "fiu-c")
    b_ids = set(_ids(_collection(b, "Direct: fiu-b").get_objects(limit=1000)))
    c_ids = set(_ids(_collection(c, "Direct: fiu-c").get_objects(limit=1000)))
    mine = {o["id"] for o in stix_objects(9, seed=22)}
    assert mine <= b_ids
    assert not mine & c_ids
    for root in (b, c):
        got = set(_ids(_collection(root, "fius").get_objects(limit=1000)))
        assert {o["id"] for o in stix_objects(9, seed=23)} <= got
    assert node.count(Decision, package_id=for_b, allowed=True) >= 1
    assert node.count(Decision, package_id=for_both, allowed=True) >= 2
    fiu_b_direct = _collection(b, "Direct: fiu-b")
    spoof = Collection(fiu_b_direct.url, auth=signing.RequestsSigner(node.world.key_of("fiu-c")))
    with pytest.raises(requests.HTTPError) as refused:
        spoof.get_objects()
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()["http_status"] == "403"
    unknown = Collection(fiu_b_direct.url.replace(fiu_b_direct.id, "0" * 8 + fiu_b_direct.id[8:]),
                         auth=signing.RequestsSigner(node.world.key_of("fiu-b")),
                         collection_info={"id": "x", "title": "x", "can_read": True,
                                          "can_write": False})  # fmt: skip
    with pytest.raises(requests.HTTPError) as missing:
        unknown.get_objects()
    assert missing.value.response.status_code == 404


def test_expired_erased_and_wrong_purpose(node: Node) -> None:
    expiring = node.share("TLP:AMBER", seed=24, partners=("fiu-b",))
    erased = node.share("TLP:AMBER", seed=25, partners=("fiu-b",))
    direct = _collection(_root(node, "fiu-b"), "Direct: fiu-b")
    every = set(_ids(direct.get_objects(limit=1000)))
    gone = {o["id"] for s in (24, 25) for o in stix_objects(9, seed=s)}
    assert gone <= every
    with node.world.hub.db.session() as s:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.execute(update(Package).where(Package.id == expiring).values(expires_at=past))
    packages.erase(node.world.hub, node.world.admin.actor, erased, reason="Wrong person")
    assert not gone & set(_ids(direct.get_objects(limit=1000)))
    assert node.count(Decision, package_id=expiring, clause="expiry") >= 1
    with pytest.raises(requests.HTTPError) as expired:
        direct.get_object(stix_objects(2, seed=24)[1]["id"])
    assert expired.value.response.status_code == 403
    on_purpose = node.share("TLP:AMBER", seed=26, partners=("fiu-b",))
    wrong = _collection(_root(node, "fiu-b", purpose="border-screening"), "Direct: fiu-b")
    assert not {o["id"] for o in stix_objects(9, seed=26)} & set(_ids(wrong.get_objects()))
    assert node.count(Decision, package_id=on_purpose, clause="purpose", allowed=False) == 1
    assert node.count(Disclosure, package_id=on_purpose) == 0


def test_unsigned_wrongly_signed_replayed_and_unacceptable(node: Node) -> None:
    url = f"{node.root}collections/"
    accept = {"Accept": taxii.MEDIA_TAXII}
    unsigned = requests.get(url, headers=accept, timeout=10)
    assert unsigned.status_code == 401
    assert unsigned.headers["Content-Type"] == taxii.MEDIA_TAXII
    assert unsigned.json()["details"]["reason"] == "missing_header"
    with pytest.raises(requests.HTTPError):
        Server(f"{node.base}/taxii2/").refresh()
    key = node.world.key_of("fiu-b")
    wrong = signing.sign_request(key, "GET", f"{node.root}", b"")  # signed for another path
    bad = requests.get(url, headers={**accept, **wrong}, timeout=10)
    assert (bad.status_code, bad.json()["details"]["reason"]) == (401, "bad_signature")
    signed = signing.sign_request(key, "GET", url, b"")
    assert requests.get(url, headers={**accept, **signed}, timeout=10).status_code == 200
    again = requests.get(url, headers={**accept, **signed}, timeout=10)
    assert (again.status_code, again.json()["details"]["reason"]) == (401, "replayed_nonce")
    assert node.count(Decision, clause="signature", operation="taxii") >= 3
    html = requests.get(url, headers={"Accept": "text/html"},
                        auth=signing.RequestsSigner(key), timeout=10)  # fmt: skip
    assert html.status_code == 406
    fius = _collection(_root(node, "fiu-b"), "fius")
    write = requests.post(f"{fius.url}objects/", data=b'{"objects": []}',
                          auth=signing.RequestsSigner(key), timeout=10,
                          headers={**accept, "Content-Type": taxii.MEDIA_TAXII})  # fmt: skip
    assert write.status_code == 403


def test_taxii_routes_stay_out_of_the_openapi_schema(node: Node) -> None:
    schema = requests.get(f"{node.base}/api/openapi.json", timeout=10).json()
    assert not [p for p in schema["paths"] if p.startswith("/taxii2")]
