"""The one extension point for content hashes: ``SignalType``, its results and its registry.

A signal type turns a file into a hash string (PDQ, MD5, a video's frame list, ...), checks and
normalises hash strings that arrive from partners or users, and measures how far apart two
hashes are. Matching is ``distance(a, b) <= threshold``; each signal states the threshold it
is used with by default. A signal that does not apply to a file (PDQ given a text file) says
so by returning ``None`` from ``hash_file``; a file the signal applies to but cannot read (a
truncated JPEG) raises ``InvalidInput`` naming the file.

Built-in and plugin signals register the same way, through the ``cthub.content_signals``
entry-point group; ``registry`` rejects a second class under a name already taken. Each signal
ships ``examples()``, which one contract test runs over every registered signal.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import NotFound
from cthub.core.plugins import Registry

ENTRY_POINT_GROUP = "cthub.content_signals"
_BUILTINS = (
    "cthub.content.signals.pdq:PDQSignal",
    "cthub.content.signals.exact:MD5Signal",
    "cthub.content.signals.exact:SHA256Signal",
    "cthub.content.signals.video:VideoPDQSignal",
)
_HEX = re.compile(r"[0-9a-f]+")
EXAMPLES_DIR = Path(__file__).with_name("examples")


class ContentKind(StrEnum):
    """What a signal hashes: images, videos, or any file at all (exact hashes)."""

    IMAGE = "image"
    VIDEO = "video"
    FILE = "file"


@dataclass(frozen=True)
class SignalHash:
    """One hash of one file.

    ``value`` is the normalised hash string. ``quality`` is the signal's own 0-100 measure
    where it has one (PDQ), else ``None``. ``usable`` is false when the hash is kept but must
    not be matched (a PDQ hash of a flat image); ``reason`` then says why, as a msgid.
    """

    signal: str
    value: str
    quality: int | None = None
    usable: bool = True
    reason: str = ""


@dataclass(frozen=True)
class SignalExamples:
    """What the contract test checks for one signal.

    ``hashes``: canonical hash strings, each returned unchanged by ``normalise``.
    ``invalid``: strings ``normalise`` must reject with ``InvalidInput``.
    ``files``: sample files with the hash expected for each (within ``default_threshold``), or
    ``None`` where the signal does not apply to that file.
    """

    hashes: tuple[str, ...]
    invalid: tuple[str, ...]
    files: tuple[tuple[Path, str | None], ...] = ()


class SignalType(ABC):
    """A kind of content hash. ``name`` is stable: it is stored with every hash and exported."""

    name: ClassVar[str]
    title: ClassVar[str]
    content: ClassVar[ContentKind]
    #: ``distance(a, b) <= default_threshold`` counts as a match unless the caller says otherwise.
    default_threshold: ClassVar[int]

    @abstractmethod
    def normalise(self, text: str) -> str:
        """The canonical form of hash ``text``; ``InvalidInput`` naming the value if not one."""

    @abstractmethod
    def hash_file(self, path: Path) -> SignalHash | None:
        """The hash of ``path``; ``None`` when the signal does not apply to that content.

        Raises ``InvalidInput`` naming the file when it cannot be read, or when it is content
        of the right kind that is corrupt or over a safety limit.
        """

    @abstractmethod
    def distance(self, a: str, b: str) -> int:
        """How far apart two hashes are (0 = identical); both are normalised first."""

    @abstractmethod
    def examples(self) -> SignalExamples:
        """Sample hashes and files for the contract tests run over every signal."""

    def matches(self, a: str, b: str, threshold: int | None = None) -> bool:
        """Whether ``a`` and ``b`` are within ``threshold`` (default: ``default_threshold``)."""
        limit = self.default_threshold if threshold is None else threshold
        return self.distance(a, b) <= limit


def clean_hex(text: str, length: int) -> str | None:
    """``text`` stripped and lower-cased if it is exactly ``length`` hex digits, else ``None``."""
    value = text.strip().lower()
    if len(value) != length or not _HEX.fullmatch(value):
        return None
    return value


def shown(text: str, limit: int = 80) -> str:
    """``text`` as quoted in an error message: repr, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex strings of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _no_signal(name: str, names: str) -> NotFound:
    return NotFound(
        "No content signal named {name}.", hint="Use one of: {names}.", name=name, names=names
    )


class SignalRegistry(Registry[SignalType]):
    """Signals by name. A second class under a taken name raises ``ValueError``."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP, _BUILTINS, _no_signal, kind="signal")

    def for_content(self, kind: ContentKind) -> list[SignalType]:
        """The signals that hash ``kind`` content, plus those that hash any file."""
        return [s for s in self.all() if s.content in (kind, ContentKind.FILE)]


registry = SignalRegistry()

__all__ = [
    "EXAMPLES_DIR",
    "ContentKind",
    "SignalExamples",
    "SignalHash",
    "SignalRegistry",
    "SignalType",
    "clean_hex",
    "hamming",
    "registry",
    "shown",
]
