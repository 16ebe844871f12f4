"""NPO flows inconsistent with its profile: a charity paying persons abroad or through hawala.

An outflow of a non-profit (``sender_type = 'npo'``) of at least ``min_amount`` is flagged when
it goes through one of ``channels`` (money service businesses and hawala by default), or to a
person abroad, or is cash taken abroad. Abroad means a known receiver country other than the
NPO's own; with ``countries`` set, only those countries count. Flagged outflows are summed per
currency over a rolling ``window``; every one in a window that reaches ``min_total`` is a hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, among, detail, tx, within
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class NPOInconsistent(RuleKind):
    name: ClassVar[str] = "npo_inconsistent"
    title: ClassVar[str] = "Non-profit flows inconsistent with its profile"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("min_amount", "amount", 100_000, "smallest outflow flagged, minor units", 1),
        Param("min_total", "amount", 1_000_000, "flagged total within the window", 1),
        Param("window", "duration", "30d", "the rolling window", 86400, 365 * 86400),
        Param("channels", "channels", ["money_service", "hawala"], "channels always flagged"),
        Param("countries", "countries", [], "countries that count; empty means any abroad"),
    )

    def sql(self, p: Params) -> str:
        window = p.duration("window")
        back = within("account, currency", f"{window.sql()} PRECEDING AND CURRENT ROW")
        ahead = within("account, currency", f"CURRENT ROW AND {window.sql()} FOLLOWING")
        countries = p.codes("countries")
        only = f" AND {among('receiver_country', countries)}" if countries else ""
        abroad = (
            "receiver_country <> '' AND sender_country <> '' "
            f"AND receiver_country <> sender_country{only}"
        )
        reason = (
            f"CASE WHEN {among('channel', p.codes('channels'))} THEN 'channel:' || channel "
            f"WHEN receiver = '' AND channel = 'cash' AND {abroad} THEN 'cash_abroad' "
            f"WHEN receiver_type = 'person' AND {abroad} THEN 'person_abroad' END"
        )
        info = detail(
            ("reason", "reason"),
            ("country", "receiver_country"),
            ("flagged_total_minor#", "best"),
            ("currency", "currency"),
            ("window=", window.text),
        )
        return f"""
WITH d AS (
  SELECT sender AS account, tx_id, ts, currency, amount_minor, receiver_country,
    {reason} AS reason
  FROM tx WHERE sender <> '' AND sender_type = 'npo' AND amount_minor >= {p.amount("min_amount")}
), w AS (
  SELECT d.*, SUM(amount_minor) {back} AS total FROM d WHERE reason IS NOT NULL
), m AS (
  SELECT w.*, MAX(CASE WHEN total >= {p.amount("min_total")} THEN total ELSE 0 END) {ahead}
    AS best FROM w
)
SELECT account, tx_id, ts, {info} AS detail FROM m WHERE best > 0"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        npo = {"sender_type": "npo"}
        rows = (
            tx("np-1", 0, "NP-A", "NP-P1", 400_000, receiver_country="SO", **npo),
            tx("np-2", 48, "NP-A", "NP-M", 500_000, channel="hawala", **npo),
            tx("np-3", 96, "NP-A", "", 300_000, channel="cash", receiver_country="YE", **npo),
            tx("np-4", 98, "NP-A", "NP-S", 900_000, receiver_type="company", **npo),  # supplier
            tx("np-5", 0, "NP-D1", "NP-S", 1_500_000, receiver_type="company", **npo),
            tx("np-6", 10, "NP-D1", "NP-P2", 1_500_000, **npo),  # a person at home (DE)
            tx("np-7", 0, "NP-D2", "NP-P3", 400_000, receiver_country="SO", **npo),
            tx("np-8", 1000, "NP-D2", "NP-M", 700_000, channel="hawala", **npo),  # weeks apart
            tx("np-9", 0, "NP-D3", "NP-P4", 1_200_000, receiver_country="SO"),  # not an NPO
        )
        hits = frozenset({("NP-A", "np-1"), ("NP-A", "np-2"), ("NP-A", "np-3")})
        return [
            Example(
                "an NPO pays a person in SO, a hawala and cash in YE within 4 days",
                rows,
                hits,
                frozenset({"NP-D1", "NP-D2", "NP-D3"}),
            )
        ]


__all__ = ["NPOInconsistent"]
