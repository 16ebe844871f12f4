"""The vPDQ hash of a video: its text form and vPDQ's frame-by-frame comparison.

A hash is the list of kept frames, stored as ``vpdq1;<seconds>:<quality>:<pdq hex>;...``:
plain text, one line, safe in CSV and JSON; ``parse`` validates it on the way back in (at
most ``MAX_FRAMES`` frames, timestamps in order, qualities 0-100).

``match_videos`` is vPDQ's brute-force comparison: of the query's distinct frames of quality
>= 50, the share within 31 bits of some frame of the compared video, and the same share the
other way round. It is a match when the query share reaches ``query_match_percent`` (80) and
the compared share reaches ``compared_match_percent``. The compared default is 0 as in
python-threatexchange, so a clip matches the full video it was cut from; raise it to ask
for the whole compared video as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

from .base import shown
from .pdq import MATCH_DISTANCE, MIN_QUALITY

PREFIX = "vpdq1"
QUERY_MATCH_PERCENT = 80.0
COMPARED_MATCH_PERCENT = 0.0
#: 10 hours at one frame a second; also the most frames ``parse`` accepts.
MAX_FRAMES = 36_000
_FRAME = re.compile(r"(\d{1,7}(?:\.\d{1,3})?):(\d{1,3}):([0-9a-f]{64})")
FORMAT_HINT = N_(
    "Write vpdq1 then frames seconds:quality:pdq, all separated by semicolons, "
    "e.g. vpdq1;0.000:100:<64 hex digits>."
)


@dataclass(frozen=True)
class VideoFrame:
    """One kept frame: seconds from the first frame, PDQ quality, PDQ hash (hex)."""

    timestamp: float
    quality: int
    pdq: str


@dataclass(frozen=True)
class VideoMatch:
    """vPDQ's two shares, in percent, and whether they pass the thresholds asked for."""

    query_match_percent: float
    compared_match_percent: float
    is_match: bool


def serialise(frames: Sequence[VideoFrame]) -> str:
    """The ``vpdq1;...`` string of ``frames``."""
    return ";".join([PREFIX, *(f"{f.timestamp:.3f}:{f.quality}:{f.pdq}" for f in frames)])


def parse(text: str) -> tuple[VideoFrame, ...]:
    """The frames of a ``vpdq1;...`` string; ``InvalidInput`` naming the value if malformed."""
    count = text.count(";")
    if count > MAX_FRAMES:  # before splitting a huge string
        raise InvalidInput(
            "vPDQ hash {value} has {count} frames, more than the limit of {limit}.",
            value=shown(text),
            count=count,
            limit=MAX_FRAMES,
        )
    head, *parts = text.strip().lower().split(";")
    if head != PREFIX or not parts:
        raise InvalidInput(
            "vPDQ hash {value} is not in the vpdq1 format.", hint=FORMAT_HINT, value=shown(text)
        )
    frames: list[VideoFrame] = []
    for index, part in enumerate(parts, start=1):
        m = _FRAME.fullmatch(part)
        if m is None or int(m[2]) > 100:
            raise InvalidInput(
                "vPDQ hash {value}: frame {index} is not seconds:quality:pdq.",
                hint=FORMAT_HINT,
                value=shown(text),
                index=index,
            )
        frame = VideoFrame(float(m[1]), int(m[2]), m[3])
        if frames and frame.timestamp < frames[-1].timestamp:
            raise InvalidInput(
                "vPDQ hash {value}: frame {index} is earlier than the frame before it.",
                value=shown(text),
                index=index,
            )
        frames.append(frame)
    return tuple(frames)


def _words(hashes: list[str]) -> np.ndarray[Any, Any]:
    return np.array([[int(h[i : i + 16], 16) for i in range(0, 64, 16)] for h in hashes], np.uint64)


def _near(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], limit: int) -> np.ndarray[Any, Any]:
    """For each row of ``a``, whether some row of ``b`` is within ``limit`` bits."""
    out = np.zeros(len(a), dtype=bool)
    step = max(1, 1_000_000 // max(len(b), 1))
    for start in range(0, len(a), step):
        bits = np.bitwise_count(a[start : start + step, None, :] ^ b[None, :, :]).sum(axis=2)
        out[start : start + step] = (bits <= limit).any(axis=1)
    return out


def match_videos(
    query: Sequence[VideoFrame],
    compared: Sequence[VideoFrame],
    *,
    frame_distance: int = MATCH_DISTANCE,
    min_quality: int = MIN_QUALITY,
    query_match_percent: float = QUERY_MATCH_PERCENT,
    compared_match_percent: float = COMPARED_MATCH_PERCENT,
) -> VideoMatch:
    """vPDQ brute-force match of ``query`` against ``compared`` (see the module doc).

    Frames below ``min_quality`` and repeated hashes are left out on both sides; a side left
    with no frame gives 0 % and no match.
    """
    q = sorted({f.pdq for f in query if f.quality >= min_quality})
    c = sorted({f.pdq for f in compared if f.quality >= min_quality})
    if not q or not c:
        return VideoMatch(0.0, 0.0, False)
    qw, cw = _words(q), _words(c)
    q_pct = int(_near(qw, cw, frame_distance).sum()) * 100 / len(q)
    c_pct = int(_near(cw, qw, frame_distance).sum()) * 100 / len(c)
    ok = q_pct >= query_match_percent and c_pct >= compared_match_percent
    return VideoMatch(q_pct, c_pct, ok)


__all__ = [
    "COMPARED_MATCH_PERCENT",
    "MAX_FRAMES",
    "PREFIX",
    "QUERY_MATCH_PERCENT",
    "VideoFrame",
    "VideoMatch",
    "match_videos",
    "parse",
    "serialise",
]
