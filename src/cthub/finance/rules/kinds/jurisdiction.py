"""High-risk jurisdiction: flows to or from a configured list of countries.

An outbound leg whose receiver country is listed (a cash withdrawal taken there included) and
an inbound leg whose sender country is listed are hits when the amount is at least
``min_amount``. The shipped default is the FATF list of high-risk jurisdictions subject to a
call for action; institutions add their own (conflict zones, internal country risk ratings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, among, detail, legs, tx
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class HighRiskJurisdiction(RuleKind):
    name: ClassVar[str] = "high_risk_jurisdiction"
    title: ClassVar[str] = "Flows to or from a high-risk jurisdiction"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("countries", "countries", ["IR", "KP", "MM"], "ISO 3166-1 alpha-2 codes", 1),
        Param("min_amount", "amount", 0, "smallest amount reported, minor units", 0),
    )

    def sql(self, p: Params) -> str:
        countries = p.codes("countries")
        low = p.amount("min_amount")
        both = legs(
            ("tx_id", "ts", "direction", "country", "amount_minor", "currency"),
            ("tx_id", "ts", "'from'", "sender_country", "amount_minor", "currency"),
            ("tx_id", "ts", "'to'", "receiver_country", "amount_minor", "currency"),
            f"{among('sender_country', countries)} AND amount_minor >= {low}",
            f"{among('receiver_country', countries)} AND amount_minor >= {low}",
        )
        info = detail(
            ("direction", "direction"),
            ("country", "country"),
            ("amount_minor#", "amount_minor"),
            ("currency", "currency"),
        )
        return f"""
WITH l AS (
  {both}
)
SELECT account, tx_id, ts, {info} AS detail FROM l"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        rows = (
            tx("hr-1", 0, "HR-A", "HR-X", 120_000, receiver_country="IR"),
            tx("hr-2", 5, "HR-Y", "HR-B", 80_000, sender_country="KP"),
            tx("hr-3", 8, "HR-C", "", 30_000, channel="cash", receiver_country="MM"),
            tx("hr-4", 9, "HR-D1", "HR-X", 120_000, receiver_country="TR"),  # not listed
            tx("hr-5", 9, "HR-Y", "HR-D2", 120_000, sender_country="AE"),
        )
        hits = frozenset({("HR-A", "hr-1"), ("HR-B", "hr-2"), ("HR-C", "hr-3")})
        return [
            Example(
                "a payment to IR, a credit from KP, cash taken in MM",
                rows,
                hits,
                frozenset({"HR-D1", "HR-D2"}),
            )
        ]


__all__ = ["HighRiskJurisdiction"]
