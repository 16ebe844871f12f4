"""Rendering for the web UI: the Jinja environment, the language, and the page context.

Every template extends ``base.html`` and receives ``_`` (gettext in the user's language),
``me`` (the actor), ``csrf`` (the session's CSRF token), ``nav`` and ``breadcrumbs``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import entry_points
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cthub import __version__
from cthub.core.i18n import LANGUAGES, N_, gettext, negotiate
from cthub.interfaces.api.deps import LANG_COOKIE, Caller

TEMPLATES = str(files("cthub.interfaces.web") / "templates")
env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # msgid
    href: str
    roles: tuple[str, ...] = ()  # empty: everyone
    section: str = "capabilities"


CORE_NAV = [
    NavItem("dashboard", N_("Dashboard"), "/", section="main"),
    NavItem("jobs", N_("Jobs"), "/jobs", section="main"),
    NavItem("users", N_("Users"), "/admin/users", ("admin",), "admin"),
    NavItem("keys", N_("API keys"), "/admin/keys", ("admin",), "admin"),
    NavItem("audit", N_("Audit log"), "/audit", ("admin",), "admin"),
]


def capability_nav() -> list[NavItem]:
    """Entries that capabilities contribute through the ``cthub.web`` entry-point group."""
    items: list[NavItem] = []
    for ep in entry_points(group="cthub.web"):
        items.extend(ep.load()())
    return items


def language_of(request: Request) -> str:
    caller: Caller | None = getattr(request.state, "caller", None)
    for lang in (
        request.cookies.get(LANG_COOKIE),
        caller.actor.language if caller else None,
        negotiate(request.headers.get("accept-language")),
    ):
        if lang in LANGUAGES:
            return lang
    default: str = request.app.state.hub.settings.default_language
    return default


def fmt_time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


env.filters["time"] = fmt_time


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    lang = language_of(request)
    caller: Caller | None = getattr(request.state, "caller", None)
    role = caller.actor.role if caller else None
    nav = [n for n in CORE_NAV + capability_nav() if not n.roles or role in n.roles]
    path = request.url.path
    current = max(
        (n.href for n in nav if path == n.href or path.startswith(n.href + "/")),
        key=len,
        default=None,
    )
    html = env.get_template(template).render(
        _=gettext(lang),
        lang=lang,
        languages=LANGUAGES,
        me=caller.actor if caller else None,
        csrf=caller.csrf_token if caller else None,
        nav=nav,
        path=path,
        current=current,
        version=__version__,
        org_name=getattr(request.state, "org_name", ""),
        **ctx,
    )
    return HTMLResponse(html, status_code=status_code)
