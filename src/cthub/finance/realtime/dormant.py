"""Dormant reactivation, incrementally: the last transaction time of every account, and the
one wake episode an account can be in.

A leg (either side) whose account's previous leg is more than ``dormant_for`` earlier wakes
the account and opens an episode of ``window``. Each leg within the episode adds its amount;
when the volume reaches ``min_amount`` the rule fires with every leg of the episode so far
(the batch marks the waking transaction and the rest of its window), and then again at each
later leg of the episode. Since ``window`` is at most ``dormant_for``, no leg of an episode
can open another. A leg that arrives late (before the account's last one) wakes nothing.

Loading reads the whole history once, vectorised: each account's last leg time, plus the
legs of the few accounts that woke within reach of the newest transaction, replayed here so
their open episodes are as the batch rule would see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from cthub.finance.realtime.base import Context, Detector, History, Hit, seconds
from cthub.finance.realtime.incoming import Tx
from cthub.finance.rules.model import Rule

_LEGS = (
    "SELECT receiver AS account, ts, tx_id, amount_minor FROM tx WHERE receiver <> '' "
    "UNION ALL SELECT sender, ts, tx_id, amount_minor FROM tx WHERE sender <> ''"
)
_LAST = f"SELECT account, epoch_us(max(ts)) FROM ({_LEGS}) GROUP BY account"  # noqa: S608
_WOKEN = f"""
WITH legs AS ({_LEGS}),
recent AS (SELECT * FROM legs WHERE ts >= make_timestamp($since)),
prior AS (
  SELECT account, max(ts) AS ts FROM legs
  WHERE ts < make_timestamp($since) AND account IN (SELECT account FROM recent)
  GROUP BY account
),
g AS (
  SELECT account, ts, LAG(ts) OVER (PARTITION BY account ORDER BY ts, tx_id) AS prev
  FROM (SELECT account, ts, tx_id FROM recent UNION ALL SELECT account, ts, '' FROM prior)
),
woken AS (
  SELECT DISTINCT account FROM g WHERE epoch_us(prev) < epoch_us(ts) - $dormant
)
SELECT r.account, epoch_us(r.ts), r.tx_id, r.amount_minor, epoch_us(p.ts)
FROM recent r JOIN woken USING (account) LEFT JOIN prior p USING (account)
ORDER BY r.account, r.ts, r.tx_id
"""  # noqa: S608 - no value from input; parameters are bound


@dataclass
class Episode:
    start: int
    tx_id: str
    legs: list[str] = field(default_factory=list)
    volume: int = 0
    fired: bool = False


class DormantNow(Detector):
    kind: ClassVar[str] = "dormant_reactivation"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.dormant = seconds(rule, "dormant_for")
        self.window = seconds(rule, "window")
        self.min_amount = rule.params.amount("min_amount")
        self.last: dict[str, int] = {}
        self.episodes: dict[str, Episode] = {}

    @property
    def reach(self) -> int:
        return self.window

    def load(self, history: History) -> None:
        rows = history.fetch(_LAST)
        self.last = dict(rows)
        since = history.since(self.window)
        woken = history.fetch(_WOKEN, {"since": since, "dormant": self.dormant})
        current = None
        for account, ts, tx_id, amount, prior in woken:
            if account != current:  # replay this account's recent legs from its prior leg
                current = account
                if prior is None:
                    self.last.pop(account, None)
                else:
                    self.last[account] = prior
            self.leg(account, ts, tx_id, amount)

    def leg(self, account: str, ts: int, tx_id: str, amount: int) -> Hit | None:
        """Record one leg of ``account``; the hit when its episode has reached the volume."""
        prev = self.last.get(account)
        if prev is None or ts > prev:
            self.last[account] = ts
        episode = self.episodes.get(account)
        if prev is not None and prev < ts - self.dormant:
            episode = self.episodes[account] = Episode(ts, tx_id)
        elif episode is not None and ts > episode.start + self.window:
            del self.episodes[account]
            return None
        if episode is None or ts < episode.start:
            return None
        episode.legs.append(tx_id)
        episode.volume += amount
        if episode.volume < self.min_amount:
            return None
        involved = (tx_id,) if episode.fired else tuple(dict.fromkeys(episode.legs))
        episode.fired = True
        detail = {
            "role": "wake" if tx_id == episode.tx_id else "after_wake",
            "volume_minor": episode.volume,
            "dormant_for": self.rule.params.duration("dormant_for").text,
            "window": self.rule.params.duration("window").text,
        }
        return Hit(account, involved, detail)

    def add(self, tx: Tx) -> None:
        self.observe(tx, Context())

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        hits = []
        for account in (tx.receiver, tx.sender):
            if account != "":
                hit = self.leg(account, tx.ts, tx.tx_id, tx.amount_minor)
                if hit is not None:
                    hits.append(hit)
        return hits


__all__ = ["DormantNow", "Episode"]
