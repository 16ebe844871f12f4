"""Synthetic photos made with Pillow: a two-colour gradient, a few shapes and some grain.

PDQ needs texture: a flat picture has quality below 50 and is never matched, so tests that
want a match build their pictures here. ``photo(seed)`` is deterministic; different seeds give
pictures far apart in PDQ distance, and ``edited`` gives a near copy (resized, a little
brighter, recompressed) that stays within the default threshold.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

SIZE = (320, 240)


def photo(seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    rng = random.Random(seed)
    w, h = size
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    img = Image.new("RGB", size)
    px = img.load()
    assert px is not None
    for y in range(h):
        t = y / max(1, h - 1)
        row = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        for x in range(w):
            shade = int(30 * (x / w - 0.5))
            px[x, y] = tuple(max(0, min(255, c + shade)) for c in row)  # type: ignore[index]
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(5, 9)):
        x0, y0 = rng.randrange(0, w - 40), rng.randrange(0, h - 40)
        x1, y1 = x0 + rng.randrange(30, w // 2), y0 + rng.randrange(30, h // 2)
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        shape = rng.choice(("ellipse", "rectangle", "polygon"))
        if shape == "ellipse":
            draw.ellipse((x0, y0, x1, y1), fill=colour)  # type: ignore[arg-type]
        elif shape == "rectangle":
            draw.rectangle((x0, y0, x1, y1), fill=colour)  # type: ignore[arg-type]
        else:
            points = [(rng.randrange(0, w), rng.randrange(0, h)) for _ in range(3)]
            draw.polygon(points, fill=colour)  # type: ignore[arg-type]
    noise = Image.frombytes("L", size, rng.randbytes(w * h)).convert("RGB")  # seeded grain
    img = Image.blend(img, noise, 0.12)
    return img.filter(ImageFilter.GaussianBlur(0.6))


def edited(img: Image.Image) -> Image.Image:
    """A near copy: scaled down, a little brighter, recompressed as JPEG."""
    w, h = img.size
    smaller = img.resize((w * 3 // 4, h * 3 // 4), Image.Resampling.LANCZOS)
    brighter = ImageEnhance.Brightness(smaller).enhance(1.08)
    buf = io.BytesIO()
    brighter.save(buf, "JPEG", quality=80)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def save(img: Image.Image, path: Path, fmt: str = "JPEG") -> Path:
    img.save(path, fmt, quality=90) if fmt == "JPEG" else img.save(path, fmt)
    return path


def photo_bytes(seed: int, fmt: str = "JPEG") -> bytes:
    buf = io.BytesIO()
    photo(seed).save(buf, fmt)
    return buf.getvalue()
