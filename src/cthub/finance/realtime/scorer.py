"""The real-time scorer of one dataset: rolling state loaded once, one transaction at a time.

``Scorer(rules)`` makes one detector per enabled rule whose kind has a real-time form
(``DETECTORS``; the names of the others are in every result's ``not_scored``). ``load(files)``
reads the dataset's Parquet partitions with DuckDB, each detector only as far back as its rule
looks plus the lateness allowed, and keeps a sorted array of the stored ``tx_id`` hashes for
refusing repeats. ``score(tx)`` admits a checked transaction (not seen before, not older than
``late`` before the newest one, not in the future), lets every detector observe it, keeps it,
and explains the result: the rules fired per account with their transactions, each account's
score combined as ``cthub.finance.rules.scoring`` combines it, and the alert flag.

One lock per scorer serialises ``score``; the state is process-local. The transactions scored
since the load are remembered (the last ``MAX_LIVE``), so a rebuild after a new partition
carries over those the partition does not hold.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.finance.realtime.base import Context, Detector, History, Hit
from cthub.finance.realtime.dormant import DormantNow
from cthub.finance.realtime.follows import CashAbroadNow, PassThroughNow
from cthub.finance.realtime.incoming import Tx, micros
from cthub.finance.realtime.parties import (
    HighRiskJurisdictionNow,
    SanctionedNow,
    SharedIdentifierNow,
)
from cthub.finance.realtime.windows import GatherScatterNow, NPOInconsistentNow, StructuringNow
from cthub.finance.rules.model import Rule
from cthub.finance.rules.scoring import combined
from cthub.finance.schema import STORED

DETECTORS: Mapping[str, type[Detector]] = {
    d.kind: d
    for d in (StructuringNow, GatherScatterNow, PassThroughNow, HighRiskJurisdictionNow,
              CashAbroadNow, NPOInconsistentNow, DormantNow, SharedIdentifierNow, SanctionedNow)
}  # fmt: skip
HOUR = 3600 * 1_000_000
DEFAULT_LATE = 24 * HOUR  # how far behind the newest transaction one may still arrive
AHEAD = 24 * HOUR  # how far ahead of the clock a timestamp may be (clock skew)
MAX_TX_IDS = 100  # transactions named per fired rule (``tx_count`` has them all)
MAX_LIVE = 1_000_000


@dataclass(frozen=True)
class FiredRule:
    """One rule fired on one account: what it says, and the transactions involved."""

    rule: str
    title: str
    weight: float
    account: str
    detail: Mapping[str, object]
    tx_ids: tuple[str, ...]
    tx_count: int


@dataclass(frozen=True)
class AccountScore:
    account: str
    score: float
    rules: tuple[str, ...]


@dataclass(frozen=True)
class ScoreResult:
    """The scored transaction: its best account score, whether that alerts, every account a
    rule fired on (best first) and the rules fired (highest weight first)."""

    tx_id: str
    score: float
    alert: bool
    accounts: tuple[AccountScore, ...]
    fired: tuple[FiredRule, ...]
    not_scored: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadInfo:
    partitions: int
    rows: int
    newest: dt.datetime | None
    seconds: float


class Retired(Exception):
    """This scorer was replaced by one loaded from newer partitions; use that one."""


def _view(con: duckdb.DuckDBPyConnection, files: Sequence[Path]) -> None:
    if not files:  # no partition: an empty table of the stored columns
        columns = ", ".join(f"{name} {kind}" for name, kind in STORED.items())
        con.execute(f"CREATE TABLE tx ({columns})")
        return
    paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    con.execute(f"CREATE VIEW tx AS SELECT * FROM read_parquet([{paths}])")  # noqa: S608 - our paths


class Scorer:
    def __init__(
        self, rules: Iterable[Rule], *, late: int = DEFAULT_LATE, max_tx_ids: int = MAX_TX_IDS
    ) -> None:
        enabled = [r for r in rules if r.enabled]
        self.detectors = [(r, DETECTORS[r.kind](r)) for r in enabled if r.kind in DETECTORS]
        self.not_scored = tuple(r.name for r in enabled if r.kind not in DETECTORS)
        self.screens = any(isinstance(d, SanctionedNow) for _, d in self.detectors)
        self.late = late
        self.max_tx_ids = max_tx_ids
        self.lock = threading.Lock()
        self.retired = False
        self.newest: int | None = None
        self.live: deque[Tx] = deque()
        self._live_ids: set[str] = set()
        self._stored_ids = np.empty(0, dtype=np.int64)
        self._con = duck.connect()

    def load(self, files: Sequence[Path]) -> LoadInfo:
        """Read the stored history; call once, before the scorer is shared."""
        start = time.perf_counter()
        try:
            return self._load(files, start)
        except duckdb.Error as exc:
            raise InvalidInput(
                "The dataset's partitions cannot be read for real-time scoring: {reason}.",
                hint="Check the files under the data folder, or ingest the data again.",
                reason=str(exc).splitlines()[0][:300],
            ) from None

    def _load(self, files: Sequence[Path], start: float) -> LoadInfo:
        _view(self._con, files)
        ((count, newest),) = self._con.execute(
            "SELECT count(*), epoch_us(max(ts)) FROM tx"
        ).fetchall()
        self.newest = newest
        ids = self._con.sql("SELECT tx_id FROM tx").to_arrow_table().column(0).to_pylist()
        self._stored_ids = np.sort(np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids)))
        history = History(self._con, newest or 0, self.late)
        for _, detector in self.detectors:
            detector.load(history)
        when = None if newest is None else Tx("", newest, "", "", 0, "").time
        return LoadInfo(len(files), int(count), when, time.perf_counter() - start)

    def stored_names(self, limit: int) -> list[str]:
        """The counterparty names of the stored history, the most recently seen first."""
        rows = self._con.execute(
            "SELECT name FROM (SELECT sender_name AS name, ts FROM tx WHERE receiver <> '' "
            "UNION ALL SELECT receiver_name, ts FROM tx WHERE sender <> '') "
            "WHERE name <> '' GROUP BY name ORDER BY max(ts) DESC, name LIMIT ?",
            [limit],
        ).fetchall()
        return [str(name) for (name,) in rows]

    def known(self, tx_id: str) -> bool:
        """Whether ``tx_id`` is stored or was scored already (exact: a hash match is checked
        against the stored table)."""
        if tx_id in self._live_ids:
            return True
        h = hash(tx_id)
        at = int(np.searchsorted(self._stored_ids, h))
        if at == len(self._stored_ids) or self._stored_ids[at] != h:
            return False
        ((count,),) = self._con.execute(
            "SELECT count(*) FROM tx WHERE tx_id = ?", [tx_id]
        ).fetchall()
        return bool(count)

    def _admit(self, tx: Tx) -> None:
        if self.known(tx.tx_id):
            raise InvalidInput(
                "Transaction field {field}: {tx_id} is already in the dataset.",
                hint="Each transaction is scored once; send it with a new tx_id.",
                field="tx_id",
                tx_id=tx.tx_id[:80],
            )
        if self.newest is not None and tx.ts < self.newest - self.late:
            raise InvalidInput(
                "Transaction field {field}: {time} is more than {hours} hours before the newest "
                "transaction of the dataset.",
                hint="Real-time scoring keeps recent windows only; a monitoring run over the "
                "dataset scores late transactions.",
                field="timestamp",
                time=tx.time.isoformat(),
                hours=self.late // HOUR,
            )
        if tx.ts > micros(dt.datetime.now(dt.UTC)) + AHEAD:
            raise InvalidInput(
                "Transaction field {field}: {time} is in the future.",
                hint="Send the time the transaction took place, in UTC or with its offset.",
                field="timestamp",
                time=tx.time.isoformat(),
            )

    def _keep(self, tx: Tx) -> None:
        self.live.append(tx)
        self._live_ids.add(tx.tx_id)
        if len(self.live) > MAX_LIVE:
            self._live_ids.discard(self.live.popleft().tx_id)
        self.newest = tx.ts if self.newest is None else max(self.newest, tx.ts)

    def score(self, tx: Tx, context: Context | None = None, min_score: float = 0.0) -> ScoreResult:
        """Score ``tx`` against the state and keep it; ``InvalidInput`` when it is refused."""
        context = context or Context()
        with self.lock:
            if self.retired:
                raise Retired
            self._admit(tx)
            found = [(r, h) for r, d in self.detectors for h in d.observe(tx, context)]
            self._keep(tx)
        return self._result(tx, found, min_score)

    def carry(self, txs: Iterable[Tx]) -> int:
        """Replay transactions scored by a previous scorer that the history lacks; how many."""
        carried = 0
        with self.lock:
            for tx in txs:
                if not self.known(tx.tx_id):
                    for _, detector in self.detectors:
                        detector.observe(tx, Context())
                    self._keep(tx)
                    carried += 1
        return carried

    def _result(self, tx: Tx, found: list[tuple[Rule, Hit]], min_score: float) -> ScoreResult:
        merged: dict[tuple[str, str], tuple[Rule, dict[str, None], Mapping[str, object]]] = {}
        for rule, hit in found:
            key = (rule.name, hit.account)
            if key in merged:
                merged[key][1].update(dict.fromkeys(hit.tx_ids))
            else:
                merged[key] = (rule, dict.fromkeys(hit.tx_ids), hit.detail)
        fired = sorted(
            (FiredRule(rule.name, rule.title, rule.weight, account, detail,
                       tuple(list(tx_ids)[: self.max_tx_ids]), len(tx_ids))
             for (_, account), (rule, tx_ids, detail) in merged.items()),
            key=lambda f: (-f.weight, f.rule, f.account),
        )  # fmt: skip
        by_account: dict[str, list[FiredRule]] = {}
        for f in fired:
            by_account.setdefault(f.account, []).append(f)
        accounts = sorted(
            (AccountScore(a, round(combined(f.weight for f in fs), 6), tuple(f.rule for f in fs))
             for a, fs in by_account.items()),
            key=lambda s: (-s.score, s.account),
        )  # fmt: skip
        score = accounts[0].score if accounts else 0.0
        alert = score > 0 and score >= min_score
        return ScoreResult(tx.tx_id, score, alert, tuple(accounts), tuple(fired), self.not_scored)

    def close(self) -> None:
        self._con.close()


__all__ = [
    "DEFAULT_LATE",
    "DETECTORS",
    "MAX_TX_IDS",
    "AccountScore",
    "FiredRule",
    "LoadInfo",
    "Retired",
    "ScoreResult",
    "Scorer",
]
