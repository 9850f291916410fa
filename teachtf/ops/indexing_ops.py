"""Indexing ops (API.md §8, §9): tensor slicing `t[...]` (StridedSlice), slice, gather, gather_nd,
scatter_nd, boolean_mask and where, with their gradients.

`t[...]` follows TF1: integers (negative ones count from the end), slices with
steps, `...`, `None`/tf.newaxis and scalar int32/int64 tensors. Index lists
and boolean masks are not indices (TypeError): use tf.gather / tf.boolean_mask.
Out-of-range indices raise ValueError at build time when the static shape
proves it, InvalidArgumentError at run time otherwise.
"""

from __future__ import annotations

import builtins
import sys

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import Dimension, TensorShape, as_shape, broadcast_static
from .constant_op import constant, constant_value, convert_to_tensor
from .math_ops import build_op, check_dtype, unbroadcast
from .registry import NO_GRADIENT, apply, register

__all__ = ["slice", "strided_slice", "gather", "gather_nd", "scatter_nd", "boolean_mask", "where", "where_v2",
           "select", "newaxis"]

newaxis = None
_INDEX_TYPES = ("int32", "int64")
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _is_tensorlike(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _fmt(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


# -- strided slices -------------------------------------------------------------------------------------------


class _Unknown:
    """A begin/end/stride entry whose value is only known at run time."""

    def __repr__(self):
        return "?"


_UNKNOWN = _Unknown()


def _slice_key(n, begin, end, strides, masks):
    """The NumPy index equivalent to a TF strided-slice spec of `n` entries (entries may be _UNKNOWN)."""
    bm, em, elm, nam, sam = (masks[k] for k in _MASKS)
    key = []
    for i in builtins.range(n):
        bit = 1 << i
        if elm & bit:
            key.append(Ellipsis)
        elif nam & bit:
            key.append(None)
        elif sam & bit:
            key.append(begin[i])
        else:
            key.append(builtins.slice(None if bm & bit else begin[i], None if em & bit else end[i], strides[i]))
    return tuple(key)


def _sliced_dims(dims, key):
    """Output dims of dims[key] (None for unknown), raising ValueError for provably bad indices."""
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    if dims is None:
        return None
    if n_real > len(dims):
        raise ValueError(f"Index out of range using input dim {len(dims)}; input has only {len(dims)} dims")
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (builtins.slice(None),) * (len(dims) - n_real) + key[i + 1:]
    else:
        key = key + (builtins.slice(None),) * (len(dims) - n_real)
    out = []
    axis = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        d = dims[axis]
        if isinstance(k, builtins.slice):
            if k.step is not _UNKNOWN and k.step == 0:
                raise ValueError(f"strides[{axis}] must be non-zero")
            if d is None or _UNKNOWN in (k.start, k.stop, k.step):
                full = k.start is None and k.stop is None and k.step in (None, 1)
                out.append(d if full else None)
            else:
                out.append(len(builtins.range(*k.indices(d))))
        elif k is not _UNKNOWN and d is not None and not -d <= k < d:
            raise ValueError(f"slice index {k} of dimension {axis} out of bounds.")
        axis += 1
    return out


def _spec_values(t, n):
    v = constant_value(t)
    if v is None:
        return [_UNKNOWN] * n
    return [int(x) for x in np.asarray(v).reshape(-1)]


def _spec_len(inputs):
    for t in inputs:
        if t.shape.ndims == 1 and t.shape[0].value is not None:
            return t.shape[0].value
    return None


def _strided_slice_shape(inputs, attrs):
    x, b, e, s = inputs
    for t, n in ((b, "begin"), (e, "end"), (s, "strides")):
        check_dtype(t, _INDEX_TYPES, n)
    if not (b.dtype.base_dtype == e.dtype.base_dtype == s.dtype.base_dtype):
        raise TypeError("begin, end and strides of a strided slice must all be int32 or all int64")
    dt = x.dtype.base_dtype
    n = _spec_len([b, e, s])
    if n is None or x.shape.ndims is None:
        return [(TensorShape(None), dt)]
    key = attrs.get("_key") or _slice_key(n, _spec_values(b, n), _spec_values(e, n), _spec_values(s, n), attrs)
    return [(TensorShape(_sliced_dims(x.shape.as_list(), key)), dt)]


def _strided_slice_grad(op, grad):
    x, b, e, s = op.inputs
    masks = {k: op.get_attr(k) for k in _MASKS}
    from .array_ops import shape

    x_shape = constant(np.asarray(x.shape.as_list(), np.int32)) if x.shape.is_fully_defined() else shape(x)
    g = apply("StridedSliceGrad", [x_shape, b, e, s, grad], dict(masks, _key=op.get_attr("_key")),
              "StridedSliceGrad")
    return [g, None, None, None]


def _runtime_key(n_begin, begin, end, strides, attrs):
    return _slice_key(n_begin, begin.tolist(), end.tolist(), strides.tolist(), attrs)


@register("StridedSlice", shape=_strided_slice_shape, grad=_strided_slice_grad)
def _strided_slice_kernel(ctx, x, begin, end, strides, **masks):
    # `_key`: the NumPy index precomputed at build time for constant specs (a hidden attr).
    key = ctx.op._attrs["_key"]
    if key is None:
        key = _runtime_key(begin.shape[0], begin, end, strides, masks)
    try:
        return x[key]
    except IndexError as exc:
        raise errors.InvalidArgumentError(None, ctx.op, f"slice index out of bounds: {exc} (input shape "
                                                        f"{list(x.shape)})") from None


def _ssg_shape(inputs, attrs):
    sh, b, e, s, dy = inputs
    v = constant_value(sh)
    if v is not None:
        return [([int(d) for d in np.asarray(v).reshape(-1)], dy.dtype.base_dtype)]
    n = sh.shape[0].value if sh.shape.ndims == 1 else None
    return [(TensorShape(None if n is None else [None] * n), dy.dtype.base_dtype)]


def _ssg_grad(op, grad):
    _, b, e, s, _ = op.inputs
    masks = {k: op.get_attr(k) for k in _MASKS}
    return [None, None, None, None,
            apply("StridedSlice", [grad, b, e, s], dict(masks, _key=op.get_attr("_key")), "StridedSlice")]


@register("StridedSliceGrad", shape=_ssg_shape, grad=_ssg_grad)
def _strided_slice_grad_kernel(ctx, shape, begin, end, strides, dy, **masks):
    key = ctx.op._attrs["_key"]
    if key is None:
        key = _runtime_key(begin.shape[0], begin, end, strides, masks)
    out = ctx.xp.zeros(tuple(shape.tolist()), dtype=dy.dtype)
    out[key] = dy
    return out


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """input_[begin:end:strides] per dimension, with TF1's bit masks (bit i: ignore begin / end, an
    ellipsis, a new axis, or an index that removes the dimension)."""
    if strides is None:
        strides = [1] * (len(begin) if isinstance(begin, (list, tuple)) else 1)
    with _graph.name_scope(name, "StridedSlice", [input_, begin, end, strides]) as scope:
        x = convert_to_tensor(input_, name="input")
        b = convert_to_tensor(begin, name="begin")
        e = convert_to_tensor(end, name="end")
        s = convert_to_tensor(strides, name="strides")
        attrs = {"begin_mask": int(begin_mask), "end_mask": int(end_mask), "ellipsis_mask": int(ellipsis_mask),
                 "new_axis_mask": int(new_axis_mask), "shrink_axis_mask": int(shrink_axis_mask)}
        bv, ev, sv = constant_value(b), constant_value(e), constant_value(s)
        key = None
        if bv is not None and ev is not None and sv is not None:
            # Constant specs (the common `t[:, 0]`) are turned into a NumPy index once, here.
            bl, el, sl = (np.asarray(v).reshape(-1).tolist() for v in (bv, ev, sv))
            key = _slice_key(len(bl), bl, el, sl, attrs)
        attrs["_key"] = key
        return apply("StridedSlice", [x, b, e, s], attrs, scope)


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 "
                     "tensors are valid indices")


def _check_index(idx):
    if isinstance(idx, (int, np.integer, Dimension)):
        return
    dtype = getattr(idx, "dtype", None)
    ok = False
    if dtype is not None:
        try:
            ok = dtypes.as_dtype(dtype).base_dtype.name in _INDEX_TYPES
        except TypeError:
            ok = False
        shp = getattr(idx, "shape", None)
        if ok and shp is not None and as_shape(shp).ndims not in (None, 0):
            ok = False
    if not ok:
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {idx!r}. (To pick several entries use tf.gather; to select "
                        "with a boolean mask use tf.boolean_mask.)")


def _index_value(idx):
    return int(idx.value) if isinstance(idx, Dimension) else (int(idx) if isinstance(idx, np.integer) else idx)


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]` as a StridedSlice op named `strided_slice` (TF1's rules for each index kind)."""
    from .array_ops import stack
    from .math_ops import cast

    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, builtins.slice):
            if s.start is not None and (_is_tensorlike(s.start) or s.start != sys.maxsize):
                _check_index(s.start)
                begin.append(_index_value(s.start))
            else:
                begin.append(0)
                masks["begin_mask"] |= bit
            if s.stop is not None and (_is_tensorlike(s.stop) or s.stop != sys.maxsize):
                _check_index(s.stop)
                end.append(_index_value(s.stop))
            else:
                end.append(0)
                masks["end_mask"] |= bit
            if s.step is not None:
                _check_index(s.step)
                strides.append(_index_value(s.step))
            else:
                strides.append(1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask"] |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["new_axis_mask"] |= bit
        else:
            _check_index(s)
            s = _index_value(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
    values = [tensor] + [v for v in begin + end + strides if _is_tensorlike(v)]
    with _graph.name_scope(None, "strided_slice", values) as name:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            if builtins.any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                packed = [cast(p, dtypes.int64) for p in packed]
        else:
            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(tensor, *packed, var=var, name=name, **masks)


# -- slice ------------------------------------------------------------------------------------------------------


def _slice_shape(inputs, attrs):
    x, b_t, s_t = inputs
    check_dtype(b_t, _INDEX_TYPES, "begin")
    check_dtype(s_t, _INDEX_TYPES, "size")
    dt = x.dtype.base_dtype
    n = _spec_len([b_t, s_t])
    nd = x.shape.ndims
    if nd is not None and n is not None and n != nd:
        raise ValueError(f"Shape must be rank {nd} but is rank {n}: begin and size need one entry per dimension")
    if nd is None and n is None:
        return [(TensorShape(None), dt)]
    nd = nd if nd is not None else n
    b, s = constant_value(b_t), constant_value(s_t)
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * nd
    if s is None:
        return [([None] * nd, dt)]
    s = [int(v) for v in np.asarray(s).reshape(-1)]
    b = None if b is None else [int(v) for v in np.asarray(b).reshape(-1)]
    out = []
    for i, (d, sz) in enumerate(zip(dims, s)):
        bi = None if b is None else b[i]
        if bi is not None and d is not None and not 0 <= bi <= d:
            raise ValueError(f"Expected begin[{i}] in [0, {d}], but got {bi}")
        if sz == -1:
            out.append(None if d is None or bi is None else d - bi)
            continue
        if sz < -1 or (d is not None and bi is not None and bi + sz > d):
            raise ValueError(f"Expected size[{i}] in [0, {None if d is None or bi is None else d - bi}], but got "
                             f"{sz}")
        out.append(sz)
    return [(out, dt)]


def _slice_grad(op, grad):
    """Pads the gradient with zeros back to the input's shape."""
    from .array_ops import concat, pad, rank, reshape, shape, stack

    x, b_t, _ = op.inputs
    b = constant_value(b_t)
    if b is not None and x.shape.is_fully_defined() and op.outputs[0].shape.is_fully_defined():
        b = np.asarray(b).reshape(-1)
        after = np.asarray(x.shape.as_list()) - b - np.asarray(op.outputs[0].shape.as_list())
        return [pad(grad, np.stack([b, after], axis=1).astype(np.int32)), None, None]
    shp = stack([rank(x), 1])
    before = reshape(b_t, shp)
    after = reshape(shape(x, out_type=b_t.dtype.base_dtype) - shape(grad, out_type=b_t.dtype.base_dtype) - b_t, shp)
    return [pad(grad, concat([before, after], 1)), None, None]


@register("Slice", shape=_slice_shape, grad=_slice_grad)
def _slice_kernel(ctx, x, begin, size):
    key = []
    for i, (b, s, d) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
        if not 0 <= b <= d:
            raise errors.InvalidArgumentError(None, ctx.op, f"Expected begin[{i}] in [0, {d}], but got {b}")
        if s == -1:
            s = d - b
        elif not 0 <= s <= d - b:
            raise errors.InvalidArgumentError(None, ctx.op, f"Expected size[{i}] in [0, {d - b}], but got {s}")
        key.append(builtins.slice(b, b + s))
    return x[tuple(key)]


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 - TF1's name
    """The block of `input_` starting at `begin` with `size` (−1: to the end of that dimension)."""
    return build_op("Slice", "Slice", name, [(input_, "input", None, None), (begin, "begin", "Index", dtypes.int32),
                                             (size, "size", "Index", dtypes.int32)])


# -- gather / gather_nd / scatter_nd -------------------------------------------------------------------------


def _gather_shape(inputs, attrs):
    params, indices, axis_t = inputs
    check_dtype(indices, _INDEX_TYPES, "indices")
    check_dtype(axis_t, _INDEX_TYPES, "axis")
    dt = params.dtype.base_dtype
    a = constant_value(axis_t)
    if params.shape.ndims is None or indices.shape.ndims is None or a is None:
        return [(TensorShape(None), dt)]
    nd = params.shape.ndims
    a = int(a)
    if not -nd <= a < builtins.max(nd, 1) or nd == 0:
        raise ValueError(f"Shape must be at least rank {builtins.max(a + 1, 1)} but is rank {nd} (gather axis {a})")
    a %= nd
    dims = params.shape.as_list()
    return [(dims[:a] + indices.shape.as_list() + dims[a + 1:], dt)]


def _gather_grad(op, grad):
    """Scatter-adds the gradient rows back to the gathered positions (repeated indices add up)."""
    from .array_ops import concat, reshape, shape, transpose
    from .reduction_ops import unsorted_segment_sum

    params, indices, axis_t = op.inputs
    a = constant_value(axis_t)
    nd, ni = params.shape.ndims, indices.shape.ndims
    if a is None or nd is None or ni is None:
        raise LookupError(f"The gradient of gather '{op.name}' needs a constant axis and inputs of known rank.")
    a = int(a) % nd
    pdims = params.shape.as_list()
    other = [d for i, d in enumerate(pdims) if i != a]
    flat_ids = reshape(indices, [-1])
    gr = ni + nd - 1
    if a:
        grad = transpose(grad, list(builtins.range(a, a + ni)) + list(builtins.range(a)) +
                         list(builtins.range(a + ni, gr)))
    if None not in other:
        values = reshape(grad, [-1] + other)
    else:
        from .array_ops import gather as _gather

        keep = [i for i in builtins.range(nd) if i != a]
        values = reshape(grad, concat([[-1], _gather(shape(params), keep)], 0))
    n = pdims[a] if pdims[a] is not None else shape(params)[a]
    summed = unsorted_segment_sum(values, flat_ids, n)
    if a:
        summed = transpose(summed, list(builtins.range(1, a + 1)) + [0] + list(builtins.range(a + 1, nd)))
    return [summed, None, None]


@register("GatherV2", shape=_gather_shape, grad=_gather_grad)
def _gather_kernel(ctx, params, indices, axis, batch_dims=0):
    a = int(axis)
    n = params.shape[a]
    if indices.size:
        lo, hi = int(indices.min()), int(indices.max())  # one pass each; errors name the bad index
        if lo < 0 or hi >= n:
            bad = lo if lo < 0 else hi
            pos = np.unravel_index(int(ctx.xp.argmax((indices == bad).reshape(-1))), indices.shape)
            raise errors.InvalidArgumentError(None, ctx.op, f"indices{[int(p) for p in pos]} = {bad} is not in "
                                                            f"[0, {n})")
    return params.take(indices, axis=a)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0) -> Tensor:
    """params[indices] along `axis` (default 0): output shape params[:axis] + indices + params[axis+1:].

    Out-of-range indices raise InvalidArgumentError. The gradient adds rows up for repeated indices.
    """
    if batch_dims:
        raise ValueError("teachtf's gather supports batch_dims=0 only; reshape the batch into the indices instead")
    if axis is None:
        axis = batch_dims
    return build_op("GatherV2", "GatherV2", name, [(params, "params", None, None),
                                                   (indices, "indices", None, dtypes.int32),
                                                   (axis, "axis", None, dtypes.int32)], {"batch_dims": 0})


def _gather_nd_shape(inputs, attrs):
    params, indices = inputs
    check_dtype(indices, _INDEX_TYPES, "indices")
    dt = params.dtype.base_dtype
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(TensorShape(None), dt)]
    if indices.shape.ndims < 1:
        raise ValueError("indices must be at least rank 1 (gather_nd)")
    k = indices.shape[-1].value
    if k is None:
        return [(TensorShape(None), dt)]
    if k > params.shape.ndims:
        raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices shape {indices.shape} and "
                         f"params shape {params.shape}")
    return [(indices.shape.as_list()[:-1] + params.shape.as_list()[k:], dt)]


def _check_nd_indices(ctx, idx, bounds_shape, what):
    if not idx.size:
        return
    xp = ctx.xp
    bounds = xp.asarray(bounds_shape, dtype=idx.dtype)
    bad = (idx < 0) | (idx >= bounds)
    if bool(bad.any()):
        flat = idx.reshape(-1, idx.shape[-1])
        row = int(xp.argmax(bad.reshape(-1, idx.shape[-1]).any(axis=1)))
        raise errors.InvalidArgumentError(None, ctx.op, f"indices[{row}] = {flat[row].tolist()} does not index into "
                                                        f"{what} {list(bounds_shape)}")


@register("GatherNd", shape=_gather_nd_shape,
          grad=lambda op, g: [scatter_nd(op.inputs[1], g, _shape_of(op.inputs[0])), None])
def _gather_nd_kernel(ctx, params, indices):
    k = indices.shape[-1]
    _check_nd_indices(ctx, indices, params.shape[:k], "param shape")
    return params[tuple(indices[..., i] for i in builtins.range(k))]


def _shape_of(t):
    from .array_ops import shape

    return t.shape.as_list() if t.shape.is_fully_defined() else shape(t, out_type=dtypes.int32)


def gather_nd(params, indices, name=None, batch_dims=0) -> Tensor:
    """params[indices[..., 0], indices[..., 1], ...]: each innermost row of `indices` addresses a slice."""
    if batch_dims:
        raise ValueError("teachtf's gather_nd supports batch_dims=0 only")
    return build_op("GatherNd", "GatherNd", name, [(params, "params", None, None),
                                                   (indices, "indices", None, dtypes.int32)])


def _scatter_nd_shape(inputs, attrs):
    indices, updates, shape_t = inputs
    check_dtype(indices, _INDEX_TYPES, "indices")
    check_dtype(shape_t, _INDEX_TYPES, "shape")
    if indices.dtype.base_dtype != shape_t.dtype.base_dtype:
        raise TypeError(f"Input 'shape' of 'ScatterNd' Op has type {shape_t.dtype.base_dtype.name} that does not "
                        f"match type {indices.dtype.base_dtype.name} of argument 'indices'.")
    v = constant_value(shape_t)
    dt = updates.dtype.base_dtype
    if v is None:
        n = shape_t.shape[0].value if shape_t.shape.ndims == 1 else None
        return [(TensorShape(None if n is None else [None] * n), dt)]
    out = [int(d) for d in np.asarray(v).reshape(-1)]
    if indices.shape.ndims is not None and updates.shape.ndims is not None and indices.shape[-1].value is not None:
        k = indices.shape[-1].value
        if k > len(out):
            raise ValueError(f"The outer {k} dimensions of indices.shape={indices.shape} must not exceed the rank "
                             f"of shape {out}")
        want = TensorShape(indices.shape.as_list()[:-1] + out[k:])
        if not updates.shape.is_compatible_with(want):
            raise ValueError(f"The shape of updates {updates.shape} must be indices.shape[:-1] + shape[K:] = "
                             f"{_fmt(want.as_list())} (indices {indices.shape}, shape {out})")
    return [(out, dt)]


@register("ScatterNd", shape=_scatter_nd_shape,
          grad=lambda op, g: [None, gather_nd(g, op.inputs[0]), None])
def _scatter_nd_kernel(ctx, indices, updates, shape):
    from .reduction_ops import scatter_add_into

    xp = ctx.xp
    shp = tuple(shape.tolist())
    k = indices.shape[-1]
    _check_nd_indices(ctx, indices, shp[:k], "shape")
    idx = indices.reshape(-1, k)
    out = xp.zeros(shp, dtype=updates.dtype)
    flat_out = out.reshape((-1,) + shp[k:])
    lin = xp.ravel_multi_index(tuple(idx.T), shp[:k]) if k else xp.zeros(idx.shape[0], dtype=np.int64)
    scatter_add_into(xp, flat_out, lin, updates.reshape((idx.shape[0],) + shp[k:]))
    return out


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Zeros of `shape` with `updates` added at `indices`; duplicate indices are summed (unpooling needs this)."""
    return build_op("ScatterNd", "ScatterNd", name, [(indices, "indices", "Tindices", None),
                                                     (updates, "updates", None, None),
                                                     (shape, "shape", "Tindices", None)])


# -- where / select --------------------------------------------------------------------------------------------


def _select_shape(inputs, attrs):
    c, x, y = inputs
    check_dtype(c, ("bool",), "condition")
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(f"Input 'e' of 'Select' Op has type {y.dtype.base_dtype.name} that does not match type "
                        f"{x.dtype.base_dtype.name} of argument 't'.")
    if not x.shape.is_compatible_with(y.shape):
        raise ValueError(f"Shapes must be equal rank, but are {x.shape.ndims} and {y.shape.ndims}"
                         if x.shape.ndims != y.shape.ndims else
                         f"Dimension mismatch between x {x.shape} and y {y.shape} (tf.where needs equal shapes)")
    s = x.shape.merge_with(y.shape)
    cs = c.shape
    if cs.ndims is not None and s.ndims is not None and cs.ndims not in (0, s.ndims):
        if cs.ndims != 1 or s.ndims < 1:
            raise ValueError(f"Shapes must be equal rank, but are {cs.ndims} and {s.ndims}: condition must have "
                             f"the shape of x, or be a vector as long as x's first dimension")
        if cs[0].value is not None and s[0].value is not None and cs[0].value != s[0].value:
            raise ValueError(f"Dimensions must be equal, but are {cs[0].value} and {s[0].value}")
    elif cs.ndims is not None and cs.ndims == s.ndims and cs.ndims:
        if not cs.is_compatible_with(s):
            raise ValueError(f"Shapes {cs} and {s} are incompatible (condition and x of tf.where)")
        s = s.merge_with(cs)
    return [(s, x.dtype.base_dtype)]


def _select_grad(op, grad):
    from .array_ops import zeros_like

    c = op.inputs[0]
    zeros = zeros_like(grad)
    return [None, where(c, grad, zeros), where(c, zeros, grad)]


@register("Select", shape=_select_shape, grad=_select_grad)
def _select_kernel(ctx, c, x, y):
    if x.shape != y.shape or (c.ndim and c.shape != x.shape and (c.ndim != 1 or c.shape[0] != x.shape[0])):
        raise errors.InvalidArgumentError(None, ctx.op, f"'then' and 'else' must have the same size, and condition "
                                                        f"the same shape or be a vector of the first dimension: "
                                                        f"condition {list(c.shape)}, x {list(x.shape)}, y "
                                                        f"{list(y.shape)}")
    if c.ndim == 1 and x.ndim > 1:
        c = c.reshape((-1,) + (1,) * (x.ndim - 1))
    return ctx.xp.where(c, x, y)


def _select_v2_shape(inputs, attrs):
    c, x, y = inputs
    check_dtype(c, ("bool",), "condition")
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(f"Input 'e' of 'SelectV2' Op has type {y.dtype.base_dtype.name} that does not match type "
                        f"{x.dtype.base_dtype.name} of argument 't'.")
    return [(broadcast_static(broadcast_static(c.shape, x.shape), y.shape), x.dtype.base_dtype)]


def _select_v2_grad(op, grad):
    from .array_ops import zeros_like

    c, x, y = op.inputs
    zeros = zeros_like(grad)
    return [None, unbroadcast(where_v2(c, grad, zeros), x, broadcast_static(c.shape, y.shape)),
            unbroadcast(where_v2(c, zeros, grad), y, broadcast_static(c.shape, x.shape))]


@register("SelectV2", shape=_select_v2_shape, grad=_select_v2_grad)
def _select_v2_kernel(ctx, c, x, y):
    return ctx.xp.where(c, x, y)


def _where_shape(inputs, attrs):
    c = inputs[0]
    return [((None, c.shape.ndims), dtypes.int64)]


@register("Where", shape=_where_shape, grad=NO_GRADIENT)
def _where_kernel(ctx, c):
    return ctx.xp.argwhere(c).astype(np.int64)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """With x and y: elementwise x where condition else y; condition has x's shape or is a vector selecting
    whole rows (no general broadcasting). Alone: the int64 [N, rank] coordinates of the true entries."""
    if x is None and y is None:
        with _graph.name_scope(name, "Where", [condition]) as scope:
            c = convert_to_tensor(condition, preferred_dtype=dtypes.bool_, name="condition")
            return apply("Where", [c], {}, scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return build_op("Select", "Select", name, [(condition, "condition", None, dtypes.bool_), (x, "t", "T", None),
                                               (y, "e", "T", None)])


select = where


def where_v2(condition, x=None, y=None, name=None) -> Tensor:
    """Like where, but condition, x and y broadcast against each other (NumPy rules)."""
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return build_op("SelectV2", "SelectV2", name, [(condition, "condition", None, dtypes.bool_),
                                                   (x, "t", "T", None), (y, "e", "T", None)])


# -- boolean_mask ----------------------------------------------------------------------------------------------


def boolean_mask(tensor, mask, name="boolean_mask", axis=None) -> Tensor:
    """The entries of `tensor` where the bool `mask` is true, flattened over the mask's dimensions
    (which start at `axis`, default 0). Built from where + gather, so it has a gradient."""
    from .array_ops import concat, reshape, shape, squeeze
    from .reduction_ops import reduce_prod

    with _graph.name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        check_dtype(mask, ("bool",), "mask")
        nm = mask.shape.ndims
        if nm == 0:
            raise ValueError("mask cannot be scalar.")
        if nm is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  E.g. "
                             "shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else int(axis)
        st = tensor.shape
        st[axis:axis + nm].assert_is_compatible_with(mask.shape)
        if st.is_fully_defined():
            dims = st.as_list()
            tensor = reshape(tensor, dims[:axis] + [int(np.prod(dims[axis:axis + nm]))] + dims[axis + nm:])
        else:
            dyn = shape(tensor)
            leading = reduce_prod(dyn[axis:axis + nm], [0])
            tensor = reshape(tensor, concat([dyn[:axis], [leading], dyn[axis + nm:]], 0))
            first = st[axis:axis + nm].num_elements()
            tensor.set_shape(as_shape(st[:axis]).concatenate([first]).concatenate(st[axis + nm:]))
        mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)
