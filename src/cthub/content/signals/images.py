"""Opening untrusted image files for perceptual hashing: safely, upright, and no larger than needed.

``load_rgb`` is the one way the image signals read a file:

* Only the common web and camera formats are read (``SAFE_FORMATS``). Pillow's other plugins
  (EPS runs Ghostscript; FITS, GRIB, PSD, ... are rarely seen and less exercised) stay off for
  untrusted uploads.
* The size the header declares is checked before any pixel is decoded, against ``max_pixels``
  (default: Pillow's own warning limit, about 89 megapixels): a decompression bomb declares
  a huge canvas in a tiny file. Pillow itself refuses anything over twice its limit; both
  become the same ``InvalidInput``, naming the file.
* PDQ reduces every image to 64x64 luminance, so decoding 12 megapixels only to throw them
  away is waste. JPEGs are decoded with libjpeg's DCT scaling (Pillow draft mode: 1/2, 1/4 or
  1/8) to the smallest scale whose short side stays at least ``work_size`` pixels; other
  formats are box-reduced by the same power of two after decoding. Measured by
  ``bench/content_hash.py`` against a full decode, over the reference JPEGs and 1100-4032 px
  crops of the two camera photos: ``work_size=512`` moves the hash by at most 8 of 256 bits
  (mean 1.3), 256 by up to 12, 1024 by up to 6 at twice the cost; on 4000x3000 photos 512
  decodes at 1/4 and is 15 times faster than a full decode. Images whose short side is under
  ``2 * work_size`` are decoded in full, so the upstream reference images (at most
  1600x1004) hash exactly as they do upstream.
* The EXIF orientation is applied last (the same table as ``ImageOps.exif_transpose``), so a
  phone photo hashes the way it is displayed. The C++ reference hasher does not do this; for
  an image without an orientation tag the two agree.
"""

from __future__ import annotations

import struct
from pathlib import Path

from PIL import ExifTags, Image, UnidentifiedImageError

from cthub.core.errors import InvalidInput

#: Pillow's default ``MAX_IMAGE_PIXELS``: 0.25 GiB of 24-bit pixels (about 9459x9459).
DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3
#: Short side that JPEG draft decoding and box reduction keep at least (see the module doc).
DEFAULT_WORK_SIZE = 512
SAFE_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF", "ICO", "PPM")
#: What Pillow raises on malformed data, besides ``OSError`` ("image file is truncated").
_DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    ZeroDivisionError,
)
#: An unreadable path, as opposed to unreadable content.
UNREADABLE = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _formats() -> tuple[str, ...]:
    Image.init()
    return tuple(f for f in SAFE_FORMATS if f in Image.OPEN)


def reduction(size: tuple[int, int], work_size: int) -> int:
    """The power of two (1, 2, 4 or 8) that keeps both sides at least ``work_size``.

    The same rule as Pillow's JPEG ``draft``, so JPEG and other formats shrink alike.
    """
    if work_size <= 0:
        return 1
    scale = max(1, min(size[0] // work_size, size[1] // work_size))
    return next(f for f in (8, 4, 2, 1) if scale >= f)


def load_rgb(
    path: Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    work_size: int = DEFAULT_WORK_SIZE,
    exif: bool = True,
) -> Image.Image | None:
    """``path`` decoded as an upright RGB image, or ``None`` if it is no image format we read.

    Raises ``InvalidInput`` naming the file when it cannot be read, declares more than
    ``max_pixels`` pixels, or is truncated or corrupt. ``work_size=0`` decodes in full and
    ``exif=False`` ignores the orientation tag (as the C++ reference hasher does).
    """
    try:
        with Image.open(path, formats=_formats()) as im:
            _check_size(path, im.size, max_pixels)
            return _decode(im, work_size, exif)
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError:
        raise InvalidInput(
            "{path}: the image declares more than {limit} pixels (a possible decompression bomb).",
            hint="Only genuine images this large can be hashed; check where the file came from.",
            path=str(path),
            limit=min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels)),
        ) from None
    except UNREADABLE as exc:
        raise InvalidInput(
            "{path}: cannot read the file ({reason}).",
            hint="Check that the path names a readable file.",
            path=str(path),
            reason=exc.strerror or type(exc).__name__,
        ) from exc
    except _DECODE_ERRORS as exc:
        raise InvalidInput(
            "{path}: the image is truncated or corrupt ({reason}).",
            hint="Hash the original file; a partial download or a damaged copy cannot be read.",
            path=str(path),
            reason=str(exc)[:120] or type(exc).__name__,
        ) from exc


def _check_size(path: Path, size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise InvalidInput(
            "{path}: the image is {width}x{height} pixels, over the limit of {limit} pixels.",
            hint="This limit guards against decompression bombs; raise max_pixels if the "
            "image is genuine.",
            path=str(path),
            width=width,
            height=height,
            limit=max_pixels,
        )


def _decode(im: Image.Image, work_size: int, exif: bool) -> Image.Image:
    factor = reduction(im.size, work_size)
    if factor > 1 and im.format in ("JPEG", "MPO"):
        im.draft("RGB", (work_size, work_size))  # before anything loads the pixels
        factor = 1
    orientation = im.getexif().get(ExifTags.Base.Orientation, 1) if exif else 1
    rgb = im.convert("RGB")
    if factor > 1:
        rgb = rgb.reduce(factor)
    method = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    return rgb.transpose(method) if method is not None else rgb


__all__ = ["DEFAULT_MAX_PIXELS", "DEFAULT_WORK_SIZE", "SAFE_FORMATS", "load_rgb", "reduction"]
