"""Coordination pages: the navigation and what every coordination page shares.

Lists sort, filter and paginate on the server (``service.Filter``) and export CSV. Forms post
with HTMX and come back with each ``InvalidInput`` beside the field its ``field`` parameter
names, in the service's own words; a form that succeeds redirects to the record. Policy and
audit stay in ``cthub.coordination.service``: these views parse, call and render.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi import Path as FastPath
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context

from cthub.coordination import report_format, service, taxonomy
from cthub.core import policy
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText
from cthub.core.model.countries import countries
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, env, render

T = TypeVar("T")
#: Form field aliases shared by the coordination forms.
Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]
NO_ERRORS: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
Id = Annotated[int, FastPath(ge=1, le=2**31 - 1)]
WRITE = "coordination.write"
HOME = (N_("Coordination"), "/coordination")
REPORT_ROLES = ("admin", "coordinator")  # coordination.report
AREA_LABELS = {a.key: a.label for a in taxonomy.AREAS}
#: The components of ``priority.PriorityScore`` (keys of ``priority.DEFAULT_WEIGHTS``).
COMPONENT_LABELS = {
    "need_pressure": N_("Need pressure"),
    "unmet_gap": N_("Unmet share of need"),
    "treaty_shortfall": N_("Treaty shortfall"),
    "assessment_recency": N_("Recent CTED assessment"),
}
OVERLAP_STATES = {"flagged": N_("Flagged"), "confirmed": N_("Confirmed"),
                  "dismissed": N_("Dismissed")}  # fmt: skip


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("coordination", N_("Coordination"), "/coordination"),
        NavItem("coordination_needs", N_("Needs"), "/coordination/needs"),
        NavItem("coordination_projects", N_("Projects"), "/coordination/projects"),
        NavItem("coordination_overlaps", N_("Overlaps"), "/coordination/overlaps"),
        NavItem("coordination_priorities", N_("Priorities"), "/coordination/priorities"),
        NavItem("coordination_meetings", N_("Meetings"), "/coordination/meetings"),
        NavItem("coordination_knowledge", N_("Knowledge"), "/coordination/knowledge"),
        NavItem("coordination_report", N_("CTC report"), "/coordination/report", REPORT_ROLES),
    ]


# -- shared by every coordination page -------------------------------------------------------


def place_name(code: str, lang: str = "en") -> str:
    """A recipient's name in ``lang`` (the report's wording): country or IATI region."""
    return report_format.country_name(code, lang)


@pass_context
def _place_filter(ctx: Context, code: str) -> str:
    return place_name(code, str(ctx.get("lang", "en")))


env.filters["place"] = _place_filter


def vocabulary() -> dict[str, Any]:
    """The fixed vocabularies every form and filter offers (labels are msgids)."""
    return {
        "areas": taxonomy.AREAS,
        "area_labels": AREA_LABELS,
        "forms": taxonomy.FORMS,
        "statuses": taxonomy.STATUSES,
        "need_sources": taxonomy.NEED_SOURCES,
        "need_states": taxonomy.NEED_STATES,
        "tlp_levels": taxonomy.TLP_LEVELS,
        "overlap_states": OVERLAP_STATES,
        "component_labels": COMPONENT_LABELS,
        "places": sorted(countries().values(), key=lambda c: c.name),
    }


def crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [HOME, *items]


def may_write(actor: policy.Actor, org_id: int | None = None) -> bool:
    """Whether to offer editing: the role gate, and the record being the actor's own."""
    return policy.allowed(actor, WRITE) and (org_id is None or org_id == actor.org_id)


def require_write(request: Request, who: Caller) -> None:
    """Refuse a form page outright (the policy's own ``Forbidden``) to a role that may not write."""
    with hub_of(request).db.session(readonly=True) as s:
        policy.require(s, who.actor, WRITE)


def form_errors(exc: CthubError, _: GetText, fields: Sequence[str]) -> dict[str, Any]:
    """``exc`` as template context: beside its field when it names one of ``fields``."""
    field = exc.params.get("field")
    message, hint = exc.render(_), exc.render_hint(_)
    if isinstance(field, str) and field in fields:
        return {"errors": {field: message}, "hints": {field: hint}, "error": None, "hint": None}
    return {"errors": {}, "hints": {}, "error": message, "hint": hint}


def redirect(request: Request, url: str) -> Response:
    """After a successful form: HTMX follows ``HX-Redirect``, a plain form a 303."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def link_maker(request: Request) -> Callable[..., str]:
    """``link(sort="title", page=None)``: this page's query string with some keys changed."""
    current = dict(request.query_params)

    def link(**changes: object) -> str:
        merged = {**current, **{k: "" if v is None else str(v) for k, v in changes.items()}}
        return "?" + urlencode({k: v for k, v in merged.items() if v != ""})

    return link


def listing_filter(request: Request, default_sort: str) -> tuple[service.Filter, int]:
    q = request.query_params
    flt = service.Filter(
        recipient=q.get("recipient") or None,
        area=q.get("area") or None,
        status=q.get("status") or None,
        donor=q.get("donor") or None,
        q=q.get("q") or None,
        sort=q.get("sort") or default_sort,
    )
    try:
        page = max(1, min(int(q.get("page") or 1), 10**6))
    except ValueError:
        page = 1
    return flt, page


def page_count(total: int, size: int) -> int:
    """Pages a listing of ``total`` rows takes at ``size`` a page (at least one)."""
    return max(1, -(-total // size))


def listing_page(
    request: Request,
    who: Caller,
    template: str,
    default_sort: str,
    lister: Callable[..., service.Page[Any]],
    crumb: tuple[str, str],
) -> Response:
    """A sorted, filtered, paged register listing (needs, projects) through ``lister``."""
    hub = hub_of(request)
    flt, page = listing_filter(request, default_sort)
    size = hub.settings.page_size
    result = lister(hub, who.actor, flt, size, (page - 1) * size)
    return render(
        request,
        template,
        result=result,
        flt=flt,
        page=page,
        pages=page_count(result.total, size),
        link=link_maker(request),
        deleted=request.query_params.get("deleted") == "1",
        may_create=may_write(who.actor),
        breadcrumbs=crumbs(crumb),
        **vocabulary(),
    )


def every(fetch: Callable[[int, int], service.Page[T]]) -> list[T]:
    """All items of a paged listing (``fetch(limit, offset)``), page by page."""
    items: list[T] = []
    while True:
        page = fetch(service.PAGE_MAX, len(items))
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
