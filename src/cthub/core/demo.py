"""Deterministic demo data: organisations of each kind, users, and a few entities.

``cthub demo load`` and ``make serve`` call ``load``; it is idempotent (a second call adds
nothing). Capabilities add their own demo data through the ``cthub.demo`` entry-point group,
each a function ``(hub, actor) -> dict`` returning counts.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from sqlalchemy import select

from cthub.core import accounts, entities
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation, User

ORGS = [
    ("CT Coordination Secretariat", "international", None),
    ("National Financial Intelligence Unit", "fiu", "FR"),
    ("Border and Immigration Agency", "border", "DE"),
    ("Example Video Platform", "platform", "IE"),
    ("Example Commercial Bank", "bank", "SG"),
]
USERS = [  # username, role, organisation index
    ("admin", "admin", 0),
    ("coordinator", "coordinator", 0),
    ("fiu.analyst", "analyst", 1),
    ("fiu.reviewer", "reviewer", 1),
    ("border.officer", "analyst", 2),
    ("platform.moderator", "reviewer", 3),
    ("bank.viewer", "viewer", 4),
    ("bank.reviewer", "reviewer", 4),
]
ENTITIES: list[tuple[int, str, dict[str, list[str]]]] = [
    (
        1,
        "Person",
        {
            "name": ["Example Person One"],
            "alias": ["E. P. One"],
            "birthDate": ["1975"],
            "nationality": ["Iraq"],
        },
    ),
    (
        1,
        "Company",
        {
            "name": ["Example Trading LLC"],
            "jurisdiction": ["AE"],
            "registrationNumber": ["DMCC-000000"],
        },
    ),
    (2, "Vessel", {"name": ["EXAMPLE STAR"], "imoNumber": ["9074729"], "flag": ["PA"]}),
]


def load(hub: Hub, actor: Actor | None = None) -> dict[str, Any]:
    actor = actor or Actor.system("demo")
    counts: dict[str, Any] = {"organisations": 0, "users": 0, "entities": 0}
    with hub.unit(actor, "demo.load") as u:
        existing = set(u.s.scalars(select(Organisation.name)))
        users = set(u.s.scalars(select(User.username)))
    for name, kind, country in ORGS:
        if name not in existing:
            accounts.create_org(hub, actor, name, kind, country)
            counts["organisations"] += 1
    for username, role, org in USERS:
        if username not in users:
            accounts.create_user(
                hub,
                actor,
                username,
                role,
                org=ORGS[org][0],
                display_name=username.replace(".", " ").title(),
            )
            counts["users"] += 1
    if counts["users"]:
        counts["entities"] = _entities(hub)
    for ep in entry_points(group="cthub.demo"):
        counts[ep.name] = ep.load()(hub, actor)
    return counts


def _entities(hub: Hub) -> int:
    with hub.db.session(readonly=True) as s:
        by_name = {u.username: u for u in s.scalars(select(User))}
    owners = {1: by_name["fiu.analyst"], 2: by_name["border.officer"]}
    for org, schema, props in ENTITIES:
        owner = owners[org]
        entities.create(
            hub, Actor(owner.username, owner.role, owner.org_id, owner.id), schema, props
        )
    return len(ENTITIES)


__all__ = ["load"]
