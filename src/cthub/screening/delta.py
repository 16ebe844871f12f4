"""Delta re-screening: watched subjects screened only against what a new list version changed.

``rescreen_delta`` diffs two versions of a list, indexes only the entries the new version added
or changed, screens every active watched subject against them (the operator's run covers every
organisation, an organisation's own actor only its own subjects) and applies the rules of
``alerting``: new hits raise alerts in the subject's organisation, a changed entry reopens a
false positive, an open alert on a changed entry is refreshed, and open alerts on removed entries
close as ``delisted: <list> version N``. Entries the new version left unchanged are not screened
again: their alerts and decisions stand as they are.

Scores depend on how rare each name part is. Over a handful of changed entries every part would
look rare, so the delta index borrows its part weights from the matcher over the active lists
(the one ``review.rescreen`` uses, cached): a delta hit scores as the same hit of a full run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from cthub.core.db import utcnow
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.lists import DiffView, EntryView, content_hash, diff, entries
from cthub.screening import alerting, cache
from cthub.screening.alerting import AlertBook, OrgScope, Progress, Subject
from cthub.screening.matching import Entry, Hit, Matcher
from cthub.screening.matching.index import CandidateIndex
from cthub.screening.models import Alert
from cthub.screening.service import Screener, to_entry

_CHUNK = 500


@dataclass(frozen=True)
class DeltaResult:
    """What one delta run did; ``indexed`` entries (added + changed) were all it screened."""

    list_name: str
    from_version: int
    to_version: int
    added: int
    changed: int
    removed: int
    indexed: int
    subjects: int
    hits: int
    created: int
    reopened: int
    refreshed: int
    suppressed: int
    already_raised: int
    closed: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _BorrowedWeights(CandidateIndex):
    """An index over a few entries whose name parts weigh as in a ``reference`` index."""

    def __init__(self, entries: Sequence[Entry], reference: CandidateIndex) -> None:
        self._reference = reference
        super().__init__(entries)

    def idf(self, key: str) -> float:
        return self._reference.idf(key)


def delta_screener(views: Sequence[EntryView], reference: Screener) -> Screener:
    """A matcher over ``views`` only, scoring with the part weights of ``reference``."""
    found = [to_entry(v) for v in views]
    captions = {e.id: v.caption for e, v in zip(found, views, strict=True)}
    index = _BorrowedWeights(found, reference.matcher.index)
    lists = tuple(sorted({v.list_name for v in views}))
    return Screener(Matcher(index), lists, captions, len(found))


def rescreen_delta(
    hub: Hub,
    actor: Actor,
    list_name: str,
    from_version: int,
    to_version: int,
    *,
    threshold: float = 0.7,
    progress: Progress | None = None,
) -> DeltaResult:
    """Re-screen watched subjects against what ``to_version`` changed since ``from_version``.

    The operator covers every organisation; another actor, its own organisation only.
    """
    started = time.perf_counter()
    change = diff(hub, actor, list_name, from_version, to_version)
    fresh = entries(hub, actor, list_name, to_version, change.added + change.changed)
    scope = None if actor.is_system else alerting.org_of(actor, None)
    with hub.unit(actor, "watchlist.write") as u:
        if scope is not None:
            u.require(OrgScope(scope))
        watched = alerting.subjects(u, scope) if fresh else []
        u.audit("watched_subject", org_id=scope, details={"rescreen_delta": len(watched)})
    hits, captions = _screen(hub, actor, fresh, watched, threshold, progress)
    with hub.unit(actor, "watchlist.write") as u:
        if scope is not None:
            u.require(OrgScope(scope))
        book = _apply(u, change, scope, hits, fresh, captions)
        tally = book.total()
        result = DeltaResult(
            list_name,
            from_version,
            to_version,
            added=len(change.added),
            changed=len(change.changed),
            removed=len(change.removed),
            indexed=len(fresh),
            subjects=len(watched),
            hits=len(hits),
            seconds=round(time.perf_counter() - started, 3),
            **tally.as_dict(),
        )
        _audit(u, book, result, threshold)
        return result


def _screen(
    hub: Hub,
    actor: Actor,
    fresh: Sequence[EntryView],
    watched: Sequence[Subject],
    threshold: float,
    progress: Progress | None,
) -> tuple[list[tuple[Subject, Hit]], dict[str, str]]:
    """The hits of ``watched`` on the ``fresh`` entries, and those entries' captions."""
    if not (fresh and watched):
        return [], {}
    screener = delta_screener(fresh, cache.screener(hub, actor))
    hits = alerting.screen_subjects(hub, actor, screener, watched, threshold, progress)
    return hits, screener.captions


def _apply(
    u: Unit,
    change: DiffView,
    scope: int | None,
    hits: list[tuple[Subject, Hit]],
    fresh: Sequence[EntryView],
    captions: dict[str, str],
) -> AlertBook:
    """Turn the hits into alerts and close the alerts of removed entries, in one unit."""
    removed = set(change.removed)
    earlier = _alerts_on(u, change.list_name, {h.entry.ref for _, h in hits} | removed, scope)
    book = AlertBook(u, earlier, utcnow())
    digests = {v.ref: content_hash(v.schema, v.properties) for v in fresh}
    for subject, hit in hits:
        caption = captions.get(hit.entry.id, hit.entry.names[0])
        book.apply(subject, hit, digests[hit.entry.ref], caption)
    delisted = (a for a in earlier if a.list_ref in removed)
    book.close_delisted(delisted, {change.list_name: change.to_version})
    return book


def _alerts_on(u: Unit, list_name: str, refs: set[str], scope: int | None) -> list[Alert]:
    """Every subject alert on these entries of the list (in ``scope``), oldest first."""
    wanted, found = sorted(refs), list[Alert]()
    for i in range(0, len(wanted), _CHUNK):  # under every backend's parameter limit
        stmt = select(Alert).where(
            Alert.list_name == list_name,
            Alert.list_ref.in_(wanted[i : i + _CHUNK]),
            Alert.subject_id.is_not(None),
        )
        if scope is not None:
            stmt = stmt.where(Alert.org_id == scope)
        found.extend(u.s.scalars(stmt))
    return sorted(found, key=lambda a: a.id)


def _audit(u: Unit, book: AlertBook, result: DeltaResult, threshold: float) -> None:
    """One event per organisation whose alerts changed, and one for the run."""
    run = {"list": result.list_name, "from": result.from_version, "to": result.to_version}
    for org_id, tally in sorted(book.tallies.items()):
        if tally.created or tally.reopened or tally.refreshed or tally.closed:
            u.audit("alert", org_id=org_id, details={**run, **tally.as_dict()})
    u.audit(
        "alert",
        details={
            **run,
            "added": result.added,
            "changed": result.changed,
            "removed": result.removed,
            "subjects": result.subjects,
            "hits": result.hits,
            "created": result.created,
            "reopened": result.reopened,
            "closed": result.closed,
            "threshold": threshold,
        },
    )


__all__ = ["DeltaResult", "delta_screener", "rescreen_delta"]
