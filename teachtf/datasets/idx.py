"""The IDX file format of MNIST and Fashion-MNIST, gzip-compressed or not.

Header (big-endian): two zero bytes, a type code (0x08 = uint8, ...), the
number of dimensions, then one uint32 per dimension; the data follows. Images
files have magic number 2051 (0x00000803), label files 2049 (0x00000801).
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zlib

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IdxFormatError(ValueError):
    """A file that is not valid IDX data (wrong magic number, truncated, corrupt compression)."""


def _file_name(f) -> str:
    return os.fspath(getattr(f, "name", "<stream>")) if not isinstance(f, (str, os.PathLike)) else os.fspath(f)


def read_bytes(f) -> bytes:
    """The decompressed contents of a path or binary file object (gzip detected by its magic bytes)."""
    name = _file_name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.GzipFile(fileobj=io.BytesIO(raw)).read()
    except (OSError, EOFError, zlib.error) as e:
        raise IdxFormatError(f"{name} is not a valid gzip file ({e}): it is truncated or corrupt. Delete it and "
                             "provide the file again.") from None


def parse_idx(data: bytes, name: str = "<bytes>", expect_magic: int | None = None, what: str = "IDX"
              ) -> np.ndarray:
    """The array stored in IDX bytes; IdxFormatError for a wrong magic number or a size mismatch."""
    if len(data) < 4:
        raise IdxFormatError(f"{name} is too short to be an {what} file ({len(data)} bytes)")
    (magic,) = struct.unpack(">I", data[:4])
    if expect_magic is not None and magic != expect_magic:
        raise IdxFormatError(f"Invalid magic number {magic} in {what} file: {name} (expected {expect_magic})")
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if zero != 0 or code not in _TYPES or ndim == 0:
        raise IdxFormatError(f"Invalid magic number {magic} in {what} file: {name}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxFormatError(f"{name} is truncated inside its header")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(_TYPES[code])
    want = int(np.prod(dims)) * dtype.itemsize
    have = len(data) - header
    if have != want:
        state = "truncated" if have < want else "longer than its header says"
        raise IdxFormatError(f"{name} is {state}: its header describes shape {list(dims)} ({want} bytes of data) "
                             f"but it holds {have} bytes")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=False) if dtype.byteorder == ">" else arr


def read_idx(f, expect_magic: int | None = None, what: str = "IDX") -> np.ndarray:
    """Reads an IDX file (path or binary file object, gzip or raw)."""
    return parse_idx(read_bytes(f), _file_name(f), expect_magic, what)


def read_images(f) -> np.ndarray:
    """uint8 images [N, rows, cols] from an IDX images file (magic 2051)."""
    arr = read_idx(f, IMAGES_MAGIC, "MNIST image")
    return arr


def read_labels(f) -> np.ndarray:
    """uint8 labels [N] from an IDX labels file (magic 2049)."""
    return read_idx(f, LABELS_MAGIC, "MNIST label")


def write_idx(path, array: np.ndarray, compress: bool = True) -> None:
    """Writes a uint8 array as an IDX file (gzip when `compress`); used by tests and tools."""
    arr = np.ascontiguousarray(array, dtype=np.uint8)
    data = struct.pack(">I", (0x08 << 8) | arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    if compress:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
