"""tf.train.ExponentialMovingAverage (API.md §12.5).

Each averaged variable `w` gets a shadow variable `w/ExponentialMovingAverage`
starting at w's initial value; `apply` returns one op updating every shadow by
    shadow ← shadow − (1 − d)·(shadow − w),
with d = min(decay, (1 + num_updates)/(10 + num_updates)) when `num_updates` is given.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..ops import state_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.control_flow_ops import group
from ..ops.variables import Variable, global_variables, moving_average_variables, trainable_variables
from .optimizer import create_slot

__all__ = ["ExponentialMovingAverage", "assign_moving_average"]

_FLOAT_DTYPES = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)


def _current_value(x):
    """A read of `x` made when the op runs (after the control dependencies in force), like TF1's ref reads."""
    return x.read_value() if isinstance(x, Variable) else convert_to_tensor(x)


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """variable ← variable − (1 − decay)·(variable − value); returns the updated value.

    With `zero_debias`, the average is divided by 1 − decay^t (t the number of
    updates so far), so an average started at zero is unbiased.
    """
    from ..ops.math_ops import cast

    with _graph.name_scope(name, "AssignMovingAvg") as scope:
        one_minus_decay = convert_to_tensor(1.0 - convert_to_tensor(decay), name="decay")
        if one_minus_decay.dtype.base_dtype != variable.dtype.base_dtype:
            one_minus_decay = cast(one_minus_decay, variable.dtype.base_dtype)
        value = _current_value(value)
        if zero_debias:
            return _zero_debias(variable, value, one_minus_decay, scope)
        return state_ops.assign_sub(variable, (_current_value(variable) - value) * one_minus_decay, name=scope)


def _zero_debias(unbiased, value, one_minus_decay, scope):
    """TF1's zero-debiased update: a biased average and a step counter live beside the shadow."""
    from ..ops.math_ops import pow as _pow

    biased = create_slot(unbiased, 0, "biased")
    local_step = create_slot(unbiased, lambda: convert_to_tensor(0.0, dtype=unbiased.dtype.base_dtype),
                             "local_step")
    b = _current_value(biased)
    new_biased = state_ops.assign_sub(biased, (b - value) * one_minus_decay)
    new_step = state_ops.assign_add(local_step, convert_to_tensor(1.0, dtype=unbiased.dtype.base_dtype))
    decay = 1.0 - one_minus_decay
    return state_ops.assign(unbiased, new_biased / (1.0 - _pow(decay, new_step)), name=scope)


class ExponentialMovingAverage:
    """Shadow copies of variables that follow them with exponential decay (for evaluation with averaged weights)."""

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables (first call) and returns the op that updates all of them."""
        from ..ext.strict import lenient
        from ..ops.math_ops import cast, minimum

        if var_list is None:
            var_list = trainable_variables()
        elif isinstance(var_list, (Variable, Tensor)):
            lenient("ema_single_variable", "ExponentialMovingAverage.apply expects a list of variables; wrap the "
                                           "single variable in a list: ema.apply([v]).",
                    TypeError(f"'{type(var_list).__name__}' object is not iterable"))
            var_list = [var_list]
        var_list = list(var_list)
        zero_debiased = set()
        for var in var_list:
            if var.dtype.base_dtype not in _FLOAT_DTYPES:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                continue
            if isinstance(var, Variable):
                avg = create_slot(var, lambda var=var: var.initialized_value(), self._name)
                _graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
            else:
                avg = create_slot(var, 0, self._name)
                if self._zero_debias:
                    zero_debiased.add(var)
            self._averages[var] = avg
        with _graph.name_scope(self._name) as scope:
            decay = _current_value(self._decay) if isinstance(self._decay, Variable) else \
                convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = cast(_current_value(self._num_updates), dtypes.float32, name="num_updates")
                decay = minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [assign_moving_average(self._averages[var], var, decay, zero_debias=var in zero_debiased)
                       for var in var_list]
            return group(*updates, name=scope)

    def average(self, var):
        """The shadow variable of `var`, or None."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The op name of `var`'s shadow (the checkpoint key to restore averaged values into `var`)."""
        if var in self._averages:
            return self._averages[var].op.name
        return _graph.get_default_graph().unique_name(f"{var.op.name}/{self._name}", mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{checkpoint name: variable} that loads the averages into the variables, and other variables as they are."""
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        moving_avg_variables = list(dict.fromkeys(moving_avg_variables))
        name_map = {self.average_name(v): v for v in moving_avg_variables}
        averaged_names = {v.name for v in moving_avg_variables}
        for v in global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
