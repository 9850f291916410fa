"""Reductions (reduce_sum/mean/max/min/prod/all/any, logsumexp, count_nonzero, norm), argmax/argmin, scans
(cumsum/cumprod) and segment sums (API.md §7), with their gradients.

`axis=None` reduces every axis to a scalar; `keep_dims` and `reduction_indices`
are accepted aliases. The mean of integers truncates toward zero (TF1). Max/min
gradients are split evenly among the positions that tie for the extreme value.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .constant_op import constant, constant_value, convert_to_tensor
from .math_ops import (BOOL_TYPES, NUMERIC_TYPES, REAL_TYPES, build_op, cast, check_dtype, equal, exp,
                       greater_equal, log, maximum, trunc_div)
from .registry import NO_GRADIENT, apply, register

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all", "reduce_any",
           "reduce_logsumexp", "reduce_variance", "reduce_std", "count_nonzero", "argmax", "argmin", "arg_max",
           "arg_min", "norm", "cumsum", "cumprod", "segment_sum", "unsorted_segment_sum"]


def _alias(new_name, new, old_name, old):
    if old is not None:
        if new is not None:
            raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
        return old
    return new


def _norm_axes(axis, ndims):
    """Axes as a sorted list of non-negative ints (ValueError when out of range)."""
    if axis is None:
        return None if ndims is None else list(builtins.range(ndims))
    axis = [int(a) for a in np.asarray(axis).reshape(-1)]
    if ndims is not None:
        for a in axis:
            if not -ndims <= a < ndims:
                raise ValueError(f"Invalid reduction dimension {a} for input with {ndims} dimensions.")
        axis = sorted({a % ndims for a in axis})
    return axis


def _reduction_shape_fn(allowed):
    def fn(inputs, attrs):
        x, axes_t = inputs
        check_dtype(x, allowed, "input")
        check_dtype(axes_t, ("int32", "int64"), "reduction_indices")
        keep = attrs["keep_dims"]
        dt = x.dtype.base_dtype
        nd = x.shape.ndims
        axes = constant_value(axes_t)
        if nd is None or axes is None:
            if nd is not None and keep:
                return [([None] * nd, dt)]
            return [(TensorShape(None), dt)]
        axes = _norm_axes(axes, nd)
        dims = x.shape.as_list()
        if keep:
            return [([1 if i in axes else d for i, d in enumerate(dims)], dt)]
        return [([d for i, d in enumerate(dims) if i not in axes], dt)]

    return fn


def _axes(axes) -> tuple:
    a = axes.tolist()
    return tuple(a) if isinstance(a, list) else (a,)


def _reduction_dims(x: Tensor, axis):
    """The axes tensor of a reduction: all axes when `axis` is None (a Const when the rank is known)."""
    from . import array_ops

    if axis is not None:
        return axis
    nd = x.shape.ndims
    if nd is not None:
        return constant(np.arange(nd, dtype=np.int32))
    from .math_ops import range as _range

    return _range(0, array_ops.rank(x))


def _reduce(op_type, default_name, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    axis = _alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(_alias("keepdims", keepdims, "keep_dims", keep_dims) or False)
    x = convert_to_tensor(input_tensor)
    axes = _reduction_dims(x, axis)
    out = build_op(op_type, default_name, name, [(x, "input", None, None),
                                                 (axes, "reduction_indices", None, dtypes.int32)],
                   {"keep_dims": keepdims})
    if axis is None and not keepdims and not out.shape.is_fully_defined():
        out.set_shape([])
    return out


# -- kept-dims shapes for gradients ------------------------------------------------------------------------


def _rs_shape(inputs, attrs):
    return [((inputs[0].shape[0].value,), dtypes.int32)]


@register("ReducedShape", shape=_rs_shape, grad=NO_GRADIENT, cpu_only=True)
def _reduced_shape_kernel(ctx, shape, axes):
    out = np.array(shape, dtype=np.int32, copy=True)
    n = out.shape[0]
    for a in np.asarray(axes).reshape(-1):
        out[int(a) % builtins.max(n, 1)] = 1
    return out


def _reduced_shape(shape_t, axes_t):
    return apply("ReducedShape", [shape_t, axes_t], {}, "ReducedShape")


def kept_dims_shape(x: Tensor, axes_t: Tensor):
    """x's shape with the reduced axes set to 1: a list when static, else a tensor."""
    from . import array_ops

    axes = constant_value(axes_t)
    if x.shape.ndims is not None and axes is not None:
        ax = _norm_axes(axes, x.shape.ndims)
        kept = [1 if i in ax else d for i, d in enumerate(x.shape.as_list())]
        if None not in kept:
            return kept
    return _reduced_shape(array_ops.shape(x), axes_t)


def _reduction_broadcast(grad, x, axes_t, keep_dims):
    """Broadcasts a reduction's output gradient back to x's shape."""
    from . import array_ops

    if not keep_dims:
        grad = array_ops.reshape(grad, kept_dims_shape(x, axes_t))
    if x.shape.is_fully_defined():
        return array_ops.broadcast_to(grad, x.shape.as_list())
    return array_ops.broadcast_to(grad, array_ops.shape(x))


# -- the reduction ops -----------------------------------------------------------------------------------


def _sum_grad(op, grad):
    return [_reduction_broadcast(grad, op.inputs[0], op.inputs[1], op.get_attr("keep_dims")), None]


def _mean_grad(op, grad):
    from . import array_ops

    x, y = op.inputs[0], op.outputs[0]
    g = _reduction_broadcast(grad, x, op.inputs[1], op.get_attr("keep_dims"))
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        factor = builtins.max(x.shape.num_elements() // builtins.max(y.shape.num_elements(), 1), 1)
        return [g / float(factor), None]
    factor = reduce_prod(array_ops.shape(x)) // _max_one(reduce_prod(array_ops.shape(y)))
    return [g / cast(factor, g.dtype.base_dtype), None]


def _max_one(t):
    return maximum(t, 1)


def _min_or_max_grad(op, grad):
    """The gradient goes to every position equal to the extreme value, split evenly among ties."""
    from . import array_ops

    x, axes_t = op.inputs
    y = op.outputs[0]
    if not op.get_attr("keep_dims"):
        kept = kept_dims_shape(x, axes_t)
        y = array_ops.reshape(y, kept)
        grad = array_ops.reshape(grad, kept)
    indicators = cast(equal(y, x), grad.dtype.base_dtype)
    num_selected = reduce_sum(indicators, axes_t, keepdims=True)
    return [indicators / num_selected * grad, None]


def _prod_grad(op, grad):
    """Product of all other elements along the reduced axes (exclusive cumprods, so zeros are handled)."""
    from . import array_ops
    from .math_ops import range as _range

    x, axes_t = op.inputs
    input_shape = array_ops.shape(x)
    g = _reduction_broadcast(grad, x, axes_t, op.get_attr("keep_dims"))
    rank = array_ops.rank(x)
    reduced = cast((array_ops.reshape(axes_t, [-1]) + rank) % rank, dtypes.int32)
    other, _ = array_ops.setdiff1d(_range(0, rank), reduced)
    perm = array_ops.concat([reduced, other], 0)
    reduced_num = reduce_prod(array_ops.gather(input_shape, reduced))
    other_num = reduce_prod(array_ops.gather(input_shape, other))
    permuted = array_ops.transpose(x, perm)
    permuted_shape = array_ops.shape(permuted)
    reshaped = array_ops.reshape(permuted, array_ops.stack([reduced_num, other_num]))
    left = cumprod(reshaped, axis=0, exclusive=True)
    right = cumprod(reshaped, axis=0, exclusive=True, reverse=True)
    y = array_ops.reshape(left * right, permuted_shape)
    out = g * array_ops.transpose(y, array_ops.invert_permutation(perm))
    return [array_ops.reshape(out, input_shape), None]


def _fold_reduction(fn):
    """Build-time value of a reduction of a small constant (as TF1's shape inference computes)."""

    def const_value(op):
        x, axes = (constant_value(t) for t in op.inputs)
        if x is None or axes is None or np.size(x) > 1000:
            return None
        x = np.asarray(x)
        ax = tuple(int(a) for a in np.asarray(axes).reshape(-1))
        return np.asarray(fn(x, axis=ax, keepdims=op.get_attr("keep_dims"))).astype(x.dtype)

    return const_value


# Kernels use the array methods (x.sum, x.max, ...): the same on NumPy and CuPy, and without the Python
# wrapper layer of np.sum & co. (half the per-call cost on small arrays).


@register("Sum", shape=_reduction_shape_fn(NUMERIC_TYPES), grad=_sum_grad, const_value=_fold_reduction(np.sum))
def _sum_kernel(ctx, x, axes, keep_dims=False):
    return x.sum(axis=_axes(axes), dtype=x.dtype, keepdims=keep_dims)


def _count(x, ax):
    n = 1
    for a in ax:
        n *= x.shape[a]
    return n


@register("Mean", shape=_reduction_shape_fn(NUMERIC_TYPES), grad=_mean_grad)
def _mean_kernel(ctx, x, axes, keep_dims=False):
    ax = _axes(axes)
    n = _count(x, ax)
    if x.dtype.kind in "iu":  # TF1: the integer sum divided with truncation toward zero
        s = x.sum(axis=ax, keepdims=keep_dims, dtype=x.dtype)
        return trunc_div(ctx.xp, s, x.dtype.type(builtins.max(n, 1)))
    if x.dtype == np.float16:
        return (x.sum(axis=ax, keepdims=keep_dims, dtype=np.float32) / n).astype(np.float16)
    return x.sum(axis=ax, keepdims=keep_dims, dtype=x.dtype) / n


@register("Max", shape=_reduction_shape_fn(REAL_TYPES), grad=_min_or_max_grad, const_value=_fold_reduction(np.max))
def _max_kernel(ctx, x, axes, keep_dims=False):
    return x.max(axis=_axes(axes), keepdims=keep_dims)


@register("Min", shape=_reduction_shape_fn(REAL_TYPES), grad=_min_or_max_grad, const_value=_fold_reduction(np.min))
def _min_kernel(ctx, x, axes, keep_dims=False):
    return x.min(axis=_axes(axes), keepdims=keep_dims)


@register("Prod", shape=_reduction_shape_fn(NUMERIC_TYPES), grad=_prod_grad,
          const_value=_fold_reduction(np.prod))
def _prod_kernel(ctx, x, axes, keep_dims=False):
    return x.prod(axis=_axes(axes), keepdims=keep_dims, dtype=x.dtype)


@register("All", shape=_reduction_shape_fn(BOOL_TYPES), grad=NO_GRADIENT)
def _all_kernel(ctx, x, axes, keep_dims=False):
    return x.all(axis=_axes(axes), keepdims=keep_dims)


@register("Any", shape=_reduction_shape_fn(BOOL_TYPES), grad=NO_GRADIENT)
def _any_kernel(ctx, x, axes, keep_dims=False):
    return x.any(axis=_axes(axes), keepdims=keep_dims)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Σ over `axis` (every axis when None; int, list or negative)."""
    return _reduce("Sum", "Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Mean over `axis`. Integer inputs give a truncated integer mean; the mean of nothing is NaN."""
    return _reduce("Mean", "Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Max over `axis`; the gradient is split evenly among tied maxima."""
    return _reduce("Max", "Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Min over `axis`; the gradient is split evenly among tied minima."""
    return _reduce("Min", "Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Product over `axis`."""
    return _reduce("Prod", "Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Logical AND over `axis` (bool)."""
    return _reduce("All", "All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Logical OR over `axis` (bool)."""
    return _reduce("Any", "Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None) -> Tensor:
    """log(Σ exp(x)) over `axis`, computed as max + log(Σ exp(x − max)) so large inputs do not overflow."""
    from . import array_ops
    from .math_ops import is_finite

    axis = _alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(_alias("keepdims", keepdims, "keep_dims", keep_dims) or False)
    with _graph.name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor)
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = array_ops.stop_gradient(array_ops.where(is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max)))
        result = log(reduce_sum(exp(x - my_max), axis, keepdims=keepdims))
        if not keepdims:
            my_max = array_ops.reshape(my_max, array_ops.shape(result) if not result.shape.is_fully_defined()
                                       else result.shape.as_list())
        from .math_ops import add

        result = add(my_max, result, name=scope)
        if axis is None and not keepdims and not result.shape.is_fully_defined():
            result.set_shape([])
        return result


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population variance mean((x − mean(x))²) over `axis` (floats)."""
    from .math_ops import square

    with _graph.name_scope(name, "reduce_variance", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        check_dtype(x, ("bfloat16", "float16", "float32", "float64", "complex64", "complex128"), "input_tensor")
        means = reduce_mean(x, axis=axis, keepdims=True)
        return reduce_mean(square(x - means), axis=axis, keepdims=keepdims, name=scope)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population standard deviation over `axis` (floats)."""
    from .math_ops import sqrt

    with _graph.name_scope(name, "reduce_std", [input_tensor]) as scope:
        return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims), name=scope)


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None, reduction_indices=None,
                  keep_dims=None) -> Tensor:
    """Number of non-zero (non-False, non-empty) elements over `axis`, as `dtype` (default int64)."""
    from . import array_ops
    from .math_ops import not_equal

    axis = _alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(_alias("keepdims", keepdims, "keep_dims", keep_dims) or False)
    with _graph.name_scope(name, "count_nonzero", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        zero = array_ops.zeros([], dtype=x.dtype.base_dtype)
        return cast(reduce_sum(cast(not_equal(x, zero), dtypes.int64), axis=axis, keepdims=keepdims), dtype)


# -- argmax / argmin -----------------------------------------------------------------------------------------


def _arg_shape(inputs, attrs):
    x, dim = inputs
    check_dtype(x, NUMERIC_TYPES, "input")
    check_dtype(dim, ("int32", "int64"), "dimension")
    out = attrs["output_type"]
    if out not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"output_type must be int32 or int64, got {out.name}")
    nd = x.shape.ndims
    a = constant_value(dim)
    if nd is None:
        return [(TensorShape(None), out)]
    if a is None:
        return [([None] * builtins.max(nd - 1, 0), out)]
    a = int(a)
    if not -builtins.max(nd, 1) <= a < builtins.max(nd, 1):
        raise ValueError(f"Expected dimension in the range [{-nd}, {nd}), but got {a}")
    a %= builtins.max(nd, 1)
    return [([d for i, d in enumerate(x.shape.as_list()) if i != a], out)]


@register("ArgMax", shape=_arg_shape, grad=NO_GRADIENT)
def _argmax_kernel(ctx, x, dim, output_type):
    return x.argmax(axis=int(dim)).astype(output_type.as_numpy_dtype, copy=False)


@register("ArgMin", shape=_arg_shape, grad=NO_GRADIENT)
def _argmin_kernel(ctx, x, dim, output_type):
    return x.argmin(axis=int(dim)).astype(output_type.as_numpy_dtype, copy=False)


def _arg(op_type, input, axis, name, dimension, output_type):
    axis = _alias("axis", axis, "dimension", dimension)
    if axis is None:
        axis = 0
    return build_op(op_type, op_type, name, [(input, "input", None, None), (axis, "dimension", None, dtypes.int32)],
                    {"output_type": dtypes.as_dtype(output_type).base_dtype})


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:  # noqa: A002
    """Index of the largest value along `axis` (default 0); ties go to the smallest index. No gradient."""
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:  # noqa: A002
    """Index of the smallest value along `axis` (default 0); ties go to the smallest index. No gradient."""
    return _arg("ArgMin", input, axis, name, dimension, output_type)


arg_max = argmax
arg_min = argmin


# -- norm ---------------------------------------------------------------------------------------------------


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None) -> Tensor:  # noqa: A002
    """Vector norms (ord 'euclidean'/2, 1, inf, any p > 0) over all elements or one axis, and matrix norms
    ('fro'/'euclidean', 1, inf) over an axis pair. The matrix 2-norm (spectral) is not supported."""
    from . import array_ops
    from .math_ops import abs as _abs
    from .math_ops import pow as _pow
    from .math_ops import sqrt

    keepdims = bool(_alias("keepdims", keepdims, "keep_dims", keep_dims) or False)
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not all(isinstance(a, (int, np.integer)) for a in axis) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got {ord}")
        if ord in (2, 2.0):
            raise ValueError("teachtf does not compute the matrix 2-norm (largest singular value); use ord='fro', "
                             "1 or np.inf, or a vector norm.")
    else:
        if not (isinstance(axis, (int, np.integer)) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if isinstance(ord, str) and ord != "euclidean" or not isinstance(ord, str) and not ord > 0:
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (int(axis),)
    with _graph.name_scope(name, "norm", [tensor]):
        t = convert_to_tensor(tensor)
        ax = None if axis is None else list(axis)
        if ord in ("fro", "euclidean", 2, 2.0):
            result = sqrt(reduce_sum(t * t, ax, keepdims=True))
        else:
            result = _abs(t)
            if ord == 1:
                result = reduce_sum(result, None if axis is None else axis[0], keepdims=True)
                if is_matrix:
                    result = reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix:
                    result = reduce_sum(result, axis[1], keepdims=True)
                result = reduce_max(result, None if axis is None else axis[0], keepdims=True)
            else:
                result = _pow(reduce_sum(_pow(result, ord), ax, keepdims=True), 1.0 / ord)
        if not keepdims:
            result = array_ops.squeeze(result, ax)
        return result


# -- scans and segment sums ---------------------------------------------------------------------------


def _scan_shape(inputs, attrs):
    x, axis = inputs
    check_dtype(x, NUMERIC_TYPES)
    a = constant_value(axis)
    if a is not None and x.shape.ndims is not None and not -builtins.max(x.shape.ndims, 1) <= int(a) < \
            builtins.max(x.shape.ndims, 1):
        raise ValueError(f"axis {int(a)} is out of range for a tensor of rank {x.shape.ndims}")
    return [(x.shape, x.dtype.base_dtype)]


def _scan(xp, fn, x, axis, exclusive, reverse):
    if reverse:
        x = xp.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive and x.shape[axis]:
        ident = 0 if fn is xp.cumsum else 1
        first = xp.full_like(xp.take(x, [0], axis=axis), ident)
        out = xp.concatenate([first, xp.take(out, xp.arange(x.shape[axis] - 1), axis=axis)], axis=axis)
    if reverse:
        out = xp.flip(out, axis)
    return out


def _cumsum_grad(op, grad):
    return [cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"), reverse=not op.get_attr("reverse")),
            None]


def _cumprod_grad(op, grad):
    x, axis = op.inputs
    ex, rev = op.get_attr("exclusive"), op.get_attr("reverse")
    prod = cumprod(x, axis, exclusive=ex, reverse=rev)
    out = cumsum(prod * grad, axis, exclusive=ex, reverse=not rev)
    return [out / x, None]


@register("Cumsum", shape=_scan_shape, grad=_cumsum_grad)
def _cumsum_kernel(ctx, x, axis, exclusive=False, reverse=False):
    return _scan(ctx.xp, ctx.xp.cumsum, x, int(axis), exclusive, reverse)


@register("Cumprod", shape=_scan_shape, grad=_cumprod_grad)
def _cumprod_kernel(ctx, x, axis, exclusive=False, reverse=False):
    return _scan(ctx.xp, ctx.xp.cumprod, x, int(axis), exclusive, reverse)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sum along `axis`; `exclusive` leaves out the current element, `reverse` runs from the end."""
    return build_op("Cumsum", "Cumsum", name, [(x, "x", None, None), (axis, "axis", None, dtypes.int32)],
                    {"exclusive": bool(exclusive), "reverse": bool(reverse)})


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running product along `axis` (see cumsum)."""
    return build_op("Cumprod", "Cumprod", name, [(x, "x", None, None), (axis, "axis", None, dtypes.int32)],
                    {"exclusive": bool(exclusive), "reverse": bool(reverse)})


def scatter_add_into(xp, out, idx, vals):
    """out[idx] += vals with duplicates accumulated (NumPy's add.at; cupyx.scatter_add on GPUs)."""
    if xp is np:
        np.add.at(out, idx, vals)
    else:
        import cupyx

        cupyx.scatter_add(out, idx, vals)
    return out


def _segment_ids_check(ctx, ids, n):
    if ids.size:
        hi = int(ids.max())
        if hi >= n:
            raise errors.InvalidArgumentError(None, ctx.op, f"segment_ids contains {hi}, which is outside the range "
                                                            f"[0, {n}) of num_segments")


def _unsorted_segment_shape(inputs, attrs):
    data, ids, num = inputs
    check_dtype(ids, ("int32", "int64"), "segment_ids")
    n = constant_value(num)
    if data.shape.ndims is None or ids.shape.ndims is None:
        return [(TensorShape(None), data.dtype.base_dtype)]
    k = ids.shape.ndims
    if not data.shape[:k].is_compatible_with(ids.shape):
        raise ValueError(f"segment_ids shape {ids.shape} must be a prefix of data shape {data.shape}")
    return [([None if n is None else int(n)] + data.shape.as_list()[k:], data.dtype.base_dtype)]


def _gather_drop_negatives(params, ids):
    """gather(params, ids) with rows for negative ids set to zero (the gradient of segment sums)."""
    from . import array_ops

    gathered = array_ops.gather(params, maximum(ids, array_ops.zeros_like(ids)))
    keep = greater_equal(ids, array_ops.zeros_like(ids))
    if gathered.shape.ndims is None or ids.shape.ndims is None:
        raise ValueError("the gradient of unsorted_segment_sum needs inputs of known rank")
    extra = gathered.shape.ndims - ids.shape.ndims
    if extra:
        keep = array_ops.expand_dims(keep, -1) if extra == 1 else array_ops.reshape(
            keep, array_ops.concat([array_ops.shape(ids), [1] * extra], 0))
    return array_ops.where_v2(keep, gathered, array_ops.zeros_like(gathered))


@register("UnsortedSegmentSum", shape=_unsorted_segment_shape,
          grad=lambda op, g: [_gather_drop_negatives(g, op.inputs[1]), None, None])
def _unsorted_segment_sum_kernel(ctx, data, ids, num):
    xp = ctx.xp
    n = int(num)
    _segment_ids_check(ctx, ids, n)
    inner = data.shape[ids.ndim:]
    out = xp.zeros((n,) + inner, dtype=data.dtype)
    flat = ids.reshape(-1)
    vals = data.reshape((flat.shape[0],) + inner)
    keep = flat >= 0
    if not bool(keep.all()):
        flat, vals = flat[keep], vals[keep]
    return scatter_add_into(xp, out, flat, vals)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """out[i] = Σ data[j] over j with segment_ids[j] == i (ids in any order; negative ids are dropped)."""
    return build_op("UnsortedSegmentSum", "UnsortedSegmentSum", name,
                    [(data, "data", None, None), (segment_ids, "segment_ids", None, None),
                     (num_segments, "num_segments", None, None)])


def _segment_shape(inputs, attrs):
    data, ids = inputs
    check_dtype(ids, ("int32", "int64"), "segment_ids")
    if ids.shape.ndims not in (None, 1):
        raise ValueError(f"segment_ids should be a vector, got shape {ids.shape}")
    if data.shape.ndims is None:
        return [(TensorShape(None), data.dtype.base_dtype)]
    return [([None] + data.shape.as_list()[1:], data.dtype.base_dtype)]


@register("SegmentSum", shape=_segment_shape, grad=lambda op, g: [_segment_sum_grad(op, g), None])
def _segment_sum_kernel(ctx, data, ids):
    xp = ctx.xp
    if ids.shape[0] != data.shape[0]:
        raise errors.InvalidArgumentError(None, ctx.op, f"segment_ids should be the same size as dimension 0 of "
                                                        f"input: {ids.shape[0]} vs {data.shape[0]}")
    if ids.size and (bool((ids[1:] < ids[:-1]).any()) or int(ids[0]) < 0):
        raise errors.InvalidArgumentError(None, ctx.op, "segment ids are not increasing (or are negative)")
    n = int(ids[-1]) + 1 if ids.size else 0
    out = xp.zeros((n,) + data.shape[1:], dtype=data.dtype)
    return scatter_add_into(xp, out, ids, data)


def _segment_sum_grad(op, grad):
    from . import array_ops

    return array_ops.gather(grad, op.inputs[1])


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """out[i] = Σ data[j] over j with segment_ids[j] == i; ids sorted ascending, output has max(id)+1 rows."""
    return build_op("SegmentSum", "SegmentSum", name,
                    [(data, "data", None, None), (segment_ids, "segment_ids", None, None)])
