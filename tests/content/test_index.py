"""The PDQ hash index: exact results against a numpy brute force for both kinds, tombstones,
incremental adds across the MIH tail and merges, persistence and its failure modes, hex input.

Data is uniform random 256-bit hashes with planted near-duplicates (0-40 flipped bits), built
with ``cthub.content.index.samples`` from fixed seeds; every search is compared with a full
XOR + popcount scan, so "exact" is checked, not assumed. Sizes stay small (tens of thousands)
so the module runs in a few seconds; the benchmark measures the large sizes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from cthub.content.index import (
    Hashes,
    HashIndex,
    Ids,
    Matches,
    hashes_from_hex,
    hashes_to_hex,
    near_duplicates,
    random_hashes,
    read_stamp,
    sidecar_path,
)
from cthub.content.index.multihash import MultiHashTables
from cthub.core.errors import Conflict, InvalidInput, Unavailable

Triples = set[tuple[int, int, int]]


def brute_force(ids: Ids, stored: Hashes, queries: Hashes, max_distance: int) -> Triples:
    """Every (query row, id, distance) within ``max_distance``, by a full scan."""
    words = stored.view(np.uint64)
    out: Triples = set()
    for row, query in enumerate(queries.view(np.uint64)):
        dist = np.bitwise_count(words ^ query).sum(axis=1)
        for at in np.nonzero(dist <= max_distance)[0]:
            out.add((row, int(ids[at]), int(dist[at])))
    return out


def triples(found: Matches) -> Triples:
    rows = found.query_rows().tolist()
    return set(zip(rows, found.ids.tolist(), found.distances.tolist(), strict=True))


def corpus(n: int, seed: int) -> tuple[Ids, Hashes, Hashes]:
    """``n`` hashes with ids ``10 * i + 7``, and queries: half near-duplicates, half random."""
    rng = np.random.default_rng(seed)
    stored = random_hashes(n, rng)
    ids = np.arange(n, dtype=np.int64) * 10 + 7
    near, _flips = near_duplicates(stored[rng.integers(0, n, 150)], rng, max_flips=40)
    queries = np.vstack([near, random_hashes(150, rng)])
    return ids, stored, queries


@pytest.fixture(scope="module")
def data() -> tuple[Ids, Hashes, Hashes]:
    return corpus(30_000, seed=1)


KINDS = {"flat": {"mih_threshold": 10**9}, "mih": {"mih_threshold": 1}}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("max_distance", [0, 8, 31, 32, 40])
def test_search_equals_brute_force(
    data: tuple[Ids, Hashes, Hashes], kind: str, max_distance: int
) -> None:
    ids, stored, queries = data
    index = HashIndex.build(ids, stored, **KINDS[kind])
    assert index.kind == kind
    found = index.search(queries, max_distance)
    expected = brute_force(ids, stored, queries, max_distance)
    # Recall and precision both 1.0: MIH with 11 windows is exact by the pigeonhole argument.
    assert triples(found) == expected
    assert len(expected) >= (max_distance + 1) * 150 // 41 // 2  # planted ones are in reach


def test_mih_recall_on_near_duplicates_up_to_31_flips() -> None:
    """Recall of the MIH kind against the exact flat kind at PDQ's threshold: measured 1.0."""
    ids, stored, _ = corpus(20_000, seed=2)
    rng = np.random.default_rng(3)
    near, flips = near_duplicates(stored[:400], rng, max_flips=31)
    flat = triples(HashIndex.build(ids, stored, mih_threshold=10**9).search(near, 31))
    mih = triples(HashIndex.build(ids, stored, mih_threshold=1).search(near, 31))
    recall = len(mih & flat) / len(flat)
    assert recall >= 1.0
    assert mih == flat
    assert {(row, int(ids[row]), int(flips[row])) for row in range(400)} <= mih


@pytest.mark.parametrize("max_distance", [21, 40, 45])
def test_mih_tables_exact_beyond_two_flips_a_window(
    data: tuple[Ids, Hashes, Hashes], max_distance: int
) -> None:
    """Probing with 3-4 flips a window (used at 10 M where it beats a scan) is exact too."""
    ids, stored, queries = data
    tables = MultiHashTables(stored[:10_000])
    rows, found, dist = tables.search(stored, queries[:100], max_distance)
    got = set(zip(rows.tolist(), ids[found].tolist(), dist.tolist(), strict=True))
    assert got == brute_force(ids[:10_000], stored[:10_000], queries[:100], max_distance)
    assert tables.worthwhile(32)
    assert not tables.worthwhile(64)  # a flat scan is cheaper: HashIndex falls back to it


def test_matches_sorted_by_distance_then_id() -> None:
    rng = np.random.default_rng(4)
    base = random_hashes(1, rng)
    variants = np.vstack([base] * 3 + [near_duplicates(base, rng, min_flips=5, max_flips=5)[0]])
    index = HashIndex.build([30, 10, 20, 5], variants)
    found = index.search(np.vstack([base, random_hashes(1, rng)]), 31)
    assert len(found) == 2
    assert found[0] == [(10, 0), (20, 0), (30, 0), (5, 5)]
    assert found[1] == []
    assert list(found) == [found[0], found[1]]
    assert found.total == 4


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_remove_takes_effect_at_once_and_ids_can_return(
    data: tuple[Ids, Hashes, Hashes], kind: str
) -> None:
    ids, stored, queries = data
    index = HashIndex.build(ids, stored, compact_ratio=None, **KINDS[kind])
    before = index.search(queries, 31)
    gone = np.unique(before.ids)[:20]
    assert index.remove(gone) == len(gone)
    assert index.remove(gone) == 0  # already gone: ignored
    assert index.remove([123_456_789]) == 0
    assert len(index) == len(ids) - len(gone)
    assert index.tombstones == len(gone)
    assert int(gone[0]) not in index
    assert int(ids[1]) in index
    after = index.search(queries, 31)
    assert not set(after.ids.tolist()) & set(gone.tolist())
    assert triples(after) == {t for t in triples(before) if t[1] not in set(gone.tolist())}
    keep = ~np.isin(ids, gone)
    index.compact()
    assert index.tombstones == 0
    assert index.kind == kind
    assert triples(index.search(queries, 31)) == brute_force(ids[keep], stored[keep], queries, 31)
    back = np.isin(ids, gone[:5])
    index.add(ids[back], stored[back])
    assert triples(index.search(queries, 31)) == triples(before) - {
        t for t in triples(before) if t[1] in set(gone[5:].tolist())
    }


def test_automatic_compaction_and_kind_follow_size(data: tuple[Ids, Hashes, Hashes]) -> None:
    ids, stored, queries = data
    index = HashIndex.build(ids[:5_000], stored[:5_000], mih_threshold=10_000, compact_ratio=0.3)
    assert index.kind == "flat"
    index.add(ids[5_000:], stored[5_000:])
    assert index.kind == "mih"
    index.remove(ids[:25_000])  # over 30 % dead: compacts, and 5,000 left is below the bar
    assert index.tombstones == 0
    assert len(index) == 5_000
    assert index.kind == "flat"
    expected = brute_force(ids[25_000:], stored[25_000:], queries, 31)
    assert triples(index.search(queries, 31)) == expected


def test_mih_tail_merge_and_rebuild_stay_exact(data: tuple[Ids, Hashes, Hashes]) -> None:
    ids, stored, queries = data
    index = HashIndex.build(ids[:8_000], stored[:8_000], mih_threshold=1, tail_limit=1_000)
    for end in (8_500, 10_000, 17_000, 30_000):  # tail scan, merge, rebuild (doubled), merge
        start = len(index)
        index.add(ids[start:end], stored[start:end])
        expected = brute_force(ids[:end], stored[:end], queries, 32)
        assert triples(index.search(queries, 32)) == expected, end
    assert index.kind == "mih"
    assert len(index) == 30_000


def test_add_rejects_bad_input(data: tuple[Ids, Hashes, Hashes]) -> None:
    ids, stored, _ = data
    index = HashIndex.build(ids[:10], stored[:10])
    with pytest.raises(Conflict) as live:
        index.add(ids[5:6], stored[5:6])
    assert live.value.params["id"] == int(ids[5])
    with pytest.raises(InvalidInput, match="more than once"):
        index.add([1, 1], stored[:2])
    with pytest.raises(InvalidInput, match="pair one to one"):
        index.add([1, 2, 3], stored[:2])
    with pytest.raises(InvalidInput, match="shape"):
        index.add([1], stored[:1].reshape(-1))
    with pytest.raises(InvalidInput, match="uint8"):
        index.add([1], stored[:1].astype(np.int16))
    with pytest.raises(InvalidInput, match="integers"):
        index.add(np.array([1.5]), stored[:1])
    assert len(index) == 10
    index.add([], np.zeros((0, 32), dtype=np.uint8))
    assert len(index) == 10


@pytest.mark.parametrize("bad", [-1, 257, True, 3.0, "31"])
def test_search_rejects_bad_distance(bad: object) -> None:
    index = HashIndex.build([1], np.zeros((1, 32), dtype=np.uint8))
    with pytest.raises(InvalidInput, match="max_distance"):
        index.search(np.zeros((1, 32), dtype=np.uint8), bad)  # type: ignore[arg-type]


def test_empty_index_and_empty_queries() -> None:
    index = HashIndex()
    assert len(index) == 0
    assert index.kind == "flat"
    found = index.search(np.zeros((3, 32), dtype=np.uint8), 64)
    assert list(found) == [[], [], []]
    assert len(index.search(np.zeros((0, 32), dtype=np.uint8))) == 0


def test_memory_estimate_counts_tables(data: tuple[Ids, Hashes, Hashes]) -> None:
    ids, stored, _ = data
    flat = HashIndex.build(ids, stored, mih_threshold=10**9)
    mih = HashIndex.build(ids, stored, mih_threshold=1)
    assert flat.memory_bytes() >= stored.nbytes + ids.nbytes
    assert mih.memory_bytes() > flat.memory_bytes() + 11 * 4 * len(ids)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_save_load_round_trip(tmp_path: Path, data: tuple[Ids, Hashes, Hashes], kind: str) -> None:
    ids, stored, queries = data
    index = HashIndex.build(ids, stored, **KINDS[kind])
    index.remove(ids[:100])
    path = tmp_path / "pdq.index"
    stamp = index.save(path, '{"1": 7}')
    assert stamp == read_stamp(path)
    assert stamp.count == len(ids) - 100
    assert json.loads(sidecar_path(path).read_text())["generation"] == '{"1": 7}'
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    loaded, got = HashIndex.load(path, expect_generation='{"1": 7}', **KINDS[kind])
    assert got == stamp
    assert loaded.generation == '{"1": 7}'
    assert loaded.kind == kind
    assert len(loaded) == len(index)
    assert loaded.tombstones == 0
    assert triples(loaded.search(queries, 31)) == triples(index.search(queries, 31))
    HashIndex().save(tmp_path / "empty.index", 0)
    empty, _ = HashIndex.load(tmp_path / "empty.index")
    assert len(empty) == 0


def test_load_refuses_stale_missing_and_corrupt_files(tmp_path: Path) -> None:
    ids, stored, _ = corpus(2_000, seed=5)
    path = tmp_path / "pdq.index"
    HashIndex.build(ids, stored).save(path, 3)

    def refused(reason: str) -> None:
        with pytest.raises(Unavailable, match=reason) as caught:
            HashIndex.load(path, expect_generation=3)
        assert caught.value.params["path"] == str(path)
        assert caught.value.hint is not None
        assert "Rebuild" in caught.value.hint

    with pytest.raises(Unavailable, match="stale"):
        HashIndex.load(path, expect_generation=4)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    refused("truncated")
    path.write_bytes(good[:100] + bytes([good[100] ^ 0xFF]) + good[101:])
    refused("SHA-256")
    # A damaged file whose stamp was rewritten to match: FAISS's own reader must refuse it.
    path.write_bytes(good[: len(good) // 2])
    side = json.loads(sidecar_path(path).read_text())
    side.update(bytes=len(good) // 2, sha256=hashlib.sha256(good[: len(good) // 2]).hexdigest())
    sidecar_path(path).write_text(json.dumps(side))
    refused("FAISS cannot read it")
    sidecar_path(path).write_text("{not json")
    refused("unreadable")
    sidecar_path(path).unlink()
    refused("missing")


def test_hex_round_trip_and_case() -> None:
    hashes = random_hashes(1_000, np.random.default_rng(6))
    hexes = hashes_to_hex(hashes)
    assert all(len(h) == 64 for h in hexes)
    assert hexes[0] == hashes[0].tobytes().hex()
    assert np.array_equal(hashes_from_hex(hexes), hashes)
    assert np.array_equal(hashes_from_hex([h.upper() for h in hexes]), hashes)
    assert hashes_from_hex([]).shape == (0, 32)
    parsed = hashes_from_hex(hexes[:2])
    parsed[0, 0] ^= 1  # writable, not a view of an immutable buffer


@pytest.mark.parametrize(
    ("entry", "line"),
    [("ab" * 31, 2), ("ab" * 33, 2), ("zz" + "ab" * 31, 2), ("ab" * 31 + " a", 2), ("", 2)],
)
def test_hex_errors_name_the_line_and_value(entry: str, line: int) -> None:
    good = "0f" * 32
    with pytest.raises(InvalidInput, match=f"line {line}") as caught:
        hashes_from_hex([good, entry, good])
    assert caught.value.params == {"line": line, "value": entry}


def test_hex_error_lengths_that_cancel_out_are_still_caught() -> None:
    with pytest.raises(InvalidInput, match="line 1"):
        hashes_from_hex(["ab" * 31 + "a", "ab" * 32 + "a"])  # 63 + 65 characters


def test_near_duplicates_flip_exactly_k_bits() -> None:
    rng = np.random.default_rng(7)
    stored = random_hashes(500, rng)
    near, flips = near_duplicates(stored, rng, min_flips=3, max_flips=31)
    dist = np.bitwise_count(stored.view(np.uint64) ^ near.view(np.uint64)).sum(axis=1)
    assert np.array_equal(dist, flips)
    assert flips.min() >= 3
    assert flips.max() <= 31
    with pytest.raises(InvalidInput):
        near_duplicates(stored, rng, min_flips=5, max_flips=4)
