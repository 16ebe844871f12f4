"""Hash banks over HTTP: create and list banks, add files or hash lists, remove, export.

A bank is written only by the organisation that owns it; TLP:CLEAR and TLP:GREEN banks are
read by every organisation. Uploads go to a temporary file, deleted afterwards, and are capped
at ``content_max_bytes``; a hash list reports each line it could not read, with its number.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from cthub import content
from cthub.content import hashlists
from cthub.content.entries import list_entries
from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/content/banks", tags=["content"], responses=ERR)
MAX_FILES = 100


class BankIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    label: str = Field("", max_length=80, description="Default label of the bank's entries")
    threshold: int = Field(31, ge=0, le=128, description="PDQ Hamming distance")
    tlp: Literal["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"] = "TLP:AMBER"
    negative: bool = Field(False, description="Known-benign content: suppresses matches")
    action: Literal["review", "remove"] = "review"
    description: str = Field("", max_length=2000)


class BankOut(BaseModel):
    id: int
    name: str
    org_id: int | None
    description: str
    label: str
    tlp: str
    threshold: int
    negative: bool
    action: str
    enabled: bool
    active: int
    removed: int
    quarantined: int


def _bank_out(b: content.BankView) -> BankOut:
    return BankOut(
        id=b.id, name=b.name, org_id=b.org_id, description=b.description, label=b.default_label,
        tlp=b.tlp, threshold=b.threshold, negative=b.negative, action=b.action,
        enabled=b.enabled, active=b.active, removed=b.removed, quarantined=b.quarantined,
    )  # fmt: skip


class EntryOut(BaseModel):
    id: int
    signal: str
    hash: str
    label: str
    source: str
    added_by: str
    added_at: dt.datetime
    status: str


class BankDetailOut(BaseModel):
    bank: BankOut
    entries: builtins.list[EntryOut]
    total: int
    limit: int
    offset: int


class ProblemOut(BaseModel):
    where: str
    message: str


class AddOut(BaseModel):
    bank: str
    added: int
    present: int
    removed: int
    errors: builtins.list[ProblemOut]


def _add_out(r: content.AddResult, files: builtins.list[uploads.Saved]) -> AddOut:
    return AddOut(
        bank=r.bank, added=r.added, present=r.present, removed=r.removed,
        errors=[ProblemOut(where=uploads.shown(w, files), message=uploads.shown(m, files))
                for w, m in r.errors],
    )  # fmt: skip


@router.get("", response_model=list[BankOut])
def banks(request: Request, actor: Actor = Depends(api_actor)) -> list[BankOut]:
    return [_bank_out(b) for b in content.list_banks(hub_of(request), actor)]


@router.post("", response_model=BankOut, status_code=201)
def create_bank(body: BankIn, request: Request, actor: Actor = Depends(api_actor)) -> BankOut:
    view = content.create_bank(
        hub_of(request), actor, body.name, label=body.label, threshold=body.threshold,
        tlp=body.tlp, negative=body.negative, action=body.action, description=body.description,
    )  # fmt: skip
    return _bank_out(view)


@router.get("/{name}", response_model=BankDetailOut)
def bank(
    name: str,
    request: Request,
    status: Literal["", "active", "quarantined", "removed"] = Query(""),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    actor: Actor = Depends(api_actor),
) -> BankDetailOut:
    """A bank with one page of its entries (newest first; tombstones included)."""
    hub = hub_of(request)
    view = content.get_bank(hub, actor, name)
    rows, total = list_entries(hub, actor, name, status=status, limit=limit, offset=offset)
    return BankDetailOut(
        bank=_bank_out(view), entries=[EntryOut(**e.__dict__) for e in rows], total=total,
        limit=limit, offset=offset,
    )  # fmt: skip


def _upload_body(field: str, many: bool, description: str) -> dict[str, Any]:
    """The documented multipart body of an upload route (read by hand, see ``_declared``)."""
    item: dict[str, Any] = {"type": "string", "format": "binary", "description": description}
    schema = {"type": "array", "items": item} if many else item
    props = {field: schema, "label": {"type": "string", "maxLength": 80}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "properties": props, "required": [field]}}}}}  # fmt: skip


async def _declared_files(request: Request) -> None:
    """Refuse an oversized body before it is read (the form is parsed in the route, after the
    caller is known: ``File`` parameters would be read before any dependency runs)."""
    uploads.check_declared(request, hub_of(request).settings.content_max_bytes * MAX_FILES)


async def _declared_list(request: Request) -> None:
    uploads.check_declared(request, hub_of(request).settings.content_max_bytes)


def _label(form: FormData) -> str | None:
    value = form.get("label")
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > hashlists.MAX_LABEL:
        raise InvalidInput(
            "Label {label} is not allowed.",
            hint="Use at most 80 characters without commas or line breaks.",
            label=text[:90],
        )
    return text or None


def _files_of(form: FormData, field: str) -> builtins.list[UploadFile]:
    found = [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]
    if not found:
        raise InvalidInput("Choose a file to upload.")
    return found


@router.post(
    "/{name}/files",
    response_model=AddOut,
    dependencies=[Depends(_declared_files)],
    openapi_extra=_upload_body("files", True, "Photos or other files to hash"),
)
async def add_files(name: str, request: Request, actor: Actor = Depends(api_actor)) -> AddOut:
    """Hash the uploaded files (PDQ for photos, MD5 and SHA-256 for all) into bank ``name``."""
    hub = hub_of(request)
    async with request.form(max_files=MAX_FILES, max_fields=10) as form:
        files, label = _files_of(form, "files"), _label(form)
        async with uploads.saved(files, hub.settings.content_max_bytes) as saved:
            paths = [f.path for f in saved]
            result = await run_in_threadpool(content.add_files, hub, actor, name, paths, label)
            return _add_out(result, saved)


@router.post(
    "/{name}/hashes",
    response_model=AddOut,
    dependencies=[Depends(_declared_list)],
    openapi_extra=_upload_body(
        "file", False, "CSV signal_type,hash,label or 'SIGNAL HASH [LABEL]'"
    ),
)
async def import_hashes(name: str, request: Request, actor: Actor = Depends(api_actor)) -> AddOut:
    """Add a hash list; lines that cannot be read are reported with their numbers."""
    hub = hub_of(request)
    async with request.form(max_files=1, max_fields=10) as form:
        file, label = _files_of(form, "file")[0], _label(form)
        data = await uploads.read_capped(file, hub.settings.content_max_bytes)
    filename = uploads.safe_name(file.filename, "hashes.txt")
    result = await run_in_threadpool(content.import_list, hub, actor, name, data, filename, label)
    return _add_out(result, [])


@router.delete("/{name}/entries/{entry_id}", status_code=204)
def remove_entry(
    name: str,
    entry_id: RowId,
    request: Request,
    reason: str = Query("", max_length=500),
    actor: Actor = Depends(api_actor),
) -> Response:
    """Tombstone one entry: it stops matching at once, and exports list it as removed."""
    content.remove_entry(hub_of(request), actor, name, entry_id, reason)
    return Response(status_code=204)


@router.get(
    "/{name}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_bank(name: str, request: Request, actor: Actor = Depends(api_actor)) -> Response:
    """Every entry as CSV ``signal_type,hash,label,status`` (removals travel with the list)."""
    rows = content.export_rows(hub_of(request), actor, name)  # checked and read before answering
    lines = hashlists.write_csv(rows)
    return StreamingResponse(
        lines, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )  # fmt: skip


__all__ = ["router"]
