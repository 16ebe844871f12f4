"""Chain codes as OFAC writes them ("Digital Currency Address - XBT"), and the formats each allows.

The codes are the 19 found in the OFAC SDN data (the legacy CSV remarks of July 2021 and the
``sdn_advanced.xml`` features of November 2025): ARB, BCH, BNB, BSC, BSV, BTG, DASH, ETC, ETH,
LTC, SOL, TRX, USDC, USDT, XBT, XMR, XRP, XVG, ZEC, plus a few common spellings as aliases.

A chain allows the formats its wallets write. Tokens are listed under the token, not the chain
they live on, so USDT allows the formats of Omni (Bitcoin), ERC-20 (EVM), TRC-20 (TRON) and SPL
(Solana) and USDC those of EVM, TRON and Solana: OFAC's USDT list holds all of the first three.
An address whose formats are all outside its declared chain's is a labelling error (a TRON
``T...`` address declared XBT); one valid in none is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

_BITCOIN = ("btc-p2pkh", "btc-p2sh", "btc-segwit")
_EVM = ("evm",)
_TETHER = ("evm", "tron", "btc-p2pkh", "btc-p2sh", "sol")


@dataclass(frozen=True)
class Chain:
    code: str
    title: str
    formats: tuple[str, ...]


CHAINS: dict[str, Chain] = {
    c.code: c
    for c in (
        Chain("XBT", "Bitcoin", _BITCOIN),
        Chain("BCH", "Bitcoin Cash", ("bch-cashaddr", "btc-p2pkh", "btc-p2sh")),
        Chain("BSV", "Bitcoin SV", ("btc-p2pkh", "btc-p2sh")),
        Chain("BTG", "Bitcoin Gold", ("btg-p2pkh", "btg-p2sh", "btg-segwit")),
        Chain("LTC", "Litecoin", ("ltc-p2pkh", "ltc-p2sh", "btc-p2sh", "ltc-segwit")),
        Chain("DASH", "Dash", ("dash-p2pkh", "dash-p2sh")),
        Chain("ZEC", "Zcash", ("zec-t1", "zec-t3", "zec-sapling")),
        Chain("XVG", "Verge", ("xvg-p2pkh", "xvg-p2sh")),
        Chain("ETH", "Ethereum", _EVM),
        Chain("ETC", "Ethereum Classic", _EVM),
        Chain("BSC", "BNB Smart Chain", _EVM),
        Chain("ARB", "Arbitrum", _EVM),
        Chain("BNB", "BNB (Beacon Chain or BNB Smart Chain)", ("bnb-beacon", "evm")),
        Chain("USDT", "Tether USD (Omni, ERC-20, TRC-20, SPL)", _TETHER),
        Chain("USDC", "USD Coin (ERC-20, TRC-20, SPL)", ("evm", "tron", "sol")),
        Chain("TRX", "TRON", ("tron",)),
        Chain("XRP", "XRP Ledger", ("xrp",)),
        Chain("XMR", "Monero", ("xmr-standard", "xmr-subaddress", "xmr-integrated")),
        Chain("SOL", "Solana", ("sol",)),
    )
}
ALIASES = {
    "BTC": "XBT",
    "BITCOIN": "XBT",
    "TRON": "TRX",
    "TRC20": "TRX",
    "ERC20": "ETH",
    "BEP20": "BSC",
    "ETHEREUM": "ETH",
    "LITECOIN": "LTC",
    "MONERO": "XMR",
    "SOLANA": "SOL",
    "ZCASH": "ZEC",
}
#: the chain a format is native to: the chain reported when a list's label is wrong
NATIVE = {
    "btc-p2pkh": "XBT",
    "btc-p2sh": "XBT",
    "btc-segwit": "XBT",
    "bch-cashaddr": "BCH",
    "btg-p2pkh": "BTG",
    "btg-p2sh": "BTG",
    "btg-segwit": "BTG",
    "ltc-p2pkh": "LTC",
    "ltc-p2sh": "LTC",
    "ltc-segwit": "LTC",
    "dash-p2pkh": "DASH",
    "dash-p2sh": "DASH",
    "zec-t1": "ZEC",
    "zec-t3": "ZEC",
    "zec-sapling": "ZEC",
    "xvg-p2pkh": "XVG",
    "xvg-p2sh": "XVG",
    "evm": "ETH",
    "bnb-beacon": "BNB",
    "tron": "TRX",
    "xrp": "XRP",
    "xmr-standard": "XMR",
    "xmr-subaddress": "XMR",
    "xmr-integrated": "XMR",
    "sol": "SOL",
}


def chain_code(text: str | None) -> str | None:
    """The OFAC code for ``text`` (case and aliases folded), or ``None`` when unknown."""
    if text is None:
        return None
    code = text.strip().upper()
    code = ALIASES.get(code, code)
    return code if code in CHAINS else None


def chains_for(formats: tuple[str, ...]) -> tuple[str, ...]:
    """Every chain code whose rules accept one of ``formats``, in table order."""
    return tuple(c.code for c in CHAINS.values() if any(f in c.formats for f in formats))


def known_codes() -> str:
    return ", ".join(CHAINS)


__all__ = ["ALIASES", "CHAINS", "NATIVE", "Chain", "chain_code", "chains_for", "known_codes"]
