"""What every real-time rule shares: the hit it reports, the history it loads, its contract.

A ``Detector`` is the incremental form of one rule kind (``cthub.finance.rules.kinds``), made
from the same ``Rule`` so a caller's parameters apply. ``observe(tx)`` adds the transaction to
the detector's state and returns the hits of patterns that are complete *at* it, given the
history up to and including it: one ``Hit`` per account, with the transactions involved. The
union of those transactions over a replay in time order is the batch rule's hits (the tests
check this per rule). A batch rule that marks a transaction because of what came *after* it
(a structuring deposit, a credit later sent on) is reported when the later transaction
completes the pattern, with the earlier one among ``tx_ids``.

``History`` reads the dataset's stored Parquet through DuckDB, vectorised: each detector
selects only the rows its rule can still look back to (``reach`` plus the lateness allowed)
with a coarse SQL filter, and its own Python test, the one ``observe`` uses, decides.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import duckdb

from cthub.finance.realtime.incoming import Tx
from cthub.finance.rules.model import Rule
from cthub.finance.schema import STORED

#: ``(list_name, list_ref, score)`` of a screened name's listings, best first
Listing = tuple[str, str, float]
_COLUMNS = ", ".join(f"epoch_us({c}) AS ts" if c == "ts" else c for c in STORED)


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule fired on ``account``: the transactions involved (the scored one included) and
    what matched, as the batch rule's ``detail`` says it."""

    account: str
    tx_ids: tuple[str, ...]
    detail: Mapping[str, object]


@dataclass
class Context:
    """What a transaction brings besides itself: the listings of its counterparty names
    (screened before the state is locked, since screening writes its own audit event)."""

    listed: Mapping[str, Sequence[Listing]] = field(default_factory=dict)


class History:
    """The stored transactions of a dataset on one DuckDB connection, as the view ``tx``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, newest: int, late: int) -> None:
        self.con = con
        self.newest = newest  # the latest ts in the history, microseconds
        self.late = late  # how far before ``newest`` a transaction may still arrive

    def since(self, reach: int) -> int:
        """The earliest ts a rule looking back ``reach`` can still need."""
        return self.newest - self.late - reach

    def rows(self, reach: int, where: str) -> Iterator[Tx]:
        """Stored rows within ``reach`` that pass the SQL filter ``where``, in time order."""
        query = (
            f"SELECT {_COLUMNS} FROM tx WHERE ts >= make_timestamp(?) AND ({where}) "  # noqa: S608
            "ORDER BY ts, tx_id"
        )
        for row in self.con.execute(query, [self.since(reach)]).fetchall():
            yield Tx(*row)

    def fetch(
        self, query: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        bound = dict(params) if isinstance(params, Mapping) else list(params)
        return self.con.execute(query, bound).fetchall()


class Detector(ABC):
    """The incremental form of one rule kind; ``kind`` names the rule kind it mirrors."""

    kind: ClassVar[str]
    #: a SQL condition on ``tx`` true for every stored row ``add`` may keep (``None``: the
    #: detector keeps nothing or loads itself)
    prefilter: str | None = None

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    @property
    def reach(self) -> int:
        """How far back (microseconds) the rule looks from a transaction."""
        return 0

    def load(self, history: History) -> None:
        """Fill the state from the stored history (``add`` on each row the rule can need)."""
        if self.prefilter is not None:
            for tx in history.rows(self.reach, self.prefilter):
                self.add(tx)

    def add(self, tx: Tx) -> None:  # noqa: B027 - stateless detectors keep nothing
        """Keep what later transactions need of ``tx``; finds nothing."""

    @abstractmethod
    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        """Add ``tx`` and return the hits of the patterns complete at it."""


def seconds(rule: Rule, name: str) -> int:
    """A duration parameter in microseconds."""
    return rule.params.duration(name).seconds * 1_000_000


def basis_points(rule: Rule, name: str) -> int:
    """A percent parameter (two decimals at most) in hundredths of a percent: 60 -> 6000,
    so ``a >= b * p / 100`` is ``a * 10000 >= b * basis_points``, exact as the batch SQL."""
    return int(rule.params.percent(name) * 100)


def ids(*groups: Sequence[str]) -> tuple[str, ...]:
    """The tx_ids of ``groups`` once each, in order."""
    return tuple(dict.fromkeys(t for group in groups for t in group))


__all__ = ["Context", "Detector", "History", "Hit", "Listing", "basis_points", "ids", "seconds"]
