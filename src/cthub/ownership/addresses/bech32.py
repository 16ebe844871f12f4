"""Bech32 (BIP 173), bech32m (BIP 350), segwit witness-program rules, and Bitcoin Cash cashaddr.

All three write 5-bit groups in the same 32-character alphabet and are case-insensitive but
never mixed-case, so their comparison form is lower case.

* bech32 / bech32m: ``hrp 1 data checksum``; the checksum is a BCH code over the expanded
  human-readable part and the data, with constant 1 (bech32) or ``0x2bc830a3`` (bech32m).
* segwit (BIP 141/173/350): the first group is the witness version 0..16; version 0 must use
  bech32 and a 20- or 32-byte program, versions 1..16 bech32m and 2..40 bytes.
* cashaddr: ``prefix:payload``, a 40-bit checksum over the prefix's low 5 bits, a zero and the
  payload; the payload is a version byte (type 0 = P2PKH, 1 = P2SH; size bits) and the hash.
  The prefix (``bitcoincash``) may be left out, as wallets commonly do; prefix and payload
  are each one case but judged apart (``bitcoincash:QPM2...`` is read, as wallets write it).

Decoders return a ``Decoded`` result that says why a string failed (``reason``), never raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUES = {ch: i for i, ch in enumerate(CHARSET)}
BECH32, BECH32M = 1, 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_CASH_GENERATOR = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
CASH_PREFIX = "bitcoincash"


@dataclass(frozen=True)
class Decoded:
    """What a decoder found: the payload when valid, else the ``reason`` it is not."""

    hrp: str
    data: bytes = b""
    version: int | None = None  # witness version, or cashaddr type
    spec: str = ""  # "bech32", "bech32m" or "cashaddr"
    reason: str | None = None  # None: valid; "checksum" or another short reason

    @property
    def ok(self) -> bool:
        return self.reason is None


def _polymod(values: Sequence[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= _GENERATOR[i] if (top >> i) & 1 else 0
    return chk


def _expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def convert_bits(data: Sequence[int], from_bits: int, to_bits: int, pad: bool) -> bytes | None:
    """Regroup bits (5 -> 8 to decode); ``None`` on more than 4 padding bits or non-zero ones."""
    acc = bits = 0
    out = bytearray()
    top = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & top)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & top)
    elif bits >= from_bits or ((acc << (to_bits - bits)) & top):
        return None
    return bytes(out)


def bech32_decode(text: str) -> Decoded:
    """Split and verify a bech32 or bech32m string; data is the 5-bit groups (no checksum)."""
    if any(ord(ch) < 33 or ord(ch) > 126 for ch in text) or len(text) > 90:
        return Decoded("", reason="characters")
    if text.lower() != text and text.upper() != text:
        return Decoded("", reason="mixed case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        return Decoded("", reason="separator")
    hrp, rest = text[:pos], text[pos + 1 :]
    groups = [_VALUES.get(ch, -1) for ch in rest]
    if -1 in groups:
        return Decoded(hrp, reason="characters")
    constant = _polymod(_expand(hrp) + groups)
    spec = {BECH32: "bech32", BECH32M: "bech32m"}.get(constant)
    if spec is None:
        return Decoded(hrp, reason="checksum")
    return Decoded(hrp, bytes(groups[:-6]), spec=spec)


def segwit_decode(hrp: str, text: str) -> Decoded:
    """A segwit address for ``hrp`` (``bc``, ``ltc``, ``tb`` ...): version and program."""
    found = bech32_decode(text)
    if not found.ok:
        return found
    if found.hrp != hrp:
        return Decoded(found.hrp, reason="prefix")
    if not found.data:
        return Decoded(hrp, reason="empty")
    version = found.data[0]
    program = convert_bits(found.data[1:], 5, 8, False)
    if version > 16:
        return Decoded(hrp, version=version, reason="witness version")
    if program is None:
        return Decoded(hrp, version=version, reason="padding")
    if not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        return Decoded(hrp, version=version, reason="program length")
    if found.spec != ("bech32" if version == 0 else "bech32m"):
        return Decoded(hrp, version=version, reason="checksum")  # wrong constant for version
    return Decoded(hrp, program, version, found.spec)


def bech32_encode(hrp: str, groups: Sequence[int], spec: str = "bech32") -> str:
    constant = BECH32 if spec == "bech32" else BECH32M
    values = _expand(hrp) + list(groups)
    mod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ constant
    check = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in [*groups, *check])


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    groups = convert_bits(program, 8, 5, True) or b""
    return bech32_encode(hrp, [version, *groups], "bech32" if version == 0 else "bech32m")


def _cash_polymod(values: Sequence[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 35
        chk = ((chk & 0x07FFFFFFFF) << 5) ^ value
        for i in range(5):
            chk ^= _CASH_GENERATOR[i] if (top >> i) & 1 else 0
    return chk ^ 1


def _one_case(text: str) -> bool:
    return text in (text.lower(), text.upper())


def _cash_split(text: str, default_prefix: str) -> tuple[str, list[int]] | None:
    """``(prefix, 5-bit groups)``; prefix and payload are each one case (judged apart)."""
    prefix, sep, payload = text.rpartition(":")
    if not (_one_case(prefix) and _one_case(payload)):
        return None
    prefix = prefix.lower() if sep else default_prefix
    groups = [_VALUES.get(ch, -1) for ch in payload.lower()]
    if not prefix or len(groups) < 8 or -1 in groups:
        return None
    return prefix, groups


def cashaddr_verify(text: str, default_prefix: str = CASH_PREFIX) -> bool:
    """Whether the cashaddr checksum of ``text`` holds (any prefix, any payload)."""
    split = _cash_split(text, default_prefix)
    if split is None:
        return False
    prefix, groups = split
    return not _cash_polymod([ord(ch) & 31 for ch in prefix] + [0] + groups)


def cashaddr_decode(text: str, default_prefix: str = CASH_PREFIX) -> Decoded:
    """A cashaddr with or without its prefix: type (0 P2PKH, 1 P2SH) and the hash."""
    split = _cash_split(text, default_prefix)
    if split is None:
        prefix, _, payload = text.rpartition(":")
        mixed = not (_one_case(prefix) and _one_case(payload))
        return Decoded("", reason="mixed case" if mixed else "characters")
    prefix, groups = split
    if _cash_polymod([ord(ch) & 31 for ch in prefix] + [0] + groups):
        return Decoded(prefix, reason="checksum")
    data = convert_bits(groups[:-8], 5, 8, False)
    if not data:
        return Decoded(prefix, reason="padding")
    version, body = data[0], data[1:]
    sizes = (20, 24, 28, 32, 40, 48, 56, 64)
    if version & 0x80 or len(body) != sizes[version & 7]:
        return Decoded(prefix, reason="hash size")
    return Decoded(prefix, body, version >> 3, "cashaddr")


def cashaddr_encode(kind: int, body: bytes, prefix: str = CASH_PREFIX) -> str:
    """``prefix:payload`` for a 20-byte hash of type ``kind`` (0 P2PKH, 1 P2SH)."""
    groups = list(convert_bits(bytes([kind << 3]) + body, 8, 5, True) or b"")
    mod = _cash_polymod([ord(ch) & 31 for ch in prefix] + [0] + groups + [0] * 8)
    check = [(mod >> 5 * (7 - i)) & 31 for i in range(8)]
    return prefix + ":" + "".join(CHARSET[d] for d in groups + check)


__all__ = [
    "CASH_PREFIX",
    "CHARSET",
    "Decoded",
    "bech32_decode",
    "bech32_encode",
    "cashaddr_decode",
    "cashaddr_encode",
    "cashaddr_verify",
    "convert_bits",
    "segwit_decode",
    "segwit_encode",
]
