"""tf.layers: dense, conv2d, conv2d_transpose, pooling, dropout, batch_normalization and flatten, as
functions and classes, with TF1's variable names (API.md §3.7, §14)."""

from .base import Layer
from .convolutional import (
                            Conv2D,
                            Conv2DTranspose,
                            Convolution2D,
                            Convolution2DTranspose,
                            Deconvolution2D,
                            conv2d,
                            conv2d_transpose,
                            convolution2d,
                            convolution2d_transpose,
)
from .core import Dense, Dropout, Flatten, dense, dropout, flatten
from .normalization import BatchNormalization, batch_normalization
from .pooling import AveragePooling2D, AvgPool2D, MaxPool2D, MaxPooling2D, average_pooling2d, max_pooling2d

__all__ = ["Layer", "Dense", "Dropout", "Flatten", "Conv2D", "Conv2DTranspose", "Convolution2D",
           "Convolution2DTranspose", "Deconvolution2D", "MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D",
           "BatchNormalization", "dense", "dropout", "flatten", "conv2d", "conv2d_transpose", "convolution2d",
           "convolution2d_transpose", "max_pooling2d", "average_pooling2d", "batch_normalization"]
