"""Benchmark: how often PDQ still matches after common edits, and how often it matches wrongly.

Originals: the upstream PDQ reference photos (``../shared/data/pdq-reference``; the test
fixtures when absent): the bridge, pen-and-coaster, c.png, the five LabelMe photos of
quality 100, and each 4032x3024 camera photo (``exif-rotn-1/6``, upright) whole and cut into
a 3x3 grid of 1344x1008 tiles, so 28 originals in all (the tiles are distinct pictures from the
same two scenes). Each original is saved as a quality-95 JPEG and hashed from the file.

Transformations, each applied to every original and hashed from a JPEG file (quality 90
unless stated): resize to half size; resize to 256 px wide; JPEG recompression at quality
50; a 5 % crop, centred (2.5 % off each edge) and off one corner (5 % off the left and top),
and for scale a 2 % centred crop (PDQ tolerates crops of 2-3 %, not 5 %); a small watermark
(white text with a dark outline, height 4 % of the image, bottom right); grayscale; and a
horizontal flip, compared plainly (PDQ is not flip-invariant) and through the dihedral check
(the nearest of the original's eight rotation/flip hashes). The table gives the share within
31 bits of the original (the default match threshold) and the median and maximum distance.

False matches: 10,000 unrelated 256x256 images generated procedurally in memory with a fixed
seed, 2,000 of each kind: linear and radial two-colour gradients with sinusoidal bands of
random strength and frequency (most are too smooth for quality 50 and are dropped, as they
would be in matching); random filled ellipses, rectangles, polygons and lines on a random
background; noise (Gaussian, uniform, or blurred at a random scale and contrast-stretched,
sometimes tinted); random words in random sizes and colours on a plain or gradient
background; and square crops (10-40 % of the short side, random offsets, some flipped) of
the five large reference photos (bridge, pen-and-coaster, c.png, both camera photos) resized
to 256x256. The last kind comes from the same
photos as the originals, so a "false" match there can be a real near-duplicate (a crop that
happens to cover a tile); it is reported on its own row. Hashes of quality < 50 are not
matched on (upstream's rule); the table says how many were dropped. A false match is an
unrelated image within 31 bits of any original.
Run: ``.venv/bin/python bench/content_robustness.py [--unrelated 10000]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from cthub.content.signals import PDQSignal
from cthub.content.signals.base import hamming

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "pdq-reference"
FIXTURES = ROOT / "tests" / "fixtures" / "content" / "pdq-reference"
SIDE = 256
THRESHOLD = 31
WORDS = ["report", "hub", "match", "review", "share", "list", "bank", "hash", "photo", "case"]


def originals() -> list[tuple[str, Image.Image]]:
    ref = SHARED if SHARED.exists() else FIXTURES
    names = ["dih/bridge-1-original.jpg", "pen-and-coaster.png", "misc-images/c.png"]
    names += [f"labelme-subset/q{n}.jpg" for n in ("0122", "0291", "0746", "1050", "2821")]
    out = []
    for name in [*names, "exif-rotn/exif-rotn-1.jpg", "exif-rotn/exif-rotn-6.jpg"]:
        if not (ref / name).exists():
            continue
        with Image.open(ref / name) as im:
            rgb = ImageOps.exif_transpose(im).convert("RGB")
        out.append((name, rgb))
        if "exif-rotn" in name:
            tw, th = rgb.width // 3, rgb.height // 3
            for i in range(9):
                x, y = (i % 3) * tw, (i // 3) * th
                out.append((f"{name}#tile{i}", rgb.crop((x, y, x + tw, y + th))))
    return out


def _watermark(im: Image.Image) -> Image.Image:
    out = im.copy()
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=max(8, im.height // 25))
    text = "(c) cthub sample"
    box = draw.textbbox((0, 0), text, font=font)
    x = im.width - (box[2] - box[0]) - im.width // 50
    y = im.height - (box[3] - box[1]) - im.height // 30
    draw.text((x, y), text, font=font, fill="white", stroke_width=1, stroke_fill="black")
    return out


def _crop(im: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = im.size
    return im.crop((int(w * left), int(h * top), int(w * (1 - right)), int(h * (1 - bottom))))


TRANSFORMS: dict[str, tuple[Callable[[Image.Image], Image.Image], int]] = {
    "resize to 50 %": (lambda im: im.resize((im.width // 2, im.height // 2), Image.LANCZOS), 90),
    "resize to 256 px wide": (
        lambda im: im.resize((256, max(1, im.height * 256 // im.width)), Image.LANCZOS),
        90,
    ),
    "JPEG quality 50": (lambda im: im, 50),
    "crop 2 %, centred": (lambda im: _crop(im, 0.01, 0.01, 0.01, 0.01), 90),
    "crop 5 %, centred": (lambda im: _crop(im, 0.025, 0.025, 0.025, 0.025), 90),
    "crop 5 %, one corner": (lambda im: _crop(im, 0.05, 0.05, 0, 0), 90),
    "small watermark text": (_watermark, 90),
    "grayscale": (lambda im: im.convert("L").convert("RGB"), 90),
    "flip (no dihedral check)": (lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 90),
}


def robustness(folder: Path, signal: PDQSignal) -> list[str]:
    """Print the per-transformation table; return the original hashes."""
    base: list[str] = []
    rows: dict[str, list[int]] = {name: [] for name in TRANSFORMS}
    rows["flip, dihedral check"] = []
    for i, (_name, im) in enumerate(originals()):
        path = folder / f"orig-{i}.jpg"
        im.save(path, quality=95)
        orig = signal.hash_file(path)
        assert orig is not None
        base.append(orig.value)
        for t, (fn, quality) in TRANSFORMS.items():
            out = folder / f"t-{i}.jpg"
            fn(im).save(out, quality=quality)
            moved = signal.hash_file(out)
            assert moved is not None
            rows[t].append(hamming(orig.value, moved.value))
            if t.startswith("flip"):
                dihedral = signal.hash_dihedral(path)
                assert dihedral is not None
                rows["flip, dihedral check"].append(dihedral.nearest(moved.value)[1])
    print(f"\nPDQ robustness over {len(base)} originals (match = distance <= {THRESHOLD})")
    print(f"{'transformation':<26} {'matched':>8} {'rate':>7} {'median':>7} {'max':>5}")
    for t, dist in rows.items():
        hit = sum(d <= THRESHOLD for d in dist)
        print(
            f"{t:<26} {hit:>4}/{len(dist):<3} {100 * hit / len(dist):>6.1f}% "
            f"{statistics.median(dist):>7.0f} {max(dist):>5}"
        )
    return base


def _gradient(rng: np.random.Generator) -> Image.Image:
    y, x = np.mgrid[0:SIDE, 0:SIDE] / SIDE
    if rng.random() < 0.5:
        angle = rng.uniform(0, np.pi)
        t = x * np.cos(angle) + y * np.sin(angle)
    else:
        cx, cy = rng.uniform(0, 1, 2)
        t = np.hypot(x - cx, y - cy)
    t = t + rng.uniform(0.1, 1.2) * np.sin(t * rng.uniform(4, 20) + rng.uniform(0, 6))
    a, b = rng.uniform(0, 255, (2, 3))
    arr = a + (b - a) * ((t - t.min()) / (np.ptp(t) or 1))[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in rng.integers(0, 256, 3))
    return (r, g, b)


def _shapes(rng: np.random.Generator) -> Image.Image:
    im = Image.new("RGB", (SIDE, SIDE), _colour(rng))
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(3, 15))):
        pts = [tuple(int(v) for v in p) for p in rng.integers(-40, SIDE + 40, (3, 2))]
        kind = int(rng.integers(0, 4))
        box = (min(pts[0][0], pts[1][0]), min(pts[0][1], pts[1][1]))
        box2 = (max(pts[0][0], pts[1][0]) + 5, max(pts[0][1], pts[1][1]) + 5)
        if kind == 0:
            draw.ellipse((*box, *box2), fill=_colour(rng))
        elif kind == 1:
            draw.rectangle((*box, *box2), fill=_colour(rng))
        elif kind == 2:
            draw.polygon(pts, fill=_colour(rng))
        else:
            draw.line(pts, fill=_colour(rng), width=int(rng.integers(1, 12)))
    return im


def _noise(rng: np.random.Generator) -> Image.Image:
    kind = int(rng.integers(0, 3))
    if kind == 0:
        arr = rng.normal(128, rng.uniform(10, 80), (SIDE, SIDE, 3))
    else:
        arr = rng.uniform(0, 255, (SIDE, SIDE, 3))
    im = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    if kind == 2:
        im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(1, 12))))
        im = ImageOps.autocontrast(im)
    if rng.random() < 0.5:
        im = Image.blend(im, Image.new("RGB", im.size, _colour(rng)), 0.4)
    return im


def _text(rng: np.random.Generator) -> Image.Image:
    im = _gradient(rng) if rng.random() < 0.5 else Image.new("RGB", (SIDE, SIDE), _colour(rng))
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(1, 8))):
        words = " ".join(rng.choice(WORDS, int(rng.integers(1, 4))))
        font = ImageFont.load_default(size=int(rng.integers(10, 60)))
        xy = (int(rng.integers(-20, SIDE - 20)), int(rng.integers(-10, SIDE - 10)))
        draw.text(xy, words, font=font, fill=_colour(rng))
    return im


def _photo_crop(photos: list[Image.Image]) -> Callable[[np.random.Generator], Image.Image]:
    def make(rng: np.random.Generator) -> Image.Image:
        src = photos[int(rng.integers(0, len(photos)))]
        side = int(min(src.size) * rng.uniform(0.1, 0.4))
        x, y = int(rng.integers(0, src.width - side)), int(rng.integers(0, src.height - side))
        im = src.crop((x, y, x + side, y + side)).resize((SIDE, SIDE), Image.BILINEAR)
        return im.transpose(Image.Transpose.FLIP_TOP_BOTTOM) if rng.random() < 0.3 else im

    return make


def false_matches(base: list[str], count: int, signal: PDQSignal) -> None:
    photos = [im for name, im in originals() if "#" not in name and "labelme" not in name]
    kinds: dict[str, Callable[[np.random.Generator], Image.Image]] = {
        "gradients": _gradient,
        "shapes": _shapes,
        "noise": _noise,
        "text": _text,
        "photo crops": _photo_crop(photos),
    }
    rng = np.random.default_rng(2024)
    words = np.array([[int(h[i : i + 16], 16) for i in range(0, 64, 16)] for h in base], np.uint64)
    print(f"\nFalse matches: {count} unrelated images against {len(base)} originals")
    print(f"{'kind':<12} {'images':>7} {'q<50':>6} {'matched':>8} {'rate':>8} {'closest':>8}")
    total = dropped = matched = 0
    start = time.process_time()
    for name, make in kinds.items():
        n = count // len(kinds)
        low = hit = 0
        closest = 256
        for _ in range(n):
            result = signal.hash_image(make(rng))
            if not result.usable:
                low += 1
                continue
            q = np.array([int(result.value[i : i + 16], 16) for i in range(0, 64, 16)], np.uint64)
            d = int(np.bitwise_count(words ^ q).sum(axis=1).min())
            closest = min(closest, d)
            hit += d <= THRESHOLD
        total, dropped, matched = total + n, dropped + low, matched + hit
        print(
            f"{name:<12} {n:>7} {low:>6} {hit:>8} {100 * hit / max(1, n - low):>7.3f}% {closest:>8}"
        )
    rate = 100 * matched / max(1, total - dropped)
    print(f"{'all':<12} {total:>7} {dropped:>6} {matched:>8} {rate:>7.3f}%")
    print(f"({(time.process_time() - start) / total * 1000:.2f} ms per generated image)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unrelated", type=int, default=10_000)
    args = parser.parse_args()
    signal = PDQSignal()
    with tempfile.TemporaryDirectory() as tmp:
        base = robustness(Path(tmp), signal)
    false_matches(base, args.unrelated, signal)


if __name__ == "__main__":
    main()
