"""Private set intersection of two watchlists: ECDH PSI on Ristretto255 (libsodium).

Two agencies learn which entries they share and nothing else. Each item (see
``identifiers.identifier``) is hashed to the group, ``H(x) = from_hash(SHA-512(b"cthub-psi-v1"
+ x))``, and blinded with a secret scalar that lives for one session only:

1. the initiator A sends ``Blinded``: ``H(x)^a`` for its distinct items, shuffled;
2. the responder B answers ``Reply``: ``double = (H(x)^a)^b`` in A's order, and
   ``own = H(y)^b`` for its distinct items, shuffled;
3. A computes ``(H(y)^b)^a`` and intersects it with ``double``; ``finish`` returns the indices
   of A's items that B also holds (every index of a duplicated item).

B learns only how many distinct items A has; A learns which of its items are common and how
many distinct items B has. This is secure against honest-but-curious partners: a dishonest A
could put guesses in its set, which is why a match only opens a normal, audited release request.

Ristretto255 is a prime-order group with canonical encodings: equal items give equal bytes and
there is no cofactor to clear. PyNaCl 1.6 does not bind it (pyca/pynacl#646 was never merged),
so the system libsodium (>= 1.0.18, Debian ``libsodium23``) is opened through cffi, which
releases the GIL during each C call: chunks run on a thread pool. The cost is about four scalar
multiplications (~60 us each on one core) per pair of elements.
"""

from __future__ import annotations

import base64
import ctypes.util
import hashlib
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import cffi  # type: ignore[import-untyped]

from cthub.core.errors import Unavailable
from cthub.exchange.identifiers import PsiInputError

PROTOCOL = "cthub-psi-v1"
POINT_BYTES = 32
MAX_POINTS = 2_000_000
_HASH_DOMAIN = b"cthub-psi-v1"
_CHUNK = 4096
_IDENTITY = bytes(POINT_BYTES)
_CDEF = """
int sodium_init(void);
int crypto_core_ristretto255_from_hash(unsigned char *p, const unsigned char *r);
int crypto_core_ristretto255_is_valid_point(const unsigned char *p);
void crypto_core_ristretto255_scalar_random(unsigned char *r);
int crypto_scalarmult_ristretto255(unsigned char *q, const unsigned char *n,
                                   const unsigned char *p);
"""
_Kernel = Callable[[bytes, int, Any], bytes]


@cache
def sodium() -> tuple[Any, Any]:
    """``(ffi, lib)``: the system libsodium's Ristretto255 functions, or ``Unavailable``."""
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in (ctypes.util.find_library("sodium"), "libsodium.so.26", "libsodium.so.23"):
        with suppress(OSError, AttributeError, TypeError):
            lib = ffi.dlopen(name)
            lib.crypto_scalarmult_ristretto255  # noqa: B018 - AttributeError before 1.0.18
            if lib.sodium_init() >= 0:
                return ffi, lib
    raise Unavailable(
        "Ristretto255 is not available for private set intersection.",
        hint="Install libsodium 1.0.18 or later (Debian: apt-get install libsodium23).",
    )


def new_scalar() -> bytes:
    """A fresh uniformly random non-zero scalar; one per party per session, never reused."""
    ffi, lib = sodium()
    out = ffi.new("unsigned char[32]")
    lib.crypto_core_ristretto255_scalar_random(out)
    return bytes(ffi.buffer(out))


def hash_to_group(item: bytes) -> bytes:
    """``H(item)``: the Ristretto255 point of one item (unblinded; never sent)."""
    return _hash_and_blind(b"", 0, [item])


def _hash_and_blind(scalar: bytes, _start: int, items: Sequence[bytes]) -> bytes:
    """``H(x)^scalar`` for each item, concatenated; just ``H(x)`` when ``scalar`` is empty."""
    ffi, lib = sodium()
    out = ffi.new("unsigned char[]", POINT_BYTES * len(items))
    point = ffi.new("unsigned char[32]")
    sha512, from_hash = hashlib.sha512, lib.crypto_core_ristretto255_from_hash
    mult = lib.crypto_scalarmult_ristretto255
    for offset, item in zip(range(0, len(out), POINT_BYTES), items, strict=True):
        if not scalar:
            from_hash(out + offset, sha512(_HASH_DOMAIN + item).digest())
            continue
        from_hash(point, sha512(_HASH_DOMAIN + item).digest())
        if mult(out + offset, scalar, point) != 0:  # pragma: no cover - 2^-252 chance
            raise ArithmeticError("hash-to-group produced the identity point")
    return bytes(ffi.buffer(out))


def _blind_points(scalar: bytes, start: int, points: Any) -> bytes:
    """``P^scalar`` for each point, concatenated; with an empty ``scalar``, only validate.

    ``crypto_scalarmult_ristretto255`` decodes its input with the check of
    ``crypto_core_ristretto255_is_valid_point`` and refuses the identity, so each point is
    checked exactly once; points that are only compared go through ``is_valid_point``.
    """
    ffi, lib = sodium()
    src = ffi.from_buffer(points)
    out = ffi.new("unsigned char[]", len(src)) if scalar else src
    valid, mult = lib.crypto_core_ristretto255_is_valid_point, lib.crypto_scalarmult_ristretto255
    for offset in range(0, len(src), POINT_BYTES):
        point = src + offset
        ok = mult(out + offset, scalar, point) == 0 if scalar else valid(point) == 1
        if not ok or (not scalar and points[offset : offset + POINT_BYTES] == _IDENTITY):
            raise PsiInputError(
                "Point {index} is not a valid Ristretto255 point.",
                hint="The partner's message is corrupt or was not made by cthub-psi-v1.",
                index=start + offset // POINT_BYTES,
            )
    return bytes(ffi.buffer(out))


def _parallel(kernel: _Kernel, scalar: bytes, data: Sequence[bytes] | bytes, workers: int) -> bytes:
    """``kernel`` over chunks of items (or of concatenated points) on ``workers`` threads."""
    width = POINT_BYTES if isinstance(data, bytes) else 1
    count = len(data) // width
    view = memoryview(data) if isinstance(data, bytes) else data
    step = max(_CHUNK, -(-count // (workers * 8)))
    starts = range(0, count, step)
    chunks = [view[start * width : (start + step) * width] for start in starts]
    if workers <= 1 or len(chunks) <= 1:
        return b"".join(map(partial(kernel, scalar), starts, chunks))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="psi") as pool:
        return b"".join(pool.map(partial(kernel, scalar), starts, chunks))


@dataclass(frozen=True)
class Blinded:
    """Round 1, initiator to responder: ``H(x)^a`` for A's distinct items, shuffled."""

    session: str
    points: bytes
    version: str = PROTOCOL

    @property
    def count(self) -> int:
        return len(self.points) // POINT_BYTES

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "session": self.session,
            "count": self.count,
            "points": _b64(self.points),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, max_points: int = MAX_POINTS) -> Blinded:
        """Parse and check version, session, lengths and counts (points are checked later)."""
        version, session = _header(data)
        points = _points(data, "points", "count", max_points)
        return cls(session=session, points=points, version=version)


@dataclass(frozen=True)
class Reply:
    """Round 2, responder to initiator: ``(H(x)^a)^b`` in A's order and ``H(y)^b`` shuffled."""

    session: str
    double: bytes
    own: bytes
    version: str = PROTOCOL

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "session": self.session,
            "count": len(self.double) // POINT_BYTES,
            "double": _b64(self.double),
            "own_count": len(self.own) // POINT_BYTES,
            "own": _b64(self.own),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, max_points: int = MAX_POINTS) -> Reply:
        version, session = _header(data)
        double = _points(data, "double", "count", max_points)
        own = _points(data, "own", "own_count", max_points)
        return cls(session=session, double=double, own=own, version=version)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _header(data: Mapping[str, Any]) -> tuple[str, str]:
    version, session = data.get("version"), data.get("session")
    if version != PROTOCOL:
        raise PsiInputError(
            "PSI protocol {version} is not supported; this side speaks {expected}.",
            version=version,
            expected=PROTOCOL,
        )
    if not isinstance(session, str) or not 1 <= len(session) <= 64:
        raise PsiInputError("The PSI message has no valid session id.")
    return version, session


def _points(data: Mapping[str, Any], field: str, count_field: str, max_points: int) -> bytes:
    """The decoded points of ``field``, checked against ``count_field`` and ``max_points``."""
    count, text = data.get(count_field), data.get(field)
    if type(count) is not int or not isinstance(text, str):
        raise PsiInputError(
            "The PSI message lacks {field} or {count}.", field=field, count=count_field
        )
    _check(b"", max_points, count=count)  # refuse an oversized message before decoding it
    try:
        points = base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise PsiInputError("The {field} of the PSI message are not base64.", field=field) from exc
    return _check(points, max_points, expected=count)


def _check(
    points: bytes, max_points: int, *, count: int | None = None, expected: int | None = None
) -> bytes:
    """``points`` if it holds whole 32-byte points, ``expected`` of them, at most ``max_points``."""
    whole, rest = divmod(len(points), POINT_BYTES)
    if not 0 <= (whole if count is None else count) <= max_points:
        raise PsiInputError(
            "A PSI session of {count} points; at most {limit} are accepted.",
            hint="Split the watchlist or raise max_points on both sides.",
            count=whole if count is None else count,
            limit=max_points,
        )
    if rest or (expected is not None and whole != expected):
        raise PsiInputError(
            "The PSI points are {length} bytes, not whole 32-byte points ({expected} expected).",
            length=len(points),
            expected=whole if expected is None else expected,
        )
    return points


class _Party:
    """One side of one session: its distinct items in a private random order and its scalar."""

    def __init__(
        self, items: Sequence[bytes], *, max_points: int = MAX_POINTS, workers: int | None = None
    ) -> None:
        _check(b"", max_points, count=len(items))
        positions: dict[bytes, list[int]] = {}
        for index, item in enumerate(items):
            positions.setdefault(item, []).append(index)
        self._order = list(positions)
        secrets.SystemRandom().shuffle(self._order)
        self._positions = positions
        self.max_points = max_points
        self.workers = workers or os.cpu_count() or 1
        self._scalar: bytes | None = new_scalar()

    def _secret(self) -> bytes:
        if self._scalar is None:
            raise RuntimeError("This PSI session is over; start a new one with a fresh scalar.")
        return self._scalar

    def _checked(self, points: bytes, version: str) -> bytes:
        _header({"version": version, "session": "-"})
        return _check(points, self.max_points)


class PsiInitiator(_Party):
    """Party A: ``blind()`` for round 1, then ``finish(reply)`` gives the common indices."""

    def __init__(
        self, items: Sequence[bytes], *, max_points: int = MAX_POINTS, workers: int | None = None
    ) -> None:
        super().__init__(items, max_points=max_points, workers=workers)
        self.session = secrets.token_hex(16)
        self._blinded: Blinded | None = None

    def blind(self) -> Blinded:
        """Round 1 message (computed once; repeated calls return the same message)."""
        if self._blinded is None:
            points = _parallel(_hash_and_blind, self._secret(), self._order, self.workers)
            self._blinded = Blinded(session=self.session, points=points)
        return self._blinded

    def finish(self, reply: Reply) -> list[int]:
        """Sorted indices of the items B also holds; the scalar is dropped afterwards."""
        if reply.session != self.session or self._blinded is None:
            raise PsiInputError("The PSI reply is for another session.")
        double = self._checked(reply.double, reply.version)
        if len(double) != len(self._blinded.points):
            raise PsiInputError(
                "The PSI reply has {got} double-blinded points for {sent} sent.",
                got=len(double) // POINT_BYTES,
                sent=self._blinded.count,
            )
        own = self._checked(reply.own, reply.version)
        theirs = _parallel(_blind_points, self._secret(), own, self.workers)
        _parallel(_blind_points, b"", double, self.workers)
        self._scalar = None
        common = {theirs[i : i + POINT_BYTES] for i in range(0, len(theirs), POINT_BYTES)}
        found = (
            self._positions[item]
            for offset, item in zip(range(0, len(double), POINT_BYTES), self._order, strict=True)
            if double[offset : offset + POINT_BYTES] in common
        )
        return sorted(index for indices in found for index in indices)


class PsiResponder(_Party):
    """Party B: ``respond(blinded)`` answers one session, then its scalar is dropped."""

    def respond(self, blinded: Blinded) -> Reply:
        """Round 2: validate A's points, blind them again and add B's own blinded items."""
        scalar = self._secret()
        points = self._checked(blinded.points, blinded.version)
        self._scalar = None
        double = _parallel(_blind_points, scalar, points, self.workers)
        own = _parallel(_hash_and_blind, scalar, self._order, self.workers)
        return Reply(session=blinded.session, double=double, own=own)
