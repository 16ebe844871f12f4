"""Who is calling: a bearer API key or a web session cookie, never anything else.

``api_actor`` is the dependency of every protected API route. A session cookie authenticates
API calls too (the web UI's HTMX requests), but then unsafe methods must carry the session's
CSRF token in ``X-CSRF-Token`` or a ``csrf_token`` form field.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cthub.core import auth
from cthub.core.errors import Forbidden, Unauthenticated
from cthub.core.hub import Hub
from cthub.core.policy import Actor

SESSION_COOKIE = "cthub_session"
LANG_COOKIE = "cthub_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_CACHE_S = 5.0  # how long ``api_actor_cached`` keeps a key's actor: revocation's delay
_KEYS: dict[tuple[str, str], tuple[float, Actor]] = {}  # (database, key digest) -> (until, actor)


@dataclass(frozen=True)
class Caller:
    actor: Actor
    csrf_token: str | None  # None for API-key callers


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def identify(request: Request) -> Caller | None:
    """Resolve the caller from the Authorization header or the session cookie."""
    hub = hub_of(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return None
        # a read-only session: a request takes no write lock to be identified; the key's
        # "last used" minute is written separately, at most once a minute
        with hub.db.session(readonly=True) as s:
            actor = auth.resolve_api_key(s, key.strip(), touch=False)
            due = actor is not None and actor.key_id is not None and (
                auth.api_key_use_due(s, actor.key_id))  # fmt: skip
        if due and actor is not None and actor.key_id is not None:
            with hub.db.session() as s:
                auth.touch_api_key(s, actor.key_id)
        return Caller(actor, None) if actor else None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with hub.db.session() as s:
        found = auth.resolve_session(s, hub.settings, token)
    return Caller(found[0], found[1]) if found else None


async def check_csrf(request: Request, caller: Caller) -> None:
    if caller.csrf_token is None or request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, caller.csrf_token):
        raise Forbidden(
            "The form is missing its security token or it has expired.",
            hint="Reload the page and submit again.",
        )


async def caller(request: Request) -> Caller:
    found = getattr(request.state, "caller", None) or await run_in_threadpool(identify, request)
    if found is None:
        raise Unauthenticated(
            "Authentication required.",
            hint="Log in, or send `Authorization: Bearer <api key>`.",
        )
    await check_csrf(request, found)
    request.state.caller = found
    result: Caller = found
    return result


async def api_actor(request: Request) -> Actor:
    return (await caller(request)).actor


async def api_actor_cached(request: Request) -> Actor:
    """``api_actor`` for hot routes (real-time scoring, where checking the key cost more than
    the work): a bearer key's actor is kept for ``KEY_CACHE_S`` seconds by the key's digest,
    so revoking a key, or changing its role, takes effect within that time. Only resolved keys
    are kept; anything else (a session cookie, a bad key) goes through ``api_actor``."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return await api_actor(request)
    slot, now = (hub_of(request).db.url, auth.digest(key.strip())), time.monotonic()
    kept = _KEYS.get(slot)
    if kept is not None and kept[0] > now:
        return kept[1]
    actor = await api_actor(request)
    if len(_KEYS) > 10_000:  # pragma: no cover - many keys: start afresh
        _KEYS.clear()
    _KEYS[slot] = (now + KEY_CACHE_S, actor)
    return actor
