"""tf.keras.regularizers: L1, L2 and L1+L2 weight penalties usable as `kernel_regularizer=`."""

from __future__ import annotations

__all__ = ["L1L2", "Regularizer", "l1", "l1_l2", "l2"]


class Regularizer:
    """Maps a weight tensor to a scalar penalty."""

    def __call__(self, x):
        return 0.0


class L1L2(Regularizer):
    """penalty(x) = l1·Σ|x| + l2·Σx² (no factor 1/2, as in Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        import teachtf as tf

        penalty = 0.0
        if self.l1:
            penalty += self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            penalty += self.l2 * tf.reduce_sum(tf.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def l1(l=0.01) -> L1L2:  # noqa: E741 - Keras's parameter name
    return L1L2(l1=l)


def l2(l=0.01) -> L1L2:  # noqa: E741
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)
