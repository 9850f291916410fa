"""Turning what a learner passes to a widget into a NumPy array.

Accepted: NumPy arrays and array-likes, CuPy arrays (copied to the host),
teachtf Tensors and Variables (evaluated in a session: the one given, else the
default session, else a fresh session on the tensor's graph when nothing in it
needs a feed or an initialised variable).
"""

from __future__ import annotations

import numpy as np


def _is_engine_value(value) -> bool:
    from teachtf.framework.graph import Tensor

    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def _evaluate(value, session):
    import teachtf as tf

    tensor = value._as_tensor() if hasattr(value, "_as_tensor") else value
    if session is None:
        session = tf.get_default_session()
    if session is not None and session.graph is tensor.graph:
        return session.run(tensor)
    with tf.Session(graph=tensor.graph) as own:
        try:
            return own.run(tensor)
        except tf.errors.FailedPreconditionError as e:
            raise ValueError(f"The widget cannot evaluate '{tensor.name}' on its own: {e.message} Pass "
                             f"`session=sess` (a session where it is initialised), or a NumPy array.") from None
        except tf.errors.InvalidArgumentError as e:
            raise ValueError(f"The widget cannot evaluate '{tensor.name}' on its own: {e.message} Pass "
                             f"`session=sess` and `feed_dict=...`, or a NumPy array.") from None


def to_numpy(value, session=None, name: str = "value", dtype=np.float64) -> np.ndarray:
    """`value` (NumPy, CuPy, list, teachtf Tensor/Variable) as a host NumPy array of `dtype`."""
    if value is None:
        raise ValueError(f"{name} is None; pass a NumPy array, a list of numbers or a teachtf tensor.")
    if _is_engine_value(value):
        value = _evaluate(value, session)
    elif hasattr(value, "get") and type(value).__module__.startswith("cupy"):
        value = value.get()
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be numeric (a NumPy array, a list of numbers or a teachtf tensor); got "
                         f"{type(value).__name__}: {e}") from None
    if dtype is not None and np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; the widget needs finite numbers.")
    return arr


def as_image(value, session=None, name: str = "input") -> np.ndarray:
    """A 2-D (h, w) or 3-D (h, w, c) or 4-D NHWC (first example) value as a float64 (h, w, c) array."""
    arr = to_numpy(value, session, name)
    if arr.ndim == 2:
        return arr[:, :, None]
    if arr.ndim == 3:
        return arr
    if arr.ndim == 4:
        return arr[0]
    raise ValueError(f"{name} must be 2-D (h, w), 3-D (h, w, c) or 4-D NHWC; got shape {arr.shape}.")
