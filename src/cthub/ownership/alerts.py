"""Ownership exposure alerts: who the OFAC, EU and UK rules block through ownership or control,
kept as alerts that a reviewer confirms or dismisses, and re-evaluated when a list changes.

* ``evaluate`` answers each regime over the whole store from the current seeds
  (``analysis.listed_seeds``) and brings the alerts to that answer (rules in ``alerting``).
* ``delta`` answers only for the descendants of the seeds a new list version changed: the
  entities linked, by identifier or name as ``listed_seeds`` links them, to entries the version
  added, removed or changed (for removed and changed entries, the entities the old version's
  entries name by identifier and the seeds the live alerts rest on). The fixed point runs on
  those descendants and their ancestors (``compute.region``), so each answer equals the full
  evaluation's; alerts elsewhere are not read. Closed alerts name the list, version and entry.
* ``decide`` records a human decision (confirmed or dismissed, with a reason, who and when);
  no alert is acted on without one. A dismissed alert is reopened, as a new alert, only when
  its status, share or path changes.

Reading needs ``ownership.read``; evaluating ``ownership.alerts``; deciding ``ownership.decide``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from cthub.core import policy
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import DiffView, EntryView, diff, entries, show
from cthub.ownership.alerting import (
    SeedRows,
    Tally,
    Why,
    apply,
    findings,
    live,
    seed_rows,
    seeds_of,
)
from cthub.ownership.analysis import graph, listed_seeds
from cthub.ownership.compute import REGIMES, blocked
from cthub.ownership.compute.region import blocked_within
from cthub.ownership.ingest.values import normalized
from cthub.ownership.linking import ID_PROPS, MIN_ID
from cthub.ownership.review import AlertView, alert, alerts, decide
from cthub.ownership.views import entities_table

ALL_REGIMES = ("ofac", "eu", "uk")


@dataclass(frozen=True)
class AlertRun:
    """What one ``evaluate`` (``kind`` full) or ``delta`` run did, per regime and in all."""

    kind: str
    regimes: tuple[Tally, ...]
    seeds: int
    seconds: float
    list_name: str | None = None
    from_version: int | None = None
    to_version: int | None = None
    added: int = 0
    removed: int = 0
    changed: int = 0
    changed_seeds: int = 0

    def total(self, name: str) -> int:
        return sum(int(getattr(t, name)) for t in self.regimes)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "regimes"}
        counts = ("evaluated", "context", "created", "updated", "reopened", "closed", "unchanged")
        out.update({name: self.total(name) for name in counts})
        out["by_regime"] = [asdict(t) for t in self.regimes]
        return out


def _regimes(regimes: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(r.strip().lower() for r in regimes))
    unknown = [r for r in chosen if r not in REGIMES]
    if unknown or not chosen:
        raise InvalidInput(
            "Unknown regime {regime}.",
            hint="Use one of {known}.",
            regime=", ".join(unknown)[:40],
            known=", ".join(sorted(REGIMES)),
        )
    return chosen


def _gate(hub: Hub, actor: Actor, action: str) -> None:
    """Refuse (audited) before any work when the role may not ``action``."""
    if not policy.allowed(actor, action):
        with hub.unit(actor, action):  # raises Forbidden and records the refusal
            pass


def _versions(hub: Hub, actor: Actor) -> dict[str, int]:
    return {v.name: v.active_version for v in show(hub, actor) if v.active_version is not None}


def evaluate(
    hub: Hub,
    actor: Actor,
    regimes: Iterable[str] = ALL_REGIMES,
    *,
    name_threshold: float | None = 0.8,
) -> AlertRun:
    """Answer every regime over the whole store and bring the alerts to that answer."""
    started, chosen = time.perf_counter(), _regimes(regimes)
    _gate(hub, actor, "ownership.alerts")
    seeds = listed_seeds(hub, actor, name_threshold=name_threshold)
    g, keyed = graph(hub, actor), seed_rows(seeds)
    found = {r: findings(blocked(g, seeds, r), keyed) for r in chosen}
    listed = frozenset(s for rows in keyed.values() for s, _ in rows)
    versions = _versions(hub, actor)
    with hub.unit(actor, "ownership.read") as u:
        lost = {s for a in live(u, None, None) for s in seeds_of(a) if s not in listed}
    present = _present(hub, actor, lost, versions)
    with hub.unit(actor, "ownership.alerts") as u:
        now, tallies = utcnow(), []
        for r in chosen:
            why = Why(r, "full evaluation", listed=listed, present=present, versions=versions)
            tally = Tally(r, evaluated=g.n_nodes)
            apply(u, live(u, r, None), found[r], why, tally, now)
            tallies.append(tally)
        run = AlertRun("full", tuple(tallies), seeds.num_rows, _since(started))
        u.audit("ownership_alert", details=_audited(run))
    return run


def _present(
    hub: Hub, actor: Actor, lost: set[tuple[str, str, str]], versions: dict[str, int]
) -> frozenset[tuple[str, str]]:
    """Which of the ``lost`` seeds' entries are still on their list's active version."""
    out: set[tuple[str, str]] = set()
    for name in sorted({s[0] for s in lost} & versions.keys()):
        refs = {s[1] for s in lost if s[0] == name}
        out.update((name, e.ref) for e in entries(hub, actor, name, versions[name], refs))
    return frozenset(out)


def delta(
    hub: Hub,
    actor: Actor,
    list_name: str,
    from_version: int,
    to_version: int,
    *,
    regimes: Iterable[str] = ALL_REGIMES,
    name_threshold: float | None = 0.8,
) -> AlertRun:
    """Re-evaluate only the descendants of the seeds that ``to_version`` of ``list_name``
    changed since ``from_version``, and open, update or close their alerts."""
    started, chosen = time.perf_counter(), _regimes(regimes)
    _gate(hub, actor, "ownership.alerts")
    change = diff(hub, actor, list_name, from_version, to_version)
    old_refs, new_refs = change.removed + change.changed, change.added + change.changed
    base = AlertRun(
        "delta",
        tuple(Tally(r) for r in chosen),
        0,
        0.0,
        list_name,
        from_version,
        to_version,
        len(change.added),
        len(change.removed),
        len(change.changed),
    )
    g = graph(hub, actor)
    if not (old_refs or new_refs) or g.n_nodes == 0:
        run = replace(base, seconds=_since(started))
        with hub.unit(actor, "ownership.alerts") as u:
            u.audit("ownership_alert", details=_audited(run))
        return run
    seeds = listed_seeds(hub, actor, name_threshold=name_threshold)
    keyed = seed_rows(seeds)
    changed = _changed_seeds(hub, actor, change, keyed)
    parts = {r: blocked_within(g, seeds, r, changed) for r in chosen}
    found = {r: findings(p.result, keyed, p.ids) for r, p in parts.items()}
    with hub.unit(actor, "ownership.alerts") as u:
        now, tallies = utcnow(), []
        for r, p in parts.items():
            why = Why(
                r,
                f"{list_name} version {to_version}",
                list_name,
                frozenset(change.added),
                frozenset(change.changed),
                frozenset(change.removed),
            )
            tally = Tally(r, evaluated=len(p.region), context=p.context)
            apply(u, live(u, r, p.ids), found[r], why, tally, now)
            tallies.append(tally)
        run = replace(
            base,
            regimes=tuple(tallies),
            seeds=seeds.num_rows,
            seconds=_since(started),
            changed_seeds=len(changed),
        )
        u.audit("ownership_alert", details=_audited(run))
    return run


def _changed_seeds(hub: Hub, actor: Actor, change: DiffView, keyed: SeedRows) -> set[str]:
    """Entities linked to an entry ``change`` added, removed or changed: now (the current
    seeds), and before (the old entries' identifiers; the seeds the live alerts rest on)."""
    new_refs = set(change.added + change.changed)
    old_refs = change.removed + change.changed
    out = {
        s[2]
        for rows in keyed.values()
        for s, _ in rows
        if s[0] == change.list_name and s[1] in new_refs
    }
    if not old_refs:
        return out
    old = entries(hub, actor, change.list_name, change.from_version, old_refs)
    out |= _by_identifier(hub, actor, old)
    with hub.unit(actor, "ownership.read") as u:
        wanted = set(old_refs)
        out |= {
            s[2]
            for a in live(u, None, None)
            for s in seeds_of(a)
            if s[0] == change.list_name and s[1] in wanted
        }
    return out


def _by_identifier(hub: Hub, actor: Actor, views: list[EntryView]) -> set[str]:
    """Stored entities with an identifier that one of ``views`` carries (as ``listed_seeds``
    compares them: letters and digits, IMO prefix dropped)."""
    wanted = {
        normalized(v).removeprefix("IMO")
        for e in views
        for p in ID_PROPS
        for v in e.properties.get(p, [])
    }
    if not wanted:
        return set()
    nodes = entities_table(hub, actor)
    out = set()
    for eid, idents in zip(
        nodes.column("id").to_pylist(), nodes.column("identifiers").to_pylist(), strict=True
    ):
        for ident in idents or []:
            value = normalized(ident.split(":", 1)[-1]).removeprefix("IMO")
            if len(value) >= MIN_ID and value in wanted:
                out.add(str(eid))
    return out


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _audited(run: AlertRun) -> dict[str, Any]:
    d = run.as_dict()
    return {k: v for k, v in d.items() if v is not None}


__all__ = ["ALL_REGIMES", "AlertRun", "AlertView", "alert", "alerts", "decide", "delta", "evaluate"]
