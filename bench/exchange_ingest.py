"""STIX ingest speed of the exchange format layer: objects per second, three ways.

Builds a realistic 50,000-object STIX 2.1 bundle (30% indicators with patterns of several
shapes, identities, threat actors, relationships, and SCOs: ipv4-addr, domain-name, file
with hashes; all marked TLP:AMBER) and prints objects/s for:

- ``json parse``: orjson alone, the floor;
- ``stix2.parse``: the library's own parse of every object (the baseline);
- ``StixFormat.parse``: cthub's import, end to end from bytes (size and depth limits, stix2
  validation of every object, patterns once per shape, marking checks).

Target from the issue: at least 5,000 objects/s end to end. Run: ``.venv/bin/python
bench/exchange_ingest.py [--objects N]``. Compare figures only between runs on one machine.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from typing import Any

import orjson
import stix2

from cthub.exchange.formats import StixFormat
from cthub.exchange.tlp import Tlp

AMBER = Tlp.AMBER.marking_id


def _time(i: int) -> str:
    day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return f"{day}T{i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}.{i % 1000:03d}Z"


def _pattern(i: int, rnd: random.Random) -> str:
    kind = i % 5
    if kind == 0:
        return f"[ipv4-addr:value = '10.{i % 250}.{i // 250 % 250}.{rnd.randrange(250)}']"
    if kind == 1:
        return f"[domain-name:value = 'h{i}.example.com']"
    if kind == 2:
        return f"[file:hashes.MD5 = '{rnd.getrandbits(128):032x}']"
    if kind == 3:
        return f"[file:hashes.'SHA-256' = '{rnd.getrandbits(256):064x}']"
    return f"[url:value = 'http://h{i}.example.net/p'] OR [domain-name:value = 'h{i}.example.net']"


def _object(i: int, rnd: random.Random, last_indicator: str | None) -> dict[str, Any]:
    new_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
    common = {
        "spec_version": "2.1",
        "created": _time(i),
        "modified": _time(i),
        "object_marking_refs": [AMBER],
    }
    kind = i % 10
    if kind < 3:
        return {
            **common,
            "type": "indicator",
            "id": f"indicator--{new_id}",
            "name": f"Indicator {i}",
            "indicator_types": ["malicious-activity"],
            "pattern": _pattern(i, rnd),
            "pattern_type": "stix",
            "valid_from": _time(i),
        }
    if kind == 3:
        return {
            **common,
            "type": "identity",
            "id": f"identity--{new_id}",
            "name": f"Organisation {i}",
            "identity_class": "organization",
        }
    if kind == 4:
        return {
            **common,
            "type": "threat-actor",
            "id": f"threat-actor--{new_id}",
            "name": f"Actor {i}",
            "threat_actor_types": ["terrorist"],
            "aliases": [f"A{i}"],
        }
    if kind < 7:
        source = last_indicator or f"indicator--{new_id}"
        target = f"threat-actor--{uuid.UUID(int=rnd.getrandbits(128), version=4)}"
        return {
            **common,
            "type": "relationship",
            "id": f"relationship--{new_id}",
            "relationship_type": "indicates",
            "source_ref": source,
            "target_ref": target,
        }
    sco = {"spec_version": "2.1", "object_marking_refs": [AMBER]}
    if kind == 7:
        return {
            **sco,
            "type": "ipv4-addr",
            "id": f"ipv4-addr--{new_id}",
            "value": f"192.0.{i % 250}.{rnd.randrange(250)}",
        }
    if kind == 8:
        return {
            **sco,
            "type": "domain-name",
            "id": f"domain-name--{new_id}",
            "value": f"d{i}.example.org",
        }
    hashes = {"MD5": f"{rnd.getrandbits(128):032x}", "SHA-256": f"{rnd.getrandbits(256):064x}"}
    return {
        **sco,
        "type": "file",
        "id": f"file--{new_id}",
        "name": f"f{i}.exe",
        "hashes": hashes,
        "size": rnd.randrange(10**6),
    }


def build_bundle(count: int, seed: int = 7) -> bytes:
    """A bundle of ``count`` objects (plus the TLP:AMBER definition), as bytes."""
    rnd = random.Random(seed)
    objects: list[dict[str, Any]] = [Tlp.AMBER.marking()]
    last: str | None = None
    for i in range(count):
        obj = _object(i, rnd, last)
        last = obj["id"] if obj["type"] == "indicator" else last
        objects.append(obj)
    bundle_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
    return orjson.dumps({"type": "bundle", "id": f"bundle--{bundle_id}", "objects": objects})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=50_000)
    args = parser.parse_args()
    data = build_bundle(args.objects)
    count = args.objects + 1
    rows = []

    clock = [time.perf_counter(), time.process_time()]

    def lap(name: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        rows.append((name, now[0] - clock[0], now[1] - clock[1]))
        clock[:] = [time.perf_counter(), time.process_time()]

    objects = orjson.loads(data)["objects"]
    lap("json parse (orjson)")
    for obj in objects:
        stix2.parse(obj, allow_custom=True, version="2.1")
    lap("stix2.parse per object (baseline)")
    parsed = StixFormat().parse(data, source="bench")
    lap("StixFormat.parse, end to end")
    assert len(parsed.objects) == args.objects
    assert parsed.tlp is Tlp.AMBER

    print(f"STIX ingest, {count:,} objects, {len(data) / 1e6:.1f} MB (target: 5,000 objects/s)")
    print("objects/s by CPU time of this process (one core) and by wall clock")
    print(f"{'step':<36} {'cpu s':>7} {'obj/s cpu':>10} {'obj/s wall':>11} {'vs stix2':>9}")
    baseline = rows[1][2]
    for name, wall, cpu in rows:
        rates = f"{count / cpu:10,.0f} {count / wall:11,.0f}"
        print(f"{name:<36} {cpu:7.2f} {rates} {baseline / cpu:8.1f}x")


if __name__ == "__main__":
    main()
