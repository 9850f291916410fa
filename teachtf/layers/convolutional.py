"""tf.layers conv2d and conv2d_transpose, as classes and functions (API.md §14, padding rules §10.3)."""

from __future__ import annotations

from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from ..ops import array_ops, init_ops
from ..ops.conv_ops import conv2d as nn_conv2d
from ..ops.conv_ops import conv2d_transpose as nn_conv2d_transpose
from .base import KernelBiasLayer
from .utils import deconv_output_length, normalize_data_format, normalize_padding, normalize_tuple


def _nn_format(data_format: str) -> str:
    return "NHWC" if data_format == "channels_last" else "NCHW"


class _Conv2DBase(KernelBiasLayer):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                         name=name, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")

    def _channels(self, input_shape) -> int:
        shape = TensorShape(input_shape)
        if shape.ndims is not None and shape.ndims != 4:
            raise ValueError(f"Input 0 of layer {self._base_name} is incompatible with the layer: expected ndim=4, "
                             f"found ndim={shape.ndims}. Full shape received: {shape}")
        axis = -1 if self.data_format == "channels_last" else 1
        if shape.ndims is None or shape[axis].value is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        return shape[axis].value

    def _kernel_shape(self, channels: int) -> list:
        raise NotImplementedError  # each subclass lays its kernel out differently

    def build(self, input_shape):
        self._add_kernel_and_bias(self._kernel_shape(self._channels(input_shape)), self.filters)

    def _finish(self, outputs):
        return self._bias_and_activation(outputs, data_format=_nn_format(self.data_format))


class Conv2D(_Conv2DBase):
    """2-D convolution layer: kernel [kh, kw, in, filters], bias [filters]; padding 'valid' by default."""
    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [channels, self.filters]

    def call(self, inputs):
        fmt = _nn_format(self.data_format)
        strides = [1, *self.strides, 1] if fmt == "NHWC" else [1, 1, *self.strides]
        dilations = [1, *self.dilation_rate, 1] if fmt == "NHWC" else [1, 1, *self.dilation_rate]
        outputs = nn_conv2d(inputs, self.kernel, strides=strides, padding=self.padding.upper(),
                            data_format=fmt, dilations=dilations)
        return self._finish(outputs)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
           reuse=None) -> Tensor:
    """A 2-D convolution layer (variables `conv2d/kernel`, `conv2d/bias`); padding 'valid' and no activation
    by default."""
    layer = Conv2D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                   kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs)


class Conv2DTranspose(_Conv2DBase):
    """Transposed 2-D convolution: kernel [kh, kw, filters, in]; output size 'same' → in·s,
    'valid' → in·s + max(k − s, 0)."""
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
        if self.dilation_rate != (1, 1):
            raise ValueError("Conv2DTranspose supports dilation_rate (1, 1) only, as TF1's layer")

    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [self.filters, channels]

    def call(self, inputs):
        fmt = _nn_format(self.data_format)
        h_axis, w_axis = (1, 2) if fmt == "NHWC" else (2, 3)
        static = inputs.shape.as_list() if inputs.shape.ndims == 4 else [None] * 4
        dynamic = array_ops.shape(inputs)
        sizes = []
        for axis, k, s in ((h_axis, self.kernel_size[0], self.strides[0]), (w_axis, self.kernel_size[1],
                                                                            self.strides[1])):
            n = static[axis]
            sizes.append(deconv_output_length(n, k, self.padding, s) if n is not None else
                         _dynamic_deconv_length(dynamic[axis], k, self.padding, s))
        batch = static[0] if static[0] is not None else dynamic[0]
        dims = [batch, sizes[0], sizes[1], self.filters] if fmt == "NHWC" else \
            [batch, self.filters, sizes[0], sizes[1]]
        output_shape = dims if all(isinstance(d, int) for d in dims) else array_ops.stack(dims)
        strides = [1, *self.strides, 1] if fmt == "NHWC" else [1, 1, *self.strides]
        outputs = nn_conv2d_transpose(inputs, self.kernel, output_shape, strides, padding=self.padding.upper(),
                                      data_format=fmt)
        static_out = list(static)
        static_out[h_axis] = sizes[0] if isinstance(sizes[0], int) else None
        static_out[w_axis] = sizes[1] if isinstance(sizes[1], int) else None
        static_out[3 if fmt == "NHWC" else 1] = self.filters
        outputs.set_shape(static_out)
        return self._finish(outputs)


def _dynamic_deconv_length(n: Tensor, k: int, padding: str, s: int) -> Tensor:
    return n * s + max(k - s, 0) if padding == "valid" else n * s


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None) -> Tensor:
    """A transposed convolution layer (variables `conv2d_transpose/kernel` [kh, kw, filters, in] and
    `conv2d_transpose/bias`); no `output_shape`: it follows from the padding rule."""
    layer = Conv2DTranspose(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            data_format=data_format, activation=activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                            bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse,
                            _scope=name)
    return layer.apply(inputs)


Convolution2D = Conv2D
Convolution2DTranspose = Deconvolution2D = Conv2DTranspose
convolution2d = conv2d
convolution2d_transpose = conv2d_transpose
