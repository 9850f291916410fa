"""What a model hands to a view: frames made of titled grids with marked cells and a formula.

A `Grid` is one 2-D panel (a channel of an input, a kernel slice, an output
map). `marks` names sets of cells that the view draws specially; the names
and their meaning are listed once in `MARKS`, which views and the static
renderer share, so every colour and outline on screen has a legend entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# name -> (legend text, CSS for an HTML cell, outline colour for images and figures)
MARKS: dict[str, tuple[str, str, str]] = {
    "padding": ("padding (not part of the input)",
                "background:repeating-linear-gradient(45deg,#e4e4e4 0 3px,#fafafa 3px 6px);color:#888;"
                "border:1px dashed #aaa;", "#9e9e9e"),
    "inserted": ("inserted zero (stride gap)", "background:#fbfbe8;color:#b0a060;border:1px dotted #c9b95a;",
                 "#c9b95a"),
    "pending": ("not computed yet", "opacity:0.35;", "#cccccc"),
    "window": ("window read in this step", "box-shadow:inset 0 0 0 3px #ff9800;", "#ff9800"),
    "current": ("cell written in this step", "box-shadow:inset 0 0 0 3px #111;", "#111111"),
    "switch": ("argmax switch (the winning cell)", "box-shadow:inset 0 0 0 3px #2e7d32;font-weight:bold;",
               "#2e7d32"),
    "touched": ("cells this weight touches", "box-shadow:inset 0 0 0 3px #8e24aa;", "#8e24aa"),
    "selected": ("selected weight", "box-shadow:inset 0 0 0 3px #8e24aa;font-weight:bold;", "#8e24aa"),
    "stamp": ("stamp painted in this step", "box-shadow:inset 0 0 0 3px #ff9800;", "#ff9800"),
    "cropped": ("cropped away (forward padding)", "opacity:0.45;border:1px dashed #aaa;", "#9e9e9e"),
}


@dataclass
class Grid:
    """A titled 2-D panel of numbers.

    values: 2-D array. marks: name (a key of MARKS) -> bool mask of values' shape.
    text: cell -> string overriding the number shown (e.g. "−∞" or "13→(2,3)").
    colored: whether cells use the shared value colour scale (index or count grids do not).
    row0/col0: the coordinate of the first row/column (negative where padding comes first).
    """

    title: str
    values: np.ndarray
    marks: dict[str, np.ndarray] = field(default_factory=dict)
    text: dict[tuple[int, int], str] = field(default_factory=dict)
    colored: bool = True
    row0: int = 0
    col0: int = 0

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        if self.values.ndim != 2:
            raise ValueError(f"Grid '{self.title}' needs 2-D values; got shape {self.values.shape}.")
        for name, mask in self.marks.items():
            if name not in MARKS:
                raise ValueError(f"Unknown mark {name!r}; known marks: {sorted(MARKS)}.")
            if np.shape(mask) != self.values.shape:
                raise ValueError(f"Mark {name!r} of grid '{self.title}' has shape {np.shape(mask)}, "
                                 f"not {self.values.shape}.")

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def mask(self, name: str) -> np.ndarray:
        """The bool mask of mark `name` (all False when absent)."""
        m = self.marks.get(name)
        return np.zeros(self.values.shape, bool) if m is None else np.asarray(m, bool)


@dataclass
class Frame:
    """One step of a widget: its grids, the formula with numbers, a caption, and what it computed."""

    grids: list[Grid]
    formula: str
    caption: str = ""
    cell: tuple | None = None
    value: float | None = None
    extra: dict = field(default_factory=dict)


def box_mask(shape, rows, cols) -> np.ndarray:
    """Bool mask of `shape` that is True at every (r, c) for r in rows, c in cols."""
    m = np.zeros(shape, bool)
    m[np.ix_(list(rows), list(cols))] = True
    return m


def cell_mask(shape, r: int, c: int) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[r, c] = True
    return m


def shape_text(shape) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


class LazyFrames:
    """A read-only list of frames built on first access by `make(index)` (widgets may have thousands)."""

    def __init__(self, count: int, make):
        self._count = int(count)
        self._make = make
        self._cache: dict[int, Frame] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        i = int(index)
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(f"frame {index} out of range (there are {self._count} frames)")
        if i not in self._cache:
            self._cache[i] = self._make(i)
        return self._cache[i]

    def __iter__(self):
        return (self[i] for i in range(self._count))
