"""Content hash signals: PDQ, MD5, SHA-256 and vPDQ, behind one ``SignalType`` extension point.

``registry.get(name)`` gives a signal by its stable name; plugins add signals through the
``cthub.content_signals`` entry-point group. See ``base`` for the contract.
"""

from __future__ import annotations

from .base import (
    ContentKind,
    SignalExamples,
    SignalHash,
    SignalRegistry,
    SignalType,
    registry,
)
from .exact import MD5Signal, SHA256Signal, file_digests
from .images import DEFAULT_MAX_PIXELS, DEFAULT_WORK_SIZE, load_rgb
from .pdq import DihedralHashes, PDQSignal, pdq_from_rgb
from .video import VideoFrame, VideoMatch, VideoPDQSignal, match_videos

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_WORK_SIZE",
    "ContentKind",
    "DihedralHashes",
    "MD5Signal",
    "PDQSignal",
    "SHA256Signal",
    "SignalExamples",
    "SignalHash",
    "SignalRegistry",
    "SignalType",
    "VideoFrame",
    "VideoMatch",
    "VideoPDQSignal",
    "file_digests",
    "load_rgb",
    "match_videos",
    "pdq_from_rgb",
    "registry",
]
