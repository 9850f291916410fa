"""tf.train.Optimizer: the TF1 base class (API.md §12.1).

`minimize` = `compute_gradients` (symbolic gradients, `None` where a variable
has no gradient path) + `apply_gradients` (slot variables created on first use,
one fused update op per variable under `<Name>/update_<var>/`, then the
optimizer's own counters, then `global_step += 1`). Subclasses define
`_create_slots`, `_prepare` (hyperparameters as tensors) and `_apply_dense`.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..ops import state_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.control_flow_ops import group
from ..ops.variables import Variable, trainable_variables

__all__ = ["Optimizer"]

_VALID_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


def _var_key(var):
    """Slots are keyed by (graph, variable op name), as in TF1."""
    return (var.op.graph, var.op.name)


def _slot_initial_value(primary, value):
    """Builds the initial value of a slot: `value` broadcast to the primary variable's shape and dtype."""
    from ..ops import array_ops
    from ..ops.constant_op import constant

    dtype = primary.dtype.base_dtype
    shape = primary.shape
    if not shape.is_fully_defined():
        base = array_ops.zeros_like(primary.initialized_value() if isinstance(primary, Variable) else primary)
        return base if value == 0 else base + constant(value, dtype=dtype)
    if value == 0:
        return array_ops.zeros(shape.as_list(), dtype=dtype)
    if value == 1:
        return array_ops.ones(shape.as_list(), dtype=dtype)
    return constant(value, dtype=dtype, shape=shape.as_list())


def create_slot(primary, initial_value, op_name: str) -> Variable:
    """A non-trainable global variable `<primary op name>/<op_name>` (uniquified) of the primary's dtype.

    `initial_value` is a number (broadcast to the primary's shape) or a function
    returning the initial tensor. Created at the root name scope, outside
    control dependencies, like TF1's slot_creator.
    """
    g = primary.graph
    init = initial_value if callable(initial_value) else (lambda: _slot_initial_value(primary, initial_value))
    with g.as_default(), g.control_dependencies(None), g.name_scope(None):
        return Variable(init, trainable=False, name=f"{primary.op.name}/{op_name}")


class Optimizer:
    """Base class of the TF1 optimizers; subclass and implement `_apply_dense` (and `_create_slots`)."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict] = {}
        self._non_slot_dict: dict[tuple, Variable] = {}

    def get_name(self) -> str:
        return self._name

    # -- the public protocol ----------------------------------------------------------------------------------

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """compute_gradients then apply_gradients; returns the training Operation."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, gate_gradients=gate_gradients,
                                                aggregation_method=aggregation_method,
                                                colocate_gradients_with_ops=colocate_gradients_with_ops,
                                                grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not support gradients, "
                f"between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}. (The loss must be "
                "computed from these variables through floating-point ops; tf.cast to an integer, tf.argmax or "
                "tf.stop_gradient cut the path.)")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None) -> list:
        """[(gradient or None, variable)] for every variable of `var_list` (default: the trainable ones)."""
        from ..gradients import gradients

        if callable(loss) and not isinstance(loss, Tensor) and not hasattr(loss, "_as_tensor"):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             f"Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        if not isinstance(loss, Tensor) and not hasattr(loss, "_as_tensor"):
            raise TypeError(f"loss must be a Tensor (the value to minimize), got {loss!r:.60} of type "
                            f"{type(loss).__name__}.")
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([convert_to_tensor(grad_loss)])
        if var_list is None:
            var_list = trainable_variables() + _graph.get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
        else:
            var_list = list(var_list) if isinstance(var_list, (list, tuple)) else [var_list]
        if not var_list:
            raise ValueError("No variables to optimize.")
        targets = []
        for v in var_list:
            if isinstance(v, Variable):
                targets.append(v._as_graph_element())
            elif isinstance(v, Tensor):
                targets.append(v)
            else:
                raise TypeError(f"var_list must contain Variables (or Tensors), got {v!r:.60} of type "
                                f"{type(v).__name__}.")
        grads = gradients(loss, targets, grad_ys=grad_loss, aggregation_method=aggregation_method)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Adds one update op per (gradient, variable) pair with a gradient; returns the training Operation."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        pairs = []
        for g, v in grads_and_vars:
            if g is not None:
                try:
                    g = convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError(f"Gradient must be convertible to a Tensor or IndexedSlices, or None: {g}") \
                        from None
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients updates Variables; got {v!r:.80} of type {type(v).__name__}.")
            pairs.append((g, v))
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in pairs]}.")
        graph = var_list[0].graph
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots(var_list)
            with _graph.name_scope(name, self._name) as scope:
                self._prepare()
                update_ops = []
                for grad, var in pairs:
                    if grad is None:
                        continue
                    with _graph.name_scope("update_" + var.op.name):
                        update_ops.append(self._apply_dense(grad, var))
                if global_step is None:
                    train_op = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        train_op = state_ops.assign_add(global_step, 1, name=scope).op
            train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if train_op not in train_ops:
                train_ops.append(train_op)
        return train_op

    def get_slot(self, var, name: str):
        """The slot variable `name` of `var` (e.g. 'm' for Adam), or None."""
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def get_slot_names(self) -> list:
        """The names of the slots this optimizer created, sorted."""
        return sorted(self._slots)

    def variables(self) -> list:
        """Slot and non-slot variables of this optimizer in the default graph, sorted by name."""
        g = _graph.get_default_graph()
        out = [v for (_, vg), v in self._non_slot_dict.items() if vg is g]
        for slots in self._slots.values():
            out.extend(v for v in slots.values() if v.graph is g)
        return sorted(out, key=lambda v: v.name)

    # -- hooks for subclasses ------------------------------------------------------------------------------------

    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} must implement _apply_dense")

    def _finish(self, update_ops, name_scope):
        return group(*update_ops, name=name_scope)

    # -- helpers ----------------------------------------------------------------------------------------------------

    def _valid_dtypes(self):
        return _VALID_DTYPES

    def _assert_valid_dtypes(self, tensors):
        valid = self._valid_dtypes()
        for t in tensors:
            dt = t.dtype.base_dtype
            if dt not in valid:
                raise ValueError(f"Invalid type {dt!r} for {t.name}, expected: [{', '.join(repr(v) for v in valid)}].")

    @staticmethod
    def _call_if_callable(param):
        return param() if callable(param) and not isinstance(param, Tensor) and not hasattr(param, "_as_tensor") \
            else param

    def _hyper(self, value, name):
        """A hyperparameter (number, Tensor, Variable or callable) as a tensor named `name` in the apply scope."""
        return convert_to_tensor(self._call_if_callable(value), name=name)

    @staticmethod
    def _as_var_dtype(t, var):
        from ..ops.math_ops import cast

        return cast(t, var.dtype.base_dtype)

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, value, slot_name, op_name):
        """The slot `slot_name` of `var`, created filled with `value` and named `<var>/<op_name>` on first use."""
        named = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named:
            named[key] = create_slot(var, value, op_name)
        return named[key]

    def _zeros_slot(self, var, slot_name, op_name):
        return self._get_or_make_slot(var, 0, slot_name, op_name)

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A variable of the optimizer itself (Adam's beta1_power), one per graph, in the current name scope."""
        g = colocate_with.graph
        key = (name, g)
        v = self._non_slot_dict.get(key)
        if v is None:
            with g.as_default(), g.control_dependencies(None):
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or _graph.get_default_graph()))
