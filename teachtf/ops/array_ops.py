"""Array and shape ops (API.md §8), with their gradients."""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .constant_op import constant, constant_value, convert_to_tensor
from .registry import NO_GRADIENT, apply, register


def _shape_arg(shape):
    """A shape argument as a tensor: list/tuple/TensorShape/int (1-D) or an int tensor."""
    if isinstance(shape, Tensor) or hasattr(shape, "_as_tensor"):
        return convert_to_tensor(shape)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (int, np.integer)):
        shape = [int(shape)]
    if isinstance(shape, (list, tuple)) and any(isinstance(s, Tensor) or hasattr(s, "_as_tensor") for s in shape):
        return stack([convert_to_tensor(s, dtype=dtypes.int32) if not isinstance(s, Tensor) else s for s in shape])
    return constant(np.asarray([int(s) if s is not None else -1 for s in shape], dtype=np.int32), name="shape")


# -- Shape / Rank / Size ---------------------------------------------------------------------------------


def _shape_const(op):
    s = op.inputs[0].shape
    if not s.is_fully_defined():
        return None
    return np.asarray(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)


@register("Shape", shape=lambda i, a: [((i[0].shape.ndims,), a["out_type"])], grad=NO_GRADIENT,
          const_value=_shape_const)
def _shape_kernel(ctx, x, out_type):
    return np.asarray(x.shape, dtype=out_type.as_numpy_dtype)


def shape(input, name=None, out_type=dtypes.int32) -> Tensor:
    """The dynamic shape of `input` as a 1-D int32 tensor."""
    return apply("Shape", [convert_to_tensor(input)], {"out_type": dtypes.as_dtype(out_type)}, name or "Shape")


# -- Reshape ----------------------------------------------------------------------------------------------


def _reshape_shape(inputs, attrs):
    x, s = inputs
    sv = constant_value(s)
    if sv is None:
        n = s.shape[0].value if s.shape.ndims == 1 else None
        return [(TensorShape(None if n is None else [None] * n), x.dtype.base_dtype)]
    dims = [int(d) for d in np.asarray(sv).reshape(-1)]
    if sum(1 for d in dims if d == -1) > 1:
        raise ValueError(f"Cannot infer shape: at most one -1 is allowed in {dims}")
    known = x.shape.num_elements()
    if -1 in dims:
        rest = int(np.prod([d for d in dims if d != -1])) if len(dims) > 1 else 1
        if known is not None:
            if rest == 0 or known % rest:
                raise ValueError(f"Cannot reshape a tensor with {known} elements to shape {dims} "
                                 f"({rest} is not a divisor of {known})")
            dims = [known // rest if d == -1 else d for d in dims]
        else:
            dims = [None if d == -1 else d for d in dims]
    elif known is not None and int(np.prod(dims)) != known:
        raise ValueError(f"Cannot reshape a tensor with {known} elements to shape {dims} "
                         f"({int(np.prod(dims))} elements)")
    return [(dims, x.dtype.base_dtype)]


def _reshape_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])) if not op.inputs[0].shape.is_fully_defined()
            else reshape(grad, op.inputs[0].shape.as_list()), None]


@register("Reshape", shape=_reshape_shape, grad=_reshape_grad)
def _reshape_kernel(ctx, x, s):
    return x.reshape(tuple(int(d) for d in s))


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor`; at most one -1, element counts must match."""
    return apply("Reshape", [convert_to_tensor(tensor), _shape_arg(shape)], {}, name or "Reshape")


# -- BroadcastTo ----------------------------------------------------------------------------------------------


def _broadcast_to_shape(inputs, attrs):
    x, s = inputs
    sv = constant_value(s)
    if sv is None:
        n = s.shape[0].value if s.shape.ndims == 1 else None
        return [(TensorShape(None if n is None else [None] * n), x.dtype.base_dtype)]
    return [([int(d) for d in np.asarray(sv).reshape(-1)], x.dtype.base_dtype)]


def _broadcast_to_grad(op, grad):
    from .math_ops import unbroadcast

    return [unbroadcast(grad, op.inputs[0]), None]


@register("BroadcastTo", shape=_broadcast_to_shape, grad=_broadcast_to_grad)
def _broadcast_to_kernel(ctx, x, s):
    return ctx.xp.broadcast_to(x, tuple(int(d) for d in s))


def broadcast_to(input, shape, name=None) -> Tensor:
    return apply("BroadcastTo", [convert_to_tensor(input), _shape_arg(shape)], {}, name or "BroadcastTo")


def stack(values, axis=0, name="stack"):
    raise NotImplementedError  # replaced below by the full array_ops implementation


def _autopack(values, dtype, name):
    raise NotImplementedError


def _slice_helper(tensor, key):
    raise NotImplementedError


def _fill_like_shape(inputs, attrs):
    return [(inputs[0].shape, attrs.get("dtype") or inputs[0].dtype.base_dtype)]


@register("ZerosLike", shape=_fill_like_shape, grad=NO_GRADIENT)
def _zeros_like_kernel(ctx, x, dtype=None):
    return ctx.xp.zeros(x.shape, dtype=x.dtype if dtype is None else dtype.as_numpy_dtype)


@register("OnesLike", shape=_fill_like_shape, grad=NO_GRADIENT)
def _ones_like_kernel(ctx, x, dtype=None):
    return ctx.xp.ones(x.shape, dtype=x.dtype if dtype is None else dtype.as_numpy_dtype)


def zeros_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Zeros with the dynamic shape of `tensor`."""
    t = convert_to_tensor(tensor)
    return apply("ZerosLike", [t], {"dtype": None if dtype is None else dtypes.as_dtype(dtype).base_dtype},
                 name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Ones with the dynamic shape of `tensor`."""
    t = convert_to_tensor(tensor)
    return apply("OnesLike", [t], {"dtype": None if dtype is None else dtypes.as_dtype(dtype).base_dtype},
                 name or "ones_like")
