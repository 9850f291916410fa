"""slim's arg_scope: default keyword arguments for the layer functions decorated with @add_arg_scope.

    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.elu):
        net = slim.conv2d(x, 32, 3)        # activation_fn=tf.nn.elu unless given here

Scopes nest (inner values win); keywords given in the call win over every scope. A scope dict
yielded by `with arg_scope(...) as sc` can be re-entered with `arg_scope(sc)`.
"""

from __future__ import annotations

import contextlib
import functools
import threading


class _ArgStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = [{}]


_ARG_STACK = _ArgStack()
_DECORATED = set()


def arg_scope_func_key(op) -> str:
    return getattr(op, "_key_op", f"{op.__module__}.{op.__qualname__}")


def current_arg_scope() -> dict:
    return _ARG_STACK.stack[-1]


def has_arg_scope(func) -> bool:
    return arg_scope_func_key(func) in _DECORATED


def add_arg_scope(func):
    """Decorates `func` so the keyword arguments of enclosing arg_scopes apply to it."""
    key = arg_scope_func_key(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scoped = current_arg_scope().get(key)
        if scoped:
            merged = dict(scoped)
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    _DECORATED.add(key)
    func_with_args._key_op = key
    return func_with_args


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default `kwargs` for each decorated function in `list_ops_or_scope` (or re-enters a scope dict)."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, kwargs must be empty.")
        scope = dict(list_ops_or_scope)
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)")
        scope = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{getattr(op, '__name__', op)} is not decorated with @add_arg_scope")
            key = arg_scope_func_key(op)
            merged = dict(scope.get(key, {}))
            merged.update(kwargs)
            scope[key] = merged
    _ARG_STACK.stack.append(scope)
    try:
        yield scope
    finally:
        _ARG_STACK.stack.pop()


def arg_scoped_arguments(func) -> list:
    """The argument names `func` accepts (what an arg_scope may set for it)."""
    import inspect

    return list(inspect.signature(func).parameters)


__all__ = ["add_arg_scope", "arg_scope", "arg_scope_func_key", "arg_scoped_arguments", "current_arg_scope",
           "has_arg_scope"]
