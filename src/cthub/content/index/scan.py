"""Exact flat range search: FAISS's Hamming kernel over a slice of the caller's hash array.

``faiss.hamming_range_search`` is the kernel behind ``IndexBinaryFlat.range_search``; calling it
on our own contiguous array lets the flat kind, the unmerged tail of the MIH kind and wide
searches share one copy of the hashes, with no FAISS index object to keep in step. It honours
``faiss.omp_set_num_threads`` like every FAISS call; this module sets no thread count.
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

from cthub.content.index.codec import HASH_BYTES, Hashes

Positions = npt.NDArray[np.int64]


def flat_range_search(
    stored: Hashes, queries: Hashes, max_distance: int
) -> tuple[Positions, Positions, npt.NDArray[np.int32]]:
    """Every ``(query row, row of stored, distance)`` with distance <= ``max_distance``.

    ``stored`` and ``queries`` must be C-contiguous ``(n, 32)`` uint8 arrays (a row slice of a
    contiguous array is). Rows come back in query order, unordered within a query.
    """
    nq, nb = len(queries), len(stored)
    if not nq or not nb:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int32)
    result = faiss.RangeSearchResult(nq)
    # The kernel keeps distances strictly below the radius, hence the + 1.
    faiss.hamming_range_search(  # type: ignore[attr-defined]
        faiss.swig_ptr(queries),
        faiss.swig_ptr(stored),
        nq,
        nb,
        max_distance + 1,
        HASH_BYTES,
        result,
    )
    lims = faiss.rev_swig_ptr(result.lims, nq + 1).astype(np.int64)
    total = int(lims[-1])
    rows = np.repeat(np.arange(nq, dtype=np.int64), np.diff(lims))
    found = faiss.rev_swig_ptr(result.labels, total).astype(np.int64)
    dist = faiss.rev_swig_ptr(result.distances, total).astype(np.int32)
    return rows, found, dist
