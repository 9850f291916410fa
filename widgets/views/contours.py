"""A surface's contour map as a PNG (matplotlib's contours when installed, else a shaded map)."""

from __future__ import annotations

import io

import numpy as np

from ..png import png_bytes

SIZE = 420  # pixels; the map fills the image exactly, so data -> pixel is linear


def _levels(f: np.ndarray, n: int = 18) -> np.ndarray:
    finite = f[np.isfinite(f)]
    if finite.size == 0:
        return np.linspace(0, 1, n)
    levels = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, n + 2)[1:-1]))
    return levels if levels.size >= 2 else np.linspace(finite.min(), finite.max() + 1e-9, n)


def contour_png(x: np.ndarray, y: np.ndarray, f: np.ndarray) -> bytes:
    """PNG bytes, SIZE×SIZE pixels, of f over the grid (x along columns, y along rows, y upwards)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return _shaded_png(f)
    fig = Figure(figsize=(SIZE / 100, SIZE / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.axis("off")
    levels = _levels(f)
    with np.errstate(all="ignore"):
        ax.contourf(x, y, f, levels=levels, cmap="Greys", alpha=0.35, extend="both")
        ax.contour(x, y, f, levels=levels, colors="#777777", linewidths=0.7)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _shaded_png(f: np.ndarray) -> bytes:
    """Rank-shaded map (dark = low) with banded levels, flipped so y points up."""
    finite = np.where(np.isfinite(f), f, np.nanmax(np.where(np.isfinite(f), f, -np.inf)))
    ranks = finite.ravel().argsort().argsort().reshape(f.shape) / max(f.size - 1, 1)
    bands = np.floor(ranks * 18) / 18
    gray = (150 + 100 * bands)[::-1]
    idx_r = (np.arange(SIZE) * f.shape[0] // SIZE)
    idx_c = (np.arange(SIZE) * f.shape[1] // SIZE)
    img = gray[np.ix_(idx_r, idx_c)]
    return png_bytes(np.repeat(img[:, :, None], 3, axis=2).astype(np.uint8))
