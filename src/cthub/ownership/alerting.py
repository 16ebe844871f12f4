"""The rules that turn a regime's answer into ownership exposure alerts, shared by the full
evaluation and the delta (``alerts``).

Every blocked or possibly blocked entity is a :class:`Finding` with its explanation: the path
from the listings (every edge with its share; for a listed entity, the entries it is linked to)
and the seeds the path starts from. One live alert (``open``, ``confirmed`` or ``dismissed``) is
kept per regime and entity:

* a finding with no live alert opens one, with the reason;
* a live alert whose status, share and path are unchanged stays as it is (a reviewer's
  decision stands; only its seeds are refreshed when the linking moved);
* an open or confirmed alert whose status, share or path changed is updated in place;
* a dismissed alert whose status, share or path changed is closed and a new open alert takes
  its place, so no changed exposure hides behind an earlier dismissal;
* a live alert with no finding is closed with the reason: which seed left which list version,
  or that ownership changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import pyarrow as pa
from sqlalchemy import select

from cthub.core.hub import Unit
from cthub.ownership.compute import BlockedResult, format_path
from cthub.ownership.models import LIVE_STATES, OwnershipAlert

#: Edges kept in an alert's path (an explanation that long is read in ``ownership ubo``).
MAX_EDGES = 200
_CHUNK = 500
Seed = tuple[str, str, str]  # (list, ref, entity_id)
SeedRows = dict[str, list[tuple[Seed, str]]]  # entity -> its links and how each was made


@dataclass(frozen=True)
class Finding:
    """A blocked or possibly blocked entity under one regime, with its explanation."""

    entity_id: str
    name: str
    status: str
    owners_share: str
    path: str
    seeds: tuple[Seed, ...]

    @property
    def shown(self) -> tuple[str, str, str]:
        """What a reviewer decides on: status, share and path."""
        return self.status, self.owners_share, self.path


def seed_rows(seeds: pa.Table) -> SeedRows:
    """The ``analysis.SEEDS`` table by entity: ``(list, ref, entity_id)`` and ``via``."""
    out: SeedRows = {}
    for r in seeds.to_pylist():
        if r.get("listed") is False:
            continue
        key = (str(r["list"]), str(r["list_ref"]), str(r["entity_id"]))
        out.setdefault(key[2], []).append((key, str(r.get("via") or "")))
    return out


def findings(
    result: BlockedResult, seeds: SeedRows, only: Collection[str] | None = None
) -> dict[str, Finding]:
    """The blocked and possibly blocked entities of ``result`` (those of ``only``), by id."""
    out: dict[str, Finding] = {}
    for r in result.report(with_path=False).to_pylist():
        eid = str(r["entity_id"])
        if only is not None and eid not in only:
            continue
        mine = seeds.get(eid, []) if r["owners_share"] == "listed" else []
        if mine:
            path = "listed: " + ", ".join(f"{s[0]}:{s[1]} ({via})" for s, via in mine)
            found = [s for s, _ in mine]
        else:
            edges = result.explain(eid, max_edges=MAX_EDGES)
            path = format_path(edges)
            owners = dict.fromkeys(e.owner_id for e in edges)
            found = [s for o in owners for s, _ in seeds.get(o, [])]
        out[eid] = Finding(
            eid,
            str(r["name"] or ""),
            str(r["status"]),
            str(r["owners_share"] or ""),
            path,
            tuple(sorted(set(found))),
        )
    return out


def seeds_of(alert: OwnershipAlert) -> tuple[Seed, ...]:
    return tuple(sorted((s["list"], s["ref"], s["entity_id"]) for s in alert.seeds or []))


def _label(status: str) -> str:
    return status.replace("_", " ")


@dataclass(frozen=True)
class Why:
    """How the reasons of one run read. ``after``: ``full evaluation`` or ``un version 3``;
    a delta names its list and the refs it added, changed and removed; a full evaluation
    knows the current seeds and which lost seeds are still on their list (``present``)."""

    regime: str
    after: str
    list_name: str | None = None
    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    listed: frozenset[Seed] = frozenset()
    present: frozenset[tuple[str, str]] = frozenset()
    versions: dict[str, int] = field(default_factory=dict)

    def opened(self, f: Finding) -> str:
        head = f"{_label(f.status)} under {self.regime}"
        new = [s for s in f.seeds if s[0] == self.list_name and s[1] in self.added | self.changed]
        if not new:
            return f"{head} ({self.after})"
        said = (
            f"seed {s[0]}:{s[1]} {'added' if s[1] in self.added else 'changed'} in {self.after}"
            for s in new
        )
        return f"{head}: " + "; ".join(said)

    def updated(self, a: OwnershipAlert, f: Finding) -> str:
        if a.status != f.status:
            what = f"status {_label(a.status)} -> {_label(f.status)}"
        elif a.owners_share != f.owners_share:
            what = f"share {a.owners_share} -> {f.owners_share}"
        else:
            what = "path changed"
        return f"updated under {self.regime} ({self.after}): {what}"

    def gone(self, a: OwnershipAlert) -> str:
        head = f"no longer blocked under {self.regime}"
        if self.list_name is not None:
            hit = [
                s
                for s in seeds_of(a)
                if s[0] == self.list_name and s[1] in self.removed | self.changed
            ]
            parts = [
                f"seed {s[0]}:{s[1]} {'delisted' if s[1] in self.removed else 'changed'} "
                f"in {self.after}"
                for s in hit
            ]
            return f"{head}: " + ("; ".join(parts) or f"listings changed in {self.after}")
        parts = [self._lost(s) for s in seeds_of(a) if s not in self.listed]
        return f"{head}: " + ("; ".join(parts) or "ownership changed")

    def _lost(self, s: Seed) -> str:
        version = self.versions.get(s[0])
        if version is None:
            return f"seed {s[0]}:{s[1]}: list {s[0]} has no active version"
        if (s[0], s[1]) in self.present:
            return f"seed {s[0]}:{s[1]} no longer linked to {s[2]} ({s[0]} version {version})"
        return f"seed {s[0]}:{s[1]} delisted in {s[0]} version {version}"


@dataclass
class Tally:
    """What one run did under one regime; ``evaluated`` nodes were answered again and
    ``context`` ancestors were read as their inputs (delta only)."""

    regime: str
    evaluated: int = 0
    context: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    closed: int = 0
    unchanged: int = 0


def live(u: Unit, regime: str | None, entity_ids: Collection[str] | None) -> list[OwnershipAlert]:
    """Live alerts of a regime (every regime: ``None``), of some entities or all, oldest first."""
    stmt = select(OwnershipAlert).where(OwnershipAlert.state.in_(LIVE_STATES))
    if regime is not None:
        stmt = stmt.where(OwnershipAlert.regime == regime)
    if entity_ids is None:
        return list(u.s.scalars(stmt.order_by(OwnershipAlert.id)))
    wanted, found = sorted(entity_ids), list[OwnershipAlert]()
    for i in range(0, len(wanted), _CHUNK):  # under every backend's parameter limit
        found.extend(u.s.scalars(stmt.where(OwnershipAlert.entity_id.in_(wanted[i : i + _CHUNK]))))
    return sorted(found, key=lambda a: a.id)


def _fill(a: OwnershipAlert, f: Finding) -> None:
    a.name, a.status, a.owners_share, a.path = f.name[:500], f.status, f.owners_share[:60], f.path
    a.seeds = [{"list": s[0], "ref": s[1], "entity_id": s[2]} for s in f.seeds]


def _open(u: Unit, regime: str, f: Finding, reason: str, now: dt.datetime) -> None:
    a = OwnershipAlert(
        regime=regime,
        entity_id=f.entity_id,
        state="open",
        reason=reason,
        created_at=now,
        updated_at=now,
    )
    _fill(a, f)
    u.s.add(a)


def _close(a: OwnershipAlert, reason: str, now: dt.datetime) -> None:
    a.state, a.reason, a.closed_at, a.updated_at = "closed", reason, now, now


def apply(
    u: Unit,
    alerts: Iterable[OwnershipAlert],
    found: dict[str, Finding],
    why: Why,
    tally: Tally,
    now: dt.datetime,
) -> None:
    """Bring the live ``alerts`` of one regime (over the entities answered) to ``found``."""
    by_entity: dict[str, OwnershipAlert] = {}
    for a in alerts:
        if a.entity_id in by_entity:  # two live alerts for one entity: keep the first
            _close(a, f"duplicate of alert {by_entity[a.entity_id].id}", now)
            continue
        by_entity[a.entity_id] = a
    for eid, f in found.items():
        if eid not in by_entity:
            _open(u, why.regime, f, why.opened(f), now)
            tally.created += 1
            continue
        a = by_entity.pop(eid)
        if (a.status, a.owners_share, a.path) == f.shown:
            if seeds_of(a) != f.seeds:
                _fill(a, f)
            tally.unchanged += 1
        elif a.state == "dismissed":
            _close(a, f"{why.updated(a, f)}; reopened as a new alert", now)
            _open(u, why.regime, f, f"reopened: {why.updated(a, f)}", now)
            tally.reopened += 1
        else:
            a.reason, a.updated_at = why.updated(a, f), now
            _fill(a, f)
            tally.updated += 1
    for a in by_entity.values():
        _close(a, why.gone(a), now)
        tally.closed += 1


__all__ = ["MAX_EDGES", "Finding", "Tally", "Why", "apply", "findings", "live", "seed_rows"]
