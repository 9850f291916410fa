"""NoOp, group, identity, tuple (API.md §9)."""

from __future__ import annotations


from ..framework import graph as _graph
from ..framework import nest
from ..framework.graph import Operation, Tensor
from .registry import apply, apply_op, register


@register("NoOp", shape=lambda inputs, attrs: [], grad=None)
def _no_op(ctx):
    return None


def no_op(name=None) -> Operation:
    """An op that does nothing; useful as a target for control dependencies."""
    return apply_op("NoOp", [], {}, name or "NoOp")


def _identity_shape(inputs, attrs):
    x = inputs[0]
    return [(x.shape, x.dtype.base_dtype)]


@register("Identity", shape=_identity_shape, grad=lambda op, g: [g])
def _identity(ctx, x):
    return x


def identity(input, name=None) -> Tensor:
    """Returns a tensor with the same value as `input`; inside control_dependencies it forces ordering."""
    from .constant_op import convert_to_tensor

    if hasattr(input, "_as_graph_element") and not isinstance(input, Tensor):
        el = input._as_graph_element()
        if isinstance(el, Tensor) and el.dtype.is_ref_dtype:
            # identity(variable) reads the variable when the op runs (TF1 ref semantics).
            return apply("Identity", [el], {}, name or "Identity")
    x = convert_to_tensor(input)
    return apply("Identity", [x], {}, name or "Identity")


def _as_op(x):
    if hasattr(x, "_as_graph_element") and not isinstance(x, (Tensor, Operation)):
        x = x._as_graph_element()
    if isinstance(x, Tensor):
        return x.op
    if isinstance(x, Operation):
        return x
    raise TypeError(f"Expected an Operation, Tensor or Variable, got {x!r}")


def group(*inputs, **kwargs) -> Operation:
    """An Operation that runs all `inputs` (Tensors, Operations, or lists of them)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unknown keyword arguments: {', '.join(kwargs)}")
    flat = [x for x in nest.flatten(list(inputs)) if x is not None]
    ops = []
    for x in flat:
        op = _as_op(x)
        if op not in ops:
            ops.append(op)
    g = ops[0].graph if ops else _graph.get_default_graph()
    with g.as_default():
        return apply_op("NoOp", [], {}, name or "group_deps", control_inputs=ops)


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF1's name
    """Identities of `tensors` that are only available after all of them (and `control_inputs`) are computed."""
    with _graph.name_scope(name, "tuple", tensors) as scope:
        deps = [t for t in tensors if t is not None]
        gate = group(*(deps + list(control_inputs or [])))
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
                continue
            with _graph.control_dependencies([gate]):
                out.append(identity(t) if isinstance(t, Tensor) else gate)
        del scope
        return out
