"""Constants, placeholders and tensor conversion (API.md §4.2, §5)."""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.conversion import np_dtype_name, to_array
from ..framework.graph import Operation, Tensor, get_default_graph
from ..framework.shapes import TensorShape, as_shape
from .registry import NO_GRADIENT, apply, register


def _const_shape(inputs, attrs):
    v = attrs["value"]
    return [(v.shape, attrs["dtype"])]


@register("Const", shape=_const_shape, grad=NO_GRADIENT, const_value=lambda op: op.get_attr("value"))
def _const(ctx, value, dtype):
    if ctx.xp is np:
        return value
    if ctx.cache is None:  # copied to the device once per session, not on every run
        ctx.cache = ctx.xp.asarray(value)
    return ctx.cache


def _fill_value(arr: np.ndarray, shape, verify_shape: bool) -> np.ndarray:
    shape = tuple(as_shape(shape).as_list())
    n = int(np.prod(shape)) if shape else 1
    if arr.shape == shape:
        return arr
    if verify_shape:
        raise TypeError(f"Expected Tensor's shape: {shape}, got {arr.shape}.")
    if arr.size == 1:
        return np.full(shape, arr.reshape(()), dtype=arr.dtype)
    if arr.size > n:
        raise ValueError(f"Too many elements provided. Needed at most {n}, but received {arr.size}")
    flat = arr.reshape(-1)
    out = np.empty(n, dtype=arr.dtype)
    out[: flat.size] = flat
    out[flat.size:] = flat[-1] if flat.size else 0
    return out.reshape(shape)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False) -> Tensor:
    """A tensor holding `value`; with `shape`, a scalar fills and a short list repeats its last element."""
    if isinstance(value, (Tensor,)) or hasattr(value, "_as_graph_element"):
        raise TypeError("tf.constant does not take a Tensor as its value; use tf.identity or tf.cast.")
    arr = to_array(value, dtype)
    if shape is not None:
        arr = _fill_value(arr, shape, verify_shape)
    dt = dtypes.as_dtype(dtype).base_dtype if dtype is not None else dtypes.as_dtype(arr.dtype)
    if arr is value or arr.base is not None or not arr.flags.c_contiguous:
        arr = np.array(arr, order="C", copy=True)  # never alias (and freeze) the caller's array
    arr.setflags(write=False)
    return apply("Const", [], {"value": arr, "dtype": dt}, name)


def _placeholder_shape(inputs, attrs):
    return [(attrs["shape"], attrs["dtype"])]


def _shape_for_message(shape: TensorShape) -> str:
    if shape.ndims is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


@register("Placeholder", shape=_placeholder_shape, grad=NO_GRADIENT)
def _placeholder(ctx, dtype, shape):
    raise errors.InvalidArgumentError(
        None, ctx.op,
        f"You must feed a value for placeholder tensor '{ctx.op.name}' with dtype {np_dtype_name(dtype)}"
        f" and shape {_shape_for_message(shape)}")


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """A tensor that must be fed; `None` dims are free, no shape means any shape."""
    dt = dtypes.as_dtype(dtype)
    return apply("Placeholder", [], {"dtype": dt, "shape": as_shape(shape) if shape is not None else TensorShape(None)},
                 name or "Placeholder")


def _pwd_shape(inputs, attrs):
    s = attrs["shape"]
    if not inputs[0].shape.is_compatible_with(s):
        raise ValueError(f"Shapes {inputs[0].shape} and {s} are incompatible")
    return [(s, inputs[0].dtype)]


@register("PlaceholderWithDefault", shape=_pwd_shape, grad=lambda op, g: [g])
def _placeholder_with_default(ctx, x, shape):
    return x


def placeholder_with_default(input, shape, name=None) -> Tensor:
    """Uses `input` when not fed; a feed must be compatible with `shape`."""
    x = convert_to_tensor(input)
    return apply("PlaceholderWithDefault", [x], {"shape": as_shape(shape)}, name or "PlaceholderWithDefault")


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None) -> Tensor:
    """Converts a Tensor, Variable, array-like or TensorShape to a Tensor (TF1 dtype inference)."""
    if isinstance(value, Tensor):
        if dtype is not None and not dtypes.as_dtype(dtype).base_dtype == value.dtype.base_dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    if hasattr(value, "_as_tensor"):
        t = value._as_tensor()
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype != t.dtype.base_dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for "
                             f"Tensor with dtype {t.dtype.name}: {value!r}")
        return t
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype={dtype}, "
                        f"name={name}, as_ref=False)")
    if isinstance(value, (list, tuple)) and _has_tensor(value):
        from . import array_ops

        return array_ops._autopack(value, dtype, name or "packed")
    hint = preferred_dtype if preferred_dtype is not None else dtype_hint
    if dtype is None and hint is not None:
        try:
            return constant(value, dtype=hint, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name or "Const")


def _has_tensor(value) -> bool:
    for v in value:
        if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
            return True
        if isinstance(v, (list, tuple)) and _has_tensor(v):
            return True
    return False


def convert_n_to_tensor(values, dtype=None, name=None):
    return [convert_to_tensor(v, dtype) for v in values]


def is_tensor(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def constant_value(t):
    """The value of `t` if it is known when the graph is built (Const, Shape of a known shape, ...), else None."""
    if hasattr(t, "_as_tensor"):
        t = t._as_tensor()
    if not isinstance(t, Tensor):
        try:
            return to_array(t)
        except (TypeError, ValueError):
            return None
    fn = t.op._opdef.const_value if t.op._opdef is not None else None
    if fn is None:
        return None
    try:
        v = fn(t.op)
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    if isinstance(v, (list, tuple)):
        v = v[t.value_index]
    return v


def _graph_of(*values):
    for v in values:
        if isinstance(v, Tensor):
            return v.graph
    return get_default_graph()
