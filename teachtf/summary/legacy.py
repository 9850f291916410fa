"""Pre-1.0 summary spellings (API.md §19): `tf.scalar_summary`, `tf.merge_all_summaries`, ...

Each warns once with a DeprecationWarning. `scalar_summary` uses its tag exactly
as given (no name-scope prefix), as the old API did.
"""

from __future__ import annotations

import warnings

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys
from ..ops.registry import apply
from ._protos import protos
from .summary_ops import merge, merge_all

__all__ = ["audio_summary", "histogram_summary", "image_summary", "merge_all_summaries", "merge_summary",
           "scalar_summary"]

_warned: set = set()


def _deprecated(old: str, new: str) -> None:
    if old not in _warned:
        _warned.add(old)
        warnings.warn(f"{old} is deprecated; use {new} (teachtf accepts the old name).", DeprecationWarning,
                      stacklevel=3)


def _legacy_op(op_type, default_name, inputs_fn, attrs, name, collections):
    protos()
    with _graph.name_scope(name, default_name) as scope:
        val = apply(op_type, inputs_fn(), attrs, scope)
    for key in (collections if collections is not None else [GraphKeys.SUMMARIES]):
        _graph.add_to_collection(key, val)
    return val


def _const(value, name, dtype=None):
    from ..ops.constant_op import convert_to_tensor

    return convert_to_tensor(value, dtype, name=name)


def scalar_summary(tags, values, collections=None, name=None):
    """`tf.summary.scalar` with the tag used exactly as given; `tags` and `values` may be matching vectors."""
    _deprecated("tf.scalar_summary", "tf.summary.scalar")
    return _legacy_op("ScalarSummary", "ScalarSummary",
                      lambda: [_const(tags, "tags", dtypes.string), _const(values, "values")], {}, name, collections)


def histogram_summary(tag, values, collections=None, name=None):
    """`tf.summary.histogram` with the tag used exactly as given."""
    _deprecated("tf.histogram_summary", "tf.summary.histogram")
    return _legacy_op("HistogramSummary", "HistogramSummary",
                      lambda: [_const(tag, "tag", dtypes.string), _const(values, "values")], {}, name, collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """`tf.summary.image` with the tag used exactly as given (`max_images` is `max_outputs`)."""
    _deprecated("tf.image_summary", "tf.summary.image")
    return _legacy_op("ImageSummary", "ImageSummary",
                      lambda: [_const(tag, "tag", dtypes.string), _const(tensor, "tensor")],
                      {"max_images": int(max_images), "bad_color": (255, 0, 0, 255)}, name, collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """`tf.summary.audio` with the tag used exactly as given."""
    _deprecated("tf.audio_summary", "tf.summary.audio")
    return _legacy_op("AudioSummaryV2", "AudioSummary",
                      lambda: [_const(tag, "tag", dtypes.string), _const(tensor, "tensor"),
                               _const(sample_rate, "sample_rate", dtypes.float32)],
                      {"max_outputs": int(max_outputs)}, name, collections)


def merge_summary(inputs, collections=None, name=None):
    """`tf.summary.merge`."""
    _deprecated("tf.merge_summary", "tf.summary.merge")
    return merge(inputs, collections=collections, name=name)


def merge_all_summaries(key=GraphKeys.SUMMARIES):
    """`tf.summary.merge_all` (None when there are no summaries)."""
    _deprecated("tf.merge_all_summaries", "tf.summary.merge_all")
    return merge_all(key)
