"""The TensorBoard protobuf definitions teachtf writes (Summary, Event, GraphDef), imported on first use.

They come from the `tensorboard` package (`pip install tensorboard`, part of
teachtf's `[lessons]` and `[test]` extras); teachtf builds no protobuf bytes itself.
"""

from __future__ import annotations

import functools
import types


@functools.cache
def protos() -> types.SimpleNamespace:
    """Namespace with `summary_pb2`, `event_pb2`, `graph_pb2`, `node_def_pb2`, `attr_value_pb2`,
    `tensor_pb2`, `tensor_shape_pb2`, `types_pb2`, `versions_pb2`."""
    try:
        from tensorboard.compat.proto import (attr_value_pb2, event_pb2, graph_pb2, node_def_pb2, summary_pb2,
                                              tensor_pb2, tensor_shape_pb2, types_pb2, versions_pb2)
    except ImportError as e:
        raise ImportError("tf.summary and TensorBoard event files need the 'tensorboard' package, which provides "
                          "the protobuf definitions: pip install tensorboard (or pip install 'teachtf[lessons]')."
                          ) from e
    return types.SimpleNamespace(attr_value_pb2=attr_value_pb2, event_pb2=event_pb2, graph_pb2=graph_pb2,
                                 node_def_pb2=node_def_pb2, summary_pb2=summary_pb2, tensor_pb2=tensor_pb2,
                                 tensor_shape_pb2=tensor_shape_pb2, types_pb2=types_pb2, versions_pb2=versions_pb2)

