"""The fused update ops of the optimizers: one stateful op per variable and step (TF1's training_ops).

Each `Apply*` op takes the variable and its slots as references (`ref_inputs`),
the hyperparameters as scalars of the variable's dtype, and the gradient. Its
kernel reads the current values, applies the update formula of the TF1 kernel
(the single place each formula lives), and writes the new values back through
`ctx.write_var`; it returns the variable's new value. Arrays are never updated
in place: a value read earlier in the same run stays valid, and a failed run
leaves every variable as it was.
"""

from __future__ import annotations

import numpy as np

from ..backend import parallel as _parallel
from ..framework import errors
from ..framework.graph import Tensor
from ..ops.registry import NO_GRADIENT, apply, register
from ..ops.state_ops import _ref_tensor
from ..ops.step_buffers import reusable

__all__: list[str] = []


# -- shared checks ------------------------------------------------------------------------------------


def _update_shape(ref_names, scalar_names):
    """Shape function for an update op with inputs `ref_names + scalar_names + ['grad']`."""

    def shape(inputs, attrs):
        var = inputs[0]
        dt = var.dtype.base_dtype
        names = ref_names + scalar_names + ["grad"]
        for name, t in zip(names[1:], inputs[1:]):
            if t.dtype.base_dtype != dt:
                raise TypeError(f"Input '{name}' has type {t.dtype.base_dtype.name} that does not match type "
                                f"{dt.name} of argument 'var'.")
        for name, t in zip(ref_names[1:], inputs[1:len(ref_names)]):
            if not t.shape.is_compatible_with(var.shape):
                raise ValueError(f"Slot '{name}' has shape {t.shape}, but the variable has shape {var.shape}.")
        for name, t in zip(scalar_names, inputs[len(ref_names):-1]):
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims}: '{name}' must be a scalar.")
        grad = inputs[-1]
        if not grad.shape.is_compatible_with(var.shape):
            raise ValueError(f"The gradient has shape {grad.shape}, but the variable has shape {var.shape}; they "
                             "must be equal.")
        return [(var.shape, dt)]

    return shape


def _check_runtime(ctx, var, grad, names, scalars):
    """Run-time checks for fed values the static shapes could not prove (kept cheap: this runs every step)."""
    if grad.shape != var.shape:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"var and grad do not have the same shape{list(var.shape)} {list(grad.shape)}")
    for name, s in zip(names, scalars):
        if s.ndim:
            raise errors.InvalidArgumentError(None, ctx.op, f"{name} is not a scalar: {list(s.shape)}")


def _write(ctx, key, value):
    """Stores a new value; 0-d NumPy math returns NumPy scalars, which are stored as 0-d arrays."""
    if isinstance(value, np.generic):
        value = np.asarray(value)
    ctx.write_var(key, value)


# Elements per block of a fused CPU update: its ~10 elementwise passes then run in cache instead of streaming
# the whole variable through memory each time (measured: Adam on a 3136×1024 float32 variable 14.6 → 10 ms).
_BLOCK = 1 << 16


# Blocks per thread at the least when an update's blocks are shared among threads (CPU).
_MIN_BLOCKS_PER_PART = 4


def _blocks(xp, size: int) -> list:
    """Slices covering a flat array of `size` elements: cache-sized blocks on the CPU, one slice on a GPU."""
    if xp is not np or size <= _BLOCK:
        return [slice(0, size)]
    return [slice(i, min(i + _BLOCK, size)) for i in range(0, size, _BLOCK)]


def _build(op_type, refs, scalars, grad, name, grad_first=False, **flags):
    """The update op with inputs refs + scalars + [grad] (TF1's order; refs + [grad] + scalars for `grad_first`)."""
    refs = [_ref_tensor(r) for r in refs]
    inputs = refs + [grad] + list(scalars) if grad_first else refs + list(scalars) + [grad]
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op_type}: expected Tensors, got {t!r:.60}")
    return apply(op_type, inputs, {k: bool(v) for k, v in flags.items()}, name or op_type)


# -- gradient descent -----------------------------------------------------------------------------------


@register("ApplyGradientDescent", shape=_update_shape(["var"], ["alpha"]), grad=NO_GRADIENT, stateful=True,
          ref_inputs=(0,))
def _apply_gradient_descent(ctx, var, alpha, delta, use_locking=False):
    w = ctx.read_var(var)
    _check_runtime(ctx, w, delta, ("alpha",), (alpha,))
    w = w - alpha * delta
    _write(ctx, var, w)
    return w


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None) -> Tensor:
    """var ← var − alpha·delta."""
    return _build("ApplyGradientDescent", [var], [alpha], delta, name, use_locking=use_locking)


# -- momentum ----------------------------------------------------------------------------------------------------


@register("ApplyMomentum", shape=_update_shape(["var", "accum"], ["lr", "momentum"]), grad=NO_GRADIENT,
          stateful=True, ref_inputs=(0, 1))
def _apply_momentum(ctx, var, accum, lr, momentum, grad, use_locking=False, use_nesterov=False):
    w, a = ctx.read_var(var), ctx.read_var(accum)
    _check_runtime(ctx, w, grad, ("lr", "momentum"), (lr, momentum))
    a = a * momentum
    a += grad
    if use_nesterov:
        step = grad * lr
        step += a * momentum * lr
    else:
        step = a * lr
    w = w - step
    _write(ctx, accum, a)
    _write(ctx, var, w)
    return w


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None) -> Tensor:
    """accum ← momentum·accum + grad; var ← var − lr·accum (Nesterov: var − lr·(grad + momentum·accum))."""
    return _build("ApplyMomentum", [var, accum], [lr, momentum], grad, name, use_locking=use_locking,
                  use_nesterov=use_nesterov)


# -- adagrad ---------------------------------------------------------------------------------------------------


@register("ApplyAdagrad", shape=_update_shape(["var", "accum"], ["lr"]), grad=NO_GRADIENT, stateful=True,
          ref_inputs=(0, 1))
def _apply_adagrad(ctx, var, accum, lr, grad, use_locking=False):
    w, s = ctx.read_var(var), ctx.read_var(accum)
    _check_runtime(ctx, w, grad, ("lr",), (lr,))
    s = grad * grad + s
    step = grad * lr
    step /= ctx.xp.sqrt(s)
    w = w - step
    _write(ctx, accum, s)
    _write(ctx, var, w)
    return w


def apply_adagrad(var, accum, lr, grad, use_locking=False, name=None) -> Tensor:
    """accum ← accum + grad²; var ← var − lr·grad/√accum (no epsilon)."""
    return _build("ApplyAdagrad", [var, accum], [lr], grad, name, use_locking=use_locking)


# -- RMSProp ---------------------------------------------------------------------------------------------------


@register("ApplyRMSProp", shape=_update_shape(["var", "ms", "mom"], ["lr", "rho", "momentum", "epsilon"]),
          grad=NO_GRADIENT, stateful=True, ref_inputs=(0, 1, 2))
def _apply_rms_prop(ctx, var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False):
    w, s, m = ctx.read_var(var), ctx.read_var(ms), ctx.read_var(mom)
    _check_runtime(ctx, w, grad, ("lr", "rho", "momentum", "epsilon"), (lr, rho, momentum, epsilon))
    one = w.dtype.type(1)  # keeps 0-d float32 math in float32 on every NumPy version
    s_new = grad * grad
    s_new -= s
    s_new *= one - rho
    s = s_new + s
    step = grad * lr
    step /= ctx.xp.sqrt(s + epsilon)
    step += m * momentum
    m = step
    w = w - m
    _write(ctx, ms, s)
    _write(ctx, mom, m)
    _write(ctx, var, w)
    return w


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None) -> Tensor:
    """ms ← ρ·ms + (1−ρ)·grad²; mom ← μ·mom + lr·grad/√(ms + ε); var ← var − mom."""
    return _build("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon], grad, name,
                  use_locking=use_locking)


@register("ApplyCenteredRMSProp",
          shape=_update_shape(["var", "mg", "ms", "mom"], ["lr", "rho", "momentum", "epsilon"]),
          grad=NO_GRADIENT, stateful=True, ref_inputs=(0, 1, 2, 3))
def _apply_centered_rms_prop(ctx, var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False):
    w, g_avg, s, m = ctx.read_var(var), ctx.read_var(mg), ctx.read_var(ms), ctx.read_var(mom)
    _check_runtime(ctx, w, grad, ("lr", "rho", "momentum", "epsilon"), (lr, rho, momentum, epsilon))
    one = w.dtype.type(1)  # keeps 0-d float32 math in float32 on every NumPy version
    s_new = grad * grad
    s_new -= s
    s_new *= one - rho
    s = s_new + s
    g_new = grad - g_avg
    g_new *= one - rho
    g_avg = g_new + g_avg
    denom = s - g_avg * g_avg
    denom += epsilon
    step = grad * lr
    step /= ctx.xp.sqrt(denom)
    step += m * momentum
    m = step
    w = w - m
    _write(ctx, mg, g_avg)
    _write(ctx, ms, s)
    _write(ctx, mom, m)
    _write(ctx, var, w)
    return w


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False,
                            name=None) -> Tensor:
    """As RMSProp with mg ← ρ·mg + (1−ρ)·grad and the denominator √(ms − mg² + ε)."""
    return _build("ApplyCenteredRMSProp", [var, mg, ms, mom], [lr, rho, momentum, epsilon], grad, name,
                  use_locking=use_locking)


# -- Adadelta ------------------------------------------------------------------------------------------------


@register("ApplyAdadelta", shape=_update_shape(["var", "accum", "accum_update"], ["lr", "rho", "epsilon"]),
          grad=NO_GRADIENT, stateful=True, ref_inputs=(0, 1, 2))
def _apply_adadelta(ctx, var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False):
    xp = ctx.xp
    w, a, u = ctx.read_var(var), ctx.read_var(accum), ctx.read_var(accum_update)
    _check_runtime(ctx, w, grad, ("lr", "rho", "epsilon"), (lr, rho, epsilon))
    one = w.dtype.type(1)  # keeps 0-d float32 math in float32 on every NumPy version
    a = a * rho
    a += grad * grad * (one - rho)
    update = xp.sqrt(u + epsilon)
    update /= xp.sqrt(a + epsilon)
    update *= grad
    w = w - update * lr
    u = u * rho
    u += update * update * (one - rho)
    _write(ctx, accum, a)
    _write(ctx, accum_update, u)
    _write(ctx, var, w)
    return w


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None) -> Tensor:
    """A ← ρA + (1−ρ)g²; Δ ← √(U+ε)/√(A+ε)·g; var ← var − lr·Δ; U ← ρU + (1−ρ)Δ²."""
    return _build("ApplyAdadelta", [var, accum, accum_update], [lr, rho, epsilon], grad, name, use_locking=use_locking)


# -- Adam ---------------------------------------------------------------------------------------------------------


_ADAM_SCALARS = ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon")


@register("ApplyAdam", shape=_update_shape(["var", "m", "v"], list(_ADAM_SCALARS)),
          grad=NO_GRADIENT, stateful=True, ref_inputs=(0, 1, 2))
def _apply_adam(ctx, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
                use_nesterov=False):
    xp = ctx.xp
    w, m1, v1 = ctx.read_var(var), ctx.read_var(m), ctx.read_var(v)
    _check_runtime(ctx, w, grad, _ADAM_SCALARS, (beta1_power, beta2_power, lr, beta1, beta2, epsilon))
    one = w.dtype.type(1)  # keeps 0-d float32 math in float32 on every NumPy version
    alpha = lr * xp.sqrt(one - beta2_power) / (one - beta1_power)
    c1, c2 = one - beta1, one - beta2
    w_flat, m_flat, v_flat, g_flat = (xp.ravel(a) for a in (w, m1, v1, grad))
    # New values go to buffers the session's state does not hold (a failed run must leave it as it was).
    m_new, v_new, w_new = (reusable(ctx, name, w_flat.shape, w.dtype, keep=2) for name in ("m", "v", "var"))
    blocks = _blocks(xp, w_flat.size)
    parts = _parallel.part_slices(len(blocks), _parallel.num_parts(len(blocks), _MIN_BLOCKS_PER_PART))

    def run(p):
        part = parts[p]
        denom = xp.empty(blocks[0].stop - blocks[0].start, w.dtype)  # scratch reused by the part's blocks
        for sl in blocks[part]:
            _adam_block(xp, sl, g_flat, m_flat, v_flat, w_flat, m_new, v_new, w_new, denom, alpha, c1, c2,
                        beta1, epsilon, use_nesterov)

    _parallel.run_parts(run, len(parts))
    m1, v1, w = m_new.reshape(w.shape), v_new.reshape(w.shape), w_new.reshape(w.shape)
    _write(ctx, m, m1)
    _write(ctx, v, v1)
    _write(ctx, var, w)
    return w


def _adam_block(xp, sl, g_flat, m_flat, v_flat, w_flat, m_new, v_new, w_new, denom, alpha, c1, c2, beta1,
                epsilon, use_nesterov):
    """One block of Adam's update, in place in the new buffers."""
    g, m_b, v_b, d = g_flat[sl], m_new[sl], v_new[sl], denom[:sl.stop - sl.start]
    xp.subtract(g, m_flat[sl], out=m_b)  # m + (1−β1)·(g − m)
    m_b *= c1
    m_b += m_flat[sl]
    xp.multiply(g, g, out=v_b)  # v + (1−β2)·(g² − v)
    v_b -= v_flat[sl]
    v_b *= c2
    v_b += v_flat[sl]
    xp.sqrt(v_b, out=d)
    d += epsilon
    step = w_new[sl]
    if use_nesterov:
        xp.multiply(g, c1, out=step)
        step += beta1 * m_b
        step *= alpha
    else:
        xp.multiply(m_b, alpha, out=step)
    step /= d
    xp.subtract(w_flat[sl], step, out=step)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
               use_nesterov=False, name=None) -> Tensor:
    """lr_t = lr·√(1−β2^t)/(1−β1^t); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; var ← var − lr_t·m/(√v + ε)."""
    return _build("ApplyAdam", [var, m, v], [beta1_power, beta2_power, lr, beta1, beta2, epsilon], grad,
                  name, use_locking=use_locking,
                  use_nesterov=use_nesterov)
