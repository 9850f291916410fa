"""tf.contrib.layers / slim layer functions (API.md §14) with TF1's defaults and variable names.

fully_connected, conv2d and conv2d_transpose run the tf.layers classes inside their own variable scope
(`fully_connected`, `Conv`, `Conv2d_transpose`, uniquified as `Conv_1`, …) through a getter that renames
kernel → weights and bias → biases and files the variables as MODEL_VARIABLES, as TF1 does. Their
default activation is ReLU; with a `normalizer_fn` they have no bias.
"""

from __future__ import annotations

import numbers

from ...framework import graph as _graph
from ...framework.graph import GraphKeys, Tensor
from ...framework.variable_scope import get_variable, variable_scope
from ...layers import convolutional as conv_layers
from ...layers import core as core_layers
from ...layers.normalization import moving_average_updates, normalize_batch
from ...layers.utils import normalize_padding, normalize_tuple, smart_select, static_bool
from ...ops import init_ops, pool_ops
from ...ops.constant_op import convert_to_tensor
from ...ops.control_flow_ops import identity
from ...ops.conv_ops import bias_add as nn_bias_add
from ...ops.nn_activations import relu
from ...ops.nn_normalization import batch_normalization, moments
from ...train.moving_averages import assign_moving_average
from .arg_scope import add_arg_scope
from .initializers import xavier_initializer

DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCHW = "NCHW"


# -- variables and collections --------------------------------------------------------------------------------


def get_variable_collections(variables_collections, name):
    """`variables_collections` may be a list for every variable or a dict keyed by variable role."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def model_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   collections=None):
    """get_variable in the current scope, also filed under GLOBAL_VARIABLES and MODEL_VARIABLES."""
    collections = _with_model_collections(collections)
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=trainable, collections=collections)


def _with_model_collections(collections):
    out = list(collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in out:
            out.append(key)
    return out


def _renaming_getter(rename):
    """A custom getter giving the tf.layers variables contrib's names (kernel → weights, bias → biases)."""
    def renaming_getter(getter, name, *args, **kwargs):
        parts = name.split("/")
        parts[-1] = rename.get(parts[-1], parts[-1])
        kwargs["collections"] = _with_model_collections(kwargs.get("collections"))
        return getter("/".join(parts), *args, **kwargs)

    return renaming_getter


_WEIGHTS_GETTER = _renaming_getter({"kernel": "weights", "bias": "biases"})


def _add_to_collections(var, variables_collections, role):
    for key in get_variable_collections(variables_collections, role) or []:
        if var not in _graph.get_collection(key):
            _graph.add_to_collection(key, var)


def collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` to `collections` (with `outputs.aliases` naming the layer) and returns it."""
    if collections:
        alias = alias[:-1] if alias.endswith("/") else alias
        aliases = getattr(outputs, "aliases", None)
        try:
            if aliases is None:
                outputs.aliases = [alias]
            else:
                aliases.append(alias)
        except AttributeError:
            pass  # a tensor type without attribute storage: the collection still records it
        _graph.add_to_collections(collections, outputs)
    return outputs


def _finish(outputs, layer, sc, normalizer_fn, normalizer_params, activation_fn, variables_collections,
            outputs_collections):
    _add_to_collections(layer.kernel, variables_collections, "weights")
    if layer.bias is not None:
        _add_to_collections(layer.bias, variables_collections, "biases")
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return collect_named_outputs(outputs_collections, sc.name, outputs)


def _layer_kwargs(sc, inputs: Tensor, reuse, trainable, normalizer_fn, weights_initializer, weights_regularizer,
                  biases_initializer, biases_regularizer) -> dict:
    """The tf.layers arguments of a contrib layer in scope `sc`: no activation (`_finish` applies it after the
    normalizer) and no bias when a normalizer follows or `biases_initializer` is None."""
    return dict(activation=None, use_bias=normalizer_fn is None and biases_initializer is not None,
                kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
                kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
                name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)


def _layer_data_format(data_format) -> str:
    if data_format not in (None, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    return "channels_first" if data_format == DATA_FORMAT_NCHW else "channels_last"


# -- fully connected and convolutions ---------------------------------------------------------------------------


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=xavier_initializer(), weights_regularizer=None,
                    biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None, reuse=None,
                    variables_collections=None, outputs_collections=None, trainable=True, scope=None) -> Tensor:
    """activation_fn(inputs · weights + biases): `fully_connected/weights` [in, num_outputs] and
    `fully_connected/biases`; ReLU unless activation_fn=None."""
    if not isinstance(num_outputs, numbers.Integral) or isinstance(num_outputs, bool):
        raise ValueError(f"num_outputs should be int or long, got {num_outputs}.")
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse, custom_getter=_WEIGHTS_GETTER) as sc:
        inputs = convert_to_tensor(inputs)
        layer = core_layers.Dense(units=int(num_outputs), **_layer_kwargs(
            sc, inputs, reuse, trainable, normalizer_fn, weights_initializer, weights_regularizer, biases_initializer,
            biases_regularizer))
        outputs = layer.apply(inputs)
        return _finish(outputs, layer, sc, normalizer_fn, normalizer_params, activation_fn, variables_collections,
                       outputs_collections)


@add_arg_scope
def convolution2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
                  activation_fn=relu, normalizer_fn=None, normalizer_params=None,
                  weights_initializer=xavier_initializer(), weights_regularizer=None,
                  biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None, reuse=None,
                  variables_collections=None, outputs_collections=None, trainable=True, scope=None) -> Tensor:
    """A 2-D convolution with `Conv/weights` [kh, kw, in, num_outputs] and `Conv/biases`; padding 'SAME' and
    ReLU by default; `kernel_size`, `stride` and `rate` are ints or pairs."""
    df = _layer_data_format(data_format)
    strides = normalize_tuple(stride, 2, "stride")
    rates = normalize_tuple(rate, 2, "rate")
    if max(strides) > 1 and max(rates) > 1:
        raise ValueError("Only one of rate or stride can be larger than one")
    with variable_scope(scope, "Conv", [inputs], reuse=reuse, custom_getter=_WEIGHTS_GETTER) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims not in (None, 4):
            raise ValueError(f"Convolution expects input with rank 4, got {inputs.shape.ndims}")
        layer = conv_layers.Conv2D(filters=num_outputs, kernel_size=kernel_size, strides=strides, padding=padding,
                                   data_format=df, dilation_rate=rates, **_layer_kwargs(
                                       sc, inputs, reuse, trainable, normalizer_fn, weights_initializer,
                                       weights_regularizer, biases_initializer, biases_regularizer))
        outputs = layer.apply(inputs)
        return _finish(outputs, layer, sc, normalizer_fn, normalizer_params, activation_fn, variables_collections,
                       outputs_collections)


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format=DATA_FORMAT_NHWC, activation_fn=relu, normalizer_fn=None,
                            normalizer_params=None, weights_initializer=xavier_initializer(), weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None, reuse=None,
                            variables_collections=None, outputs_collections=None, trainable=True,
                            scope=None) -> Tensor:
    """A transposed convolution with `Conv2d_transpose/weights` [kh, kw, num_outputs, in]; the output size is
    in·stride ('SAME') or in·stride + max(k − stride, 0) ('VALID')."""
    df = _layer_data_format(data_format)
    with variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse, custom_getter=_WEIGHTS_GETTER) as sc:
        inputs = convert_to_tensor(inputs)
        layer = conv_layers.Conv2DTranspose(filters=num_outputs, kernel_size=kernel_size, strides=stride,
                                            padding=padding, data_format=df, **_layer_kwargs(
                                                sc, inputs, reuse, trainable, normalizer_fn, weights_initializer,
                                                weights_regularizer, biases_initializer, biases_regularizer))
        outputs = layer.apply(inputs)
        return _finish(outputs, layer, sc, normalizer_fn, normalizer_params, activation_fn, variables_collections,
                       outputs_collections)


conv2d = convolution2d
conv2d_transpose = convolution2d_transpose


# -- pooling, flatten, dropout ------------------------------------------------------------------------------------


def _pool(pool_name, default_scope, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    if data_format not in (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    kh, kw = normalize_tuple(kernel_size, 2, "kernel_size")
    sh, sw = normalize_tuple(stride, 2, "stride")
    if data_format == DATA_FORMAT_NHWC:
        ksize, strides = [1, kh, kw, 1], [1, sh, sw, 1]
    else:
        ksize, strides = [1, 1, kh, kw], [1, 1, sh, sw]
    with _graph.name_scope(scope, default_scope, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        outputs = getattr(pool_ops, pool_name)(inputs, ksize=ksize, strides=strides,
                                               padding=normalize_padding(padding).upper(), data_format=data_format)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None) -> Tensor:
    """Max pooling; kernel_size is required, stride 2 and 'VALID' by default."""
    return _pool("max_pool", "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None) -> Tensor:
    """Average pooling; kernel_size is required, stride 2 and 'VALID' by default."""
    return _pool("avg_pool", "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None) -> Tensor:
    """[batch, …] → [batch, k]; needs rank ≥ 2."""
    with _graph.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is not None and inputs.shape.ndims < 2:
            raise ValueError(f"Inputs must have a least 2 dimensions. Got shape {inputs.shape}")
        outputs = core_layers.Flatten().apply(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None) -> Tensor:
    """Keeps each element with probability `keep_prob` (scaled by 1/keep_prob) when `is_training`, which
    defaults to True here (unlike tf.layers.dropout)."""
    with variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = core_layers.Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed, name=sc.name,
                                    _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# -- batch norm and layer norm ---------------------------------------------------------------------------------


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format=DATA_FORMAT_NHWC, zero_debias_moving_mean=False,
               scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None) -> Tensor:
    """Batch norm over all axes but the channels: variables `BatchNorm/{beta, moving_mean, moving_variance}`
    (and `gamma` only with scale=True, which is off by default).

    Training normalizes with the batch statistics and moves m ← decay·m + (1 − decay)·batch_stat; the two
    update ops go to `updates_collections` (run them with the train op), or run in place before the output
    when it is None. As in TF1, rank-2 and rank-4 inputs (the fused kernel) update the variance with Bessel's
    correction N/(N−1). `is_training` may be a bool tensor.
    """
    if batch_weights is not None or renorm or adjustment is not None:
        raise ValueError("teachtf's batch_norm does not implement batch_weights, renorm or adjustment; leave them "
                         "at their defaults")
    if data_format not in (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    param_initializers = param_initializers or {}
    param_regularizers = param_regularizers or {}
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        ndims = inputs.shape.ndims
        if ndims is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank")
        axis = 1 if data_format == DATA_FORMAT_NCHW and ndims > 2 else ndims - 1
        channels = inputs.shape[axis].value
        if channels is None:
            raise ValueError(f"Inputs {inputs.name} has undefined channels dimension {inputs.shape}.")
        dtype = inputs.dtype.base_dtype

        def param(name, default_init, trainable_param, regularizer=None):
            return model_variable(name, shape=[channels], dtype=dtype,
                                  initializer=param_initializers.get(name, default_init), regularizer=regularizer,
                                  trainable=trainable_param,
                                  collections=get_variable_collections(variables_collections, name))

        beta = param("beta", init_ops.zeros_initializer(), trainable, param_regularizers.get("beta")) \
            if center else None
        gamma = param("gamma", init_ops.ones_initializer(), trainable, param_regularizers.get("gamma")) \
            if scale else None
        moving_mean = param("moving_mean", init_ops.zeros_initializer(), False)
        moving_variance = param("moving_variance", init_ops.ones_initializer(), False)
        fused_kernel = fused is not False and ndims in (2, 4)
        outputs, mean, variance = normalize_batch(inputs, axis, gamma, beta, moving_mean, moving_variance, epsilon,
                                                  is_training, fused=fused_kernel)
        if static_bool(is_training) is not False:
            updates = _batch_norm_updates(moving_mean, moving_variance, mean, variance, decay, is_training,
                                          zero_debias_moving_mean)
            if updates_collections is None:

                with _graph.control_dependencies(updates):
                    outputs = identity(outputs)
            else:
                for update in updates:
                    _graph.add_to_collections(_as_list(updates_collections), update)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _batch_norm_updates(moving_mean, moving_variance, mean, variance, decay, is_training, zero_debias):
    if not zero_debias:
        return moving_average_updates(moving_mean, moving_variance, mean, variance, decay, is_training)

    dt = moving_mean.dtype.base_dtype
    rate = smart_select(is_training, lambda: convert_to_tensor(decay, dtype=dt),
                        lambda: convert_to_tensor(1.0, dtype=dt))
    return [assign_moving_average(moving_mean, mean, rate, zero_debias=True).op,
            assign_moving_average(moving_variance, variance, rate, zero_debias=False).op]


def _as_list(collections):
    return [collections] if isinstance(collections, str) else list(collections)


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1, begin_params_axis=-1,
               scope=None) -> Tensor:
    """Normalizes each example over axes begin_norm_axis… with its own mean and variance (ε = 1e-12), then
    scales by `LayerNorm/gamma` and shifts by `LayerNorm/beta` (shape inputs.shape[begin_params_axis:])."""
    with variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) must "
                             f"be < rank(inputs) ({rank})")
        params_shape = inputs.shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is not fully defined: "
                             f"{inputs.shape}")
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = model_variable("beta", shape=params_shape.as_list(), dtype=dtype,
                                  initializer=init_ops.zeros_initializer(), trainable=trainable,
                                  collections=get_variable_collections(variables_collections, "beta"))
        if scale:
            gamma = model_variable("gamma", shape=params_shape.as_list(), dtype=dtype,
                                   initializer=init_ops.ones_initializer(), trainable=trainable,
                                   collections=get_variable_collections(variables_collections, "gamma"))
        mean, variance = moments(inputs, list(range(begin_norm_axis, rank)), keep_dims=True)
        epsilon = 1e-12 if dtype.name != "float16" else 1e-3
        outputs = batch_normalization(inputs, mean, variance, offset=beta, scale=gamma, variance_epsilon=epsilon)
        outputs.set_shape(inputs.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=init_ops.zeros_initializer(), regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable=True, data_format=DATA_FORMAT_NHWC,
             scope=None) -> Tensor:
    """inputs + `BiasAdd/biases` along the channel axis."""
    with variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        axis = 1 if data_format == DATA_FORMAT_NCHW else -1
        channels = inputs.shape[axis].value if inputs.shape.ndims else None
        if channels is None:
            raise ValueError(f"`C` dimension must be known but is None ({inputs.shape})")
        biases = model_variable("biases", shape=[channels], dtype=inputs.dtype.base_dtype, initializer=initializer,
                                regularizer=regularizer, trainable=trainable,
                                collections=get_variable_collections(variables_collections, "biases"))
        outputs = nn_bias_add(inputs, biases, data_format=data_format if inputs.shape.ndims == 4 else None)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# -- repeat and stack -------------------------------------------------------------------------------------------


def _layer_scope_name(layer, fallback: str) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func"):  # a functools.partial
        return layer.func.__name__
    return fallback


def repeat(inputs, repetitions, layer, *args, **kwargs) -> Tensor:
    """Applies `layer(outputs, *args, **kwargs)` `repetitions` times, in scopes `<scope>/<scope>_1`, `_2`, …"""
    scope = kwargs.pop("scope", None)
    with variable_scope(scope, "Repeat", [inputs]):
        outputs = convert_to_tensor(inputs)
        scope = scope or _layer_scope_name(layer, "repeat")
        for i in range(repetitions):
            kwargs["scope"] = f"{scope}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs) -> Tensor:
    """Applies `layer` once per entry of `stack_args` (its positional arguments), in scopes `<scope>_1`, …"""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with variable_scope(scope, "Stack", [inputs]):
        outputs = convert_to_tensor(inputs)
        scope = scope or _layer_scope_name(layer, "stack")
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{scope}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


__all__ = ["avg_pool2d", "batch_norm", "bias_add", "collect_named_outputs", "conv2d", "conv2d_transpose",
           "convolution2d", "convolution2d_transpose", "dropout", "flatten", "fully_connected",
           "get_variable_collections", "layer_norm", "max_pool2d", "model_variable", "repeat", "stack"]
