"""Lawful requests and onward-sharing approvals in the web UI.

``/exchange/requests`` lists the requests sent and received (tabs), with their due dates and
an overdue badge, and the form that sends one; a request's page shows its scope and history,
and to the addressee the forms that accept, partially accept or decline it (with a reason) and
that deliver the answer as a file. ``/exchange/onward`` lists the onward-sharing requests: the
ones this organisation must decide (approve or refuse, with a reason) and the ones it made.
Policy, scope and audit stay in ``cthub.exchange.lawful`` and ``cthub.exchange.onward``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cthub.core.errors import CthubError, NotFound
from cthub.core.i18n import N_, gettext
from cthub.exchange import lawful, onward, partners
from cthub.exchange.models import URGENCIES
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, language_of, render
from cthub.interfaces.web.exchange_pages import package_context
from cthub.interfaces.web.exchange_view import (
    HOME,
    MAX_FILE,
    TLPS,
    day,
    error_context,
    fields,
    query_of,
    upload,
    vocabulary,
    words,
)
from cthub.interfaces.web.forms import Id, Text, page_number, redirect
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/exchange")
REQUESTS = (N_("Lawful requests"), "/exchange/requests")
ONWARD = (N_("Onward approvals"), "/exchange/onward")
PAGE_SIZE = 25
BOXES = {"received": N_("Received"), "sent": N_("Sent")}
URGENCY_LABELS = {"routine": N_("Routine"), "urgent": N_("Urgent"), "emergency": N_("Emergency")}
RESPONSE_LABELS = {
    "accepted": N_("Accept"),
    "partially-accepted": N_("Accept in part"),
    "declined": N_("Decline"),
}
REQUEST_STATES = {
    "open": N_("Open"),
    "accepted": N_("Accepted"),
    "partially-accepted": N_("Partially accepted"),
    "declined": N_("Declined"),
    "answered": N_("Answered"),
    "withdrawn": N_("Withdrawn"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "refused": N_("Refused"),
}
STEPS = {
    "sent": N_("Sent"),
    "answered": N_("Answered"),
    "accepted": N_("Accepted"),
    "partially-accepted": N_("Partially accepted"),
    "declined": N_("Declined"),
}
SEND_FIELDS = (
    "partner",
    "legal_basis",
    "accounts",
    "content",
    "period_from",
    "period_to",
    "description",
    "urgency",
    "due",
    "expires",
    "reference",
)
BLANK_SEND = {name: "" for name in SEND_FIELDS} | {"urgency": "routine"}
#: the refusals of ``lawful.send`` / ``respond`` / ``answer``, by the field they are about
FIELD_OF = {
    "A request needs its legal basis.": "legal_basis",
    "A request must say what it asks for.": "description",
    "The period starts after it ends ({start} > {end}).": "period_from",
    "The due date must be in the future and not after the expiry.": "due",
    "Unknown urgency {urgency}.": "urgency",
    "No partner named {name}.": "partner",
    "Lawful requests go to partner organisations on this node.": "partner",
    "Declining or partially accepting needs a reason.": "reason",
    "Unknown response {decision}.": "reason",
    "An onward-sharing request needs a reason.": "reason",
    "Unknown purpose {purpose}.": "purpose",
}


def nav() -> list[NavItem]:
    """Registered by ``exchange_pages.nav`` (one entry point per capability)."""
    return []


def _vocabulary(who: Caller) -> dict[str, Any]:
    return {
        **vocabulary(who),
        "boxes": BOXES,
        "urgencies": URGENCIES,
        "urgency_labels": URGENCY_LABELS,
        "responses": RESPONSE_LABELS,
        "request_states": REQUEST_STATES,
        "steps": STEPS,
    }


def _errors(exc: CthubError, request: Request) -> dict[str, Any]:
    return error_context(exc, gettext(language_of(request)), FIELD_OF.get(exc.message))


# -- lawful requests --------------------------------------------------------------------------


def _requests(
    request: Request, who: Caller, box: str, overdue: bool, page: str, **extra: Any
) -> Response:
    hub = hub_of(request)
    box = box if box in BOXES else "received"
    rows = lawful.requests(hub, who.actor, box=box, overdue=overdue)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    at = min(page_number(page), pages)
    ctx: dict[str, Any] = {
        **_vocabulary(who),
        "rows": rows[(at - 1) * PAGE_SIZE : at * PAGE_SIZE],
        "total": len(rows),
        "page": at,
        "pages": pages,
        "box": box,
        "overdue": overdue,
        "form": BLANK_SEND,
        "status": 200,
        "query": query_of("/exchange/requests", box=box, overdue="1" if overdue else ""),
        "breadcrumbs": [HOME, REQUESTS],
    }
    if ctx["may_requests"]:
        found = partners.partners(hub, who.actor)
        ctx["addressees"] = [p.name for p in found if p.kind == "local"]
    ctx.update(extra)
    status = int(ctx.pop("status"))
    return render(request, "exchange/requests.html", status_code=status, **ctx)


@router.get("/requests", response_class=HTMLResponse)
def requests_page(
    request: Request,
    who: Caller = Depends(page_caller),
    box: str = Query("received", max_length=10),
    overdue: str = Query("", max_length=3),
    page: str = Query("1", max_length=8),
) -> Response:
    """Requests received or sent, soonest due first; overdue ones marked (or only those)."""
    return _requests(request, who, box, overdue == "1", page)


@router.post("/requests", response_class=HTMLResponse)
async def send_request(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Send a lawful request to a partner organisation on this node."""
    async with request.form(max_files=0, max_fields=30) as sent:
        form = {k: str(v)[:4000] for k, v in fields(sent, SEND_FIELDS).items()}
    return await run_in_threadpool(_send, request, who, form)


def _send(request: Request, who: Caller, form: dict[str, str]) -> Response:
    try:
        scope = lawful.Scope(
            accounts=tuple(words(form["accounts"]))[:500],
            content=tuple(words(form["content"]))[:500],
            period_from=day(form["period_from"], "period_from"),
            period_to=day(form["period_to"], "period_to"),
            description=form["description"],
        )
        made = lawful.send(
            hub_of(request),
            who.actor,
            form["partner"][:100],
            legal_basis=form["legal_basis"],
            scope=scope,
            urgency=form["urgency"] or "routine",
            due=day(form["due"], "due"),
            expires=day(form["expires"]),
            reference=form["reference"][:100],
        )
    except CthubError as exc:
        return _requests(
            request,
            who,
            "sent",
            False,
            "1",
            form=form,
            opened=True,
            status=exc.http_status,
            **_errors(exc, request),
        )
    return redirect(request, f"/exchange/requests/{made.id}")


def _request(request: Request, who: Caller, request_id: int, **extra: Any) -> Response:
    hub = hub_of(request)
    found = [r for r in lawful.requests(hub, who.actor, box="all") if r.id == request_id]
    if not found:
        raise NotFound("Request {id} does not exist.", id=request_id)
    r = found[0]
    me = str(getattr(request.state, "org_name", ""))
    received = r.addressee == me
    ctx: dict[str, Any] = {
        **_vocabulary(who),
        "r": r,
        "received": received,
        "failed": None,
        "form": {"reason": "", "note": "", "tlp": "TLP:AMBER"},
        "status": 200,
        "breadcrumbs": [HOME, REQUESTS, (r.reference or f"#{r.id}", f"/exchange/requests/{r.id}")],
    }
    ctx.update(extra)
    status = int(ctx.pop("status"))
    return render(request, "exchange/request.html", status_code=status, **ctx)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """A request: its legal basis, scope, due date, history, and the addressee's forms."""
    return _request(request, who, request_id)


@router.post("/requests/{request_id}/response", response_class=HTMLResponse)
def respond(
    request_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    reason: Text = "",
) -> Response:
    """The addressee accepts, partially accepts or declines, with a reason."""
    try:
        lawful.respond(hub_of(request), who.actor, request_id, decision[:30], reason[:4000])
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        return _request(
            request,
            who,
            request_id,
            failed="respond",
            status=exc.http_status,
            form={"reason": reason, "note": "", "tlp": "TLP:AMBER"},
            **_errors(exc, request),
        )
    return redirect(request, f"/exchange/requests/{request_id}")


@router.post("/requests/{request_id}/answer", response_class=HTMLResponse)
async def answer(request_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Deliver the answer as a package released to the requester under the request's basis."""
    data, name, refused = b"", "", None
    form = {"reason": "", "note": "", "tlp": "TLP:AMBER"}
    try:
        uploads.check_declared(request, MAX_FILE, "The file")
        async with request.form(max_files=1, max_fields=10) as sent:
            form.update({k: str(sent.get(k) or "")[:2000] for k in ("note", "tlp")})
            data, name = await upload(sent)
    except CthubError as exc:
        refused = exc
    return await run_in_threadpool(_answer, request, who, request_id, form, data, name, refused)


def _answer(
    request: Request,
    who: Caller,
    request_id: int,
    form: dict[str, str],
    data: bytes,
    name: str,
    refused: CthubError | None,
) -> Response:
    try:
        if refused is not None:
            raise refused
        tlp = form["tlp"] if form["tlp"] in TLPS else "TLP:AMBER"
        lawful.answer(
            hub_of(request), who.actor, request_id, data, name, tlp=tlp, note=form["note"]
        )
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        return _request(
            request,
            who,
            request_id,
            failed="answer",
            form=form,
            status=exc.http_status,
            **_errors(exc, request),
        )
    return redirect(request, f"/exchange/requests/{request_id}")


# -- onward sharing ---------------------------------------------------------------------------


def _onward(request: Request, who: Caller, **extra: Any) -> Response:
    rows = onward.onward_requests(hub_of(request), who.actor)
    ctx: dict[str, Any] = {
        **_vocabulary(who),
        "pending": [r for r in rows if r.role == "decide" and r.state == "pending"],
        "rows": [r for r in rows if not (r.role == "decide" and r.state == "pending")],
        "failed": None,
        "reason": "",
        "status": 200,
        "breadcrumbs": [HOME, ONWARD],
    }
    ctx.update(extra)
    status = int(ctx.pop("status"))
    return render(request, "exchange/onward.html", status_code=status, **ctx)


@router.get("/onward", response_class=HTMLResponse)
def onward_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Onward-sharing requests to decide (pending), and the decided and asked ones."""
    return _onward(request, who)


@router.post("/onward/{request_id}", response_class=HTMLResponse)
def decide(
    request_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    reason: Text = "",
) -> Response:
    """The originator approves or refuses passing a package on, with a reason."""
    try:
        onward.decide_onward(
            hub_of(request), who.actor, request_id, decision == "approve", reason[:2000]
        )
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        return _onward(
            request,
            who,
            failed=request_id,
            reason=reason,
            status=exc.http_status,
            **_errors(exc, request),
        )
    return redirect(request, "/exchange/onward")


@router.post("/packages/{package_id}/onward", response_class=HTMLResponse)
def ask_onward(
    package_id: str,
    request: Request,
    who: Caller = Depends(page_caller),
    target: Text = "",
    purpose: Text = "",
    reason: Text = "",
) -> Response:
    """Ask the originator of a received package to let it go on to ``target``."""
    try:
        onward.request_onward(
            hub_of(request), who.actor, package_id[:36], target[:100], purpose[:40], reason[:2000]
        )
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        ctx = package_context(
            request,
            who,
            package_id[:36],
            failed="onward",
            reason=reason,
            onward_form={"target": target, "purpose": purpose},
            **_errors(exc, request),
        )
        return render(request, "exchange/package.html", status_code=exc.http_status, **ctx)
    return redirect(request, "/exchange/onward")


__all__ = ["nav", "router"]
