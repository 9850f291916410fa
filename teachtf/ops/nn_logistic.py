"""Logistic losses of tf.nn (API.md §10.2, §19): sigmoid and weighted cross-entropy, log-Poisson loss.

These are composites of elementwise ops, built as TF1 builds them, so their
gradients (and second derivatives) come from those ops.
"""

from __future__ import annotations

import math

from ..ext.strict import lenient
from ..framework import graph as _graph
from ..framework.graph import Tensor
from .array_ops import ones_like, where, zeros_like
from .constant_op import convert_to_tensor
from .math_ops import abs as abs_
from .math_ops import add, exp, greater_equal, less_equal, log, log1p, logical_and
from .nn_activations import relu
from .nn_util import require_float, resolve_xent_args


def _same_shape(a: Tensor, b: Tensor, a_name: str, b_name: str) -> None:
    if not b.shape.is_compatible_with(a.shape):
        raise ValueError(f"{a_name} and {b_name} must have the same shape ({a.shape} vs {b.shape})")


def _targets_keyword(fn_name: str, labels, targets):
    """The pre-1.0 keyword `targets=` (lenient; TypeError in strict mode, as TF 1.15 has no such keyword)."""
    if targets is None:
        return labels
    if labels is not None:
        raise ValueError(f"{fn_name}: give labels= or the old targets=, not both")
    lenient(f"targets-{fn_name}", f"{fn_name}(targets=...) is the pre-1.0 keyword; use labels=...",
            TypeError(f"{fn_name}() got an unexpected keyword argument 'targets'"))
    return targets


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None, targets=None) -> Tensor:
    """Elementwise max(x, 0) − x·z + log(1 + e^−|x|) for logits x and labels z (stable for any x)."""
    labels = _targets_keyword("sigmoid_cross_entropy_with_logits", labels, targets)
    labels, logits, _ = resolve_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with _graph.name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        require_float(logits, "logits")
        _same_shape(logits, labels, "logits", "labels")
        zeros = _zeros_like(logits)
        cond = greater_equal(logits, zeros)
        relu_logits = where(cond, logits, zeros)
        neg_abs_logits = where(cond, -logits, logits)
        return add(relu_logits - logits * labels, log1p(exp(neg_abs_logits)), name=scope)


def _zeros_like(t: Tensor) -> Tensor:
    return zeros_like(t, dtype=t.dtype.base_dtype)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None, targets=None) -> Tensor:
    """Sigmoid cross-entropy whose positive term is weighted by pos_weight:
    (1 − z)·x + (1 + (q − 1)·z)·(log(1 + e^−|x|) + max(−x, 0)). The first positional argument is the
    targets (labels), as in TF1.
    """
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'labels' and 'targets'")
        labels = targets
    if labels is None or logits is None or pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs targets, logits and pos_weight")
    with _graph.name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        require_float(logits, "logits")
        _same_shape(logits, labels, "logits", "labels")
        log_weight = 1 + (pos_weight - 1) * labels
        return add((1 - labels) * logits, log_weight * (log1p(exp(-abs_(logits))) + relu(-logits)), name=scope)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """exp(c) − z·c for log-rate c and count z; with compute_full_loss, plus Stirling's z·log z − z + ½·log(2πz)
    where z > 1."""
    with _graph.name_scope(name, "log_poisson_loss", [log_input, targets]) as scope:
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        _same_shape(log_input, targets, "log_input", "targets")
        result = exp(log_input) - log_input * targets
        if compute_full_loss:
            dt = targets.dtype.base_dtype
            point_five = convert_to_tensor(0.5, dtype=dt)
            two_pi = convert_to_tensor(2 * math.pi, dtype=dt)
            stirling = targets * log(targets) - targets + point_five * log(two_pi * targets)
            zeros, ones = zeros_like(targets, dtype=dt), ones_like(targets, dtype=dt)
            small = logical_and(greater_equal(targets, zeros), less_equal(targets, ones))
            result = result + where(small, zeros, stirling)
        del scope
        return result


__all__ = ["sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits", "log_poisson_loss"]
