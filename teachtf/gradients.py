"""tf.gradients: reverse-mode differentiation that builds gradient ops into the graph (API.md §11).

Gradients are ordinary tensors under a `gradients/` name scope (`gradients_1/`,
…), so they can be fetched, drawn and differentiated again (second order).

The walk follows TF1:

1. *reached*: ops reachable forward from the xs through floating-point (or
   complex) tensors. Integer and boolean tensors cut the path, so a gradient
   never flows through `tf.cast(x, tf.int32)` or `tf.argmax`.
2. *between*: the reached ops met walking back from the ys.
3. In reverse creation order (a topological order: inputs are always created
   before their consumers), each op in *between* sums the gradients of its
   outputs (`add_n`), fills outputs that received none with zeros, and calls
   its gradient function under the scope `<op name>_grad`.

An x whose inputs are not in *between*, and every op of `stop_gradients`,
receives its gradient but passes none on. Unconnected xs get `None`.
"""

from __future__ import annotations

import enum

import numpy as np

from .framework import graph as _graph
from .framework.graph import Operation, Tensor
from .ops import registry as _registry

__all__ = ["AggregationMethod", "NoGradient", "NotDifferentiable", "RegisterGradient", "UnconnectedGradients",
           "gradients", "hessians"]

# Default seeds of ys with at most this many elements are constants, larger ones are built per run.
_CONST_SEED_MAX_ELEMENTS = 4096

# Gradient functions registered with tf.RegisterGradient / tf.NotDifferentiable, by name.
_CUSTOM_GRADIENTS: dict[str, object] = {}


class UnconnectedGradients(enum.Enum):
    """What tf.gradients returns for an x that the ys do not depend on."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """How gradients of a tensor with several consumers are summed (teachtf always uses one add_n)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def _has_builtin_gradient_entry(op_type: str) -> bool:
    try:
        od = _registry.get_opdef(op_type)
    except KeyError:
        return False
    return od.grad is not None


def _register_custom(op_type, fn):
    if not isinstance(op_type, str):
        raise TypeError(f"op_type must be a string, got {op_type!r}")
    if op_type in _CUSTOM_GRADIENTS or _has_builtin_gradient_entry(op_type):
        raise KeyError(f"Registering two gradient with name '{op_type}'! (A gradient is already registered under "
                       "this name; re-running a notebook cell registers it again: pick a new name or restart the "
                       "kernel.)")
    _CUSTOM_GRADIENTS[op_type] = fn


class RegisterGradient:
    """Decorator registering `f(op, *grads) -> [grad per input]` under `op_type`.

    Use a new name together with `g.gradient_override_map({"Square": "MyGrad"})`
    to replace the gradient of built-in ops created inside that block.
    """

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        _register_custom(self._op_type, f)
        return f


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 - TF1's name
    """Declares that ops of `op_type` have no gradient (tf.gradients passes None through them)."""
    _register_custom(op_type, _registry.NO_GRADIENT)


NoGradient = NotDifferentiable


def get_gradient_function(op: Operation):
    """The gradient function of `op` (honouring gradient_override_map), or None when it has none.

    Raises LookupError when the op type has no gradient registered at all.
    """
    if not op._inputs:
        return None
    override = op._attrs.get("_gradient_op_type")
    key = op.type if override is None else override
    fn = _CUSTOM_GRADIENTS.get(key)
    if fn is None and _has_builtin_gradient_entry(key):
        fn = _registry.get_opdef(key).grad
    if fn is None and override is None and op._opdef is not None:
        fn = op._opdef.grad
    if fn is None:
        via = f" (overridden to '{override}', which is not registered with tf.RegisterGradient)" if override else ""
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type}){via}, created at "
                          f"{op._creation_site()}.")
    return None if fn is _registry.NO_GRADIENT else fn


# -- argument handling -----------------------------------------------------------------------------------


def _is_backpropagatable(t: Tensor) -> bool:
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def _graph_tensor(x):
    """A Variable's ref tensor, or the Tensor itself; None for anything else."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "_as_graph_element") and not isinstance(x, Operation):
        el = x._as_graph_element()
        return el if isinstance(el, Tensor) else None
    return None


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _xs_list(xs) -> list:
    out = []
    for i, x in enumerate(_as_list(xs)):
        t = _graph_tensor(x)
        if t is not None:
            out.append(t)
        elif isinstance(x, Operation):
            raise TypeError(f"xs[{i}] is the Operation '{x.name}'; tf.gradients differentiates with respect to "
                            f"Tensors or Variables. Pass one of its outputs (e.g. op.outputs[0]) instead.")
        else:
            raise TypeError(f"Cannot differentiate with respect to xs[{i}] = {x!r:.60} of type {type(x).__name__}: "
                            "xs must be Tensors or Variables of the graph (a Python or NumPy value is a constant, "
                            "so its gradient is meaningless).")
    return out


def _ys_list(ys) -> list:
    out = []
    for i, y in enumerate(_as_list(ys)):
        if hasattr(y, "_as_tensor") and not isinstance(y, Tensor):
            y = y._as_tensor()  # a Variable: its value
        if not isinstance(y, Tensor):
            what = f"the Operation '{y.name}'" if isinstance(y, Operation) else f"{y!r:.60} ({type(y).__name__})"
            raise TypeError(f"ys[{i}] is {what}; tf.gradients needs Tensors to differentiate (e.g. a loss).")
        dt = y.dtype.base_dtype
        if not (dt.is_floating or dt.is_complex):
            raise TypeError(f"Cannot differentiate the {dt.name} tensor '{y.name}' (ys[{i}]): gradients flow only "
                            f"through floating-point tensors. Compute the loss in floating point, e.g. "
                            f"tf.cast(..., tf.float32) before the reduction.")
        out.append(y)
    return out


def _seed(i, y, grad_y, array_ops):
    """The upstream gradient of ys[i]: ones of y's shape, or the checked `grad_ys[i]`."""
    from .ops.constant_op import constant, convert_to_tensor

    if grad_y is None:
        if y.dtype.base_dtype.is_complex:
            raise TypeError(f"Gradients of complex tensors must set grad_ys (y.dtype = {y.dtype.name})")
        n = y.shape.num_elements()
        if n is not None and n <= _CONST_SEED_MAX_ELEMENTS:
            # A constant costs nothing per run; the usual y is a scalar loss.
            return constant(1, dtype=y.dtype.base_dtype, shape=y.shape.as_list(), name=f"grad_ys_{i}")
        return array_ops.ones_like(y, name=f"grad_ys_{i}")
    if isinstance(grad_y, Tensor) or hasattr(grad_y, "_as_tensor"):
        gy = convert_to_tensor(grad_y)
        if gy.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"grad_ys[{i}] has dtype {gy.dtype.base_dtype.name} but ys[{i}] ('{y.name}') has dtype "
                            f"{y.dtype.base_dtype.name}; they must match.")
    else:
        try:
            gy = convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}")
        except (TypeError, ValueError) as e:
            raise TypeError(f"grad_ys[{i}] = {grad_y!r:.60} cannot be converted to the dtype "
                            f"{y.dtype.base_dtype.name} of ys[{i}] ('{y.name}'): {e}") from None
    if not gy.shape.is_compatible_with(y.shape):
        raise ValueError(f"grad_ys[{i}] has shape {gy.shape}, which does not match the shape {y.shape} of ys[{i}] "
                         f"('{y.name}'): the upstream gradient must have the shape of its y.")
    return gy


def _unconnected_mode(unconnected_gradients) -> str:
    mode = getattr(unconnected_gradients, "value", unconnected_gradients)
    if mode not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    return mode


# -- the walk -----------------------------------------------------------------------------------------------------


def _reached_ops(x_ops) -> set:
    """Ops reachable from `x_ops` through floating-point tensors (x_ops included)."""
    reached = set()
    stack = list(x_ops)
    while stack:
        op = stack.pop()
        if op in reached:
            continue
        reached.add(op)
        for c in op._consumers:
            if c not in reached and any(t._op is op and _is_backpropagatable(t) for t in c._inputs):
                stack.append(c)
    return reached


def _between_ops(y_ops, reached) -> set:
    """The reached ops that some y depends on."""
    between = set()
    stack = [op for op in y_ops if op in reached]
    while stack:
        op = stack.pop()
        if op in between:
            continue
        between.add(op)
        stack.extend(t._op for t in op._inputs if t._op in reached and t._op not in between)
    return between


def _aggregate(grad_list, math_ops):
    if len(grad_list) == 1:
        return grad_list[0]
    return math_ops.add_n(grad_list)


def _as_grad_tensor(gi, op, i):
    if hasattr(gi, "_as_tensor") and not isinstance(gi, Tensor):
        gi = gi._as_tensor()
    if not isinstance(gi, Tensor):
        raise TypeError(f"The gradient function of '{op.name}' (op type: {op.type}) returned {gi!r:.60} for input "
                        f"{i}; gradient functions must return Tensors or None.")
    t_in = op._inputs[i]
    try:
        gi.set_shape(t_in.shape)
    except ValueError:
        raise ValueError(f"Incompatible shapes between op input and calculated input gradient. Forward operation: "
                         f"{op.name}. Input index: {i}. Original input shape: {t_in.shape}. Calculated input "
                         f"gradient shape: {gi.shape}") from None
    return gi


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none") -> list:
    """Symbolic ∂(Σ ys)/∂x for each x of `xs`: a list aligned with `xs` (None where unconnected).

    ys: a Tensor or list of float Tensors; xs: a Tensor/Variable or list of them;
    grad_ys: the upstream gradient of each y (default ones; shape and dtype of y);
    stop_gradients: tensors treated as constants; unconnected_gradients: 'none' or 'zero'.
    `colocate_gradients_with_ops` and `gate_gradients` are accepted and have no
    effect: every gradient is computed from the values at the start of the run.
    """
    from .ops import array_ops, math_ops

    mode = _unconnected_mode(unconnected_gradients)
    if aggregation_method not in (None, AggregationMethod.ADD_N, AggregationMethod.EXPERIMENTAL_TREE,
                                  AggregationMethod.EXPERIMENTAL_ACCUMULATE_N):
        raise ValueError(f"Invalid aggregation_method specified {aggregation_method}.")
    ys = _ys_list(ys)
    xs = _xs_list(xs)
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys (grad_ys is a list with one seed per y: "
                         "for a single y pass its seed as a Tensor, or wrap a Python list: grad_ys=[[...]]).")
    stop_ops = set()
    for s in _as_list(stop_gradients) if stop_gradients is not None else []:
        t = _graph_tensor(s)
        if t is None:
            raise TypeError(f"stop_gradients must be Tensors or Variables, got {s!r:.60}")
        stop_ops.add(t.op)
    g = ys[0].graph
    for t in ys + xs:
        if t.graph is not g:
            raise ValueError(f"Tensor {t.name} must be from the same graph as the ys ({ys[0].name}).")

    with g.as_default(), _graph.name_scope(name, "gradients"):
        grads: dict[Tensor, list] = {}
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            grads.setdefault(y, []).append(_seed(i, y, gy, array_ops))

        x_ops = {x.op for x in xs}
        reached = _reached_ops(x_ops)
        between = _between_ops([y.op for y in ys], reached)
        # An x whose own inputs do not lead back to other xs receives its gradient and passes none on.
        stop_ops |= {op for op in x_ops if not any(t._op in between for t in op._inputs)}

        for op in sorted(between, key=lambda o: o._id, reverse=True):
            out_grads = []
            for t in op._outputs:
                gl = grads.get(t)
                if gl and len(gl) > 1:
                    gl[:] = [_aggregate(gl, math_ops)]
                out_grads.append(gl[0] if gl else None)
            if op in stop_ops or all(gr is None for gr in out_grads):
                continue
            fn = get_gradient_function(op)
            if fn is None:
                continue
            for i, t in enumerate(op._outputs):
                if out_grads[i] is None and _is_backpropagatable(t):
                    out_grads[i] = array_ops.zeros_like(t)
            with _graph.name_scope(op.name + "_grad"):
                in_grads = fn(op, *out_grads)
            in_grads = [in_grads] if in_grads is None or isinstance(in_grads, Tensor) else list(in_grads)
            if len(in_grads) != len(op._inputs):
                raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.node_def.name} do not match "
                                 f"num inputs {len(op._inputs)}")
            for i, (t_in, gi) in enumerate(zip(op._inputs, in_grads)):
                if gi is not None:
                    grads.setdefault(t_in, []).append(_as_grad_tensor(gi, op, i))

        result = []
        for x in xs:
            gl = grads.get(x)
            if gl:
                if len(gl) > 1:
                    gl[:] = [_aggregate(gl, math_ops)]
                result.append(gl[0])
            elif mode == "zero":
                result.append(array_ops.zeros_like(x))
            else:
                result.append(None)
        return result


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None) -> list:
    """For each x, the Hessian of Σ ys w.r.t. x, shaped x.shape + x.shape (None when unconnected).

    Builds one second-order gradient per element of x, so x needs a fully defined shape.
    """
    from .ops import array_ops
    from .ops.constant_op import constant

    xs = _xs_list(xs)
    first = gradients(ys, xs, name=name, aggregation_method=aggregation_method)
    out = []
    for x, gx in zip(xs, first):
        if gx is None:
            out.append(None)
            continue
        n = x.shape.num_elements()
        if n is None:
            raise ValueError(f"tf.hessians needs a fully defined shape for {x.name}, got {x.shape}.")
        dims = x.shape.as_list()
        with _graph.name_scope(name, "hessians"):
            flat = array_ops.reshape(gx, [n])
            rows = []
            for j in range(n):
                seed = constant(np.eye(n, dtype=x.dtype.base_dtype.as_numpy_dtype)[j], name="unit")
                (row,) = gradients(flat, x, grad_ys=seed, name=name, unconnected_gradients="zero")
                rows.append(array_ops.reshape(row, [1, n]))
            hessian = rows[0] if n == 1 else array_ops.concat(rows, axis=0)
            out.append(array_ops.reshape(hessian, dims + dims))
    return out
