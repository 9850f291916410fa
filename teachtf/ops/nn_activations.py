"""Activation functions of tf.nn (API.md §10.1) with their gradient ops.

Each activation `F` is one op; its gradient is the op `FGrad(gradients, x_or_y)`,
itself differentiable where TF1 registers a second derivative (ReluGrad,
Relu6Grad, LeakyReluGrad, EluGrad, SeluGrad, SoftplusGrad), so gradients of
gradients work.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import Tensor
from .array_ops import concat, where, zeros_like
from .constant_op import convert_to_tensor
from .math_ops import cast, exp, less, multiply, negative, sigmoid
from .nn_util import require_float, require_real
from . import inplace
from .registry import apply, register

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _unary_shape(check, param="features"):
    def fn(inputs, attrs):
        check(inputs[0], param)
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    return fn


def _grad_shape(check):
    """Shape of `XGrad(gradients, features)`: both inputs share one shape and dtype."""
    def fn(inputs, attrs):
        g, x = inputs
        check(x, "features")
        if g.dtype.base_dtype != x.dtype.base_dtype:
            raise TypeError(f"gradients has dtype {g.dtype.base_dtype.name} but features has dtype "
                            f"{x.dtype.base_dtype.name}")
        if not g.shape.is_compatible_with(x.shape):
            raise ValueError(f"gradients shape {g.shape} and features shape {x.shape} must be equal")
        return [(g.shape.merge_with(x.shape), x.dtype.base_dtype)]

    return fn


def _sigmoid(xp, x):
    """Stable logistic function: 1 / (1 + e^-x) = exp(-softplus(-x))."""
    return xp.exp(-xp.logaddexp(x.dtype.type(0), -x))


# -- Relu ---------------------------------------------------------------------------------------------


@register("ReluGrad", shape=_grad_shape(require_real),
          grad=lambda op, grad: [relu_grad(grad, op.inputs[1]), zeros_like(op.inputs[1])])
def _relu_grad_kernel(ctx, g, x):
    return g * (x > 0)


def _relu_kernel(ctx, x):
    return ctx.xp.maximum(x, x.dtype.type(0))


register("Relu", shape=_unary_shape(require_real), grad=lambda op, grad: [relu_grad(grad, op.outputs[0])],
         inplace=inplace.elementwise(_relu_kernel, lambda xp: lambda x, out: xp.maximum(x, x.dtype.type(0), out=out))
         )(_relu_kernel)


def relu_grad(gradients, features, name=None) -> Tensor:
    """gradients where features > 0, else 0 (0 at features == 0)."""
    return apply("ReluGrad", [convert_to_tensor(gradients), convert_to_tensor(features)], {}, name or "ReluGrad")


def relu(features, name=None) -> Tensor:
    """max(features, 0)."""
    return apply("Relu", [convert_to_tensor(features, name="features")], {}, name or "Relu")


# -- Relu6 --------------------------------------------------------------------------------------------


@register("Relu6Grad", shape=_grad_shape(require_real),
          grad=lambda op, grad: [relu6_grad(grad, op.inputs[1]), zeros_like(op.inputs[1])])
def _relu6_grad_kernel(ctx, g, x):
    return g * ((x > 0) & (x < 6))


@register("Relu6", shape=_unary_shape(require_real), grad=lambda op, grad: [relu6_grad(grad, op.outputs[0])])
def _relu6_kernel(ctx, x):
    return ctx.xp.clip(x, x.dtype.type(0), x.dtype.type(6))


def relu6_grad(gradients, features, name=None) -> Tensor:
    """gradients where 0 < features < 6, else 0."""
    return apply("Relu6Grad", [convert_to_tensor(gradients), convert_to_tensor(features)], {}, name or "Relu6Grad")


def relu6(features, name=None) -> Tensor:
    """min(max(features, 0), 6)."""
    with _graph.name_scope(name, "Relu6", [features]) as scope:
        return apply("Relu6", [convert_to_tensor(features, name="features")], {}, scope)


# -- LeakyRelu ----------------------------------------------------------------------------------------


@register("LeakyReluGrad", shape=_grad_shape(require_float),
          grad=lambda op, grad: [leaky_relu_grad(grad, op.inputs[1], op.get_attr("alpha")),
                                 zeros_like(op.inputs[1])])
def _leaky_relu_grad_kernel(ctx, g, x, alpha):
    return ctx.xp.where(x > 0, g, g * alpha)


@register("LeakyRelu", shape=_unary_shape(require_float),
          grad=lambda op, grad: [leaky_relu_grad(grad, op.inputs[0], op.get_attr("alpha"))])
def _leaky_relu_kernel(ctx, x, alpha):
    return ctx.xp.where(x > 0, x, x * alpha)


def leaky_relu_grad(gradients, features, alpha=0.2, name=None) -> Tensor:
    return apply("LeakyReluGrad", [convert_to_tensor(gradients), convert_to_tensor(features)],
                 {"alpha": float(alpha)}, name or "LeakyReluGrad")


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """features where features > 0, else alpha·features (default alpha 0.2). Integers are cast to float32."""
    with _graph.name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        x = convert_to_tensor(features, name="features")
        if x.dtype.base_dtype.is_integer:
            x = cast(x, dtypes.float32)
        return apply("LeakyRelu", [x], {"alpha": float(alpha)}, scope)


# -- Elu and Selu (gradients from the outputs) ------------------------------------------------------------


def _elu_grad_grad(op, grad):
    y = op.inputs[1]
    return [elu_grad(grad, y), where(less(y, 0.0), grad * op.inputs[0], zeros_like(y))]


@register("EluGrad", shape=_grad_shape(require_float), grad=_elu_grad_grad)
def _elu_grad_kernel(ctx, g, y):
    return ctx.xp.where(y < 0, g * (y + 1), g)


@register("Elu", shape=_unary_shape(require_float), grad=lambda op, grad: [elu_grad(grad, op.outputs[0])])
def _elu_kernel(ctx, x):
    xp = ctx.xp
    return xp.where(x < 0, xp.expm1(xp.minimum(x, x.dtype.type(0))), x)


def elu_grad(gradients, outputs, name=None) -> Tensor:
    """gradients·(outputs + 1) where outputs < 0, else gradients."""
    return apply("EluGrad", [convert_to_tensor(gradients), convert_to_tensor(outputs)], {}, name or "EluGrad")


def elu(features, name=None) -> Tensor:
    """exp(x) − 1 for x < 0, else x."""
    return apply("Elu", [convert_to_tensor(features, name="features")], {}, name or "Elu")


def _selu_grad_grad(op, grad):
    y = op.inputs[1]
    return [selu_grad(grad, y), where(less(y, 0.0), grad * op.inputs[0], zeros_like(y))]


@register("SeluGrad", shape=_grad_shape(require_float), grad=_selu_grad_grad)
def _selu_grad_kernel(ctx, g, y):
    return ctx.xp.where(y < 0, g * (y + SELU_SCALE * SELU_ALPHA), g * SELU_SCALE)


@register("Selu", shape=_unary_shape(require_float), grad=lambda op, grad: [selu_grad(grad, op.outputs[0])])
def _selu_kernel(ctx, x):
    xp = ctx.xp
    neg = (SELU_SCALE * SELU_ALPHA) * xp.expm1(xp.minimum(x, x.dtype.type(0)))
    return xp.where(x < 0, neg, x * SELU_SCALE)


def selu_grad(gradients, outputs, name=None) -> Tensor:
    return apply("SeluGrad", [convert_to_tensor(gradients), convert_to_tensor(outputs)], {}, name or "SeluGrad")


def selu(features, name=None) -> Tensor:
    """scale·x for x > 0, else scale·alpha·(exp(x) − 1), with TF1's scale and alpha."""
    return apply("Selu", [convert_to_tensor(features, name="features")], {}, name or "Selu")


# -- Softplus and Softsign ------------------------------------------------------------------------------


def _softplus_grad_grad(op, grad):
    dy, x = op.inputs
    d2x = grad * dy / (exp(-x) + 2.0 + exp(x))
    return [softplus_grad(grad, x), d2x]


@register("SoftplusGrad", shape=_grad_shape(require_float), grad=_softplus_grad_grad)
def _softplus_grad_kernel(ctx, g, x):
    return g * _sigmoid(ctx.xp, x)


@register("Softplus", shape=_unary_shape(require_float), grad=lambda op, grad: [softplus_grad(grad, op.inputs[0])])
def _softplus_kernel(ctx, x):
    return ctx.xp.logaddexp(x.dtype.type(0), x)


def softplus_grad(gradients, features, name=None) -> Tensor:
    """gradients·sigmoid(features)."""
    return apply("SoftplusGrad", [convert_to_tensor(gradients), convert_to_tensor(features)], {},
                 name or "SoftplusGrad")


def softplus(features, name=None) -> Tensor:
    """ln(1 + eˣ), computed without overflow."""
    return apply("Softplus", [convert_to_tensor(features, name="features")], {}, name or "Softplus")


@register("SoftsignGrad", shape=_grad_shape(require_float))
def _softsign_grad_kernel(ctx, g, x):
    d = 1 + ctx.xp.abs(x)
    return g / (d * d)


@register("Softsign", shape=_unary_shape(require_float), grad=lambda op, grad: [softsign_grad(grad, op.inputs[0])])
def _softsign_kernel(ctx, x):
    return x / (1 + ctx.xp.abs(x))


def softsign_grad(gradients, features, name=None) -> Tensor:
    """gradients / (1 + |features|)²."""
    return apply("SoftsignGrad", [convert_to_tensor(gradients), convert_to_tensor(features)], {},
                 name or "SoftsignGrad")


def softsign(features, name=None) -> Tensor:
    """x / (1 + |x|)."""
    return apply("Softsign", [convert_to_tensor(features, name="features")], {}, name or "Softsign")


# -- composites -------------------------------------------------------------------------------------------


def swish(features, name=None) -> Tensor:
    """x·sigmoid(x)."""
    with _graph.name_scope(name, "swish", [features]) as scope:
        x = convert_to_tensor(features, name="features")
        require_float(x, "features")
        return multiply(x, sigmoid(x), name=scope)


def crelu(features, name=None, axis=-1) -> Tensor:
    """concat([relu(x), relu(−x)], axis): twice the channels."""
    with _graph.name_scope(name, "CRelu", [features]) as scope:
        x = convert_to_tensor(features, name="features")
        c = concat([x, negative(x)], axis, name="concat")
        return relu(c, name=scope)


__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign", "swish", "crelu"]
