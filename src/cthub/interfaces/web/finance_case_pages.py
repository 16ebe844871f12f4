"""Finance cases: the list (filtered by state and assignee) and one case's page, with its
alerts, comments, the assignee, and the decision (suspicious or not, with a reason; the page
then says who decided and when). A case closed as suspicious downloads as a goAML STR; when
the export is refused (the case is not suspicious, the XML does not validate, the goAML
settings are wrong) the case's page says why instead of a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cthub import finance
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, GetText, gettext
from cthub.finance import queues
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.finance_alert_pages import rule_titles
from cthub.interfaces.web.finance_pages import CASE_STATES, NO_ERRORS, error_context, vocabulary
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/finance/cases")
CASES = (N_("Finance cases"), "/finance/cases")
PAGE_SIZE = 50
#: the refusals of ``finance.close`` / ``comment``, by the form field they are about
FIELD_OF = {
    "A decision needs a reason.": "reason",
    "Unknown decision {decision}.": "reason",
    "A comment cannot be empty.": "text",
}


def _query(state: str, assignee: str) -> Callable[..., str]:
    def query(**changes: Any) -> str:
        params = {"state": state, "assignee": assignee, "page": 1, **changes}
        return "/finance/cases?" + urlencode({k: v for k, v in params.items() if v != ""})

    return query


@router.get("", response_class=HTMLResponse)
def cases_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("", max_length=20),
    assignee: str = Query("", max_length=200),
    page: str = Query("1", max_length=8),
) -> Response:
    state = state if state in CASE_STATES else ""
    rows = queues.case_page(hub_of(request), who.actor, state, assignee, page_number(page),
                            PAGE_SIZE)  # fmt: skip
    return render(request, "finance/cases.html", page=rows, state=state, assignee=assignee,
                  query=_query(state, assignee), breadcrumbs=[CASES],
                  **vocabulary())  # fmt: skip


def _case_context(request: Request, who: Caller, case_id: int, **extra: Any) -> dict[str, Any]:
    case = finance.get_case(hub_of(request), who.actor, case_id)
    rules = rule_titles(request, who)
    return {
        "c": case,
        "titles": {name: r.title for name, r in rules.items()},
        "may_cases": may(who.actor, "finance.cases"),
        "may_decide": may(who.actor, "finance.decide"),
        "may_report": may(who.actor, "finance.report"),
        "form": {},
        "failed": None,  # which form the error belongs to
        "breadcrumbs": [CASES, (_title(case), f"/finance/cases/{case.id}")],
        **NO_ERRORS,
        **vocabulary(),
        **extra,
    }


def _title(case: finance.CaseView) -> str:
    return case.title if len(case.title) <= 60 else case.title[:59] + "…"


@router.get("/{case_id}", response_class=HTMLResponse)
def case_page(case_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "finance/case.html", **_case_context(request, who, case_id))


def _refused(
    request: Request, who: Caller, case_id: int, exc: CthubError, _: GetText, form: str,
    echo: dict[str, str],
) -> Response:  # fmt: skip
    """The case page (or, with HTMX, the form's panel) with the refusal in the right place."""
    ctx = _case_context(request, who, case_id, **error_context(exc, _, FIELD_OF.get(exc.message)))
    ctx.update(failed=form, form=echo)
    template = f"finance/case_{form}.html" if is_hx(request) else "finance/case.html"
    return render(request, template, status_code=status_of(request, exc), **ctx)


@router.post("/{case_id}/assignee", response_class=HTMLResponse)
def assign(
    case_id: Id, request: Request, who: Caller = Depends(page_caller), assignee: Text = ""
) -> Response:
    _ = gettext(language_of(request))
    try:
        finance.assign(hub_of(request), who.actor, case_id, assignee[:200])
    except CthubError as exc:
        return _refused(request, who, case_id, exc, _, "assign", {"assignee": assignee})
    return redirect(request, f"/finance/cases/{case_id}")


@router.post("/{case_id}/comments", response_class=HTMLResponse)
def comment(
    case_id: Id, request: Request, who: Caller = Depends(page_caller), text: Text = ""
) -> Response:
    _ = gettext(language_of(request))
    try:
        finance.comment(hub_of(request), who.actor, case_id, text[:5000])
    except CthubError as exc:
        return _refused(request, who, case_id, exc, _, "comment", {"text": text})
    return redirect(request, f"/finance/cases/{case_id}#comments")


@router.post("/{case_id}/decision", response_class=HTMLResponse)
def decide(
    case_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    reason: Text = "",
) -> Response:
    """A reviewer's decision, with a reason; the page then shows who decided and when."""
    _ = gettext(language_of(request))
    try:
        finance.close(hub_of(request), who.actor, case_id, decision[:40], reason[:5000])
    except CthubError as exc:
        return _refused(request, who, case_id, exc, _, "decide", {"reason": reason})
    return redirect(request, f"/finance/cases/{case_id}")


@router.get("/{case_id}/goaml.xml", response_model=None)
def goaml(case_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """The goAML STR of a suspicious case, or the case page saying why there is none."""
    _ = gettext(language_of(request))
    try:
        xml = finance.export_str(hub_of(request), who.actor, case_id)
    except CthubError as exc:
        if exc.http_status == 404:
            raise
        ctx = _case_context(request, who, case_id, goaml_error=exc.render(_),
                            goaml_hint=exc.render_hint(_))  # fmt: skip
        return render(request, "finance/case.html", status_code=exc.http_status, **ctx)
    disposition = f'attachment; filename="str-case-{case_id}.xml"'
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": disposition})  # fmt: skip


__all__ = ["router"]
