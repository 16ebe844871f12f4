"""Uploaded files for services that read paths: each lands in a private temporary folder under
its own (sanitised) name, is capped in size while it is copied, and is deleted afterwards.

The API and the web pages both use this, so an upload is bounded and cleaned up the same way
wherever it arrives. ``check_declared`` refuses a request whose declared length is already
over the limit, before anything is read.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile

from cthub.core.errors import InvalidInput

CHUNK = 2**20
FORM_SLACK = 2**16  # the form's other fields and the multipart framing, besides the files


@dataclass(frozen=True)
class Saved:
    """One upload on disk: where it is, and the name the client gave it."""

    path: Path
    name: str


def safe_name(filename: str | None, default: str = "upload") -> str:
    name = Path(filename or "").name.strip()[:200]
    return name if name not in ("", ".", "..") else default


def too_large(name: str, limit: int) -> InvalidInput:
    return InvalidInput(
        "{file} is larger than {limit} bytes.",
        hint="Raise CTHUB_CONTENT_MAX_BYTES if such files are expected.",
        file=name,
        limit=limit,
    )


def check_declared(request: Request, limit: int, name: str = "The upload") -> None:
    """Refuse a request whose Content-Length is over ``limit`` (plus the form's framing)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK:
        raise too_large(name, limit)


async def read_capped(upload: UploadFile, limit: int) -> bytes:
    """The whole upload in memory, refused as soon as it passes ``limit``."""
    name = safe_name(upload.filename)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, limit)
    return data


async def _copy(upload: UploadFile, target: Path, limit: int) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise too_large(target.name, limit)
            out.write(chunk)
    if size == 0:
        raise InvalidInput("{file} is empty.", hint="Choose the file again; nothing was sent.",
                           file=target.name)  # fmt: skip


@asynccontextmanager
async def saved(uploads: Sequence[UploadFile], limit: int) -> AsyncIterator[list[Saved]]:
    """The uploads as files in a temporary folder, which is deleted when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="cthub-upload-"))
    try:
        out: list[Saved] = []
        for i, upload in enumerate(uploads):
            name = safe_name(upload.filename, f"upload-{i + 1}")
            # one sub-folder per file: two uploads with one name must not overwrite each other
            target = folder / str(i) / name
            target.parent.mkdir()
            await _copy(upload, target, limit)
            out.append(Saved(target, name))
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shown(text: str, files: Sequence[Saved]) -> str:
    """``text`` with each temporary path replaced by the name the client gave the file."""
    for f in files:
        text = text.replace(str(f.path), f.name)
    return text


__all__ = [
    "FORM_SLACK",
    "Saved",
    "check_declared",
    "read_capped",
    "safe_name",
    "saved",
    "shown",
    "too_large",
]
