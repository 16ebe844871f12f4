"""Content pages: the navigation, the hash banks (list and create) and quarantine alerts.

A bank is created with a form that posts with HTMX and comes back with the service's error
beside the field it is about, word for word; a created bank opens its own page
(``content_bank_pages``). Quarantined hashes (a flood of matches on one hash) wait here for an
administrator to release or remove them. Matching a file and the review queue are in
``content_review_pages``, the transparency report in ``content_report_pages``. Policy, scope
and audit stay in ``cthub.content``: these views parse, call and render.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub import content
from cthub.content.models import TLP
from cthub.core import policy
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, language_of, render
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/content")
BANKS = (N_("Hash banks"), "/content/banks")
ALERTS = (N_("Quarantine"), "/content/alerts")
READERS = policy.ACTIONS["content.read"].roles
ACTION_LABELS = {"review": N_("Queue for review"), "remove": N_("Remove automatically")}
MATCH_STATES = {"open": N_("Open"), "confirmed": N_("Confirmed"), "rejected": N_("Rejected")}
ENTRY_STATUSES = {"active": N_("Active"), "quarantined": N_("Quarantined"),
                  "removed": N_("Removed")}  # fmt: skip
ALERT_STATES = {"open": N_("Open"), "resolved": N_("Resolved")}
RESOLUTIONS = {"release": N_("Released"), "remove": N_("Removed")}
NO_ERRORS: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
BANK_FIELDS = ("name", "label", "threshold", "tlp", "action")


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("content_banks", N_("Hash banks"), "/content/banks", READERS),
        NavItem(
            "content_match",
            N_("Match a file"),
            "/content/match",
            policy.ACTIONS["content.match"].roles,
        ),
        NavItem("content_review", N_("Content review"), "/content/review", READERS),
        NavItem(
            "content_report",
            N_("Transparency report"),
            "/content/transparency",
            policy.ACTIONS["content.report"].roles,
        ),
    ]


# -- shared by every content page -------------------------------------------------------------


def vocabulary() -> dict[str, Any]:
    """The labels (msgids) every content template uses."""
    return {
        "action_labels": ACTION_LABELS,
        "match_states": MATCH_STATES,
        "entry_statuses": ENTRY_STATUSES,
        "alert_states": ALERT_STATES,
        "resolutions": RESOLUTIONS,
        "tlps": TLP,
    }


def error_context(exc: CthubError, _: GetText, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """``exc`` as template context: beside the first of ``fields`` it names, else on top."""
    message, hint = exc.render(_), exc.render_hint(_)
    field = next((f for f in fields if f in exc.params), None)
    if field:
        return {"errors": {field: message}, "hints": {field: hint}, "error": None, "hint": None}
    return {"errors": {}, "hints": {}, "error": message, "hint": hint}


@cache
def _script() -> bytes:
    return (files("cthub.interfaces.web") / "templates" / "content" / "content.js").read_bytes()


@router.get("/content.js")
def script(who: Caller = Depends(page_caller)) -> Response:
    """The pages' script (the chart, revealing a thumbnail), served from the package."""
    return Response(_script(), media_type="text/javascript",
                    headers={"Cache-Control": "private, max-age=300"})  # fmt: skip


# -- banks ------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def home(who: Caller = Depends(page_caller)) -> Response:
    return RedirectResponse("/content/banks", status_code=303)


def _banks_page(request: Request, who: Caller, status: int = 200, **extra: Any) -> Response:
    hub = hub_of(request)
    open_alerts = content.alerts(hub, who.actor) if may(who.actor, "content.read") else []
    ctx: dict[str, Any] = {"form": {}, **NO_ERRORS, **extra}
    return render(
        request,
        "content/banks.html",
        status_code=status,
        banks=content.list_banks(hub, who.actor),
        open_alerts=len(open_alerts),
        may_create=may(who.actor, "content.banks"),
        breadcrumbs=[BANKS],
        **ctx,
        **vocabulary(),
    )


@router.get("/banks", response_class=HTMLResponse)
def banks_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _banks_page(request, who)


def _threshold(text: str, _: GetText) -> tuple[int | None, dict[str, Any]]:
    try:
        return int(text.strip() or "31"), {}
    except ValueError:
        message = _("Threshold {value} is not a whole number.").format(value=text[:20])
        hint = _("Give a PDQ Hamming distance from 0 to 128 (default 31).")
        return None, {"errors": {"threshold": message}, "hints": {"threshold": hint}}


@router.post("/banks", response_class=HTMLResponse)
def create_bank(
    request: Request,
    who: Caller = Depends(page_caller),
    name: Text = "",
    label: Text = "",
    threshold: Text = "31",
    tlp: Text = "TLP:AMBER",
    action: Text = "review",
    negative: Text = "",
    description: Text = "",
) -> Response:
    """Create a bank; HTMX gets the form back with the error beside its field."""
    _ = gettext(language_of(request))
    form = {"name": name, "label": label, "threshold": threshold, "tlp": tlp, "action": action,
            "negative": negative == "1", "description": description}  # fmt: skip
    number, extra = _threshold(threshold, _)
    if number is not None:
        try:
            view = content.create_bank(
                hub_of(request), who.actor, name.strip(), label=label.strip(), threshold=number,
                tlp=tlp, negative=negative == "1", action=action, description=description,
            )  # fmt: skip
        except CthubError as exc:
            extra, status = error_context(exc, _, BANK_FIELDS), status_of(request, exc)
        else:
            return redirect(request, f"/content/banks/{view.name}")
    else:
        status = 200 if is_hx(request) else 400
    ctx = {**NO_ERRORS, **extra, "form": form}
    if is_hx(request):
        return render(request, "content/bank_form.html", status_code=status, **ctx,
                      **vocabulary())  # fmt: skip
    return _banks_page(request, who, status, **ctx)


# -- quarantine -------------------------------------------------------------------------------


def _alerts_page(request: Request, who: Caller, state: str, status: int = 200,
                 **extra: Any) -> Response:  # fmt: skip
    state = state if state in ALERT_STATES else "open"
    return render(
        request,
        "content/alerts.html",
        status_code=status,
        alerts=content.alerts(hub_of(request), who.actor, state),
        state=state,
        may_resolve=may(who.actor, "content.quarantine"),
        breadcrumbs=[BANKS, ALERTS],
        **{**NO_ERRORS, "failed": None, **extra},
        **vocabulary(),
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("open", max_length=20),
) -> Response:
    return _alerts_page(request, who, state)


@router.post("/alerts/{alert_id}/resolve", response_class=HTMLResponse)
def resolve_alert(
    alert_id: Id, request: Request, who: Caller = Depends(page_caller), resolution: Text = ""
) -> Response:
    """Release a quarantined hash (it matches again) or remove it for good (admins)."""
    _ = gettext(language_of(request))
    try:
        content.resolve_alert(hub_of(request), who.actor, alert_id, resolution)
    except CthubError as exc:
        return _alerts_page(request, who, "open", exc.http_status, failed=alert_id,
                            **error_context(exc, _))  # fmt: skip
    return RedirectResponse("/content/alerts?state=resolved", status_code=303)


__all__ = [
    "ACTION_LABELS",
    "BANKS",
    "MATCH_STATES",
    "NO_ERRORS",
    "Id",
    "Text",
    "error_context",
    "is_hx",
    "may",
    "nav",
    "page_number",
    "redirect",
    "router",
    "status_of",
    "vocabulary",
]
