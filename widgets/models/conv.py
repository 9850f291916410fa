"""The convolution model: `tf.nn.conv2d` stepped cell by cell, forward, backward and weight sharing.

Forward frames follow TF1's definition (API.md §10.4), a cross-correlation
summed over input channels:

    y[0, i, j, o] = Σ_{di, dj, c} x_pad[i·s_h + di·d_h, j·s_w + dj·d_w, c] · w[di, dj, c, o]  (+ b[o])

with the SAME/VALID padding of §10.3. Backward frames accumulate, output
cell by output cell, dX[window] += dY[i, j, o]·w[:, :, :, o] and
dW[:, :, :, o] += dY[i, j, o]·x_pad[window]; gradients that land on padding
are dropped. Every number comes from, or is checked against, the engine:
`y` from `tf.nn.conv2d`, the final dX and dW from `tf.gradients`.
"""

from __future__ import annotations

import numpy as np

from ..arrays import as_image, to_numpy
from ..codegen import filled_array_code, np_array_code
from ..colors import format_number as fmt
from ..engine import require_ops, run_graph
from ..frames import Frame, Grid, LazyFrames, box_mask, cell_mask, shape_text
from ..padding import plan_axis
from .base import WindowFrameModel

MODES = ("forward", "backward", "sharing")


def _pair(v, what: str) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise ValueError(f"{what} must be an int or a pair (height, width); got {v!r}.")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _as_kernel(kernel, session) -> np.ndarray:
    k = to_numpy(kernel, session, "kernel")
    if k.ndim == 2:
        return k[:, :, None, None]
    if k.ndim != 4:
        raise ValueError(f"kernel must be 2-D [kh, kw] or 4-D HWIO [kh, kw, c_in, c_out]; got shape {k.shape}.")
    return k


def _paren(v: float) -> str:
    t = fmt(v)
    return f"({t})" if t.startswith("−") else t


class ConvolutionModel(WindowFrameModel):
    """Frames of `tf.nn.conv2d(x, kernel, strides, padding, dilations)` (+ `bias_add`).

    x: [h, w], [h, w, c_in] or NHWC (first example). kernel: [kh, kw] or HWIO.
    bias: None or [c_out]. stride, dilation: int or (h, w). mode: "forward",
    "backward" (needs `upstream` dY [h_out, w_out, c_out]; default small
    integers from `seed`) or "sharing" (one frame per weight).
    """

    title = "tf.nn.conv2d"

    def __init__(self, x, kernel, bias=None, stride=1, padding: str = "VALID", dilation=1, mode: str = "forward",
                 upstream=None, seed: int = 0, session=None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; got {mode!r}.")
        require_ops("ConvolutionExplorer", "nn.conv2d", "nn.bias_add", "gradients")
        self.x = as_image(x, session, "input")
        self.kernel = _as_kernel(kernel, session)
        kh, kw, c_in, c_out = self.kernel.shape
        h, w, c = self.x.shape
        if c != c_in:
            raise ValueError(f"The kernel expects {c_in} input channel(s) (its shape is {list(self.kernel.shape)}, "
                             f"HWIO) but the input has {c} (shape {list(self.x.shape)}).")
        self.bias = np.zeros(c_out) if bias is None else np.broadcast_to(to_numpy(bias, session, "bias"),
                                                                          (c_out,)).copy()
        self.stride = _pair(stride, "stride")
        self.dilation = _pair(dilation, "dilation")
        self.padding = padding
        self.mode = mode
        self.plan_h = plan_axis(h, kh, self.stride[0], padding, self.dilation[0])
        self.plan_w = plan_axis(w, kw, self.stride[1], padding, self.dilation[1])
        out_shape = (self.plan_h.out, self.plan_w.out, c_out)
        if upstream is None:
            upstream = np.random.default_rng(seed).integers(-2, 3, size=out_shape).astype(float)
        self.upstream = np.broadcast_to(to_numpy(upstream, session, "upstream"), out_shape).astype(float)
        self._run_engine()
        p_h, p_w = self.plan_h, self.plan_w
        self.x_pad = np.pad(self.x, ((p_h.pad_before, p_h.pad_after), (p_w.pad_before, p_w.pad_after), (0, 0)))
        self.pad_mask = np.ones(self.x_pad.shape[:2], bool)
        self.pad_mask[p_h.pad_before:p_h.pad_before + h, p_w.pad_before:p_w.pad_before + w] = False
        cells = self.plan_h.out * self.plan_w.out
        if mode == "forward":
            self.frames = LazyFrames(c_out * cells, self._forward_frame)
        elif mode == "backward":
            self._accumulate_backward()
            self.frames = LazyFrames(c_out * cells + 1, self._backward_frame)
        else:
            self.frames = LazyFrames(kh * kw * c_in * c_out, self._sharing_frame)

    # -- engine ------------------------------------------------------------------------------------
    def _run_engine(self) -> None:
        import teachtf as tf

        def build():
            x = tf.constant(self.x[None].astype(np.float32), name="x")
            w = tf.constant(self.kernel.astype(np.float32), name="kernel")
            conv = tf.nn.conv2d(x, w, strides=[1, *self.stride, 1], padding=self.padding,
                                dilations=[1, *self.dilation, 1])
            y = tf.nn.bias_add(conv, tf.constant(self.bias.astype(np.float32), name="bias"))
            fetches = {"y": y}
            if self.mode == "backward":
                dy = tf.constant(self.upstream[None].astype(np.float32), name="dy")
                fetches["dx"], fetches["dw"] = tf.gradients(y, [x, w], grad_ys=dy)
            return fetches

        out = run_graph(build)
        self.output = np.asarray(out["y"][0], dtype=float)
        self.grad_input = np.asarray(out["dx"][0], dtype=float) if "dx" in out else None
        self.grad_kernel = np.asarray(out["dw"], dtype=float) if "dw" in out else None

    # -- geometry ------------------------------------------------------------------------------------
    def terms(self, o: int, i: int, j: int) -> list[tuple[tuple[int, int, int], float, float]]:
        """[((di, dj, c), x value, w value)] of output (i, j, o), channel slowest then row-major taps."""
        rows, cols = self.window(i, j)
        kh, kw, c_in, _ = self.kernel.shape
        return [((di, dj, c), float(self.x_pad[rows[di], cols[dj], c]), float(self.kernel[di, dj, c, o]))
                for c in range(c_in) for di in range(kh) for dj in range(kw)]

    @property
    def padded_shape(self) -> tuple[int, int]:
        return self.x_pad.shape[:2]

    def size_formula(self) -> list[str]:
        """The output-size formulas of both axes, with numbers."""
        return self.plan_h.formula_lines("height") + self.plan_w.formula_lines("width")

    def scale_arrays(self):
        arrays = [self.x, self.kernel, self.output]
        if self.mode == "backward":
            arrays += [self.upstream, self.grad_input, self.grad_kernel, self._dx_steps[-1], self._dw_steps[-1]]
        return arrays

    # -- grids -----------------------------------------------------------------------------------
    def _x_title(self, c: int, name: str = "x") -> str:
        ph, pw = self.plan_h, self.plan_w
        pads = f"pad T{ph.pad_before} B{ph.pad_after} L{pw.pad_before} R{pw.pad_after}"
        return f"{name} {shape_text((1,) + self.x.shape)} · channel {c} · {pads}"

    def _input_grids(self, values, window, name="input x") -> list[Grid]:
        marks = {"padding": self.pad_mask}
        if window is not None:
            marks["window"] = window
        ph, pw = self.plan_h, self.plan_w
        return [Grid(self._x_title(c, name), values[:, :, c], dict(marks), row0=-ph.pad_before, col0=-pw.pad_before)
                for c in range(values.shape[2])]

    def _kernel_grids(self, o: int, values=None, name="kernel w", marks=None) -> list[Grid]:
        values = self.kernel if values is None else values
        title = shape_text(self.kernel.shape)
        return [Grid(f"{name} {title} · [:, :, {c}, {o}]", values[:, :, c, o], dict(marks or {}))
                for c in range(values.shape[2])]

    def _output_grid(self, o: int, i: int, j: int, values=None, name="output y") -> Grid:
        values = self.output[:, :, o] if values is None else values
        oh, ow = values.shape
        order = np.arange(oh * ow).reshape(oh, ow)
        pending = order > i * ow + j
        text = {(r, c): "" for r, c in zip(*np.nonzero(pending))}
        return Grid(f"{name} {shape_text((1,) + self.output.shape)} · channel {o}", np.where(pending, 0.0, values),
                    {"current": cell_mask((oh, ow), i, j), "pending": pending}, text)

    # -- forward ---------------------------------------------------------------------------------
    def _forward_frame(self, index: int) -> Frame:
        o, i, j = self._cell(index)
        rows, cols = self.window(i, j)
        window = box_mask(self.padded_shape, rows, cols)
        grids = self._input_grids(self.x_pad, window) + self._kernel_grids(o) + [self._output_grid(o, i, j)]
        terms = self.terms(o, i, j)
        running = np.cumsum([xv * wv for _, xv, wv in terms])
        total = float(running[-1]) + float(self.bias[o])
        kh, kw, c_in, _ = self.kernel.shape
        sh, sw = self.stride
        dh, dw = self.dilation
        lines = [f"y[0, {i}, {j}, {o}] = Σ_c Σ_di Σ_dj x_pad[{i}·{sh} + di·{dh}, {j}·{sw} + dj·{dw}, c] · "
                 f"w[di, dj, c, {o}]   (window rows {rows[0] - self.plan_h.pad_before}…"
                 f"{rows[-1] - self.plan_h.pad_before}, cols {cols[0] - self.plan_w.pad_before}…"
                 f"{cols[-1] - self.plan_w.pad_before}; negative or ≥ size = padding)"]
        per = kh * kw
        for c in range(c_in):
            chunk = terms[c * per:(c + 1) * per]
            products = " + ".join(f"{_paren(xv)}·{_paren(wv)}" for _, xv, wv in chunk)
            lines.append(f"  channel {c}: {products}")
        lines.append("  running sum: " + " → ".join(fmt(v) for v in running))
        bias = f" + bias {_paren(self.bias[o])} = {fmt(total)}" if self.bias[o] != 0 else ""
        lines.append(f"  = {fmt(running[-1])}{bias}   (tf.nn.conv2d gives {fmt(self.output[i, j, o])})")
        return Frame(grids, "\n".join(lines), f"output cell ({i}, {j}) of channel {o}", cell=(o, i, j),
                     value=float(self.output[i, j, o]),
                     extra={"terms": terms, "running": running, "sum": total, "rows": rows, "cols": cols})

    # -- backward ------------------------------------------------------------------------------------
    def _accumulate_backward(self) -> None:
        """dX (padded) and dW after each output cell, in frame order."""
        dx = np.zeros_like(self.x_pad)
        dw = np.zeros_like(self.kernel)
        self._dx_steps, self._dw_steps = [], []
        kh, kw, _, c_out = self.kernel.shape
        for index in range(c_out * self.plan_h.out * self.plan_w.out):
            o, i, j = self._cell(index)
            rows, cols = self.window(i, j)
            g = self.upstream[i, j, o]
            dx = dx.copy()
            dw = dw.copy()
            dx[np.ix_(rows, cols)] += g * self.kernel[:, :, :, o]
            dw[:, :, :, o] += g * self.x_pad[np.ix_(rows, cols)]
            self._dx_steps.append(dx)
            self._dw_steps.append(dw)
        ph, pw = self.plan_h, self.plan_w
        self.grad_input_accumulated = dx[ph.pad_before:ph.pad_before + self.x.shape[0],
                                         pw.pad_before:pw.pad_before + self.x.shape[1]]
        self.grad_kernel_accumulated = dw

    def _backward_frame(self, index: int) -> Frame:
        cells = len(self._dx_steps)
        if index == cells:
            return self._backward_result_frame()
        o, i, j = self._cell(index)
        rows, cols = self.window(i, j)
        window = box_mask(self.padded_shape, rows, cols)
        g = self.upstream[i, j, o]
        oh, ow = self.plan_h.out, self.plan_w.out
        dy = Grid(f"upstream dL/dy {shape_text((1,) + self.upstream.shape)} · channel {o}", self.upstream[:, :, o],
                  {"current": cell_mask((oh, ow), i, j)})
        all_taps = {"window": np.ones(self.kernel.shape[:2], bool)}
        grids = ([dy] + self._input_grids(self.x_pad, window) + self._kernel_grids(o, marks=all_taps)
                 + self._input_grids(self._dx_steps[index], window, "dL/dx so far")
                 + self._kernel_grids(o, self._dw_steps[index], "dL/dw so far", all_taps))
        kh, kw, c_in, _ = self.kernel.shape
        r0, c0 = rows[0] - self.plan_h.pad_before, cols[0] - self.plan_w.pad_before
        lines = [f"output cell ({i}, {j}, channel {o}) has upstream gradient dL/dy = {fmt(g)}",
                 f"dL/dx[window at row {r0}, col {c0}] += dL/dy · w[:, :, :, {o}]   (each tap gets "
                 f"{fmt(g)} × its weight)"]
        for c in range(c_in):
            adds = ", ".join(f"{fmt(g)}·{_paren(self.kernel[di, dj, c, o])}" for di in range(kh) for dj in range(kw))
            lines.append(f"  channel {c}: {adds}")
        lines.append(f"dL/dw[:, :, :, {o}] += dL/dy · x[window]   (each weight gets {fmt(g)} × the input it read)")
        for c in range(c_in):
            adds = ", ".join(f"{fmt(g)}·{_paren(self.x_pad[rows[di], cols[dj], c])}"
                             for di in range(kh) for dj in range(kw))
            lines.append(f"  channel {c}: {adds}")
        if window[self.pad_mask].any():
            lines.append("gradient landing on padding cells is dropped: padding is not an input.")
        return Frame(grids, "\n".join(lines), f"backward through output cell ({i}, {j}) of channel {o}",
                     cell=(o, i, j), value=float(g))

    def _backward_result_frame(self) -> Frame:
        """The last frame: tf.gradients' dX and dW, laid out like the step frames."""
        o = 0
        dy = Grid(f"upstream dL/dy {shape_text((1,) + self.upstream.shape)} · channel {o}", self.upstream[:, :, o])
        dx = [Grid(f"dL/dx {shape_text((1,) + self.x.shape)} · channel {c} (tf.gradients)", self.grad_input[:, :, c])
              for c in range(self.x.shape[2])]
        dw = self._kernel_grids(o, self.grad_kernel, "dL/dw (tf.gradients)")
        grids = [dy] + self._input_grids(self.x_pad, None) + self._kernel_grids(o) + dx + dw
        err_x = float(np.max(np.abs(self.grad_input - self.grad_input_accumulated)))
        err_w = float(np.max(np.abs(self.grad_kernel - self.grad_kernel_accumulated)))
        formula = ("dx, dw = tf.gradients(y, [x, w], grad_ys=dy)\n"
                   "dL/dx is the step-by-step accumulation with the padding cropped away; dL/dw is the sum over "
                   "every output cell.\n"
                   f"largest difference from the step-by-step sums: dx {err_x:.2g}, dw {err_w:.2g} "
                   f"(float32 rounding)")
        return Frame(grids, formula, "result: what tf.gradients computes", cell=None)

    # -- weight sharing ------------------------------------------------------------------------------
    def _weight(self, index: int) -> tuple[int, int, int, int]:
        kh, kw, c_in, _ = self.kernel.shape
        o, rest = divmod(index, kh * kw * c_in)
        c, rest = divmod(rest, kh * kw)
        di, dj = divmod(rest, kw)
        return di, dj, c, o

    def touched(self, di: int, dj: int) -> np.ndarray:
        """Bool mask over the padded input: every cell tap (di, dj) reads, over all output cells."""
        rows = [self.plan_h.window_cells(i)[di] for i in range(self.plan_h.out)]
        cols = [self.plan_w.window_cells(j)[dj] for j in range(self.plan_w.out)]
        return box_mask(self.padded_shape, rows, cols)

    def _sharing_frame(self, index: int) -> Frame:
        di, dj, c, o = self._weight(index)
        touched = self.touched(di, dj)
        oh, ow = self.plan_h.out, self.plan_w.out
        real = np.array([[not self.pad_mask[self.plan_h.window_cells(i)[di], self.plan_w.window_cells(j)[dj]]
                          for j in range(ow)] for i in range(oh)])
        grids = self._input_grids(self.x_pad, None)
        grids[c].marks["touched"] = touched
        kmarks = {"selected": cell_mask(self.kernel.shape[:2], di, dj)}
        grids += self._kernel_grids(o, marks=kmarks)
        grids.append(Grid(f"output y {shape_text((1,) + self.output.shape)} · channel {o}", self.output[:, :, o],
                          {"touched": real}))
        n_real = int(real.sum())
        formula = (f"weight w[{di}, {dj}, {c}, {o}] = {fmt(self.kernel[di, dj, c, o])} is shared by all {oh * ow} "
                   f"output cells of channel {o}.\n"
                   f"It multiplies x_pad[i·{self.stride[0]} + {di}·{self.dilation[0]}, "
                   f"j·{self.stride[1]} + {dj}·{self.dilation[1]}, {c}]: {int(touched.sum())} input positions, "
                   f"{n_real} of them real input and {oh * ow - n_real} padding.\n"
                   f"So dL/dw[{di}, {dj}, {c}, {o}] = Σ_(i,j) dL/dy[i, j, {o}] · (the input cell it read) — one "
                   f"term per output cell.")
        return Frame(grids, formula, f"weight sharing: w[{di}, {dj}, {c}, {o}]", cell=(di, dj, c, o),
                     value=float(self.kernel[di, dj, c, o]), extra={"touched": touched, "real_outputs": real})

    # -- code ------------------------------------------------------------------------------------
    def code(self) -> str:
        sh, sw = self.stride
        dh, dw = self.dilation
        lines = ["import numpy as np", "import teachtf as tf", ""]
        lines += filled_array_code("x_value", self.x[None], "input, NHWC")
        lines += filled_array_code("w_value", self.kernel, "kernel, HWIO [height, width, in, out]")
        lines += ["x = tf.constant(x_value)", "w = tf.constant(w_value)",
                  f"y = tf.nn.conv2d(x, w, strides=[1, {sh}, {sw}, 1], padding={self.padding!r}, "
                  f"dilations=[1, {dh}, {dw}, 1])"]
        if np.any(self.bias != 0):
            lines.append(f"y = tf.nn.bias_add(y, {np_array_code(self.bias)})")
        fetch = '{"y": y}'
        if self.mode == "backward":
            lines += filled_array_code("dy_value", self.upstream[None], "upstream gradient dL/dy")
            lines += ["dx, dw = tf.gradients(y, [x, w], grad_ys=tf.constant(dy_value))"]
            fetch = '{"y": y, "dx": dx, "dw": dw}'
        lines += ["", "with tf.Session() as sess:", f"    result = sess.run({fetch})", "",
                  "for o in range(result[\"y\"].shape[-1]):",
                  "    print(f\"output channel {o}:\")", "    print(result[\"y\"][0, :, :, o])"]
        return "\n".join(lines) + "\n"
