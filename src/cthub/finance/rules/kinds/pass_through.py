"""Pass-through: a credit that leaves the account again almost at once.

A credit of at least ``min_amount`` fires when the account's outflows in the same currency
within ``within`` after it (same instant included) add up to at least ``min_out_percent`` of
it. Only accounts of ``account_types`` are followed (persons by default: businesses pay out
what they take in every day), and a transfer to an account of the same holder name (a sweep
to the holder's own savings) is not sent on. The credit and every outflow in that span are
the hits. Two window passes over the account's legs, no join: a sort per account and
currency.
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

_NOT_OWN = "(receiver_name = '' OR receiver_name <> sender_name)"  # not to the holder's own


class PassThrough(RuleKind):
    name: ClassVar[str] = "pass_through"
    title: ClassVar[str] = "Funds that leave again soon after they arrive"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("min_amount", "amount", 500_000, "smallest credit to follow, minor units", 1),
        Param("min_out_percent", "percent", 90, "share of the credit sent on", 1, 100),
        Param("within", "duration", "48h", "how soon after the credit", 60, 30 * 86400),
        Param("account_types", "party_types", ["person"], "account holders followed", 1),
    )

    def sql(self, p: Params) -> str:
        span = p.duration("within")
        types = p.codes("account_types")
        ahead = within("account, currency", f"CURRENT ROW AND {span.sql()} FOLLOWING")
        back = within("account, currency", f"{span.sql()} PRECEDING AND CURRENT ROW")
        both = legs(
            ("tx_id", "ts", "currency", "inflow", "outflow"),
            ("tx_id", "ts", "currency", "amount_minor", "0"),
            ("tx_id", "ts", "currency", "0", "amount_minor"),
            f"amount_minor >= {p.amount('min_amount')} AND {among('receiver_type', types)}",
            f"{among('sender_type', types)} AND {_NOT_OWN}",
        )
        info = detail(
            ("role", "CASE WHEN fired = 1 THEN 'credit' ELSE 'outflow' END"),
            ("credit_minor#", "CASE WHEN fired = 1 THEN inflow ELSE credit END"),
            ("sent_on_minor#", "CASE WHEN fired = 1 THEN out_after ELSE outflow END"),
            ("currency", "currency"),
            ("within=", span.text),
        )
        return f"""
WITH l AS (
  {both}
), w AS (
  SELECT l.*, SUM(outflow) {ahead} AS out_after FROM l
), f AS (
  SELECT w.*, CASE WHEN inflow > 0 AND out_after >= inflow * {p.ratio("min_out_percent")}
    THEN 1 ELSE 0 END AS fired FROM w
), m AS (
  SELECT f.*, MAX(fired) {back} AS after_credit,
    MAX(CASE WHEN fired = 1 THEN inflow ELSE 0 END) {back} AS credit FROM f
)
SELECT account, tx_id, ts, {info} AS detail FROM m
WHERE fired = 1 OR (outflow > 0 AND after_credit = 1)"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        rows = (
            tx("pt-1", 0, "PT-X", "PT-A", 2_000_000),
            tx("pt-2", 5, "PT-A", "PT-Y", 1_200_000),
            tx("pt-3", 30, "PT-A", "PT-Z", 700_000),  # 95% gone within 48 hours
            tx("pt-4", 90, "PT-A", "PT-Z", 50_000),  # later: not part of it
            tx("pt-5", 0, "PT-X", "PT-D1", 2_000_000),
            tx("pt-6", 5, "PT-D1", "PT-Y", 1_000_000),  # only half sent on
            tx("pt-7", 0, "PT-X", "PT-D2", 2_000_000),
            tx("pt-8", 72, "PT-D2", "PT-Y", 1_950_000),  # sent on, but after three days
            tx("pt-9", 0, "PT-X", "PT-D3", 400_000),  # below min_amount
            tx("pt-10", 1, "PT-D3", "PT-Y", 400_000),
            tx("pt-11", 0, "PT-X", "PT-D4", 2_000_000, receiver_type="company"),  # a business
            tx("pt-12", 5, "PT-D4", "PT-Y", 1_950_000, sender_type="company"),
            tx("pt-13", 0, "PT-X", "PT-D5", 2_000_000),
            tx("pt-14", 2, "PT-D5", "PT-S", 1_950_000, receiver_name="Holder PT-D5"),  # own savings
        )
        hits = frozenset({("PT-A", "pt-1"), ("PT-A", "pt-2"), ("PT-A", "pt-3")})
        return [
            Example(
                "2,000,000 in, 1,900,000 out within 30 hours",
                rows,
                hits,
                frozenset({"PT-D1", "PT-D2", "PT-D3", "PT-D4", "PT-D5"}),
            )
        ]


__all__ = ["PassThrough"]
