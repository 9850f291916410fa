"""tf.nn: activations, softmax and losses, convolution and pooling, normalization, RNN cells."""

from ..ops.nn_ops import *  # noqa: F401,F403  (activations, softmax, cross-entropies, dropout, moments, ...)
from ..ops.conv_ops import *  # noqa: F401,F403  (conv2d, conv2d_transpose, depthwise, bias_add, ...)
from ..ops.depthwise_conv_ops import *  # noqa: F401,F403  (depthwise_conv2d, separable_conv2d, ...)
from ..ops.pool_ops import *  # noqa: F401,F403  (max_pool, avg_pool, max_pool_with_argmax, ...)
from ..ops.image_ops import depth_to_space, space_to_depth  # noqa: F401
from .rnn_api import *  # noqa: F401,F403  (rnn_cell, static_rnn, dynamic_rnn, ...)
