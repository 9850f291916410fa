"""The classic MNIST loader: `from tensorflow.examples.tutorials.mnist import input_data` (API.md §20).

    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
    batch_xs, batch_ys = mnist.train.next_batch(100)

Unlike TF1 it never downloads: files are looked up in `train_dir`, then along
`teachtf.datasets`' search path ($TEACHTF_DATA_DIR, ~/.cache/teachtf, system
folders). When they are missing it raises an error saying how to provide them,
unless a labelled offline stand-in is requested (`fallback=`, teachtf only).
"""

from __future__ import annotations

import collections

import numpy as np

from ....datasets import fallback as _fallback
from ....datasets import idx as _idx
from ....datasets.catalog import get_spec
from ....datasets.loaders import fallback_hint, locate_idx_files, stand_in_dataset
from ....datasets.locate import DatasetNotFoundError
from ....framework import dtypes

__all__ = ["DataSet", "Datasets", "dense_to_one_hot", "extract_images", "extract_labels", "read_data_sets"]

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])
_REAL_TRAIN_SIZE = 60000


def _named(f):
    return getattr(f, "name", f)


def extract_images(f) -> np.ndarray:
    """uint8 images [N, rows, cols, 1] from an IDX images file object (or path); prints `Extracting <name>`.

    ValueError for a wrong magic number (not 2051) or a truncated or corrupt file.
    """
    print("Extracting", _named(f))
    images = _idx.read_images(f)
    return images.reshape(images.shape[0], images.shape[1], images.shape[2], 1)


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class ids [N] → float64 one-hot rows [N, num_classes]."""
    labels_dense = np.asarray(labels_dense)
    if labels_dense.size and (labels_dense.min() < 0 or labels_dense.max() >= num_classes):
        raise ValueError(f"dense_to_one_hot: labels must be in [0, {num_classes}), got values from "
                         f"{labels_dense.min()} to {labels_dense.max()}")
    num_labels = labels_dense.shape[0]
    one_hot = np.zeros((num_labels, num_classes))
    one_hot.flat[np.arange(num_labels) * num_classes + labels_dense.ravel()] = 1
    return one_hot


def extract_labels(f, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """uint8 labels [N] (or float64 one-hot [N, num_classes]) from an IDX labels file; prints `Extracting <name>`."""
    print("Extracting", _named(f))
    labels = _idx.read_labels(f)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _graph_seed():
    from ....framework.graph import get_default_graph

    return get_default_graph().seed


class DataSet:
    """Images and labels with TF1's shuffling `next_batch` (API.md §20).

    With `reshape`, images [N, 28, 28, 1] become [N, 784]; with dtype float32
    the uint8 pixels are multiplied by 1/255. The shuffling uses this DataSet's
    own NumPy RandomState (seeded by `seed`, else by the graph-level seed if set),
    never NumPy's global one.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                 seed=None):
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        self._rng = np.random.RandomState(seed if seed is not None else _graph_seed())
        self._fake = fake_data
        self.one_hot = one_hot
        self._dtype = dtype
        if fake_data:
            self._num_examples = 10000
            self._images = self._labels = None
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape} (the counts differ)")
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(f"reshape=True needs images [N, rows, cols, 1], got {images.shape}")
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = images.astype(np.float32) * np.float32(1.0 / 255.0)
            self._images = images
            self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _fake_batch(self, n):
        images = np.ones((n, 784), dtype=np.float32 if self._dtype == dtypes.float32 else np.uint8)
        if self.one_hot:
            labels = np.zeros((n, 10))
            labels[:, 0] = 1
        else:
            labels = np.zeros(n, dtype=np.uint8)
        return images, labels

    @property
    def images(self) -> np.ndarray:
        return self._fake_batch(self._num_examples)[0] if self._fake else self._images

    @property
    def labels(self) -> np.ndarray:
        return self._fake_batch(self._num_examples)[1] if self._fake else self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True) -> tuple:
        """The next `batch_size` examples; shuffles at the start of the first epoch and of each new epoch.

        At an epoch's end the remaining examples are topped up from the start of
        the next (reshuffled) epoch, so every batch has `batch_size` rows.
        """
        if fake_data or self._fake:
            return self._fake_batch(batch_size)
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(self._num_examples)
            self._rng.shuffle(perm0)
            self._images = self._images[perm0]
            self._labels = self._labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest = self._images[start:self._num_examples]
            labels_rest = self._labels[start:self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                self._rng.shuffle(perm)
                self._images = self._images[perm]
                self._labels = self._labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[start:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[start:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def _dataset_name(train_dir, source_url) -> str:
    """'fashion_mnist' when the folder or URL names Fashion-MNIST (its files have MNIST's names), else 'mnist'."""
    hints = f"{train_dir or ''} {source_url or ''}".lower()
    return "fashion_mnist" if "fashion" in hints else "mnist"


def _stand_in_arrays(spec, kinds, train_dir, one_hot, validation_size):
    ds = stand_in_dataset(spec, kinds, train_dir, verbose=True)
    if ds is None:
        return None
    train_images, test_images = ds.train_images[..., None], ds.test_images[..., None]
    train_labels, test_labels = ds.train_labels, ds.test_labels
    if one_hot:
        train_labels, test_labels = dense_to_one_hot(train_labels, 10), dense_to_one_hot(test_labels, 10)
    if validation_size > len(train_images) // 2:
        scaled = round(validation_size * len(train_images) / _REAL_TRAIN_SIZE)
        print(f"validation_size={validation_size} scaled to {scaled} for the smaller stand-in training set.")
        validation_size = scaled
    return train_images, train_labels, test_images, test_labels, validation_size


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None, *, fallback=None) -> Datasets:
    """`Datasets(train, validation, test)` from the four standard MNIST files, looked up offline.

    validation = the first `validation_size` training images, train = the rest,
    test = the t10k files. `source_url` is accepted and ignored (no downloads).
    `fallback` (teachtf only: 't10k', 'digits', or a list tried in order; default
    `teachtf.datasets.get_fallback()`) opts into a labelled stand-in when files are missing.
    """
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        return Datasets(train=fake(), validation=fake(), test=fake())
    spec = get_spec(_dataset_name(train_dir, source_url))
    kinds = _fallback.normalize(fallback)
    try:
        files = locate_idx_files(spec, train_dir, download=False,
                                 fallback_note="" if kinds else fallback_hint(spec))
    except DatasetNotFoundError:
        arrays = _stand_in_arrays(spec, kinds, train_dir, one_hot, validation_size)
        if arrays is None:
            raise
        train_images, train_labels, test_images, test_labels, validation_size = arrays
    else:
        with open(files["train_images"], "rb") as f:
            train_images = extract_images(f)
        with open(files["train_labels"], "rb") as f:
            train_labels = extract_labels(f, one_hot=one_hot)
        with open(files["test_images"], "rb") as f:
            test_images = extract_images(f)
        with open(files["test_labels"], "rb") as f:
            test_labels = extract_labels(f, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. Received: "
                         f"{validation_size}.")
    validation_images, validation_labels = train_images[:validation_size], train_labels[:validation_size]
    train_images, train_labels = train_images[validation_size:], train_labels[validation_size:]
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=DataSet(train_images, train_labels, **options),
                    validation=DataSet(validation_images, validation_labels, **options),
                    test=DataSet(test_images, test_labels, **options))


def load_mnist(train_dir="MNIST-data") -> Datasets:
    """`read_data_sets(train_dir)` (TF1's alias)."""
    return read_data_sets(train_dir)
