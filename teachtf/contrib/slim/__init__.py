"""tf.contrib.slim: the contrib.layers functions (same objects), arg_scope and the variable helpers
(API.md §14). `import tensorflow.contrib.slim as slim` programs use these names."""

from ..framework import (
                         get_model_variables,
                         get_trainable_variables,
                         get_variables,
                         get_variables_by_name,
                         get_variables_to_restore,
)
from ..layers import (
                         add_arg_scope,
                         apply_regularization,
                         arg_scope,
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
                         l1_l2_regularizer,
                         l1_regularizer,
                         l2_regularizer,
                         layer_norm,
                         max_pool2d,
                         model_variable,
                         repeat,
                         stack,
                         variance_scaling_initializer,
                         xavier_initializer,
)
from ..layers.arg_scope import current_arg_scope

__all__ = ["add_arg_scope", "apply_regularization", "arg_scope", "avg_pool2d", "batch_norm", "bias_add", "conv2d",
           "conv2d_transpose", "convolution2d", "convolution2d_transpose", "current_arg_scope", "dropout", "flatten",
           "fully_connected", "get_model_variables", "get_trainable_variables", "get_variables",
           "get_variables_by_name", "get_variables_to_restore", "l1_l2_regularizer", "l1_regularizer",
           "l2_regularizer", "layer_norm", "max_pool2d", "model_variable", "repeat", "stack",
           "variance_scaling_initializer", "xavier_initializer"]
