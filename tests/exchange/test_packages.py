"""Packages under release rules, on both backends: creation checks, export per partner (only
what the rules allow, every decision and disclosure recorded), correction and erasure."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import orjson
import pytest
from sqlalchemy import func, select

from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.exchange import export, packages, partners
from cthub.exchange.models import Decision, Disclosure, Notice, StixObject
from cthub.exchange.packages import ReleaseSpec
from cthub.exchange.tlp import Tlp
from tests.exchange.conftest import World, stix_bundle

SOON = dt.date.today() + dt.timedelta(days=30)


def _spec(**kw: object) -> ReleaseSpec:
    base: dict[str, object] = {
        "tlp": "amber",
        "partners": ("fiu-b",),
        "purposes": ("ct-investigation",),
        "legal_basis": "MoU 2026 art. 4",
        "expires": SOON,
    }
    return ReleaseSpec(**(base | kw))  # type: ignore[arg-type]


def test_a_package_keeps_its_objects_marked_with_its_tlp(world: World) -> None:
    v = packages.create(world.hub, world.analyst.actor, stix_bundle(30), "feed.json", _spec())
    assert (v.objects, v.tlp, v.partners, v.version) == (30, "TLP:AMBER", ["fiu-b"], 1)
    with world.hub.db.session() as s:
        bodies = [orjson.loads(b) for b in s.scalars(select(StixObject.body))]
    assert len(bodies) == 30
    assert all(b["object_marking_refs"][0] == Tlp.AMBER.marking_id for b in bodies)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purposes": ()}, "at least one purpose"),
        ({"legal_basis": ""}, "legal basis"),
        ({"partners": ()}, "named partner or audience"),
        ({"tlp": "red", "partners": (), "audiences": ("fius",)}, "named individually"),
        ({"expires": dt.date(2020, 1, 1)}, "in the past"),
        ({"tlp": "purple"}, "purple"),
        ({"purposes": ("gossip",)}, "gossip"),
        ({"partners": ("nobody",)}, "nobody"),
    ],
)
def test_a_rule_that_cannot_hold_is_refused_and_nothing_is_stored(
    sqlite_world: World, change: dict[str, object], message: str
) -> None:
    world = sqlite_world
    with pytest.raises((InvalidInput, NotFound), match=message):
        packages.create(world.hub, world.analyst.actor, stix_bundle(3), "f.json", _spec(**change))
    with world.hub.db.session() as s:
        assert s.scalar(select(func.count()).select_from(StixObject)) == 0


def test_content_marked_stricter_than_the_package_is_refused(sqlite_world: World) -> None:
    world = sqlite_world
    bundle = orjson.loads(stix_bundle(3))
    for obj in bundle["objects"]:
        obj["object_marking_refs"] = [Tlp.RED.marking_id]
    with pytest.raises(InvalidInput, match="TLP:RED"):
        packages.create(world.hub, world.analyst.actor, orjson.dumps(bundle), "f.json", _spec())


def test_any_file_and_zip_members_become_artifacts(sqlite_world: World) -> None:
    world = sqlite_world
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report.pdf", b"%PDF-1.4 fake report")
        z.writestr("notes/readme.txt", b"hello")
    v = packages.create(world.hub, world.analyst.actor, buf.getvalue(), "case.zip", _spec())
    assert (v.kind, v.objects) == ("files", 2)


def test_a_zip_bomb_is_refused(sqlite_world: World) -> None:
    world = sqlite_world
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.bin", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="refused"):
        packages.create(world.hub, world.analyst.actor, buf.getvalue(), "bomb.zip", _spec())


def test_export_gives_each_partner_only_what_its_rules_allow(world: World) -> None:
    hub, actor = world.hub, world.analyst.actor
    amber = packages.create(hub, actor, stix_bundle(5, seed=1), "a.json", _spec())
    green = packages.create(
        hub, actor, stix_bundle(4, seed=2), "g.json", _spec(tlp="green", partners=())
    )
    red = packages.create(
        hub, actor, stix_bundle(3, seed=3), "r.json", _spec(tlp="red", partners=("fiu-c",))
    )
    for_b = export.export(hub, actor, "fiu-b")
    assert set(for_b.packages) == {amber.id, green.id}
    bundle = orjson.loads(for_b.data)
    assert bundle["type"] == "bundle"
    assert {o["id"] for o in bundle["objects"] if o["type"] == "marking-definition"} == {
        Tlp.AMBER.marking_id,
        Tlp.GREEN.marking_id,
    }
    for_c = export.export(hub, actor, "fiu-c")
    assert for_c.packages == [green.id]  # RED never goes into an export file
    assert [r["package"] for r in for_c.refused] == [red.id]
    with hub.db.session() as s:
        refused = s.scalars(select(Decision).where(Decision.allowed.is_(False))).all()
        assert [(d.package_id, d.clause) for d in refused] == [(red.id, "operation")]
        assert s.scalar(select(func.count()).select_from(Disclosure)) == 3


def test_the_wrong_purpose_and_an_expired_grant_are_refused(world: World) -> None:
    hub, actor = world.hub, world.analyst.actor
    v = packages.create(hub, actor, stix_bundle(5), "a.json", _spec())
    assert export.export(hub, actor, "fiu-b", purpose="border-screening").packages == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    with hub.db.session() as s:
        from cthub.exchange.models import Package

        s.get(Package, v.id).expires_at = later - dt.timedelta(days=2)  # type: ignore[union-attr]
    from unittest import mock

    with mock.patch("cthub.exchange.sharing.utcnow", return_value=later):
        r = export.export(hub, actor, "fiu-b")
    assert r.packages == []
    assert r.refused[0]["clause"] == "expiry"


def test_a_suspended_partner_gets_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    hub, actor = world.hub, world.analyst.actor
    packages.create(hub, actor, stix_bundle(5), "a.json", _spec())
    partners.set_state(hub, world.admin.actor, "fiu-b", "suspended")
    r = export.export(hub, actor, "fiu-b")
    assert r.packages == []
    assert r.refused[0]["clause"] == "partner"


def test_correction_and_erasure_queue_notices_for_recipients(world: World) -> None:
    hub, actor = world.hub, world.analyst.actor
    v = packages.create(hub, actor, stix_bundle(5), "a.json", _spec())
    export.export(hub, actor, "fiu-b")
    fixed = packages.correct(
        hub, actor, v.id, stix_bundle(6, seed=9), "a2.json", reason="wrong wallet"
    )
    assert (fixed.version, fixed.objects) == (2, 6)
    gone = packages.erase(hub, actor, v.id, reason="court order 12/2026")
    assert (gone.state, gone.objects) == ("erased", 0)
    with hub.db.session() as s:
        kinds = sorted(n.kind for n in s.scalars(select(Notice)))
        assert kinds == ["correction", "erasure"]
        assert s.scalar(select(func.count()).select_from(StixObject)) == 0
    assert export.export(hub, actor, "fiu-b").packages == []
    with pytest.raises(Conflict, match="erased"):
        packages.erase(hub, actor, v.id, reason="again")


def test_another_organisation_cannot_see_or_change_a_package(sqlite_world: World) -> None:
    world = sqlite_world
    v = packages.create(world.hub, world.analyst.actor, stix_bundle(3), "a.json", _spec())
    with pytest.raises(NotFound):
        packages.package(world.hub, world.local_user.actor, v.id)
    with pytest.raises(NotFound):
        packages.erase(world.hub, world.local_user.actor, v.id, reason="x")
