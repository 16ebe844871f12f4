"""``HashIndex``: PDQ hashes with bank-entry ids, range search, tombstones and two index kinds.

Storage is one growable ``(capacity, 32)`` uint8 array with an int64 id and a live flag per
position. Search is exact in both kinds:

* ``flat`` (fewer than ``mih_threshold`` live hashes): FAISS's Hamming kernel scans them all;
* ``mih`` (from ``mih_threshold`` on, default 100,000, where it starts to win on one core):
  exact multi-index hashing tables (``multihash``) over positions ``[0, tables.size)``, plus a
  flat scan of the tail added since; the tail is merged once it passes ``tail_limit``.

Removal sets the live flag off at once (results are filtered at search time); ``compact()``
drops the dead positions and rebuilds, automatically once they pass ``compact_ratio``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cthub.content.index import persist
from cthub.content.index.codec import HASH_BYTES, Hashes, Ids, as_hashes, as_ids
from cthub.content.index.matches import Matches
from cthub.content.index.multihash import MultiHashTables
from cthub.content.index.scan import flat_range_search
from cthub.core.errors import Conflict, InvalidInput

MAX_POSITIONS = 2**31 - 1
DEFAULT_DISTANCE = 31


class HashIndex:
    """PDQ hashes keyed by int64 ids (bank entry row ids), searched by Hamming distance.

    Ids are unique among live entries; an id that was removed may be added again. Not safe for
    concurrent mutation: readers may share one index between writes.
    """

    def __init__(
        self,
        *,
        mih_threshold: int = 100_000,
        tail_limit: int = 32_768,
        compact_ratio: float | None = 0.25,
    ) -> None:
        self.mih_threshold = mih_threshold
        self.tail_limit = tail_limit
        self.compact_ratio = compact_ratio
        self.generation: int | str | None = None
        self._codes: Hashes = np.zeros((0, HASH_BYTES), dtype=np.uint8)
        self._ids: Ids = np.zeros(0, dtype=np.int64)
        self._live: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)
        self._n = 0
        self._dead = 0
        self._sorted_ids: Ids = np.zeros(0, dtype=np.int64)
        self._sorted_pos: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._tables: MultiHashTables | None = None

    @classmethod
    def build(cls, ids: Any, hashes: Any, **options: Any) -> HashIndex:
        """A new index holding ``hashes`` under ``ids`` (options as for the constructor)."""
        index = cls(**options)
        index.add(ids, hashes)
        return index

    # -- size and introspection -------------------------------------------------------------

    def __len__(self) -> int:
        return self._n - self._dead

    def __contains__(self, entry_id: object) -> bool:
        if not isinstance(entry_id, int | np.integer):
            return False
        at = int(np.searchsorted(self._sorted_ids, entry_id))
        return at < len(self._sorted_ids) and int(self._sorted_ids[at]) == int(entry_id)

    @property
    def kind(self) -> Literal["flat", "mih"]:
        return "flat" if self._tables is None else "mih"

    @property
    def tombstones(self) -> int:
        """Removed entries still taking space until the next ``compact()``."""
        return self._dead

    def memory_bytes(self) -> int:
        """Bytes held by the index's arrays (hashes, ids, flags, id lookup and MIH tables)."""
        arrays = (self._codes, self._ids, self._live, self._sorted_ids, self._sorted_pos)
        tables = self._tables.nbytes if self._tables is not None else 0
        return sum(a.nbytes for a in arrays) + tables

    def live(self) -> tuple[Ids, Hashes]:
        """Copies of the live ``(ids, hashes)``, in insertion order."""
        keep = self._live[: self._n]
        return self._ids[: self._n][keep].copy(), self._codes[: self._n][keep].copy()

    # -- mutation ---------------------------------------------------------------------------

    def add(self, ids: Any, hashes: Any) -> None:
        """Add ``hashes`` (``(n, 32)`` uint8) under ``ids``; searchable on return.

        Raises ``InvalidInput`` for malformed arrays or repeated ids, ``Conflict`` when an id
        is already live. Costs O(len(self)) for the id lookup, so add in batches.
        """
        codes = as_hashes(hashes)
        new_ids = as_ids(ids, len(codes))
        if not len(new_ids):
            return
        at = np.searchsorted(self._sorted_ids, new_ids)
        clash = at < len(self._sorted_ids)
        clash[clash] = self._sorted_ids[at[clash]] == new_ids[clash]
        if clash.any():
            raise Conflict("Id {id} is already in the hash index.", id=int(new_ids[clash][0]))
        if self._n + len(new_ids) > MAX_POSITIONS:
            raise InvalidInput("The hash index holds at most {limit} hashes.", limit=MAX_POSITIONS)
        start, end = self._n, self._n + len(new_ids)
        self._reserve(end)
        self._codes[start:end] = codes
        self._ids[start:end] = new_ids
        self._live[start:end] = True
        self._n = end
        order = np.argsort(new_ids, kind="stable")
        self._sorted_ids = np.insert(self._sorted_ids, at[order], new_ids[order])
        positions = np.arange(start, end, dtype=np.int32)[order]
        self._sorted_pos = np.insert(self._sorted_pos, at[order], positions)
        self._refresh_tables()

    def remove(self, ids: Any) -> int:
        """Tombstone the live entries with these ids, at once; unknown ids are ignored.

        Returns how many were removed. Compacts when tombstones pass ``compact_ratio``.
        """
        wanted = as_ids(np.unique(np.asarray(ids)))
        at = np.searchsorted(self._sorted_ids, wanted)
        hit = at < len(self._sorted_ids)
        hit[hit] = self._sorted_ids[at[hit]] == wanted[hit]
        where = at[hit]
        self._live[self._sorted_pos[where]] = False
        self._sorted_ids = np.delete(self._sorted_ids, where)
        self._sorted_pos = np.delete(self._sorted_pos, where)
        self._dead += len(where)
        if self.compact_ratio is not None and self._dead > self.compact_ratio * self._n:
            self.compact()
        return len(where)

    def compact(self) -> None:
        """Drop tombstoned positions and rebuild the id lookup and, if big enough, the tables."""
        ids, codes = self.live()
        self._codes, self._ids = codes, ids
        self._live = np.ones(len(ids), dtype=np.bool_)
        self._n, self._dead = len(ids), 0
        order = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[order]
        self._sorted_pos = order.astype(np.int32)
        self._tables = None
        self._refresh_tables()

    def _reserve(self, need: int) -> None:
        if need <= len(self._codes):
            return
        capacity = max(need, len(self._codes) * 3 // 2) if self._n else need
        codes = np.zeros((capacity, HASH_BYTES), dtype=np.uint8)
        ids = np.zeros(capacity, dtype=np.int64)
        live = np.zeros(capacity, dtype=np.bool_)
        codes[: self._n] = self._codes[: self._n]
        ids[: self._n] = self._ids[: self._n]
        live[: self._n] = self._live[: self._n]
        self._codes, self._ids, self._live = codes, ids, live

    def _refresh_tables(self) -> None:
        """Build MIH tables once big enough; merge the tail, or rebuild after doubling."""
        stored = self._codes[: self._n]
        if self._tables is None:
            if len(self) >= self.mih_threshold:
                self._tables = MultiHashTables(stored)
        elif self._n - self._tables.size > self.tail_limit:
            if self._n > 2 * self._tables.built_for:
                self._tables = MultiHashTables(stored)
            else:
                self._tables.extend(stored)

    # -- search -----------------------------------------------------------------------------

    def search(self, queries: Any, max_distance: int = DEFAULT_DISTANCE) -> Matches:
        """For each query row, every live ``(id, distance)`` with distance <= ``max_distance``.

        Exact (no match within the distance is missed) for every distance 0..256; wide
        distances fall back to a flat scan where probing would cost more.
        """
        if isinstance(max_distance, bool) or not isinstance(max_distance, int | np.integer):
            raise InvalidInput("max_distance must be an integer, got {value}", value=max_distance)
        distance = int(max_distance)
        if not 0 <= distance <= 256:
            raise InvalidInput(
                "max_distance must be between 0 and 256, got {value}", value=distance
            )
        q = as_hashes(queries, "queries")
        stored = self._codes[: self._n]
        parts: list[tuple[Ids, Ids, npt.NDArray[np.int32]]] = []
        scan_from = 0
        if self._tables is not None and self._tables.worthwhile(distance):
            parts.append(self._tables.search(stored, q, distance))
            scan_from = self._tables.size
        rows, found, dist = flat_range_search(stored[scan_from:], q, distance)
        parts.append((rows, found + scan_from, dist))
        rows = np.concatenate([p[0] for p in parts])
        found = np.concatenate([p[1] for p in parts])
        dist = np.concatenate([p[2] for p in parts])
        keep = self._live[found]
        return Matches.from_pairs(len(q), rows[keep], self._ids[found[keep]], dist[keep])

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | Path, generation: int | str = 0) -> persist.IndexStamp:
        """Write the live entries to ``path`` and its JSON stamp atomically (see ``persist``).

        ``generation`` is the caller's marker of what the index holds (a counter, or any string
        such as JSON of bank revisions); ``read_stamp`` / ``load`` give it back.
        """
        ids, codes = self.live()
        stamp = persist.write_index(Path(path), ids, codes, generation=generation)
        self.generation = generation
        return stamp

    @classmethod
    def load(
        cls, path: str | Path, *, expect_generation: int | str | None = None, **options: Any
    ) -> tuple[HashIndex, persist.IndexStamp]:
        """Read an index written by ``save``, with its stamp.

        Raises ``Unavailable`` naming the file when it or its stamp is missing, corrupt,
        truncated, or (with ``expect_generation``) of another generation: rebuild then.
        """
        ids, codes, stamp = persist.read_index(Path(path), expect_generation=expect_generation)
        index = cls.build(ids, codes, **options)
        index.generation = stamp.generation
        return index, stamp
