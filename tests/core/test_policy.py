"""Role gates and organisation scope, with sharing rules, on both backends."""

from __future__ import annotations

import pytest

from cthub.core import accounts, entities
from cthub.core.errors import Forbidden
from cthub.core.hub import Hub
from cthub.core.policy import ACTIONS, Actor, allowed
from cthub.core.tables import ROLES
from tests import factories


def test_every_action_is_declared_with_known_roles() -> None:
    for name, rule in ACTIONS.items():
        assert "." in name
        assert set(rule.roles) <= set(ROLES), name
        assert rule.description


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        ("admin", "users.create", True),
        ("analyst", "users.create", False),
        ("viewer", "entities.write", False),
        ("viewer", "entities.read", True),
        ("reviewer", "audit.read", False),
        ("admin", "orgs.create", False),
    ],
)
def test_role_gate(role: str, action: str, expected: bool) -> None:
    assert allowed(Actor("x", role, 1), action) is expected


def test_operator_may_do_everything() -> None:
    assert all(allowed(Actor.system(), a) for a in ACTIONS)


def test_undeclared_action_is_a_programming_error() -> None:
    with pytest.raises(LookupError):
        allowed(Actor("x", "admin", 1), "nope.nothing")


def test_org_scope_and_sharing(hub: Hub) -> None:
    a = factories.member(hub, "analyst")
    b = factories.member(hub, "analyst")
    b_admin = factories.member(hub, "admin", b.org)
    ent = entities.create(hub, b.actor, "Person", {"name": ["Example Person"]})
    with pytest.raises(Forbidden):
        entities.get(hub, a.actor, ent.id)
    assert entities.search(hub, a.actor)[1] == 0
    accounts.grant_sharing(hub, b_admin.actor, a.org, "entity", "joint investigation 2026/17")
    assert entities.get(hub, a.actor, ent.id).caption == "Example Person"
    assert entities.search(hub, a.actor)[1] == 1
    with pytest.raises(Forbidden):  # sharing grants reading, never writing
        entities.update(hub, a.actor, ent.id, {"name": ["Changed"]})


def test_denials_are_audited(hub: Hub) -> None:
    viewer = factories.member(hub, "viewer")
    with pytest.raises(Forbidden):
        accounts.create_user(hub, viewer.actor, "someone", "admin")
    page = accounts_audit(hub)
    assert ("users.create", "denied", viewer.username) in page


def accounts_audit(hub: Hub) -> set[tuple[str, str, str]]:
    from cthub.core import auditlog

    events = auditlog.list_events(hub, Actor.system("test"), limit=1000).events
    return {(e.action, e.outcome, e.actor) for e in events}
