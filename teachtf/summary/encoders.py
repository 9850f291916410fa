"""NumPy values to the pieces of a Summary: TF's histogram buckets, PNG images, WAV audio, TensorProtos.

Each function follows the TF 1.15 kernel it replaces (histogram.cc,
summary_image_op.cc, summary_audio_op.cc, tensor_util).
"""

from __future__ import annotations

import functools
import io
import struct
import wave
import zlib

import numpy as np

from ..framework import dtypes as _dtypes
from ._protos import protos

_DBL_MAX = np.finfo(np.float64).max


# -- histograms ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def default_bucket_limits() -> np.ndarray:
    """TF's default bucket limits: ±1e-12·1.1^k up to 1e20, then ±DBL_MAX, with 0 in the middle (1549 limits)."""
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(_DBL_MAX)
    neg = [-x for x in reversed(pos)]
    limits = np.array(neg + [0.0] + pos, dtype=np.float64)
    limits.setflags(write=False)
    return limits


def histogram_proto(values: np.ndarray):
    """A HistogramProto of all elements of `values` (finite), with runs of empty buckets merged as TF does.

    Bucket i counts the values v with limit[i-1] <= v < limit[i].
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    limits = default_bucket_limits()
    idx = np.minimum(np.searchsorted(limits, x, side="right"), len(limits) - 1)
    counts = np.bincount(idx, minlength=len(limits)).astype(np.float64)
    h = protos().summary_pb2.HistogramProto()
    h.num = float(x.size)
    h.min = float(x.min()) if x.size else _DBL_MAX
    h.max = float(x.max()) if x.size else -_DBL_MAX
    h.sum = float(x.sum())
    h.sum_squares = float(np.dot(x, x))
    out_limits, out_counts = [], []
    i, n = 0, len(limits)
    while i < n:
        end, count, j = limits[i], counts[i], i + 1
        while count == 0.0 and j < n and counts[j] == 0.0:
            end, count, j = limits[j], counts[j], j + 1
        out_limits.append(float(end))
        out_counts.append(float(count))
        i = j
    h.bucket_limit.extend(out_limits)
    h.bucket.extend(out_counts)
    return h


# -- images ----------------------------------------------------------------------------------------------


def normalize_image(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """One float image [H, W, C] to uint8 as TF does.

    Only non-negative values: scale by 255/max. Any negative value: scale by
    127/max|v| and add 128. Pixels with a non-finite channel become `bad_color`.
    """
    h, w, c = image.shape
    work = np.float64 if image.dtype == np.float64 else np.float32
    px = image.reshape(h * w, c).astype(work)
    finite = np.isfinite(px).all(axis=1)
    good = px[finite]
    lo = float(good.min()) if good.size else np.inf
    hi = float(good.max()) if good.size else -np.inf
    if lo < 0:
        m = max(abs(lo), abs(hi))
        scale, offset = (0.0 if m < 1e-6 else 127.0 / m), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
    out = np.empty((h * w, c), dtype=np.uint8)
    # TF casts to uint8 by truncation.
    out[finite] = (good * work(scale) + work(offset)).astype(np.uint8)
    out[~finite] = bad_color[:c]
    return out.reshape(h, w, c)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: np.ndarray) -> bytes:
    """A uint8 image [H, W, C] (C = 1 grey, 3 RGB, 4 RGBA) as PNG bytes (8-bit, no filtering)."""
    h, w, c = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[c]
    rows = np.ascontiguousarray(image, dtype=np.uint8).reshape(h, w * c)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()  # filter byte 0 per row
    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(raw, 6))
            + _png_chunk(b"IEND", b""))


def image_value(tag: str, image: np.ndarray):
    """A Summary.Image for one uint8 image [H, W, C]."""
    h, w, c = image.shape
    return protos().summary_pb2.Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(image))


# -- audio -------------------------------------------------------------------------------------------------


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """Float samples [frames, channels] in [-1, 1] as 16-bit PCM WAV (round(x·32768), clipped, as TF)."""
    pcm = np.clip(np.round(samples.astype(np.float32) * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def audio_value(samples: np.ndarray, sample_rate: float):
    """A Summary.Audio for one clip [frames, channels]."""
    frames, channels = samples.shape
    return protos().summary_pb2.Summary.Audio(sample_rate=float(sample_rate), num_channels=channels,
                                              length_frames=frames,
                                              encoded_audio_string=encode_wav(samples, int(sample_rate)),
                                              content_type="audio/wav")


# -- tensors -------------------------------------------------------------------------------------------------


def datatype_enum(dtype) -> int:
    """The DataType enum of a teachtf DType (ref dtypes map to DT_*_REF)."""
    dt = _dtypes.as_dtype(dtype)
    base = dt.base_dtype.name
    name = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(base, base.upper())
    value = protos().types_pb2.DataType.Value("DT_" + name)
    return value + 100 if dt.is_ref_dtype else value


def shape_proto(shape):
    """A TensorShapeProto for a TensorShape or a list of dims (None: unknown)."""
    from ..framework.shapes import as_shape

    s = as_shape(shape)
    p = protos().tensor_shape_pb2.TensorShapeProto()
    if s.ndims is None:
        p.unknown_rank = True
        return p
    for d in s.as_list():
        p.dim.add(size=-1 if d is None else int(d))
    return p


def tensor_proto(value, with_content: bool = True):
    """A TensorProto of a NumPy value (strings in `string_val`, numbers in little-endian `tensor_content`)."""
    arr = np.asarray(value)
    dt = _dtypes.as_dtype(arr.dtype)
    t = protos().tensor_pb2.TensorProto(dtype=datatype_enum(dt), tensor_shape=shape_proto(list(arr.shape)))
    if not with_content:
        return t
    if dt is _dtypes.string:
        t.string_val.extend(x if isinstance(x, bytes) else str(x).encode() for x in arr.reshape(-1))
    else:
        t.tensor_content = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"), copy=False)).tobytes()
    return t


def tensor_from_proto(t) -> np.ndarray:
    """The NumPy value of a TensorProto (the forms TensorBoard summaries use)."""
    p = protos()
    dims = [d.size for d in t.tensor_shape.dim]
    name = p.types_pb2.DataType.Name(t.dtype)[3:].lower()
    name = {"float": "float32", "double": "float64", "half": "float16"}.get(name, name)
    if name == "string":
        return np.array(list(t.string_val), dtype=object).reshape(dims)
    npdt = np.dtype(_dtypes.as_dtype(name).as_numpy_dtype)
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dtype=npdt.newbyteorder("<")).astype(npdt).reshape(dims)
    if name == "float16":  # half_val holds the IEEE bit patterns
        vals = np.array(list(t.half_val), dtype=np.uint16).view(np.float16)
    else:
        field = {"float32": "float_val", "float64": "double_val", "int64": "int64_val",
                 "bool": "bool_val"}.get(name, "int_val")
        vals = np.array(list(getattr(t, field)), dtype=npdt)
    n = int(np.prod(dims)) if dims else 1
    if vals.size == n:
        return vals.reshape(dims)
    if vals.size == 1:
        return np.full(dims, vals[0], dtype=npdt)
    raise ValueError(f"TensorProto holds {vals.size} values for shape {dims}")
