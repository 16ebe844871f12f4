"""Login, logout, language switch and the dashboard."""

from __future__ import annotations

import contextlib
import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.core import accounts, auth, jobs
from cthub.core.errors import CthubError, RateLimited, Unauthenticated
from cthub.core.i18n import LANGUAGES, gettext
from cthub.core.overview import overview
from cthub.interfaces.api.deps import LANG_COOKIE, SESSION_COOKIE, Caller, client_of, hub_of
from cthub.interfaces.api.routers.core import set_session_cookie
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "cthub_login_csrf"


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", login_csrf=token, next=safe_next(next), error=None)
    resp.set_cookie(
        LOGIN_CSRF,
        token,
        httponly=True,
        samesite="strict",
        secure=hub_of(request).settings.secure_cookies,
    )
    return resp


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    hub = hub_of(request)
    _ = gettext(language_of(request))
    cookie = request.cookies.get(LOGIN_CSRF, "")
    error: str | None = None
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        error = _("The form is missing its security token or it has expired.")
    else:
        try:
            with hub.db.session() as s:
                user = auth.login(s, hub.settings, username, password, client_of(request))
                new = auth.open_session(s, user)
            done = RedirectResponse(safe_next(next), status_code=303)
            set_session_cookie(request, done, new.token)
            done.delete_cookie(LOGIN_CSRF)
            return done
        except (Unauthenticated, RateLimited) as exc:
            error = exc.render(_)
    token = secrets.token_urlsafe(24)
    resp = render(
        request,
        "login.html",
        status_code=401,
        login_csrf=token,
        next=safe_next(next),
        error=error,
        username=username,
    )
    resp.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=hub.settings.secure_cookies
    )
    return resp


@router.post("/logout")
def logout(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    with hub.unit(who.actor, "users.self") as u:
        auth.close_session(u.s, request.cookies.get(SESSION_COOKIE, ""))
        u.audit("session", action="auth.logout")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/lang")
def switch_language(request: Request, lang: str = Form(...), next: str = Form("/")) -> Response:
    """Anyone may switch language (the login page too); a logged-in choice is remembered."""
    resp = RedirectResponse(safe_next(next), status_code=303)
    if lang not in LANGUAGES:
        return resp
    resp.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 86400,
        samesite="lax",
        secure=hub_of(request).settings.secure_cookies,
    )
    who = getattr(request.state, "caller", None)
    if who is None:
        from cthub.interfaces.api.deps import identify

        who = identify(request)
    if who is not None:
        with contextlib.suppress(CthubError):
            accounts.set_language(hub_of(request), who.actor, lang)
    return resp


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    return render(
        request,
        "dashboard.html",
        stats=overview(hub, who.actor),
        recent_jobs=jobs.recent(hub, who.actor, limit=8),
        breadcrumbs=[],
    )
