"""The disclosure log as stored: every disclosure is a leaf, heads are signed, and a removed,
edited or reordered leaf is found by ``verify_own``; a partner's view verifies on its own, and
a partner whose log forks is flagged (and stays flagged)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from sqlalchemy import select, text

from cthub.core.hub import Hub
from cthub.exchange import disclosure, export, identity, logverify, packages, partners
from cthub.exchange.models import Disclosure, Partner, TreeHeadRow
from cthub.exchange.packages import ReleaseSpec
from tests.exchange.conftest import World, stix_bundle

SPEC = ReleaseSpec(
    tlp="green",
    purposes=("ct-investigation",),
    legal_basis="MoU",
    expires=dt.date.today() + dt.timedelta(days=9),
)


def _disclose(world: World, rounds: int = 3) -> None:
    for n in range(rounds):
        packages.create(world.hub, world.analyst.actor, stix_bundle(4, seed=n), f"{n}.json", SPEC)
        export.export(world.hub, world.analyst.actor, "fiu-b")
        export.export(world.hub, world.analyst.actor, "fiu-c")


def _tamper(hub: Hub, sql: str, **params: Any) -> None:
    """An insider with database access: drop the append-only triggers and rewrite rows."""
    with hub.db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS exchange_disclosures_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS exchange_disclosures_no_delete"))
        else:
            conn.execute(text("ALTER TABLE exchange_disclosures DISABLE TRIGGER USER"))
        conn.execute(text(sql), params)
    disclosure.forget(hub.db)


def test_each_disclosure_is_a_signed_leaf_and_the_log_verifies(world: World) -> None:
    _disclose(world)
    with world.hub.db.session() as s:
        leaves = [
            orjson.loads(d.leaf) for d in s.scalars(select(Disclosure).order_by(Disclosure.idx))
        ]
        heads = s.scalars(select(TreeHeadRow)).all()
    # round n discloses the n GREEN packages so far to each partner: 2 + 4 + 6 leaves
    assert len(leaves) == 12
    assert {leaf["partner"] for leaf in leaves} == {"fiu-b", "fiu-c"}
    assert all(leaf["rule"]["tlp"] == "TLP:GREEN" and leaf["sha256"] for leaf in leaves)
    assert [h.size for h in sorted(heads, key=lambda h: h.size)] == [1, 2, 4, 6, 9, 12]
    report = logverify.verify_own(world.hub, world.admin.actor)
    assert report.ok, report.to_json()
    assert (report.heads_checked, report.entries_checked) == (6, 12)


def test_the_database_refuses_to_rewrite_the_log(world: World) -> None:
    _disclose(world, 1)
    with pytest.raises(Exception, match="append-only"), world.hub.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM exchange_disclosures"))


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        (
            "UPDATE exchange_disclosures SET leaf = replace(leaf, 'fiu-b', 'fiu-x') WHERE idx = 3",
            "not-included",
        ),
        ("DELETE FROM exchange_disclosures WHERE idx = 4", "shrunk"),
        (
            "UPDATE exchange_disclosures SET idx = CASE idx WHEN 1 THEN 2 ELSE 1 END "
            "WHERE idx IN (1, 2)",
            "reordered",
        ),
    ],
    ids=["edited", "removed", "reordered"],
)
def test_tampering_with_the_stored_log_is_found(sqlite_world: World, sql: str, kind: str) -> None:
    world = sqlite_world
    _disclose(world)
    if "CASE" in sql:  # swap through a free index: the primary key refuses a direct swap
        _tamper(world.hub, "UPDATE exchange_disclosures SET idx = 999 WHERE idx = 1")
        _tamper(world.hub, "UPDATE exchange_disclosures SET idx = 1 WHERE idx = 2")
        _tamper(world.hub, "UPDATE exchange_disclosures SET idx = 2 WHERE idx = 999")
    else:
        _tamper(world.hub, sql)
    report = logverify.verify_own(world.hub, world.admin.actor)
    assert not report.ok
    assert kind in {p.kind for p in report.problems}, report.to_json()


def _local_pair(world: World) -> None:
    """The border agency registers the FIU back, and the FIU shares with it."""
    from cthub.core.policy import Actor

    border_admin = Actor("border-admin", "admin", world.local_user.actor.org_id)
    partners.add_partner(world.hub, border_admin, "origin-fiu", local_org=world.origin)
    packages.create(
        world.hub,
        world.analyst.actor,
        stix_bundle(3),
        "b.json",
        ReleaseSpec(
            tlp="amber",
            partners=("border",),
            purposes=("border-screening",),
            legal_basis="Border Act s.12",
        ),
    )
    export.export(world.hub, world.analyst.actor, "border", purpose="border-screening")


def test_a_partner_verifies_what_was_disclosed_to_it(world: World) -> None:
    _local_pair(world)
    report = logverify.verify_partner(world.hub, world.local_user.actor, "origin-fiu")
    assert report.ok, report.to_json()
    assert report.entries_checked == 1
    # and the evidence alone, with the public key, verifies outside any database
    with world.hub.db.session() as s:
        us = s.scalars(select(Partner).where(Partner.name == "border")).one()
        view = disclosure.partner_view(world.hub.db, s, us.org_id, us.id)
    key = identity.org_key(world.hub.settings, us.org_id).verify_key
    assert logverify.evidence_report(orjson.loads(orjson.dumps(view)), key).ok


def _forge_history(hub: Hub, org_id: int) -> None:
    """The originator rewrites its log consistently (leaf, leaf hash) and signs a new head."""
    from cthub.exchange.merkle import leaf_hash

    with hub.db.engine.begin() as conn:
        for table in ("exchange_disclosures", "exchange_tree_heads"):
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
        conn.execute(text("DELETE FROM exchange_tree_heads WHERE org_id = :o"), {"o": org_id})
        rows = conn.execute(
            text("SELECT idx, leaf FROM exchange_disclosures WHERE org_id = :o"), {"o": org_id}
        ).all()
        for idx, leaf in rows:
            forged = leaf.replace("border-screening", "ct-investigation")
            conn.execute(
                text(
                    "UPDATE exchange_disclosures SET leaf = :l, leaf_hash = :h "
                    "WHERE org_id = :o AND idx = :i"
                ),
                {"l": forged, "h": leaf_hash(forged.encode()).hex(), "o": org_id, "i": idx},
            )
    disclosure.forget(hub.db)
    disclosure.publish_head(hub.settings, hub.db, org_id)


def test_a_stale_cached_tree_is_rebuilt_from_the_stored_log(world: World) -> None:
    """The process caches each log's tree by database object and organisation id; a cache
    left from another log under the same key (a database recreated, an id reused after a
    reset) must not sign or prove a root the stored log does not have."""
    from cthub.exchange.merkle import MerkleTree, leaf_hash

    org_id = world.analyst.actor.org_id
    assert org_id is not None
    key = (id(world.hub.db), org_id)
    disclosure._trees[key] = MerkleTree([leaf_hash(b"another log")])
    _local_pair(world)
    export.export(world.hub, world.analyst.actor, "border", purpose="border-screening")
    report = logverify.verify_partner(world.hub, world.local_user.actor, "origin-fiu")
    assert report.ok, report.to_json()
    assert logverify.verify_own(world.hub, world.admin.actor).ok


def test_a_forked_partner_log_is_flagged_and_stays_flagged(sqlite_world: World) -> None:
    world = sqlite_world
    _local_pair(world)
    assert logverify.verify_partner(world.hub, world.local_user.actor, "origin-fiu").ok
    assert world.analyst.actor.org_id is not None
    _forge_history(world.hub, world.analyst.actor.org_id)
    report = logverify.verify_partner(world.hub, world.local_user.actor, "origin-fiu")
    assert not report.ok
    assert "fork" in {p.kind for p in report.problems}, report.to_json()
    from cthub.exchange import records

    assert [h.verdict for h in records.seen_heads(world.hub, world.local_user.actor)] == ["fork"]
    # the forged history is never accepted: the next run still sees the fork
    again = logverify.verify_partner(world.hub, world.local_user.actor, "origin-fiu")
    assert "fork" in {p.kind for p in again.problems}
