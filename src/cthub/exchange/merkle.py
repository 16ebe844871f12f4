"""RFC 6962 Merkle tree for the disclosure log: hashes, proofs and their verification.

The hashing is RFC 6962 section 2.1 exactly, so any Certificate Transparency verifier agrees
with ours: a leaf hashes as ``SHA-256(0x00 || leaf)``, an interior node as
``SHA-256(0x01 || left || right)``, the empty tree as ``SHA-256("")``, and a tree of ``n``
leaves splits at the largest power of two smaller than ``n``.

``MerkleTree`` keeps, level by level, the hash of every complete power-of-two aligned subtree
(level ``k`` holds ``size >> k`` hashes, packed 32 bytes each in one ``bytearray``). Any
subtree that the RFC recursion visits is then either one stored hash or the fold of at most
``log2(n)`` stored hashes, so historical roots and both kinds of proof cost O(log n) hash
operations, and a million-leaf tree takes about 64 MB.

``verify_inclusion`` and ``verify_consistency`` follow the verification algorithms of RFC 9162
sections 2.1.3.2 and 2.1.4.2. They use nothing but the hash functions, because a partner runs
them on its own machine against data it does not trust: malformed input makes them return
``False``, never raise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class TreeRangeError(InvalidInput, ValueError):
    """A leaf index or tree size outside the tree; a ``ValueError`` for pure callers and an
    ``InvalidInput`` (HTTP 400, exit 2) when it reaches an interface."""


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of one log entry: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``): where RFC 6962
    divides a tree of ``n`` leaves into its left and right subtrees."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path_length(index: int, size: int) -> int:
    """How many hashes an honest inclusion proof for ``index`` in a tree of ``size`` has;
    a verifier uses it to tell a malformed proof from one that fails."""
    length, start, n = 0, 0, size
    while n > 1:
        k = split(n)
        if index - start < k:
            n = k
        else:
            start, n = start + k, n - k
        length += 1
    return length


class MerkleTree:
    """An append-only RFC 6962 tree over 32-byte leaf hashes, with every historical root.

    Build it from leaf hashes (``MerkleTree(leaf_hash(d) for d in entries)``), then ``append``
    or ``extend``. Nothing is ever removed: the log is append-only by construction.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf hash, completing the subtrees it closes (amortised two hashes)."""
        _check_hash(leaf_hash)
        self._levels[0] += leaf_hash
        self._size += 1
        n, level = self._size, 0
        while n & 1 == 0:
            below = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level + 1] += hashlib.sha256(NODE_PREFIX + below[-64:]).digest()
            n, level = n >> 1, level + 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add many leaf hashes at once, a level at a time (faster than repeated ``append``)."""
        packed = b"".join(_check_hash(h) for h in leaf_hashes)
        old, new = self._size, self._size + len(packed) // HASH_SIZE
        self._levels[0] += packed
        level = 0
        while (lo := old >> (level + 1)) < (hi := new >> (level + 1)):
            below = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level + 1] += b"".join(
                hashlib.sha256(NODE_PREFIX + below[64 * i : 64 * i + 64]).digest()
                for i in range(lo, hi)
            )
            level += 1
        self._size = new

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        _check_index(index, self._size)
        return bytes(self._levels[0][HASH_SIZE * index : HASH_SIZE * (index + 1)])

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default): today's or a past root."""
        size = self._size if size is None else size
        self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH(index, D[size]): the audit path, nearest the leaf first."""
        self._check_size(size)
        _check_index(index, size)
        path: list[bytes] = []
        start, n = 0, size
        while n > 1:
            k = split(n)
            if index - start < k:
                path.append(self._subtree(start + k, n - k))
                n = k
            else:
                path.append(self._subtree(start, k))
                start, n = start + k, n - k
        path.reverse()
        return path

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """RFC 6962 PROOF(old, D[new]): shows the first ``old`` leaves are a prefix of the
        first ``new``. Empty when ``old`` is 0 or equals ``new`` (nothing to prove)."""
        self._check_size(new)
        if not 0 <= old <= new:
            raise TreeRangeError(
                N_("An old tree size of {old} cannot be compared with a new size of {new}."),
                hint=N_("The old size must be between 0 and the new size."),
                old=old,
                new=new,
            )
        if old in (0, new):
            return []
        proof: list[bytes] = []
        start, n, m, whole = 0, new, old, True
        while m != n:
            k = split(n)
            if m <= k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, n, m, whole = start + k, n - k, m - k, False
        if not whole:
            proof.append(self._subtree(start, n))
        proof.reverse()
        return proof

    def _subtree(self, start: int, n: int) -> bytes:
        """MTH(D[start:start+n]) for a range the RFC recursion visits (``start`` a multiple of
        ``split(n)``, or of ``n`` when ``n`` is a power of two): the stored complete subtrees
        of ``n``'s binary digits, folded right to left."""
        pieces: list[bytes] = []
        while n:
            k = n.bit_length() - 1
            i = start >> k
            pieces.append(bytes(self._levels[k][HASH_SIZE * i : HASH_SIZE * (i + 1)]))
            start, n = start + (1 << k), n - (1 << k)
        acc = pieces.pop()
        while pieces:
            acc = node_hash(pieces.pop(), acc)
        return acc

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise TreeRangeError(
                N_("A tree size of {size} is outside this log, which has {leaves} entries."),
                hint=N_("Ask for a size between 0 and the current size of the log."),
                size=size,
                leaves=self._size,
            )


def _check_hash(value: bytes) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise TreeRangeError(
            N_("A leaf hash must be {expected} bytes."),
            hint=N_("Hash the entry with leaf_hash() before adding it to the tree."),
            expected=HASH_SIZE,
        )
    return value


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise TreeRangeError(
            N_("Leaf index {index} is outside a tree of {size} entries."),
            hint=N_("A leaf index must be at least 0 and smaller than the tree size."),
            index=index,
            size=size,
        )


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf with ``leaf_hash`` at ``index`` in the tree of ``size``
    leaves whose root is ``root`` (RFC 9162 section 2.1.3.2)."""
    if not (0 <= index < size and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree of ``old_size`` leaves with ``old_root`` is a prefix of
    the tree of ``new_size`` leaves with ``new_root`` (RFC 9162 section 2.1.4.2).

    Equal sizes need an empty proof and equal roots; an old size of 0 needs an empty proof and
    the empty-tree root, which every tree extends.
    """
    if not (0 <= old_size <= new_size and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
