"""The real MNIST test set in ../shared/data/mnist, split as the accuracy tests use it: train on the first 8,000
images, test on the last 2,000. Read straight from the IDX gzip files (not through the loaders under test)."""

import gzip
from pathlib import Path

import numpy as np
import pytest

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _read_idx(name: str, offset: int) -> np.ndarray:
    with gzip.open(MNIST / name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def train_test_split():
    """(train_x, train_y, test_x, test_y): images [N, 28, 28] float32 in [0, 1], labels int64; skips without data."""
    if not (MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST files not found in {MNIST}")
    images = _read_idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28).astype(np.float32) / 255.0
    labels = _read_idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return images[:8000], labels[:8000], images[8000:], labels[8000:]


def shuffled_batches(count: int, batch_size: int, epochs: int, seed: int = 0):
    """Index arrays of `batch_size` (the last of an epoch may be smaller) over `epochs` reshuffled passes."""
    rng = np.random.default_rng(seed)
    for _epoch in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, batch_size):
            yield order[start:start + batch_size]
