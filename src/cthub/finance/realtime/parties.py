"""Rules about who is on either side: high-risk jurisdictions, sanctioned counterparties,
identifiers shared by many senders.

- high-risk jurisdiction: stateless; the receiver's leg when the sender's country is listed,
  the sender's when the receiver's is.
- sanctioned counterparty: each side's counterparty name is looked up in the listings the
  scorer was handed (screened through ``cthub.screening`` before the state is locked, see
  ``service``); the best listing per account is reported, as the batch does. For the
  common-name cap (``max_accounts``) it keeps, per counterparty name of the stored history and
  of the transactions scored since, the distinct accounts that dealt with it while there are
  at most ``max_accounts``, and past that only that the name is common: the batch counts the
  same accounts in time order, so a capped leg is capped in both.
- shared identifier: the distinct senders per ``sender_identifier`` over the whole stored
  history (the batch rule's span is the data it runs over). When this transaction makes a
  group reach ``min_accounts``, every transaction of the group so far is part of the hit,
  read back from the stored Parquet (rare: once per group) and from the transactions scored
  since; once reached, each further transaction of the group fires for its sender.
"""

from __future__ import annotations

import math
from typing import ClassVar

from cthub.finance.realtime.base import Context, Detector, History, Hit
from cthub.finance.realtime.incoming import Tx
from cthub.finance.rules.model import Rule


class HighRiskJurisdictionNow(Detector):
    kind: ClassVar[str] = "high_risk_jurisdiction"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.countries = frozenset(rule.params.codes("countries"))
        self.min_amount = rule.params.amount("min_amount")

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        if tx.amount_minor < self.min_amount:
            return []
        legs = (
            (tx.receiver, "from", tx.sender_country),
            (tx.sender, "to", tx.receiver_country),
        )
        return [
            Hit(account, (tx.tx_id,), {"direction": direction, "country": country,
                                       "amount_minor": tx.amount_minor, "currency": tx.currency})
            for account, direction, country in legs
            if account != "" and country in self.countries
        ]  # fmt: skip


class SanctionedNow(Detector):
    kind: ClassVar[str] = "sanctioned_counterparty"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.min_score = float(rule.params.percent("min_score"))
        self.max_accounts = rule.params.count("max_accounts")
        #: the accounts that dealt with each name, while at most ``max_accounts`` (one account
        #: is kept as itself, more as a set: most names have one)
        self.dealt: dict[str, str | set[str]] = {}
        #: the names more accounts dealt with
        self.common: set[str] = set()

    def load(self, history: History) -> None:
        if self.max_accounts == 0:
            return
        rows = history.fetch(
            "WITH l AS (SELECT sender_name AS name, receiver AS account FROM tx "
            "WHERE sender_name <> '' AND receiver <> '' UNION ALL "
            "SELECT receiver_name, sender FROM tx WHERE receiver_name <> '' AND sender <> '') "
            "SELECT name, CASE WHEN COUNT(DISTINCT account) <= ? THEN list(DISTINCT account) "
            "END FROM l GROUP BY name",
            [self.max_accounts],
        )
        self.dealt = {
            name: accounts[0] if len(accounts) == 1 else set(accounts)
            for name, accounts in rows
            if accounts is not None
        }
        self.common = {name for name, accounts in rows if accounts is None}

    @staticmethod
    def legs(tx: Tx) -> list[tuple[str, str, str, str]]:
        """``(account, side, counterparty name, its type)`` of each side that has both."""
        both = (
            (tx.receiver, "sender", tx.sender_name, tx.sender_type),
            (tx.sender, "receiver", tx.receiver_name, tx.receiver_type),
        )
        return [leg for leg in both if leg[0] != "" and leg[2] != ""]

    def _deal(self, name: str, account: str) -> None:
        if name in self.common:
            return
        accounts = self.dealt.get(name)
        if accounts is None or accounts == account:
            self.dealt[name] = account  # one account never passes a cap of at least one
            return
        if isinstance(accounts, str):
            accounts = self.dealt[name] = {accounts, account}
        else:
            accounts.add(account)
        if len(accounts) > self.max_accounts:
            del self.dealt[name]
            self.common.add(name)

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        sides = self.legs(tx)
        if self.max_accounts:
            for account, _side, name, _type in sides:  # both legs, then the cap (as the batch)
                self._deal(name, account)
        best: dict[str, tuple[float, str, str, str, str]] = {}
        for account, side, name, party in sides:
            listings = context.listed.get(name, ())
            if not listings or (party in ("person", "") and name in self.common):
                continue
            for list_name, ref, score in listings:
                if score * 100 < self.min_score:
                    continue
                found = (-score, side, list_name, ref, name)
                if account not in best or found < best[account]:
                    best[account] = found
        return [
            Hit(account, (tx.tx_id,), {"counterparty": name, "side": side, "list": list_name,
                                       "ref": ref, "score_pct": math.floor(-neg * 100 + 0.5)})
            for account, (neg, side, list_name, ref, name) in best.items()
        ]  # fmt: skip


class SharedIdentifierNow(Detector):
    kind: ClassVar[str] = "shared_identifier"

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.min_accounts = rule.params.count("min_accounts")
        self.senders: dict[str, set[str]] = {}
        #: (sender, tx_id) scored since the load, of groups still below ``min_accounts``
        self.recent: dict[str, list[tuple[str, str]]] = {}
        self.history: History | None = None

    def load(self, history: History) -> None:
        self.history = history
        rows = history.fetch(
            "SELECT sender_identifier, list(DISTINCT sender) FROM tx "
            "WHERE sender <> '' AND sender_identifier <> '' GROUP BY sender_identifier"
        )
        self.senders = {ident: set(senders) for ident, senders in rows}

    def _stored(self, ident: str) -> list[tuple[str, str]]:
        if self.history is None:
            return []
        rows = self.history.fetch(
            "SELECT sender, tx_id FROM tx WHERE sender_identifier = ? AND sender <> '' "
            "ORDER BY ts, tx_id",
            [ident],
        )
        return [(str(s), str(t)) for s, t in rows]

    def observe(self, tx: Tx, context: Context) -> list[Hit]:
        ident = tx.sender_identifier
        if tx.sender == "" or ident == "":
            return []
        group = self.senders.setdefault(ident, set())
        before = len(group)
        group.add(tx.sender)
        detail = {"identifier": ident, "accounts": len(group)}
        if len(group) < self.min_accounts:
            self.recent.setdefault(ident, []).append((tx.sender, tx.tx_id))
            return []
        if before >= self.min_accounts:
            return [Hit(tx.sender, (tx.tx_id,), detail)]
        rows = [*self._stored(ident), *self.recent.pop(ident, []), (tx.sender, tx.tx_id)]
        by_sender: dict[str, list[str]] = {}
        for sender, tx_id in rows:
            by_sender.setdefault(sender, []).append(tx_id)
        return [Hit(sender, tuple(found), detail) for sender, found in by_sender.items()]


__all__ = ["HighRiskJurisdictionNow", "SanctionedNow", "SharedIdentifierNow"]
