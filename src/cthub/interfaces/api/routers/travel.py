"""Passenger data: receive carrier files, read flights and passengers, check, review, retain.

``POST /api/travel/checkin`` is the interactive (iAPI) path: one flight and a few passengers
in, a directive per passenger out (board ``0Z``, no-board ``1Z``, contact authority ``2Z``);
``POST /api/travel/checkin/edifact`` takes an interactive PAXLST and answers with CUSRES.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from cthub import travel
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId
from cthub.travel.records import Leg, Passenger, TravelDocument

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/travel", tags=["travel"], responses=ERR)
MAX_UPLOAD = 64 * 1024 * 1024


class WarningOut(BaseModel):
    segment: int
    position: int
    code: str
    message: str


class FileOut(BaseModel):
    file: str
    kind: str
    flights: builtins.list[int]
    passengers: int
    pnrs: int
    pnr_versions: int
    unchanged_pnrs: int
    warnings: builtins.list[WarningOut]


async def bounded_body(request: Request, name: str, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` (never read whole first)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InvalidInput("{file} is larger than {limit} bytes.", file=name, limit=limit)
    chunks: builtins.list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InvalidInput("{file} is larger than {limit} bytes.", file=name, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/files", response_model=FileOut)
async def upload(
    request: Request,
    name: str = Query("upload.edi", max_length=200),
    actor: Actor = Depends(api_actor),
) -> FileOut:
    """Receive one carrier file (PAXLST, PNRGOV EDIFACT or PNRGOV XML) as the request body."""
    data = await bounded_body(request, name, MAX_UPLOAD)
    r = travel.ingest(hub_of(request), actor, name, data)
    s = r.stored
    return FileOut(
        file=name,
        kind=s.kind,
        flights=s.flights,
        passengers=s.passengers,
        pnrs=s.pnrs,
        pnr_versions=s.pnr_versions,
        unchanged_pnrs=s.unchanged_pnrs,
        warnings=[
            WarningOut(segment=w.segment, position=w.position, code=w.code, message=w.message)
            for w in r.warnings
        ],
    )


class FlightOut(BaseModel):
    id: int
    flight: str
    carrier: str
    number: str
    origin: str
    destination: str
    departure_date: dt.date
    departure: dt.datetime | None
    passengers: int
    pnrs: int
    open_hits: int
    hits: int
    masked: bool


def _flight_out(f: travel.FlightView) -> FlightOut:
    return FlightOut(
        id=f.id,
        flight=f.label,
        carrier=f.carrier,
        number=f.number,
        origin=f.origin,
        destination=f.destination,
        departure_date=f.departure_date,
        departure=f.departure,
        passengers=f.passengers,
        pnrs=f.pnrs,
        open_hits=f.open_hits,
        hits=f.hits,
        masked=f.masked,
    )


@router.get("/flights", response_model=list[FlightOut])
def list_flights(
    request: Request, day: dt.date | None = Query(None), actor: Actor = Depends(api_actor)
) -> list[FlightOut]:
    return [_flight_out(f) for f in travel.flights(hub_of(request), actor, day=day)]


class PassengerOut(BaseModel):
    id: int
    source: str
    role: str
    name: str
    ref: str
    pnr_locator: str
    masked: bool
    open_hits: int
    hits: int
    record: dict[str, Any]


class ManifestOut(BaseModel):
    flight: FlightOut
    passengers: builtins.list[PassengerOut]


def _passenger_out(p: travel.PassengerView) -> PassengerOut:
    from cthub.travel import codec

    return PassengerOut(
        id=p.id,
        source=p.source,
        role=p.role,
        name=p.name,
        ref=p.ref,
        pnr_locator=p.pnr_locator,
        masked=p.masked,
        open_hits=p.open_hits,
        hits=p.hits,
        record=codec.dump(p.record),
    )


@router.get("/flights/{flight_id}", response_model=ManifestOut)
def get_manifest(
    flight_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> ManifestOut:
    m = travel.manifest(hub_of(request), actor, flight_id)
    return ManifestOut(
        flight=_flight_out(m.flight), passengers=[_passenger_out(p) for p in m.passengers]
    )


class HitOut(BaseModel):
    id: int
    check: str
    list: str
    list_ref: str
    score: float
    explanation: str
    state: str
    details: dict[str, Any]


class CoTravellerOut(BaseModel):
    passenger_id: int
    name: str
    link: str
    detail: str


class PassengerDetailOut(BaseModel):
    passenger: PassengerOut
    flight: FlightOut
    pnr: dict[str, Any] | None
    pnr_versions: builtins.list[dict[str, Any]]
    co_travellers: builtins.list[CoTravellerOut]
    hits: builtins.list[HitOut]


@router.get("/passengers/{passenger_id}", response_model=PassengerDetailOut)
def get_passenger(
    passenger_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> PassengerDetailOut:
    d = travel.passenger(hub_of(request), actor, passenger_id)
    return PassengerDetailOut(
        passenger=_passenger_out(d.passenger),
        flight=_flight_out(d.flight),
        pnr=d.pnr,
        pnr_versions=[
            {"version": v.version, "received_at": v.received_at.isoformat(), "changes": v.changes}
            for v in d.pnr_versions
        ],
        co_travellers=[
            CoTravellerOut(passenger_id=c.passenger_id, name=c.name, link=c.link, detail=c.detail)
            for c in d.co_travellers
        ],
        hits=[
            HitOut(
                id=h.id,
                check=h.check,
                list=h.list_name,
                list_ref=h.list_ref,
                score=h.score,
                explanation=h.explanation,
                state=h.state,
                details=h.details,
            )
            for h in d.hits
        ],
    )


Check = Literal["watchlist", "document", "rule", "mrz"]
CHECKS: tuple[Check, ...] = ("watchlist", "document", "rule", "mrz")


class CheckIn(BaseModel):
    flight_ids: builtins.list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        None, max_length=10_000, description="None: every unmasked flight"
    )
    checks: builtins.list[Check] = Field(default_factory=lambda: list(CHECKS))


class CheckRowOut(BaseModel):
    flight: str
    passenger_id: int
    passenger_ref: str
    name: str
    check: str
    list: str
    list_ref: str
    score: float
    explanation: str
    hit_id: int
    state: str


class CheckOut(BaseModel):
    flights: int
    passengers: int
    new_hits: int
    withdrawn: int
    skipped: builtins.list[str]
    rows: builtins.list[CheckRowOut]


@router.post("/check", response_model=CheckOut)
def check(body: CheckIn, request: Request, actor: Actor = Depends(api_actor)) -> CheckOut:
    run = travel.run_checks(hub_of(request), actor, body.flight_ids, body.checks)
    return CheckOut(
        flights=run.flights,
        passengers=run.passengers,
        new_hits=run.new_hits,
        withdrawn=run.withdrawn,
        skipped=run.skipped,
        rows=[
            CheckRowOut(
                flight=r.flight,
                passenger_id=r.passenger_id,
                passenger_ref=r.passenger_ref,
                name=r.name,
                check=r.check,
                list=r.list,
                list_ref=r.list_ref,
                score=r.score,
                explanation=r.explanation,
                hit_id=r.hit_id,
                state=r.state,
            )
            for r in run.rows
        ],
    )


class DocumentIn(BaseModel):
    type: str = Field("P", max_length=4)
    number: str = Field(max_length=40)
    issuing_country: str = Field("", max_length=3)
    expiry: dt.date | None = None


class CheckinPassengerIn(BaseModel):
    ref: str = Field("", max_length=40)
    surname: str = Field(max_length=200)
    given: str = Field("", max_length=200)
    gender: str = Field("", max_length=1)
    birth_date: dt.date | None = None
    nationality: str = Field("", max_length=3)
    documents: builtins.list[DocumentIn] = Field(default_factory=list, max_length=4)


class CheckinIn(BaseModel):
    carrier: str = Field(min_length=2, max_length=3)
    number: str = Field(min_length=1, max_length=5)
    origin: str = Field(min_length=3, max_length=3)
    destination: str = Field(min_length=3, max_length=3)
    departure: dt.datetime
    passengers: builtins.list[CheckinPassengerIn] = Field(min_length=1, max_length=9)


class AnswerOut(BaseModel):
    passenger_ref: str
    name: str
    code: str
    directive: str
    reasons: builtins.list[str]
    hit_ids: builtins.list[int]


class CheckinOut(BaseModel):
    answers: builtins.list[AnswerOut]


@router.post("/checkin", response_model=CheckinOut)
def checkin(body: CheckinIn, request: Request, actor: Actor = Depends(api_actor)) -> CheckinOut:
    """Interactive check of up to 9 passengers at check-in (iAPI); answers in well under 1 s."""
    leg = Leg(
        body.carrier.upper(),
        body.number.upper(),
        body.origin.upper(),
        body.destination.upper(),
        body.departure.replace(tzinfo=None),
    )
    people = [
        Passenger(
            name=f"{p.surname}/{p.given}".strip("/"),
            surname=p.surname.upper(),
            given=p.given.upper(),
            gender=p.gender.upper(),
            birth_date=p.birth_date,
            nationality=p.nationality.upper(),
            documents=tuple(
                TravelDocument(
                    d.type.upper(), d.number.upper(), d.issuing_country.upper(), d.expiry
                )
                for d in p.documents
            ),
            ref=p.ref,
        )
        for p in body.passengers
    ]
    answers = travel.check_in(hub_of(request), actor, leg, people)
    return CheckinOut(answers=[AnswerOut(**a.__dict__) for a in answers])


JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorBody, "content": {"application/json": {}}} for c in (400, 401, 403, 404, 409)
}


@router.post(
    "/checkin/edifact",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/edifact": {}}}, **JSON_ERRORS},
)
async def checkin_edifact(request: Request, actor: Actor = Depends(api_actor)) -> PlainTextResponse:
    """An interactive PAXLST in, a CUSRES interchange out."""
    data = await bounded_body(request, "iapi", 1024 * 1024)
    parsed = travel.parse_bytes(data, "iapi")
    hub = hub_of(request)
    out: builtins.list[str] = []
    if not parsed.messages or any(m.kind != "PAXLST" for m in parsed.messages):
        raise InvalidInput(
            "An interactive check takes a PAXLST message, not {kind}.",
            hint="Send the iAPI PAXLST of the passengers checking in.",
            kind=", ".join(sorted({m.kind for m in parsed.messages})) or "nothing",
        )
    for msg in parsed.messages:
        answers = travel.check_in(hub, actor, msg.flight, list(msg.passengers))
        out.append(travel.cusres(msg.flight, answers, msg.reference or "IAPI", utcnow()))
    return PlainTextResponse("\n".join(out), media_type="application/edifact")


class HitQueueOut(BaseModel):
    hit_id: int
    flight_id: int
    flight: str
    passenger_id: int
    name: str
    check: str
    list: str
    list_ref: str
    score: float
    explanation: str
    state: str


class QueueOut(BaseModel):
    total: int
    items: builtins.list[HitQueueOut]


@router.get("/hits", response_model=QueueOut)
def hits(
    request: Request,
    state: Literal["open", "confirmed", "dismissed", "withdrawn"] = Query("open"),
    check: str | None = Query(None, max_length=12),
    offset: int = Query(0, ge=0, le=10**9),
    limit: int = Query(100, ge=1, le=1000),
    actor: Actor = Depends(api_actor),
) -> QueueOut:
    items, total = travel.queue(
        hub_of(request), actor, state=state, check=check, limit=limit, offset=offset
    )
    return QueueOut(
        total=total,
        items=[
            HitQueueOut(
                hit_id=i.hit_id,
                flight_id=i.flight_id,
                flight=i.flight,
                passenger_id=i.passenger_id,
                name=i.name,
                check=i.check,
                list=i.list_name,
                list_ref=i.list_ref,
                score=i.score,
                explanation=i.explanation,
                state=i.state,
            )
            for i in items
        ],
    )


class DecisionIn(BaseModel):
    decision: Literal["confirmed", "dismissed"]
    reason: str = Field(max_length=4000)
    legal_basis: str | None = Field(None, max_length=2000)


class DecisionOut(BaseModel):
    hit_id: int
    decision: str
    reason: str
    legal_basis: str | None
    decided_by: str
    decided_at: dt.datetime


@router.post("/hits/{hit_id}/decision", response_model=DecisionOut)
def decide(
    hit_id: RowId, body: DecisionIn, request: Request, actor: Actor = Depends(api_actor)
) -> DecisionOut:
    d = travel.decide(hub_of(request), actor, hit_id, body.decision, body.reason, body.legal_basis)
    return DecisionOut(**d.__dict__)


class ExportIn(BaseModel):
    partner: str = Field(min_length=1, max_length=200)


@router.post("/hits/{hit_id}/export")
def export(
    hit_id: RowId, body: ExportIn, request: Request, actor: Actor = Depends(api_actor)
) -> dict[str, Any]:
    """A confirmed hit as a case document for a partner (refused for any other hit)."""
    return travel.export_case(hub_of(request), actor, hit_id, body.partner)


class RuleOut(BaseModel):
    name: str
    version: int
    weight: float
    conditions: int
    active: bool
    description: str
    definition: dict[str, Any]
    note: str
    created_by: str
    created_at: dt.datetime | None


@router.get("/rules", response_model=list[RuleOut])
def rules(request: Request, actor: Actor = Depends(api_actor)) -> list[RuleOut]:
    return [RuleOut(**r.__dict__) for r in travel.rule_list(hub_of(request), actor)]


class RuleIn(BaseModel):
    definition: dict[str, Any]
    note: str = Field("", max_length=2000)


@router.post("/rules", response_model=RuleOut)
def add_rule(body: RuleIn, request: Request, actor: Actor = Depends(api_actor)) -> RuleOut:
    """Add a rule or a new version of one; validated (sensitive categories are refused)."""
    view = travel.rule_save(hub_of(request), actor, body.definition, note=body.note, source="api")
    return RuleOut(**view.__dict__)


class RetentionOut(BaseModel):
    as_of: dt.datetime
    masked_passengers: int
    masked_pnrs: int
    deleted_flights: int
    deleted_passengers: int
    held: int


@router.post("/retention/run", response_model=RetentionOut)
def retention(request: Request, actor: Actor = Depends(api_actor)) -> RetentionOut:
    r = travel.retention_run(hub_of(request), actor)
    return RetentionOut(
        as_of=r.as_of,
        masked_passengers=r.masked_passengers,
        masked_pnrs=r.masked_pnrs,
        deleted_flights=r.deleted_flights,
        deleted_passengers=r.deleted_passengers,
        held=r.held,
    )


class UnmaskIn(BaseModel):
    reason: str = Field(max_length=4000)


class UnmaskOut(BaseModel):
    id: int
    passenger_id: int
    reason: str
    state: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    expires_at: dt.datetime | None


@router.post("/passengers/{passenger_id}/unmask-requests", response_model=UnmaskOut)
def request_unmask(
    passenger_id: RowId, body: UnmaskIn, request: Request, actor: Actor = Depends(api_actor)
) -> UnmaskOut:
    return UnmaskOut(
        **travel.request_unmask(hub_of(request), actor, passenger_id, body.reason).__dict__
    )


class UnmaskDecisionIn(BaseModel):
    approve: bool
    note: str = Field(max_length=4000)


@router.post("/unmask-requests/{request_id}/decision", response_model=UnmaskOut)
def decide_unmask(
    request_id: RowId, body: UnmaskDecisionIn, request: Request, actor: Actor = Depends(api_actor)
) -> UnmaskOut:
    return UnmaskOut(
        **travel.decide_unmask(hub_of(request), actor, request_id, body.approve, body.note).__dict__
    )


@router.get("/unmask-requests/{request_id}/data")
def unmasked(
    request_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> dict[str, Any]:
    """The masked passenger's data, under an approved request (each read is audited)."""
    return travel.unmasked(hub_of(request), actor, request_id)
