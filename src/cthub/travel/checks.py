"""Checks of stored passengers: watchlists (through ``cthub.screening``), the lost/stolen
document list, document data (ICAO 9303 rules) and the organisation's risk rules.

Every result is a hit with an explanation, stored open for a reviewer: nothing here decides
anything about a person. Re-running a check refreshes open hits, leaves decided ones as they
were, and marks open hits that no longer fire as ``withdrawn``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cthub.core.config import Settings
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.model import country_code
from cthub.core.policy import Actor
from cthub.screening import Query, Screener, cached_screener, screen
from cthub.travel import codec, doclist, rulestore
from cthub.travel.documents import DocumentIndex
from cthub.travel.facts import CrossIndex, FactContext, passenger_facts
from cthub.travel.models import Flight, Pnr, TravelHit, TravelPassenger
from cthub.travel.parse import gc_paused
from cthub.travel.records import Leg, Message, Passenger
from cthub.travel.records import Pnr as PnrRecord
from cthub.travel.rules import RuleSet

#: Old passports and carriers write Germany as ``D``.
_NATIONALITY_ALIASES = {"D": "DE", "D<<": "DE"}
_DOC_CHARS = re.compile(r"^[A-Z0-9]+$")


@dataclass(frozen=True)
class Finding:
    """One check result before it is stored: which check, against what, how strong, why."""

    check: str
    list_name: str
    list_ref: str
    score: float
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.check}:{self.list_name}:{self.list_ref}"[:200]


@dataclass(frozen=True)
class CheckRow:
    """One line of `cthub travel check` output."""

    flight: str
    flight_id: int
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


@dataclass
class CheckRun:
    rows: list[CheckRow] = field(default_factory=list)
    flights: int = 0
    passengers: int = 0
    new_hits: int = 0
    withdrawn: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class Subject:
    """One person to check: the stored row, its record, its flight and PNR (if any)."""

    row_id: int
    flight_id: int
    record: Passenger
    flight: Leg
    legs: tuple[Leg, ...]
    pnr: PnrRecord | None
    #: What the stored rows were when read (update times, PNR version): equal stamps, equal facts.
    stamp: tuple[object, ...] = ()


def nationality_alpha2(code: str) -> str | None:
    code = code.strip().upper()
    if not code:
        return None
    return _NATIONALITY_ALIASES.get(code) or country_code(code)


def watch_query(p: Passenger) -> Query:
    """The screening query for a passenger: name, birth date, nationality, gender, document."""
    given = p.given.strip()
    name = f"{given} {p.surname}".strip() if p.surname else p.name
    doc = p.documents[0].number if p.documents else None
    nat = p.nationality or (p.documents[0].nationality if p.documents else "")
    gender = p.gender.upper()[:1] if p.gender.upper()[:1] in ("M", "F") else None
    return Query(
        name=name or p.name,
        type="person",
        birth_date=p.birth_date.isoformat() if p.birth_date else None,
        nationality=nationality_alpha2(nat),
        gender=gender,
        id_number=doc or None,
    )


def watchlist_findings(
    hub: Hub, actor: Actor, screener: Screener, subjects: Sequence[Subject], threshold: float
) -> dict[int, list[Finding]]:
    """Screen every subject through ``cthub.screening.screen``; hits grouped by subject index."""
    out: dict[int, list[Finding]] = defaultdict(list)
    queries = ((str(i), watch_query(s.record)) for i, s in enumerate(subjects))
    for qid, hit in screen(hub, actor, screener, queries, threshold=threshold, top=3):
        caption = screener.captions.get(hit.entry.id, hit.matched_name)
        out[int(qid)].append(
            Finding(
                "watchlist",
                hit.entry.list,
                hit.entry.ref,
                round(hit.score, 4),
                f"{caption}: {hit.explanation}",
                {
                    "matched_name": hit.matched_name,
                    "features": [
                        {"name": f.name, "value": f.value, "contribution": f.contribution}
                        for f in hit.features
                    ],
                },
            )
        )
    return out


def document_findings(index: DocumentIndex | None, p: Passenger) -> list[Finding]:
    """Exact and near-miss hits of the passenger's documents on the lost/stolen list."""
    if index is None:
        return []
    out: list[Finding] = []
    for doc in p.documents:
        if not doc.number:
            continue
        try:
            found = index.lookup(doc.number, doc.issuing_country)
        except InvalidInput as exc:  # no usable issuer or number: say so, check the others
            out.append(
                Finding(
                    "mrz",
                    "unchecked",
                    doc.number[:40],
                    0.2,
                    f"{doc.type or 'document'} not checked against the document list: "
                    f"{exc.render()}",
                )
            )
            continue
        for hit in found:
            reported = f", reported {hit.reported_on}" if hit.reported_on else ""
            if hit.exact:
                text = (
                    f"{doc.type or 'document'} {hit.number} issued by {hit.issuing_country} "
                    f"is listed as {hit.status}{reported}"
                )
                score = 1.0
            else:
                text = (
                    f"near miss: {doc.number} ({doc.issuing_country}) resembles listed "
                    f"{hit.number} ({hit.issuing_country}, {hit.status}{reported}): {hit.variant}"
                )
                score = 0.6
            out.append(
                Finding(
                    "document",
                    "documents" if hit.exact else "documents-near-miss",
                    f"{hit.issuing_country}:{hit.number}",
                    score,
                    text,
                    {
                        "status": hit.status,
                        "exact": hit.exact,
                        "variant": hit.variant,
                        "sent": doc.number,
                    },
                )
            )
    return out


def mrz_findings(p: Passenger, departure: dt.date) -> list[Finding]:
    """Document data that cannot be right under ICAO Doc 9303 or at this departure date."""
    out: list[Finding] = []
    for doc in p.documents:
        number = doc.number.upper()
        where = f"{doc.type or 'document'} {number}"
        if doc.expiry and doc.expiry < departure:
            out.append(Finding("mrz", "expiry", number, 0.5, f"{where} expired on {doc.expiry}"))
        if number and not _DOC_CHARS.match(number):
            out.append(
                Finding(
                    "mrz",
                    "number",
                    number,
                    0.3,
                    f"{where} has characters an MRZ cannot hold (only A-Z and 0-9)",
                )
            )
        if doc.issued and doc.expiry and doc.issued >= doc.expiry:
            out.append(
                Finding("mrz", "dates", number, 0.3, f"{where} issued {doc.issued} after expiry")
            )
        if doc.issued and doc.issued > departure:
            out.append(
                Finding(
                    "mrz", "dates", number, 0.3, f"{where} issued {doc.issued} after the flight"
                )
            )
    if p.birth_date and p.birth_date > departure:
        out.append(
            Finding("mrz", "birth_date", str(p.birth_date), 0.3, "birth date after the flight")
        )
    return out


def _name_key(p: Passenger) -> str:
    return (
        re.sub(r"[^A-Z]", "", p.surname.upper()) + "|" + re.sub(r"[^A-Z]", "", p.given.upper())[:1]
    )


def subjects_of(s: Session, flights: Iterable[Flight]) -> list[tuple[TravelPassenger, Subject]]:
    """Every person to check on these flights. A PNR traveller who is also on the API manifest
    is checked once, as the API passenger (with the PNR attached for the rules)."""
    flights = list(flights)
    by_id = {f.id: f for f in flights}
    pnrs: dict[tuple[int, str], PnrRecord] = {}
    pnr_by_row: dict[int, PnrRecord] = {}
    versions: dict[int, tuple[int, int]] = {}
    for pnr_row in s.scalars(select(Pnr).where(Pnr.flight_id.in_(by_id))):
        booking = codec.load(PnrRecord, pnr_row.data)
        pnrs[(pnr_row.flight_id, pnr_row.locator)] = booking
        pnr_by_row[pnr_row.id] = booking
        versions[id(booking)] = (pnr_row.id, pnr_row.version)
    rows = list(
        s.scalars(
            select(TravelPassenger)
            .where(TravelPassenger.flight_id.in_(by_id), TravelPassenger.masked.is_(False))
            .order_by(TravelPassenger.flight_id, TravelPassenger.source, TravelPassenger.id)
        )
    )
    api_names: dict[int, set[str]] = defaultdict(set)
    out: list[tuple[TravelPassenger, Subject]] = []
    for row in rows:
        f = by_id[row.flight_id]
        leg = Leg(f.carrier, f.number, f.origin, f.destination, f.departure, f.arrival)
        legs = tuple(codec.load(Leg, d) for d in (f.legs or [])) or (leg,)
        rec = codec.load(Passenger, row.data)
        if row.source == "api":
            api_names[f.id].add(_name_key(rec))
            pnr = pnrs.get((f.id, row.pnr_locator)) if row.pnr_locator else None
        else:
            if _name_key(rec) in api_names[f.id]:
                continue
            pnr = pnr_by_row.get(row.pnr_id) if row.pnr_id else None
        stamp = (row.updated_at, versions.get(id(pnr)) if pnr is not None else None)
        out.append((row, Subject(row.id, f.id, rec, leg, legs, pnr, stamp)))
    return out


def store_findings(
    s: Session,
    row: TravelPassenger,
    findings: list[Finding],
    run: CheckRun,
    checks: set[str],
    rules: frozenset[str] | None = None,
) -> list[TravelHit]:
    """Store one passenger's findings. A decided hit keeps the evidence it was decided on; an
    open hit that no longer fires is withdrawn, but only for what was evaluated (``checks``;
    for rule hits, only the rules in ``rules`` when given)."""
    existing = {
        h.key: h
        for h in s.scalars(select(TravelHit).where(TravelHit.passenger_id == row.id))
        if h.check in checks and (h.check != "rule" or rules is None or h.list_name in rules)
    }
    now = utcnow()
    kept: list[TravelHit] = []
    seen: set[str] = set()
    for f in findings:
        if f.key in seen:
            continue
        seen.add(f.key)
        hit = existing.get(f.key)
        if hit is None:
            hit = TravelHit(
                org_id=row.org_id,
                flight_id=row.flight_id,
                passenger_id=row.id,
                key=f.key,
                check=f.check,
                state="open",
            )
            s.add(hit)
            run.new_hits += 1
        elif hit.state == "withdrawn":
            hit.state = "open"
            run.new_hits += 1
        elif hit.state in ("confirmed", "dismissed"):
            kept.append(hit)  # decided on this evidence: it stays as it was
            continue
        hit.list_name = f.list_name[:80]
        hit.list_ref = f.list_ref[:200]
        hit.score = f.score
        hit.explanation = f.explanation
        hit.details = f.details
        hit.updated_at = now
        kept.append(hit)
    for key, hit in existing.items():
        if key not in seen and hit.state == "open":
            hit.state = "withdrawn"
            hit.updated_at = now
            run.withdrawn += 1
    return kept


def _chosen_flights(
    s: Session, orgs: set[int] | None, flight_ids: Sequence[int] | None
) -> list[Flight]:
    stmt = select(Flight).where(Flight.masked_at.is_(None))
    if orgs is not None:
        stmt = stmt.where(Flight.org_id.in_(orgs))
    if flight_ids is not None:
        stmt = stmt.where(Flight.id.in_(flight_ids))
    found = list(s.scalars(stmt.order_by(Flight.departure_date, Flight.id)))
    if flight_ids is not None and not found:
        raise NotFound(
            "No flight {ids} to check.",
            hint="See the flights with `cthub travel check --all` or the Flights page.",
            ids=", ".join(map(str, flight_ids)),
        )
    return found


def rule_context(
    settings: Settings,
    subjects: Sequence[Subject],
    hit_people: set[int],
    doc_people: set[int],
    push_counts: Mapping[str, int] | None = None,
) -> FactContext:
    """What the rules see beyond the records: hubs and the country list (settings), who has a
    watchlist or document hit, booking groups (co-travellers share a flight and a locator) and
    one index of every PNR checked together (shared cards and contacts)."""
    groups: dict[Hashable, Hashable] = {
        s.row_id: (
            s.flight_id,
            s.record.pnr_locator or (s.pnr.locator if s.pnr else f"#{s.row_id}"),
        )
        for s in subjects
    }
    hit_locators = frozenset(
        s.record.pnr_locator or (s.pnr.locator if s.pnr else "")
        for s in subjects
        if s.row_id in hit_people
    ) - {""}
    pnrs = {id(s.pnr): s.pnr for s in subjects if s.pnr is not None}
    return FactContext(
        now=utcnow().replace(tzinfo=None, minute=0, second=0, microsecond=0),  # to the hour
        hubs=frozenset(split_codes(settings.travel_hub_airports)),
        destination_countries=frozenset(split_codes(settings.travel_watch_countries)),
        watchlist_hits=frozenset(hit_people),
        document_hits=frozenset(doc_people),
        groups=groups,
        hit_locators=hit_locators,
        push_counts=dict(push_counts or {}),
        index=CrossIndex.build(pnrs.values()),
    )


def push_counts(s: Session, flight_ids: Sequence[int]) -> dict[str, int]:
    """PNR locator -> how many pushes (versions) were received, over these flights."""
    if not flight_ids:
        return {}
    rows = s.execute(
        select(Pnr.locator, func.max(Pnr.version))
        .where(Pnr.flight_id.in_(flight_ids))
        .group_by(Pnr.locator)
    )
    return {locator: int(n) for locator, n in rows}


def split_codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


#: The fact rows of the last rule run, by what they were derived from: re-evaluating the rules
#: over the same stored data (a rule changed, a rule is tested) skips deriving them again.
_FACTS_LOCK = threading.Lock()
_FACTS: dict[str, tuple[tuple[object, ...], list[dict[str, object]]]] = {}


def _fingerprint(subjects: Sequence[Subject], context: FactContext) -> tuple[object, ...]:
    return (
        tuple((s.row_id, s.stamp) for s in subjects),
        context.now,
        context.hubs,
        context.destination_countries,
        context.watchlist_hits,
        context.document_hits,
        context.hit_locators,
        tuple(sorted(context.push_counts.items())),
        context.long_trip_days,
    )


def fact_rows(
    subjects: Sequence[Subject], context: FactContext, cache_key: str = ""
) -> list[dict[str, object]]:
    """One fact row per subject; with ``cache_key``, the rows of the last call with the same
    key are reused when the subjects' stored rows and the context are unchanged."""
    fingerprint = _fingerprint(subjects, context) if cache_key else ()
    if cache_key:
        with _FACTS_LOCK:
            cached = _FACTS.get(cache_key)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    rows = [
        passenger_facts(
            Message(kind="PNRGOV" if s.pnr else "PAXLST", version="", flight=s.flight, legs=s.legs),
            s.record,
            s.pnr,
            context,
            subject_id=s.row_id,
        )
        for s in subjects
    ]
    if cache_key:
        with _FACTS_LOCK:
            _FACTS.clear()  # one run's rows at a time: they are large
            _FACTS[cache_key] = (fingerprint, rows)
    return rows


def rule_findings(
    rules: RuleSet, subjects: Sequence[Subject], context: FactContext, cache_key: str = ""
) -> dict[int, list[Finding]]:
    out: dict[int, list[Finding]] = defaultdict(list)
    with gc_paused():  # tens of thousands of fact dicts: a collection pass costs more than all
        rows = fact_rows(subjects, context, cache_key)
        for hit in rules.evaluate(rows):
            out[hit.row].append(
                Finding(
                    "rule",
                    hit.rule,
                    f"v{hit.version}",
                    hit.weight,
                    hit.explanation,
                    {"conditions": [c.to_dict() for c in hit.conditions]},
                )
            )
    return out


def run_checks(
    hub: Hub,
    actor: Actor,
    flight_ids: Sequence[int] | None = None,
    checks: Iterable[str] = ("watchlist", "document", "rule", "mrz"),
) -> CheckRun:
    """Check the chosen flights (every visible, unmasked flight when ``None``) and store hits."""
    wanted = set(checks)
    run = CheckRun()
    with hub.unit(actor, "travel.check") as u:
        flights = _chosen_flights(u.s, u.visible_orgs(), flight_ids)
        pairs = subjects_of(u.s, flights)
        pushes = push_counts(u.s, [f.id for f in flights])
        for s in u.s.scalars(select(Flight).where(Flight.id.in_([f.id for f in flights]))):
            u.s.expunge(s)
    subjects = [p[1] for p in pairs]
    run.flights, run.passengers = len(flights), len(subjects)
    found: dict[int, list[Finding]] = defaultdict(list)
    if "watchlist" in wanted and subjects:
        lists = [x for x in hub.settings.travel_watchlist_lists.split(",") if x.strip()] or None
        try:
            screener = cached_screener(hub, actor, lists)
        except NotFound as exc:
            run.skipped.append(f"watchlist: {exc.render()}")
        else:
            threshold = hub.settings.travel_watchlist_threshold
            for i, fs in watchlist_findings(hub, actor, screener, subjects, threshold).items():
                found[i].extend(fs)
    index = doclist.active_index(hub) if "document" in wanted else None
    if "document" in wanted and index is None:
        run.skipped.append("document: no lost/stolen document list is loaded")
    for i, subject in enumerate(subjects):
        if index is not None:
            found[i].extend(document_findings(index, subject.record))
        if "mrz" in wanted:
            leg = subject.flight
            departure = leg.departure.date() if leg.departure else dt.date.today()
            found[i].extend(mrz_findings(subject.record, departure))
    universe: dict[int | None, frozenset[str]] = {}
    if "rule" in wanted and subjects:
        watched = {
            subjects[i].row_id for i, fs in found.items() if any(f.check == "watchlist" for f in fs)
        }
        docs = {
            subjects[i].row_id
            for i, fs in found.items()
            if any(f.check == "document" and f.details.get("exact") for f in fs)
        }
        org_of = {f.id: f.org_id for f in flights}
        by_org: dict[int | None, list[int]] = defaultdict(list)
        for i, subject in enumerate(subjects):
            by_org[org_of[subject.flight_id]].append(i)
        for org_id, members in by_org.items():  # each flight with its own organisation's rules
            ruleset, universe[org_id] = rulestore.ruleset_for(hub, org_id)
            if ruleset is None:
                run.skipped.append("rule: no active risk rule")
                continue
            group = [subjects[i] for i in members]
            context = rule_context(hub.settings, group, watched, docs, pushes)
            key = f"{hub.db.url}|{org_id}"
            for j, fs in rule_findings(ruleset, group, context, key).items():
                found[members[j]].extend(fs)
    with hub.unit(actor, "travel.check") as u:
        labels = {f.id: f"{f.carrier}{f.number}/{f.departure_date:%Y-%m-%d}" for f in flights}
        for i, (row0, subject) in enumerate(pairs):
            row = u.s.get_one(TravelPassenger, row0.id)
            org_rules = universe.get(row.org_id, frozenset()) if "rule" in wanted else None
            hits = store_findings(u.s, row, found.get(i, []), run, wanted, org_rules)
            u.s.flush()
            for h in hits:
                run.rows.append(
                    CheckRow(
                        labels[row.flight_id],
                        row.flight_id,
                        row.id,
                        subject.record.ref or f"P{row.id}",
                        row.name,
                        h.check,
                        h.list_name,
                        h.list_ref,
                        h.score,
                        h.explanation,
                        h.id,
                        h.state,
                    )
                )
        u.audit(
            "flight",
            details={
                "flights": run.flights,
                "passengers": run.passengers,
                "hits": len(run.rows),
                "new": run.new_hits,
                "withdrawn": run.withdrawn,
                "checks": sorted(wanted),
            },
        )
    return run


__all__ = [
    "CheckRow",
    "CheckRun",
    "Finding",
    "Subject",
    "document_findings",
    "mrz_findings",
    "nationality_alpha2",
    "run_checks",
    "store_findings",
    "subjects_of",
    "watch_query",
    "watchlist_findings",
]
