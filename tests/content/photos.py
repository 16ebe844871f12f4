"""Photos for the content tests: real photographs from the PDQ reference set, and edited copies.

``BRIDGE`` is the 1600x1004 bridge photo, ``LABELME`` the LabelMe photos whose PDQ quality is
at least 50 (``q0003`` and ``q0004`` are too flat to match by PDQ and are left out), and
``edited`` writes a near copy of a photo the way a re-poster would change it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

REF = Path(__file__).parents[1] / "fixtures" / "content" / "pdq-reference"
BRIDGE = REF / "dih" / "bridge-1-original.jpg"
LOW_QUALITY = ("q0003", "q0004")
LABELME = [p for p in sorted((REF / "labelme-subset").glob("*.jpg")) if p.stem not in LOW_QUALITY]


def edited(source: Path, target: Path, how: str) -> Path:
    """A copy of ``source`` at ``target``: ``resize`` (half size), ``recompress`` (JPEG q50),
    ``crop`` (5% off in all, 2.5% each side), ``watermark`` (a caption band), ``grey`` or
    ``rotate`` (90°)."""
    with Image.open(source) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
    w, h = img.size
    quality = 90
    if how == "resize":
        img = img.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    elif how == "recompress":
        quality = 50
    elif how == "crop":
        dx, dy = w // 40, h // 40
        img = img.crop((dx, dy, w - dx, h - dy))
    elif how == "watermark":
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, h - h // 12, w // 3, h), fill=(255, 255, 255))
        draw.text((10, h - h // 14), "news agency", fill=(0, 0, 0))
    elif how == "grey":
        img = img.convert("L").convert("RGB")
    elif how == "rotate":
        img = img.rotate(90, expand=True)
    else:
        raise ValueError(f"unknown edit {how!r}")
    img.save(target, "JPEG", quality=quality)
    return target
