"""tf.layers dense, dropout and flatten, as classes and functions (API.md §14)."""

from __future__ import annotations

from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from ..ops import array_ops, init_ops
from ..ops.control_flow_ops import identity
from ..ops.math_ops import matmul, tensordot
from ..ops.nn_dropout import dropout as nn_dropout
from .base import KernelBiasLayer, Layer
from .utils import normalize_data_format, smart_select


class Dense(KernelBiasLayer):
    """outputs = activation(inputs · kernel + bias); kernel [in, units] (glorot-uniform unless the scope or
    `kernel_initializer` says otherwise), bias [units] zeros. Rank > 2 inputs use the last axis."""
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                         name=name, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"units must be a positive int, got {units!r}")
        self.units = units

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None or input_shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        self._add_kernel_and_bias([input_shape[-1].value, self.units], self.units)

    def call(self, inputs):
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            outputs = tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        else:
            outputs = matmul(inputs, self.kernel)
        return self._bias_and_activation(outputs)

def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
          reuse=None) -> Tensor:
    """A fully connected layer: variables `<scope>/kernel` [in, units] and `<scope>/bias` [units], scope
    `dense`, `dense_1`, … (or `name`)."""
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


class Dropout(Layer):
    """Drops each element with probability `rate` (scaling the rest by 1/(1 − rate)) when training; the
    identity otherwise. `training` is a Python bool or a bool tensor and defaults to False."""
    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        return smart_select(training,
                            lambda: nn_dropout(inputs, noise_shape=self.noise_shape, seed=self.seed, rate=self.rate),
                            lambda: identity(inputs))


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None) -> Tensor:
    """tf.layers.dropout: `rate` is the drop probability and `training` defaults to False (the identity)."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(Layer):
    """[batch, d1, d2, …] → [batch, d1·d2·…]."""
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs):
        rank = inputs.shape.ndims
        if rank is not None and rank < 1:
            raise ValueError(f"Flatten needs an input of rank >= 1, got shape {inputs.shape}")
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = array_ops.transpose(inputs, [0] + list(range(2, rank)) + [1])
        batch = inputs.shape[0].value if rank else None
        outputs = array_ops.reshape(inputs, [batch if batch is not None else array_ops.shape(inputs)[0], -1])
        if rank is not None:
            rest = inputs.shape[1:].num_elements()
            outputs.set_shape([batch, rest if rank > 1 else 1])
        return outputs


def flatten(inputs, name=None, data_format="channels_last") -> Tensor:
    """[batch, …] → [batch, -1] (the batch dimension is kept)."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
