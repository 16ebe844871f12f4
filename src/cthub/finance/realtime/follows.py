"""Rules that follow a credit forward, incrementally: pass-through and cash abroad in a burst.

The batch rules mark a credit when what leaves the account within a span after it (the sum
sent on; the number of cash withdrawals abroad) reaches a bar, and with it every such outflow
in that span. In real time the pattern completes at an outflow: for each credit of the span
before it, the outflows from that credit up to and including this one are measured, and the
outflow fires when one credit reaches the bar. The hit names the credits that reached it and
the outflows after them; each later outflow within the span fires again, as the batch marks
it. A credit fires on arrival only when outflows of its own instant already reach the bar.
"""

from __future__ import annotations

from abc import abstractmethod
from bisect import bisect_left
from collections.abc import Hashable
from typing import ClassVar

from cthub.finance.realtime.base import Context, Detector, Hit, basis_points, ids, seconds
from cthub.finance.realtime.incoming import Tx
from cthub.finance.realtime.series import Book
from cthub.finance.rules.kinds.base import among
from cthub.finance.rules.model import Rule

#: a leg: (is_credit, tx_id, amount, country)
Leg = tuple[bool, str, int, str]
#: a credit that reached the bar: (ts, tx_id, amount, measure of what followed)
Fired = tuple[int, str, int, int]


class FollowCredit(Detector):
    """Credits to an account and the outflows after them, keyed by ``key``."""

    span_param: ClassVar[str] = "within"
    out_role: ClassVar[str] = "outflow"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.span = seconds(rule, self.span_param)
        self.book: Book[Hashable, Leg] = Book(self.span)

    @property
    def reach(self) -> int:
        return self.span

    @abstractmethod
    def key(self, account: str, tx: Tx) -> Hashable: ...

    @abstractmethod
    def credit(self, tx: Tx) -> bool:
        """Whether ``tx`` is a credit to follow, for its receiver."""

    @abstractmethod
    def outflow(self, tx: Tx) -> bool:
        """Whether ``tx`` counts as an outflow, for its sender."""

    @abstractmethod
    def measure(self, leg: Leg) -> int:
        """What an outflow adds: its amount, or one withdrawal."""

    @abstractmethod
    def enough(self, credit: int, followed: int) -> bool: ...

    @abstractmethod
    def detail(self, tx: Tx, role: str, fired: list[Fired]) -> dict[str, object]: ...

    def add(self, tx: Tx) -> None:
        if self.credit(tx):
            self.book.add(self.key(tx.receiver, tx), tx.ts, (True, tx.tx_id, tx.amount_minor, ""))
        if self.outflow(tx):
            leg = (False, tx.tx_id, tx.amount_minor, tx.receiver_country)
            self.book.add(self.key(tx.sender, tx), tx.ts, leg)

    def fired(self, key: Hashable, now: int) -> tuple[list[Fired], list[tuple[int, str]]]:
        """The credits of the span before ``now`` that reached the bar, and every outflow
        of the span with its time."""
        rows = self.book.between(key, now - self.span, now)
        times = [ts for ts, _ in rows]
        after = [0] * (len(rows) + 1)  # after[i]: what the outflows from row i on add up to
        for i in range(len(rows) - 1, -1, -1):
            leg = rows[i][1]
            after[i] = after[i + 1] + (0 if leg[0] else self.measure(leg))
        done = []
        for ts, leg in rows:
            if leg[0]:
                followed = after[bisect_left(times, ts)]  # the credit's own instant included
                if self.enough(leg[2], followed):
                    done.append((ts, leg[1], leg[2], followed))
        outs = [(ts, leg[1]) for ts, leg in rows if not leg[0]]
        return done, outs

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        self.add(tx)
        hits = []
        if self.credit(tx):
            done, outs = self.fired(self.key(tx.receiver, tx), tx.ts)
            own = [f for f in done if f[1] == tx.tx_id]
            if own:
                sent = [t for ts, t in outs if ts >= tx.ts]
                hits.append(Hit(tx.receiver, ids([tx.tx_id], sent), self.detail(tx, "credit", own)))
        if self.outflow(tx):
            done, outs = self.fired(self.key(tx.sender, tx), tx.ts)
            if done:
                first = min(ts for ts, *_ in done)
                sent = [t for ts, t in outs if ts >= first]
                involved = ids([f[1] for f in done], sent, [tx.tx_id])
                hits.append(Hit(tx.sender, involved, self.detail(tx, self.out_role, done)))
        return hits


class PassThroughNow(FollowCredit):
    kind: ClassVar[str] = "pass_through"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        p = rule.params
        self.min_amount = p.amount("min_amount")
        self.share = basis_points(rule, "min_out_percent")
        self.types = frozenset(p.codes("account_types"))
        types = among("receiver_type", p.codes("account_types"))
        self.prefilter = (
            f"(receiver <> '' AND amount_minor >= {self.min_amount} AND {types}) "
            f"OR (sender <> '' AND {among('sender_type', p.codes('account_types'))})"
        )

    def key(self, account: str, tx: Tx) -> Hashable:
        return (account, tx.currency)

    def credit(self, tx: Tx) -> bool:
        return (
            tx.receiver != ""
            and tx.amount_minor >= self.min_amount
            and tx.receiver_type in self.types
        )

    def outflow(self, tx: Tx) -> bool:
        own = tx.receiver_name != "" and tx.receiver_name == tx.sender_name  # a sweep
        return tx.sender != "" and tx.sender_type in self.types and not own

    def measure(self, leg: Leg) -> int:
        return leg[2]

    def enough(self, credit: int, followed: int) -> bool:
        return followed * 10_000 >= credit * self.share

    def detail(self, tx: Tx, role: str, fired: list[Fired]) -> dict[str, object]:
        if role == "credit":
            credit, sent = fired[0][2], fired[0][3]
        else:
            credit, sent = max(f[2] for f in fired), tx.amount_minor
        return {
            "role": role,
            "credit_minor": credit,
            "sent_on_minor": sent,
            "currency": tx.currency,
            "within": self.rule.params.duration("within").text,
        }


class CashAbroadNow(FollowCredit):
    kind: ClassVar[str] = "cash_abroad_burst"
    out_role: ClassVar[str] = "withdrawal"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        p = rule.params
        self.min_credit = p.amount("min_credit")
        self.min_withdrawals = p.count("min_withdrawals")
        self.countries = frozenset(p.codes("countries"))
        self.prefilter = (
            f"(receiver <> '' AND amount_minor >= {self.min_credit}) "
            "OR (sender <> '' AND channel = 'cash' AND receiver = '')"
        )

    def key(self, account: str, tx: Tx) -> Hashable:
        return account  # currencies are not compared: cash is taken in the local one

    def credit(self, tx: Tx) -> bool:
        return tx.receiver != "" and tx.amount_minor >= self.min_credit

    def outflow(self, tx: Tx) -> bool:
        return (
            tx.sender != ""
            and tx.channel == "cash"
            and tx.receiver == ""
            and tx.sender_country != ""
            and tx.receiver_country != ""
            and tx.receiver_country != tx.sender_country
            and (not self.countries or tx.receiver_country in self.countries)
        )

    def measure(self, leg: Leg) -> int:
        return 1

    def enough(self, credit: int, followed: int) -> bool:
        return followed >= self.min_withdrawals

    def detail(self, tx: Tx, role: str, fired: list[Fired]) -> dict[str, object]:
        return {
            "role": role,
            "withdrawals_abroad": max(f[3] for f in fired),
            "country": None if role == "credit" else tx.receiver_country,
            "within": self.rule.params.duration("within").text,
        }


__all__ = ["CashAbroadNow", "FollowCredit", "PassThroughNow"]
