"""The interactive check at check-in (iAPI): one passenger in, a board / no-board /
contact-authority directive out, as a CUSRES-style answer, within the carrier's timeout.

Only the document list can refuse boarding by itself: a document its issuing state reported
stolen, lost, revoked or invalid is not a valid travel document. A watchlist match never refuses
boarding automatically (Directive (EU) 2016/681 Art. 7(6), UNSCR 2396): it answers
"contact authority", and the hit waits in the review queue for a person to decide. Risk rules
are not run at check-in. The passenger and every hit are stored like a batch-received one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from cthub.core.errors import NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.screening import cached_screener
from cthub.travel import doclist
from cthub.travel.checks import (
    CheckRun,
    Finding,
    Subject,
    document_findings,
    mrz_findings,
    store_findings,
    watchlist_findings,
)
from cthub.travel.models import TravelFile, TravelPassenger
from cthub.travel.records import Leg, Message, Passenger
from cthub.travel.store import StoredFile, passenger_key, store_message

#: Directive codes (ERC) of the answer: WCO/IATA/ICAO CUSRES usage seen in carrier systems.
BOARD, NO_BOARD, CONTACT = "0Z", "1Z", "2Z"
DIRECTIVES = {BOARD: "board", NO_BOARD: "no-board", CONTACT: "contact-authority"}
REFUSING_STATUSES = ("stolen", "lost", "revoked", "invalid", "stolen_blank")


@dataclass(frozen=True)
class CheckinAnswer:
    """The directive for one passenger, why, and the hits stored for review."""

    passenger_ref: str
    name: str
    code: str
    directive: str
    reasons: list[str] = field(default_factory=list)
    hit_ids: list[int] = field(default_factory=list)


def directive_for(findings: list[Finding]) -> tuple[str, list[str]]:
    refuse = [
        f.explanation
        for f in findings
        if f.check == "document"
        and f.details.get("exact")
        and f.details.get("status") in REFUSING_STATUSES
    ]
    if refuse:
        return NO_BOARD, refuse
    contact = [f.explanation for f in findings if f.check in ("watchlist", "document", "mrz")]
    if contact:
        return CONTACT, contact
    return BOARD, []


def check_in(
    hub: Hub, actor: Actor, flight: Leg, passengers: list[Passenger]
) -> list[CheckinAnswer]:
    """Check passengers of one flight at check-in and answer for each one."""
    if flight.departure is None:
        raise NotFound("The flight has no departure date.")
    with hub.unit(actor, "travel.checkin"):
        pass  # the role gate, before any list is read
    lists = [x for x in hub.settings.travel_watchlist_lists.split(",") if x.strip()] or None
    subjects = [Subject(0, 0, p, flight, (flight,), None) for p in passengers]
    try:
        screener = cached_screener(hub, actor, lists)
    except NotFound:
        found: dict[int, list[Finding]] = {}
    else:
        found = watchlist_findings(
            hub, actor, screener, subjects, hub.settings.travel_watchlist_threshold
        )
    index = doclist.active_index(hub)
    departure = flight.departure.date()
    answers: list[CheckinAnswer] = []
    with hub.unit(actor, "travel.checkin") as u:
        stored = StoredFile("iapi", 0, "PAXLST")
        msg = Message(
            kind="PAXLST",
            version="iAPI",
            flight=flight,
            legs=(flight,),
            passengers=tuple(passengers),
            interactive=True,
        )
        tf = TravelFile(
            org_id=actor.org_id,
            name="iapi",
            sha256="",
            size=0,
            kind="iAPI",
            messages=1,
            warnings=[],
            received_by=actor.name,
        )
        u.s.add(tf)
        u.s.flush()
        stored.file_id = tf.id
        flight_id = store_message(u.s, actor.org_id, msg, "iapi", stored)
        u.s.flush()
        run = CheckRun()
        for i, p in enumerate(passengers):
            findings = (
                list(found.get(i, [])) + document_findings(index, p) + mrz_findings(p, departure)
            )
            row = u.s.scalar(
                select(TravelPassenger).where(
                    TravelPassenger.flight_id == flight_id,
                    TravelPassenger.source == "api",
                    TravelPassenger.key == passenger_key(p),
                )
            )
            if row is None:  # pragma: no cover - stored just above in this transaction
                raise NotFound("Passenger {ref} was not stored.", ref=p.ref)
            hits = store_findings(u.s, row, findings, run, {"watchlist", "document", "mrz"})
            u.s.flush()
            code, reasons = directive_for(findings)
            answers.append(
                CheckinAnswer(
                    p.ref or f"P{row.id}",
                    p.name,
                    code,
                    DIRECTIVES[code],
                    reasons,
                    [h.id for h in hits],
                )
            )
        u.audit(
            "flight",
            flight_id,
            details={
                "passengers": len(passengers),
                "directives": {d: sum(a.code == c for a in answers) for c, d in DIRECTIVES.items()},
            },
        )
    return answers


def _esc(text: str) -> str:
    for ch in "?+:'":
        text = text.replace(ch, "?" + ch)
    return text


def cusres(flight: Leg, answers: list[CheckinAnswer], reference: str, now: dt.datetime) -> str:
    """The answers as a CUSRES D:05B interchange (BGM+962, per passenger ERP/RFF/ERC/FTX)."""
    stamp = now.strftime("%y%m%d:%H%M")
    segs = [
        f"UNB+UNOA:4+CTHUB+CARRIER+{stamp}+{_esc(reference)[:14]}",
        f"UNH+1+CUSRES:D:05B:UN:IATA+{_esc(flight.carrier + flight.number)}",
        "BGM+962",
        f"RFF+TN:{_esc(reference)[:35]}",
        f"RFF+AF:{_esc(flight.carrier + flight.number)}",
    ]
    if flight.departure:
        segs.append(f"DTM+189:{flight.departure:%y%m%d%H%M}:201")
    segs.append(f"LOC+125+{_esc(flight.origin)}")
    segs.append(f"LOC+87+{_esc(flight.destination)}")
    for a in answers:
        segs += ["ERP+2", f"RFF+ABO:{_esc(a.passenger_ref)[:35]}", f"ERC+{a.code}"]
        text = {BOARD: "OK TO BOARD", NO_BOARD: "DO NOT BOARD", CONTACT: "CONTACT AUTHORITY"}[
            a.code
        ]
        segs.append(f"FTX+AAP+++{_esc(text)}")
    count = len(segs) - 1 + 1  # UNH..UNT inclusive
    segs.append(f"UNT+{count}+1")
    segs.append(f"UNZ+1+{_esc(reference)[:14]}")
    return "UNA:+.? '" + "'".join(segs) + "'"  # UNA is six characters, no terminator


__all__ = [
    "BOARD",
    "CONTACT",
    "DIRECTIVES",
    "NO_BOARD",
    "CheckinAnswer",
    "check_in",
    "cusres",
    "directive_for",
]
