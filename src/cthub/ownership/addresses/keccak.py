"""Keccak-256, the hash Ethereum (EIP-55 checksums) and Monero (address checksums) use.

It is not ``hashlib.sha3_256``: FIPS 202 changed the padding byte from ``0x01`` to ``0x06``, so
the two give different digests for the same input. The standard library has no Keccak, and the
inputs here are short (an address is one 136-byte block), so a plain implementation of the
Keccak-f[1600] permutation is fast enough (tens of microseconds per address) and needs no
dependency.
"""

from __future__ import annotations

_RATE = 136  # bytes: 1600 - 2 * 256 bits of capacity
_MASK = (1 << 64) - 1
_ROUNDS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
#: rotation offset of lane (x, y), indexed x + 5 * y
_ROTATIONS = (
    0, 1, 62, 28, 27,
    36, 44, 6, 55, 20,
    3, 10, 43, 25, 39,
    41, 45, 15, 21, 8,
    18, 2, 61, 56, 14,
)  # fmt: skip
#: for the rho-pi step: where lane i goes, B[y, 2x + 3y] = rot(A[x, y])
_TARGETS = tuple(((i // 5) + 5 * ((2 * (i % 5) + 3 * (i // 5)) % 5)) for i in range(25))


#: per lane i: (rho-pi target, rotation), then chi's two neighbours in the same row
_MOVES = tuple(zip(_TARGETS, _ROTATIONS, strict=True))
_NEXT = tuple(5 * (i // 5) + (i + 1) % 5 for i in range(25))
_AFTER = tuple(5 * (i // 5) + (i + 2) % 5 for i in range(25))


def _permute(a: list[int]) -> None:
    m = _MASK
    for rc in _ROUNDS:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[x - 1] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & m) for x in range(5)]
        b = [0] * 25
        for i, (target, r) in enumerate(_MOVES):
            v = a[i] ^ d[i % 5]
            b[target] = ((v << r) | (v >> (64 - r))) & m if r else v
        a[:] = [b[i] ^ (~b[_NEXT[i]] & b[_AFTER[i]]) for i in range(25)]
        a[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of ``data`` (original Keccak padding, as Ethereum uses)."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), _RATE):
        block = padded[start : start + _RATE]
        for i in range(_RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


__all__ = ["keccak256"]
