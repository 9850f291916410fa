"""PoolingExplorer: max and average pooling window by window, switches, divisors and backward routing."""

from __future__ import annotations

import html

from ..arrays import as_image, to_numpy
from ..models.conv_presets import INPUT_PRESETS, input_preset
from ..models.pooling import KINDS, MODES, PoolingModel
from .base import Explorer
from .controls import dropdown, int_slider, rows, toggles


class PoolingExplorer(Explorer):
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
        self._seed, self._session = seed, session
        self._custom_input = None if input is None else as_image(input, session, "input")
        self._upstream = None if upstream is None else to_numpy(upstream, session, "upstream")
        if self._custom_input is not None:
            input_size, channels = self._custom_input.shape[0], self._custom_input.shape[2]
        self._init = dict(input="custom" if input is not None else "random", size=input_size, channels=channels,
                          kind=kind, ksize=ksize, stride=stride, padding=padding, mode=mode)
        super().__init__(hide_controls, start_frame)

    def _build_controls(self):
        v = self._init
        fixed = v["input"] == "custom"
        controls = {
            "input": dropdown("input", list(INPUT_PRESETS) + (["custom"] if fixed else []), v["input"]),
            "size": int_slider("input size", v["size"], 2, 12),
            "channels": int_slider("channels", v["channels"], 1, 3),
            "kind": toggles("pooling", KINDS, v["kind"]),
            "ksize": int_slider("window", v["ksize"], 1, 4, "230px"),
            "stride": int_slider("stride", v["stride"], 1, 4, "230px"),
            "padding": toggles("padding", ["SAME", "VALID"], v["padding"]),
            "mode": toggles("mode", [("forward", "forward"), ("backward routing", "backward")], v["mode"], "130px"),
        }
        controls["size"].disabled = controls["channels"].disabled = fixed
        return controls

    def _controls_box(self):
        c = self.controls
        return rows([c["kind"], c["mode"]], [c["input"], c["size"], c["channels"]],
                    [c["ksize"], c["stride"], c["padding"]])

    def current_input(self):
        v = self.value_of
        if v("input") == "custom":
            return self._custom_input
        return input_preset(v("input"), v("size"), v("size"), v("channels"), self._seed)

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
