"""The frame every explorer shares: controls, player, grid panels, formula, legends, "show code".

A subclass lists its controls and builds its model from their values; this
class rebuilds the model when a control changes and renders the frame the
player points at. Layout sizes are fixed so nothing jumps while stepping.
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as W

from ..frames import MARKS, Frame, Grid
from ..render_html import formula_html, grid_png, grid_table_html, is_large, marks_legend_html
from .player import Player


class PanelSlot(W.VBox):
    """One grid: its title, then a table of numbers (HTML) or, for large maps, an Image."""

    def __init__(self):
        self.title = W.HTML()
        self.table = W.HTML()
        self.image = W.Image(format="png")
        super().__init__([self.title, self.table], layout=W.Layout(margin="0 12px 4px 0"))

    def show(self, grid: Grid, scale) -> None:
        self.title.value = (f'<div class="ttf-title" style="font:bold 12px sans-serif">'
                            f'{html.escape(grid.title)}</div>')
        if is_large(grid):
            px = max(2, min(12, 320 // max(grid.shape)))
            self.image.value = grid_png(grid, scale, px)
            self.image.layout.width = f"{grid.shape[1] * px}px"
            if self.children[1] is not self.image:
                self.children = [self.title, self.image]
        else:
            self.table.value = grid_table_html(grid, scale)
            if self.children[1] is not self.table:
                self.children = [self.title, self.table]


def hidden(widget: W.Widget) -> W.Widget:
    widget.layout.display = "none"
    return widget


class Explorer(W.VBox):
    """Base view. Subclasses define `_build_controls()` (name -> widget) and `_make_model()`.

    hide_controls: True hides every parameter control (a fixed demonstration),
    or an iterable of control names to hide. Hidden controls keep their values.
    """

    title = ""
    formula_height = "150px"

    def __init__(self, hide_controls=(), start_frame: int = 0):
        self.controls: dict[str, W.Widget] = self._build_controls()
        hide_all = hide_controls is True
        unknown = set() if hide_all else set(hide_controls) - set(self.controls)
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown control(s) {sorted(unknown)} in hide_controls; "
                             f"known: {sorted(self.controls)}.")
        for name, widget in self.controls.items():
            if hide_all or name in hide_controls:
                hidden(widget)
            widget.observe(self._on_control, names="value")
        self.player = Player()
        self.player.observe_frame(self._render)
        self.panels = W.HBox(layout=W.Layout(flex_flow="row wrap", align_items="flex-start", min_height="120px"))
        self._slots: list[PanelSlot] = []
        self.info = W.HTML(layout=W.Layout(min_height="20px"))
        self.formula = W.HTML(layout=W.Layout(height=self.formula_height, overflow="auto",
                                              border="1px solid #e0e0e0", padding="4px"))
        self.legend = W.HTML()
        self.extra = W.HTML()
        self.error = W.HTML()
        self.code_button = W.ToggleButton(value=False, description="show code", icon="code",
                                          tooltip="the teachtf program that computes what this widget shows")
        self.code_area = W.HTML()
        self.code_button.observe(self._on_code, names="value")
        self.model = None
        header = W.HTML(f'<b style="font:bold 14px sans-serif">{html.escape(self.title)}</b>')
        super().__init__([header, self._controls_box(), self.error, self.info, self.player, self.panels,
                          self.extra, self.formula, self.legend, W.HBox([self.code_button]), self.code_area],
                         layout=W.Layout(width="100%"))
        self.add_class("ttf-explorer")
        self._rebuild()
        self.player.value = start_frame

    # -- to override ---------------------------------------------------------------------------
    def _build_controls(self) -> dict[str, W.Widget]:
        raise NotImplementedError

    def _make_model(self):
        raise NotImplementedError

    def _info_html(self) -> str:
        """Text above the player (e.g. the output-size formula); the model is current."""
        return ""

    def _extra_html(self, frame: Frame) -> str:
        """HTML shown under the panels for `frame` (bars, tables); none by default."""
        return ""

    def _controls_box(self) -> W.Widget:
        return W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap"))

    # -- public --------------------------------------------------------------------------------
    @property
    def frame(self) -> Frame | None:
        """The frame on screen."""
        if self.model is None or not self.model.frames:
            return None
        return self.model.frames[self.player.value]

    def value_of(self, name: str):
        return self.controls[name].value

    def show_code(self) -> str:
        """The teachtf program reproducing what the widget shows (print it, paste it, run it)."""
        if self.model is None:
            raise ValueError(f"{type(self).__name__} has no valid parameters to show code for: "
                             f"{self._error_text}")
        return self.model.code()

    def to_figure(self, frame: int | None = None):
        """A static matplotlib Figure of a frame (default: the one on screen), for handouts."""
        if self.model is None:
            raise ValueError(f"{type(self).__name__} has nothing to draw: {self._error_text}")
        return self.model.figure(self.player.value if frame is None else frame)

    @contextlib.contextmanager
    def batch(self):
        """Set several controls at once: the model is rebuilt once, at the end."""
        self._suspended += 1
        try:
            yield
        finally:
            self._suspended -= 1
        if not self._suspended:
            self._rebuild()

    # -- internals -------------------------------------------------------------------------------
    _suspended = 0

    def _on_control(self, change) -> None:
        if not self._suspended:
            self._rebuild()

    def _on_code(self, change) -> None:
        self._update_code()

    def _update_code(self) -> None:
        if self.code_button.value and self.model is not None:
            self.code_area.value = (f'<pre class="ttf-code" style="font:12px monospace;background:#f6f8fa;'
                                    f'padding:6px;white-space:pre">{html.escape(self.model.code())}</pre>')
        else:
            self.code_area.value = ""

    _error_text = ""

    def _rebuild(self) -> None:
        try:
            model = self._make_model()
        except (ValueError, NotImplementedError) as e:
            self.model = None
            self._error_text = str(e)
            self.error.value = (f'<div class="ttf-error" style="color:#b00020;font:12px sans-serif">'
                                f'{html.escape(str(e))}</div>')
            self.panels.children = []
            self._slots = []
            self.formula.value = ""
            self.extra.value = ""
            self.player.set_max(0)
            self._update_code()
            return
        self.model = model
        self._error_text = ""
        self.error.value = ""
        self.info.value = self._info_html()
        self.player.set_max(len(model.frames) - 1)
        self._render(self.player.value)
        self._update_code()

    def _render(self, index: int) -> None:
        if self.model is None or not self.model.frames:
            return
        index = max(0, min(index, len(self.model.frames) - 1))
        frame = self.model.frames[index]
        scale = self.model.scale()
        if len(self._slots) != len(frame.grids):
            self._slots = [PanelSlot() for _ in frame.grids]
            self.panels.children = self._slots
        for slot, grid in zip(self._slots, frame.grids):
            slot.show(grid, scale)
        caption = f'<div style="font:italic 12px sans-serif;margin-bottom:3px">{html.escape(frame.caption)}</div>'
        self.formula.value = caption + formula_html(frame.formula)
        self.extra.value = self._extra_html(frame)
        marks = {name for g in frame.grids for name, m in g.marks.items() if m.any()}
        self.legend.value = scale.legend_html("colour") + marks_legend_html(marks & set(MARKS))
