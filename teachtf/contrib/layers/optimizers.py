"""tf.contrib.layers.optimize_loss: a training op from a loss, an optimizer and a learning rate in one call."""

from __future__ import annotations

from ...framework import graph as _graph
from ...framework.graph import GraphKeys, Tensor
from ...framework.variable_scope import get_variable, variable_scope
from ...ops import init_ops
from ...ops.constant_op import convert_to_tensor
from ...ops.control_flow_ops import identity
from ...ops.math_ops import cast, clip_by_global_norm, global_norm
from ...ops.random_ops import truncated_normal
from ...ops.variables import trainable_variables
from ...train.global_step import assert_global_step, get_global_step
from ...train.optimizer import Optimizer


def _optimizer_classes() -> dict:
    from ... import train

    return {"Adagrad": train.AdagradOptimizer, "Adam": train.AdamOptimizer,
            "Momentum": lambda learning_rate: train.MomentumOptimizer(learning_rate, momentum=0.9),
            "RMSProp": train.RMSPropOptimizer, "SGD": train.GradientDescentOptimizer}


OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm", "global_gradient_norm"]


def _with_dependencies(deps, output: Tensor) -> Tensor:
    with _graph.control_dependencies(list(deps)):
        return identity(output)


def _learning_rate(learning_rate):
    if learning_rate is None:
        return None
    if isinstance(learning_rate, Tensor) and learning_rate.shape.ndims == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"Invalid learning_rate {learning_rate}.")
        return get_variable("learning_rate", [], trainable=False,
                            initializer=init_ops.constant_initializer(learning_rate))
    raise ValueError(f"Learning rate should be 0d Tensor or float. Got {learning_rate} of type "
                     f"{type(learning_rate)}")


def _make_optimizer(optimizer, lr):
    if isinstance(optimizer, str):
        classes = _optimizer_classes()
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is string ({optimizer}).")
        if optimizer not in classes:
            raise ValueError(f"Optimizer name should be one of [{', '.join(classes)}], you provided {optimizer}.")
        return classes[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is class ({optimizer}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if lr is not None else optimizer()
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Unrecognized optimizer: function should return subclass of Optimizer. Got {opt}.")
        return opt
    raise ValueError(f"Unrecognized optimizer: should be string, subclass of Optimizer, instance of subclass of "
                     f"Optimizer or function with one argument. Got {optimizer}.")


def _transform_gradients(grads_and_vars, gradient_noise_scale, gradient_multipliers):
    out = []
    for grad, var in grads_and_vars:
        if grad is not None and gradient_noise_scale is not None:
            grad = grad + truncated_normal(grad.shape.as_list(), dtype=grad.dtype.base_dtype) * gradient_noise_scale
        if grad is not None and gradient_multipliers is not None:
            key = var if var in gradient_multipliers else var.name
            if key in gradient_multipliers:
                grad = grad * cast(gradient_multipliers[key], grad.dtype.base_dtype)
        out.append((grad, var))
    return out


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None, gradient_multipliers=None,
                  clip_gradients=None, learning_rate_decay_fn=None, update_ops=None, variables=None, name=None,
                  summaries=None, colocate_gradients_with_ops=False, increment_global_step=True) -> Tensor:
    """Returns the loss, computed after one optimizer step on `variables` (default: all trainable).

    optimizer: 'SGD', 'Adam', 'Adagrad', 'Momentum' (0.9), 'RMSProp', an Optimizer class or instance, or a
    function of the learning rate. A float learning_rate becomes the variable `OptimizeLoss/learning_rate`.
    UPDATE_OPS run before the loss; `clip_gradients` (float) clips by global norm. Summaries default to
    loss, learning_rate and global_gradient_norm.
    """
    from ... import summary

    loss = convert_to_tensor(loss)
    if loss.shape.ndims not in (None, 0):
        raise ValueError(f"Expected scalar shape for {loss.name}, saw shape: {loss.shape}.")
    if global_step is None:
        global_step = get_global_step()
    else:
        assert_global_step(global_step)
    if summaries is None:
        summaries = ["loss", "learning_rate", "global_gradient_norm"]
    for s in summaries:
        if s not in OPTIMIZER_SUMMARIES:
            raise ValueError(f"Summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}], you provided {s}.")
    with variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = list(dict.fromkeys(_graph.get_collection(GraphKeys.UPDATE_OPS)))
        if update_ops:
            loss = _with_dependencies(update_ops, loss)
        lr = _learning_rate(learning_rate)
        if lr is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
        if lr is not None and "learning_rate" in summaries:
            summary.scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, lr)
        if variables is None:

            variables = trainable_variables()
        grads_and_vars = opt.compute_gradients(loss, variables,
                                               colocate_gradients_with_ops=colocate_gradients_with_ops)
        grads_and_vars = _transform_gradients(grads_and_vars, gradient_noise_scale, gradient_multipliers)
        present = [g for g, _ in grads_and_vars if g is not None]
        if present and ("global_gradient_norm" in summaries or "gradient_norm" in summaries):
            summary.scalar("global_norm/gradient_norm", global_norm(present))
        if isinstance(clip_gradients, float):
            grads, variables_ = zip(*grads_and_vars)
            clipped, _ = clip_by_global_norm(list(grads), clip_gradients)
            grads_and_vars = list(zip(clipped, variables_))
        elif callable(clip_gradients):
            grads_and_vars = clip_gradients(grads_and_vars)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients")
        if "loss" in summaries:
            summary.scalar("loss", loss)
        for grad, var in grads_and_vars:
            if grad is None:
                continue
            var_name = var.op.name
            if "gradients" in summaries:
                summary.histogram("gradients/" + var_name, grad)
            if "gradient_norm" in summaries:
                summary.scalar("gradient_norm/" + var_name, global_norm([grad]))
        grad_updates = opt.apply_gradients(grads_and_vars, global_step=global_step if increment_global_step else None,
                                           name="train")
        return _with_dependencies([grad_updates], loss)


__all__ = ["OPTIMIZER_SUMMARIES", "optimize_loss"]
