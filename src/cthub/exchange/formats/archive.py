"""Zip archives of files (a package of documents, images, exports), opened safely.

A zip from a partner is untrusted. ``safe_unzip`` refuses, before inflating anything: too
many members, a member name that could escape a folder (absolute, ``..``, a drive letter,
backslashes, control characters), duplicate names, encrypted members, symbolic links, a
declared total over ``max_total``, and a member whose declared inflation ratio is over
``max_ratio``. Then it inflates in chunks, counting what really comes out, and stops as soon
as the total or the ratio is passed (the sizes in a zip header are the sender's claim), and
refuses archives inside the archive (nested zips are the classic way around a ratio check).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

from cthub.core.errors import InvalidInput

from .base import MB

_CHUNK = 64 * 1024
_BAD_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|\\|[\x00-\x1f\x7f]|(^|/)\.\.(/|$)")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".bz2", ".xz")
_FAULTS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError)


@dataclass(frozen=True)
class ArchiveMember:
    """One file of an archive: its path inside the archive and its bytes."""

    name: str
    data: bytes


def _refused(message: str, **params: object) -> InvalidInput:
    return InvalidInput(
        message,
        hint="Send a plain zip of the files themselves, within the size limits.",
        **params,
    )


def _check_member(
    info: zipfile.ZipInfo, seen: set[str], max_ratio: float, ratio_floor: int
) -> None:
    name = info.filename
    if not name or _BAD_NAME.search(name):
        raise _refused(
            "The archive was refused: the member name {name} could escape its folder.",
            name=repr(name[:120]),
        )
    if name in seen:
        raise _refused(
            "The archive was refused: the member name {name} appears twice.", name=repr(name[:120])
        )
    seen.add(name)
    if info.flag_bits & 0x1:
        raise _refused(
            "The archive was refused: the member {name} is encrypted.", name=repr(name[:120])
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refused(
            "The archive was refused: the member {name} is a symbolic link.", name=repr(name[:120])
        )
    if name.lower().endswith(_ARCHIVE_SUFFIXES):
        raise _refused(
            "The archive was refused: the member {name} is itself an archive.",
            name=repr(name[:120]),
        )
    if info.file_size > ratio_floor and info.file_size > max_ratio * max(info.compress_size, 1):
        raise _refused(
            "The archive was refused: the member {name} inflates more than {ratio} times.",
            name=repr(name[:120]),
            ratio=max_ratio,
        )


def _inflate(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, max_ratio: float, ratio_floor: int
) -> bytes:
    """The member's bytes, read in chunks; refused once over ``budget`` or the ratio."""
    out = bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            out += chunk
            if len(out) > budget:
                raise _refused(
                    "The archive was refused: it inflates to more than the limit of {limit} bytes.",
                    limit=budget,
                )
            if len(out) > ratio_floor and len(out) > max_ratio * max(info.compress_size, 1):
                raise _refused(
                    "The archive was refused: the member {name} inflates more than {ratio} times.",
                    name=repr(info.filename[:120]),
                    ratio=max_ratio,
                )
    if bytes(out[:4]).startswith(_ARCHIVE_MAGIC):
        raise _refused(
            "The archive was refused: the member {name} is itself an archive.",
            name=repr(info.filename[:120]),
        )
    return bytes(out)


def safe_unzip(
    data: bytes,
    *,
    max_total: int = 200 * MB,
    max_files: int = 10_000,
    max_ratio: float = 100.0,
    ratio_floor: int = 1 * MB,
) -> list[ArchiveMember]:
    """The files in zip ``data``, or ``InvalidInput`` naming why the archive is refused.

    ``max_total``: bytes of all members together once inflated. ``max_files``: members.
    ``max_ratio``: how many times a member may inflate; members that inflate to under
    ``ratio_floor`` bytes are exempt (small text files compress well and are harmless).
    Folders are skipped; member order is kept.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _FAULTS:
        raise _refused("The archive was refused: it is not a zip file.") from None
    if len(infos) > max_files:
        raise _refused(
            "The archive was refused: it holds {count} members, over the limit of {limit}.",
            count=len(infos),
            limit=max_files,
        )
    files = [i for i in infos if not i.is_dir()]
    seen: set[str] = set()
    for info in files:
        _check_member(info, seen, max_ratio, ratio_floor)
    declared = sum(i.file_size for i in files)
    if declared > max_total:
        raise _refused(
            "The archive was refused: its members declare {size} bytes, over the limit of {limit}.",
            size=declared,
            limit=max_total,
        )
    members, used = [], 0
    try:
        for info in files:
            content = _inflate(archive, info, max_total - used, max_ratio, ratio_floor)
            used += len(content)
            members.append(ArchiveMember(info.filename, content))
    except _FAULTS as exc:
        raise _refused(
            "The archive was refused: a member cannot be read ({reason}).", reason=str(exc)[:200]
        ) from None
    return members


__all__ = ["ArchiveMember", "safe_unzip"]
