"""The op registry: op type -> (shape function, kernel, gradient function).

Adding an op is one registration::

    def _square_shape(inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype)]

    def _square_grad(op, grad):
        return [grad * (2.0 * op.inputs[0])]

    @register("Square", shape=_square_shape, grad=_square_grad)
    def _square(ctx, x):
        return x * x

- `shape(inputs: list[Tensor], attrs: dict) -> list[(shape, dtype)]` runs when
  the op is built; it raises ValueError/TypeError for provable mismatches.
- `kernel(ctx, *arrays, **attrs)` returns an array (one output) or a tuple of
  arrays. `ctx.xp` is the array module (NumPy or CuPy) of the op's device.
- `grad(op, *output_grads) -> list[Tensor | None]` (one per input) builds graph
  ops with the public API, so gradients can be differentiated again.
  `grad=NO_GRADIENT` declares the op not differentiable (returns None for every
  input); `grad=None` means "no gradient defined" (tf.gradients raises LookupError).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable

from ..framework import graph as _graph
from ..framework.dtypes import as_dtype
from ..framework.shapes import as_shape

NO_GRADIENT = "NO_GRADIENT"


class _Dead:
    """The value of a tensor on the untaken branch of a tf.cond in one run (TF's "dead" tensors)."""

    __slots__ = ()

    def __repr__(self):
        return "<dead>"


DEAD = _Dead()
ALL_INPUTS = "ALL_INPUTS"  # ref_inputs value: every input is a variable reference


@dataclass
class OpDef:
    type: str
    shape: Callable
    kernel: Callable | None
    grad: Callable | str | None = None
    stateful: bool = False
    ref_inputs: tuple = ()
    const_value: Callable | None = None
    is_variable: bool = False
    cpu_only: bool = False
    receives_dead: bool = False  # tf.cond's Merge: the kernel gets DEAD inputs and picks the live one
    # inplace(ctx, positions, *arrays, **attrs): the kernel's variant that may write its result into the inputs
    # at `positions` (the plan proves those buffers are fresh and used by this op alone).
    inplace: Callable | None = None
    fresh_output: bool = False  # every output is a new buffer, never a view of an input or of a variable
    extra: dict = field(default_factory=dict)


_REGISTRY: dict[str, OpDef] = {}


def register(op_type: str, *, shape: Callable, grad=None, stateful: bool = False, ref_inputs=(),
             const_value: Callable | None = None, is_variable: bool = False, cpu_only: bool = False,
             receives_dead: bool = False, inplace: Callable | None = None, fresh_output: bool = False):
    """Decorator registering `kernel` for `op_type` together with its shape and gradient functions.

    `fresh_output=True` promises that the kernel always returns new buffers; `inplace` is an optional variant of
    the kernel that may reuse such a buffer when the plan shows nothing else reads it (ops with an `inplace`
    variant produce fresh outputs too).
    """

    def deco(kernel):
        if op_type in _REGISTRY:
            raise KeyError(f"Op type {op_type!r} is already registered")
        refs = ref_inputs if ref_inputs == ALL_INPUTS else tuple(ref_inputs)
        _REGISTRY[op_type] = OpDef(op_type, shape, kernel, grad, stateful, refs, const_value,
                                   is_variable, cpu_only, receives_dead, inplace,
                                   fresh_output or inplace is not None)
        return kernel

    return deco


def get_opdef(op_type: str) -> OpDef:
    try:
        return _REGISTRY[op_type]
    except KeyError:
        raise KeyError(f"No op registered for type {op_type!r}") from None


def registered_types():
    return sorted(_REGISTRY)


def apply_op(op_type: str, inputs, attrs=None, name=None, control_inputs=None) -> _graph.Operation:
    """Builds an op of `op_type` on `inputs` (Tensors) in their graph and returns the Operation.

    The shape function runs first, so shape errors are raised at construction
    with the op's name and the learner's line.
    """
    opdef = get_opdef(op_type)
    attrs = {} if attrs is None else attrs
    g = inputs[0].graph if inputs else _graph.get_default_graph()
    for t in inputs:
        if t.graph is not g:
            raise ValueError(f"Tensor {t.name} must be from the same graph as Tensor {inputs[0].name} "
                             f"(op {name or op_type}).")
    try:
        specs = opdef.shape(list(inputs), attrs)
    except (ValueError, TypeError) as e:
        fn, ln, _ = _graph._user_frame()
        msg = str(e)
        shapes = ", ".join(f"{t.shape}" for t in inputs)
        detail = f" for '{(name or op_type).rstrip('/')}' (op: '{op_type}') with input shapes: {shapes}."
        if "(op:" not in msg:
            msg = msg.rstrip(".") + detail
        raise type(e)(f"{msg}\n  (created at {fn}:{ln})") from None
    specs = [(as_shape(s), as_dtype(d)) for s, d in specs]
    return g.create_op(op_type, list(inputs), specs, attrs, name, opdef, control_inputs)


def apply(op_type: str, inputs, attrs=None, name=None):
    """Like apply_op, returning the single output Tensor (or the tuple of outputs)."""
    op = apply_op(op_type, inputs, attrs, name)
    outs = op._outputs
    if len(outs) == 1:
        return outs[0]
    if not outs:
        return op
    return tuple(outs)


# -- common shape functions --------------------------------------------------------------


def same_as_input(i: int = 0):
    def fn(inputs, attrs):
        return [(inputs[i].shape, inputs[i].dtype)]

    return fn


def unary_float_shape(inputs, attrs):
    return [(inputs[0].shape, inputs[0].dtype)]
