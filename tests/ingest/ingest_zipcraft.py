"""Builders for test ZIPs, including byte-level edits zipfile refuses to write.

Offsets follow APPNOTE.TXT 4.3.7 (local file header) and 4.3.12 (central directory header).
"""

from __future__ import annotations

import io
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

_CD_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"
# field -> (offset in central header, offset in local header, struct format)
_FIELDS = {
    "flags": (8, 6, "<H"),
    "method": (10, 8, "<H"),
    "crc": (16, 14, "<I"),
    "compress_size": (20, 18, "<I"),
    "file_size": (24, 22, "<I"),
}

Item = tuple[str, bytes] | zipfile.ZipInfo | tuple[zipfile.ZipInfo, bytes]


def build_zip(items: Iterable[Item], method: int = zipfile.ZIP_STORED) -> bytes:
    """A ZIP of ``(name, data)`` pairs, or ``ZipInfo`` (directories) and ``(ZipInfo, data)``."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names, which tests want
        with zipfile.ZipFile(buffer, "w", compression=method) as zf:
            for item in items:
                if isinstance(item, zipfile.ZipInfo):
                    zf.writestr(item, b"")
                else:
                    zf.writestr(item[0], item[1])
    return buffer.getvalue()


def info(name: str, mode: int, method: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    """A ZipInfo made on Unix with the given st_mode (file type and permission bits)."""
    zinfo = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    zinfo.create_system = 3
    zinfo.external_attr = mode << 16
    zinfo.compress_type = method
    return zinfo


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    return info(name, stat.S_IFLNK | 0o777), target.encode()


def patch_entry(data: bytes, name: str, **fields: int) -> bytes:
    """Overwrite header fields of entry ``name`` in both its central and local headers."""
    out = bytearray(data)
    cd_offset = _central_header(out, name.encode())
    (local_offset,) = struct.unpack_from("<I", out, cd_offset + 42)
    assert out[local_offset : local_offset + 4] == _LOCAL_SIG
    for field, value in fields.items():
        cd_at, local_at, fmt = _FIELDS[field]
        struct.pack_into(fmt, out, cd_offset + cd_at, value)
        struct.pack_into(fmt, out, local_offset + local_at, value)
    return bytes(out)


def patch_central_only(data: bytes, name: str, **fields: int) -> bytes:
    """Overwrite fields in the central directory only: the sizes zipfile trusts."""
    out = bytearray(data)
    cd_offset = _central_header(out, name.encode())
    for field, value in fields.items():
        struct.pack_into(_FIELDS[field][2], out, cd_offset + _FIELDS[field][0], value)
    return bytes(out)


def duplicate_central_entry(data: bytes, name: str, new_name: str) -> bytes:
    """Add a second central-directory record pointing at the same local header (overlap)."""
    assert len(new_name) == len(name)
    cd_start = data.index(_CD_SIG)
    eocd = data.rindex(b"PK\x05\x06")
    record_at = _central_header(bytearray(data), name.encode())
    name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, record_at + 28)
    record = data[record_at : record_at + 46 + name_len + extra_len + comment_len]
    record = record.replace(name.encode(), new_name.encode())
    end = bytearray(data[eocd:])
    count, _ = struct.unpack_from("<HH", end, 8)
    cd_size = eocd - cd_start + len(record)
    struct.pack_into("<HHI", end, 8, count + 1, count + 1, cd_size)
    return data[:eocd] + record + bytes(end)


def _central_header(data: bytearray, name: bytes) -> int:
    at = data.index(_CD_SIG)
    while data[at : at + 4] == _CD_SIG:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + name_len] == name:
            return at
        at += 46 + name_len + extra_len + comment_len
    raise KeyError(name)


def write(tmp_path: Path, data: bytes, name: str = "upload.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lying_central_directory(data: bytes, copies: int, claimed: int) -> bytes:
    """The archive's one central record repeated ``copies`` times behind an end record that
    claims ``claimed`` entries: a directory zipfile would parse in full, whatever the count."""
    cd_start = data.index(_CD_SIG)
    eocd = data.rindex(b"PK\x05\x06")
    directory = data[cd_start:eocd] * copies
    end = bytearray(data[eocd:])
    struct.pack_into("<HHII", end, 8, claimed, claimed, len(directory), cd_start)
    return data[:cd_start] + directory + bytes(end)


def as_zip64(data: bytes) -> bytes:
    """The archive with a ZIP64 end record (and its locator) in front of the plain one, whose
    fields then say "see ZIP64": what zippers write past 65,535 entries or 4 GiB."""
    eocd = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack_from("<HII", data, eocd + 10)
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd, 1)
    plain = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:eocd] + end64 + locator + plain


def overlapping_by_one_byte() -> bytes:
    """Two stored entries, "a" and "b", whose data overlap by one byte: the last byte of a's
    data is the first byte of b's local header (both CRCs hold; only the extents tell)."""
    b_data = b"second"
    b_local = _local(b"b", b_data)
    a_data = b"first" + b_local[:1]
    a_local = _local(b"a", a_data)[: -len(a_data)] + b"first"  # a's last byte is b's header
    b_at = len(a_local)
    body = a_local + b_local + b_data
    central = _central(b"a", a_data, 0) + _central(b"b", b_data, b_at)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(body), 0)
    return body + central + end


def _local(name: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data)
    head = struct.pack("<4s5H3L2H", _LOCAL_SIG, 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                       len(name), 0)  # fmt: skip
    return head + name + data


def _central(name: bytes, data: bytes, offset: int) -> bytes:
    crc, size = zlib.crc32(data), len(data)
    return struct.pack("<4s6H3L5H2L", _CD_SIG, 0x314, 20, 0, 0, 0, 0x21, crc, size, size,
                       len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name  # fmt: skip
