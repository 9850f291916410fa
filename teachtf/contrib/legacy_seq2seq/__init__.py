"""tf.contrib.legacy_seq2seq: the list-of-tensors sequence-to-sequence helpers (no attention or bucketing)."""

from __future__ import annotations

import copy

import teachtf as _tf
from ...ops.rnn_cell_impl import _error
from ...ops.rnn_ops import static_rnn


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """Runs `cell` over decoder_inputs (a list of [batch, in]) from initial_state; returns (outputs, state).

    With loop_function, step i > 0 reads loop_function(output_{i-1}, i) instead of decoder_inputs[i].
    Variables live under `rnn_decoder/`.
    """
    with _tf.variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with _tf.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                _tf.get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=None, scope=None):
    """Encodes with a copy of `cell` (scope `basic_rnn_seq2seq/rnn`), decodes from its final state."""
    with _tf.variable_scope(scope or "basic_rnn_seq2seq"):
        _, enc_state = static_rnn(copy.deepcopy(cell), encoder_inputs, dtype=dtype or _tf.float32)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def sequence_loss_by_example(logits, targets, weights, average_across_timesteps: bool = True,
                             softmax_loss_function=None, name=None):
    """Per-example loss [batch]: Σ_t w_t·xent(logits_t, targets_t), divided by Σ_t w_t when averaging."""
    if not len(logits) == len(targets) == len(weights):
        raise _error(ValueError, "sequence_loss_by_example: logits, targets and weights must have the same length, "
                                 f"got "
                         f"{len(logits)}, {len(targets)}, {len(weights)}")
    with _tf.name_scope(name, "sequence_loss_by_example", list(logits) + list(targets) + list(weights)):
        terms = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                target = _tf.reshape(target, [-1])
                xent = _tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit)
            else:
                xent = softmax_loss_function(labels=target, logits=logit)
            terms.append(xent * weight)
        total = _tf.add_n(terms)
        if average_across_timesteps:
            total = total / (_tf.add_n(list(weights)) + 1e-12)
    return total


def sequence_loss(logits, targets, weights, average_across_timesteps: bool = True, average_across_batch: bool = True,
                  softmax_loss_function=None, name=None):
    """Σ of sequence_loss_by_example, divided by the batch size when average_across_batch."""
    with _tf.name_scope(name, "sequence_loss", list(logits) + list(targets) + list(weights)):
        cost = _tf.reduce_sum(sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                                       softmax_loss_function))
        if average_across_batch:
            return cost / _tf.cast(_tf.shape(targets[0])[0], cost.dtype)
        return cost


__all__ = ["rnn_decoder", "basic_rnn_seq2seq", "sequence_loss_by_example", "sequence_loss"]
