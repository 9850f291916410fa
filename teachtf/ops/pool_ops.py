"""Pooling ops of tf.nn (API.md §10.3, §10.4, §10.6): max_pool, avg_pool, max_pool_with_argmax, their
1-D/2-D/v2 spellings and tf.nn.pool, with gradients that are ops of their own (second order works).

Every kernel walks the kh·kw window offsets once, each step one strided slice
operation over the whole batch (windows.window_slice), so overlapping windows
(stride < window) need no special case: their contributions simply add up.

- max_pool pads with the lowest value of the dtype, so padded cells never win.
- Tie rule (forward argmax and every max-pool gradient): the FIRST maximum of a
  window in row-major window order receives the gradient.
- avg_pool divides by the number of in-bounds cells of each window (§10.3).
- argmax index of input (y, x, c): (y·W + x)·C + c, plus b·H·W·C with include_batch_in_index.
"""

from __future__ import annotations

import collections

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from . import windows as W
from .constant_op import constant_value, convert_to_tensor
from .conv_ops import check_float, rank4
from .registry import apply, register

__all__ = [
    "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool_v2", "max_pool", "max_pool1d", "max_pool2d", "max_pool_v2",
    "max_pool_with_argmax", "pool",
]

MaxPoolWithArgmaxOutput = collections.namedtuple("MaxPoolWithArgmax", ["output", "argmax"])

_MAX_POOL_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32,
                    dtypes.int64, dtypes.uint8, dtypes.uint16)


# -- numeric kernels (NHWC, any xp) --------------------------------------------------------------------------


def _lowest(dtype):
    dtype = np.dtype(dtype)
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _offsets(k):
    return [(a, b) for a in range(k[0]) for b in range(k[1])]


def max_pool_nhwc(xp, x, k, s, pads, out_hw):
    """out[n, i, j, c] = max over the window of x padded with the dtype's lowest value."""
    xpad = W.pad_plane(xp, x, pads, _lowest(x.dtype))
    out = None
    for a, b in _offsets(k):
        v = xpad[W.window_slice(a, b, s, (1, 1), out_hw)]
        out = v.copy() if out is None else xp.maximum(out, v, out=out)
    return out


def max_pool_argmax_nhwc(xp, x, k, s, pads, out_hw, include_batch):
    """(out, argmax int64): the first maximum of each window and its flat index (module docstring)."""
    n, h, w, c = x.shape
    xpad = W.pad_plane(xp, x, pads, _lowest(x.dtype))
    best = pos = None
    for p, (a, b) in enumerate(_offsets(k)):
        v = xpad[W.window_slice(a, b, s, (1, 1), out_hw)]
        if best is None:
            best, pos = v.copy(), xp.zeros(v.shape, dtype=np.int64)
            continue
        better = v > best
        xp.copyto(best, v, where=better)
        xp.copyto(pos, np.int64(p), where=better)
    (pt, _), (pl, _) = pads
    rows = (xp.arange(out_hw[0], dtype=np.int64) * s[0] - pt)[None, :, None, None] + pos // k[1]
    cols = (xp.arange(out_hw[1], dtype=np.int64) * s[1] - pl)[None, None, :, None] + pos % k[1]
    index = (rows * w + cols) * c + xp.arange(c, dtype=np.int64)
    if include_batch:
        index += (xp.arange(n, dtype=np.int64) * (h * w * c))[:, None, None, None]
    return best, index


def _first_max_masks(xp, xpad, y, k, s, out_hw):
    """Yields (window slice, mask) per offset; each mask marks the outputs whose FIRST maximum sits at that offset.

    The yielded mask is reused by the next step: consume it before advancing.
    """
    offsets = _offsets(k)
    taken = None
    for i, (a, b) in enumerate(offsets):
        sl = W.window_slice(a, b, s, (1, 1), out_hw)
        hit = xpad[sl] == y
        if taken is None:
            taken = hit.copy() if len(offsets) > 1 else hit
        else:
            xp.greater(hit, taken, out=hit)  # hit and not yet taken
            if i + 1 < len(offsets):
                taken |= hit
        yield sl, hit


def max_pool_grad_nhwc(xp, x, y, g, k, s, pads):
    """dX: each output's gradient added at its window's first maximum (overlapping windows accumulate)."""
    out_hw = y.shape[1:3]
    xpad = W.pad_plane(xp, x, pads, _lowest(x.dtype))
    overlapping = s[0] < k[0] or s[1] < k[1]
    tiled = not overlapping and s == k and out_hw[0] * k[0] == xpad.shape[1] and out_hw[1] * k[1] == xpad.shape[2]
    canvas = (xp.empty if tiled else xp.zeros)(xpad.shape, dtype=g.dtype)  # tiled: every cell is written once
    for sl, hit in _first_max_masks(xp, xpad, y, k, s, out_hw):
        if overlapping:
            canvas[sl] += g * hit
        else:
            xp.multiply(g, hit, out=canvas[sl])
    return xp.ascontiguousarray(W.crop_plane(canvas, pads, x.shape[1:3]))


def max_pool_grad_grad_nhwc(xp, x, y, gg, k, s, pads):
    """The adjoint of max_pool_grad_nhwc in its gradient argument: gg (input-shaped) read at each first maximum."""
    out_hw = y.shape[1:3]
    xpad = W.pad_plane(xp, x, pads, _lowest(x.dtype))
    ggpad = W.pad_plane(xp, gg, pads)
    out = xp.zeros(y.shape, dtype=gg.dtype)
    for sl, hit in _first_max_masks(xp, xpad, y, k, s, out_hw):
        xp.copyto(out, ggpad[sl], where=hit)
    return out


def _window_counts(n, k, s, pad_before, out):
    """In-bounds cells of each window along one axis."""
    start = np.arange(out) * s - pad_before
    return np.minimum(start + k, n) - np.maximum(start, 0)


def avg_divisor(xp, hw, k, s, pads, out_hw, dtype):
    """[1, oh, ow, 1] in-bounds cell counts of every window (the avg_pool divisor)."""
    ch = _window_counts(hw[0], k[0], s[0], pads[0][0], out_hw[0])
    cw = _window_counts(hw[1], k[1], s[1], pads[1][0], out_hw[1])
    return xp.asarray((ch[:, None] * cw[None, :]).astype(dtype)[None, :, :, None])


def avg_pool_nhwc(xp, x, k, s, pads, out_hw):
    xpad = W.pad_plane(xp, x, pads)
    acc = None
    for a, b in _offsets(k):
        v = xpad[W.window_slice(a, b, s, (1, 1), out_hw)]
        acc = v.copy() if acc is None else xp.add(acc, v, out=acc)
    acc /= avg_divisor(xp, x.shape[1:3], k, s, pads, out_hw, x.dtype)
    return acc


def avg_pool_grad_nhwc(xp, in_shape, g, k, s, pads):
    """dX: each window spreads grad / count over its in-bounds cells."""
    n, h, w, c = in_shape
    out_hw = g.shape[1:3]
    share = g / avg_divisor(xp, (h, w), k, s, pads, out_hw, g.dtype)
    (pt, pb), (pl, pr) = pads
    canvas = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=g.dtype)
    for a, b in _offsets(k):
        canvas[W.window_slice(a, b, s, (1, 1), out_hw)] += share
    return xp.ascontiguousarray(W.crop_plane(canvas, pads, (h, w)))


def _flat_argmax(ctx, argmax, out_shape, include_batch, what):
    """argmax as indices into the flattened out_shape; InvalidArgumentError for indices outside the tensor."""
    xp = ctx.xp
    n = int(out_shape[0])
    per_item = W.num_elements(out_shape[1:])
    limit = n * per_item if include_batch else per_item
    idx = argmax.reshape(n, -1).astype(np.int64, copy=False) if n else argmax.reshape(0, 0).astype(np.int64)
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= limit:
            bad = lo if lo < 0 else hi
            scope = "the whole batch" if include_batch else "one batch item"
            raise errors.InvalidArgumentError(
                None, ctx.op,
                f"{what}: argmax index {bad} is outside [0, {limit}), the flat size of {scope} of the shape "
                f"{list(int(d) for d in out_shape)} (include_batch_in_index={include_batch}).")
    if not include_batch:
        idx = idx + (xp.arange(n, dtype=np.int64) * per_item)[:, None]
    return idx.reshape(-1)


def scatter_by_argmax(ctx, values, argmax, out_shape, include_batch, what):
    """zeros(out_shape) with every value added at its argmax position (duplicates sum)."""
    xp = ctx.xp
    out_shape = tuple(int(d) for d in out_shape)
    if values.shape != argmax.shape:
        raise errors.InvalidArgumentError(None, ctx.op, f"{what}: values {list(values.shape)} and argmax "
                                                        f"{list(argmax.shape)} must have the same shape")
    if values.size and values.shape[0] != out_shape[0]:
        raise errors.InvalidArgumentError(None, ctx.op, f"{what}: batch of values {list(values.shape)} differs from "
                                                        f"the output shape {list(out_shape)}")
    idx = _flat_argmax(ctx, argmax, out_shape, include_batch, what)
    size = W.num_elements(out_shape)
    flat = values.reshape(-1)
    if values.dtype.kind == "f":
        out = xp.bincount(idx, weights=flat.astype(np.float64), minlength=size)[:size].astype(values.dtype)
    else:
        out = xp.zeros(size, dtype=values.dtype)
        xp.add.at(out, idx, flat)
    return out.reshape(out_shape)


def gather_by_argmax(ctx, source, argmax, include_batch, what):
    """source (full-size) read at every argmax position: the adjoint of scatter_by_argmax."""
    idx = _flat_argmax(ctx, argmax, source.shape, include_batch, what)
    return source.reshape(-1)[idx].reshape(argmax.shape)


# -- shape functions and attrs -------------------------------------------------------------------------------


def _pool_attrs(ksize, strides, padding, data_format, op_type):
    with W.argument_errors(op_type):
        fmt = W.check_data_format(data_format, op_type)
        padding, _ = W.check_padding(padding, op_type)
        return {"ksize": W.window_arg(ksize, "ksize", op_type, fmt),
                "strides": W.window_arg(strides, "strides", op_type, fmt), "padding": padding, "data_format": fmt}


def _plane(ksize, strides, padding, data_format, hw):
    """(k, s, out_hw, pads) of the pooling plane for the op's attrs and a spatial size."""
    k, s = W.spatial(ksize, data_format), W.spatial(strides, data_format)
    out_hw, pads = W.plane_geometry(hw, k, s, (1, 1), padding)
    return k, s, out_hw, pads


def _pooled_shape(x_shape, attrs):
    fmt = attrs.get("data_format", "NHWC")
    n, h, w, c = W.nhwc_dims(rank4(x_shape, "input"), fmt)
    k, s = W.spatial(attrs["ksize"], fmt), W.spatial(attrs["strides"], fmt)
    oh = W.static_out_size(h, k[0], s[0], 1, attrs["padding"])
    ow = W.static_out_size(w, k[1], s[1], 1, attrs["padding"])
    return W.from_nhwc_dims([n, oh, ow, c], fmt)


def _check_max_pool_dtype(t):
    if t.dtype.base_dtype not in _MAX_POOL_DTYPES:
        raise TypeError(f"Value passed to parameter 'input' has DataType {t.dtype.base_dtype.name} not in list of "
                        f"allowed values: {', '.join(d.name for d in _MAX_POOL_DTYPES)}")


def _pool_kw(op, *names):
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "data_format") + names}


def _shape_of(t):
    from . import array_ops

    return array_ops.shape(t)


def _zeros_like(t):
    from . import array_ops

    return array_ops.zeros_like(t)


def _same_as(i):
    return lambda inputs, attrs: [(inputs[i].shape, inputs[i].dtype.base_dtype)]


def _in_nhwc(xp, fmt, *arrays):
    return [W.to_nhwc(xp, a, fmt) for a in arrays]


# -- MaxPool, MaxPoolGrad, MaxPoolGradGrad -------------------------------------------------------------------


def _max_pool_shape(inputs, attrs):
    _check_max_pool_dtype(inputs[0])
    return [(_pooled_shape(inputs[0].shape, attrs), inputs[0].dtype.base_dtype)]


def _max_pool_grad(op, grad):
    return [apply("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], _pool_kw(op), "MaxPoolGrad")]


def _pooled(ctx, nhwc_fn, x, ksize, strides, padding, data_format):
    """`nhwc_fn(xp, x, k, s, pads, out_hw)` (a forward pooling) run in NHWC, returned in `data_format`."""
    xp = ctx.xp
    (x,) = _in_nhwc(xp, data_format, x)
    k, s, out_hw, pads = _plane(ksize, strides, padding, data_format, x.shape[1:3])
    return W.from_nhwc(xp, nhwc_fn(xp, x, k, s, pads, out_hw), data_format)


@register("MaxPool", shape=_max_pool_shape, grad=_max_pool_grad)
def _max_pool_kernel(ctx, x, ksize, strides, padding, data_format, **_):
    return _pooled(ctx, max_pool_nhwc, x, ksize, strides, padding, data_format)


def _zero_xy_and(op_type: str):
    """Gradient of MaxPoolGrad / MaxPoolGradGrad: none through x and y (the argmax is piecewise constant), and
    `op_type` routing the incoming gradient through the same window maxima."""
    def grad_fn(op, grad):
        x, y, _ = op.inputs
        return [_zeros_like(x), _zeros_like(y), apply(op_type, [x, y, grad], _pool_kw(op), op_type)]
    return grad_fn


def _max_pool_routed(ctx, nhwc_fn, x, y, g, ksize, strides, padding, data_format):
    """`nhwc_fn(xp, x, y, g, k, s, pads)` run in NHWC, its result returned in `data_format`."""
    xp = ctx.xp
    x, y, g = _in_nhwc(xp, data_format, x, y, g)
    k, s, _, pads = _plane(ksize, strides, padding, data_format, x.shape[1:3])
    return W.from_nhwc(xp, nhwc_fn(xp, x, y, g, k, s, pads), data_format)


@register("MaxPoolGrad", shape=_same_as(0), grad=_zero_xy_and("MaxPoolGradGrad"))
def _max_pool_grad_kernel(ctx, x, y, g, ksize, strides, padding, data_format, **_):
    return _max_pool_routed(ctx, max_pool_grad_nhwc, x, y, g, ksize, strides, padding, data_format)


@register("MaxPoolGradGrad", shape=_same_as(1), grad=_zero_xy_and("MaxPoolGrad"))
def _max_pool_grad_grad_kernel(ctx, x, y, gg, ksize, strides, padding, data_format, **_):
    return _max_pool_routed(ctx, max_pool_grad_grad_nhwc, x, y, gg, ksize, strides, padding, data_format)


# -- AvgPool, AvgPoolGrad ------------------------------------------------------------------------------------


def _avg_pool_shape(inputs, attrs):
    check_float(inputs[0], "value")
    return [(_pooled_shape(inputs[0].shape, attrs), inputs[0].dtype.base_dtype)]


def _avg_pool_grad(op, grad):
    return [apply("AvgPoolGrad", [_shape_of(op.inputs[0]), grad], _pool_kw(op), "AvgPoolGrad")]


@register("AvgPool", shape=_avg_pool_shape, grad=_avg_pool_grad)
def _avg_pool_kernel(ctx, x, ksize, strides, padding, data_format, **_):
    return _pooled(ctx, avg_pool_nhwc, x, ksize, strides, padding, data_format)


def _avg_pool_grad_shape(inputs, attrs):
    sizes, g = inputs
    v = constant_value(sizes)
    shape = [int(d) for d in np.asarray(v).reshape(-1)] if v is not None else [None] * 4
    return [(shape, g.dtype.base_dtype)]


def _avg_pool_grad_grad(op, grad):
    return [None, apply("AvgPool", [grad], _pool_kw(op), "AvgPool")]


@register("AvgPoolGrad", shape=_avg_pool_grad_shape, grad=_avg_pool_grad_grad)
def _avg_pool_grad_kernel(ctx, sizes, g, ksize, strides, padding, data_format, **_):
    xp = ctx.xp
    in_shape = W.nhwc_dims([int(d) for d in sizes.tolist()], data_format)
    (g,) = _in_nhwc(xp, data_format, g)
    k, s, _, pads = _plane(ksize, strides, padding, data_format, in_shape[1:3])
    return W.from_nhwc(xp, avg_pool_grad_nhwc(xp, in_shape, g, k, s, pads), data_format)


# -- MaxPoolWithArgmax and its scatter/gather gradients ------------------------------------------------------


def _argmax_pool_shape(inputs, attrs):
    _check_max_pool_dtype(inputs[0])
    shape = _pooled_shape(inputs[0].shape, attrs)
    return [(shape, inputs[0].dtype.base_dtype), (shape, attrs["Targmax"])]


def _argmax_kw(op):
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "include_batch_in_index")}


def _argmax_pool_grad(op, grad, _argmax_grad):
    x, = op.inputs
    return [apply("MaxPoolGradWithArgmax", [x, grad, op.outputs[1]], _argmax_kw(op), "MaxPoolGradWithArgmax")]


@register("MaxPoolWithArgmax", shape=_argmax_pool_shape, grad=_argmax_pool_grad)
def _argmax_pool_kernel(ctx, x, ksize, strides, padding, Targmax, include_batch_in_index=False, **_):
    xp = ctx.xp
    k, s, out_hw, pads = _plane(ksize, strides, padding, "NHWC", x.shape[1:3])
    out, index = max_pool_argmax_nhwc(xp, x, k, s, pads, out_hw, include_batch_in_index)
    return out, index.astype(Targmax.as_numpy_dtype, copy=False)


def _scatter_grad(op, grad):
    x, _, argmax = op.inputs
    return [_zeros_like(x), apply("MaxPoolGradGradWithArgmax", [x, grad, argmax], _argmax_kw(op),
                                  "MaxPoolGradGradWithArgmax"), None]


@register("MaxPoolGradWithArgmax", shape=_same_as(0), grad=_scatter_grad)
def _argmax_pool_grad_kernel(ctx, x, g, argmax, include_batch_in_index=False, **_):
    return scatter_by_argmax(ctx, g, argmax, x.shape, include_batch_in_index, "MaxPoolGradWithArgmax")


def _gather_grad(op, grad):
    x, _, argmax = op.inputs
    return [_zeros_like(x), apply("MaxPoolGradWithArgmax", [x, grad, argmax], _argmax_kw(op),
                                  "MaxPoolGradWithArgmax"), None]


@register("MaxPoolGradGradWithArgmax", shape=lambda inputs, attrs: [(inputs[2].shape, inputs[1].dtype.base_dtype)],
          grad=_gather_grad)
def _argmax_pool_grad_grad_kernel(ctx, x, gg, argmax, include_batch_in_index=False, **_):
    out = gather_by_argmax(ctx, gg, argmax, include_batch_in_index, "MaxPoolGradGradWithArgmax")
    return out.astype(gg.dtype, copy=False)


# -- public functions ----------------------------------------------------------------------------------------


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None) -> Tensor:
    """Max over kh×kw windows per channel: value [b, h, w, c] → [b, oh, ow, c] (§10.3 sizes).

    ksize/strides: int, [k], [kh, kw] or [1, kh, kw, 1]. The gradient goes to each window's first maximum.
    """
    value = input if value is None else value
    attrs = _pool_attrs(ksize, strides, padding, data_format, "MaxPool")
    return apply("MaxPool", [convert_to_tensor(value)], attrs, name or "MaxPool")


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None) -> Tensor:
    """Mean over the in-bounds cells of kh×kw windows per channel (SAME padding is not counted)."""
    value = input if value is None else value
    attrs = _pool_attrs(ksize, strides, padding, data_format, "AvgPool")
    return apply("AvgPool", [convert_to_tensor(value)], attrs, name or "AvgPool")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    return avg_pool(input, ksize, strides, padding, data_format, name)


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", Targmax=None, name=None,
                         output_dtype=None, include_batch_in_index=False):
    """(output, argmax): max_pool and, per output, the flat index (y·W + x)·C + c of its first maximum.

    With include_batch_in_index the index is ((b·H + y)·W + x)·C + c. argmax is int64 (Targmax) and has no gradient.
    """
    if data_format not in (None, "NHWC"):
        raise ValueError("Data formats other than 'NHWC' are not yet supported")
    targ = dtypes.as_dtype(Targmax if Targmax is not None else output_dtype or dtypes.int64).base_dtype
    if targ not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Targmax must be int32 or int64, got {targ.name}")
    attrs = _pool_attrs(ksize, strides, padding, "NHWC", "MaxPoolWithArgmax")
    del attrs["data_format"]
    attrs.update(Targmax=targ, include_batch_in_index=bool(include_batch_in_index))
    out, argmax = apply("MaxPoolWithArgmax", [convert_to_tensor(input)], attrs, name or "MaxPoolWithArgmax")
    return MaxPoolWithArgmaxOutput(out, argmax)


def _pool1d(fn, input, ksize, strides, padding, data_format, name, default):
    from . import array_ops

    if data_format not in ("NWC", "NCW", None):
        raise ValueError(f"data_format must be \"NWC\" or \"NCW\", got {data_format!r}")
    channels_first = data_format == "NCW"

    def seq3(v, what):
        vals = [int(v)] if isinstance(v, (int, np.integer)) else [int(e) for e in v]
        if len(vals) == 3:
            vals = [vals[2 if channels_first else 1]]
        if len(vals) != 1:
            raise ValueError(f"{what} should be of length 1 or 3. Received: {what}={v}")
        return [1, 1, 1, vals[0]] if channels_first else [1, 1, vals[0], 1]

    with _graph.name_scope(name, default, [input]) as scope:
        axis = 2 if channels_first else 1
        x = array_ops.expand_dims(convert_to_tensor(input), axis)
        y = fn(x, seq3(ksize, "ksize"), seq3(strides, "strides"), padding,
               data_format="NCHW" if channels_first else "NHWC")
        return array_ops.squeeze(y, [axis], name=scope)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:
    """Max pooling of [b, w, c] ('NWC') signals along w."""
    return _pool1d(max_pool, input, ksize, strides, padding, data_format, name, "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:
    """Average pooling of [b, w, c] ('NWC') signals along w (in-bounds divisor)."""
    return _pool1d(avg_pool, input, ksize, strides, padding, data_format, name, "AvgPool1D")


def _pool_by_rank(fn2d, fn1d, input, ksize, strides, padding, data_format, name):
    x = convert_to_tensor(input)
    rank = x.shape.ndims
    if rank == 4:
        return fn2d(x, ksize, strides, padding, data_format or "NHWC", name)
    if rank == 3:
        return fn1d(x, ksize, strides, padding, data_format or "NWC", name)
    raise ValueError(f"teachtf supports 1-D and 2-D pooling (input rank 3 or 4); got input of rank {rank}")


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """max_pool for rank-3 ('NWC') or rank-4 ('NHWC') input; ksize/strides int or per-axis lists."""
    return _pool_by_rank(max_pool2d, max_pool1d, input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    return _pool_by_rank(avg_pool2d, avg_pool1d, input, ksize, strides, padding, data_format, name)


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None, name=None,
         data_format=None, dilations=None) -> Tensor:
    """tf.nn.pool for 1-D and 2-D windows: pooling_type 'MAX' or 'AVG'; strides default to 1."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"Invalid pooling_type: {pooling_type}")
    window = [int(v) for v in window_shape]
    rate = dilation_rate if dilation_rate is not None else dilations
    if rate is not None and any(int(r) != 1 for r in rate):
        raise ValueError(f"teachtf's tf.nn.pool supports dilation_rate 1 only, got {list(rate)}")
    st = [1] * len(window) if strides is None else [int(v) for v in strides]
    if len(st) != len(window):
        raise ValueError(f"strides {st} must have the same length as window_shape {window}")
    with _graph.name_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        fn = (max_pool_v2 if pooling_type == "MAX" else avg_pool_v2)
        return fn(input, window, st, padding, data_format, name=scope)

