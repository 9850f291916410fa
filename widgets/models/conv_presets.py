"""Named inputs and kernels for the convolution explorer (all deterministic given a seed)."""

from __future__ import annotations

import numpy as np

_SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)
_FIXED_3X3 = {
    "sobel_x": _SOBEL_X,
    "sobel_y": _SOBEL_X.T.copy(),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float),
    "gaussian": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], float) / 16.0,
}
KERNEL_PRESETS = ("identity", "box_blur", "gaussian", "sobel_x", "sobel_y", "laplacian", "ones", "random")
INPUT_PRESETS = ("random", "ramp", "ones", "vertical_edge", "checkerboard", "impulse")


def kernel_preset(name: str, kh: int, kw: int, c_in: int = 1, c_out: int = 1, seed: int = 0) -> np.ndarray:
    """An HWIO kernel [kh, kw, c_in, c_out]; 2-D presets are repeated over every (c_in, c_out) pair."""
    if name in _FIXED_3X3:
        if (kh, kw) != (3, 3):
            raise ValueError(f"The {name} kernel is 3×3; set the kernel size to 3 (it is {kh}×{kw}).")
        k2 = _FIXED_3X3[name]
    elif name == "identity":
        k2 = np.zeros((kh, kw))
        k2[(kh - 1) // 2, (kw - 1) // 2] = 1.0  # the tap that reads the cell itself under SAME, stride 1
    elif name == "box_blur":
        k2 = np.full((kh, kw), 1.0 / (kh * kw))
    elif name == "ones":
        k2 = np.ones((kh, kw))
    elif name == "random":
        rng = np.random.default_rng(seed + 1)
        return rng.integers(-2, 3, size=(kh, kw, c_in, c_out)).astype(float)
    else:
        raise ValueError(f"Unknown kernel preset {name!r}; choose one of {', '.join(KERNEL_PRESETS)}.")
    return np.repeat(np.repeat(k2[:, :, None, None], c_in, axis=2), c_out, axis=3)


def input_preset(name: str, h: int, w: int, c: int = 1, seed: int = 0) -> np.ndarray:
    """An input image [h, w, c] with small, easy-to-multiply numbers."""
    rows, cols = np.mgrid[0:h, 0:w]
    if name == "random":
        return np.random.default_rng(seed).integers(0, 5, size=(h, w, c)).astype(float)
    if name == "ramp":
        base = (rows + cols).astype(float)
    elif name == "ones":
        base = np.ones((h, w))
    elif name == "vertical_edge":
        base = (cols >= w // 2).astype(float)
    elif name == "checkerboard":
        base = ((rows + cols) % 2).astype(float)
    elif name == "impulse":
        base = np.zeros((h, w))
        base[h // 2, w // 2] = 1.0
    else:
        raise ValueError(f"Unknown input preset {name!r}; choose one of {', '.join(INPUT_PRESETS)}.")
    return np.stack([base + k for k in range(c)], axis=-1) if name != "ones" else np.ones((h, w, c))
