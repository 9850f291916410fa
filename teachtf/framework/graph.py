"""Graph, Operation and Tensor: the structure of a TF1 program (API.md §2, §3).

The Graph holds structure only; values live in a Session. Names are made
unique with TF1's case-insensitive algorithm (API.md §3.2); name scopes and op
names share one table.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading

from . import dtypes as _dtypes
from .device_spec import DeviceSpec, canonical_device
from .shapes import TensorShape, as_shape

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SKIP_DIRS = (_PKG_DIR + os.sep, os.path.join(os.path.dirname(_PKG_DIR), "widgets") + os.sep)
_VALID_OP_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME_RE = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


def _user_frame():
    """(filename, lineno, function) of the innermost frame outside teachtf: the learner's line."""
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_SKIP_DIRS) and "importlib" not in fn and not fn.startswith("<frozen") \
                and not fn.endswith(os.sep + "contextlib.py"):
            return (fn, f.f_lineno, f.f_code.co_name)
        f = f.f_back
    return ("<unknown>", 0, "<unknown>")


class GraphKeys:
    """Standard collection names (TF's string values)."""

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


# -- NodeDef text (protobuf text format, as `print(op)` shows in TF1) ------------------------------


def _attr_text(value, indent: str) -> str:
    """The protobuf-text body of one attr value."""
    import numpy as np

    inner = indent + "  "
    if isinstance(value, _dtypes.DType):
        return f"{inner}type: DT_{_dtype_enum_name(value)}\n"
    if isinstance(value, bool):
        return f"{inner}b: {'true' if value else 'false'}\n"
    if isinstance(value, int):
        return f"{inner}i: {value}\n"
    if isinstance(value, float):
        return f"{inner}f: {value}\n"
    if isinstance(value, (str, bytes)):
        s = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        return f'{inner}s: "{s}"\n'
    if isinstance(value, TensorShape):
        return f"{inner}shape {{\n{_shape_text(value, inner + '  ')}{inner}}}\n"
    if isinstance(value, np.ndarray):
        dt = _dtypes.as_dtype(value.dtype)
        body = f"{inner}  dtype: DT_{_dtype_enum_name(dt)}\n"
        body += f"{inner}  tensor_shape {{\n{_shape_text(TensorShape(value.shape), inner + '    ')}{inner}  }}\n"
        flat = value.reshape(-1)
        if flat.size:
            shown = " ".join(repr(x.decode() if isinstance(x, bytes) else x.item() if hasattr(x, "item") else x)
                             for x in flat[:10])
            body += f"{inner}  values: {shown}{' ...' if flat.size > 10 else ''}\n"
        return f"{inner}tensor {{\n{body}{inner}}}\n"
    if isinstance(value, (list, tuple)):
        items = "".join(_attr_text(v, inner) for v in value)
        return f"{inner}list {{\n{items}{inner}}}\n"
    return f'{inner}s: "{value!r}"\n'


def _shape_text(shape: TensorShape, indent: str) -> str:
    if shape.ndims is None:
        return f"{indent}unknown_rank: true\n"
    return "".join(f"{indent}dim {{\n{indent}  size: {-1 if d is None else d}\n{indent}}}\n"
                   for d in shape.as_list())


def _dtype_enum_name(dt) -> str:
    return {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(dt.base_dtype.name,
                                                                              dt.base_dtype.name.upper())


class NodeDef:
    """A GraphDef node: `.name`, `.op`, `.input`, `.device`, `.attr`."""

    def __init__(self, name, op, inputs, device, attr):
        self.name = name
        self.op = op
        self.input = inputs
        self.device = device
        self.attr = attr

    def __str__(self):
        out = f'name: "{self.name}"\nop: "{self.op}"\n'
        out += "".join(f'input: "{i}"\n' for i in self.input)
        if self.device:
            out += f'device: "{self.device}"\n'
        for k in sorted(self.attr):
            if k.startswith("_"):
                continue
            out += f'attr {{\n  key: "{k}"\n  value {{\n{_attr_text(self.attr[k], "  ")}  }}\n}}\n'
        return out

    __repr__ = __str__


class GraphDef:
    """A snapshot of a graph's nodes (teachtf's own format)."""

    def __init__(self, nodes=None, versions=None):
        self.node = list(nodes or [])
        self.versions = versions

    def __str__(self):
        return "".join("node {\n" + "".join("  " + ln + "\n" for ln in str(n).splitlines()) + "}\n"
                       for n in self.node)

    def SerializeToString(self) -> bytes:
        import pickle

        return pickle.dumps([(n.name, n.op, n.input, n.device, n.attr) for n in self.node])

    def ParseFromString(self, data: bytes):
        import pickle

        self.node = [NodeDef(*t) for t in pickle.loads(data)]
        return len(data)


# -- Operation -------------------------------------------------------------------------------------


class Operation:
    """A node of the graph: type, inputs, outputs, attrs, device, creation site."""

    __slots__ = ("_graph", "_name", "_type", "_inputs", "_outputs", "_control_inputs", "_attrs",
                 "_device", "_id", "_site", "_opdef", "_consumers", "_cf_context", "__weakref__")

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
        self._cf_context = None
        self._id = len(graph._ops)
        self._outputs = [Tensor(self, i, dt, shp) for i, (shp, dt) in enumerate(output_specs)]

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._device)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def inputs(self) -> tuple:
        return tuple(self._inputs)

    @property
    def control_inputs(self) -> list:
        return list(self._control_inputs)

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

    def _set_device(self, device):
        self._device = canonical_device(device)

    def values(self) -> tuple:
        return tuple(self._outputs)

    def colocation_groups(self) -> list:
        return [b"loc:@" + self._name.encode()]

    def _add_control_input(self, op):
        self._add_control_inputs([op])

    def _add_control_inputs(self, ops):
        for op in ops:
            if not isinstance(op, Operation):
                raise TypeError(f"op must be an Operation: {op!r}")
            if op not in self._control_inputs:
                self._control_inputs.append(op)
                op._consumers.append(self)
        self._graph._mutation_version += 1

    def _remove_all_control_inputs(self):
        self._control_inputs = []
        self._graph._mutation_version += 1

    def _creation_site(self) -> str:
        fn, ln, _ = self._site
        return f"{fn}:{ln}"

    @property
    def traceback(self) -> list:
        fn, ln, func = self._site
        return [(fn, ln, func, None)]

    def run(self, feed_dict=None, session=None):
        """Runs this op in `session` (default: the default Session); returns None."""
        from ..client.session import _session_for

        _session_for(self, session).run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's rich display: a drawing of the ops this one depends on (teachtf.ext.graph_drawing)."""
        return _element_mimebundle(self)

    def __str__(self):
        return str(self.node_def)


# -- Tensor ----------------------------------------------------------------------------------------

# NumPy ufuncs that Python operators turn into, mapped to (forward, reflected) Tensor methods. NumPy
# calls them when an ndarray is the left operand (`ndarray - t`); they build graph ops.
_OPERATOR_UFUNCS = {
    "add": ("__add__", "__radd__"), "subtract": ("__sub__", "__rsub__"), "multiply": ("__mul__", "__rmul__"),
    "true_divide": ("__truediv__", "__rtruediv__"), "divide": ("__truediv__", "__rtruediv__"),
    "floor_divide": ("__floordiv__", "__rfloordiv__"), "remainder": ("__mod__", "__rmod__"),
    "power": ("__pow__", "__rpow__"), "matmul": ("__matmul__", "__rmatmul__"),
    "bitwise_and": ("__and__", "__rand__"), "bitwise_or": ("__or__", "__ror__"),
    "bitwise_xor": ("__xor__", "__rxor__"), "less": ("__lt__", "__gt__"), "less_equal": ("__le__", "__ge__"),
    "greater": ("__gt__", "__lt__"), "greater_equal": ("__ge__", "__le__"),
}
_TF_NAME_OF_UFUNC = {"absolute": "abs", "true_divide": "truediv", "power": "pow", "remainder": "mod",
                     "floor_divide": "floordiv", "arctan": "atan", "arcsin": "asin", "arccos": "acos"}


def _is_graph_value(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_graph_element") and hasattr(x, "_as_tensor")


def symbolic_array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """`__array_ufunc__` of Tensor and Variable: operators build ops, other NumPy functions raise TypeError.

    `==`/`!=` stay Python identity comparisons (API.md §2.3).
    """
    name = ufunc.__name__
    if method == "__call__" and len(inputs) == 2 and not kwargs:
        if name == "equal":
            return inputs[0] is inputs[1]
        if name == "not_equal":
            return inputs[0] is not inputs[1]
        pair = _OPERATOR_UFUNCS.get(name)
        if pair is not None:
            if _is_graph_value(inputs[0]):
                return getattr(inputs[0], pair[0])(inputs[1])
            return getattr(inputs[1], pair[1])(inputs[0])
    tf_name = _TF_NAME_OF_UFUNC.get(name, name)
    who = getattr(self, "name", "?")
    raise TypeError(f"NumPy's {name}() cannot be applied to the symbolic tensor '{who}': it has no value until it "
                    f"runs in a Session. Build the computation with tf.{tf_name} (or another tf.* op), or fetch the "
                    "value first with sess.run(...) and then use NumPy on the result.")


class Tensor:
    """A symbolic output of an Operation: `name` is "op:index"."""

    __array_priority__ = 100
    __array_ufunc__ = symbolic_array_ufunc

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

    def set_shape(self, shape) -> None:
        """Merges `shape` into the static shape (ValueError when incompatible)."""
        shape = as_shape(shape)
        try:
            self._shape = self._shape.merge_with(shape)
        except ValueError:
            raise ValueError(f"Shapes {self._shape} and {shape} are not compatible: cannot set the shape of "
                             f"'{self.name}' to {shape}.") from None

    def consumers(self) -> list:
        """The Operations that take this tensor as a data input."""
        return [op for op in self._op._consumers if any(t is self for t in op._inputs)]

    def eval(self, feed_dict=None, session=None):
        """Runs this tensor in `session` (default: the default Session) and returns its value."""
        from ..client.session import _session_for

        return _session_for(self, session).run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's rich display: a drawing of the ops this tensor depends on (teachtf.ext.graph_drawing)."""
        return _element_mimebundle(self)

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` instead of "
                        "`if t:` to test if a tensor is defined, and use TensorFlow ops such as tf.cond to execute "
                        "subgraphs conditioned on the value of a tensor.")

    __nonzero__ = __bool__

    def __iter__(self):
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. To iterate over this "
                        "tensor use tf.map_fn (or tf.unstack when its first dimension is known).")

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) Please call `x.shape` rather "
                        "than `len(x)` for shape information.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"Cannot convert the symbolic Tensor '{self.name}' to a NumPy array: it has no value until "
                        "it runs. Use sess.run(t) (or t.eval()) to get its value, and tf.* ops (tf.exp, "
                        "tf.reduce_sum, ...) instead of NumPy functions inside the graph.")

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


# -- control dependencies -----------------------------------------------------------------------------


class _ControlFrame:
    """One `control_dependencies` block: its ops, and the ops created inside it (TF's domination rule)."""

    __slots__ = ("ops", "seen")

    def __init__(self, ops):
        self.ops = ops
        self.seen = set()


# -- Graph ---------------------------------------------------------------------------------------------


class Graph:
    """A TF1 graph: operations, the name table, collections and scopes."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._collections = {}
        self._control_stack = []  # _ControlFrame list of the innermost control_dependencies(None) region
        self._device_stack = []  # entries: DeviceSpec, a callable, or None (clears outer devices)
        self._colocation_stack = []
        self._cf_context = None  # the active tf.cond branch (ops/cond_ops.py), if any
        self._seed = None
        self._finalized = False
        self._mutation_version = 0  # bumped when an existing op changes (cached Session plans depend on it)
        self._variable_store = None
        self._var_scope_store = None
        self._gradient_override_map = {}
        self._unfeedable = set()
        self._unfetchable = set()
        self._lock = threading.RLock()

    # -- identity and bookkeeping ----------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Increases as ops are added."""
        return len(self._ops)

    @property
    def _last_id(self) -> int:
        return len(self._ops)

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Makes the graph read-only: adding ops or collection items raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    @property
    def building_function(self) -> bool:
        return False

    @property
    def collections(self) -> list:
        return self.get_all_collection_keys()

    def as_default(self):
        """A context manager that makes this graph the default graph."""
        return _default_graph_stack.get_controller(self)

    # -- names ------------------------------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Makes `name` (prefixed with the current name scope) unique, TF1's way (API.md §3.2)."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        """The current name scope without a trailing '/' ('' at the top level)."""
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; yields the scope string with a trailing '/' (or '' at the top level).

        A name ending in '/' re-enters that exact scope; None or '' resets to the top level.
        """
        if name:
            if not isinstance(name, str):
                name = name.decode() if isinstance(name, bytes) else str(name)
            if self._name_stack:
                if not _VALID_SCOPE_NAME_RE.match(name):
                    raise ValueError(f"'{name}' is not a valid scope name")
            elif not _VALID_OP_NAME_RE.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
        old = self._name_stack
        if not name:
            new = ""
        elif name[-1] == "/":
            new = name[:-1]
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    # -- ops ------------------------------------------------------------------------------------------------
    def create_op(self, op_type, inputs, output_specs, attrs=None, name=None, opdef=None,
                  control_inputs=None, site=None) -> Operation:
        """Adds an op. A `name` ending in '/' is used exactly; otherwise it is made unique in the name scope.

        output_specs: one (shape, dtype) per output.
        """
        self._check_not_finalized()
        inputs = list(inputs)
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"Input #{i} is not a tensor: {t!r}")
            if t._op._graph is not self:
                raise ValueError(f"Tensor {t.name} must be from the same graph as the op being created "
                                 f"('{name or op_type}'): it belongs to another tf.Graph.")
        if name is None:
            name = op_type
        if name and name[-1] == "/":
            full = name[:-1]
            # TF leaves an exact name unmarked; marking it keeps later uniquified names from colliding with it.
            self._names_in_use.setdefault(full.lower(), 1)
        else:
            full = self.unique_name(name)
        if not _VALID_OP_NAME_RE.match(full):
            raise ValueError(f"'{full}' is not a valid node name")
        if full in self._ops_by_name:
            raise ValueError(f"Duplicate node name in graph: '{full}'")
        ctx = self._cf_context
        if ctx is not None:
            inputs = ctx._capture_inputs(inputs)
        ctrl = self._current_control_inputs(inputs)
        if control_inputs:
            for c in control_inputs:
                c = c.op if isinstance(c, Tensor) else c
                if c not in ctrl:
                    ctrl.append(c)
        if ctx is not None:
            ctrl = ctx._control_inputs(inputs, ctrl)
        if site is None:
            site = _user_frame()
        if op_type in self._gradient_override_map:
            # Recorded as TF1 does; tf.gradients looks the override up by this attr.
            attrs = dict(attrs or {}, _gradient_op_type=self._gradient_override_map[op_type])
        if attrs and "seed" in attrs and "seed2" not in attrs:
            # TF1 fixes a random op's seeds when it is built: a later set_random_seed does not seed it.
            attrs = dict(attrs, _graph_seed=self.seed)
        op = Operation(self, full, op_type, inputs, output_specs, attrs, ctrl, "", opdef, site)
        self._apply_device_functions(op)
        with self._lock:
            self._ops.append(op)
            self._ops_by_name[full] = op
        for t in inputs:
            t._op._consumers.append(op)
        for c in ctrl:
            c._consumers.append(op)
        for frame in self._control_stack:
            frame.seen.add(op)
        if ctx is not None:
            ctx._add_op(op)
        return op

    def _current_control_inputs(self, inputs):
        input_ops = {t._op for t in inputs}
        ctrl = []
        for frame in self._control_stack:
            if any(op in frame.seen for op in input_ops):
                continue  # an input was built inside this block and already depends on its ops
            for c in frame.ops:
                if c not in input_ops and c not in ctrl:
                    ctrl.append(c)
        return ctrl

    def _apply_device_functions(self, op):
        """Sets op's device from the device stack, innermost first (inner fields win; None stops)."""
        current = DeviceSpec()
        for entry in reversed(self._device_stack):
            if entry is None:
                break
            if callable(entry):
                op._device = current.to_string()
                result = entry(op)
                current = DeviceSpec.from_string(canonical_device(result))
            elif not entry.is_empty:
                current = entry.make_merged_spec(current)
        op._device = current.to_string()
        if self._colocation_stack:
            target = self._colocation_stack[-1]
            if target is not None:
                op._attrs["_class"] = [b"loc:@" + target._name.encode()]
                if target._device:
                    op._device = target._device

    def get_operations(self) -> list:
        """The operations in creation order."""
        return list(self._ops)

    def get_operation_by_name(self, name) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name string to an element of this graph (TF's messages)."""
        if allow_tensor and allow_operation:
            types = "Tensor or Operation"
        elif allow_tensor:
            types = "Tensor"
        elif allow_operation:
            types = "Operation"
        else:
            raise ValueError("allow_tensor and allow_operation can't both be False.")
        conv = getattr(obj, "_as_graph_element", None)
        if conv is not None and not isinstance(obj, (Tensor, Operation)):
            obj = conv()
        if isinstance(obj, bytes):
            obj = obj.decode()
        if isinstance(obj, str):
            return self._element_by_name(obj, allow_tensor, allow_operation, types)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types}.")

    def _element_by_name(self, name, allow_tensor, allow_operation, types):
        if ":" in name and allow_tensor:
            try:
                op_name, out_n = name.split(":")
                out_n = int(out_n)
            except ValueError:
                raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a valid one. Tensor "
                                 'names must be of the form "<op_name>:<output_index>".') from None
            op = self._ops_by_name.get(op_name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                               f"{op_name!r}, does not exist in the graph.")
            if not 0 <= out_n < len(op._outputs):
                raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                               f"{op_name!r}, exists but only has {len(op._outputs)} outputs.")
            return op._outputs[out_n]
        if ":" in name:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types}.")
        if allow_operation:
            op = self._ops_by_name.get(name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
            return op
        if name in self._ops_by_name:
            msg = f"The name {name!r} refers to an Operation, not a {types}."
        else:
            msg = f"The name {name!r} looks like an (invalid) Operation name, not a {types}."
        raise ValueError(msg + ' Tensor names must be of the form "<op_name>:<output_index>".')

    def as_graph_def(self, from_version=None, add_shapes=False) -> GraphDef:
        """A GraphDef-like snapshot: `.node` is a list of NodeDefs."""
        nodes = []
        for op in self._ops[from_version or 0:]:
            nd = op.node_def
            if add_shapes:
                nd.attr["_output_shapes"] = [t.shape for t in op._outputs]
            nodes.append(nd)
        return GraphDef(nodes)

    @property
    def graph_def_versions(self):
        return None

    # -- collections --------------------------------------------------------------------------------------
    def add_to_collection(self, name, value) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for n in names:
            self.add_to_collection(n, value)

    def get_collection_ref(self, name) -> list:
        """The live list of collection `name` (created empty if needed)."""
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None) -> list:
        """A new list of the collection's items; with `scope`, those whose `.name` matches it (re.match)."""
        items = self._collections.get(name)
        if items is None:
            return []
        if scope is None:
            return list(items)
        rx = re.compile(scope)
        out = []
        for it in items:
            try:
                if rx.match(it.name):
                    out.append(it)
            except AttributeError:
                pass
        return out

    def get_all_collection_keys(self) -> list:
        return [k for k in self._collections if isinstance(k, str)]

    def clear_collection(self, name) -> None:
        self._check_not_finalized()
        self._collections.pop(name, None)

    # -- control dependencies, devices, colocation --------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; None clears the outer dependencies (and tf.cond)."""
        if control_inputs is None:
            old_stack, old_ctx = self._control_stack, self._cf_context
            self._control_stack, self._cf_context = [], None
            try:
                yield
            finally:
                self._control_stack, self._cf_context = old_stack, old_ctx
            return
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)) or isinstance(c, str):
                c = self.as_graph_element(c)
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c!r}")
            if c.graph is not self:
                raise ValueError(f"Control input {c.name} must be from the same graph as the ops it controls.")
            if c not in ops:
                ops.append(c)
        frame = _ControlFrame(ops)
        self._control_stack = self._control_stack + [frame]
        try:
            yield
        finally:
            self._control_stack = [f for f in self._control_stack if f is not frame]

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Places ops created inside: a device string/DeviceSpec, a function op -> device, or None to clear."""
        d = device_name_or_function
        if d is not None and not callable(d):
            d = d if isinstance(d, DeviceSpec) else DeviceSpec.from_string(d)
        self._device_stack.append(d)
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created inside get the device of `op` (a Tensor, Operation or Variable)."""
        if op is not None:
            if hasattr(op, "_as_graph_element") and not isinstance(op, (Tensor, Operation)):
                op = op._as_graph_element()
            if isinstance(op, Tensor):
                op = op.op
            if not isinstance(op, Operation):
                raise TypeError(f"colocate_with needs a Tensor, Operation or Variable, got {op!r}")
        old = self._colocation_stack
        if ignore_existing:
            self._colocation_stack = []
        if op is not None:
            self._colocation_stack = self._colocation_stack + [op]
        saved_devices = self._device_stack
        if op is not None:
            self._device_stack = []  # colocation overrides device scopes
        try:
            yield
        finally:
            self._colocation_stack = old
            self._device_stack = saved_devices

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Inside, ops of type k use the gradient registered under op_type_map[k]."""
        if not isinstance(op_type_map, dict):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        old = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = old

    def is_feedable(self, tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_feeding(self, tensor) -> None:
        self._unfeedable.add(tensor)

    def is_fetchable(self, tensor_or_op) -> bool:
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    def prevent_fetching(self, op) -> None:
        self._unfetchable.add(op)

    # -- control-flow contexts (tf.cond) ------------------------------------------------------------------------
    def _get_control_flow_context(self):
        return self._cf_context

    def _set_control_flow_context(self, ctx):
        self._cf_context = ctx

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _element_mimebundle(self)


def _element_mimebundle(element):
    """Rich display of a Graph/Tensor/Operation: TF1's repr plus a drawing (None = the plain repr only)."""
    try:
        from ..ext import _graph_mimebundle
    except ImportError:
        return None
    return _graph_mimebundle(element)


# -- default graph stack ----------------------------------------------------------------------------------


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


def reset_default_graph() -> None:
    """Replaces the global default graph with a new, empty one (AssertionError inside a graph block)."""
    if _default_graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    _global_graph[0] = Graph()


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def _graph_from_values(values):
    """The graph of the tensors among `values` (ValueError when they mix graphs), else the default graph."""
    if values is None:
        return get_default_graph()
    if not isinstance(values, (list, tuple)):
        raise TypeError("The op_input_list must be a list or tuple")
    found, first = None, None
    for v in values:
        el = v
        conv = getattr(v, "_as_graph_element", None)
        if conv is not None and not isinstance(v, (Tensor, Operation)):
            el = conv()
        if isinstance(el, (Tensor, Operation)):
            if found is None:
                found, first = el.graph, el
            elif el.graph is not found:
                raise ValueError(f"{v} must be from the same graph as {first}.")
    return found if found is not None else get_default_graph()


class name_scope:  # noqa: N801 - TF1's name
    """`tf.name_scope(name, default_name=None, values=None)`: a uniquified scope for op names.

    Binds the scope string with its trailing '/' (`with tf.name_scope("layer") as s:` gives "layer/").
    When `values` come from another graph, that graph is the default inside the block.
    """

    def __init__(self, name, default_name=None, values=None):
        self._name = default_name if name is None else name
        self._default_name = default_name
        self._values = values
        self._graph_cm = None
        self._scope_cm = None

    def __enter__(self) -> str:
        if self._name is None and self._values is not None:
            raise ValueError(f"At least one of name ({self._name}) and default_name ({self._default_name}) must "
                             "be provided.")
        g = get_default_graph()
        if self._values:
            vg = _graph_from_values(self._values)
            if vg is not g:
                g = vg
                self._graph_cm = g.as_default()
                self._graph_cm.__enter__()
        self._scope_cm = g.name_scope(self._name)
        try:
            return self._scope_cm.__enter__()
        except BaseException:
            if self._graph_cm is not None:
                self._graph_cm.__exit__(*sys.exc_info())
            raise

    def __exit__(self, *exc):
        try:
            self._scope_cm.__exit__(*exc)
        finally:
            if self._graph_cm is not None:
                self._graph_cm.__exit__(*exc)
        return False


def op_scope(values, name, default_name=None):
    """Legacy spelling of `name_scope(name, default_name, values)`."""
    return name_scope(name, default_name, values)


@contextlib.contextmanager
def init_scope():
    """Clears control dependencies (and tf.cond branches) for the block, keeping the name scope."""
    with get_default_graph().control_dependencies(None):
        yield


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
