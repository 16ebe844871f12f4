"""Synthetic PDQ-like hashes and near-duplicates, for tests, benchmarks and demos.

Real PDQ hashes threshold DCT coefficients at their median, so about half their bits are set
and bits are close to independent across unrelated images; uniform random bits model that.
A near-duplicate flips ``k`` distinct random bits of a stored hash, ``k`` uniform in
``[min_flips, max_flips]``, like a re-encoded or lightly edited copy. Real corpora are more
clustered (near-identical images, blank frames), which fills some MIH buckets more than here.
"""

from __future__ import annotations

import numpy as np

from cthub.content.index.codec import HASH_BITS, HASH_BYTES, Hashes, Ids
from cthub.core.errors import InvalidInput

_CHUNK = 65_536


def random_hashes(n: int, rng: np.random.Generator) -> Hashes:
    """``n`` uniform random 256-bit hashes as a ``(n, 32)`` uint8 array."""
    return rng.integers(0, 256, size=(n, HASH_BYTES), dtype=np.uint8)


def near_duplicates(
    hashes: Hashes, rng: np.random.Generator, *, max_flips: int = 31, min_flips: int = 0
) -> tuple[Hashes, Ids]:
    """Each row of ``hashes`` with ``k`` distinct random bits flipped; returns ``(rows, k)``.

    ``k`` is drawn uniformly from ``[min_flips, max_flips]`` per row, so the Hamming distance
    from the source row is exactly ``k``.
    """
    if not 0 <= min_flips <= max_flips <= HASH_BITS:
        raise InvalidInput(
            "Bit flips must satisfy 0 <= {low} <= {high} <= 256.", low=min_flips, high=max_flips
        )
    out = np.array(hashes, dtype=np.uint8, copy=True)
    flips = rng.integers(min_flips, max_flips + 1, size=len(out), dtype=np.int64)
    for begin in range(0, len(out), _CHUNK):
        k = flips[begin : begin + _CHUNK]
        rows = len(k)
        # The first k columns of a random permutation of the 256 bit positions, per row.
        bits = np.argsort(rng.random((rows, HASH_BITS)), axis=1)[:, :max_flips]
        take = np.arange(max_flips)[None, :] < k[:, None]
        mask = np.zeros((rows, HASH_BITS), dtype=np.bool_)
        mask[np.nonzero(take)[0], bits[take]] = True
        out[begin : begin + rows] ^= np.packbits(mask, axis=1)
    return out, flips
