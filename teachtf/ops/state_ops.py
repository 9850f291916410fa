"""Variable state ops: VariableV2, Assign, AssignAdd/Sub, Scatter*, CountUpTo, IsVariableInitialized (API.md §6).

Variable ops never run as steps: their consumers read the session's state when
they execute (TF1's ref semantics). Ops with `ref_inputs` receive the variable
key (its op name) instead of a value and read or write the state themselves.
Assign-type ops output the new value as a ref tensor (`float32_ref`), as TF1.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .registry import NO_GRADIENT, apply, register

_ASSIGN_TYPES = ("Assign", "AssignAdd", "AssignSub", "ScatterUpdate", "ScatterAdd", "ScatterSub")


def _variable_shape(inputs, attrs):
    return [(attrs["shape"], attrs["dtype"]._ref_type)]


register("VariableV2", shape=_variable_shape, grad=NO_GRADIENT, is_variable=True)(None)


def variable_op_v2(shape, dtype, name="Variable", container="", shared_name="") -> Tensor:
    """The VariableV2 op: a ref tensor whose value lives in each Session."""
    return apply("VariableV2", [], {"shape": TensorShape(shape), "dtype": dtypes.as_dtype(dtype).base_dtype,
                                    "container": container, "shared_name": shared_name}, name)


def _ref_tensor(ref, op_name="Assign") -> Tensor:
    """The variable ref tensor behind `ref` (a Variable, its ref tensor, or an assign op's output)."""
    if hasattr(ref, "_as_graph_element") and not isinstance(ref, Tensor):
        ref = ref._as_graph_element()
    while isinstance(ref, Tensor) and ref.op.type in _ASSIGN_TYPES:
        ref = ref.op.inputs[0]
    if not isinstance(ref, Tensor) or not ref.dtype.is_ref_dtype:
        raise TypeError(f"'ref' of {op_name} needs to be a Variable (a mutable tensor); got {ref!r}. Create state "
                        "with tf.Variable or tf.get_variable.")
    return ref


def _merge_shapes(op_type, a: TensorShape, b: TensorShape) -> TensorShape:
    """TF's MergeBothInputsShapeFn with its messages."""
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise ValueError(f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}")
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise ValueError(f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                             f"{_bracket(a)} and {_bracket(b)}.")
    return a.merge_with(b)


def _bracket(s: TensorShape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in s.as_list()) + "]"


def _check_value_dtype(op_type, ref, value):
    if value.dtype.base_dtype != ref.dtype.base_dtype:
        raise TypeError(f"Input 'value' of '{op_type}' Op has type {value.dtype.base_dtype.name} that does not "
                        f"match type {ref.dtype.base_dtype.name} of argument 'ref'.")


def _assign_shape(inputs, attrs):
    ref, value = inputs
    _check_value_dtype("Assign", ref, value)
    if attrs.get("validate_shape", True):
        return [(_merge_shapes("Assign", ref.shape, value.shape), ref.dtype.base_dtype._ref_type)]
    return [(value.shape, ref.dtype.base_dtype._ref_type)]


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
    _check_value_dtype(attrs["_type"], ref, value)
    return [(_merge_shapes(attrs["_type"], ref.shape, value.shape), ref.dtype.base_dtype._ref_type)]


def _updated(ctx, ref, delta, fn):
    cur = ctx.read_var(ref)
    if tuple(delta.shape) != tuple(cur.shape):
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Must have the same shape: the variable {ref} has shape {list(cur.shape)}, the update "
                          f"has shape {list(delta.shape)}")
    new = fn(cur, delta)
    ctx.write_var(ref, new)
    return new


@register("AssignAdd", shape=_assign_update_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _assign_add(ctx, ref, value, use_locking=False, _type=None):
    return _updated(ctx, ref, value, lambda a, b: a + b)


@register("AssignSub", shape=_assign_update_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _assign_sub(ctx, ref, value, use_locking=False, _type=None):
    return _updated(ctx, ref, value, lambda a, b: a - b)


def _convert_value(ref, value, op_type):
    """`value` as a tensor of the variable's dtype; a tensor of another dtype is a TypeError."""
    from .constant_op import convert_to_tensor

    base = ref.dtype.base_dtype
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        _check_value_dtype(op_type, ref, t)
        return t
    return convert_to_tensor(value, dtype=base, name="value")


def assign(ref, value, validate_shape=None, use_locking=None, name=None) -> Tensor:
    """Assigns `value` to the variable `ref` when the op runs; outputs the new value."""
    ref = _ref_tensor(ref, "Assign")
    from ..framework.graph import name_scope

    with name_scope(name, "Assign", [ref, value]) as scope:
        value = _convert_value(ref, value, "Assign")
        vs = True if validate_shape is None else bool(validate_shape)
        return apply("Assign", [ref, value], {"validate_shape": vs, "use_locking": bool(use_locking)}, scope)


def _update(op_type, ref, value, use_locking, name):
    ref = _ref_tensor(ref, op_type)
    from ..framework.graph import name_scope

    with name_scope(name, op_type, [ref, value]) as scope:
        value = _convert_value(ref, value, op_type)
        return apply(op_type, [ref, value], {"use_locking": bool(use_locking), "_type": op_type}, scope)


def assign_add(ref, value, use_locking=None, name=None) -> Tensor:
    """Adds `value` to the variable `ref` when the op runs; outputs the new value."""
    return _update("AssignAdd", ref, value, use_locking, name)


def assign_sub(ref, value, use_locking=None, name=None) -> Tensor:
    """Subtracts `value` from the variable `ref` when the op runs; outputs the new value."""
    return _update("AssignSub", ref, value, use_locking, name)


# -- scatter updates -----------------------------------------------------------------------------------------


def _scatter_shape(inputs, attrs):
    ref, indices, updates = inputs
    _check_value_dtype(attrs["_type"], ref, updates)
    if not indices.dtype.base_dtype.is_integer:
        raise TypeError(f"indices of {attrs['_type']} must be int32 or int64, got {indices.dtype.base_dtype.name}")
    if ref.shape.ndims is not None and indices.shape.ndims is not None and updates.shape.ndims is not None:
        want = indices.shape.concatenate(ref.shape[1:])
        if not updates.shape.is_compatible_with(want):
            raise ValueError(f"Shapes {updates.shape} and {want} are incompatible: updates must have shape "
                             "indices.shape + ref.shape[1:]")
    return [(ref.shape, ref.dtype.base_dtype._ref_type)]


def _scatter(ctx, ref, indices, updates, how):
    cur = ctx.read_var(ref)
    xp = ctx.xp
    idx = xp.asarray(indices).astype(np.int64)
    n = cur.shape[0]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise errors.InvalidArgumentError(None, ctx.op, f"indices[...] = {bad} is not in [0, {n})")
    new = xp.array(cur, copy=True)
    flat_idx = idx.reshape(-1)
    upd = xp.asarray(updates).reshape((flat_idx.size,) + tuple(cur.shape[1:]))
    if how == "update":
        new[flat_idx] = upd
    elif how == "add":
        xp.add.at(new, flat_idx, upd)
    else:
        xp.subtract.at(new, flat_idx, upd)
    ctx.write_var(ref, new)
    return new


@register("ScatterUpdate", shape=_scatter_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _scatter_update(ctx, ref, indices, updates, use_locking=True, _type=None):
    return _scatter(ctx, ref, indices, updates, "update")


@register("ScatterAdd", shape=_scatter_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _scatter_add(ctx, ref, indices, updates, use_locking=False, _type=None):
    return _scatter(ctx, ref, indices, updates, "add")


@register("ScatterSub", shape=_scatter_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _scatter_sub(ctx, ref, indices, updates, use_locking=False, _type=None):
    return _scatter(ctx, ref, indices, updates, "sub")


def _scatter_op(op_type, ref, indices, updates, use_locking, name):
    from .constant_op import convert_to_tensor

    ref = _ref_tensor(ref, op_type)
    indices = convert_to_tensor(indices)
    updates = _convert_value(ref, updates, op_type)
    return apply(op_type, [ref, indices, updates], {"use_locking": bool(use_locking), "_type": op_type},
                 name or op_type)


def scatter_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """ref[indices, ...] = updates (duplicate indices: the last update wins)."""
    return _scatter_op("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """ref[indices, ...] += updates (duplicate indices add up)."""
    return _scatter_op("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """ref[indices, ...] -= updates (duplicate indices add up)."""
    return _scatter_op("ScatterSub", ref, indices, updates, use_locking, name)


# -- counters and initialization checks -----------------------------------------------------------------------------


def _count_up_to_shape(inputs, attrs):
    ref = inputs[0]
    if ref.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Value passed to parameter 'ref' has DataType {ref.dtype.base_dtype.name} not in list of "
                        "allowed values: int32, int64")
    return [(ref.shape, ref.dtype.base_dtype)]


@register("CountUpTo", shape=_count_up_to_shape, grad=NO_GRADIENT, stateful=True, ref_inputs=(0,))
def _count_up_to(ctx, ref, limit):
    cur = ctx.read_var(ref)
    if int(cur) >= limit:
        raise errors.OutOfRangeError(None, ctx.op, f"Reached limit of {limit}")
    ctx.write_var(ref, cur + cur.dtype.type(1))
    return cur


def count_up_to(ref, limit, name=None) -> Tensor:
    """Outputs the variable's value, then increments it; OutOfRangeError once it reached `limit`."""
    return apply("CountUpTo", [_ref_tensor(ref, "CountUpTo")], {"limit": int(limit)}, name or "CountUpTo")


@register("IsVariableInitialized", shape=lambda i, a: [((), dtypes.bool_)], grad=NO_GRADIENT, ref_inputs=(0,),
          cpu_only=True)
def _is_initialized(ctx, ref, dtype=None):
    return np.asarray(ctx.session._is_initialized(ref))


def is_variable_initialized(ref, name=None) -> Tensor:
    """A bool scalar: whether the variable has a value in the session."""
    ref = _ref_tensor(ref, "IsVariableInitialized")
    return apply("IsVariableInitialized", [ref], {"dtype": ref.dtype.base_dtype}, name or "IsVariableInitialized")


def _initialized_value_shape(inputs, attrs):
    return [(inputs[0].shape, inputs[0].dtype.base_dtype)]


@register("InitializedValue", shape=_initialized_value_shape, grad=NO_GRADIENT, ref_inputs=(0,))
def _initialized_value(ctx, ref, initial):
    """The variable's value if it is initialized, else its initial value."""
    if ctx.session._is_initialized(ref):
        return ctx.read_var(ref)
    return initial
