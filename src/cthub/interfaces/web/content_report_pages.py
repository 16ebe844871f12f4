"""The transparency report page: matches by month (an ECharts chart with the same figures as a
table), by label, and downloads of the CSV and of the PDF in English or Chinese.

The chart is drawn in the browser by the vendored Apache ECharts from JSON embedded in the page
(never executed), with the script served from the package (``/content/content.js``), so the
page loads nothing from outside. The counts, the CSV and the PDF all come from
``cthub.content.report``, which checks the policy and audits each one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cthub.content import report
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.content_pages import NO_ERRORS, error_context, vocabulary
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/content")
CRUMB = (N_("Transparency report"), "/content/transparency")


def _chart(data: report.Transparency, lang: str, _: GetText) -> dict[str, Any]:
    """What ``content.js`` draws: months on the x axis, one stacked series per state."""
    months = data.months()
    return {
        "lang": "ZH" if lang == "zh_Hans" else "EN",
        "months": [m for m, _counts in months],
        "series": [
            {
                "state": s,
                "name": _(report.STATE_LABELS[s]),
                "colour": report.STATE_COLOURS[s],
                "data": [counts[s] for _m, counts in months],
            }
            for s in report.STATE_LABELS
        ],
        "axis": _("Matches"),
    }


def _links(since: str, until: str) -> dict[str, str]:
    query = urlencode({k: v for k, v in (("since", since), ("until", until)) if v})
    tail = f"?{query}" if query else ""
    sep = "&" if query else "?"
    return {
        "csv": f"/content/transparency.csv{tail}",
        "pdf_en": f"/content/transparency.pdf{tail}{sep}lang=en",
        "pdf_zh": f"/content/transparency.pdf{tail}{sep}lang=zh_Hans",
    }


def _page(request: Request, who: Caller, since: str, until: str) -> Response:
    lang = language_of(request)
    _ = gettext(lang)
    status, extra = 200, dict(NO_ERRORS)
    try:
        data: report.Transparency | None = report.build(
            hub_of(request), who.actor, since or None, until or None
        )
    except CthubError as exc:
        data, status = None, exc.http_status
        extra = error_context(exc, _)
        field = exc.params.get("field")
        if field in ("since", "until"):  # beside the month it is about
            extra = {**NO_ERRORS, "errors": {str(field): exc.render(_)},
                     "hints": {str(field): exc.render_hint(_)}}  # fmt: skip
    return render(
        request,
        "content/transparency.html",
        status_code=status,
        data=data,
        chart=_chart(data, lang, _) if data else None,
        since=since,
        until=until,
        links=_links(since, until),
        state_labels=report.STATE_LABELS,
        report_actions=report.ACTION_LABELS,
        breadcrumbs=[CRUMB],
        **extra,
        **vocabulary(),
    )


@router.get("/transparency", response_class=HTMLResponse)
def transparency_page(
    request: Request,
    who: Caller = Depends(page_caller),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
) -> Response:
    return _page(request, who, since.strip(), until.strip())


@router.get("/transparency.csv")
def transparency_csv(
    request: Request,
    who: Caller = Depends(page_caller),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
) -> Response:
    text = report.export_csv(hub_of(request), who.actor, since or None, until or None)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="transparency.csv"'})  # fmt: skip


@router.get("/transparency.pdf")
def transparency_pdf(
    request: Request,
    who: Caller = Depends(page_caller),
    lang: str = Query("en", max_length=10),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
) -> Response:
    body = report.export_pdf(hub_of(request), who.actor, lang, since or None, until or None)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="transparency-{lang}.pdf"'})  # fmt: skip


__all__ = ["router"]
