"""Checks over a whole parsed file: repeated ids, record updates, loops, cycles and share sums.

* A statement id seen twice: the first is kept; the repeat is a warning when it is the same
  content, an error when it differs (the second is not imported).
* Updates of one record (BODS 0.4 ``recordId``, a PSC's ``links.self``, an FtM id): only the
  latest statement (by ``statementDate``, then file order) is imported; the others are kept as
  superseded statements, so a later load cannot bring them back.
* An edge from an entity to itself is an error (dropped). Ownership cycles are legal (two
  companies holding each other) and are kept, with a warning on every statement in the cycle.
* The known minimum shares of one asset, per interest, may not add up to more than 100 %:
  a warning names the asset and the statements. Indirect interests are left out of the sum,
  since they restate a holding that some intermediate holds directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from cthub.ownership.ingest.records import Batch, EdgeRec, StatementRec, shown

_EPSILON = 1e-9


class Seen:
    """Statement ids met so far in one file, with their digests."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.digests: dict[str, str] = {}

    def first(self, sid: str, digest: str) -> bool:
        """True the first time ``sid`` is met; a repeat is reported and must be skipped."""
        known = self.digests.get(sid)
        if known is None:
            self.digests[sid] = digest
            return True
        if known == digest:
            self.batch.warn(
                sid,
                "statementId",
                "duplicate_id",
                "the same statement appears again; the repeat is ignored",
            )
        else:
            self.batch.problem(
                sid,
                "statementId",
                "duplicate_id",
                "another statement with this id and different content; it is not imported",
            )
        return False


def latest_per_record(
    statements: Iterable[StatementRec],
) -> tuple[dict[str, StatementRec], list[tuple[StatementRec, StatementRec]]]:
    """The latest statement of each record, and ``(older, newer)`` pairs it supersedes."""
    latest: dict[str, StatementRec] = {}
    superseded = []
    for st in statements:
        key = st.record_id or st.id
        held = latest.get(key)
        if held is None or (st.date or "") >= (held.date or ""):
            if held is not None:
                superseded.append((held, st))
            latest[key] = st
        else:
            superseded.append((st, held))
    return latest, superseded


def finish(batch: Batch, label: Callable[[str], str] | None = None) -> None:
    """Drop self-loops, then report cycles and over-full share sums of the current edges."""
    name = label or (lambda eid: batch.entities[eid].name if eid in batch.entities else eid)
    kept = []
    for e in batch.edges:
        if e.owner == e.asset:
            batch.problem(
                shown(e.statement_id),
                "interestedParty",
                "self_loop",
                f"{name(e.owner)!r} is said to own or control itself; skipped",
            )
        else:
            kept.append(e)
    batch.edges = kept
    live = [e for e in kept if e.status == "current" and not e.summary]
    _cycles(batch, live, name)
    _sums(batch, live, name)


def _cycles(batch: Batch, edges: list[EdgeRec], name: Callable[[str], str]) -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in edges:
        graph[e.owner].add(e.asset)
        by_pair[(e.owner, e.asset)].add(e.statement_id)
    for component in _strong_components(graph):
        path = _loop(graph, component)
        loop = " -> ".join(name(n)[:60] for n in path[:8]) + (" -> ..." if len(path) > 8 else "")
        members = set(component)
        statements = {
            s for (a, b), ids in by_pair.items() if a in members and b in members for s in ids
        }
        for sid in sorted(statements):
            batch.warn(shown(sid), "", "cycle", f"part of an ownership cycle: {loop}")


def _strong_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Components with more than one node (iterative Tarjan: deep chains need no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members))
    return found


def _loop(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the component's first node, found breadth-first."""
    members, start = set(component), component[0]
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [*reversed(path), start]
                if child in members and child not in parent:
                    parent[child] = node
                    nxt.append(child)
        frontier = nxt
    return [start, start]


def _sums(batch: Batch, edges: list[EdgeRec], name: Callable[[str], str]) -> None:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in edges:
        if e.share_min is not None and e.end_date is None and e.direct != "indirect":
            totals[(e.asset, e.interest)] += e.share_min
            sources[(e.asset, e.interest)].add(e.statement_id)
    for (asset, interest), total in sorted(totals.items()):
        if total > 1 + _EPSILON:
            ids = sorted(shown(s) for s in sources[(asset, interest)])
            batch.warn(
                f"entity {asset}",
                "share",
                "share_sum_over_100",
                f"the {interest} shares held in {name(asset)[:60]!r} add up to at least "
                f"{total * 100:.4g}% (statements {', '.join(ids[:6])}"
                f"{', ...' if len(ids) > 6 else ''})",
            )


__all__ = ["Seen", "finish", "latest_per_record"]
