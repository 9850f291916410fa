"""Debugging ops: Print, check_numerics, add_check_numerics_ops, Assert and the assert_* family, py_func (API.md §9).

Values in messages are summarized as TF's C++ kernels do: the first
`summarize` elements in nested brackets, then "...". For example a 2×3 matrix
with summarize=3 prints `[[1 2 3]...]`.
"""

from __future__ import annotations

import itertools
import sys
import traceback
import weakref

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .cond_ops import check_scalar_bool
from .registry import NO_GRADIENT, apply, apply_op, register

# -- value summaries ---------------------------------------------------------------------------------------


def format_element(v) -> str:
    """One element as TF prints it: shortest round-tripping float, ints as ints, bools 1/0, strings raw."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (np.floating, float)):
        if isinstance(v, np.float64) or isinstance(v, float):
            s = f"{float(v):.15g}"
            return s if float(s) == float(v) or v != v else f"{float(v):.17g}"
        t = type(v)
        s = f"{float(v):.6g}"
        return s if t(s) == v or v != v else f"{float(v):.9g}"
    if isinstance(v, (np.complexfloating, complex)):
        return f"({format_element(v.real)},{format_element(v.imag)})"
    return str(v.item() if hasattr(v, "item") else v)


def summarize_array(arr, limit: int) -> str:
    """TF's SummarizeArray: the first `limit` elements row-major in nested brackets, "..." when cut."""
    arr = np.asarray(arr)
    flat = arr.reshape(-1)
    n = flat.size
    limit = n if limit is None or limit < 0 else min(limit, n)
    if arr.ndim == 0:
        out = " ".join(format_element(flat[i]) for i in range(limit))
        return out + ("..." if n > limit else "")
    out = []
    index = [0]

    def one_dim(d):
        if index[0] >= limit:
            return
        count = arr.shape[d]
        if d == arr.ndim - 1:
            for i in range(count):
                if index[0] >= limit:
                    if d != 0:
                        out.append("...")
                    return
                if i > 0:
                    out.append(" ")
                out.append(format_element(flat[index[0]]))
                index[0] += 1
            return
        for _ in range(count):
            opened = index[0] < limit
            if opened:
                out.append("[")
            one_dim(d + 1)
            if index[0] < limit or opened:
                out.append("]")

    one_dim(0)
    return "".join(out) + ("..." if n > limit else "")


def _data_text(values, summarize) -> str:
    return "".join(f"[{summarize_array(_host(v), summarize)}]" for v in values)


def _host(v):
    from ..backend import to_host

    return to_host(v)


# -- Print ---------------------------------------------------------------------------------------------------


def _print_shape(inputs, attrs):
    return [(inputs[0].shape, inputs[0].dtype.base_dtype)]


def _print_grad(op, grad):
    return [grad] + [None] * (len(op.inputs) - 1)


# Session -> {op name: times printed}, for `first_n`.
_PRINT_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@register("Print", shape=_print_shape, grad=_print_grad, stateful=True, cpu_only=True)
def _print_kernel(ctx, x, *data, message="", first_n=-1, summarize=3):
    counts = _PRINT_COUNTS.setdefault(ctx.session, {})
    n = counts.get(ctx.op.name, 0)
    if first_n < 0 or n < first_n:
        counts[ctx.op.name] = n + 1
        print(message + _data_text(data, summarize), file=sys.stderr)
    return x


def Print(input_, data, message=None, first_n=None, summarize=None, name=None) -> Tensor:  # noqa: N802
    """An identity of `input_` that prints `message` and the first `summarize` (3) elements of each `data`
    tensor to stderr each time it runs (the first `first_n` times when given)."""
    from .constant_op import convert_to_tensor

    x = convert_to_tensor(input_)
    data = [convert_to_tensor(d) for d in (data or [])]
    attrs = {"message": message or "", "first_n": -1 if first_n is None else int(first_n),
             "summarize": 3 if summarize is None else int(summarize)}
    return apply("Print", [x] + data, attrs, name or "Print")


def _print_v2_shape(inputs, attrs):
    return []


@register("PrintV2", shape=_print_v2_shape, grad=NO_GRADIENT, stateful=True, cpu_only=True)
def _print_v2_kernel(ctx, *values, template=(), summarize=3, sep=" ", end="\n", output_stream="stderr"):
    parts = []
    it = iter(values)
    for piece in template:
        if piece is None:
            v = np.asarray(_host(next(it)))
            parts.append(format_element(v[()]) if v.ndim == 0 else f"[{summarize_array(v, summarize * v.size)}]"
                         if v.size <= 2 * summarize else f"[{summarize_array(v, summarize)}]")
        else:
            parts.append(str(piece))
    stream = sys.stdout if output_stream == "stdout" else sys.stderr
    print(sep.join(parts), end=end, file=stream)


def print_v2(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):
    """`tf.print`: an op that prints its inputs (strings as given, tensors summarized) when it runs."""
    from .constant_op import convert_to_tensor

    template, tensors = [], []
    for v in inputs:
        if isinstance(v, str):
            template.append(v)
        else:
            template.append(None)
            tensors.append(convert_to_tensor(v))
    stream = "stdout" if output_stream is sys.stdout else "stderr"
    return apply_op("PrintV2", tensors, {"template": tuple(template), "summarize": int(summarize), "sep": sep,
                                         "end": end, "output_stream": stream}, name or "PrintV2")


# -- numerics checks --------------------------------------------------------------------------------------------


def _check_numerics_shape(inputs, attrs):
    x = inputs[0]
    if x.dtype.base_dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
        raise TypeError(f"Value passed to parameter 'tensor' has DataType {x.dtype.base_dtype.name} not in list of "
                        "allowed values: bfloat16, float16, float32, float64")
    return [(x.shape, x.dtype.base_dtype)]


def _check_numerics_grad(op, grad):
    return [check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                           + op.get_attr("message"))]


@register("CheckNumerics", shape=_check_numerics_shape, grad=_check_numerics_grad)
def _check_numerics_kernel(ctx, x, message):
    xp = ctx.xp
    has_inf = bool(xp.isinf(x).any())
    has_nan = bool(xp.isnan(x).any())
    if has_inf or has_nan:
        what = "Inf and NaN" if has_inf and has_nan else "Inf" if has_inf else "NaN"
        raise errors.InvalidArgumentError(None, ctx.op, f"{message} : Tensor had {what} values")
    return x


def check_numerics(tensor, message, name=None) -> Tensor:
    """Identity of a float tensor that raises InvalidArgumentError ("<message> : Tensor had NaN values") at run
    time when it holds NaN or Inf."""
    from .constant_op import convert_to_tensor

    return apply("CheckNumerics", [convert_to_tensor(tensor)], {"message": str(message)}, name or "CheckNumerics")


def add_check_numerics_ops():
    """A group op that checks every float tensor of the default graph, in creation order, so the error names the
    first op that produced NaN or Inf ("<op>:<index> : Tensor had NaN values")."""
    from .control_flow_ops import group

    checks = []
    for op in _graph.get_default_graph().get_operations():
        for out in op.outputs:
            if out.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                if op._cf_context is not None:
                    raise ValueError("`tf.add_check_numerics_ops() is not compatible with TensorFlow control flow "
                                     "operations such as `tf.cond()` or `tf.while_loop()`.")
                with _graph.control_dependencies(checks):
                    checks = [check_numerics(out, message=f"{op.name}:{out.value_index}")]
    return group(*checks)


# -- Assert ---------------------------------------------------------------------------------------------------


def _assert_shape(inputs, attrs):
    check_scalar_bool(inputs[0], "condition", "Assert", "the condition of Assert must be a scalar (use tf.reduce_all)")
    return []


@register("Assert", shape=_assert_shape, grad=NO_GRADIENT, stateful=True, cpu_only=True)
def _assert_kernel(ctx, condition, *data, summarize=3):
    if not bool(np.asarray(_host(condition))):
        raise errors.InvalidArgumentError(None, ctx.op, "assertion failed: " + " ".join(
            f"[{summarize_array(_host(d), summarize)}]" for d in data))


def Assert(condition, data, summarize=None, name=None):  # noqa: N802
    """An op that raises InvalidArgumentError ("assertion failed: [..] [..]") when `condition` is false at run time.

    Returns the Operation (use it in tf.control_dependencies).
    """
    from .constant_op import convert_to_tensor

    with _graph.name_scope(name, "Assert", [condition] + list(data)):
        condition = convert_to_tensor(condition, name="Condition")
        data = [convert_to_tensor(d) for d in data]
        return apply_op("Assert", [condition] + data, {"summarize": 3 if summarize is None else int(summarize)},
                        "Assert")


def _static_value_text(x) -> str:
    from .constant_op import constant_value

    if isinstance(x, Tensor):
        v = constant_value(x)
        return x.name if v is None else str(v.item() if v.ndim == 0 else v)
    return str(x)


def _assert_static(condition_static, data):
    if not condition_static:
        raise errors.InvalidArgumentError(None, None, "\n".join(_static_value_text(x) for x in data))


def _binary_assert(sym, name_default, test, x, y, data, summarize, message, name):
    """assert_equal & co: reduce_all(test(x, y)), checked at build time when both are constants."""
    from . import math_ops
    from .constant_op import constant_value, convert_to_tensor

    with _graph.name_scope(name, name_default, [x, y] + list(data or [])):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y") if isinstance(y, Tensor) or hasattr(y, "_as_tensor") else \
            convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:", f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        condition = math_ops.reduce_all(test(math_ops, x, y))
        xs, ys = constant_value(x), constant_value(y)
        if xs is not None and ys is not None:
            _assert_static(bool(np.all(_NP_TESTS[sym](xs, ys))), data)
        return Assert(condition, data, summarize=summarize)


_NP_TESTS = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
             ">=": np.greater_equal}


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Assert x == y element-wise (build-time error when both are constants)."""
    return _binary_assert("==", "assert_equal", lambda m, a, b: m.equal(a, b), x, y, data, summarize, message, name)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    return _binary_assert("!=", "assert_none_equal", lambda m, a, b: m.not_equal(a, b), x, y, data, summarize,
                          message, name)


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    return _binary_assert("<", "assert_less", lambda m, a, b: m.less(a, b), x, y, data, summarize, message, name)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    return _binary_assert("<=", "assert_less_equal", lambda m, a, b: m.less_equal(a, b), x, y, data, summarize,
                          message, name)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    return _binary_assert(">", "assert_greater", lambda m, a, b: m.greater(a, b), x, y, data, summarize, message,
                          name)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    return _binary_assert(">=", "assert_greater_equal", lambda m, a, b: m.greater_equal(a, b), x, y, data,
                          summarize, message, name)


def _sign_assert(sym, name_default, x, data, summarize, message, name, zero_first):
    from .constant_op import convert_to_tensor

    with _graph.name_scope(name, name_default, [x] + list(data or [])):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [f"Condition x {sym} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
        if message is not None:
            data = [message] + list(data)
        zero = np.zeros((), dtype=x.dtype.base_dtype.as_numpy_dtype)
        if zero_first:
            return _BINARY_FOR[sym](zero, x, data=data, summarize=summarize)
        return _BINARY_FOR[sym](x, zero, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """Assert x > 0 element-wise."""
    return _sign_assert(">", "assert_positive", x, data, summarize, message, name, zero_first=True)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    return _sign_assert("<", "assert_negative", x, data, summarize, message, name, zero_first=False)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    return _sign_assert(">=", "assert_non_negative", x, data, summarize, message, name, zero_first=True)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    return _sign_assert("<=", "assert_non_positive", x, data, summarize, message, name, zero_first=False)


# (0 < x) for positive etc.: the symbol names the relation of x to 0.
_BINARY_FOR = {">": assert_less, "<": assert_less, ">=": assert_less_equal, "<=": assert_less_equal}


def assert_rank(x, rank, message=None, name=None):
    """Static check of x's rank (ValueError); returns a no-op when it holds."""
    from .constant_op import convert_to_tensor
    from .control_flow_ops import no_op

    x = convert_to_tensor(x)
    if x.shape.ndims is not None and x.shape.ndims != int(rank):
        raise ValueError(f"{message + '.  ' if message else ''}Tensor {x.name} must have rank {int(rank)}.  Received "
                         f"rank {x.shape.ndims}, shape {x.shape}")
    return no_op(name=name or "assert_rank")


def assert_rank_at_least(x, rank, message=None, name=None):
    from .constant_op import convert_to_tensor
    from .control_flow_ops import no_op

    x = convert_to_tensor(x)
    if x.shape.ndims is not None and x.shape.ndims < int(rank):
        raise ValueError(f"{message + '.  ' if message else ''}Tensor {x.name} must have rank at least {int(rank)}."
                         f"  Received rank {x.shape.ndims}, shape {x.shape}")
    return no_op(name=name or "assert_rank_at_least")


def assert_scalar(tensor, name=None, message=None):
    from .constant_op import convert_to_tensor

    t = convert_to_tensor(tensor)
    if t.shape.ndims is not None and t.shape.ndims != 0:
        raise ValueError(f"{message + '  ' if message else ''}Expected scalar shape for {t.name}, saw shape: "
                         f"{t.shape}.")
    return t


def assert_type(tensor, tf_type, message=None, name=None):
    """Static dtype check (TypeError); returns a no-op when it holds."""
    from .control_flow_ops import no_op

    want = dtypes.as_dtype(tf_type)
    if tensor.dtype.base_dtype != want.base_dtype:
        raise TypeError(f"{message + ' ' if message else ''}{tensor.name} must be of type {want!r}; got "
                        f"{tensor.dtype.base_dtype!r}")
    return no_op(name=name or "assert_type")


def assert_integer(x, message=None, name=None):
    from .constant_op import convert_to_tensor
    from .control_flow_ops import no_op

    x = convert_to_tensor(x)
    if not x.dtype.base_dtype.is_integer:
        raise TypeError(f"{message + ' ' if message else ''}Expected Tensor {x.name} to be of integer type, got "
                        f"{x.dtype.base_dtype.name}")
    return no_op(name=name or "assert_integer")


# -- py_func ------------------------------------------------------------------------------------------------------

_PY_FUNCS: dict = {}
_py_func_ids = itertools.count()


def _py_func_shape(inputs, attrs):
    return [(TensorShape(None), dt) for dt in attrs["Tout"]]


def _py_func_kernel(ctx, *args, token, Tout):
    fn = _PY_FUNCS[token]
    host_args = [_host(a) for a in args]
    host_args = [a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in host_args]  # TF: scalars
    try:
        ret = fn(*host_args)
    except Exception as e:  # noqa: BLE001 - mapped onto TF's error types, as TF1's PyFunc kernel does
        cls = _PY_ERROR_CLASSES.get(type(e), errors.UnknownError)
        for base, c in _PY_ERROR_CLASSES.items():
            if isinstance(e, base):
                cls = c
                break
        tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        raise cls(None, ctx.op, f"{type(e).__name__}: {e}\n{tb}") from e
    rets = list(ret) if isinstance(ret, (list, tuple)) else [ret]
    if len(rets) != len(Tout):
        raise errors.InvalidArgumentError(None, ctx.op, f"{token} returns {len(rets)} values, but expects to see "
                                                        f"{len(Tout)} values.")
    return tuple(_py_result(token, i, v, dt, ctx.op) for i, (v, dt) in enumerate(zip(rets, Tout))) \
        if len(Tout) != 1 else _py_result(token, 0, rets[0], Tout[0], ctx.op)


_PY_ERROR_CLASSES = {StopIteration: errors.OutOfRangeError, ValueError: errors.InvalidArgumentError,
                     TypeError: errors.InvalidArgumentError, MemoryError: errors.ResourceExhaustedError,
                     NotImplementedError: errors.UnimplementedError, IndexError: errors.OutOfRangeError}


def _py_result(token, i, v, dt, op):
    want = np.dtype(dt.as_numpy_dtype)
    if dt == dtypes.string:
        arr = np.asarray(v, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr) \
            if arr.ndim else np.asarray(arr[()].encode() if isinstance(arr[()], str) else arr[()], dtype=object)
    arr = np.asarray(v)
    if arr.dtype == want:
        return arr
    same_kind = (arr.dtype.kind == want.kind or arr.dtype.kind in "iu" and want.kind in "iu")
    if not same_kind:
        got = {"f": "float", "i": "int", "u": "uint", "b": "bool", "O": "object", "U": "str", "c": "complex"}.get(
            arr.dtype.kind, arr.dtype.name)
        raise errors.InvalidArgumentError(None, op, f"{i}-th value returned by {token} is {got}, but expects "
                                                    f"{dt.name}")
    return arr.astype(want)


register("PyFunc", shape=_py_func_shape, grad=None, stateful=True, cpu_only=True)(_py_func_kernel)
register("PyFuncStateless", shape=_py_func_shape, grad=None, cpu_only=True)(_py_func_kernel)


def py_func(func, inp, Tout, stateful=True, name=None):
    """Runs the Python function `func` on the NumPy values of `inp` when the op runs; no gradient.

    Tout: a dtype (returns one tensor) or a list of dtypes (returns a list). Outputs have unknown shape.
    """
    from .constant_op import convert_to_tensor

    single = not isinstance(Tout, (list, tuple))
    touts = [dtypes.as_dtype(t) for t in ([Tout] if single else Tout)]
    token = f"pyfunc_{next(_py_func_ids)}"
    _PY_FUNCS[token] = func
    inputs = [convert_to_tensor(x) for x in inp]
    op = apply_op("PyFunc" if stateful else "PyFuncStateless", inputs, {"token": token, "Tout": tuple(touts)},
                  name or "PyFunc")
    outs = op.outputs
    if single:
        return outs[0] if outs else op
    return outs


__all__ = ["Print", "print_v2", "check_numerics", "add_check_numerics_ops", "Assert", "assert_equal",
           "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater", "assert_greater_equal",
           "assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive", "assert_rank",
           "assert_rank_at_least", "assert_scalar", "assert_type", "assert_integer", "py_func", "summarize_array"]
