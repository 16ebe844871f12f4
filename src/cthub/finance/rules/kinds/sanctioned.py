"""Sanctioned counterparty: a payment to or from a name found on a sanctions list.

Names are screened outside SQL (``cthub.finance.rules.listed.listed_names`` runs the
counterparty names through ``cthub.screening``) into a table ``listed(name, list_name,
list_ref, score)``; this kind joins it on the exact counterparty name of each leg: the
receiver's name for the sender's account, the sender's name for the receiver's. A listed score
(0 to 1) of at least ``min_score`` percent counts (screening scores a name alone, with no
other evidence, at about 0.75 to 0.85 for an exact match, so the default is screening's own
0.7); the best listing per leg is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cthub.finance.rules.kinds.base import Example, RuleKind, detail, legs, tx
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param


class SanctionedCounterparty(RuleKind):
    name: ClassVar[str] = "sanctioned_counterparty"
    title: ClassVar[str] = "A counterparty named on a sanctions list"
    uses_listed: ClassVar[bool] = True
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("min_score", "percent", 70, "smallest screening score that counts", 1, 100),
    )

    def sql(self, p: Params) -> str:
        both = legs(
            ("tx_id", "ts", "side", "counterparty"),
            ("tx_id", "ts", "'sender'", "sender_name"),
            ("tx_id", "ts", "'receiver'", "receiver_name"),
            "sender_name <> ''",
            "receiver_name <> ''",
        )
        info = detail(
            ("counterparty", "counterparty"),
            ("side", "side"),
            ("list", "list_name"),
            ("ref", "list_ref"),
            ("score_pct#", "CAST(FLOOR(score * 100 + 0.5) AS BIGINT)"),
        )
        return f"""
WITH l AS (
  {both}
), j AS (
  SELECT l.*, s.list_name, s.list_ref, s.score, ROW_NUMBER() OVER (
    PARTITION BY l.account, l.tx_id ORDER BY s.score DESC, l.side, s.list_name, s.list_ref) AS n
  FROM l JOIN listed AS s ON s.name = l.counterparty AND s.kind = 'name'
  WHERE s.score * 100 >= {p.percent("min_score"):.2f}
)
SELECT account, tx_id, ts, {info} AS detail FROM j WHERE n = 1"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        rows = (
            tx("sc-1", 0, "SC-A", "SC-X", 250_000, receiver_name="Northern Star Trading LLC"),
            tx("sc-2", 4, "SC-Y", "SC-B", 90_000, sender_name="Abdul Rahman Al Hakim"),
            tx("sc-3", 5, "SC-D1", "SC-X", 250_000, receiver_name="Northern Star Trading"),
            tx("sc-4", 6, "SC-D2", "SC-Z", 250_000, receiver_name="Olga Ivanova"),  # low score
        )
        listed = (
            ("Northern Star Trading LLC", "test", "O-1", 1.0),
            ("Abdul Rahman Al Hakim", "test", "P-2", 0.93),
            ("Olga Ivanova", "test", "P-9", 0.62),
        )
        hits = frozenset({("SC-A", "sc-1"), ("SC-B", "sc-2")})
        return [
            Example(
                "a payment to a listed company, a credit from a listed person",
                rows,
                hits,
                frozenset({"SC-D1", "SC-D2"}),
                listed,
            )
        ]


class SanctionedWallet(RuleKind):
    """A crypto-asset transfer to or from a wallet address a sanctions list attributes to a
    listed holder (OFAC's "Digital Currency Address" identifiers).

    The crypto legs' counterparty accounts are wallet addresses; they are screened outside SQL
    (``listed.listed_wallets`` through ``cthub.ownership.addresses``, which compares each
    address by its format's rules: EVM hex in any case, base58 exactly, bech32 and cashaddr in
    lower case) into ``listed`` rows of kind ``wallet`` with the address as the transactions
    spell it. This kind joins them exactly on the counterparty of each leg in ``channels``.
    """

    name: ClassVar[str] = "sanctioned_wallet"
    title: ClassVar[str] = "A transfer to or from a listed crypto-asset wallet"
    uses_listed: ClassVar[bool] = True
    parameters: ClassVar[tuple[Param, ...]] = (
        Param("channels", "channels", ["crypto"], "channels whose counterparties are wallets",
              1, 6),
    )  # fmt: skip

    def sql(self, p: Params) -> str:
        channels = ", ".join(f"'{c}'" for c in p.codes("channels"))
        both = legs(
            ("tx_id", "ts", "side", "counterparty"),
            ("tx_id", "ts", "'sender'", "sender"),
            ("tx_id", "ts", "'receiver'", "receiver"),
            f"sender <> '' AND channel IN ({channels})",
            f"receiver <> '' AND channel IN ({channels})",
        )
        info = detail(
            ("wallet", "counterparty"),
            ("side", "side"),
            ("list", "list_name"),
            ("ref", "list_ref"),
        )
        return f"""
WITH l AS (
  {both}
), j AS (
  SELECT l.*, s.list_name, s.list_ref, ROW_NUMBER() OVER (
    PARTITION BY l.account, l.tx_id ORDER BY l.side, s.list_name, s.list_ref) AS n
  FROM l JOIN listed AS s ON s.name = l.counterparty AND s.kind = 'wallet'
)
SELECT account, tx_id, ts, {info} AS detail FROM j WHERE n = 1"""  # noqa: S608 - checked values

    def examples(self) -> Sequence[Example]:
        listed_evm = "0x9f4cda013e354b8fc285bf4b9a60460cee7f7ea9"
        rows = (
            tx("sw-1", 0, "SW-A", listed_evm, 150_000, channel="crypto"),
            tx("sw-2", 3, "bc1qlisted0wallet", "SW-B", 80_000, channel="crypto"),
            tx("sw-3", 4, "SW-D1", "0x0000000000000000000000000000000000000001", 150_000,
               channel="crypto"),
            tx("sw-4", 5, "SW-D2", listed_evm, 150_000, channel="transfer"),  # not crypto
        )  # fmt: skip
        listed = (
            (listed_evm, "test", "W-1", 1.0, "wallet"),
            ("bc1qlisted0wallet", "test", "W-2", 1.0, "wallet"),
            ("SW-D1", "test", "N-1", 1.0, "name"),  # a screened name, never a wallet
        )
        hits = frozenset({("SW-A", "sw-1"), ("SW-B", "sw-2")})
        return [
            Example(
                "a crypto payment to a listed wallet, a crypto credit from one",
                rows,
                hits,
                frozenset({"SW-D1", "SW-D2"}),
                listed,
            )
        ]


__all__ = ["SanctionedCounterparty", "SanctionedWallet"]
