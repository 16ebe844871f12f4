"""Builders for the objects most tests need: organisations, users with roles, API keys."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient

from cthub.core import accounts
from cthub.core.hub import Hub
from cthub.core.policy import Actor

OPERATOR = Actor.system("test")
_seq = itertools.count(1)


@dataclass(frozen=True)
class Member:
    username: str
    password: str
    role: str
    org: str
    actor: Actor


def org(hub: Hub, name: str | None = None, kind: str = "fiu") -> str:
    name = name or f"Agency {next(_seq)}"
    accounts.create_org(hub, OPERATOR, name, kind)
    return name


def member(
    hub: Hub, role: str = "analyst", org_name: str | None = None, username: str | None = None
) -> Member:
    org_name = org_name or org(hub)
    username = username or f"{role}{next(_seq)}"
    password = f"correct horse battery {username}"
    view, _ = accounts.create_user(hub, OPERATOR, username, role, org=org_name, password=password)
    actor = Actor(view.username, view.role, view.org_id, view.id)
    return Member(username, password, role, org_name, actor)


def api_key(hub: Hub, role: str, org_name: str) -> str:
    _, key = accounts.create_key(hub, OPERATOR, f"key-{next(_seq)}", role, org=org_name)
    return key


def login(client: TestClient, m: Member) -> str:
    """Log in through the API; returns the CSRF token (the cookie stays in the client)."""
    resp = client.post("/api/auth/login", json={"username": m.username, "password": m.password})
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["csrf_token"]
    return token
