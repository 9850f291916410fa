"""teachtf.ext.max_unpool (API.md §21): puts pooled values back where max_pool_with_argmax found them.

teachtf-only: TF1 has no unpooling op (programs there build it from scatter_nd,
§10.6). The output_shape is explicit because the pre-pool size cannot be
recovered from the pooled one (an odd width pools to the same size as the even
width below it), and indices are decoded with that shape's W and C:
    out = zeros(output_shape);  out.flat[b·H·W·C + argmax] += value     (b omitted with include_batch_in_index)
Duplicate indices (overlapping windows) sum. Its gradient gathers at the same indices.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from ..ops.constant_op import constant, constant_value, convert_to_tensor
from ..ops.pool_ops import gather_by_argmax, scatter_by_argmax
from ..ops.registry import apply, register

__all__ = ["max_unpool"]


def _check_argmax(value: Tensor, argmax: Tensor) -> None:
    if argmax.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"argmax must be int32 or int64 (as max_pool_with_argmax returns), got "
                        f"{argmax.dtype.base_dtype.name}")
    if not value.shape.is_compatible_with(argmax.shape):
        raise ValueError(f"value {value.shape} and argmax {argmax.shape} must have the same shape")


def _unpool_shape(inputs, attrs):
    value, argmax, shape_t = inputs
    _check_argmax(value, argmax)
    sv = constant_value(shape_t)
    if sv is None:
        n = shape_t.shape[0].value if shape_t.shape.ndims == 1 else None
        return [(TensorShape(None if n is None else [None] * n), value.dtype.base_dtype)]
    dims = [int(d) for d in np.asarray(sv).reshape(-1)]
    if len(dims) < 2 or min(dims) < 0:
        raise ValueError(f"max_unpool: output_shape must list the batch and at least one more dimension, got {dims}")
    batch = value.shape[0].value if value.shape.ndims else None
    if batch is not None and dims[0] != batch:
        raise ValueError(f"max_unpool: output_shape {dims} has batch {dims[0]} but value {value.shape} has batch "
                         f"{batch}")
    return [(dims, value.dtype.base_dtype)]


def _unpool_grad(op, grad):
    value, argmax, _ = op.inputs
    include = op.get_attr("include_batch_in_index")
    return [apply("MaxUnpoolGrad", [grad, argmax], {"include_batch_in_index": include}, "MaxUnpoolGrad"), None, None]


@register("MaxUnpool", shape=_unpool_shape, grad=_unpool_grad)
def _unpool_kernel(ctx, value, argmax, output_shape, include_batch_in_index=False):
    shape = [int(d) for d in output_shape.tolist()]
    return scatter_by_argmax(ctx, value, argmax, shape, include_batch_in_index, "max_unpool")


def _unpool_grad_shape(inputs, attrs):
    grad, argmax = inputs
    return [(argmax.shape, grad.dtype.base_dtype)]


def _unpool_grad_grad(op, grad):
    from ..ops import array_ops

    g, argmax = op.inputs
    include = op.get_attr("include_batch_in_index")
    return [apply("MaxUnpool", [grad, argmax, array_ops.shape(g)], {"include_batch_in_index": include}, "MaxUnpool"),
            None]


@register("MaxUnpoolGrad", shape=_unpool_grad_shape, grad=_unpool_grad_grad)
def _unpool_grad_kernel(ctx, grad, argmax, include_batch_in_index=False):
    return gather_by_argmax(ctx, grad, argmax, include_batch_in_index, "max_unpool gradient")


def max_unpool(value, argmax, output_shape, include_batch_in_index: bool = False, name=None) -> Tensor:
    """Scatter-adds value[i] at flat position argmax[i] of a zero tensor of output_shape (the pre-pool shape).

    value, argmax: [b, oh, ow, c] as returned by tf.nn.max_pool_with_argmax (same include_batch_in_index);
    output_shape: [b, h, w, c] as a list, TensorShape or 1-D int tensor. Indices outside the shape raise
    InvalidArgumentError when the op runs.
    """
    value = convert_to_tensor(value)
    argmax = convert_to_tensor(argmax)
    if isinstance(output_shape, TensorShape):
        output_shape = output_shape.as_list()
    if isinstance(output_shape, (list, tuple)) and any(isinstance(d, Tensor) for d in output_shape):
        from ..ops import array_ops

        shape_t = array_ops.stack([d if isinstance(d, Tensor) else constant(int(d)) for d in output_shape])
    elif isinstance(output_shape, Tensor) or hasattr(output_shape, "_as_tensor"):
        shape_t = convert_to_tensor(output_shape)
    else:
        if any(d is None for d in output_shape):
            raise ValueError(f"max_unpool: output_shape {list(output_shape)} has unknown dimensions; pass "
                             "tf.shape(x) of the pooled input instead")
        shape_t = constant(np.asarray(output_shape, dtype=np.int64), name="output_shape")
    if not shape_t.dtype.base_dtype.is_integer:
        raise TypeError(f"max_unpool: output_shape must be integers, got {shape_t.dtype.base_dtype.name}")
    return apply("MaxUnpool", [value, argmax, shape_t], {"include_batch_in_index": bool(include_batch_in_index)},
                 name or "MaxUnpool")
