"""PDQ, Meta's perceptual image hash: 256 bits (64 hex digits) plus a quality from 0 to 100.

Hashing is the C++ reference code through the ``pdqhash`` binding; ``images.load_rgb`` decodes
the file (safe formats, pixel cap, JPEG draft decoding, EXIF orientation). Two images match
when their hashes differ in at most 31 bits, the threshold ThreatExchange uses. A hash of
quality below 50 (a flat or nearly featureless image) is still returned but marked not
``usable``: such hashes collide with many unrelated images, so upstream does not match on them.

Rotations and flips change a PDQ hash completely. ``hash_dihedral`` gives all eight dihedral
variants of an image in one pass, so a caller can check whether a query is a rotated or
mirrored copy of a known image (``DihedralHashes.nearest``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pdqhash
from PIL import Image

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

from .base import (
    EXAMPLES_DIR,
    ContentKind,
    SignalExamples,
    SignalHash,
    SignalType,
    clean_hex,
    hamming,
    shown,
)
from .images import DEFAULT_MAX_PIXELS, DEFAULT_WORK_SIZE, load_rgb

HEX_LENGTH = 64
#: Below this quality a hash is kept but not matched on (ThreatExchange's default).
MIN_QUALITY = 50
MATCH_DISTANCE = 31
LOW_QUALITY = N_("Quality below 50: the image has too little detail to match on.")


def _hex(vector: Any) -> str:
    """The 64-hex-digit form of pdqhash's 256-element bit vector (first element = top bit)."""
    return bytes(np.packbits(np.asarray(vector, dtype=np.uint8))).hex()


def pdq_from_rgb(pixels: np.ndarray[Any, Any]) -> tuple[str, int]:
    """PDQ hash (hex) and quality of an ``(height, width, 3)`` uint8 RGB array."""
    vector, quality = pdqhash.compute(np.ascontiguousarray(pixels, dtype=np.uint8))
    return _hex(vector), int(quality)


@dataclass(frozen=True)
class DihedralHashes:
    """The PDQ hashes of an image and of its seven rotations and flips, in pdqhash's order."""

    original: str
    rotate90: str
    rotate180: str
    rotate270: str
    flip_x: str
    flip_y: str
    flip_plus1: str
    flip_minus1: str
    quality: int

    def variants(self) -> dict[str, str]:
        """Variant name -> hash, for the eight transformations."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "quality"}

    def nearest(self, query: str) -> tuple[str, int]:
        """The variant closest to ``query`` (a normalised PDQ hash) and its distance."""
        return min(
            ((name, hamming(query, value)) for name, value in self.variants().items()),
            key=lambda pair: pair[1],
        )


class PDQSignal(SignalType):
    """PDQ for images. The options bound decoding work; the defaults suit untrusted uploads."""

    name = "pdq"
    title = "PDQ"
    content: ClassVar[ContentKind] = ContentKind.IMAGE
    default_threshold: ClassVar[int] = MATCH_DISTANCE

    def __init__(
        self,
        *,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        work_size: int = DEFAULT_WORK_SIZE,
        exif: bool = True,
        min_quality: int = MIN_QUALITY,
    ) -> None:
        self.max_pixels = max_pixels
        self.work_size = work_size
        self.exif = exif
        self.min_quality = min_quality

    def normalise(self, text: str) -> str:
        value = clean_hex(text, HEX_LENGTH)
        if value is None:
            raise InvalidInput(
                "PDQ hash {value} is not 64 hexadecimal characters.",
                hint="A PDQ hash is 256 bits written as 64 hex digits (0-9, a-f).",
                value=shown(text),
            )
        return value

    def load(self, path: Path) -> Image.Image | None:
        """``path`` decoded as this signal hashes it (see ``images.load_rgb``)."""
        return load_rgb(path, max_pixels=self.max_pixels, work_size=self.work_size, exif=self.exif)

    def hash_file(self, path: Path) -> SignalHash | None:
        image = self.load(path)
        return None if image is None else self.hash_image(image)

    def hash_image(self, image: Image.Image) -> SignalHash:
        """The hash of an already decoded image (converted to RGB, no resizing)."""
        return self.result(*pdq_from_rgb(np.asarray(image.convert("RGB"))))

    def result(self, value: str, quality: int) -> SignalHash:
        """A ``SignalHash`` for a computed hash, flagged unusable below ``min_quality``."""
        usable = quality >= self.min_quality
        return SignalHash(self.name, value, quality, usable, "" if usable else LOW_QUALITY)

    def hash_dihedral(self, path: Path) -> DihedralHashes | None:
        """All eight rotation/flip hashes of ``path``; ``None`` if it is not an image."""
        image = self.load(path)
        if image is None:
            return None
        vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(image, dtype=np.uint8))
        h = [_hex(v) for v in vectors]
        return DihedralHashes(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], int(quality))

    def distance(self, a: str, b: str) -> int:
        """Hamming distance in bits, 0 to 256."""
        return hamming(self.normalise(a), self.normalise(b))

    def examples(self) -> SignalExamples:
        return SignalExamples(
            hashes=(
                "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
                "0" * HEX_LENGTH,
            ),
            invalid=("", "f8f8", "z" * HEX_LENGTH, "0" * (HEX_LENGTH + 1), "0x" + "0" * 62),
            files=(
                (EXAMPLES_DIR / "shapes.jpg", EXAMPLE_PDQ),
                (EXAMPLES_DIR / "shapes.txt", None),
            ),
        )


#: PDQ of ``examples/shapes.jpg`` (see ``examples/README.md``).
EXAMPLE_PDQ = "f1827284684996718e5386738d654625ad5853bceddc77bcb2da96da908b6c65"

__all__ = [
    "HEX_LENGTH",
    "MATCH_DISTANCE",
    "MIN_QUALITY",
    "DihedralHashes",
    "PDQSignal",
    "pdq_from_rgb",
]
