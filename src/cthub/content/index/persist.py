"""Saving a hash index next to the database, and loading it back only when it can be trusted.

``path`` holds a FAISS ``IndexBinaryIDMap2`` over an ``IndexBinaryFlat`` (the live hashes and
their ids, written by ``faiss.write_index_binary``); ``path + ".json"`` is its stamp::

    {"format": "cthub-pdq-index", "version": 1, "generation": 7, "count": 10000000,
     "bytes": 400000123, "sha256": "..."}

``generation`` is the caller's number or string (a change counter, or a JSON text of bank
revisions), so a caller compares it with the database and rebuilds or catches up a stale
index. Both files are written to a temporary file, synced and moved into place with
``os.replace``; the index goes first, so a crash in between leaves a stamp whose size and
SHA-256 no longer match, which ``read_index`` reports. The checksum is verified before FAISS
parses the file, so a corrupt file never reaches the C++ reader. The MIH tables are not
stored: they are rebuilt on load (seconds at 10 M hashes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from cthub.content.index.codec import HASH_BITS, HASH_BYTES, Hashes, Ids
from cthub.core.errors import Unavailable

FORMAT = "cthub-pdq-index"
VERSION = 1
_REBUILD = "Rebuild the hash index from the hash banks."


@dataclass(frozen=True)
class IndexStamp:
    """What the sidecar says about the index file next to it."""

    generation: int | str
    count: int
    bytes: int
    sha256: str
    version: int = VERSION
    format: str = FORMAT


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _fail(path: Path, reason: str) -> Unavailable:
    return Unavailable(
        "The hash index file {path} cannot be used: {reason}",
        hint=_REBUILD,
        path=str(path),
        reason=reason,
    )


def read_stamp(path: Path) -> IndexStamp:
    """The stamp of the index at ``path``; ``Unavailable`` naming it if absent or unreadable."""
    side = sidecar_path(path)
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        stamp = IndexStamp(**data)
    except FileNotFoundError as exc:
        raise _fail(path, f"its stamp {side.name} is missing") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise _fail(path, f"its stamp {side.name} is unreadable ({exc})") from exc
    if not isinstance(stamp.generation, int | str) or not isinstance(stamp.count, int):
        raise _fail(path, f"its stamp {side.name} is malformed")
    if stamp.format != FORMAT or stamp.version != VERSION:
        raise _fail(path, f"unknown format {stamp.format} version {stamp.version}")
    return stamp


def write_index(path: Path, ids: Ids, codes: Hashes, *, generation: int | str) -> IndexStamp:
    """Write ``(ids, codes)`` to ``path`` and its stamp atomically; return the stamp."""
    flat = faiss.IndexBinaryFlat(HASH_BITS)
    index = faiss.IndexBinaryIDMap2(flat)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(codes), np.ascontiguousarray(ids))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    side_tmp = path.with_name(f".{path.name}.json.{os.getpid()}.tmp")
    try:
        faiss.write_index_binary(index, str(tmp))
        size, digest = _sync_and_digest(tmp)
        stamp = IndexStamp(generation=generation, count=len(ids), bytes=size, sha256=digest)
        os.replace(tmp, path)
        side_tmp.write_text(json.dumps(asdict(stamp), sort_keys=True) + "\n", encoding="utf-8")
        _sync_and_digest(side_tmp)
        os.replace(side_tmp, sidecar_path(path))
        _sync_dir(path.parent)
    except (OSError, RuntimeError) as exc:
        raise Unavailable(
            "The hash index file {path} could not be written: {reason}",
            hint="Check that the folder exists and is writable, and that the disk has room.",
            path=str(path),
            reason=str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__,
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
        side_tmp.unlink(missing_ok=True)
    return stamp


def read_index(
    path: Path, *, expect_generation: int | str | None = None
) -> tuple[Ids, Hashes, IndexStamp]:
    """The ``(ids, codes, stamp)`` saved at ``path``, checked against the stamp first.

    ``Unavailable`` naming the file when it is missing, truncated, corrupt, not an index of
    256-bit hashes with ids, or (with ``expect_generation``) of another generation.
    """
    stamp = read_stamp(path)
    if expect_generation is not None and stamp.generation != expect_generation:
        raise _fail(path, f"it is stale (generation {stamp.generation}, not {expect_generation})")
    try:
        size, digest = _sync_and_digest(path, sync=False)
    except OSError as exc:
        raise _fail(path, exc.strerror or type(exc).__name__) from exc
    if size != stamp.bytes:
        raise _fail(path, f"it is {size} bytes, its stamp says {stamp.bytes} (truncated?)")
    if digest != stamp.sha256:
        raise _fail(path, "its SHA-256 does not match its stamp (corrupt or replaced)")
    try:
        raw = faiss.read_index_binary(str(path))
    except RuntimeError as exc:
        raise _fail(path, "FAISS cannot read it") from exc
    # Keep ``raw`` referenced while its downcast views are used: it owns the C++ objects.
    index = faiss.downcast_IndexBinary(raw)
    if not isinstance(index, faiss.IndexBinaryIDMap2) or index.d != HASH_BITS:
        raise _fail(path, "it is not an index of 256-bit hashes with ids")
    if index.ntotal != stamp.count:
        raise _fail(path, f"it holds {index.ntotal} hashes, its stamp says {stamp.count}")
    ids = faiss.vector_to_array(index.id_map).astype(np.int64)
    inner = faiss.downcast_IndexBinary(index.index)
    if not isinstance(inner, faiss.IndexBinaryFlat):
        raise _fail(path, "it is not a flat index of 256-bit hashes")
    codes = faiss.vector_to_array(inner.xb).astype(np.uint8)  # type: ignore[attr-defined]
    codes = codes.reshape(-1, HASH_BYTES)
    return ids, codes, stamp


def _sync_and_digest(path: Path, *, sync: bool = True) -> tuple[int, str]:
    """Size and SHA-256 of ``path``, after an fsync when ``sync``."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        if sync:
            os.fsync(handle.fileno())
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
