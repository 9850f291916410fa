"""tf.contrib.layers: fully_connected, conv2d, conv2d_transpose, pooling, flatten, dropout, batch_norm,
layer_norm, the contrib initializers and regularizers, optimize_loss, and slim's arg_scope (API.md §14)."""

from .arg_scope import add_arg_scope, arg_scope
from .initializers import variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d
from .layers import (
                     avg_pool2d,
                     batch_norm,
                     bias_add,
                     conv2d,
                     conv2d_transpose,
                     convolution2d,
                     convolution2d_transpose,
                     dropout,
                     flatten,
                     fully_connected,
                     layer_norm,
                     max_pool2d,
                     model_variable,
                     repeat,
                     stack,
)
from .optimizers import OPTIMIZER_SUMMARIES, optimize_loss
from .regularizers import apply_regularization, l1_l2_regularizer, l1_regularizer, l2_regularizer, sum_regularizer

__all__ = ["OPTIMIZER_SUMMARIES", "add_arg_scope", "apply_regularization", "arg_scope", "avg_pool2d", "batch_norm",
           "bias_add", "conv2d", "conv2d_transpose", "convolution2d", "convolution2d_transpose", "dropout", "flatten",
           "fully_connected", "l1_l2_regularizer", "l1_regularizer", "l2_regularizer", "layer_norm", "max_pool2d",
           "model_variable", "optimize_loss", "repeat", "stack", "sum_regularizer", "variance_scaling_initializer",
           "xavier_initializer", "xavier_initializer_conv2d"]
