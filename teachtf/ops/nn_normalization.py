"""Normalization ops of tf.nn (API.md §10.7): moments, batch_normalization, fused_batch_norm, l2_normalize, lrn."""

from __future__ import annotations

from ..framework import graph as _graph
from ..framework.graph import Tensor
from .array_ops import reshape, size, squeeze, stop_gradient
from .constant_op import convert_to_tensor
from .math_ops import cast, maximum, multiply, reduce_mean, reduce_sum, rsqrt, square, squared_difference
from .nn_util import require_float
from .registry import apply, register


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) over `axes`, the population variance (divided by N). `shift` is accepted and unused.

    For NHWC batch statistics use axes=[0, 1, 2]. float16 inputs are computed in float32 and cast back.
    """
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
    keep = bool(keepdims if keep_dims is None else keep_dims)
    with _graph.name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        y = cast(x, "float32") if x.dtype.base_dtype.name == "float16" else x
        mean = reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(y, stop_gradient(mean)), axes, keepdims=True, name="variance")
        if not keep:
            mean = squeeze(mean, axes)
            variance = squeeze(variance, axes)
        if x.dtype.base_dtype.name == "float16":
            return cast(mean, "float16"), cast(variance, "float16")
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """(x − mean)/√(variance + ε)·scale + offset, computed as x·inv + (offset − mean·inv).

    `offset` and `scale` may be None. All statistics broadcast against x.
    """
    with _graph.name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        inv = rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv = inv * scale
        shift = (offset - mean * inv) if offset is not None else -mean * inv
        return x * cast(inv, x.dtype.base_dtype) + cast(shift, x.dtype.base_dtype)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None):
    """Batch norm of a 4-D tensor over all axes but the channel axis; returns (y, batch_mean, batch_variance).

    Training: uses the batch statistics and returns the variance with Bessel's correction (N/(N−1)), as
    TF1's FusedBatchNorm does; that is what moving averages are updated with. Inference: uses `mean` and
    `variance`, which are then required. ε is raised to at least 1.001e-5 (TF1's cuDNN minimum).
    """
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    epsilon = max(float(epsilon), 1.001e-5)
    with _graph.name_scope(name, "FusedBatchNorm", [x, scale, offset]):
        x = convert_to_tensor(x, name="x")
        require_float(x, "x")
        if x.shape.ndims not in (None, 4):
            raise ValueError(f"fused_batch_norm needs a 4-D input, got shape {x.shape}")
        axes = [0, 1, 2] if data_format == "NHWC" else [0, 2, 3]
        stat_shape = [1, 1, 1, -1] if data_format == "NHWC" else [1, -1, 1, 1]

        def as_stat(v):
            return reshape(convert_to_tensor(v, dtype=x.dtype.base_dtype), stat_shape)

        if is_training:
            batch_mean, batch_var = moments(x, axes)
            y = batch_normalization(x, as_stat(batch_mean), as_stat(batch_var), as_stat(offset), as_stat(scale),
                                    epsilon)
            n = cast(size(x), x.dtype.base_dtype) / cast(size(batch_mean), x.dtype.base_dtype)
            unbiased = batch_var * n / maximum(n - 1.0, 1.0)
            return y, batch_mean, unbiased
        if mean is None or variance is None:
            raise ValueError("fused_batch_norm with is_training=False needs mean and variance")
        mean = convert_to_tensor(mean, dtype=x.dtype.base_dtype)
        variance = convert_to_tensor(variance, dtype=x.dtype.base_dtype)
        y = batch_normalization(x, as_stat(mean), as_stat(variance), as_stat(offset), as_stat(scale), epsilon)
        return y, mean, variance


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / √max(Σx², ε) along `axis` (all axes when None)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    with _graph.name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = reduce_sum(square(x), axis, keepdims=True)
        x_inv_norm = rsqrt(maximum(square_sum, convert_to_tensor(epsilon, dtype=x.dtype.base_dtype)))
        return multiply(x, x_inv_norm, name=scope)


# -- LRN ------------------------------------------------------------------------------------------------


def _channel_window_sum(xp, v, r):
    """s[..., c] = Σ_{c' = c−r}^{c+r} v[..., c'] (clipped at the edges), by a cumulative sum."""
    pad = [(0, 0)] * (v.ndim - 1) + [(r + 1, r)]
    cs = xp.cumsum(xp.pad(v, pad), axis=-1)
    n = v.shape[-1]
    return cs[..., 2 * r + 1: 2 * r + 1 + n] - cs[..., :n]


def _lrn_shape(inputs, attrs):
    x = inputs[0]
    require_float(x, "input")
    if x.shape.ndims not in (None, 4):
        raise ValueError(f"Shape must be rank 4 but is rank {x.shape.ndims} (LRN input)")
    return [(x.shape, x.dtype.base_dtype)]


def _lrn_grad_shape(inputs, attrs):
    return [(inputs[1].shape, inputs[1].dtype.base_dtype)]


def _lrn_norm(xp, x, depth_radius, bias, alpha):
    return bias + alpha * _channel_window_sum(xp, x * x, depth_radius)


@register("LRNGrad", shape=_lrn_grad_shape)
def _lrn_grad_kernel(ctx, grads, x, y, depth_radius, bias, alpha, beta):
    # y_i = x_i·N_i^−β with N_i = bias + α Σ_{j∈W(i)} x_j², so
    # dx_k = g_k·N_k^−β − 2αβ·x_k·Σ_{i∈W(k)} g_i·y_i / N_i   (windows are symmetric).
    xp = ctx.xp
    norm = _lrn_norm(xp, x, depth_radius, bias, alpha)
    back = _channel_window_sum(xp, grads * y / norm, depth_radius)
    return (grads * norm ** -beta - (2 * alpha * beta) * x * back).astype(x.dtype, copy=False)


def _lrn_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("depth_radius", "bias", "alpha", "beta")}
    return [apply("LRNGrad", [grad, op.inputs[0], op.outputs[0]], attrs, "LRNGrad")]


@register("LRN", shape=_lrn_shape, grad=_lrn_grad)
def _lrn_kernel(ctx, x, depth_radius, bias, alpha, beta):
    norm = _lrn_norm(ctx.xp, x, depth_radius, bias, alpha)
    return (x * norm ** -beta).astype(x.dtype, copy=False)


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None) -> Tensor:
    """x / (bias + α·Σ_{c−r..c+r} x²)^β over the channels (last axis) of a 4-D tensor."""
    attrs = {"depth_radius": int(depth_radius), "bias": float(bias), "alpha": float(alpha), "beta": float(beta)}
    return apply("LRN", [convert_to_tensor(input, name="input")], attrs, name or "LRN")


lrn = local_response_normalization

__all__ = ["moments", "batch_normalization", "fused_batch_norm", "l2_normalize", "local_response_normalization",
           "lrn"]
