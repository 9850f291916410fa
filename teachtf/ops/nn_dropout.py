"""tf.nn.dropout with TF1's `keep_prob` semantics (API.md §10.7).

One fused op draws the keep mask from the op's random generator on every run,
scales kept elements by 1/keep_prob and also outputs the scaled mask, which
the gradient reuses (dx = grad · mask).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape, as_shape
from .constant_op import constant_value, convert_to_tensor
from .math_ops import reduce_sum, subtract
from .registry import apply, register


def _noise_shape_static(noise_t: Tensor | None, x_shape: TensorShape) -> TensorShape:
    if noise_t is None:
        return x_shape
    value = constant_value(noise_t)
    if value is None:
        n = noise_t.shape[0].value if noise_t.shape.ndims == 1 else None
        return TensorShape(None if n is None else [None] * n)
    dims = [None if int(d) == -1 else int(d) for d in np.asarray(value).reshape(-1)]
    if x_shape.ndims is not None:
        if len(dims) != x_shape.ndims:
            raise ValueError(f"noise_shape {dims} must have the same rank as x ({x_shape})")
        for nd, xd in zip(dims, x_shape.as_list()):
            if nd not in (1, None) and xd is not None and nd != xd:
                raise ValueError(f"noise_shape {dims} is not broadcastable to the shape of x {x_shape}: each "
                                 f"dimension must be 1 or equal to x's")
    return TensorShape(dims)


def _dropout_shape(inputs, attrs):
    x, keep_prob = inputs[0], inputs[1]
    if keep_prob.dtype.base_dtype != x.dtype.base_dtype:
        raise TypeError(f"keep_prob has dtype {keep_prob.dtype.base_dtype.name} but x has dtype "
                        f"{x.dtype.base_dtype.name}")
    if keep_prob.shape.ndims not in (None, 0):
        raise ValueError(f"keep_prob must be a scalar, got shape {keep_prob.shape}")
    noise = _noise_shape_static(inputs[2] if len(inputs) > 2 else None, x.shape)
    return [(x.shape, x.dtype.base_dtype), (noise, x.dtype.base_dtype)]


def _dropout_grad(op, grad, _grad_mask):
    x_out, mask = op.outputs
    keep_prob = op.inputs[1]
    grad_x = grad * mask
    grad_keep_prob = -reduce_sum(grad * x_out) / keep_prob  # y = x·m/kp, so dy/dkp = −y/kp
    return [grad_x, grad_keep_prob] + [None] * (len(op.inputs) - 2)


@register("Dropout", shape=_dropout_shape, grad=_dropout_grad)
def _dropout_kernel(ctx, x, keep_prob, *noise_shape, seed=None):
    xp = ctx.xp
    kp = float(keep_prob)
    if not 0.0 < kp <= 1.0:
        raise errors.InvalidArgumentError(None, ctx.op, f"keep_prob must be in the range (0, 1], got {kp}")
    if noise_shape:
        dims = [int(d) for d in noise_shape[0].tolist()]
        if len(dims) != x.ndim:
            raise errors.InvalidArgumentError(None, ctx.op, f"noise_shape {dims} must have the rank of x {x.shape}")
        shape = tuple(x.shape[i] if d == -1 else d for i, d in enumerate(dims))
    else:
        shape = x.shape
    if kp == 1.0:
        return x, xp.ones(shape, dtype=x.dtype)
    draw_dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    uniform = ctx.rng().random(shape, dtype=draw_dtype)
    rate = draw_dtype.type(1.0 - kp)
    mask = (uniform >= rate).astype(x.dtype) * x.dtype.type(1.0 / kp)
    return x * mask, mask


def _check_python_keep_prob(keep_prob, rate):
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'.")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout (keep_prob= or rate=).")
    if rate is not None:
        if isinstance(rate, numbers.Real) and not 0 <= rate < 1:
            raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate:g}")
        return None
    if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be a scalar tensor or a float in the range (0, 1], got {keep_prob:g}")
    if not isinstance(keep_prob, numbers.Real) and not isinstance(keep_prob, Tensor) and \
            not hasattr(keep_prob, "_as_tensor"):
        try:
            float(keep_prob)
        except (TypeError, ValueError):
            raise ValueError(f"keep_prob must be a floating point number or Tensor (got {keep_prob!r})") from None
    return keep_prob


def _noise_shape_input(noise_shape, x: Tensor):
    """noise_shape as an int32 tensor. A None entry is taken from x's static shape, as TF1 does, or else
    encoded as −1: the kernel then uses x's size along that axis."""
    if noise_shape is None:
        return None
    if isinstance(noise_shape, Tensor) or hasattr(noise_shape, "_as_tensor"):
        return convert_to_tensor(noise_shape)
    dims = as_shape(noise_shape).as_list()
    if x.shape.ndims is not None and len(dims) == x.shape.ndims:
        dims = [xd if d is None else d for d, xd in zip(dims, x.shape.as_list())]
    dims = [-1 if d is None else d for d in dims]
    return convert_to_tensor(np.asarray(dims, dtype=np.int32), name="noise_shape")


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None) -> Tensor:
    """Keeps each element with probability keep_prob (scaled by 1/keep_prob), zeroes the rest; new mask each run.

    `rate = 1 − keep_prob` is the alternative keyword. `noise_shape` broadcasts the mask (a 1 shares
    one decision along that axis). keep_prob may be a tensor (feed 1.0 to evaluate: the identity).
    """
    keep_prob = _check_python_keep_prob(keep_prob, rate)
    with _graph.name_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if not x.dtype.base_dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a "
                             f"{x.dtype.base_dtype.name} tensor instead.")
        dt = x.dtype.base_dtype
        if keep_prob is None:
            if isinstance(rate, numbers.Real):
                kp = convert_to_tensor(1.0 - float(rate), dtype=dt, name="keep_prob")
            else:
                one = convert_to_tensor(1.0, dtype=dt, name="one")
                kp = subtract(one, convert_to_tensor(rate, dtype=dt, name="rate"), name="keep_prob")
        else:
            kp = convert_to_tensor(keep_prob, dtype=dt, name="keep_prob")
        inputs = [x, kp]
        noise = _noise_shape_input(noise_shape, x)
        if noise is not None:
            inputs.append(noise)
        out, _mask = apply("Dropout", inputs, {"seed": seed}, scope)
        return out


__all__ = ["dropout"]
