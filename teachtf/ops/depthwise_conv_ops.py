"""Depthwise and separable convolution of tf.nn (API.md §10.4, P2), with backprops that are ops of their own.

depthwise_conv2d convolves every input channel c with its own M filters:
    out[n, i, j, c·M + m] = Σ_{a,b} x_pad[n, i·s_h + a·d_h, j·s_w + b·d_w, c] · f[a, b, c, m]
computed as kh·kw strided slice operations (no patch matrix: the per-channel
products are too small for a GEMM to pay off). separable_conv2d follows it
with a 1×1 conv2d. Padding and strides follow §10.3 exactly as conv2d.
"""

from __future__ import annotations

import numpy as np

from ..framework import graph as _graph
from ..framework.graph import Tensor
from . import windows as W
from .conv_ops import (adjoint_grads, check_backprop_sizes, check_float, check_same_dtype, conv2d, conv_attrs,
                       host_ints, merge_dim, plane_args, rank4, same_dtype_inputs, sizes_tensor, sizes_value,
                       static_out_hw)
from .registry import apply, register

__all__ = [
    "depthwise_conv2d", "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_native_backprop_input", "separable_conv2d",
]


# -- kernels (NHWC, any xp) ----------------------------------------------------------------------------------


def depthwise_nhwc(xp, x, f, strides, dilations, pads, out_hw):
    """out[n, i, j, c·M + m] = Σ_{a,b} x_pad[n, i·s_h + a·d_h, j·s_w + b·d_w, c] · f[a, b, c, m] (kh·kw slice ops)."""
    kh, kw, c, m = f.shape
    xpad = W.pad_plane(xp, x, pads)
    out = xp.zeros((x.shape[0], out_hw[0], out_hw[1], c, m), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            out += xpad[W.window_slice(a, b, strides, dilations, out_hw)][..., None] * f[a, b]
    return out.reshape(x.shape[0], out_hw[0], out_hw[1], c * m)


def depthwise_backprop_input_nhwc(xp, dy, f, in_shape, strides, dilations, pads):
    n, h, w, c = in_shape
    kh, kw, _, m = f.shape
    out_hw = dy.shape[1:3]
    dy5 = dy.reshape(n, out_hw[0], out_hw[1], c, m)
    (pt, pb), (pl, pr) = pads
    canvas = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    for a in range(kh):
        for b in range(kw):
            canvas[W.window_slice(a, b, strides, dilations, out_hw)] += (dy5 * f[a, b]).sum(axis=-1)
    return xp.ascontiguousarray(W.crop_plane(canvas, pads, (h, w)))


def depthwise_backprop_filter_nhwc(xp, x, dy, f_shape, strides, dilations, pads):
    kh, kw, c, m = f_shape
    out_hw = dy.shape[1:3]
    n = x.shape[0]
    xpad = W.pad_plane(xp, x, pads)
    dy_t = dy.reshape(-1, c, m).transpose(1, 0, 2)  # [c, P, m]
    df = xp.empty((kh, kw, c, m), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            xs = xpad[W.window_slice(a, b, strides, dilations, out_hw)].reshape(n * out_hw[0] * out_hw[1], c)
            df[a, b] = xp.matmul(xs.T[:, None, :], dy_t)[:, 0, :]
    return df


def _depthwise_shape(inputs, attrs):
    x, f = inputs
    check_float(x, "input")
    check_same_dtype(x, f, "input", "filter", "DepthwiseConv2dNative")
    fmt = attrs["data_format"]
    n, h, w, c = W.nhwc_dims(rank4(x.shape, "input"), fmt)
    kh, kw, ci, m = rank4(f.shape, "filter")
    c = merge_dim(c, ci, "input channels vs filter in_channels")
    oh, ow = static_out_hw(attrs, (h, w), (kh, kw))
    oc = None if c is None or m is None else c * m
    return [(W.from_nhwc_dims([n, oh, ow, oc], fmt), x.dtype.base_dtype)]


def _dw_kw(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


_depthwise_grad, _dw_backprop_input_grad, _dw_backprop_filter_grad = adjoint_grads(
    "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter",
    lambda op_type, inputs, op: apply(op_type, inputs, _dw_kw(op), op_type))


@register("DepthwiseConv2dNative", shape=_depthwise_shape, grad=_depthwise_grad)
def _depthwise_kernel(ctx, x, f, strides, padding, dilations, data_format, **_):
    xp = ctx.xp
    x = W.to_nhwc(xp, x, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, ())
    out_hw, pads = W.plane_geometry(x.shape[1:3], f.shape[:2], s, d, padding, ex)
    return W.from_nhwc(xp, depthwise_nhwc(xp, x, f, s, d, pads, out_hw), data_format)


def _dw_backprop_input_shape(inputs, attrs):
    sizes, f, dy = inputs
    check_float(f, "filter")
    check_same_dtype(f, dy, "filter", "out_backprop", "DepthwiseConv2dNativeBackpropInput")
    sv = sizes_value(sizes, 4, "DepthwiseConv2dNativeBackpropInput")
    return [(sv if sv is not None else [None] * 4, f.dtype.base_dtype)]


@register("DepthwiseConv2dNativeBackpropInput", shape=_dw_backprop_input_shape, grad=_dw_backprop_input_grad)
def _dw_backprop_input_kernel(ctx, sizes, f, dy, strides, padding, dilations, data_format, **_):
    xp = ctx.xp
    in_shape = W.nhwc_dims(host_ints(sizes), data_format)
    dy = W.to_nhwc(xp, dy, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, ())
    check_backprop_sizes(ctx, "DepthwiseConv2dNativeBackpropInput", in_shape[1:3], f.shape[:2], s, d, padding, ex,
                         dy.shape[1:3])
    _, pads = W.plane_geometry(in_shape[1:3], f.shape[:2], s, d, padding, ex)
    return W.from_nhwc(xp, depthwise_backprop_input_nhwc(xp, dy, f, in_shape, s, d, pads), data_format)


def _dw_backprop_filter_shape(inputs, attrs):
    x, sizes, dy = inputs
    check_float(x, "input")
    check_same_dtype(x, dy, "input", "out_backprop", "DepthwiseConv2dNativeBackpropFilter")
    sv = sizes_value(sizes, 4, "DepthwiseConv2dNativeBackpropFilter")
    return [(sv if sv is not None else [None] * 4, x.dtype.base_dtype)]


@register("DepthwiseConv2dNativeBackpropFilter", shape=_dw_backprop_filter_shape, grad=_dw_backprop_filter_grad)
def _dw_backprop_filter_kernel(ctx, x, sizes, dy, strides, padding, dilations, data_format, **_):
    xp = ctx.xp
    f_shape = host_ints(sizes)
    x = W.to_nhwc(xp, x, data_format)
    dy = W.to_nhwc(xp, dy, data_format)
    s, d, ex = plane_args(strides, dilations, data_format, ())
    check_backprop_sizes(ctx, "DepthwiseConv2dNativeBackpropFilter", x.shape[1:3], f_shape[:2], s, d, padding, ex,
                         dy.shape[1:3])
    _, pads = W.plane_geometry(x.shape[1:3], f_shape[:2], s, d, padding, ex)
    return depthwise_backprop_filter_nhwc(xp, x, dy, f_shape, s, d, pads)


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                            name=None) -> Tensor:
    """Per-channel convolution: filter [kh, kw, c, M] gives c·M output channels (channel c·M + m)."""
    attrs = conv_attrs(strides, padding, dilations, data_format, "DepthwiseConv2dNative", explicit=False,
                        cudnn=False)
    x, f = same_dtype_inputs(input, filter)
    return apply("DepthwiseConv2dNative", [x, f], attrs, name or "DepthwiseConv2dNative")


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                           data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    attrs = conv_attrs(strides, padding, dilations, data_format, "DepthwiseConv2dNativeBackpropInput",
                        explicit=False, cudnn=False)
    f, dy = same_dtype_inputs(filter, out_backprop)
    return apply("DepthwiseConv2dNativeBackpropInput", [sizes_tensor(input_sizes), f, dy], attrs,
                 name or "DepthwiseConv2dNativeBackpropInput")


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                            data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    attrs = conv_attrs(strides, padding, dilations, data_format, "DepthwiseConv2dNativeBackpropFilter",
                        explicit=False, cudnn=False)
    x, dy = same_dtype_inputs(input, out_backprop)
    return apply("DepthwiseConv2dNativeBackpropFilter", [x, sizes_tensor(filter_sizes, "filter_sizes"), dy], attrs,
                 name or "DepthwiseConv2dNativeBackpropFilter")


def _rate_dilations(rate, dilations, strides, op):
    rate = dilations if rate is None else rate
    if rate is None:
        return [1, 1, 1, 1]
    r = [int(rate)] * 2 if isinstance(rate, (int, np.integer)) else [int(v) for v in rate]
    if len(r) != 2:
        raise ValueError(f"{op}: rate must be an int or a pair, got {rate!r}")
    if max(r) > 1 and max(W.window_arg(strides, "strides", op)) > 1:
        raise ValueError(f"{op}: strides > 1 not supported in conjunction with rate > 1 (rate={r}, strides={strides})")
    return [1, r[0], r[1], 1]


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None,
                     dilations=None) -> Tensor:
    """Depthwise 2-D convolution (strides a 4-list [1, s, s, 1]; rate = dilation). Output channels c_in·M."""
    with _graph.name_scope(name, "depthwise", [input, filter]) as scope:
        d4 = _rate_dilations(rate, dilations, strides, "depthwise_conv2d")
        return depthwise_conv2d_native(input, filter, strides, padding, data_format or "NHWC", d4, name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None) -> Tensor:
    """depthwise_conv2d followed by a 1×1 conv2d with pointwise_filter [1, 1, c_in·M, c_out]."""
    with _graph.name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        x, df, pf = same_dtype_inputs(input, depthwise_filter, pointwise_filter)
        pdims = rank4(pf.shape, "pointwise_filter")
        if pdims[0] not in (None, 1) or pdims[1] not in (None, 1):
            raise ValueError(f"separable_conv2d: pointwise_filter must be [1, 1, in·M, out], got {pf.shape}")
        d4 = _rate_dilations(rate, dilations, strides, "separable_conv2d")
        fmt = data_format or "NHWC"
        depthwise = depthwise_conv2d_native(x, df, strides, padding, fmt, d4, name="depthwise")
        return conv2d(depthwise, pf, [1, 1, 1, 1], "VALID", data_format=fmt, name=scope)
