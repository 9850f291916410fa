"""tf.Variable and the variable initializers (API.md §6)."""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..framework.shapes import TensorShape
from . import state_ops
from .control_flow_ops import group, identity, no_op
from .registry import ALL_INPUTS, NO_GRADIENT, apply, register


class Variable:
    """A TF1 (ref) variable: op `w` (VariableV2), `w/Assign` (initializer), `w/read` (snapshot)."""

    __array_priority__ = 100
    __array_ufunc__ = None

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, dtype=None, expected_shape=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, import_scope=None, **kwargs):
        from .constant_op import convert_to_tensor

        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value) and not isinstance(initial_value, Tensor)
        g = _graph.get_default_graph()
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        with g.control_dependencies(None), _graph.name_scope(name, "Variable") as scope:
            op_name = scope[:-1]
            if init_from_fn:
                with _graph.name_scope("Initializer"):
                    iv = initial_value()
                iv = convert_to_tensor(iv, dtype=dtype)
            else:
                if isinstance(initial_value, Tensor) or hasattr(initial_value, "_as_tensor"):
                    iv = convert_to_tensor(initial_value)
                    if dtype is not None and iv.dtype.base_dtype != dtypes.as_dtype(dtype).base_dtype:
                        from .math_ops import cast

                        iv = cast(iv, dtype, name="initial_value")
                else:
                    iv = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            shape = iv.shape if validate_shape else TensorShape(None)
            if validate_shape and not shape.is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: {iv}")
            self._variable = state_ops.variable_op_v2(shape, iv.dtype.base_dtype, name=scope)
            self._initial_value = iv
            self._initializer_op = state_ops.assign(self._variable, iv, validate_shape=validate_shape,
                                                    name="Assign").op
            self._snapshot = apply("Identity", [self._variable], {}, "read")
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        self._caching_device = caching_device
        g.add_to_collections(collections, self)
        del op_name

    # -- identity ------------------------------------------------------------------------------
    def _as_graph_element(self):
        return self._variable

    def _as_tensor(self):
        return self._snapshot

    name = property(lambda self: self._variable.name)
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def value(self) -> Tensor:
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new tensor reading the variable when it runs (use inside control_dependencies)."""
        return apply("Identity", [self._variable], {}, "read")

    def initialized_value(self) -> Tensor:
        """The variable's value, or its initial value when it is not yet initialized."""
        with self.graph.control_dependencies(None):
            return apply("InitializedValue", [self._variable, self._initial_value], {}, "cond")

    def assign(self, value, use_locking=False, name=None, read_value=True):
        t = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def load(self, value, session=None):
        """Sets the variable's value in `session` directly, adding no ops to the graph."""
        from ..client.session import _session_for
        from ..framework.conversion import to_array

        sess = _session_for(self._variable, session)
        arr = to_array(value, self.dtype.base_dtype)
        if self.shape.is_fully_defined() and tuple(arr.shape) != tuple(self.shape.as_list()):
            raise ValueError(f"Cannot load value of shape {arr.shape} into variable '{self.op.name}' of shape "
                             f"{self.shape}")
        sess._vars[self.op.name] = arr.copy()

    def eval(self, session=None):
        from ..client.session import _session_for

        return _session_for(self._variable, session).run(self._variable)

    def count_up_to(self, limit):
        from .math_ops import _count_up_to

        return _count_up_to(self._variable, limit)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        raise NotImplementedError("scatter_sub on IndexedSlices is not supported; use assign_sub.")

    def to_proto(self, export_scope=None):
        return {"variable_name": self.name, "initializer_name": self._initializer_op.name,
                "snapshot_name": self._snapshot.name, "trainable": self._trainable}

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


def _install_variable_operators():
    names = ["add", "sub", "mul", "truediv", "div", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"]
    for n in names:
        for d in (f"__{n}__", f"__r{n}__"):
            setattr(Variable, d, (lambda d: lambda self, other: getattr(self._snapshot, d)(other))(d))
    for d in ("__lt__", "__le__", "__gt__", "__ge__"):
        setattr(Variable, d, (lambda d: lambda self, other: getattr(self._snapshot, d)(other))(d))
    for d in ("__neg__", "__abs__", "__invert__"):
        setattr(Variable, d, (lambda d: lambda self: getattr(self._snapshot, d)())(d))


_install_variable_operators()


def global_variables(scope=None):
    return _graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return _graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return _graph.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return _graph.get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return _graph.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """A group of the initializers of `var_list` (a NoOp when empty)."""
    var_list = list(var_list)
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def global_variables_initializer():
    """Initializes the global variables that exist *now* (op name 'init')."""
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor of the op names of uninitialized variables in `var_list`."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    refs = [v._as_graph_element() for v in var_list]
    g = _graph.get_default_graph()
    with g.control_dependencies(None):
        return apply("ReportUninitialized", refs, {}, name)


def _report_shape(inputs, attrs):
    return [((None,), dtypes.string)]


@register("ReportUninitialized", shape=_report_shape, grad=NO_GRADIENT, ref_inputs=ALL_INPUTS, cpu_only=True)
def _report_uninitialized(ctx, *refs):
    import numpy as np

    names = [k for k in refs if not ctx.session._is_initialized(k)]
    return np.array([n.encode() for n in names], dtype=object)
