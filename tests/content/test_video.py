"""vPDQ: videos made here with PyAV; a re-encoded, resized copy matches, an unrelated one not."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance

from cthub.content.signals import VideoFrame, VideoPDQSignal, match_videos
from cthub.content.signals.video import NO_USABLE_FRAME, parse, serialise
from cthub.core.errors import InvalidInput

FIXTURES = Path(__file__).parents[1] / "fixtures" / "content"
#: Six scenes; the LabelMe photos of quality < 80 (and q0122, whose detail does not survive a
#: downscale to 224x168) are left out.
PHOTOS = [
    *sorted((FIXTURES / "pdq-reference/labelme-subset").glob("*.jpg"))[3:],
    FIXTURES / "exif/upright.jpg",
    FIXTURES / "pdq-reference/dih/bridge-1-original.jpg",
]
FPS = 10
SIZE = (320, 240)
#: libx264 where this FFmpeg build has it, so the copy is a real change of codec.
COPY_CODEC = "libx264" if "libx264" in av.codecs_available else "mpeg4"


def _photo_scenes() -> list[Image.Image]:
    scenes = []
    for path in PHOTOS:
        with Image.open(path) as im:
            scenes.append(im.convert("RGB").resize((360, 270)))
    return scenes


def _shape_scenes(count: int) -> list[Image.Image]:
    rng = np.random.default_rng(5)
    scenes = []
    for _ in range(count):
        im = Image.new("RGB", (360, 270), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(im)
        for _ in range(8):
            x, y = (int(v) for v in rng.integers(0, 300, 2))
            box = (x, y, x + int(rng.integers(20, 160)), y + int(rng.integers(20, 160)))
            draw.ellipse(box, fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        scenes.append(im)
    return scenes


def _frames(scenes: Iterable[Image.Image]) -> Iterable[Image.Image]:
    """One second per scene, slowly brightening (so frames differ a little).

    Not a pan: PDQ is not robust to translation (a shift of 3 % of the width moves about 60
    bits), so a panning shot is many distinct frames to vPDQ, as it is upstream.
    """
    for scene in scenes:
        still = scene.crop((0, 0, *SIZE))
        for k in range(FPS):
            yield ImageEnhance.Brightness(still).enhance(1 + 0.015 * k)


def write_video(path: Path, frames: Iterable[Image.Image], codec: str = "mpeg4") -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=FPS)
        first = True
        for image in frames:
            if first:
                stream.width, stream.height = image.size
                stream.pix_fmt = "yuv420p"
                stream.bit_rate = 1_500_000  # FFmpeg's default (200 kb/s) smears the frames
                first = False
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def reencode(src: Path, dst: Path, size: tuple[int, int], codec: str) -> Path:
    """Decode ``src`` and encode it again, resized, with another codec and a low bitrate."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = out.add_stream(codec, rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 400_000
        for index, frame in enumerate(inp.decode(video=0)):
            small = frame.reformat(width=size[0], height=size[1], format="yuv420p")
            small.pts, small.time_base = index, Fraction(1, FPS)
            for packet in stream.encode(small):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dst


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("videos")
    photos = _photo_scenes()
    original = write_video(root / "original.mp4", _frames(photos))
    return {
        "original": original,
        "copy": reencode(original, root / "copy.mkv", (224, 168), COPY_CODEC),
        "clip": write_video(root / "clip.mp4", _frames(photos[:3])),
        "unrelated": write_video(root / "unrelated.mp4", _frames(_shape_scenes(len(photos)))),
    }


@pytest.fixture(scope="module")
def hashes(videos: dict[str, Path]) -> dict[str, tuple[VideoFrame, ...]]:
    signal = VideoPDQSignal()
    out = {}
    for name, path in videos.items():
        frames = signal.hash_frames(path)
        assert frames is not None, name
        out[name] = frames
    return out


def test_one_frame_per_second_and_near_duplicates_dropped(
    hashes: dict[str, tuple[VideoFrame, ...]], videos: dict[str, Path]
) -> None:
    frames = hashes["original"]
    assert [f.timestamp for f in frames] == [float(i) for i in range(len(PHOTOS))]
    assert all(f.quality >= 50 for f in frames)
    every = VideoPDQSignal(dedupe_distance=-1).hash_frames(videos["original"])
    assert every is not None
    assert len(every) == len(PHOTOS)  # sampled at 1/s: one per scene already
    fine = VideoPDQSignal(interval=0.2).hash_frames(videos["original"])
    assert fine is not None
    assert len(fine) < 5 * len(PHOTOS), "the slow pan within a scene is deduplicated"


def test_reencoded_resized_copy_matches(
    hashes: dict[str, tuple[VideoFrame, ...]], videos: dict[str, Path]
) -> None:
    with av.open(str(videos["copy"])) as copy:
        assert (copy.streams.video[0].width, copy.streams.video[0].height) == (224, 168)
    result = match_videos(hashes["copy"], hashes["original"])
    assert result.is_match
    assert result.query_match_percent >= 80
    assert result.compared_match_percent >= 80
    assert match_videos(hashes["original"], hashes["copy"]).is_match


def test_unrelated_video_does_not_match(hashes: dict[str, tuple[VideoFrame, ...]]) -> None:
    result = match_videos(hashes["unrelated"], hashes["original"])
    assert not result.is_match
    assert result.query_match_percent < 20
    signal = VideoPDQSignal()
    assert signal.distance(serialise(hashes["unrelated"]), serialise(hashes["original"])) > 20
    assert signal.distance(serialise(hashes["copy"]), serialise(hashes["original"])) <= 20


def test_a_clip_matches_its_source_unless_both_shares_are_required(
    hashes: dict[str, tuple[VideoFrame, ...]],
) -> None:
    clip, full = hashes["clip"], hashes["original"]
    result = match_videos(clip, full)
    assert result.is_match
    assert result.query_match_percent == 100.0
    assert result.compared_match_percent < 80
    assert not match_videos(clip, full, compared_match_percent=80.0).is_match
    assert not match_videos(full, clip).is_match  # most of the full video is not in the clip


def test_serialise_and_parse_round_trip(hashes: dict[str, tuple[VideoFrame, ...]]) -> None:
    text = serialise(hashes["original"])
    assert text.startswith("vpdq1;0.000:")
    assert ";" in text
    assert "," not in text
    assert "\n" not in text
    assert parse(text) == hashes["original"]
    assert VideoPDQSignal().normalise(text.upper()) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not in the vpdq1 format"),
        ("vpdq1", "is not in the vpdq1 format"),
        ("pdq;0:100:" + "0" * 64, "is not in the vpdq1 format"),
        ("vpdq1;0:100:" + "0" * 63, "frame 1 is not seconds:quality:pdq"),
        ("vpdq1;0:100:" + "0" * 64 + ";1:101:" + "0" * 64, "frame 2 is not seconds:quality:pdq"),
        ("vpdq1;2:100:" + "0" * 64 + ";1:100:" + "0" * 64, "frame 2 is earlier"),
        ("vpdq1;x:100:" + "0" * 64, "frame 1 is not"),
    ],
)
def test_parse_rejects_malformed_strings(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(text)


def test_a_static_video_is_one_frame(tmp_path: Path) -> None:
    scene = _photo_scenes()[0].crop((0, 0, *SIZE))
    path = write_video(tmp_path / "still.mp4", [scene] * (FPS * 4))
    result = VideoPDQSignal().hash_file(path)
    assert result is not None
    assert result.usable
    assert len(parse(result.value)) == 1


def test_a_featureless_video_is_kept_but_not_usable(tmp_path: Path) -> None:
    path = write_video(tmp_path / "black.mp4", [Image.new("RGB", SIZE)] * (FPS * 2))
    result = VideoPDQSignal().hash_file(path)
    assert result is not None
    assert not result.usable
    assert result.reason == NO_USABLE_FRAME
    frames = parse(result.value)
    assert not match_videos(frames, frames).is_match


def test_display_rotation_is_applied(
    tmp_path: Path, hashes: dict[str, tuple[VideoFrame, ...]]
) -> None:
    sideways = [im.transpose(Image.Transpose.ROTATE_90) for im in _frames(_photo_scenes())]
    path = tmp_path / "phone.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=FPS)
        stream.width, stream.height = sideways[0].size
        stream.pix_fmt, stream.bit_rate = "yuv420p", 1_500_000
        stream.set_display_rotation(-90)  # players turn it 90 degrees clockwise
        for image in sideways:
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    turned = VideoPDQSignal().hash_frames(path)
    raw = VideoPDQSignal(rotation=False).hash_frames(path)
    assert turned is not None
    assert raw is not None
    assert match_videos(turned, hashes["original"]).query_match_percent == 100.0
    assert match_videos(raw, hashes["original"]).query_match_percent < 20


def test_not_videos(tmp_path: Path) -> None:
    signal = VideoPDQSignal()
    assert signal.hash_file(FIXTURES / "exif/upright.jpg") is None
    assert signal.hash_file(FIXTURES / "bad/text.jpg") is None
    assert signal.hash_file(FIXTURES / "bad/empty.jpg") is None
    assert signal.hash_file(FIXTURES / "bad/junk.bin") is None
    playlist = tmp_path / "list.m3u8"
    playlist.write_text("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n")
    assert signal.hash_file(playlist) is None


def test_frame_size_cap(videos: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match=r"original.mp4: the video frames are 320x240 pixels"):
        VideoPDQSignal(max_pixels=10_000).hash_frames(videos["original"])
    with pytest.raises(InvalidInput, match="longer than 3 sampled frames"):
        VideoPDQSignal(max_frames=3).hash_frames(videos["original"])
