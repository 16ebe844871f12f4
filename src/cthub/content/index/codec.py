"""PDQ hashes as numpy arrays: hex conversion and input validation.

A PDQ hash is 256 bits. In the index it is one row of a ``uint8`` array of shape ``(n, 32)``,
with the bytes in the order of its 64-character hex string (``bytes.fromhex``), so Hamming
distance between two rows is the PDQ distance. Conversion is vectorised: one ``str.join`` and one
``bytes.fromhex`` for the whole batch; the slow per-line scan runs only to name the bad line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from cthub.core.errors import InvalidInput

HASH_BITS = 256
HASH_BYTES = HASH_BITS // 8
HEX_CHARS = HASH_BYTES * 2
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

Hashes = npt.NDArray[np.uint8]
Ids = npt.NDArray[np.int64]


def hashes_from_hex(hexes: Sequence[str]) -> Hashes:
    """Parse 64-character hex strings (either case) into a ``(n, 32)`` uint8 array.

    Raises ``InvalidInput`` naming the first bad entry by 1-based ``line`` and its ``value``
    when an entry is not exactly 64 hexadecimal digits (whitespace included counts as bad).
    """
    n = len(hexes)
    if n == 0:
        return np.zeros((0, HASH_BYTES), dtype=np.uint8)
    try:
        same_length = set(map(len, hexes)) == {HEX_CHARS}
        raw = bytearray.fromhex("".join(hexes)) if same_length else bytearray()
    except (TypeError, ValueError):
        raw = bytearray()
    if len(raw) != n * HASH_BYTES:  # whitespace inside an entry parses to fewer bytes
        _raise_first_bad(hexes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(n, HASH_BYTES)


def _raise_first_bad(hexes: Sequence[str]) -> NoReturn:
    for line, value in enumerate(hexes, start=1):
        if (
            not isinstance(value, str)
            or len(value) != HEX_CHARS
            or not _HEX_DIGITS.issuperset(value)
        ):
            raise InvalidInput(
                "PDQ hash on line {line} is not 64 hexadecimal digits: {value}",
                hint="A PDQ hash is 256 bits written as 64 characters 0-9 and a-f.",
                line=line,
                value=_shown(value),
            )
    raise InvalidInput("The PDQ hashes could not be parsed.")  # pragma: no cover - defensive


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def hashes_to_hex(hashes: Hashes) -> list[str]:
    """Lower-case 64-character hex strings, one per row of a ``(n, 32)`` uint8 array."""
    arr = as_hashes(hashes)
    text = arr.tobytes().hex()
    return [text[i : i + HEX_CHARS] for i in range(0, len(text), HEX_CHARS)]


def as_hashes(hashes: Any, name: str = "hashes") -> Hashes:
    """``hashes`` as a C-contiguous ``(n, 32)`` uint8 array (no copy when it already is one).

    Raises ``InvalidInput`` naming ``name`` for any other dtype or shape, so a caller that passes
    hex strings or a flat byte array learns what went wrong instead of getting wrong distances.
    """
    arr = np.asarray(hashes)
    if arr.dtype != np.uint8 or arr.ndim != 2 or arr.shape[1] != HASH_BYTES:
        raise InvalidInput(
            "{name} must be a uint8 array of shape (n, 32), got {dtype} of shape {shape}",
            hint="Convert hex strings with hashes_from_hex().",
            name=name,
            dtype=str(arr.dtype),
            shape=str(arr.shape),
        )
    return np.ascontiguousarray(arr)


def as_ids(ids: Any, count: int | None = None) -> Ids:
    """``ids`` as a 1-d int64 array, of length ``count`` when given, with no repeated id."""
    arr = np.asarray(ids)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise InvalidInput(
            "ids must be a 1-d array of integers, got {dtype} of shape {shape}",
            dtype=str(arr.dtype),
            shape=str(arr.shape),
        )
    out = arr.astype(np.int64, copy=False)
    if count is not None and out.shape[0] != count:
        raise InvalidInput(
            "Got {ids} ids for {hashes} hashes; they must pair one to one.",
            ids=out.shape[0],
            hashes=count,
        )
    if out.size > 1:
        ordered = np.sort(out)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if repeated.size:
            raise InvalidInput("Id {id} is given more than once.", id=int(repeated[0]))
    return out
