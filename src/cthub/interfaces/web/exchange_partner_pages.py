"""Exchange partner and log pages: the partners (add one on this node or on another node with
its public key, group them in audiences, suspend or reactivate one, export for one with the
refusals listed beside the file) with a red alert for a fork seen in a partner's log; and the
disclosure log with its latest signed tree head, a "Verify now" check of the whole log and the
heads seen from partners' logs. ``exchange_pages`` includes this router.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.exchange import export as exporting
from cthub.exchange import logverify, partners, records
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.exchange_view import (
    HOME,
    PAGE_SIZE,
    PartnerName,
    error_context,
    fields,
    query_of,
    vocabulary,
)
from cthub.interfaces.web.forms import Text, page_number, redirect
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False)


# -- partners ---------------------------------------------------------------------------------

PARTNER_FIELDS = (
    "name",
    "kind",
    "local_org",
    "url",
    "public_key",
    "accept_tlp",
    "accept_purposes",
    "default_purpose",
)
BLANK_PARTNER = {
    "name": "",
    "kind": "node",
    "local_org": "",
    "url": "",
    "public_key": "",
    "accept_tlp": "TLP:RED",
    "accept_purposes": [],
    "default_purpose": "ct-investigation",
}


def _partners(request: Request, who: Caller, **extra: Any) -> Response:
    hub = hub_of(request)
    heads = records.seen_heads(hub, who.actor)
    ctx: dict[str, Any] = {
        **vocabulary(who),
        "partners": partners.partners(hub, who.actor),
        "audiences": partners.audiences(hub, who.actor),
        "forks": [h for h in heads if h.verdict == "fork"],
        "verdict_of": {h.partner: h.verdict for h in heads},
        "form": BLANK_PARTNER,
        "group": {"name": "", "description": "", "members": []},
        "failed": None,
        "export": None,
        "status": 200,
        "breadcrumbs": [HOME, (N_("Partners"), "/exchange/partners")],
    }
    ctx.update(extra)
    status = int(ctx.pop("status"))
    return render(request, "exchange/partners.html", status_code=status, **ctx)


@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _partners(request, who)


@router.post("/partners", response_class=HTMLResponse)
async def add_partner(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Register a partner: an organisation on this node, or a node with its URL and key."""
    async with request.form(max_files=0, max_fields=40) as sent:
        form = fields(sent, PARTNER_FIELDS)
    return await run_in_threadpool(_add_partner, request, who, form)


def _add_partner(request: Request, who: Caller, form: dict[str, Any]) -> Response:
    _ = gettext(language_of(request))
    local = form["kind"] == "local"
    try:
        partners.add_partner(
            hub_of(request),
            who.actor,
            form["name"][:100],
            url="" if local else form["url"][:500],
            public_key=None if local else form["public_key"][:4000].encode(),
            local_org=form["local_org"][:200] if local else None,
            accept_tlp=form["accept_tlp"] or "TLP:RED",
            accept_purposes=form["accept_purposes"],
            default_purpose=form["default_purpose"] or "ct-investigation",
        )
    except CthubError as exc:
        ctx = error_context(
            exc,
            _,
            "public_key"
            if "public key" in exc.message.lower() and "URL" not in exc.message
            else None,
        )
        return _partners(request, who, form=form, failed="partner", status=exc.http_status, **ctx)
    return redirect(request, "/exchange/partners")


@router.post("/audiences", response_class=HTMLResponse)
async def add_audience(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """A named set of partners (a sharing group; also one TAXII collection)."""
    async with request.form(max_files=0, max_fields=400) as sent:
        group = fields(sent, ("name", "description", "members"))
    return await run_in_threadpool(_add_audience, request, who, group)


def _add_audience(request: Request, who: Caller, group: dict[str, Any]) -> Response:
    _ = gettext(language_of(request))
    try:
        partners.create_audience(
            hub_of(request),
            who.actor,
            group["name"][:100],
            group["members"],
            description=group["description"][:2000],
        )
    except CthubError as exc:
        return _partners(
            request,
            who,
            group=group,
            failed="audience",
            status=exc.http_status,
            **error_context(exc, _),
        )
    return redirect(request, "/exchange/partners#audiences")


@router.post("/partners/{name}/state", response_class=HTMLResponse)
def partner_state(
    name: PartnerName, request: Request, who: Caller = Depends(page_caller), state: Text = ""
) -> Response:
    """Suspend a partner (it receives nothing from then on) or make it active again."""
    partners.set_state(hub_of(request), who.actor, name, state[:20])
    return redirect(request, "/exchange/partners")


@router.post("/partners/{name}/export", response_model=None)
def export_for(
    name: PartnerName, request: Request, who: Caller = Depends(page_caller), fmt: Text = "stix"
) -> Response:
    """Everything the partner may receive by export now, as a file; refusals are listed.

    The export itself is the disclosure (it is logged), so the page shows what went and what
    was refused with the file to save, rather than a second export when the link is followed.
    """
    _ = gettext(language_of(request))
    try:
        done = exporting.export(hub_of(request), who.actor, name, fmt=fmt[:10])
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        return _partners(request, who, status=exc.http_status, **error_context(exc, _))
    suffix = "json" if done.format == "misp" else "stix.json"
    filename = f"export-{quote(done.partner)}.{suffix}"
    href = "data:application/json;base64," + base64.b64encode(done.data).decode()
    return _partners(request, who, export={"result": done, "href": href, "filename": filename})


# -- the disclosure log -----------------------------------------------------------------------


def _log(request: Request, who: Caller, page: str, **extra: Any) -> Response:
    hub = hub_of(request)
    at = page_number(page)
    rows, total, head = records.disclosures(
        hub, who.actor, limit=PAGE_SIZE, offset=(at - 1) * PAGE_SIZE
    )
    heads = records.seen_heads(hub, who.actor)
    ctx: dict[str, Any] = {
        **vocabulary(who),
        "rows": rows,
        "total": total,
        "head": head,
        "heads": heads,
        "forks": [h for h in heads if h.verdict == "fork"],
        "page": at,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "query": query_of("/exchange/log"),
        "report": None,
        "problems": [],
        "breadcrumbs": [HOME, (N_("Disclosure log"), "/exchange/log")],
    }
    ctx.update(extra)
    return render(request, "exchange/log.html", **ctx)


@router.get("/log", response_class=HTMLResponse)
def log_page(
    request: Request, who: Caller = Depends(page_caller), page: str = Query("1", max_length=8)
) -> Response:
    """Every disclosure, newest first, with the latest signed tree head and partners' heads."""
    return _log(request, who, page)


@router.post("/log/verify", response_class=HTMLResponse)
def verify_log(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Re-derive the whole log from its stored entries and check every head it signed."""
    _ = gettext(language_of(request))
    report = logverify.verify_own(hub_of(request), who.actor)
    return _log(request, who, "1", report=report, problems=[p.render(_) for p in report.problems])


__all__ = ["router"]
