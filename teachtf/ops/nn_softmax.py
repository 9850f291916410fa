"""Softmax, log-softmax and the softmax cross-entropies of tf.nn (API.md §10.2, §19).

All four are single fused ops computed stably (shift by the row maximum).
The cross-entropy ops also output `backprop = softmax − labels`, which their
gradient reuses; a gradient arriving at that second output (second-order
differentiation) is handled through the softmax Jacobian, so hessians work.
"""

from __future__ import annotations

from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .array_ops import expand_dims, stop_gradient
from .constant_op import convert_to_tensor
from .math_ops import cast, exp, reduce_sum
from .nn_util import normalize_axis, require_float, require_int_labels, resolve_xent_args
from .registry import apply, register

# -- kernels' shared math ------------------------------------------------------------------------------


def _log_softmax_array(xp, x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_array(xp, x, axis):
    e = xp.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _axis_attr(logits: Tensor, axis, what: str) -> int:
    """The class axis, validated against the static rank (InvalidArgumentError when out of range, as TF1)."""
    axis = -1 if axis is None else int(axis)
    if logits.shape.ndims == 0:
        return axis  # the op's shape function reports the rank error
    try:
        return normalize_axis(axis, logits.shape.ndims, what)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None


def _expand(t: Tensor, axis: int) -> Tensor:
    return expand_dims(t, axis)


# -- Softmax / LogSoftmax --------------------------------------------------------------------------------


def _softmax_shape(inputs, attrs):
    x = inputs[0]
    require_float(x, "logits")
    if x.shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    return [(x.shape, x.dtype.base_dtype)]


def _softmax_grad(op, grad):
    y = op.outputs[0]
    axis = op.get_attr("axis")
    return [(grad - reduce_sum(grad * y, axis, keepdims=True)) * y]


def _log_softmax_grad(op, grad):
    axis = op.get_attr("axis")
    return [grad - reduce_sum(grad, axis, keepdims=True) * exp(op.outputs[0])]


@register("Softmax", shape=_softmax_shape, grad=_softmax_grad)
def _softmax_kernel(ctx, x, axis):
    if x.size == 0:
        return ctx.xp.empty_like(x)
    return _softmax_array(ctx.xp, x, axis)


@register("LogSoftmax", shape=_softmax_shape, grad=_log_softmax_grad)
def _log_softmax_kernel(ctx, x, axis):
    if x.size == 0:
        return ctx.xp.empty_like(x)
    return _log_softmax_array(ctx.xp, x, axis)


def _pick_axis(axis, dim):
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    return dim if axis is None else axis


def softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """exp(x − max x) / Σ exp(x − max x) along `axis` (default: the last axis); any rank ≥ 1."""
    x = convert_to_tensor(logits, name="logits")
    return apply("Softmax", [x], {"axis": _axis_attr(x, _pick_axis(axis, dim), "dim")}, name or "Softmax")


def log_softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """x − logsumexp(x) along `axis` (default: the last axis)."""
    x = convert_to_tensor(logits, name="logits")
    return apply("LogSoftmax", [x], {"axis": _axis_attr(x, _pick_axis(axis, dim), "dim")}, name or "LogSoftmax")


# -- dense labels --------------------------------------------------------------------------------------


def _xent_shape(inputs, attrs):
    logits, labels = inputs
    require_float(logits, "features")
    if labels.dtype.base_dtype != logits.dtype.base_dtype:
        raise TypeError(f"labels has dtype {labels.dtype.base_dtype.name} but logits has dtype "
                        f"{logits.dtype.base_dtype.name}")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape, received ({logits.shape} vs "
                         f"{labels.shape})")
    shape = logits.shape.merge_with(labels.shape)
    if shape.ndims == 0:
        raise ValueError("logits and labels must be at least rank 1, received a scalar")
    loss_shape = TensorShape(None)
    if shape.ndims is not None:
        axis = attrs["axis"] % shape.ndims
        loss_shape = TensorShape([d for i, d in enumerate(shape.as_list()) if i != axis])
    return [(loss_shape, logits.dtype.base_dtype), (shape, logits.dtype.base_dtype)]


def _softmax_jacobian_product(logits: Tensor, v: Tensor, axis: int) -> Tensor:
    """J_softmax(logits)ᵀ·v = (v − Σ v·s)·s: the gradient reaching the logits through the `backprop` output."""
    s = softmax(logits, axis=axis)
    return (v - reduce_sum(v * s, axis, keepdims=True)) * s


def _is_filled_zeros(grad: Tensor, output: Tensor) -> bool:
    """True for the zeros tf.gradients puts on an output nobody differentiated through."""
    return grad.op.type == "ZerosLike" and grad.op.inputs[0] is output


def _xent_grad(op, grad_loss, grad_backprop):
    logits = op.inputs[0]
    axis = op.get_attr("axis")
    g = _expand(grad_loss, axis)
    grad_logits = g * op.outputs[1]
    if grad_backprop is not None and not _is_filled_zeros(grad_backprop, op.outputs[1]):
        grad_logits = grad_logits + _softmax_jacobian_product(logits, grad_backprop, axis)
    grad_labels = g * -log_softmax(logits, axis=axis)
    return [grad_logits, grad_labels]


@register("SoftmaxCrossEntropyWithLogits", shape=_xent_shape, grad=_xent_grad)
def _xent_kernel(ctx, logits, labels, axis):
    xp = ctx.xp
    log_p = _log_softmax_array(xp, logits, axis)
    loss = -(labels * log_p).sum(axis=axis)
    return loss, xp.exp(log_p) - labels


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None) -> Tensor:
    """−Σ labels·log_softmax(logits) along `axis` (shape: logits' without that axis); labels get a gradient too.

    Labels are cast to the logits' dtype. Expects raw logits, not softmax outputs.
    """
    with _graph.name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        require_float(logits, "logits")
        labels = cast(labels, logits.dtype.base_dtype)
        ax = _axis_attr(logits, _pick_axis(axis, dim), "axis")
        loss, _ = apply("SoftmaxCrossEntropyWithLogits", [logits, labels], {"axis": ax}, scope)
        return loss


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                      axis=None) -> Tensor:
    """TF1's v1 form: keyword-only `labels=`, `logits=`; the labels receive no gradient.

    Lenient (API.md §19): the pre-1.0 positional order (logits, labels[, dim]) is accepted with a warning;
    strict mode raises TF 1.15's ValueError.
    """
    labels, logits, dim = resolve_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits, dim)
    if axis is not None and dim == -1:
        dim = None  # `axis=` with the default `dim` (TF 1.15 rejects this combination; it is unambiguous)
    with _graph.name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis, name=scope, dim=dim)


# -- sparse labels -----------------------------------------------------------------------------------------


def _sparse_xent_shape(inputs, attrs):
    logits, labels = inputs
    require_float(logits, "features")
    require_int_labels(labels)
    ls, ys = logits.shape, labels.shape
    if ls.ndims is not None and ys.ndims is not None:
        if ys.ndims != ls.ndims - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {ys.ndims}) should equal rank of logits "
                             f"minus 1 (received {ls.ndims}).")
        if not ys.is_compatible_with(ls[:-1]):
            raise ValueError(f"Shape mismatch: The shape of labels (received {ys}) should equal the shape of "
                             f"logits except for the last dimension (received {ls}).")
    if ls.ndims == 0:
        raise ValueError("logits must be at least rank 1, received a scalar")
    loss_shape = ys if ls.ndims is None else ls[:-1].merge_with(ys)
    backprop_shape = ls if ls.ndims is None else loss_shape.concatenate(ls[-1:])
    return [(loss_shape, logits.dtype.base_dtype), (backprop_shape, logits.dtype.base_dtype)]


def _sparse_xent_grad(op, grad_loss, grad_backprop):
    grad_logits = _expand(grad_loss, -1) * op.outputs[1]
    if grad_backprop is not None and not _is_filled_zeros(grad_backprop, op.outputs[1]):
        grad_logits = grad_logits + _softmax_jacobian_product(op.inputs[0], grad_backprop, -1)
    return [grad_logits, None]


@register("SparseSoftmaxCrossEntropyWithLogits", shape=_sparse_xent_shape, grad=_sparse_xent_grad)
def _sparse_xent_kernel(ctx, logits, labels):
    xp = ctx.xp
    n_classes = logits.shape[-1]
    if labels.size:
        bad = (labels < 0) | (labels >= n_classes)
        if bool(bad.any()):
            first = int(labels[bad].reshape(-1)[0])
            shown = " ".join(str(int(v)) for v in labels.reshape(-1)[:50].tolist())
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Received a label value of {first} which is outside the valid range of "
                              f"[0, {n_classes}).  Label values: {shown}")
    log_p = _log_softmax_array(xp, logits, -1)
    idx = labels[..., None].astype(xp.int64)
    loss = -xp.take_along_axis(log_p, idx, axis=-1)[..., 0]
    onehot = xp.arange(n_classes) == idx
    return loss, xp.exp(log_p) - onehot


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None) -> Tensor:
    """−log_softmax(logits)[label] per example; labels are int32/int64 class ids of shape logits.shape[:-1].

    A label outside [0, num_classes) raises InvalidArgumentError when run. Lenient pre-1.0
    positional (logits, labels) as for the dense form.
    """
    labels, logits, _ = resolve_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with _graph.name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels, name="labels")
        logits = convert_to_tensor(logits, name="logits")
        loss, _ = apply("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], {},
                        "SparseSoftmaxCrossEntropyWithLogits")
        return loss


__all__ = ["softmax", "log_softmax", "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits"]
