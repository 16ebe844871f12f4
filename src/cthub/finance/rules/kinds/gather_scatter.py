"""Gather-scatter: many small credits from many distinct senders, then one consolidated outflow.

An outflow above ``max_inbound`` is a candidate when, in the ``window`` before it (same account
and currency), the account took at least ``min_senders`` small credits (each at most
``max_inbound``) and the outflow moves at least ``min_outflow_percent`` of their total. Window
sums find the candidates cheaply; a join on the account within the ``ts`` bounds then counts
the distinct senders (Spark has no distinct window aggregate). Only accounts of
``account_types`` are watched (persons by default, as in crowdfunding through personal
accounts; shops and charities collect from many payers by design). The outflow and the
credits that fed it are the hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import (
    Example,
    RuleKind,
    among,
    detail,
    legs,
    tx,
    within,
)
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class GatherScatter(RuleKind):
    name: ClassVar[str] = "gather_scatter"
    title: ClassVar[str] = "Many small credits from many senders, then one large outflow"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("max_inbound", "amount", 100_000, "largest credit that counts as small", 1),
        Param("min_senders", "count", 8, "distinct senders of small credits", 2, 100_000),
        Param("window", "duration", "7d", "how far back from the outflow", 3600, 90 * 86400),
        Param("min_outflow_percent", "percent", 60, "outflow as a share of the gathered", 1, 100),
        Param("account_types", "party_types", ["person"], "account holders watched", 1),
    )

    def legs(self, small: int, types: tuple[str, ...]) -> str:
        """Small credits from a sender (``inbound = 1``) and larger outflows of watched accounts."""
        return legs(
            ("tx_id", "ts", "currency", "peer", "amount_minor", "inbound"),
            ("tx_id", "ts", "currency", "sender", "amount_minor", "1"),
            ("tx_id", "ts", "currency", "receiver", "amount_minor", "0"),
            f"sender <> '' AND amount_minor <= {small} AND {among('receiver_type', types)}",
            f"amount_minor > {small} AND {among('sender_type', types)}",
        )

    def sql(self, p: Params) -> str:
        small = p.amount("max_inbound")
        window = p.duration("window")
        k = p.count("min_senders")
        back = within("account, currency", f"{window.sql()} PRECEDING AND CURRENT ROW")
        both = self.legs(small, p.codes("account_types"))
        info = detail(
            ("senders#", "f.senders"),
            ("credits#", "f.credits"),
            ("gathered_minor#", "f.gathered"),
            ("outflow_minor#", "f.out_amount"),
            ("currency", "f.currency"),
            ("window=", window.text),
        )
        return f"""
WITH l AS (
  {both}
), w AS (
  SELECT l.*, SUM(inbound) {back} AS n_in, SUM(inbound * amount_minor) {back} AS gathered FROM l
), o AS (
  SELECT account, tx_id AS out_id, ts AS out_ts, currency, amount_minor AS out_amount FROM w
  WHERE inbound = 0 AND n_in >= {k} AND amount_minor >= gathered * {p.ratio("min_outflow_percent")}
), pairs AS (
  SELECT o.*, l.tx_id AS in_id, l.ts AS in_ts, l.peer, l.amount_minor AS in_amount
  FROM o JOIN l ON l.account = o.account AND l.currency = o.currency AND l.inbound = 1
    AND l.ts >= o.out_ts - {window.sql()} AND l.ts <= o.out_ts
), f AS (
  SELECT account, out_id, MAX(out_ts) AS out_ts, MAX(out_amount) AS out_amount,
    MAX(currency) AS currency, COUNT(DISTINCT peer) AS senders, COUNT(*) AS credits,
    SUM(in_amount) AS gathered
  FROM pairs GROUP BY account, out_id HAVING COUNT(DISTINCT peer) >= {k}
)
SELECT f.account, f.out_id AS tx_id, f.out_ts AS ts, {info} AS detail FROM f
UNION ALL
SELECT f.account, pairs.in_id, pairs.in_ts, {info} FROM f
JOIN pairs ON pairs.account = f.account AND pairs.out_id = f.out_id"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        credits = [tx(f"gs-{i}", i * 6, f"GS-S{i}", "GS-A", 40_000) for i in range(1, 10)]
        # the same nine credits but from two senders only, then the same outflow
        few = [tx(f"gs-{i + 20}", i * 6, f"GS-T{i % 2}", "GS-D1", 40_000) for i in range(1, 10)]
        # nine senders, but only a small share leaves the account
        kept = [tx(f"gs-{i + 40}", i * 6, f"GS-U{i}", "GS-D2", 40_000) for i in range(1, 10)]
        # a shop: nine card payments from nine customers, then the weekly sweep
        shop = [
            tx(f"gs-{i + 60}", i * 6, f"GS-V{i}", "GS-D3", 40_000, receiver_type="company")
            for i in range(1, 10)
        ]
        rows = (
            *credits,
            tx("gs-10", 60, "GS-A", "GS-Z", 330_000),
            tx("gs-11", 300, "GS-A", "GS-Z", 330_000),  # a week later: nothing gathered before it
            *few,
            tx("gs-30", 60, "GS-D1", "GS-Z", 330_000),
            *kept,
            tx("gs-50", 60, "GS-D2", "GS-Z", 150_000),
            *shop,
            tx("gs-70", 60, "GS-D3", "GS-Z", 330_000, sender_type="company"),
        )
        hits = frozenset({("GS-A", f"gs-{i}") for i in range(1, 11)})
        return [
            Example(
                "nine small credits from nine senders, 92% sent on",
                rows,
                hits,
                frozenset({"GS-D1", "GS-D2", "GS-D3"}),
            )
        ]


__all__ = ["GatherScatter"]
