"""What teachtf knows about each dataset: file names, sizes, checksums, mirrors and folder names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its standard name, size in bytes and MD5 (as published by its authors)."""

    name: str
    size: int
    md5: str
    sha256: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: `files` maps a role (train_images, ...) to its RemoteFile."""

    name: str
    title: str
    files: dict
    mirrors: tuple
    folder_names: tuple
    system_dirs: tuple
    class_names: tuple
    license: str
    homepage: str
    extra: dict = field(default_factory=dict)


_IDX_ROLES = ("train_images", "train_labels", "test_images", "test_labels")

MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    files={
        "train_images": RemoteFile("train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        "train_labels": RemoteFile("train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"),
        "test_images": RemoteFile("t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"),
        "test_labels": RemoteFile("t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c"),
    },
    mirrors=("https://storage.googleapis.com/cvdf-datasets/mnist/",
             "https://ossci-datasets.s3.amazonaws.com/mnist/",
             "http://yann.lecun.com/exdb/mnist/"),
    folder_names=("mnist", "MNIST", "MNIST_data"),
    system_dirs=("/usr/share/datasets/mnist",),
    class_names=tuple(str(i) for i in range(10)),
    license="CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
    homepage="http://yann.lecun.com/exdb/mnist/",
)

FASHION_MNIST = DatasetSpec(
    name="fashion_mnist",
    title="Fashion-MNIST",
    files={
        "train_images": RemoteFile("train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train_labels": RemoteFile("train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe"),
        "test_images": RemoteFile("t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79"),
        "test_labels": RemoteFile("t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310"),
    },
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
             "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
    folder_names=("fashion_mnist", "fashion-mnist"),
    system_dirs=("/usr/share/datasets/fashion-mnist",),  # Debian's dataset-fashion-mnist package
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"),
    license="MIT (Zalando SE)",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
)

CIFAR10_MEMBERS = tuple(f"data_batch_{i}.bin" for i in range(1, 6)) + ("test_batch.bin",)

CIFAR10 = DatasetSpec(
    name="cifar10",
    title="CIFAR-10",
    files={"archive": RemoteFile("cifar-10-binary.tar.gz", 170052171, "c32a1d4ab5d03f1284b67883e8d87530",
                                 "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    folder_names=("cifar10", "cifar-10", "CIFAR10"),
    system_dirs=("/usr/share/datasets/cifar10", "/usr/share/datasets/cifar-10"),
    class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    license="see https://www.cs.toronto.edu/~kriz/cifar.html (Alex Krizhevsky, 2009)",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    extra={"members": CIFAR10_MEMBERS, "folder": "cifar-10-batches-bin"},
)

DATASETS = {s.name: s for s in (MNIST, FASHION_MNIST, CIFAR10)}
_ALIASES = {"fashion-mnist": "fashion_mnist", "fashion": "fashion_mnist", "cifar-10": "cifar10",
            "cifar": "cifar10"}


def get_spec(name: str) -> DatasetSpec:
    """The spec of dataset `name` ('mnist', 'fashion_mnist', 'cifar10'; a few spellings accepted)."""
    key = _ALIASES.get(name.lower(), name.lower())
    try:
        return DATASETS[key]
    except KeyError:
        raise ValueError(f"Unknown dataset {name!r}; teachtf.datasets knows {sorted(DATASETS)}") from None


def idx_roles() -> tuple:
    return _IDX_ROLES
