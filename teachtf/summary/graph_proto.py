"""A teachtf Graph as a TensorFlow `GraphDef` protobuf, for TensorBoard's graph dashboard and `write_graph`.

Each node keeps its name, op type, inputs (`^name` for control inputs), device
and attrs; `_output_shapes` lets TensorBoard label edges with shapes. Constants
larger than `MAX_CONTENT_BYTES` are written with their dtype and shape only.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import Graph
from ..framework.graph import GraphDef as _TeachtfGraphDef
from ..framework.shapes import TensorShape
from . import encoders
from ._protos import protos

MAX_CONTENT_BYTES = 1 << 20
GRAPH_DEF_PRODUCER = 134  # tf.GRAPH_DEF_VERSION of TF 1.15


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _set_list(attr, values) -> bool:
    lst = attr.list
    lst.SetInParent()
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        lst.b.extend(bool(v) for v in values)
    elif all(_is_int(v) for v in values):
        lst.i.extend(int(v) for v in values)
    elif all(isinstance(v, (int, float, np.integer, np.floating)) for v in values):
        lst.f.extend(float(v) for v in values)
    elif all(isinstance(v, (str, bytes)) for v in values):
        lst.s.extend(v.encode() if isinstance(v, str) else v for v in values)
    elif all(isinstance(v, _dtypes.DType) for v in values):
        lst.type.extend(encoders.datatype_enum(v) for v in values)
    elif all(isinstance(v, TensorShape) for v in values):
        lst.shape.extend(encoders.shape_proto(v) for v in values)
    else:
        return False
    return True


def set_attr(attr, value) -> bool:
    """Fills an AttrValue from a Python attr; False when the value has no AttrValue form (it is then left out)."""
    if value is None:
        return False
    if isinstance(value, (bool, np.bool_)):
        attr.b = bool(value)
    elif _is_int(value):
        attr.i = int(value)
    elif isinstance(value, (float, np.floating)):
        attr.f = float(value)
    elif isinstance(value, str):
        attr.s = value.encode()
    elif isinstance(value, bytes):
        attr.s = value
    elif isinstance(value, _dtypes.DType):
        attr.type = encoders.datatype_enum(value)
    elif isinstance(value, TensorShape):
        attr.shape.CopyFrom(encoders.shape_proto(value))
    elif isinstance(value, np.ndarray):
        attr.tensor.CopyFrom(encoders.tensor_proto(value, with_content=value.nbytes <= MAX_CONTENT_BYTES))
    elif isinstance(value, (list, tuple)):
        return _set_list(attr, list(value))
    else:
        return False
    return True


def _node_specs(graph_or_graph_def):
    """(name, op, inputs, device, attrs, output shapes or None) per node."""
    if isinstance(graph_or_graph_def, Graph):
        for op in graph_or_graph_def.get_operations():
            nd = op.node_def
            yield nd.name, nd.op, nd.input, nd.device, nd.attr, [t.shape for t in op.outputs]
    elif isinstance(graph_or_graph_def, _TeachtfGraphDef):
        for nd in graph_or_graph_def.node:
            attrs = {k: v for k, v in nd.attr.items() if k != "_output_shapes"}
            yield nd.name, nd.op, nd.input, nd.device, attrs, None
    else:
        raise TypeError(f"Expected a tf.Graph or its GraphDef, got {type(graph_or_graph_def).__name__}")


def graph_to_proto(graph_or_graph_def):
    """A `tensorboard.compat.proto.graph_pb2.GraphDef` for a teachtf Graph (or GraphDef, or that proto itself)."""
    p = protos()
    if isinstance(graph_or_graph_def, p.graph_pb2.GraphDef):
        return graph_or_graph_def
    gd = p.graph_pb2.GraphDef()
    gd.versions.producer = GRAPH_DEF_PRODUCER
    for name, op_type, inputs, device, attrs, shapes in _node_specs(graph_or_graph_def):
        node = gd.node.add(name=name, op=op_type, device=device or "")
        node.input.extend(inputs)
        for key, value in sorted(attrs.items()):
            if not set_attr(node.attr[key], value):
                del node.attr[key]
        if shapes is not None:
            node.attr["_output_shapes"].list.shape.extend(encoders.shape_proto(s) for s in shapes)
    return gd
