"""Matching a file, and the review queue of content matches.

"Match a file" hashes one upload and lists each match with its explanation (PDQ distance
against the bank's threshold, or the exact hash), the review item it opened, and why nothing
matched when nothing did (a photo too flat for PDQ, a negative bank). The review queue shows
each match with its thumbnail blurred until the reviewer chooses to look (protecting
reviewers from what they need not see), and a form to confirm or reject it with a reason; a
rejection may add the file's hashes to one of the organisation's negative banks.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cthub import content
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.content_pages import MATCH_STATES, NO_ERRORS, error_context, vocabulary
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/content")
MATCH = (N_("Match a file"), "/content/match")
REVIEW = (N_("Content review"), "/content/review")


# -- match a file -----------------------------------------------------------------------------


def _match_page(request: Request, who: Caller, status: int = 200, **extra: Any) -> Response:
    banks = content.list_banks(hub_of(request), who.actor)
    ctx: dict[str, Any] = {"result": None, "file": "", "chosen": [], **NO_ERRORS, **extra}
    return render(request, "content/match.html", status_code=status, banks=banks,
                  breadcrumbs=[MATCH], **ctx, **vocabulary())  # fmt: skip


@router.get("/match", response_class=HTMLResponse)
def match_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _match_page(request, who)


@router.post("/match", response_class=HTMLResponse)
async def match_file(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Hash and match one upload; the answer lists the matches with their explanations."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    extra: dict[str, Any] = {}
    status = 200
    try:
        limit = hub.settings.content_max_bytes
        uploads.check_declared(request, limit)
        async with request.form(max_files=1, max_fields=110) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("Choose a file to upload.")
            chosen = [str(v) for v in form.getlist("banks") if isinstance(v, str) and v]
            extra["chosen"] = chosen
            async with uploads.saved([upload], limit) as files:
                results = await run_in_threadpool(
                    partial(content.match_files, refs=[files[0].name]), hub, who.actor,
                    [files[0].path], banks=chosen or None,
                )  # fmt: skip
                result = results[0]
                result.notes = [uploads.shown(n, files) for n in result.notes]
                extra.update(result=result, file=files[0].name)
    except CthubError as exc:
        extra.update(error_context(exc, _))
        status = status_of(request, exc)
    if is_hx(request):
        ctx: dict[str, Any] = {"result": None, "file": "", **NO_ERRORS, **extra}
        return render(request, "content/match_result.html", **ctx, **vocabulary())
    return _match_page(request, who, status, **extra)


# -- review -----------------------------------------------------------------------------------


def _query(params: dict[str, object]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _negative_banks(request: Request, who: Caller) -> list[content.BankView]:
    """The negative banks a rejection may feed: the reviewer's organisation's own."""
    if not may(who.actor, "content.banks"):
        return []
    mine = who.actor.org_id
    return [b for b in content.list_banks(hub_of(request), who.actor)
            if b.negative and (who.actor.is_system or b.org_id == mine)]  # fmt: skip


def _review_context(request: Request, who: Caller) -> dict[str, Any]:
    return {
        "may_decide": may(who.actor, "content.review"),
        "negative_banks": _negative_banks(request, who),
        "failed": None,
        "form": {},
        **NO_ERRORS,
        **vocabulary(),
    }


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    who: Caller = Depends(page_caller),
    state: str = Query("open", max_length=20),
    page: str = Query("1", max_length=8),
) -> Response:
    hub = hub_of(request)
    state = state if state in MATCH_STATES else "open"
    number, size = page_number(page), hub.settings.page_size
    items, total = content.queue(hub, who.actor, state, size, (number - 1) * size)
    return render(
        request,
        "content/review.html",
        items=items,
        total=total,
        state=state,
        page=number,
        pages=max(1, -(-total // size)),
        query=lambda **changes: _query({"state": state, **changes}),
        breadcrumbs=[REVIEW],
        **_review_context(request, who),
    )


@router.get("/review/{item_id}/thumbnail")
def thumbnail(item_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """The match's thumbnail (audited); the page shows it blurred until revealed."""
    data = content.thumbnail(hub_of(request), who.actor, item_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


def _decision_errors(exc: CthubError, _: GetText, decision: str, reason: str) -> dict[str, Any]:
    """``exc`` beside the reason when a reason is what it lacks, else above the form."""
    if decision in ("confirmed", "rejected") and not reason.strip():
        message, hint = exc.render(_), exc.render_hint(_)
        return {"errors": {"reason": message}, "hints": {"reason": hint}, "error": None,
                "hint": None}  # fmt: skip
    return error_context(exc, _)


@router.post("/review/{item_id}/decision", response_class=HTMLResponse)
def decide(
    item_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    decision: Text = "",
    reason: Text = "",
    negative_bank: Text = "",
) -> Response:
    """Confirm or reject a match; HTMX gets the item back with its decision (or the error)."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    ctx = _review_context(request, who)
    try:
        item = content.decide(hub, who.actor, item_id, decision, reason, negative_bank or None)
    except CthubError as exc:
        ctx.update(_decision_errors(exc, _, decision, reason), failed=item_id,
                   form={"reason": reason, "negative_bank": negative_bank})  # fmt: skip
        item = content.get_item(hub, who.actor, item_id)
        if not is_hx(request):
            return render(request, "content/review.html", status_code=exc.http_status,
                          items=[item], total=1, state=item.state, page=1, pages=1,
                          query=lambda **c: _query(c), breadcrumbs=[REVIEW], **ctx)  # fmt: skip
    else:
        if not is_hx(request):
            return redirect(request, f"/content/review?state={item.state}")
    return render(request, "content/review_item.html", item=item, **ctx)


__all__ = ["router"]
