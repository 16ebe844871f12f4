"""Node-to-node sync: 10^5 STIX objects from node A to node B over loopback HTTP.

Two cthub nodes, each with its own SQLite file, organisation and Ed25519 key, register each
other as partners. A holds ``--objects`` objects in packages of ``--per-package`` (default 100
x 1,000), TLP:AMBER for B. A serves them with ``create_app`` under uvicorn in a subprocess;
B pulls in another subprocess (the receiving node: its peak RSS is what the table shows):
signed requests, A's release decisions and disclosure log, B's own acceptance policy, B's
writes of every object. A second pull measures the incremental no-op.

Baseline, in the same run, labelled "medallion TAXII 2.1 poll": the same objects (A's stored
bodies) in one collection of medallion's memory backend, served by werkzeug in a subprocess,
polled with taxii2-client (``as_pages``, ``--taxii-page`` objects per request) by a subprocess
that only keeps the objects in a list (no database, no policy, no signature). Medallion's memory
backend deep-copies and filters the whole collection per request and matches each object against
the manifest, so its time grows with the square of the collection (5,000 objects took 176 s
here): it serves ``--baseline-objects`` (default 1,000) and the table compares objects/s.
Target: 10^5 objects in under 60 s.

Run: ``.venv/bin/python bench/exchange_sync.py [--objects 100000] [--per-package 1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from cthub.core import accounts, migrate
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import identity, intake, packages, partners, store
from cthub.exchange.packages import ReleaseSpec

OPERATOR = Actor.system("bench")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway node


def settings_for(root: Path) -> Settings:
    return Settings(mode="development", data_dir=root, secret_key=SECRET,
                    database_url=f"sqlite:///{root / 'cthub.db'}")  # fmt: skip


def hub_at(root: Path) -> Hub:
    settings = settings_for(root)
    return Hub(settings, Database(settings.effective_database_url))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node(base: Path, name: str) -> tuple[Hub, int, int]:
    root = base / name
    root.mkdir()
    hub = hub_at(root)
    migrate.upgrade(hub.db)
    view = accounts.create_org(hub, OPERATOR, name, "fiu")
    org_id = int(getattr(view, "id", 1))
    identity.org_key(hub.settings, org_id)
    return hub, org_id, free_port()


def objects(n: int, seed: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        uid = uuid.UUID(int=(seed << 40) + i)
        out.append({
            "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uid}",
            "created": "2026-11-02T10:00:00.000Z", "modified": "2026-11-02T10:00:00.000Z",
            "name": f"Wallet used for collection {seed}-{i}", "pattern_type": "stix",
            "pattern": f"[ipv4-addr:value = '10.{i % 250}.{(i // 250) % 250}.{seed % 250}']",
            "valid_from": "2026-11-02T10:00:00Z", "labels": ["financing", "bench"],
        })  # fmt: skip
    return out


def serve(cmd: str, port: int, env: dict[str, str], quiet: bool = False) -> subprocess.Popen[bytes]:
    sink = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", cmd], env={**os.environ, **env},
                            stdout=sink, stderr=sink)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not start")


def cthub_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    code = ("import uvicorn; from cthub.interfaces.api import create_app; "
            f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, "
            "log_level='warning')")  # fmt: skip
    return serve(code, port, {"CTHUB_MODE": "development", "CTHUB_DATA_DIR": str(root),
                              "CTHUB_DATABASE_URL": f"sqlite:///{root / 'cthub.db'}",
                              "CTHUB_SECRET_KEY": SECRET})  # fmt: skip


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: reset at exec, unlike ru_maxrss after a fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(argv: list[str]) -> None:
    """Run in a subprocess: one measured pull (cthub) or poll (medallion); prints JSON."""
    kind, where = argv[0], argv[1]
    started = time.perf_counter()
    if kind == "pull":
        from cthub.exchange.sync import sync

        hub = hub_at(Path(where))
        first = sync(hub, OPERATOR, "alpha", org="beta", direction="pull")
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        second = sync(hub, OPERATOR, "alpha", org="beta", direction="pull")
        report = {"seconds": seconds, "objects": first.pulled_objects, "pages": first.pages,
                  "errors": first.errors + second.errors,
                  "again_s": time.perf_counter() - again,
                  "again_objects": second.pulled_objects}  # fmt: skip
    else:
        from taxii2client.v21 import Collection, as_pages

        got: list[dict[str, Any]] = []
        collection = Collection(where, user="bench", password="bench")
        for envelope in as_pages(collection.get_objects, per_request=int(argv[2])):
            got.extend(envelope.get("objects", []))
        report = {"seconds": time.perf_counter() - started, "objects": len(got), "errors": []}
    report["rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


def run_worker(*args: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this script, in a fresh interpreter
        [sys.executable, __file__, "--worker", *args],
                         check=True, capture_output=True, text=True)  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def medallion_data(port: int, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    media = "application/stix+json;version=2.1"
    manifest = [{"id": o["id"], "date_added": "2026-11-02T10:00:00.000000Z",
                 "version": o["modified"], "media_type": media} for o in bodies]  # fmt: skip
    return {
        "/discovery": {"title": "bench", "default": f"http://127.0.0.1:{port}/api1/",
                       "api_roots": [f"http://127.0.0.1:{port}/api1/"]},
        "api1": {"information": {"title": "api1",
                                 "versions": ["application/taxii+json;version=2.1"],
                                 "max_content_length": 10**9},
                 "status": [],
                 "collections": [{"id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116", "title": "bench",
                                  "can_read": True, "can_write": False, "media_types": [media],
                                  "objects": bodies, "manifest": manifest}]},
    }  # fmt: skip


def baseline(base: Path, bodies: list[dict[str, Any]], page: int) -> dict[str, Any]:
    port = free_port()
    data, config = base / "medallion-data.json", base / "medallion.json"
    data.write_text(json.dumps(medallion_data(port, bodies)))
    config.write_text(json.dumps({
        "users": {"bench": "bench"}, "taxii": {"max_page_size": page},
        "backend": {"module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend", "filename": str(data)}}))  # fmt: skip
    code = (
        "from medallion import load_app; from werkzeug.serving import run_simple; "
        f"run_simple('127.0.0.1', {port}, load_app({str(config)!r}), threaded=True)"
    )
    proc = serve(code, port, {}, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/"
        return run_worker("taxii", url, str(page))
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--per-package", type=int, default=1_000)
    parser.add_argument("--taxii-page", type=int, default=10_000)
    parser.add_argument(
        "--baseline-objects",
        type=int,
        default=1_000,
        help="objects served by medallion (its memory backend is quadratic)",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    with tempfile.TemporaryDirectory(prefix="cthub-sync-bench-") as tmp:
        base = Path(tmp)
        (a, a_org, a_port), (b, b_org, b_port) = node(base, "alpha"), node(base, "beta")
        partners.add_partner(a, OPERATOR, "beta", url=f"http://127.0.0.1:{b_port}",
                             public_key=identity.org_public_key(b.settings, b_org).encode(),
                             org="alpha")  # fmt: skip
        partners.add_partner(b, OPERATOR, "alpha", url=f"http://127.0.0.1:{a_port}",
                             public_key=identity.org_public_key(a.settings, a_org).encode(),
                             accept_tlp="TLP:AMBER", org="beta")  # fmt: skip
        spec = ReleaseSpec(tlp="TLP:AMBER", partners=("beta",), purposes=("ct-investigation",),
                           legal_basis="MoU alpha-beta")  # fmt: skip
        started = time.perf_counter()
        made = []
        for seed in range(max(1, args.objects // args.per_package)):
            content = intake.Content("stix", "stix", objects(args.per_package, seed), None)
            made.append(packages.create_from(a, OPERATOR, content, spec, title=f"feed {seed}",
                                             org="alpha").id)  # fmt: skip
        ingest_s = time.perf_counter() - started
        with a.db.session(readonly=True) as s:
            bodies = [json.loads(x) for pid in made for x in store.bodies(s, pid)]
        a.close()
        b.close()
        server = cthub_server(base / "alpha", a_port)
        try:
            pulled = run_worker("pull", str(base / "beta"))
        finally:
            server.terminate()
            server.wait(10)
        rows = [("cthub pull A->B (signed, policy, SQLite)", pulled),
                ("cthub incremental pull (nothing new)",
                 {"seconds": pulled["again_s"], "objects": pulled["again_objects"],
                  "rss_mb": None})]  # fmt: skip
        if not args.no_baseline:
            few = bodies[: args.baseline_objects]
            rows.append((f"medallion TAXII 2.1 poll ({len(few):,} obj, no store)",
                         baseline(base, few, args.taxii_page)))  # fmt: skip
    print(f"\n{len(bodies):,} objects in {len(made)} packages; A ingest {ingest_s:.1f} s")
    print(f"{'run':<52} {'seconds':>8} {'objects':>9} {'objects/s':>10} {'peak RSS MB':>12}")
    for label, r in rows:
        rate = r["objects"] / r["seconds"] if r["seconds"] and r["objects"] else 0
        rss = f"{r['rss_mb']:.0f}" if r.get("rss_mb") else "-"
        print(f"{label:<52} {r['seconds']:>8.2f} {r['objects']:>9,} {rate:>10,.0f} {rss:>12}")
    if pulled["errors"]:
        print("errors:", pulled["errors"])
    print(
        f"target: {args.objects:,} objects in under 60 s: "
        f"{'met' if pulled['seconds'] < 60 and pulled['objects'] == len(bodies) else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
