"""tf.keras.datasets.fashion_mnist.load_data, from local files only."""

from __future__ import annotations

import os

from ._local import keras_cache_dir, load_idx

__all__ = ["load_data"]


def load_data() -> tuple:
    """((x_train, y_train), (x_test, y_test)) of Fashion-MNIST: uint8 images [N, 28, 28] and uint8 labels.

    Reads `~/.keras/datasets/fashion-mnist/` when it holds the four files, else
    teachtf.datasets' search path (Debian: /usr/share/datasets/fashion-mnist). Never downloads.
    """
    folder = os.path.join(keras_cache_dir(), "fashion-mnist")
    if os.path.isdir(folder):
        try:
            return load_idx("fashion_mnist", folder)
        except FileNotFoundError:
            pass
    return load_idx("fashion_mnist")
