"""Elementwise math, comparisons, logic, casts and matmul (API.md §7, §9), with their gradients.

Binary ops broadcast like NumPy; their gradients undo broadcasting with the one
shared helper `unbroadcast`. Dtype rules of API.md §4.3: operator forms
(`a + 2`) convert the non-tensor operand to the tensor's dtype; function forms
(`tf.add(a, 2)`) convert left to right the way TF1's op builder does (the first
argument fixes the dtype, constants are named `<op>/<arg>`); two tensors of
different dtypes raise TypeError (no implicit promotion).

Reductions, scans and segment sums live in `reduction_ops`, clipping in
`clip_ops`, contractions and matrix ops in `linalg_ops`; their names are
re-exported here, as TF1's `math_ops` module does.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import backend as _backend
from ..backend import parallel as _parallel
from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape, broadcast_static
from .constant_op import constant_value, convert_to_tensor
from . import inplace
from .registry import NO_GRADIENT, apply, register

# -- dtype groups (TF1's allowed-type lists, in TF's order for messages) -------------------------------

FLOATS = ("bfloat16", "float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOAT_TYPES = FLOATS + COMPLEX
REAL_TYPES = FLOATS + INTS
NUMERIC_TYPES = REAL_TYPES + COMPLEX
BOOL_TYPES = ("bool",)
ALL_TYPES = NUMERIC_TYPES + ("bool", "string")


def check_dtype(t: Tensor, allowed, param: str = "x") -> None:
    """TypeError (TF1's wording) when `t`'s dtype is not in `allowed`."""
    dt = t.dtype.base_dtype
    if dt.name not in allowed:
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
                        f"values: {', '.join(allowed)}")


def _is_tensorlike(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


# -- building ops the way TF1's op builder does ----------------------------------------------------------


def convert_inputs(op_type: str, specs) -> list[Tensor]:
    """Converts op inputs left to right. `specs`: (value, arg_name, type_group or None, preferred dtype or None).

    Inputs in the same `type_group` share one dtype: the first one fixes it, later
    Python values are converted to it and later tensors must match it (TypeError,
    TF1's wording). The preferred dtype is tried first for a Python value (so an
    empty axis list `[]` is int32), falling back to its natural dtype.
    """
    fixed: dict = {}
    out = []
    for value, arg, group, preferred in specs:
        dt, src = fixed.get(group, (None, None)) if group is not None else (None, None)
        if _is_tensorlike(value):
            t = convert_to_tensor(value)
            if dt is not None and t.dtype.base_dtype != dt:
                raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {t.dtype.base_dtype.name} that does not "
                                f"match type {dt.name} of argument '{src}'.")
        elif dt is not None:
            try:
                t = convert_to_tensor(value, dtype=dt, name=arg)
            except TypeError as e:
                raise TypeError(f"Expected {dt.name} passed to parameter '{arg}' of op '{op_type}', got "
                                f"{value!r} of type '{type(value).__name__}' instead. Error: {e}") from None
            except ValueError:
                observed = convert_to_tensor(value).dtype.base_dtype.name
                raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {observed} that does not match type "
                                f"{dt.name} of argument '{src}'.") from None
        else:
            t = None
            if preferred is not None:
                try:
                    t = convert_to_tensor(value, dtype=preferred, name=arg)
                except (TypeError, ValueError):
                    t = None
            if t is None:
                t = convert_to_tensor(value, name=arg)
        if group is not None and dt is None:
            fixed[group] = (t.dtype.base_dtype, arg)
        out.append(t)
    return out


def build_op(op_type: str, default_name: str, name, specs, attrs=None):
    """Converts `specs` (see `convert_inputs`) inside the op's name scope and adds the op.

    Returns the op's output (or tuple of outputs). When every input already is a
    tensor, no scope is needed and the op is added directly.
    """
    values = [s[0] for s in specs]
    if builtins.all(isinstance(v, Tensor) for v in values):
        groups: dict = {}
        for v, arg, group, _ in specs:
            if group is None:
                continue
            if group in groups and v.dtype.base_dtype != groups[group][0]:
                dt, src = groups[group]
                raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {v.dtype.base_dtype.name} that does not "
                                f"match type {dt.name} of argument '{src}'.")
            groups.setdefault(group, (v.dtype.base_dtype, arg))
        return apply(op_type, values, attrs or {}, name or default_name)
    with _graph.name_scope(name, default_name, values) as scope:
        return apply(op_type, convert_inputs(op_type, specs), attrs or {}, scope)


def _binary(op_type, default_name, x, y, name, attrs=None):
    return build_op(op_type, default_name, name, [(x, "x", "T", None), (y, "y", "T", None)], attrs)


# -- the shared gradient helper -----------------------------------------------------------------


def _static_reduction_axes(x: TensorShape, g: TensorShape, other: TensorShape | None) -> list | None:
    """The axes of `g` (the broadcast of `x` with `other`) to sum over to undo `x`'s broadcasting, when the static
    shapes decide them; None when they depend on run-time sizes. An unknown dimension of `x` is known not to be
    broadcast when `other` lacks that axis or has size 1 there (the result then has `x`'s size)."""
    if x.ndims is None or g.ndims is None or g.ndims < x.ndims:
        return None
    xl, gl = x.as_list(), g.as_list()
    ol = other.as_list() if other is not None and other.ndims is not None else None
    lead = len(gl) - len(xl)
    axes = list(builtins.range(lead))
    for i, d in enumerate(xl):
        gd = gl[lead + i]
        if d == 1 and gd != 1:
            if gd is None:
                return None
            axes.append(lead + i)
        elif d is None:
            if ol is None:
                return None
            j = lead + i - (len(gl) - len(ol))
            if not (j < 0 or ol[j] == 1):
                return None
    return axes


def unbroadcast(grad: Tensor, x: Tensor, other: Tensor | TensorShape | None = None) -> Tensor:
    """Sums `grad` over the axes along which `x` was broadcast (against `other`, the op's other operand, when
    given), and reshapes it to `x`'s shape. Static shapes decide the axes where they can; else they are computed
    at run time (Shape, BroadcastGradientArgs)."""
    from . import array_ops

    if isinstance(other, Tensor):
        other = other.shape
    g_shape = grad.shape
    if other is not None:  # the gradient has the op's output shape: the broadcast of x with other
        try:
            g_shape = g_shape.merge_with(broadcast_static(x.shape, other))
        except ValueError:
            pass
    axes = _static_reduction_axes(x.shape, g_shape, other)
    if axes is not None:
        r = reduce_sum(grad, axis=axes) if axes else grad
        if x.shape.is_fully_defined():
            same = r.shape.ndims is not None and r.shape.as_list() == x.shape.as_list()
            return r if same else array_ops.reshape(r, x.shape.as_list())
        lead = g_shape.ndims - x.shape.ndims
        if all(a < lead for a in axes):
            return r  # only leading axes were summed: the result has x's shape
        return array_ops.reshape(r, array_ops.shape(x))
    sx = array_ops.shape(x)
    sg = array_ops.shape(grad)
    rx, _ = broadcast_gradient_args(sx, sg)
    return array_ops.reshape(reduce_sum(grad, rx), sx)


def _bga_shape(inputs, attrs):
    return [((None,), dtypes.int32), ((None,), dtypes.int32)]


@register("BroadcastGradientArgs", shape=_bga_shape, grad=NO_GRADIENT, cpu_only=True)
def _broadcast_gradient_args(ctx, s0, s1):
    s0 = [int(v) for v in np.asarray(s0).tolist()]
    s1 = [int(v) for v in np.asarray(s1).tolist()]
    n = builtins.max(len(s0), len(s1))
    a = [1] * (n - len(s0)) + s0
    b = [1] * (n - len(s1)) + s1
    r0 = [i for i in builtins.range(n) if a[i] == 1 and b[i] != 1 or i < n - len(s0)]
    r1 = [i for i in builtins.range(n) if b[i] == 1 and a[i] != 1 or i < n - len(s1)]
    return np.asarray(r0, dtype=np.int32), np.asarray(r1, dtype=np.int32)


def broadcast_gradient_args(s0, s1, name=None):
    """The axes to sum over to undo broadcasting shapes `s0` and `s1` against each other."""
    return apply("BroadcastGradientArgs", [convert_to_tensor(s0), convert_to_tensor(s1)], {},
                 name or "BroadcastGradientArgs")


# -- binary elementwise ops ---------------------------------------------------------------------------


def _binary_shape_fn(allowed, out_dtype=None):
    def fn(inputs, attrs):
        x, y = inputs
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"Input 'y' has type {y.dtype.base_dtype.name} that does not match type "
                            f"{x.dtype.base_dtype.name} of argument 'x'.")
        check_dtype(x, allowed)
        return [(broadcast_static(x.shape, y.shape), out_dtype or x.dtype.base_dtype)]

    return fn


def _add_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x, y), unbroadcast(grad, y, x)]


def _sub_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x, y), unbroadcast(negative(grad), y, x)]


def _mul_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(multiply(grad, y), x, y), unbroadcast(multiply(x, grad), y, x)]


def _realdiv_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad / y, x, y), unbroadcast(grad * (negative(x) / y / y), y, x)]


def _pow_grad(op, grad):
    """d(x^y)/dx = y·x^(y-1); d(x^y)/dy = x^y·log(x), taken as 0 where x <= 0 (TF1)."""
    from .array_ops import where, zeros_like

    x, y = op.inputs
    z = op.outputs[0]
    gx = grad * y * pow(x, y - 1)
    log_x = where(x > 0, log(x), zeros_like(x))
    gy = grad * z * log_x
    return [unbroadcast(gx, x, y), unbroadcast(gy, y, x)]


def _min_or_max_grad(op, grad, selector):
    """Routes the gradient to the input that won; on ties (x == y) the first input `x` gets it."""
    from .array_ops import where, zeros_like

    x, y = op.inputs
    xmask = selector(x, y)
    zeros = zeros_like(grad)
    return [unbroadcast(where(xmask, grad, zeros), x, y), unbroadcast(where(xmask, zeros, grad), y, x)]


def _squared_difference_grad(op, grad):
    x, y = op.inputs
    d = grad * (2.0 * (x - y))
    return [unbroadcast(d, x, y), unbroadcast(negative(d), y, x)]


def _floormod_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x, y), unbroadcast(grad * negative(floordiv(x, y)), y, x)]


def _atan2_grad(op, grad):
    y, x = op.inputs
    inv = reciprocal(square(x) + square(y))
    return [unbroadcast(grad * x * inv, y, x), unbroadcast(grad * negative(y) * inv, x, y)]


def _fold_binary(fn):
    """Build-time value of a binary op on small constants (TF1's shape inference evaluates such subgraphs, so
    e.g. `tf.range(tf.maximum(0, n_const))` has a static length)."""

    def const_value(op):
        a, b = (constant_value(t) for t in op.inputs)
        if a is None or b is None or np.size(a) > 1000 or np.size(b) > 1000:
            return None
        return np.asarray(fn(np.asarray(a), np.asarray(b))).astype(op.outputs[0].dtype.as_numpy_dtype)

    return const_value


def _add_kernel(ctx, x, y):
    return x + y


def _sub_kernel(ctx, x, y):
    return x - y


def _mul_kernel(ctx, x, y):
    return x * y


register("AddV2", shape=_binary_shape_fn(NUMERIC_TYPES + ("string",)), grad=_add_grad,
         const_value=_fold_binary(np.add),
         inplace=inplace.elementwise(_add_kernel, lambda xp: xp.add))(_add_kernel)
register("Sub", shape=_binary_shape_fn(NUMERIC_TYPES), grad=_sub_grad, const_value=_fold_binary(np.subtract),
         inplace=inplace.elementwise(_sub_kernel, lambda xp: xp.subtract))(_sub_kernel)
register("Mul", shape=_binary_shape_fn(NUMERIC_TYPES), grad=_mul_grad, const_value=_fold_binary(np.multiply),
         inplace=inplace.elementwise(_mul_kernel, lambda xp: xp.multiply))(_mul_kernel)


@register("RealDiv", shape=_binary_shape_fn(NUMERIC_TYPES), grad=_realdiv_grad)
def _realdiv_kernel(ctx, x, y):
    if x.dtype.kind in "iu":
        _check_nonzero(ctx, y)
        return trunc_div(ctx.xp, x, y)
    return x / y


def _check_nonzero(ctx, y):
    if not ctx.xp.all(y):
        raise errors.InvalidArgumentError(None, ctx.op, "Integer division by zero")


def trunc_div(xp, x, y):
    """Integer division rounding toward zero (C semantics, as TF's integer kernels use)."""
    q = xp.floor_divide(x, y)
    return q + ((q < 0) & (q * y != x)).astype(q.dtype)


@register("FloorDiv", shape=_binary_shape_fn(REAL_TYPES), grad=NO_GRADIENT)
def _floordiv_kernel(ctx, x, y):
    if x.dtype.kind in "iu":
        _check_nonzero(ctx, y)
    return ctx.xp.floor_divide(x, y)


@register("FloorMod", shape=_binary_shape_fn(REAL_TYPES), grad=_floormod_grad)
def _floormod_kernel(ctx, x, y):
    if x.dtype.kind in "iu":
        _check_nonzero(ctx, y)
    return ctx.xp.remainder(x, y)


@register("Pow", shape=_binary_shape_fn(("bfloat16", "float16", "float32", "float64", "int32", "int64") + COMPLEX),
          grad=_pow_grad)
def _pow_kernel(ctx, x, y):
    return ctx.xp.power(x, y)


@register("Maximum", shape=_binary_shape_fn(REAL_TYPES),
          grad=lambda op, g: _min_or_max_grad(op, g, greater_equal), const_value=_fold_binary(np.maximum))
def _maximum_kernel(ctx, x, y):
    return ctx.xp.maximum(x, y)


@register("Minimum", shape=_binary_shape_fn(REAL_TYPES),
          grad=lambda op, g: _min_or_max_grad(op, g, less_equal), const_value=_fold_binary(np.minimum))
def _minimum_kernel(ctx, x, y):
    return ctx.xp.minimum(x, y)


@register("SquaredDifference", shape=_binary_shape_fn(NUMERIC_TYPES), grad=_squared_difference_grad)
def _squared_difference_kernel(ctx, x, y):
    d = x - y
    return d * d


@register("Atan2", shape=_binary_shape_fn(FLOATS), grad=_atan2_grad)
def _atan2_kernel(ctx, y, x):
    return ctx.xp.arctan2(y, x)


def add(x, y, name=None) -> Tensor:
    """x + y, broadcasting (op type AddV2, default name `Add`)."""
    return _binary("AddV2", "Add", x, y, name)


def subtract(x, y, name=None) -> Tensor:
    """x - y, broadcasting."""
    return _binary("Sub", "Sub", x, y, name)


def multiply(x, y, name=None) -> Tensor:
    """x * y, broadcasting."""
    return _binary("Mul", "Mul", x, y, name)


def realdiv(x, y, name=None) -> Tensor:
    """x / y for floats (the RealDiv op)."""
    return _binary("RealDiv", "RealDiv", x, y, name)


def scalar_mul(scalar, x, name=None) -> Tensor:
    """scalar * x where `scalar` is 0-D."""
    x = convert_to_tensor(x)
    scalar = convert_to_tensor(scalar, dtype=x.dtype.base_dtype, name="scalar")
    if scalar.shape.ndims != 0:
        raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
    return multiply(scalar, x, name)


_TRUEDIV_TARGET = {"int8": dtypes.float32, "int16": dtypes.float32, "uint8": dtypes.float32,
                   "uint16": dtypes.float32, "int32": dtypes.float64, "int64": dtypes.float64}


def _truediv_python3(x, y, name):
    """TF1's true division: x and y must already share a dtype; small ints → float32, int32/64 → float64."""
    with _graph.name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype.base_dtype!r} != "
                            f"{y.dtype.base_dtype!r}")
        dt = x.dtype.base_dtype
        if dt.is_bool or dt == dtypes.string:
            raise TypeError(f"Invalid dtype {dt!r} in __truediv__")
        target = _TRUEDIV_TARGET.get(dt.name)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply("RealDiv", [x, y], {}, scope)


def truediv(x, y, name=None) -> Tensor:
    """x / y with Python 3 semantics; int8/16, uint8/16 → float32, int32/64 → float64 (API.md §4.5).

    Both arguments must have the same dtype (`tf.truediv(float_tensor, 2)` raises
    TypeError in TF1; the operator `float_tensor / 2` converts the 2).
    """
    return _truediv_python3(x, y, name)


def divide(x, y, name=None) -> Tensor:
    """Python-style `x / y`. Without `name` this is the operator (y takes x's dtype); with `name` it is
    `truediv`, which needs both dtypes to match (TF1)."""
    if name is not None:
        return _truediv_python3(x, y, name)
    return x / y


def div(x, y, name=None) -> Tensor:
    """Python 2 division: floor division for integers, true division for floats (default name `div`)."""
    with _graph.name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype) if not _is_tensorlike(y) else \
            convert_to_tensor(y)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype.base_dtype!r} != "
                            f"{y.dtype.base_dtype!r}")
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return apply("RealDiv", [x, y], {}, scope)
        return apply("FloorDiv", [x, y], {}, scope)


def div_no_nan(x, y, name=None) -> Tensor:
    """x / y, but 0 wherever y == 0 (floats)."""
    from .array_ops import ones_like, where_v2, zeros_like

    with _graph.name_scope(name, "div_no_nan", [x, y]) as scope:
        x, y = convert_inputs("DivNoNan", [(x, "x", "T", None), (y, "y", "T", None)])
        check_dtype(x, FLOAT_TYPES)
        is_zero = equal(y, zeros_like(y))
        quotient = x / where_v2(is_zero, ones_like(y), y)
        return where_v2(is_zero, zeros_like(quotient), quotient, name=scope)


def floordiv(x, y, name=None) -> Tensor:
    """⌊x / y⌋ elementwise (integer division by zero raises InvalidArgumentError); default name `floordiv`."""
    with _graph.name_scope(name, "floordiv", [x, y]) as scope:
        x, y = convert_inputs("FloorDiv", [(x, "x", "T", None), (y, "y", "T", None)])
        return apply("FloorDiv", [x, y], {}, scope)


def floor_div(x, y, name=None) -> Tensor:
    """The raw FloorDiv op (default name `FloorDiv`)."""
    return _binary("FloorDiv", "FloorDiv", x, y, name)


def floormod(x, y, name=None) -> Tensor:
    """x mod y with the sign of the divisor, like Python's `%` (default name `FloorMod`)."""
    return _binary("FloorMod", "FloorMod", x, y, name)


mod = floormod


def pow(x, y, name=None) -> Tensor:  # noqa: A001 - TF1's name
    """x ** y elementwise (default name `Pow`); integers to negative powers fail at run time."""
    with _graph.name_scope(name, "Pow", [x]) as scope:
        x, y = convert_inputs("Pow", [(x, "x", "T", None), (y, "y", "T", None)])
        return apply("Pow", [x, y], {}, scope)


def maximum(x, y, name=None) -> Tensor:
    """Elementwise max(x, y). Gradient: to x where x >= y (ties go to the first argument), else to y."""
    return _binary("Maximum", "Maximum", x, y, name)


def minimum(x, y, name=None) -> Tensor:
    """Elementwise min(x, y). Gradient: to x where x <= y (ties go to the first argument), else to y."""
    return _binary("Minimum", "Minimum", x, y, name)


def squared_difference(x, y, name=None) -> Tensor:
    """(x - y)² elementwise."""
    return _binary("SquaredDifference", "SquaredDifference", x, y, name)


def atan2(y, x, name=None) -> Tensor:
    """Elementwise arctan(y / x) in the right quadrant."""
    return build_op("Atan2", "Atan2", name, [(y, "y", "T", None), (x, "x", "T", None)])


# -- unary elementwise ops --------------------------------------------------------------------------


def _unary_shape_fn(allowed, out_dtype=None):
    def fn(inputs, attrs):
        x = inputs[0]
        check_dtype(x, allowed)
        return [(x.shape, out_dtype(x.dtype.base_dtype) if out_dtype else x.dtype.base_dtype)]

    return fn


def _unary(op_type, x, name):
    if isinstance(x, Tensor):
        return apply(op_type, [x], {}, name or op_type)
    if hasattr(x, "_as_tensor"):
        return apply(op_type, [convert_to_tensor(x)], {}, name or op_type)
    with _graph.name_scope(name, op_type, [x]) as scope:
        return apply(op_type, [convert_to_tensor(x, name="x")], {}, scope)


def _register_unary(op_type, kernel, allowed, grad, out_dtype=None):
    register(op_type, shape=_unary_shape_fn(allowed, out_dtype), grad=grad)(kernel)


def _xp_kernel(fname):
    def kernel(ctx, x):
        return getattr(ctx.xp, fname)(x)

    kernel.__name__ = f"_{fname}_kernel"
    return kernel


def _real_dtype(dt):
    return {"complex64": dtypes.float32, "complex128": dtypes.float64}.get(dt.name, dt)


# Fused gradient ops (TF1's TanhGrad & co.): one kernel per backward step, themselves differentiable.
def _tanh_grad_grad(op, g):
    y, dy = op.inputs
    return [g * -2.0 * dy * y, tanh_grad(y, g)]


def _sigmoid_grad_grad(op, g):
    y, dy = op.inputs
    gb = g * dy
    return [gb - 2.0 * gb * y, sigmoid_grad(y, g)]


def _sqrt_grad_grad(op, g):
    y, dy = op.inputs
    f = op.outputs[0]
    return [negative(g * f / y), g * 0.5 / y]


def _rsqrt_grad_grad(op, g):
    y, dy = op.inputs
    return [g * -1.5 * dy * square(y), rsqrt_grad(y, g)]


def _reciprocal_grad_grad(op, g):
    y, dy = op.inputs
    return [g * -2.0 * dy * y, reciprocal_grad(y, g)]


def _grad_op_shape(inputs, attrs):
    y, dy = inputs
    if y.dtype.base_dtype != dy.dtype.base_dtype:
        raise TypeError(f"Input 'dy' has type {dy.dtype.base_dtype.name} that does not match type "
                        f"{y.dtype.base_dtype.name} of argument 'y'.")
    return [(y.shape.merge_with(dy.shape) if y.shape.is_compatible_with(dy.shape) else y.shape,
             y.dtype.base_dtype)]


@register("TanhGrad", shape=_grad_op_shape, grad=_tanh_grad_grad)
def _tanh_grad_kernel(ctx, y, dy):
    return dy * (1 - y * y)


@register("SigmoidGrad", shape=_grad_op_shape, grad=_sigmoid_grad_grad)
def _sigmoid_grad_kernel(ctx, y, dy):
    return dy * (y * (1 - y))


@register("SqrtGrad", shape=_grad_op_shape, grad=_sqrt_grad_grad)
def _sqrt_grad_kernel(ctx, y, dy):
    return dy * 0.5 / y


@register("RsqrtGrad", shape=_grad_op_shape, grad=_rsqrt_grad_grad)
def _rsqrt_grad_kernel(ctx, y, dy):
    return dy * (-0.5 * y * y * y)


@register("ReciprocalGrad", shape=_grad_op_shape, grad=_reciprocal_grad_grad)
def _reciprocal_grad_kernel(ctx, y, dy):
    return -dy * (y * y)


def tanh_grad(y, dy, name=None) -> Tensor:
    """dy · (1 − y²), the gradient of tanh given its output y."""
    return apply("TanhGrad", [y, dy], {}, name or "TanhGrad")


def sigmoid_grad(y, dy, name=None) -> Tensor:
    """dy · y · (1 − y), the gradient of sigmoid given its output y."""
    return apply("SigmoidGrad", [y, dy], {}, name or "SigmoidGrad")


def sqrt_grad(y, dy, name=None) -> Tensor:
    """dy · 0.5 / y, the gradient of sqrt given its output y."""
    return apply("SqrtGrad", [y, dy], {}, name or "SqrtGrad")


def rsqrt_grad(y, dy, name=None) -> Tensor:
    """dy · (−0.5 · y³), the gradient of rsqrt given its output y."""
    return apply("RsqrtGrad", [y, dy], {}, name or "RsqrtGrad")


def reciprocal_grad(y, dy, name=None) -> Tensor:
    """−dy · y², the gradient of 1/x given its output y."""
    return apply("ReciprocalGrad", [y, dy], {}, name or "ReciprocalGrad")


def _x(op):
    return op.inputs[0]


def _sigmoid_kernel(ctx, x):
    # exp(-x) overflows to inf for very negative x, giving the right limit 0; only NumPy's warning is silenced.
    with np.errstate(over="ignore"):
        return 1 / (1 + ctx.xp.exp(-x))


def _rsqrt_kernel(ctx, x):
    return 1 / ctx.xp.sqrt(x)


def _square_kernel(ctx, x):
    return x * x


def _neg_kernel(ctx, x):
    return -x


def _reciprocal_kernel(ctx, x):
    if x.dtype.kind in "iu":  # 1 / x truncated: x for ±1, else 0
        _check_nonzero(ctx, x)
        return (ctx.xp.abs(x) == 1).astype(x.dtype) * x
    return 1 / x


def _round_kernel(ctx, x):
    return ctx.xp.round(x)


def _erf_kernel(ctx, x):
    return erf_array(ctx.xp, x)


def _erfc_kernel(ctx, x):
    return 1 - erf_array(ctx.xp, x)


_SQRT_PI_INV2 = 2.0 / np.sqrt(np.pi)

_UNARY_FLOAT = {
    # op type: (kernel, gradient)
    "Exp": (_xp_kernel("exp"), lambda op, g: [g * op.outputs[0]]),
    "Expm1": (_xp_kernel("expm1"), lambda op, g: [g * exp(_x(op))]),
    "Log": (_xp_kernel("log"), lambda op, g: [g * reciprocal(_x(op))]),
    "Log1p": (_xp_kernel("log1p"), lambda op, g: [g * reciprocal(1 + _x(op))]),
    "Sqrt": (_xp_kernel("sqrt"), lambda op, g: [sqrt_grad(op.outputs[0], g)]),
    "Rsqrt": (_rsqrt_kernel, lambda op, g: [rsqrt_grad(op.outputs[0], g)]),
    "Tanh": (_xp_kernel("tanh"), lambda op, g: [tanh_grad(op.outputs[0], g)]),
    "Sigmoid": (_sigmoid_kernel, lambda op, g: [sigmoid_grad(op.outputs[0], g)]),
    "Sin": (_xp_kernel("sin"), lambda op, g: [g * cos(_x(op))]),
    "Cos": (_xp_kernel("cos"), lambda op, g: [negative(g * sin(_x(op)))]),
    "Tan": (_xp_kernel("tan"), lambda op, g: [g * square(reciprocal(cos(_x(op))))]),
    "Asin": (_xp_kernel("arcsin"), lambda op, g: [g * rsqrt(1 - square(_x(op)))]),
    "Acos": (_xp_kernel("arccos"), lambda op, g: [negative(g * rsqrt(1 - square(_x(op))))]),
    "Atan": (_xp_kernel("arctan"), lambda op, g: [g * reciprocal(1 + square(_x(op)))]),
    "Sinh": (_xp_kernel("sinh"), lambda op, g: [g * cosh(_x(op))]),
    "Cosh": (_xp_kernel("cosh"), lambda op, g: [g * sinh(_x(op))]),
    "Erf": (_erf_kernel, lambda op, g: [g * (_SQRT_PI_INV2 * exp(negative(square(_x(op)))))]),
    "Erfc": (_erfc_kernel, lambda op, g: [g * (-_SQRT_PI_INV2 * exp(negative(square(_x(op)))))]),
}
for _t, (_k, _g) in _UNARY_FLOAT.items():
    _allowed = FLOATS if _t in ("Erf", "Erfc") else FLOAT_TYPES
    _register_unary(_t, _k, _allowed, _g)

_register_unary("Floor", _xp_kernel("floor"), FLOATS, NO_GRADIENT)
_register_unary("Ceil", _xp_kernel("ceil"), FLOATS, NO_GRADIENT)
_register_unary("Round", _round_kernel, FLOATS + INTS, NO_GRADIENT)
_register_unary("Rint", _xp_kernel("rint"), FLOATS, NO_GRADIENT)
_register_unary("Sign", _xp_kernel("sign"), NUMERIC_TYPES, NO_GRADIENT)
_register_unary("Square", _square_kernel, NUMERIC_TYPES, lambda op, g: [g * (2.0 * _x(op))])
_register_unary("Neg", _neg_kernel, NUMERIC_TYPES, lambda op, g: [negative(g)])
_register_unary("Reciprocal", _reciprocal_kernel, NUMERIC_TYPES,
                lambda op, g: [reciprocal_grad(op.outputs[0], g)])
_register_unary("Abs", _xp_kernel("abs"), REAL_TYPES, lambda op, g: [g * sign(_x(op))])
_register_unary("ComplexAbs", _xp_kernel("abs"), COMPLEX, NO_GRADIENT, out_dtype=_real_dtype)
_register_unary("IsNan", _xp_kernel("isnan"), FLOATS, NO_GRADIENT, out_dtype=lambda dt: dtypes.bool_)
_register_unary("IsInf", _xp_kernel("isinf"), FLOATS, NO_GRADIENT, out_dtype=lambda dt: dtypes.bool_)
_register_unary("IsFinite", _xp_kernel("isfinite"), FLOATS, NO_GRADIENT, out_dtype=lambda dt: dtypes.bool_)


def exp(x, name=None) -> Tensor:
    """eˣ elementwise (floats only)."""
    return _unary("Exp", x, name)


def expm1(x, name=None) -> Tensor:
    """eˣ − 1, accurate near 0."""
    return _unary("Expm1", x, name)


def log(x, name=None) -> Tensor:
    """Natural log; log(0) = −inf, log(<0) = NaN (IEEE, no clipping)."""
    return _unary("Log", x, name)


def log1p(x, name=None) -> Tensor:
    """log(1 + x), accurate near 0."""
    return _unary("Log1p", x, name)


def sqrt(x, name=None) -> Tensor:
    """√x; its gradient at 0 is inf."""
    return _unary("Sqrt", x, name)


def rsqrt(x, name=None) -> Tensor:
    """1 / √x."""
    return _unary("Rsqrt", x, name)


def tanh(x, name=None) -> Tensor:
    """Hyperbolic tangent (floats only); gradient 1 − tanh²."""
    return _unary("Tanh", x, name)


def sigmoid(x, name=None) -> Tensor:
    """1 / (1 + e⁻ˣ), computed stably (floats only); gradient σ(1 − σ)."""
    return _unary("Sigmoid", x, name)


def sin(x, name=None) -> Tensor:
    return _unary("Sin", x, name)


def cos(x, name=None) -> Tensor:
    return _unary("Cos", x, name)


def tan(x, name=None) -> Tensor:
    return _unary("Tan", x, name)


def asin(x, name=None) -> Tensor:
    return _unary("Asin", x, name)


def acos(x, name=None) -> Tensor:
    return _unary("Acos", x, name)


def atan(x, name=None) -> Tensor:
    return _unary("Atan", x, name)


def sinh(x, name=None) -> Tensor:
    return _unary("Sinh", x, name)


def cosh(x, name=None) -> Tensor:
    return _unary("Cosh", x, name)


def erf(x, name=None) -> Tensor:
    """The Gauss error function (float16/32/64)."""
    return _unary("Erf", x, name)


def erfc(x, name=None) -> Tensor:
    """1 − erf(x)."""
    return _unary("Erfc", x, name)


def floor(x, name=None) -> Tensor:
    """Largest integer ≤ x (floats; no gradient)."""
    return _unary("Floor", x, name)


def ceil(x, name=None) -> Tensor:
    """Smallest integer ≥ x (floats; no gradient)."""
    return _unary("Ceil", x, name)


def round(x, name=None) -> Tensor:  # noqa: A001 - TF1's name
    """Rounds half to even (banker's rounding); integer tensors are returned unchanged. No gradient."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.base_dtype.is_integer:
        return x
    return apply("Round", [x], {}, name or "Round")


def rint(x, name=None) -> Tensor:
    """Rounds half to even (floats)."""
    return _unary("Rint", x, name)


def sign(x, name=None) -> Tensor:
    """−1, 0 or 1 elementwise (no gradient)."""
    return _unary("Sign", x, name)


def square(x, name=None) -> Tensor:
    """x² elementwise."""
    return _unary("Square", x, name)


def negative(x, name=None) -> Tensor:
    """−x elementwise (default name `Neg`)."""
    return _unary("Neg", x, name)


def reciprocal(x, name=None) -> Tensor:
    """1 / x elementwise."""
    return _unary("Reciprocal", x, name)


def abs(x, name=None) -> Tensor:  # noqa: A001 - TF1's name
    """|x| elementwise; complex inputs give their real-valued magnitude. Gradient sign(x) (0 at 0)."""
    with _graph.name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype.is_complex:
            return apply("ComplexAbs", [x], {}, scope)
        return apply("Abs", [x], {}, scope)


def is_nan(x, name=None) -> Tensor:
    return _unary("IsNan", x, name)


def is_inf(x, name=None) -> Tensor:
    return _unary("IsInf", x, name)


def is_finite(x, name=None) -> Tensor:
    return _unary("IsFinite", x, name)


# -- erf without SciPy --------------------------------------------------------------------------------

# Chebyshev coefficients of erfc(z), z >= 0 (Numerical Recipes, 3rd ed., §6.2.2); |error| < 1.2e-16.
_ERFC_COF = (-1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
             -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
             -1.624290004647e-6, 1.303655835580e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
             5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12,
             8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16,
             -2.8e-17)


def erf_array(xp, x):
    """erf for an array of any float dtype, computed in float64: a Taylor series for |x| < 0.5 (keeps relative
    accuracy near 0) and the Chebyshev erfc fit elsewhere."""
    z = xp.abs(x.astype(np.float64))
    t = 2.0 / (2.0 + z)
    ty = 4.0 * t - 2.0
    d = xp.zeros_like(z)
    dd = xp.zeros_like(z)
    for c in _ERFC_COF[:0:-1]:
        d, dd = ty * d - dd + c, d
    far = 1.0 - t * xp.exp(-z * z + 0.5 * (_ERFC_COF[0] + ty * d) - dd)
    z2 = z * z
    term = z.copy()
    near = z.copy()
    for n in builtins.range(1, 14):  # Σ (−1)ⁿ z^(2n+1) / (n! (2n+1))
        term = term * (-z2 / n)
        near = near + term / (2 * n + 1)
    near = near * _SQRT_PI_INV2
    r = xp.where(z < 0.5, near, far)
    return xp.copysign(r, x.astype(np.float64)).astype(x.dtype)


# -- comparisons and logic ------------------------------------------------------------------------------

_cmp_shape = _binary_shape_fn(REAL_TYPES, dtypes.bool_)
_eq_shape = _binary_shape_fn(ALL_TYPES, dtypes.bool_)
_logic_shape = _binary_shape_fn(BOOL_TYPES)


def _eq_kernel_fn(fname):
    def kernel(ctx, x, y):
        r = getattr(ctx.xp, fname)(x, y)
        return r if r.dtype == np.bool_ else r.astype(np.bool_)

    return kernel


register("Equal", shape=_eq_shape, grad=NO_GRADIENT)(_eq_kernel_fn("equal"))
register("NotEqual", shape=_eq_shape, grad=NO_GRADIENT)(_eq_kernel_fn("not_equal"))
for _t, _f in (("Less", "less"), ("LessEqual", "less_equal"), ("Greater", "greater"),
               ("GreaterEqual", "greater_equal")):
    register(_t, shape=_cmp_shape, grad=NO_GRADIENT)((lambda f: lambda ctx, x, y: getattr(ctx.xp, f)(x, y))(_f))
register("LogicalAnd", shape=_logic_shape, grad=NO_GRADIENT)(lambda ctx, x, y: ctx.xp.logical_and(x, y))
register("LogicalOr", shape=_logic_shape, grad=NO_GRADIENT)(lambda ctx, x, y: ctx.xp.logical_or(x, y))
_register_unary("LogicalNot", lambda ctx, x: ctx.xp.logical_not(x), BOOL_TYPES, NO_GRADIENT)


def equal(x, y, name=None) -> Tensor:
    """x == y elementwise (bool, broadcasting; any dtype). `==` on tensors stays Python identity."""
    return _binary("Equal", "Equal", x, y, name)


def not_equal(x, y, name=None) -> Tensor:
    return _binary("NotEqual", "NotEqual", x, y, name)


def less(x, y, name=None) -> Tensor:
    """x < y elementwise (bool). The operator `a < b` builds this op too (default name `Less`)."""
    return _binary("Less", "Less", x, y, name)


def less_equal(x, y, name=None) -> Tensor:
    return _binary("LessEqual", "LessEqual", x, y, name)


def greater(x, y, name=None) -> Tensor:
    return _binary("Greater", "Greater", x, y, name)


def greater_equal(x, y, name=None) -> Tensor:
    return _binary("GreaterEqual", "GreaterEqual", x, y, name)


def logical_and(x, y, name=None) -> Tensor:
    """x AND y for bool tensors."""
    return _binary("LogicalAnd", "LogicalAnd", x, y, name)


def logical_or(x, y, name=None) -> Tensor:
    return _binary("LogicalOr", "LogicalOr", x, y, name)


def logical_not(x, name=None) -> Tensor:
    return _unary("LogicalNot", x, name)


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """(x OR y) AND NOT (x AND y), built from three ops as TF1 does."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# -- cast -----------------------------------------------------------------------------------------------


def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    dst = op.outputs[0].dtype.base_dtype
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):
        return [cast(grad, src)]
    return [None]


def _cast_shape(inputs, attrs):
    src, dst = inputs[0].dtype.base_dtype, attrs["DstT"]
    if (src == dtypes.string) != (dst == dtypes.string):
        raise TypeError(f"Cast {src.name} to {dst.name} is not supported")
    return [(inputs[0].shape, dst)]


def _cast_const(op):
    v = constant_value(op.inputs[0])
    return None if v is None else np.asarray(v).astype(op.get_attr("DstT").as_numpy_dtype)


@register("Cast", shape=_cast_shape, grad=_cast_grad, const_value=_cast_const)
def _cast_kernel(ctx, x, DstT, SrcT=None, Truncate=False):
    return x.astype(DstT.as_numpy_dtype, copy=False)


def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype` (float→int truncates toward zero; bool→float gives 1.0/0.0).

    A tensor that already has `dtype` is returned as is (no op). Float↔float casts
    pass the gradient through; casts to or from ints and bools have none.
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype.base_dtype == dt:
        return x
    with _graph.name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == dt:
            return x
        return apply("Cast", [x], {"DstT": dt, "SrcT": x.dtype.base_dtype, "Truncate": False}, scope)


def to_float(x, name="ToFloat") -> Tensor:
    """cast(x, float32)."""
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble") -> Tensor:
    """cast(x, float64)."""
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32") -> Tensor:
    """cast(x, int32)."""
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64") -> Tensor:
    """cast(x, int64)."""
    return cast(x, dtypes.int64, name=name)


def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts with clamping to `dtype`'s range first, so out-of-range values saturate instead of wrapping."""
    with _graph.name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dt = dtypes.as_dtype(dtype).base_dtype
        src = value.dtype.base_dtype
        if src.min < dt.min:
            value = maximum(value, convert_to_tensor(np.asarray(dt.min).astype(src.as_numpy_dtype), name="min"))
        if src.max > dt.max:
            value = minimum(value, convert_to_tensor(np.asarray(dt.max).astype(src.as_numpy_dtype), name="max"))
        return cast(value, dt, name=scope)


# -- matmul -------------------------------------------------------------------------------------------


def _matmul_shape(inputs, attrs):
    a, b = inputs
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(f"Input 'b' of 'MatMul' Op has type {b.dtype.base_dtype.name} that does not match type "
                        f"{a.dtype.base_dtype.name} of argument 'a'.")
    check_dtype(a, NUMERIC_TYPES, "a")
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
    batch = broadcast_static(TensorShape(la[:-2]), TensorShape(lb[:-2])).as_list() if (len(la) > 2 or len(lb) > 2) \
        else []
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


@register("MatMul", shape=_matmul_shape, grad=_matmul_grad, fresh_output=True)
def _matmul_kernel(ctx, a, b, transpose_a=False, transpose_b=False):
    xp = ctx.xp
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = xp.swapaxes(b, -1, -2)
    if xp is np:
        macs = builtins.max(a.size * b.shape[-1], b.size * a.shape[-2])
        _backend.cpu_matmul_threads(macs)
        if a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype and a.dtype.kind == "f":
            parts = _parallel.gemm_parts(builtins.max(a.shape[0], b.shape[1]), macs)
            if parts > 1:
                return _matmul_in_parts(a, b, parts)
    return xp.matmul(a, b)


def _matmul_in_parts(a, b, parts: int):
    """a @ b (2-D, CPU) as `parts` GEMMs on threads: blocks of a's rows, or of b's columns when a has few rows."""
    out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    by_rows = a.shape[0] >= 16 * parts
    blocks = _parallel.part_slices(a.shape[0] if by_rows else b.shape[1], parts)

    def run(p):
        if by_rows:
            np.matmul(a[blocks[p]], b, out=out[blocks[p]])
        else:
            out[:, blocks[p]] = np.matmul(a, b[:, blocks[p]])

    _parallel.run_parts(run, len(blocks))
    return out


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, name=None) -> Tensor:
    """a @ b (rank ≥ 2; rank > 2 is batched); inner dimensions are checked at build time.

    Each argument is converted on its own, so `tf.matmul(float64_array, W32)` raises TypeError.
    """
    with _graph.name_scope(name, "MatMul", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        if a.dtype.base_dtype != b.dtype.base_dtype:
            raise TypeError(f"Input 'b' of 'MatMul' Op has type {b.dtype.base_dtype.name} that does not match type "
                            f"{a.dtype.base_dtype.name} of argument 'a'.")
        attrs = {"transpose_a": bool(transpose_a or adjoint_a), "transpose_b": bool(transpose_b or adjoint_b)}
        if a.shape.ndims in (2, None) and b.shape.ndims in (2, None):
            return apply("MatMul", [a, b], attrs, scope)
        return apply("BatchMatMulV2", [a, b], attrs, scope)


@register("BatchMatMulV2", shape=_matmul_shape, grad=_matmul_grad)
def _batch_matmul_kernel(ctx, a, b, transpose_a=False, transpose_b=False):
    return _matmul_kernel(ctx, a, b, transpose_a, transpose_b)


# -- operator dispatch (Tensor.__add__ etc.) --------------------------------------------------------------

# key -> (builder taking (x, y, name) with converted tensors, default name scope)
_OPERATORS = {
    "add": (lambda x, y, name: apply("AddV2", [x, y], {}, name), "add"),
    "sub": (lambda x, y, name: apply("Sub", [x, y], {}, name), "sub"),
    "mul": (lambda x, y, name: apply("Mul", [x, y], {}, name), "mul"),
    "truediv": (lambda x, y, name: _truediv_python3(x, y, name), "truediv"),
    "floordiv": (lambda x, y, name: floordiv(x, y, name=name), "floordiv"),
    "mod": (lambda x, y, name: floormod(x, y, name=name), "mod"),
    "pow": (lambda x, y, name: pow(x, y, name=name), "pow"),
    "matmul": (lambda x, y, name: matmul(x, y, name=name), "matmul"),
    "and": (lambda x, y, name: logical_and(x, y, name=name), "and"),
    "or": (lambda x, y, name: logical_or(x, y, name=name), "or"),
    "xor": (lambda x, y, name: logical_xor(x, y, name=name), "xor"),
}

# Comparison operators call the op function directly (TF1): `a < 2` is an op named `Less`.
_COMPARISONS = {"less": less, "less_equal": less_equal, "greater": greater, "greater_equal": greater_equal}


def _binary_operator(key, tensor, other, reverse):
    """`tensor <op> other` (or `other <op> tensor`): the non-tensor operand takes the tensor's dtype."""
    cmp = _COMPARISONS.get(key)
    if cmp is not None:
        return cmp(tensor, other)
    entry = _OPERATORS.get(key)
    if entry is None:
        return NotImplemented
    fn, scope_name = entry
    with _graph.name_scope(None, scope_name, [tensor, other]) as scope:
        t = convert_to_tensor(tensor)
        if _is_tensorlike(other):
            o = convert_to_tensor(other)
        else:
            o = convert_to_tensor(other, dtype=t.dtype.base_dtype, name="x" if reverse else "y")
        x, y = (o, t) if reverse else (t, o)
        return fn(x, y, scope)


# -- add_n ---------------------------------------------------------------------------------------------


def _add_n_shape(inputs, attrs):
    s = inputs[0].shape
    dt = inputs[0].dtype.base_dtype
    for t in inputs[1:]:
        if t.dtype.base_dtype != dt:
            raise TypeError(f"Tensors in list passed to 'inputs' of 'AddN' Op have types "
                            f"[{', '.join(i.dtype.base_dtype.name for i in inputs)}] that don't all match.")
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
    if isinstance(inputs, Tensor) or not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and shape")
    ts = [convert_to_tensor(t) for t in inputs]
    if len(ts) == 1:
        if name:
            from .control_flow_ops import identity

            return identity(ts[0], name=name)
        return ts[0]
    return apply("AddN", ts, {}, name or "AddN")


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None) -> Tensor:
    """Same as add_n (TF1's variant differs only in memory use)."""
    return add_n(inputs, name=name)


# -- sequences: range and linspace ----------------------------------------------------------------------

_RANGE_ORDER = ("int32", "int64", "float32", "float64")


def _range_shape(inputs, attrs):
    start, limit, delta = (constant_value(t) for t in inputs)
    dt = inputs[0].dtype.base_dtype
    for t in inputs:
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims}")
    if start is None or limit is None or delta is None:
        return [((None,), dt)]
    start, limit, delta = (np.asarray(v).item() for v in (start, limit, delta))
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise ValueError(f"Requires start <= limit when delta > 0: {start}/{limit}" if delta > 0 else
                         f"Requires start >= limit when delta < 0: {start}/{limit}")
    n = int(np.ceil(builtins.abs((limit - start) / delta))) if dt.is_floating else \
        (builtins.abs(limit - start) + builtins.abs(delta) - 1) // builtins.abs(delta)
    return [((n,), dt)]


@register("Range", shape=_range_shape, grad=NO_GRADIENT)
def _range_kernel(ctx, start, limit, delta, Tidx=None):
    s, lim, d = start.item(), limit.item(), delta.item()
    if d == 0:
        raise errors.InvalidArgumentError(None, ctx.op, "Requires delta != 0: 0")
    if (d > 0 and s > lim) or (d < 0 and s < lim):
        raise errors.InvalidArgumentError(None, ctx.op, f"Requires start <= limit when delta > 0: {s}/{lim}"
                                          if d > 0 else f"Requires start >= limit when delta < 0: {s}/{lim}")
    return ctx.xp.arange(s, lim, d, dtype=start.dtype)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 - TF1's name
    """[start, start+delta, …) up to `limit` (excluded); `range(n)` is 0..n−1.

    dtype: int32 for int arguments, float32 if any argument is a float (API.md §4.5).
    """
    if limit is None:
        start, limit = 0, start
    with _graph.name_scope(name, "Range", [start, limit, delta]) as scope:
        ts = [convert_to_tensor(v, dtype=dtype, name=n) if not _is_tensorlike(v) else convert_to_tensor(v)
              for v, n in ((start, "start"), (limit, "limit"), (delta, "delta"))]
        if dtype is None:
            for t in ts:
                if t.dtype.base_dtype.name not in _RANGE_ORDER:
                    raise TypeError(f"Range arguments must be int32, int64, float32 or float64; got "
                                    f"{t.dtype.base_dtype.name}")
            inferred = builtins.max((t.dtype.base_dtype for t in ts), key=lambda d: _RANGE_ORDER.index(d.name))
            ts = [cast(t, inferred) for t in ts]
        return apply("Range", ts, {"Tidx": ts[0].dtype.base_dtype}, scope)


def _linspace_shape(inputs, attrs):
    start, stop, num = inputs
    for t, n in ((start, "start"), (stop, "stop")):
        check_dtype(t, ("bfloat16", "float32", "float64"), n)
    if start.dtype.base_dtype != stop.dtype.base_dtype:
        raise TypeError(f"Input 'stop' of 'LinSpace' Op has type {stop.dtype.base_dtype.name} that does not match "
                        f"type {start.dtype.base_dtype.name} of argument 'start'.")
    check_dtype(num, ("int32", "int64"), "num")
    n = constant_value(num)
    return [((None if n is None else int(n),), start.dtype.base_dtype)]


@register("LinSpace", shape=_linspace_shape, grad=NO_GRADIENT)
def _linspace_kernel(ctx, start, stop, num):
    n = int(num)
    if n <= 0:
        raise errors.InvalidArgumentError(None, ctx.op, f"Requires num > 0: {n}")
    return ctx.xp.linspace(start.item(), stop.item(), n, dtype=start.dtype)


def linspace(start, stop, num, name=None) -> Tensor:
    """`num` evenly spaced floats from `start` to `stop`, both included. Integer start/stop raise TypeError."""
    return build_op("LinSpace", "LinSpace", name, [(start, "start", "T", None), (stop, "stop", "T", None),
                                                   (num, "num", None, None)])


lin_space = linspace


# Reductions, scans, clipping and linear algebra live in their own modules; TF1's math_ops exports them too.
from .reduction_ops import *  # noqa: E402,F401,F403
from .clip_ops import *  # noqa: E402,F401,F403
from .linalg_ops import einsum, matrix_determinant, matrix_inverse, matrix_solve, tensordot, trace  # noqa: E402,F401
from .reduction_ops import (cumprod, cumsum, reduce_sum, scatter_add_into, segment_sum,  # noqa: E402,F401
                            unsorted_segment_sum)
