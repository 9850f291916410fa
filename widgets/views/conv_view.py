"""ConvolutionExplorer: the view of `ConvolutionModel` (sliding window, padding, backward, weight sharing)."""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from ..arrays import as_image, to_numpy
from ..models.conv import MODES, ConvolutionModel
from ..models.conv_presets import INPUT_PRESETS, KERNEL_PRESETS, input_preset, kernel_preset
from .base import Explorer
from .controls import SMALL as _SMALL
from .controls import int_slider as _slider

# Scenario presets: control values applied together.
SCENARIOS = {
    "identity": dict(input="ramp", kernel="identity", kernel_size=3, stride=1, dilation=1, padding="SAME"),
    "blur": dict(input="impulse", kernel="box_blur", kernel_size=3, stride=1, dilation=1, padding="SAME"),
    "Sobel x (vertical edges)": dict(input="vertical_edge", kernel="sobel_x", kernel_size=3, stride=1, dilation=1,
                                     padding="VALID"),
    "Sobel y (horizontal edges)": dict(input="checkerboard", kernel="sobel_y", kernel_size=3, stride=1, dilation=1,
                                       padding="VALID"),
    "all ones, stride 2 (padding demo)": dict(input="ones", size=6, kernel="ones", kernel_size=3, stride=2,
                                              dilation=1, padding="SAME"),
}

class ConvolutionExplorer(Explorer):
    """Steps through `tf.nn.conv2d`: the window, the dot product with numbers, TF1's SAME/VALID padding.

    input: None (use a preset), a 2-D/3-D/NHWC array or a teachtf tensor.
    kernel: a preset name (see KERNEL_PRESETS), a [kh, kw] or HWIO array, or a tensor.
    mode: "forward", "backward" (dL/dx and dL/dw for `upstream`) or "sharing".
    hide_controls: True or names of controls to hide; seed fixes the random input/kernel/upstream.
    """

    title = "Convolution explorer — tf.nn.conv2d"

    def __init__(self, input=None, kernel="sobel_x", input_size: int = 6, kernel_size: int = 3, stride: int = 1,
                 dilation: int = 1, padding: str = "VALID", in_channels: int = 1, out_channels: int = 1,
                 bias: float = 0.0, mode: str = "forward", upstream=None, seed: int = 0, hide_controls=(),
                 session=None, start_frame: int = 0):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; got {mode!r}.")
        self._seed = seed
        self._upstream = upstream
        self._session = session
        self._custom_input = None if input is None else as_image(input, session, "input")
        self._custom_kernel = None
        self._custom_size = None  # the kernel-size control value the custom kernel was made for
        if not isinstance(kernel, str):
            k = to_numpy(kernel, session, "kernel")
            self._custom_kernel = k[:, :, None, None] if k.ndim == 2 else k
            kernel_size = self._custom_size = self._custom_kernel.shape[0]
            in_channels, out_channels = self._custom_kernel.shape[2:]
        if self._custom_input is not None:
            input_size = self._custom_input.shape[0]
            in_channels = self._custom_input.shape[2]
        self._init = dict(input="custom" if input is not None else "random",
                          kernel="custom" if self._custom_kernel is not None else kernel, size=input_size,
                          kernel_size=kernel_size, stride=stride, dilation=dilation, padding=padding,
                          in_channels=in_channels, out_channels=out_channels, bias=bias, mode=mode)
        self._syncing = False
        self._editor_cells: list[W.FloatText] = []
        self.kernel_editor = W.VBox()
        self.kernel_slice = W.Dropdown(description="edit kernel slice [:, :, in, out]", layout=W.Layout(width="330px"),
                                       **_SMALL)
        self.kernel_slice.observe(lambda _: self._fill_editor(), names="value")
        super().__init__(hide_controls, start_frame)
        self.children = self.children[:2] + (self._editor_box(),) + self.children[2:]

    # -- controls --------------------------------------------------------------------------------
    def _build_controls(self):
        v = self._init
        inputs = list(INPUT_PRESETS) + (["custom"] if v["input"] == "custom" else [])
        kernels = list(KERNEL_PRESETS) + (["custom"] if v["kernel"] == "custom" else ["custom"])
        fixed_input = v["input"] == "custom"
        controls = {
            "scenario": W.Dropdown(options=["—"] + list(SCENARIOS), value="—", description="preset",
                                   layout=W.Layout(width="290px"), **_SMALL),
            "input": W.Dropdown(options=inputs, value=v["input"], description="input",
                                layout=W.Layout(width="190px"), **_SMALL),
            "size": _slider("input size", v["size"], 2, 12 if not fixed_input else max(12, v["size"])),
            "in_channels": _slider("in channels", v["in_channels"], 1, max(3, v["in_channels"])),
            "out_channels": _slider("out channels", v["out_channels"], 1, max(3, v["out_channels"])),
            "kernel": W.Dropdown(options=kernels, value=v["kernel"], description="kernel",
                                 layout=W.Layout(width="190px"), **_SMALL),
            "kernel_size": _slider("kernel size", v["kernel_size"], 1, max(5, v["kernel_size"])),
            "stride": _slider("stride", v["stride"], 1, 3, "230px"),
            "dilation": _slider("dilation", v["dilation"], 1, 3, "230px"),
            "padding": W.ToggleButtons(options=["SAME", "VALID"], value=v["padding"], description="padding",
                                       style={"button_width": "60px", "description_width": "initial"}),
            "bias": W.FloatText(value=v["bias"], description="bias", step=0.5, layout=W.Layout(width="130px"),
                                **_SMALL),
            "mode": W.ToggleButtons(options=[("forward", "forward"), ("backward", "backward"),
                                             ("weight sharing", "sharing")], value=v["mode"], description="mode",
                                    tooltips=["y = x ⊛ w, cell by cell", "dL/dx and dL/dw for an upstream dL/dy",
                                              "every input cell one weight touches"],
                                    style={"button_width": "125px", "description_width": "initial"}),
        }
        if fixed_input:
            controls["size"].disabled = True
            controls["in_channels"].disabled = True
        return controls

    def _controls_box(self):
        c = self.controls
        rows = [[c["scenario"], c["mode"]], [c["input"], c["size"], c["in_channels"], c["out_channels"]],
                [c["kernel"], c["kernel_size"], c["stride"], c["dilation"], c["padding"], c["bias"]]]
        return W.VBox([W.HBox(r, layout=W.Layout(flex_flow="row wrap", align_items="center")) for r in rows])

    def _editor_box(self):
        box = W.Accordion([W.VBox([self.kernel_slice, self.kernel_editor])])
        box.set_title(0, "edit the kernel")
        box.selected_index = None
        if self.controls["kernel"].layout.display == "none":
            box.layout.display = "none"
        return box

    def _on_control(self, change) -> None:
        owner = change["owner"]
        if owner is self.controls["scenario"]:
            self._apply_scenario(change["new"])
            return
        if owner is self.controls["kernel"] and change["new"] in ("sobel_x", "sobel_y", "laplacian", "gaussian"):
            if self.controls["kernel_size"].value != 3:
                with self.batch():
                    self.controls["kernel_size"].value = 3
                return
        super()._on_control(change)

    def _apply_scenario(self, name: str) -> None:
        if name not in SCENARIOS:
            return
        with self.batch():
            for key, value in SCENARIOS[name].items():
                if key == "input" and self._custom_input is not None:
                    continue
                self.controls[key].value = value

    # -- model -----------------------------------------------------------------------------------
    def current_input(self) -> np.ndarray:
        v = self.value_of
        if v("input") == "custom":
            return self._custom_input
        return input_preset(v("input"), v("size"), v("size"), v("in_channels"), self._seed)

    def current_kernel(self) -> np.ndarray:
        v = self.value_of
        shape = (v("kernel_size"), v("kernel_size"), v("in_channels"), v("out_channels"))
        if v("kernel") == "custom":
            if self._custom_kernel is None:
                self._custom_kernel = np.zeros(shape)
            if v("kernel_size") == self._custom_size:  # a non-square custom kernel keeps its shape
                shape = self._custom_kernel.shape[:2] + shape[2:]
            if self._custom_kernel.shape != shape:
                resized = np.zeros(shape)
                k = self._custom_kernel
                common = tuple(slice(0, min(a, b)) for a, b in zip(shape, k.shape))
                resized[common] = k[common]
                self._custom_kernel = resized
            self._custom_size = v("kernel_size")
            return self._custom_kernel
        return kernel_preset(v("kernel"), *shape, seed=self._seed)

    def _make_model(self):
        v = self.value_of
        x = self.current_input()
        kernel = self.current_kernel()
        bias = np.full(kernel.shape[3], v("bias"))
        upstream = self._upstream
        if upstream is not None:
            upstream = to_numpy(upstream, self._session, "upstream")
            upstream = upstream[0] if upstream.ndim == 4 else upstream
        model = ConvolutionModel(x, kernel, bias, v("stride"), v("padding"), v("dilation"), v("mode"),
                                 upstream=upstream, seed=self._seed)
        self._refresh_editor(kernel)
        return model

    def _info_html(self) -> str:
        m = self.model
        shapes = (f"x {list((1,) + m.x.shape)} ⊛ w {list(m.kernel.shape)} → y {list((1,) + m.output.shape)} "
                  f"(NHWC ⊛ HWIO)")
        lines = "<br>".join(html.escape(t) for t in m.size_formula())
        return f'<div style="font:12px monospace">{html.escape(shapes)}<br>{lines}</div>'

    # -- kernel editor ------------------------------------------------------------------------------
    def _refresh_editor(self, kernel: np.ndarray) -> None:
        _, _, c_in, c_out = kernel.shape
        options = [(f"in {i} → out {o}", (i, o)) for o in range(c_out) for i in range(c_in)]
        self._syncing = True
        try:
            if [o[1] for o in self.kernel_slice.options] != [o[1] for o in options]:
                self.kernel_slice.options = options
                self.kernel_slice.value = options[0][1]
        finally:
            self._syncing = False
        self._fill_editor(kernel)

    def _fill_editor(self, kernel=None) -> None:
        if self._syncing or self.kernel_slice.value is None:
            return
        kernel = self.current_kernel() if kernel is None else kernel
        i, o = self.kernel_slice.value
        kh, kw = kernel.shape[:2]
        if len(self._editor_cells) != kh * kw or self._editor_shape != (kh, kw):
            self._editor_cells = []
            for r in range(kh):
                for c in range(kw):
                    box = W.FloatText(step=0.5, layout=W.Layout(width="64px"))
                    box.observe(lambda ch, r=r, c=c: self._on_edit(r, c, ch["new"]), names="value")
                    self._editor_cells.append(box)
            self._editor_shape = (kh, kw)
            self.kernel_editor.children = [W.GridBox(self._editor_cells, layout=W.Layout(
                grid_template_columns=f"repeat({kw}, 68px)", grid_gap="2px"))]
        self._syncing = True
        try:
            for k, box in enumerate(self._editor_cells):
                box.value = float(kernel[k // kw, k % kw, i, o])
        finally:
            self._syncing = False

    _editor_shape = (0, 0)

    def _on_edit(self, r: int, c: int, value: float) -> None:
        """A typed kernel value: the kernel becomes 'custom' and the frames are recomputed."""
        if self._syncing:
            return
        kernel = self.current_kernel().copy()
        i, o = self.kernel_slice.value
        kernel[r, c, i, o] = value
        self._custom_kernel = kernel
        self._custom_size = self.value_of("kernel_size")
        if self.controls["kernel"].value != "custom":
            self._suspended += 1
            try:
                self.controls["kernel"].value = "custom"
            finally:
                self._suspended -= 1
        self._rebuild()

    def edit_kernel(self, row: int, col: int, value: float, in_channel: int = 0, out_channel: int = 0) -> None:
        """Sets one kernel weight, as typing it in the editor does."""
        self.kernel_slice.value = (in_channel, out_channel)
        self._on_edit(row, col, value)
