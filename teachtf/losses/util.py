"""The loss collections of tf.losses: add_loss, get_losses, get_regularization_loss(es), get_total_loss."""

from __future__ import annotations

from ..framework.graph import GraphKeys, Tensor, add_to_collection, get_collection
from ..ops.constant_op import constant
from ..ops.math_ops import add_n


def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    """Adds `loss` to `loss_collection` (nothing when the collection is None or empty)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection`, filtered by name `scope` (a regex matched at the start) when given."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    """The REGULARIZATION_LOSSES collection (filled by variables created with a regularizer)."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss") -> Tensor:
    """The sum of the regularization losses, or the float32 constant 0.0 when there are none."""
    losses = get_regularization_losses(scope)
    if losses:
        return add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None) -> Tensor:
    """add_n of every loss in LOSSES, plus the regularization losses by default.

    Raises ValueError when there is no loss at all.
    """
    losses = list(get_losses(scope=scope))
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("get_total_loss: there are no losses in the LOSSES collection (nor regularization "
                         "losses) to add. Build a loss with tf.losses.* or call tf.losses.add_loss first.")
    return add_n(losses, name=name)
