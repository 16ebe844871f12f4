"""Exchange fixtures: a small world of organisations and partners, and realistic STIX bundles.

``world`` (on the parametrised ``hub``: SQLite and PostgreSQL) holds an originating FIU with an
admin and an analyst, a second organisation on the same node registered as a *local* partner,
two partners on other nodes (each with its own Ed25519 key, held here so tests can sign as
them), and an audience of both remote partners. ``stix_bundle`` builds indicator / identity /
relationship bundles like a CTI feed's.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from nacl.signing import SigningKey
from sqlalchemy import select

from cthub.core.hub import Hub
from cthub.exchange import partners, signing
from tests.factories import Member, member, org

_seq = itertools.count(1)
FEED = uuid.UUID("5c6a3c5e-3f55-4c8f-9a43-2d6d1a9b8e01")


@dataclass
class World:
    hub: Hub
    origin: str
    admin: Member
    analyst: Member
    local_org: str
    local_user: Member
    keys: dict[str, SigningKey]

    def key_of(self, partner: str) -> SigningKey:
        return self.keys[partner]


def _actor_only(hub: Hub, role: str, org_name: str) -> Member:
    """A member without an account: services only need the actor (no argon2 hashing)."""
    from cthub.core.policy import Actor
    from cthub.core.tables import Organisation

    with hub.db.session() as s:
        org_id = s.scalars(select(Organisation.id).where(Organisation.name == org_name)).one()
    name = f"{role}{next(_seq)}"
    return Member(name, "", role, org_name, Actor(name, role, org_id))


def build_world(hub: Hub, *, users: bool = True) -> World:
    """The world; ``users=False`` gives actors without accounts (fast; no logins possible)."""
    make = member if users else _actor_only
    origin = org(hub, f"Origin FIU {next(_seq)}")
    admin = make(hub, "admin", origin)
    analyst = make(hub, "analyst", origin)
    local_org = org(hub, f"Border Agency {next(_seq)}", kind="border")
    local_user = make(hub, "analyst", local_org)
    keys: dict[str, SigningKey] = {}
    for name, port in (("fiu-b", 8801), ("fiu-c", 8802)):
        key = signing.generate_key()
        keys[name] = key
        partners.add_partner(
            hub,
            admin.actor,
            name,
            url=f"http://127.0.0.1:{port}",
            public_key=signing.public_key_text(key.verify_key).encode(),
        )
    partners.add_partner(hub, admin.actor, "border", local_org=local_org)
    partners.create_audience(hub, admin.actor, "fius", ["fiu-b", "fiu-c"])
    return World(hub, origin, admin, analyst, local_org, local_user, keys)


@pytest.fixture
def world(hub: Hub) -> World:
    """On both backends: for what touches SQL that differs between them."""
    return build_world(hub, users=False)


@pytest.fixture
def sqlite_world(sqlite_hub: Hub) -> World:
    """SQLite only: for checks that refuse before any SQL that could differ runs."""
    return build_world(sqlite_hub, users=False)


def stix_objects(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` objects of a realistic feed: identities, indicators, relationships between them."""
    out: list[dict[str, Any]] = []
    ident = {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid5(FEED, str(seed))}",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": "Origin FIU",
        "identity_class": "organization",
    }
    out.append(ident)
    for i in range(1, n):
        uid = uuid.uuid5(FEED, f"{seed}/{i}")
        if i % 3 == 2:
            out.append(
                {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": f"relationship--{uid}",
                    "created": "2026-11-02T10:00:00.000Z",
                    "modified": "2026-11-02T10:00:00.000Z",
                    "relationship_type": "indicates",
                    "source_ref": out[-1]["id"],
                    "target_ref": ident["id"],
                }
            )
            continue
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uid}",
                "created": "2026-11-02T10:00:00.000Z",
                "modified": "2026-11-02T10:00:00.000Z",
                "name": f"Wallet used for collection {i}",
                "pattern_type": "stix",
                "pattern": f"[ipv4-addr:value = '10.{i % 250}.{(i // 250) % 250}.{i % 7}']",
                "valid_from": "2026-11-02T10:00:00Z",
                "created_by_ref": ident["id"],
            }
        )
    return out[:n]


def stix_bundle(n: int = 10, *, seed: int = 0) -> bytes:
    return orjson.dumps(
        {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": stix_objects(n, seed=seed)}
    )


@pytest.fixture
def bundle() -> Callable[..., bytes]:
    return stix_bundle
