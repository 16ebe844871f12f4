"""Dormant reactivation: an account silent for months suddenly moves money.

A transaction (either side) whose previous one on the account is more than ``dormant_for``
earlier wakes the account; it fires when the account's volume, in and out, from it through
``window`` after reaches ``min_amount``. The waking transaction and the rest of that window are
the hits. The first transaction seen of an account never wakes it: nothing is known before.
Volume adds minor units of every currency, so set ``min_amount`` for the main currency.

Sorting every leg by account and time is the cost, so a cheap necessary condition goes
first: the distinct (account, calendar month) pairs, a hash aggregate, sorted per account.
Two transactions more than ``dormant_for`` apart in months ``m1 < m2`` with no active month
between are at most ``(m2 - m1 + 1) * 31`` days apart, so only accounts with such a pair of
months are sorted in full (about one in thirty on synthetic data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.core.errors import InvalidInput
from cthub.finance.rules.kinds.base import Example, RuleKind, detail, legs, tx, within
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param, Where

_MONTH = 31 * 86400  # seconds in the longest month


class DormantReactivation(RuleKind):
    name: ClassVar[str] = "dormant_reactivation"
    title: ClassVar[str] = "A dormant account suddenly active"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param(
            "dormant_for",
            "duration",
            "180d",
            "silence that makes an account dormant",
            7 * 86400,
            10 * 365 * 86400,
        ),
        Param("window", "duration", "30d", "activity counted after waking", 3600, 365 * 86400),
        Param("min_amount", "amount", 500_000, "volume after waking, minor units", 1),
    )

    def check(self, p: Params, where: Where) -> None:
        if p.duration("window") > p.duration("dormant_for"):
            raise InvalidInput(
                "{file}: rule {rule}: parameter window must not be longer than dormant_for.",
                hint="The activity after waking is counted within one dormancy span.",
                file=where.file,
                rule=where.rule,
            )

    def sql(self, p: Params) -> str:
        span = p.duration("window")
        ahead = within("account", f"CURRENT ROW AND {span.sql()} FOLLOWING")
        back = within("account", f"{span.sql()} PRECEDING AND CURRENT ROW")
        both = legs(
            ("tx_id", "ts", "amount_minor"),
            ("tx_id", "ts", "amount_minor"),
            ("tx_id", "ts", "amount_minor"),
        )
        info = detail(
            ("role", "CASE WHEN fired = 1 THEN 'wake' ELSE 'after_wake' END"),
            ("volume_minor#", "woke_volume"),
            ("dormant_for=", p.duration("dormant_for").text),
            ("window=", span.text),
        )
        dormant = p.duration("dormant_for")
        return f"""
WITH l AS (
  {both}
), months AS (
  SELECT DISTINCT account, EXTRACT(YEAR FROM ts) * 12 + EXTRACT(MONTH FROM ts) AS month FROM l
), gaps AS (
  SELECT account, month, LAG(month) OVER (PARTITION BY account ORDER BY month) AS before FROM months
), candidates AS (
  SELECT DISTINCT account FROM gaps WHERE (month - before + 1) * {_MONTH} > {dormant.seconds}
), c AS (
  SELECT l.* FROM l JOIN candidates ON l.account = candidates.account
), g AS (
  SELECT c.*, LAG(ts) OVER (PARTITION BY account ORDER BY ts, tx_id) AS prev_ts FROM c
), w AS (
  SELECT g.*, SUM(amount_minor) {ahead} AS volume FROM g
), f AS (
  SELECT w.*, CASE WHEN prev_ts < ts - {dormant.sql()}
    AND volume >= {p.amount("min_amount")} THEN 1 ELSE 0 END AS fired FROM w
), m AS (
  SELECT f.*, MAX(fired) {back} AS woke,
    MAX(CASE WHEN fired = 1 THEN volume ELSE 0 END) {back} AS woke_volume FROM f
)
SELECT account, tx_id, ts, {info} AS detail FROM m WHERE woke = 1"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        day = 24
        rows = (
            tx("dr-1", 0, "DR-X", "DR-A", 10_000),
            tx("dr-2", 200 * day, "DR-X", "DR-A", 600_000),  # wakes after 200 days
            tx("dr-3", 202 * day, "DR-A", "DR-Y", 590_000),
            tx("dr-4", 260 * day, "DR-A", "DR-Y", 5_000),  # a month later: ordinary again
            tx("dr-5", 0, "DR-X", "DR-D1", 10_000),
            tx("dr-6", 100 * day, "DR-X", "DR-D1", 900_000),  # silent 100 days only
            tx("dr-7", 0, "DR-X", "DR-D2", 10_000),
            tx("dr-8", 200 * day, "DR-X", "DR-D2", 20_000),  # wakes with small amounts
            tx("dr-9", 201 * day, "DR-D2", "DR-Y", 20_000),
        )
        hits = frozenset({("DR-A", "dr-2"), ("DR-A", "dr-3")})
        return [
            Example(
                "silent 200 days, then 6,000 in and 5,900 out",
                rows,
                hits,
                frozenset({"DR-D1", "DR-D2"}),
            )
        ]


__all__ = ["DormantReactivation"]
