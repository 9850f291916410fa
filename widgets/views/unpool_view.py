"""UnpoolingExplorer: max pool → argmax switches → max_unpool, side by side, overlapping windows included."""

from __future__ import annotations

import html

from ..models.unpooling import UnpoolingModel
from .controls import int_slider, rows, toggles
from .image_input import ImageInputExplorer


class UnpoolingExplorer(ImageInputExplorer):
    """The pool → switches → unpool round trip (`tf.nn.max_pool_with_argmax`, `teachtf.ext.max_unpool`).

    Choose stride < window to see overlapping windows share a switch (their values add up).
    """

    title = "Unpooling explorer — max_pool_with_argmax → teachtf.ext.max_unpool"

    def __init__(self, input=None, ksize: int = 2, stride: int = 2, padding: str = "VALID", input_size: int = 6,
                 channels: int = 1, seed: int = 0, hide_controls=(), session=None, start_frame: int = 0):
        input_size, channels = self._take_input(input, session, input_size, channels, seed)
        self._init = dict(input="custom" if input is not None else "random", size=input_size, channels=channels,
                          ksize=ksize, stride=stride, padding=padding)
        super().__init__(hide_controls, start_frame)

    def _build_controls(self):
        v = self._init
        return {
            **self._input_controls(max_size=10),
            "ksize": int_slider("window", v["ksize"], 1, 4, "230px"),
            "stride": int_slider("stride", v["stride"], 1, 4, "230px"),
            "padding": toggles("padding", ["SAME", "VALID"], v["padding"]),
        }

    def _controls_box(self):
        c = self.controls
        return rows([c["input"], c["size"], c["channels"]], [c["ksize"], c["stride"], c["padding"]])

    def _make_model(self):
        v = self.value_of
        return UnpoolingModel(self.current_input(), v("ksize"), v("stride"), v("padding"))

    def _info_html(self) -> str:
        m = self.model
        overlap = m.stride[0] < m.ksize[0] or m.stride[1] < m.ksize[1]
        lines = [f"x {list((1,) + m.x.shape)} → pooled {list((1,) + m.pooled.shape)} + argmax (int64) → unpooled "
                 f"{list((1,) + m.unpooled.shape)}",
                 "windows overlap (stride < window): one cell can be the switch of several windows"
                 if overlap else "windows do not overlap: each switch is written once"]
        return f'<div style="font:12px monospace">{"<br>".join(html.escape(t) for t in lines)}</div>'
