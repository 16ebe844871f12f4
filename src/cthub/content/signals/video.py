"""vPDQ-style video hashes: PDQ of one frame per second, near-duplicates dropped.

Hashing follows Meta's vPDQ: decode the video (PyAV), take the first frame at or after every
``interval`` seconds, PDQ-hash it, and keep it unless it is within ``dedupe_distance`` bits of
the last frame kept (a static shot becomes one frame, not sixty). The result is the
``vpdq1;...`` string of ``vpdq`` (format, ``parse`` and ``match_videos`` live there).
``VideoPDQSignal.distance(a, b)`` is ``ceil(100 - share of query a's frames matched in b)``,
so ``default_threshold = 20`` is vPDQ's 80 % rule; it is directional on purpose (a clip is
in the full video, not the other way round).

Only real video containers are opened (``VIDEO_FORMATS``; an image or a playlist is not a
video) and only local files are read (``protocol_whitelist=file``). Frames are scaled down
(area filter) by the power of two that keeps the short side at least ``work_size``, as
images are, and turned by the stream's display matrix (phone videos stored sideways), as
players and the EXIF step for images do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import av
import numpy as np

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

from .base import EXAMPLES_DIR, ContentKind, SignalExamples, SignalHash, SignalType, hamming
from .images import DEFAULT_MAX_PIXELS, DEFAULT_WORK_SIZE, UNREADABLE, reduction
from .pdq import MIN_QUALITY, pdq_from_rgb
from .vpdq import (
    COMPARED_MATCH_PERCENT,
    MAX_FRAMES,
    PREFIX,
    QUERY_MATCH_PERCENT,
    VideoFrame,
    VideoMatch,
    match_videos,
    parse,
    serialise,
)

VIDEO_FORMATS = frozenset(
    {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "flv", "mpegts", "mpeg", "ogg", "asf"}
    | {"gif", "h264", "hevc", "m4v", "mpegvideo", "ivf", "nut", "rm", "swf", "yuv4mpegpipe"}
)
NO_USABLE_FRAME = N_(
    "No frame has quality 50 or more: the video has too little detail to match on."
)


def _video_stream(container: Any) -> Any:
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


class VideoPDQSignal(SignalType):
    """vPDQ for video files; one ``SignalHash`` whose value is the ``vpdq1;...`` string."""

    name = "vpdq"
    title = "vPDQ (video PDQ)"
    content: ClassVar[ContentKind] = ContentKind.VIDEO
    default_threshold: ClassVar[int] = math.ceil(100 - QUERY_MATCH_PERCENT)

    def __init__(
        self,
        *,
        interval: float = 1.0,
        dedupe_distance: int = 10,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        work_size: int = DEFAULT_WORK_SIZE,
        max_frames: int = MAX_FRAMES,
        rotation: bool = True,
    ) -> None:
        self.interval = interval
        self.dedupe_distance = dedupe_distance
        self.max_pixels = max_pixels
        self.work_size = work_size
        self.max_frames = max_frames
        self.rotation = rotation

    def normalise(self, text: str) -> str:
        return serialise(parse(text))

    def hash_file(self, path: Path) -> SignalHash | None:
        frames = self.hash_frames(path)
        if frames is None:
            return None
        usable = any(f.quality >= MIN_QUALITY for f in frames)
        return SignalHash(
            self.name, serialise(frames), None, usable, "" if usable else NO_USABLE_FRAME
        )

    def hash_frames(self, path: Path) -> tuple[VideoFrame, ...] | None:
        """The kept frames of ``path``; ``None`` if it is not a video container we read."""
        try:
            container = av.open(str(path), options={"protocol_whitelist": "file"})
        except UNREADABLE as exc:
            raise InvalidInput(
                "{path}: cannot read the file ({reason}).",
                hint="Check that the path names a readable file.",
                path=str(path),
                reason=exc.strerror or type(exc).__name__,
            ) from exc
        except (av.error.FFmpegError, OSError, UnicodeDecodeError):
            return None
        with container:
            stream = _video_stream(container)
            if container.format.name not in VIDEO_FORMATS or stream is None:
                return None
            frames = tuple(self._dedupe(self._sample(path, container, stream)))
        if not frames:
            raise InvalidInput(
                "{path}: no video frame could be decoded.",
                hint="Hash the original file; a partial download or a damaged copy cannot be read.",
                path=str(path),
            )
        return frames

    def _sample(self, path: Path, container: Any, stream: Any) -> Iterator[VideoFrame]:
        stream.thread_type = "AUTO"
        start: float | None = None
        due = 0.0
        count = 0
        try:
            for index, frame in enumerate(container.decode(stream)):
                when = (
                    frame.time
                    if frame.time is not None
                    else index / float(stream.average_rate or 1)
                )
                start = when if start is None else start
                if when - start + 1e-6 < due:
                    continue
                due = (math.floor((when - start) / self.interval + 1e-6) + 1) * self.interval
                count += 1
                self._check(path, frame.width, frame.height, count)
                pdq, quality = pdq_from_rgb(self._pixels(frame))
                yield VideoFrame(round(when - start, 3), quality, pdq)
        except av.error.FFmpegError as exc:
            raise InvalidInput(
                "{path}: the video is truncated or corrupt ({reason}).",
                hint="Hash the original file; a partial download or a damaged copy cannot be read.",
                path=str(path),
                reason=str(exc)[:120],
            ) from exc

    def _pixels(self, frame: Any) -> np.ndarray[Any, Any]:
        """The frame as RGB, reduced like images are, turned upright by its display matrix."""
        f = reduction((frame.width, frame.height), self.work_size)
        pixels: np.ndarray[Any, Any] = frame.to_ndarray(
            format="rgb24", width=frame.width // f, height=frame.height // f, interpolation="AREA"
        )
        turns = round((frame.rotation or 0) / 90) % 4 if self.rotation else 0
        return np.rot90(pixels, turns) if turns else pixels

    def _check(self, path: Path, width: int, height: int, count: int) -> None:
        if width * height > self.max_pixels:
            raise InvalidInput(
                "{path}: the video frames are {width}x{height} pixels, "
                "over the limit of {limit} pixels.",
                hint="This limit guards against decompression bombs; raise max_pixels if the "
                "video is genuine.",
                path=str(path),
                width=width,
                height=height,
                limit=self.max_pixels,
            )
        if count > self.max_frames:
            raise InvalidInput(
                "{path}: the video is longer than {limit} sampled frames.",
                hint="Cut the video into parts, or raise max_frames.",
                path=str(path),
                limit=self.max_frames,
            )

    def _dedupe(self, frames: Iterator[VideoFrame]) -> Iterator[VideoFrame]:
        last: str | None = None
        for frame in frames:
            if last is None or hamming(last, frame.pdq) > self.dedupe_distance:
                last = frame.pdq
                yield frame

    def distance(self, a: str, b: str) -> int:
        """``ceil(100 - share of query a's frames matched in b)``: 0 to 100, directional."""
        m = match_videos(parse(a), parse(b))
        return math.ceil(100 - m.query_match_percent)

    def examples(self) -> SignalExamples:
        frame = "0.000:100:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
        return SignalExamples(
            hashes=(f"{PREFIX};{frame}", f"{PREFIX};{frame};1.000:40:{'0' * 64}"),
            invalid=(
                "",
                PREFIX,
                f"vpdq2;{frame}",
                f"{PREFIX};0:101:{'0' * 64}",
                f"{PREFIX};1:9:ff",
            ),
            files=(
                (EXAMPLES_DIR / "shapes.mp4", EXAMPLE_VPDQ),
                (EXAMPLES_DIR / "shapes.jpg", None),
                (EXAMPLES_DIR / "shapes.txt", None),
            ),
        )


#: vPDQ of ``examples/shapes.mp4`` (see ``examples/README.md``).
EXAMPLE_VPDQ = (
    "vpdq1;0.000:95:4af3a6b32a5330c238cd69c6869769a738c324b61b4d19cc39ed7873a696c73c"
    ";1.000:79:046d8c3cde33f3cd51cd1c7d9e79e1816303e31c9cfc1c714721e38f61863cb2"
    ";2.000:100:655249565752b69e4d2d375b5b529aa9a4adc8a592daa9a5aaada6ada9245952"
)

__all__ = [
    "COMPARED_MATCH_PERCENT",
    "QUERY_MATCH_PERCENT",
    "VideoFrame",
    "VideoMatch",
    "VideoPDQSignal",
    "match_videos",
    "parse",
    "serialise",
]
