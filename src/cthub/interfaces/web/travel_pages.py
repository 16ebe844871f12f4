"""Travel pages: the navigation, flights of a day, a flight's manifest, and one passenger.

A passenger's page shows the record as the carrier sent it, the PNR with every push and what it
changed, the co-travellers (a server-drawn graph with a table of the same links) and each hit
with its explanation; a reviewer decides a hit there. A masked passenger shows only the
depersonalised record and a form to ask for unmasking. Policy, scope and audit stay in
``cthub.travel``: these views parse, call and render. The review queue, retention and unmask
decisions are in ``travel_review_pages``, the rule builder in ``travel_rule_pages``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cthub import travel
from cthub.core import policy
from cthub.core.db import utcnow
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, env, language_of, render
from cthub.interfaces.web.forms import Id, Text, is_hx, may, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/travel")
HOME = (N_("Flights"), "/travel")
READERS = policy.ACTIONS["travel.read"].roles
CHECK_LABELS = {"watchlist": N_("Watchlist"), "document": N_("Lost or stolen document"),
                "rule": N_("Risk rule"), "mrz": N_("Document data")}  # fmt: skip
HIT_STATES = {"open": N_("Open"), "confirmed": N_("Confirmed"), "dismissed": N_("Dismissed"),
              "withdrawn": N_("Withdrawn")}  # fmt: skip
ROLE_LABELS = {"passenger": N_("Passenger"), "crew": N_("Crew"),
               "transit_passenger": N_("Transit passenger"), "transit_crew": N_("Transit crew"),
               "infant": N_("Infant")}  # fmt: skip
SOURCE_LABELS = {"api": N_("API"), "pnr": N_("PNR")}
LINK_LABELS = {"pnr": N_("Same booking"), "contact": N_("Shared contact"),
               "payment": N_("Same payment card"), "seat": N_("Seat next to")}  # fmt: skip
LINK_COLOURS = {"pnr": "#1d4ed8", "contact": "#b45309", "payment": "#991b1b", "seat": "#166534"}
UNMASK_STATES = {"pending": N_("Pending"), "approved": N_("Approved"), "refused": N_("Refused")}
NO_ERRORS: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
GRAPH_MAX = 24  # co-travellers drawn; the table lists them all


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("travel", N_("Flights"), "/travel", READERS),
        NavItem("travel_review", N_("Passenger hits"), "/travel/review", READERS),
        NavItem("travel_rules", N_("Risk rules"), "/travel/rules", READERS),
        NavItem("travel_retention", N_("Retention"), "/travel/retention", READERS),
    ]


# -- shared by every travel page --------------------------------------------------------------


def vocabulary() -> dict[str, Any]:
    """The labels (msgids) every travel template uses."""
    return {
        "check_labels": CHECK_LABELS,
        "hit_states": HIT_STATES,
        "role_labels": ROLE_LABELS,
        "source_labels": SOURCE_LABELS,
        "link_labels": LINK_LABELS,
        "link_colours": LINK_COLOURS,
        "unmask_states": UNMASK_STATES,
    }


def crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [HOME, *items]


def error_context(exc: CthubError, _: GetText, field: str | None) -> dict[str, Any]:
    """``exc`` as template context: beside ``field`` when given, else above the form."""
    message, hint = exc.render(_), exc.render_hint(_)
    if field:
        return {"errors": {field: message}, "hints": {field: hint}, "error": None, "hint": None}
    return {"errors": {}, "hints": {}, "error": message, "hint": hint}


def _brief(value: object) -> str:
    """A stored value (a leg, a payment, a list of them) as one short line."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, Mapping):
        return " ".join(str(v) for v in value.values() if v not in (None, "", [], 0))
    if isinstance(value, list):
        return "; ".join(_brief(v) for v in value)
    return str(value)


env.filters["brief"] = _brief


# -- flights ----------------------------------------------------------------------------------


def _parse_day(text: str, _: GetText) -> tuple[dt.date | None, str | None]:
    """The chosen day (today when empty), or the error to show beside the date field."""
    if not text.strip():
        return utcnow().date(), None
    try:
        return dt.date.fromisoformat(text.strip()), None
    except ValueError:
        return None, _("{value} is not a date; write it as YYYY-MM-DD.").format(value=text[:40])


def _flights_page(request: Request, who: Caller, day_text: str, every: bool,
                  status: int = 200, **extra: Any) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    day, day_error = (None, None) if every else _parse_day(day_text, _)
    rows = [] if day_error else travel.flights(hub_of(request), who.actor, day=day)
    template = "travel/flights_body.html" if is_hx(request) else "travel/flights.html"
    return render(
        request,
        template,
        status_code=status,
        rows=rows,
        day=day,
        day_text=day_text if day_error else (day.isoformat() if day else ""),
        day_error=day_error,
        every=every,
        prev_day=(day - dt.timedelta(days=1)).isoformat() if day and day > dt.date.min else None,
        next_day=(day + dt.timedelta(days=1)).isoformat() if day and day < dt.date.max else None,
        may_check=may(who.actor, "travel.check"),
        breadcrumbs=[HOME],
        **{"run": None, "error": None, "hint": None, **extra},
        **vocabulary(),
    )


@router.get("", response_class=HTMLResponse)
def flights_page(
    request: Request,
    who: Caller = Depends(page_caller),
    day: str = Query("", max_length=40),
    every: str = Query("", alias="all", max_length=5),
) -> Response:
    return _flights_page(request, who, day, every == "1")


@router.post("/check", response_class=HTMLResponse)
def check_now(
    request: Request, who: Caller = Depends(page_caller), day: Text = "", every: Text = ""
) -> Response:
    """Run every check on the chosen day's unmasked flights (all days with ``every``)."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    chosen, day_error = (None, None) if every == "1" else _parse_day(day, _)
    if day_error:
        return _flights_page(request, who, day, False, 200 if is_hx(request) else 400)
    try:
        ids = [f.id for f in travel.flights(hub, who.actor, day=chosen) if not f.masked]
        if not ids:
            return _flights_page(request, who, day, every == "1",
                                 error=_("There is no unmasked flight to check."))  # fmt: skip
        run = travel.run_checks(hub, who.actor, ids)
    except CthubError as exc:
        return _flights_page(request, who, day, every == "1", status_of(request, exc),
                             error=exc.render(_), hint=exc.render_hint(_))  # fmt: skip
    return _flights_page(request, who, day, every == "1", run=run)


# -- manifest ---------------------------------------------------------------------------------


def flight_crumb(flight: travel.FlightView) -> tuple[str, str]:
    return flight.label, f"/travel/flights/{flight.id}"


@router.get("/flights/{flight_id}", response_class=HTMLResponse)
def manifest_page(
    flight_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    role: str = Query("", max_length=20),
) -> Response:
    m = travel.manifest(hub_of(request), who.actor, flight_id)
    roles = sorted({p.role for p in m.passengers})
    shown = [p for p in m.passengers if not role or p.role == role]
    return render(
        request,
        "travel/manifest.html",
        m=m,
        people=shown,
        roles=roles,
        role=role if role in roles else "",
        breadcrumbs=crumbs(flight_crumb(m.flight)),
        **vocabulary(),
    )


# -- passenger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HitCard:
    """One hit as the passenger page shows it, with its decisions (oldest first)."""

    hit: Any  # a detached ``TravelHit``
    decisions: list[travel.DecisionRecord]


@dataclass(frozen=True)
class GraphNode:
    id: int
    name: str
    link: str
    detail: str
    x: float
    y: float


GRAPH_W, GRAPH_H = 720.0, 340.0


def graph_nodes(links: list[travel.CoTraveller]) -> list[GraphNode]:
    """The co-travellers on a ring (an ellipse) around the passenger, grouped by link type."""
    chosen = links[:GRAPH_MAX]
    cx, cy, rx, ry = GRAPH_W / 2, GRAPH_H / 2, GRAPH_W / 2 - 110, GRAPH_H / 2 - 50
    out = []
    for i, c in enumerate(chosen):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(chosen))
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        out.append(GraphNode(c.passenger_id, c.name, c.link, c.detail, round(x, 1), round(y, 1)))
    return out


LINK_RANK = {"pnr": 0, "payment": 1, "contact": 2, "seat": 3}


def distinct_links(detail: travel.PassengerDetail) -> list[travel.CoTraveller]:
    """One link per co-traveller, the closest kind first. The service lists a person once per
    stored row (API and PNR) and, for an API passenger, their own PNR row as a contact."""
    me = detail.passenger.name
    best: dict[str, travel.CoTraveller] = {}
    for c in detail.co_travellers:
        if c.name == me:
            continue
        known = best.get(c.name)
        if known is None or LINK_RANK.get(c.link, 9) < LINK_RANK.get(known.link, 9):
            best[c.name] = c
    return sorted(best.values(), key=lambda c: (LINK_RANK.get(c.link, 9), c.name))


def hit_cards(request: Request, who: Caller, hits: list[Any]) -> list[HitCard]:
    hub = hub_of(request)
    return [HitCard(h, travel.decisions(hub, who.actor, h.id)) for h in hits]


def _unmask_context(request: Request, who: Caller, passenger_id: int) -> dict[str, Any]:
    requests = [
        r
        for r in travel.unmask_requests(hub_of(request), who.actor)
        if r.passenger_id == passenger_id
    ]
    now = utcnow()
    return {
        "unmask_requests": requests,
        "open_requests": {
            r.id
            for r in requests
            if r.state == "approved" and (r.expires_at is None or _utc(r.expires_at) > now)
        },
        "may_ask": may(who.actor, "travel.unmask.request"),
    }


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def passenger_crumbs(detail: travel.PassengerDetail) -> list[tuple[str, str]]:
    p = detail.passenger
    return crumbs(flight_crumb(detail.flight), (p.name, f"/travel/passengers/{p.id}"))


def _passenger_context(request: Request, who: Caller, passenger_id: int) -> dict[str, Any]:
    detail = travel.passenger(hub_of(request), who.actor, passenger_id)
    return {
        "d": detail,
        "p": detail.passenger,
        "r": detail.passenger.record,
        "pnr": detail.pnr,
        "cards": hit_cards(request, who, detail.hits),
        "links": (links := distinct_links(detail)),
        "nodes": graph_nodes(links),
        "graph_w": GRAPH_W,
        "graph_h": GRAPH_H,
        "may_decide": may(who.actor, "travel.review"),
        "form": {},
        "failed_hit": None,
        "breadcrumbs": passenger_crumbs(detail),
        **_unmask_context(request, who, passenger_id),
        **NO_ERRORS,
        **vocabulary(),
    }


@router.get("/passengers/{passenger_id}", response_class=HTMLResponse)
def passenger_page(
    passenger_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    return render(
        request, "travel/passenger.html", **_passenger_context(request, who, passenger_id)
    )


def _decision_field(decision: str, reason: str, legal_basis: str) -> str | None:
    """Which field ``travel.decide``'s refusal is about (it checks in this order)."""
    if decision not in ("confirmed", "dismissed"):
        return None
    if not reason.strip():
        return "reason"
    if decision == "confirmed" and not legal_basis.strip():
        return "legal_basis"
    return None


@router.post("/passengers/{passenger_id}/hits/{hit_id}/decision", response_class=HTMLResponse)
def hit_decision(
    passenger_id: Id,
    hit_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    reason: Text = "",
    legal_basis: Text = "",
) -> Response:
    """Record a reviewer's decision; the hit comes back (HTMX) with its decision history."""
    _ = gettext(language_of(request))
    ctx = _passenger_context(request, who, passenger_id)
    if hit_id not in {c.hit.id for c in ctx["cards"]}:  # another passenger's hit
        return render(request, "error.html", status_code=404, title=_("Not found"),
                      message=_("No hit {id}.").format(id=hit_id), hint=None)  # fmt: skip
    status = 200
    try:
        travel.decide(hub_of(request), who.actor, hit_id, decision, reason, legal_basis)
    except CthubError as exc:
        field = _decision_field(decision, reason, legal_basis)
        ctx.update(error_context(exc, _, field), failed_hit=hit_id,
                   form={"reason": reason, "legal_basis": legal_basis})  # fmt: skip
        status = status_of(request, exc)
    else:
        if not is_hx(request):
            return redirect(request, f"/travel/passengers/{passenger_id}#hit-{hit_id}")
        ctx["cards"] = hit_cards(request, who, travel.passenger(hub_of(request), who.actor,
                                                                passenger_id).hits)  # fmt: skip
    if not is_hx(request):
        return render(request, "travel/passenger.html", status_code=status, **ctx)
    card = next(c for c in ctx["cards"] if c.hit.id == hit_id)
    return render(request, "travel/hit.html", status_code=status, card=card, **ctx)


@router.post("/passengers/{passenger_id}/unmask", response_class=HTMLResponse)
def ask_unmask(
    passenger_id: Id, request: Request, who: Caller = Depends(page_caller), reason: Text = ""
) -> Response:
    """Ask for a masked passenger's data; an administrator other than the asker decides."""
    _ = gettext(language_of(request))
    status, extra = 200, NO_ERRORS
    try:
        travel.request_unmask(hub_of(request), who.actor, passenger_id, reason)
    except CthubError as exc:
        extra = error_context(exc, _, "reason" if exc.code == "invalid_input" else None)
        status = status_of(request, exc)
    else:
        if not is_hx(request):
            return redirect(request, f"/travel/passengers/{passenger_id}#unmask")
    ctx = _passenger_context(request, who, passenger_id)
    ctx.update(extra, form={"reason": reason} if status != 200 or extra["error"]
               or extra["errors"] else {}, asked=extra is NO_ERRORS)  # fmt: skip
    template = "travel/unmask_ask.html" if is_hx(request) else "travel/passenger.html"
    return render(request, template, status_code=status, **ctx)


__all__ = ["nav", "router"]
