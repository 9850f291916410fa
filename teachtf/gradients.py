"""tf.gradients: reverse-mode differentiation that builds gradient ops into the graph (API.md §11).

Gradients are ordinary tensors under a `gradients/` name scope, so they can be
fetched, drawn and differentiated again (second order).
"""

from __future__ import annotations

from .framework import graph as _graph
from .framework.graph import Operation, Tensor
from .ops.registry import NO_GRADIENT

_CUSTOM_GRADIENTS: dict[str, object] = {}


class RegisterGradient:
    """Decorator registering a gradient function under `op_type` (for `gradient_override_map`)."""

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        if self._op_type in _CUSTOM_GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
        _CUSTOM_GRADIENTS[self._op_type] = f
        return f


def NotDifferentiable(op_type: str):  # noqa: N802 - TF1's name
    _CUSTOM_GRADIENTS[op_type] = NO_GRADIENT


NoGradient = NotDifferentiable


def _is_backpropagatable(t: Tensor) -> bool:
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def _as_tensor_list(xs, what):
    from .ops.constant_op import convert_to_tensor

    single = not isinstance(xs, (list, tuple))
    xs = [xs] if single else list(xs)
    out = []
    for x in xs:
        if x is None:
            raise TypeError(f"{what} contains None; every element must be a Tensor or Variable.")
        if hasattr(x, "_as_graph_element") and not isinstance(x, (Tensor, Operation)):
            out.append(x._as_graph_element())  # a Variable: differentiate w.r.t. its ref tensor
        elif isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, Operation):
            raise TypeError(f"{what} must be Tensors or Variables, not the Operation '{x.name}'. Pass one of its "
                            "outputs (op.outputs[0]) instead.")
        else:
            if what == "xs":
                raise TypeError(f"Cannot differentiate with respect to {x!r} of type {type(x).__name__}: xs must be "
                                "Tensors or Variables of the graph (constants have no gradient to ask for).")
            out.append(convert_to_tensor(x))
    return out


def _grad_fn(op: Operation):
    override = op._attrs.get("_gradient_op_type")
    if override is not None:
        if override not in _CUSTOM_GRADIENTS:
            raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type}): the override "
                              f"'{override}' is not registered with tf.RegisterGradient.")
        return _CUSTOM_GRADIENTS[override]
    if op.type in _CUSTOM_GRADIENTS:
        return _CUSTOM_GRADIENTS[op.type]
    od = op._opdef
    return None if od is None else od.grad


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none"):
    """Symbolic d(sum(ys))/d(xs): a list with one Tensor (or None if unconnected) per element of xs.

    ys: Tensor or list; xs: Tensor/Variable or list; grad_ys: seeds, one per y (default ones).
    """
    from .ops import array_ops, math_ops
    from .ops.constant_op import convert_to_tensor

    if unconnected_gradients not in ("none", "zero") and getattr(unconnected_gradients, "value", None) not in (
            "none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
    ys = _as_tensor_list(ys, "ys")
    xs = _as_tensor_list(xs, "xs")
    if grad_ys is not None and not isinstance(grad_ys, (list, tuple)):
        grad_ys = [grad_ys]
    if grad_ys is not None and len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    stops = set()
    for s in (stop_gradients if isinstance(stop_gradients, (list, tuple)) else
              ([stop_gradients] if stop_gradients is not None else [])):
        s = s._as_graph_element() if hasattr(s, "_as_graph_element") and not isinstance(s, Tensor) else s
        stops.add(s.op if isinstance(s, Tensor) else s)
    g = ys[0].graph
    for t in ys + xs:
        if t.graph is not g:
            raise ValueError(f"Tensor {t.name} is not an element of the graph of ys[0] ({ys[0].name}).")
    for y in ys:
        if grad_ys is None and not _is_backpropagatable(y):
            raise TypeError(f"Cannot differentiate the {y.dtype.base_dtype.name} tensor '{y.name}': gradients need "
                            f"a floating-point ys. Cast it first, e.g. tf.cast({y.op.name}, tf.float32).")

    with g.as_default(), _graph.name_scope(name, "gradients") as scope:
        del scope
        # Ops on a path from xs to ys.
        from_xs = set()
        stack = [x.op for x in xs]
        x_ops = set(stack)
        while stack:
            op = stack.pop()
            if op in from_xs:
                continue
            from_xs.add(op)
            for t in op._outputs:
                for c in t._op._consumers:
                    if c not in from_xs and any(i is t for i in c._inputs):
                        stack.append(c)
        between = set()
        stack = [y.op for y in ys if y.op in from_xs]
        while stack:
            op = stack.pop()
            if op in between:
                continue
            between.add(op)
            if op in stops:
                continue
            for t in op._inputs:
                if t._op in from_xs and t._op not in between:
                    stack.append(t._op)

        grads: dict[Tensor, list] = {}
        for i, y in enumerate(ys):
            if grad_ys is not None and grad_ys[i] is not None:
                gy = convert_to_tensor(grad_ys[i])
                if gy.dtype.base_dtype != y.dtype.base_dtype:
                    raise TypeError(f"grad_ys[{i}] has dtype {gy.dtype.base_dtype.name} but ys[{i}] ('{y.name}') has "
                                    f"dtype {y.dtype.base_dtype.name}.")
                if not gy.shape.is_compatible_with(y.shape):
                    raise ValueError(f"grad_ys[{i}] has shape {gy.shape}, which is incompatible with the shape "
                                     f"{y.shape} of ys[{i}] ('{y.name}').")
            else:
                gy = array_ops.ones_like(y, name=f"grad_ys_{i}")
            grads.setdefault(y, []).append(gy)

        # Reverse topological order over `between` (by creation id: inputs are always created before consumers).
        order = sorted(between, key=lambda o: o._id, reverse=True)
        x_set = set(xs)
        for op in order:
            if op in stops:
                continue
            out_grads = []
            any_grad = False
            for t in op._outputs:
                gl = grads.get(t)
                if gl:
                    any_grad = True
                    out_grads.append(_aggregate(gl, math_ops))
                    if len(gl) > 1:
                        grads[t] = [out_grads[-1]]
                else:
                    out_grads.append(None)
            if not any_grad:
                continue
            if all(t in x_set for t in op._outputs) and not op._inputs:
                continue
            if not any(t._op in between for t in op._inputs) and op not in x_ops:
                continue
            fn = _grad_fn(op)
            if fn is NO_GRADIENT:
                continue
            if fn is None:
                if not any(t._op in from_xs for t in op._inputs):
                    continue
                raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type}), created at "
                                  f"{op._creation_site()}.")
            for i, t in enumerate(op._outputs):
                if out_grads[i] is None and _is_backpropagatable(t):
                    out_grads[i] = array_ops.zeros_like(t)
            with _graph.name_scope(op.name + "_grad"):
                in_grads = fn(op, *out_grads)
            if isinstance(in_grads, (Tensor,)) or in_grads is None:
                in_grads = [in_grads]
            in_grads = list(in_grads)
            if len(in_grads) != len(op._inputs):
                raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.node_def.name} do not match num "
                                 f"inputs {len(op._inputs)}")
            for t, gi in zip(op._inputs, in_grads):
                if gi is None or not _is_backpropagatable(t) or t._op not in from_xs and t not in x_set:
                    continue
                if hasattr(gi, "_as_tensor"):
                    gi = gi._as_tensor()
                grads.setdefault(t, []).append(gi)

        result = []
        for x in xs:
            gl = grads.get(x)
            if gl:
                result.append(_aggregate(gl, math_ops))
            elif unconnected == "zero":
                result.append(array_ops.zeros_like(x))
            else:
                result.append(None)
        return result


def _aggregate(gl, math_ops):
    if len(gl) == 1:
        return gl[0]
    return math_ops.add_n(gl)


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """Hessians of sum(ys) w.r.t. each x (flattened per x, reshaped to x.shape + x.shape)."""
    from .ops import array_ops

    xs = _as_tensor_list(xs, "xs")
    out = []
    with _graph.name_scope(name, "hessians"):
        for x in xs:
            (gx,) = gradients(ys, x)
            if gx is None:
                out.append(None)
                continue
            n = x.shape.num_elements()
            if n is None:
                raise ValueError(f"hessians needs a fully defined shape for {x.name}")
            flat = array_ops.reshape(gx, [-1])
            rows = [gradients(flat[i], x)[0] for i in range(n)]
            rows = [r if r is not None else array_ops.zeros_like(x) for r in rows]
            out.append(array_ops.reshape(array_ops.stack(rows), x.shape.as_list() + x.shape.as_list()))
    return out
