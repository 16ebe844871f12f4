"""Terrorist-content hash matching over HTTP: matching files or hashes, and the hash banks.

``POST /api/content/match`` takes a file (multipart ``file``) or a hash the client computed
(``signal`` and ``hash``, as a form or as JSON); every answer lists the matches with their
bank, entry, label, signal and distance, the review item each opened, and the notes (a photo
too flat for PDQ) or the negative banks that suppressed the matches. Uploads go to a
temporary file, deleted afterwards, and are capped at ``content_max_bytes``. The review
queue, quarantine and the transparency report are in ``content_review``.
"""

from __future__ import annotations

import builtins
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from cthub import content
from cthub.content.signals import registry
from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/content", tags=["content"], responses=ERR)
JSON_LIMIT = 64 * 1024


class MatchOut(BaseModel):
    bank: str
    entry_id: int
    label: str
    signal: str
    distance: int
    threshold: int
    action: str
    review_id: int | None
    explanation: str


class MatchResultOut(BaseModel):
    file: str
    md5: str
    sha256: str
    pdq: str
    quality: int | None
    matches: builtins.list[MatchOut]
    notes: builtins.list[str]
    suppressed_by: builtins.list[str]
    quarantined: builtins.list[int]


class HashIn(BaseModel):
    signal: str = Field(min_length=1, max_length=20, description="pdq, md5, sha256 or vpdq")
    hash: str = Field(min_length=1, max_length=200_000)
    banks: builtins.list[str] | None = Field(None, max_length=100, description="None: all")


_FORM_FIELDS = {
    "signal": {"type": "string"},
    "hash": {"type": "string"},
    "banks": {"type": "string", "description": "Comma-separated bank names (empty: all)"},
}
MATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}, **_FORM_FIELDS}}},
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "properties": _FORM_FIELDS, "required": ["signal", "hash"]}},
            "application/json": {"schema": HashIn.model_json_schema()},
        },
    }
}  # fmt: skip


def _result_out(r: content.FileResult, name: str, files: list[uploads.Saved]) -> MatchResultOut:
    h = r.hashes
    return MatchResultOut(
        file=name, md5=h.md5, sha256=h.sha256, pdq=h.pdq, quality=h.quality,
        matches=[MatchOut(bank=m.bank, entry_id=m.entry_id, label=m.label, signal=m.signal,
                          distance=m.distance, threshold=m.threshold, action=m.action,
                          review_id=m.review_id, explanation=m.explanation())
                 for m in r.matches],
        notes=[uploads.shown(n, files) for n in r.notes],
        suppressed_by=r.suppressed_by, quarantined=r.quarantined,
    )  # fmt: skip


def _bank_names(value: object) -> builtins.list[str] | None:
    text = value if isinstance(value, str) else ""
    names = [n.strip() for n in text.split(",") if n.strip()]
    return names or None


def _hash_query(signal: str, value: str) -> tuple[str, str]:
    signal = signal.strip().lower()
    if signal not in registry.names():
        raise InvalidInput("Unknown signal {signal}.", hint="Use one of: {names}.",
                           signal=signal[:40], names=", ".join(registry.names()))  # fmt: skip
    return signal, value.strip()


async def _json_body(request: Request) -> HashIn:
    uploads.check_declared(request, JSON_LIMIT, "The request body")
    raw = await request.body()
    if len(raw) > JSON_LIMIT:
        raise uploads.too_large("The request body", JSON_LIMIT)
    try:
        return HashIn.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidInput("The JSON body is not a match request ({field}: {problem}).",
                           hint="Send a JSON object with the fields signal and hash.", field=where,
                           problem=str(first.get("msg", ""))[:200]) from None  # fmt: skip


async def _match_form(request: Request, actor: Actor, form: FormData) -> MatchResultOut:
    hub = hub_of(request)
    banks = _bank_names(form.get("banks"))
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        limit = hub.settings.content_max_bytes
        async with uploads.saved([upload], limit) as files:
            results = await run_in_threadpool(
                partial(content.match_files, refs=[files[0].name]), hub, actor, [files[0].path],
                banks=banks,
            )  # fmt: skip
            return _result_out(results[0], files[0].name, files)
    signal, value = form.get("signal"), form.get("hash")
    if not isinstance(signal, str) or not isinstance(value, str) or not value.strip():
        raise InvalidInput("Send a file, or a signal and a hash.",
                           hint="Upload the file as the multipart field file, or give the "
                           "fields signal and hash.")  # fmt: skip
    query = _hash_query(signal, value)
    result = await run_in_threadpool(content.match_hashes, hub, actor, [query], banks=banks)
    return _result_out(result, "hash", [])


@router.post("/match", response_model=MatchResultOut, openapi_extra=MATCH_BODY)
async def match(request: Request, actor: Actor = Depends(api_actor)) -> MatchResultOut:
    """Match one file (multipart ``file``) or one hash (``signal`` + ``hash``, form or JSON)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        body = await _json_body(request)
        query = _hash_query(body.signal, body.hash)
        result = await run_in_threadpool(
            content.match_hashes, hub_of(request), actor, [query], banks=body.banks
        )
        return _result_out(result, "hash", [])
    if kind not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise InvalidInput("Send the file as multipart/form-data, or the hash as JSON or a form.",
                           hint="Content-Type {kind} is not accepted here.",
                           kind=kind[:80] or "none")  # fmt: skip
    uploads.check_declared(request, hub_of(request).settings.content_max_bytes)
    async with request.form(max_files=1, max_fields=10) as form:
        return await _match_form(request, actor, form)


__all__ = ["router"]
