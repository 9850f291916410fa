"""Small helpers shared by the tf.nn op modules: dtype checks and axis normalisation."""

from __future__ import annotations

from ..ext.strict import lenient
from ..framework import dtypes
from ..framework.graph import Tensor

FLOAT_NAMES = "float16, bfloat16, float32, float64"
INT_LABEL_NAMES = "int32, int64"


def require_float(t: Tensor, param: str) -> None:
    """TypeError in TF1's wording unless `t` is a floating-point tensor."""
    dt = t.dtype.base_dtype
    if not dt.is_floating:
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
                        f"values: {FLOAT_NAMES}")


def require_real(t: Tensor, param: str) -> None:
    """TypeError unless `t` is a real number tensor (floats and integers, as Relu accepts)."""
    dt = t.dtype.base_dtype
    if not (dt.is_floating or dt.is_integer):
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
                        f"values: {FLOAT_NAMES}, int8, int16, int32, int64, uint8, uint16, uint32, uint64")


def require_int_labels(t: Tensor, param: str = "labels") -> None:
    dt = t.dtype.base_dtype
    if dt not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
                        f"values: {INT_LABEL_NAMES}")


def normalize_axis(axis: int, ndims: int | None, what: str = "axis") -> int:
    """`axis` in [-ndims, ndims) mapped to [0, ndims); returned unchanged (may be negative) when ndims is unknown."""
    axis = int(axis)
    if ndims is None:
        return axis
    if not -ndims <= axis < ndims:
        raise ValueError(f"{what} must be in the range [{-ndims}, {ndims}) where {ndims} is the number of "
                         f"dimensions in the input. Received: {what}={axis}")
    return axis % ndims


def resolve_xent_args(fn_name, sentinel, labels, logits, third=None):
    """Resolves pre-1.0 positional calls `fn(logits, labels[, third])` (lenient) or raises TF1's ValueError."""
    if sentinel is None:
        if labels is None or logits is None:
            raise ValueError(f"Both labels and logits must be provided for {fn_name}.")
        return labels, logits, third
    strict_error = ValueError(f"Only call `{fn_name}` with named arguments (labels=..., logits=..., ...)")
    lenient(f"positional-{fn_name}",
            f"{fn_name}(logits, labels) with positional arguments is the pre-1.0 form; TF 1.x requires "
            f"{fn_name}(labels=..., logits=...). teachtf accepts it in lenient mode.", strict_error)
    if logits is not None:
        if third is None or not isinstance(logits, int):
            raise strict_error  # a third positional argument is only meaningful as the old `dim`
        third = logits
    return labels, sentinel, third
