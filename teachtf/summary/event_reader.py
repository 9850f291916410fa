"""Reading event files back: `summary_iterator` and the scalar history used by `plot` and `load_scalars`.

Records are read with TensorBoard's own TFRecord reader (its pure-Python
TensorFlow stub, which checks both CRCs), so no TensorFlow is needed or imported.
"""

from __future__ import annotations

import glob
import os

import numpy as np

from ..framework import errors
from ._protos import protos


def _record_reader(path: str):
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New

    return PyRecordReader_New(path, 0, None, None)


def summary_iterator(path):
    """Yields the `Event` protos of one event file, in order (`tf.train.summary_iterator`).

    Raises DataLossError at a damaged or truncated record.
    """
    from tensorboard.compat.tensorflow_stub import errors as stub_errors

    event_pb2 = protos().event_pb2
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise errors.NotFoundError(None, None, f"{path} does not point to a valid events file")
    reader = _record_reader(path)
    while True:
        try:
            reader.GetNext()
        except stub_errors.OutOfRangeError:
            return
        except stub_errors.DataLossError as e:
            raise errors.DataLossError(None, None, f"{path}: {e.message}") from None
        event = event_pb2.Event()
        event.ParseFromString(reader.record())
        yield event


def scalar_values(summary) -> list:
    """[(tag, float)] for the scalar values of a Summary: `simple_value`s and rank-0 `scalars`-plugin tensors."""
    from .encoders import tensor_from_proto

    out = []
    for v in summary.value:
        kind = v.WhichOneof("value")
        if kind == "simple_value":
            out.append((v.tag, float(v.simple_value)))
        elif kind == "tensor" and v.metadata.plugin_data.plugin_name == "scalars":
            arr = tensor_from_proto(v.tensor)
            if arr.ndim == 0 and arr.dtype != object:
                out.append((v.tag, float(arr)))
    return out


def event_files(logdir) -> list:
    """The event files directly in `logdir` (or `logdir` itself when it is a file), oldest first."""
    logdir = os.fspath(logdir)
    if os.path.isfile(logdir):
        return [logdir]
    if not os.path.isdir(logdir):
        raise FileNotFoundError(f"No such log directory: {logdir}")
    return sorted(glob.glob(os.path.join(glob.escape(logdir), "*tfevents*")))


def read_scalars(logdir) -> dict:
    """{tag: [(step, value), ...]} from every event file in `logdir`, in the order they were written.

    A truncated last record (a writer still running, or a crash) ends that file's history.
    """
    history: dict = {}
    for path in event_files(logdir):
        try:
            for event in summary_iterator(path):
                if event.WhichOneof("what") != "summary":
                    continue
                for tag, value in scalar_values(event.summary):
                    history.setdefault(tag, []).append((int(event.step), value))
        except errors.DataLossError:
            continue
    return history


def as_arrays(points) -> tuple:
    """(steps, values) NumPy arrays of a [(step, value)] list."""
    if not points:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    steps, values = zip(*points)
    return np.asarray(steps, np.int64), np.asarray(values, np.float64)
