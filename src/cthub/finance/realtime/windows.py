"""Rolling-window rules, incrementally: structuring, NPO outflows, gather-scatter.

Each keeps the qualifying rows of its window per account and currency and, when a qualifying
transaction arrives, looks back one window from it:

- structuring: the in-band deposits of the window ending at this deposit reach ``min_count``;
  the hit is the deposits of that window (the batch marks every deposit of such a window);
- NPO: the flagged outflows of the window ending at this one add up to ``min_total``;
- gather-scatter: this outflow follows, within ``window``, at least ``min_senders`` small
  credits from that many distinct senders and moves ``min_outflow_percent`` of their total;
  the hit is the outflow and the credits that fed it.
"""

from __future__ import annotations

from typing import ClassVar

from cthub.finance.realtime.base import Context, Detector, Hit, basis_points, ids, seconds
from cthub.finance.realtime.incoming import Tx
from cthub.finance.realtime.series import Book
from cthub.finance.rules.kinds.base import among
from cthub.finance.rules.kinds.structuring import Structuring
from cthub.finance.rules.model import Rule


class StructuringNow(Detector):
    kind: ClassVar[str] = "structuring"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        p = rule.params
        self.low, self.top = Structuring().band(p)
        self.window = seconds(rule, "window")
        self.min_count = p.count("min_count")
        self.channels = frozenset(p.codes("channels"))
        self.currencies = frozenset(p.codes("currencies"))
        self.book: Book[tuple[str, str], tuple[str, int]] = Book(self.window)
        only = f" AND {among('currency', p.codes('currencies'))}" if self.currencies else ""
        self.prefilter = (
            f"receiver <> '' AND {among('channel', p.codes('channels'))} "
            f"AND amount_minor >= {self.low} AND amount_minor < {self.top}{only}"
        )

    @property
    def reach(self) -> int:
        return self.window

    def _counts(self, tx: Tx) -> bool:
        return (
            tx.receiver != ""
            and tx.channel in self.channels
            and self.low <= tx.amount_minor < self.top
            and (not self.currencies or tx.currency in self.currencies)
        )

    def add(self, tx: Tx) -> None:
        if self._counts(tx):
            self.book.add((tx.receiver, tx.currency), tx.ts, (tx.tx_id, tx.amount_minor))

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        if not self._counts(tx):
            return []
        self.add(tx)
        rows = self.book.between((tx.receiver, tx.currency), tx.ts - self.window, tx.ts)
        if len(rows) < self.min_count:
            return []
        detail = {
            "deposits": len(rows),
            "total_minor": sum(amount for _, (_, amount) in rows),
            "currency": tx.currency,
            "band_minor": f"{self.low}-{self.top - 1}",
            "window": self.rule.params.duration("window").text,
        }
        return [Hit(tx.receiver, ids([t for _, (t, _) in rows]), detail)]


class NPOInconsistentNow(Detector):
    kind: ClassVar[str] = "npo_inconsistent"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        p = rule.params
        self.window = seconds(rule, "window")
        self.min_amount = p.amount("min_amount")
        self.min_total = p.amount("min_total")
        self.channels = frozenset(p.codes("channels"))
        self.countries = frozenset(p.codes("countries"))
        self.book: Book[tuple[str, str], tuple[str, int]] = Book(self.window)
        self.prefilter = (
            f"sender <> '' AND sender_type = 'npo' AND amount_minor >= {self.min_amount}"
        )

    @property
    def reach(self) -> int:
        return self.window

    def _abroad(self, tx: Tx) -> bool:
        return (
            tx.receiver_country != ""
            and tx.sender_country != ""
            and tx.receiver_country != tx.sender_country
            and (not self.countries or tx.receiver_country in self.countries)
        )

    def reason(self, tx: Tx) -> str | None:
        """Why an NPO outflow is flagged (the batch rule's ``reason``), or ``None``."""
        if tx.sender == "" or tx.sender_type != "npo" or tx.amount_minor < self.min_amount:
            return None
        if tx.channel in self.channels:
            return f"channel:{tx.channel}"
        if tx.receiver == "" and tx.channel == "cash" and self._abroad(tx):
            return "cash_abroad"
        if tx.receiver_type == "person" and self._abroad(tx):
            return "person_abroad"
        return None

    def add(self, tx: Tx) -> None:
        if self.reason(tx) is not None:
            self.book.add((tx.sender, tx.currency), tx.ts, (tx.tx_id, tx.amount_minor))

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        reason = self.reason(tx)
        if reason is None:
            return []
        self.add(tx)
        rows = self.book.between((tx.sender, tx.currency), tx.ts - self.window, tx.ts)
        total = sum(amount for _, (_, amount) in rows)
        if total < self.min_total:
            return []
        detail = {
            "reason": reason,
            "country": tx.receiver_country,
            "flagged_total_minor": total,
            "currency": tx.currency,
            "window": self.rule.params.duration("window").text,
        }
        return [Hit(tx.sender, ids([t for _, (t, _) in rows]), detail)]


class GatherScatterNow(Detector):
    kind: ClassVar[str] = "gather_scatter"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        p = rule.params
        self.small = p.amount("max_inbound")
        self.min_senders = p.count("min_senders")
        self.window = seconds(rule, "window")
        self.share = basis_points(rule, "min_outflow_percent")
        self.types = frozenset(p.codes("account_types"))
        self.book: Book[tuple[str, str], tuple[str, str, int]] = Book(self.window)
        self.prefilter = (
            f"receiver <> '' AND sender <> '' AND amount_minor <= {self.small} "
            f"AND {among('receiver_type', p.codes('account_types'))}"
        )

    @property
    def reach(self) -> int:
        return self.window

    def add(self, tx: Tx) -> None:
        if (
            tx.receiver != ""
            and tx.sender != ""
            and tx.amount_minor <= self.small
            and tx.receiver_type in self.types
        ):
            row = (tx.tx_id, tx.sender, tx.amount_minor)
            self.book.add((tx.receiver, tx.currency), tx.ts, row)

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        self.add(tx)
        if tx.sender == "" or tx.amount_minor <= self.small or tx.sender_type not in self.types:
            return []
        rows = self.book.between((tx.sender, tx.currency), tx.ts - self.window, tx.ts)
        if len(rows) < self.min_senders:
            return []
        gathered = sum(amount for _, (_, _, amount) in rows)
        peers = {peer for _, (_, peer, _) in rows}
        if tx.amount_minor * 10_000 < gathered * self.share or len(peers) < self.min_senders:
            return []
        detail = {
            "senders": len(peers),
            "credits": len(rows),
            "gathered_minor": gathered,
            "outflow_minor": tx.amount_minor,
            "currency": tx.currency,
            "window": self.rule.params.duration("window").text,
        }
        return [Hit(tx.sender, ids([tx.tx_id], [t for _, (t, _, _) in rows]), detail)]


__all__ = ["GatherScatterNow", "NPOInconsistentNow", "StructuringNow"]
