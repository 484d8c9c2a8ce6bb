"""Project thumbnails: an uploaded picture checked and re-encoded before anyone is served it.

An upload is a picture only when (1) its first bytes are the signature of PNG, JPEG, GIF or
WebP, (2) Pillow, opened with that one format only, reads a header of the same format whose
dimensions are within `ImageLimits` (checked before any pixel is decoded, so a small file
claiming 60000 x 60000 pixels is refused without allocating them), and (3) its pixels decode
whole. What is stored and served is a new PNG drawn from those pixels, at most
`max_side` pixels on its longer side: no metadata, no trailing bytes, no second frame, and
never the uploaded bytes, whatever they held besides the picture.

    ImageError
      code:
        IMAGE_TOO_LARGE     more bytes than ImageLimits.max_bytes
        IMAGE_UNSUPPORTED   not the signature of a PNG, JPEG, GIF or WebP image
        IMAGE_DIMENSIONS    a side under min_side or over max_decoded_side (by the header)
        IMAGE_CORRUPT       a signature, but no header of that format, or pixels that do not decode
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image

MEDIA_TYPE = "image/png"

# Magic numbers: PNG (RFC 2083 section 3.1), JPEG SOI + marker, GIF87a/89a, RIFF....WEBP.
_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("PNG", b"\x89PNG\r\n\x1a\n", 0),
    ("JPEG", b"\xff\xd8\xff", 0),
    ("GIF", b"GIF87a", 0),
    ("GIF", b"GIF89a", 0),
    ("WEBP", b"WEBP", 8),
)


class ImageError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int = 5 * 1024**2  # MAX_THUMBNAIL_BYTES
    min_side: int = 16
    max_decoded_side: int = 4096  # either dimension of the upload, before it is decoded
    max_side: int = 512  # the longer side of what is served


@dataclass(frozen=True, slots=True)
class Thumbnail:
    data: bytes
    width: int
    height: int
    sha256: str
    media_type: str = MEDIA_TYPE


def sniff(data: bytes) -> str | None:
    """The format the first bytes say, or None."""
    for name, magic, offset in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return name
    return None


def make_thumbnail(data: bytes, limits: ImageLimits) -> Thumbnail:
    """Check `data` and draw the PNG that will be served (CPU: run it in a worker thread)."""
    if len(data) > limits.max_bytes:
        raise ImageError(
            "IMAGE_TOO_LARGE", f"{len(data)} bytes; a thumbnail may have {limits.max_bytes}"
        )
    fmt = sniff(data)
    if fmt is None:
        raise ImageError("IMAGE_UNSUPPORTED", "not a PNG, JPEG, GIF or WebP image")
    with warnings.catch_warnings():
        # Pillow warns of odd but readable files (e.g. a palette's transparency); what is
        # served is redrawn anyway. A decompression bomb is refused by the size check first.
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                _check_dimensions(image.size, limits)
                image.load()
                return _redrawn(image, limits)
        except Image.DecompressionBombError as exc:  # a header claiming far more pixels
            raise ImageError("IMAGE_DIMENSIONS", f"the {fmt} image claims too many pixels") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            # UnidentifiedImageError (an OSError) too: the signature said `fmt`, the rest did not
            raise ImageError("IMAGE_CORRUPT", f"the {fmt} image does not decode") from exc


def _check_dimensions(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if min(size) < limits.min_side or max(size) > limits.max_decoded_side:
        raise ImageError(
            "IMAGE_DIMENSIONS",
            f"{width}x{height} pixels; each side must be {limits.min_side} to "
            f"{limits.max_decoded_side}",
        )


def _redrawn(image: Image.Image, limits: ImageLimits) -> Thumbnail:
    frame = image.convert("RGBA")  # the first frame, pixels only
    frame.thumbnail((limits.max_side, limits.max_side))
    out = io.BytesIO()
    frame.save(out, format="PNG")
    data = out.getvalue()
    return Thumbnail(data, frame.width, frame.height, hashlib.sha256(data).hexdigest())
