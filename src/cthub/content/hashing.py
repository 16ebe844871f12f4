"""Hash files for ``cthub content hash``: exact hashes of every file, PDQ of every image.

One ``FileHashes`` per file, whatever the file is, so a batch never stops on a bad one:

* an unreadable path (missing, a directory, no permission): no hashes, ``error`` says why;
* an empty file: MD5 and SHA-256 of the empty string, ``error`` says it is empty;
* a file that is not an image we read (text, video, junk, a ``.txt`` renamed ``.jpg``):
  exact hashes, no PDQ, ``error`` says it is not an image;
* a truncated or corrupt image, or one over the pixel cap (a decompression bomb): exact
  hashes, no PDQ, ``error`` from the PDQ signal, naming the file;
* an image: exact hashes, PDQ and its quality. A quality under 50 is not an error, but such a
  hash is not matched on (``PDQSignal.result`` marks it); the quality column shows it.

``error`` is the English text; ``problem`` keeps the ``CthubError`` so an interface can render
it in the user's language. ``ROW_FIELDS`` is the column order of the CSV and JSON Lines output.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cthub.core.errors import CthubError, InvalidInput

from .signals.exact import file_digests
from .signals.pdq import PDQSignal

log = logging.getLogger(__name__)

ROW_FIELDS = ("path", "md5", "sha256", "pdq", "quality", "error")
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class FileHashes:
    """The hashes of one file; empty strings (and ``quality=None``) where a hash is missing."""

    path: str
    md5: str = ""
    sha256: str = ""
    pdq: str = ""
    quality: int | None = None
    error: str = ""
    problem: CthubError | None = field(default=None, compare=False, repr=False)

    def row(self) -> dict[str, str | int | None]:
        """The output columns (``ROW_FIELDS``) of this file."""
        return {name: getattr(self, name) for name in ROW_FIELDS}


def _failed(base: FileHashes, problem: CthubError) -> FileHashes:
    return replace(base, error=problem.render(), problem=problem)


def hash_file(path: str | Path, *, pdq: PDQSignal | None = None) -> FileHashes:
    """MD5, SHA-256 and (for an image) PDQ of ``path``; problems go to ``error``, never raised.

    ``pdq`` sets the decoding limits (pixel cap, draft size); the default suits uploads.
    """
    where = Path(path)
    base = FileHashes(str(path))
    try:
        digests = file_digests(where, "md5", "sha256")
    except InvalidInput as exc:
        return _failed(base, exc)
    base = replace(base, md5=digests["md5"], sha256=digests["sha256"])
    if base.sha256 == _EMPTY_SHA256:
        return _failed(
            base,
            InvalidInput(
                "{path}: the file is empty.",
                hint="An empty file has exact hashes but no picture to hash.",
                path=str(path),
            ),
        )
    try:
        result = (pdq or PDQSignal()).hash_file(where)
    except InvalidInput as exc:
        return _failed(base, exc)
    if result is None:
        return _failed(
            base,
            InvalidInput(
                "{path}: not an image (only exact hashes were computed).",
                hint="PDQ reads JPEG, PNG, GIF, WebP, BMP, TIFF, AVIF, ICO and PPM files.",
                path=str(path),
            ),
        )
    return replace(base, pdq=result.value, quality=result.quality)


def hash_files(
    paths: Iterable[str | Path], *, pdq: PDQSignal | None = None
) -> Iterator[FileHashes]:
    """``hash_file`` of each path, in order. An unexpected failure is logged and reported in
    that file's ``error``; the batch goes on."""
    signal = pdq or PDQSignal()
    for path in paths:
        try:
            hashes = hash_file(path, pdq=signal)
        except Exception as exc:  # a decoder bug must not stop a batch: log it, report, go on
            log.exception("hashing %s failed", path)
            hashes = _failed(
                FileHashes(str(path)),
                CthubError(
                    "{path}: hashing failed unexpectedly ({reason}).",
                    hint="The failure is logged; report it if the file is a genuine image.",
                    path=str(path),
                    reason=type(exc).__name__,
                ),
            )
        yield hashes


__all__ = ["ROW_FIELDS", "FileHashes", "hash_file", "hash_files"]
