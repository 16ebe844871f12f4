"""The registry of exchange formats, by stable name, with lookups by media type and suffix.

Built-ins and plugins register the same way, through the ``cthub.exchange_formats``
entry-point group; until the package's entry points are installed the built-ins below are
loaded directly. A second class under a taken name raises ``ValueError``.
"""

from __future__ import annotations

from cthub.core.errors import NotFound
from cthub.core.plugins import Registry

from .base import ExchangeFormat

ENTRY_POINT_GROUP = "cthub.exchange_formats"
BUILTINS = (
    "cthub.exchange.formats.stix:StixFormat",
    "cthub.exchange.formats.misp:MispFormat",
    "cthub.exchange.formats.ftm:FtmFormat",
)


def _no_format(name: str, names: str) -> NotFound:
    return NotFound(
        "No exchange format named {name}.", hint="Use one of: {names}.", name=name, names=names
    )


class FormatRegistry(Registry[ExchangeFormat]):
    """Exchange formats by name."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP, BUILTINS, _no_format, kind="exchange format")

    def for_media_type(self, media_type: str) -> ExchangeFormat:
        """The format served as ``media_type`` (parameters such as ``version=2.1`` count)."""
        wanted = media_type.replace(" ", "").lower()
        for fmt in self.all():
            if fmt.media_type.replace(" ", "").lower() == wanted:
                return fmt
        raise NotFound(
            "No exchange format has the media type {media_type}.",
            hint="Use one of: {names}.",
            media_type=media_type[:100],
            names=", ".join(f.media_type for f in self.all()),
        )

    def for_filename(self, filename: str) -> ExchangeFormat | None:
        """The format whose suffix ``filename`` ends with (longest suffix first), if any."""
        formats = sorted(self.all(), key=lambda f: len(f.suffix), reverse=True)
        return next((f for f in formats if filename.lower().endswith(f.suffix)), None)


registry = FormatRegistry()

__all__ = ["BUILTINS", "ENTRY_POINT_GROUP", "FormatRegistry", "registry"]
