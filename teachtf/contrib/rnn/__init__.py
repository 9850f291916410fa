"""tf.contrib.rnn: the same cell classes as tf.nn.rnn_cell plus the static drivers."""

from ...ops.rnn_cell_impl import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell, LSTMCell, LSTMStateTuple,
                                  MultiRNNCell, RNNCell)
from ...ops.rnn_ops import (stack_bidirectional_dynamic_rnn, stack_bidirectional_rnn, static_bidirectional_rnn,
                             static_rnn)

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
           "LSTMStateTuple", "static_rnn", "static_bidirectional_rnn", "stack_bidirectional_rnn",
           "stack_bidirectional_dynamic_rnn"]
