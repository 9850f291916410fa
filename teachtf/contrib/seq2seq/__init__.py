"""tf.contrib.seq2seq: sequence_loss."""

from __future__ import annotations

import teachtf as _tf
from ...ops.rnn_cell_impl import _error


def sequence_loss(logits, targets, weights, average_across_timesteps: bool = True, average_across_batch: bool = True,
                  softmax_loss_function=None, name=None):
    """Weighted cross-entropy over a sequence.

    logits [batch, time, classes], targets int [batch, time], weights [batch, time].
    loss[b, t] = weights[b, t] · xent(logits[b, t], targets[b, t]); averaging divides
    the sums by the summed weights over the averaged axes (TF1 formula).
    """
    logits = _tf.convert_to_tensor(logits)
    targets = _tf.convert_to_tensor(targets)
    weights = _tf.convert_to_tensor(weights)
    if logits.shape.ndims != 3:
        raise _error(ValueError, f"sequence_loss: logits must be [batch, time, classes], got shape {logits.shape}")
    if targets.shape.ndims != 2:
        raise _error(ValueError, f"sequence_loss: targets must be [batch, time], got shape {targets.shape}")
    if weights.shape.ndims != 2:
        raise _error(ValueError, f"sequence_loss: weights must be [batch, time], got shape {weights.shape}")
    with _tf.name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = _tf.shape(logits)[2]
        flat_logits = _tf.reshape(logits, _tf.stack([-1, num_classes]))
        flat_targets = _tf.reshape(targets, [-1])
        if softmax_loss_function is None:
            xent = _tf.nn.sparse_softmax_cross_entropy_with_logits(labels=flat_targets, logits=flat_logits)
        else:
            xent = softmax_loss_function(labels=flat_targets, logits=flat_logits)
        xent = xent * _tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return _tf.reduce_sum(xent) / (_tf.reduce_sum(weights) + 1e-12)
        xent = _tf.reshape(xent, _tf.shape(logits)[:2])
        if average_across_timesteps:
            return _tf.reduce_sum(xent, axis=1) / (_tf.reduce_sum(weights, axis=1) + 1e-12)
        if average_across_batch:
            return _tf.reduce_sum(xent, axis=0) / (_tf.reduce_sum(weights, axis=0) + 1e-12)
        return xent


__all__ = ["sequence_loss"]
