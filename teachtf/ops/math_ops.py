"""Elementwise math, reductions and matmul (API.md §7), with their gradients.

Binary ops broadcast like NumPy; their gradients undo broadcasting with the one
shared helper `unbroadcast`. Dtype rules of API.md §4.3: operator forms convert
the non-tensor operand to the tensor's dtype; function forms go left to right;
two tensors of different dtypes raise TypeError (no implicit promotion).
"""

from __future__ import annotations

import builtins

import numpy as np

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape, broadcast_static
from .constant_op import constant, constant_value, convert_to_tensor
from .registry import NO_GRADIENT, apply, register

# -- dtype handling ---------------------------------------------------------------------------


def _is_tensorlike(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _binary_args(x, y, op_type, xname="x", yname="y"):
    """Function-form conversion: the first argument fixes the dtype, later ones must match it."""
    x = convert_to_tensor(x)
    if _is_tensorlike(y):
        y = convert_to_tensor(y)
        if y.dtype.base_dtype != x.dtype.base_dtype:
            raise TypeError(f"Input '{yname}' of '{op_type}' Op has type {y.dtype.base_dtype.name} that does not "
                            f"match type {x.dtype.base_dtype.name} of argument '{xname}'.")
    else:
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype)
    return x, y


def _binary_shape(inputs, attrs):
    x, y = inputs
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(f"Input 'y' has type {y.dtype.base_dtype.name} that does not match type "
                        f"{x.dtype.base_dtype.name} of argument 'x'.")
    return [(broadcast_static(x.shape, y.shape), x.dtype.base_dtype)]


# -- the shared gradient helper -----------------------------------------------------------------


def unbroadcast(grad: Tensor, x: Tensor) -> Tensor:
    """Sums `grad` over the axes along which `x` was broadcast, and reshapes it to `x`'s shape."""
    from . import array_ops

    xs, gs = x.shape, grad.shape
    if xs.is_fully_defined() and gs.is_fully_defined():
        xl, gl = xs.as_list(), gs.as_list()
        if xl == gl:
            return grad
        lead = len(gl) - len(xl)
        axes = list(range(lead)) + [lead + i for i, d in enumerate(xl) if d == 1 and gl[lead + i] != 1]
        r = reduce_sum(grad, axis=axes) if axes else grad
        return array_ops.reshape(r, xl)
    sx = array_ops.shape(x)
    sg = array_ops.shape(grad)
    rx, _ = broadcast_gradient_args(sx, sg)
    return array_ops.reshape(reduce_sum(grad, rx), sx)


def _bga_shape(inputs, attrs):
    return [((None,), dtypes.int32), ((None,), dtypes.int32)]


@register("BroadcastGradientArgs", shape=_bga_shape, grad=NO_GRADIENT)
def _broadcast_gradient_args(ctx, s0, s1):
    xp = np
    s0 = [int(v) for v in np.asarray(s0).tolist()]
    s1 = [int(v) for v in np.asarray(s1).tolist()]
    n = builtins.max(len(s0), len(s1))
    a = [1] * (n - len(s0)) + s0
    b = [1] * (n - len(s1)) + s1
    r0 = [i for i in range(n) if a[i] == 1 and b[i] != 1 or i < n - len(s0)]
    r1 = [i for i in range(n) if b[i] == 1 and a[i] != 1 or i < n - len(s1)]
    return xp.asarray(r0, dtype=np.int32), xp.asarray(r1, dtype=np.int32)


def broadcast_gradient_args(s0, s1, name=None):
    return apply("BroadcastGradientArgs", [convert_to_tensor(s0), convert_to_tensor(s1)], {},
                 name or "BroadcastGradientArgs")


# -- binary arithmetic ----------------------------------------------------------------------------


def _add_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(grad, y)]


def _sub_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(negative(grad), y)]


def _mul_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(multiply(grad, y), x), unbroadcast(multiply(x, grad), y)]


def _realdiv_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad / y, x), unbroadcast(grad * (negative(x) / y / y), y)]


@register("AddV2", shape=_binary_shape, grad=_add_grad)
def _add_kernel(ctx, x, y):
    return x + y


@register("Sub", shape=_binary_shape, grad=_sub_grad)
def _sub_kernel(ctx, x, y):
    return x - y


@register("Mul", shape=_binary_shape, grad=_mul_grad)
def _mul_kernel(ctx, x, y):
    return x * y


@register("RealDiv", shape=_binary_shape, grad=_realdiv_grad)
def _realdiv_kernel(ctx, x, y):
    return x / y


def add(x, y, name=None) -> Tensor:
    x, y = _binary_args(x, y, "AddV2")
    return apply("AddV2", [x, y], {}, name or "Add")


def subtract(x, y, name=None) -> Tensor:
    x, y = _binary_args(x, y, "Sub")
    return apply("Sub", [x, y], {}, name or "Sub")


def multiply(x, y, name=None) -> Tensor:
    x, y = _binary_args(x, y, "Mul")
    return apply("Mul", [x, y], {}, name or "Mul")


def _truediv_impl(x, y, name):
    dt = x.dtype.base_dtype
    if dt.is_integer:
        target = dtypes.float32 if dt in (dtypes.int8, dtypes.int16, dtypes.uint8, dtypes.uint16) else dtypes.float64
        x = cast(x, target)
        y = cast(y, target)
    elif dt.is_bool:
        raise TypeError(f"Invalid dtype {dt.name} in __truediv__")
    return apply("RealDiv", [x, y], {}, name)


def truediv(x, y, name=None) -> Tensor:
    """x / y; int8/16 and uint8/16 become float32, int32/64 float64 (API.md §4.5)."""
    with _graph.name_scope(name, "truediv") as scope:
        x, y = _binary_args(x, y, "RealDiv")
        return _truediv_impl(x, y, scope)


divide = truediv


# -- unary ---------------------------------------------------------------------------------------


@register("Neg", shape=lambda i, a: [(i[0].shape, i[0].dtype.base_dtype)], grad=lambda op, g: [negative(g)])
def _neg_kernel(ctx, x):
    return -x


def negative(x, name=None) -> Tensor:
    return apply("Neg", [convert_to_tensor(x)], {}, name or "Neg")


# -- cast -----------------------------------------------------------------------------------------


def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    dst = op.outputs[0].dtype.base_dtype
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):
        return [cast(grad, src)]
    return [None]


@register("Cast", shape=lambda i, a: [(i[0].shape, a["DstT"])], grad=_cast_grad)
def _cast_kernel(ctx, x, DstT):
    if DstT is dtypes.string:
        return x
    return x.astype(DstT.as_numpy_dtype, copy=False)


def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype` (float→int truncates toward zero; bool→float gives 1.0/0.0)."""
    dt = dtypes.as_dtype(dtype).base_dtype
    x = convert_to_tensor(x) if _is_tensorlike(x) else convert_to_tensor(x, dtype=None)
    if x.dtype.base_dtype == dt:
        with _graph.name_scope(name, "Cast"):
            return x
    return apply("Cast", [x], {"DstT": dt, "SrcT": x.dtype.base_dtype}, name or "Cast")


# -- reductions -----------------------------------------------------------------------------------


def _norm_axes(axis, ndims):
    if axis is None:
        return None if ndims is None else list(range(ndims))
    if isinstance(axis, (int, np.integer)):
        axis = [int(axis)]
    axis = [int(a) for a in np.asarray(axis).reshape(-1)]
    if ndims is not None:
        for a in axis:
            if not -ndims <= a < ndims:
                raise ValueError(f"Invalid reduction dimension {a} for input with {ndims} dimensions.")
        axis = sorted({a % ndims for a in axis})
    return axis


def _reduction_shape(inputs, attrs):
    x, axes_t = inputs
    keep = attrs["keep_dims"]
    dt = x.dtype.base_dtype if attrs.get("out_dtype") is None else attrs["out_dtype"]
    nd = x.shape.ndims
    axes = constant_value(axes_t)
    if nd is None or axes is None:
        return [(TensorShape(None) if not keep else TensorShape(None if nd is None else [None] * nd), dt)]
    axes = _norm_axes(axes, nd)
    dims = x.shape.as_list()
    if keep:
        out = [1 if i in axes else d for i, d in enumerate(dims)]
    else:
        out = [d for i, d in enumerate(dims) if i not in axes]
    return [(out, dt)]


def _kernel_axes(x, axes):
    return tuple(int(a) % builtins.max(x.ndim, 1) for a in np.asarray(axes).reshape(-1)) if x.ndim else ()


def _sum_grad(op, grad):
    x = op.inputs[0]
    return [_reduction_broadcast(grad, x, op.inputs[1], op.get_attr("keep_dims")), None]


def _reduction_broadcast(grad, x, axes_t, keep_dims):
    """Broadcasts a reduction's gradient back to x's shape."""
    from . import array_ops

    if not keep_dims:
        xs = x.shape
        axes = constant_value(axes_t)
        if xs.ndims is not None and axes is not None:
            ax = _norm_axes(axes, xs.ndims)
            kept = [1 if i in ax else d for i, d in enumerate(xs.as_list())]
            if None not in kept:
                grad = array_ops.reshape(grad, kept)
            else:
                grad = array_ops.reshape(grad, _reduced_shape(array_ops.shape(x), axes_t))
        else:
            grad = array_ops.reshape(grad, _reduced_shape(array_ops.shape(x), axes_t))
    if x.shape.is_fully_defined():
        return array_ops.broadcast_to(grad, x.shape.as_list())
    return array_ops.broadcast_to(grad, array_ops.shape(x))


def _rs_shape(inputs, attrs):
    return [((inputs[0].shape[0].value,), dtypes.int32)]


@register("ReducedShape", shape=_rs_shape, grad=NO_GRADIENT)
def _reduced_shape_kernel(ctx, shape, axes):
    out = np.array(shape, dtype=np.int32, copy=True)
    n = out.shape[0]
    for a in np.asarray(axes).reshape(-1):
        out[int(a) % builtins.max(n, 1)] = 1
    return out


def _reduced_shape(shape_t, axes_t):
    return apply("ReducedShape", [shape_t, axes_t], {}, "ReducedShape")


@register("Sum", shape=_reduction_shape, grad=_sum_grad)
def _sum_kernel(ctx, x, axes, keep_dims=False, out_dtype=None):
    return ctx.xp.sum(x, axis=_kernel_axes(x, axes), keepdims=keep_dims, dtype=x.dtype)


def _reduction_args(input_tensor, axis, keepdims, reduction_indices, keep_dims):
    if keep_dims is not None:
        keepdims = keep_dims
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if isinstance(input_tensor, (list, tuple)) and builtins.any(_is_tensorlike(v) for v in input_tensor):
        from . import array_ops

        input_tensor = array_ops.stack(input_tensor)
    x = convert_to_tensor(input_tensor)
    if axis is None:
        nd = x.shape.ndims
        if nd is not None:
            axes = constant(np.arange(nd, dtype=np.int32), name="Const")
        else:
            from . import array_ops

            axes = array_ops.range(0, array_ops.rank(x))
    elif _is_tensorlike(axis):
        axes = convert_to_tensor(axis)
    else:
        axes = constant(np.asarray(axis, dtype=np.int32), name="Const")
    return x, axes, bool(keepdims)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Sum over `axis` (all axes when None)."""
    x, axes, keep = _reduction_args(input_tensor, axis, keepdims, reduction_indices, keep_dims)
    return apply("Sum", [x, axes], {"keep_dims": keep}, name or "Sum")


# -- matmul -------------------------------------------------------------------------------------


def _matmul_shape(inputs, attrs):
    a, b = inputs
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(f"Input 'b' of 'MatMul' Op has type {b.dtype.base_dtype.name} that does not match type "
                        f"{a.dtype.base_dtype.name} of argument 'a'.")
    ta, tb = attrs["transpose_a"], attrs["transpose_b"]
    sa, sb = a.shape, b.shape
    for s in (sa, sb):
        if s.ndims is not None and s.ndims < 2:
            raise ValueError(f"Shape must be rank 2 but is rank {s.ndims}")
    if sa.ndims is None or sb.ndims is None:
        return [(TensorShape(None), a.dtype.base_dtype)]
    la, lb = sa.as_list(), sb.as_list()
    m, k1 = (la[-1], la[-2]) if ta else (la[-2], la[-1])
    k2, n = (lb[-1], lb[-2]) if tb else (lb[-2], lb[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_static(TensorShape(la[:-2]), TensorShape(lb[:-2])).as_list() if (len(la) > 2 or len(lb) > 2) else []
    return [(batch + [m, n], a.dtype.base_dtype)]


def _matmul_grad(op, grad):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:
        ga, gb = matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)
    elif not ta and tb:
        ga, gb = matmul(grad, b), matmul(grad, a, transpose_a=True)
    elif ta and not tb:
        ga, gb = matmul(b, grad, transpose_b=True), matmul(a, grad)
    else:
        ga, gb = matmul(b, grad, transpose_a=True, transpose_b=True), matmul(grad, a, transpose_a=True,
                                                                              transpose_b=True)
    if a.shape.ndims != 2 or b.shape.ndims != 2:
        ga, gb = unbroadcast(ga, a), unbroadcast(gb, b)
    return [ga, gb]


@register("MatMul", shape=_matmul_shape, grad=_matmul_grad)
def _matmul_kernel(ctx, a, b, transpose_a=False, transpose_b=False):
    xp = ctx.xp
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = xp.swapaxes(b, -1, -2)
    return xp.matmul(a, b)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, name=None) -> Tensor:
    """a @ b (rank ≥ 2; rank > 2 is batched); inner dimensions are checked at build time."""
    a = convert_to_tensor(a)
    b = convert_to_tensor(b)
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(f"Input 'b' of 'MatMul' Op has type {b.dtype.base_dtype.name} that does not match type "
                        f"{a.dtype.base_dtype.name} of argument 'a'.")
    attrs = {"transpose_a": bool(transpose_a or adjoint_a), "transpose_b": bool(transpose_b or adjoint_b)}
    op_type = "MatMul" if (a.shape.ndims in (2, None) and b.shape.ndims in (2, None)) else "BatchMatMulV2"
    if op_type == "BatchMatMulV2":
        return apply("BatchMatMulV2", [a, b], {"adj_x": attrs["transpose_a"], "adj_y": attrs["transpose_b"],
                                                "transpose_a": attrs["transpose_a"],
                                                "transpose_b": attrs["transpose_b"]}, name or "MatMul")
    return apply("MatMul", [a, b], attrs, name or "MatMul")


@register("BatchMatMulV2", shape=_matmul_shape, grad=_matmul_grad)
def _batch_matmul_kernel(ctx, a, b, transpose_a=False, transpose_b=False, adj_x=False, adj_y=False):
    return _matmul_kernel(ctx, a, b, transpose_a, transpose_b)


# -- operator dispatch (used by Tensor.__add__ etc.) ---------------------------------------------------

# key -> (function taking (x, y, name), default name scope)
_OPERATORS = {
    "add": (lambda x, y, name: apply("AddV2", [x, y], {}, name), "add"),
    "sub": (lambda x, y, name: apply("Sub", [x, y], {}, name), "sub"),
    "mul": (lambda x, y, name: apply("Mul", [x, y], {}, name), "mul"),
    "truediv": (lambda x, y, name: _truediv_impl(x, y, name), "truediv"),
    "matmul": (lambda x, y, name: matmul(x, y, name=name), "matmul"),
}


def _binary_operator(key, tensor, other, reverse):
    """`tensor <op> other` (or reversed): the non-tensor operand takes the tensor's dtype."""
    if key not in _OPERATORS:
        return NotImplemented
    fn, scope_name = _OPERATORS[key]
    with _graph.name_scope(None, scope_name, [tensor, other]) as scope:
        x = convert_to_tensor(tensor)
        if _is_tensorlike(other):
            y = convert_to_tensor(other)
        else:
            try:
                y = convert_to_tensor(other, dtype=x.dtype.base_dtype, name="y")
            except (TypeError, ValueError) as e:
                raise TypeError(f"Cannot convert {other!r} to a tensor of dtype {x.dtype.base_dtype.name} for the "
                                f"'{scope_name}' operator: {e}") from None
        if reverse:
            x, y = y, x
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"Input 'y' of '{scope_name}' Op has type {y.dtype.base_dtype.name} that does not "
                            f"match type {x.dtype.base_dtype.name} of argument 'x'.")
        return fn(x, y, scope)


# -- add_n ---------------------------------------------------------------------------------------------


def _add_n_shape(inputs, attrs):
    s = inputs[0].shape
    dt = inputs[0].dtype.base_dtype
    for t in inputs[1:]:
        if t.dtype.base_dtype != dt:
            raise TypeError(f"AddN inputs must all have dtype {dt.name}; got {t.dtype.base_dtype.name} for {t.name}")
        if not s.is_compatible_with(t.shape):
            raise ValueError(f"AddN inputs must have the same shape (no broadcasting); got {s} and {t.shape}")
        s = s.merge_with(t.shape)
    return [(s, dt)]


@register("AddN", shape=_add_n_shape, grad=lambda op, grad: [grad] * len(op.inputs))
def _add_n_kernel(ctx, *xs):
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0]
    for x in xs[2:]:
        out = out + x
    return out


def add_n(inputs, name=None) -> Tensor:
    """Elementwise sum of a list of tensors of the same shape and dtype (no broadcasting)."""
    if isinstance(inputs, Tensor) or not inputs:
        raise ValueError("inputs must be a non-empty list of tensors of the same shape and dtype")
    ts = [convert_to_tensor(t) for t in inputs]
    if len(ts) == 1:
        from .control_flow_ops import identity

        return identity(ts[0], name=name)
    return apply("AddN", ts, {}, name or "AddN")
