"""Sanctioned counterparty: a payment to or from a name found on a sanctions list.

Names are screened outside SQL (``cthub.finance.rules.listed.listed_names`` runs the
counterparty names through ``cthub.screening``) into a table ``listed(name, list_name,
list_ref, score)``; this kind joins it on the exact counterparty name of each leg: the
receiver's name for the sender's account, the sender's name for the receiver's. A listed score
(0 to 1) of at least ``min_score`` percent counts (screening scores a name alone, with no
other evidence, at about 0.75 to 0.85 for an exact match, so the default is screening's own
0.7); the best listing per leg is reported.

Common names. A name alone cannot tell a listed person from everyone else who bears the
name, and a common name is the counterparty of many unrelated accounts. So a leg whose
counterparty is a person (or of no stated type) counts only while at most ``max_accounts``
distinct accounts have dealt with that name, up to and including this transaction (0: no
limit). The count runs in (ts, tx_id) order, so a real-time scorer, which knows only the past,
gets the same hits when the transactions reach it in that order (one that arrives late is
judged on the accounts seen before it arrived); companies and NPOs are never capped, since
many customers paying one listed organisation is the pattern the rule is for. On generated
data (``cthub finance synth``, seed 44, 64,000 accounts, the UN list loaded) the cap of 5 cut
the accounts this rule alerted from 2,519 to 347 and still found 39 of the 40 planted
sanctioned-counterparty accounts, as before."""

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
        Param("max_accounts", "count", 5,
              "a person's name counts while at most this many accounts dealt with it (0: no "
              "limit)", 0, 1_000_000),
    )  # fmt: skip

    def sql(self, p: Params) -> str:
        both = legs(
            ("tx_id", "ts", "side", "counterparty", "counterparty_type"),
            ("tx_id", "ts", "'sender'", "sender_name", "coalesce(sender_type, '')"),
            ("tx_id", "ts", "'receiver'", "receiver_name", "coalesce(receiver_type, '')"),
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
        least = f"{p.percent('min_score'):.2f}"
        cap = p.count("max_accounts")
        # ``accounts``: distinct accounts that dealt with the name up to this transaction (its
        # other leg included: the default RANGE frame takes the rows of equal ts and tx_id)
        capped = "TRUE" if cap == 0 else (
            f"b.accounts <= {cap} OR b.counterparty_type NOT IN ('person', '')")  # fmt: skip
        return f"""
WITH l AS (
  {both}
), names AS (
  SELECT DISTINCT name FROM listed WHERE kind = 'name' AND score * 100 >= {least}
), f AS (
  SELECT l.*, CASE WHEN ROW_NUMBER() OVER (PARTITION BY l.counterparty, l.account
    ORDER BY l.ts, l.tx_id, l.side) = 1 THEN 1 ELSE 0 END AS newcomer
  FROM l JOIN names ON names.name = l.counterparty
), b AS (
  SELECT f.*, SUM(newcomer) OVER (PARTITION BY counterparty ORDER BY ts, tx_id
    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS accounts
  FROM f
), j AS (
  SELECT b.*, s.list_name, s.list_ref, s.score, ROW_NUMBER() OVER (
    PARTITION BY b.account, b.tx_id ORDER BY s.score DESC, b.side, s.list_name, s.list_ref) AS n
  FROM b JOIN listed AS s ON s.name = b.counterparty AND s.kind = 'name'
  WHERE s.score * 100 >= {least} AND ({capped})
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
        common_listed = (
            ("Omar Hassan", "test", "P-3", 0.85),
            ("Al Noor Relief Fund", "test", "O-4", 0.85),
        )
        # a common person's name: six accounts pay one "Omar Hassan"; the sixth is past the
        # cap of 5, and so is the first account's later payment; six accounts paying one listed
        # NPO all count
        payers = [(f"cn-{i}", 10 + i, f"CN-{i}") for i in range(1, 7)] + [("cn-7", 20, "CN-1")]
        common = tuple(tx(t, h, payer, "CN-X", 40_000, receiver_name="Omar Hassan")
                       for t, h, payer in payers)  # fmt: skip
        fund = tuple(
            tx(f"nf-{i}", 30 + i, f"NF-{i}", "NF-X", 5_000, receiver_name="Al Noor Relief Fund",
               receiver_type="npo")
            for i in range(1, 7)
        )  # fmt: skip
        hits = frozenset({("SC-A", "sc-1"), ("SC-B", "sc-2")})
        return [
            Example(
                "a payment to a listed company, a credit from a listed person",
                rows,
                hits,
                frozenset({"SC-D1", "SC-D2"}),
                listed,
            ),
            Example(
                "a common person's name stops counting past max_accounts; an NPO's does not",
                common + fund,
                frozenset(
                    {(f"CN-{i}", f"cn-{i}") for i in range(1, 6)}
                    | {(f"NF-{i}", f"nf-{i}") for i in range(1, 7)}
                ),
                frozenset({"CN-6", "CN-X", "NF-X"}),
                common_listed,
            ),
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
