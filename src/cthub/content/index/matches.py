"""The result of one batch search: for each query, every ``(id, distance)`` within reach."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cthub.content.index.codec import Ids


@dataclass(frozen=True)
class Matches:
    """Matches of query ``i`` are ``ids[lims[i]:lims[i + 1]]`` with their ``distances``.

    Within a query they are sorted by distance, then id. ``len()`` is the number of queries;
    indexing gives one query's ``[(id, distance), ...]`` as Python ints, so a caller can apply
    per-bank thresholds (``distance <= bank.threshold``) after one search at the widest one.
    """

    lims: Ids
    ids: Ids
    distances: npt.NDArray[np.int32]

    @classmethod
    def from_pairs(cls, nq: int, rows: Ids, ids: Ids, distances: npt.NDArray[np.int32]) -> Matches:
        """Sort unordered ``(query row, id, distance)`` triples into per-query runs."""
        order = np.lexsort((ids, distances, rows))
        counts = np.bincount(rows, minlength=nq).astype(np.int64)
        lims = np.zeros(nq + 1, dtype=np.int64)
        np.cumsum(counts, out=lims[1:])
        return cls(lims=lims, ids=ids[order], distances=distances[order].astype(np.int32))

    def __len__(self) -> int:
        return len(self.lims) - 1

    def __getitem__(self, query: int) -> list[tuple[int, int]]:
        begin, end = int(self.lims[query]), int(self.lims[query + 1])
        return list(
            zip(self.ids[begin:end].tolist(), self.distances[begin:end].tolist(), strict=True)
        )

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for query in range(len(self)):
            yield self[query]

    @property
    def total(self) -> int:
        """How many (query, id) matches there are in all."""
        return int(self.lims[-1])

    def query_rows(self) -> Ids:
        """The query row of each match, aligned with ``ids`` and ``distances``."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.lims))
