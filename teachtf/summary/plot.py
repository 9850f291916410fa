"""`teachtf.summary.plot`: scalar curves drawn inline with matplotlib, for classrooms without TensorBoard.

Not part of TF1. matplotlib is optional (`pip install matplotlib`, in teachtf's
`[lessons]` extra) and imported only when plotting.
"""

from __future__ import annotations

import math
import os

import numpy as np

from .event_reader import as_arrays, read_scalars

__all__ = ["plot"]


def _history_of(source):
    """(label, {tag: [(step, value)]}) for a FileWriter, a log directory or an events file, or a dict."""
    from .writer import FileWriter

    if isinstance(source, FileWriter):
        return os.path.basename(os.path.normpath(source.get_logdir())), source.scalars
    if isinstance(source, dict):
        return "run", source
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        return os.path.basename(os.path.normpath(path)), read_scalars(path)
    raise TypeError(f"plot() takes FileWriters, log directories or {{tag: [(step, value)]}} dicts, got "
                    f"{type(source).__name__}")


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average (weight 0: no smoothing)."""
    if weight <= 0 or values.size == 0:
        return values
    out = np.empty_like(values)
    last, debias = 0.0, 0.0
    for i, v in enumerate(values):
        last = last * weight + (1 - weight) * v
        debias = debias * weight + (1 - weight)
        out[i] = last / debias
    return out


def plot(*sources, tags=None, smoothing: float = 0.0, ncols: int = 3, figsize=None):
    """Draws one panel per scalar tag, one line per source; returns the matplotlib Figure.

    `sources` are FileWriters (their in-memory history), log directories or event
    files (read back from disk), or `{tag: [(step, value)]}` dicts. `tags`
    restricts and orders the panels; `smoothing` in [0, 1) overlays a
    TensorBoard-style moving average. In a notebook, the returned figure shows
    as the cell's result.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("teachtf.summary.plot needs matplotlib: pip install matplotlib (or 'teachtf[lessons]')."
                          ) from e
    if not sources:
        raise TypeError("plot() needs at least one FileWriter or log directory")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    runs = [_history_of(s) for s in sources]
    all_tags = []
    for _, hist in runs:
        all_tags += [t for t in hist if t not in all_tags]
    if tags is not None:
        tags = [tags] if isinstance(tags, str) else list(tags)
        unknown = [t for t in tags if t not in all_tags]
        if unknown:
            raise ValueError(f"No scalar summaries with tags {unknown}; available: {all_tags}")
        all_tags = tags
    if not all_tags:
        raise ValueError("No scalar summaries to plot. Write some with writer.add_summary(sess.run(summary_op), "
                         "step) first.")
    ncols = max(1, min(ncols, len(all_tags)))
    nrows = math.ceil(len(all_tags) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (4.2 * ncols, 3.0 * nrows), squeeze=False)
    for ax, tag in zip(axes.flat, all_tags):
        for i, (label, hist) in enumerate(runs):
            steps, values = as_arrays(hist.get(tag, []))
            if steps.size == 0:
                continue
            color = f"C{i}"
            if smoothing > 0:
                ax.plot(steps, values, color=color, alpha=0.3, linewidth=1)
                ax.plot(steps, smooth(values, smoothing), color=color, label=label)
            else:
                ax.plot(steps, values, color=color, label=label, marker="." if steps.size < 30 else None)
        ax.set_title(tag)
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
        if len(runs) > 1:
            ax.legend(fontsize="small")
    for ax in list(axes.flat)[len(all_tags):]:
        ax.set_visible(False)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the returned value, rather than again by the inline backend
    return fig
