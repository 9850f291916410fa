"""tf.contrib.layers regularizers: functions `weights -> scalar penalty` for get_variable / layers.

l1 = scale·Σ|w|; l2 = scale·Σw²/2 (halved: scale·l2_loss(w)). A scale of 0 gives a regularizer that
returns None (no penalty).
"""

from __future__ import annotations

import numbers

from ...framework import graph as _graph
from ...framework.graph import GraphKeys
from ...ops.constant_op import constant, convert_to_tensor
from ...ops.math_ops import abs as abs_
from ...ops.math_ops import add_n, multiply, reduce_sum
from ...ops.nn_misc import l2_loss


def _check_scale(scale):
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        return scale != 0.0
    return True


def l1_regularizer(scale, scope=None):
    """w ↦ scale·Σ|w|."""
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights, name=None):
        with _graph.name_scope(scope, "l1_regularizer", [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return multiply(my_scale, reduce_sum(abs_(weights)), name=name)

    return l1


def l2_regularizer(scale, scope=None):
    """w ↦ scale·Σw²/2 (= scale·tf.nn.l2_loss(w))."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights):
        with _graph.name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return multiply(my_scale, l2_loss(weights), name=name)

    return l2


def sum_regularizer(regularizer_list, scope=None):
    """The sum of several regularizers (None entries and None penalties are skipped); None if the list is empty."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with _graph.name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (r(weights) for r in regularizer_list) if t is not None]
            return add_n(tensors, name=name) if tensors else None

    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """scale_l1·Σ|w| + scale_l2·Σw²/2."""
    if isinstance(scale_l1, numbers.Integral) or isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale_l1}, {scale_l2}")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """Sums regularizer(w) over `weights_list` (default: the WEIGHTS collection), adds the total to
    REGULARIZATION_LOSSES and returns it."""
    if not weights_list:
        weights_list = _graph.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with _graph.name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise ValueError(f"regularizer must return a scalar Tensor instead of a Tensor with rank "
                                 f"{p.shape.ndims}.")
        total = add_n(penalties, name=scope)
        _graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, total)
        return total


__all__ = ["apply_regularization", "l1_l2_regularizer", "l1_regularizer", "l2_regularizer", "sum_regularizer"]
