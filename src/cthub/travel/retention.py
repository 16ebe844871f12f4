"""Retention by law: PNR and API data masked after six months, deleted after five years
(Directive (EU) 2016/681 Art. 12; both periods are settings), unmasking only on approval.

``run`` takes the date it runs as, so tests (and ``cthub travel retention run --now``) move the
clock. Masking moves each passenger's and PNR's personal data into ``travel_vault`` and leaves a
depersonalised record: role, seat, bags, itinerary, booking dates and agency stay usable for
analysis, names, contacts, payment, frequent-flyer data, remarks and all API data go. Deletion
removes the flight with its passengers, PNRs, versions, hits and vault rows. A passenger with a
``RetentionHold`` (a confirmed hit, with its recorded legal basis) is neither masked nor deleted,
and a flight with a held passenger keeps that passenger and the flight row.

Unmasking (Art. 12(3)) needs a request with a reason, approved by an administrator who is not
the requester; the approval lapses after ``travel_unmask_hours``. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.travel.models import (
    Flight,
    Pnr,
    PnrVersion,
    RetentionHold,
    RetentionRun,
    TravelDecision,
    TravelFile,
    TravelHit,
    TravelPassenger,
    UnmaskRequest,
    VaultItem,
)
from cthub.travel.store import person_key

#: Passenger fields kept after masking (no identity, contact, payment or API data).
KEPT_PASSENGER = ("role", "seat", "bags", "embarkation", "debarkation")
#: PNR fields kept after masking.
KEPT_PNR = (
    "locator",
    "carrier",
    "created",
    "last_modified",
    "ticketed",
    "itinerary",
    "agency",
    "agency_country",
    "codeshare",
    "bags",
)
MASK = "MASKED"


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def mask_passenger_data(data: dict[str, Any]) -> dict[str, Any]:
    """The depersonalised form of a stored passenger record."""
    out: dict[str, Any] = {k: data.get(k) for k in KEPT_PASSENGER if k in data}
    out.update(name=MASK, surname=MASK, given="", documents=[], phones=[])
    return out


def mask_pnr_data(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: data.get(k) for k in KEPT_PNR if k in data}
    out["travellers"] = [mask_passenger_data(t) for t in data.get("travellers", [])]
    return out


@dataclass(frozen=True)
class RetentionResult:
    as_of: dt.datetime
    mask_before: dt.date
    delete_before: dt.date
    masked_passengers: int
    masked_pnrs: int
    deleted_flights: int
    deleted_passengers: int
    held: int


def _held(s: Session) -> set[int]:
    """Passenger rows under a hold: the held row and the same person's other rows on that
    flight (the API row and the PNR row of one traveller are one person)."""
    rows = set(s.scalars(select(RetentionHold.passenger_id)))
    if not rows:
        return rows
    people = {
        (p.flight_id, person_key(p.data or {}))
        for p in s.scalars(select(TravelPassenger).where(TravelPassenger.id.in_(rows)))
    }
    flights = {f for f, _ in people}
    for p in s.scalars(select(TravelPassenger).where(TravelPassenger.flight_id.in_(flights))):
        if (p.flight_id, person_key(p.data or {})) in people:
            rows.add(p.id)
    return rows


def _held_pnrs(s: Session, flight: Flight, held: set[int]) -> set[int]:
    """PNRs of held passengers on this flight (by PNR row or by locator): a case keeps its
    booking (the co-travellers in it are part of what was confirmed)."""
    out: set[int] = set()
    for p in s.scalars(
        select(TravelPassenger).where(
            TravelPassenger.flight_id == flight.id, TravelPassenger.id.in_(held)
        )
    ):
        if p.pnr_id is not None:
            out.add(p.pnr_id)
        elif p.pnr_locator:
            found = s.scalar(
                select(Pnr.id).where(Pnr.flight_id == flight.id, Pnr.locator == p.pnr_locator)
            )
            if found is not None:
                out.add(found)
    return out


def _vault(
    s: Session, flight: Flight, kind: str, row_id: int, data: dict[str, Any], now: dt.datetime
) -> None:
    s.add(
        VaultItem(
            org_id=flight.org_id,
            flight_id=flight.id,
            kind=kind,
            row_id=row_id,
            data=data,
            masked_at=now,
        )
    )


def _mask(s: Session, flight: Flight, held: set[int], now: dt.datetime) -> tuple[int, int]:
    people = pnrs = 0
    for p in s.scalars(select(TravelPassenger).where(TravelPassenger.flight_id == flight.id)):
        if p.masked or p.id in held:
            continue
        _vault(s, flight, "passenger", p.id, {"name": p.name, "record": p.data}, now)
        p.data = mask_passenger_data(p.data)
        p.name = MASK
        p.key = f"masked:{p.id}"  # the identity hash could be confirmed by guessing
        p.masked = True
        people += 1
        for h in s.scalars(select(TravelHit).where(TravelHit.passenger_id == p.id)):
            _vault(
                s,
                flight,
                "hit",
                h.id,
                {"explanation": h.explanation, "details": h.details, "list_ref": h.list_ref},
                now,
            )
            h.explanation, h.details = MASK, {}
            if h.check in ("document", "mrz"):  # their references are the passenger's data
                h.list_ref = MASK
    held_pnrs = _held_pnrs(s, flight, held)
    held_people = {
        person_key(p.data or {})
        for p in s.scalars(
            select(TravelPassenger).where(
                TravelPassenger.flight_id == flight.id, TravelPassenger.id.in_(held)
            )
        )
    }
    for r in s.scalars(select(Pnr).where(Pnr.flight_id == flight.id)):
        if r.masked:
            continue
        if r.id in held_pnrs:  # the case keeps its booking; the others in it are masked
            others = [t for t in r.data.get("travellers", []) if person_key(t) not in held_people]
            if others:
                _vault(s, flight, "pnr", r.id, r.data, now)
                r.data = {
                    **r.data,
                    "travellers": [
                        t if person_key(t) in held_people else mask_passenger_data(t)
                        for t in r.data.get("travellers", [])
                    ],
                }
            continue
        _vault(s, flight, "pnr", r.id, r.data, now)
        r.data = mask_pnr_data(r.data)
        r.masked = True
        pnrs += 1
        for v in s.scalars(
            select(PnrVersion).where(PnrVersion.pnr_id == r.id, PnrVersion.masked.is_(False))
        ):
            _vault(s, flight, "pnr_version", v.id, {"data": v.data, "changes": v.changes}, now)
            v.data = mask_pnr_data(v.data)
            v.changes = [{"field": c.get("field"), "masked": True} for c in v.changes]
            v.masked = True
    flight.masked_at = now
    return people, pnrs


def _delete(s: Session, flight: Flight, held: set[int]) -> tuple[int, bool]:
    keep = set(
        s.scalars(
            select(TravelPassenger.id).where(
                TravelPassenger.flight_id == flight.id, TravelPassenger.id.in_(held)
            )
        )
    )
    gone_people = list(
        s.scalars(
            select(TravelPassenger.id).where(
                TravelPassenger.flight_id == flight.id, TravelPassenger.id.not_in(keep)
            )
        )
    )
    hits = list(s.scalars(select(TravelHit.id).where(TravelHit.passenger_id.in_(gone_people))))
    if hits:
        s.execute(delete(TravelDecision).where(TravelDecision.hit_id.in_(hits)))
        s.execute(delete(TravelHit).where(TravelHit.id.in_(hits)))
    s.execute(delete(UnmaskRequest).where(UnmaskRequest.passenger_id.in_(gone_people)))
    kept_pnrs = _held_pnrs(s, flight, held)
    s.execute(delete(TravelPassenger).where(TravelPassenger.id.in_(gone_people)))
    pnr_ids = list(
        s.scalars(select(Pnr.id).where(Pnr.flight_id == flight.id, Pnr.id.not_in(kept_pnrs)))
    )
    version_ids = list(s.scalars(select(PnrVersion.id).where(PnrVersion.pnr_id.in_(pnr_ids))))
    s.execute(delete(VaultItem).where(VaultItem.flight_id == flight.id))  # held rows: none
    s.execute(delete(PnrVersion).where(PnrVersion.id.in_(version_ids)))
    s.execute(delete(Pnr).where(Pnr.id.in_(pnr_ids)))
    if keep:
        return len(gone_people), False
    s.delete(flight)
    return len(gone_people), True


def _files(s: Session, now: dt.datetime, mask_before: dt.date, delete_before: dt.date) -> None:
    """Received-file records: their warnings (which quote segments) cleared on the masking
    date, the records themselves deleted on the deletion date (counted from receipt)."""

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)

    s.execute(
        update(TravelFile).where(TravelFile.received_at < start(mask_before)).values(warnings=[])
    )
    old = list(
        s.scalars(select(TravelFile.id).where(TravelFile.received_at < start(delete_before)))
    )
    if old:
        s.execute(
            update(TravelPassenger).where(TravelPassenger.file_id.in_(old)).values(file_id=None)
        )
        s.execute(update(PnrVersion).where(PnrVersion.file_id.in_(old)).values(file_id=None))
        s.execute(delete(TravelFile).where(TravelFile.id.in_(old)))


def remask(s: Session, flight_ids: list[int], now: dt.datetime) -> int:
    """Mask again, in the caller's transaction, already masked flights that just received
    data (an archive re-sent, a late push): new data never stays readable on them. A first
    receipt of an old flight is masked by the next retention run, as any other."""
    masked = list(
        s.scalars(select(Flight).where(Flight.id.in_(flight_ids), Flight.masked_at.is_not(None)))
    )
    if not masked:  # the usual case: the holds are only read when there is something to mask
        return 0
    held = _held(s)
    for f in masked:
        _mask(s, f, held, now)
    return len(masked)


def run(hub: Hub, actor: Actor, now: dt.datetime | None = None) -> RetentionResult:
    """Mask and delete what the retention periods say, as of ``now`` (default: the clock)."""
    as_of = _as_utc(now) if now else utcnow()
    settings = hub.settings
    mask_before = as_of.date() - dt.timedelta(days=settings.travel_mask_after_days)
    delete_before = as_of.date() - dt.timedelta(days=settings.travel_delete_after_days)
    masked_p = masked_r = deleted_f = deleted_p = 0
    with hub.unit(actor, "travel.retention") as u:
        held = _held(u.s)
        for f in list(u.s.scalars(select(Flight).where(Flight.departure_date < delete_before))):
            n, gone = _delete(u.s, f, held)
            deleted_p += n
            deleted_f += int(gone)
        u.s.flush()
        for f in u.s.scalars(
            select(Flight).where(Flight.departure_date < mask_before, Flight.masked_at.is_(None))
        ):
            p, r = _mask(u.s, f, held, as_of)
            masked_p += p
            masked_r += r
        _files(u.s, as_of, mask_before, delete_before)
        result = RetentionResult(
            as_of, mask_before, delete_before, masked_p, masked_r, deleted_f, deleted_p, len(held)
        )
        u.s.add(
            RetentionRun(
                as_of=as_of,
                masked_passengers=masked_p,
                masked_pnrs=masked_r,
                deleted_flights=deleted_f,
                deleted_passengers=deleted_p,
                held=len(held),
                run_by=actor.name,
            )
        )
        u.audit(
            "retention",
            details={
                "as_of": as_of.isoformat(),
                "masked_passengers": masked_p,
                "masked_pnrs": masked_r,
                "deleted_flights": deleted_f,
                "deleted_passengers": deleted_p,
                "held": len(held),
            },
        )
    return result


@dataclass(frozen=True)
class RetentionStatus:
    mask_after_days: int
    delete_after_days: int
    flights: int
    masked_flights: int
    due_for_masking: int
    held_passengers: int
    pending_requests: int
    last_runs: list[RetentionRun]


def status(hub: Hub, actor: Actor, now: dt.datetime | None = None) -> RetentionStatus:
    as_of = _as_utc(now) if now else utcnow()
    st = hub.settings
    with hub.unit(actor, "travel.read") as u:
        orgs = u.visible_orgs()

        def scoped(stmt: Any, column: Any) -> Any:
            return stmt if orgs is None else stmt.where(column.in_(orgs))

        count = func.count()
        flights = u.s.scalar(scoped(select(count).select_from(Flight), Flight.org_id)) or 0
        masked = (
            u.s.scalar(
                scoped(
                    select(count).select_from(Flight).where(Flight.masked_at.is_not(None)),
                    Flight.org_id,
                )
            )
            or 0
        )
        due = (
            u.s.scalar(
                scoped(
                    select(count)
                    .select_from(Flight)
                    .where(
                        Flight.masked_at.is_(None),
                        Flight.departure_date
                        < as_of.date() - dt.timedelta(days=st.travel_mask_after_days),
                    ),
                    Flight.org_id,
                )
            )
            or 0
        )
        held = (
            u.s.scalar(scoped(select(count).select_from(RetentionHold), RetentionHold.org_id)) or 0
        )
        pending = (
            u.s.scalar(
                scoped(
                    select(count)
                    .select_from(UnmaskRequest)
                    .where(UnmaskRequest.state == "pending"),
                    UnmaskRequest.org_id,
                )
            )
            or 0
        )
        runs = list(u.s.scalars(select(RetentionRun).order_by(RetentionRun.id.desc()).limit(10)))
        for r in runs:
            u.s.expunge(r)
        u.audit("retention")
    return RetentionStatus(
        st.travel_mask_after_days,
        st.travel_delete_after_days,
        flights,
        masked,
        due,
        held,
        pending,
        runs,
    )


@dataclass(frozen=True)
class UnmaskView:
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


def _view(r: UnmaskRequest) -> UnmaskView:
    return UnmaskView(
        r.id,
        r.passenger_id,
        r.reason,
        r.state,
        r.requested_by,
        r.requested_at,
        r.decided_by,
        r.decided_at,
        r.decision_note,
        r.expires_at,
    )


def request_unmask(hub: Hub, actor: Actor, passenger_id: int, reason: str) -> UnmaskView:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise InvalidInput(
            "Say why the passenger must be unmasked (at least 10 characters).",
            hint="Name the case and the purpose under Art. 6(2)(b).",
            field="reason",
        )
    with hub.unit(actor, "travel.unmask.request") as u:
        p = u.s.get(TravelPassenger, passenger_id)
        orgs = u.visible_orgs()
        if p is None or (orgs is not None and p.org_id not in orgs):
            raise NotFound("No passenger {id}.", id=passenger_id)
        if not p.masked:
            raise Conflict("Passenger {id} is not masked.", id=passenger_id)
        r = UnmaskRequest(
            org_id=p.org_id,
            passenger_id=p.id,
            reason=reason[:4000],
            requested_by=actor.name,
            requester_id=actor.user_id,
        )
        u.s.add(r)
        u.s.flush()
        u.audit("unmask_request", r.id, org_id=p.org_id, details={"passenger": p.id})
        view = _view(r)
    return view


def decide_unmask(hub: Hub, actor: Actor, request_id: int, approve: bool, note: str) -> UnmaskView:
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Give the grounds of the decision.", hint="It is kept with the request.", field="note"
        )
    with hub.unit(actor, "travel.unmask.approve") as u:
        r = u.s.get(UnmaskRequest, request_id)
        orgs = u.visible_orgs()
        if r is None or (orgs is not None and r.org_id not in orgs):
            raise NotFound("No unmask request {id}.", id=request_id)
        u.require(r)
        if r.state != "pending":
            raise Conflict("Unmask request {id} is already {state}.", id=request_id, state=r.state)
        if actor.via == "api_key" or (not actor.user_id and not actor.is_system):
            raise Forbidden(
                "An unmask request is decided by a signed-in person, not an API key.",
                hint="Sign in to the web UI and decide it there.",
            )
        if r.requested_by == actor.name or (
            r.requester_id is not None and r.requester_id == actor.user_id
        ):
            raise Forbidden(
                "An unmask request must be decided by someone other than who asked.",
                hint="Ask another administrator (the competent authority) to decide.",
            )
        now = utcnow()
        r.state = "approved" if approve else "refused"
        r.decided_by = actor.name
        r.decided_at = now
        r.decision_note = note[:4000]
        if approve:
            r.expires_at = now + dt.timedelta(hours=hub.settings.travel_unmask_hours)
        u.audit("unmask_request", r.id, org_id=r.org_id, details={"state": r.state})
        view = _view(r)
    return view


def unmask_requests(hub: Hub, actor: Actor, state: str | None = None) -> list[UnmaskView]:
    with hub.unit(actor, "travel.read") as u:
        stmt = select(UnmaskRequest)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(UnmaskRequest.org_id.in_(orgs))
        if state:
            stmt = stmt.where(UnmaskRequest.state == state)
        out = [_view(r) for r in u.s.scalars(stmt.order_by(UnmaskRequest.id.desc()).limit(200))]
        u.audit("unmask_request", details={"count": len(out)})
    return out


def unmasked(hub: Hub, actor: Actor, request_id: int) -> dict[str, Any]:
    """The vault copy of a masked passenger, under an approved, unexpired request of the actor's
    organisation. Each read is audited with the request it was made under."""
    with hub.unit(actor, "travel.unmask.request") as u:
        r = u.s.get(UnmaskRequest, request_id)
        orgs = u.visible_orgs()
        if r is None or (orgs is not None and r.org_id not in orgs):
            raise NotFound("No unmask request {id}.", id=request_id)
        if r.state != "approved":
            raise Forbidden(
                "Unmask request {id} is {state}, not approved.", id=request_id, state=r.state
            )
        if not actor.is_system and r.requested_by != actor.name:
            raise Forbidden(
                "Only who asked for unmask request {id} may read under it.", id=request_id
            )
        if r.expires_at is not None and _as_utc(r.expires_at) < utcnow():
            raise Forbidden(
                "Unmask request {id} lapsed on {when}.", id=request_id, when=r.expires_at
            )
        item = u.s.scalar(
            select(VaultItem).where(
                VaultItem.kind == "passenger", VaultItem.row_id == r.passenger_id
            )
        )
        if item is None:
            raise NotFound(
                "The masked data of passenger {id} is gone (deleted).", id=r.passenger_id
            )
        u.audit(
            "passenger",
            r.passenger_id,
            org_id=r.org_id,
            details={"unmask_request": r.id},
            action="travel.unmask.read",
        )
        data = dict(item.data)
    return data


__all__ = [
    "KEPT_PASSENGER",
    "KEPT_PNR",
    "RetentionResult",
    "RetentionStatus",
    "UnmaskView",
    "decide_unmask",
    "mask_passenger_data",
    "mask_pnr_data",
    "remask",
    "request_unmask",
    "run",
    "status",
    "unmask_requests",
    "unmasked",
]
