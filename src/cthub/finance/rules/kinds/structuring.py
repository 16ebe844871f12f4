"""Structuring: deposits kept just below a reporting threshold, many within a rolling window.

An account's inbound transactions on the chosen channels (cash by default) whose amount lies in
the band ``[threshold * (1 - band_percent / 100), threshold)`` are counted per currency over a
rolling ``window``. Every deposit that belongs to a window holding at least ``min_count`` of
them is a hit; its detail gives the largest such count and total among the windows it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, among, detail, tx, within
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class Structuring(RuleKind):
    name: ClassVar[str] = "structuring"
    title: ClassVar[str] = "Deposits just below a reporting threshold"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("threshold", "amount", 1_000_000, "the reporting threshold, minor units", 1),
        Param("band_percent", "percent", 10, "how far below the threshold counts", 1, 100),
        Param("min_count", "count", 3, "deposits in the band within the window", 2, 1000),
        Param("window", "duration", "7d", "the rolling window", 3600, 90 * 86400),
        Param("channels", "channels", ["cash"], "channels that count as deposits", 1),
        Param("currencies", "currencies", [], "currencies to watch; empty means all"),
    )

    def band(self, p: Params) -> tuple[int, int]:
        """The lowest amount in the band and the threshold (excluded)."""
        top = p.amount("threshold")
        low = (Decimal(top) * (100 - p.percent("band_percent")) / 100).to_integral_value(
            ROUND_CEILING
        )
        return int(low), top

    def sql(self, p: Params) -> str:
        low, top = self.band(p)
        window = p.duration("window")
        currencies = p.codes("currencies")
        only = f"AND {among('currency', currencies)}" if currencies else ""
        back = within("account, currency", f"{window.sql()} PRECEDING AND CURRENT ROW")
        ahead = within("account, currency", f"CURRENT ROW AND {window.sql()} FOLLOWING")
        k = p.count("min_count")
        info = detail(
            ("deposits#", "best"),
            ("total_minor#", "best_total"),
            ("currency", "currency"),
            ("band_minor=", f"{low}-{top - 1}"),
            ("window=", window.text),
        )
        return f"""
WITH d AS (
  SELECT receiver AS account, tx_id, ts, currency, amount_minor FROM tx
  WHERE receiver <> '' AND {among("channel", p.codes("channels"))}
    AND amount_minor >= {low} AND amount_minor < {top} {only}
), w AS (
  SELECT d.*, COUNT(*) {back} AS n, SUM(amount_minor) {back} AS total FROM d
), m AS (
  SELECT w.*, MAX(CASE WHEN n >= {k} THEN n ELSE 0 END) {ahead} AS best,
    MAX(CASE WHEN n >= {k} THEN total ELSE 0 END) {ahead} AS best_total
  FROM w
)
SELECT account, tx_id, ts, {info} AS detail FROM m WHERE best >= {k}"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        cash = {"channel": "cash"}
        rows = (
            tx("st-1", 0, "", "ST-A", 950_000, **cash),
            tx("st-2", 30, "", "ST-A", 990_000, **cash),
            tx("st-3", 100, "", "ST-A", 920_000, **cash),
            tx("st-4", 50, "", "ST-A", 500_000, **cash),  # below the band
            tx("st-5", 400, "", "ST-A", 950_000, **cash),  # in band, but alone in its week
            tx("st-6", 0, "", "ST-D1", 950_000, **cash),  # never three within 7 days
            tx("st-7", 200, "", "ST-D1", 950_000, **cash),
            tx("st-8", 400, "", "ST-D1", 950_000, **cash),
            tx("st-9", 1, "", "ST-D2", 1_000_000, **cash),  # at the threshold, not below
            tx("st-10", 2, "", "ST-D2", 1_000_000, **cash),
            tx("st-11", 3, "", "ST-D2", 1_000_000, **cash),
            tx("st-12", 1, "ST-X", "ST-D3", 950_000),  # transfers, not cash
            tx("st-13", 2, "ST-X", "ST-D3", 950_000),
            tx("st-14", 3, "ST-X", "ST-D3", 950_000),
        )
        hits = frozenset({("ST-A", "st-1"), ("ST-A", "st-2"), ("ST-A", "st-3")})
        return [
            Example(
                "three cash deposits 9,200-9,900 within 5 days",
                rows,
                hits,
                frozenset({"ST-D1", "ST-D2", "ST-D3"}),
            )
        ]


__all__ = ["Structuring"]
