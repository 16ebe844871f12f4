"""The country page (needs, projects, priority, treaties, meetings) and the CTC report builder.

A country page gathers what the register, the priority score, the treaty tracker, meetings and
the knowledge base hold on one recipient; each part comes from its own service, as the actor
may see it. The report builder previews the semiannual report in a sandboxed frame (the HTML
``reporting.preview`` renders, nothing stored) and downloads it as HTML or PDF
(``reporting.generate``, which stores the period's snapshot: hence a POST).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.coordination import (
    analysis,
    briefing,
    centres,
    knowledge,
    meetings,
    reporting,
    service,
    treaties,
    validation,
)
from cthub.core.errors import CthubError
from cthub.core.i18n import LANGUAGES, N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_pages import Text, crumbs, form_errors, may_write, vocabulary
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
Code = Annotated[str, FastPath(min_length=2, max_length=3, pattern=r"^[A-Za-z0-9]{2,3}$")]
LISTED = 100
REPORT_CRUMB = (N_("CTC report"), "/coordination/report")


def _treaties(request: Request, who: Caller, code: str) -> dict[str, Any]:
    """Treaty status and peers, for a country (a region has no treaty status)."""
    if not (len(code) == 2 and code.isalpha()):
        return {"treaty": None, "peers": None}
    hub = hub_of(request)
    status = treaties.country_status(hub, who.actor, code)
    peers = treaties.peer_comparison(hub, who.actor, code) if status.has_data else None
    return {"treaty": status, "peers": peers, "treaty_states": treaties.TREATY_STATES}


def _country(request: Request, who: Caller, code: str, status: int = 200, **extra: Any) -> Response:
    hub, actor = hub_of(request), who.actor
    by_priority = service.Filter(recipient=code, sort="-priority")
    by_start = service.Filter(recipient=code, sort="-start_date")
    is_country = len(code) == 2 and code.isalpha()
    score = next((s for s in analysis.priorities(hub, actor) if s.recipient == code), None)
    _ = gettext(language_of(request))
    return render(
        request,
        "coordination/country.html",
        status_code=status,
        code=code,
        needs=service.list_needs(hub, actor, by_priority, LISTED),
        projects=service.list_projects(hub, actor, by_start, LISTED),
        score=score,
        gaps=sorted(
            (c for c in analysis.gap_cells(hub, actor) if c.recipient == code and c.need_weight),
            key=lambda c: -c.gap,
        ),
        meetings=meetings.list_meetings(hub, actor, recipient=code, limit=5),
        actions=meetings.list_open_actions(hub, actor, recipient=code),
        lessons=knowledge.list_evaluations(hub, actor, recipient=code, limit=5),
        kinds=knowledge.KINDS,
        centres=centres.list_centres(hub, actor, country=code).items if is_country else [],
        may_adjust=actor.role == "coordinator",
        may_write=may_write(actor),
        breadcrumbs=crumbs((_("Country {code}").format(code=code), request.url.path)),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, "form": {}, **extra},
        **_treaties(request, who, code),
        **vocabulary(),
    )


def _code(raw: str) -> str:
    """The recipient as the register stores it (``jo`` -> ``JO``; an unknown one is refused)."""
    return validation.recipient(raw.upper())


@router.get("/countries/{code}", response_class=HTMLResponse)
def country_page(code: Code, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _country(request, who, _code(code))


@router.post("/countries/{code}/adjustment", response_class=HTMLResponse)
def country_adjustment(
    code: Code, request: Request, who: Caller = Depends(page_caller),
    adjustment: Text = "", reason: Text = "",
) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    recipient = _code(code)
    form = {"adjustment": adjustment, "reason": reason}
    try:
        value = float(adjustment.strip() or "0")
    except ValueError:
        errors = {"adjustment": _("Enter a number between -1 and 1.")}
        return _country(request, who, recipient, 400, errors=errors, form=form)
    try:
        analysis.adjust_priority(hub_of(request), who.actor, recipient, value, reason)
    except CthubError as exc:
        extra = form_errors(exc, _, ("adjustment", "reason"))
        return _country(request, who, recipient, exc.http_status, form=form, **extra)
    return RedirectResponse(f"/coordination/countries/{recipient}#priority", status_code=303)


@router.get("/countries/{code}/briefing.md")
def country_briefing(code: Code, request: Request, who: Caller = Depends(page_caller)) -> Response:
    recipient = _code(code)
    pack = meetings.briefing_pack(hub_of(request), who.actor, recipient)
    text = briefing.briefing_markdown(pack, gettext(language_of(request)))
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="briefing-{recipient}.md"'},
    )


# -- the CTC report ----------------------------------------------------------------------------


def current_period(today: dt.date | None = None) -> str:
    day = today or dt.date.today()
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def _report(request: Request, who: Caller, period: str, lang: str, status: int = 200,
            preview: str | None = None, **extra: Any) -> Response:  # fmt: skip
    return render(
        request,
        "coordination/report.html",
        status_code=status,
        period=period,
        report_lang=lang,
        report_languages=LANGUAGES,
        preview=preview,
        history=reporting.history(hub_of(request), who.actor),
        breadcrumbs=crumbs(REPORT_CRUMB),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, **extra},
    )


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    q = request.query_params
    period = (q.get("period") or current_period()).strip().upper()
    lang = q.get("lang") or language_of(request)
    if "period" not in q:
        return _report(request, who, period, lang)
    _ = gettext(language_of(request))
    try:
        html = reporting.preview(hub_of(request), who.actor, period, lang)
    except CthubError as exc:
        extra = form_errors(exc, _, ("period", "lang"))
        return _report(request, who, period, lang, exc.http_status, **extra)
    return _report(request, who, period, lang, preview=html)


@router.post("/report/download", response_class=HTMLResponse)
def report_download(
    request: Request, who: Caller = Depends(page_caller),
    period: Text = "", lang: Text = "en", fmt: Text = "pdf",
) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    period = period.strip().upper()
    try:
        body = reporting.generate(hub_of(request), who.actor, period, fmt, lang)
    except CthubError as exc:
        extra = form_errors(exc, _, ("period", "lang", "format"))
        return _report(request, who, period, lang, exc.http_status, **extra)
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    name = f"ctc-report-{period}-{lang}.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
