"""Passwords, login throttling, sessions and API keys, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cthub.core import accounts, auth
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, RateLimited, Unauthenticated
from cthub.core.hub import Hub
from cthub.core.tables import ApiKey, User, WebSession
from tests import factories


def test_password_hash_is_argon2id_and_checks() -> None:
    stored = auth.hash_password("a long passphrase here")
    assert stored.startswith("$argon2id$")
    assert auth.check_password(stored, "a long passphrase here")
    assert not auth.check_password(stored, "a long passphrase HERE")
    assert not auth.check_password("garbage", "x")
    with pytest.raises(InvalidInput):
        auth.hash_password("short")


def test_the_product_hashes_with_rfc_9106_costs() -> None:
    """The suite hashes with the smallest costs (tests/conftest.py); the product must not."""
    hasher = auth.DEFAULT_HASHER
    assert hasher.time_cost >= 3
    assert hasher.memory_cost >= 65536
    assert hasher.parallelism >= 4
    assert hasher.type.name == "ID"
    assert hasher.hash("a long passphrase here").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_login_success_wrong_and_throttle(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    with hub.db.session() as s:
        assert auth.login(s, hub.settings, m.username, m.password, "test").username == m.username
    for _ in range(hub.settings.login_max_failures):
        with pytest.raises(Unauthenticated), hub.db.session() as s:
            auth.login(s, hub.settings, m.username, "wrong password!", "test")
    with pytest.raises(RateLimited), hub.db.session() as s:
        auth.login(s, hub.settings, m.username, m.password, "test")


def test_failures_are_recorded_even_though_login_raises(hub: Hub) -> None:
    """The failure row and audit event must survive the exception (separate commit)."""
    m = factories.member(hub, "analyst")
    for _ in range(2):
        try:
            with hub.db.session() as s:
                auth.login(s, hub.settings, m.username, "nope nope nope", "test")
        except Unauthenticated:
            pass
    with hub.db.session() as s:
        from sqlalchemy import func

        from cthub.core.tables import LoginFailure

        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 2


def test_unknown_and_disabled_users_cannot_log_in(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    accounts.set_disabled(hub, factories.OPERATOR, m.username, True)
    for name, pw in ((m.username, m.password), ("ghost", "whatever whatever")):
        with pytest.raises(Unauthenticated), hub.db.session() as s:
            auth.login(s, hub.settings, name, pw, "test")


def test_session_lifecycle(hub: Hub) -> None:
    m = factories.member(hub, "viewer")
    with hub.db.session() as s:
        user = s.scalars(select(User).where(User.username == m.username)).one()
        new = auth.open_session(s, user)
    with hub.db.session() as s:
        found = auth.resolve_session(s, hub.settings, new.token)
        assert found is not None
        assert found[0].name == m.username
        assert found[1] == new.csrf_token
        stored = s.scalars(select(WebSession)).one()
        assert stored.digest != new.token  # only the digest is stored
        stored.last_seen_at = utcnow() - dt.timedelta(seconds=hub.settings.session_max_age_s + 1)
    with hub.db.session() as s:
        assert auth.resolve_session(s, hub.settings, new.token) is None  # expired


def test_api_key_lifecycle(hub: Hub) -> None:
    name = factories.org(hub)
    key = factories.api_key(hub, "analyst", name)
    with hub.db.session() as s:
        actor = auth.resolve_api_key(s, key)
        row = s.scalars(select(ApiKey)).one()
        assert actor is not None
        assert actor.role == "analyst"
        assert actor.via == "api_key"
        assert key not in (row.digest, row.prefix)
        assert row.digest == auth.digest(key)
        assert auth.resolve_api_key(s, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert auth.resolve_api_key(s, "not-a-key") is None
    accounts.revoke_key(hub, factories.OPERATOR, row.id)
    with hub.db.session() as s:
        assert auth.resolve_api_key(s, key) is None
