"""Argument normalisation and mode selection shared by tf.layers and tf.contrib.layers."""

from __future__ import annotations

import numbers

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor
from ..ops.cond_ops import cond
from ..ops.constant_op import constant_value, convert_to_tensor


def normalize_tuple(value, n: int, name: str) -> tuple:
    """An int or an iterable of n ints as a tuple of n ints (`kernel_size=3` → (3, 3))."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}") from None
    if len(values) != n or not all(isinstance(v, numbers.Integral) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    return tuple(int(v) for v in values)


def normalize_padding(value) -> str:
    """'valid' or 'same', in either case (layers accept both; tf.nn needs upper case)."""
    padding = str(value).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f'The `padding` argument must be one of "valid", "same". Received: {value}')
    return padding


def normalize_data_format(value) -> str:
    """'channels_last' (NHWC) or 'channels_first' (NCHW); the nn spellings are accepted too."""
    fmt = "channels_last" if value is None else str(value).lower()
    fmt = {"nhwc": "channels_last", "nchw": "channels_first"}.get(fmt, fmt)
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f'The `data_format` argument must be one of "channels_first", "channels_last". '
                         f"Received: {value}")
    return fmt


def static_bool(pred):
    """The value of a mode flag known when the graph is built (a Python bool or a constant), else None."""
    if isinstance(pred, (bool, np.bool_)):
        return bool(pred)
    if isinstance(pred, Tensor) or hasattr(pred, "_as_tensor"):
        t = convert_to_tensor(pred)
        if t.dtype.base_dtype != dtypes.bool_:
            raise TypeError(f"The training/is_training flag must be a bool tensor, got {t.dtype.base_dtype.name} "
                            f"({t.name})")
        value = constant_value(t)
        return None if value is None else bool(value)
    if isinstance(pred, numbers.Integral):
        return bool(pred)
    raise TypeError(f"The training/is_training flag must be a Python bool or a bool tensor, got {pred!r}")


def smart_select(pred, true_fn, false_fn):
    """true_fn() or false_fn() when `pred` is known at build time (TF1's smart_cond); for a bool tensor,
    tf.cond(pred, true_fn, false_fn), so only the branch taken runs."""
    known = static_bool(pred)
    if known is not None:
        return true_fn() if known else false_fn()
    return cond(convert_to_tensor(pred), true_fn, false_fn)


def conv_output_length(length, filter_size, padding, stride, dilation=1):
    """The output length of a convolution over `length` cells (None stays None), API.md §10.3."""
    if length is None:
        return None
    k = (filter_size - 1) * dilation + 1
    if padding == "same":
        return -(-length // stride)
    return -(-(length - k + 1) // stride)


def deconv_output_length(length, filter_size, padding, stride, dilation=1):
    """The output length of a transposed convolution: 'same' → length·s; 'valid' → length·s + max(k − s, 0)."""
    if length is None:
        return None
    k = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "valid":
        return length * stride + max(k - stride, 0)
    return length * stride
