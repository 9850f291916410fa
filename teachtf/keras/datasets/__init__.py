"""tf.keras.datasets: `mnist` and `fashion_mnist` (local files only)."""

from . import fashion_mnist, mnist  # noqa: F401

__all__ = ["fashion_mnist", "mnist"]
