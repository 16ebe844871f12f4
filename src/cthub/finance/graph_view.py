"""An alerted account's neighbourhood, as the alert page draws it: its counterparties and
theirs, up to two hops, read from the dataset's Parquet partitions.

The neighbourhood is bounded (``limit`` accounts, the alerted one included) so a page stays
readable when an account trades with thousands: within each hop, accounts with an alert of
their own come first, then those with the most transactions with the account they were
reached from. About two thirds of the room goes to the first hop when a second is drawn, so
both show. ``reachable`` counts every account within the hops before the bound, and
``truncated`` says whether some were left out. Cash with no counterparty adds no edge, as in
``network``. Reading it needs ``finance.read`` and is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from cthub.core import duck
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.datasets import literal, partition_files
from cthub.finance.models import FinanceAlert, FinanceDataset

LIMIT = 60
MOST = 200


@dataclass(frozen=True)
class Node:
    """One account: ``hops`` from the alerted one (0 for itself), the account it was reached
    through (``via``, for the second hop) and its transactions with that one; ``alert_id`` and
    ``score`` when the account has an alert of its own in the dataset."""

    account: str
    name: str
    hops: int
    via: str
    transactions: int
    alert_id: int | None
    score: float | None


@dataclass(frozen=True)
class Edge:
    """Transactions from ``sender`` to ``receiver`` (both drawn), counted."""

    sender: str
    receiver: str
    transactions: int


@dataclass(frozen=True)
class Neighbourhood:
    account: str
    dataset: str
    alert_id: int
    nodes: list[Node]
    edges: list[Edge]
    reachable: int
    truncated: bool


def _alert(u: Unit, alert_id: int) -> FinanceAlert:
    a = u.s.get(FinanceAlert, alert_id) if 0 < alert_id < 2**31 else None
    orgs = u.visible_orgs()
    if a is None or (orgs is not None and a.org_id not in orgs):
        raise NotFound("No alert {id}.", id=alert_id)
    return a


class _Walk:
    """The DuckDB side: distinct counterparties of a set of accounts, with counts."""

    def __init__(self, files: Sequence[Path]) -> None:
        self.con = duck.connect()
        sources = ", ".join(literal(p) for p in files)
        columns = "sender, receiver, sender_name, receiver_name"
        pairs = "sender <> '' AND receiver <> '' AND sender <> receiver"
        view = f"SELECT {columns} FROM read_parquet([{sources}]) WHERE {pairs}"  # noqa: S608
        self.con.execute(f"CREATE TEMP VIEW tx AS {view}")  # our own paths only

    def _frontier(self, accounts: Sequence[str]) -> None:
        self.con.execute("CREATE OR REPLACE TEMP TABLE frontier (account VARCHAR PRIMARY KEY)")
        self.con.executemany("INSERT INTO frontier VALUES (?)", [(a,) for a in set(accounts)])

    def neighbours(self, accounts: Sequence[str]) -> list[tuple[str, str, int]]:
        """``(account, counterparty, transactions either way)`` for each pair."""
        self._frontier(accounts)
        return [(str(a), str(b), int(n)) for a, b, n in self.con.execute(
            "SELECT f, n, count(*) FROM ("
            " SELECT sender AS f, receiver AS n FROM tx SEMI JOIN frontier ON sender = account"
            " UNION ALL"
            " SELECT receiver AS f, sender AS n FROM tx SEMI JOIN frontier ON receiver = account"
            ") GROUP BY f, n ORDER BY f, n"
        ).fetchall()]  # fmt: skip

    def edges(self, accounts: Sequence[str]) -> list[Edge]:
        self._frontier(accounts)
        rows = self.con.execute(
            "SELECT sender, receiver, count(*) FROM tx"
            " WHERE sender IN (SELECT account FROM frontier)"
            " AND receiver IN (SELECT account FROM frontier)"
            " GROUP BY sender, receiver ORDER BY sender, receiver"
        ).fetchall()
        return [Edge(str(s), str(r), int(n)) for s, r, n in rows]

    def names(self, accounts: Sequence[str]) -> dict[str, str]:
        self._frontier(accounts)
        rows = self.con.execute(
            "SELECT a, max(nm) FROM ("
            " SELECT sender AS a, sender_name AS nm FROM tx SEMI JOIN frontier ON sender = account"
            " UNION ALL SELECT receiver, receiver_name FROM tx"
            " SEMI JOIN frontier ON receiver = account"
            ") WHERE nm <> '' GROUP BY a"
        ).fetchall()
        return {str(a): str(n) for a, n in rows}

    def close(self) -> None:
        self.con.close()


def _ranked(found: dict[str, tuple[str, int]], alerted: dict[str, tuple[int, float]]) -> list[str]:
    """Accounts with an alert first, then the most transactions, then by account."""
    return sorted(found, key=lambda a: (a not in alerted, -found[a][1], a))


def _best(pairs: list[tuple[str, str, int]], skip: set[str]) -> dict[str, tuple[str, int]]:
    """Each counterparty not in ``skip``: the account it trades with most, and how much."""
    best: dict[str, tuple[str, int]] = {}
    for via, other, n in pairs:
        if other not in skip and (other not in best or n > best[other][1]):
            best[other] = (via, n)
    return best


def _walk(
    walk: _Walk, centre: str, alerted: dict[str, tuple[int, float]], hops: int, limit: int
) -> tuple[dict[str, tuple[int, str, int]], int]:
    """The kept accounts (account -> hops, via, transactions) and how many were reachable."""
    first = _best(walk.neighbours([centre]), {centre})
    order = _ranked(first, alerted)
    room = limit - 1
    share = room if hops == 1 else max(1, room * 2 // 3)
    kept: dict[str, tuple[int, str, int]] = {centre: (0, "", 0)}
    for a in order[:share]:
        kept[a] = (1, centre, first[a][1])
    reachable = len(first)
    if hops == 2:
        near = [a for a, (h, _v, _n) in kept.items() if h == 1]
        second = _best(walk.neighbours(near), {centre, *first})
        reachable += len(second)
        for a in _ranked(second, alerted)[: limit - len(kept)]:
            kept[a] = (2, second[a][0], second[a][1])
    for a in order[share:]:  # room left: more of the first hop
        if len(kept) >= limit:
            break
        kept[a] = (1, centre, first[a][1])
    return kept, reachable


def neighbourhood(
    hub: Hub, actor: Actor, alert_id: int, hops: int = 2, limit: int = LIMIT
) -> Neighbourhood:
    """The alerted account of ``alert_id`` with its counterparties up to ``hops`` (1 or 2),
    at most ``limit`` accounts in all, and the transactions between the ones kept."""
    if hops not in (1, 2):
        raise InvalidInput("hops must be 1 or 2, not {value}.", value=hops)
    if not 2 <= limit <= MOST:
        raise InvalidInput("The graph holds 2 to {most} accounts, not {value}.", most=MOST,
                           value=limit)  # fmt: skip
    with hub.unit(actor, "finance.read") as u:
        a = _alert(u, alert_id)
        ds = u.s.get(FinanceDataset, a.dataset_id)
        if ds is None:  # pragma: no cover - the foreign key keeps it
            raise NotFound("No dataset {id}.", id=a.dataset_id)
        files = [p for p in partition_files(u.s, hub, ds) if p.exists()]
        alerted: dict[str, tuple[int, float]] = {}
        q = select(FinanceAlert.account, FinanceAlert.id, FinanceAlert.score)
        for account, other_id, score in u.s.execute(
            q.where(FinanceAlert.dataset_id == ds.id).order_by(FinanceAlert.id)
        ):
            alerted[account] = (other_id, score)  # the latest alert of each account
        kept, reachable, edges, names = _read(files, a.account, alerted, hops, limit)
        nodes = [Node(acc, names.get(acc, ""), h, via, n, *(alerted.get(acc) or (None, None)))
                 for acc, (h, via, n) in kept.items()]  # fmt: skip
        u.audit("finance_alert", a.id, details={"graph": len(nodes), "hops": hops})
        return Neighbourhood(a.account, ds.name, a.id, nodes, edges, reachable,
                             reachable > len(nodes) - 1)  # fmt: skip


def _read(
    files: list[Path], centre: str, alerted: dict[str, tuple[int, float]], hops: int, limit: int
) -> tuple[dict[str, tuple[int, str, int]], int, list[Edge], dict[str, str]]:
    if not files:
        return {centre: (0, "", 0)}, 0, [], {}
    walk = _Walk(files)
    try:
        kept, reachable = _walk(walk, centre, alerted, hops, limit)
        return kept, reachable, walk.edges(list(kept)), walk.names(list(kept))
    finally:
        walk.close()


__all__ = ["LIMIT", "Edge", "Neighbourhood", "Node", "neighbourhood"]
