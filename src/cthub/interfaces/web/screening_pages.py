"""Screening pages: screen a name (explained hits), the alerts queue with decisions, lists."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, env, language_of, render
from cthub.interfaces.web.guard import page_caller
from cthub.lists import show as show_lists
from cthub.screening import alerts as list_alerts
from cthub.screening import decide, parse_query, screen
from cthub.screening.cache import screener

router = APIRouter(include_in_schema=False)
STATES = ("open", "true_match", "false_positive", "closed")


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("screening", N_("Screen a name"), "/screening"),
        NavItem("alerts", N_("Alerts"), "/screening/alerts"),
        NavItem("lists", N_("Sanctions lists"), "/lists"),
    ]


def highlight(name: str, query: str) -> Markup:
    """``name`` with the words it shares with ``query`` wrapped in <mark> (case-insensitive)."""
    words = {w.casefold() for w in re.findall(r"\w+", query)}
    parts = re.split(r"(\w+)", name)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(p) if p.casefold() in words else escape(p) for p in parts
    )


env.filters["highlight"] = highlight


@router.get("/screening", response_class=HTMLResponse)
def screening_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(
        request,
        "screening.html",
        form={},
        hits=None,
        error=None,
        breadcrumbs=[(N_("Screen a name"), "/screening")],
    )


@router.post("/screening", response_class=HTMLResponse)
def screening_submit(
    request: Request,
    who: Caller = Depends(page_caller),
    name: str = Form(""),
    type: str = Form(""),
    birth_date: str = Form(""),
    nationality: str = Form(""),
    threshold: float = Form(0.7),
) -> Response:
    _ = gettext(language_of(request))
    form: dict[str, Any] = {
        "name": name,
        "type": type,
        "birth_date": birth_date,
        "nationality": nationality,
        "threshold": threshold,
    }
    hub = hub_of(request)
    try:
        query = parse_query(
            {
                "id": "web",
                "name": name,
                "type": type,
                "birth_date": birth_date,
                "nationality": nationality,
            },
            _("the form"),
        )
        scr = screener(hub, who.actor)
        hits = [
            (h, scr.captions.get(h.entry.id, ""))
            for _, h in screen(hub, who.actor, scr, [query], threshold, 10)
        ]
    except CthubError as exc:
        return render(
            request,
            "screening.html",
            form=form,
            hits=None,
            error=exc.render(_),
            hint=exc.render_hint(_),
            breadcrumbs=[(N_("Screen a name"), "/screening")],
        )
    return render(
        request,
        "screening.html",
        form=form,
        hits=hits,
        error=None,
        breadcrumbs=[(N_("Screen a name"), "/screening")],
    )


@router.get("/screening/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, who: Caller = Depends(page_caller), state: str = "open", page: int = 1
) -> Response:
    hub = hub_of(request)
    size = hub.settings.page_size
    page = max(1, min(page, 10**6))
    chosen = state if state in STATES else None
    rows, total = list_alerts(hub, who.actor, chosen, size, (page - 1) * size)
    return render(
        request,
        "alerts.html",
        alerts=rows,
        total=total,
        state=chosen or "",
        states=STATES,
        page=page,
        pages=max(1, -(-total // size)),
        breadcrumbs=[(N_("Alerts"), "/screening/alerts")],
    )


@router.post("/screening/alerts/{alert_id}/decision", response_class=HTMLResponse)
def alert_decision(
    alert_id: Annotated[int, FastPath(ge=1, le=2**31 - 1)],
    request: Request,
    who: Caller = Depends(page_caller),
    decision: str = Form(""),
    reason: str = Form(""),
) -> Response:
    _ = gettext(language_of(request))
    try:
        view = decide(hub_of(request), who.actor, alert_id, decision, reason)
    except CthubError as exc:
        return render(
            request,
            "alert_row.html",
            a=None,
            alert_id=alert_id,
            error=exc.render(_),
            hint=exc.render_hint(_),
        )
    if request.headers.get("hx-request"):
        return render(request, "alert_row.html", a=view, alert_id=alert_id, error=None)
    return RedirectResponse("/screening/alerts", status_code=303)


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(
        request,
        "lists.html",
        lists=show_lists(hub_of(request), who.actor),
        breadcrumbs=[(N_("Sanctions lists"), "/lists")],
    )
