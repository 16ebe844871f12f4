"""The exchange over HTTP for the organisation's own users: partners and audiences, packages
under release rules, exports for a partner, the decisions and the disclosure log, lawful
requests and private watchlist matching.

Partner nodes do not use these routes: they sign their requests and talk to
``/api/exchange/node/...`` and ``/taxii2/...``.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.exchange import export as exporting
from cthub.exchange import identity, lawful, logverify, packages, partners, psimatch, records
from cthub.exchange.scope import acting_org
from cthub.exchange.views import PackageView, rule_text
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/exchange", tags=["exchange"], responses=ERR)
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
Name = Field(min_length=1, max_length=100)


class PartnerIn(BaseModel):
    name: str = Name
    url: str = Field("", max_length=500)
    public_key: str = Field("", max_length=4000, description="PEM, OpenSSH, base64 or hex")
    local_org: str | None = Field(None, max_length=200)
    accept_tlp: str = Field("red", max_length=20)
    accept_purposes: builtins.list[str] = Field(default_factory=builtins.list, max_length=10)
    default_purpose: str = Field("ct-investigation", max_length=40)
    psi_list: Literal["", "watchlist"] = ""


class AudienceIn(BaseModel):
    name: str = Name
    members: builtins.list[str] = Field(max_length=500)
    description: str = Field("", max_length=2000)


class StateIn(BaseModel):
    state: Literal["active", "suspended"]


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RequestIn(BaseModel):
    partner: str = Name
    legal_basis: str = Field(min_length=1, max_length=4000)
    accounts: builtins.list[str] = Field(default_factory=builtins.list, max_length=1000)
    content: builtins.list[str] = Field(default_factory=builtins.list, max_length=1000)
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    description: str = Field("", max_length=4000)
    urgency: Literal["routine", "urgent", "emergency"] = "routine"
    due: dt.date | None = None
    expires: dt.date | None = None
    reference: str = Field("", max_length=100)


class RespondIn(BaseModel):
    decision: Literal["accepted", "partially-accepted", "declined"]
    reason: str = Field("", max_length=4000)


class PsiIn(BaseModel):
    partner: str = Name
    #: only the organisation's own watchlist over HTTP (a file path is for the operator's CLI)
    list: Literal["watchlist"] = "watchlist"


def _package(v: PackageView) -> dict[str, Any]:
    return {**v.__dict__, "expired": v.expired, "rule": rule_text(v)}


@router.get("/key")
def key(request: Request, actor: Actor = Depends(api_actor)) -> dict[str, str]:
    """The organisation's public exchange key, for partners to register."""
    hub = hub_of(request)
    with hub.unit(actor, "exchange.read") as u:
        org_id = acting_org(u).id
    key_id = identity.org_key_id(hub.settings, org_id)
    return {
        "key_id": key_id,
        "public_key": identity.org_public_key(hub.settings, org_id),
        "node_path": f"/api/exchange/node/{key_id}/",
        "taxii_root": f"/taxii2/{key_id}/",
    }


@router.get("/partners")
def list_partners(request: Request, actor: Actor = Depends(api_actor)) -> builtins.list[Any]:
    return [p.__dict__ for p in partners.partners(hub_of(request), actor)]


@router.post("/partners", status_code=201)
def add_partner(body: PartnerIn, request: Request, actor: Actor = Depends(api_actor)) -> Any:
    """Register a partner on another node (url + public key) or on this one (local_org)."""
    p = partners.add_partner(
        hub_of(request),
        actor,
        body.name,
        url=body.url,
        public_key=body.public_key.encode() or None,
        local_org=body.local_org,
        accept_tlp=body.accept_tlp,
        accept_purposes=body.accept_purposes,
        default_purpose=body.default_purpose,
        psi_list=body.psi_list,
    )
    return p.__dict__


@router.post("/partners/{name}/state")
def partner_state(
    name: str, body: StateIn, request: Request, actor: Actor = Depends(api_actor)
) -> Any:
    return partners.set_state(hub_of(request), actor, name, body.state).__dict__


@router.get("/audiences")
def list_audiences(request: Request, actor: Actor = Depends(api_actor)) -> builtins.list[Any]:
    return [a.__dict__ for a in partners.audiences(hub_of(request), actor)]


@router.post("/audiences", status_code=201)
def add_audience(body: AudienceIn, request: Request, actor: Actor = Depends(api_actor)) -> Any:
    a = partners.create_audience(
        hub_of(request), actor, body.name, body.members, description=body.description
    )
    return a.__dict__


@router.get("/packages")
def list_packages(
    request: Request,
    incoming: bool | None = None,
    state: Literal["active", "erased"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    actor: Actor = Depends(api_actor),
) -> dict[str, Any]:
    found, total = packages.packages(
        hub_of(request), actor, incoming=incoming, state=state, limit=limit, offset=offset
    )
    return {"total": total, "packages": [_package(v) for v in found]}


def _names(value: Any) -> tuple[str, ...]:
    text = value if isinstance(value, str) else ""
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _declared(request: Request) -> None:
    uploads.check_declared(request, MAX_PACKAGE_BYTES)


def _expiry(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "The expiry {value} is not a date.", hint="Use YYYY-MM-DD.", value=text[:40]
        ) from None


UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "tlp", "purposes"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **{
                            k: {"type": "string", "maxLength": 4000}
                            for k in (
                                "tlp",
                                "partners",
                                "audiences",
                                "purposes",
                                "legal_basis",
                                "expires",
                                "pap",
                                "title",
                                "format",
                            )
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/packages", status_code=201, dependencies=[Depends(_declared)], openapi_extra=UPLOAD_DOC
)
async def create_package(request: Request, actor: Actor = Depends(api_actor)) -> Any:
    """Make a package from an uploaded file under a release rule (multipart form)."""
    async with request.form(max_files=1, max_fields=20) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("Choose a file to share.")
        data = await uploads.read_capped(upload, MAX_PACKAGE_BYTES)
        spec = packages.ReleaseSpec(
            tlp=_field(form, "tlp"),
            partners=_names(form.get("partners")),
            audiences=_names(form.get("audiences")),
            purposes=_names(form.get("purposes")),
            legal_basis=_field(form, "legal_basis"),
            expires=_expiry(_field(form, "expires")),
            pap=_field(form, "pap") or "amber",
        )
        title, fmt = _field(form, "title"), _field(form, "format") or None
    name = uploads.safe_name(upload.filename, "package.json")
    made = await run_in_threadpool(
        packages.create, hub_of(request), actor, data, name, spec, title=title, fmt=fmt
    )
    return _package(made)


@router.get("/packages/{package_id}")
def get_package(package_id: str, request: Request, actor: Actor = Depends(api_actor)) -> Any:
    return _package(packages.package(hub_of(request), actor, package_id[:40]))


@router.post("/packages/{package_id}/erase")
def erase_package(
    package_id: str, body: ReasonIn, request: Request, actor: Actor = Depends(api_actor)
) -> Any:
    """Erase a package; recipient nodes get a signed erasure notice on the next sync."""
    return _package(packages.erase(hub_of(request), actor, package_id[:40], reason=body.reason))


@router.get("/export", response_class=Response)
def export(
    request: Request,
    partner: str = Query(min_length=1, max_length=100),
    format: Literal["stix", "misp"] = "stix",
    purpose: str | None = Query(None, max_length=40),
    actor: Actor = Depends(api_actor),
) -> Response:
    """What ``partner`` may receive, as a STIX bundle or MISP events; each package is logged."""
    r = exporting.export(hub_of(request), actor, partner, fmt=format, purpose=purpose)
    return Response(
        r.data,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{r.partner}-{format}.json"',
            "X-Cthub-Refused": str(len(r.refused)),
        },
    )


@router.get("/decisions")
def list_decisions(
    request: Request,
    allowed: bool | None = None,
    package_id: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    actor: Actor = Depends(api_actor),
) -> dict[str, Any]:
    rows, total = records.decisions(
        hub_of(request), actor, allowed=allowed, package_id=package_id, limit=limit, offset=offset
    )
    return {"total": total, "decisions": [r.__dict__ for r in rows]}


@router.get("/log")
def disclosure_log(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    actor: Actor = Depends(api_actor),
) -> dict[str, Any]:
    rows, total, head = records.disclosures(hub_of(request), actor, limit=limit, offset=offset)
    return {
        "total": total,
        "head": head.__dict__ if head else None,
        "entries": [r.__dict__ for r in rows],
    }


@router.post("/log/verify")
def verify_log(
    request: Request,
    partner: str | None = Query(None, max_length=100),
    actor: Actor = Depends(api_actor),
) -> Any:
    """Verify the own disclosure log, or (``partner``) what a partner's log says about us."""
    hub = hub_of(request)
    report = (
        logverify.verify_partner(hub, actor, partner)
        if partner
        else logverify.verify_own(hub, actor)
    )
    return report.to_json()


@router.get("/requests")
def list_requests(
    request: Request,
    box: Literal["sent", "received", "all"] = "all",
    overdue: bool = False,
    actor: Actor = Depends(api_actor),
) -> builtins.list[Any]:
    return [r.__dict__ for r in lawful.requests(hub_of(request), actor, box=box, overdue=overdue)]


@router.post("/requests", status_code=201)
def send_request(body: RequestIn, request: Request, actor: Actor = Depends(api_actor)) -> Any:
    """Send a lawful data request to a partner organisation."""
    scope = lawful.Scope(
        tuple(body.accounts),
        tuple(body.content),
        body.period_from,
        body.period_to,
        body.description,
    )
    return lawful.send(
        hub_of(request),
        actor,
        body.partner,
        legal_basis=body.legal_basis,
        scope=scope,
        urgency=body.urgency,
        due=body.due,
        expires=body.expires,
        reference=body.reference,
    ).__dict__


@router.post("/requests/{request_id}/respond")
def respond_request(
    request_id: RowId, body: RespondIn, request: Request, actor: Actor = Depends(api_actor)
) -> Any:
    return lawful.respond(hub_of(request), actor, request_id, body.decision, body.reason).__dict__


@router.post("/psi")
def private_match(body: PsiIn, request: Request, actor: Actor = Depends(api_actor)) -> Any:
    """Private set intersection with a partner over ``watchlist``: the entries both hold."""
    return psimatch.match(hub_of(request), actor, body.partner, body.list).__dict__
