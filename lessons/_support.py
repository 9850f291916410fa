"""Helpers shared by the lessons: self-checks, data lookup, image grids and a summary viewer.

Nothing here builds TensorFlow graphs: every TF1 program a learner should read stays in the notebooks.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["CheckFailedError", "MNIST_FILES", "accuracy_floor", "check", "check_close", "check_equal", "data_dir",
           "has_full_dataset", "load_mnist", "missing_files", "pick_dataset", "plot_histograms", "show_images"]

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FULL_TRAIN_SIZE = 55000   # read_data_sets' training split of the complete files (60,000 − 5,000 validation)


# --------------------------------------------------------------------------------------------- self-checks

class CheckFailedError(AssertionError):
    """A self-check that did not pass. In Jupyter it shows as one line with the hint, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of printing a traceback
        return [str(self)]


def check(label: str, ok: bool, hint: str = "") -> None:
    """Print `✓ label` when `ok`; otherwise raise CheckFailedError with `✗ label — hint`.

    Failing loudly keeps automated runs (CI, nbval) honest; in a notebook the learner sees only the hint line.
    """
    if bool(ok):
        print(f"✓ {label}")
        return
    raise CheckFailedError(f"✗ {label} — {hint}" if hint else f"✗ {label}")


def check_equal(label: str, actual, expected, hint: str = "") -> None:
    """check() that `actual == expected` (lists, tuples, strings, numbers, dicts); the hint shows both."""
    ok = _plain(actual) == _plain(expected)
    detail = f"expected {expected!r}, got {actual!r}"
    check(label, ok, f"{hint} ({detail})" if hint else detail)


def check_close(label: str, actual, expected, *, rtol: float = 1e-5, atol: float = 1e-6, hint: str = "") -> None:
    """check() that two arrays have the same shape and agree within |a − e| ≤ atol + rtol·|e| everywhere."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        detail = f"shapes differ: {a.shape} vs expected {e.shape}"
        check(label, False, f"{hint} ({detail})" if hint else detail)
    finite = np.isfinite(a).all()
    ok = finite and np.allclose(a, e, rtol=rtol, atol=atol)
    worst = float(np.max(np.abs(a - e))) if a.size and finite else float("nan")
    detail = "non-finite values (NaN or inf)" if not finite else f"largest difference {worst:.3g}"
    check(label, ok, f"{hint} ({detail})" if hint else detail)


def _plain(value):
    """Turn NumPy scalars/arrays and tuples into plain Python values so == compares contents."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------------- data lookup

def _search_path(name: str) -> list[str]:
    """teachtf.datasets' folders for `name`: $TEACHTF_DATA_DIR/<name>, the user cache, system folders."""
    from teachtf import datasets

    return datasets.search_path(name)


def _find(file_name: str, folders) -> str | None:
    """The first copy of `file_name` (or of its uncompressed form) in `folders`."""
    names = (file_name, file_name[:-3]) if file_name.endswith(".gz") else (file_name,)
    for folder in folders:
        for candidate in names:
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def data_dir(name: str = "mnist") -> str:
    """The folder to pass to `read_data_sets`: the first on teachtf.datasets' search path holding a file of `name`.

    When no folder holds any file, returns the first folder searched, so the loader's error lists them all.
    """
    folders = _search_path(name)
    for folder in folders:
        if any(_find(f, [folder]) for f in MNIST_FILES):
            return folder
    return folders[0]


def missing_files(directory: str, name: str = "mnist") -> list[str]:
    """The standard MNIST-style file names found neither in `directory` nor on the search path of `name`."""
    folders = [directory, *_search_path(name)]
    return [f for f in MNIST_FILES if _find(f, folders) is None]


def has_full_dataset(directory: str, name: str = "mnist") -> bool:
    """True when all four files are available, so the classic `read_data_sets(directory)` call works as is."""
    return not missing_files(directory, name)


def load_mnist(directory: str, one_hot: bool = False, name: str = "mnist", **kwargs):
    """`Datasets(train, validation, test)` from whatever part of MNIST exists, with a notice saying what is missing.

    - all four files: exactly `read_data_sets(directory, one_hot=...)`;
    - only the 10k test files: teachtf's 't10k' stand-in (those real images split 8,000 train / 2,000 test, the
      validation split scaled down to match), built by `read_data_sets` itself with the same `DataSet` class;
    - no files at all: the 'digits' stand-in (scikit-learn's 8x8 digits resized to 28x28) — not MNIST.
    """
    from teachtf.examples.tutorials.mnist import input_data

    missing = missing_files(directory, name)
    if missing:
        print(f"NOTICE: {len(missing)} of the 4 {name} files are missing: {', '.join(missing)}.")
        if len(missing) == len(MNIST_FILES):
            print(f"  Using a small stand-in instead. To use the real data, put the files {', '.join(MNIST_FILES)}"
                  f" into {directory} (or set TEACHTF_DATA_DIR to a folder holding {name}/ with them), or run "
                  f"`python -m teachtf.datasets download {name}` where there is internet.")
        else:
            print("  Building train/validation/test from the files that exist; accuracy floors are lowered.")
    return input_data.read_data_sets(directory, one_hot=one_hot, fallback=("t10k", "digits"), **kwargs)


def accuracy_floor(datasets, full: float, reduced: float) -> float:
    """The accuracy a check should demand: `full` with the complete training set, `reduced` with a stand-in."""
    return full if datasets.train.num_examples >= FULL_TRAIN_SIZE else reduced


# --------------------------------------------------------------------------------------------- plotting

def show_images(images, titles=None, ncols: int = 10, shape=(28, 28), cmap: str = "gray", size: float = 1.2,
                symmetric: bool = False) -> None:
    """Draw a grid of images (rows of `images` reshaped to `shape`), with an optional title per image.

    `symmetric=True` centres the colour scale on 0 (for weights: red positive, blue negative).
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * (1.0 if titles is None else 1.25)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i].reshape(shape)
        if symmetric:
            limit = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap=cmap, vmin=-limit, vmax=limit)
        else:
            ax.imshow(image, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    plt.show()


def plot_histograms(logdir: str, tag: str, max_curves: int = 8) -> None:
    """Draw the histogram summaries `tag` in the event files of `logdir`, one line per step (darker = later).

    Reads event files with teachtf's reader (TensorBoard's pure-Python record reader), so files written by
    teachtf or by TensorFlow both work.
    """
    import matplotlib.pyplot as plt
    from teachtf.summary.event_reader import event_files, summary_iterator

    snapshots = []
    for path in event_files(logdir):
        for event in summary_iterator(path):
            if event.WhichOneof("what") != "summary":
                continue
            for value in event.summary.value:
                if value.tag == tag and value.WhichOneof("value") == "histo":
                    snapshots.append((int(event.step), value.histo))
    if not snapshots:
        raise ValueError(f"No histogram summaries tagged {tag!r} in {logdir}")
    keep = np.unique(np.linspace(0, len(snapshots) - 1, min(max_curves, len(snapshots))).round().astype(int))
    low = min(snapshots[i][1].min for i in keep)
    high = max(snapshots[i][1].max for i in keep)
    edges = np.linspace(low, high, 61) if high > low else np.array([low - 0.5, low + 0.5])
    fig, ax = plt.subplots(figsize=(7, 3.5))
    colors = plt.cm.viridis(np.linspace(0.9, 0.0, len(keep)))
    for color, index in zip(colors, keep):
        step, histo = snapshots[index]
        density = _rebin(histo, edges)
        ax.plot((edges[:-1] + edges[1:]) / 2, density, color=color, label=f"step {step}")
    ax.set_title(f"histogram of {tag} over training")
    ax.set_xlabel("value")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    fig.tight_layout()
    plt.show()


def _rebin(histo, edges: np.ndarray) -> np.ndarray:
    """Density of a TensorBoard histogram (buckets of very different widths) on uniform bins `edges`.

    Counts are assumed spread evenly inside each bucket, clipped to the histogram's [min, max].
    """
    limits = np.clip(np.asarray(histo.bucket_limit, dtype=np.float64), histo.min, histo.max)
    cdf_x = np.concatenate([[histo.min], limits])
    cdf_y = np.concatenate([[0.0], np.cumsum(histo.bucket)])
    order = np.argsort(cdf_x, kind="stable")
    cumulative = np.interp(edges, cdf_x[order], cdf_y[order])
    counts = np.diff(cumulative)
    return counts / np.diff(edges) / max(histo.num, 1)


# --------------------------------------------------------------------------------------------- dataset choice
# (added for lessons 10, 13 and 14: the training-heavy lessons that may switch to Fashion-MNIST)

def pick_dataset(use_fashion: bool) -> tuple[str, str]:
    """`(name, folder)` for a training-heavy lesson: "mnist" or "fashion_mnist" and the folder for `read_data_sets`.

    CURRICULUM §0.5: `use_fashion=True` asks for Fashion-MNIST (MNIST is used, with a notice, when it is absent).
    With `use_fashion=False`, MNIST is used unless it is incomplete while Fashion-MNIST is complete; then the lesson
    switches to Fashion-MNIST and says so. Only folders are chosen here; the lesson itself calls `read_data_sets`.
    """
    mnist_dir, fashion_dir = data_dir("mnist"), data_dir("fashion_mnist")
    fashion_complete = has_full_dataset(fashion_dir, "fashion_mnist")
    if use_fashion:
        if fashion_complete:
            return "fashion_mnist", fashion_dir
        print("NOTICE: Fashion-MNIST was asked for but is not complete here "
              f"(missing: {', '.join(missing_files(fashion_dir, 'fashion_mnist'))}); using MNIST instead. "
              "Get it with `python -m teachtf.datasets download fashion_mnist`.")
        return "mnist", mnist_dir
    missing = missing_files(mnist_dir, "mnist")
    if missing and fashion_complete:
        print(f"NOTICE: MNIST is incomplete here (missing: {', '.join(missing)}), but Fashion-MNIST is complete in "
              f"{fashion_dir}: this lesson trains on Fashion-MNIST instead (same file format, ten classes of "
              "clothing, a harder task).")
        return "fashion_mnist", fashion_dir
    return "mnist", mnist_dir
