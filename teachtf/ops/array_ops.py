"""Array and shape ops (API.md §5, §8), with their gradients.

Creating tensors (zeros/ones/fill/eye and *_like), shapes (shape/size/rank,
reshape, broadcast_to, expand_dims, squeeze), joining and splitting (stack,
unstack, concat, split), rearranging (transpose, tile, pad, reverse,
reverse_sequence) and encoding (one_hot, sequence_mask, sparse_to_dense,
unique, setdiff1d, meshgrid). Indexing (slicing, gather/scatter, where,
boolean_mask) lives in `indexing_ops`, the diagonal ops in `linalg_ops`; both are
re-exported here.

Multi-op functions open TF1's normative name scopes (`transpose`, `concat`,
`stack`, `zeros`, `ones`, `one_hot`); attrs are normalised when the op is built,
so kernels do no argument parsing per run.
"""

from __future__ import annotations

import builtins
import collections
import math

import numpy as np

from ..ext.strict import lenient
from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import Dimension, TensorShape, as_shape
from .constant_op import constant, constant_value, convert_to_tensor
from .math_ops import build_op, check_dtype, unbroadcast
from .registry import NO_GRADIENT, apply, register


def _is_tensorlike(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _shape_arg(shape, name="shape"):
    """A shape argument as a tensor: list/tuple/TensorShape/int (1-D) or an int tensor; -1 for None dims."""
    if _is_tensorlike(shape):
        return convert_to_tensor(shape)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (int, np.integer, Dimension)):
        shape = [shape]
    if isinstance(shape, (list, tuple)) and builtins.any(_is_tensorlike(s) for s in shape):
        return stack([convert_to_tensor(s, dtype=dtypes.int32) if not _is_tensorlike(s) else s for s in shape])
    dims = [-1 if s is None else int(Dimension(s).value if isinstance(s, Dimension) else s) for s in shape]
    return constant(np.asarray(dims, dtype=np.int32).reshape(-1), name=name)


def _static_dims(shape_t: Tensor):
    """Known output dims from a shape tensor (None for unknown ones), or None when even the rank is unknown.

    Like TF1's constant_value_as_shape: a constant gives every dim, `tf.shape(x)` gives x's static
    shape, and a stacked list such as `[tf.shape(x)[0], 10]` gives the dims that are constants.
    """
    v = constant_value(shape_t)
    if v is not None:
        return [None if int(d) < 0 else int(d) for d in np.asarray(v).reshape(-1)]
    op = shape_t.op
    if op.type == "Shape" and op.inputs[0].shape.ndims is not None:
        return op.inputs[0].shape.as_list()
    if op.type == "Pack" and op.get_attr("axis") == 0 and builtins.all(t.shape.ndims == 0 for t in op.inputs):
        dims = [_scalar_dim(t) for t in op.inputs]
        return [None if d is None or d < 0 else d for d in dims]
    n = shape_t.shape[0].value if shape_t.shape.ndims == 1 else None
    return None if n is None else [None] * n


def _scalar_dim(t: Tensor):
    """A scalar int known at build time: a constant, or `tf.shape(x)[i]` of a statically known dimension."""
    c = constant_value(t)
    if c is not None:
        return int(c)
    op = t.op
    if op.type == "StridedSlice" and op.inputs[0].op.type == "Shape":
        key = op._attrs.get("_key")
        src = op.inputs[0].op.inputs[0].shape
        if isinstance(key, tuple) and len(key) == 1 and isinstance(key[0], int) and src.ndims is not None:
            if -src.ndims <= key[0] < src.ndims:
                return src.as_list()[key[0]]
    return None


def _dims_of(t: Tensor):
    """A reshape target for t's shape: a static list when fully known, else the Shape tensor."""
    return t.shape.as_list() if t.shape.is_fully_defined() else shape(t)


# -- Shape / Size / Rank --------------------------------------------------------------------------------------


def _shape_const(op):
    s = op.inputs[0].shape
    if not s.is_fully_defined():
        return None
    return np.asarray(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)


@register("Shape", shape=lambda i, a: [((i[0].shape.ndims,), a["out_type"])], grad=NO_GRADIENT,
          const_value=_shape_const)
def _shape_kernel(ctx, x, out_type):
    return np.asarray(x.shape, dtype=out_type.as_numpy_dtype)


def shape(input, name=None, out_type=dtypes.int32) -> Tensor:  # noqa: A002 - TF1's argument name
    """The dynamic shape of `input` as a 1-D int32 tensor (`tf.shape(x)[0]` is the usual batch size)."""
    return apply("Shape", [convert_to_tensor(input)], {"out_type": dtypes.as_dtype(out_type)}, name or "Shape")


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """[shape(t) for t in input]."""
    with _graph.name_scope(name, "ShapeN", input):
        return [shape(t, out_type=out_type) for t in input]


@register("Size", shape=lambda i, a: [([], a["out_type"])], grad=NO_GRADIENT)
def _size_kernel(ctx, x, out_type):
    return np.asarray(x.size, dtype=out_type.as_numpy_dtype)


@register("Rank", shape=lambda i, a: [([], dtypes.int32)], grad=NO_GRADIENT)
def _rank_kernel(ctx, x):
    return np.asarray(x.ndim, dtype=np.int32)


def size(input, name=None, out_type=dtypes.int32) -> Tensor:  # noqa: A002
    """Number of elements (a Const when the static shape is fully known, as in TF1)."""
    out_type = dtypes.as_dtype(out_type).base_dtype
    with _graph.name_scope(name, "Size", [input]) as scope:
        x = convert_to_tensor(input)
        if x.shape.is_fully_defined():
            return constant(x.shape.num_elements(), out_type, name=scope)
        return apply("Size", [x], {"out_type": out_type}, scope)


def rank(input, name=None) -> Tensor:  # noqa: A002
    """Number of dimensions (a Const when the static rank is known, as in TF1)."""
    with _graph.name_scope(name, "Rank", [input]) as scope:
        x = convert_to_tensor(input)
        if x.shape.ndims is not None:
            return constant(x.shape.ndims, dtypes.int32, name=scope)
        return apply("Rank", [x], {}, scope)


# -- Reshape --------------------------------------------------------------------------------------------------


def _reshape_shape(inputs, attrs):
    x, s = inputs
    check_dtype(s, ("int32", "int64"), "shape")
    sv = constant_value(s)
    if sv is None:
        return [(TensorShape(_partial_reshape_dims(x, s)), x.dtype.base_dtype)]
    dims = [int(d) for d in np.asarray(sv).reshape(-1)]
    if builtins.sum(1 for d in dims if d == -1) > 1:
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


def _partial_reshape_dims(x, s):
    """Dims of reshape(x, s) when s is only partly known, e.g. [tf.shape(x)[0], -1]: known entries are kept and
    a −1 is resolved when the rest is known."""
    op = s.op
    if op.type != "Pack" or op.get_attr("axis") != 0 or not builtins.all(t.shape.ndims == 0 for t in op.inputs):
        n = s.shape[0].value if s.shape.ndims == 1 else None
        return None if n is None else [None] * n
    dims = [_scalar_dim(t) for t in op.inputs]
    if -1 in dims:
        known_in = x.shape.num_elements()
        rest = [d for d in dims if d != -1]
        k = dims.index(-1)
        dims[k] = None
        if known_in is not None and None not in rest:
            dims[k] = known_in // builtins.max(int(np.prod(rest)), 1)
    return dims


def _reshape_grad(op, grad):
    return [reshape(grad, _dims_of(op.inputs[0])), None]


@register("Reshape", shape=_reshape_shape, grad=_reshape_grad)
def _reshape_kernel(ctx, x, s):
    target = tuple(s.tolist())
    try:
        return x.reshape(target)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Input to reshape is a tensor with {x.size} values, but the requested shape has "
                          f"{int(np.prod([d for d in target if d != -1]))}{' (times -1)' if -1 in target else ''}"
                          f": {list(target)}") from None


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor`; at most one -1, element counts must match (ValueError at build time when known)."""
    return apply("Reshape", [convert_to_tensor(tensor), _shape_arg(shape)], {}, name or "Reshape")


# -- BroadcastTo -----------------------------------------------------------------------------------------------


def _broadcast_to_shape(inputs, attrs):
    x, s = inputs
    dims = _static_dims(s)
    if dims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    if x.shape.ndims is not None:
        if x.shape.ndims > len(dims):
            raise ValueError(f"Rank of input ({x.shape.ndims}) must be no greater than rank of output shape "
                             f"({len(dims)})")
        for a, b in zip(reversed(x.shape.as_list()), reversed(dims)):
            if a is not None and b is not None and a != 1 and a != b:
                raise ValueError(f"Incompatible shapes: {x.shape} cannot be broadcast to {dims}")
    return [(dims, x.dtype.base_dtype)]


_SMALL_FILL = 1 << 16  # elements up to which BroadcastTo of one value writes a fresh array instead of a view


@register("BroadcastTo", shape=_broadcast_to_shape, grad=lambda op, g: [unbroadcast(g, op.inputs[0]), None])
def _broadcast_to_kernel(ctx, x, s):
    shape = tuple(s.tolist())
    if x.size == 1 and x.ndim <= len(shape) and math.prod(shape) <= _SMALL_FILL:
        out = ctx.xp.empty(shape, x.dtype)  # a small scalar fill: ~0.8 µs, against ~4 µs for broadcast_to
        out[...] = x
        return out
    return ctx.xp.broadcast_to(x, shape)


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """`input` broadcast (NumPy rules) to `shape`; the gradient sums over the broadcast axes."""
    return build_op("BroadcastTo", "BroadcastTo", name, [(input, "input", None, None),
                                                         (_shape_arg(shape), "shape", None, None)])


# -- creating tensors: zeros / ones / fill / *_like / eye --------------------------------------------------


def _fill_shape(inputs, attrs):
    dims, value = inputs
    check_dtype(dims, ("int32", "int64"), "dims")
    if value.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {value.shape.ndims} (the fill value must be a scalar)")
    if dims.shape.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {dims.shape.ndims} (dims must be a vector)")
    out = _static_dims(dims)
    if out is not None and builtins.any(d is not None and d < 0 for d in out):
        raise ValueError(f"Fill dimensions must be >= 0, got {out}")
    return [(TensorShape(out), value.dtype.base_dtype)]


def _fill_grad(op, grad):
    from .reduction_ops import reduce_sum

    return [None, reduce_sum(grad)]


@register("Fill", shape=_fill_shape, grad=_fill_grad)
def _fill_kernel(ctx, dims, value):
    return ctx.xp.full(tuple(dims.tolist()), value, dtype=value.dtype)


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (op `Fill`)."""
    return build_op("Fill", "Fill", name, [(dims, "dims", None, dtypes.int32), (value, "value", None, None)])


def _filled(value, shape, dtype, name, default_name):
    """zeros/ones: a Const when the shape is static and small (< 1000 elements), else a Fill (TF1)."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    with _graph.name_scope(name, default_name, [shape]) as scope:
        if dtype == dtypes.string:
            value = b"" if value == 0 else value
        elif dtype.is_bool:
            value = bool(value)
        if not _is_tensorlike(shape):
            static = None
            try:
                static = as_shape(shape)
            except (TypeError, ValueError):
                pass
            if static is not None and static.is_fully_defined():
                if static.num_elements() < 1000:
                    return constant(value, dtype=dtype, shape=static.as_list(), name=scope)
                shape_t = constant(np.asarray(static.as_list(), dtype=np.int32), name="shape_as_tensor")
            elif static is not None and static.ndims is not None:
                raise ValueError(f"Cannot create a tensor of partially known shape {static}; pass a shape tensor "
                                 "such as tf.shape(x) instead.")
            else:
                shape_t = _shape_arg(shape)
        else:
            shape_t = convert_to_tensor(shape)
            if shape_t.shape.ndims == 0:
                shape_t = reshape(shape_t, [-1])
        return fill(shape_t, constant(value, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of zeros (False for bool, b'' for strings); a bare int shape is 1-D."""
    return _filled(0, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ones (True for bool); a bare int shape is 1-D."""
    return _filled(1, shape, dtype, name, "ones")


def _fill_like_shape(inputs, attrs):
    return [(inputs[0].shape, attrs.get("dtype") or inputs[0].dtype.base_dtype)]


@register("ZerosLike", shape=_fill_like_shape, grad=NO_GRADIENT)
def _zeros_like_kernel(ctx, x, dtype=None):
    return ctx.xp.zeros(x.shape, dtype=x.dtype if dtype is None else dtype.as_numpy_dtype)


@register("OnesLike", shape=_fill_like_shape, grad=NO_GRADIENT)
def _ones_like_kernel(ctx, x, dtype=None):
    return ctx.xp.ones(x.shape, dtype=x.dtype if dtype is None else dtype.as_numpy_dtype)


def zeros_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Zeros with the dynamic shape of `tensor` (and its dtype unless `dtype` is given)."""
    t = convert_to_tensor(tensor)
    return apply("ZerosLike", [t], {"dtype": None if dtype is None else dtypes.as_dtype(dtype).base_dtype},
                 name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Ones with the dynamic shape of `tensor` (and its dtype unless `dtype` is given)."""
    t = convert_to_tensor(tensor)
    return apply("OnesLike", [t], {"dtype": None if dtype is None else dtypes.as_dtype(dtype).base_dtype},
                 name or "ones_like")


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None) -> Tensor:
    """Identity matrix [num_rows, num_columns] (square by default), optionally batched."""
    with _graph.name_scope(name, "eye", [num_rows, num_columns, batch_shape]) as scope:
        n = int(num_rows)
        m = n if num_columns is None else int(num_columns)
        batch = [] if batch_shape is None else [int(b) for b in batch_shape]
        diag_ones = ones(batch + [builtins.min(n, m)], dtype=dtype)
        if n == m:
            return matrix_diag(diag_ones, name=scope)
        return matrix_set_diag(zeros(batch + [n, m], dtype=dtype), diag_ones, name=scope)


# -- stack / unstack -----------------------------------------------------------------------------------------


def _pack_shape(inputs, attrs):
    dt = inputs[0].dtype.base_dtype
    if builtins.any(t.dtype.base_dtype != dt for t in inputs):
        raise TypeError(f"Tensors in list passed to 'values' of 'Pack' Op have types "
                        f"[{', '.join(t.dtype.base_dtype.name for t in inputs)}] that don't all match.")
    s = inputs[0].shape
    for i, t in enumerate(inputs[1:], 1):
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            a = "[" + ",".join("?" if d is None else str(d) for d in s.as_list()) + "]"
            b = "[" + ",".join("?" if d is None else str(d) for d in t.shape.as_list()) + "]"
            detail = (f"Shapes must be equal rank, but are {s.ndims} and {t.shape.ndims}"
                      if s.ndims != t.shape.ndims else _first_mismatch(s, t.shape, a, b))
            raise ValueError(f"{detail}\n\tFrom merging shape {i - 1 if i > 1 else 0} with other shapes.") from None
    if s.ndims is None:
        return [(TensorShape(None), dt)]
    axis = attrs["axis"] % (s.ndims + 1)
    dims = s.as_list()
    return [(dims[:axis] + [len(inputs)] + dims[axis:], dt)]


def _first_mismatch(s, t, a, b):
    for k, (x, y) in enumerate(zip(s.as_list(), t.as_list())):
        if x is not None and y is not None and x != y:
            return f"Dimension {k} in both shapes must be equal, but are {x} and {y}. Shapes are {a} and {b}."
    return f"Shapes {a} and {b} are incompatible."


def _pack_const(op):
    vals = [constant_value(t) for t in op.inputs]
    return None if builtins.any(v is None for v in vals) else np.stack(vals, axis=op.get_attr("axis"))


@register("Pack", shape=_pack_shape, grad=lambda op, g: unstack(g, num=len(op.inputs), axis=op.get_attr("axis")),
          const_value=_pack_const)
def _pack_kernel(ctx, *values, axis, N=None):
    return ctx.xp.stack(values, axis=axis)


def _pack(values, axis, name):
    """The Pack op on a list of values (each converted on its own, as TF1's op builder does for lists)."""
    values = list(values)
    if builtins.all(isinstance(v, Tensor) for v in values):
        return apply("Pack", values, {"axis": axis, "N": len(values)}, name)
    with _graph.name_scope(name) as scope:
        ts = [convert_to_tensor(v, name=f"values_{i}") for i, v in enumerate(values)]
        return apply("Pack", ts, {"axis": axis, "N": len(ts)}, scope)


def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor along a new `axis` (op `Pack`).

    A list of plain Python/NumPy values becomes a single Const named `stack`.
    """
    if axis == 0:
        try:
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError):
            pass
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"stack expects a non-empty list of tensors, got {values!r}")
    value_shape = convert_to_tensor(values[0], name=name).shape
    if value_shape.ndims is not None:
        n = value_shape.ndims + 1
        if axis < -n or axis >= n:
            raise ValueError(f"axis = {axis} not in [{-n}, {n})")
    return _pack(values, int(axis), name)


pack = stack


def _first_tensor_dtype(values):
    for v in values:
        if _is_tensorlike(v):
            return convert_to_tensor(v).dtype.base_dtype
        if isinstance(v, (list, tuple)):
            dt = _first_tensor_dtype(v)
            if dt is not None:
                return dt
    return None


def _autopack(values, dtype, name):
    """Converts a (nested) list that contains tensors by stacking it, like TF1's auto-packing.

    The dtype is that of the first tensor found (or `dtype`); plain elements are
    converted to it, and a tensor of another dtype raises TypeError.
    """
    inferred = _first_tensor_dtype(values)
    if dtype is None:
        dtype = inferred
    else:
        dtype = dtypes.as_dtype(dtype).base_dtype
    return _autopack_helper(values, dtype, name)


def _autopack_helper(values, dtype, name):
    must_pack = False
    converted = []
    with _graph.name_scope(name) as scope:
        for i, elem in enumerate(values):
            if _is_tensorlike(elem):
                t = convert_to_tensor(elem)
                if dtype is not None and t.dtype.base_dtype != dtype:
                    raise TypeError(f"Cannot convert a list containing a tensor of dtype {t.dtype.base_dtype} to "
                                    f"{dtype} (Tensor is: {t!r})")
                converted.append(t)
                must_pack = True
            elif isinstance(elem, (list, tuple)):
                c = _autopack_helper(elem, dtype, str(i))
                must_pack = must_pack or isinstance(c, Tensor)
                converted.append(c)
            else:
                converted.append(elem)
        if not must_pack:
            return converted
        ts = [c if isinstance(c, Tensor) else constant(c, dtype=dtype, name=str(i)) for i, c in enumerate(converted)]
        return apply("Pack", ts, {"axis": 0, "N": len(ts)}, scope)


def _unpack_shape(inputs, attrs):
    x = inputs[0]
    num, axis = attrs["num"], attrs["axis"]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)] * num
    dims = x.shape.as_list()
    a = axis % len(dims)
    if dims[a] is not None and dims[a] != num:
        raise ValueError(f"Dimension must be {num} but is {dims[a]}")
    out = dims[:a] + dims[a + 1:]
    return [(out, x.dtype.base_dtype)] * num


@register("Unpack", shape=_unpack_shape, grad=lambda op, *gs: [stack(list(gs), axis=op.get_attr("axis"))])
def _unpack_kernel(ctx, x, num, axis):
    parts = tuple(ctx.xp.moveaxis(x, axis, 0)) if axis != 0 else tuple(x)
    return parts[0] if num == 1 else parts


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits `value` along `axis` into a list of rank-(R−1) tensors (op `Unpack`).

    `num` is taken from the static shape; when that dimension is unknown, pass `num`.
    """
    value = convert_to_tensor(value)
    s = value.shape
    if s.ndims is not None:
        if axis < -s.ndims or axis >= s.ndims:
            raise ValueError(f"axis = {axis} not in [{-s.ndims}, {s.ndims})")
        if num is None:
            num = s[axis].value
    if num is None:
        raise ValueError(f"Cannot infer num from shape {s}")
    out = apply("Unpack", [value], {"num": int(num), "axis": int(axis)}, name)
    return list(out) if isinstance(out, tuple) else [out]


unpack = unstack


# -- concat / split ----------------------------------------------------------------------------------------


def _fmt(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _concat_shape(inputs, attrs):
    *values, axis_t = inputs
    dt = values[0].dtype.base_dtype
    if builtins.any(v.dtype.base_dtype != dt for v in values):
        raise TypeError(f"Tensors in list passed to 'values' of 'ConcatV2' Op have types "
                        f"[{', '.join(v.dtype.base_dtype.name for v in values)}] that don't all match.")
    check_dtype(axis_t, ("int32", "int64"), "axis")
    ranks = {v.shape.ndims for v in values if v.shape.ndims is not None}
    if len(ranks) > 1:
        r = sorted(ranks)
        raise ValueError(f"Shape must be rank {r[-1]} but is rank {r[0]}")
    if not ranks:
        return [(TensorShape(None), dt)]
    nd = ranks.pop()
    a = constant_value(axis_t)
    if a is None:
        return [([None] * nd, dt)]
    a = int(a)
    if not -nd <= a < nd:
        raise ValueError(f"ConcatOp : Expected concatenating dimensions in the range [{-nd}, {nd}), but got {a}")
    a %= nd
    out = None
    total = 0
    for v in values:
        if v.shape.ndims is None:
            total = None
            continue
        dims = v.shape.as_list()
        total = None if total is None or dims[a] is None else total + dims[a]
        rest = dims[:a] + dims[a + 1:]
        if out is None:
            out = rest
            continue
        for k, (x, y) in enumerate(zip(out, rest)):
            if x is not None and y is not None and x != y:
                raise ValueError(f"Dimension {k} in both shapes must be equal, but are {x} and {y}. Shapes are "
                                 f"{_fmt(out)} and {_fmt(rest)}.")
            out[k] = x if x is not None else y
    return [(out[:a] + [total] + out[a:], dt)]


def _concat_grad(op, grad):
    *values, axis_t = op.inputs
    a = constant_value(axis_t)
    if a is not None:
        sizes = [v.shape[int(a)].value if v.shape.ndims is not None else None for v in values]
        if None not in sizes:
            return split(grad, sizes, axis=axis_t) + [None]
    sizes_t = stack([gather(shape(v), axis_t) for v in values])
    return list(_split_v(grad, sizes_t, axis_t, len(values), "split")) + [None]


@register("ConcatV2", shape=_concat_shape, grad=_concat_grad)
def _concat_kernel(ctx, *args, N=None):
    *values, axis = args
    return ctx.xp.concatenate(values, axis=int(axis))


def _looks_like_axis(x) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, np.integer)):
        return True
    return isinstance(x, Tensor) and x.dtype.base_dtype.is_integer and x.shape.ndims == 0


def concat(values, axis, name="concat") -> Tensor:
    """Joins `values` along `axis` (op `ConcatV2`, name scope `concat`).

    The pre-1.0 order `tf.concat(axis, values)` is accepted with a warning
    (lenient, API.md §19); strict mode raises TF 1.15's error instead.
    """
    if _looks_like_axis(values) and isinstance(axis, (list, tuple)):
        lenient("concat_old_order", "tf.concat(axis, values) is the pre-1.0 argument order; use "
                "tf.concat(values, axis).",
                TypeError(f"Expected int32 passed to parameter 'axis' of op 'ConcatV2', got {axis!r} of type "
                          f"'{type(axis).__name__}' instead."))
        values, axis = axis, values
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with _graph.name_scope(name) as scope:
            a = convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32) if not _is_tensorlike(axis) \
                else convert_to_tensor(axis)
            if a.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {a.shape.ndims} (concat axis)")
            from .control_flow_ops import identity

            return identity(values[0], name=scope)
    specs = [(v, f"values_{i}", None, None) for i, v in enumerate(values)] + [(axis, "axis", None, dtypes.int32)]
    return build_op("ConcatV2", "concat", name, specs, {"N": len(values)})


def _split_shape(inputs, attrs):
    dim_t, value = inputs
    num = attrs["num_split"]
    check_dtype(dim_t, ("int32",), "split_dim")
    dt = value.dtype.base_dtype
    if value.shape.ndims is None:
        return [(TensorShape(None), dt)] * num
    dims = value.shape.as_list()
    a = constant_value(dim_t)
    if a is None:
        return [([None] * len(dims), dt)] * num
    a = int(a)
    if not -len(dims) <= a < len(dims):
        raise ValueError(f"Dimension {a} must be in the range [{-len(dims)}, {len(dims)})")
    a %= len(dims)
    if dims[a] is not None:
        if dims[a] % num:
            raise ValueError(f"Dimension size must be evenly divisible by {num} but is {dims[a]}")
        dims[a] //= num
    return [(dims, dt)] * num


@register("Split", shape=_split_shape,
          grad=lambda op, *gs: [None, concat(list(gs), op.inputs[0])])
def _split_kernel(ctx, dim, value, num_split):
    a = int(dim)
    n = value.shape[a]
    if n % num_split:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Number of ways to split should evenly divide the split dimension, but got split_dim {a} "
                          f"(size = {n}) and num_split {num_split}")
    parts = tuple(ctx.xp.split(value, num_split, axis=a))
    return parts[0] if num_split == 1 else parts


def _split_v_shape(inputs, attrs):
    value, sizes_t, dim_t = inputs
    num = attrs["num_split"]
    dt = value.dtype.base_dtype
    sizes = constant_value(sizes_t)
    a = constant_value(dim_t)
    if value.shape.ndims is None or a is None:
        return [(TensorShape(None) if value.shape.ndims is None else [None] * value.shape.ndims, dt)] * num
    dims = value.shape.as_list()
    a = int(a)
    if not -len(dims) <= a < len(dims):
        raise ValueError(f"Dimension {a} must be in the range [{-len(dims)}, {len(dims)})")
    a %= len(dims)
    if sizes is None:
        return [(dims[:a] + [None] + dims[a + 1:], dt)] * num
    sizes = [int(s) for s in np.asarray(sizes).reshape(-1)]
    if len(sizes) != num:
        raise ValueError(f"Expected {num} split sizes, got {len(sizes)}")
    if sizes.count(-1) > 1:
        raise ValueError(f"Only one dimension in size_splits can be -1, got {sizes}")
    if dims[a] is not None:
        known = builtins.sum(s for s in sizes if s != -1)
        if -1 in sizes:
            if known > dims[a]:
                raise ValueError(f"The specified sizes {sizes} add up to more than dimension {a} ({dims[a]})")
            sizes = [dims[a] - known if s == -1 else s for s in sizes]
        elif known != dims[a]:
            raise ValueError(f"Determined shape must either match input shape along split_dim exactly if fully "
                             f"specified, or be less than the size of the input along split_dim if not fully "
                             f"specified.  Got: {known} vs {dims[a]} (sizes {sizes})")
    return [(dims[:a] + [None if s == -1 else s] + dims[a + 1:], dt) for s in sizes]


@register("SplitV", shape=_split_v_shape,
          grad=lambda op, *gs: [concat(list(gs), op.inputs[2]), None, None])
def _split_v_kernel(ctx, value, sizes, dim, num_split):
    a = int(dim)
    sz = sizes.tolist()
    n = value.shape[a]
    if -1 in sz:
        sz[sz.index(-1)] = n - (builtins.sum(sz) + 1)
    if builtins.sum(sz) != n or builtins.any(s < 0 for s in sz):
        raise errors.InvalidArgumentError(None, ctx.op, f"Determined shape must either match input shape along "
                                                        f"split_dim exactly: got sizes {sizes.tolist()} for a "
                                                        f"dimension of size {n}")
    parts = tuple(ctx.xp.split(value, np.cumsum(sz)[:-1].tolist(), axis=a))
    return parts[0] if num_split == 1 else parts


def _split_v(value, sizes, axis, num, name):
    out = build_op("SplitV", "SplitV", name, [(value, "value", None, None), (sizes, "size_splits", None, None),
                                              (axis, "split_dim", None, dtypes.int32)], {"num_split": int(num)})
    return list(out) if isinstance(out, tuple) else [out]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis`: an int splits evenly (it must divide the size); a list gives the sizes,
    one of which may be −1. Returns a list of tensors.

    The pre-1.0 order `tf.split(split_dim, num_split, value)` is accepted with a
    warning (lenient, API.md §19).
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and (
            _is_tensorlike(axis) or isinstance(axis, (np.ndarray, list))):
        lenient("split_old_order", "tf.split(split_dim, num_split, value) is the pre-1.0 argument order; use "
                "tf.split(value, num_or_size_splits, axis).",
                ValueError(f"Cannot split a scalar value {value!r}: tf.split(value, num_or_size_splits, axis)"))
        value, num_or_size_splits, axis = axis, num_or_size_splits, value
    if isinstance(num_or_size_splits, (int, np.integer, Dimension)) and not isinstance(num_or_size_splits, bool):
        n = int(Dimension(num_or_size_splits).value) if isinstance(num_or_size_splits, Dimension) \
            else int(num_or_size_splits)
        out = build_op("Split", name, None, [(axis, "split_dim", None, dtypes.int32), (value, "value", None, None)],
                       {"num_split": n})
        return list(out) if isinstance(out, tuple) else [out]
    size_splits = convert_to_tensor(num_or_size_splits)
    if size_splits.shape.ndims == 0:
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument to split. Argument "
                         f"provided: {num_or_size_splits}")
    if num is None:
        num = size_splits.shape[0].value if size_splits.shape.ndims == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer num from shape {num_or_size_splits}")
    return _split_v(value, size_splits, axis, num, name)


# -- transpose / expand_dims / squeeze ---------------------------------------------------------------------


def _transpose_shape(inputs, attrs):
    x, perm_t = inputs
    check_dtype(perm_t, ("int32", "int64"), "perm")
    perm = constant_value(perm_t)
    if perm is None:
        n = perm_t.shape[0].value if perm_t.shape.ndims == 1 else x.shape.ndims
        return [(TensorShape(None if n is None else [None] * n), x.dtype.base_dtype)]
    perm = [int(p) for p in np.asarray(perm).reshape(-1)]
    if x.shape.ndims is None:
        return [([None] * len(perm), x.dtype.base_dtype)]
    nd = x.shape.ndims
    if len(perm) != nd:
        raise ValueError(f"Dimension must be {nd} but is {len(perm)} (perm {perm} for a rank-{nd} tensor)")
    if sorted(p % builtins.max(nd, 1) for p in perm) != list(builtins.range(nd)) or builtins.any(
            not -nd <= p < nd for p in perm):
        raise ValueError(f"perm {perm} is not a permutation of 0..{nd - 1}")
    dims = x.shape.as_list()
    return [([dims[p] for p in perm], x.dtype.base_dtype)]


def _transpose_grad(op, grad):
    perm = constant_value(op.inputs[1])
    if perm is not None:
        inv = np.argsort(np.asarray(perm).reshape(-1) % builtins.max(len(np.asarray(perm).reshape(-1)), 1))
        return [transpose(grad, inv.astype(np.int32)), None]
    return [transpose(grad, invert_permutation(op.inputs[1])), None]


@register("Transpose", shape=_transpose_shape, grad=_transpose_grad)
def _transpose_kernel(ctx, x, perm):
    return ctx.xp.transpose(x, tuple(perm.tolist()))


def transpose(a, perm=None, name="transpose", conjugate=False) -> Tensor:
    """Permutes the axes of `a`; with no `perm`, reverses all of them (name scope `transpose`)."""
    with _graph.name_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            nd = a.shape.ndims
            if nd is None:
                from .math_ops import range as _range

                r = rank(a)
                perm = (r - 1) - _range(0, r, 1)
            else:
                perm = np.arange(nd - 1, -1, -1, dtype=np.int32)
        if not _is_tensorlike(perm):
            perm = constant(np.asarray(perm, dtype=np.int32) if not isinstance(perm, np.ndarray) else perm,
                            name="perm")
        return apply("Transpose", [a, convert_to_tensor(perm)], {}, scope)


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Swaps the last two axes of `a` (rank ≥ 2, known rank)."""
    with _graph.name_scope(name, "matrix_transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        nd = a.shape.ndims
        if nd is None:
            raise ValueError("matrix_transpose needs a tensor of known rank")
        if nd < 2:
            raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: {a.shape}")
        perm = list(builtins.range(nd - 2)) + [nd - 1, nd - 2]
        return transpose(a, perm, name=scope)


def _expand_dims_shape(inputs, attrs):
    x, dim_t = inputs
    check_dtype(dim_t, ("int32", "int64"), "dim")
    d = constant_value(dim_t)
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    nd = x.shape.ndims
    if d is None:
        return [([None] * (nd + 1), x.dtype.base_dtype)]
    d = np.asarray(d).reshape(-1)
    if d.size != 1:
        raise ValueError(f"'dim' input must be a tensor with a single value, got {d.tolist()}")
    d = int(d[0])
    if not -(nd + 1) <= d <= nd:
        raise ValueError(f"dim {d} not in the interval [{-(nd + 1)}, {nd}].")
    d %= nd + 1
    dims = x.shape.as_list()
    return [(dims[:d] + [1] + dims[d:], x.dtype.base_dtype)]


@register("ExpandDims", shape=_expand_dims_shape, grad=lambda op, g: [reshape(g, _dims_of(op.inputs[0])), None])
def _expand_dims_kernel(ctx, x, dim):
    given = int(dim.reshape(-1)[0])
    shape = x.shape
    axis = given + len(shape) + 1 if given < 0 else given
    if not 0 <= axis <= len(shape):
        raise ValueError(f"Tried to expand dim index {given} for tensor with {len(shape)} dimensions.")
    return x.reshape(shape[:axis] + (1,) + shape[axis:])


def expand_dims(input, axis=None, name=None, dim=None) -> Tensor:  # noqa: A002
    """Inserts a dimension of size 1 at `axis` (in [−(rank+1), rank]); `dim` is the old spelling."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return build_op("ExpandDims", "ExpandDims", name, [(input, "input", None, None), (axis, "dim", None, dtypes.int32)])


def _squeeze_shape(inputs, attrs):
    x = inputs[0]
    axes = attrs["squeeze_dims"]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    dims = x.shape.as_list()
    nd = len(dims)
    if axes:
        norm = set()
        for a in axes:
            if not -nd <= a < nd:
                raise ValueError(f"Tried to squeeze dim index {a} for tensor with {nd} dimensions.")
            a %= nd
            if dims[a] is not None and dims[a] != 1:
                raise ValueError(f"Can not squeeze dim[{a}], expected a dimension of 1, got {dims[a]}")
            norm.add(a)
        return [([d for i, d in enumerate(dims) if i not in norm], x.dtype.base_dtype)]
    if None in dims:
        return [(TensorShape(None), x.dtype.base_dtype)]
    return [([d for d in dims if d != 1], x.dtype.base_dtype)]


@register("Squeeze", shape=_squeeze_shape, grad=lambda op, g: [reshape(g, _dims_of(op.inputs[0]))])
def _squeeze_kernel(ctx, x, squeeze_dims):
    try:
        return ctx.xp.squeeze(x, axis=squeeze_dims) if squeeze_dims else ctx.xp.squeeze(x)
    except ValueError:
        raise errors.InvalidArgumentError(None, ctx.op, f"Can not squeeze dims {list(squeeze_dims)}, expected "
                                                        f"dimensions of 1, got shape {list(x.shape)}") from None


def squeeze(input, axis=None, name=None, squeeze_dims=None) -> Tensor:  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`; squeezing a non-1 axis is an error)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        axis = squeeze_dims
    if axis is None:
        axis = []
    elif np.isscalar(axis):
        axis = [axis]
    axis = tuple(int(a) for a in axis)
    return build_op("Squeeze", "Squeeze", name, [(input, "input", None, None)], {"squeeze_dims": axis})


# -- tile / pad / reverse -----------------------------------------------------------------------------------


def _tile_shape(inputs, attrs):
    x, m_t = inputs
    check_dtype(m_t, ("int32", "int64"), "multiples")
    m = constant_value(m_t)
    if x.shape.ndims is None:
        return [(TensorShape(None) if m is None else [None] * np.asarray(m).size, x.dtype.base_dtype)]
    nd = x.shape.ndims
    if m_t.shape.ndims == 1 and m_t.shape[0].value not in (None, nd):
        raise ValueError(f"Shape must be rank {nd} but is rank {m_t.shape[0].value}: multiples must have one entry "
                         f"per dimension of the input")
    if m is None:
        return [([None] * nd, x.dtype.base_dtype)]
    m = [int(v) for v in np.asarray(m).reshape(-1)]
    return [([None if d is None else d * k for d, k in zip(x.shape.as_list(), m)], x.dtype.base_dtype)]


def _tile_grad(op, grad):
    """Reshapes the gradient to [m0, d0, m1, d1, …] and sums over the multiples axes."""
    from .math_ops import range as _range
    from .reduction_ops import reduce_sum

    x, m_t = op.inputs
    m = constant_value(m_t)
    if m is not None and x.shape.is_fully_defined():
        split_shape = [v for pair in zip(np.asarray(m).reshape(-1).tolist(), x.shape.as_list()) for v in pair]
        axes = list(builtins.range(0, len(split_shape), 2))
        return [reduce_sum(reshape(grad, split_shape), axes), None]
    split_shape = reshape(transpose(stack([m_t, shape(x)])), [-1])
    axes = _range(0, size(split_shape), 2)
    g = reduce_sum(reshape(grad, split_shape), axes)
    g.set_shape(x.shape)
    return [g, None]


@register("Tile", shape=_tile_shape, grad=_tile_grad)
def _tile_kernel(ctx, x, multiples):
    return ctx.xp.tile(x, tuple(multiples.tolist()))


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats `input` multiples[i] times along axis i."""
    return build_op("Tile", "Tile", name, [(input, "input", None, None), (multiples, "multiples", None, dtypes.int32)])


def _paddings_value(p_t, nd, op_name):
    p = constant_value(p_t)
    if p_t.shape.ndims not in (None, 2) or (p_t.shape.ndims == 2 and p_t.shape[1].value not in (None, 2)):
        raise ValueError(f"paddings must be a matrix with 2 columns, got shape {p_t.shape}")
    if nd is not None and p_t.shape.ndims == 2 and p_t.shape[0].value not in (None, nd):
        raise ValueError(f"The first dimension of paddings must be the rank of inputs ({nd}), got {p_t.shape} "
                         f"({op_name})")
    if p is None:
        return None
    p = np.asarray(p).reshape(-1, 2)
    if (p < 0).any():
        raise ValueError(f"Paddings must be non-negative, got {p.tolist()}")
    return p.tolist()


def _pad_shape(inputs, attrs):
    x, p_t = inputs[0], inputs[1]
    check_dtype(p_t, ("int32", "int64"), "paddings")
    if len(inputs) == 3:
        if inputs[2].dtype.base_dtype != x.dtype.base_dtype:
            raise TypeError(f"Input 'constant_values' of 'PadV2' Op has type {inputs[2].dtype.base_dtype.name} that "
                            f"does not match type {x.dtype.base_dtype.name} of argument 'input'.")
        if inputs[2].shape.ndims not in (None, 0):
            raise ValueError("constant_values must be a scalar")
    nd = x.shape.ndims
    p = _paddings_value(p_t, nd, "Pad")
    mode = attrs.get("mode")
    if nd is None:
        return [(TensorShape(None) if p is None else [None] * len(p), x.dtype.base_dtype)]
    if p is None:
        return [([None] * nd, x.dtype.base_dtype)]
    dims = x.shape.as_list()
    if mode is not None:
        off = 0 if mode == "SYMMETRIC" else 1
        for d, (b, a) in zip(dims, p):
            if d is not None and (b > d - off or a > d - off):
                raise ValueError(f"paddings must be less than{' or equal to' if off == 0 else ''} the dimension size: "
                                 f"{b}, {a} greater than {d - off} ({mode} mode)")
    return [([None if d is None else d + b + a for d, (b, a) in zip(dims, p)], x.dtype.base_dtype)]


def _pad_grad(op, grad):
    """Slices the un-padded part out of the gradient."""
    x, p_t = op.inputs[0], op.inputs[1]
    p = constant_value(p_t)
    if p is not None and x.shape.is_fully_defined():
        begin = np.asarray(p).reshape(-1, 2)[:, 0].astype(np.int32)
        g = slice(grad, begin, x.shape.as_list())
    else:
        from .math_ops import cast

        begin = cast(strided_slice(p_t, [0, 0], [0, 1], [1, 1], begin_mask=1, end_mask=1), dtypes.int32)
        g = slice(grad, reshape(begin, [-1]), shape(x))
    return [g, None] + ([None] if len(op.inputs) == 3 else [])


def _np_pads(paddings):
    return [tuple(r) for r in paddings.tolist()]


@register("Pad", shape=_pad_shape, grad=_pad_grad)
def _pad_kernel(ctx, x, paddings):
    return ctx.xp.pad(x, _np_pads(paddings))


@register("PadV2", shape=_pad_shape, grad=_pad_grad)
def _pad_v2_kernel(ctx, x, paddings, constant_values):
    return ctx.xp.pad(x, _np_pads(paddings), constant_values=constant_values.item())


def _mirror_pad_grad(op, grad):
    return [mirror_pad_grad(grad, op.inputs[1], op.get_attr("mode")), None]


@register("MirrorPad", shape=_pad_shape, grad=_mirror_pad_grad)
def _mirror_pad_kernel(ctx, x, paddings, mode):
    return ctx.xp.pad(x, _np_pads(paddings), mode="reflect" if mode == "REFLECT" else "symmetric")


def _mirror_pad_grad_shape(inputs, attrs):
    g, p_t = inputs
    p = _paddings_value(p_t, g.shape.ndims, "MirrorPadGrad")
    if g.shape.ndims is None or p is None:
        return [(TensorShape(None) if g.shape.ndims is None else [None] * g.shape.ndims, g.dtype.base_dtype)]
    return [([None if d is None else d - b - a for d, (b, a) in zip(g.shape.as_list(), p)], g.dtype.base_dtype)]


@register("MirrorPadGrad", shape=_mirror_pad_grad_shape,
          grad=lambda op, g: [pad(g, op.inputs[1], mode=op.get_attr("mode")), None])
def _mirror_pad_grad_kernel(ctx, g, paddings, mode):
    """Folds the mirrored borders back onto the positions they were copied from, one axis at a time."""
    xp = ctx.xp
    off = 1 if mode == "REFLECT" else 0
    for axis, (b, a) in enumerate(paddings.tolist()):
        n = g.shape[axis] - b - a
        core = xp.take(g, xp.arange(b, b + n), axis=axis)
        if b:
            left = xp.flip(xp.take(g, xp.arange(0, b), axis=axis), axis)
            core = core + _place(xp, left, n, off, axis)
        if a:
            right = xp.take(g, xp.arange(b + n, b + n + a), axis=axis)
            core = core + xp.flip(_place(xp, right, n, off, axis), axis)
        g = core
    return g


def _place(xp, part, n, off, axis):
    """`part` (length k along axis) added at positions off..off+k of a zero array of length n."""
    k = part.shape[axis]
    widths = [(0, 0)] * part.ndim
    widths[axis] = (off, n - off - k)
    return xp.pad(part, widths)


def mirror_pad_grad(grad, paddings, mode, name=None) -> Tensor:
    """The gradient of MirrorPad: border values are summed back onto the entries they mirrored."""
    return apply("MirrorPadGrad", [grad, convert_to_tensor(paddings)], {"mode": mode}, name or "MirrorPadGrad")


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) -> Tensor:
    """Pads each axis i with paddings[i] = [before, after]; mode CONSTANT, REFLECT or SYMMETRIC
    (case-insensitive). REFLECT needs padding < size, SYMMETRIC padding <= size."""
    mode = str(mode).upper()
    if mode == "CONSTANT":
        if not _is_tensorlike(constant_values) and constant_values == 0:
            return build_op("Pad", "Pad", name, [(tensor, "input", None, None),
                                                 (paddings, "paddings", None, dtypes.int32)])
        return build_op("PadV2", "PadV2", name, [(tensor, "input", "T", None),
                                                 (paddings, "paddings", None, dtypes.int32),
                                                 (constant_values, "constant_values", "T", None)])
    if mode in ("REFLECT", "SYMMETRIC"):
        return build_op("MirrorPad", "MirrorPad", name, [(tensor, "input", None, None),
                                                         (paddings, "paddings", None, dtypes.int32)], {"mode": mode})
    raise ValueError(f"Unknown padding mode: {mode}")


def _reverse_shape(inputs, attrs):
    x, axis_t = inputs
    check_dtype(axis_t, ("int32", "int64"), "axis")
    a = constant_value(axis_t)
    if a is not None and x.shape.ndims is not None:
        nd = x.shape.ndims
        for v in np.asarray(a).reshape(-1).tolist():
            if not -nd <= v < nd:
                raise ValueError(f"'axis'[0] = {v} is out of valid range [{-nd}, {nd - 1}]")
    return [(x.shape, x.dtype.base_dtype)]


@register("ReverseV2", shape=_reverse_shape, grad=lambda op, g: [reverse(g, op.inputs[1]), None])
def _reverse_kernel(ctx, x, axis):
    ax = tuple(axis.reshape(-1).tolist())
    return ctx.xp.flip(x, ax) if ax else x


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses `tensor` along each axis in `axis` (op `ReverseV2`).

    The pre-1.0 form `tf.reverse(t, bool_mask)` (one bool per dimension) is
    accepted with a warning (lenient, API.md §19).
    """
    if isinstance(axis, (list, tuple, np.ndarray)) and len(axis) and builtins.all(
            isinstance(v, (bool, np.bool_)) for v in np.asarray(axis).reshape(-1).tolist()):
        lenient("reverse_bool_mask", "tf.reverse(tensor, [bool, ...]) is the pre-1.0 form; pass the axes to "
                "reverse instead, e.g. tf.reverse(t, [1]).",
                TypeError("Value passed to parameter 'axis' has DataType bool not in list of allowed values: "
                          "int32, int64"))
        axis = [i for i, b in enumerate(np.asarray(axis).reshape(-1).tolist()) if b]
    return build_op("ReverseV2", "ReverseV2", name, [(tensor, "tensor", None, None),
                                                     (axis, "axis", None, dtypes.int32)])


reverse_v2 = reverse


def _reverse_sequence_shape(inputs, attrs):
    x, lengths = inputs
    check_dtype(lengths, ("int32", "int64"), "seq_lengths")
    nd = x.shape.ndims
    if nd is not None:
        for k in ("seq_dim", "batch_dim"):
            if not 0 <= attrs[k] < nd:
                raise ValueError(f"{k} = {attrs[k]} is out of range for a rank-{nd} input")
        b = x.shape[attrs["batch_dim"]].value
        n = lengths.shape[0].value if lengths.shape.ndims == 1 else None
        if b is not None and n is not None and b != n:
            raise ValueError(f"Dimension {attrs['batch_dim']} of input ({b}) must match the length of seq_lengths "
                             f"({n})")
    return [(x.shape, x.dtype.base_dtype)]


@register("ReverseSequence", shape=_reverse_sequence_shape,
          grad=lambda op, g: [reverse_sequence(g, op.inputs[1], op.get_attr("seq_dim"), op.get_attr("batch_dim")),
                              None])
def _reverse_sequence_kernel(ctx, x, lengths, seq_dim, batch_dim):
    xp = ctx.xp
    t = x.shape[seq_dim]
    if lengths.size and (int(lengths.max()) > t or int(lengths.min()) < 0):
        raise errors.InvalidArgumentError(None, ctx.op, f"seq_lengths must be in [0, {t}], got "
                                                        f"{lengths.tolist()}")
    steps = xp.arange(t)
    ln = lengths.reshape(-1, 1).astype(steps.dtype)
    idx = xp.where(steps < ln, ln - 1 - steps, steps)  # [batch, time]
    shape_ = [1] * x.ndim
    shape_[batch_dim] = idx.shape[0]
    shape_[seq_dim] = t
    order = (batch_dim, seq_dim) if batch_dim < seq_dim else (seq_dim, batch_dim)
    idx = idx if order == (batch_dim, seq_dim) else idx.T
    return xp.take_along_axis(x, idx.reshape(shape_), axis=seq_dim)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,  # noqa: A002
                     batch_dim=None) -> Tensor:
    """Reverses the first seq_lengths[b] entries along `seq_axis` for each batch entry b."""
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = (batch_dim if batch_dim is not None else 0) if batch_axis is None else batch_axis
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    return build_op("ReverseSequence", "ReverseSequence", name,
                    [(input, "input", None, None), (seq_lengths, "seq_lengths", None, None)],
                    {"seq_dim": int(seq_axis), "batch_dim": int(batch_axis)})


# -- one_hot / sequence_mask / sparse_to_dense -------------------------------------------------------------


def _one_hot_shape(inputs, attrs):
    idx, depth_t, on, off = inputs
    check_dtype(idx, ("uint8", "int32", "int64"), "indices")
    check_dtype(depth_t, ("int32",), "depth")
    if on.dtype.base_dtype != off.dtype.base_dtype:
        raise TypeError(f"Input 'off_value' of 'OneHot' Op has type {off.dtype.base_dtype.name} that does not match "
                        f"type {on.dtype.base_dtype.name} of argument 'on_value'.")
    d = constant_value(depth_t)
    if d is not None and int(d) < 0:
        raise ValueError(f"depth must be non-negative, got: {int(d)}")
    depth = None if d is None else int(d)
    axis = attrs["axis"]
    if idx.shape.ndims is None:
        return [(TensorShape(None), on.dtype.base_dtype)]
    dims = idx.shape.as_list()
    if not -1 <= axis <= len(dims):
        raise ValueError(f"Expected axis to be -1 or between [0, {len(dims)}].  But received: {axis}")
    a = len(dims) if axis == -1 else axis
    return [(dims[:a] + [depth] + dims[a:], on.dtype.base_dtype)]


@register("OneHot", shape=_one_hot_shape, grad=NO_GRADIENT)
def _one_hot_kernel(ctx, indices, depth, on_value, off_value, axis=-1):
    xp = ctx.xp
    hot = indices[..., None] == xp.arange(int(depth))  # −1 and ≥ depth match nothing
    out = xp.where(hot, on_value, off_value)
    if axis not in (-1, indices.ndim):
        out = xp.moveaxis(out, -1, axis)
    return out


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """One-hot rows: `on_value` at each index, `off_value` elsewhere (float32 1/0 by default).

    An index of −1 or ≥ depth gives a row of `off_value` only. `axis` (default −1) is where the new
    dimension goes.
    """
    with _graph.name_scope(name, "one_hot", [indices, depth, on_value, off_value, axis, dtype]) as scope:
        on_dt = convert_to_tensor(on_value).dtype.base_dtype if on_value is not None else None
        off_dt = convert_to_tensor(off_value).dtype.base_dtype if off_value is not None else None
        dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        if on_value is not None or off_value is not None:
            if dtype is not None:
                if on_value is not None and on_dt != dtype:
                    raise TypeError(f"dtype {on_dt} of on_value does not match dtype parameter {dtype}")
                if off_value is not None and off_dt != dtype:
                    raise TypeError(f"dtype {off_dt} of off_value does not match dtype parameter {dtype}")
            else:
                dtype = on_dt if on_value is not None else off_dt
        elif dtype is None:
            dtype = dtypes.float32
        on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype, name="on_value")
        off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype, name="off_value")
        if on.dtype.base_dtype != off.dtype.base_dtype:
            raise TypeError(f"dtype {on.dtype.base_dtype} of on_value does not match dtype {off.dtype.base_dtype} of "
                            f"off_value")
        idx = convert_to_tensor(indices, name="indices")
        depth_t = convert_to_tensor(depth, name="depth") if not _is_tensorlike(depth) else convert_to_tensor(depth)
        return apply("OneHot", [idx, depth_t, on, off], {"axis": -1 if axis is None else int(axis)}, scope)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool_, name=None) -> Tensor:
    """mask[i, j] = j < lengths[i], with `maxlen` columns (default max(lengths))."""
    from .math_ops import cast, maximum
    from .math_ops import range as _range
    from .reduction_ops import reduce_max

    with _graph.name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = reduce_max(lengths)
            maxlen = maximum(constant(0, maxlen.dtype.base_dtype), maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        mdt = maxlen.dtype.base_dtype
        row = _range(constant(0, mdt), maxlen, constant(1, mdt))
        matrix = cast(expand_dims(lengths, -1), mdt)
        result = row < matrix
        dtype = dtypes.as_dtype(dtype).base_dtype
        return result if dtype == dtypes.bool_ else cast(result, dtype)


def _sparse_to_dense_shape(inputs, attrs):
    idx, shape_t, values, default = inputs
    check_dtype(idx, ("int32", "int64"), "sparse_indices")
    if values.dtype.base_dtype != default.dtype.base_dtype:
        raise TypeError(f"Input 'default_value' of 'SparseToDense' Op has type {default.dtype.base_dtype.name} that "
                        f"does not match type {values.dtype.base_dtype.name} of argument 'sparse_values'.")
    dims = _static_dims(shape_t)
    return [(TensorShape(dims), values.dtype.base_dtype)]


def _sparse_to_dense_grad(op, grad):
    from .indexing_ops import gather_nd
    from .reduction_ops import reduce_sum

    idx, _, values, _ = op.inputs
    ind = idx if idx.shape.ndims == 2 else reshape(idx, [-1, 1])
    picked = gather_nd(grad, ind)
    g_values = reduce_sum(picked) if values.shape.ndims == 0 else picked
    return [None, None, g_values, reduce_sum(grad) - reduce_sum(picked)]


@register("SparseToDense", shape=_sparse_to_dense_shape, grad=_sparse_to_dense_grad)
def _sparse_to_dense_kernel(ctx, idx, out_shape, values, default, validate_indices=True):
    xp = ctx.xp
    shp = tuple(out_shape.reshape(-1).tolist())
    ind = idx.reshape(-1, 1) if idx.ndim < 2 else idx
    if ind.shape[1] != len(shp):
        raise errors.InvalidArgumentError(None, ctx.op, f"sparse_indices has {ind.shape[1]} columns but "
                                                        f"output_shape has rank {len(shp)}")
    bounds = xp.asarray(shp, dtype=ind.dtype)
    if ind.size and bool(((ind < 0) | (ind >= bounds)).any()):
        raise errors.InvalidArgumentError(None, ctx.op, f"sparse_indices out of bounds for output_shape {list(shp)}")
    lin = xp.ravel_multi_index(tuple(ind.T), shp)
    if validate_indices and lin.size > 1 and bool((lin[1:] <= lin[:-1]).any()):
        raise errors.InvalidArgumentError(None, ctx.op, "sparse_indices are repeated or not in lexicographic order")
    out = xp.full(shp, default, dtype=values.dtype)
    out.reshape(-1)[lin] = values
    return out


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                    name=None) -> Tensor:
    """A dense tensor of `output_shape` holding `sparse_values` at `sparse_indices` and `default_value`
    elsewhere (indices sorted and unique when `validate_indices`)."""
    return build_op("SparseToDense", "SparseToDense", name,
                    [(sparse_indices, "sparse_indices", None, None), (output_shape, "output_shape", None, None),
                     (sparse_values, "sparse_values", "T", None), (default_value, "default_value", "T", None)],
                    {"validate_indices": bool(validate_indices)})


# -- unique / setdiff1d / invert_permutation / meshgrid ------------------------------------------------------

UniqueOutput = collections.namedtuple("Unique", ["y", "idx"])
ListDiffOutput = collections.namedtuple("ListDiff", ["out", "idx"])


def _unique_shape(inputs, attrs):
    x = inputs[0]
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"unique expects a 1D vector, got shape {x.shape}")
    return [((None,), x.dtype.base_dtype), (x.shape, attrs["out_idx"])]


@register("Unique", shape=_unique_shape, grad=NO_GRADIENT)
def _unique_kernel(ctx, x, out_idx):
    xp = ctx.xp
    u, first, inv = xp.unique(x, return_index=True, return_inverse=True)
    order = xp.argsort(first)  # TF keeps the order of first occurrence
    rank_ = xp.empty_like(order)
    rank_[order] = xp.arange(order.shape[0])
    return u[order], rank_[inv.reshape(-1)].astype(out_idx.as_numpy_dtype)


def unique(x, out_idx=dtypes.int32, name=None):
    """(y, idx): the distinct values of 1-D `x` in order of first occurrence, and x = y[idx]."""
    out = build_op("Unique", "Unique", name, [(x, "x", None, None)],
                   {"out_idx": dtypes.as_dtype(out_idx).base_dtype})
    return UniqueOutput(*out)


def _list_diff_shape(inputs, attrs):
    x, y = inputs
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(f"Input 'y' of 'ListDiff' Op has type {y.dtype.base_dtype.name} that does not match type "
                        f"{x.dtype.base_dtype.name} of argument 'x'.")
    for t, n in ((x, "x"), (y, "y")):
        if t.shape.ndims not in (None, 1):
            raise ValueError(f"{n} should be a 1D vector, got shape {t.shape}")
    return [((None,), x.dtype.base_dtype), ((None,), attrs["out_idx"])]


@register("ListDiff", shape=_list_diff_shape, grad=NO_GRADIENT)
def _list_diff_kernel(ctx, x, y, out_idx):
    xp = ctx.xp
    keep = ~xp.isin(x, y)
    return x[keep], xp.nonzero(keep)[0].astype(out_idx.as_numpy_dtype)


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """(out, idx): the elements of 1-D x that are not in y (order and duplicates kept), and their positions."""
    out = build_op("ListDiff", "ListDiff", name, [(x, "x", "T", None), (y, "y", "T", None)],
                   {"out_idx": dtypes.as_dtype(index_dtype).base_dtype})
    return ListDiffOutput(*out)


def _invert_permutation_shape(inputs, attrs):
    x = inputs[0]
    check_dtype(x, ("int32", "int64"))
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"invert_permutation expects a 1D vector, got shape {x.shape}")
    return [(x.shape, x.dtype.base_dtype)]


def _invert_permutation_const(op):
    v = constant_value(op.inputs[0])
    return None if v is None else np.argsort(np.asarray(v)).astype(np.asarray(v).dtype)


@register("InvertPermutation", shape=_invert_permutation_shape, grad=NO_GRADIENT,
          const_value=_invert_permutation_const)
def _invert_permutation_kernel(ctx, x):
    xp = ctx.xp
    n = x.shape[0]
    if n and not bool((xp.sort(x) == xp.arange(n, dtype=x.dtype)).all()):
        raise errors.InvalidArgumentError(None, ctx.op, f"{x.tolist()} is not a permutation of 0..{n - 1}")
    out = xp.empty_like(x)
    out[x] = xp.arange(n, dtype=x.dtype)
    return out


def invert_permutation(x, name=None) -> Tensor:
    """y with y[x[i]] = i for a permutation x of 0..n−1."""
    return build_op("InvertPermutation", "InvertPermutation", name, [(x, "x", None, None)])


def meshgrid(*args, **kwargs):
    """N-D coordinate grids from 1-D vectors; indexing 'xy' (default, Cartesian) or 'ij' (matrix)."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"Invalid keywords to meshgrid: {', '.join(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with _graph.name_scope(name, "meshgrid", list(args)):
        ndim = len(args)
        s0 = (1,) * ndim
        output = [reshape(stack(x), s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(args)]
        shapes = [size(x) for x in args]
        out_dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult = ones(shapes, out_dtype)
        return [x * mult for x in output]


# -- stop_gradient ----------------------------------------------------------------------------------------


@register("StopGradient", shape=lambda i, a: [(i[0].shape, i[0].dtype.base_dtype)], grad=NO_GRADIENT)
def _stop_gradient_kernel(ctx, x):
    return x


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Identity in the forward pass; blocks the gradient (tf.gradients sees None through it)."""
    return build_op("StopGradient", "StopGradient", name, [(input, "input", None, None)])


# Diagonal ops (linalg_ops) and indexing ops (slicing, gather/scatter, where, boolean_mask) are TF1 array ops too.
from .linalg_ops import diag, diag_part, matrix_diag, matrix_diag_part, matrix_set_diag  # noqa: E402,F401
from .indexing_ops import *  # noqa: E402,F401,F403
from .indexing_ops import _slice_helper, gather, slice, strided_slice, where, where_v2  # noqa: E402,F401
