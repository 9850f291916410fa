"""HTML rendering of grids (small maps, numbers in cells) and RGB images (large maps).

Pure string/NumPy code: the views put the results into ipywidgets, and tests
assert on the HTML without a browser.
"""

from __future__ import annotations

import base64
import html

import numpy as np

from .colors import SymmetricScale, format_number
from .frames import MARKS, Grid
from .png import png_bytes, upscale

# Grids larger than this (either side) are drawn as images instead of tables of numbers.
MAX_TABLE_SIDE = 14
# Drawing order of background-like marks (the first present wins) and outline marks (all drawn).
_FILL_MARKS = ("padding", "inserted", "cropped")
_OUTLINE_MARKS = ("window", "stamp", "touched", "selected", "switch", "current")


def is_large(grid: Grid) -> bool:
    return max(grid.shape) > MAX_TABLE_SIDE


def _cell_style(grid: Grid, r: int, c: int, v: float, scale: SymmetricScale, cell_px: int) -> str:
    style = (f"width:{cell_px}px;min-width:{cell_px}px;height:26px;padding:0;text-align:center;"
             f"font:11px/1.1 monospace;border:1px solid #d0d0d0;")
    fill = next((m for m in _FILL_MARKS if grid.marks.get(m) is not None and grid.marks[m][r, c]), None)
    if fill is not None:
        style += MARKS[fill][1]
    elif grid.colored:
        style += f"background:{scale.css(v)};color:{scale.text_css(v)};"
    else:
        style += "background:#fff;color:#222;"
    shadows = []
    width = 2
    for name in _OUTLINE_MARKS:
        m = grid.marks.get(name)
        if m is not None and m[r, c]:
            width += 2
            shadows.append(f"inset 0 0 0 {width}px {MARKS[name][2]}")
            if name == "switch":
                style += "font-weight:bold;"
    if shadows:
        style += "box-shadow:" + ",".join(reversed(shadows)) + ";"
    pending = grid.marks.get("pending")
    if pending is not None and pending[r, c]:
        style += MARKS["pending"][1]
    return style


def _cell_classes(grid: Grid, r: int, c: int) -> str:
    names = [n for n, m in grid.marks.items() if m[r, c]]
    return " ".join(["ttf-cell"] + [f"ttf-{n}" for n in names])


def grid_table_html(grid: Grid, scale: SymmetricScale, cell_px: int = 34) -> str:
    """An HTML table: column/row index headers (padding gets negative indices), one coloured cell per value."""
    h, w = grid.shape
    texts = [[grid.text.get((r, c), format_number(grid.values[r, c])) for c in range(w)] for r in range(h)]
    cell_px = max(cell_px, 7 * max(len(t) for row in texts for t in row) + 8)  # long numbers widen every cell
    head = "".join(f'<th style="font:9px monospace;color:#888;font-weight:normal">{grid.col0 + c}</th>'
                   for c in range(w))
    rows = [f"<tr><th></th>{head}</tr>"]
    for r in range(h):
        cells = []
        for c in range(w):
            v = grid.values[r, c]
            text = texts[r][c]
            cells.append(f'<td class="{_cell_classes(grid, r, c)}" data-r="{r}" data-c="{c}" '
                         f'style="{_cell_style(grid, r, c, v, scale, cell_px)}">{html.escape(text)}</td>')
        rows.append(f'<tr><th style="font:9px monospace;color:#888;font-weight:normal;padding-right:2px">'
                    f'{grid.row0 + r}</th>{"".join(cells)}</tr>')
    return (f'<table class="ttf-grid" style="border-collapse:collapse;table-layout:fixed">'
            f'{"".join(rows)}</table>')


def grid_rgb(grid: Grid, scale: SymmetricScale, px: int = 8) -> np.ndarray:
    """An (h·px, w·px, 3) image of the grid: value colours, marks as coloured cell outlines."""
    rgb = scale.rgb(grid.values) if grid.colored else np.full(grid.shape + (3,), 255, np.uint8)
    for name in _FILL_MARKS:
        m = grid.marks.get(name)
        if m is not None:
            rgb[np.asarray(m, bool)] = (228, 228, 228)
    img = upscale(rgb, px)
    t = max(1, px // 4)
    for name in _OUTLINE_MARKS:
        m = grid.marks.get(name)
        if m is None:
            continue
        color = tuple(int(MARKS[name][2][i:i + 2], 16) for i in (1, 3, 5))
        for r, c in zip(*np.nonzero(m)):
            y, x = r * px, c * px
            img[y:y + t, x:x + px] = color
            img[y + px - t:y + px, x:x + px] = color
            img[y:y + px, x:x + t] = color
            img[y:y + px, x + px - t:x + px] = color
    return img


def grid_png(grid: Grid, scale: SymmetricScale, px: int = 8) -> bytes:
    return png_bytes(grid_rgb(grid, scale, px))


def grid_html(grid: Grid, scale: SymmetricScale, cell_px: int = 34) -> str:
    """The grid's title and its table (small grids) or an inline PNG (large ones)."""
    title = f'<div class="ttf-title" style="font:bold 12px sans-serif;margin:2px 0">{html.escape(grid.title)}</div>'
    if is_large(grid):
        px = max(2, min(12, 340 // max(grid.shape)))
        data = base64.b64encode(grid_png(grid, scale, px)).decode()
        body = (f'<img class="ttf-map" alt="{html.escape(grid.title)}" style="image-rendering:pixelated" '
                f'src="data:image/png;base64,{data}"/>')
    else:
        body = grid_table_html(grid, scale, cell_px)
    style = "display:inline-block;vertical-align:top;margin:0 10px 6px 0"
    return f'<div class="ttf-panel" style="{style}">{title}{body}</div>'


def marks_legend_html(names) -> str:
    """A legend line for the marks in `names` (in MARKS order)."""
    items = []
    for name, (text, css, _) in MARKS.items():
        if name not in names:
            continue
        swatch = (f'<span style="display:inline-block;width:14px;height:14px;vertical-align:middle;'
                  f'border:1px solid #ccc;{css}"></span>')
        items.append(f'<span style="margin-right:10px;white-space:nowrap">{swatch} {html.escape(text)}</span>')
    return f'<div class="ttf-marks" style="font:11px sans-serif">{"".join(items)}</div>'


def formula_html(text: str) -> str:
    return (f'<pre class="ttf-formula" style="margin:0;font:12px/1.35 monospace;white-space:pre-wrap">'
            f'{html.escape(text)}</pre>')
