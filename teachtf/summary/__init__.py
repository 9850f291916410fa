"""tf.summary: summary ops, FileWriter and TensorBoard event files (API.md §13), plus `plot` (teachtf only).

The protobuf classes (`Summary`, `Event`, `SessionLog`, ...) are TensorBoard's
and load on first use, so importing this module does not import tensorboard.
"""

from .summary_ops import audio, histogram, image, merge, merge_all, scalar, tensor_summary, text  # noqa: F401
from .writer import FileWriter, FileWriterCache  # noqa: F401
from .plot import plot  # noqa: F401

_PROTO_NAMES = {"Summary": "summary_pb2", "SummaryDescription": "summary_pb2", "SummaryMetadata": "summary_pb2",
                "HistogramProto": "summary_pb2", "Event": "event_pb2", "SessionLog": "event_pb2",
                "TaggedRunMetadata": "event_pb2"}

__all__ = ["audio", "histogram", "image", "merge", "merge_all", "scalar", "tensor_summary", "text", "FileWriter",
           "FileWriterCache", "plot", *_PROTO_NAMES]


def __getattr__(name):
    module = _PROTO_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'teachtf.summary' has no attribute {name!r}")
    from ._protos import protos

    return getattr(getattr(protos(), module), name)


def __dir__():
    return sorted(set(globals()) | set(_PROTO_NAMES))
