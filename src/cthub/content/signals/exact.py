"""Exact file hashes, MD5 and SHA-256: any file, streamed, distance 0 (same bytes) or 1.

MD5 is kept because hash-sharing programmes still exchange it; it is not collision resistant,
so a match on MD5 alone is a lead for review, never proof. SHA-256 is the one to trust.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import InvalidInput

from .base import (
    EXAMPLES_DIR,
    ContentKind,
    SignalExamples,
    SignalHash,
    SignalType,
    clean_hex,
    shown,
)

#: Read size for streaming; large enough that hashing, not the system calls, dominates.
CHUNK = 1 << 20


def file_digests(path: Path, *algorithms: str) -> dict[str, str]:
    """Hex digests of ``path`` for each hashlib algorithm, in one streaming pass.

    Raises ``InvalidInput`` naming the file when it cannot be opened or read.
    """
    hashers = {name: hashlib.new(name) for name in algorithms}
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                for hasher in hashers.values():
                    hasher.update(chunk)
    except OSError as exc:
        raise InvalidInput(
            "{path}: cannot read the file ({reason}).",
            hint="Check that the path names a readable file.",
            path=str(path),
            reason=exc.strerror or type(exc).__name__,
        ) from exc
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


class ExactSignal(SignalType):
    """A cryptographic digest of the file's bytes."""

    content: ClassVar[ContentKind] = ContentKind.FILE
    default_threshold: ClassVar[int] = 0
    #: hashlib name of the digest.
    algorithm: ClassVar[str]
    hex_length: ClassVar[int]

    def hash_file(self, path: Path) -> SignalHash:
        """The digest of ``path``'s bytes; applies to every file, including an empty one."""
        return SignalHash(self.name, file_digests(path, self.algorithm)[self.algorithm])

    def distance(self, a: str, b: str) -> int:
        return 0 if self.normalise(a) == self.normalise(b) else 1

    def examples(self) -> SignalExamples:
        files = sorted(p for p in EXAMPLES_DIR.iterdir() if p.suffix != ".md")
        return SignalExamples(
            hashes=(hashlib.new(self.algorithm, b"").hexdigest(), "0" * self.hex_length),
            invalid=("", "0" * (self.hex_length - 1), "g" * self.hex_length, "0x" + "0" * 30),
            files=tuple((p, _digest_of(self.algorithm, p)) for p in files),
        )


def _digest_of(algorithm: str, path: Path) -> str:
    """One-shot digest, to check the streaming one against."""
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


class MD5Signal(ExactSignal):
    name = "md5"
    title = "MD5"
    algorithm = "md5"
    hex_length = 32

    def normalise(self, text: str) -> str:
        value = clean_hex(text, self.hex_length)
        if value is None:
            raise InvalidInput(
                "MD5 hash {value} is not 32 hexadecimal characters.",
                hint="An MD5 hash is 128 bits written as 32 hex digits (0-9, a-f).",
                value=shown(text),
            )
        return value


class SHA256Signal(ExactSignal):
    name = "sha256"
    title = "SHA-256"
    algorithm = "sha256"
    hex_length = 64

    def normalise(self, text: str) -> str:
        value = clean_hex(text, self.hex_length)
        if value is None:
            raise InvalidInput(
                "SHA-256 hash {value} is not 64 hexadecimal characters.",
                hint="A SHA-256 hash is 256 bits written as 64 hex digits (0-9, a-f).",
                value=shown(text),
            )
        return value


__all__ = ["ExactSignal", "MD5Signal", "SHA256Signal", "file_digests"]
