"""Miscellaneous tf.nn ops (API.md §10.2, §10.7): l2_loss, in_top_k, top_k, embedding_lookup, xw_plus_b,
zero_fraction."""

from __future__ import annotations

import numpy as np

from ..framework import dtypes, errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .array_ops import concat, expand_dims, gather, one_hot, shape
from .constant_op import constant_value, convert_to_tensor
from .conv_ops import bias_add
from .math_ops import add, cast, equal, floordiv, floormod, matmul, maximum, reduce_mean, reduce_sum, sqrt
from .nn_util import require_float, require_int_labels
from .registry import NO_GRADIENT, apply, register

# -- L2Loss ---------------------------------------------------------------------------------------------


def _l2_loss_shape(inputs, attrs):
    require_float(inputs[0], "t")
    return [((), inputs[0].dtype.base_dtype)]


@register("L2Loss", shape=_l2_loss_shape, grad=lambda op, grad: [op.inputs[0] * grad])
def _l2_loss_kernel(ctx, t):
    return ctx.xp.asarray((t * t).sum() / 2, dtype=t.dtype)


def l2_loss(t, name=None) -> Tensor:
    """Σ t² / 2: half the sum of squares, a scalar (no square root)."""
    return apply("L2Loss", [convert_to_tensor(t, name="t")], {}, name or "L2Loss")


# -- InTopK -------------------------------------------------------------------------------------------


def _in_top_k_shape(inputs, attrs):
    predictions, targets, k = inputs
    require_float(predictions, "predictions")
    require_int_labels(targets, "targets")
    if predictions.shape.ndims not in (None, 2):
        raise ValueError(f"Shape must be rank 2 but is rank {predictions.shape.ndims} (predictions)")
    if targets.shape.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {targets.shape.ndims} (targets)")
    batch = predictions.shape[0] if predictions.shape.ndims == 2 else TensorShape([None])[0]
    if targets.shape.ndims == 1:
        if not batch.is_compatible_with(targets.shape[0]):
            raise ValueError(f"First dimension of predictions {batch} must match length of targets "
                             f"{targets.shape[0]}")
        batch = batch.merge_with(targets.shape[0])
    return [([batch.value], dtypes.bool_)]


@register("InTopKV2", shape=_in_top_k_shape, grad=NO_GRADIENT)
def _in_top_k_kernel(ctx, predictions, targets, k):
    xp = ctx.xp
    n_classes = predictions.shape[1]
    if targets.size and bool(((targets < 0) | (targets >= n_classes)).any()):
        b = int(xp.nonzero((targets < 0) | (targets >= n_classes))[0][0])
        raise errors.InvalidArgumentError(None, ctx.op, f"targets[{b}] is out of range")
    idx = targets.astype(xp.int64)[:, None]
    target_value = xp.take_along_axis(predictions, idx, axis=1)
    more_probable = (predictions > target_value).sum(axis=1)
    all_finite = xp.isfinite(predictions).all(axis=1)
    return all_finite & (more_probable < int(k))


def in_top_k(predictions, targets, k, name=None) -> Tensor:
    """Bool [batch]: whether each target's prediction is among the row's top k.

    Ties at the boundary count as in the top k; a row with a non-finite prediction gives False.
    """
    with _graph.name_scope(name, "in_top_k"):
        predictions = convert_to_tensor(predictions, name="predictions")
        targets = convert_to_tensor(targets, name="targets")
        k = convert_to_tensor(k, dtype=targets.dtype.base_dtype if isinstance(k, int) else None, name="k")
        return apply("InTopKV2", [predictions, targets, k], {}, "InTopKV2")


# -- TopKV2 ---------------------------------------------------------------------------------------------


def _top_k_shape(inputs, attrs):
    x, k_t = inputs
    if x.shape.ndims == 0:
        raise ValueError("input must be at least rank 1 (top_k)")
    k = constant_value(k_t)
    k = None if k is None else int(k)
    if k is not None and k < 0:
        raise ValueError(f"Need k >= 0, got {k}")
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype), (TensorShape(None), dtypes.int32)]
    dims = x.shape.as_list()
    if k is not None and dims[-1] is not None and dims[-1] < k:
        raise ValueError(f"input must have at least k columns. Had {dims[-1]}, needed {k}")
    out = dims[:-1] + [k]
    return [(out, x.dtype.base_dtype), (out, dtypes.int32)]


def _top_k_grad(op, grad_values, _grad_indices):
    x = op.inputs[0]
    depth = x.shape[-1].value if x.shape.ndims is not None and x.shape[-1].value is not None else shape(x)[-1]
    spread = one_hot(op.outputs[1], depth, dtype=grad_values.dtype.base_dtype)  # [..., k, C]
    return [reduce_sum(expand_dims(grad_values, -1) * spread, axis=-2), None]


@register("TopKV2", shape=_top_k_shape, grad=_top_k_grad)
def _top_k_kernel(ctx, x, k, sorted=True):
    xp = ctx.xp
    k = int(k)
    if k > x.shape[-1]:
        raise errors.InvalidArgumentError(None, ctx.op, f"input must have at least k columns. Had {x.shape[-1]}, "
                                                        f"needed {k}")
    # A stable sort sends ties to the lower index (CuPy's sort is always stable and takes no `kind`).
    order = xp.argsort(-x, axis=-1, kind="stable" if xp is np else None)[..., :k]
    return xp.take_along_axis(x, order, axis=-1), order.astype(xp.int32)


def top_k(input, k=1, sorted=True, name=None):
    """(values, indices int32) of the k largest entries along the last axis; ties go to the lower index."""
    x = convert_to_tensor(input, name="input")
    k_t = convert_to_tensor(k, dtype=dtypes.int32, name="k") if not isinstance(k, Tensor) else k
    return apply("TopKV2", [x, k_t], {"sorted": bool(sorted)}, name or "TopKV2")


# -- embedding_lookup ------------------------------------------------------------------------------------


def _clip_rows(emb: Tensor, max_norm) -> Tensor:
    """Rows (last axis) rescaled to L2 norm at most max_norm."""
    norm = sqrt(reduce_sum(emb * emb, axis=-1, keepdims=True))
    max_norm_t = convert_to_tensor(max_norm, dtype=emb.dtype.base_dtype)
    return emb * max_norm_t / maximum(norm, max_norm_t)


def _shard_rows(p: Tensor) -> int:
    n = p.shape[0].value if p.shape.ndims else None
    if n is None:
        raise ValueError(f"embedding_lookup with several shards needs each shard's first dimension known; "
                         f"{p.name} has shape {p.shape}")
    return n


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None):
    """Rows of `params` selected by `ids` (shape ids.shape + params.shape[1:]).

    `params` may be a list of shards: with 'mod', id i is row i // n of shard i % n; with 'div', the shards
    hold consecutive id ranges. Gradients are dense (a scatter-add into zeros), see API.md §10.7.
    """
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    if not shards:
        raise ValueError("Need at least one param")
    with _graph.name_scope(name, "embedding_lookup", shards + [ids]) as scope:
        shards = [convert_to_tensor(p, name="params") for p in shards]
        ids = convert_to_tensor(ids, name="ids")
        if len(shards) == 1:
            emb = gather(shards[0], ids, name=scope if max_norm is None else None)
        else:
            table = concat(shards, 0)
            if partition_strategy == "div":
                rows = ids
            else:
                n = len(shards)
                sizes = [_shard_rows(p) for p in shards]
                offsets = convert_to_tensor(np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(
                    ids.dtype.as_numpy_dtype), name="shard_offsets")
                rows = add(gather(offsets, floormod(ids, n)), floordiv(ids, n))
            emb = gather(table, rows, name=scope if max_norm is None else None)
        return emb if max_norm is None else _clip_rows(emb, max_norm)


# -- small composites -------------------------------------------------------------------------------------


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """matmul(x, weights) + biases."""
    with _graph.name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        mm = matmul(convert_to_tensor(x, name="x"), convert_to_tensor(weights, name="weights"))
        return bias_add(mm, convert_to_tensor(biases, name="biases"), name=scope)


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of exactly-zero entries of `value`, a float32 scalar."""
    with _graph.name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = convert_to_tensor(0, dtype=value.dtype.base_dtype, name="zero")
        return reduce_mean(cast(equal(value, zero), dtypes.float32), name="fraction")


__all__ = ["l2_loss", "in_top_k", "top_k", "embedding_lookup", "xw_plus_b", "zero_fraction"]
