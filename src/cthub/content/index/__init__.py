"""The PDQ hash index of ``cthub.content``: exact Hamming range search over bank entries.

Public API (re-exported here): ``HashIndex`` (build / add / remove / search / save / load),
``Matches`` (per-query ``(id, distance)`` lists), ``IndexStamp`` and ``read_stamp`` (is a saved
index stale?), ``hashes_from_hex`` / ``hashes_to_hex`` (vectorised conversion), and the
synthetic ``random_hashes`` / ``near_duplicates`` used by tests and benchmarks.
"""

from __future__ import annotations

from cthub.content.index.codec import (
    HASH_BITS,
    HASH_BYTES,
    Hashes,
    Ids,
    as_hashes,
    hashes_from_hex,
    hashes_to_hex,
)
from cthub.content.index.hashindex import DEFAULT_DISTANCE, HashIndex
from cthub.content.index.matches import Matches
from cthub.content.index.persist import IndexStamp, read_stamp, sidecar_path
from cthub.content.index.samples import near_duplicates, random_hashes

#: Alias of ``hashes_from_hex``, the name ``cthub.content.matcher`` first used.
hex_to_bits = hashes_from_hex

__all__ = [
    "DEFAULT_DISTANCE",
    "HASH_BITS",
    "HASH_BYTES",
    "HashIndex",
    "Hashes",
    "Ids",
    "IndexStamp",
    "Matches",
    "as_hashes",
    "hashes_from_hex",
    "hashes_to_hex",
    "hex_to_bits",
    "near_duplicates",
    "random_hashes",
    "read_stamp",
    "sidecar_path",
]
