"""tf.while_loop with TF1's semantics and its gradient (backpropagation through time) (API.md §9).

The cond and body functions are built once into the graph under `while/`, as
TF1 does: each loop variable enters the body as a proxy `while/Identity[_k]`,
and each tensor from outside the loop as a proxy `while/Enter[_k]`. One
composite op `while/While` takes the initial values and the captured tensors,
and at run time runs the cond and body as sub-plans of the Session until cond
is false; its outputs are exposed as `while/Exit[_k]`.

Gradients: `tf.gradients` builds the body's gradient symbolically (proxies for
the incoming gradients), and a `WhileGrad` op replays it backwards over the
iterations. The forward op records, per iteration, the loop variables and the
body tensors the gradient needs (TF1's stacks), so memory grows linearly with
the number of iterations and random ops in the body are not re-drawn.
Second-order gradients through a loop are not available.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework import nest
from ..framework.graph import Operation, Tensor
from ..framework.shapes import TensorShape, as_shape
from .cond_ops import encloses
from .registry import NO_GRADIENT, apply, apply_op, get_opdef, register

# While op -> its _Loop; WhileGrad op -> its _LoopGrad.
_LOOPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GRADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Loop:
    """The pieces of one while_loop: proxies, cond and body outputs, and what its gradient needs saved."""

    def __init__(self, var_proxies, cap_proxies, cond_out, body_outs, invariants):
        self.var_proxies = var_proxies
        self.cap_proxies = cap_proxies
        self.cond_out = cond_out
        self.body_outs = body_outs
        self.invariants = invariants
        self.saved: list = []  # body tensors recorded per iteration for the gradient
        self.has_grad = False
        self.history = None  # (inputs of the last forward run, [(loop values, saved values) per iteration])


# -- the proxy op ----------------------------------------------------------------------------------------------


def _proxy_shape(inputs, attrs):
    return [(attrs["shape"], attrs["dtype"])]


@register("LoopVar", shape=_proxy_shape, grad=NO_GRADIENT)
def _proxy_kernel(ctx, shape, dtype):
    raise errors.InvalidArgumentError(
        None, ctx.op, f"'{ctx.op.name}' only has a value inside its tf.while_loop: fetch the loop's outputs (the "
                      "values returned by tf.while_loop), not tensors built inside cond or body.")


def _proxy(name, shape, dtype):
    return apply("LoopVar", [], {"shape": as_shape(shape), "dtype": dtypes.as_dtype(dtype).base_dtype}, name)


# -- the loop context ---------------------------------------------------------------------------------------------


class WhileContext:
    """Active while cond/body are built: tensors from outside become `Enter` proxies (the loop's captures)."""

    def __init__(self, graph, outer):
        self.graph = graph
        self.outer = outer
        self.captures: list = []  # outside tensors, in capture order
        self.cap_proxies: list = []
        self._proxy_of: dict = {}
        self.external_control: list = []
        self._saved = None

    def _capture_inputs(self, inputs) -> list:
        return [self._capture(t) for t in inputs]

    def _capture(self, t: Tensor) -> Tensor:
        if encloses(self, t.op):
            return t
        od = t.op._opdef
        if od is not None and od.is_variable:
            return t  # refs are read from the session's state when the consuming op runs
        p = self._proxy_of.get(t)
        if p is not None:
            return p
        outer_t = self.outer._capture(t) if self.outer is not None else t
        saved = self.graph._cf_context
        self.graph._cf_context = self
        try:
            p = _proxy("Enter", t.shape, t.dtype.base_dtype)
        finally:
            self.graph._cf_context = saved
        self._proxy_of[t] = p
        self.captures.append(outer_t)
        self.cap_proxies.append(p)
        return p

    def _control_inputs(self, inputs, ctrl) -> list:
        """Control inputs from outside the loop move to the While op (they run once, before the loop)."""
        inside = []
        for c in ctrl:
            if encloses(self, c):
                inside.append(c)
            elif c not in self.external_control:
                self.external_control.append(c)
        return inside

    def _add_op(self, op: Operation) -> None:
        op._cf_context = self

    def enter(self):
        self._saved = self.graph._cf_context
        self.graph._cf_context = self

    def exit(self):
        self.graph._cf_context = self._saved


# -- building --------------------------------------------------------------------------------------------------


def _shape_less_equal(s: TensorShape, invariant: TensorShape) -> bool:
    if invariant.ndims is None:
        return True
    if s.ndims != invariant.ndims:
        return False
    return all(b is None or a == b for a, b in zip(s.as_list(), invariant.as_list()))


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, name=None, maximum_iterations=None, return_same_structure=False):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true; returns the final loop_vars.

    loop_vars: a tensor or a (nested) list/tuple/namedtuple/dict of tensors; body returns the same structure with
    the same dtypes and shapes (relax shapes with `shape_invariants`). `maximum_iterations` caps the count.
    """
    from .constant_op import convert_to_tensor

    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if maximum_iterations is not None:
        return _with_maximum_iterations(cond, body, loop_vars, shape_invariants, back_prop, name,
                                        maximum_iterations, return_same_structure)
    single = not nest.is_sequence(loop_vars)
    structure = [loop_vars] if single else loop_vars
    flat_init = nest.flatten(structure)
    if not flat_init:
        raise ValueError("No loop variables provided")
    with _graph.name_scope(name, "while", [t for t in flat_init if isinstance(t, Tensor)]):
        g = _graph.get_default_graph()
        init = [convert_to_tensor(t) for t in flat_init]
        if shape_invariants is None:
            invariants = [t.shape for t in init]
        else:
            inv = nest.flatten([shape_invariants] if single else shape_invariants)
            if len(inv) != len(init):
                raise ValueError(f"shape_invariants has {len(inv)} shapes for {len(init)} loop variables")
            invariants = [as_shape(s) for s in inv]
            for t, s in zip(init, invariants):
                if not _shape_less_equal(t.shape, s):
                    raise ValueError(f"The shape invariant specified for {t.name} is not compatible with the initial "
                                     f"shape of the loop variable. It enters the loop with shape {t.shape}, but the "
                                     f"specified shape invariant is {s}.")
        ctx = WhileContext(g, g._cf_context)
        ctx.enter()
        try:
            proxies = [_proxy("Identity", s, t.dtype.base_dtype) for t, s in zip(init, invariants)]
            packed = nest.pack_sequence_as(structure, proxies)
            c = cond(*packed)
            cond_out = ctx._capture(convert_to_tensor(c))
            if cond_out.dtype.base_dtype != dtypes.bool_ or cond_out.shape.ndims not in (None, 0):
                raise ValueError(f"cond must return a scalar bool tensor, got {cond_out!r} (use tf.reduce_all for "
                                 "a condition on a vector)")
            result = body(*packed)
            if not nest.is_sequence(result):
                result = [result]
            try:
                nest.assert_same_structure(list(structure), list(result) if isinstance(result, tuple) and
                                           not hasattr(result, "_fields") else result, check_types=False)
            except (TypeError, ValueError) as e:
                raise ValueError(f"body must return the same structure as loop_vars: {e}") from None
            body_outs = []
            for t0, p, r in zip(init, proxies, nest.flatten(result)):
                r = ctx._capture(convert_to_tensor(r, dtype=t0.dtype.base_dtype) if not isinstance(r, Tensor)
                                 and not hasattr(r, "_as_tensor") else convert_to_tensor(r))
                if r.dtype.base_dtype != t0.dtype.base_dtype:
                    raise TypeError(f"Loop variable {t0.name} enters the loop as {t0.dtype.base_dtype.name}, but the "
                                    f"body returns {r.dtype.base_dtype.name}.")
                if not _shape_less_equal(r.shape, p.shape):
                    raise ValueError(f"Input tensor '{t0.name}' enters the loop with shape {p.shape}, but has shape "
                                     f"{r.shape} after one iteration. To allow the shape to vary across iterations, "
                                     "use the `shape_invariants` argument of tf.while_loop to specify a less-specific "
                                     "shape.")
                body_outs.append(r)
        finally:
            ctx.exit()
        loop = _Loop(proxies, ctx.cap_proxies, cond_out, body_outs, invariants)
        specs = [(s, t.dtype.base_dtype) for t, s in zip(init, invariants)]
        op = g.create_op("While", init + ctx.captures, specs,
                         {"n_vars": len(init), "back_prop": bool(back_prop)}, name="While",
                         opdef=get_opdef("While"), control_inputs=ctx.external_control)
        _LOOPS[op] = loop
        exits = [apply("Identity", [o], {}, "Exit") for o in op.outputs]
    out = nest.pack_sequence_as(structure, exits)
    if single:
        return out[0]
    if not return_same_structure and isinstance(out, list) and len(out) == 1:
        return out[0]
    return out


def _with_maximum_iterations(cond, body, loop_vars, shape_invariants, back_prop, name, maximum_iterations,
                             return_same_structure):
    """The loop with an iteration counter in front of the loop variables: stops after `maximum_iterations`."""
    from . import math_ops
    from .constant_op import convert_to_tensor

    single = not nest.is_sequence(loop_vars)
    limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
    if shape_invariants is not None:
        shape_invariants = (TensorShape([]), shape_invariants)

    def counted_cond(i, lv):
        return math_ops.logical_and(math_ops.less(i, limit), cond(*([lv] if single else lv)))

    def counted_body(i, lv):
        out = body(*([lv] if single else lv))
        if single and isinstance(out, (list, tuple)) and len(out) == 1:
            out = out[0]
        elif not single and not nest.is_sequence(out):
            out = [out]
        return i + 1, out

    start = convert_to_tensor(0, dtype=limit.dtype)
    _, result = while_loop(counted_cond, counted_body, (start, loop_vars), shape_invariants=shape_invariants,
                           back_prop=back_prop, name=name, return_same_structure=True)
    if not single and not return_same_structure and isinstance(result, list) and len(result) == 1:
        return result[0]
    return result


# -- running ------------------------------------------------------------------------------------------------------


def _while_kernel(ctx, *inputs, n_vars, back_prop):
    loop = _LOOPS[ctx.op]
    sess = ctx.session
    vals, history = _run_forward(sess, ctx.op, loop, list(inputs[:n_vars]), list(inputs[n_vars:]),
                                 record=back_prop and loop.has_grad)
    if history is not None:
        loop.history = (inputs, history)
    return vals[0] if n_vars == 1 else tuple(vals)


def _run_forward(sess, op, loop, vals, caps, record):
    """Iterates the loop; with `record`, also returns [(loop values, saved body values)] per iteration."""
    fkeys = loop.var_proxies + loop.cap_proxies
    cond_plan = sess._cached_subplan((op, "cond"), [loop.cond_out], fkeys)
    fetches = loop.body_outs + (loop.saved if record else [])
    body_plan = sess._cached_subplan((op, "body", record, len(loop.saved)), fetches, fkeys)
    n = len(loop.body_outs)
    history = [] if record else None
    while bool(np.asarray(_host(sess._run_subplan(cond_plan, vals + caps)[0]))):
        out = sess._run_subplan(body_plan, vals + caps)
        if record:
            history.append((vals, out[n:]))
        vals = out[:n]
    return vals, history


def _host(v):
    from ..backend import to_host

    return to_host(v)


def _while_shape(inputs, attrs):  # never called: create_op gets the specs directly
    raise AssertionError("While ops are built by tf.while_loop")


def _while_grad(op, *grads):
    """d(initial values, captured tensors) by replaying the body's gradient backwards over the iterations."""
    from ..gradients import gradients

    loop = _LOOPS[op]
    if not op.get_attr("back_prop"):
        return [None] * len(op.inputs)
    n = len(loop.var_proxies)
    float_vars = [k for k, p in enumerate(loop.var_proxies) if p.dtype.base_dtype.is_floating]
    g = op.graph
    with _graph.name_scope("body"):
        g_proxies = {k: _proxy("NextIteration", loop.invariants[k], loop.var_proxies[k].dtype) for k in float_vars}
        xs = loop.var_proxies + loop.cap_proxies
        start = len(g._ops)
        ys = [loop.body_outs[k] for k in float_vars]
        dxs = gradients(ys, xs, grad_ys=[g_proxies[k] for k in float_vars]) if ys else [None] * len(xs)
        new_ops = g._ops[start:]
    inside = {t for o in new_ops for t in o._inputs if t.op._cf_context is not None and t.op.type != "LoopVar"
              and _in_loop(t.op, loop)}
    for t in sorted(inside, key=lambda t: (t.op._id, t.value_index)):
        if t not in loop.saved:
            loop.saved.append(t)
    loop.has_grad = True
    grad = _LoopGrad(loop, float_vars, g_proxies, dxs)
    zeros = []
    for k in float_vars:
        gk = grads[k]
        if gk is None:
            from .array_ops import zeros_like

            gk = zeros_like(op.outputs[k])
        zeros.append(gk)
    gop = apply_op("WhileGrad", list(op.inputs) + list(op.outputs) + zeros,
                   {"n_vars": n, "n_caps": len(loop.cap_proxies)}, "WhileGrad")
    _GRADS[gop] = (op, grad)
    outs = gop.outputs
    result = []
    for i, t in enumerate(op.inputs):
        result.append(outs[i] if t.dtype.base_dtype.is_floating and dxs[i] is not None else None)
    return result


def _in_loop(op, loop) -> bool:
    ctx = op._cf_context
    while ctx is not None:
        if isinstance(ctx, WhileContext) and loop.var_proxies and ctx is loop.var_proxies[0].op._cf_context:
            return True
        ctx = ctx.outer
    return False


class _LoopGrad:
    def __init__(self, loop, float_vars, g_proxies, dxs):
        self.loop = loop
        self.float_vars = float_vars
        self.g_proxies = g_proxies
        self.dxs = dxs


register("While", shape=_while_shape, grad=_while_grad, stateful=True)(_while_kernel)


def _while_grad_shape(inputs, attrs):
    n, m = attrs["n_vars"], attrs["n_caps"]
    return [(t.shape, t.dtype.base_dtype) for t in inputs[:n + m]]


@register("WhileGrad", shape=_while_grad_shape, grad=None, stateful=True)
def _while_grad_kernel(ctx, *args, n_vars, n_caps):
    forward_op, grad = _GRADS[ctx.op]
    loop = grad.loop
    sess = ctx.session
    inputs = args[:n_vars + n_caps]
    caps = list(args[n_vars:n_vars + n_caps])
    gys = list(args[2 * n_vars + n_caps:])
    history = None
    if loop.history is not None:
        stored_inputs, stored = loop.history
        if len(stored_inputs) == len(inputs) and all(a is b for a, b in zip(stored_inputs, inputs)):
            history = stored
    if history is None:  # the forward outputs were fed, or another run overwrote the record: replay it
        _, history = _run_forward(sess, forward_op, loop, list(args[:n_vars]), caps, record=True)
    fv = grad.float_vars
    targets = [d for d in grad.dxs if d is not None]
    fkeys = loop.var_proxies + loop.cap_proxies + [grad.g_proxies[k] for k in fv] + loop.saved
    plan = sess._cached_subplan((ctx.op, "grad", len(loop.saved)), targets, fkeys)
    xp = ctx.xp
    g = {k: gy for k, gy in zip(fv, gys)}
    cap_grads = [None] * n_caps
    for vals, saved in reversed(history):
        res = iter(sess._run_subplan(plan, list(vals) + caps + [g[k] for k in fv] + list(saved)))
        dx = [next(res) if d is not None else None for d in grad.dxs]
        for k in fv:
            g[k] = dx[k] if dx[k] is not None else xp.zeros_like(g[k])
        for j in range(n_caps):
            d = dx[n_vars + j]
            if d is not None:
                cap_grads[j] = d if cap_grads[j] is None else cap_grads[j] + d
    out = []
    for i in range(n_vars):
        out.append(g[i] if i in g else xp.zeros(np.shape(args[i]), dtype=np.asarray(_host(args[i])).dtype))
    for j in range(n_caps):
        c = caps[j]
        out.append(cap_grads[j] if cap_grads[j] is not None else xp.zeros_like(c))
    return out[0] if len(out) == 1 else tuple(out)


__all__ = ["while_loop", "WhileContext"]
