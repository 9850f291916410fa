"""Sliding-window geometry and patch extraction shared by convolution and pooling (API.md §10.3).

Geometry, per spatial axis, for input size n, window k, stride s, dilation d
and effective window k' = (k − 1)·d + 1:

- VALID: out = ⌊(n − k')/s⌋ + 1, no padding (n < k' is a build error).
- SAME:  out = ⌈n/s⌉, pad_total = max((out − 1)·s + k' − n, 0),
  pad_before = ⌊pad_total/2⌋, pad_after = pad_total − pad_before (the odd
  extra row/column goes at the bottom/right).
- EXPLICIT (conv2d only): the caller's (before, after) pads, then as VALID.

Kernels work in NHWC on arrays of either backend (`xp` is NumPy or CuPy).
The patch view `patches(...)[n, i, j, a, b, c] = x_pad[n, i·s_h + a·d_h, j·s_w + b·d_w, c]`
is the im2col matrix before its one copy; `window_slice` gives the strided
slice of a padded array that window offset (a, b) touches for every output,
which pooling and col2im use for their kh·kw slice operations.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numpy as np

from ..framework import graph as _graph

PADDINGS = ("SAME", "VALID")

# Patch matrices are built and multiplied batch-chunk by batch-chunk: memory stays bounded, and a 4 MiB
# chunk is still in cache when its GEMM reads it (measured on the 2-core EPYC: MNIST conv2 forward
# 10.5 → 7.9 ms against one 31 MiB patch matrix; 1 MiB chunks are slower again).
CHUNK_BYTES = 1 << 22


# -- build-time argument normalisation -------------------------------------------------------


@contextlib.contextmanager
def argument_errors(op_type: str, name=None):
    """Adds the op and the learner's line to ValueError/TypeError raised while checking arguments.

    Shape-function errors get this from `apply`; arguments normalised before `apply` need it here.
    """
    try:
        yield
    except (ValueError, TypeError) as e:
        msg = str(e)
        if "(created at" in msg:
            raise
        fn, ln, _ = _graph._user_frame()
        raise type(e)(f"{msg.rstrip('.')} for '{name or op_type}' (op: '{op_type}').\n  (created at {fn}:{ln})") \
            from None


def check_padding(padding, op_type: str, allow_explicit: bool = False):
    """'SAME'/'VALID' exactly (tf.nn is case-sensitive); with `allow_explicit`, also [[0,0],[t,b],[l,r],[0,0]].

    Returns the padding string and the 8 explicit paddings (empty unless EXPLICIT).
    """
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding not in PADDINGS:
            allowed = '"SAME", "VALID", "EXPLICIT"' if allow_explicit else '"SAME", "VALID"'
            raise ValueError(f"Attr 'padding' of '{op_type}' Op passed string '{padding}' not in: {allowed}.")
        return padding, []
    if allow_explicit and isinstance(padding, (list, tuple)):
        pairs = [list(p) for p in padding] if all(isinstance(p, (list, tuple)) for p in padding) else None
        if pairs is None or len(pairs) != 4 or any(len(p) != 2 for p in pairs):
            raise ValueError(f"{op_type}: explicit padding must be a list of 4 [before, after] pairs, got {padding!r}")
        flat = [int(v) for p in pairs for v in p]
        if flat[0] or flat[1] or flat[6] or flat[7]:
            raise ValueError(f"{op_type}: explicit padding of the batch and depth dimensions must be 0, "
                             f"got {padding!r}")
        if min(flat) < 0:
            raise ValueError(f"{op_type}: explicit paddings must be nonnegative, got {padding!r}")
        return "EXPLICIT", flat
    raise ValueError(f"{op_type}: padding must be 'SAME' or 'VALID', got {padding!r}")


def check_data_format(data_format, op_type: str) -> str:
    if data_format is None:
        return "NHWC"
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"Attr 'data_format' of '{op_type}' Op passed string '{data_format}' not in: "
                         f"\"NHWC\", \"NCHW\".")
    return data_format


def window_arg(value, name: str, op_type: str, data_format: str = "NHWC") -> list[int]:
    """ksize/strides/dilations in TF1's accepted forms (int, [v], [h, w], full 4-list) as the full 4-list.

    Values must be ≥ 1, and the batch and channel entries of a 4-list must be 1.
    """
    if isinstance(value, (int, np.integer)):
        seq = [int(value)]
    elif isinstance(value, (list, tuple, np.ndarray)):
        seq = [int(v) for v in value]
    else:
        raise TypeError(f"Expected list for '{name}' argument to '{op_type}' Op, not {value!r}.")
    spatial_at = (2, 3) if data_format == "NCHW" else (1, 2)
    if len(seq) == 1:
        seq = seq * 2
    if len(seq) == 2:
        full = [1, 1, 1, 1]
        full[spatial_at[0]], full[spatial_at[1]] = seq
        seq = full
    elif len(seq) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4. Received: {name}={list(seq)} of length {len(seq)}")
    if min(seq) < 1:
        word = {"strides": "Stride", "ksize": "Sliding window ksize", "dilations": "Dilation"}.get(name, name)
        raise ValueError(f"{word} must be > 0, but got {min(seq)} in {name}={seq} of '{op_type}'")
    other = [i for i in range(4) if i not in spatial_at]
    if any(seq[i] != 1 for i in other):
        what = {"strides": "strides", "ksize": "pooling windows", "dilations": "dilations"}.get(name, name)
        raise ValueError(f"{op_type}: {name}={seq} must be 1 in the batch and depth dimensions (teachtf, like TF1's "
                         f"CPU kernels, does not support {what} across batch or channels); use [1, h, w, 1].")
    return seq


def spatial(seq4: list[int], data_format: str = "NHWC") -> tuple[int, int]:
    """(h, w) of a 4-list in `data_format`."""
    return (seq4[2], seq4[3]) if data_format == "NCHW" else (seq4[1], seq4[2])


# -- geometry --------------------------------------------------------------------------------------


def effective_window(k: int, d: int = 1) -> int:
    return (k - 1) * d + 1


@functools.lru_cache(maxsize=4096)
def axis_geometry(n: int, k: int, s: int, d: int, padding: str, before: int = 0, after: int = 0):
    """(out, pad_before, pad_after) of one spatial axis (module docstring); ValueError if a window cannot fit."""
    ke = effective_window(k, d)
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + ke - n, 0)
        return out, total // 2, total - total // 2
    padded = n + before + after
    if padded < ke:
        raise ValueError(f"Negative dimension size caused by subtracting {ke} from {padded}")
    return (padded - ke) // s + 1, before, after


def static_out_size(n, k, s, d, padding, before=0, after=0):
    """Output size of one axis at build time; None when n (or k) is unknown."""
    if n is None or k is None:
        return None
    return axis_geometry(n, k, s, d, padding, before, after)[0]


def explicit_pairs(explicit_paddings, data_format="NHWC"):
    """((top, bottom), (left, right)) from TF's flat 8-list."""
    if not explicit_paddings:
        return (0, 0), (0, 0)
    p = explicit_paddings
    h, w = (2, 3) if data_format == "NCHW" else (1, 2)
    return (p[2 * h], p[2 * h + 1]), (p[2 * w], p[2 * w + 1])


def plane_geometry(hw, khw, strides, dilations, padding, explicit=((0, 0), (0, 0))):
    """Output (oh, ow) and pads ((top, bottom), (left, right)) of a plane of size `hw`."""
    oh, pt, pb = axis_geometry(hw[0], khw[0], strides[0], dilations[0], padding, *explicit[0])
    ow, pl, pr = axis_geometry(hw[1], khw[1], strides[1], dilations[1], padding, *explicit[1])
    return (oh, ow), ((pt, pb), (pl, pr))


# -- layout ---------------------------------------------------------------------------------------


def to_nhwc(xp, x, data_format):
    return xp.ascontiguousarray(x.transpose(0, 2, 3, 1)) if data_format == "NCHW" else x


def from_nhwc(xp, x, data_format):
    return xp.ascontiguousarray(x.transpose(0, 3, 1, 2)) if data_format == "NCHW" else x


def nhwc_dims(shape4: list, data_format: str) -> list:
    """[n, h, w, c] of a static 4-d shape list in `data_format`."""
    return [shape4[0], shape4[2], shape4[3], shape4[1]] if data_format == "NCHW" else list(shape4)


def from_nhwc_dims(nhwc: list, data_format: str) -> list:
    return [nhwc[0], nhwc[3], nhwc[1], nhwc[2]] if data_format == "NCHW" else list(nhwc)


# -- patches, padding, slices ------------------------------------------------------------------------


def pad_plane(xp, x, pads, value=0):
    """x [n, h, w, c] with (pads) rows/columns of `value` around the plane; x itself when no padding."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = xp.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w, :] = x
    return out


def patches(xp, xpad, khw, strides, dilations, out_hw):
    """Strided view [n, oh, ow, kh, kw, c] of a padded NHWC array (no copy)."""
    n, _, _, c = xpad.shape
    s0, s1, s2, s3 = xpad.strides
    shape = (n, out_hw[0], out_hw[1], khw[0], khw[1], c)
    strides = (s0, s1 * strides[0], s2 * strides[1], s1 * dilations[0], s2 * dilations[1], s3)
    return xp.lib.stride_tricks.as_strided(xpad, shape=shape, strides=strides)


def offset_slices(a: int, b: int, strides, dilations, out_hw):
    """(rows, cols): the cells of a padded plane that window offset (a, b) touches for every output position."""
    r0, c0 = a * dilations[0], b * dilations[1]
    rows = slice(r0, r0 + (out_hw[0] - 1) * strides[0] + 1, strides[0])
    cols = slice(c0, c0 + (out_hw[1] - 1) * strides[1] + 1, strides[1])
    return rows, cols


def window_slice(a: int, b: int, strides, dilations, out_hw):
    """offset_slices as an index of a padded NHWC array: [:, rows, cols, :]."""
    rows, cols = offset_slices(a, b, strides, dilations, out_hw)
    return (slice(None), rows, cols, slice(None))


def crop_plane(xpad, pads, hw):
    (pt, _), (pl, _) = pads
    return xpad[:, pt:pt + hw[0], pl:pl + hw[1], :]


def batch_chunks(n: int, bytes_per_item: int, start: int = 0):
    """Slices of the batch range [start, n), each holding at most CHUNK_BYTES of per-item scratch (at least one
    item)."""
    step = max(1, CHUNK_BYTES // max(bytes_per_item, 1))
    return [slice(i, min(i + step, n)) for i in range(start, n, step)]


def num_elements(shape) -> int:
    return math.prod(int(d) for d in shape)
