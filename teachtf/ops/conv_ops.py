"""Convolution ops of tf.nn (API.md §10.3–10.5): conv2d and its two backprops, conv2d_transpose, bias_add,
conv1d, atrous_conv2d and convolution (depthwise/separable convolution: depthwise_conv_ops.py).

conv2d is cross-correlation over NHWC input with an HWIO filter:
    out[n, i, j, o] = Σ_{a, b, c} x_pad[n, i·s_h + a·d_h, j·s_w + b·d_w, c] · f[a, b, c, o]
computed as im2col (one copy of a strided patch view, batch-chunked so memory
stays bounded) and ONE GEMM. Its adjoints are ops of their own, so gradients
can be differentiated again:
    Conv2DBackpropInput(input_sizes, f, dy)   dX: GEMM dy·fᵀ, then col2im by kh·kw slice-adds
    Conv2DBackpropFilter(x, filter_sizes, dy) dF: GEMM patches(x)ᵀ·dy
Each of the three is linear in each input, so their gradients are the other two.
"""

from __future__ import annotations

import numpy as np

from .. import backend as _backend
from ..backend import parallel as _parallel
from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from . import inplace
from . import windows as W
from .constant_op import constant, constant_value, convert_to_tensor
from .registry import apply, register

__all__ = [
    "atrous_conv2d", "bias_add", "conv1d", "conv2d", "conv2d_backprop_filter", "conv2d_backprop_input",
    "conv2d_transpose", "convolution",
]

_FLOAT_NAMES = "float16, bfloat16, float32, float64"


# -- build-time helpers ---------------------------------------------------------------------------------


def _is_tensorlike(v) -> bool:
    return isinstance(v, Tensor) or hasattr(v, "_as_tensor")


def same_dtype_inputs(first, *rest):
    """TF1's shared type attr: `first` fixes the dtype; later Python/NumPy values are converted to it."""
    x = convert_to_tensor(first)
    out = [x]
    for v in rest:
        out.append(convert_to_tensor(v) if _is_tensorlike(v) else convert_to_tensor(v, dtype=x.dtype.base_dtype))
    return out


def check_float(t: Tensor, arg: str) -> None:
    dt = t.dtype.base_dtype
    if not dt.is_floating:
        raise TypeError(f"Value passed to parameter '{arg}' has DataType {dt.name} not in list of allowed values: "
                        f"{_FLOAT_NAMES}")


def check_same_dtype(a: Tensor, b: Tensor, a_arg: str, b_arg: str, op_type: str) -> None:
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(f"Input '{b_arg}' of '{op_type}' Op has type {b.dtype.base_dtype.name} that does not match "
                        f"type {a.dtype.base_dtype.name} of argument '{a_arg}'.")


def rank4(shape: TensorShape, what: str) -> list:
    """The dims of a rank-4 (or unknown-rank) static shape, ValueError otherwise."""
    if shape.ndims is None:
        return [None] * 4
    if shape.ndims != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {shape.ndims} ({what} {shape})")
    return shape.as_list()


def merge_dim(a, b, what):
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions must be equal, but are {a} and {b} ({what})")
    return a if a is not None else b


def conv_attrs(strides, padding, dilations, data_format, op_type, explicit=True, cudnn=True):
    """Normalised Conv2D-family attrs (the 4-lists TF1's get_attr returns)."""
    with W.argument_errors(op_type):
        return _conv_attrs_unchecked(strides, padding, dilations, data_format, op_type, explicit, cudnn)


def _conv_attrs_unchecked(strides, padding, dilations, data_format, op_type, explicit, cudnn):
    data_format = W.check_data_format(data_format, op_type)
    padding, explicit_paddings = W.check_padding(padding, op_type, allow_explicit=explicit)
    attrs = {"strides": W.window_arg(strides, "strides", op_type, data_format),
             "padding": padding,
             "dilations": W.window_arg([1, 1, 1, 1] if dilations is None else dilations, "dilations", op_type,
                                       data_format),
             "data_format": data_format}
    if explicit:
        attrs["explicit_paddings"] = explicit_paddings
    if cudnn:
        attrs["use_cudnn_on_gpu"] = True
    return attrs


def sizes_tensor(sizes, name="input_sizes") -> Tensor:
    """A 1-D int32 shape argument (list, tuple, TensorShape or tensor) as a tensor."""
    if _is_tensorlike(sizes):
        return convert_to_tensor(sizes)
    if isinstance(sizes, TensorShape):
        sizes = sizes.as_list()
    if isinstance(sizes, (list, tuple)) and any(_is_tensorlike(s) for s in sizes):
        from . import array_ops

        return array_ops.stack([convert_to_tensor(s, dtype=dtypes.int32) if not _is_tensorlike(s) else s
                                for s in sizes], name=name)
    return constant(np.asarray(sizes, dtype=np.int32), name=name)


def shape_of(t: Tensor) -> Tensor:
    from . import array_ops

    return array_ops.shape(t)


def sizes_value(t: Tensor, n_expected: int, op_type: str):
    """The build-time value of a sizes input as a list of ints (None if unknown); checks its length."""
    v = constant_value(t)
    if v is None:
        return None
    v = [int(s) for s in np.asarray(v).reshape(-1)]
    if len(v) != n_expected:
        raise ValueError(f"{op_type} requires input_sizes to contain {n_expected} values, but got: {len(v)}")
    return v


def static_out_hw(attrs, hw, khw):
    fmt = attrs["data_format"]
    s, d = W.spatial(attrs["strides"], fmt), W.spatial(attrs["dilations"], fmt)
    ex = W.explicit_pairs(attrs.get("explicit_paddings"), fmt)
    return [W.static_out_size(hw[i], khw[i], s[i], d[i], attrs["padding"], *ex[i]) for i in range(2)]


# -- numeric kernels (NHWC, any xp) ---------------------------------------------------------------------------


def _parts(xp, n: int, macs: int) -> list[slice]:
    """Batch ranges that threads process side by side (CPU, when BLAS runs each GEMM on one thread)."""
    parts = _parallel.gemm_parts(n, macs) if xp is np else 1
    return _parallel.part_slices(n, parts) if parts > 1 else [slice(0, n)]


def conv2d_nhwc(xp, x, f, strides, dilations, pads, out_hw):
    """out [n, oh, ow, o] = patches(x_pad) · f, one GEMM per batch chunk (chunks of batch parts in parallel)."""
    n = x.shape[0]
    kh, kw, c, o = f.shape
    macs = n * out_hw[0] * out_hw[1] * kh * kw * c * o
    if xp is np:
        _backend.cpu_matmul_threads(macs)
    f2 = f.reshape(kh * kw * c, o)
    if (kh, kw) == (1, 1) and strides == (1, 1) and pads == ((0, 0), (0, 0)):
        return xp.matmul(x.reshape(-1, c), f2).reshape(n, out_hw[0], out_hw[1], o)
    out = xp.empty((n, out_hw[0], out_hw[1], o), dtype=x.dtype)
    k = kh * kw * c
    parts = _parts(xp, n, macs)

    def run(p):
        part = parts[p]
        for sl in W.batch_chunks(part.stop, out_hw[0] * out_hw[1] * k * x.itemsize, start=part.start):
            xpad = W.pad_plane(xp, x[sl], pads)
            col = W.patches(xp, xpad, (kh, kw), strides, dilations, out_hw).reshape(-1, k)
            xp.matmul(col, f2, out=out[sl].reshape(-1, o))

    _parallel.run_parts(run, len(parts))
    return out


def conv2d_backprop_input_nhwc(xp, dy, f, in_shape, strides, dilations, pads):
    """dX [n, h, w, c]: per window offset (a, b) the GEMM dy · f[a, b]ᵀ, scattered back by a slice-add (col2im).

    One batched GEMM per batch chunk writes the columns offset-major [kh·kw, n·oh·ow, c], so each of the
    kh·kw slice-adds reads a contiguous block (measured ~4x faster than adding from an [n·oh·ow, kh·kw·c] matrix).
    """
    n, h, w, c = in_shape
    kh, kw, _, o = f.shape
    out_hw = dy.shape[1:3]
    if xp is np:
        _backend.cpu_matmul_threads(dy.size * kh * kw * c)
    if (kh, kw) == (1, 1) and strides == (1, 1) and pads == ((0, 0), (0, 0)):
        return xp.matmul(dy.reshape(-1, o), f.reshape(c, o).T).reshape(n, h, w, c)
    f_t = xp.ascontiguousarray(f.reshape(kh * kw, c, o).transpose(0, 2, 1))  # [kh·kw, o, c]
    dx = xp.empty((n, h, w, c), dtype=dy.dtype)
    (pt, pb), (pl, pr) = pads
    parts = _parts(xp, n, dy.size * kh * kw * c)

    def run(p):
        part = parts[p]
        for sl in W.batch_chunks(part.stop, out_hw[0] * out_hw[1] * kh * kw * c * dy.itemsize, start=part.start):
            m = sl.stop - sl.start
            columns = xp.matmul(dy[sl].reshape(-1, o), f_t)  # [kh·kw, m·oh·ow, c]
            canvas = xp.zeros((m, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
            for a in range(kh):
                for b in range(kw):
                    canvas[W.window_slice(a, b, strides, dilations, out_hw)] += columns[a * kw + b].reshape(
                        m, out_hw[0], out_hw[1], c)
            dx[sl] = W.crop_plane(canvas, pads, (h, w))

    _parallel.run_parts(run, len(parts))
    return dx


def _gram(xp, a, b):
    """aᵀ·b for tall a [P, K] and b [P, O] (P ≫ K, O).

    The larger of K and O goes first as the GEMM's row count: on a busy 2-core machine OpenBLAS splits such
    skinny, long-reduction products badly the other way round (measured: medians 1.3 ms vs 6-70 ms, with
    outliers of seconds, for the first MNIST conv layer's K=25, O=32, P=39,200).
    """
    if a.shape[1] >= b.shape[1]:
        return xp.matmul(a.T, b)
    return xp.matmul(b.T, a).T


def conv2d_backprop_filter_nhwc(xp, x, dy, f_shape, strides, dilations, pads):
    """dF [kh, kw, c, o] = Σ_chunks patches(x_pad)ᵀ · dy."""
    kh, kw, c, o = f_shape
    n = x.shape[0]
    out_hw = dy.shape[1:3]
    k = kh * kw * c
    if xp is np:
        _backend.cpu_matmul_threads(dy.size * k)
    parts = _parts(xp, n, dy.size * k)

    def run(p):
        acc = None
        part = parts[p]
        for sl in W.batch_chunks(part.stop, out_hw[0] * out_hw[1] * k * x.itemsize, start=part.start):
            xpad = W.pad_plane(xp, x[sl], pads)
            col = W.patches(xp, xpad, (kh, kw), strides, dilations, out_hw).reshape(-1, k)
            term = _gram(xp, col, dy[sl].reshape(-1, o))
            acc = term if acc is None else acc + term
        return acc

    sums = [a for a in _parallel.run_parts(run, len(parts)) if a is not None]
    acc = sums[0] if sums else xp.zeros((k, o), dtype=x.dtype)
    for a in sums[1:]:
        acc = acc + a
    return acc.reshape(kh, kw, c, o).astype(x.dtype, copy=False)


def check_backprop_sizes(ctx, what, in_hw, khw, strides, dilations, padding, explicit, dy_hw):
    """InvalidArgumentError (TF's wording) when out_backprop's size is not what conv2d makes of in_hw."""
    for i in range(2):
        try:
            out = W.axis_geometry(in_hw[i], khw[i], strides[i], dilations[i], padding, *explicit[i])[0]
        except ValueError as e:
            raise errors.InvalidArgumentError(None, ctx.op, f"{what}: {e}") from None
        if out != dy_hw[i]:
            raise errors.InvalidArgumentError(
                None, ctx.op,
                f"{what}: Size of out_backprop doesn't match computed: actual = {dy_hw[i]}, computed = {out} "
                f"spatial_dim: {i + 1} input: {in_hw[i]} filter: {khw[i]} output: {dy_hw[i]} stride: {strides[i]} "
                f"dilation: {dilations[i]}")


def plane_args(strides, dilations, data_format, explicit_paddings):
    return (W.spatial(strides, data_format), W.spatial(dilations, data_format),
            W.explicit_pairs(explicit_paddings, data_format))


def host_ints(v) -> list[int]:
    return [int(s) for s in (v.tolist() if hasattr(v, "tolist") else v)]


# -- Conv2D -----------------------------------------------------------------------------------------------------


def _conv2d_shape(inputs, attrs):
    x, f = inputs
    check_float(x, "input")
    check_same_dtype(x, f, "input", "filter", "Conv2D")
    n, h, w, c = W.nhwc_dims(rank4(x.shape, "input"), attrs["data_format"])
    kh, kw, ci, co = rank4(f.shape, "filter")
    if c is not None and ci is not None and c != ci:
        raise ValueError(f"Depth of input ({c}) does not match input depth of filter ({ci})")
    oh, ow = static_out_hw(attrs, (h, w), (kh, kw))
    return [(W.from_nhwc_dims([n, oh, ow, co], attrs["data_format"]), x.dtype.base_dtype)]


def _conv_kw(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")} | {
        "explicit_paddings": op.get_attr("explicit_paddings")}


def adjoint_grads(forward: str, backprop_input: str, backprop_filter: str, build) -> tuple:
    """Gradients of a convolution y = forward(x, f) and its two adjoints, each one's gradient built from the others:
    d forward(x, f)        = (backprop_input(shape x, f, g),  backprop_filter(x, shape f, g));
    d backprop_input(_, f, dy)  = (None, backprop_filter(g, shape f, dy), forward(g, f));
    d backprop_filter(x, _, dy) = (backprop_input(shape x, g, dy), None, forward(x, g)).
    `build(op_type, inputs, op)` creates one op with the attrs of the differentiated `op`."""
    def forward_grad(op, grad):
        x, f = op.inputs
        return [build(backprop_input, [shape_of(x), f, grad], op), build(backprop_filter, [x, shape_of(f), grad], op)]

    def backprop_input_grad(op, grad):
        _, f, dy = op.inputs
        return [None, build(backprop_filter, [grad, shape_of(f), dy], op), build(forward, [grad, f], op)]

    def backprop_filter_grad(op, grad):
        x, _, dy = op.inputs
        return [build(backprop_input, [shape_of(x), grad, dy], op), None, build(forward, [x, grad], op)]

    return forward_grad, backprop_input_grad, backprop_filter_grad


_conv2d_grad, _backprop_input_grad, _backprop_filter_grad = adjoint_grads(
    "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter",
    lambda op_type, inputs, op: _apply_conv(op_type, inputs, _conv_kw(op)))


@register("Conv2D", shape=_conv2d_shape, grad=_conv2d_grad, fresh_output=True)
def _conv2d_kernel(ctx, x, f, strides, padding, dilations, data_format, explicit_paddings=(), **_):
    xp = ctx.xp
    x = W.to_nhwc(xp, x, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, explicit_paddings)
    out_hw, pads = W.plane_geometry(x.shape[1:3], f.shape[:2], s, d, padding, ex)
    return W.from_nhwc(xp, conv2d_nhwc(xp, x, f, s, d, pads, out_hw), data_format)


# -- Conv2DBackpropInput ------------------------------------------------------------------------------------------


def _backprop_input_shape(inputs, attrs):
    sizes, f, dy = inputs
    check_float(f, "filter")
    check_same_dtype(f, dy, "filter", "out_backprop", "Conv2DBackpropInput")
    fmt = attrs["data_format"]
    kh, kw, ci, co = rank4(f.shape, "filter")
    dn, dh, dw, dc = W.nhwc_dims(rank4(dy.shape, "out_backprop"), fmt)
    merge_dim(co, dc, "filter output channels vs out_backprop channels")
    sv = sizes_value(sizes, 4, "Conv2DBackpropInput")
    if sv is None:
        return [(W.from_nhwc_dims([dn, None, None, ci], fmt), f.dtype.base_dtype)]
    n, h, w, c = W.nhwc_dims(sv, fmt)
    merge_dim(n, dn, "batch of input_sizes vs out_backprop")
    merge_dim(c, ci, "channels of input_sizes vs filter input channels")
    if None not in (kh, kw):
        try:
            oh, ow = static_out_hw(attrs, (h, w), (kh, kw))
        except ValueError as e:
            raise ValueError(f"Conv2DBackpropInput: input_sizes {sv} are too small for the filter: {e}") from None
        if (dh is not None and dh != oh) or (dw is not None and dw != ow):
            raise ValueError(
                f"Conv2DBackpropInput (conv2d_transpose): output_shape {sv} cannot produce a value of shape "
                f"{dy.shape}: conv2d with a {kh}x{kw} filter, strides {attrs['strides']} and padding "
                f"{attrs['padding']} maps {h}x{w} to {oh}x{ow}, not {dh}x{dw}")
    return [(sv, f.dtype.base_dtype)]


@register("Conv2DBackpropInput", shape=_backprop_input_shape, grad=_backprop_input_grad)
def _conv2d_backprop_input_kernel(ctx, sizes, f, dy, strides, padding, dilations, data_format,
                                  explicit_paddings=(), **_):
    xp = ctx.xp
    in_shape = W.nhwc_dims(host_ints(sizes), data_format)
    dy = W.to_nhwc(xp, dy, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, explicit_paddings)
    check_backprop_sizes(ctx, "Conv2DBackpropInput", in_shape[1:3], f.shape[:2], s, d, padding, ex, dy.shape[1:3])
    if in_shape[0] != dy.shape[0] or in_shape[3] != f.shape[2]:
        raise errors.InvalidArgumentError(None, ctx.op, f"Conv2DBackpropInput: input_sizes {in_shape} do not match "
                                                        f"out_backprop {list(dy.shape)} and filter {list(f.shape)}")
    _, pads = W.plane_geometry(in_shape[1:3], f.shape[:2], s, d, padding, ex)
    return W.from_nhwc(xp, conv2d_backprop_input_nhwc(xp, dy, f, in_shape, s, d, pads), data_format)


# -- Conv2DBackpropFilter -----------------------------------------------------------------------------------------


def _backprop_filter_shape(inputs, attrs):
    x, sizes, dy = inputs
    check_float(x, "input")
    check_same_dtype(x, dy, "input", "out_backprop", "Conv2DBackpropFilter")
    fmt = attrs["data_format"]
    n, h, w, c = W.nhwc_dims(rank4(x.shape, "input"), fmt)
    dn, dh, dw, dc = W.nhwc_dims(rank4(dy.shape, "out_backprop"), fmt)
    merge_dim(n, dn, "batch of input vs out_backprop")
    sv = sizes_value(sizes, 4, "Conv2DBackpropFilter")
    if sv is None:
        return [([None, None, c, dc], x.dtype.base_dtype)]
    merge_dim(c, sv[2], "input channels vs filter_sizes")
    merge_dim(dc, sv[3], "out_backprop channels vs filter_sizes")
    return [(sv, x.dtype.base_dtype)]


@register("Conv2DBackpropFilter", shape=_backprop_filter_shape, grad=_backprop_filter_grad)
def _conv2d_backprop_filter_kernel(ctx, x, sizes, dy, strides, padding, dilations, data_format,
                                   explicit_paddings=(), **_):
    xp = ctx.xp
    f_shape = host_ints(sizes)
    x = W.to_nhwc(xp, x, data_format)
    dy = W.to_nhwc(xp, dy, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, explicit_paddings)
    check_backprop_sizes(ctx, "Conv2DBackpropFilter", x.shape[1:3], f_shape[:2], s, d, padding, ex, dy.shape[1:3])
    _, pads = W.plane_geometry(x.shape[1:3], f_shape[:2], s, d, padding, ex)
    return conv2d_backprop_filter_nhwc(xp, x, dy, f_shape, s, d, pads)


def _apply_conv(op_type, inputs, attrs, name=None):
    attrs = dict(attrs)
    attrs.setdefault("use_cudnn_on_gpu", True)
    return apply(op_type, inputs, attrs, name or op_type)


# -- public conv2d family ------------------------------------------------------------------------------------------


def conv2d(input=None, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
           dilations=(1, 1, 1, 1), name=None, filters=None) -> Tensor:
    """2-D cross-correlation: input [b, h, w, c_in] (NHWC), filter [kh, kw, c_in, c_out] → [b, oh, ow, c_out].

    strides/dilations: int, [s], [s_h, s_w] or [1, s_h, s_w, 1]; padding 'SAME'/'VALID' (§10.3) or explicit pairs.
    """
    if filter is None:
        filter = filters
    if strides is None or padding is None:
        raise TypeError("conv2d() missing required arguments 'strides' and 'padding'")
    attrs = conv_attrs(strides, padding, dilations, data_format, "Conv2D")
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    x, f = same_dtype_inputs(input, filter)
    return apply("Conv2D", [x, f], attrs, name or "Conv2D")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
                          filters=None) -> Tensor:
    """The gradient of conv2d w.r.t. its input, given the input's shape `input_sizes` (4 ints)."""
    attrs = conv_attrs(strides, padding, dilations, data_format, "Conv2DBackpropInput")
    f, dy = same_dtype_inputs(filter if filter is not None else filters, out_backprop)
    return apply("Conv2DBackpropInput", [sizes_tensor(input_sizes), f, dy], attrs, name or "Conv2DBackpropInput")


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                           data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of conv2d w.r.t. its filter, given the filter's shape `filter_sizes` (4 ints)."""
    attrs = conv_attrs(strides, padding, dilations, data_format, "Conv2DBackpropFilter")
    x, dy = same_dtype_inputs(input, out_backprop)
    return apply("Conv2DBackpropFilter", [x, sizes_tensor(filter_sizes, "filter_sizes"), dy], attrs,
                 name or "Conv2DBackpropFilter")


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME", data_format="NHWC",
                     name=None, input=None, filters=None, dilations=None) -> Tensor:
    """The adjoint of conv2d (§10.5): value [b, h, w, c_in], filter [kh, kw, c_out, c_in] → output_shape.

    output_shape must be a shape that conv2d (same filter, strides, padding) maps back to value's shape.
    """
    value = input if value is None else value
    filter = filters if filter is None else filter
    if output_shape is None or strides is None:
        raise TypeError("conv2d_transpose() needs output_shape and strides")
    with _graph.name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        attrs = conv_attrs(strides, padding, dilations, data_format, "Conv2DBackpropInput")
        f, v = same_dtype_inputs(filter, value)
        sizes = sizes_tensor(output_shape, "output_shape")
        fmt = attrs["data_format"]
        out_c = None
        sv = constant_value(sizes)
        if sv is not None:
            sv = [int(s) for s in np.asarray(sv).reshape(-1)]
            if len(sv) != 4:
                raise ValueError(f"conv2d_transpose: output_shape must have shape (4,), got {sv}")
            out_c = W.nhwc_dims(sv, fmt)[3]
        fdims = rank4(f.shape, "filter")
        vdims = W.nhwc_dims(rank4(v.shape, "value"), fmt)
        if out_c is not None and fdims[2] is not None and out_c != fdims[2]:
            raise ValueError(f"output_shape does not match filter's output channels, {out_c} != {fdims[2]}")
        if vdims[3] is not None and fdims[3] is not None and vdims[3] != fdims[3]:
            raise ValueError(f"input channels does not match filter's input channels, {vdims[3]} != {fdims[3]}")
        return apply("Conv2DBackpropInput", [sizes, f, v], attrs, scope)


def _conv1d_arg(v, name, channels_first) -> int:
    """conv1d's stride/dilation: an int, [v], or a 3-list ([1, v, 1] for NWC, [1, 1, v] for NCW)."""
    seq = [int(v)] if isinstance(v, (int, np.integer)) else [int(e) for e in v]
    if len(seq) == 1:
        return seq[0]
    if len(seq) == 3:
        at = 2 if channels_first else 1
        if any(seq[i] != 1 for i in range(3) if i != at):
            raise ValueError(f"conv1d: {name}={seq} must be 1 in the batch and channel dimensions")
        return seq[at]
    raise ValueError(f"{name} should be of length 1 or 3. Received: {name}={seq} of length {len(seq)}")


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None, name=None,
           input=None, dilations=None) -> Tensor:
    """1-D cross-correlation: value [b, w, c_in] ('NWC'), filters [k, c_in, c_out], via conv2d on a height-1 plane."""
    from . import array_ops

    value = input if value is None else value
    if data_format not in (None, "NWC", "NHWC", "NCW", "NCHW"):
        raise ValueError(f"data_format must be \"NWC\" or \"NCW\", got {data_format!r}")
    channels_first = data_format in ("NCW", "NCHW")
    s = _conv1d_arg(stride, "stride", channels_first)
    d = _conv1d_arg(1 if dilations is None else dilations, "dilations", channels_first)
    with _graph.name_scope(name, "conv1d", [value, filters]) as scope:
        x, f = same_dtype_inputs(value, filters)
        height_axis = 2 if channels_first else 1
        x = array_ops.expand_dims(x, height_axis)
        f = array_ops.expand_dims(f, 0)
        if channels_first:
            y = conv2d(x, f, [1, 1, 1, s], padding, data_format="NCHW", dilations=[1, 1, 1, d])
        else:
            y = conv2d(x, f, [1, 1, s, 1], padding, dilations=[1, 1, d, 1])
        return array_ops.squeeze(y, [height_axis], name=scope)


def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """conv2d with the filter dilated by `rate` (holes between taps): dilations [1, rate, rate, 1], stride 1."""
    if not isinstance(rate, (int, np.integer)) or rate < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    with _graph.name_scope(name, "atrous_conv2d", [value, filters]) as scope:
        return conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, int(rate), int(rate), 1], name=scope)


def convolution(input, filter, padding, strides=None, dilation_rate=None, name=None, data_format=None,
                filters=None, dilations=None) -> Tensor:
    """N-d convolution for N = 1 (input rank 3, 'NWC') or N = 2 (rank 4, 'NHWC'); strides/dilation_rate per axis."""
    filter = filters if filter is None else filter
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    with _graph.name_scope(name, "convolution", [input, filter]) as scope:
        x, f = same_dtype_inputs(input, filter)
        rank = x.shape.ndims if x.shape.ndims is not None else f.shape.ndims
        if rank == 3:
            st = 1 if strides is None else list(strides)[0]
            dr = 1 if dilation_rate is None else list(dilation_rate)[0]
            return conv1d(x, f, st, padding, data_format=data_format, dilations=dr, name=scope)
        if rank != 4:
            raise ValueError(f"teachtf's tf.nn.convolution supports 1-D and 2-D convolutions (input rank 3 or 4); "
                             f"got input of rank {rank}")
        st = [1, 1] if strides is None else list(strides)
        dr = [1, 1] if dilation_rate is None else list(dilation_rate)
        return conv2d(x, f, st, padding, data_format=data_format or "NHWC", dilations=dr, name=scope)


# -- bias_add -------------------------------------------------------------------------------------------------------


def _channel_axis(rank, data_format):
    return 1 if data_format == "NCHW" and rank is not None and rank >= 3 else -1


def _bias_add_shape(inputs, attrs):
    x, b = inputs
    check_same_dtype(x, b, "value", "bias", "BiasAdd")
    xs, bs = x.shape, b.shape
    if bs.ndims is not None and bs.ndims != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {bs.ndims}")
    if xs.ndims is not None and xs.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {xs.ndims}")
    if xs.ndims is not None and bs.ndims is not None:
        merge_dim(xs.as_list()[_channel_axis(xs.ndims, attrs["data_format"])], bs.as_list()[0],
                  "channels of value vs bias")
    return [(xs, x.dtype.base_dtype)]


def _bias_add_grad(op, grad):
    return [grad, apply("BiasAddGrad", [grad], {"data_format": op.get_attr("data_format")}, "BiasAddGrad")]


def _bias_add_kernel(ctx, x, b, data_format, **_):
    if data_format == "NCHW" and x.ndim >= 3:
        return x + b.reshape((-1,) + (1,) * (x.ndim - 2))
    return x + b


def _bias_add_inplace(ctx, positions, x, b, data_format, **attrs):
    """x += b when x's buffer is free (the plan offers only position 0 or nothing here that matters)."""
    if 0 not in positions or inplace.reusable_input(ctx.xp, (x, b), (0,), x.shape) is None:
        return _bias_add_kernel(ctx, x, b, data_format)
    x += b.reshape((-1,) + (1,) * (x.ndim - 2)) if data_format == "NCHW" and x.ndim >= 3 else b
    return x


register("BiasAdd", shape=_bias_add_shape, grad=_bias_add_grad, inplace=_bias_add_inplace)(_bias_add_kernel)


def _bias_add_grad_shape(inputs, attrs):
    g = inputs[0]
    if g.shape.ndims is None:
        return [([None], g.dtype.base_dtype)]
    if g.shape.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {g.shape.ndims}")
    return [([g.shape.as_list()[_channel_axis(g.shape.ndims, attrs["data_format"])]], g.dtype.base_dtype)]


def _bias_add_grad_grad(op, grad):
    """BiasAddGrad sums over every axis but the channel one; its adjoint broadcasts back."""
    from . import array_ops

    g = op.inputs[0]
    rank = g.shape.ndims
    axis = _channel_axis(rank, op.get_attr("data_format")) % rank
    target = [1] * rank
    target[axis] = -1
    return [array_ops.broadcast_to(array_ops.reshape(grad, target), shape_of(g))]


@register("BiasAddGrad", shape=_bias_add_grad_shape, grad=_bias_add_grad_grad)
def _bias_add_grad_kernel(ctx, g, data_format, **_):
    axis = _channel_axis(g.ndim, data_format) % g.ndim
    return g.sum(axis=tuple(i for i in range(g.ndim) if i != axis), dtype=g.dtype)


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """value + bias along the channel axis (the last one, or axis 1 for NCHW); bias is 1-D."""
    with W.argument_errors("BiasAdd", name):
        fmt = W.check_data_format(data_format, "BiasAdd")
    x, b = same_dtype_inputs(value, bias)
    return apply("BiasAdd", [x, b], {"data_format": fmt}, name or "BiasAdd")

