"""Coordination analytics pages: the dashboard (gap heatmap, world map), overlap review, priorities.

Charts are drawn in the browser by the vendored Apache ECharts from JSON embedded in the page
(``<script type="application/json">``, never executed), with the chart code served from the
package (``/coordination/charts.js``), so a page loads nothing from outside and needs no
inline script. Every chart has a table beside it with the same figures. Colours are the
report's (``charts.GAP_SCALE``, ``charts_map.VALUE_SCALE``) so the two read alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cthub.coordination import analysis, charts, charts_map, priority, service, taxonomy
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import env, language_of, render
from cthub.interfaces.web.coordination_pages import (
    OVERLAP_STATES,
    Id,
    Text,
    crumbs,
    form_errors,
    place_name,
    vocabulary,
)
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
env.filters["gap_colour"] = charts.gap_colour
env.filters["gap_ink"] = lambda gap: charts.text_colour_on(charts.gap_colour(gap))
HEATMAP_ROWS = 15
TOP_GAPS = 12


@cache
def _chart_script() -> bytes:
    return (files("cthub.interfaces.web") / "templates" / "coordination" / "charts.js").read_bytes()


@router.get("/charts.js")
def chart_script(who: Caller = Depends(page_caller)) -> Response:
    return Response(_chart_script(), media_type="text/javascript",
                    headers={"Cache-Control": "private, max-age=300"})  # fmt: skip


def _heatmap(cells: Sequence[Any], lang: str, _: GetText) -> dict[str, Any]:
    """The recipients with the most priority-weighted unmet need, by area."""
    unmet: dict[str, float] = defaultdict(float)
    for c in cells:
        unmet[c.recipient] += c.need_weight * c.gap
    rows = sorted((r for r in unmet if unmet[r] > 0), key=lambda r: (-unmet[r], r))[:HEATMAP_ROWS]
    columns = list(taxonomy.AREA_KEYS)
    matrix: list[list[int | None]] = [[None] * len(columns) for _r in rows]
    data = []
    for c in cells:
        if c.recipient in rows and c.need_weight > 0:
            x, y, value = columns.index(c.area), rows.index(c.recipient), round(c.gap * 100)
            matrix[y][x] = value
            fill = charts.gap_colour(c.gap)
            data.append({"value": [x, y, value], "itemStyle": {"color": fill},
                         "label": {"color": charts.text_colour_on(fill)}})  # fmt: skip
    return {
        "rows": [f"{place_name(r, lang)} ({r})" for r in rows],
        "codes": rows,
        "labelWidth": 104,
        "columns": [_(taxonomy.area(k).label) for k in columns],
        "data": data,
        "matrix": matrix,
        "legend": [(c, f"{i * 20}-{i * 20 + 20}%") for i, c in enumerate(charts.GAP_SCALE)],
    }


def _world(scores: Sequence[Any], lang: str) -> dict[str, Any]:
    """Priority score per country (regions have no shape on a map and are listed instead)."""
    items = [{"code": s.recipient, "name": place_name(s.recipient, lang),
              "value": round(s.total, 3)} for s in scores]  # fmt: skip
    return {"items": items, "scale": list(charts_map.VALUE_SCALE), "no_data": charts_map.NO_DATA}


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub, actor = hub_of(request), who.actor
    lang = language_of(request)
    _ = gettext(lang)
    cells = analysis.gap_cells(hub, actor)
    scores = sorted(analysis.priorities(hub, actor), key=lambda s: -s.total)
    figures = {
        "open_needs": service.list_needs(hub, actor, service.Filter(status="open"), 1).total,
        "active_projects": service.list_projects(
            hub, actor, service.Filter(status="implementation"), 1
        ).total,
        "flagged": len(analysis.list_overlaps(hub, actor, state="flagged")),
        "recipients": len(scores),
    }
    top = sorted((c for c in cells if c.gap > 0), key=lambda c: (-c.need_weight * c.gap, -c.gap))
    return render(
        request,
        "coordination/dashboard.html",
        figures=figures,
        top_gaps=top[:TOP_GAPS],
        heatmap=_heatmap(cells, lang, _),
        world=_world(scores, lang),
        scores=scores[:10],
        chart_lang="ZH" if lang == "zh_Hans" else "EN",
        breadcrumbs=crumbs(),
        **vocabulary(),
    )


# -- overlap review --------------------------------------------------------------------------


def _overlaps_page(request: Request, who: Caller, **extra: Any) -> Response:
    hub = hub_of(request)
    state = request.query_params.get("state", "flagged")
    chosen = state if state in OVERLAP_STATES else None
    pairs = analysis.list_overlaps(hub, who.actor, state=chosen)
    return render(
        request,
        "coordination/overlaps.html",
        pairs=pairs,
        state=chosen or "",
        projects={p.id: p for p in service.load_register(hub, who.actor).projects},
        may_decide=who.actor.role == "coordinator" or who.actor.is_system,
        breadcrumbs=crumbs((N_("Overlaps"), "/coordination/overlaps")),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, **extra},
        **vocabulary(),
    )


@router.get("/overlaps", response_class=HTMLResponse)
def overlaps_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _overlaps_page(request, who)


@router.post("/overlaps/detect", response_class=HTMLResponse)
def overlaps_detect(request: Request, who: Caller = Depends(page_caller)) -> Response:
    result = analysis.detect(hub_of(request), who.actor)
    return _overlaps_page(request, who, detected=result)


@router.post("/overlaps/{review_id}/decision", response_class=HTMLResponse)
def overlap_decision(
    review_id: Id, request: Request, who: Caller = Depends(page_caller),
    decision: Text = "", note: Text = "",
) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub = hub_of(request)
    extra: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
    try:
        analysis.decide_overlap(hub, who.actor, review_id, decision, note)
    except CthubError as exc:
        extra = form_errors(exc, _, ("note",))
    if not request.headers.get("hx-request") and not extra["errors"] and not extra["error"]:
        return RedirectResponse("/coordination/overlaps", status_code=303)
    pair = next((o for o in analysis.list_overlaps(hub, who.actor) if o.id == review_id), None)
    projects = {p.id: p for p in service.load_register(hub, who.actor).projects}
    return render(
        request,
        "coordination/overlap_pair.html",
        o=pair,
        review_id=review_id,
        note=note,
        projects=projects,
        may_decide=who.actor.role == "coordinator",
        **extra,
        **vocabulary(),
    )


# -- priorities --------------------------------------------------------------------------------


def _priorities_page(request: Request, who: Caller, status: int = 200, **extra: Any) -> Response:
    scores = analysis.priorities(hub_of(request), who.actor)
    weights = scores[0].weights if scores else dict(priority.DEFAULT_WEIGHTS)
    return render(
        request,
        "coordination/priorities.html",
        status_code=status,
        scores=scores,
        components=list(weights),
        weights=weights,
        saved=request.query_params.get("saved") == "1",
        may_edit=who.actor.role == "coordinator",
        breadcrumbs=crumbs((N_("Priorities"), "/coordination/priorities")),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, "form": None, **extra},
        **vocabulary(),
    )


@router.get("/priorities", response_class=HTMLResponse)
def priorities_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _priorities_page(request, who)


@router.post("/priorities/weights", response_class=HTMLResponse)
async def priority_weights(request: Request, who: Caller = Depends(page_caller)) -> Response:
    form = await request.form()
    raw = {k[2:]: str(v) for k, v in form.items() if k.startswith("w_")}
    return await run_in_threadpool(_save_weights, request, who, raw)


def _save_weights(request: Request, who: Caller, raw: dict[str, str]) -> Response:
    """Each weight beside its field: a non-number here, the service's refusal otherwise."""
    _ = gettext(language_of(request))
    weights: dict[str, float] = {}
    for key, text in raw.items():
        try:
            weights[key] = float(text.strip().replace(",", "."))
        except ValueError:
            errors = {key: _("Enter a number of 0 or more.")}
            return _priorities_page(request, who, 400, errors=errors, form=raw)
    try:
        analysis.set_weights(hub_of(request), who.actor, weights)
    except CthubError as exc:
        named = exc.params.get("key")
        extra = form_errors(exc, _, ())
        if isinstance(named, str) and named in raw:
            extra = {**extra, "errors": {named: extra["error"]}, "error": None}
        return _priorities_page(request, who, exc.http_status, form=raw, **extra)
    return RedirectResponse("/coordination/priorities?saved=1", status_code=303)
