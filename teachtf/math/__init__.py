"""tf.math: the elementwise, reduction and segment functions, as the same objects as the top-level names
(`tf.math.log is tf.log`). The activation-like names (`tf.math.softplus`, `tf.math.top_k`, …) are the
`tf.nn` objects, looked up on first use."""

import importlib as _importlib

from ..ops.math_ops import (abs, accumulate_n, acos, add, add_n, asin, atan, atan2, ceil, cos, cosh,  # noqa: F401
                            cumprod, cumsum, div_no_nan, divide, equal, erf, erfc, exp, expm1, floor, floordiv,
                            floormod, greater, greater_equal, is_finite, is_inf, is_nan, less, less_equal, log, log1p,
                            logical_and, logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply,
                            negative, not_equal, pow, reciprocal, rint, round, rsqrt, scalar_mul, segment_sum,
                            sigmoid, sign, sin, sinh, sqrt, square, squared_difference, subtract, tan, tanh,
                            truediv, unsorted_segment_sum)
from ..ops.reduction_ops import (argmax, argmin, count_nonzero, reduce_all, reduce_any,  # noqa: F401
                                 reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std,
                                 reduce_sum, reduce_variance)
from ..ops.array_ops import invert_permutation  # noqa: F401

divide_no_nan = div_no_nan

__all__ = [n for n in dir() if not n.startswith("_")]

# tf.math names whose objects live in tf.nn (owned by the nn area): resolved lazily.
_FROM_NN = ("softmax", "log_softmax", "softplus", "softsign", "l2_normalize", "top_k", "in_top_k", "log_sigmoid")


def __getattr__(name):
    if name in _FROM_NN:
        nn = _importlib.import_module("..nn", __name__)
        try:
            return getattr(nn, name)
        except AttributeError:
            pass
    raise AttributeError(f"module 'teachtf.math' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | set(_FROM_NN))
