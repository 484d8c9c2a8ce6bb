"""Thumbnails: what is accepted, what is refused, and that what is served is redrawn."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from graphql_api.ingest.images import ImageError, ImageLimits, make_thumbnail, sniff

LIMITS = ImageLimits()


def encoded(
    fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **options: object
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mode"), [("PNG", "RGBA"), ("JPEG", "RGB"), ("GIF", "P"), ("WEBP", "RGB")]
)
def test_each_accepted_format_becomes_a_png_of_the_same_size(fmt: str, mode: str) -> None:
    data = encoded(fmt, mode=mode)
    assert sniff(data) == fmt
    thumbnail = make_thumbnail(data, LIMITS)
    assert (thumbnail.width, thumbnail.height, thumbnail.media_type) == (40, 30, "image/png")
    with Image.open(io.BytesIO(thumbnail.data)) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))


def test_a_large_picture_is_scaled_to_fit_and_its_metadata_dropped() -> None:
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    data = encoded("JPEG", (2000, 1000), exif=exif.tobytes())
    thumbnail = make_thumbnail(data + b"trailing bytes", LIMITS)
    assert (thumbnail.width, thumbnail.height) == (512, 256)
    assert b"secret description" not in thumbnail.data
    assert b"trailing bytes" not in thumbnail.data
    with Image.open(io.BytesIO(thumbnail.data)) as image:
        assert not image.getexif()


def test_only_the_first_frame_of_an_animation_is_kept() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    thumbnail = make_thumbnail(out.getvalue(), LIMITS)
    with Image.open(io.BytesIO(thumbnail.data)) as image:
        assert getattr(image, "n_frames", 1) == 1
        assert image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def claiming(width: int, height: int) -> bytes:
    """A small PNG whose header (IHDR, RFC 2083 section 4.1.1) claims another size."""
    data = encoded("PNG", (16, 16))
    fields = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + fields
    return data[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]


@pytest.mark.parametrize("side", [5000, 60000])
def test_a_huge_canvas_is_refused_before_its_pixels_are_decoded(side: int) -> None:
    # Declared in a few hundred bytes; decoding 60000 x 60000 would need gigabytes.
    data = claiming(side, side)
    assert len(data) < 1000
    with pytest.raises(ImageError) as refused:
        make_thumbnail(data, LIMITS)
    assert refused.value.code == "IMAGE_DIMENSIONS"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "IMAGE_UNSUPPORTED"),
        (b"BM" + b"\x00" * 100, "IMAGE_UNSUPPORTED"),  # BMP: not one we take
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "IMAGE_UNSUPPORTED"),  # RIFF, but not WebP
        (b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", "IMAGE_CORRUPT"),
        (encoded("JPEG")[:-200], "IMAGE_CORRUPT"),
        (encoded("PNG", (15, 400)), "IMAGE_DIMENSIONS"),
        (b"\x89PNG\r\n\x1a\n" + bytes(LIMITS.max_bytes), "IMAGE_TOO_LARGE"),
    ],
)
def test_what_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(ImageError) as refused:
        make_thumbnail(data, LIMITS)
    assert refused.value.code == code
