"""Form and page helpers shared by the capability pages: path and form types, the role gate
for offering a form, HTMX-aware redirects and error statuses, and page numbers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi import Path as FastPath
from fastapi.responses import RedirectResponse, Response

from cthub.core import policy
from cthub.core.errors import CthubError

Id = Annotated[int, FastPath(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form()]


def may(actor: policy.Actor, action: str) -> bool:
    """Whether to offer a form: the role gate of ``action`` (the service checks again)."""
    return policy.allowed(actor, action)


def is_hx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def redirect(request: Request, url: str) -> Response:
    """After a successful form: HTMX follows ``HX-Redirect``, a plain form a 303."""
    if is_hx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def status_of(request: Request, exc: CthubError) -> int:
    """HTMX swaps only 2xx answers; a plain form gets the error's own status."""
    return 200 if is_hx(request) else exc.http_status


def page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10**6))
    except ValueError:
        return 1


__all__ = ["Id", "Text", "is_hx", "may", "page_number", "redirect", "status_of"]
