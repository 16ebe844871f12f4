"""Travel review pages: the queue of passenger hits, retention, and unmask requests.

The queue lists hits by state (open first), filtered by check and flight; each links to the
passenger's page, where a reviewer decides it. Retention shows the periods, what is masked,
due and held, the last runs and (for an administrator) a button to run it now; pending unmask
requests are approved or refused there, with a note, by an administrator who did not ask.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cthub import travel
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect, status_of
from cthub.interfaces.web.guard import page_caller
from cthub.interfaces.web.travel_pages import (
    CHECK_LABELS,
    HIT_STATES,
    NO_ERRORS,
    error_context,
    vocabulary,
)

router = APIRouter(include_in_schema=False, prefix="/travel")
REVIEW = (N_("Passenger hits"), "/travel/review")
RETENTION = (N_("Retention"), "/travel/retention")


def crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs of a page of its own (not under Flights)."""
    return list(items)


def _flight_id(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _query(params: dict[str, object]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("open", max_length=20),
    check: str = Query("", max_length=20),
    flight: str = Query("", max_length=12),
    page: str = Query("1", max_length=8),
) -> Response:
    hub = hub_of(request)
    state = state if state in HIT_STATES else "open"
    chosen_check = check if check in CHECK_LABELS else ""
    flight_id = _flight_id(flight)
    number, size = page_number(page), hub.settings.page_size
    items, total = travel.queue(hub, who.actor, state, chosen_check or None, flight_id,
                                size, (number - 1) * size)  # fmt: skip
    with_hits = [f for f in travel.flights(hub, who.actor) if f.hits or f.id == flight_id]
    base = {"check": chosen_check, "flight": flight_id or ""}
    return render(
        request,
        "travel/review.html",
        items=items,
        total=total,
        state=state,
        check=chosen_check,
        flight_id=flight_id,
        flights=with_hits,
        may_decide=may(who.actor, "travel.review"),
        page=number,
        pages=max(1, -(-total // size)),
        query=lambda **changes: _query({**base, "state": state, **changes}),
        breadcrumbs=crumbs(REVIEW),
        **vocabulary(),
    )


def _retention_context(request: Request, who: Caller) -> dict[str, Any]:
    hub = hub_of(request)
    requests = travel.unmask_requests(hub, who.actor)
    return {
        "st": travel.retention_status(hub, who.actor),
        "pending": [r for r in requests if r.state == "pending"],
        "decided": [r for r in requests if r.state != "pending"][:20],
        "may_run": may(who.actor, "travel.retention"),
        "may_approve": may(who.actor, "travel.unmask.approve"),
        "result": None,
        "failed_request": None,
        "form": {},
        "breadcrumbs": crumbs(RETENTION),
        **NO_ERRORS,
        **vocabulary(),
    }


@router.get("/retention", response_class=HTMLResponse)
def retention_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "travel/retention.html", **_retention_context(request, who))


@router.post("/retention/run", response_class=HTMLResponse)
def retention_run(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Mask and delete what the periods say, now; the page comes back with what was done."""
    _ = gettext(language_of(request))
    status, extra = 200, {}
    try:
        extra["result"] = travel.retention_run(hub_of(request), who.actor)
    except CthubError as exc:
        extra = error_context(exc, _, None)
        status = status_of(request, exc)
    ctx = _retention_context(request, who)
    ctx.update(extra)
    return render(request, "travel/retention.html", status_code=status, **ctx)


@router.post("/unmask-requests/{request_id}/decision", response_class=HTMLResponse)
def unmask_decision(
    request_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    note: Text = "",
) -> Response:
    """Approve or refuse one unmask request, with a note; never the decider's own request."""
    _ = gettext(language_of(request))
    status, extra = 200, {}
    try:
        if decision not in ("approve", "refuse"):
            extra = {**NO_ERRORS, "error": _("Choose to approve or to refuse the request.")}
            status = 200 if is_hx(request) else 400
        else:
            travel.decide_unmask(hub_of(request), who.actor, request_id, decision == "approve",
                                 note)  # fmt: skip
    except CthubError as exc:
        extra = error_context(exc, _, "note" if exc.code == "invalid_input" else None)
        status = status_of(request, exc)
    if not extra and not is_hx(request):
        return redirect(request, "/travel/retention#unmask-requests")
    ctx = _retention_context(request, who)
    if extra:
        ctx.update(extra, failed_request=request_id, form={"note": note})
    template = "travel/unmask_requests.html" if is_hx(request) else "travel/retention.html"
    return render(request, template, status_code=status, **ctx)


@router.get("/unmask/{request_id}", response_class=HTMLResponse)
def unmasked_page(request_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """The vault copy of a masked passenger under an approved request (each read audited)."""
    hub = hub_of(request)
    view = next((r for r in travel.unmask_requests(hub, who.actor) if r.id == request_id), None)
    data = travel.unmasked(hub, who.actor, request_id)
    record = data.get("record") or {}
    return render(
        request,
        "travel/unmasked.html",
        name=data.get("name", ""),
        record=record,
        view=view,
        breadcrumbs=crumbs(RETENTION, (N_("Unmasked record"), request.url.path)),
        **vocabulary(),
    )


__all__ = ["router"]
