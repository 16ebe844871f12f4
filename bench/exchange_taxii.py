"""TAXII 2.1 reads: cthub's server against OASIS medallion (memory backend), same run.

For each size (default 10^4, 10^5 and 10^6 stored objects, ``--sizes``), a SQLite node holds
packages of ``--per-package`` objects (default 1,000) made through ``packages.create_from``
(the service path: release rule checks, TLP marking of every object, audit), in a mix: 40 %
TLP:AMBER for partner fiu-b, 40 % TLP:AMBER for fiu-c, 20 % TLP:GREEN. The ingest time is that
of those calls. Partner fiu-b then reads its direct collection through the whole HTTP stack
in-process (Starlette TestClient, every request Ed25519-signed and verified, nonce stored,
every package the page carries decided and recorded, disclosure leaves appended, tree head signed):
``match[type]=indicator``, ``added_after`` a random package's date added, ``limit=100``.
Printed: p50 and p95 of ``--reads`` reads (default 60). Target: p95 under 200 ms at 10^6.

Baseline: medallion 3 with its memory backend, the same feed objects (packages of 1,000, one
date added each) in one collection, the same filter through Flask's test client with basic
auth. Its filters match every object against the whole manifest (``added_after`` parses a
timestamp per pair), so a read grows with the square of the collection: it is measured at
``--medallion-sizes`` (default 300, 1,000, 3,000, 10,000; 10^5 would take hours a read), each
in a subprocess killed after ``--cap`` seconds (default 60), reported as "> cap".

Run: ``.venv/bin/python bench/exchange_taxii.py [--sizes 10000,100000,1000000]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from cthub.core import accounts, migrate
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import identity, intake, packages, partners, signing, taxii
from cthub.exchange.packages import ReleaseSpec
from cthub.exchange.taxii_filters import date_added

OPERATOR = Actor.system("bench")
SEED = 2026


def feed(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` objects of a CTI feed: one identity, then indicators and relationships (2:1)."""
    ident = {"type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.UUID(int=seed)}",
             "created": "2026-11-01T10:00:00.000Z", "modified": "2026-11-01T10:00:00.000Z",
             "name": "Origin FIU", "identity_class": "organization"}  # fmt: skip
    out: list[dict[str, Any]] = [ident]
    for i in range(1, n):
        uid = uuid.UUID(int=(seed << 32) + i)
        if i % 3 == 2:
            out.append({"type": "relationship", "spec_version": "2.1", "id": f"relationship--{uid}",
                        "created": "2026-11-02T10:00:00.000Z",
                        "modified": "2026-11-02T10:00:00.000Z", "relationship_type": "indicates",
                        "source_ref": out[-1]["id"], "target_ref": ident["id"]})  # fmt: skip
            continue
        out.append({"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uid}",
                    "created": "2026-11-02T10:00:00.000Z", "modified": "2026-11-02T10:00:00.000Z",
                    "name": f"Wallet used for collection {i}", "pattern_type": "stix",
                    "pattern": f"[ipv4-addr:value = '10.{i % 250}.{(i // 250) % 250}.{i % 7}']",
                    "valid_from": "2026-11-02T10:00:00Z",
                    "created_by_ref": ident["id"]})  # fmt: skip
    return out


def spec_for(i: int) -> ReleaseSpec:
    basis, purposes = "Egmont principles", ("ct-investigation",)
    if i % 5 == 4:
        return ReleaseSpec(tlp="TLP:GREEN", purposes=purposes, legal_basis=basis)
    who = ("fiu-b",) if i % 5 in (0, 1) else ("fiu-c",)
    return ReleaseSpec(tlp="TLP:AMBER", partners=who, purposes=purposes, legal_basis=basis)


def build_node(root: Path, size: int, per_package: int) -> tuple[Hub, Any, list[int], float]:
    """A migrated SQLite node with ``size`` objects; returns hub, fiu-b key, dates, ingest s."""
    url = f"sqlite:///{root / 'cthub.db'}"
    settings = Settings(mode="development", data_dir=root, database_url=url,
                        secret_key="bench-secret-key-that-is-long-enough-0123456789")  # type: ignore[call-arg]  # fmt: skip
    db = Database(url)
    migrate.upgrade(db)
    hub = Hub(settings, db)
    accounts.create_org(hub, OPERATOR, "Origin FIU", "fiu")
    view, _ = accounts.create_user(hub, OPERATOR, "admin", "admin", org="Origin FIU",
                                   password="correct horse battery staple")  # fmt: skip
    admin = Actor(view.username, view.role, view.org_id, view.id)
    keys = {}
    for name, port in (("fiu-b", 8801), ("fiu-c", 8802)):
        keys[name] = signing.generate_key()
        public = signing.public_key_text(keys[name].verify_key).encode()
        partners.add_partner(hub, admin, name, url=f"http://127.0.0.1:{port}", public_key=public)
    started = time.perf_counter()
    dates = []
    for i in range(max(1, size // per_package)):
        content = intake.Content("stix", "stix", feed(per_package, SEED + i), None)
        packages.create_from(hub, admin, content, spec_for(i), title=f"feed {i}")
        if spec_for(i).tlp == "TLP:GREEN" or "fiu-b" in spec_for(i).partners:
            dates.append(int(time.time() * 1000))
    return hub, keys["fiu-b"], dates, time.perf_counter() - started


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def measure_cthub(size: int, per_package: int, reads: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from cthub.interfaces.api import create_app

    with tempfile.TemporaryDirectory(prefix="cthub-taxii-") as tmp:
        hub, key, dates, ingest = build_node(Path(tmp), size, per_package)
        org_key = identity.org_key_id(hub.settings, 1)
        cid = taxii.direct_collection_id(signing.key_id(key.verify_key))
        url = f"/taxii2/{org_key}/collections/{cid}/objects/"
        rng = random.Random(SEED)
        window = dates[len(dates) // 10 : max(len(dates) // 10 + 1, 9 * len(dates) // 10)]
        samples, returned = [], 0
        with TestClient(create_app(hub=hub), base_url="http://127.0.0.1:8800") as client:
            client.auth = signing.HttpxSigner(key)
            for i in range(reads + 5):
                after = date_added(rng.choice(window) - 1)
                params = {"match[type]": "indicator", "added_after": after, "limit": "100"}
                t0 = time.perf_counter()
                answer = client.get(url, params=params, headers={"Accept": taxii.MEDIA_TAXII})
                elapsed = time.perf_counter() - t0
                assert answer.status_code == 200, answer.text
                if i >= 5:  # warm-up reads are left out
                    samples.append(elapsed)
                    returned += len(answer.json().get("objects", []))
        hub.close()
    p50, p95 = _quantiles(samples)
    return {"ingest_s": ingest, "p50": p50, "p95": p95, "per_read": returned / len(samples)}


def _medallion_run(size: int, reads: int, out: Any) -> None:
    import base64

    from medallion import application_instance as app
    from medallion import register_blueprints, set_config

    conf = {"backend": {"module": "medallion.backends.memory_backend",
                        "module_class": "MemoryBackend"},
            "users": {"bench": "pass"}, "taxii": {"max_page_size": 100}}  # fmt: skip
    for part in ("users", "taxii", "backend"):
        set_config(app, part, conf)
    register_blueprints(app)
    objects, manifest, stamps = [], [], []
    start = int(time.time() * 1000)
    for i in range(max(1, size // 1000)):
        added = date_added(start + i)
        stamps.append(start + i)
        for obj in feed(min(size, 1000), SEED + i):
            objects.append(obj)
            manifest.append({"id": obj["id"], "date_added": added, "version": obj["modified"],
                             "media_type": "application/stix+json;version=2.1"})  # fmt: skip
    cid = str(uuid.uuid4())
    app.medallion_backend.data = {
        "/discovery": {"title": "bench", "api_roots": ["http://localhost/api1/"]},
        "api1": {"information": {"title": "api1", "versions": [taxii.MEDIA_TAXII],
                                 "max_content_length": 10_000_000},
                 "status": [], "collections": [{
                     "id": cid, "title": "fiu-b", "can_read": True, "can_write": False,
                     "media_types": ["application/stix+json;version=2.1"],
                     "objects": objects, "manifest": manifest}]},
    }  # fmt: skip
    auth = "Basic " + base64.b64encode(b"bench:pass").decode()
    client = app.test_client()
    rng = random.Random(SEED)
    samples = []
    for _ in range(reads):
        after = date_added(rng.choice(stamps) - 1)
        t0 = time.perf_counter()
        answer = client.get(f"/api1/collections/{cid}/objects/",
                            query_string={"match[type]": "indicator", "added_after": after,
                                          "limit": "100"},
                            headers={"Accept": taxii.MEDIA_TAXII,
                                     "Authorization": auth})  # fmt: skip
        samples.append(time.perf_counter() - t0)
        assert answer.status_code == 200, answer.data[:200]
        out.put(("sample", samples[-1]))
    out.put(("done", None))


def measure_medallion(size: int, reads: int, cap: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_medallion_run, args=(size, reads, queue), daemon=True)
    proc.start()
    samples: list[float] = []
    deadline = time.monotonic() + cap
    finished = False
    while time.monotonic() < deadline and not finished:
        try:
            kind, value = queue.get(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:  # noqa: BLE001 - queue.Empty: the cap is reached
            break
        if kind == "done":
            finished = True
        else:
            samples.append(value)
    proc.terminate()
    proc.join(5)
    if not samples:
        return {"reads": 0, "p50": None, "p95": None, "capped": True}
    p50, p95 = _quantiles(samples)
    return {"reads": len(samples), "p50": p50, "p95": p95, "capped": not finished}


def _ms(value: float | None, capped: bool = False, cap: float = 0) -> str:
    if value is None:
        return f"> {cap:.0f} s"
    return f"{value * 1000:,.1f}" + (" *" if capped else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--medallion-sizes", default="300,1000,3000,10000")
    parser.add_argument("--per-package", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=60)
    parser.add_argument("--medallion-reads", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60.0)
    args = parser.parse_args()
    print("TAXII 2.1 filtered read (match[type]=indicator, added_after, limit=100)\n")
    print(f"{'server':<22}{'objects':>10}{'ingest s':>10}{'obj/s':>10}{'reads':>7}"
          f"{'p50 ms':>11}{'p95 ms':>11}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = measure_cthub(size, args.per_package, args.reads)
        print(f"{'cthub (sqlite)':<22}{size:>10,}{r['ingest_s']:>10.1f}"
              f"{size / r['ingest_s']:>10,.0f}{args.reads:>7}{_ms(r['p50']):>11}"
              f"{_ms(r['p95']):>11}   p95 < 200 ms: {'yes' if r['p95'] < 0.2 else 'NO'}",
              flush=True)  # fmt: skip
    for size in (int(s) for s in args.medallion_sizes.split(",") if s):
        m = measure_medallion(size, args.medallion_reads, args.cap)
        print(f"{'medallion 3 (memory)':<22}{size:>10,}{'-':>10}{'-':>10}{m['reads']:>7}"
              f"{_ms(m['p50'], m['capped'], args.cap):>11}"
              f"{_ms(m['p95'], m['capped'], args.cap):>11}", flush=True)  # fmt: skip
    print(
        "\n* stopped at the time cap: figures over the reads that finished."
        "\ncthub ingest: packages.create_from, one package per --per-package objects."
    )


if __name__ == "__main__":
    main()
