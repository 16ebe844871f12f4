"""Node-to-node routes: what a partner node calls, every request signed with its Ed25519 key.

``/api/exchange/node/<org key id>/...`` addresses one organisation of this node by its exchange
key id; the sender is looked up in that organisation's partner registry only. The signature is
checked over the raw path and query exactly as sent (``scope["raw_path"]``), never a
re-encoded form. A refused request (unknown key, bad signature, replay, stale date) answers 401
and is recorded as a refusal decision before anything else happens, so nothing stored changes.

- ``GET  .../packages?after=<seq>&limit=<n>``: pull (``X-Cthub-Purpose`` states the purpose);
- ``POST .../inbox``: one envelope: pushed packages, a notice, an ack, an onward message;
- ``GET  .../log?since=<size>``: the partner's view of this organisation's disclosure log;
- ``POST .../psi``: blinded identifiers for private set intersection with the list offered.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.exchange import disclosure, nodeauth, psimatch, sync
from cthub.exchange.envelopes import PURPOSE_HEADER
from cthub.exchange.nodeauth import NodeCaller
from cthub.interfaces.api.deps import hub_of

# the node protocol, not the user API: signed by partner keys, documented in docs/exchange.md
router = APIRouter(
    prefix="/api/exchange/node/{org_key_id}", tags=["exchange node"], include_in_schema=False
)


def _raw_target(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    query: bytes = request.scope.get("query_string") or b""
    return raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


async def _caller(request: Request, org_key_id: str, operation: str) -> tuple[Hub, NodeCaller]:
    hub = hub_of(request)
    body = await request.body()

    def verify() -> NodeCaller:
        return nodeauth.addressed(
            hub.db, hub.settings, org_key_id, method=request.method, path=_raw_target(request),
            host=request.headers.get("host", ""), headers=request.headers, body=body,
            operation=operation,
        )  # fmt: skip

    return hub, await run_in_threadpool(verify)


@router.get("/packages", summary="Pull the packages released to the calling partner")
async def pull(
    request: Request,
    org_key_id: str,
    after: int = Query(0, ge=0),
    limit: int = Query(sync.PAGE_PACKAGES, ge=1, le=sync.PAGE_PACKAGES),
) -> Response:
    hub, caller = await _caller(request, org_key_id, "sync")
    data = await run_in_threadpool(
        sync.serve_pull, hub, caller, after=after, limit=limit,
        purpose=request.headers.get(PURPOSE_HEADER),
    )  # fmt: skip
    return Response(data, media_type="application/json")


@router.post("/inbox", summary="Deliver a signed envelope (packages, notice, ack, onward)")
async def inbox(request: Request, org_key_id: str) -> JSONResponse:
    hub, caller = await _caller(request, org_key_id, "sync")
    body = await request.body()
    return JSONResponse(await run_in_threadpool(sync.serve_inbox, hub, caller, body))


@router.get("/log", summary="The calling partner's view of the disclosure log, with proofs")
async def log(
    request: Request, org_key_id: str, since: int | None = Query(None, ge=0)
) -> JSONResponse:
    hub, caller = await _caller(request, org_key_id, "log")

    def view() -> dict[str, object]:
        with hub.unit(caller.actor, "exchange.node") as u:
            found = disclosure.partner_view(hub.db, u.s, caller.org_id, caller.partner_id,
                                            since=since)  # fmt: skip
            u.audit("exchange_log", caller.partner_id, org_id=caller.org_id,
                    details={"since": since, "entries": len(found["entries"])})  # fmt: skip
            return found

    return JSONResponse(await run_in_threadpool(view))


@router.post("/psi", summary="Answer a private set intersection over the list offered")
async def psi(request: Request, org_key_id: str) -> JSONResponse:
    hub, caller = await _caller(request, org_key_id, "psi")
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise InvalidInput("The PSI request body is not JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The PSI request body must be a JSON object.")
    return JSONResponse(await run_in_threadpool(psimatch.answer_node, hub, caller, body))
