"""PoolingExplorer: max and average pooling window by window, switches, divisors and backward routing."""

from __future__ import annotations

import html

from ..arrays import to_numpy
from ..models.pooling import KINDS, MODES, PoolingModel
from .controls import int_slider, rows, toggles
from .image_input import ImageInputExplorer


class PoolingExplorer(ImageInputExplorer):
    """Steps through `tf.nn.max_pool` / `avg_pool` (TF1 padding, argmax switches, in-bounds divisors, backward).

    input: None (a preset), a 2-D/3-D/NHWC array or a teachtf tensor. kind: "max" | "avg".
    mode: "forward" | "backward" (gradient routing for `upstream`, default small integers from `seed`).
    """

    title = "Pooling explorer — tf.nn.max_pool / tf.nn.avg_pool"

    def __init__(self, input=None, kind: str = "max", ksize: int = 2, stride: int = 2, padding: str = "VALID",
                 input_size: int = 5, channels: int = 1, mode: str = "forward", upstream=None, seed: int = 0,
                 hide_controls=(), session=None, start_frame: int = 0):
        if kind not in KINDS or mode not in MODES:
            raise ValueError(f"kind must be one of {KINDS} and mode one of {MODES}; got {kind!r}, {mode!r}.")
        self._session = session
        input_size, channels = self._take_input(input, session, input_size, channels, seed)
        self._upstream = None if upstream is None else to_numpy(upstream, session, "upstream")
        self._init = dict(input="custom" if input is not None else "random", size=input_size, channels=channels,
                          kind=kind, ksize=ksize, stride=stride, padding=padding, mode=mode)
        super().__init__(hide_controls, start_frame)

    def _build_controls(self):
        v = self._init
        controls = {
            **self._input_controls(max_size=12),
            "kind": toggles("pooling", KINDS, v["kind"]),
            "ksize": int_slider("window", v["ksize"], 1, 4, "230px"),
            "stride": int_slider("stride", v["stride"], 1, 4, "230px"),
            "padding": toggles("padding", ["SAME", "VALID"], v["padding"]),
            "mode": toggles("mode", [("forward", "forward"), ("backward routing", "backward")], v["mode"], "130px"),
        }
        return controls

    def _controls_box(self):
        c = self.controls
        return rows([c["kind"], c["mode"]], [c["input"], c["size"], c["channels"]],
                    [c["ksize"], c["stride"], c["padding"]])

    def _make_model(self):
        v = self.value_of
        upstream = self._upstream
        if upstream is not None and upstream.ndim == 4:
            upstream = upstream[0]
        return PoolingModel(self.current_input(), v("ksize"), v("stride"), v("padding"), v("kind"), v("mode"),
                            upstream=upstream, seed=self._seed)

    def _info_html(self) -> str:
        m = self.model
        k = m.ksize
        head = (f"x {list((1,) + m.x.shape)} → {m.kind}_pool(ksize=[1, {k[0]}, {k[1]}, 1], strides=[1, {m.stride[0]}, "
                f"{m.stride[1]}, 1], {m.padding!r}) → y {list((1,) + m.output.shape)}")
        fill = ("padding is −∞ for max pooling: a padded cell never wins" if m.kind == "max" else
                "average pooling divides by the in-bounds cells only")
        lines = [head] + m.size_formula() + [fill]
        return f'<div style="font:12px monospace">{"<br>".join(html.escape(t) for t in lines)}</div>'
