"""Alert rules shared by the full re-screen (``review.rescreen``) and the delta one (``delta``).

A hit of a watched subject on a list entry becomes an open alert, unless the subject already has
a live alert on that entry (open or true match: "already raised"; an open one is refreshed when
the entry's content changed) or a false-positive decision on the same entry content suppresses
it. A false positive on other content is reopened: the new alert points at it through
``reopens_alert_id``. An open alert whose entry left the list is closed with the reason
``delisted: <list> version N``. Counts are kept per organisation, since one delta run writes the
alerts of every organisation in that organisation's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import select

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.screening.matching import Hit, Query
from cthub.screening.models import Alert, WatchedSubject
from cthub.screening.service import Screener, screen

RESCREEN_TOP = 10
Progress = Callable[[int, int | None, str], None]


@dataclass(frozen=True)
class OrgScope:
    """An organisation as a policy resource (``u.require(OrgScope(id))``)."""

    org_id: int


def org_of(actor: Actor, org_id: int | None) -> int:
    """The organisation acted for: the actor's own; the operator must name one."""
    target = actor.org_id if actor.org_id is not None else org_id
    if target is None:
        raise InvalidInput(
            "Name the organisation to act for.",
            hint="The local operator belongs to no organisation; pass its id.",
        )
    return target


@dataclass(frozen=True)
class Subject:
    """A watched subject as screened: its row id, organisation, own id and query."""

    id: int
    org_id: int
    external_id: str
    query: Query


def subjects(u: Unit, org_id: int | None) -> list[Subject]:
    """Active watched subjects of one organisation, or of every one (``None``), oldest first.

    Read as plain rows, not ORM objects: a run reads every subject, and only reads them.
    """
    w = WatchedSubject
    stmt = select(
        w.id, w.org_id, w.external_id, w.name, w.type, w.birth_date, w.nationality, w.gender,
        w.id_number,
    ).where(w.active.is_(True))  # fmt: skip
    if org_id is not None:
        stmt = stmt.where(w.org_id == org_id)
    return [
        Subject(
            r.id,
            r.org_id,
            r.external_id,
            Query(r.name, r.type, r.birth_date, r.nationality, r.gender, r.id_number),
        )
        for r in u.s.execute(stmt.order_by(w.id))
    ]


def screen_subjects(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    watched: Sequence[Subject],
    threshold: float,
    progress: Progress | None = None,
) -> list[tuple[Subject, Hit]]:
    """Every hit of ``watched`` against ``screener`` (audited by ``screen``), best first each."""
    by_key = {str(s.id): s for s in watched}

    def queries() -> Iterator[tuple[str, Query]]:
        for number, subject in enumerate(watched, start=1):
            yield str(subject.id), subject.query
            if progress is not None and (number % 250 == 0 or number == len(watched)):
                progress(number, len(watched), "subjects screened")

    found = screen(hub, actor, screener, queries(), threshold, RESCREEN_TOP)
    return [(by_key[key], hit) for key, hit in found]


@dataclass
class Tally:
    """What the rules did, for one organisation or in all."""

    created: int = 0
    reopened: int = 0
    suppressed: int = 0
    already_raised: int = 0
    refreshed: int = 0
    closed: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def delisted_reason(list_name: str, version: int) -> str:
    return f"delisted: {list_name} version {version}"


class AlertBook:
    """The earlier alerts of some subjects, and the rules that turn hits into alerts.

    ``earlier`` must hold every alert (any state) of the subjects and entries that ``apply``
    will see, oldest first; new alerts join the book, so a repeated hit is raised once.
    """

    def __init__(self, u: Unit, earlier: Iterable[Alert], now: dt.datetime) -> None:
        self._u, self.now = u, now
        self._by_key: dict[tuple[int, str, str], list[Alert]] = {}
        for alert in earlier:
            if alert.subject_id is not None:
                key = (alert.subject_id, alert.list_name, alert.list_ref)
                self._by_key.setdefault(key, []).append(alert)
        self.tallies: dict[int, Tally] = {}

    def tally(self, org_id: int) -> Tally:
        return self.tallies.setdefault(org_id, Tally())

    def total(self) -> Tally:
        total = Tally()
        for tally in self.tallies.values():
            total.add(tally)
        return total

    def apply(self, subject: Subject, hit: Hit, digest: str, entity_name: str) -> None:
        """Raise, reopen, refresh or suppress for one hit on an entry whose hash is ``digest``."""
        key = (subject.id, hit.entry.list, hit.entry.ref)
        older = self._by_key.get(key, [])
        tally = self.tally(subject.org_id)
        live = [a for a in older if a.state in ("open", "true_match")]
        if live:
            tally.already_raised += 1
            stale = [a for a in live if a.state == "open" and a.entry_hash != digest]
            for alert in stale:
                self._refresh(alert, hit, digest)
            tally.refreshed += bool(stale)
            return
        if any(a.state == "false_positive" and a.entry_hash == digest for a in older):
            tally.suppressed += 1
            return
        cleared = [a for a in older if a.state == "false_positive"]
        alert = Alert(
            org_id=subject.org_id,
            subject_id=subject.id,
            query_id=subject.external_id,
            list_name=hit.entry.list,
            list_ref=hit.entry.ref,
            entry_hash=digest,
            score=hit.score,
            matched_name=hit.matched_name[:500],
            entity_name=entity_name[:300],
            explanation=hit.explanation,
            state="open",
            reopens_alert_id=cleared[-1].id if cleared else None,
            created_at=self.now,
            updated_at=self.now,
        )
        self._u.s.add(alert)
        self._by_key.setdefault(key, []).append(alert)
        if cleared:
            tally.reopened += 1
        else:
            tally.created += 1

    def _refresh(self, alert: Alert, hit: Hit, digest: str) -> None:
        alert.score = hit.score
        alert.matched_name = hit.matched_name[:500]
        alert.explanation = hit.explanation
        alert.entry_hash = digest
        alert.updated_at = self.now

    def close_delisted(self, delisted: Iterable[Alert], versions: Mapping[str, int]) -> int:
        """Close each open alert of ``delisted``: its entry is absent from ``versions[list]``."""
        closed = 0
        for alert in delisted:
            if alert.state != "open":
                continue
            alert.state = "closed"
            alert.closed_reason = delisted_reason(alert.list_name, versions[alert.list_name])
            alert.updated_at = self.now
            self.tally(alert.org_id).closed += 1
            closed += 1
        return closed


__all__ = [
    "RESCREEN_TOP",
    "AlertBook",
    "OrgScope",
    "Subject",
    "Tally",
    "delisted_reason",
    "org_of",
    "screen_subjects",
    "subjects",
]
