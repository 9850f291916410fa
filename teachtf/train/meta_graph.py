"""Meta graphs: `export_meta_graph` / `import_meta_graph` for graphs built by teachtf (API.md §12.6).

A `.meta` file is UTF-8 JSON (docs/checkpoint-format.md) holding every op
(type, name, inputs, control inputs, device, attrs, output shapes), the graph's
collections (variables, train_op, summaries, ...) and the Saver's names.
Importing rebuilds each op from the op registry by type and attrs, so the
imported graph has the same names and collections and runs with the same kernels.
"""

from __future__ import annotations

import base64
import json
import logging
import os

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Operation, Tensor
from ..framework.shapes import TensorShape

__all__ = ["MetaGraphDef", "export_meta_graph", "import_meta_graph", "write_graph"]

FORMAT_NAME = "teachtf-meta-graph"
FORMAT_VERSION = 1
_log = logging.getLogger("tensorflow")


class MetaGraphDef:
    """A serialized teachtf graph: `.nodes`, `.collection_def`, `.saver_def` (a SaverDef or None)."""

    def __init__(self, data: dict | None = None):
        self._data = data or {"format": FORMAT_NAME, "version": FORMAT_VERSION, "nodes": [], "collections": {},
                              "saver_def": None, "meta_info_def": {}}

    @property
    def nodes(self) -> list:
        return self._data["nodes"]

    @property
    def collection_def(self) -> dict:
        return self._data["collections"]

    @property
    def meta_info_def(self) -> dict:
        return self._data.get("meta_info_def", {})

    @property
    def saver_def(self):
        from .saver import SaverDef

        sd = self._data.get("saver_def")
        return None if sd is None else SaverDef.from_dict(sd)

    def HasField(self, name: str) -> bool:
        return bool(self._data.get(name))

    def SerializeToString(self) -> bytes:
        return json.dumps(self._data, indent=1).encode()

    def ParseFromString(self, data: bytes) -> int:
        self._data = _parse(data, "<bytes>")
        return len(data)

    def __repr__(self):
        return f"<MetaGraphDef: {len(self.nodes)} ops, collections {sorted(self.collection_def)}>"


# -- attr values <-> JSON --------------------------------------------------------------------------------


def _encode(value, where: str):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if np.isfinite(v) else {"__type__": "float", "repr": repr(v)}
    if isinstance(value, _dtypes.DType):
        return {"__type__": "dtype", "name": value.name}
    if isinstance(value, TensorShape):
        return {"__type__": "shape", "dims": None if value.ndims is None else value.as_list()}
    if isinstance(value, bytes):
        return {"__type__": "bytes", "b64": base64.b64encode(value).decode()}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            items = [x if isinstance(x, bytes) else str(x).encode() for x in value.reshape(-1)]
            return {"__type__": "strings", "shape": list(value.shape),
                    "b64": [base64.b64encode(x).decode() for x in items]}
        le = np.ascontiguousarray(value.astype(value.dtype.newbyteorder("<"), copy=False))
        return {"__type__": "ndarray", "dtype": _dtypes.as_dtype(value.dtype).name, "shape": list(value.shape),
                "b64": base64.b64encode(le.tobytes()).decode()}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, tuple):
        return {"__type__": "tuple", "items": [_encode(v, where) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__type__": "dict", "items": {k: _encode(v, where) for k, v in value.items()}}
    raise TypeError(f"{where} holds a {type(value).__name__}, which cannot be written to a meta graph")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("__type__")
    if kind == "float":
        return float(value["repr"])
    if kind == "dtype":
        return _dtypes.as_dtype(value["name"])
    if kind == "shape":
        return TensorShape(value["dims"])
    if kind == "bytes":
        return base64.b64decode(value["b64"])
    if kind == "strings":
        arr = np.array([base64.b64decode(x) for x in value["b64"]] or [], dtype=object)
        arr = arr.reshape(value["shape"])
        arr.setflags(write=False)
        return arr
    if kind == "ndarray":
        npdt = np.dtype(_dtypes.as_dtype(value["dtype"]).as_numpy_dtype).newbyteorder("<")
        arr = np.frombuffer(base64.b64decode(value["b64"]), dtype=npdt).reshape(value["shape"])
        arr = arr.astype(arr.dtype.newbyteorder("="), copy=True)
        arr.setflags(write=False)
        return arr
    if kind == "tuple":
        return tuple(_decode(v) for v in value["items"])
    if kind == "dict":
        return {k: _decode(v) for k, v in value["items"].items()}
    raise ValueError(f"Unknown value {value!r} in meta graph")


# -- export ----------------------------------------------------------------------------------------


def _strip(name: str, scope: str | None) -> str | None:
    """`name` relative to `scope` (None when outside it)."""
    if not scope:
        return name
    prefix = scope.rstrip("/") + "/"
    return name[len(prefix):] if name.startswith(prefix) else None


def _node_to_dict(op: Operation, scope, clear_devices) -> dict:
    where = f"attr of op '{op.name}' ({op.type})"
    attrs = {k: _encode(v, f"The {k!r} {where}") for k, v in op._attrs.items()}
    inputs = []
    for t in op.inputs:
        n = _strip(t.name, scope)
        if n is None:
            raise ValueError(f"Op '{op.name}' reads '{t.name}', which is outside export_scope '{scope}'.")
        inputs.append(n)
    ctrl = [_strip(c.name, scope) for c in op.control_inputs]
    if None in ctrl:
        raise ValueError(f"Op '{op.name}' has a control input outside export_scope '{scope}'.")
    return {"name": _strip(op.name, scope), "op": op.type, "inputs": inputs, "control_inputs": ctrl,
            "device": "" if clear_devices else op.device, "attrs": attrs,
            "output_shapes": [None if t.shape.ndims is None else t.shape.as_list() for t in op.outputs]}


def _collection_item(item, scope):
    """One collection entry as JSON, or None when it cannot be exported."""
    from .saver import Saver, SaverDef

    def name(x):
        n = _strip(x.name, scope)
        if n is None:
            raise ValueError(f"'{x.name}' is outside export_scope '{scope}'")
        return n

    if hasattr(item, "_variable") and hasattr(item, "_initializer_op"):
        return {"kind": "variable", "variable": name(item._variable), "initializer": name(item._initializer_op),
                "snapshot": name(item._snapshot), "initial_value": name(item._initial_value),
                "trainable": bool(item._trainable)}
    if isinstance(item, Tensor):
        return {"kind": "tensor", "name": name(item)}
    if isinstance(item, Operation):
        return {"kind": "operation", "name": name(item)}
    if isinstance(item, Saver) and item.saver_def is not None:
        return {"kind": "saver", "saver_def": item.saver_def.to_dict()}
    if isinstance(item, SaverDef):
        return {"kind": "saver", "saver_def": item.to_dict()}
    if isinstance(item, (str, bytes, bool, int, float)):
        return {"kind": "value", "value": _encode(item, "collection item")}
    return None


def _collections(graph, keys, scope) -> dict:
    out = {}
    for key in keys:
        if not isinstance(key, str):
            continue
        items = []
        for item in graph.get_collection(key):
            try:
                enc = _collection_item(item, scope)
            except ValueError:
                continue  # outside export_scope
            if enc is None:
                _log.warning("Issue encountered when serializing %s.\nType is unsupported, or the types of the items "
                             "don't match field type in CollectionDef. %s", key, type(item).__name__)
                items = None
                break
            items.append(enc)
        if items is not None:
            out[key] = items
    return out


def _write_atomic(path: str, data: bytes) -> None:
    from .checkpoint_state import write_atomic

    write_atomic(path, data, f"Failed to write {path}")


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                      as_text=False, graph=None, export_scope=None, clear_devices=False,
                      clear_extraneous_savers=False, strip_default_attrs=False, save_debug_info=False,
                      **kwargs) -> MetaGraphDef:
    """Describes `graph` (default: the default graph) as a MetaGraphDef and writes it to `filename` if given.

    Only graphs built by teachtf can be exported; `graph_def` is ignored (the
    graph itself is read).
    """
    from .. import __version__

    graph = graph if graph is not None else _graph.get_default_graph()
    nodes = [_node_to_dict(op, export_scope, clear_devices) for op in graph.get_operations()
             if _strip(op.name, export_scope) is not None]
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    if isinstance(saver_def, dict):
        sd = saver_def
    elif saver_def is not None:
        sd = saver_def.to_dict()
    else:
        sd = None
    if sd is not None and export_scope:
        sd = {k: (_strip(v, export_scope) or v) if k.endswith("_name") else v for k, v in sd.items()}
    info = {"tensorflow_version": "1.15.0", "teachtf_version": __version__,
            "stripped_op_list": sorted({n["op"] for n in nodes})}
    if isinstance(meta_info_def, dict):
        info.update(meta_info_def)
    meta = MetaGraphDef({"format": FORMAT_NAME, "version": FORMAT_VERSION, "meta_info_def": info, "nodes": nodes,
                         "collections": _collections(graph, keys, export_scope), "saver_def": sd})
    if filename:
        _write_atomic(os.fspath(filename), meta.SerializeToString())
    return meta


# -- import ----------------------------------------------------------------------------------------


def _parse(raw: bytes, where: str) -> dict:
    try:
        data = json.loads(raw.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{where} is not a teachtf meta graph (teachtf reads only .meta files it wrote itself; "
                         "TensorFlow's protobuf MetaGraphDefs are out of scope).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ValueError(f"{where} is not a teachtf meta graph.")
    if data.get("version", 0) > FORMAT_VERSION:
        raise ValueError(f"{where} uses meta graph format version {data['version']}; upgrade teachtf to read it.")
    return data


def _load(meta_graph_or_file) -> dict:
    if isinstance(meta_graph_or_file, MetaGraphDef):
        return meta_graph_or_file._data
    path = os.fspath(meta_graph_or_file)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise OSError(f"File {path} does not exist.") from None
    return _parse(raw, path)


def _toposort_nodes(nodes) -> list:
    by_name = {n["name"]: n for n in nodes}
    deps = {}
    for n in nodes:
        d = {i.rpartition(":")[0] for i in n["inputs"]} | set(n["control_inputs"])
        deps[n["name"]] = {x for x in d if x in by_name}
    order, done = [], set()
    pending = list(by_name)
    while pending:
        progressed = False
        rest = []
        for name in pending:
            if deps[name] <= done:
                order.append(by_name[name])
                done.add(name)
                progressed = True
            else:
                rest.append(name)
        if not progressed:
            raise ValueError(f"The meta graph has a cycle among ops {rest[:5]}")
        pending = rest
    return order


def _mark_scopes_used(graph, name: str) -> None:
    """Marks every name-scope prefix of `name` as used, so later ops and Savers get fresh scopes."""
    parts = name.split("/")
    for i in range(1, len(parts)):
        graph._names_in_use.setdefault("/".join(parts[:i]).lower(), 1)


def _rebuild_op(graph, node, scoped, clear_devices):
    from ..ops.registry import apply_op, get_opdef

    try:
        get_opdef(node["op"])
    except KeyError:
        raise ValueError(f"Cannot import op '{node['name']}': op type {node['op']!r} is not registered in this "
                         "teachtf.") from None
    name = scoped(node["name"])
    if name in graph._ops_by_name:
        raise ValueError(f"Cannot import op '{name}': the graph already has an op with that name. Import into a "
                         "fresh graph (tf.reset_default_graph()) or pass import_scope=.")
    inputs = [graph.get_tensor_by_name(scoped(i)) for i in node["inputs"]]
    ctrl = [graph.get_operation_by_name(scoped(c)) for c in node["control_inputs"]]
    attrs = {k: _decode(v) for k, v in node["attrs"].items()}
    device = None if clear_devices else (node.get("device") or None)
    with graph.control_dependencies(None), graph.device(None), graph.device(device):
        op = apply_op(node["op"], inputs, attrs, name + "/", control_inputs=ctrl)
    for t, dims in zip(op.outputs, node.get("output_shapes", [])):
        if dims is not None:
            try:
                t.set_shape(dims)
            except ValueError:
                pass
    _mark_scopes_used(graph, name)
    return op


def _variable_from_ops(graph, item, scoped):
    """A Variable object over ops that already exist in `graph` (the inverse of its collection entry)."""
    from ..ops.variables import Variable

    v = Variable.__new__(Variable)
    v._variable = graph.get_tensor_by_name(scoped(item["variable"]))
    v._initializer_op = graph.get_operation_by_name(scoped(item["initializer"]))
    v._snapshot = graph.get_tensor_by_name(scoped(item["snapshot"]))
    v._initial_value = graph.get_tensor_by_name(scoped(item["initial_value"]))
    v._trainable = item["trainable"]
    v._constraint = None
    v._save_slice_info = None
    v._caching_device = None
    return v


def _restore_collections(graph, collections, scoped):
    from .saver import Saver, SaverDef

    variables = {}
    for key, items in collections.items():
        for item in items:
            kind = item["kind"]
            if kind == "variable":
                vname = item["variable"]
                if vname not in variables:
                    variables[vname] = _variable_from_ops(graph, item, scoped)
                value = variables[vname]
            elif kind == "tensor":
                value = graph.get_tensor_by_name(scoped(item["name"]))
            elif kind == "operation":
                value = graph.get_operation_by_name(scoped(item["name"]))
            elif kind == "saver":
                sd = SaverDef.from_dict(_scoped_saver_def(item["saver_def"], scoped))
                with graph.as_default():
                    value = Saver(saver_def=sd)
            else:
                value = _decode(item["value"])
            graph.add_to_collection(key, value)


def _scoped_saver_def(sd: dict, scoped) -> dict:
    return {k: scoped(v) if k.endswith("_name") and v else v for k, v in sd.items()}


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Rebuilds a teachtf meta graph in the default graph (same names and collections); returns a Saver.

    Returns None when the graph has no variables. The variables' values still
    have to be restored with `saver.restore(sess, prefix)`.
    """
    from .saver import Saver, SaverDef

    data = _load(meta_graph_or_file)
    graph = _graph.get_default_graph()
    if graph.finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    scope = import_scope.rstrip("/") + "/" if import_scope else ""

    def scoped(name: str) -> str:
        return scope + name

    for node in _toposort_nodes(data["nodes"]):
        _rebuild_op(graph, node, scoped, clear_devices)
    _restore_collections(graph, data["collections"], scoped)
    if data.get("saver_def"):
        return Saver(saver_def=SaverDef.from_dict(_scoped_saver_def(data["saver_def"], scoped)))
    if graph.get_collection(GraphKeys.GLOBAL_VARIABLES, import_scope):
        return Saver(var_list=graph.get_collection(GraphKeys.GLOBAL_VARIABLES, import_scope))
    _log.info("Saver not created because there are no variables in the graph to restore")
    return None


def write_graph(graph_or_graph_def, logdir, name, as_text=True) -> str:
    """Writes the graph as a TensorFlow GraphDef protobuf (text when `as_text`) to `logdir/name`; returns the path.

    Needs the `tensorboard` package (for the protobuf definitions).
    """
    from ..summary.graph_proto import graph_to_proto

    proto = graph_to_proto(graph_or_graph_def)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        from google.protobuf import text_format

        data = text_format.MessageToString(proto).encode()
    else:
        data = proto.SerializeToString()
    _write_atomic(path, data)
    return path
