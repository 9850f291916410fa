"""Reading and writing teachtf checkpoint files (format: docs/checkpoint-format.md).

A checkpoint with prefix P is two files:

- `P.data-00000-of-00001`: every tensor's bytes, little-endian, C order, one
  after another, each starting at a multiple of 64 bytes;
- `P.index`: UTF-8 JSON naming each tensor's dtype, shape, byte range and CRC-32.

Writes are atomic: both files are written under temporary names, flushed to
disk, then renamed over the old ones, so a failure mid-write leaves the previous
checkpoint readable and no partial files behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
import uuid
import zlib

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors

FORMAT_NAME = "teachtf-checkpoint"
FORMAT_VERSION = 1
DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
_ALIGN = 64


def index_path(prefix: str) -> str:
    return prefix + INDEX_SUFFIX


def data_path(prefix: str) -> str:
    return prefix + DATA_SUFFIX


# -- encoding ------------------------------------------------------------------------------------


def _encode_strings(arr: np.ndarray) -> bytes:
    """Each element as an 8-byte little-endian length followed by its bytes."""
    parts = []
    for s in arr.reshape(-1):
        b = s.encode() if isinstance(s, str) else bytes(s)
        parts.append(struct.pack("<Q", len(b)))
        parts.append(b)
    return b"".join(parts)


def _decode_strings(buf: bytes, shape, key: str) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    out = np.empty(n, dtype=object)
    pos = 0
    for i in range(n):
        if pos + 8 > len(buf):
            raise ValueError(f"string tensor '{key}' is truncated")
        (length,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        out[i] = bytes(buf[pos:pos + length])
        pos += length
    if pos != len(buf):
        raise ValueError(f"string tensor '{key}' has {len(buf) - pos} trailing bytes")
    return out.reshape(shape)


def _tensor_bytes(value) -> tuple[str, list, bytes]:
    """(dtype name, shape, payload bytes) of one value to save."""
    arr = np.asarray(value)
    dt = _dtypes.as_dtype(arr.dtype)
    if dt is _dtypes.string:
        return "string", list(arr.shape), _encode_strings(arr)
    le = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return dt.name, list(arr.shape), np.ascontiguousarray(le).tobytes()


# -- writing -------------------------------------------------------------------------------------


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(path: str, chunks) -> None:
    with open(path, "wb") as f:
        for c in chunks:
            f.write(c)
        f.flush()
        os.fsync(f.fileno())


def os_error_to_op_error(exc: OSError, what: str) -> errors.OpError:
    """A tf.errors exception for a failed file operation (`what` says which and where)."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        cls = errors.PermissionDeniedError
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        cls = errors.ResourceExhaustedError
    elif code == errno.ENOENT:
        cls = errors.NotFoundError
    else:
        cls = errors.UnknownError
    return cls(None, None, f"{what}: {exc.strerror or exc}")


def write_checkpoint(prefix: str, tensors: dict) -> None:
    """Writes `tensors` ({key: array}) as the checkpoint `prefix`, atomically.

    Raises a tf.errors exception (PermissionDeniedError, ResourceExhaustedError,
    ...) when the files cannot be written; the previous checkpoint at `prefix`,
    if any, is then left exactly as it was.
    """
    entries = {}
    chunks = []
    offset = 0
    for key in sorted(tensors):
        dtype, shape, payload = _tensor_bytes(tensors[key])
        pad = (-offset) % _ALIGN
        if pad:
            chunks.append(b"\0" * pad)
            offset += pad
        entries[key] = {"dtype": dtype, "shape": shape, "offset": offset, "nbytes": len(payload),
                        "crc32": zlib.crc32(payload)}
        chunks.append(payload)
        offset += len(payload)
    index = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "data_file": os.path.basename(data_path(prefix)),
             "data_size": offset, "tensors": entries}
    index_bytes = json.dumps(index, indent=1, sort_keys=True).encode()

    tag = f".tmp{uuid.uuid4().hex[:12]}"
    tmp_data, tmp_index, backup = data_path(prefix) + tag, index_path(prefix) + tag, data_path(prefix) + tag + ".old"
    had_data = False
    try:
        _write_file(tmp_data, chunks)
        _write_file(tmp_index, [index_bytes])
        # The old data file is kept under a backup name until the new index is in place, so a failure between
        # the two renames can put it back (the CRCs in the index catch a crash at that point).
        if os.path.exists(data_path(prefix)):
            _backup(data_path(prefix), backup)
            had_data = True
        os.replace(tmp_data, data_path(prefix))
        try:
            os.replace(tmp_index, index_path(prefix))
        except OSError:
            if had_data:
                os.replace(backup, data_path(prefix))
                had_data = False
            raise
    except OSError as e:
        for p in (tmp_data, tmp_index):
            _remove_quietly(p)
        raise os_error_to_op_error(e, f"Failed to write checkpoint {prefix} (any previous checkpoint with this "
                                      "prefix is unchanged)") from e
    finally:
        if had_data:
            _remove_quietly(backup)
    _fsync_dir(os.path.dirname(os.path.abspath(prefix)))


def _backup(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # instant, no extra space
    except OSError:
        shutil.copyfile(src, dst)  # file systems without hard links


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# -- reading -------------------------------------------------------------------------------------


def _not_found(prefix: str) -> errors.NotFoundError:
    return errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                                            f"matching files for {prefix}")


class CheckpointFile:
    """The index of one checkpoint; reads tensors on demand.

    `entries` maps each key to {"dtype", "shape", "offset", "nbytes", "crc32"}.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        path = index_path(prefix)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            raise _not_found(prefix) from None
        except IsADirectoryError:
            raise _not_found(prefix) from None
        except OSError as e:
            raise os_error_to_op_error(e, f"Cannot read checkpoint index {path}") from e
        try:
            index = json.loads(raw.decode())
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise errors.DataLossError(
                None, None, f"Unable to read checkpoint index {path}: it is not a teachtf checkpoint (it may be "
                            "corrupt, or written by TensorFlow, whose checkpoint format teachtf does not read)."
            ) from None
        if not isinstance(index, dict) or index.get("format") != FORMAT_NAME:
            raise errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: not a teachtf "
                                                   "checkpoint index.")
        if index.get("version", 0) > FORMAT_VERSION:
            raise errors.DataLossError(None, None, f"Checkpoint {prefix} uses format version {index['version']}; "
                                                   f"this teachtf reads up to version {FORMAT_VERSION}. Upgrade "
                                                   "teachtf.")
        self.entries = index["tensors"]
        self.data_size = index.get("data_size")

    def keys(self) -> list:
        return sorted(self.entries)

    def has(self, key: str) -> bool:
        return key in self.entries

    def dtype(self, key: str) -> _dtypes.DType:
        return _dtypes.as_dtype(self.entries[key]["dtype"])

    def shape(self, key: str) -> list:
        return list(self.entries[key]["shape"])

    def read(self, key: str) -> np.ndarray:
        """The saved value of `key` (a fresh, writable array)."""
        return self.read_many([key])[key]

    def read_many(self, keys) -> dict:
        """{key: array} for `keys`; NotFoundError for an unknown key, DataLossError for damaged data."""
        for k in keys:
            if k not in self.entries:
                raise errors.NotFoundError(None, None, f"Key {k} not found in checkpoint")
        path = data_path(self.prefix)
        out = {}
        try:
            f = open(path, "rb")
        except FileNotFoundError:
            raise errors.DataLossError(None, None, f"Checkpoint {self.prefix} has an index but its data file "
                                                   f"{path} is missing.") from None
        except OSError as e:
            raise os_error_to_op_error(e, f"Cannot read checkpoint data {path}") from e
        with f:
            for k in keys:
                e = self.entries[k]
                f.seek(e["offset"])
                buf = f.read(e["nbytes"])
                if len(buf) != e["nbytes"]:
                    raise errors.DataLossError(None, None, f"Checkpoint data file {path} is truncated: tensor '{k}' "
                                                           f"needs bytes {e['offset']}..{e['offset'] + e['nbytes']}.")
                if zlib.crc32(buf) != e["crc32"]:
                    raise errors.DataLossError(None, None, f"Checksum mismatch for tensor '{k}' in {path}: the data "
                                                           "file is corrupt or does not belong to this index.")
                out[k] = self._decode(k, e, buf)
        return out

    @staticmethod
    def _decode(key, entry, buf):
        shape = tuple(entry["shape"])
        if entry["dtype"] == "string":
            return _decode_strings(buf, shape, key)
        npdt = np.dtype(_dtypes.as_dtype(entry["dtype"]).as_numpy_dtype).newbyteorder("<")
        arr = np.frombuffer(buf, dtype=npdt).reshape(shape)
        return arr.astype(arr.dtype.newbyteorder("="), copy=True)


def checkpoint_files(prefix: str) -> list:
    """The files of checkpoint `prefix` that exist (index, data, meta)."""
    return [p for p in (index_path(prefix), data_path(prefix), prefix + ".meta") if os.path.exists(p)]
