"""``create_app(settings)``: the FastAPI application serving the API and the web UI.

``cthub serve`` and the tests build the app the same way. Errors are mapped in one table: a
``CthubError`` becomes its HTTP status and ``{"error", "message", "hint"}``; anything else is
logged and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from cthub import __version__
from cthub.core.config import Settings
from cthub.core.errors import CthubError, Unauthenticated
from cthub.core.hub import Hub
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.routers import (
    admin,
    content,
    content_banks,
    content_review,
    coordination,
    core,
    entities,
    exchange,
    exchange_node,
    finance,
    finance_rules,
    finance_score,
    oversight,
    ownership,
    screening,
    taxii,
    travel,
)
from cthub.interfaces.api.schemas import ErrorBody

log = logging.getLogger(__name__)
ERROR_TITLES = {
    400: N_("The request cannot be processed"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Conflict"),
}


def _language(request: Request) -> str:
    from cthub.interfaces.web.context import language_of

    return language_of(request)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/healthz")) and request.method == "GET"


async def _cthub_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, CthubError):  # pragma: no cover - registered for CthubError only
        return await _unexpected(request, exc)
    if isinstance(exc, Unauthenticated) and _wants_html(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    _ = gettext(_language(request))
    if _wants_html(request):
        from cthub.interfaces.web.context import render

        return render(
            request,
            "error.html",
            status_code=exc.http_status,
            title=_(ERROR_TITLES.get(exc.http_status, N_("Error"))),
            message=exc.render(_),
            hint=exc.render_hint(_),
        )
    body = exc.to_dict(_)
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(body, status_code=exc.http_status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover
        return await _unexpected(request, exc)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
    field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    body = {
        "error": "invalid_input",
        "message": f"{field or 'request'}: {first.get('msg')}",
        "hint": "See the schema at /api/docs.",
    }
    return JSONResponse(body, status_code=400)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown route, unparseable body) in the one error shape."""
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
        return await _unexpected(request, exc)
    codes = {404: "not_found", 405: "method_not_allowed", 400: "invalid_input"}
    body = {
        "error": codes.get(exc.status_code, "http_error"),
        "message": str(exc.detail),
        "hint": None,
    }
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _openapi_with_our_errors(app: FastAPI) -> dict[str, Any]:
    """Document validation failures as the 400 + ErrorBody they are, not FastAPI's 422."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path in schema.get("paths", {}).values():
        for op in path.values():
            responses = op.get("responses", {})
            if responses.pop("422", None) is not None:
                responses["400"] = {
                    "description": "Invalid input",
                    "content": {"application/json": {"schema": error_ref}},
                }
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    app.openapi_schema = schema
    return schema


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        {"error": "internal", "message": "Internal error.", "hint": None}, status_code=500
    )


class App(FastAPI):
    """The FastAPI app, with one hot route served ahead of the framework: ``POST
    /api/finance/score`` (real-time scoring) goes straight to its handler with the same error
    mapping, skipping the middleware stack and the routing, which cost more per call than the
    scoring. It stays in the router for the OpenAPI document and for mounted sub-apps."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and (scope["path"] == finance_score.PATH)
        ):
            scope["app"] = self
            request = Request(scope, receive)
            try:
                response = await finance_score.serve(request)
            except CthubError as exc:
                response = await _cthub_error(request, exc)
            except Exception as exc:  # noqa: BLE001 - logged and answered with a 500
                response = await _unexpected(request, exc)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> FastAPI:
    """Build the app. Pass ``hub`` to share one with the caller (tests, ``cthub serve``)."""
    hub = hub or Hub.open(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _ = hub.jobs  # start the in-process worker (or connect to Redis) with the server
        yield

    app = App(
        title="cthub",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        description="Counter-terrorism cooperation hub. Authenticate with a session "
        "(POST /api/auth/login) or `Authorization: Bearer <api key>`.",
    )
    app.state.hub = hub
    app.openapi = lambda: _openapi_with_our_errors(app)  # type: ignore[method-assign]
    app.add_exception_handler(CthubError, _cthub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    routers = (
        finance_score, core, admin, oversight, entities, screening, coordination, travel,
        content, content_banks, content_review, finance, finance_rules, ownership,
        exchange, exchange_node, taxii,
    )  # fmt: skip
    for router in (module.router for module in routers):
        app.include_router(router)
    from cthub.interfaces.web import mount

    mount(app)
    app.mount(
        "/static",
        StaticFiles(directory=str(files("cthub.interfaces.web") / "static")),
        name="static",
    )
    return app


__all__ = ["App", "create_app"]
