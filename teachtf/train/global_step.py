"""The global step: an int64 scalar variable named `global_step` (API.md §12.4)."""

from __future__ import annotations

import logging

import numpy as np

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor

__all__ = ["assert_global_step", "create_global_step", "get_global_step", "get_or_create_global_step",
           "global_step"]

_log = logging.getLogger("teachtf")


def assert_global_step(global_step_tensor) -> None:
    """Raises TypeError unless `global_step_tensor` is an integer scalar Variable or Tensor."""
    from ..ops.variables import Variable

    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: {global_step_tensor}.")
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {global_step_tensor.dtype}")
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f"Existing \"global_step\" is not scalar: {shape}")


def get_global_step(graph=None):
    """The global step of `graph`: the GLOBAL_STEP collection's single entry, else the tensor
    'global_step:0', else None."""
    graph = graph or _graph.get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        step = found[0]
    elif not found:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        _log.error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(step)
    return step


def create_global_step(graph=None):
    """Creates the int64 scalar variable `global_step` (zero, non-trainable) in GLOBAL_VARIABLES and GLOBAL_STEP.

    Raises ValueError if the graph already has a global step.
    """
    from ..ops.constant_op import constant
    from ..ops.variables import Variable

    graph = graph or _graph.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return Variable(lambda: constant(np.int64(0), name="zeros"), trainable=False, name=GraphKeys.GLOBAL_STEP,
                        dtype=dtypes.int64,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The graph's global step, created if it has none."""
    graph = graph or _graph.get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def global_step(sess, global_step_tensor) -> int:
    """The current value of `global_step_tensor` in `sess`, as a Python int."""
    return int(sess.run(global_step_tensor))
