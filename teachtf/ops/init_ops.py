"""Variable initializers (API.md §6): objects called as `init(shape, dtype=None, partition_info=None)`.

Each returns a tensor built from the random and array ops, so
`tf.Variable(init([3, 4]))` and `get_variable(..., initializer=init)` work
alike. Fans for conv kernels [kh, kw, in, out]: fan_in = kh·kw·in and
fan_out = kh·kw·out.
"""

from __future__ import annotations

import math

import numpy as np

from ..framework import dtypes
from ..framework.shapes import TensorShape
from .registry import NO_GRADIENT, apply, register


def _float_dtype(dtype) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


def _shape_list(shape) -> list:
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return list(shape)


def compute_fans(shape) -> tuple:
    """(fan_in, fan_out): [n] → (n, n); [in, out]; conv [..., in, out] × receptive field size."""
    shape = _shape_list(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = 1
        for d in shape[:-2]:
            receptive *= d
        fan_in = shape[-2] * receptive
        fan_out = shape[-1] * receptive
    return int(fan_in), int(fan_out)


class Initializer:
    """Base class: `__call__(shape, dtype=None, partition_info=None)` returns a Tensor of that shape."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _Fill(Initializer):
    """Every element the same value, built by the `array_ops` function named in `_fill` (any dtype)."""

    _fill = ""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import array_ops

        return getattr(array_ops, self._fill)(shape, dtype if dtype is not None else self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Zeros(_Fill):
    """All zeros (any dtype)."""

    _fill = "zeros"


class Ones(_Fill):
    """All ones (any dtype)."""

    _fill = "ones"


class Constant(Initializer):
    """`value` laid out like `tf.constant(value, shape=...)`: a scalar fills, a short list repeats its last element."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value: {type(value).__name__} (expected Python scalar, list "
                            "or tuple of values, or numpy.ndarray).")
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        from .constant_op import constant

        return constant(self.value, dtype=dtype if dtype is not None else self.dtype, shape=shape,
                        verify_shape=self._verify_shape if verify_shape is None else verify_shape)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name, "verify_shape": self._verify_shape}


class RandomUniform(Initializer):
    """U[minval, maxval); `maxval=None` means 1 for floats."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=dtypes.float32):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import random_ops

        return random_ops.random_uniform(shape, self.minval, self.maxval, dtype if dtype is not None else self.dtype,
                                         seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed, "dtype": self.dtype.name}


class _Normal(Initializer):
    """N(mean, stddev²) drawn by the `random_ops` function named in `_sample`."""

    _sample = ""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import random_ops

        return getattr(random_ops, self._sample)(shape, self.mean, self.stddev,
                                                 dtype if dtype is not None else self.dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class RandomNormal(_Normal):
    """N(mean, stddev²)."""

    _sample = "random_normal"


class TruncatedNormal(_Normal):
    """N(mean, stddev²) with values beyond 2·stddev re-drawn."""

    _sample = "truncated_normal"


class UniformUnitScaling(Initializer):
    """U(−l, l) with l = factor·√(3 / input_size), input_size the product of all dims but the last."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        self.factor = factor
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import random_ops

        input_size = 1.0
        for d in _shape_list(shape)[:-1]:
            input_size *= float(d)
        input_size = max(input_size, 1.0)
        limit = math.sqrt(3.0 / input_size) * self.factor
        return random_ops.random_uniform(shape, -limit, limit, dtype if dtype is not None else self.dtype,
                                         seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class VarianceScaling(Initializer):
    """Scale / n with n = fan_in, fan_out or their mean; truncated normal with stddev √(scale/n)/0.87962566,
    untruncated normal with stddev √(scale/n), or uniform with limit √(3·scale/n)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, dtype=dtypes.float32):
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import random_ops

        dtype = dtype if dtype is not None else self.dtype
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / 0.87962566103423978
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """U(−l, l) with l = √(6 / (fan_in + fan_out)) (Xavier uniform; the default of get_variable)."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Truncated normal with stddev √(2 / (fan_in + fan_out)) / 0.87962566 (Xavier normal)."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """gain · Q from the QR decomposition of a standard normal matrix (rows/cols flattened as [prod(shape[:-1]),
    shape[-1]]), with the signs of diag(R) folded in so the distribution is uniform."""

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        self.gain = gain
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from . import random_ops

        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype)
        dims = _shape_list(shape)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        rows = int(np.prod(dims[:-1]))
        cols = int(dims[-1])
        flat = (cols, rows) if rows < cols else (rows, cols)
        a = random_ops.random_normal(flat, dtype=dtype, seed=self.seed)
        return apply("OrthogonalFromNormal", [a],
                     {"gain": float(self.gain), "transpose": rows < cols, "shape": tuple(dims)}, "orthogonal")

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """gain · I for 2-D shapes."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        self.gain = gain
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .constant_op import constant

        dims = _shape_list(shape)
        if len(dims) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype)
        return constant(self.gain * np.eye(*dims), dtype=dtype, name="identity")

    def get_config(self):
        return {"gain": self.gain, "dtype": self.dtype.name}


def _orthogonal_shape(inputs, attrs):
    return [(TensorShape(list(attrs["shape"])), inputs[0].dtype.base_dtype)]


@register("OrthogonalFromNormal", shape=_orthogonal_shape, grad=NO_GRADIENT)
def _orthogonal_kernel(ctx, a, gain, transpose, shape):
    """Q of a = QR with the signs of diag(R) applied, transposed for wide shapes, scaled by gain."""
    xp = ctx.xp
    q, r = xp.linalg.qr(a)
    q = q * xp.sign(xp.diagonal(r))
    if transpose:
        q = q.T
    return (gain * q).reshape(shape).astype(a.dtype)


def lecun_normal(seed=None):
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed=None):
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed=None):
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed=None):
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
identity_initializer = Identity

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal",
           "UniformUnitScaling", "VarianceScaling", "GlorotUniform", "GlorotNormal", "Orthogonal", "Identity",
           "compute_fans", "zeros_initializer", "ones_initializer", "constant_initializer",
           "random_uniform_initializer", "random_normal_initializer", "truncated_normal_initializer",
           "uniform_unit_scaling_initializer", "variance_scaling_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "orthogonal_initializer", "identity_initializer", "lecun_normal",
           "lecun_uniform", "he_normal", "he_uniform"]
