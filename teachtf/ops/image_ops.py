"""Image resizing (API.md §18) and depth_to_space / space_to_depth (§10.7), with their gradients.

Resizing is separable: along each spatial axis the output is a fixed linear
map R [out, in] of the input, so every method is  out = R_h · image · R_wᵀ
(two batched GEMMs), and every gradient is  R_hᵀ · grad · R_w. The matrices
follow TF1's legacy sampling (no half-pixel offset unless half_pixel_centers):
    scale = (in − 1)/(out − 1) with align_corners (and out > 1), else in/out
    source coordinate of output i: i·scale
- NEAREST:  ⌊i·scale⌋ (round(i·scale) with align_corners), clamped to in − 1; a gather, dtype kept.
- BILINEAR: the two neighbours ⌊src⌋, min(⌈src⌉, in − 1) weighted by 1 − t, t with t = src − ⌊src⌋.
- BICUBIC:  4 taps ⌊src⌋−1 … ⌊src⌋+2 (clamped) with TF's tabulated cubic kernel (a = −0.75 legacy,
            Keys a = −0.5 with half_pixel_centers, where out-of-image taps get weight 0 and the rest renormalise).
- AREA:     each output averages the input cells its [i·scale, (i+1)·scale) interval covers, by overlap.
Outputs are float32 except nearest, which keeps the input dtype.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .constant_op import constant, constant_value, convert_to_tensor
from .conv_ops import rank4
from .registry import apply, register

__all__ = ["depth_to_space", "space_to_depth"]

_BICUBIC_TABLE = 1024


# -- interpolation matrices (NumPy, cached: they depend only on sizes and flags) -----------------------------


def _scale(n_in: int, n_out: int, align_corners: bool) -> np.float32:
    if align_corners and n_out > 1:
        return np.float32(n_in - 1) / np.float32(n_out - 1)
    return np.float32(n_in) / np.float32(n_out)


def _source(i, scale, half_pixel):
    """Source coordinate (float32, as TF computes it) of output positions i."""
    i = np.asarray(i, dtype=np.float32)
    return (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else i * scale


def nearest_indices(n_in: int, n_out: int, align_corners: bool, half_pixel: bool) -> np.ndarray:
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    if half_pixel:
        src = np.floor((i + np.float32(0.5)) * scale)
    else:
        # roundf (halves away from zero) with align_corners, as TF's kernel; np.round would round halves to even.
        src = np.floor(i * scale + np.float32(0.5)) if align_corners else np.floor(i * scale)
    return np.clip(src.astype(np.int64), 0, n_in - 1)


def _bicubic_table(a: float) -> np.ndarray:
    x = np.arange(_BICUBIC_TABLE + 1) / _BICUBIC_TABLE
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + 1.0
    far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return np.stack([near, far], axis=1).astype(np.float32)


@functools.lru_cache(maxsize=256)
def resize_matrix(method: str, n_in: int, n_out: int, align_corners: bool = False,
                  half_pixel: bool = False) -> np.ndarray:
    """R [n_out, n_in] (float32, read-only) with out = R · in along one axis (module docstring)."""
    r = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    scale = _scale(n_in, n_out, align_corners)
    if method == "nearest":
        r[rows, nearest_indices(n_in, n_out, align_corners, half_pixel)] = 1.0
    elif method == "bilinear":
        src = _source(rows, scale, half_pixel)
        lo_f = np.floor(src)
        t = (src - lo_f).astype(np.float64)
        lo = np.maximum(lo_f.astype(np.int64), 0)
        hi = np.minimum(np.ceil(src).astype(np.int64), n_in - 1)
        np.add.at(r, (rows, lo), 1.0 - t)
        np.add.at(r, (rows, hi), t)
    elif method == "bicubic":
        _bicubic_rows(r, n_in, _source(rows, scale, half_pixel), half_pixel)
    elif method == "area":
        _area_rows(r, n_in, n_out, float(scale))
    else:
        raise ValueError(f"Unknown resize method {method!r}")
    out = r.astype(np.float32)
    out.setflags(write=False)
    return out


def _bicubic_rows(r, n_in, src, keys):
    table = _bicubic_table(-0.5 if keys else -0.75)
    base = np.floor(src).astype(np.int64)
    offset = np.rint((src - base) * _BICUBIC_TABLE).astype(np.int64)
    weights = np.stack([table[offset, 1], table[offset, 0], table[_BICUBIC_TABLE - offset, 0],
                        table[_BICUBIC_TABLE - offset, 1]], axis=1).astype(np.float64)
    taps = base[:, None] + np.arange(-1, 3)[None, :]
    if keys:
        weights = np.where((taps >= 0) & (taps < n_in), weights, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        weights = np.where(np.abs(total) > 0, weights / np.where(total == 0, 1, total), weights)
    taps = np.clip(taps, 0, n_in - 1)
    for k in range(4):
        np.add.at(r, (np.arange(len(src)), taps[:, k]), weights[:, k])


def _area_rows(r, n_in, n_out, scale):
    if scale == 0:  # align_corners with a single input cell: every output copies it
        r[:, 0] = 1.0
        return
    for i in range(n_out):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(math.floor(lo)), int(math.ceil(hi))):
            overlap = min(j + 1, hi) - max(j, lo)
            r[i, min(j, n_in - 1)] += overlap / scale


# -- kernels -------------------------------------------------------------------------------------------------


def apply_separable(xp, images, r_h, r_w):
    """out [n, oh, ow, c] = R_h · images · R_wᵀ per image and channel (two batched GEMMs)."""
    n, h, w, c = images.shape
    r_h, r_w = xp.asarray(r_h, dtype=images.dtype), xp.asarray(r_w, dtype=images.dtype)
    rows = xp.matmul(r_h, images.reshape(n, h, w * c))  # [n, oh, w·c]
    oh = r_h.shape[0]
    return xp.matmul(r_w, rows.reshape(n * oh, w, c)).reshape(n, oh, r_w.shape[0], c)


def _size_pair(size) -> tuple[int, int]:
    h, w = (int(v) for v in (size.tolist() if hasattr(size, "tolist") else size))
    if h <= 0 or w <= 0:
        raise ValueError(f"output dimensions must be positive, got size [{h}, {w}]")
    return h, w


def _resize_kernel(method):
    def kernel(ctx, images, size, align_corners=False, half_pixel_centers=False, **_):
        xp = ctx.xp
        oh, ow = _size_pair(size)
        _, h, w, _ = images.shape
        if method == "nearest":
            rows = xp.asarray(nearest_indices(h, oh, align_corners, half_pixel_centers))
            cols = xp.asarray(nearest_indices(w, ow, align_corners, half_pixel_centers))
            return xp.take(xp.take(images, rows, axis=1), cols, axis=2)
        r_h = resize_matrix(method, h, oh, align_corners, half_pixel_centers)
        r_w = resize_matrix(method, w, ow, align_corners, half_pixel_centers)
        return apply_separable(xp, images.astype(np.float32, copy=False), r_h, r_w)

    return kernel


def _resize_grad_kernel(method):
    def kernel(ctx, grads, original, align_corners=False, half_pixel_centers=False, **_):
        """Adjoint: R_hᵀ · grads · R_w, in the dtype of the original image (its spatial size read from it)."""
        if method == "nearest":
            h, w = _size_pair(original)
            dtype = grads.dtype
        else:
            h, w = original.shape[1:3]
            dtype = original.dtype
        oh, ow = grads.shape[1:3]
        r_h = resize_matrix(method, h, oh, align_corners, half_pixel_centers)
        r_w = resize_matrix(method, w, ow, align_corners, half_pixel_centers)
        return apply_separable(ctx.xp, grads.astype(dtype, copy=False), r_h.T, r_w.T)

    return kernel


def _check_images(t: Tensor, op_type: str):
    dt = t.dtype.base_dtype
    if not (dt.is_floating or dt.is_integer) or dt.is_bool:
        raise TypeError(f"{op_type}: images must be a real numeric tensor, got {dt.name}")
    return rank4(t.shape, "images")


def _size_value(size: Tensor):
    if size.shape.ndims not in (None, 1) or (size.shape.ndims == 1 and size.shape[0].value not in (None, 2)):
        raise ValueError(f"Shape must be rank 1 with 2 elements (new_height, new_width) but is {size.shape}")
    v = constant_value(size)
    if v is None:
        return None, None
    h, w = (int(e) for e in np.asarray(v).reshape(-1))
    if h <= 0 or w <= 0:
        raise ValueError(f"size must be positive, got [{h}, {w}]")
    return h, w


def _resize_shape(out_dtype):
    def fn(inputs, attrs):
        images, size = inputs
        n, _, _, c = _check_images(images, "resize")
        oh, ow = _size_value(size)
        return [([n, oh, ow, c], out_dtype or images.dtype.base_dtype)]

    return fn


def _resize_attrs(op):
    return {"align_corners": op.get_attr("align_corners"), "half_pixel_centers": op.get_attr("half_pixel_centers")}


def _float_resize_grad(grad_type):
    def grad(op, g):
        return [apply(grad_type, [g, op.inputs[0]], _resize_attrs(op), grad_type), None]

    return grad


def _nearest_grad(op, g):
    from . import array_ops

    images = op.inputs[0]
    hw = images.shape.as_list()[1:3] if images.shape.ndims == 4 else [None, None]
    size = constant(np.asarray(hw, np.int32)) if None not in hw else \
        array_ops.strided_slice(array_ops.shape(images), [1], [3])
    return [apply("ResizeNearestNeighborGrad", [g, size], _resize_attrs(op), "ResizeNearestNeighborGrad"), None]


def _grad_shape(inputs, attrs):
    grads, original = inputs
    n, _, _, c = rank4(grads.shape, "grads")
    _, h, w, _ = rank4(original.shape, "original_image")
    return [([n, h, w, c], original.dtype.base_dtype)]


def _nearest_grad_shape(inputs, attrs):
    grads, size = inputs
    n, _, _, c = rank4(grads.shape, "grads")
    oh, ow = _size_value(size)
    return [([n, oh, ow, c], grads.dtype.base_dtype)]


def _grad_of_grad(forward_type):
    """The resize gradients are linear in `grads`: their own gradient is the forward resize."""
    def grad(op, g):
        from . import array_ops

        target = op.inputs[0]
        hw = target.shape.as_list()[1:3] if target.shape.ndims == 4 else [None, None]
        size = constant(np.asarray(hw, np.int32)) if None not in hw else \
            array_ops.strided_slice(array_ops.shape(target), [1], [3])
        out = apply(forward_type, [g, size], _resize_attrs(op), forward_type)
        if out.dtype.base_dtype != target.dtype.base_dtype:
            from .math_ops import cast

            out = cast(out, target.dtype.base_dtype)
        return [out, None]

    return grad


register("ResizeBilinear", shape=_resize_shape(dtypes.float32),
         grad=_float_resize_grad("ResizeBilinearGrad"))(_resize_kernel("bilinear"))
register("ResizeBicubic", shape=_resize_shape(dtypes.float32),
         grad=_float_resize_grad("ResizeBicubicGrad"))(_resize_kernel("bicubic"))
register("ResizeArea", shape=_resize_shape(dtypes.float32), grad=None)(_resize_kernel("area"))
register("ResizeNearestNeighbor", shape=_resize_shape(None), grad=_nearest_grad)(_resize_kernel("nearest"))
register("ResizeBilinearGrad", shape=_grad_shape, grad=_grad_of_grad("ResizeBilinear"))(
    _resize_grad_kernel("bilinear"))
register("ResizeBicubicGrad", shape=_grad_shape, grad=_grad_of_grad("ResizeBicubic"))(_resize_grad_kernel("bicubic"))
register("ResizeNearestNeighborGrad", shape=_nearest_grad_shape, grad=_grad_of_grad("ResizeNearestNeighbor"))(
    _resize_grad_kernel("nearest"))


def _resize_op(op_type, images, size, align_corners, half_pixel_centers, name):
    images = convert_to_tensor(images)
    size = _size_tensor(size)
    if half_pixel_centers and align_corners:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")
    return apply(op_type, [images, size], {"align_corners": bool(align_corners),
                                           "half_pixel_centers": bool(half_pixel_centers)}, name or op_type)


def _size_tensor(size) -> Tensor:
    if isinstance(size, Tensor) or hasattr(size, "_as_tensor"):
        t = convert_to_tensor(size)
        if t.dtype.base_dtype != dtypes.int32:
            raise TypeError(f"'size' must be a 1-D int32 Tensor, got {t.dtype.base_dtype.name}")
        return t
    if isinstance(size, TensorShape):
        size = size.as_list()
    if isinstance(size, (list, tuple)) and any(isinstance(s, Tensor) for s in size):
        from . import array_ops

        return array_ops.stack([convert_to_tensor(s, dtype=dtypes.int32) for s in size])
    try:
        return constant(np.asarray(size, dtype=np.int32), name="size")
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
    """Bilinear resize of [b, h, w, c] images to size [new_h, new_w]; float32 output."""
    return _resize_op("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
    """Nearest-neighbour resize of [b, h, w, c] images (source ⌊i·in/out⌋); keeps the dtype."""
    return _resize_op("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers, name)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
    """Bicubic resize (TF's tabulated cubic kernel); float32 output."""
    return _resize_op("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images, size, align_corners=False, name=None) -> Tensor:
    """Area (box-average) resize; float32 output; no gradient (as in TF1)."""
    return _resize_op("ResizeArea", images, size, align_corners, False, name)


# -- depth_to_space / space_to_depth -------------------------------------------------------------------------


def _block_attrs(block_size, data_format, op_type):
    if not isinstance(block_size, (int, np.integer)) or block_size < 2:
        raise ValueError(f"Value for attr 'block_size' of {block_size} must be at least minimum 2 ({op_type})")
    if data_format not in (None, "NHWC"):
        raise ValueError(f"{op_type}: teachtf supports data_format='NHWC' only, got {data_format!r}")
    return {"block_size": int(block_size), "data_format": "NHWC"}


def _d2s_shape(inputs, attrs):
    n, h, w, c = rank4(inputs[0].shape, "input")
    b = attrs["block_size"]
    if c is not None and c % (b * b):
        raise ValueError(f"Dimension size must be evenly divisible by {b * b} but is {c}")
    return [([n, None if h is None else h * b, None if w is None else w * b, None if c is None else c // (b * b)],
             inputs[0].dtype.base_dtype)]


def _s2d_shape(inputs, attrs):
    n, h, w, c = rank4(inputs[0].shape, "input")
    b = attrs["block_size"]
    for d in (h, w):
        if d is not None and d % b:
            raise ValueError(f"Dimension size must be evenly divisible by {b} but is {d}")
    return [([n, None if h is None else h // b, None if w is None else w // b, None if c is None else c * b * b],
             inputs[0].dtype.base_dtype)]


@register("DepthToSpace", shape=_d2s_shape,
          grad=lambda op, g: [space_to_depth(g, op.get_attr("block_size"))])
def _d2s_kernel(ctx, x, block_size, **_):
    """out[n, h·b + i, w·b + j, c] = x[n, h, w, (i·b + j)·C_out + c]."""
    n, h, w, c = x.shape
    b = block_size
    y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h * b, w * b, c // (b * b))


@register("SpaceToDepth", shape=_s2d_shape,
          grad=lambda op, g: [depth_to_space(g, op.get_attr("block_size"))])
def _s2d_kernel(ctx, x, block_size, **_):
    """The inverse of DepthToSpace."""
    n, h, w, c = x.shape
    b = block_size
    y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h // b, w // b, b * b * c)


def depth_to_space(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """Moves channel blocks into b×b spatial blocks: [n, h, w, c·b²] → [n, h·b, w·b, c]."""
    attrs = _block_attrs(block_size, data_format, "DepthToSpace")
    return apply("DepthToSpace", [convert_to_tensor(input)], attrs, name or "DepthToSpace")


def space_to_depth(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """Moves b×b spatial blocks into channels: [n, h·b, w·b, c] → [n, h, w, c·b²]."""
    attrs = _block_attrs(block_size, data_format, "SpaceToDepth")
    return apply("SpaceToDepth", [convert_to_tensor(input)], attrs, name or "SpaceToDepth")
