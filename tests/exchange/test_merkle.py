"""RFC 6962 Merkle tree: known answers, a naive reference, proof properties and cost.

The known answers are the Certificate Transparency reference vectors (certificate-transparency
``merkle_tree_test.cc``, reused by Trillian and transparency-dev/merkle): fixed literals that
agree with neither this code nor the naive reference by construction. The naive reference is the
RFC 6962 recursive definition written out as literally as possible.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cthub.exchange import merkle
from cthub.exchange.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    inclusion_path_length,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size, audit path) from the same reference tests.
CT_PATHS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


# -- the naive reference: RFC 6962 section 2.1, recursion and all -------------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:])).digest()


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [naive_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def entries(n: int, salt: int = 0) -> list[bytes]:
    return [b"entry %d/%d" % (salt, i) for i in range(n)]


def tree_of(d: list[bytes]) -> MerkleTree:
    return MerkleTree(leaf_hash(x) for x in d)


def flip(value: bytes, at: int) -> bytes:
    return value[:at] + bytes([value[at] ^ 1]) + value[at + 1 :]


H = bytes.fromhex


# -- known answers --------------------------------------------------------------------------


def test_hashes_are_rfc_6962() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert MerkleTree().root() == EMPTY_ROOT


def test_roots_match_the_ct_reference_vectors() -> None:
    tree = tree_of(CT_LEAVES)
    assert [tree.root(n).hex() for n in range(1, 9)] == CT_ROOTS
    assert tree.root(0) == EMPTY_ROOT
    grown = MerkleTree()
    for n, leaf in enumerate(CT_LEAVES, start=1):
        grown.append(leaf_hash(leaf))
        assert grown.root().hex() == CT_ROOTS[n - 1]


@pytest.mark.parametrize(("index", "size", "path"), CT_PATHS)
def test_inclusion_proofs_match_the_ct_reference_vectors(
    index: int, size: int, path: list[str]
) -> None:
    tree = tree_of(CT_LEAVES)
    assert [p.hex() for p in tree.inclusion_proof(index, size)] == path
    root = H(CT_ROOTS[size - 1])
    assert verify_inclusion(leaf_hash(CT_LEAVES[index]), index, size, [H(p) for p in path], root)


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_reference_vectors(
    old: int, new: int, proof: list[str]
) -> None:
    tree = tree_of(CT_LEAVES)
    assert [p.hex() for p in tree.consistency_proof(old, new)] == proof
    old_root, new_root = H(CT_ROOTS[old - 1]), H(CT_ROOTS[new - 1])
    assert verify_consistency(old, new, old_root, new_root, [H(p) for p in proof])


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY[1:])
def test_reference_consistency_probes_fail_when_mutated(
    old: int, new: int, proof: list[str]
) -> None:
    """The mutations of transparency-dev/merkle's generated probes: every one must fail."""
    p = [H(x) for x in proof]
    r1, r2 = H(CT_ROOTS[old - 1]), H(CT_ROOTS[new - 1])
    bad = [
        (old - 1, new, r1, r2, p),
        (old + 1, new, r1, r2, p),
        (old ^ 2, new, r1, r2, p),
        (old, new * 2, r1, r2, p),
        (old, new // 2, r1, r2, p),
        (old, new, b"WrongRoot", r2, p),
        (old, new, r1, b"WrongRoot", p),
        (old, new, r2, r1, p),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*p, b""]),
        (old, new, r1, r2, [*p, r1]),
        (old, new, r1, r2, [*p, r2]),
        (old, new, r1, r2, [b"", *p]),
        (old, new, r1, r2, [r1, *p]),
        (old, new, r1, r2, [r2, *p]),
        (old, new, r1, r2, [p[0], *p]),
        (old, new, r1, r2, p[:-1]),
    ]
    for case in bad:
        assert not verify_consistency(*case), case


def test_edge_cases_of_consistency_verification() -> None:
    root = leaf_hash(b"x")
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 5, root, root, [])  # a fake "empty" root
    assert not verify_consistency(0, 5, EMPTY_ROOT, root, [EMPTY_ROOT])
    assert verify_consistency(1, 1, root, root, [])
    assert not verify_consistency(1, 1, root, EMPTY_ROOT, [])
    assert not verify_consistency(1, 1, root, root, [root])
    assert not verify_consistency(2, 1, root, root, [])
    assert not verify_consistency(-1, 1, root, root, [])


def test_edge_cases_of_inclusion_verification() -> None:
    h = leaf_hash(b"data")
    assert verify_inclusion(h, 0, 1, [], h)
    for index, size, leaf, root in [(0, 1, b"", h), (0, 1, h, b""), (0, 0, h, h), (1, 1, h, h)]:
        assert not verify_inclusion(leaf, index, size, [], root)
    assert not verify_inclusion(h, -1, 1, [], h)


# -- the naive reference, exhaustively for small trees ---------------------------------------


def test_every_proof_matches_the_naive_definition_up_to_64_leaves() -> None:
    d = entries(64)
    tree = tree_of(d)
    for n in range(1, 65):
        assert tree.root(n) == naive_mth(d[:n])
        for m in range(n):
            assert tree.inclusion_proof(m, n) == naive_path(m, d[:n])
        for m in range(1, n):
            assert tree.consistency_proof(m, n) == naive_subproof(m, d[:n], True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=150), st.data())
def test_random_trees_match_the_naive_definition(leaves: list[bytes], data: st.DataObject) -> None:
    tree = tree_of(leaves)
    n = len(leaves)
    assert tree.root() == naive_mth(leaves)
    m = data.draw(st.integers(0, n - 1))
    assert tree.inclusion_proof(m, n) == naive_path(m, leaves)
    old = data.draw(st.integers(1, n))
    assert tree.consistency_proof(old, n) == naive_subproof(old, leaves, True)


# -- properties -------------------------------------------------------------------------------

TREE = tree_of(entries(300))
sizes = st.integers(1, 300)


@settings(max_examples=300, deadline=None)
@given(sizes, st.data())
def test_every_inclusion_proof_verifies_and_any_flip_breaks_it(
    size: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, size - 1))
    leaf, root = TREE.leaf(index), TREE.root(size)
    proof = TREE.inclusion_proof(index, size)
    assert len(proof) == inclusion_path_length(index, size)
    assert verify_inclusion(leaf, index, size, proof, root)
    at = data.draw(st.integers(0, 31))
    assert not verify_inclusion(flip(leaf, at), index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, flip(root, at))
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bent = [flip(p, at) if i == which else p for i, p in enumerate(proof)]
        assert not verify_inclusion(leaf, index, size, bent, root)
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)
    other = data.draw(st.integers(0, size - 1))
    if other != index:
        assert not verify_inclusion(leaf, other, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(sizes, st.data())
def test_every_consistency_proof_verifies_and_any_flip_breaks_it(
    new: int, data: st.DataObject
) -> None:
    old = data.draw(st.integers(0, new))
    old_root, new_root = TREE.root(old), TREE.root(new)
    proof = TREE.consistency_proof(old, new)
    assert verify_consistency(old, new, old_root, new_root, proof)
    at = data.draw(st.integers(0, 31))
    if 0 < old < new:
        assert not verify_consistency(old, new, flip(old_root, at), new_root, proof)
        assert not verify_consistency(old, new, old_root, flip(new_root, at), proof)
        which = data.draw(st.integers(0, len(proof) - 1))
        bent = [flip(p, at) if i == which else p for i, p in enumerate(proof)]
        assert not verify_consistency(old, new, old_root, new_root, bent)
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 120), st.data())
def test_a_changed_history_fails_consistency(n: int, data: st.DataObject) -> None:
    """Edit one of the first ``old`` entries and the new tree no longer extends the old."""
    d = entries(n)
    old = data.draw(st.integers(1, n - 1))
    edited = data.draw(st.integers(0, old - 1))
    forged = tree_of([*d[:edited], b"forged", *d[edited + 1 :]])
    proof = forged.consistency_proof(old, n)
    assert not verify_consistency(old, n, tree_of(d).root(old), forged.root(n), proof)


# -- building and ranges ---------------------------------------------------------------------


def test_append_extend_and_bulk_build_agree() -> None:
    hashes = [leaf_hash(x) for x in entries(1000)]
    appended = MerkleTree()
    for h in hashes:
        appended.append(h)
    extended = MerkleTree(hashes[:333])
    extended.extend(hashes[333:777])
    extended.extend(hashes[777:])
    bulk = MerkleTree(hashes)
    for n in (0, 1, 333, 512, 777, 999, 1000):
        assert appended.root(n) == extended.root(n) == bulk.root(n) == naive_mth(entries(n))
    assert len(bulk) == bulk.size == 1000
    assert bulk.leaf(5) == hashes[5]


def test_history_is_unchanged_by_appending() -> None:
    tree = tree_of(entries(37))
    before = [tree.root(n) for n in range(38)]
    tree.extend(leaf_hash(x) for x in entries(50, salt=1))
    assert [tree.root(n) for n in range(38)] == before


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("root", (9,)),
        ("root", (-1,)),
        ("inclusion_proof", (8, 8)),
        ("inclusion_proof", (-1, 8)),
        ("inclusion_proof", (0, 9)),
        ("inclusion_proof", (0, 0)),
        ("consistency_proof", (5, 4)),
        ("consistency_proof", (1, 9)),
        ("consistency_proof", (-1, 4)),
        ("leaf", (8,)),
    ],
)
def test_out_of_range_requests_raise_value_error(call: str, args: tuple[int, ...]) -> None:
    tree = tree_of(CT_LEAVES)
    with pytest.raises(ValueError, match=r"\d"):
        getattr(tree, call)(*args)


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33, "x" * 32])
def test_leaf_hashes_must_be_32_bytes(bad: object) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree([bad])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree().append(bad)  # type: ignore[arg-type]


def test_proofs_and_roots_cost_logarithmic_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached complete subtrees: at most two hashes per level, however large the tree."""
    n = 2**16 + 12345
    tree = MerkleTree(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n))
    calls = 0
    real = merkle.node_hash

    def counting(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counting)
    levels = n.bit_length()
    for size in (n, n - 1, 2**16 + 1, 77777):
        for work, args in (
            (tree.root, (size,)),
            (tree.inclusion_proof, (size // 3, size)),
            (tree.consistency_proof, (size // 3 + 1, size)),
        ):
            calls = 0
            work(*args)
            assert calls <= 2 * levels
