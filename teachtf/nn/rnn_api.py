"""tf.nn RNN and sequence entries: the rnn_cell namespace, the static/dynamic drivers and the sampled losses."""

from . import rnn_cell
from ..ops.rnn_ops import bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn, static_rnn
from ..ops.sampled_losses import (log_uniform_candidate_sampler, nce_loss, sampled_softmax_loss,
                                  uniform_candidate_sampler)

__all__ = ["rnn_cell", "static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn",
           "log_uniform_candidate_sampler", "uniform_candidate_sampler", "nce_loss", "sampled_softmax_loss"]
