"""Base58 in its three address dialects: Bitcoin's, Ripple's and Monero's block encoding.

* Bitcoin (and every fork, TRON, Zcash, Solana) uses the alphabet without ``0 O I l``; a
  leading ``1`` stands for a leading zero byte. Base58Check appends the first four bytes of
  SHA-256(SHA-256(payload)).
* Ripple uses the same scheme with its own alphabet (``r`` encodes zero, so every classic
  address starts with ``r``) and the same double-SHA-256 checksum.
* Monero cuts the bytes into 8-byte blocks, each encoded as exactly 11 characters (a shorter
  last block in fewer), so the text length fixes the byte length.

Decoders return ``None`` for text that is not in the dialect; they never raise. Inputs are
bounded by the caller (an address is at most a few hundred characters).
"""

from __future__ import annotations

import hashlib

BITCOIN = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_VALUES = {alphabet: {ch: i for i, ch in enumerate(alphabet)} for alphabet in (BITCOIN, RIPPLE)}
#: Monero: characters needed for a block of n bytes, n = 0..8
_MONERO_SIZES = (0, 2, 3, 5, 6, 7, 9, 10, 11)
_MONERO_BYTES = {chars: n for n, chars in enumerate(_MONERO_SIZES)}


def checksum(payload: bytes) -> bytes:
    """The Base58Check checksum: the first four bytes of SHA-256(SHA-256(payload))."""
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def decode(text: str, alphabet: str = BITCOIN) -> bytes | None:
    """The bytes ``text`` encodes, or ``None`` when a character is not in the alphabet."""
    values = _VALUES[alphabet]
    number = 0
    for ch in text:
        value = values.get(ch)
        if value is None:
            return None
        number = number * 58 + value
    zero = alphabet[0]
    leading = len(text) - len(text.lstrip(zero))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * leading + body


def encode(data: bytes, alphabet: str = BITCOIN) -> str:
    """``data`` in base58 (used to build test vectors and legacy forms of cashaddr)."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(alphabet[rest])
    leading = len(data) - len(data.lstrip(b"\x00"))
    return alphabet[0] * leading + "".join(reversed(out))


def decode_check(text: str, alphabet: str = BITCOIN) -> tuple[bytes, bool] | None:
    """``(payload, checksum_ok)`` for a Base58Check string, ``None`` if not base58 at all."""
    raw = decode(text, alphabet)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    return payload, checksum(payload) == check


def encode_check(payload: bytes, alphabet: str = BITCOIN) -> str:
    return encode(payload + checksum(payload), alphabet)


def decode_monero(text: str) -> bytes | None:
    """The bytes of a Monero base58 string, ``None`` if a block is malformed or overflows."""
    values = _VALUES[BITCOIN]
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        size = _MONERO_BYTES.get(len(block))
        if size is None:
            return None
        number = 0
        for ch in block:
            value = values.get(ch)
            if value is None:
                return None
            number = number * 58 + value
        if number >> (8 * size):
            return None
        out += number.to_bytes(size, "big")
    return bytes(out)


def encode_monero(data: bytes) -> str:
    out = []
    for start in range(0, len(data), 8):
        block = data[start : start + 8]
        number, chars = int.from_bytes(block, "big"), []
        for _ in range(_MONERO_SIZES[len(block)]):
            number, rest = divmod(number, 58)
            chars.append(BITCOIN[rest])
        out.append("".join(reversed(chars)))
    return "".join(out)


__all__ = [
    "BITCOIN",
    "RIPPLE",
    "checksum",
    "decode",
    "decode_check",
    "decode_monero",
    "encode",
    "encode_check",
    "encode_monero",
]
