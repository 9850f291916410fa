"""tf.nn RNN entries: the rnn_cell namespace and the static/dynamic drivers."""

from . import rnn_cell
from ..ops.rnn_ops import bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn, static_rnn

__all__ = ["rnn_cell", "static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn"]
