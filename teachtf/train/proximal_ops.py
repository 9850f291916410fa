"""The fused update ops of the proximal optimizers (TF1's ApplyProximalGradientDescent, ApplyProximalAdagrad,
ApplyFtrl, ApplyFtrlV2): gradient steps followed by the L1/L2 proximal shrinkage.

Like every op of `training_ops.py`, each reads its variable and slots, computes new arrays (never in place, so a
failed run leaves them as they were) and writes them back. Hyperparameters are scalars of the variable's dtype.
ApplyProximalAdagrad checks at run time, as TF1's kernel does, for a positive learning rate and non-negative
strengths; the FTRL ops check the same and a non-positive lr_power (a zero rate would otherwise turn every weight
into NaN); ApplyProximalGradientDescent, like TF1's, accepts any scalars.
"""

from __future__ import annotations

from ..framework import errors
from ..framework.graph import Tensor
from ..ops.registry import NO_GRADIENT, register
from .training_ops import _build, _check_runtime, _update_shape, _write

__all__: list[str] = []


def _require(ctx, ok: bool, message: str) -> None:
    if not ok:
        raise errors.InvalidArgumentError(None, ctx.op, message)


def _check_strengths(ctx, lr, l1, l2):
    _require(ctx, lr > 0, f"lr is not a positive scalar: {lr}")
    _require(ctx, l1 >= 0, f"l1 regularization strength is not a non-negative scalar: {l1}")
    _require(ctx, l2 >= 0, f"l2 regularization strength is not a non-negative scalar: {l2}")


def _shrink(xp, prox, threshold, l1, denom):
    """The proximal step of λ1·|w| + λ2/2·w²: sign(p)·max(|p| − threshold, 0)/denom, or p/denom when l1 = 0."""
    if l1 > 0:
        return xp.sign(prox) * xp.maximum(xp.abs(prox) - threshold, 0) / denom
    return prox / denom


# -- proximal gradient descent -------------------------------------------------------------------------------


@register("ApplyProximalGradientDescent", shape=_update_shape(["var"], ["alpha", "l1", "l2"]), grad=NO_GRADIENT,
          stateful=True, ref_inputs=(0,))
def _apply_proximal_gradient_descent(ctx, var, alpha, l1, l2, delta, use_locking=False):
    w = ctx.read_var(var)
    _check_runtime(ctx, w, delta, ("alpha", "l1", "l2"), (alpha, l1, l2))
    one = w.dtype.type(1)
    w = _shrink(ctx.xp, w - delta * alpha, alpha * l1, l1, one + alpha * l2)
    _write(ctx, var, w)
    return w


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None) -> Tensor:
    """p = var − alpha·delta; var ← sign(p)·max(|p| − alpha·l1, 0)/(1 + alpha·l2)."""
    return _build("ApplyProximalGradientDescent", [var], [alpha, l1, l2], delta, name, use_locking=use_locking)


# -- proximal Adagrad ---------------------------------------------------------------------------------------------


@register("ApplyProximalAdagrad", shape=_update_shape(["var", "accum"], ["lr", "l1", "l2"]), grad=NO_GRADIENT,
          stateful=True, ref_inputs=(0, 1))
def _apply_proximal_adagrad(ctx, var, accum, lr, l1, l2, grad, use_locking=False):
    xp = ctx.xp
    w, s = ctx.read_var(var), ctx.read_var(accum)
    _check_runtime(ctx, w, grad, ("lr", "l1", "l2"), (lr, l1, l2))
    _check_strengths(ctx, lr, l1, l2)
    s = grad * grad + s
    rate = lr / xp.sqrt(s)  # the per-element learning rate lr/√accum
    w = _shrink(xp, w - grad * rate, rate * l1, l1, w.dtype.type(1) + rate * l2)
    _write(ctx, accum, s)
    _write(ctx, var, w)
    return w


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None) -> Tensor:
    """accum ← accum + grad²; r = lr/√accum; p = var − r·grad; var ← sign(p)·max(|p| − r·l1, 0)/(1 + r·l2)."""
    return _build("ApplyProximalAdagrad", [var, accum], [lr, l1, l2], grad, name, use_locking=use_locking)


# -- FTRL-proximal ------------------------------------------------------------------------------------------------

# TF1's input order puts grad before the scalars: var, accum, linear, grad, lr, l1, l2, [l2_shrinkage,] lr_power.


def _ftrl_shape(scalar_names):
    check = _update_shape(["var", "accum", "linear"], scalar_names)

    def shape(inputs, attrs):
        return check(inputs[:3] + inputs[4:] + inputs[3:4], attrs)

    return shape


def _ftrl(ctx, var, accum, linear, grad, names, scalars):
    """Both FTRL ops: `scalars` are the hyperparameters named in `names` (l2_shrinkage only in ApplyFtrlV2)."""
    xp = ctx.xp
    w, a, z = ctx.read_var(var), ctx.read_var(accum), ctx.read_var(linear)
    _check_runtime(ctx, w, grad, names, scalars)
    hyper = dict(zip(names, scalars))
    lr, l1, l2, lr_power = hyper["lr"], hyper["l1"], hyper["l2"], hyper["lr_power"]
    l2_shrinkage = hyper.get("l2_shrinkage", 0)
    _check_strengths(ctx, lr, l1, l2)
    _require(ctx, l2_shrinkage >= 0, f"l2 shrinkage regularization strength is not a non-negative scalar: "
                                     f"{l2_shrinkage}")
    _require(ctx, lr_power <= 0, f"lr_power is not a non-positive scalar: {lr_power}")
    g_sq = grad * grad
    a_new = a + g_sq
    if lr_power == -0.5:
        sigma = (xp.sqrt(a_new) - xp.sqrt(a)) / lr
        y = xp.sqrt(a_new) / lr
    else:
        sigma = (a_new ** -lr_power - a ** -lr_power) / lr
        y = a_new ** -lr_power / lr
    shrunk = grad + 2 * l2_shrinkage * w if l2_shrinkage > 0 else grad
    z = z + (shrunk - sigma * w)
    y += 2 * l2
    w = xp.where(xp.abs(z) > l1, (l1 * xp.sign(z) - z) / y, w.dtype.type(0)).astype(w.dtype, copy=False)
    _write(ctx, accum, a_new)
    _write(ctx, linear, z)
    _write(ctx, var, w)
    return w


_FTRL_SCALARS = ["lr", "l1", "l2", "lr_power"]
_FTRL_V2_SCALARS = ["lr", "l1", "l2", "l2_shrinkage", "lr_power"]


@register("ApplyFtrl", shape=_ftrl_shape(_FTRL_SCALARS), grad=NO_GRADIENT, stateful=True, ref_inputs=(0, 1, 2))
def _apply_ftrl(ctx, var, accum, linear, grad, *scalars, use_locking=False):
    return _ftrl(ctx, var, accum, linear, grad, _FTRL_SCALARS, scalars)


@register("ApplyFtrlV2", shape=_ftrl_shape(_FTRL_V2_SCALARS), grad=NO_GRADIENT, stateful=True,
          ref_inputs=(0, 1, 2))
def _apply_ftrl_v2(ctx, var, accum, linear, grad, *scalars, use_locking=False):
    return _ftrl(ctx, var, accum, linear, grad, _FTRL_V2_SCALARS, scalars)


def apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, l2_shrinkage=None, use_locking=False,
               name=None) -> Tensor:
    """FTRL-proximal (McMahan et al. 2013), p = −lr_power:
    a' = a + g²; linear ← linear + ĝ − (a'^p − a^p)/lr·var (ĝ = g + 2·l2_shrinkage·var);
    var ← (sign(linear)·l1 − linear)/(a'^p/lr + 2·l2) where |linear| > l1, else 0; accum ← a'."""
    scalars = [lr, l1, l2] + ([] if l2_shrinkage is None else [l2_shrinkage]) + [lr_power]
    op_type = "ApplyFtrl" if l2_shrinkage is None else "ApplyFtrlV2"
    return _build(op_type, [var, accum, linear], scalars, grad, name, grad_first=True, use_locking=use_locking)
