"""Authentication: argon2 passwords, hashed API keys, web sessions and login throttling.

These functions establish *who* is calling and return an ``Actor``; they do not decide what the
actor may do (that is ``policy``). Secrets are never stored: passwords as argon2id hashes, API
keys and session tokens as SHA-256 digests of high-entropy random values. Every outcome of a
login (success, bad password, throttled) is audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cthub.core import audit
from cthub.core.config import Settings
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, RateLimited, Unauthenticated
from cthub.core.policy import Actor
from cthub.core.tables import ApiKey, LoginFailure, Organisation, User, WebSession

#: argon2id with RFC 9106's second recommended costs (t=3, 64 MiB, 4 lanes): ~50-100 ms a hash
DEFAULT_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
_hasher = DEFAULT_HASHER
KEY_PREFIX = "cth_"
MIN_PASSWORD = 10


@functools.cache
def _dummy_hash() -> str:
    """A fixed hash verified when the user does not exist, so timing does not reveal user
    names; made on first use (a hash costs as much as a login, not paid by every import)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "The password is too short (at least {n} characters).",
            hint="Use a passphrase of several words.",
            n=MIN_PASSWORD,
        )
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for_user(session: Session, user: User, via: str = "session") -> Actor:
    return Actor(
        name=user.username,
        role=user.role,
        org_id=user.org_id,
        user_id=user.id,
        via=via,
        language=user.language,
    )


def _recent_failures(session: Session, username: str, settings: Settings) -> int:
    since = utcnow() - dt.timedelta(seconds=settings.login_window_s)
    stmt = select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    return session.scalar(stmt) or 0


def login(session: Session, settings: Settings, username: str, password: str, client: str) -> User:
    """Check a user name and password; throttle after repeated failures. Audits every outcome.

    Failures are committed before the exception is raised, so the caller's rollback cannot
    erase them (otherwise throttling would never trigger).
    """
    username = username.strip()
    anon = Actor(name=username or "(empty)", role="anonymous", org_id=None, via="login")
    if _recent_failures(session, username, settings) >= settings.login_max_failures:
        audit.record(session, anon, "auth.login", outcome="throttled", details={"client": client})
        session.commit()  # the record must outlive the exception's rollback
        raise RateLimited(
            "Too many failed logins for this user. Try again in {minutes} minutes.",
            hint="An administrator can see the failed attempts in the audit log.",
            minutes=max(1, settings.login_window_s // 60),
        )
    user = session.scalars(select(User).where(User.username == username)).first()
    valid = check_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or user.disabled:
        session.add(LoginFailure(username=username, client=client[:100]))
        audit.record(session, anon, "auth.login", outcome="failed", details={"client": client})
        session.commit()  # the failure counts towards throttling even though we raise
        raise Unauthenticated(
            "Unknown user name or wrong password.", hint="Check both, or ask an administrator."
        )
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(
        session,
        actor_for_user(session, user),
        "auth.login",
        resource_type="user",
        resource_id=user.id,
        details={"client": client},
    )
    return user


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str


def open_session(session: Session, user: User) -> NewSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(digest=digest(token), user_id=user.id, csrf_token=csrf))
    return NewSession(token, csrf)


def resolve_session(session: Session, settings: Settings, token: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, or ``None`` (expired sessions are removed)."""
    ws = session.get(WebSession, digest(token))
    if ws is None:
        return None
    now = utcnow()
    if now - ws.last_seen_at > dt.timedelta(seconds=settings.session_max_age_s):
        session.delete(ws)
        return None
    user = session.get(User, ws.user_id)
    if user is None or user.disabled:
        session.delete(ws)
        return None
    if now - ws.last_seen_at > dt.timedelta(seconds=60):
        ws.last_seen_at = now
    return actor_for_user(session, user), ws.csrf_token


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.digest == digest(token)))


def new_api_key() -> tuple[str, str, str]:
    """Returns (full key shown once, lookup prefix, digest to store)."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, digest(key)


KEY_USE_RESOLUTION = dt.timedelta(minutes=1)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def resolve_api_key(session: Session, key: str, *, touch: bool = True) -> Actor | None:
    """The actor of a valid, unrevoked key. With ``touch``, its "last used" time is set in
    ``session`` when due; without, ``session`` may be read-only (see ``api_key_use_due``)."""
    found = _key_row(session, key)
    if found is None:
        return None
    row, due = found
    if touch and due:
        row.last_used_at = utcnow()
    return Actor(
        name=f"key:{row.name}", role=row.role, org_id=row.org_id, via="api_key", key_id=row.id
    )


def api_key_use_due(session: Session, key_id: int) -> bool:
    """Whether the key's "last used" time is older than the resolution it is kept to."""
    row = session.get(ApiKey, key_id)
    return row is not None and (
        row.last_used_at is None or utcnow() - _aware(row.last_used_at) >= KEY_USE_RESOLUTION
    )


def touch_api_key(session: Session, key_id: int) -> None:
    """Record a key's use now, in a write session (the caller checked it is due)."""
    row = session.get(ApiKey, key_id)
    if row is not None:
        row.last_used_at = utcnow()


def _key_row(session: Session, key: str) -> tuple[ApiKey, bool] | None:
    if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if (
        row is None
        or row.revoked_at is not None
        or not hmac.compare_digest(row.digest, digest(key))
    ):
        return None
    org = session.get(Organisation, row.org_id)
    if org is None:
        return None
    # "last used" is kept to the minute: a busy key would otherwise cost a write per request
    due = row.last_used_at is None or utcnow() - _aware(row.last_used_at) >= KEY_USE_RESOLUTION
    return row, due


__all__ = [
    "DEFAULT_HASHER",
    "NewSession",
    "actor_for_user",
    "api_key_use_due",
    "check_password",
    "close_session",
    "hash_password",
    "login",
    "new_api_key",
    "open_session",
    "resolve_api_key",
    "resolve_session",
    "touch_api_key",
]
