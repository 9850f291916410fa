"""Loading MNIST, Fashion-MNIST and CIFAR-10 into NumPy arrays, from the search path or a download."""

from __future__ import annotations

import os
import tarfile
import uuid
from dataclasses import dataclass

import numpy as np

from . import fallback as _fallback
from . import idx
from .catalog import DatasetSpec, get_spec, idx_roles
from .download import NetworkUnreachableError, downloads_allowed, ensure_writable_dir, fetch
from .locate import (DatasetNotFoundError, SearchDir, cache_dir, find_file, find_files, not_found_message,
                     search_dirs)


@dataclass
class Dataset:
    """Arrays of one dataset: uint8 images ([N, 28, 28] or [N, 32, 32, 3]) and uint8 labels [N].

    `source` says where the data came from; `stand_in` is None for the real
    data, else a description of the offline stand-in that replaced it.
    """

    name: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    class_names: tuple
    source: str
    stand_in: str | None = None
    files: dict | None = None

    def as_keras_tuples(self) -> tuple:
        """((x_train, y_train), (x_test, y_test)), as `tf.keras.datasets.*.load_data()` returns."""
        return (self.train_images, self.train_labels), (self.test_images, self.test_labels)

    def __repr__(self):
        tag = f", stand_in={self.stand_in!r}" if self.stand_in else ""
        return (f"Dataset({self.name!r}, train={self.train_images.shape}, test={self.test_images.shape}, "
                f"source={self.source!r}{tag})")


# -- MNIST-style (IDX) datasets -------------------------------------------------------------------------


def locate_idx_files(spec: DatasetSpec, path=None, download: bool = False, download_dir=None, mirrors=None,
                     progress: bool = True, fallback_note: str = "") -> dict:
    """{role: path} of the four IDX files; downloads missing ones when `download`, else DatasetNotFoundError."""
    found = find_files(spec, idx_roles(), path)
    missing = [r for r, p in found.items() if p is None]
    if missing and download:
        target = os.fspath(download_dir) if download_dir is not None else cache_dir(spec)
        errors = []
        for role in missing:
            try:
                found[role] = fetch(spec.files[role], mirrors or spec.mirrors, target, progress)
            except NetworkUnreachableError as e:
                errors.append(f"{e}\n  (no mirror is reachable: is this machine offline?)")
                break
            except OSError as e:
                errors.append(str(e))
        missing = [r for r, p in found.items() if p is None]
        if missing:
            attempts = "Download attempts:\n  " + "\n  ".join(errors)
            raise DatasetNotFoundError(not_found_message(spec, missing, found, path,
                                                         "\n".join(filter(None, [fallback_note, attempts]))))
    if missing:
        raise DatasetNotFoundError(not_found_message(spec, missing, found, path, fallback_note))
    return found


def fallback_hint(spec: DatasetSpec) -> str:
    """The line of the not-found message that explains the opt-in stand-ins."""
    kinds = "'t10k' (real test images split 8,000/2,000)" + (", 'digits' (scikit-learn's 8x8 digits, not MNIST)"
                                                              if spec.name == "mnist" else "")
    return (f"  - for an offline lesson, opt into a labelled stand-in: fallback=... with {kinds}, e.g. "
            f"teachtf.datasets.{spec.name}(fallback='t10k') or read_data_sets(..., fallback='t10k'); or "
            "teachtf.datasets.set_fallback('t10k') once before the classic code.")


def stand_in_dataset(spec: DatasetSpec, kinds, path=None, verbose: bool = True) -> Dataset | None:
    """The first available stand-in among `kinds`, or None."""
    for kind in kinds:
        if kind == "t10k":
            dirs = search_dirs(spec, path)
            ti = find_file(spec.files["test_images"].name, dirs)
            tl = find_file(spec.files["test_labels"].name, dirs)
            if ti is None or tl is None:
                continue
            images, labels = idx.read_images(ti), idx.read_labels(tl)
            n = _fallback.T10K_TRAIN
            ds = Dataset(spec.name, images[:n], labels[:n], images[n:], labels[n:], spec.class_names,
                         f"{os.path.dirname(ti)} (test files only)", _fallback.describe(kind, spec.title),
                         {"test_images": ti, "test_labels": tl})
        elif kind == "digits":
            if spec.name != "mnist":
                continue
            tri, trl, tei, tel = _fallback.digits_arrays()
            ds = Dataset("digits", tri, trl, tei, tel, spec.class_names, "scikit-learn load_digits",
                         _fallback.describe(kind, spec.title))
        else:  # pragma: no cover - normalize() rejects unknown kinds
            continue
        if verbose:
            print(ds.stand_in)
        return ds
    return None


def load_idx_dataset(name: str, path=None, download: bool = True, fallback=None, download_dir=None, mirrors=None,
                     progress: bool = True, verbose: bool = True) -> Dataset:
    """MNIST or Fashion-MNIST as uint8 arrays, found on the search path, downloaded, or (opt-in) a stand-in."""
    spec = get_spec(name)
    kinds = _fallback.normalize(fallback)
    download = download and downloads_allowed()
    try:
        files = locate_idx_files(spec, path, download, download_dir, mirrors, progress,
                                 "" if kinds else fallback_hint(spec))
    except DatasetNotFoundError:
        ds = stand_in_dataset(spec, kinds, path, verbose)
        if ds is None:
            raise
        return ds
    source = os.path.dirname(files["train_images"])
    return Dataset(spec.name, idx.read_images(files["train_images"]), idx.read_labels(files["train_labels"]),
                   idx.read_images(files["test_images"]), idx.read_labels(files["test_labels"]), spec.class_names,
                   source, None, files)


# -- CIFAR-10 ------------------------------------------------------------------------------------------------

_RECORD = 1 + 32 * 32 * 3


def parse_cifar_batch(data: bytes, name: str) -> tuple:
    """(images uint8 [N, 32, 32, 3], labels uint8 [N]) of one CIFAR-10 binary batch (1 label + 3072 pixel bytes)."""
    if len(data) % _RECORD:
        raise idx.IdxFormatError(f"{name} is not a CIFAR-10 binary batch: {len(data)} bytes is not a multiple of "
                                 f"{_RECORD}")
    rec = np.frombuffer(data, np.uint8).reshape(-1, _RECORD)
    labels = rec[:, 0].copy()
    if labels.size and labels.max() > 9:
        raise idx.IdxFormatError(f"{name} has label {labels.max()}; CIFAR-10 labels are 0..9")
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels


def _cifar_members_from_dir(folder: str, members) -> dict | None:
    for d in (os.path.join(folder, "cifar-10-batches-bin"), folder):
        paths = {m: os.path.join(d, m) for m in members}
        if all(os.path.isfile(p) for p in paths.values()):
            out = {}
            for m, p in paths.items():
                with open(p, "rb") as f:
                    out[m] = f.read()
            return out
    return None


def _cifar_members_from_archive(archive: str, members) -> dict:
    out = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info in tar.getmembers():
                base = os.path.basename(info.name)
                if info.isfile() and base in members:
                    out[base] = tar.extractfile(info).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise idx.IdxFormatError(f"{archive} is not a readable CIFAR-10 archive ({e}); delete it and download "
                                 "again.") from None
    absent = [m for m in members if m not in out]
    if absent:
        raise idx.IdxFormatError(f"{archive} lacks {absent}")
    return out


def _extract_cifar(archive: str, dest_dir: str, members) -> None:
    """Writes the expected members of the archive (and nothing else) to dest_dir/cifar-10-batches-bin atomically."""
    data = _cifar_members_from_archive(archive, members)
    final = os.path.join(dest_dir, "cifar-10-batches-bin")
    tmp = f"{final}.part-{uuid.uuid4().hex[:8]}"
    os.makedirs(tmp)
    for m, blob in data.items():
        with open(os.path.join(tmp, m), "wb") as f:
            f.write(blob)
    if os.path.isdir(final):
        for m in os.listdir(tmp):
            os.replace(os.path.join(tmp, m), os.path.join(final, m))
        os.rmdir(tmp)
    else:
        os.replace(tmp, final)


def cifar10(path=None, download: bool = True, download_dir=None, mirrors=None, progress: bool = True) -> Dataset:
    """CIFAR-10 (binary version) as uint8 images [N, 32, 32, 3] and labels [N]: 50,000 train, 10,000 test."""
    spec = get_spec("cifar10")
    members = spec.extra["members"]
    dirs = search_dirs(spec, path)
    blobs, source = None, None
    for d in dirs:
        blobs = _cifar_members_from_dir(d.path, members)
        if blobs is not None:
            source = d.path
            break
        archive = os.path.join(d.path, spec.files["archive"].name)
        if os.path.isfile(archive):
            blobs, source = _cifar_members_from_archive(archive, members), archive
            break
    if blobs is None and download and downloads_allowed():
        target = os.fspath(download_dir) if download_dir is not None else cache_dir(spec)
        ensure_writable_dir(target)
        try:
            archive = fetch(spec.files["archive"], mirrors or spec.mirrors, target, progress)
        except OSError as e:
            raise DatasetNotFoundError(not_found_message(spec, ["archive"], {}, path, f"Download attempts: {e}")
                                       ) from None
        _extract_cifar(archive, target, members)
        os.remove(archive)
        blobs, source = _cifar_members_from_dir(target, members), target
    if blobs is None:
        raise DatasetNotFoundError(not_found_message(
            spec, ["archive"], {}, path, "  (the extracted folder cifar-10-batches-bin/ with data_batch_1..5.bin "
                                         "and test_batch.bin is accepted too)"))
    parts = [parse_cifar_batch(blobs[m], m) for m in members[:5]]
    test_images, test_labels = parse_cifar_batch(blobs[members[5]], members[5])
    return Dataset("cifar10", np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                   test_images, test_labels, spec.class_names, source)


def download(name: str, dir=None, mirrors=None, progress: bool = True) -> str:
    """Downloads dataset `name` into `dir` (default: the user cache), skipping files already there; returns the folder.

    Files are verified against their published checksums and written atomically.
    Raises OSError (listing each mirror's failure) when a file cannot be fetched.
    """
    spec = get_spec(name)
    target = os.fspath(dir) if dir is not None else cache_dir(spec)
    if spec.name == "cifar10":
        cifar10(path=target, download=True, download_dir=target, mirrors=mirrors, progress=progress)
        return target
    ensure_writable_dir(target)
    here = [SearchDir(target, "target")]
    failures = []
    for role in idx_roles():
        if find_file(spec.files[role].name, here) is None:
            try:
                fetch(spec.files[role], mirrors or spec.mirrors, target, progress)
            except OSError as e:
                failures.append(str(e))
    if failures:
        raise OSError("\n".join(failures))
    return target
