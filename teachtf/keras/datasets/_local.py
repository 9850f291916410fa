"""Finding Keras-style dataset files without downloading."""

from __future__ import annotations

import os

import numpy as np


def keras_cache_dir() -> str:
    """`$KERAS_HOME/datasets` or `~/.keras/datasets`, where Keras keeps its downloads."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def load_npz(path: str) -> tuple:
    """((x_train, y_train), (x_test, y_test)) from a Keras `mnist.npz` file."""
    with np.load(path, allow_pickle=False) as f:
        try:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
        except KeyError as e:
            raise ValueError(f"{path} lacks {e}; a Keras dataset .npz holds x_train, y_train, x_test, y_test") \
                from None


def load_idx(name: str, folder=None) -> tuple:
    """((x_train, y_train), (x_test, y_test)) from IDX files on teachtf.datasets' search path (no download)."""
    from ...datasets.loaders import load_idx_dataset

    ds = load_idx_dataset(name, path=folder, download=False, fallback=(), verbose=False)
    return ds.as_keras_tuples()
