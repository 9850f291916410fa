"""tf.layers batch_normalization, as a class and a function (API.md §14).

Training uses the batch statistics and adds two moving-average updates to UPDATE_OPS
(m ← m − (1 − momentum)·(m − batch_stat)); inference uses the moving statistics. As in TF1, a 4-D
input with the channel axis last (or at 1) takes the fused path, whose variance update uses the
Bessel-corrected batch variance (N/(N−1)); other ranks update with the population variance.
`training` may be a bool tensor: the statistics are then chosen with tf.cond, and the update ops use a
momentum of 1.0 (no change) when it is False.
"""

from __future__ import annotations

from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from ..ops import array_ops, init_ops, nn_normalization
from ..ops.constant_op import convert_to_tensor
from ..ops.math_ops import cast, maximum
from ..train.moving_averages import assign_moving_average
from .base import Layer
from .utils import smart_select, static_bool


class BatchNormalization(Layer):
    """Normalizes over every axis but `axis`: gamma·(x − mean)/√(var + ε) + beta."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=init_ops.zeros_initializer(), gamma_initializer=init_ops.ones_initializer(),
                 moving_mean_initializer=init_ops.zeros_initializer(),
                 moving_variance_initializer=init_ops.ones_initializer(), beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError("teachtf's batch_normalization does not implement renorm, virtual_batch_size or "
                             "adjustment (batch renormalization); leave them at their defaults")
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f"teachtf's batch_normalization normalizes over all axes but one; got axis={axis}")
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        if shape.ndims is None:
            raise ValueError(f"Input has undefined rank: {shape}")
        ndims = shape.ndims
        if not -ndims <= self.axis < ndims:
            raise ValueError(f"Invalid axis: {self.axis} for an input of rank {ndims}")
        self.axis %= ndims
        channels = shape[self.axis].value
        if channels is None:
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {shape}")
        can_fuse = ndims == 4 and self.axis in (1, 3)
        if self.fused and not can_fuse:
            raise ValueError("Batch normalization with fused=True is only supported for 4-D inputs with the "
                             f"channels at axis 1 or 3; got shape {shape} and axis {self.axis}")
        self._use_fused = can_fuse if self.fused is None else bool(self.fused)
        self._ndims = ndims
        if self.scale:
            self.gamma = self.add_weight("gamma", shape=[channels], initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape=[channels], initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", shape=[channels], initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=[channels],
                                               initializer=self.moving_variance_initializer, trainable=False)

    def call(self, inputs, training=False):
        outputs, mean, variance = normalize_batch(inputs, self.axis, self.gamma, self.beta, self.moving_mean,
                                                  self.moving_variance, self.epsilon, training,
                                                  fused=self._use_fused)
        if static_bool(training) is not False:
            for update in moving_average_updates(self.moving_mean, self.moving_variance, mean, variance,
                                                 self.momentum, training):
                self.add_update(update)
        return outputs


def _channel_broadcast(v, axis: int, ndims: int):
    """A per-channel vector reshaped to broadcast against the input (already fine for the last axis)."""
    if v is None or axis == ndims - 1:
        return v
    shape = [1] * ndims
    shape[axis] = -1
    return array_ops.reshape(v, shape)


def normalize_batch(inputs, axis, gamma, beta, moving_mean, moving_variance, epsilon, training, fused):
    """(outputs, mean, variance): normalized with the batch statistics when training, else the moving ones.

    The returned mean and variance are what the moving averages move towards; with `fused` (TF1's fused
    kernel) the variance carries Bessel's correction N/(N−1) and ε is at least 1.001e-5, while the outputs
    always use the population variance. `gamma`/`beta` may be None.
    """
    ndims = inputs.shape.ndims
    axes = [i for i in range(ndims) if i != axis]
    if fused:
        epsilon = max(float(epsilon), 1.001e-5)
    mean, variance = smart_select(training, lambda: nn_normalization.moments(inputs, axes),
                                  lambda: (convert_to_tensor(moving_mean), convert_to_tensor(moving_variance)))
    per_channel = (_channel_broadcast(v, axis, ndims) for v in (mean, variance, beta, gamma))
    outputs = nn_normalization.batch_normalization(inputs, *per_channel, epsilon)
    outputs.set_shape(inputs.shape)
    if fused:
        dt = variance.dtype.base_dtype
        n = cast(array_ops.size(inputs), dt) / cast(array_ops.size(variance), dt)
        variance = variance * (n / maximum(n - 1.0, convert_to_tensor(1.0, dtype=dt)))
    return outputs, mean, variance


def moving_average_updates(moving_mean, moving_variance, mean, variance, momentum, training) -> list:
    """The two ops m ← m − (1 − momentum)·(m − batch_stat), named AssignMovingAvg and AssignMovingAvg_1.

    With a bool tensor `training`, momentum becomes 1.0 (no change) when it is False.
    """
    dt = moving_mean.dtype.base_dtype
    decay = smart_select(training, lambda: convert_to_tensor(momentum, dtype=dt),
                         lambda: convert_to_tensor(1.0, dtype=dt))
    return [assign_moving_average(moving_mean, mean, decay, zero_debias=False).op,
            assign_moving_average(moving_variance, variance, decay, zero_debias=False).op]


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=init_ops.zeros_initializer(), gamma_initializer=init_ops.ones_initializer(),
                        moving_mean_initializer=init_ops.zeros_initializer(),
                        moving_variance_initializer=init_ops.ones_initializer(), beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, training=False,
                        trainable=True, name=None, reuse=None, renorm=False, renorm_clipping=None,
                        renorm_momentum=0.99, fused=None, virtual_batch_size=None, adjustment=None) -> Tensor:
    """Batch normalization layer: variables `batch_normalization/{gamma, beta, moving_mean, moving_variance}`.

    Run the ops in tf.GraphKeys.UPDATE_OPS with the train op, or the moving statistics never change.
    """
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
                               renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
                               trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
                               name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs, training=training)


BatchNorm = BatchNormalization
