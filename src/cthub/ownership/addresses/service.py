"""Address screening: crypto-asset addresses checked against the addresses lists attribute.

``address_index`` builds the index from the active list versions (the addresses their entries
carry) plus any address-list files, and keeps list-only indexes in a small process cache keyed
on the active versions, as screening's matcher cache is. ``screen_addresses`` checks every input
address (its problems are reported per record and never stop the batch: the address is still
looked up as written) and returns its hits. ``screen_wallets`` is the same lookup for other
capabilities (finance's ``crypto`` channel), without the per-record checks.

Both run under the ``screening.screen`` permission and write one audit event with counts only,
never the addresses screened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from cthub.core import policy
from cthub.core.errors import NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import EntryView, active_entries, active_versions
from cthub.ownership.addresses.extract import from_entries, from_file
from cthub.ownership.addresses.index import (
    AddressHit,
    AddressIndex,
    IndexedProblem,
    ListedAddress,
)
from cthub.ownership.addresses.normalise import Problem, normalise, shown
from cthub.ownership.addresses.report import LabellingReport, labelling_report

ACTION = "screening.screen"
READ = "lists.read"  # what active_entries checks when an index is built
CHUNK = 65_536
MAX_INDEXES = 4
_lock = threading.Lock()
_indexes: OrderedDict[tuple[object, ...], AddressIndex] = OrderedDict()


@dataclass(frozen=True)
class AddressQuery:
    """One address to screen; ``where`` names it in reports (``stdin line 3``)."""

    address: str
    chain: str | None = None
    id: str | None = None
    where: str = ""


@dataclass(frozen=True)
class RecordProblem:
    query: AddressQuery
    problems: tuple[Problem, ...]

    def render(self) -> str:
        """``stdin line 3 (id q7): address "1BpE..." has a bad checksum for ...``."""
        where = self.query.where + (f" (id {shown(self.query.id, 40)})" if self.query.id else "")
        what = "; ".join(p.message for p in self.problems)
        return f'{where}: address "{shown(self.query.address)}" {what}'


@dataclass
class AddressScreening:
    """Hits in input order, per-record problems, and what the index held."""

    hits: list[tuple[AddressQuery, AddressHit]] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    screened: int = 0
    listed: int = 0
    lists: tuple[str, ...] = ()
    list_problems: list[IndexedProblem] = field(default_factory=list)


def _require(hub: Hub, actor: Actor) -> None:
    if not policy.allowed(actor, ACTION):
        with hub.unit(actor, ACTION):  # raises Forbidden and audits the refusal
            pass


def _from_lists(hub: Hub, actor: Actor, names: tuple[str, ...] | None) -> list[ListedAddress]:
    seen: set[str] = set()

    def views() -> Iterator[EntryView]:
        for view in active_entries(hub, actor, names):
            seen.add(view.list_name)
            yield view

    records = list(from_entries(views()))
    if names and (missing := sorted(set(names) - seen)):
        raise NotFound(
            "No active version of list {names}.",
            hint="Load it first, e.g. `cthub lists load un`; see `cthub lists show`.",
            names=", ".join(missing),
        )
    return records


def _cache_key(hub: Hub, names: tuple[str, ...] | None) -> tuple[object, ...]:
    """The database and each chosen list's active version, digest and load time."""
    found = active_versions(hub, names)
    versions = tuple((n, v.version, v.sha256, str(v.loaded_at)) for n, v in sorted(found.items()))
    return (hub.db.url, names, versions)


def _cached(hub: Hub, actor: Actor, names: tuple[str, ...] | None) -> AddressIndex:
    """The list-only index, built on a miss; a hit still applies the ``lists.read`` gate."""
    if not policy.allowed(actor, READ):
        with hub.unit(actor, READ):  # raises Forbidden and audits the refusal
            pass
    key = _cache_key(hub, names)
    with _lock:
        found = _indexes.get(key)
        if found is not None:
            _indexes.move_to_end(key)
            return found
    built = AddressIndex(_from_lists(hub, actor, names))
    with _lock:
        _indexes[key] = built
        while len(_indexes) > MAX_INDEXES:
            _indexes.popitem(last=False)
    return built


def address_index(
    hub: Hub,
    actor: Actor,
    lists: Iterable[str] | None = None,
    address_lists: Sequence[Path] = (),
    *,
    allow_empty: bool = False,
) -> AddressIndex:
    """The index of the active lists' addresses (all lists, or ``lists``) plus files'.

    Without files the index is kept in a small process cache keyed on the active versions, so
    loading a new version anywhere makes the next call rebuild. Raises ``NotFound`` when a named
    list has no active version and, unless ``allow_empty``, when no address is listed at all
    (screening against nothing would pass everything).
    """
    names = tuple(sorted(set(lists))) if lists else None
    if address_lists:
        records = _from_lists(hub, actor, names)
        for path in address_lists:
            records.extend(from_file(path))
        index = AddressIndex(records)
    else:
        index = _cached(hub, actor, names)
    if not len(index) and not allow_empty:
        raise NotFound(
            "No crypto-asset address is listed in the loaded lists.",
            hint="Load the OFAC SDN list as XML (`cthub lists load ofac-xml sdn.xml`), "
            "or give an address list with --address-list.",
        )
    return index


def address_report(
    hub: Hub,
    actor: Actor,
    lists: Iterable[str] | None = None,
    address_lists: Sequence[Path] = (),
) -> LabellingReport:
    """The labelling report of the listed addresses: the lists' own errors, by kind.

    A read of list data: ``active_entries`` checks ``lists.read`` and audits it.
    """
    names = tuple(sorted(set(lists))) if lists else None
    records = _from_lists(hub, actor, names)
    for path in address_lists:
        records.extend(from_file(path))
    return labelling_report(records)


def clear() -> None:
    """Forget the cached indexes (tests)."""
    with _lock:
        _indexes.clear()


def _chunks(rows: Iterable[AddressQuery]) -> Iterator[list[AddressQuery]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def screen_addresses(
    hub: Hub,
    actor: Actor,
    rows: Iterable[AddressQuery],
    *,
    lists: Iterable[str] | None = None,
    address_lists: Sequence[Path] = (),
) -> AddressScreening:
    """Check and look up every address of ``rows``; one audit event at the end."""
    _require(hub, actor)
    index = address_index(hub, actor, lists, address_lists)
    result = AddressScreening(listed=len(index), lists=tuple(index.lists))
    result.list_problems = index.problems
    for chunk in _chunks(rows):
        for query in chunk:
            checked = normalise(query.address, query.chain)
            if checked.problems:
                result.problems.append(RecordProblem(query, checked.problems))
        for hit in index.lookup([q.address for q in chunk]):
            result.hits.append((chunk[hit.position], hit))
        result.screened += len(chunk)
    with hub.unit(actor, ACTION) as u:
        u.audit(
            "screening",
            details={
                "kind": "addresses",
                "addresses": result.screened,
                "hits": len(result.hits),
                "invalid": len(result.problems),
                "lists": list(result.lists),
                "listed_addresses": result.listed,
            },
        )
    return result


def screen_wallets(
    hub: Hub, actor: Actor, wallets: Iterable[str], *, lists: Iterable[str] | None = None
) -> list[AddressHit]:
    """Hits for counterparty wallet strings (``position`` indexes the distinct sorted wallets).

    For finance's ``crypto`` channel: the distinct non-blank wallets are looked up as written
    (no per-record checks), against the cached index of the active lists. No address listed
    anywhere gives no hits, not an error: a dataset is monitored whatever lists are loaded.
    """
    _require(hub, actor)
    distinct = sorted({w for w in wallets if w and w.strip()})
    index = address_index(hub, actor, lists, allow_empty=True)
    hits = index.lookup(distinct) if distinct else []
    with hub.unit(actor, ACTION) as u:
        u.audit(
            "screening",
            details={"kind": "wallets", "addresses": len(distinct), "hits": len(hits)},
        )
    return hits


__all__ = [
    "AddressQuery",
    "AddressScreening",
    "RecordProblem",
    "address_index",
    "address_report",
    "clear",
    "screen_addresses",
    "screen_wallets",
]
