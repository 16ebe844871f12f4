"""Ownership pages: search the stored entities by name or identifier; an entity's page (its
identifiers, the sanctions list entries it links to, its owners and holdings with shares as
intervals, and its ownership graph under a chosen rule: OFAC, EU, UK, or UBO at 25%, switched
with HTMX, with the path that blocks it, or the chains of its beneficial owners, marked in the
graph and told in words); and the entities a regime blocks, as a table and as CSV.

Policy and audit stay in ``cthub.ownership``: these views parse, call and render.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, Response

from cthub import ownership
from cthub.core import policy
from cthub.core.errors import CthubError, NotFound
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, language_of, render
from cthub.interfaces.web.forms import page_number
from cthub.interfaces.web.guard import page_caller
from cthub.interfaces.web.ownership_graph import (
    KIND_LABELS,
    STATUS_LABELS,
    href,
    interval,
    sentence,
)
from cthub.interfaces.web.ownership_view import MODES, listings, view_context
from cthub.ownership.analysis import Exposure, exposure

router = APIRouter(include_in_schema=False, prefix="/ownership")
READERS = policy.ACTIONS["ownership.read"].roles
HOME = (N_("Ownership"), "/ownership")
BLOCKED = (N_("Blocked by ownership"), "/ownership/blocked")
EntityId = Annotated[str, FastPath(min_length=1, max_length=300)]
Mode = Annotated[str, Query(max_length=10)]
PAGE_SIZE = 50
KINDS = {"": N_("Any kind"), "company": N_("Company"), "person": N_("Person"),
         "arrangement": N_("Arrangement"), "unknown": N_("Unknown")}  # fmt: skip
INTERESTS = {"ownership": N_("ownership"), "voting": N_("voting rights"), "control": N_("control")}
REPORT_COLUMNS = ("entity_id", "name", "status", "owners_share", "path")


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("ownership", N_("Ownership"), "/ownership", READERS),
        NavItem("ownership_blocked", N_("Blocked by ownership"), "/ownership/blocked", READERS),
    ]


def vocabulary() -> dict[str, Any]:
    """The labels (msgids) the ownership templates use."""
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS, "kinds": KINDS,
            "interests": INTERESTS, "modes": MODES, "href": href, "interval": interval}  # fmt: skip


@router.get("", response_class=HTMLResponse)
def search_page(
    request: Request,
    who: Caller = Depends(page_caller),
    q: str = Query("", max_length=300),
    kind: str = Query("", max_length=20),
) -> Response:
    """Entities whose name contains ``q`` or with an identifier equal to it."""
    _ = gettext(language_of(request))
    with hub_of(request).db.session(readonly=True) as s:  # the empty form too: readers only
        policy.require(s, who.actor, "ownership.read")
    kind = kind if kind in KINDS else ""
    found, error, hint = None, None, None
    if q.strip():
        try:
            found = ownership.search_entities(hub_of(request), who.actor, q, kind=kind or None,
                                              limit=PAGE_SIZE)  # fmt: skip
        except CthubError as exc:
            error, hint = exc.render(_), exc.render_hint(_)
    return render(request, "ownership/search.html", q=q, kind=kind, found=found, error=error,
                  hint=hint, limit=PAGE_SIZE, breadcrumbs=[HOME], **vocabulary())  # fmt: skip


def _list_links(request: Request, who: Caller, entity_id: str) -> tuple[list[Any], list[str]]:
    """The list entries the entity links to, and why none could be looked for."""
    try:
        found = ownership.links(hub_of(request), who.actor, entity_id)
    except NotFound as exc:  # no active list
        return [], [exc.render(gettext(language_of(request)))]
    return found.lists, found.notes


@router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
def entity_page(
    entity_id: EntityId, request: Request, mode: Mode = "ofac", who: Caller = Depends(page_caller)
) -> Response:
    """An entity, its links and tables, and its graph under ``mode`` (ofac, eu, uk, ubo)."""
    view = ownership.entity(hub_of(request), who.actor, entity_id)
    lists, notes = _list_links(request, who, entity_id)
    ctx = view_context(request, who, view.id, mode)
    return render(request, "ownership/entity.html", e=view, lists=lists, link_notes=notes,
                  breadcrumbs=[HOME, (view.name or view.id, href(view.id))],
                  **ctx, **vocabulary())  # fmt: skip


@router.get("/view/{entity_id:path}", response_class=HTMLResponse)
def entity_view(
    entity_id: EntityId, request: Request, mode: Mode = "ofac", who: Caller = Depends(page_caller)
) -> Response:
    """The part of the entity page a rule changes (HTMX): the switch, status, graph, words."""
    view = ownership.entity(hub_of(request), who.actor, entity_id)
    ctx = view_context(request, who, view.id, mode)
    return render(request, "ownership/view.html", e=view, **ctx, **vocabulary())


def _regime(value: str) -> str:
    return value if value in ("ofac", "eu", "uk") else "ofac"


def _rows(
    request: Request, who: Caller, regime: str, status: str
) -> tuple[Exposure, list[dict[str, Any]]]:
    found = exposure(hub_of(request), who.actor, regime)
    rows = found.result.report(include_possible=True, with_path=False).to_pylist()
    if status in ("blocked", "possibly_blocked"):
        rows = [r for r in rows if r["status"] == status]
    return found, rows


def _explained(found: Exposure, rows: list[dict[str, Any]], _: GetText) -> list[dict[str, Any]]:
    """The page's rows, each with its path in words."""
    seeds = listings(found)
    g = found.result.graph
    out = []
    for r in rows:
        eid = str(r["entity_id"])
        path = found.result.explain(eid, max_edges=20)
        names = {x: g.name(g.node(x)) or x for e in path for x in (e.owner_id, e.asset_id)}
        out.append({**r, "href": href(eid), "listing": seeds.get(eid, ""),
                    "words": [sentence(e, names, seeds, _) for e in path]})  # fmt: skip
    return out


@router.get("/blocked", response_class=HTMLResponse)
def blocked_page(
    request: Request,
    who: Caller = Depends(page_caller),
    regime: str = Query("ofac", max_length=10),
    status: str = Query("", max_length=20),
    sort: str = Query("name", max_length=10),
    page: str = Query("1", max_length=8),
) -> Response:
    """The entities ``regime`` blocks or possibly blocks, with the path of each."""
    _ = gettext(language_of(request))
    regime = _regime(regime)
    status = status if status in ("blocked", "possibly_blocked") else ""
    sort = sort if sort in ("name", "status") else "name"
    found, rows = _rows(request, who, regime, status)
    key = (lambda r: (r["status"], (r["name"] or "").lower())) if sort == "status" else (
        lambda r: ((r["name"] or "").lower(), r["entity_id"]))  # fmt: skip
    rows.sort(key=key)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    at = min(page_number(page), pages)
    shown = _explained(found, rows[(at - 1) * PAGE_SIZE : at * PAGE_SIZE], _)

    def query(**changes: Any) -> str:
        params = {"regime": regime, "status": status, "sort": sort, "page": at, **changes}
        return "/ownership/blocked?" + urlencode({k: v for k, v in params.items() if v != ""})

    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("blocked", "possibly_blocked")}
    return render(request, "ownership/blocked.html", regime=regime, status=status, sort=sort,
                  rows=shown, total=len(rows), page=at, pages=pages, query=query,
                  counts=counts, seeds=found.seeds.num_rows, notes=found.notes,
                  title=found.result.regime.title, breadcrumbs=[BLOCKED],
                  csv_href="/ownership/blocked.csv?" + urlencode({"regime": regime}),
                  **vocabulary())  # fmt: skip


@router.get("/blocked.csv")
def blocked_csv(
    request: Request, who: Caller = Depends(page_caller), regime: str = Query("ofac", max_length=10)
) -> Response:
    """The report as CSV: ``entity_id,name,status,owners_share,path``."""
    regime = _regime(regime)
    rows = exposure(hub_of(request), who.actor, regime).report().to_pylist()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: r.get(k) or "" for k in REPORT_COLUMNS} for r in rows)
    name = quote(f"blocked-{regime}.csv")
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


__all__ = ["nav", "router"]
