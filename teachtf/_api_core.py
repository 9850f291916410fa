"""Top-level TF1 names for graphs, tensors, variables, math, array and random ops.

`teachtf/__init__.py` re-exports everything listed in `__all__`. The pre-1.0
spellings of API.md §19 (`tf.sub`, `tf.pack`, …) are not in `__all__`: they
are served by `legacy_attr`, which warns once per name with a
DeprecationWarning and returns the modern object itself.
"""

import warnings as _warnings

from .framework.dtypes import (DType, as_dtype, bfloat16, bool_ as bool, complex64, complex128, double, float16,  # noqa: F401
                               float32, float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32,
                               uint64)
from .framework.graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection, add_to_collections,  # noqa: F401
                              colocate_with, control_dependencies, device, get_all_collection_keys, get_collection,
                              get_collection_ref, get_default_graph, name_scope, reset_default_graph,
                              set_random_seed)
from .framework.shapes import Dimension, TensorShape  # noqa: F401
from .client.session import (ConfigProto, GPUOptions, GraphOptions, InteractiveSession, RunMetadata,  # noqa: F401
                             RunOptions, Session, get_default_session)
from .ops.constant_op import (constant, convert_to_tensor, convert_n_to_tensor, is_tensor, placeholder,  # noqa: F401
                              placeholder_with_default)
from .ops.control_flow_ops import group, identity, no_op, tuple  # noqa: F401
from .ops.state_ops import assign, assign_add, assign_sub  # noqa: F401
from .ops.variables import (Variable, global_variables, global_variables_initializer,  # noqa: F401
                            is_variable_initialized, local_variables, local_variables_initializer, model_variables,
                            moving_average_variables, report_uninitialized_variables, trainable_variables,
                            variables_initializer)
from .ops.math_ops import (abs, accumulate_n, acos, add, add_n, asin, atan, atan2, cast, ceil, cos, cosh,  # noqa: F401
                           cumprod, cumsum, div, div_no_nan, divide, einsum, equal, erf, erfc, exp, expm1, floor,
                           floor_div, floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan, less,
                           less_equal, lin_space, linspace, log, log1p, logical_and, logical_not, logical_or,
                           logical_xor, matmul, matrix_determinant, matrix_inverse,
                           matrix_solve, maximum, minimum, mod, multiply, negative, not_equal, pow, range,
                           realdiv, reciprocal, rint, round, rsqrt, saturate_cast, scalar_mul, segment_sum, sigmoid,
                           sign, sin, sinh, sqrt, square, squared_difference, subtract, tan, tanh, tensordot,
                           to_double, to_float, to_int32, to_int64, trace, truediv, unsorted_segment_sum)
from .ops.reduction_ops import (argmax, argmin, count_nonzero, norm, reduce_all,  # noqa: F401
                                reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
                                reduce_sum)
from .ops.clip_ops import (clip_by_average_norm, clip_by_global_norm, clip_by_norm, clip_by_value,  # noqa: F401
                           global_norm)
from .ops.array_ops import (boolean_mask, broadcast_to, concat, diag, diag_part, expand_dims, eye, fill,  # noqa: F401
                            gather, gather_nd, invert_permutation, matrix_diag, matrix_diag_part, matrix_set_diag,
                            matrix_transpose, meshgrid, one_hot, ones, ones_like, pad, rank, reshape, reverse,
                            reverse_sequence, reverse_v2, scatter_nd, sequence_mask, setdiff1d, shape, shape_n, size,
                            slice, sparse_to_dense, split, squeeze, stack, stop_gradient, strided_slice, tile,
                            transpose, unique, unstack, where, where_v2, zeros, zeros_like)
from .ops.random_ops import (multinomial, random_crop, random_normal, random_shuffle, random_uniform,  # noqa: F401
                             truncated_normal)

newaxis = None

__all__ = [n for n in dir() if not n.startswith("_")]

# Pre-1.0 names (API.md §19): each is the modern object itself, and warns once when first looked up.
LEGACY_ALIASES = {
    "sub": "subtract", "mul": "multiply", "neg": "negative", "pack": "stack", "unpack": "unstack",
    "select": "where", "batch_matmul": "matmul", "inv": "reciprocal", "arg_max": "argmax", "arg_min": "argmin",
    "listdiff": "setdiff1d", "complex_abs": "abs",
}
_warned: set = set()


def legacy_attr(name: str, stacklevel: int = 3):
    """The modern object for the legacy top-level `name`, warning once (DeprecationWarning)."""
    modern = LEGACY_ALIASES[name]
    if name not in _warned:
        _warned.add(name)
        _warnings.warn(f"tf.{name} is a pre-1.0 TensorFlow name; use tf.{modern} instead.", DeprecationWarning,
                       stacklevel=stacklevel)
    if modern in globals():
        return globals()[modern]
    import teachtf  # the modern name may come from another _api_* module

    return getattr(teachtf, modern)
