"""Graph, Operation and Tensor: the structure of a TF1 program (API.md §2, §3).

The Graph holds structure only; values live in a Session. Names are made
unique with TF1's case-insensitive algorithm (API.md §3.2).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading

from . import dtypes as _dtypes
from .shapes import TensorShape, as_shape

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OP_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_SCOPE_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


def _user_frame():
    """(filename, lineno, function) of the innermost frame outside teachtf."""
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_PKG_DIR) and "importlib" not in fn and not fn.startswith("<frozen"):
            return (fn, f.f_lineno, f.f_code.co_name)
        f = f.f_back
    return ("<unknown>", 0, "<unknown>")


class GraphKeys:
    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class NodeDef:
    """A GraphDef node: `.name`, `.op`, `.input`, `.device`, `.attr`."""

    def __init__(self, name, op, inputs, device, attr):
        self.name = name
        self.op = op
        self.input = inputs
        self.device = device
        self.attr = attr

    def __str__(self):
        lines = [f'name: "{self.name}"', f'op: "{self.op}"']
        lines += [f'input: "{i}"' for i in self.input]
        if self.device:
            lines.append(f'device: "{self.device}"')
        for k, v in sorted(self.attr.items()):
            lines.append(f"attr {{ key: \"{k}\" value: {v!r} }}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__


class GraphDef:
    """A snapshot of a graph's nodes (teachtf's own format)."""

    def __init__(self, nodes, versions=None):
        self.node = nodes
        self.versions = versions

    def __str__(self):
        return "".join(f"node {{\n{n}}}\n" for n in self.node)

    def SerializeToString(self) -> bytes:
        import pickle

        return pickle.dumps([(n.name, n.op, n.input, n.device, n.attr) for n in self.node])

    def ParseFromString(self, data: bytes):
        import pickle

        self.node = [NodeDef(*t) for t in pickle.loads(data)]
        return len(data)


class Operation:
    """A node of the graph: type, inputs, outputs, attrs, device, creation site."""

    __slots__ = ("_graph", "_name", "_type", "_inputs", "_outputs", "_control_inputs", "_attrs",
                 "_device", "_id", "_site", "_opdef", "_consumers", "__weakref__")

    def __init__(self, graph, name, op_type, inputs, output_specs, attrs, control_inputs, device, opdef, site):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = list(inputs)
        self._attrs = dict(attrs or {})
        self._control_inputs = list(control_inputs)
        self._device = device
        self._opdef = opdef
        self._site = site
        self._consumers = []
        self._id = len(graph._ops)
        self._outputs = [Tensor(self, i, dt, shp) for i, (shp, dt) in enumerate(output_specs)]

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))
    device = property(lambda self: self._device)

    @property
    def inputs(self):
        return tuple(self._inputs)

    @property
    def node_def(self) -> NodeDef:
        ins = [t._name_for_input() for t in self._inputs] + ["^" + c.name for c in self._control_inputs]
        return NodeDef(self._name, self._type, ins, self._device or "", dict(self._attrs))

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None

    def _set_attr(self, name, value):
        self._attrs[name] = value

    def values(self):
        return tuple(self._outputs)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
        self._graph._version += 1

    def _creation_site(self) -> str:
        fn, ln, _ = self._site
        return f"{fn}:{ln}"

    @property
    def traceback(self):
        return [self._site]

    def run(self, feed_dict=None, session=None):
        """Runs this op in `session` (default: the default Session); returns None."""
        from ..client.session import _session_for

        _session_for(self, session).run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self):
        return str(self.node_def)


class Tensor:
    """A symbolic output of an Operation: `name` is "op:index"."""

    __array_priority__ = 100
    __array_ufunc__ = None

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "__weakref__")

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = as_shape(shape)

    op = property(lambda self: self._op)
    value_index = property(lambda self: self._value_index)
    dtype = property(lambda self: self._dtype)
    graph = property(lambda self: self._op._graph)
    device = property(lambda self: self._op._device)

    @property
    def name(self) -> str:
        return f"{self._op._name}:{self._value_index}"

    def _name_for_input(self):
        return self._op._name if self._value_index == 0 else self.name

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape):
        try:
            self._shape = self._shape.merge_with(as_shape(shape))
        except ValueError:
            raise ValueError(f"Tensor's shape {self._shape} is not compatible with supplied shape "
                             f"{as_shape(shape)}") from None

    def consumers(self):
        return [op for op in self._op._consumers if any(t is self for t in op._inputs)]

    def eval(self, feed_dict=None, session=None):
        """Runs this tensor in `session` (default: the default Session) and returns its value."""
        from ..client.session import _session_for

        return _session_for(self, session).run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
                        "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such as "
                        "tf.cond to execute subgraphs conditioned on the value of a tensor.")

    __nonzero__ = __bool__

    def __iter__(self):
        raise TypeError("'Tensor' object is not iterable (graph tensors have no value until run in a "
                        "Session; use tf.unstack to split a tensor).")

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors ({self.name}). Use tf.shape(t) or "
                        "t.get_shape() instead.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"Cannot convert the symbolic Tensor '{self.name}' to a NumPy array: it has no value "
                        "until it runs. Use sess.run(t) (or t.eval()) to get its value, and tf.* ops "
                        "(tf.exp, tf.reduce_sum, ...) instead of NumPy functions inside the graph.")

    def __reduce__(self):
        raise TypeError(f"Tensor '{self.name}' cannot be pickled; fetch its value with sess.run first.")


def _install_operators():
    """Operator overloads on Tensor, built lazily from math_ops/array_ops."""

    def binop(name):
        def fwd(self, other):
            from ..ops import math_ops

            return math_ops._binary_operator(name, self, other, reverse=False)

        def rev(self, other):
            from ..ops import math_ops

            return math_ops._binary_operator(name, self, other, reverse=True)

        return fwd, rev

    for dunder, key in [("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "truediv"),
                        ("div", "truediv"), ("floordiv", "floordiv"), ("mod", "mod"), ("pow", "pow"),
                        ("matmul", "matmul"), ("and", "and"), ("or", "or"), ("xor", "xor")]:
        f, r = binop(key)
        setattr(Tensor, f"__{dunder}__", f)
        setattr(Tensor, f"__r{dunder}__", r)

    for dunder, key in [("lt", "less"), ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal")]:
        f, _ = binop(key)
        setattr(Tensor, f"__{dunder}__", f)

    def _neg(self):
        from ..ops import math_ops

        return math_ops.negative(self)

    def _abs(self):
        from ..ops import math_ops

        return math_ops.abs(self)

    def _invert(self):
        from ..ops import math_ops

        return math_ops.logical_not(self)

    def _getitem(self, key):
        from ..ops import array_ops

        return array_ops._slice_helper(self, key)

    Tensor.__neg__ = _neg
    Tensor.__abs__ = _abs
    Tensor.__invert__ = _invert
    Tensor.__getitem__ = _getitem


_install_operators()


class Graph:
    """A TF1 graph: operations, the name table, collections and scopes."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._collections = {}
        self._control_stack = []  # list of lists of Operations (None entries clear)
        self._device_stack = []
        self._colocation_stack = []
        self._seed = None
        self._finalized = False
        self._version = 0
        self._variable_store = None
        self._var_scope_stack = None
        self._gradient_override_map = {}
        self._unfeedable = set()
        self._unfetchable = set()
        self._lock = threading.RLock()
        self._uniquified_var_names = []

    # -- identity and bookkeeping -------------------------------------------------
    @property
    def version(self):
        return self._version

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    @property
    def building_function(self):
        return False

    def as_default(self):
        return _default_graph_stack.get_controller(self)

    # -- names ----------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Makes `name` (prefixed with the current name scope) unique, TF1's way."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        n = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = n + 1
        if n > 0:
            base = key
            while f"{base}_{n}" in self._names_in_use:
                n += 1
            if mark_as_used:
                self._names_in_use[f"{base}_{n}"] = 1
            name = f"{name}_{n}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; yields the scope string with a trailing '/' (or '')."""
        old = self._name_stack
        if name is None or name == "":
            new = ""
        elif name.endswith("/"):
            if not _SCOPE_NAME_RE.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = name[:-1]
        else:
            if not (_OP_NAME_RE.match(name) if not old else _SCOPE_NAME_RE.match(name)):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    # -- ops -----------------------------------------------------------------------
    def create_op(self, op_type, inputs, output_specs, attrs=None, name=None, opdef=None,
                  control_inputs=None, site=None) -> Operation:
        """Adds an op. `name` ending in '/' is used exactly; otherwise it is uniquified."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        for t in inputs:
            if t.graph is not self:
                raise ValueError(f"Tensor {t.name} must be from the same graph as the op being created "
                                 f"('{name or op_type}').")
        if name is None:
            name = op_type
        if name.endswith("/"):
            full = name[:-1]
            self._names_in_use.setdefault(full.lower(), 1)
        else:
            if not _OP_NAME_RE.match(name):
                raise ValueError(f"'{name}' is not a valid node name")
            full = self.unique_name(name)
        ctrl = self._current_control_inputs(inputs)
        if control_inputs:
            for c in control_inputs:
                c = c.op if isinstance(c, Tensor) else c
                if c not in ctrl:
                    ctrl.append(c)
        device = self._current_device(op_type, full)
        if site is None:
            site = _user_frame()
        op = Operation(self, full, op_type, inputs, output_specs, attrs, ctrl, device, opdef, site)
        with self._lock:
            self._ops.append(op)
            self._ops_by_name[full] = op
            self._version += 1
        for t in inputs:
            t._op._consumers.append(op)
        return op

    def _current_control_inputs(self, inputs):
        ctrl = []
        for frame in self._control_stack:
            if frame is None:
                ctrl = []
                continue
            for c in frame:
                if c not in ctrl:
                    ctrl.append(c)
        if ctrl:
            input_ops = {t.op for t in inputs}
            ctrl = [c for c in ctrl if c not in input_ops]
        return ctrl

    def _current_device(self, op_type, name):
        dev = ""
        for d in self._device_stack:
            if d is None:
                dev = ""
            elif callable(d):
                res = d(_PendingOp(op_type, name))
                dev = _merge_device(dev, res or "")
            else:
                dev = _merge_device(dev, d)
        return dev

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        if ":" in name:
            raise ValueError(f"Name '{name}' appears to refer to a Tensor, not a Operation.")
        try:
            return self._ops_by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        if ":" not in name:
            raise ValueError(f"The name '{name}' looks a like an Operation name, not a Tensor name. Tensor "
                             f"names must be of the form \"<op_name>:<output_index>\".")
        op_name, _, idx = name.rpartition(":")
        try:
            idx = int(idx)
        except ValueError:
            raise ValueError(f"The name '{name}' looks like a Tensor name, but is not a valid one.") from None
        op = self._ops_by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', does not exist in the graph.")
        if idx >= len(op._outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', exists but only has {len(op._outputs)} outputs.")
        return op._outputs[idx]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name to an element of this graph."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                return self.get_tensor_by_name(obj)
            if ":" not in obj and allow_operation:
                return self.get_operation_by_name(obj)
            if ":" in obj:
                raise ValueError(f"The name '{obj}' appears to refer to a Tensor, which is not allowed here.")
            raise ValueError(f"The name '{obj}' looks like an (invalid) Operation name, not a Tensor.")
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        types = " or ".join(t for t, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok)
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types}.")

    def as_graph_def(self, from_version=None, add_shapes=False) -> GraphDef:
        nodes = []
        for op in self._ops:
            nd = op.node_def
            if add_shapes:
                nd.attr["_output_shapes"] = [str(t.shape) for t in op._outputs]
            nodes.append(nd)
        return GraphDef(nodes)

    @property
    def graph_def_versions(self):
        return None

    # -- collections ------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        if isinstance(names, str):
            names = [names]
        for n in set(names):
            self.add_to_collection(n, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        rx = re.compile(scope)
        return [it for it in items if hasattr(it, "name") and rx.match(it.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # -- control dependencies and devices ------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        if control_inputs is None:
            self._control_stack.append(None)
        else:
            ops = []
            for c in control_inputs:
                if hasattr(c, "_as_graph_element"):
                    c = c._as_graph_element()
                if isinstance(c, Tensor):
                    c = c.op
                if not isinstance(c, Operation):
                    raise TypeError(f"Control input must be Operation or Tensor: {c!r}")
                ops.append(c)
            self._control_stack.append(ops)
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        d = device_name_or_function
        if d is not None and not callable(d):
            d = _normalize_device(d)
        self._device_stack.append(d)
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        yield

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        old = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = old

    def is_feedable(self, tensor):
        return tensor not in self._unfeedable

    def prevent_feeding(self, tensor):
        self._unfeedable.add(tensor)

    def is_fetchable(self, tensor_or_op):
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    def prevent_fetching(self, op):
        self._unfetchable.add(op)

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            from ..ext import _graph_mimebundle
        except ImportError:
            return None
        return _graph_mimebundle(self)


class _PendingOp:
    """What a device function sees for an op being created: `.type`, `.name`, `.device`."""

    def __init__(self, op_type, name):
        self.type = op_type
        self.name = name
        self.device = ""
        self.node_def = NodeDef(name, op_type, [], "", {})


def _normalize_device(spec: str) -> str:
    """'/gpu:0', '/device:GPU:0', '/job:x/task:0/cpu:0' → '/device:GPU:0' (or '' when no device part)."""
    if spec is None or spec == "":
        return ""
    if hasattr(spec, "to_string"):
        spec = spec.to_string()
    s = spec.strip()
    m = re.search(r"(?:/device:|/)?(cpu|gpu|CPU|GPU)[:/](\d+|\*)\s*$", s)
    if m:
        kind = m.group(1).upper()
        idx = m.group(2)
        return f"/device:{kind}:{0 if idx == '*' else idx}"
    if re.fullmatch(r"(/job:[^/]+)?(/replica:\d+)?(/task:\d+)?", s):
        return ""
    raise ValueError(f"Unknown device specification {spec!r}: use '/cpu:0' or '/gpu:N'.")


def _merge_device(outer: str, inner: str) -> str:
    inner = _normalize_device(inner) if inner else ""
    return inner or outer


# -- default graph stack ----------------------------------------------------------------


class _DefaultGraphStack(threading.local):
    def __init__(self):
        self.stack = []

    @contextlib.contextmanager
    def get_controller(self, g):
        self.stack.append(g)
        try:
            yield g
        finally:
            # Remove the innermost occurrence of g (robust to interleaved exits).
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i] is g:
                    del self.stack[i]
                    break


_default_graph_stack = _DefaultGraphStack()
_global_graph = [Graph()]


def get_default_graph() -> Graph:
    """The innermost `with g.as_default()` graph, else the process-global graph."""
    s = _default_graph_stack.stack
    return s[-1] if s else _global_graph[0]


def reset_default_graph():
    """Replaces the global default graph with a new, empty one."""
    if _default_graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
                             "cleared graph, exit the nesting and create a new graph.")
    _global_graph[0] = Graph()
    from ..client import session as _sess

    _sess._clear_interactive_default()


def name_scope(name, default_name=None, values=None):
    """Module-level `tf.name_scope(name, default_name=None, values=None)`."""
    g = _graph_from_values(values)
    if name is None and default_name is not None:
        name = default_name
        return g.name_scope(name)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name for name_scope must be a string, got {name!r}")
    return g.name_scope(name)


def _graph_from_values(values):
    if values:
        for v in values:
            if isinstance(v, Tensor):
                return v.graph
            if hasattr(v, "_as_graph_element"):
                el = v._as_graph_element()
                if isinstance(el, (Tensor, Operation)):
                    return el.graph
    return get_default_graph()


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def get_all_collection_keys():
    return get_default_graph().get_all_collection_keys()


def set_random_seed(seed):
    """Sets the graph-level random seed of the default graph."""
    get_default_graph().seed = seed
