"""Python/NumPy values to NumPy arrays with TF1's dtype inference (API.md §4.2)."""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes
from .shapes import Dimension, TensorShape

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _contains_python_only(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_contains_python_only(v) for v in value)
    return not isinstance(value, (np.ndarray, np.generic))


def _check_ragged(value, arr):
    if arr.dtype == object and isinstance(value, (list, tuple)):
        if any(isinstance(x, (list, tuple, np.ndarray)) for x in np.ravel(arr)):
            raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {value!r}")


def infer_array(value) -> np.ndarray:
    """Converts a Python/NumPy value to an array with TF1's default dtype."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
        return np.asarray(value.as_list(), dtype=np.int32)
    if isinstance(value, Dimension):
        if value.value is None:
            raise ValueError("Cannot convert an unknown Dimension to a Tensor.")
        return np.asarray(value.value, dtype=np.int32)
    if isinstance(value, (str, bytes)):
        return np.asarray(value.encode() if isinstance(value, str) else value, dtype=object)
    if isinstance(value, bool):
        return np.asarray(value, dtype=np.bool_)
    if isinstance(value, numbers.Integral) and not isinstance(value, np.generic):
        v = int(value)
        return np.asarray(v, dtype=np.int32 if _INT32_MIN <= v <= _INT32_MAX else np.int64)
    if isinstance(value, float):
        return np.asarray(value, dtype=np.float32)
    if isinstance(value, complex):
        return np.asarray(value, dtype=np.complex64)
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            return np.zeros((0,), dtype=np.float32)
        try:
            arr = np.array(value)
        except ValueError:
            raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {value!r}") from None
        _check_ragged(value, arr)
        python_only = _contains_python_only(value)
        if arr.dtype.kind in ("U", "S"):
            return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr)
        if arr.dtype == object:
            flat = list(np.ravel(arr))
            if all(isinstance(x, (str, bytes)) for x in flat):
                return np.array([x.encode() if isinstance(x, str) else x for x in flat],
                                dtype=object).reshape(arr.shape)
            raise TypeError(f"Failed to convert object of type {type(value).__name__} to Tensor. "
                            f"Contents: {value!r}.")
        if python_only:
            if arr.dtype == np.float64:
                return arr.astype(np.float32)
            if arr.dtype.kind == "i":
                if arr.size and (arr.min() < _INT32_MIN or arr.max() > _INT32_MAX):
                    return arr.astype(np.int64)
                return arr.astype(np.int32)
            if arr.dtype == np.complex128:
                return arr.astype(np.complex64)
        return arr
    if value is None:
        raise ValueError("None values not supported.")
    raise TypeError(f"Failed to convert object of type {type(value)} to Tensor. Contents: {value!r}. "
                    "Consider casting elements to a supported type.")


def _check_representable(value, dt: dtypes.DType):
    """Python numbers must be exactly representable in `dt` (TF1's TypeError otherwise)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    for v in items:
        if isinstance(v, (list, tuple)):
            _check_representable(v, dt)
            continue
        if isinstance(v, (np.ndarray, np.generic)):
            continue
        bad = False
        if dt.is_integer and isinstance(v, float) and not float(v).is_integer():
            bad = True
        elif dt.is_integer and isinstance(v, numbers.Integral) and not (dt.min <= int(v) <= dt.max):
            bad = True
        elif dt.is_bool and not isinstance(v, (bool, np.bool_)):
            bad = True
        elif (dt.is_integer or dt.is_floating or dt.is_bool) and isinstance(v, (str, bytes)):
            bad = True
        elif dt == dtypes.string and not isinstance(v, (str, bytes)):
            bad = True
        if bad:
            raise TypeError(f"Expected {dt.name}, got {v!r} of type '{type(v).__name__}' instead.")


def to_array(value, dtype=None) -> np.ndarray:
    """Converts `value` to an array of `dtype` (or TF1's inferred dtype when None)."""
    if dtype is None:
        return infer_array(value)
    dt = dtypes.as_dtype(dtype).base_dtype
    if isinstance(value, (np.ndarray, np.generic)):
        if dt == dtypes.string:
            return np.asarray(value, dtype=object)
        return np.asarray(value).astype(dt.as_numpy_dtype, copy=False)
    _check_representable(value, dt)
    if dt == dtypes.string:
        arr = infer_array(value)
        return arr.astype(object)
    if isinstance(value, (TensorShape, Dimension)):
        value = infer_array(value)
    try:
        arr = np.array(value, dtype=dt.as_numpy_dtype)
    except ValueError:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {value!r}") from None
    return arr


def np_dtype_name(dt: dtypes.DType) -> str:
    """TF's short name used in messages: float32 → 'float', float64 → 'double'."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dt.base_dtype.name, dt.base_dtype.name)
