"""Learning-rate schedules of tf.train (API.md §12.3), built from ordinary ops as TF 1.15 builds them.

Each returns a tensor recomputed on every run from the current `global_step`
(which may be an int32/int64 variable or any tensor). The dtype is the dtype of
`learning_rate` as a tensor: a Python float gives float32. The step and the
other numbers are cast to that dtype before the arithmetic, as in TF1.
"""

from __future__ import annotations

import math

from ..framework import graph as _graph
from ..ops.constant_op import constant, convert_to_tensor

__all__ = ["cosine_decay", "cosine_decay_restarts", "exponential_decay", "inverse_time_decay", "linear_cosine_decay",
           "natural_exp_decay", "piecewise_constant", "piecewise_constant_decay", "polynomial_decay"]


def _require_step(global_step, fn_name):
    if global_step is None:
        raise ValueError(f"global_step is required for {fn_name}.")


def _ops():
    from ..ops import math_ops

    return math_ops


def _start(learning_rate, global_step, *numbers):
    """learning_rate as a tensor, then the step and `numbers` cast to its dtype."""
    m = _ops()
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    dtype = lr.dtype.base_dtype
    if not dtype.is_floating:
        raise TypeError(f"learning_rate must be a floating-point value or tensor, got dtype {dtype.name}.")
    return [lr, m.cast(global_step, dtype)] + [m.cast(n, dtype) for n in numbers]


def _progress(step, steps, staircase: bool):
    """step / steps, floored to whole periods with `staircase`."""
    p = step / steps
    return _ops().floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """lr · decay_rate^(step / decay_steps); with `staircase` the exponent is ⌊step / decay_steps⌋."""
    _require_step(global_step, "exponential_decay")
    m = _ops()
    with _graph.name_scope(name, "ExponentialDecay") as scope:
        lr, step, steps, rate = _start(learning_rate, global_step, decay_steps, decay_rate)
        p = _progress(step, steps, staircase)
        return m.multiply(lr, m.pow(rate, p), name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """lr · e^(−decay_rate · step / decay_steps) (staircase floors step / decay_steps).

    Built as TF 1.15 builds it: exponential_decay with the rate e^(−decay_rate).
    """
    _require_step(global_step, "natural_exp_decay")
    m = _ops()
    with _graph.name_scope(name, "NaturalExpDecay"):
        natural_rate = m.exp(m.negative(convert_to_tensor(decay_rate, name="decay_rate")))
    lr = convert_to_tensor(learning_rate)
    return exponential_decay(lr, global_step, decay_steps, m.cast(natural_rate, lr.dtype.base_dtype),
                             staircase=staircase, name=name or "ExponentialDecay")


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """lr / (1 + decay_rate · step / decay_steps) (staircase floors step / decay_steps)."""
    _require_step(global_step, "inverse_time_decay")
    m = _ops()
    with _graph.name_scope(name, "InverseTimeDecay") as scope:
        lr, step, steps, rate = _start(learning_rate, global_step, decay_steps, decay_rate)
        p = _progress(step, steps, staircase)
        one = m.cast(constant(1), lr.dtype.base_dtype)
        return m.divide(lr, m.add(one, m.multiply(rate, p)), name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                     name=None):
    """(lr − end) · (1 − min(step, T)/T)^power + end; with `cycle`, T = decay_steps·⌈step/decay_steps⌉ (≥ 1 period)."""
    _require_step(global_step, "polynomial_decay")
    m = _ops()
    from ..ops import array_ops

    with _graph.name_scope(name, "PolynomialDecay") as scope:
        lr, step, end, pw, steps = _start(learning_rate, global_step, end_learning_rate, power, decay_steps)
        if cycle:
            # The first multiple of decay_steps at or above the step; 1 at step 0.
            periods = m.ceil(step / steps)
            multiplier = array_ops.where(m.equal(step, 0), array_ops.ones_like(periods), periods)
            steps = m.multiply(steps, multiplier)
        else:
            step = m.minimum(step, steps)
        p = m.divide(step, steps)
        return m.add(m.multiply(lr - end, m.pow(1 - p, pw)), end, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """lr · ((1 − α) · ½(1 + cos(π · min(step, T)/T)) + α)."""
    _require_step(global_step, "cosine_decay")
    m = _ops()
    with _graph.name_scope(name, "CosineDecay") as scope:
        lr, step, steps = _start(learning_rate, global_step, decay_steps)
        dtype = lr.dtype.base_dtype
        fraction = m.minimum(step, steps) / steps
        cosine = 0.5 * (1.0 + m.cos(constant(math.pi, dtype=dtype) * fraction))
        decayed = (1 - alpha) * cosine + alpha
        return m.multiply(lr, decayed, name=scope)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                          name=None):
    """SGDR: cosine decay restarted after T, T·t_mul, T·t_mul², … with peaks scaled by m_mul per restart."""
    _require_step(global_step, "cosine_decay_restarts")
    m = _ops()
    with _graph.name_scope(name, "SGDRDecay") as scope:
        lr, step, first, a, tm, mm = _start(learning_rate, global_step, first_decay_steps, alpha, t_mul, m_mul)
        dtype = lr.dtype.base_dtype
        fraction = step / first
        if t_mul == 1.0:
            i_restart = m.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = m.floor(m.log(1.0 - fraction * (1.0 - tm)) / m.log(tm))
            sum_r = (1.0 - m.pow(tm, i_restart)) / (1.0 - tm)
            fraction = (fraction - sum_r) / m.pow(tm, i_restart)
        m_fac = m.pow(mm, i_restart)
        cosine = 0.5 * m_fac * (1.0 + m.cos(constant(math.pi, dtype=dtype) * fraction))
        decayed = (1 - a) * cosine + a
        return m.multiply(lr, decayed, name=scope)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001, name=None):
    """lr · ((α + (T − t)/T) · ½(1 + cos(2π · num_periods · t/T)) + β) with t = min(step, T)."""
    _require_step(global_step, "linear_cosine_decay")
    m = _ops()
    with _graph.name_scope(name, "LinearCosineDecay") as scope:
        lr, step, steps, periods, a, b = _start(learning_rate, global_step, decay_steps, num_periods, alpha, beta)
        dtype = lr.dtype.base_dtype
        step = m.minimum(step, steps)
        linear = (steps - step) / steps
        fraction = 2.0 * periods * (step / steps)
        cosine = 0.5 * (1.0 + m.cos(constant(math.pi, dtype=dtype) * fraction))
        return m.multiply(lr, (a + linear) * cosine + b, name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x ≤ boundaries[0], values[i] while boundaries[i−1] < x ≤ boundaries[i], values[-1] after.

    int32 boundaries are promoted to an int64 `x`; other dtype mismatches raise ValueError.
    """
    m = _ops()
    from ..ops import array_ops

    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with _graph.name_scope(name, "PiecewiseConstant"):
        x = convert_to_tensor(x)
        bounds = [convert_to_tensor(b) for b in boundaries]
        vals = [convert_to_tensor(v) for v in values]
        xdt = x.dtype.base_dtype
        for i, b in enumerate(bounds):
            if b.dtype.base_dtype != xdt:
                if b.dtype.base_dtype.name == "int32" and xdt.name == "int64":
                    bounds[i] = m.cast(b, xdt)
                else:
                    raise ValueError(f"Boundaries ({b.dtype.base_dtype.name}) must have the same dtype as x "
                                     f"({xdt.name}).")
        for v in vals[1:]:
            if v.dtype.base_dtype != vals[0].dtype.base_dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({vals[0].dtype.base_dtype.name}"
                                 f" vs {v.dtype.base_dtype.name}).")
        # Walk down from the last interval: each test picks values[i] when x ≤ boundaries[i].
        out = vals[-1]
        for b, v in reversed(list(zip(bounds, vals[:-1]))):
            out = array_ops.where(m.less_equal(x, b), v, out)
        return out


piecewise_constant_decay = piecewise_constant
