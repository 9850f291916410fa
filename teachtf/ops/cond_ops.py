"""tf.cond and tf.case with TF1's Switch/Merge graph: only the branch taken runs (API.md §9).

`cond(pred, true_fn, false_fn)` builds, under the scope `cond/`:

- `Switch(pred, pred)` and the pivots `switch_t` / `switch_f`, `pred_id`;
- each branch's ops inside a CondContext: a tensor from outside the branch
  enters through its own `Switch(x, pred_id)` (output 1 for the true branch,
  0 for the false one); ops without data inputs get the pivot as a control
  input, so nothing in a branch runs unless the branch is taken;
- one `Merge` per output, which forwards whichever input is alive.

At run time a Switch outputs DEAD on the untaken side; the Session skips every
op with a DEAD input (client/plan.py), and Merge picks the live value.
"""

from __future__ import annotations

import functools
import weakref

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework import nest
from ..framework.graph import Operation, Tensor
from ..framework.shapes import TensorShape
from .registry import DEAD, apply, register

# Merge op -> the pred_id tensor of its cond (its gradient switches on it).
_MERGE_PRED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- Switch and Merge ------------------------------------------------------------------------------------------


def check_scalar_bool(t: Tensor, arg: str, op_type: str, hint: str) -> None:
    """TF's TypeError for a non-bool `arg` of `op_type`, then a ValueError ending in `hint` unless it is rank 0."""
    if t.dtype.base_dtype != dtypes.bool_:
        raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {t.dtype.base_dtype.name} that does not match "
                        "expected type of bool.")
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims}: {hint}")


def _switch_shape(inputs, attrs):
    data, pred = inputs
    check_scalar_bool(pred, "pred", "Switch", "the predicate of tf.cond must be a scalar bool tensor")
    out = (data.shape, data.dtype.base_dtype)
    return [out, out]


def _switch_grad(op, grad_false, grad_true):
    """d(data) = whichever branch's gradient is alive; none for the predicate."""
    out = merge([grad_false, grad_true], name="cond_grad")[0]
    out.op._attrs["_nested"] = op._cf_context is not None
    return [out, None]


@register("Switch", shape=_switch_shape, grad=_switch_grad)
def _switch_kernel(ctx, data, pred, T=None):
    return (DEAD, data) if bool(pred) else (data, DEAD)


def switch(data, pred, name=None):
    """(output_false, output_true): `data` goes to output_true when `pred` is true; the other output is dead."""
    from .constant_op import convert_to_tensor

    with _graph.name_scope(name, "Switch", [data, pred]) as scope:
        data = convert_to_tensor(data, name="data")
        pred = convert_to_tensor(pred, name="pred")
        return apply("Switch", [data, pred], {"T": data.dtype.base_dtype}, scope)


def _merge_shape(inputs, attrs):
    first = inputs[0]
    shape = first.shape
    for t in inputs[1:]:
        if t.dtype.base_dtype != first.dtype.base_dtype:
            raise TypeError(f"All inputs of Merge must have the same dtype; got {first.dtype.base_dtype.name} and "
                            f"{t.dtype.base_dtype.name}")
        shape = shape.most_specific_compatible_shape(t.shape)
    return [(shape, first.dtype.base_dtype), (TensorShape([]), dtypes.int32)]


def _merge_grad(op, grad, _index_grad=None):
    """Routes the gradient back into the branch that was taken (a Switch on the cond's predicate)."""
    pred = _MERGE_PRED.get(op)
    if pred is None:
        raise LookupError(f"No gradient for Merge op '{op.name}': it was not built by tf.cond.")
    false_grad, true_grad = switch(grad, pred, name="cond_grad")
    return [false_grad, true_grad]


@register("Merge", shape=_merge_shape, grad=_merge_grad, receives_dead=True)
def _merge_kernel(ctx, *inputs, **attrs):
    """The first live input and its index. Attr `_nested` (False for a top-level tf.cond and its gradient) tells
    the planner whether the output itself can be dead."""
    import numpy as np

    for i, v in enumerate(inputs):
        if v is not DEAD:
            return v, np.asarray(i, dtype=np.int32)
    return DEAD, DEAD


def merge(inputs, name=None):
    """(output, value_index): forwards the one input that is alive."""
    from .constant_op import convert_to_tensor

    with _graph.name_scope(name, "Merge", list(inputs)) as scope:
        inputs = [convert_to_tensor(t) for t in inputs]
        return apply("Merge", inputs, {"N": len(inputs)}, scope)


# -- the branch context ----------------------------------------------------------------------------------------------


def encloses(context, op: Operation) -> bool:
    """Whether `op` was built inside `context` or in a context nested in it (a cond or while context)."""
    ctx = op._cf_context
    while ctx is not None:
        if ctx is context:
            return True
        ctx = ctx.outer
    return False


class CondContext:
    """The ops of one branch of one tf.cond: `pred` (pred_id), `pivot` (switch_t or switch_f), `branch` 1/0."""

    def __init__(self, pred: Tensor, pivot: Tensor, branch: int, outer):
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.outer = outer
        self._values = {pred, pivot}
        self._external = {}
        pivot.op._cf_context = self
        self._saved = None

    # called by Graph.create_op for every op created while this context is active
    def _capture_inputs(self, inputs) -> list:
        return [self._capture(t) for t in inputs]

    def _capture(self, t: Tensor) -> Tensor:
        """`t` as seen from inside the branch: a Switch output for tensors made outside it."""
        if t in self._values:
            return t
        switched = self._external.get(t)
        if switched is not None:
            return switched
        od = t.op._opdef
        if od is not None and od.is_variable:
            return t  # refs are read when the consuming op runs; the pivot guards that op instead
        if encloses(self, t.op):
            self._values.add(t)
            return t
        outer_t = self.outer._capture(t) if self.outer is not None else t
        g = t.graph
        saved_ctx, saved_ctrl = g._cf_context, g._control_stack
        g._cf_context, g._control_stack = None, []
        try:
            sw = switch(outer_t, self.pred)
        finally:
            g._cf_context, g._control_stack = saved_ctx, saved_ctrl
        sw[0].op._cf_context = self.outer
        result = sw[self.branch]
        self._values.add(result)
        self._external[t] = result
        return result

    def _control_inputs(self, inputs, ctrl) -> list:
        """Adds the pivot to ops with no data input from the branch (constants, variable reads)."""
        has_data = any(not (t.op._opdef is not None and t.op._opdef.is_variable) for t in inputs)
        if has_data or any(encloses(self, c) for c in ctrl):
            return ctrl
        return ctrl + [self.pivot.op]

    def _add_op(self, op: Operation) -> None:
        op._cf_context = self
        self._values.update(op._outputs)

    def enter(self):
        g = self.pred.graph
        self._saved = g._cf_context
        g._cf_context = self

    def exit(self):
        self.pred.graph._cf_context = self._saved

    def build_branch(self, fn):
        """Calls `fn` inside the branch; returns (its result, the flat list of branch output tensors)."""
        self.enter()
        try:
            return self._build(fn)
        finally:
            self.exit()

    def _build(self, fn):
        from .constant_op import convert_to_tensor

        original = fn()
        if original is None:
            return None, []
        flat = []
        for v in nest.flatten(original):
            if isinstance(v, Operation):
                with _graph.control_dependencies([v]):
                    flat.append(_identity(self.pivot))
                continue
            t = convert_to_tensor(v)
            flat.append(self._capture(t))
        return original, flat


def _identity(t):
    return apply("Identity", [t], {}, "Identity")


# -- tf.cond ---------------------------------------------------------------------------------------------------


def _unpack_if_singleton(res):
    if isinstance(res, (list, tuple)) and len(res) == 1:
        return res[0]
    return res


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` if `pred` else `false_fn()`; only the branch taken runs.

    pred: a scalar bool tensor (a Python bool raises TypeError). Both functions must return the same structure
    of tensors with the same dtypes. `fn1`/`fn2` are the old keyword names.
    """
    from .constant_op import convert_to_tensor

    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if true_fn is None:
        raise TypeError("cond(): true_fn argument required")
    if false_fn is None:
        raise TypeError("cond(): false_fn argument required")
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    with _graph.name_scope(name, "cond", [pred]):
        pred = convert_to_tensor(pred)
        p_false, p_true = switch(pred, pred)
        pivot_t = _identity_named(p_true, "switch_t")
        pivot_f = _identity_named(p_false, "switch_f")
        pred = _identity_named(pred, "pred_id")
        g = pred.graph
        for t in (p_false, p_true, pivot_t, pivot_f, pred):
            g.prevent_fetching(t.op)
        outer = g._cf_context
        orig_t, res_t = CondContext(pred, pivot_t, 1, outer).build_branch(true_fn)
        orig_f, res_f = CondContext(pred, pivot_f, 0, outer).build_branch(false_fn)
        if not strict:
            orig_t = _unpack_if_singleton(orig_t)
            orig_f = _unpack_if_singleton(orig_f)
        try:
            nest.assert_same_structure(orig_t, orig_f)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{e}\n\ntrue_fn and false_fn arguments to tf.cond must have the same number, type, and "
                          "overall structure of return values.") from None
        if not res_t:
            raise ValueError("true_fn and false_fn must return at least one result.")
        for x, y in zip(res_f, res_t):
            if x.dtype.base_dtype != y.dtype.base_dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: {x.dtype.name}, "
                                 f"{y.dtype.name}")
        merges = []
        for f, t in zip(res_f, res_t):
            out = merge([f, t])[0]
            _MERGE_PRED[out.op] = pred
            out.op._attrs["_nested"] = outer is not None
            merges.append(out)
        if isinstance(orig_t, (Operation, Tensor)) or not nest.is_sequence(orig_t):
            result = merges[0]
        else:
            result = nest.pack_sequence_as(orig_t, merges)
        if not strict:
            result = _unpack_if_singleton(result)
        return result


def _identity_named(t, name):
    return apply("Identity", [t], {}, name)


# -- tf.case -----------------------------------------------------------------------------------------------------


def _case_args(pred_fn_pairs, exclusive):
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    elif not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError("pred_fn_pairs must be a list, tuple, or dict")
    predicates, actions = [], []
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple, got {pair!r}")
        pred, fn = pair
        if isinstance(pred, bool) or not isinstance(pred, Tensor) or pred.dtype.base_dtype != dtypes.bool_:
            raise TypeError(f"pred must be Tensor of type bool: {getattr(pred, 'name', pred)}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
        predicates.append(pred)
        actions.append(fn)
    return predicates, actions


def _assert_at_most_n_true(predicates, n, msg):
    from . import array_ops, logging_ops, math_ops

    count = math_ops.reduce_sum(math_ops.cast(array_ops.stack(predicates), dtypes.int32))
    return logging_ops.Assert(math_ops.less_equal(count, n), [msg, array_ops.stack(predicates)], name="assert")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The action of the first true predicate (nested tf.conds), or `default`.

    pred_fn_pairs: list of (scalar bool tensor, callable) (a dict is accepted). Without `default`, the last
    action is the default and fails at run time unless its predicate is true. `exclusive=True` checks that at
    most one predicate is true.
    """
    predicates, actions = _case_args(pred_fn_pairs, exclusive)
    with _graph.name_scope(name, "case", predicates):
        if not predicates and default is None:
            raise ValueError("case needs at least one (pred, fn) pair or a default")
        if default is None:
            k = len(predicates) - 1
            last_pred, last_action = predicates[k], actions[k]
            predicates, actions = predicates[:k], actions[:k]

            def default(last_pred=last_pred, last_action=last_action, others=tuple(predicates)):
                from .logging_ops import Assert

                deps = [Assert(last_pred, ["Input error: None of conditions evaluated as True"])]
                if others:
                    deps.append(_assert_at_most_n_true(list(others), 0, "Implementation error: the default "
                                                       "action was selected while another predicate is True"))
                with _graph.control_dependencies(deps):
                    return last_action()

        fn = default
        for pred, action in reversed(list(zip(predicates, actions))):
            fn = functools.partial(cond, pred, true_fn=action, false_fn=fn, strict=strict)
        if exclusive and len(predicates) > 1:
            with _graph.control_dependencies([_assert_at_most_n_true(predicates, 1, "Input error: exclusive=True")]):
                return fn()
        return fn()


__all__ = ["cond", "case", "switch", "merge", "CondContext"]
