"""tf.losses (API.md §16): weighted losses reduced by a `Reduction`, added to the LOSSES collection.

Every loss casts its inputs to float32 (the cross-entropies keep the logits' dtype), computes
elementwise losses, then `compute_weighted_loss` multiplies by `weights` (a scalar, or a tensor of
the losses' rank whose dims are 1 or equal) and reduces; the default SUM_BY_NONZERO_WEIGHTS divides
the weighted sum by the number of elements with a non-zero weight (0 when there are none).
Argument order as TF1: labels first, then predictions or logits.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from ..ops import array_ops, nn_logistic, nn_softmax
from ..ops.array_ops import ones_like, squeeze, stop_gradient
from ..ops.constant_op import convert_to_tensor
from ..ops.math_ops import abs as abs_
from ..ops.math_ops import (
    add,
    cast,
    div_no_nan,
    log,
    minimum,
    multiply,
    not_equal,
    reduce_sum,
    squared_difference,
    subtract,
)
from ..ops.nn_activations import relu
from .util import add_loss


class Reduction:
    """How a weighted loss is reduced. SUM_BY_NONZERO_WEIGHTS (the default) = SUM / #non-zero weights."""
    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Key should be one of {cls.all()}.")


_BROADCAST_ERROR = "weights can not be broadcast to values."


def _assert_broadcastable(weights: Tensor, values: Tensor) -> None:
    """TF1's limited weight broadcasting, checked statically: scalar, or same rank with dims 1 or equal."""
    w_rank, v_rank = weights.shape.ndims, values.shape.ndims
    if w_rank is None or v_rank is None or w_rank == 0:
        return
    if w_rank != v_rank:
        raise ValueError(f"{_BROADCAST_ERROR} values.rank={v_rank}. weights.rank={w_rank}. "
                         f"values.shape={values.shape}. weights.shape={weights.shape}.")
    for i, (w, v) in enumerate(zip(weights.shape.as_list(), values.shape.as_list())):
        if w is not None and v is not None and w not in (1, v):
            raise ValueError(f"{_BROADCAST_ERROR} Mismatch at dim {i}. values.shape={values.shape}, "
                             f"weights.shape={weights.shape}.")


def _safe_mean(total: Tensor, count: Tensor) -> Tensor:
    return div_no_nan(total, count, name="value")


def _num_elements(losses: Tensor) -> Tensor:
    with _graph.name_scope(None, "num_elements", [losses]) as scope:
        return cast(array_ops.size(losses, name=scope), losses.dtype.base_dtype)


def _num_present(losses: Tensor, weights) -> Tensor:
    """The number of loss elements whose (broadcast) weight is non-zero."""
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with _graph.name_scope(None, "num_present", [losses, weights]) as scope:
        weights = cast(weights, dtypes.float32)
        present = cast(not_equal(weights, 0.0), dtypes.float32)
        present = present * ones_like(losses)
        return reduce_sum(present, name=scope)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """losses·weights reduced by `reduction` (a scalar unless Reduction.NONE), added to `loss_collection`."""
    Reduction.validate(reduction)
    with _graph.name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = cast(losses, dtypes.float32)
        weights_t = cast(weights, dtypes.float32)
        _assert_broadcastable(weights_t, losses)
        weighted = multiply(losses, weights_t)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, reduce_sum(ones_like(losses) * weights_t))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _require(value, what: str):
    if value is None:
        raise ValueError(f"Argument `{what}` must not be None.")


def _float_pair(labels, predictions):
    """Both cast to float32, with compatible static shapes."""
    predictions = cast(predictions, dtypes.float32)
    labels = cast(labels, dtypes.float32)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def _logits_and_labels(logits, labels):
    """(logits, labels cast to the logits' dtype), their static shapes checked compatible."""
    logits = convert_to_tensor(logits)
    labels = cast(labels, logits.dtype.base_dtype)
    logits.shape.assert_is_compatible_with(labels.shape)
    return logits, labels


def _pairwise_loss(default_name: str, formula, labels, predictions, weights, scope, loss_collection, reduction,
                   what: str = "predictions") -> Tensor:
    """What every labels-vs-predictions loss does around its formula: both arguments must be given (`what` names
    the second), both are cast to float32 with compatible shapes inside name scope `scope`/`default_name`, the
    elementwise losses = formula(labels, predictions), and `compute_weighted_loss` weights and reduces them."""
    _require(labels, "labels")
    _require(predictions, what)
    with _graph.name_scope(scope, default_name, [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        return compute_weighted_loss(formula(labels, predictions), weights, scope, loss_collection,
                                     reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """(labels − predictions)², weighted and reduced."""
    return _pairwise_loss("mean_squared_error", lambda labels, predictions: squared_difference(predictions, labels),
                          labels, predictions, weights, scope, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """|predictions − labels|, weighted and reduced."""
    return _pairwise_loss("absolute_difference", lambda labels, predictions: abs_(subtract(predictions, labels)),
                          labels, predictions, weights, scope, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """½·e² where |e| ≤ delta, else delta·(|e| − ½·delta), for e = predictions − labels."""
    def huber(labels, predictions):
        abs_error = abs_(subtract(predictions, labels))
        quadratic = minimum(abs_error, delta)
        linear = subtract(abs_error, quadratic)
        return add(multiply(convert_to_tensor(0.5, dtype=quadratic.dtype.base_dtype), multiply(quadratic, quadratic)),
                   multiply(delta, linear))

    return _pairwise_loss("huber_loss", huber, labels, predictions, weights, scope, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """max(0, 1 − (2·labels − 1)·logits) for labels in {0, 1}."""
    def hinge(labels, logits):
        all_ones = ones_like(labels)
        signs = subtract(2 * labels, all_ones)
        return relu(subtract(all_ones, multiply(signs, logits)))

    return _pairwise_loss("hinge_loss", hinge, labels, logits, weights, scope, loss_collection, reduction,
                          what="logits")


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """−y·log(p + ε) − (1 − y)·log(1 − p + ε)."""
    def log_likelihood(labels, predictions):
        return -multiply(labels, log(predictions + epsilon)) - multiply(1 - labels, log(1 - predictions + epsilon))

    return _pairwise_loss("log_loss", log_likelihood, labels, predictions, weights, scope, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None) -> Tensor:
    """1 − Σ_axis labels·predictions (inputs are expected to be unit-normalized along `axis`)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    return _pairwise_loss("cosine_distance_loss",
                          lambda labels, predictions: 1 - reduce_sum(multiply(predictions, labels), axis=(axis,),
                                                                     keepdims=True),
                          labels, predictions, weights, scope, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """sigmoid_cross_entropy_with_logits with labels smoothed to y·(1 − ls) + ls/2."""
    _require(multi_class_labels, "multi_class_labels")
    _require(logits, "logits")
    with _graph.name_scope(scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]) as scope:
        logits, labels = _logits_and_labels(logits, multi_class_labels)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_logistic.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Softmax cross-entropy per example, labels smoothed to y·(1 − ls) + ls/num_classes; no label gradient."""
    _require(onehot_labels, "onehot_labels")
    _require(logits, "logits")
    with _graph.name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits, labels = _logits_and_labels(logits, onehot_labels)
        if label_smoothing > 0:
            num_classes = cast(array_ops.shape(labels)[-1], logits.dtype.base_dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / num_classes
        labels = stop_gradient(labels, name="labels_stop_gradient")
        losses = nn_softmax.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def _squeeze_trailing_one(labels: Tensor, logits: Tensor) -> Tensor:
    """Labels of shape [batch, 1] next to logits [batch, C] become [batch] (TF1's squeezable dimensions)."""
    lr, pr = labels.shape.ndims, logits.shape.ndims
    if lr is not None and pr is not None and lr == pr and labels.shape[-1].value == 1:
        return squeeze(labels, [-1])
    return labels


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Sparse softmax cross-entropy per example (int class ids), weighted and reduced."""
    _require(labels, "labels")
    _require(logits, "logits")
    with _graph.name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        labels = _squeeze_trailing_one(convert_to_tensor(labels), logits)
        if not isinstance(weights, (int, float)):
            weights = convert_to_tensor(weights)
            w_rank, l_rank = weights.shape.ndims, labels.shape.ndims
            if w_rank is not None and l_rank is not None and w_rank - l_rank == 1:
                weights = squeeze(weights, [-1])
        losses = nn_softmax.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)
