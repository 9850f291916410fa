"""Candidate samplers and the sampled losses nce_loss / sampled_softmax_loss (API.md §10.8).

A sampler draws `num_sampled` class ids and returns the expected count of each
true and each sampled class under its distribution Q: with `unique=True` it
draws until it has num_sampled distinct ids after `tries` draws, and the expected
count is 1 − (1 − Q(k))^tries; otherwise it is num_sampled·Q(k) (TF1's formulas).
Both losses score the true and sampled classes with logits x·w_k + b_k − log(count_k)
(the log-Q correction).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.shapes import TensorShape
from .registry import NO_GRADIENT, apply, register

import teachtf as _tf
from .rnn_cell_impl import _error


def _sampler_shape(inputs, attrs):
    true_classes = inputs[0]
    if true_classes.shape.ndims not in (None, 2):
        raise ValueError(f"candidate sampler: true_classes must be [batch, num_true], got shape {true_classes.shape}")
    if attrs["unique"] and attrs["num_sampled"] > attrs["range_max"]:
        raise ValueError(f"candidate sampler: cannot draw {attrs['num_sampled']} unique classes from "
                         f"range_max={attrs['range_max']}")
    batch = true_classes.shape[0].value if true_classes.shape.ndims == 2 else None
    n = attrs["num_sampled"]
    return [(TensorShape([n]), dtypes.int64), (TensorShape([batch, attrs["num_true"]]), dtypes.float32),
            (TensorShape([n]), dtypes.float32)]


def _probability(xp, ids, kind: str, range_max: int):
    ids = ids.astype(np.float64)
    if kind == "uniform":
        return xp.full(ids.shape, 1.0 / range_max)
    return xp.log((ids + 2.0) / (ids + 1.0)) / np.log(range_max + 1.0)


def _draw(rng, kind: str, range_max: int, size: int) -> np.ndarray:
    if kind == "uniform":
        return rng.integers(0, range_max, size)
    ids = np.floor(np.exp(rng.random(size) * np.log(range_max + 1.0))).astype(np.int64) - 1
    return np.clip(ids, 0, range_max - 1)


def _sampler_kernel(ctx, true_classes, kind, num_true, num_sampled, unique, range_max, seed=None):
    xp, rng = ctx.xp, ctx.rng()
    if unique:
        chosen: dict = {}
        tries = 0
        while len(chosen) < num_sampled:
            for k in _draw(rng, kind, range_max, num_sampled):
                tries += 1
                chosen.setdefault(int(k), None)
                if len(chosen) == num_sampled:
                    break
        sampled = np.fromiter(chosen, np.int64, num_sampled)
    else:
        sampled = _draw(rng, kind, range_max, num_sampled)
    sampled = xp.asarray(sampled)

    def expected(ids):
        p = _probability(xp, ids, kind, range_max)
        return -xp.expm1(tries * xp.log1p(-p)) if unique else p * num_sampled

    return (sampled, expected(true_classes).astype(np.float32), expected(sampled).astype(np.float32))


for _op_type in ("LogUniformCandidateSampler", "UniformCandidateSampler"):
    register(_op_type, shape=_sampler_shape, grad=NO_GRADIENT, stateful=True, cpu_only=True)(_sampler_kernel)


def _sampler(op_type, kind, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    true_classes = _tf.cast(_tf.convert_to_tensor(true_classes), _tf.int64)
    attrs = {"kind": kind, "num_true": int(num_true), "num_sampled": int(num_sampled), "unique": bool(unique),
             "range_max": int(range_max), "seed": None if seed is None else int(seed)}
    return apply(op_type, [true_classes], attrs, name or op_type)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Draws ids from Q(k) = log((k+2)/(k+1)) / log(range_max+1); returns (sampled, true_expected, sampled_expected)."""
    return _sampler("LogUniformCandidateSampler", "log_uniform", true_classes, num_true, num_sampled, unique,
                    range_max, seed, name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Draws ids uniformly from [0, range_max); returns (sampled, true_expected, sampled_expected)."""
    return _sampler("UniformCandidateSampler", "uniform", true_classes, num_true, num_sampled, unique, range_max,
                    seed, name)


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                            subtract_log_q, remove_accidental_hits, name):
    """(logits [batch, num_true + num_sampled], labels of the same shape: 1/num_true on the true columns)."""
    if isinstance(weights, (list, tuple)):
        weights = weights[0] if len(weights) == 1 else _tf.concat(list(weights), 0)
    inputs = _tf.convert_to_tensor(inputs)
    labels = _tf.cast(_tf.convert_to_tensor(labels), _tf.int64)
    if labels.shape.ndims != 2:
        raise _error(ValueError, f"{name}: labels must be [batch, num_true], got shape {labels.shape}")
    with _tf.name_scope(name):
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes)
        sampled, true_count, sampled_count = (_tf.stop_gradient(v) for v in sampled_values)
        flat_labels = _tf.reshape(labels, [-1])
        dim = _tf.shape(inputs)[1]
        true_w = _tf.reshape(_tf.nn.embedding_lookup(weights, flat_labels), _tf.stack([-1, num_true, dim]))
        true_b = _tf.reshape(_tf.gather(biases, flat_labels), [-1, num_true])
        true_logits = _tf.reduce_sum(_tf.expand_dims(inputs, 1) * true_w, 2) + true_b
        sampled_logits = (_tf.matmul(inputs, _tf.nn.embedding_lookup(weights, sampled), transpose_b=True)
                          + _tf.gather(biases, sampled))
        if remove_accidental_hits:
            hits = _tf.reduce_any(_tf.equal(_tf.expand_dims(labels, 2), _tf.reshape(sampled, [1, 1, -1])), axis=1)
            sampled_logits += _tf.cast(hits, sampled_logits.dtype) * float(-np.finfo(np.float32).max)
        if subtract_log_q:
            true_logits -= _tf.log(_tf.cast(true_count, true_logits.dtype))
            sampled_logits -= _tf.log(_tf.cast(sampled_count, sampled_logits.dtype))
        logits = _tf.concat([true_logits, sampled_logits], 1)
        targets = _tf.concat([_tf.ones_like(true_logits) / num_true, _tf.zeros_like(sampled_logits)], 1)
        return logits, targets


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """Per-example NCE loss [batch]: Σ sigmoid cross-entropy over the true (label 1/num_true) and sampled (0) logits."""
    logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                              sampled_values, True, remove_accidental_hits, name)
    return _tf.reduce_sum(_tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), 1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
                         remove_accidental_hits=True, partition_strategy="mod", name="sampled_softmax_loss",
                         seed=None):
    """Per-example sampled softmax loss [batch]: softmax cross-entropy over the true and sampled logits."""
    if sampled_values is None:
        labels = _tf.cast(_tf.convert_to_tensor(labels), _tf.int64)
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed=seed)
    logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                              sampled_values, True, remove_accidental_hits, name)
    return _tf.nn.softmax_cross_entropy_with_logits(labels=_tf.stop_gradient(targets), logits=logits)


__all__ = ["log_uniform_candidate_sampler", "uniform_candidate_sampler", "nce_loss", "sampled_softmax_loss"]
