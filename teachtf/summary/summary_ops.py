"""Summary ops: each produces a serialized `Summary` protobuf as a scalar string tensor (API.md §13).

Op types (CPU only): ScalarSummary, HistogramSummary, ImageSummary,
AudioSummaryV2, TensorSummaryV2 and MergeSummary, with TF 1.15's run-time checks.
The public builders (`scalar`, `histogram`, ...) name ops and tags the TF way:
the tag is the enclosing name scope plus the (cleaned) name, uniquified like an op name.
"""

from __future__ import annotations

import contextlib
import logging
import re

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..ops.registry import NO_GRADIENT, apply, register
from . import encoders
from ._protos import protos

__all__ = ["audio", "histogram", "image", "merge", "merge_all", "scalar", "tensor_summary", "text"]

_log = logging.getLogger("tensorflow")
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


# -- helpers ------------------------------------------------------------------------------------------


def _text(value) -> str:
    v = value.item() if isinstance(value, np.ndarray) else value
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _shape_str(a) -> str:
    return "[" + ",".join(str(d) for d in np.shape(a)) + "]"


def _serialized(summary) -> np.ndarray:
    return np.array(summary.SerializeToString(), dtype=object)


def _string_scalar(inputs, attrs):
    return [((), dtypes.string)]


def _require_string(t: Tensor, what: str, op: str):
    if t.dtype.base_dtype != dtypes.string:
        raise TypeError(f"{op}: '{what}' must be a string tensor, got {t.dtype.base_dtype.name}")


def _require_real(t: Tensor, what: str, op: str):
    dt = t.dtype.base_dtype
    if not (dt.is_floating or dt.is_integer or dt.is_bool):
        raise TypeError(f"{op}: '{what}' must be a real number tensor, got {dt.name}")


# -- ops -------------------------------------------------------------------------------------------------


def _scalar_shape(inputs, attrs):
    _require_string(inputs[0], "tags", "ScalarSummary")
    _require_real(inputs[1], "values", "ScalarSummary")
    return [((), dtypes.string)]


@register("ScalarSummary", shape=_scalar_shape, grad=NO_GRADIENT, cpu_only=True)
def _scalar_summary(ctx, tags, values):
    if np.shape(tags) != np.shape(values):
        single = f" (tag '{_text(np.asarray(tags).reshape(-1)[0])}')" if np.size(tags) == 1 else ""
        raise errors.InvalidArgumentError(None, ctx.op, f"tags and values not the same shape: {_shape_str(tags)} != "
                                                        f"{_shape_str(values)}{single}")
    s = protos().summary_pb2.Summary()
    for tag, v in zip(np.asarray(tags, dtype=object).reshape(-1), np.asarray(values).reshape(-1)):
        s.value.add(tag=_text(tag), simple_value=float(v))
    return _serialized(s)


def _histogram_shape(inputs, attrs):
    _require_string(inputs[0], "tag", "HistogramSummary")
    _require_real(inputs[1], "values", "HistogramSummary")
    return [((), dtypes.string)]


@register("HistogramSummary", shape=_histogram_shape, grad=NO_GRADIENT, cpu_only=True)
def _histogram_summary(ctx, tag, values):
    if np.ndim(tag) != 0:
        raise errors.InvalidArgumentError(None, ctx.op, f"tags must be scalar, got shape {_shape_str(tag)}")
    x = np.asarray(values, dtype=np.float64)
    if not np.isfinite(x).all():
        raise errors.InvalidArgumentError(None, ctx.op, f"Nan in summary histogram for: {ctx.op.name}")
    s = protos().summary_pb2.Summary()
    s.value.add(tag=_text(tag), histo=encoders.histogram_proto(x))
    return _serialized(s)


def _image_shape(inputs, attrs):
    _require_string(inputs[0], "tag", "ImageSummary")
    dt = inputs[1].dtype.base_dtype
    if dt not in (dtypes.uint8, dtypes.float32, dtypes.float16, dtypes.float64):
        raise TypeError(f"ImageSummary: 'tensor' must be uint8, float16, float32 or float64, got {dt.name}")
    return [((), dtypes.string)]


@register("ImageSummary", shape=_image_shape, grad=NO_GRADIENT, cpu_only=True)
def _image_summary(ctx, tag, tensor, max_images=3, bad_color=(255, 0, 0, 255)):
    if np.ndim(tag) != 0:
        raise errors.InvalidArgumentError(None, ctx.op, f"Tags must be a scalar, got shape {_shape_str(tag)}")
    if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
        raise errors.InvalidArgumentError(None, ctx.op, "Tensor must be 4-D with last dim 1, 3, or 4, not "
                                                        f"{_shape_str(tensor)}")
    base = _text(tag)
    color = np.asarray(bad_color, dtype=np.uint8)
    s = protos().summary_pb2.Summary()
    for i in range(min(tensor.shape[0], max_images)):
        img = tensor[i] if tensor.dtype == np.uint8 else encoders.normalize_image(tensor[i], color)
        name = f"{base}/image/{i}" if max_images > 1 else f"{base}/image"
        s.value.add(tag=name, image=encoders.image_value(name, img))
    return _serialized(s)


def _audio_shape(inputs, attrs):
    _require_string(inputs[0], "tag", "AudioSummaryV2")
    if inputs[1].dtype.base_dtype != dtypes.float32:
        raise TypeError(f"AudioSummaryV2: 'tensor' must be float32, got {inputs[1].dtype.base_dtype.name}")
    return [((), dtypes.string)]


@register("AudioSummaryV2", shape=_audio_shape, grad=NO_GRADIENT, cpu_only=True)
def _audio_summary(ctx, tag, tensor, sample_rate, max_outputs=3):
    rate = float(np.asarray(sample_rate))
    if rate <= 0:
        raise errors.InvalidArgumentError(None, ctx.op, f"sample_rate must be > 0, got {rate}")
    if tensor.ndim not in (2, 3):
        raise errors.InvalidArgumentError(None, ctx.op, f"Tensor must be 3-D or 2-D, got: {_shape_str(tensor)}")
    clips = tensor if tensor.ndim == 3 else tensor[:, :, None]
    base = _text(tag)
    s = protos().summary_pb2.Summary()
    for i in range(min(clips.shape[0], max_outputs)):
        name = f"{base}/audio/{i}" if max_outputs > 1 else f"{base}/audio"
        s.value.add(tag=name, audio=encoders.audio_value(clips[i], rate))
    return _serialized(s)


def _tensor_summary_shape(inputs, attrs):
    _require_string(inputs[0], "tag", "TensorSummaryV2")
    return [((), dtypes.string)]


@register("TensorSummaryV2", shape=_tensor_summary_shape, grad=NO_GRADIENT, cpu_only=True)
def _tensor_summary(ctx, tag, tensor, serialized_summary_metadata):
    p = protos().summary_pb2
    meta = p.SummaryMetadata()
    meta.ParseFromString(bytes(np.asarray(serialized_summary_metadata).item()))
    s = p.Summary()
    s.value.add(tag=_text(tag), metadata=meta, tensor=encoders.tensor_proto(np.asarray(tensor)))
    return _serialized(s)


def _merge_shape(inputs, attrs):
    for t in inputs:
        _require_string(t, t.name, "MergeSummary")
    return [((), dtypes.string)]


@register("MergeSummary", shape=_merge_shape, grad=NO_GRADIENT, cpu_only=True)
def _merge_summary(ctx, *inputs):
    p = protos().summary_pb2
    merged = p.Summary()
    tags = set()
    for arr in inputs:
        for raw in np.asarray(arr, dtype=object).reshape(-1):
            part = p.Summary()
            try:
                part.ParseFromString(bytes(raw))
            except Exception as e:  # noqa: BLE001 - protobuf's DecodeError
                raise errors.InvalidArgumentError(None, ctx.op, f"Could not parse one of the summary inputs "
                                                                f"({e})") from None
            for v in part.value:
                if v.tag in tags:
                    raise errors.InvalidArgumentError(None, ctx.op, f"Duplicate tag {v.tag} found in summary "
                                                                    "inputs")
                tags.add(v.tag)
                merged.value.add().CopyFrom(v)
    return _serialized(merged)


# -- public builders -------------------------------------------------------------------------------------


def clean_tag(name):
    """Replaces characters TensorBoard does not allow in tags with '_' and drops leading slashes."""
    if name is None:
        return None
    new = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if new != name:
        _log.info("Summary name %s is illegal; using %s instead.", name, new)
    return new


@contextlib.contextmanager
def summary_scope(name, family=None, default_name=None, values=None):
    """Opens the name scope of a summary; yields (tag, scope) as TF 1.15's summary_op_util does."""
    protos()  # fail early, with install advice, when tensorboard is missing
    name = clean_tag(name)
    family = clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    with _graph.name_scope(base, default_name, values) as scope:
        tag = scope.rstrip("/") if family is None else f"{family}/{scope.rstrip('/')}"
        yield tag, scope


def _collect(value, collections, default):
    for key in (collections if collections is not None else default):
        _graph.add_to_collection(key, value)


def _string_const(value, name):
    from ..ops.constant_op import constant

    return constant(value, dtypes.string, name=name)


def _tensor(value, name):
    from ..ops.constant_op import convert_to_tensor

    return convert_to_tensor(value, name=name)


def scalar(name, tensor, collections=None, family=None) -> Tensor:
    """A scalar summary of `tensor` (must hold one value at run time); added to SUMMARIES."""
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply("ScalarSummary", [_string_const(tag, "tags"), _tensor(tensor, "values")], {}, scope)
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name, values, collections=None, family=None) -> Tensor:
    """A histogram summary of all elements of `values` (TF's default exponential buckets)."""
    with summary_scope(name, family, values=[values]) as (tag, scope):
        val = apply("HistogramSummary", [_string_const(tag, "tag"), _tensor(values, "values")], {}, scope)
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image(name, tensor, max_outputs=3, collections=None, family=None) -> Tensor:
    """Image summaries of the first `max_outputs` images of an NHWC tensor with 1, 3 or 4 channels.

    Tags are `<tag>/image/<i>` (`<tag>/image` when max_outputs is 1); floats are rescaled to [0, 255] as TF does.
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply("ImageSummary", [_string_const(tag, "tag"), _tensor(tensor, "tensor")],
                    {"max_images": int(max_outputs), "bad_color": (255, 0, 0, 255)}, scope)
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None) -> Tensor:
    """Audio summaries (16-bit WAV) of float32 clips `[batch, frames]` or `[batch, frames, channels]` in [-1, 1]."""
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        from ..ops.constant_op import convert_to_tensor

        rate = convert_to_tensor(sample_rate, dtypes.float32, name="sample_rate")
        val = apply("AudioSummaryV2", [_string_const(tag, "tag"), _tensor(tensor, "tensor"), rate],
                    {"max_outputs": int(max_outputs)}, scope)
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None, family=None,
                   display_name=None) -> Tensor:
    """A summary holding the whole `tensor` as a TensorProto (with optional SummaryMetadata)."""
    p = protos().summary_pb2
    meta = p.SummaryMetadata() if summary_metadata is None else summary_metadata
    if summary_description is not None:
        meta.summary_description = summary_description
    if display_name is not None:
        meta.display_name = display_name
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply("TensorSummaryV2", [_string_const(tag, "tag"), _tensor(tensor, "tensor"),
                                         _string_const(meta.SerializeToString(), "serialized_summary_metadata")],
                    {}, scope)
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None) -> Tensor:
    """A text summary (shown by TensorBoard's Text dashboard) of a string tensor."""
    t = _tensor(tensor, "tensor") if not isinstance(tensor, Tensor) else tensor
    if t.dtype.base_dtype != dtypes.string:
        raise ValueError(f"Expected tensor {t.name} to have dtype string, got {t.dtype.base_dtype!r}")
    p = protos().summary_pb2
    meta = p.SummaryMetadata(plugin_data=p.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, t, summary_metadata=meta, collections=collections)


def merge(inputs, collections=None, name=None) -> Tensor:
    """One Summary with the values of all `inputs` (string tensors); duplicate tags fail at run time."""
    protos()
    inputs = list(inputs)
    with _graph.name_scope(name, "Merge", inputs):
        val = apply("MergeSummary", inputs, {}, name or "MergeSummary")
    _collect(val, collections, [])
    return val


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """`merge` of every summary in collection `key`, or None when there is none."""
    ops = _graph.get_collection(key, scope)
    if not ops:
        return None
    return merge(ops, name=name)
