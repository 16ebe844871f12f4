"""Health, login, logout and the caller's own identity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from cthub import __version__
from cthub.core import auth
from cthub.interfaces.api.deps import SESSION_COOKIE, Caller, caller, client_of, hub_of
from cthub.interfaces.api.schemas import ErrorBody, Health, LoginIn, Me

LOGIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    429: {"model": ErrorBody},
}
router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}}


@router.get("/healthz", response_model=Health, tags=["core"])
def healthz(request: Request) -> Health:
    """Liveness and database reachability; needs no authentication."""
    hub = hub_of(request)
    with hub.db.session(readonly=True) as s:
        s.connection()
    return Health(status="ok", database=hub.db.dialect, version=__version__)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = hub_of(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_s,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


@router.post(
    "/api/auth/login",
    response_model=Me,
    tags=["auth"],
    responses=LOGIN_ERRORS,
)
def login(body: LoginIn, request: Request, response: Response) -> Me:
    """Exchange a user name and password for a session cookie and its CSRF token."""
    hub = hub_of(request)
    with hub.db.session() as s:
        user = auth.login(s, hub.settings, body.username, body.password, client_of(request))
        new = auth.open_session(s, user)
        actor = auth.actor_for_user(s, user)
    set_session_cookie(request, response, new.token)
    return Me(
        name=actor.name,
        role=actor.role,
        org_id=actor.org_id,
        via="session",
        csrf_token=new.csrf_token,
    )


@router.post("/api/auth/logout", status_code=204, tags=["auth"], responses=ERRORS)
async def logout(request: Request, response: Response, who: Caller = Depends(caller)) -> None:
    hub = hub_of(request)
    token = request.cookies.get(SESSION_COOKIE)

    def _close() -> None:
        with hub.unit(who.actor, "users.self") as u:
            if token:
                auth.close_session(u.s, token)
            u.audit("session", action="auth.logout")

    await run_in_threadpool(_close)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/api/me", response_model=Me, tags=["auth"], responses=ERRORS)
def me(who: Caller = Depends(caller)) -> Me:
    a = who.actor
    return Me(name=a.name, role=a.role, org_id=a.org_id, via=a.via, csrf_token=who.csrf_token)
