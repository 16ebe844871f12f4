"""Transaction alerts: the review queue (sorted by score, filtered by state and dataset, each
row with the rules that fired) and one alert's page, which explains it (each rule with its
title, weight and the transactions it fired on, with the rule's detail), shows its network
measures and a small interactive graph of the account's neighbourhood, and opens a case. A
case is opened from the alerts ticked in the queue or from an alert's page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from cthub import finance
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, gettext
from cthub.finance import graph_view, queues
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.finance_graph import draw
from cthub.interfaces.web.finance_pages import NO_ERRORS, error_context, vocabulary
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/finance")
ALERTS = (N_("Transaction alerts"), "/finance/alerts")
PAGE_SIZE = 50
SORT_LABELS = {"score": N_("Score"), "last_seen": N_("Last seen"),
               "tx_count": N_("Transactions"), "account": N_("Account")}  # fmt: skip


def rule_titles(request: Request, who: Caller) -> dict[str, Any]:
    """Rule name -> the rule as the organisation runs it (title, weight, description)."""
    return {r.name: r for r in finance.list_rules(hub_of(request), who.actor)}


def _query(state: str, dataset: str, sort: str) -> Callable[..., str]:
    def query(**changes: Any) -> str:
        params = {"state": state, "dataset": dataset, "sort": sort, "page": 1, **changes}
        return "/finance/alerts?" + urlencode({k: v for k, v in params.items() if v != ""})

    return query


def _alerts_context(request: Request, who: Caller, state: str, dataset: str, sort: str,
                    page: int, **extra: Any) -> dict[str, Any]:  # fmt: skip
    hub = hub_of(request)
    state = state if state in (*queues.ALERT_STATES, "all") else "open"
    sort = sort if sort in queues.ALERT_SORTS else "score"
    rows = queues.alert_page(hub, who.actor, "" if state == "all" else state, dataset, sort,
                             page, PAGE_SIZE)  # fmt: skip
    rules = rule_titles(request, who)
    return {
        "page": rows,
        "state": state,
        "dataset": dataset,
        "sort": sort,
        "query": _query(state, dataset, sort),
        "datasets": [d.name for d in finance.list_datasets(hub, who.actor)],
        "titles": {name: r.title for name, r in rules.items()},
        "sort_labels": SORT_LABELS,
        "may_open": may(who.actor, "finance.cases"),
        "form": {"title": "", "alert_ids": []},
        "breadcrumbs": [ALERTS],
        **NO_ERRORS,
        **vocabulary(),
        **extra,
    }


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("open", max_length=20),
    dataset: str = Query("", max_length=120),
    sort: str = Query("score", max_length=20),
    page: str = Query("1", max_length=8),
) -> Response:
    ctx = _alerts_context(request, who, state, dataset, sort, page_number(page))
    return render(request, "finance/alerts.html", **ctx)


def _ids(values: list[str]) -> list[int]:
    ids = [int(v) for v in values if v.strip().isdigit() and len(v.strip()) < 11]
    if not ids or len(ids) != len(values):
        raise InvalidInput("Tick the alerts the case is about.",
                           hint="A case groups one or more open alerts.")  # fmt: skip
    return ids


@router.post("/cases", response_class=HTMLResponse)
def open_case(
    request: Request,
    who: Caller = Depends(page_caller),
    alert_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI's form default
    title: Text = "",
    back: Text = "",
) -> Response:
    """Group the chosen alerts into a new case; the case's page follows. A refusal comes back
    in the form (HTMX), or on the page the form was on."""
    _ = gettext(language_of(request))
    try:
        case = finance.open_case(hub_of(request), who.actor, _ids(alert_id[:500]), title)
    except CthubError as exc:
        field = "title" if exc.message == "A case needs a title." else None
        extra = {**error_context(exc, _, field), "form": {"title": title, "alert_ids": alert_id}}
        status = status_of(request, exc)
        if is_hx(request):
            ctx = {**extra, "may_open": True, "back": back, **vocabulary()}
            return render(request, "finance/open_case_form.html", status_code=status, **ctx)
        page = back.removeprefix("/finance/alerts/")
        if page.isdigit() and len(page) < 11:
            ctx = _alert_context(request, who, int(page), **extra)
            return render(request, "finance/alert.html", status_code=status, **ctx)
        ctx = _alerts_context(request, who, "open", "", "score", 1, **extra)
        return render(request, "finance/alerts.html", status_code=status, **ctx)
    return redirect(request, f"/finance/cases/{case.id}")


def _measures(a: finance.AlertView) -> list[tuple[str, Any]]:
    order = ("component_size", "fan_in", "fan_out")  # hops: 0, an alerted account is a seed
    return [(k, a.network[k]) for k in order if k in a.network]


def _explanation(a: finance.AlertView, rules: dict[str, Any]) -> list[dict[str, Any]]:
    """The fired rules, highest weight first, each with the transactions it fired on."""
    names = [n for n in a.rules.split(",") if n]
    names += sorted({str(h["rule"]) for h in a.hits} - set(names))
    out = []
    for name in names:
        rule = rules.get(name)
        hits = [h for h in a.hits if h.get("rule") == name]
        out.append({"name": name, "rule": rule, "hits": hits,
                    "weight": rule.weight if rule else None})  # fmt: skip
    return sorted(out, key=lambda r: -(r["weight"] or 0))


def _alert_context(request: Request, who: Caller, alert_id: int, **extra: Any) -> dict[str, Any]:
    _ = gettext(language_of(request))
    hub = hub_of(request)
    row = queues.alert(hub, who.actor, alert_id)
    graph = graph_view.neighbourhood(hub, who.actor, alert_id)
    a = row.alert
    nearest = min((n.hops for n in graph.nodes if n.hops and n.alert_id is not None), default=None)
    return {
        "row": row,
        "a": a,
        "explained": _explanation(a, rule_titles(request, who)),
        "measures": _measures(a),
        "graph": graph,
        "drawing": draw(graph, _),
        "nearest": nearest,
        "may_open": may(who.actor, "finance.cases") and a.state == "open",
        "form": {"title": _("Alert on {account}").format(account=a.account), "alert_ids": [a.id]},
        "back": f"/finance/alerts/{a.id}",
        "breadcrumbs": [ALERTS, (a.account, f"/finance/alerts/{a.id}")],
        **NO_ERRORS,
        **vocabulary(),
        **extra,
    }


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "finance/alert.html", **_alert_context(request, who, alert_id))


__all__ = ["router", "rule_titles"]
