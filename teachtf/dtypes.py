"""tf.dtypes: DType, as_dtype and the dtype objects (the same objects as tf.float32, ...)."""

from .framework.dtypes import (DType, as_dtype, bfloat16, bool_ as bool, complex64, complex128, double,  # noqa: F401
                               float16, float32, float64, half, int8, int16, int32, int64, string, uint8, uint16,
                               uint32, uint64)
from .ops.math_ops import cast, saturate_cast  # noqa: F401
