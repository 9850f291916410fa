"""TransposedConvExplorer: conv2d_transpose as overlapping stamps, and as zero insertion + convolution."""

from __future__ import annotations

import html

import numpy as np

from ..arrays import to_numpy
from ..models.conv_presets import kernel_preset
from ..models.transposed import VIEWS, TransposedConvModel
from ..padding import transposed_output_sizes
from .base import Explorer
from .controls import dropdown, int_slider, rows, toggles

KERNELS = ("ones", "identity", "box_blur", "random")


class TransposedConvExplorer(Explorer):
    """Steps through `tf.nn.conv2d_transpose` (single channel) in the scatter or the gather view.

    value, kernel: 2-D arrays (or tensors); by default a small ramp and a preset kernel.
    output_size: the output height (= width) to request; None picks the largest valid one.
    """

    title = "Transposed convolution explorer — tf.nn.conv2d_transpose"

    def __init__(self, value=None, kernel="ones", input_size: int = 2, kernel_size: int = 3, stride: int = 2,
                 padding: str = "SAME", output_size=None, view: str = "scatter", seed: int = 0, hide_controls=(),
                 session=None, start_frame: int = 0):
        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}; got {view!r}.")
        self._seed = seed
        self._custom_value = None if value is None else to_numpy(value, session, "value")
        self._custom_kernel = None if isinstance(kernel, str) else to_numpy(kernel, session, "kernel")
        if self._custom_value is not None:
            input_size = self._custom_value.shape[0]
        if self._custom_kernel is not None:
            kernel_size = self._custom_kernel.shape[0]
        self._init = dict(kernel="custom" if self._custom_kernel is not None else kernel, size=input_size,
                          kernel_size=kernel_size, stride=stride, padding=padding, view=view,
                          output_size=output_size)
        super().__init__(hide_controls, start_frame)

    def _build_controls(self):
        v = self._init
        kernels = list(KERNELS) + (["custom"] if v["kernel"] == "custom" else [])
        sizes = transposed_output_sizes(v["size"], v["kernel_size"], v["stride"], v["padding"])
        out = v["output_size"] if v["output_size"] in sizes else max(sizes)
        controls = {
            "view": toggles("view", [("scatter (stamps)", "scatter"), ("zero insertion + conv", "gather")], v["view"],
                            "170px"),
            "size": int_slider("input size", v["size"], 1, 5),
            "kernel": dropdown("kernel", kernels, v["kernel"]),
            "kernel_size": int_slider("kernel size", v["kernel_size"], 1, 4),
            "stride": int_slider("stride", v["stride"], 1, 3, "230px"),
            "padding": toggles("padding", ["SAME", "VALID"], v["padding"]),
            "output_size": dropdown("output size", sizes, out, "150px"),
        }
        controls["size"].disabled = self._custom_value is not None
        controls["kernel_size"].disabled = self._custom_kernel is not None
        return controls

    def _controls_box(self):
        c = self.controls
        return rows([c["view"]], [c["size"], c["kernel"], c["kernel_size"]],
                    [c["stride"], c["padding"], c["output_size"]])

    def _on_control(self, change) -> None:
        if change["owner"] is not self.controls["output_size"] and not self._suspended:
            self._refresh_sizes()
        super()._on_control(change)

    def _refresh_sizes(self) -> None:
        """Keeps the output-size choices to those a forward conv maps back to the input size."""
        v = self.value_of
        sizes = transposed_output_sizes(v("size"), v("kernel_size"), v("stride"), v("padding"))
        dd = self.controls["output_size"]
        if list(dd.options) != sizes:
            keep = dd.value if dd.value in sizes else max(sizes)
            self._suspended += 1
            try:
                dd.options = sizes
                dd.value = keep
            finally:
                self._suspended -= 1

    def _make_model(self):
        v = self.value_of
        n = v("size")
        value = self._custom_value if self._custom_value is not None else np.arange(1.0, n * n + 1).reshape(n, n)
        k = v("kernel_size")
        kernel = (self._custom_kernel if v("kernel") == "custom" else
                  kernel_preset(v("kernel"), k, k, seed=self._seed)[:, :, 0, 0])
        out = v("output_size")
        return TransposedConvModel(value, kernel, v("stride"), v("padding"), (out, out), v("view"))

    def _info_html(self) -> str:
        lines = ["value [1, h, w, 1] and a kernel [kh, kw, 1, 1] → output_shape [1, N, N, 1]"]
        lines += self.model.size_formula()
        return f'<div style="font:12px monospace">{"<br>".join(html.escape(t) for t in lines)}</div>'
