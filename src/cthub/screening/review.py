"""Review of screening hits: subjects under watch, re-screening, alerts and decisions.

An organisation puts subjects under watch (``watch``); ``rescreen`` screens its active subjects
against the active list versions and turns hits into alerts. Each alert keeps the entry's
``content_hash``: a false-positive decision suppresses the same subject against the same entry
content, and when a new list version changes the entry a new open alert is raised (it points at
the alert it reopens). Open alerts whose entry is absent from the active version are closed with
the reason ``delisted: <list> version N``. Reviewers decide alerts with a reason (``decide``);
every decision is kept with its user and time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.lists import active_entries, content_hash
from cthub.screening import cache
from cthub.screening.matching import Query
from cthub.screening.models import ALERT_STATES, DECISIONS, Alert, Decision, WatchedSubject
from cthub.screening.service import parse_query, screen

RESCREEN_TOP = 10
SUBJECT_FIELDS = ("type", "birth_date", "nationality", "gender", "id_number")


@dataclass(frozen=True)
class WatchResult:
    created: int
    updated: int


@dataclass(frozen=True)
class DecisionView:
    decision: str
    reason: str
    decided_by: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class AlertView:
    id: int
    org_id: int
    subject_id: int | None
    query_id: str
    list_name: str
    list_ref: str
    entry_hash: str
    score: float
    matched_name: str
    entity_name: str
    explanation: str
    state: str
    closed_reason: str | None
    reopens_alert_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    decisions: list[DecisionView] = field(default_factory=list)


@dataclass(frozen=True)
class RescreenResult:
    subjects: int
    hits: int
    created: int
    reopened: int
    suppressed: int
    already_raised: int
    closed: int
    lists: dict[str, int]


def _org_of(actor: Actor, org_id: int | None) -> int:
    """The organisation acted for: the actor's own; the operator must name one."""
    target = actor.org_id if actor.org_id is not None else org_id
    if target is None:
        raise InvalidInput(
            "Name the organisation to act for.",
            hint="The local operator belongs to no organisation; pass its id.",
        )
    return target


@dataclass(frozen=True)
class _Org:
    org_id: int


def watch(
    hub: Hub,
    actor: Actor,
    subjects: Iterable[Mapping[str, str | None]],
    *,
    org_id: int | None = None,
) -> WatchResult:
    """Put subjects under watch, or update them, by the organisation's own ``id``.

    Each record has ``id`` and ``name`` plus the optional evidence of a screening query;
    ``active`` ``false``/``0``/``no`` takes a subject off watch. Any bad record refuses the batch.
    """
    with hub.unit(actor, "watchlist.write") as u:
        target = _org_of(actor, org_id)
        u.require(_Org(target))
        parsed: dict[str, tuple[Query, bool]] = {}
        for number, record in enumerate(subjects, start=1):
            qid, query = parse_query(record, f"subject {number}")
            if len(qid) > 200:
                raise InvalidInput(
                    "subject {number}: the id is longer than 200 characters.", number=number
                )
            flag = (record.get("active") or "true").strip().lower()
            parsed[qid] = (query, flag not in ("false", "0", "no"))
        if not parsed:
            raise InvalidInput("No subject was given.")
        existing = {
            s.external_id: s
            for s in u.s.scalars(
                select(WatchedSubject).where(
                    WatchedSubject.org_id == target,
                    WatchedSubject.external_id.in_(list(parsed)),
                )
            )
        }
        created = updated = 0
        for qid, (query, active) in parsed.items():
            row = existing.get(qid)
            if row is None:
                row = WatchedSubject(org_id=target, external_id=qid, created_by=actor.name)
                u.s.add(row)
                created += 1
            else:
                updated += 1
            row.name = query.name[:500]
            row.type = query.type
            row.birth_date = query.birth_date
            row.nationality = query.nationality
            row.gender = query.gender[:20] if query.gender else None
            row.id_number = query.id_number[:100] if query.id_number else None
            row.active = active
        u.audit(
            "watched_subject",
            org_id=target,
            details={"created": created, "updated": updated},
        )
        return WatchResult(created, updated)


def _hashes(
    hub: Hub, actor: Actor, lists: Iterable[str] | None
) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
    """Content hash of every active entry by (list, ref), and each list's active version."""
    hashes: dict[tuple[str, str], str] = {}
    versions: dict[str, int] = {}
    for view in active_entries(hub, actor, lists):
        hashes[(view.list_name, view.ref)] = content_hash(view.schema, view.properties)
        versions[view.list_name] = view.version
    return hashes, versions


def rescreen(
    hub: Hub,
    actor: Actor,
    lists: Iterable[str] | None = None,
    threshold: float = 0.7,
    *,
    org_id: int | None = None,
) -> RescreenResult:
    """Screen the organisation's active watched subjects; raise, reopen and close alerts."""
    with hub.unit(actor, "watchlist.write") as u:
        target = _org_of(actor, org_id)
        u.require(_Org(target))
        subjects = [
            (s.id, s.external_id, _query(s))
            for s in u.s.scalars(
                select(WatchedSubject)
                .where(WatchedSubject.org_id == target, WatchedSubject.active.is_(True))
                .order_by(WatchedSubject.id)
            )
        ]
        u.audit("watched_subject", org_id=target, details={"rescreen": len(subjects)})
    wanted = sorted(set(lists)) if lists else None
    screener = cache.screener(hub, actor, wanted)
    hashes, versions = _hashes(hub, actor, screener.lists)
    by_key = {str(sid): (sid, external) for sid, external, _ in subjects}
    hits = [
        (by_key[key], hit)
        for key, hit in screen(
            hub,
            actor,
            screener,
            ((str(sid), q) for sid, _, q in subjects),
            threshold,
            RESCREEN_TOP,
        )
    ]
    with hub.unit(actor, "watchlist.write") as u:
        u.require(_Org(target))
        now = utcnow()
        previous: dict[tuple[int, str, str], list[Alert]] = {}
        for alert in u.s.scalars(
            select(Alert)
            .where(Alert.org_id == target, Alert.subject_id.is_not(None))
            .order_by(Alert.id)
        ):
            if alert.subject_id is None:
                continue
            previous.setdefault((alert.subject_id, alert.list_name, alert.list_ref), []).append(
                alert
            )
        created = reopened = suppressed = raised = 0
        for (sid, external), hit in hits:
            digest = hashes.get((hit.entry.list, hit.entry.ref))
            if digest is None:  # a list version loaded between the two reads; next run
                continue
            older = previous.get((sid, hit.entry.list, hit.entry.ref), [])
            live = [a for a in older if a.state in ("open", "true_match")]
            if live:
                raised += 1
                for alert in live:
                    if alert.state == "open" and alert.entry_hash != digest:
                        _refresh(alert, hit.score, hit.matched_name, hit.explanation, digest, now)
                continue
            same = [a for a in older if a.state == "false_positive" and a.entry_hash == digest]
            if same:
                suppressed += 1
                continue
            cleared = [a for a in older if a.state == "false_positive"]
            alert = Alert(
                org_id=target,
                subject_id=sid,
                query_id=external,
                list_name=hit.entry.list,
                list_ref=hit.entry.ref,
                entry_hash=digest,
                score=hit.score,
                matched_name=hit.matched_name[:500],
                entity_name=screener.captions.get(hit.entry.id, hit.entry.names[0])[:300],
                explanation=hit.explanation,
                state="open",
                reopens_alert_id=cleared[-1].id if cleared else None,
                created_at=now,
                updated_at=now,
            )
            u.s.add(alert)
            previous.setdefault((sid, hit.entry.list, hit.entry.ref), []).append(alert)
            if cleared:
                reopened += 1
            else:
                created += 1
        closed = _close_delisted(u, target, hashes, versions, now)
        result = RescreenResult(
            subjects=len(subjects),
            hits=len(hits),
            created=created,
            reopened=reopened,
            suppressed=suppressed,
            already_raised=raised,
            closed=closed,
            lists=dict(sorted(versions.items())),
        )
        u.audit(
            "alert",
            org_id=target,
            details={
                "subjects": result.subjects,
                "hits": result.hits,
                "created": created,
                "reopened": reopened,
                "suppressed": suppressed,
                "closed": closed,
                "lists": result.lists,
                "threshold": threshold,
            },
        )
        return result


def _query(s: WatchedSubject) -> Query:
    return Query(
        name=s.name,
        type=s.type,
        birth_date=s.birth_date,
        nationality=s.nationality,
        gender=s.gender,
        id_number=s.id_number,
    )


def _refresh(
    alert: Alert, score: float, matched: str, explanation: str, digest: str, now: dt.datetime
) -> None:
    alert.score = score
    alert.matched_name = matched[:500]
    alert.explanation = explanation
    alert.entry_hash = digest
    alert.updated_at = now


def _close_delisted(
    u: Unit,
    org_id: int,
    hashes: dict[tuple[str, str], str],
    versions: dict[str, int],
    now: dt.datetime,
) -> int:
    closed = 0
    for alert in u.s.scalars(
        select(Alert).where(
            Alert.org_id == org_id,
            Alert.state == "open",
            Alert.list_name.in_(list(versions)),
        )
    ):
        if (alert.list_name, alert.list_ref) not in hashes:
            alert.state = "closed"
            alert.closed_reason = f"delisted: {alert.list_name} version {versions[alert.list_name]}"
            alert.updated_at = now
            closed += 1
    return closed


def _view(alert: Alert, decisions: list[Decision]) -> AlertView:
    return AlertView(
        id=alert.id,
        org_id=alert.org_id,
        subject_id=alert.subject_id,
        query_id=alert.query_id,
        list_name=alert.list_name,
        list_ref=alert.list_ref,
        entry_hash=alert.entry_hash,
        score=alert.score,
        matched_name=alert.matched_name,
        entity_name=alert.entity_name,
        explanation=alert.explanation,
        state=alert.state,
        closed_reason=alert.closed_reason,
        reopens_alert_id=alert.reopens_alert_id,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        decisions=[
            DecisionView(d.decision, d.reason, d.decided_by, d.decided_at) for d in decisions
        ],
    )


def _decisions(u: Unit, ids: list[int]) -> dict[int, list[Decision]]:
    found: dict[int, list[Decision]] = {i: [] for i in ids}
    if ids:
        for d in u.s.scalars(
            select(Decision).where(Decision.alert_id.in_(ids)).order_by(Decision.id)
        ):
            found[d.alert_id].append(d)
    return found


def alerts(
    hub: Hub,
    actor: Actor,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertView], int]:
    """Alerts visible to the actor (newest first) and their total count."""
    if state is not None and state not in ALERT_STATES:
        raise InvalidInput(
            "Unknown alert state {state}.",
            hint="Use open, true_match, false_positive or closed.",
            state=state,
        )
    with hub.unit(actor, "alerts.read") as u:
        stmt = select(Alert)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(Alert.org_id.in_(sorted(orgs)))
        if state is not None:
            stmt = stmt.where(Alert.state == state)
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(u.s.scalars(stmt.order_by(Alert.id.desc()).limit(limit).offset(offset)))
        decided = _decisions(u, [a.id for a in rows])
        u.audit("alert", details={"state": state, "returned": len(rows), "total": total})
        return [_view(a, decided[a.id]) for a in rows], total


def _load(u: Unit, alert_id: int) -> Alert:
    alert = u.s.get(Alert, alert_id)
    if alert is None:
        raise NotFound("Alert {id} does not exist.", id=alert_id)
    u.require(alert)
    return alert


def alert(hub: Hub, actor: Actor, alert_id: int) -> AlertView:
    """One alert with its decisions."""
    with hub.unit(actor, "alerts.read") as u:
        found = _load(u, alert_id)
        u.audit("alert", found.id, org_id=found.org_id)
        return _view(found, _decisions(u, [found.id])[found.id])


def decide(hub: Hub, actor: Actor, alert_id: int, decision: str, reason: str) -> AlertView:
    """Mark an alert a true match or a false positive, with a reason; recorded and audited."""
    with hub.unit(actor, "alerts.decide") as u:
        found = _load(u, alert_id)
        if decision not in DECISIONS:
            raise InvalidInput(
                "Unknown decision {decision}.",
                hint="Use true_match or false_positive.",
                decision=decision,
            )
        text = (reason or "").strip()
        if not text:
            raise InvalidInput(
                "A decision needs a reason.",
                hint="Say why the alert is a true match or a false positive.",
            )
        if found.state == "closed":
            raise Conflict(
                "Alert {id} is closed ({reason}); it cannot be decided.",
                id=found.id,
                reason=found.closed_reason or "",
            )
        now = utcnow()
        u.s.add(
            Decision(
                alert_id=found.id,
                decision=decision,
                reason=text[:4000],
                decided_by=actor.name,
                decided_at=now,
            )
        )
        found.state = decision
        found.updated_at = now
        u.s.flush()
        u.audit("alert", found.id, org_id=found.org_id, details={"decision": decision})
        return _view(found, _decisions(u, [found.id])[found.id])


__all__ = [
    "AlertView",
    "DecisionView",
    "RescreenResult",
    "WatchResult",
    "alert",
    "alerts",
    "decide",
    "rescreen",
    "watch",
]
