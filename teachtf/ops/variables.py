"""tf.Variable and the variable collections and initializers (API.md §6).

A Variable is three ops, named as TF1 names them: `w` (VariableV2, the state),
`w/Assign` (its initializer) and `w/read` (the snapshot its uses read), plus
`w/initial_value` for a constant initial value. Values live in each Session.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Operation, Tensor, symbolic_array_ufunc
from ..framework.shapes import TensorShape, unknown_shape
from . import state_ops
from .control_flow_ops import group, no_op
from .registry import ALL_INPUTS, NO_GRADIENT, apply, register


class VariableDef:
    """What `Variable.to_proto()` returns and `Variable(variable_def=...)` accepts (teachtf's own record)."""

    def __init__(self, variable_name, initializer_name, snapshot_name, initial_value_name="", trainable=True):
        self.variable_name = variable_name
        self.initializer_name = initializer_name
        self.snapshot_name = snapshot_name
        self.initial_value_name = initial_value_name
        self.trainable = trainable

    def __str__(self):
        return (f'variable_name: "{self.variable_name}"\ninitializer_name: "{self.initializer_name}"\n'
                f'snapshot_name: "{self.snapshot_name}"\ninitial_value_name: "{self.initial_value_name}"\n'
                f"trainable: {'true' if self.trainable else 'false'}\n")

    __repr__ = __str__


class Variable:
    """A TF1 (ref) variable.

    `Variable(initial_value, trainable=True, collections=None, validate_shape=True, caching_device=None,
    name=None, dtype=None, ...)`: the dtype comes from the initial value (`Variable(0)` is int32,
    `Variable(0.)` float32) or from `dtype=`; the initial value may be a Python/NumPy value, a tensor or a
    zero-argument callable.
    """

    __array_priority__ = 100
    __array_ufunc__ = symbolic_array_ufunc

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None, aggregation=None,
                 shape=None):
        if variable_def is not None:
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list, tuple, or set. Got "
                             f"{collections} of type {type(collections)}")
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        init_from_fn = callable(initial_value) and not isinstance(initial_value, Tensor) \
            and not hasattr(initial_value, "_as_tensor")
        g = _graph.get_default_graph()
        with _graph.init_scope():
            with _graph.name_scope(name, "Variable", [] if init_from_fn else [initial_value]) as scope:
                if init_from_fn:
                    with _graph.name_scope("Initializer"), g.device(None):
                        self._initial_value = _convert_initial_value(initial_value(), dtype)
                else:
                    self._initial_value = _convert_initial_value(initial_value, dtype)
                    if self._initial_value.op._cf_context is not None:
                        raise ValueError(f"Initializer for variable {scope[:-1]} is from inside a control-flow "
                                         "construct, such as a loop or conditional. When creating a variable inside "
                                         "a loop or conditional, use a lambda as the initializer.")
                iv = self._initial_value
                if validate_shape and not iv.shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: {iv}")
                var_shape = iv.shape if validate_shape else unknown_shape()
                self._variable = state_ops.variable_op_v2(var_shape, iv.dtype.base_dtype, name=scope)
                safe_value = _guard_uninitialized_dependencies(scope[:-1], iv)
                self._initializer_op = state_ops.assign(self._variable, safe_value,
                                                        validate_shape=validate_shape).op
                if caching_device is not None:
                    with g.device(caching_device):
                        self._snapshot = apply("Identity", [self._variable], {}, "read")
                else:
                    with g.colocate_with(self._variable.op):
                        self._snapshot = apply("Identity", [self._variable], {}, "read")
        self._trainable = bool(trainable)
        self._constraint = constraint
        self._caching_device = caching_device
        self._save_slice_info = None
        self._synchronization = synchronization
        self._aggregation = aggregation
        g.add_to_collections(collections, self)

    def _init_from_proto(self, variable_def, import_scope=None):
        g = _graph.get_default_graph()

        def find(n):
            return g.as_graph_element((import_scope + "/" + n) if import_scope else n)

        self._variable = find(variable_def.variable_name)
        self._initializer_op = find(variable_def.initializer_name)
        self._snapshot = find(variable_def.snapshot_name)
        iv = variable_def.initial_value_name
        self._initial_value = find(iv) if iv else self._initializer_op.inputs[1]
        self._trainable = bool(variable_def.trainable)
        self._constraint = None
        self._caching_device = None
        self._save_slice_info = None
        self._synchronization = None
        self._aggregation = None

    # -- identity ---------------------------------------------------------------------------------------------
    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _as_tensor(self) -> Tensor:
        return self._snapshot

    def _ref(self) -> Tensor:
        return self._variable

    name = property(lambda self: self._variable.name, doc="'w:0'")
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype, doc="The ref dtype, e.g. float32_ref.")
    initializer = property(lambda self: self._initializer_op, doc="The Assign op that sets the initial value.")
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)
    synchronization = property(lambda self: self._synchronization)
    aggregation = property(lambda self: self._aggregation)

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    def set_shape(self, shape) -> None:
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    # -- reading ---------------------------------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The snapshot tensor `w/read` (created with the variable)."""
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new `read` op: reads the variable when it runs (respects the current control dependencies)."""
        return apply("Identity", [self._variable], {}, "read")

    def initialized_value(self) -> Tensor:
        """The variable's value once initialized: its initial value when it is not initialized yet.

        Lets one variable's initial value depend on another's (TF1 builds this with tf.cond).
        """
        from .cond_ops import cond

        with _graph.init_scope():
            return cond(state_ops.is_variable_initialized(self._variable), self.read_value,
                        lambda: self._initial_value)

    def eval(self, session=None):
        """The variable's value in `session` (default: the default Session)."""
        from ..client.session import _session_for

        return _session_for(self._variable, session).run(self._variable)

    # -- writing ---------------------------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        t = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return state_ops.scatter_update(self._variable, sparse_delta.indices, sparse_delta.values,
                                        use_locking=use_locking, name=name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return state_ops.scatter_add(self._variable, sparse_delta.indices, sparse_delta.values,
                                     use_locking=use_locking, name=name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return state_ops.scatter_sub(self._variable, sparse_delta.indices, sparse_delta.values,
                                     use_locking=use_locking, name=name)

    def count_up_to(self, limit):
        return state_ops.count_up_to(self._variable, limit)

    def load(self, value, session=None) -> None:
        """Sets the value in `session` by running the initializer with `value` fed; adds no ops to the graph."""
        from ..client.session import _session_for

        sess = _session_for(self._variable, session)
        sess.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -- serialization -------------------------------------------------------------------------------------------------
    def to_proto(self, export_scope=None) -> VariableDef:
        def strip(n):
            if export_scope and n.startswith(export_scope + "/"):
                return n[len(export_scope) + 1:]
            return n

        return VariableDef(strip(self._variable.name), strip(self._initializer_op.name),
                           strip(self._snapshot.name), strip(self._initial_value.name), self._trainable)

    @staticmethod
    def from_proto(variable_def, import_scope=None) -> Variable:
        return Variable(variable_def=variable_def, import_scope=import_scope)

    def __repr__(self):
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __hash__ = object.__hash__

    def __bool__(self):
        return self._snapshot.__bool__()

    def __iter__(self):
        return self._snapshot.__iter__()

    def __len__(self):
        return self._snapshot.__len__()

    def __array__(self, dtype=None, copy=None):
        return self._snapshot.__array__(dtype, copy)

    def __getitem__(self, key):
        return self._snapshot[key]

    def __reduce__(self):
        raise TypeError(f"Variable '{self.name}' cannot be pickled; save it with tf.train.Saver.")


def _install_variable_operators():
    """Every Tensor operator also works on a Variable, through its snapshot."""

    def forward(method):
        def binary(self, other):
            return getattr(self._snapshot, method)(other)

        def unary(self):
            return getattr(self._snapshot, method)()

        return unary if method in ("__neg__", "__abs__", "__invert__") else binary

    names = ["add", "sub", "mul", "truediv", "div", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"]
    methods = [f"__{n}__" for n in names] + [f"__r{n}__" for n in names]
    methods += ["__lt__", "__le__", "__gt__", "__ge__", "__neg__", "__abs__", "__invert__"]
    for m in methods:
        setattr(Variable, m, forward(m))


_install_variable_operators()


def _convert_initial_value(value, dtype):
    from .constant_op import convert_to_tensor

    try:
        return convert_to_tensor(value, dtype=dtype, name="initial_value")
    except ValueError as e:
        raise ValueError(f"initial_value: {e}") from None


# -- initial values that read other variables ------------------------------------------------------------------


def _guard_uninitialized_dependencies(var_name: str, initial_value: Tensor) -> Tensor:
    """Rewrites reads of other variables in `initial_value` to their `initialized_value()` (TF1's guard).

    So `w2 = tf.Variable(w1 * 2)` initializes correctly whatever order the
    initializers run in. The rewritten ops are copies named `<op>_<var>`.
    """
    cache: dict = {}
    if not _reads_variables(initial_value.op, set()):
        return initial_value
    return _safe_tensor(var_name, initial_value, cache)


def _reads_variables(op: Operation, seen: set) -> bool:
    stack = [op]
    while stack:
        o = stack.pop()
        if o in seen:
            continue
        seen.add(o)
        if o._opdef is not None and o._opdef.is_variable:
            return True
        stack.extend(t.op for t in o._inputs)
    return False


def _safe_tensor(var_name, t: Tensor, cache) -> Tensor:
    new_op = cache.get(t.op)
    if new_op is None:
        new_op = _safe_op(var_name, t.op, cache)
        cache[t.op] = new_op
    return new_op.outputs[t.value_index]


def _safe_op(var_name, op: Operation, cache) -> Operation:
    if op.type in ("IsVariableInitialized", "Merge", "Switch"):
        return op
    if op._opdef is not None and op._opdef.is_variable:
        for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
            for v in op.graph.get_collection(key):
                if isinstance(v, Variable) and v.op is op:
                    return v.initialized_value().op
        return op
    new_inputs = [_safe_tensor(var_name, t, cache) for t in op._inputs]
    if all(a is b for a, b in zip(new_inputs, op._inputs)):
        return op
    return op.graph.create_op(op.type, new_inputs, [(t.shape, t.dtype) for t in op._outputs], attrs=op._attrs,
                              name=f"{op.name}_{var_name}".replace(":", "_") + "/", opdef=op._opdef)


# -- collections and initializers --------------------------------------------------------------------------------------


def global_variables(scope=None) -> list:
    """The global variables in creation order; `scope` keeps names that re.match it."""
    return _graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None) -> list:
    return _graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None) -> list:
    return _graph.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None) -> list:
    return _graph.get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None) -> list:
    return _graph.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init") -> Operation:
    """A group of the initializers of `var_list` (a NoOp when empty)."""
    var_list = list(var_list)
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def global_variables_initializer() -> Operation:
    """Initializes the global variables that exist *now* (op name 'init'); later variables are not included."""
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables(), name="init")


def is_variable_initialized(variable) -> Tensor:
    return state_ops.is_variable_initialized(variable)


def assert_variables_initialized(var_list=None):
    """An op that fails with FailedPreconditionError when one of `var_list` is not initialized."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    if not var_list:
        return None
    refs = [v._as_graph_element() for v in var_list]
    with _graph.get_default_graph().control_dependencies(None):
        return apply("AssertVariablesInitialized", refs, {}, "assert_variables_initialized")


@register("AssertVariablesInitialized", shape=lambda i, a: [], grad=NO_GRADIENT, ref_inputs=ALL_INPUTS,
          cpu_only=True)
def _assert_variables_initialized(ctx, *refs):
    from ..framework import errors

    for k in refs:
        if not ctx.session._is_initialized(k):
            raise errors.FailedPreconditionError(None, ctx.op, f"Attempting to use uninitialized value {k}")


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables") -> Tensor:
    """A 1-D string tensor of the op names of the variables in `var_list` that are not initialized."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    refs = [v._as_graph_element() for v in var_list]
    with _graph.get_default_graph().control_dependencies(None):
        return apply("ReportUninitialized", refs, {}, name)


def _report_shape(inputs, attrs):
    return [((None,), dtypes.string)]


@register("ReportUninitialized", shape=_report_shape, grad=NO_GRADIENT, ref_inputs=ALL_INPUTS, cpu_only=True)
def _report_uninitialized(ctx, *refs):
    import numpy as np

    names = [k for k in refs if not ctx.session._is_initialized(k)]
    return np.array([n.encode() for n in names], dtype=object)


__all__ = ["Variable", "VariableDef", "global_variables", "trainable_variables", "local_variables",
           "model_variables", "moving_average_variables", "variables_initializer", "global_variables_initializer",
           "local_variables_initializer", "is_variable_initialized", "assert_variables_initialized",
           "report_uninitialized_variables"]
