"""Benchmark: BODS 0.4 ingest into SQLite (statements/s) and ``edges_table`` over 1M edges.

1. Generates a synthetic BODS 0.4 package of N statements (default 200,000: one third entity,
   one third person and one third relationship records, shares exact or in PSC-like bands,
   a few records updated later in the file) and loads it with ``ownership.load_file`` into a
   fresh SQLite file: parse time, write time and statements/s end to end, then the same file
   again (every statement unchanged).
2. Inserts 1,000,000 edges between 200,000 entities directly into the tables and times
   ``ownership.edges_table`` (one SELECT into Arrow), cold and warm.

Baseline: the issue sets the target "1M edges in well under a few seconds" for the edge read;
for ingest there is no external figure, so ``json.loads`` of the same file (the floor any
Python importer pays) is printed beside it. Run: ``.venv/bin/python bench/ownership_ingest.py
[--statements 200000] [--edges 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import orjson
from sqlalchemy import insert

from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.ownership.models import OwnershipEdge, OwnershipEntity, OwnershipLoad
from cthub.ownership.store import load_file
from cthub.ownership.views import edges_table

OPERATOR = Actor.system("bench")
BANDS = [
    {"exact": 100},
    {"exact": 50},
    {"minimum": 25, "exclusiveMaximum": 50},
    {"exclusiveMinimum": 50, "maximum": 75},
    {"minimum": 75, "maximum": 100},
]


def _statement(
    i: int, rtype: str, rid: str, details: dict[str, object], date: str
) -> dict[str, object]:
    return {
        "statementId": f"{i:08d}-0000-4000-8000-{random.getrandbits(48):012x}",
        "declarationSubject": rid,
        "statementDate": date,
        "recordId": rid,
        "recordType": rtype,
        "recordStatus": "new",
        "publicationDetails": {
            "publicationDate": date,
            "bodsVersion": "0.4",
            "publisher": {"name": "bench"},
        },
        "recordDetails": details,
    }


def generate(n: int, path: Path) -> None:
    random.seed(7)
    third = n // 3
    out = []
    for i in range(third):
        out.append(
            _statement(
                3 * i,
                "entity",
                f"ent-{i}",
                {
                    "isComponent": False,
                    "entityType": {"type": "registeredEntity"},
                    "name": f"COMPANY {i} LIMITED",
                    "jurisdiction": {"name": "UK", "code": "GB"},
                    "identifiers": [{"scheme": "GB-COH", "id": f"{i:08d}"}],
                },
                "2024-01-01",
            )
        )
        out.append(
            _statement(
                3 * i + 1,
                "person",
                f"per-{i}",
                {
                    "isComponent": False,
                    "personType": "knownPerson",
                    "names": [{"fullName": f"Person Number {i}"}],
                    "birthDate": "1970-01",
                    "nationalities": [{"name": "France", "code": "FR"}],
                },
                "2024-01-01",
            )
        )
        owner = f"per-{i}" if i % 3 else f"ent-{random.randrange(third)}"
        out.append(
            _statement(
                3 * i + 2,
                "relationship",
                f"rel-{i}",
                {
                    "isComponent": False,
                    "subject": f"ent-{(i + 1) % third}",
                    "interestedParty": owner,
                    "interests": [
                        {
                            "type": "shareholding",
                            "directOrIndirect": "direct",
                            "share": random.choice(BANDS),
                            "startDate": "2020-01-01",
                        }
                    ],
                },
                "2024-01-01",
            )
        )
    path.write_bytes(orjson.dumps(out))


def _hub(folder: Path) -> Hub:
    url = f"sqlite:///{folder / 'bench.db'}"
    db = Database(url)
    migrate.upgrade(db)
    settings = Settings(
        mode="development",
        data_dir=folder,
        database_url=url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
    )  # type: ignore[call-arg]
    return Hub(settings, db)


def ingest(n: int, folder: Path) -> list[tuple[str, str]]:
    path = folder / "bods.json"
    generate(n, path)
    t = time.perf_counter()
    json.loads(path.read_bytes())
    floor = time.perf_counter() - t
    hub = _hub(folder)
    t = time.perf_counter()
    result = load_file(hub, OPERATOR, path)
    first = time.perf_counter() - t
    t = time.perf_counter()
    again = load_file(hub, OPERATOR, path)
    second = time.perf_counter() - t
    hub.close()
    size = path.stat().st_size / 2**20
    return [
        ("file", f"{n:,} statements, {size:.0f} MB JSON"),
        ("json.loads of the file (floor)", f"{floor:.2f} s"),
        (
            "load_file, fresh database",
            f"{first:.1f} s, {result.statements / first:,.0f} statements/s",
        ),
        (
            "  stored",
            f"{result.entities:,} entities, {result.edges:,} edges, "
            f"{len(result.problems)} problems",
        ),
        ("load_file again (all unchanged)", f"{second:.1f} s, {again.unchanged:,} unchanged"),
    ]


def read_edges(n_edges: int, folder: Path) -> list[tuple[str, str]]:
    hub = _hub(folder)
    n_entities = max(2, n_edges // 5)
    with hub.db.session() as s:
        load = OwnershipLoad(file="bench", format="bench", sha256="0" * 64)
        s.add(load)
        s.flush()
        rows = [
            {
                "id": f"e{i}",
                "kind": "company",
                "subtype": "",
                "name": f"E {i}",
                "placeholder": False,
                "closed": False,
                "details": {},
                "load_id": load.id,
            }
            for i in range(n_entities)
        ]
        s.execute(insert(OwnershipEntity), rows)
        rnd = random.Random(3)
        edges = [
            {
                "edge_id": f"x{i}",
                "owner": f"e{rnd.randrange(n_entities)}",
                "asset": f"e{rnd.randrange(n_entities)}",
                "interest": "ownership",
                "interest_type": "shareholding",
                "share_min": 0.25,
                "share_max": 0.5,
                "min_inclusive": False,
                "max_inclusive": True,
                "summary": False,
                "statement_id": f"s{i}",
                "status": "current",
                "source": "bench",
                "load_id": load.id,
            }
            for i in range(n_edges)
        ]
        for i in range(0, len(edges), 50_000):
            s.execute(insert(OwnershipEdge), edges[i : i + 50_000])
    times = []
    for _ in range(3):
        t = time.perf_counter()
        table = edges_table(hub, OPERATOR)
        times.append(time.perf_counter() - t)
    hub.close()
    assert table.num_rows == n_edges
    return [
        ("edges_table rows", f"{table.num_rows:,} ({table.nbytes / 2**20:.0f} MB in Arrow)"),
        ("edges_table, first call after a load (bulk read)", f"{times[0]:.2f} s"),
        ("edges_table, next calls (snapshot), best of 2", f"{min(times[1:]):.2f} s"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=200_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-own-") as tmp:
        rows += ingest(args.statements, _mk(Path(tmp), "ingest"))
        rows += read_edges(args.edges, _mk(Path(tmp), "edges"))
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")


def _mk(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    return path


if __name__ == "__main__":
    main()
