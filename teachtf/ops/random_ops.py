"""Random ops (API.md §5): random_normal, truncated_normal, random_uniform, random_shuffle, multinomial,
random_crop.

Each run draws fresh numbers. Kernels draw from `ctx.rng()`, the op's own
Generator in the session, seeded from (graph seed of `tf.set_random_seed`, op
seed `seed=` or the op's index) — so with a seed, a program reproduces its own
sequences run after run (API.md §0: TF's exact sequences are not reproduced).
The ops are stateful: they are never treated as constants.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .array_ops import _shape_arg, _static_dims, shape, slice
from .constant_op import constant_value, convert_to_tensor
from .math_ops import add, check_dtype
from .registry import NO_GRADIENT, apply, register

__all__ = ["random_normal", "truncated_normal", "random_uniform", "random_shuffle", "multinomial", "random_crop"]

_FLOATS = ("float16", "float32", "float64")


def _seed_attr(seed):
    return None if seed is None else int(seed)


def _random_shape(inputs, attrs):
    shp = inputs[0]
    check_dtype(shp, ("int32", "int64"), "shape")
    dims = _static_dims(shp)
    return [(TensorShape(dims), attrs["dtype"])]


def _draw_float(rng, size, dtype, method):
    """Draws float32/float64 directly; float16 via float32 (NumPy's generators have no float16)."""
    np_dt = dtype.as_numpy_dtype
    draw_dt = np_dt if np_dt in (np.float32, np.float64) else np.float32
    out = getattr(rng, method)(size, dtype=draw_dt)
    if out.dtype == np_dt:
        return out
    out = out.astype(np_dt)
    if method == "random":  # keep [0, 1) half-open after rounding to float16
        out = out.clip(None, np.nextafter(np_dt(1), np_dt(0)))
    return out


@register("RandomStandardNormal", shape=_random_shape, grad=NO_GRADIENT, stateful=True)
def _standard_normal_kernel(ctx, shape_, dtype, seed=None):
    return _draw_float(ctx.rng(), tuple(shape_.tolist()), dtype, "standard_normal")


@register("TruncatedNormal", shape=_random_shape, grad=NO_GRADIENT, stateful=True)
def _truncated_normal_kernel(ctx, shape_, dtype, seed=None):
    rng = ctx.rng()
    out = _draw_float(rng, tuple(shape_.tolist()), dtype, "standard_normal")
    bad = ctx.xp.abs(out) > 2
    while bool(bad.any()):  # re-draw (not clip) values beyond 2 standard deviations
        n = int(bad.sum())
        out[bad] = _draw_float(rng, (n,), dtype, "standard_normal")
        bad = ctx.xp.abs(out) > 2
    return out


@register("RandomUniform", shape=_random_shape, grad=NO_GRADIENT, stateful=True)
def _uniform_kernel(ctx, shape_, dtype, seed=None):
    return _draw_float(ctx.rng(), tuple(shape_.tolist()), dtype, "random")


def _uniform_int_shape(inputs, attrs):
    shp, lo, hi = inputs
    check_dtype(shp, ("int32", "int64"), "shape")
    for t, n in ((lo, "minval"), (hi, "maxval")):
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims} ({n} must be a scalar)")
    return [(TensorShape(_static_dims(shp)), lo.dtype.base_dtype)]


@register("RandomUniformInt", shape=_uniform_int_shape, grad=NO_GRADIENT, stateful=True)
def _uniform_int_kernel(ctx, shape_, lo, hi, seed=None):
    low, high = int(lo), int(hi)
    if low >= high:
        raise errors.InvalidArgumentError(None, ctx.op, f"Need minval < maxval: {low} >= {high}")
    return ctx.rng().integers(low, high, size=tuple(shape_.tolist()), dtype=lo.dtype)


def _float_dtype(dtype, fn):
    dt = dtypes.as_dtype(dtype).base_dtype
    if dt.name not in _FLOATS:
        raise ValueError(f"Invalid dtype {dt!r} for {fn}: use float16, float32 or float64")
    return dt


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Normal samples N(mean, stddev²) of `shape` (a fresh sample each run); mean and stddev may be tensors."""
    dt = _float_dtype(dtype, "random_normal")
    with _graph.name_scope(name, "random_normal", [shape, mean, stddev]) as scope:
        shape_t = _shape_arg(shape)
        mean_t = convert_to_tensor(mean, dtype=dt, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dt, name="stddev")
        rnd = apply("RandomStandardNormal", [shape_t], {"dtype": dt, "seed": _seed_attr(seed)},
                    "RandomStandardNormal")
        return add(rnd * stddev_t, mean_t, name=scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Normal samples where values more than 2·stddev from the mean are re-drawn (not clipped)."""
    dt = _float_dtype(dtype, "truncated_normal")
    with _graph.name_scope(name, "truncated_normal", [shape, mean, stddev]) as scope:
        shape_t = _shape_arg(shape)
        mean_t = convert_to_tensor(mean, dtype=dt, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dt, name="stddev")
        rnd = apply("TruncatedNormal", [shape_t], {"dtype": dt, "seed": _seed_attr(seed)}, "TruncatedNormal")
        return add(rnd * stddev_t, mean_t, name=scope)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Uniform samples in [minval, maxval). maxval defaults to 1 for floats; integer dtypes need maxval."""
    dt = dtypes.as_dtype(dtype).base_dtype
    if dt.name not in _FLOATS + ("int32", "int64"):
        raise ValueError(f"Invalid dtype {dt!r}")
    if maxval is None:
        if dt.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
        maxval = 1
    with _graph.name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_arg(shape)
        lo = convert_to_tensor(minval, dtype=dt, name="min")
        hi = convert_to_tensor(maxval, dtype=dt, name="max")
        if dt.is_integer:
            return apply("RandomUniformInt", [shape_t, lo, hi], {"seed": _seed_attr(seed)}, scope)
        rnd = apply("RandomUniform", [shape_t], {"dtype": dt, "seed": _seed_attr(seed)}, "RandomUniform")
        return add(rnd * (hi - lo), lo, name=scope)


@register("RandomShuffle", shape=lambda i, a: [(i[0].shape, i[0].dtype.base_dtype)], grad=NO_GRADIENT,
          stateful=True)
def _shuffle_kernel(ctx, x, seed=None):
    if x.ndim == 0 or x.shape[0] < 2:
        return x
    order = ctx.xp.argsort(ctx.rng().random(x.shape[0]))  # a uniform permutation (CuPy's Generator has none)
    return x[order]


def random_shuffle(value, seed=None, name=None) -> Tensor:
    """`value` with its first dimension randomly permuted (a new permutation each run)."""
    return apply("RandomShuffle", [convert_to_tensor(value)], {"seed": _seed_attr(seed)}, name or "RandomShuffle")


def _multinomial_shape(inputs, attrs):
    logits, n = inputs
    check_dtype(logits, _FLOATS, "logits")
    if logits.shape.ndims not in (None, 2):
        raise ValueError(f"logits should be a matrix [batch_size, num_classes], got shape {logits.shape}")
    k = constant_value(n)
    batch = logits.shape[0].value if logits.shape.ndims == 2 else None
    return [([batch, None if k is None else int(k)], attrs["output_dtype"])]


@register("Multinomial", shape=_multinomial_shape, grad=NO_GRADIENT, stateful=True)
def _multinomial_kernel(ctx, logits, num_samples, output_dtype, seed=None):
    xp = ctx.xp
    n = int(num_samples)
    z = logits.astype(np.float64)
    p = xp.exp(z - z.max(axis=1, keepdims=True))
    cdf = xp.cumsum(p, axis=1)
    cdf = cdf / cdf[:, -1:]
    u = ctx.rng().random((z.shape[0], n))
    # The class of each draw is the number of cdf entries below it.
    idx = (u[:, :, None] >= cdf[:, None, :]).sum(axis=-1)
    return xp.minimum(idx, z.shape[1] - 1).astype(output_dtype.as_numpy_dtype)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None) -> Tensor:
    """[batch, num_samples] class indices drawn from softmax(logits) of each row (int64)."""
    out_dt = dtypes.int64 if output_dtype is None else dtypes.as_dtype(output_dtype).base_dtype
    with _graph.name_scope(name, "multinomial", [logits]):
        logits = convert_to_tensor(logits, name="logits")
        return apply("Multinomial", [logits, convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")],
                     {"output_dtype": out_dt, "seed": _seed_attr(seed)}, "Multinomial")


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A random block of `size` from `value` (a new offset each run)."""
    with _graph.name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size_t = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        sv = constant_value(size_t)
        if sv is not None and value.shape.ndims is not None:
            sv = np.asarray(sv).reshape(-1).tolist()
            dims = value.shape.as_list()
            if len(sv) != len(dims) or any(d is not None and s > d for s, d in zip(sv, dims)):
                raise ValueError(f"Need value.shape >= size, got {value.shape} and {sv}")
        limit = shape(value) - size_t + 1
        offset = random_uniform(shape(limit), dtype=dtypes.int32, maxval=dtypes.int32.max, seed=seed) % limit
        return slice(value, offset, size_t, name=scope)
