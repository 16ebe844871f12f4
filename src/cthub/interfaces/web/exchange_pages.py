"""Exchange pages: the organisation's packages (filtered by state and TLP, sorted, paged) with
the form that makes one from a file under a release rule; a package's page (its rule in plain
words, recipients, the release decisions about it, the correction and erasure forms, and for a
received package the request to pass it on); and the packages received from partners.

Partners and the disclosure log are in ``exchange_partner_pages`` (its routes are included in
this router, so the app mounts one module); lawful requests and onward approvals are in
``exchange_request_pages``. Policy, scope and audit stay in ``cthub.exchange``: these views
parse, call and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, gettext
from cthub.exchange import packages, partners, records
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, language_of, render
from cthub.interfaces.web.exchange_view import (
    HOME,
    MAX_FILE,
    READERS,
    SCAN,
    SORTS,
    TLPS,
    PackageId,
    day,
    error_context,
    fields,
    in_words,
    query_of,
    sorted_page,
    upload,
    vocabulary,
)
from cthub.interfaces.web.forms import Text, may, redirect
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/exchange")


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("exchange", N_("Exchange"), "/exchange", READERS),
        NavItem("exchange_requests", N_("Lawful requests"), "/exchange/requests", READERS),
    ]


# -- packages ---------------------------------------------------------------------------------

PACKAGE_FIELDS = (
    "title",
    "tlp",
    "partners",
    "audiences",
    "purposes",
    "legal_basis",
    "expires",
    "pap",
)
BLANK_PACKAGE = {
    "title": "",
    "tlp": "TLP:AMBER",
    "partners": [],
    "audiences": [],
    "purposes": [],
    "legal_basis": "",
    "expires": "",
    "pap": "PAP:AMBER",
}


def _list(
    request: Request,
    who: Caller,
    incoming: bool,
    state: str,
    tlp: str,
    sort: str,
    page: str,
    **extra: Any,
) -> Response:
    hub = hub_of(request)
    state = state if state in ("active", "erased") else ""
    tlp = tlp if tlp in TLPS else ""
    sort = sort if sort in SORTS else "newest"
    found, _total = packages.packages(
        hub, who.actor, incoming=incoming, state=state or None, limit=SCAN
    )
    rows = [p for p in found if not tlp or p.tlp == tlp]
    shown, at, pages = sorted_page(rows, sort, page)
    ctx: dict[str, Any] = {
        **vocabulary(who),
        "rows": shown,
        "total": len(rows),
        "page": at,
        "pages": pages,
        "state": state,
        "tlp": tlp,
        "sort": sort,
        "form": BLANK_PACKAGE,
        "tab": "incoming" if incoming else "packages",
    }
    base = "/exchange/incoming" if incoming else "/exchange"
    ctx["query"] = query_of(base, state=state, tlp=tlp, sort=sort)
    if not incoming and ctx["may_share"]:
        ctx["partner_names"] = [p.name for p in partners.partners(hub, who.actor)]
        ctx["audience_names"] = [a.name for a in partners.audiences(hub, who.actor)]
    crumbs = [HOME, (N_("Incoming packages"), base)] if incoming else [HOME]
    ctx.update(breadcrumbs=crumbs, **extra)
    template = "exchange/incoming.html" if incoming else "exchange/packages.html"
    status = int(ctx.pop("status", 200))
    return render(request, template, status_code=status, **ctx)


@router.get("", response_class=HTMLResponse)
def packages_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("", max_length=20),
    tlp: str = Query("", max_length=20),
    sort: str = Query("newest", max_length=10),
    page: str = Query("1", max_length=8),
) -> Response:
    """The organisation's own packages, and the form that makes one."""
    return _list(request, who, False, state, tlp, sort, page)


@router.get("/incoming", response_class=HTMLResponse)
def incoming_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("", max_length=20),
    tlp: str = Query("", max_length=20),
    sort: str = Query("newest", max_length=10),
    page: str = Query("1", max_length=8),
) -> Response:
    """Packages received from partners: origin, TLP, purposes, expiry (expired marked)."""
    return _list(request, who, True, state, tlp, sort, page)


def _create(
    request: Request,
    who: Caller,
    form: dict[str, Any],
    data: bytes,
    name: str,
    refused: CthubError | None,
) -> Response:
    _ = gettext(language_of(request))
    try:
        if refused is not None:
            raise refused
        spec = packages.ReleaseSpec(
            tlp=form["tlp"],
            partners=tuple(form["partners"]),
            audiences=tuple(form["audiences"]),
            purposes=tuple(form["purposes"]),
            legal_basis=form["legal_basis"],
            expires=day(form["expires"]),
            pap=form["pap"] or "PAP:AMBER",
        )
        made = packages.create(
            hub_of(request), who.actor, data, name, spec, title=form["title"][:300]
        )
    except CthubError as exc:
        return _list(
            request,
            who,
            False,
            "",
            "",
            "newest",
            "1",
            form=form,
            opened=True,
            status=exc.http_status,
            **error_context(exc, _),
        )
    return redirect(request, f"/exchange/packages/{made.id}")


@router.post("/packages", response_class=HTMLResponse)
async def create_package(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Make a package from the uploaded file under the release rule the form states."""
    data, name, refused = b"", "", None
    form: dict[str, Any] = dict(BLANK_PACKAGE)
    try:
        uploads.check_declared(request, MAX_FILE, "The file")
        async with request.form(max_files=1, max_fields=120) as sent:
            form = fields(sent, PACKAGE_FIELDS)
            data, name = await upload(sent)
    except CthubError as exc:
        refused = exc
    return await run_in_threadpool(_create, request, who, form, data, name, refused)


def package_context(request: Request, who: Caller, package_id: str, **extra: Any) -> dict[str, Any]:
    """A package's page: the view, its rule in words, its decisions, and which forms to offer."""
    hub = hub_of(request)
    _ = gettext(language_of(request))
    view = packages.package(hub, who.actor, package_id)
    decided, total = records.decisions(hub, who.actor, package_id=view.id, limit=50)
    title = view.title if len(view.title) <= 60 else view.title[:59] + "…"
    crumbs = [HOME, (title, f"/exchange/packages/{view.id}")]
    if view.origin is not None:
        crumbs.insert(1, (N_("Incoming packages"), "/exchange/incoming"))
    may_onward = (
        view.origin is not None and view.state == "active" and may(who.actor, "exchange.onward")
    )
    targets = (
        [p.name for p in partners.partners(hub, who.actor) if p.name != view.origin]
        if may_onward
        else []
    )
    ctx: dict[str, Any] = {
        **vocabulary(who),
        "p": view,
        "rule": in_words(view, _),
        "decisions": decided,
        "decisions_total": total,
        "own": view.origin is None and view.state == "active",
        "may_onward": may_onward,
        "targets": targets,
        "onward_form": {"target": "", "purpose": ""},
        "failed": None,
        "reason": "",
        "breadcrumbs": crumbs,
    }
    ctx.update(extra)
    return ctx


def _package(
    request: Request, who: Caller, package_id: str, status: int = 200, **extra: Any
) -> Response:
    ctx = package_context(request, who, package_id, **extra)
    return render(request, "exchange/package.html", status_code=status, **ctx)


@router.get("/packages/{package_id}", response_class=HTMLResponse)
def package_page(
    package_id: PackageId, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    return _package(request, who, package_id)


def _act(
    request: Request, who: Caller, package_id: str, failed: str, reason: str,
    work: Callable[[], object],
) -> Response:  # fmt: skip
    """Run a correction or erasure; a refusal shows the package page with the form's error."""
    try:
        work()
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        _ = gettext(language_of(request))
        return _package(request, who, package_id, failed=failed, reason=reason,
                        status=exc.http_status, **error_context(exc, _))  # fmt: skip
    return redirect(request, f"/exchange/packages/{package_id}")


def _correct(
    request: Request,
    who: Caller,
    package_id: str,
    reason: str,
    data: bytes,
    name: str,
    refused: CthubError | None,
) -> Response:
    def work() -> object:
        if refused is not None:
            raise refused
        return packages.correct(hub_of(request), who.actor, package_id, data, name, reason=reason)

    return _act(request, who, package_id, "correct", reason, work)


@router.post("/packages/{package_id}/correction", response_class=HTMLResponse)
async def correct_package(
    package_id: PackageId, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    """Replace the package's content; every partner it went to gets a signed notice."""
    data, name, reason, refused = b"", "", "", None
    try:
        uploads.check_declared(request, MAX_FILE, "The file")
        async with request.form(max_files=1, max_fields=10) as sent:
            reason = str(sent.get("reason") or "")[:2000]
            if not reason.strip():
                raise InvalidInput("A correction needs a reason.", hint="Say what was wrong.")
            data, name = await upload(sent)
    except CthubError as exc:
        refused = exc
    return await run_in_threadpool(_correct, request, who, package_id, reason, data, name, refused)


@router.post("/packages/{package_id}/erasure", response_class=HTMLResponse)
def erase_package(
    package_id: PackageId, request: Request, who: Caller = Depends(page_caller), reason: Text = ""
) -> Response:
    """Erase the package: its objects go, and its recipients are told to erase their copies."""
    return _act(request, who, package_id, "erase", reason,
                lambda: packages.erase(hub_of(request), who.actor, package_id,
                                       reason=reason[:2000]))  # fmt: skip


# the partner and log pages share this prefix and mount
from cthub.interfaces.web import exchange_partner_pages  # noqa: E402

router.include_router(exchange_partner_pages.router)

__all__ = ["nav", "package_context", "router"]
