"""tf.layers max_pooling2d and average_pooling2d, as classes and functions (API.md §14). `strides` is
required; padding 'valid' by default, either case accepted."""

from __future__ import annotations

from ..framework.graph import Tensor
from ..ops import pool_ops
from .base import Layer
from .utils import normalize_data_format, normalize_padding, normalize_tuple


class _Pooling2D(Layer):
    _pool_name = ""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_last":
            fmt, ksize, strides = "NHWC", [1, *self.pool_size, 1], [1, *self.strides, 1]
        else:
            fmt, ksize, strides = "NCHW", [1, 1, *self.pool_size], [1, 1, *self.strides]
        pool = getattr(pool_ops, self._pool_name)
        return pool(inputs, ksize=ksize, strides=strides, padding=self.padding.upper(), data_format=fmt)


class MaxPooling2D(_Pooling2D):
    """Max over pool_size windows moved by strides, per channel."""

    _pool_name = "max_pool"


class AveragePooling2D(_Pooling2D):
    """Mean over the in-bounds cells of each window, per channel."""
    _pool_name = "avg_pool"


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None) -> Tensor:
    """Max pooling (ops under `max_pooling2d/`)."""
    return MaxPooling2D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                        name=name).apply(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None) -> Tensor:
    """Average pooling (ops under `average_pooling2d/`)."""
    return AveragePooling2D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
