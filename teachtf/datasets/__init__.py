"""teachtf.datasets: MNIST, Fashion-MNIST and CIFAR-10 that work offline and online (teachtf only; DESIGN.md §5).

    ds = teachtf.datasets.mnist()            # search path, else download into ~/.cache/teachtf/mnist
    ds.train_images.shape                    # (60000, 28, 28) uint8
    teachtf.datasets.mnist(fallback="t10k")  # offline lesson: a labelled stand-in when the files are missing

Search order: the `path` you pass, `$TEACHTF_DATA_DIR/<name>`, `~/.cache/teachtf/<name>`,
system folders (`/usr/share/datasets/fashion-mnist`), then the public mirrors
(checksums verified, atomic writes). Instructors pre-seed a shared folder with
`python -m teachtf.datasets download mnist --dir /srv/data/mnist`.
"""

from __future__ import annotations

from .catalog import DATASETS, get_spec
from .download import CacheNotWritableError, ChecksumError
from .fallback import get_fallback, set_fallback
from .idx import IdxFormatError, read_idx
from .loaders import Dataset, cifar10, download, load_idx_dataset
from .locate import DatasetNotFoundError, cache_root, search_dirs

__all__ = ["CacheNotWritableError", "ChecksumError", "Dataset", "DatasetNotFoundError", "IdxFormatError", "cifar10",
           "download", "fashion_mnist", "get_fallback", "load", "mnist", "read_idx", "search_path",
           "set_fallback", "cache_root", "available"]


def mnist(path=None, download: bool = True, fallback=None, verbose: bool = True) -> Dataset:
    """MNIST: uint8 images [60000, 28, 28] / [10000, 28, 28] and labels.

    `fallback` ('t10k', 'digits' or a list tried in order) opts into a labelled
    offline stand-in when the real files are missing and cannot be downloaded.
    """
    return load_idx_dataset("mnist", path, download, fallback, verbose=verbose)


def fashion_mnist(path=None, download: bool = True, fallback=None, verbose: bool = True) -> Dataset:
    """Fashion-MNIST: the same layout as MNIST (Debian: `apt install dataset-fashion-mnist`)."""
    return load_idx_dataset("fashion_mnist", path, download, fallback, verbose=verbose)


def load(name: str, path=None, download: bool = True, **kwargs) -> Dataset:
    """`mnist`, `fashion_mnist` or `cifar10` by name."""
    spec = get_spec(name)
    if spec.name == "cifar10":
        return cifar10(path, download, **kwargs)
    return load_idx_dataset(spec.name, path, download, **kwargs)


def search_path(name: str, path=None) -> list:
    """The folders searched for dataset `name`, in order."""
    return [d.path for d in search_dirs(get_spec(name), path)]


def available() -> list:
    """The names of the datasets teachtf can load."""
    return sorted(DATASETS)
