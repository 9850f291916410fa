"""tf.contrib.layers initializers: xavier_initializer and contrib's variance_scaling_initializer.

Fans as contrib computes them: fan_in = shape[-2] (shape[-1] for 1-D), fan_out = shape[-1], both times
the product of the leading (receptive-field) dimensions.
"""

from __future__ import annotations

import math

from ...framework import dtypes
from ...ops import init_ops, random_ops

_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def _contrib_fans(shape) -> tuple:
    shape = [int(d) for d in shape]
    if shape:
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        fan_out = float(shape[-1])
    else:
        fan_in = fan_out = 1.0
    for dim in shape[:-2]:
        fan_in *= dim
        fan_out *= dim
    return fan_in, fan_out


class VarianceScalingInitializer(init_ops.Initializer):
    """stddev √(factor / n), n = fan_in, fan_out or their mean: U(±√(3·factor/n)) when `uniform`, else a
    truncated normal with stddev √(1.3·factor/n) (1.3 makes up for the truncation at 2σ)."""
    def __init__(self, factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=dtypes.float32):
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        if mode not in _MODES:
            raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
        self.factor, self.mode, self.uniform, self.seed, self.dtype = float(factor), mode, uniform, seed, dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        fan_in, fan_out = _contrib_fans(shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[self.mode]
        if self.uniform:
            limit = math.sqrt(3.0 * self.factor / n)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)
        return random_ops.truncated_normal(shape, 0.0, math.sqrt(1.3 * self.factor / n), dtype, seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode, "uniform": self.uniform, "seed": self.seed,
                "dtype": self.dtype.name}


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=dtypes.float32):
    """He initialization by default (factor 2, FAN_IN, truncated normal)."""
    return VarianceScalingInitializer(factor, mode, uniform, seed, dtype)


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """Glorot/Xavier: U(±√(6/(fan_in + fan_out))), or a truncated normal with stddev √(2.6/(fan_in + fan_out))."""
    return VarianceScalingInitializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer

__all__ = ["variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]
