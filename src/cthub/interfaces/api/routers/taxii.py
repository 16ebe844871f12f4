"""TAXII 2.1 under ``/taxii2/``: discovery, API roots, collections, objects, manifest, versions.

Thin: check ``Accept``, verify the signed request against the raw path and query as sent,
call ``cthub.exchange.taxii`` and answer ``application/taxii+json;version=2.1``. Every error
is a TAXII error resource (``title``, ``description``, ``http_status``...), never HTML or a
redirect to the login page, whatever the app's default error handler would do for a GET.
These routes are TAXII, not cthub's API: they stay out of the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cthub.core.errors import CthubError
from cthub.exchange import taxii
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.taxii_filters import parse_query
from cthub.interfaces.api.deps import hub_of

router = APIRouter(prefix="/taxii2", include_in_schema=False)
PURPOSE_HEADER = "x-cthub-purpose"


def _error(exc: CthubError) -> Response:
    # TAXII clients read English: the message as written, parameters filled
    body = {"title": exc.render(), "description": exc.render_hint() or exc.render(),
            "error_code": exc.code, "http_status": str(exc.http_status),
            "details": {k: v for k, v in exc.to_dict().items() if k != "message"}}  # fmt: skip
    return Response(orjson.dumps(body), status_code=exc.http_status, media_type=taxii.MEDIA_TAXII)


def _json(data: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> Response:
    body = data if isinstance(data, bytes) else orjson.dumps(data)
    return Response(body, status_code=200, media_type=taxii.MEDIA_TAXII, headers=headers)


def _raw_target(request: Request) -> str:
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    return path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


async def _handle(
    request: Request, root: str | None, work: Callable[[NodeCaller], dict[str, Any] | taxii.Page]
) -> Response:
    """Signature check, Accept check, then ``work`` in a thread; errors as TAXII errors."""
    hub = hub_of(request)
    try:
        body = await request.body()
        caller = await run_in_threadpool(
            taxii.authenticate, hub, root, method=request.method, path=_raw_target(request),
            host=request.headers.get("host", ""), headers=dict(request.headers), body=body,
        )  # fmt: skip
        taxii.check_accept(request.headers.get("accept", ""))
        result = await run_in_threadpool(work, caller)
    except CthubError as exc:
        return _error(exc)
    if isinstance(result, taxii.Page):
        return _json(result.body(), result.headers())
    return _json(result)


@router.get("/")
async def discovery(request: Request) -> Response:
    base = str(request.base_url)
    return await _handle(request, None, lambda c: taxii.discovery(hub_of(request), c, base))


@router.get("/{root}/")
async def api_root(request: Request, root: str) -> Response:
    return await _handle(request, root, lambda c: taxii.api_root(hub_of(request), c))


@router.get("/{root}/status/{status_id}/")
async def status(request: Request, root: str, status_id: str) -> Response:
    from cthub.core.errors import NotFound

    def work(_c: NodeCaller) -> dict[str, Any]:
        raise NotFound("Status {id} does not exist: this server accepts no writes.",
                       id=status_id[:40])  # fmt: skip

    return await _handle(request, root, work)


@router.get("/{root}/collections/")
async def collections(request: Request, root: str) -> Response:
    return await _handle(request, root, lambda c: taxii.collections(hub_of(request), c))


@router.get("/{root}/collections/{cid}/")
async def collection(request: Request, root: str, cid: str) -> Response:
    return await _handle(request, root, lambda c: taxii.collection(hub_of(request), c, cid))


def _reader(
    request: Request, cid: str, kind: str, object_id: str | None = None
) -> Callable[[NodeCaller], taxii.Page]:
    params = dict(request.query_params)
    purpose = request.headers.get(PURPOSE_HEADER)

    def work(caller: NodeCaller) -> taxii.Page:
        query = parse_query(params, default_version="all" if kind == "versions" else "last")
        return taxii.read(hub_of(request), caller, cid, query, kind=kind,
                          object_id=object_id, purpose=purpose)  # fmt: skip

    return work


@router.get("/{root}/collections/{cid}/objects/")
async def objects(request: Request, root: str, cid: str) -> Response:
    return await _handle(request, root, _reader(request, cid, "objects"))


@router.get("/{root}/collections/{cid}/manifest/")
async def manifest(request: Request, root: str, cid: str) -> Response:
    return await _handle(request, root, _reader(request, cid, "manifest"))


@router.get("/{root}/collections/{cid}/objects/{object_id}/")
async def one_object(request: Request, root: str, cid: str, object_id: str) -> Response:
    return await _handle(request, root, _reader(request, cid, "objects", object_id))


@router.get("/{root}/collections/{cid}/objects/{object_id}/versions/")
async def versions(request: Request, root: str, cid: str, object_id: str) -> Response:
    return await _handle(request, root, _reader(request, cid, "versions", object_id))


@router.post("/{root}/collections/{cid}/objects/")
async def add_objects(request: Request, root: str, cid: str) -> Response:
    return await _handle(request, root, lambda c: taxii.refuse_write(hub_of(request), c, cid))


@router.delete("/{root}/collections/{cid}/objects/{object_id}/")
async def delete_object(request: Request, root: str, cid: str, object_id: str) -> Response:
    return await _handle(request, root, lambda c: taxii.refuse_write(hub_of(request), c, cid))


__all__ = ["router"]
