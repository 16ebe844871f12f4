"""Shared identifier: one phone, e-mail, device or document behind many sending accounts.

Accounts that send money using the same ``sender_identifier`` (not ``''``) are grouped; when a
group holds at least ``min_accounts`` distinct sender accounts, every transaction of the group
is a hit for its sender. Mule networks and front accounts opened with one person's details
show up this way. The span is the data the rule is run over: a caller who wants a quarter
passes a quarter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, detail, tx
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class SharedIdentifier(RuleKind):
    name: ClassVar[str] = "shared_identifier"
    title: ClassVar[str] = "One identifier shared by many sending accounts"
    parameters: ClassVar[tuple[Param, ...]] = (
        Param(
            "min_accounts", "count", 4, "distinct sender accounts with one identifier", 2, 1_000_000
        ),
    )

    def sql(self, p: Params) -> str:
        info = detail(("identifier", "t.sender_identifier"), ("accounts#", "ids.accounts"))
        return f"""
WITH ids AS (
  SELECT sender_identifier AS ident, COUNT(DISTINCT sender) AS accounts FROM tx
  WHERE sender <> '' AND sender_identifier <> ''
  GROUP BY sender_identifier HAVING COUNT(DISTINCT sender) >= {p.count("min_accounts")}
)
SELECT t.sender AS account, t.tx_id, t.ts, {info} AS detail
FROM tx AS t JOIN ids ON t.sender_identifier = ids.ident
WHERE t.sender <> ''"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        phone = {"sender_identifier": "+49 151 0000001"}
        other = {"sender_identifier": "+49 151 0000002"}
        rows = (
            *(tx(f"si-{i}", i, f"SI-A{i}", "SI-R", 50_000, **phone) for i in range(1, 5)),
            tx("si-5", 9, "SI-A1", "SI-R", 50_000, **phone),
            *(tx(f"si-{i + 10}", i, f"SI-D{i % 3}", "SI-R", 50_000, **other) for i in range(1, 7)),
            tx("si-20", 9, "SI-D4", "SI-R", 50_000),
        )
        hits = frozenset({(f"SI-A{i}", f"si-{i}") for i in range(1, 5)} | {("SI-A1", "si-5")})
        decoys = frozenset({"SI-D0", "SI-D1", "SI-D2", "SI-D4"})
        return [Example("one phone number behind four sending accounts", rows, hits, decoys)]


__all__ = ["SharedIdentifier"]
