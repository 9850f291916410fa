"""Offline stand-ins for MNIST-style datasets, used only when a caller opts in (`fallback=`).

- `"t10k"`: the real 10,000-image test set (when only its two files are
  available) split into 8,000 training and 2,000 test images. Real digits (or
  real Fashion-MNIST items), but a sixth of the usual training set.
- `"digits"`: scikit-learn's bundled 1,797 handwritten digits (8×8, UCI
  optical recognition data), upsampled bilinearly into the central 20×20 box of
  a 28×28 image as MNIST digits are, split 1,437 / 360. Not MNIST: blurrier and
  far fewer images. Needs scikit-learn (in teachtf's `[lessons]` extra).

Either way the returned data is labelled (`Dataset.stand_in`) and a note is printed.
"""

from __future__ import annotations

import os

import numpy as np

ENV_FALLBACK = "TEACHTF_DATA_FALLBACK"
T10K_TRAIN = 8000
DIGITS_TRAIN = 1437
_KINDS = ("t10k", "digits")

_state = {"fallback": None}


def normalize(fallback) -> tuple:
    """A fallback argument (None, a name, or a sequence of names) as a tuple of known names."""
    if fallback is None:
        fallback = _state["fallback"] if _state["fallback"] is not None else os.environ.get(ENV_FALLBACK) or None
    if fallback is None or fallback is False:
        return ()
    names = (fallback,) if isinstance(fallback, str) else tuple(fallback)
    names = tuple(n for part in names for n in part.split(",") if n)
    unknown = [n for n in names if n not in _KINDS]
    if unknown:
        raise ValueError(f"Unknown fallback {unknown}; choose from {list(_KINDS)} (or a list of them, tried in order)")
    return names


def set_fallback(fallback) -> None:
    """Sets the stand-in used when real files are missing, for every later load (None: use $TEACHTF_DATA_FALLBACK).

    Lets a lesson keep the classic `input_data.read_data_sets("MNIST_data/")` line unchanged.
    """
    normalize(fallback or ())
    _state["fallback"] = fallback


def get_fallback():
    return _state["fallback"] if _state["fallback"] is not None else os.environ.get(ENV_FALLBACK) or None


def _bilinear_matrix(n_out: int, n_in: int) -> np.ndarray:
    """[n_out, n_in] weights of half-pixel-centred linear interpolation with clamped edges."""
    m = np.zeros((n_out, n_in))
    for u in range(n_out):
        s = min(max((u + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1.0)
        lo = int(np.floor(s))
        hi = min(lo + 1, n_in - 1)
        m[u, lo] += 1.0 - (s - lo)
        m[u, hi] += s - lo
    return m


def upsample_digits(images8: np.ndarray) -> np.ndarray:
    """8×8 digits with values 0..16 → uint8 28×28 images, the digit in the central 20×20 box."""
    m = _bilinear_matrix(20, 8)
    big = np.einsum("ui,nij,vj->nuv", m, images8.astype(np.float64), m) * (255.0 / 16.0)
    out = np.zeros((images8.shape[0], 28, 28), dtype=np.uint8)
    out[:, 4:24, 4:24] = np.clip(np.round(big), 0, 255).astype(np.uint8)
    return out


def digits_arrays() -> tuple:
    """(train_images, train_labels, test_images, test_labels) of the scikit-learn digits stand-in."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("The 'digits' stand-in needs scikit-learn: pip install scikit-learn (it is in "
                          "teachtf's [lessons] extra).") from e
    d = load_digits()
    images = upsample_digits(d.images)
    labels = d.target.astype(np.uint8)
    return images[:DIGITS_TRAIN], labels[:DIGITS_TRAIN], images[DIGITS_TRAIN:], labels[DIGITS_TRAIN:]


def describe(kind: str, title: str) -> str:
    if kind == "t10k":
        return (f"STAND-IN DATA: the training files were not found, so the {title} test set (10,000 real images) is "
                f"split into {T10K_TRAIN:,} training and {10000 - T10K_TRAIN:,} test images.")
    return ("STAND-IN DATA: not MNIST. scikit-learn's 1,797 8x8 handwritten digits, upsampled to 28x28 and split "
            f"{DIGITS_TRAIN:,} training / {1797 - DIGITS_TRAIN:,} test images.")
