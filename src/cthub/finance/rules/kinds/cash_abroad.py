"""Cash abroad in a burst: funds arrive, then several cash withdrawals in another country.

A credit of at least ``min_credit`` fires when the account makes at least ``min_withdrawals``
cash withdrawals abroad within ``within`` after it. A withdrawal is abroad when the country
where the cash was taken (``receiver_country``) is known and differs from the account's own
(``sender_country``, which must be known); with ``countries`` set, only those countries count.
The credit and the withdrawals in that span are the hits. Currencies are not compared: cash is
often taken in the local currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, among, detail, legs, tx, within
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class CashAbroadBurst(RuleKind):
    name: ClassVar[str] = "cash_abroad_burst"
    title: ClassVar[str] = "Cash withdrawals abroad in a burst after funds arrive"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("min_credit", "amount", 100_000, "smallest credit to follow, minor units", 1),
        Param("min_withdrawals", "count", 3, "cash withdrawals abroad after it", 1, 1000),
        Param("within", "duration", "72h", "how soon after the credit", 3600, 30 * 86400),
        Param("countries", "countries", [], "countries that count; empty means any abroad"),
    )

    def sql(self, p: Params) -> str:
        span = p.duration("within")
        ahead = within("account", f"CURRENT ROW AND {span.sql()} FOLLOWING")
        back = within("account", f"{span.sql()} PRECEDING AND CURRENT ROW")
        countries = p.codes("countries")
        only = f" AND {among('receiver_country', countries)}" if countries else ""
        both = legs(
            ("tx_id", "ts", "credit", "wd", "country"),
            ("tx_id", "ts", "1", "0", "''"),
            ("tx_id", "ts", "0", "1", "receiver_country"),
            f"amount_minor >= {p.amount('min_credit')}",
            "channel = 'cash' AND receiver = '' AND sender_country <> '' "
            f"AND receiver_country <> '' AND receiver_country <> sender_country{only}",
        )
        info = detail(
            ("role", "CASE WHEN fired = 1 THEN 'credit' ELSE 'withdrawal' END"),
            ("withdrawals_abroad#", "CASE WHEN fired = 1 THEN wds ELSE burst END"),
            ("country", "CASE WHEN fired = 1 THEN NULL ELSE country END"),
            ("within=", span.text),
        )
        return f"""
WITH l AS (
  {both}
), w AS (
  SELECT l.*, SUM(wd) {ahead} AS wds FROM l
), f AS (
  SELECT w.*, CASE WHEN credit = 1 AND wds >= {p.count("min_withdrawals")} THEN 1 ELSE 0 END
    AS fired FROM w
), m AS (
  SELECT f.*, MAX(fired) {back} AS after_credit,
    MAX(CASE WHEN fired = 1 THEN wds ELSE 0 END) {back} AS burst FROM f
)
SELECT account, tx_id, ts, {info} AS detail FROM m
WHERE fired = 1 OR (wd = 1 AND after_credit = 1)"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        cash = {"channel": "cash"}
        rows = (
            tx("ca-1", 0, "CA-X", "CA-A", 300_000),
            tx("ca-2", 20, "CA-A", "", 60_000, receiver_country="TR", **cash),
            tx("ca-3", 26, "CA-A", "", 60_000, receiver_country="TR", **cash),
            tx("ca-4", 50, "CA-A", "", 60_000, receiver_country="SY", **cash),
            tx("ca-5", 100, "CA-A", "", 60_000, receiver_country="SY", **cash),  # too late
            tx("ca-6", 0, "CA-X", "CA-D1", 300_000),
            tx("ca-7", 20, "CA-D1", "", 60_000, **cash),  # at home (DE)
            tx("ca-8", 26, "CA-D1", "", 60_000, **cash),
            tx("ca-9", 50, "CA-D1", "", 60_000, **cash),
            tx("ca-10", 0, "CA-X", "CA-D2", 300_000),
            tx("ca-11", 20, "CA-D2", "", 60_000, receiver_country="TR", **cash),
            tx("ca-12", 26, "CA-D2", "CA-Y", 60_000, receiver_country="TR"),  # a transfer
            tx("ca-13", 50, "CA-D2", "", 60_000, receiver_country="TR", **cash),
        )
        hits = frozenset({("CA-A", f"ca-{i}") for i in range(1, 5)})
        return [
            Example(
                "3,000 in, three cash withdrawals in TR and SY within 50 hours",
                rows,
                hits,
                frozenset({"CA-D1", "CA-D2"}),
            )
        ]


__all__ = ["CashAbroadBurst"]
