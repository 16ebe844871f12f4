"""Service functions for organisations, users, API keys and sharing rules.

Each takes ``(hub, actor, ...)``, checks policy and writes one audit event through
``hub.unit``. Admins manage their own organisation; the local operator (CLI) manages all.
Secrets (generated passwords, API keys) are returned once and never stored in clear.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core import auth
from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import ACTIONS, Actor
from cthub.core.tables import ORG_KINDS, ROLES, ApiKey, Organisation, SharingRule, User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")
LANGUAGES = ("en", "zh_Hans")


@dataclass(frozen=True)
class OrgView:
    id: int
    name: str
    kind: str
    country: str | None


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    org_id: int
    org: str
    role: str
    disabled: bool
    language: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class KeyView:
    id: int
    name: str
    prefix: str
    org_id: int
    role: str
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _user_view(u: User, org: Organisation) -> UserView:
    return UserView(
        u.id,
        u.username,
        u.display_name,
        u.org_id,
        org.name,
        u.role,
        u.disabled,
        u.language,
        u.created_at,
    )


def _key_view(k: ApiKey) -> KeyView:
    return KeyView(
        k.id,
        k.name,
        k.prefix,
        k.org_id,
        k.role,
        k.created_by,
        k.created_at,
        k.last_used_at,
        k.revoked_at,
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            "Unknown role {role}.", hint="Use one of: {roles}.", role=role, roles=", ".join(ROLES)
        )


def create_org(
    hub: Hub, actor: Actor, name: str, kind: str = "government", country: str | None = None
) -> OrgView:
    name = name.strip()
    if not name:
        raise InvalidInput("The organisation name is empty.")
    if kind not in ORG_KINDS:
        raise InvalidInput(
            "Unknown organisation kind {kind}.",
            hint="Use one of: {kinds}.",
            kind=kind,
            kinds=", ".join(ORG_KINDS),
        )
    with hub.unit(actor, "orgs.create") as u:
        if u.s.scalars(select(Organisation).where(Organisation.name == name)).first():
            raise Conflict("An organisation named {name} exists already.", name=name)
        org = Organisation(name=name, kind=kind, country=(country or None) and country.upper())
        u.s.add(org)
        u.s.flush()
        u.audit("organisation", org.id, org_id=org.id, details={"name": name, "kind": kind})
        return OrgView(org.id, org.name, org.kind, org.country)


def list_orgs(hub: Hub, actor: Actor) -> list[OrgView]:
    with hub.unit(actor, "orgs.list") as u:
        stmt = select(Organisation).order_by(Organisation.name)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(Organisation.id.in_(orgs))
        return [OrgView(o.id, o.name, o.kind, o.country) for o in u.s.scalars(stmt)]


def _org_by_name(session: Session, name: str) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        raise NotFound(
            "No organisation named {name}.", hint="List them with `cthub orgs list`.", name=name
        )
    return org


def create_user(
    hub: Hub,
    actor: Actor,
    username: str,
    role: str,
    *,
    org: str | None = None,
    password: str | None = None,
    display_name: str = "",
) -> tuple[UserView, str | None]:
    """Create a user; returns the view and the generated password (``None`` if one was given)."""
    username = username.strip()
    if not USERNAME.match(username):
        raise InvalidInput(
            "User name {name} is not allowed.",
            hint="Use 2-100 letters, digits, dots, dashes, @ or underscores.",
            name=username,
        )
    _check_role(role)
    generated = None if password else secrets.token_urlsafe(12)
    pw_hash = auth.hash_password(password or generated or "")
    with hub.unit(actor, "users.create") as u:
        target = _target_org(u.s, actor, org)
        u.require(target)
        if u.s.scalars(select(User).where(User.username == username)).first():
            raise Conflict("User {name} exists already.", name=username)
        user = User(
            username=username,
            display_name=display_name or username,
            org_id=target.id,
            role=role,
            password_hash=pw_hash,
        )
        u.s.add(user)
        u.s.flush()
        u.audit("user", user.id, org_id=target.id, details={"username": username, "role": role})
        return _user_view(user, target), generated


def _single_org(session: Session) -> Organisation:
    orgs = list(session.scalars(select(Organisation).limit(2)))
    if len(orgs) != 1:
        raise InvalidInput(
            "Say which organisation the user belongs to.",
            hint="Pass --org NAME; `cthub orgs list` shows them.",
        )
    return orgs[0]


def _target_org(session: Session, actor: Actor, org: str | None) -> Organisation:
    """The organisation a new user or key belongs to: the one named, else the actor's own,
    else (for the operator, who has none) the only organisation there is."""
    if org:
        return _org_by_name(session, org)
    target = session.get(Organisation, actor.org_id) if actor.org_id else _single_org(session)
    if target is None:
        raise InvalidInput("Say which organisation this belongs to.")
    return target


def list_users(hub: Hub, actor: Actor) -> list[UserView]:
    with hub.unit(actor, "users.list") as u:
        stmt = select(User, Organisation).join(Organisation).order_by(User.username)
        if not actor.is_system:
            stmt = stmt.where(User.org_id == actor.org_id)
        return [_user_view(usr, org) for usr, org in u.s.execute(stmt).all()]


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("No user named {name}.", name=username)
    return user


def set_disabled(hub: Hub, actor: Actor, username: str, disabled: bool = True) -> None:
    with hub.unit(actor, "users.disable") as u:
        user = _user(u.s, username)
        u.require(user)
        if user.id == actor.user_id and disabled:
            raise InvalidInput("You cannot disable your own account.")
        user.disabled = disabled
        u.audit("user", user.id, org_id=user.org_id, details={"disabled": disabled})


def set_language(hub: Hub, actor: Actor, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput("Unknown language {lang}.", lang=language)
    with hub.unit(actor, "users.self") as u:
        if actor.user_id is None:
            return
        user = u.s.get(User, actor.user_id)
        if user is not None:
            user.language = language
            u.audit("user", user.id, details={"language": language})


def create_key(
    hub: Hub, actor: Actor, name: str, role: str, org: str | None = None
) -> tuple[KeyView, str]:
    """Create an API key scoped to an organisation and a role; the key is returned once."""
    _check_role(role)
    if not name.strip():
        raise InvalidInput("The key needs a name that says what uses it.")
    key, prefix, dig = auth.new_api_key()
    with hub.unit(actor, "keys.create") as u:
        target = _target_org(u.s, actor, org)
        u.require(target)
        row = ApiKey(
            name=name.strip(),
            prefix=prefix,
            digest=dig,
            org_id=target.id,
            role=role,
            created_by=actor.name,
        )
        u.s.add(row)
        u.s.flush()
        u.audit("api_key", row.id, org_id=target.id, details={"name": row.name, "role": role})
        return _key_view(row), key


def list_keys(hub: Hub, actor: Actor) -> list[KeyView]:
    with hub.unit(actor, "keys.list") as u:
        stmt = select(ApiKey).order_by(ApiKey.created_at.desc())
        if not actor.is_system:
            stmt = stmt.where(ApiKey.org_id == actor.org_id)
        return [_key_view(k) for k in u.s.scalars(stmt)]


def revoke_key(hub: Hub, actor: Actor, key_id: int) -> KeyView:
    with hub.unit(actor, "keys.revoke") as u:
        row = u.s.get(ApiKey, key_id) if 0 < key_id < 2**31 else None
        if row is None:
            raise NotFound("No API key {id}.", id=key_id)
        u.require(row)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        u.audit("api_key", row.id, org_id=row.org_id)
        return _key_view(row)


def grant_sharing(hub: Hub, actor: Actor, grantee: str, resource_kind: str, purpose: str) -> int:
    """Let organisation ``grantee`` read the actor's organisation's data of one kind."""
    kinds = {r.resource_kind for r in ACTIONS.values()}
    if resource_kind not in kinds:
        raise InvalidInput("Unknown kind of data {kind}.", kind=resource_kind)
    if not purpose.strip():
        raise InvalidInput("Sharing needs a stated purpose.", hint="Say why the partner needs it.")
    with hub.unit(actor, "sharing.grant") as u:
        target = _org_by_name(u.s, grantee)
        if actor.org_id is None:
            raise InvalidInput("Sharing is granted by an organisation's administrator.")
        rule = SharingRule(
            grantor_org_id=actor.org_id,
            grantee_org_id=target.id,
            resource_kind=resource_kind,
            purpose=purpose.strip(),
            created_by=actor.name,
        )
        u.s.add(rule)
        u.s.flush()
        u.audit("sharing_rule", rule.id, details={"grantee": grantee, "kind": resource_kind})
        return rule.id


def reset_password(hub: Hub, actor: Actor, username: str) -> str:
    """Give a user a fresh random password (returned once) and end their sessions."""
    from sqlalchemy import delete

    from cthub.core.tables import WebSession

    password = secrets.token_urlsafe(12)
    with hub.unit(actor, "users.reset_password") as u:
        user = _user(u.s, username)
        u.require(user)
        user.password_hash = auth.hash_password(password)
        u.s.execute(delete(WebSession).where(WebSession.user_id == user.id))
        u.audit("user", user.id, org_id=user.org_id)
        return password


__all__ = [
    "KeyView",
    "OrgView",
    "UserView",
    "create_key",
    "create_org",
    "create_user",
    "grant_sharing",
    "list_keys",
    "list_orgs",
    "list_users",
    "reset_password",
    "revoke_key",
    "set_disabled",
    "set_language",
]
