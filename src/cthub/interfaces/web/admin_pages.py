"""User and API-key administration pages. Forms post with HTMX and re-render inline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.core import accounts
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.core.tables import ROLES
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/admin")


def _crumbs(label: str, href: str) -> list[tuple[str, str]]:
    return [(N_("Administration"), "/admin/users"), (label, href)]


def _users_page(request: Request, who: Caller, status: int = 200, **extra: Any) -> Response:
    users = accounts.list_users(hub_of(request), who.actor)
    template = "users_form.html" if request.headers.get("hx-request") else "users.html"
    return render(
        request,
        template,
        status_code=status,
        users=users,
        roles=ROLES,
        breadcrumbs=_crumbs(N_("Users"), "/admin/users"),
        **extra,
    )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _users_page(request, who)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    who: Caller = Depends(page_caller),
    username: str = Form(""),
    role: str = Form("viewer"),
    display_name: str = Form(""),
) -> Response:
    _ = gettext(language_of(request))
    try:
        user, password = accounts.create_user(
            hub_of(request), who.actor, username, role, display_name=display_name
        )
    except CthubError as exc:
        return _users_page(
            request,
            who,
            error=exc.render(_),
            hint=exc.render_hint(_),
            form={"username": username, "role": role, "display_name": display_name},
        )
    return _users_page(request, who, created=user, password=password)


@router.post("/users/{username}/disable")
def disable_user(username: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    accounts.set_disabled(hub_of(request), who.actor, username, True)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/enable")
def enable_user(username: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    accounts.set_disabled(hub_of(request), who.actor, username, False)
    return RedirectResponse("/admin/users", status_code=303)


def _keys_page(request: Request, who: Caller, status: int = 200, **extra: Any) -> Response:
    keys = accounts.list_keys(hub_of(request), who.actor)
    template = "keys_form.html" if request.headers.get("hx-request") else "keys.html"
    return render(
        request,
        template,
        status_code=status,
        keys=keys,
        roles=ROLES,
        breadcrumbs=_crumbs(N_("API keys"), "/admin/keys"),
        **extra,
    )


@router.get("/keys", response_class=HTMLResponse)
def keys(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _keys_page(request, who)


@router.post("/keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    who: Caller = Depends(page_caller),
    name: str = Form(""),
    role: str = Form("viewer"),
) -> Response:
    _ = gettext(language_of(request))
    try:
        key, secret = accounts.create_key(hub_of(request), who.actor, name, role)
    except CthubError as exc:
        return _keys_page(
            request,
            who,
            error=exc.render(_),
            hint=exc.render_hint(_),
            form={"name": name, "role": role},
        )
    return _keys_page(request, who, created=key, secret=secret)


@router.post("/keys/{key_id}/revoke")
def revoke_key(
    key_id: Annotated[int, FastPath(ge=1, le=2**31 - 1)],
    request: Request,
    who: Caller = Depends(page_caller),
) -> Response:
    accounts.revoke_key(hub_of(request), who.actor, key_id)
    return RedirectResponse("/admin/keys", status_code=303)
