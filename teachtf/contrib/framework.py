"""tf.contrib.framework: the global-step helpers and the variable-list helpers slim programs use."""

from __future__ import annotations

from ..framework import graph as _graph
from ..framework.graph import GraphKeys
from ..train.global_step import assert_global_step, create_global_step, get_global_step, get_or_create_global_step

__all__ = ["add_model_variable", "assert_global_step", "create_global_step", "get_global_step", "get_local_variables",
           "get_model_variables", "get_or_create_global_step", "get_trainable_variables", "get_unique_variable",
           "get_variable_full_name", "get_variables", "get_variables_by_name", "get_variables_by_suffix",
           "get_variables_to_restore"]


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES) -> list:
    """Variables of `collection` whose names match the regex `scope` (from the start) and end in `suffix`."""
    if scope is not None and not isinstance(scope, str):
        scope = scope.name  # a VariableScope
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return _graph.get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None) -> list:
    """Global variables in the `include` scopes (default all) and not in the `exclude` scopes."""
    if include is None:
        included = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        included = [v for scope in include for v in get_variables(scope)]
    excluded = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            excluded.update(get_variables(scope))
    return [v for v in included if v not in excluded]


def get_variables_by_suffix(suffix, scope=None) -> list:
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None) -> list:
    """Variables whose last name component is `given_name`."""
    return get_variables(scope=scope, suffix=f"/{given_name}:|^{given_name}:")


def get_unique_variable(var_op_name):
    """The variable whose op name is exactly `var_op_name`."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_variable_full_name(var) -> str:
    return var.op.name


def add_model_variable(var) -> None:
    if var not in _graph.get_collection(GraphKeys.MODEL_VARIABLES):
        _graph.add_to_collection(GraphKeys.MODEL_VARIABLES, var)
