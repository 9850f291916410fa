"""tf.layers.Layer: a callable that creates its variables on the first call, inside its own variable scope.

Naming follows TF1 (API.md §3.4, §3.7): an unnamed layer opens `variable_scope(None, default_name=<snake
class name>)`, so layers are `dense`, `dense_1`, …; a functional call with `name=` captures
`variable_scope(name)` (creating the same name twice needs `reuse=True`). Variables come from
`get_variable`, so scope initializers, regularizers (→ REGULARIZATION_LOSSES) and reuse behave as in TF1.
Ops of every call go to the name scope first opened with the layer's variable scope.
"""

from __future__ import annotations

import re

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..framework.variable_scope import get_variable, variable_scope
from ..ops import array_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.conv_ops import bias_add
from ..ops.math_ops import cast


def _snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class Layer:
    """Base class of the tf.layers classes: subclasses define `build(input_shape)` and `call(inputs, ...)`."""
    def __init__(self, trainable=True, name=None, dtype=None, activity_regularizer=None, _scope=None, _reuse=None,
                 **kwargs):
        unknown = set(kwargs) - {"input_shape", "batch_input_shape", "batch_size", "weights"}
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]!r}")
        self.trainable = trainable
        self._base_name = name or _snake_case(type(self).__name__)
        self._name = name
        self.dtype = None if dtype is None else _as_dtype(dtype)
        self.activity_regularizer = activity_regularizer
        self._reuse = _reuse
        self._scope = None
        if _scope:
            with variable_scope(_scope) as captured:
                self._scope = captured
        self.built = False
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._updates: list = []
        self._losses: list = []

    # -- what users read --------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        if self._scope is not None:
            return self._scope.name.split("/")[-1]
        return self._name or self._base_name

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError("No name available for layer scope because the layer has not been used yet.")
        return self._scope.name

    trainable_weights = property(lambda self: list(self._trainable_weights) if self.trainable else [])
    trainable_variables = trainable_weights
    non_trainable_weights = property(lambda self: (list(self._non_trainable_weights) if self.trainable else
                                                   self._trainable_weights + self._non_trainable_weights))
    non_trainable_variables = non_trainable_weights
    weights = property(lambda self: self._trainable_weights + self._non_trainable_weights)
    variables = weights
    updates = property(lambda self: list(self._updates))
    losses = property(lambda self: list(self._losses))

    # -- for subclasses ---------------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None):
        """get_variable(name, ...) in the layer's scope, tracked as trainable or not.

        A `regularizer` is applied once, when the variable is created; its loss goes to
        REGULARIZATION_LOSSES under `<name>/Regularizer`.
        """
        existing = {id(v) for v in _graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        v = get_variable(name, shape=shape, dtype=dtype or self.dtype, initializer=initializer,
                         trainable=trainable and self.trainable, constraint=constraint)
        if regularizer is not None and id(v) not in existing:
            with _graph.name_scope(name + "/Regularizer"):
                loss = regularizer(v)
            if loss is not None:
                self.add_loss(loss)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(v)
        return v

    add_variable = add_weight

    def add_update(self, update) -> None:
        """Tracks a state update op and puts it in UPDATE_OPS (run it with the train op)."""
        self._updates.append(update)
        _graph.add_to_collection(GraphKeys.UPDATE_OPS, update)

    def add_loss(self, loss) -> None:
        self._losses.append(loss)
        _graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    # -- calling -----------------------------------------------------------------------------------------------
    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with variable_scope(scope if scope is not None else self._base_name) as captured:
                    self._scope = captured
            else:
                with variable_scope(scope, default_name=self._base_name) as captured:
                    self._scope = captured

    def __call__(self, inputs, *args, **kwargs):
        self._set_scope(kwargs.pop("scope", None))
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            with _graph.name_scope(scope.original_name_scope):
                inputs = _convert_inputs(inputs)
                if not self.built:
                    if self.dtype is None:
                        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
                        self.dtype = first.dtype.base_dtype
                    self.build(_shapes_of(inputs))
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
                if self.activity_regularizer is not None:
                    self._add_activity_loss(outputs)
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """Same as calling the layer."""
        return self(inputs, *args, **kwargs)

    def _add_activity_loss(self, outputs):
        with _graph.name_scope("ActivityRegularizer"):
            loss = self.activity_regularizer(outputs)
            if loss is not None:
                batch = cast(array_ops.shape(outputs)[0], loss.dtype.base_dtype)
                self.add_loss(loss / batch)  # per-example mean, as TF 1.15's layers


class KernelBiasLayer(Layer):
    """A Layer with a `kernel` and an optional `bias` [n]: outputs = activation(op(inputs, kernel) + bias).

    Holds the initializer/regularizer/constraint settings both weights share between Dense and the conv layers.
    """
    def __init__(self, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None

    def _add_kernel_and_bias(self, kernel_shape: list, bias_size: int) -> None:
        """Creates `kernel` of `kernel_shape` and, with use_bias, `bias` [bias_size]."""
        self.kernel = self.add_weight("kernel", shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[bias_size], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _bias_and_activation(self, outputs: Tensor, data_format: str | None = None) -> Tensor:
        """activation(outputs + bias), each step skipped when absent; the bias goes on the channel axis."""
        if self.use_bias:
            outputs = bias_add(outputs, self.bias, data_format=data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


def _as_dtype(dtype):
    return dtypes.as_dtype(dtype).base_dtype


def _convert_inputs(inputs):
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(convert_to_tensor(t) for t in inputs)
    return convert_to_tensor(inputs)


def _shapes_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [t.shape for t in inputs]
    return inputs.shape


def is_tensor_like(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")
