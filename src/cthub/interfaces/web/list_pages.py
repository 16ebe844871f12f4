"""The diff between two versions of a sanctions list: what was added, removed and changed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, Response

from cthub.core.i18n import N_
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import render
from cthub.interfaces.web.guard import page_caller
from cthub.lists import diff, entries

router = APIRouter(include_in_schema=False)
SHOWN = 500  # entries named per change kind; the counts are always complete


@router.get("/lists/{name}/diff", response_class=HTMLResponse)
def list_diff_page(
    request: Request,
    name: str = FastPath(max_length=60),
    from_version: int = Query(..., ge=1, le=2**31 - 1),
    to_version: int = Query(..., ge=1, le=2**31 - 1),
    who: Caller = Depends(page_caller),
) -> Response:
    """Added and changed entries as the new version has them; removed ones as the old had."""
    hub = hub_of(request)
    view = diff(hub, who.actor, name, from_version, to_version)
    new_refs = view.added[:SHOWN] + view.changed[:SHOWN]
    new = {e.ref: e for e in entries(hub, who.actor, name, to_version, new_refs)}
    old = {e.ref: e for e in entries(hub, who.actor, name, from_version, view.removed[:SHOWN])}
    groups = [
        (N_("Added"), "added", [new[r] for r in view.added[:SHOWN] if r in new], len(view.added)),
        (N_("Changed"), "changed", [new[r] for r in view.changed[:SHOWN] if r in new],
         len(view.changed)),
        (N_("Removed (delisted)"), "removed", [old[r] for r in view.removed[:SHOWN] if r in old],
         len(view.removed)),
    ]  # fmt: skip
    return render(
        request,
        "list_diff.html",
        view=view,
        groups=groups,
        shown=SHOWN,
        breadcrumbs=[(N_("Sanctions lists"), "/lists"), (N_("Changes"), request.url.path)],
    )


__all__ = ["router"]
