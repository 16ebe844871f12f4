"""Review of screening hits: subjects under watch, re-screening, alerts and decisions.

An organisation puts subjects under watch (``watch``); ``rescreen`` screens its active subjects
against the active list versions and turns hits into alerts by the rules of ``alerting``, which
``delta.rescreen_delta`` shares when a new version is screened only for what changed. Each alert
keeps the entry's ``content_hash``: a false-positive decision suppresses the same subject against
the same entry content, and when a new list version changes the entry a new open alert is raised
(it points at the alert it reopens). Open alerts whose entry is absent from the active version are
closed with the reason ``delisted: <list> version N``. Reviewers decide alerts with a reason
(``decide``, in ``decisions``); every decision is kept with its user and time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.lists import active_entries, content_hash
from cthub.screening import alerting, cache
from cthub.screening.alerting import AlertBook, OrgScope, Tally, org_of
from cthub.screening.decisions import AlertView, DecisionView, alert, alerts, decide
from cthub.screening.matching import Query
from cthub.screening.models import Alert, WatchedSubject
from cthub.screening.service import parse_query

SUBJECT_FIELDS = ("type", "birth_date", "nationality", "gender", "id_number")


@dataclass(frozen=True)
class WatchResult:
    created: int
    updated: int


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
        target = org_of(actor, org_id)
        u.require(OrgScope(target))
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
        target = org_of(actor, org_id)
        u.require(OrgScope(target))
        watched = alerting.subjects(u, target)
        u.audit("watched_subject", org_id=target, details={"rescreen": len(watched)})
    wanted = sorted(set(lists)) if lists else None
    screener = cache.screener(hub, actor, wanted)
    hashes, versions = _hashes(hub, actor, screener.lists)
    hits = alerting.screen_subjects(hub, actor, screener, watched, threshold)
    with hub.unit(actor, "watchlist.write") as u:
        u.require(OrgScope(target))
        earlier = select(Alert).where(Alert.org_id == target, Alert.subject_id.is_not(None))
        book = AlertBook(u, u.s.scalars(earlier.order_by(Alert.id)), utcnow())
        for subject, hit in hits:
            digest = hashes.get((hit.entry.list, hit.entry.ref))
            if digest is None:  # a list version loaded between the two reads; next run
                continue
            caption = screener.captions.get(hit.entry.id, hit.entry.names[0])
            book.apply(subject, hit, digest, caption)
        opened = select(Alert).where(
            Alert.org_id == target, Alert.state == "open", Alert.list_name.in_(list(versions))
        )
        book.close_delisted(
            (a for a in u.s.scalars(opened) if (a.list_name, a.list_ref) not in hashes), versions
        )
        return _rescreened(u, target, len(watched), len(hits), book.total(), versions, threshold)


def _rescreened(
    u: Unit,
    org_id: int,
    watched: int,
    hits: int,
    tally: Tally,
    versions: dict[str, int],
    threshold: float,
) -> RescreenResult:
    result = RescreenResult(
        subjects=watched,
        hits=hits,
        created=tally.created,
        reopened=tally.reopened,
        suppressed=tally.suppressed,
        already_raised=tally.already_raised,
        closed=tally.closed,
        lists=dict(sorted(versions.items())),
    )
    details = {k: v for k, v in tally.as_dict().items() if k not in ("already_raised", "refreshed")}
    u.audit(
        "alert",
        org_id=org_id,
        details={
            "subjects": watched,
            "hits": hits,
            **details,
            "lists": result.lists,
            "threshold": threshold,
        },
    )
    return result


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


def watched_subjects(hub: Hub, actor: Actor, *, org_id: int | None = None) -> list[dict[str, str]]:
    """The organisation's active watched subjects as records (``id``, ``name`` and evidence).

    For other capabilities that match the watchlist with a partner without revealing it (the
    exchange's private set intersection); reading it needs ``watchlist.read``.
    """
    with hub.unit(actor, "watchlist.read") as u:
        org = org_id if actor.is_system else actor.org_id
        rows = u.s.scalars(
            select(WatchedSubject)
            .where(WatchedSubject.org_id == org, WatchedSubject.active.is_(True))
            .order_by(WatchedSubject.id)
        )
        found = [
            {"id": w.external_id, "name": w.name,
             **{f: getattr(w, f) for f in SUBJECT_FIELDS if getattr(w, f)}}
            for w in rows
        ]  # fmt: skip
        u.audit("watched_subject", org_id=org, details={"read": len(found)})
        return found
