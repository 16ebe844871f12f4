"""Address formats: what each looks like, how it is checked, and the comparison key.

``detect`` tries every format whose shape fits (a prefix, a length, an alphabet) and returns
the formats the text is valid in, plus near misses: formats whose shape fits but whose
checksum, length or version does not (a typo, or a list's own error).

``comparison_key`` is the one rule both the index and every lookup apply, cheap enough for
millions of lookups: EVM hex (``0x``) in lower case; bech32 (``bc1``, ``ltc1``, ``btg1``,
``bnb1``, ``zs1``) and cashaddr (prefix dropped) in lower case when not mixed-case (mixed case
is invalid there; a cashaddr's prefix and payload are judged apart, as wallets write
``bitcoincash:QPM2...``); everything else, base58 above all, exactly as written. Surrounding ASCII
whitespace is dropped. ``index.key_array`` is the same rule on an Arrow array.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cthub.ownership.addresses import base58
from cthub.ownership.addresses.bech32 import (
    CASH_PREFIX,
    CHARSET,
    bech32_decode,
    cashaddr_decode,
    cashaddr_encode,
    convert_bits,
    segwit_decode,
)
from cthub.ownership.addresses.keccak import keccak256

FORMATS = {
    "btc-p2pkh": "Bitcoin P2PKH (base58check, version 0, 1...)",
    "btc-p2sh": "Bitcoin P2SH (base58check, version 5, 3...)",
    "btc-segwit": "Bitcoin segwit (bech32/bech32m, bc1...)",
    "bch-cashaddr": "Bitcoin Cash cashaddr (bitcoincash:q... or p...)",
    "btg-p2pkh": "Bitcoin Gold P2PKH (base58check, version 38, G...)",
    "btg-p2sh": "Bitcoin Gold P2SH (base58check, version 23, A...)",
    "btg-segwit": "Bitcoin Gold segwit (bech32, btg1...)",
    "ltc-p2pkh": "Litecoin P2PKH (base58check, version 48, L...)",
    "ltc-p2sh": "Litecoin P2SH (base58check, version 50, M...)",
    "ltc-segwit": "Litecoin segwit (bech32/bech32m, ltc1...)",
    "dash-p2pkh": "Dash P2PKH (base58check, version 76, X...)",
    "dash-p2sh": "Dash P2SH (base58check, version 16, 7...)",
    "xvg-p2pkh": "Verge P2PKH (base58check, version 30, D...)",
    "xvg-p2sh": "Verge P2SH (base58check, version 33, E...)",
    "zec-t1": "Zcash transparent P2PKH (base58check, t1...)",
    "zec-t3": "Zcash transparent P2SH (base58check, t3...)",
    "zec-sapling": "Zcash shielded Sapling (bech32, zs1...)",
    "tron": "TRON (base58check, version 0x41, T...)",
    "evm": "EVM (0x + 40 hex digits: Ethereum, BNB Smart Chain, Arbitrum, ...)",
    "bnb-beacon": "BNB Beacon Chain (bech32, bnb1...)",
    "xrp": "XRP Ledger (Ripple base58check, r...)",
    "xmr-standard": "Monero standard (Monero base58, 95 characters, 4...)",
    "xmr-subaddress": "Monero subaddress (Monero base58, 95 characters, 8...)",
    "xmr-integrated": "Monero integrated (Monero base58, 106 characters, 4...)",
    "sol": "Solana (base58, 32 bytes)",
}
#: Base58Check version prefix -> format, for 21-byte payloads (version + 20-byte hash)
_VERSIONS = {
    b"\x00": "btc-p2pkh",
    b"\x05": "btc-p2sh",
    b"\x26": "btg-p2pkh",
    b"\x17": "btg-p2sh",
    b"\x30": "ltc-p2pkh",
    b"\x32": "ltc-p2sh",
    b"\x4c": "dash-p2pkh",
    b"\x10": "dash-p2sh",
    b"\x1e": "xvg-p2pkh",
    b"\x21": "xvg-p2sh",
    b"\x41": "tron",
    b"\x1c\xb8": "zec-t1",
    b"\x1c\xbd": "zec-t3",
}
_SEGWIT = {"bc": "btc-segwit", "ltc": "ltc-segwit", "btg": "btg-segwit"}
_BECH32 = {"bnb": ("bnb-beacon", 20), "zs": ("zec-sapling", 43)}
BECH32_PREFIXES = tuple(f"{hrp}1" for hrp in (*_SEGWIT, *_BECH32))
_MONERO = {18: "xmr-standard", 42: "xmr-subaddress", 19: "xmr-integrated"}
_MONERO_LENGTHS = {"xmr-standard": 69, "xmr-subaddress": 69, "xmr-integrated": 77}
_EVM = re.compile(r"0[xX][0-9a-fA-F]{40}")
_HEXISH = re.compile(r"0[xX][0-9a-fA-F]*")
BARE_CASHADDR = f"^[qp][{CHARSET}]{{41}}$"
_BARE_CASH = re.compile(BARE_CASHADDR)
_CASH_COLON = CASH_PREFIX + ":"
STRIP = " \t\r\n\x0b\x0c"

Misses = list[tuple[str, str]]


def comparison_key(text: str) -> str:
    """The form two spellings of one address share (see the module docstring)."""
    s = text.strip(STRIP)
    if not s.isascii():
        return s
    low = s.lower()
    if low.startswith("0x"):
        return low
    if low.startswith(_CASH_COLON):
        body = s[len(_CASH_COLON) :]
        return low[len(_CASH_COLON) :] if body in (body.lower(), body.upper()) else s
    if s != low and s != s.upper():
        return s
    if low.startswith(BECH32_PREFIXES) or _BARE_CASH.match(low):
        return low
    return s


@lru_cache(maxsize=65536)
def eip55(address: str) -> str:
    """The EIP-55 mixed-case spelling of ``0x`` + 40 hex digits."""
    low = address[2:].lower()
    digest = keccak256(low.encode("ascii")).hex()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(low)
    )


def _base58(s: str, valid: list[str], misses: Misses) -> None:
    found = base58.decode_check(s)
    if found is not None:
        payload, ok = found
        name = _VERSIONS.get(payload[:-20]) if len(payload) in (21, 22) else None
        if name is not None:
            if ok:
                valid.append(name)
            else:
                misses.append((name, "checksum"))
            return
    raw = base58.decode(s)
    if raw is not None and len(raw) == 32 and 32 <= len(s) <= 44:
        valid.append("sol")


def _ripple(s: str, valid: list[str], misses: Misses) -> None:
    found = base58.decode_check(s, base58.RIPPLE)
    if found is not None and len(found[0]) == 21 and found[0][0] == 0:
        if found[1]:
            valid.append("xrp")
        else:
            misses.append(("xrp", "checksum"))


def _monero(s: str, valid: list[str], misses: Misses) -> None:
    raw = base58.decode_monero(s)
    if raw is None or not raw or raw[0] not in _MONERO:
        return
    name = _MONERO[raw[0]]
    if len(raw) != _MONERO_LENGTHS[name]:
        misses.append((name, "length"))
    elif keccak256(raw[:-4])[:4] != raw[-4:]:
        misses.append((name, "checksum"))
    else:
        valid.append(name)


def _bech32(low: str, s: str, valid: list[str], misses: Misses) -> None:
    hrp = low[: low.rfind("1")]
    if hrp in _SEGWIT:
        found = segwit_decode(hrp, s)
        name = _SEGWIT[hrp]
    else:
        name, size = _BECH32[hrp]
        found = bech32_decode(s)
        if found.ok:
            data = convert_bits(found.data, 5, 8, False)
            if found.spec != "bech32" or data is None or len(data) != size:
                misses.append((name, "checksum" if found.spec != "bech32" else "length"))
                return
    if found.ok:
        valid.append(name)
    else:
        misses.append((name, found.reason or "checksum"))


def _cashaddr(s: str, valid: list[str], misses: Misses) -> None:
    found = cashaddr_decode(s)
    if found.ok and found.version in (0, 1) and found.hrp == CASH_PREFIX:
        valid.append("bch-cashaddr")
    else:
        misses.append(("bch-cashaddr", found.reason or "type"))


def detect(s: str) -> tuple[list[str], Misses]:
    """Formats ``s`` is valid in, and ``(format, reason)`` near misses. ``s`` is stripped."""
    valid: list[str] = []
    misses: Misses = []
    low = s.lower()
    if low.startswith("0x"):
        if _EVM.fullmatch(s):
            valid.append("evm")
        else:
            digits = len(s) - 2 if _HEXISH.fullmatch(s) else -1
            misses.append(("evm", f"{digits} hex digits" if digits >= 0 else "characters"))
        return valid, misses
    if low.startswith(BECH32_PREFIXES):
        _bech32(low, s, valid, misses)
        return valid, misses
    cash: Misses = []
    if low.startswith(_CASH_COLON) or _BARE_CASH.match(low):
        _cashaddr(s, valid, cash)
        if valid or low.startswith(_CASH_COLON):
            return valid, cash
    if len(s) in (95, 106) and s[0] in "48":
        _monero(s, valid, misses)
    if s[0] == "r":
        _ripple(s, valid, misses)
    _base58(s, valid, misses)
    if not valid and not misses:
        misses = cash  # a bare q.../p... that is no base58 either: a cashaddr typo
    return valid, misses


def equivalent_keys(key: str, formats: list[str] | tuple[str, ...]) -> list[str]:
    """Other comparison keys of the same Bitcoin Cash destination (cashaddr <-> legacy)."""
    out = []
    if "bch-cashaddr" in formats:
        found = cashaddr_decode(key)
        if found.ok and found.version in (0, 1):
            out.append(base58.encode_check(bytes([5 * (found.version or 0)]) + found.data))
    for name, version in (("btc-p2pkh", 0), ("btc-p2sh", 1)):
        if name in formats:
            found_check = base58.decode_check(key)
            if found_check is not None:
                full = cashaddr_encode(version, found_check[0][1:])
                out.append(full[len(_CASH_COLON) :])
    return out


__all__ = [
    "BARE_CASHADDR",
    "BECH32_PREFIXES",
    "FORMATS",
    "STRIP",
    "comparison_key",
    "detect",
    "eip55",
    "equivalent_keys",
]
