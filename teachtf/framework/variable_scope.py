"""variable_scope, get_variable and the per-graph variable store (API.md §3.4, §3.5).

A `variable_scope` opens two scopes: a variable scope that prefixes
`get_variable` names and is not uniquified, and a name scope for ops that is.
The store maps full variable names ("enc/w") to Variables, separately from op
names, so `get_variable` can share variables (`reuse=True`, `AUTO_REUSE`)
while `tf.Variable` never does.
"""

from __future__ import annotations

import enum
import functools
import inspect
import sys
import threading
import traceback

from . import dtypes
from . import graph as _graph
from .graph import GraphKeys
from .shapes import as_shape


class _ReuseMode(enum.Enum):
    """Reuse modes of variable scopes beyond True and None."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


# -- VariableScope -----------------------------------------------------------------------------------------


class VariableScope:
    """The current variable scope: name, reuse flag and the defaults for `get_variable` inside it.

    `initializer`, `regularizer`, `dtype`, `caching_device`, `custom_getter` and
    `constraint` are inherited by nested scopes; arguments to `get_variable` win.
    """

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None, partitioner=None,
                 custom_getter=None, name_scope="", dtype=dtypes.float32, use_resource=None, constraint=None):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope, doc="The name scope first opened with it, 'a/'.")
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        """Turns reuse on for the rest of this scope."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def get_collection(self, name) -> list:
        """This scope's items of collection `name`."""
        scope = self._name + "/" if self._name else ""
        return _graph.get_collection(name, scope)

    def trainable_variables(self) -> list:
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list:
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list:
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None, regularizer=None, reuse=None,
                     trainable=None, collections=None, caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                     aggregation=None):
        """Gets or creates `<scope name>/<name>` in `var_store`, filling unset arguments from this scope."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self._name + "/" + name if self._name else name
        # Variable names depend only on the variable scope: the name scope is reset while creating.
        with _graph.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                from ..ops.constant_op import convert_to_tensor

                init_dtype = convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype).base_dtype:
                    raise ValueError(f"Initializer type '{init_dtype}' and explicit dtype "
                                     f"'{dtypes.as_dtype(dtype)}' don't match.")
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(full_name, shape=shape, dtype=dtype, initializer=initializer,
                                          regularizer=regularizer, reuse=reuse, trainable=trainable,
                                          collections=collections, caching_device=caching_device,
                                          partitioner=partitioner, validate_shape=validate_shape,
                                          use_resource=use_resource, custom_getter=custom_getter,
                                          constraint=constraint)

    def __repr__(self):
        return f"<VariableScope name={self._name!r} reuse={self._reuse!r}>"


# -- the stores ----------------------------------------------------------------------------------------------------


class _VariableStore:
    """Full variable name -> Variable, for `get_variable` (one per graph)."""

    def __init__(self):
        self._vars = {}

    def get_variable(self, name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None, reuse=None,
                     trainable=None, collections=None, caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None):
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        dtype = getattr(dtype, "base_dtype", dtype)

        def true_getter(name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None, reuse=None,
                        trainable=None, collections=None, caching_device=None, partitioner=None,
                        validate_shape=True, use_resource=None, constraint=None, **unused):
            is_scalar = shape is not None and isinstance(shape, (list, tuple)) and not shape
            if partitioner is not None and not is_scalar:
                raise NotImplementedError(f"Partitioned variables (get_variable('{name}', partitioner=...)) are a "
                                          "distributed-training feature that teachtf does not provide.")
            return self._get_single_variable(name, shape, dtype, initializer, regularizer, reuse, trainable,
                                             collections, caching_device, validate_shape, constraint)

        if trainable is None:
            trainable = True
        if custom_getter is not None:
            kwargs = {"getter": true_getter, "name": name, "shape": shape, "dtype": dtype,
                      "initializer": initializer, "regularizer": regularizer, "reuse": reuse,
                      "trainable": trainable, "collections": collections, "caching_device": caching_device,
                      "partitioner": partitioner, "validate_shape": validate_shape, "use_resource": use_resource}
            if _accepts(custom_getter, "constraint"):
                kwargs["constraint"] = constraint
            return custom_getter(**kwargs)
        return true_getter(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                           reuse=reuse, trainable=trainable, collections=collections, caching_device=caching_device,
                           partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
                           constraint=constraint)

    def _get_single_variable(self, name, shape, dtype, initializer, regularizer, reuse, trainable, collections,
                             caching_device, validate_shape, constraint):
        from ..ops import init_ops
        from ..ops.variables import Variable

        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        shape = as_shape(shape) if shape is not None else None

        if name in self._vars:
            found = self._vars[name]
            if reuse is False:
                raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
                                 f"reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n"
                                 f"{_format_site(found.op)}")
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(f"Trying to share variable {name}, but specified shape {shape} and found shape "
                                 f"{found.get_shape()}.")
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(f"Trying to share variable {name}, but specified dtype {dtype.name} and found "
                                 f"dtype {found.dtype.name}.")
            return found

        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with tf.get_variable(). Did you "
                             "mean to set reuse=tf.AUTO_REUSE in VarScope?")

        if initializer is None:
            if shape is None:
                raise ValueError(f"Variable {name} did not get an initializer, so its `shape` argument must be "
                                 "specified.")
            initializer = _default_initializer(name, dtype)
        with _graph.init_scope():
            if initializing_from_value:
                init_val, variable_dtype = initializer, None
            else:
                if inspect.isclass(initializer):
                    initializer = initializer(dtype=dtype) if _accepts(initializer, "dtype") else initializer()
                if shape is not None and shape.is_fully_defined():
                    dims = shape.as_list()
                    if isinstance(initializer, init_ops.Initializer) or _accepts(initializer, "partition_info"):
                        init_val = functools.partial(initializer, dims, dtype=dtype, partition_info=None)
                    else:
                        init_val = functools.partial(initializer, dims, dtype=dtype)
                elif not _required_args(initializer):
                    init_val = initializer
                else:
                    raise ValueError(f"Variable {name}: the shape {shape} is not fully defined, so the initializer "
                                     "must be a callable without arguments (or pass a Tensor or value as the "
                                     "initializer and no shape).")
                variable_dtype = dtype.base_dtype
            v = Variable(initial_value=init_val, name=name, trainable=trainable, collections=collections,
                         caching_device=caching_device, dtype=variable_dtype, validate_shape=validate_shape,
                         constraint=constraint)
        self._vars[name] = v
        if regularizer:
            with _graph.colocate_with(v):
                with _graph.name_scope(name + "/Regularizer/"):
                    with _graph.init_scope():
                        loss = regularizer(v)
            if loss is not None:
                _graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v


def _default_initializer(name, dtype):
    """glorot_uniform for floats, zeros for integers, bools and strings."""
    from ..ops import init_ops

    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


def _accepts(fn, arg: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return arg in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _required_args(fn) -> list:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.default is inspect.Parameter.empty
            and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]


def _format_site(op) -> str:
    fn, ln, func = op._site
    return "".join(traceback.format_list([(fn, ln, func, _source_line(fn, ln))]))


def _source_line(fn, ln):
    import linecache

    return linecache.getline(fn, ln).strip() or None


class _VariableScopeStore(threading.local):
    """The current variable scope and the counts of default-named scopes (per graph and thread)."""

    def __init__(self):
        super().__init__()
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        prefix = None if scope_name is None else scope_name + "/"
        for k in self.variable_scopes_count:
            if prefix is None or k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


def get_variable_scope_store() -> _VariableScopeStore:
    g = _graph.get_default_graph()
    if g._var_scope_store is None:
        g._var_scope_store = _VariableScopeStore()
    return g._var_scope_store


def _get_default_variable_store() -> _VariableStore:
    g = _graph.get_default_graph()
    if g._variable_store is None:
        g._variable_store = _VariableStore()
    return g._variable_store


def get_variable_scope() -> VariableScope:
    """The current VariableScope (the root scope has name '')."""
    return get_variable_scope_store().current_scope


def _get_unique_variable_scope(prefix: str) -> str:
    """`prefix`, or `prefix_N`, unused among variable scopes in the current one."""
    store = get_variable_scope_store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(name + f"_{idx}") > 0:
        idx += 1
    return prefix + f"_{idx}"


# -- the context managers ------------------------------------------------------------------------------------------


class _pure_variable_scope:  # noqa: N801 - TF1's name
    """Opens a variable scope only (no name scope)."""

    def __init__(self, name_or_scope, reuse=None, initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, old_name_scope=None, dtype=dtypes.float32,
                 use_resource=None, constraint=None):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._var_scope_store = get_variable_scope_store()
        self._last_variable_scope_object = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            s = name_or_scope
            vs = VariableScope(s.reuse if not reuse else reuse, name=self._new_name, initializer=s.initializer,
                               regularizer=s.regularizer, caching_device=s.caching_device,
                               partitioner=s.partitioner, dtype=s.dtype, custom_getter=s.custom_getter,
                               name_scope=s._name_scope, use_resource=s.use_resource, constraint=constraint)
            self._apply_overrides(vs, s.custom_getter)
            self._cached_variable_scope_object = vs

    def _apply_overrides(self, vs, old_getter):
        if self._initializer is not None:
            vs.set_initializer(self._initializer)
        if self._regularizer is not None:
            vs.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            vs.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            vs.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            vs.set_custom_getter(_maybe_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            vs.set_dtype(self._dtype)
        if self._use_resource is not None:
            vs.set_use_resource(self._use_resource)

    def __enter__(self) -> VariableScope:
        store = self._var_scope_store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            vs = self._cached_variable_scope_object
        else:
            old = self._old
            self._new_name = old.name + "/" + self._name_or_scope if old.name else self._name_or_scope
            self._reuse = self._reuse or old.reuse  # reuse is inherited and cannot be switched off
            name_scope = self._name_or_scope if self._old_name_scope is None else self._old_name_scope
            vs = VariableScope(self._reuse, name=self._new_name, initializer=old.initializer,
                               regularizer=old.regularizer, caching_device=old.caching_device,
                               partitioner=old.partitioner, dtype=old.dtype, use_resource=old.use_resource,
                               custom_getter=old.custom_getter, name_scope=name_scope, constraint=self._constraint)
            self._apply_overrides(vs, old.custom_getter)
            store.open_variable_scope(self._new_name)
        store.current_scope = vs
        self._last_variable_scope_object = vs
        return vs

    def __exit__(self, *exc):
        store = self._var_scope_store
        if store.current_scope is not self._last_variable_scope_object:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old
        return False


def _maybe_wrap_custom_getter(custom_getter, old_getter):
    """A getter that calls `custom_getter` with the outer scope's getter in between."""
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)

    return wrapped_custom_getter


class variable_scope:  # noqa: N801 - TF1's name
    """`tf.variable_scope(name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
    caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None, use_resource=None,
    constraint=None, auxiliary_name_scope=True)`.

    Binds the VariableScope (`with tf.variable_scope("enc") as scope:`).
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                 use_resource=None, constraint=None, auxiliary_name_scope=True):
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if self._reuse is False:
            self._reuse = None  # no non-inheriting scopes: False means "inherit"
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        self._graph = _graph._graph_from_values(values if values is not None else [])
        self._cached_pure_variable_scope = None
        self._current_name_scope = None
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(f"The auxiliary_name_scope must be `True` or `False`, while get {auxiliary_name_scope}")
        self._auxiliary_name_scope = auxiliary_name_scope
        self._graph_cm = None

    def __enter__(self) -> VariableScope:
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()
        if self._cached_pure_variable_scope is not None:
            if self._current_name_scope is not None:
                self._current_name_scope.__enter__()
            return self._cached_pure_variable_scope.__enter__()
        try:
            return self._enter_scope_uncached()
        except BaseException:
            self._graph_cm.__exit__(*sys.exc_info())
            raise

    def _pure(self, name_or_scope, old_name_scope):
        return _pure_variable_scope(name_or_scope, reuse=self._reuse, initializer=self._initializer,
                                    regularizer=self._regularizer, caching_device=self._caching_device,
                                    partitioner=self._partitioner, custom_getter=self._custom_getter,
                                    old_name_scope=old_name_scope, dtype=self._dtype,
                                    use_resource=self._use_resource, constraint=self._constraint)

    def _enter_scope_uncached(self) -> VariableScope:
        if self._auxiliary_name_scope:
            current_name_scope = None
        else:
            ns = _graph.get_name_scope()
            current_name_scope = _graph.name_scope(ns + "/" if ns else ns)
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
            if isinstance(self._name_or_scope, str):
                name_scope = self._name_or_scope
            else:
                name_scope = self._name_or_scope.name.split("/")[-1]
            if name_scope or current_name_scope:
                current_name_scope = current_name_scope or _graph.name_scope(name_scope)
                entered = current_name_scope.__enter__()
                self._current_name_scope = current_name_scope
                old_name_scope = entered if isinstance(self._name_or_scope, str) else \
                    self._name_or_scope.original_name_scope
                pure = self._pure(self._name_or_scope, old_name_scope)
            else:
                self._current_name_scope = None
                pure = self._pure(self._name_or_scope, None)  # the root scope "": no name scope
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            current_name_scope = current_name_scope or _graph.name_scope(self._default_name)
            entered = current_name_scope.__enter__()
            self._current_name_scope = current_name_scope
            pure = self._pure(_get_unique_variable_scope(self._default_name), entered)
        try:
            vs = pure.__enter__()
        except BaseException:
            if self._current_name_scope is not None:
                self._current_name_scope.__exit__(*sys.exc_info())
            raise
        self._cached_pure_variable_scope = pure
        return vs

    def __exit__(self, *exc):
        try:
            self._cached_pure_variable_scope.__exit__(*exc)
        finally:
            try:
                if self._current_name_scope is not None:
                    self._current_name_scope.__exit__(*exc)
            finally:
                self._graph_cm.__exit__(*exc)
        return False


def variable_op_scope(values, name_or_scope, default_name=None, **kwargs):
    """Deprecated spelling of `variable_scope(name_or_scope, default_name, values, ...)`."""
    return variable_scope(name_or_scope, default_name=default_name, values=values, **kwargs)


# -- get_variable --------------------------------------------------------------------------------------------------


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None, collections=None,
                 caching_device=None, partitioner=None, validate_shape=True, use_resource=None, custom_getter=None,
                 constraint=None, synchronization=None, aggregation=None):
    """Gets the variable `<variable scope>/<name>` or creates it (API.md §3.5).

    An int `shape` is 1-D. Without an initializer: the scope's, else glorot_uniform for floats and zeros for
    integers and bools. `initializer` may be an initializer object or class, a Tensor or a value (then no shape).
    """
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections, caching_device=caching_device,
        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=False,
                       collections=None, caching_device=None, partitioner=None, validate_shape=True,
                       use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """Like `get_variable`, in LOCAL_VARIABLES and not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=False, collections=collections, caching_device=caching_device,
                        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint)


def no_regularizer(_):
    """Use this function to prevent regularization of variables."""
    return None
