"""Variable state ops: VariableV2, Assign, AssignAdd, AssignSub and friends (API.md §6).

Variable ops never run as steps: their consumers read the session's state when
they execute (TF1's ref semantics). Ops with `ref_inputs` receive the variable
key instead of a value and read or write the state themselves.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .registry import NO_GRADIENT, apply, register


def _variable_shape(inputs, attrs):
    return [(attrs["shape"], attrs["dtype"]._ref_type)]


register("VariableV2", shape=_variable_shape, grad=NO_GRADIENT, is_variable=True)(None)


def variable_op_v2(shape, dtype, name="Variable") -> Tensor:
    return apply("VariableV2", [], {"shape": TensorShape(shape), "dtype": dtypes.as_dtype(dtype).base_dtype,
                                    "container": "", "shared_name": ""}, name)


def _ref_tensor(ref):
    if hasattr(ref, "_as_graph_element") and not isinstance(ref, Tensor):
        ref = ref._as_graph_element()
    if not isinstance(ref, Tensor) or not ref.dtype.is_ref_dtype:
        raise TypeError(f"'ref' needs to be a Variable (a mutable tensor); got {ref!r}. Create state with "
                        "tf.Variable or tf.get_variable.")
    return ref


def _assign_shape(inputs, attrs):
    ref, value = inputs
    if value.dtype.base_dtype != ref.dtype.base_dtype:
        raise TypeError(f"Input 'value' of 'Assign' Op has type {value.dtype.name} that does not match type "
                        f"{ref.dtype.base_dtype.name} of argument 'ref'.")
    if attrs.get("validate_shape", True):
        if not ref.shape.is_compatible_with(value.shape):
            raise ValueError(f"Shapes must be equal rank, but are {ref.shape.ndims} and {value.shape.ndims}"
                             if ref.shape.ndims != value.shape.ndims else
                             f"Dimension mismatch: shapes {ref.shape} and {value.shape} are incompatible")
        return [(ref.shape.merge_with(value.shape), ref.dtype.base_dtype)]
    return [(value.shape, ref.dtype.base_dtype)]


@register("Assign", shape=_assign_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _assign(ctx, ref, value, validate_shape=True, use_locking=False):
    if validate_shape:
        want = ctx.op._inputs[0].shape
        if want.is_fully_defined() and tuple(value.shape) != tuple(want.as_list()):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Assign requires shapes of both tensors to match. lhs shape= {want.as_list()} "
                              f"rhs shape= {list(value.shape)}")
    value = ctx.xp.array(value, copy=True)
    ctx.write_var(ref, value)
    return value


def _assign_update_shape(inputs, attrs):
    ref, value = inputs
    if value.dtype.base_dtype != ref.dtype.base_dtype:
        raise TypeError(f"Input 'value' has type {value.dtype.name} that does not match type "
                        f"{ref.dtype.base_dtype.name} of argument 'ref'.")
    if not ref.shape.is_compatible_with(value.shape) and value.shape.ndims != 0:
        raise ValueError(f"Shapes {ref.shape} and {value.shape} are incompatible")
    return [(ref.shape, ref.dtype.base_dtype)]


def _check_update(ctx, cur, delta):
    if delta.shape != cur.shape and np.ndim(delta) != 0:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Must have the same shape: variable shape {list(cur.shape)} vs update shape "
                          f"{list(delta.shape)}")


@register("AssignAdd", shape=_assign_update_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _assign_add(ctx, ref, value, use_locking=False):
    cur = ctx.read_var(ref)
    _check_update(ctx, cur, value)
    new = cur + value
    ctx.write_var(ref, new)
    return new


@register("AssignSub", shape=_assign_update_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _assign_sub(ctx, ref, value, use_locking=False):
    cur = ctx.read_var(ref)
    _check_update(ctx, cur, value)
    new = cur - value
    ctx.write_var(ref, new)
    return new


@register("IsVariableInitialized", shape=lambda i, a: [((), dtypes.bool_)], grad=NO_GRADIENT, ref_inputs=(0,))
def _is_initialized(ctx, ref, dtype=None):
    return ctx.xp.asarray(ctx.session._is_initialized(ref))


def _initialized_value_shape(inputs, attrs):
    return [(inputs[0].shape, inputs[0].dtype.base_dtype)]


@register("InitializedValue", shape=_initialized_value_shape, grad=NO_GRADIENT, ref_inputs=(0,))
def _initialized_value(ctx, ref, initial):
    """The variable's value if it is initialized, else its initial value (TF1 builds this with tf.cond)."""
    if ctx.session._is_initialized(ref):
        return ctx.read_var(ref)
    return initial


def _convert_value(ref, value):
    from .constant_op import convert_to_tensor

    base = ref.dtype.base_dtype
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        if t.dtype.base_dtype != base:
            raise TypeError(f"Input 'value' of 'Assign' Op has type {t.dtype.base_dtype.name} that does not match "
                            f"type {base.name} of argument 'ref'.")
        return t
    return convert_to_tensor(value, dtype=base)


def assign(ref, value, validate_shape=None, use_locking=None, name=None) -> Tensor:
    """Lazily assigns `value` to the variable `ref`; returns the new value."""
    ref = _ref_tensor(ref)
    value = _convert_value(ref, value)
    vs = True if validate_shape is None else bool(validate_shape)
    return apply("Assign", [ref, value], {"validate_shape": vs, "use_locking": bool(use_locking)}, name or "Assign")


def assign_add(ref, value, use_locking=None, name=None) -> Tensor:
    ref = _ref_tensor(ref)
    return apply("AssignAdd", [ref, _convert_value(ref, value)], {"use_locking": bool(use_locking)},
                 name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None) -> Tensor:
    ref = _ref_tensor(ref)
    return apply("AssignSub", [ref, _convert_value(ref, value)], {"use_locking": bool(use_locking)},
                 name or "AssignSub")


def is_variable_initialized(variable) -> Tensor:
    return apply("IsVariableInitialized", [_ref_tensor(variable)], {}, "IsVariableInitialized")
