"""Lawful data requests between an authority and a platform on the same node: every step kept
and audited, overdue requests shown, the answer released as a purpose-bound package."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from sqlalchemy import select

from cthub.core.errors import Conflict, Forbidden, InvalidInput
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent
from cthub.exchange import export, lawful, packages, partners
from tests.exchange.conftest import World, stix_bundle

SCOPE = lawful.Scope(
    accounts=("@collector_2026", "@relay.channel"),
    period_from=dt.date(2026, 9, 1),
    period_to=dt.date(2026, 11, 30),
)


def _platform(world: World) -> Actor:
    """The border agency plays the platform: it registers the FIU back as its partner."""
    admin = Actor("platform-admin", "admin", world.local_user.actor.org_id)
    partners.add_partner(world.hub, admin, "fiu", local_org=world.origin)
    return world.local_user.actor


def test_a_request_is_answered_with_a_package_under_its_legal_basis(world: World) -> None:
    hub, fiu = world.hub, world.analyst.actor
    platform = _platform(world)
    sent = lawful.send(
        hub,
        fiu,
        "border",
        legal_basis="Terrorism Act 2000 Sch. 6 order 55/26",
        scope=SCOPE,
        urgency="urgent",
        reference="FIU-2026-114",
    )
    assert sent.state == "open"
    assert dt.timedelta(days=4) < sent.due_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=5)
    inbox = lawful.requests(hub, platform, box="received")
    assert [r.id for r in inbox] == [sent.id]
    with pytest.raises(Conflict, match="Accept"):
        lawful.answer(hub, platform, sent.id, stix_bundle(3), "answer.json")
    lawful.respond(hub, platform, sent.id, "partially-accepted", "the second account is closed")
    done = lawful.answer(hub, platform, sent.id, stix_bundle(3), "answer.json", note="records")
    assert done.state == "answered"
    assert [h["step"] for h in done.history] == ["sent", "partially-accepted", "answered"]
    answer = packages.package(hub, platform, done.answer_package_id or "")
    assert answer.legal_basis.startswith("Terrorism Act")
    assert answer.purposes == ["judicial-cooperation"]
    assert answer.partners == ["fiu"]
    with hub.db.session() as s:
        steps = s.scalars(
            select(AuditEvent.action).where(AuditEvent.resource_type == "exchange_request")
        ).all()
    assert steps.count("exchange.requests") >= 3
    given = export.export(hub, platform, "fiu", purpose="judicial-cooperation")
    assert given.packages == [answer.id]


def test_overdue_and_expired_requests(sqlite_world: World) -> None:
    world = sqlite_world
    hub, fiu = world.hub, world.analyst.actor
    platform = _platform(world)
    soon = dt.date.today() + dt.timedelta(days=2)
    r = lawful.send(
        hub,
        fiu,
        "border",
        legal_basis="order 1",
        scope=SCOPE,
        due=soon,
        expires=soon + dt.timedelta(days=1),
    )
    assert lawful.requests(hub, fiu, overdue=True) == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3, hours=1)
    with mock.patch("cthub.exchange.lawful.utcnow", return_value=later):
        assert [x.id for x in lawful.requests(hub, fiu, overdue=True)] == [r.id]
        assert lawful.requests(hub, fiu)[0].overdue
    gone = later + dt.timedelta(days=2)
    with (
        mock.patch("cthub.exchange.lawful.utcnow", return_value=gone),
        pytest.raises(Conflict, match="expired"),
    ):
        lawful.respond(hub, platform, r.id, "accepted", "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"legal_basis": " "}, "legal basis"),
        ({"scope": lawful.Scope()}, "what it asks for"),
        (
            {
                "scope": lawful.Scope(
                    accounts=("a",), period_from=dt.date(2026, 5, 1), period_to=dt.date(2026, 4, 1)
                )
            },
            "starts after",
        ),
        ({"urgency": "yesterday"}, "urgency"),
        ({"due": dt.date(2020, 1, 1)}, "future"),
    ],
)
def test_bad_requests_are_refused(
    sqlite_world: World, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"legal_basis": "order 2", "scope": SCOPE} | kwargs
    with pytest.raises(InvalidInput, match=message):
        lawful.send(sqlite_world.hub, sqlite_world.analyst.actor, "border", **args)  # type: ignore[arg-type]


def test_only_the_addressee_answers_and_declining_needs_a_reason(sqlite_world: World) -> None:
    world = sqlite_world
    platform = _platform(world)
    r = lawful.send(world.hub, world.analyst.actor, "border", legal_basis="order 3", scope=SCOPE)
    with pytest.raises(Forbidden):
        lawful.respond(world.hub, world.analyst.actor, r.id, "accepted", "")
    with pytest.raises(InvalidInput, match="reason"):
        lawful.respond(world.hub, platform, r.id, "declined", "")
    assert (
        lawful.respond(world.hub, platform, r.id, "declined", "no such account").state == "declined"
    )
    with pytest.raises(InvalidInput, match="on this node"):
        lawful.send(world.hub, world.analyst.actor, "fiu-b", legal_basis="x", scope=SCOPE)
