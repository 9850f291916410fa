"""tf.keras.datasets.mnist.load_data, from local files only."""

from __future__ import annotations

import os

from ._local import keras_cache_dir, load_idx, load_npz

__all__ = ["load_data"]


def load_data(path: str = "mnist.npz") -> tuple:
    """((x_train, y_train), (x_test, y_test)): uint8 images [60000, 28, 28] / [10000, 28, 28] and uint8 labels.

    Reads `path` (or `~/.keras/datasets/<path>`) when it exists, else the IDX
    files on teachtf.datasets' search path. Never downloads: use
    `python -m teachtf.datasets download mnist` for that.
    """
    for candidate in (path, os.path.join(keras_cache_dir(), path)):
        if os.path.isfile(candidate):
            return load_npz(candidate)
    return load_idx("mnist")
