"""Top-level TF1 names for variable scopes, initializers, control flow, debugging and eager switches.

`teachtf/__init__.py` re-exports everything listed in `__all__`.
"""

from . import _api_core
from .framework.device_spec import DeviceSpec  # noqa: F401
from .framework.graph import init_scope, op_scope  # noqa: F401
from .framework.random_seed import get_seed  # noqa: F401
from .framework.shapes import dimension_at_index, dimension_value  # noqa: F401
from .framework.variable_scope import (AUTO_REUSE, VariableScope, get_local_variable, get_variable,  # noqa: F401
                                       get_variable_scope, no_regularizer, variable_op_scope, variable_scope)
from .ops.cond_ops import case, cond  # noqa: F401
from .ops.while_ops import while_loop  # noqa: F401
from .ops.functional_ops import foldl, foldr, map_fn, scan  # noqa: F401
from .ops.init_ops import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,  # noqa: F401
                           ones_initializer, orthogonal_initializer, random_normal_initializer,
                           random_uniform_initializer, truncated_normal_initializer, uniform_unit_scaling_initializer,
                           variance_scaling_initializer, zeros_initializer)
from .ops.logging_ops import (Assert, Print, add_check_numerics_ops, assert_equal, assert_greater,  # noqa: F401
                              assert_greater_equal, assert_integer, assert_less, assert_less_equal, assert_negative,
                              assert_non_negative, assert_non_positive, assert_none_equal, assert_positive,
                              assert_rank, assert_rank_at_least, assert_scalar, assert_type, check_numerics,
                              py_func)
from .ops.logging_ops import print_v2 as print  # noqa: F401,A001 - tf.print
from .ops.state_ops import count_up_to, scatter_add, scatter_sub, scatter_update  # noqa: F401
from .ops.variables import assert_variables_initialized  # noqa: F401
from .compat.eager import (disable_eager_execution, disable_resource_variables, disable_v2_behavior,  # noqa: F401
                           disable_v2_tensorshape, enable_eager_execution, enable_resource_variables,
                           enable_v2_behavior, enable_v2_tensorshape, executing_eagerly, resource_variables_enabled)

__all__ = [n for n in dir() if not n.startswith("_")]

# Pre-1.0 variable helpers (API.md §19): looked up through _api_core's legacy mechanism, which warns once and
# returns the modern object itself.
_api_core.LEGACY_ALIASES.update({
    "initialize_all_variables": "global_variables_initializer",
    "initialize_variables": "variables_initializer",
    "initialize_local_variables": "local_variables_initializer",
    "all_variables": "global_variables",
})
