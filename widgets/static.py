"""Static matplotlib renderings of frames, for handouts and printed notes (no ipympl needed)."""

from __future__ import annotations

import numpy as np

from .colors import SymmetricScale, format_number
from .frames import MARKS, Frame, Grid
from .render_html import MAX_TABLE_SIDE

_FILL = ("padding", "inserted", "cropped")
_OUTLINE = ("window", "stamp", "touched", "selected", "switch", "current")


def _draw_grid(ax, grid: Grid, scale: SymmetricScale) -> None:
    from matplotlib.patches import Rectangle

    h, w = grid.shape
    rgb = scale.rgb(grid.values) if grid.colored else np.full((h, w, 3), 255, np.uint8)
    for name in _FILL:
        m = grid.marks.get(name)
        if m is not None:
            rgb[np.asarray(m, bool)] = (236, 236, 236)
    ax.imshow(rgb, interpolation="nearest", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
    for name in _FILL:
        m = grid.marks.get(name)
        if m is None:
            continue
        for r, c in zip(*np.nonzero(m)):
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///", edgecolor=MARKS[name][2],
                                   linewidth=0.0))
    pad = 0.0
    for name in _OUTLINE:
        m = grid.marks.get(name)
        if m is None:
            continue
        for r, c in zip(*np.nonzero(m)):
            ax.add_patch(Rectangle((c - 0.5 + pad, r - 0.5 + pad), 1 - 2 * pad, 1 - 2 * pad, fill=False,
                                   edgecolor=MARKS[name][2], linewidth=2.0))
        pad += 0.08
    if max(h, w) <= MAX_TABLE_SIDE:
        for r in range(h):
            for c in range(w):
                text = grid.text.get((r, c), format_number(grid.values[r, c]))
                color = scale.text_css(grid.values[r, c]) if grid.colored else "#222"
                ax.text(c, r, text, ha="center", va="center", fontsize=7, color=color, family="monospace")
    ax.set_xticks(range(w))
    ax.set_xticklabels([str(grid.col0 + c) for c in range(w)], fontsize=6)
    ax.set_yticks(range(h))
    ax.set_yticklabels([str(grid.row0 + r) for r in range(h)], fontsize=6)
    ax.set_title(grid.title, fontsize=8)


def frame_figure(frame: Frame, scale: SymmetricScale, title: str = ""):
    """A matplotlib Figure of `frame`: one axes per grid, the formula and the colour scale underneath."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.figure import Figure

    n = max(len(frame.grids), 1)
    widths = [max(g.shape[1], 2) for g in frame.grids] or [1]
    fig = Figure(figsize=(min(3.2 * n, 16), 4.6 if frame.grids else 2.5), layout="constrained")
    gs = fig.add_gridspec(2, n, height_ratios=[4, 1] if frame.grids else [0.01, 1], width_ratios=widths)
    for i, grid in enumerate(frame.grids):
        _draw_grid(fig.add_subplot(gs[0, i]), grid, scale)
    text_ax = fig.add_subplot(gs[1, :])
    text_ax.axis("off")
    text_ax.text(0, 1, frame.formula, va="top", ha="left", family="monospace", fontsize=7, wrap=True)
    lut = ListedColormap(scale.rgb(np.linspace(-scale.vmax, scale.vmax, 256)) / 255.0)
    fig.colorbar(ScalarMappable(Normalize(-scale.vmax, scale.vmax), lut), ax=text_ax, orientation="horizontal",
                 fraction=0.25, shrink=0.5, label="shared colour scale (0 = white)")
    if title or frame.caption:
        fig.suptitle(" — ".join(t for t in (title, frame.caption) if t), fontsize=9)
    return fig


def frames_scale(frames) -> SymmetricScale:
    """The symmetric scale covering every coloured grid of every frame."""
    seen = {}
    for f in frames:
        for g in f.grids:
            if g.colored:
                seen.setdefault(id(g.values), g.values)
    return SymmetricScale.covering(*seen.values())
