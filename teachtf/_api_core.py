"""Top-level TF1 names for graphs, tensors, variables, math, array and control-flow ops.

`teachtf/__init__.py` re-exports everything listed in `__all__`.
"""

from .framework.dtypes import (DType, as_dtype, bfloat16, bool_ as bool, complex64, complex128, double, float16,  # noqa: F401
                               float32, float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32,
                               uint64)
from .framework.graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection, add_to_collections,
                              colocate_with, control_dependencies, device, get_all_collection_keys, get_collection,
                              get_collection_ref, get_default_graph, name_scope, reset_default_graph,
                              set_random_seed)
from .framework.shapes import Dimension, TensorShape
from .client.session import (ConfigProto, GPUOptions, GraphOptions, InteractiveSession, RunMetadata, RunOptions,
                             Session, get_default_session)
from .ops.constant_op import (constant, convert_to_tensor, convert_n_to_tensor, is_tensor, placeholder,
                              placeholder_with_default)
from .ops.control_flow_ops import group, identity, no_op, tuple
from .ops.state_ops import assign, assign_add, assign_sub
from .ops.variables import (Variable, global_variables, global_variables_initializer, is_variable_initialized,
                            local_variables, local_variables_initializer, model_variables, moving_average_variables,
                            report_uninitialized_variables, trainable_variables, variables_initializer)
from .ops.math_ops import add, add_n, cast, divide, matmul, multiply, negative, reduce_sum, subtract, truediv
from .ops.array_ops import broadcast_to, ones_like, reshape, shape, zeros_like

newaxis = None

__all__ = [n for n in dir() if not n.startswith("_")]
