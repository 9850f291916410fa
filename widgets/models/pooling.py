"""The pooling model: `tf.nn.max_pool` / `avg_pool` stepped window by window, forward and backward.

Max pooling records the winning cell of each window, the argmax "switch",
exactly as `tf.nn.max_pool_with_argmax` reports it: flat index
(y·W + x)·C + c, first maximum in row-major window order, padding never
selected (−∞). Average pooling divides by the number of *in-bounds* cells
of each window (API.md §10.3), so SAME borders divide by less than kh·kw.
Backward: max pooling routes dL/dy[i, j] to the switch (overlapping windows
accumulate); average pooling spreads dL/dy[i, j]/count over the window.
"""

from __future__ import annotations

import numpy as np

from ..arrays import as_image, to_numpy
from ..codegen import filled_array_code
from ..colors import format_number as fmt
from ..engine import require_ops, run_graph
from ..frames import Frame, Grid, LazyFrames, box_mask, cell_mask, shape_text
from ..padding import plan_axis
from .base import WindowFrameModel
from .conv import _pair

KINDS = ("max", "avg")
MODES = ("forward", "backward")


def decode_argmax(index: int, width: int, channels: int) -> tuple[int, int, int]:
    """TF1's flat argmax index (y·W + x)·C + c -> (y, x, c), with the pre-pool width W and channels C."""
    index = int(index)
    return index // (width * channels), (index // channels) % width, index % channels


def window_switch(argmax, x_shape, c: int, i: int, j: int) -> tuple[int, int]:
    """(y, x) in the unpadded input [h, w, c] of the max of window (i, j), channel c, from the engine's argmax
    [h_out, w_out, c]."""
    y, x, cc = decode_argmax(argmax[i, j, c], x_shape[1], x_shape[2])
    assert cc == c
    return y, x


class PoolingModel(WindowFrameModel):
    """Frames of max or average pooling of x [h, w, c] (or NHWC, first example).

    ksize, stride: int or (h, w). kind: "max" | "avg". mode: "forward" | "backward"
    (backward uses `upstream` dL/dy [h_out, w_out, c], default small integers from `seed`).
    """

    def __init__(self, x, ksize=2, stride=2, padding: str = "VALID", kind: str = "max", mode: str = "forward",
                 upstream=None, seed: int = 0, session=None):
        if kind not in KINDS:
            raise ValueError(f"kind must be 'max' or 'avg'; got {kind!r}.")
        if mode not in MODES:
            raise ValueError(f"mode must be 'forward' or 'backward'; got {mode!r}.")
        require_ops("PoolingExplorer", "nn.max_pool", "nn.avg_pool", "nn.max_pool_with_argmax", "gradients")
        self.title = f"tf.nn.{kind}_pool"
        self.x = as_image(x, session, "input")
        self.ksize = _pair(ksize, "ksize")
        self.stride = _pair(stride, "stride")
        self.padding, self.kind, self.mode = padding, kind, mode
        h, w, c = self.x.shape
        self.plan_h = plan_axis(h, self.ksize[0], self.stride[0], padding)
        self.plan_w = plan_axis(w, self.ksize[1], self.stride[1], padding)
        out_shape = (self.plan_h.out, self.plan_w.out, c)
        if upstream is None:
            upstream = np.random.default_rng(seed).integers(1, 4, size=out_shape).astype(float)
        self.upstream = np.broadcast_to(to_numpy(upstream, session, "upstream"), out_shape).astype(float)
        self._run_engine()
        ph, pw = self.plan_h, self.plan_w
        self.x_pad = np.pad(self.x, ((ph.pad_before, ph.pad_after), (pw.pad_before, pw.pad_after), (0, 0)))
        self.pad_mask = np.ones(self.x_pad.shape[:2], bool)
        self.pad_mask[ph.pad_before:ph.pad_before + h, pw.pad_before:pw.pad_before + w] = False
        self.counts = np.array([[self._in_bounds(i, j) for j in range(pw.out)] for i in range(ph.out)],
                               dtype=float)
        cells = c * ph.out * pw.out
        if mode == "forward":
            self.frames = LazyFrames(cells, self._forward_frame)
        else:
            self._accumulate_backward()
            self.frames = LazyFrames(cells + 1, self._backward_frame)

    # -- engine --------------------------------------------------------------------------------------
    def _run_engine(self) -> None:
        import teachtf as tf

        ksize = [1, *self.ksize, 1]
        strides = [1, *self.stride, 1]

        def build():
            x = tf.constant(self.x[None].astype(np.float32), name="x")
            pool = tf.nn.max_pool if self.kind == "max" else tf.nn.avg_pool
            y = pool(x, ksize=ksize, strides=strides, padding=self.padding)
            fetches = {"y": y}
            if self.kind == "max":
                fetches["pooled"], fetches["argmax"] = tf.nn.max_pool_with_argmax(x, ksize, strides, self.padding)
            if self.mode == "backward":
                dy = tf.constant(self.upstream[None].astype(np.float32), name="dy")
                fetches["dx"] = tf.gradients(y, x, grad_ys=dy)[0]
            return fetches

        out = run_graph(build)
        self.output = np.asarray(out["y"][0], float)
        self.argmax = np.asarray(out["argmax"][0], np.int64) if "argmax" in out else None
        self.grad_input = np.asarray(out["dx"][0], float) if "dx" in out else None

    # -- geometry ------------------------------------------------------------------------------------
    def _in_bounds(self, i: int, j: int) -> int:
        rows, cols = self.window(i, j)
        ph, pw = self.plan_h, self.plan_w
        n_r = sum(ph.pad_before <= r < ph.pad_before + ph.n for r in rows)
        n_c = sum(pw.pad_before <= c < pw.pad_before + pw.n for c in cols)
        return n_r * n_c

    def switch(self, c: int, i: int, j: int) -> tuple[int, int]:
        return window_switch(self.argmax, self.x.shape, c, i, j)

    def size_formula(self) -> list[str]:
        return self.plan_h.formula_lines("height") + self.plan_w.formula_lines("width")

    def scale_arrays(self):
        arrays = [self.x, self.output]
        if self.mode == "backward":
            arrays += [self.upstream, self.grad_input, self._dx_steps[-1]]
        return arrays

    # -- grids ---------------------------------------------------------------------------------------
    def _input_grid(self, c: int, values=None, name="input x", marks=None) -> Grid:
        values = self.x_pad[:, :, c] if values is None else values
        ph, pw = self.plan_h, self.plan_w
        text = {}
        if self.kind == "max" and name == "input x":
            text = {(r, cc): "−∞" for r, cc in zip(*np.nonzero(self.pad_mask))}
        pads = f"pad T{ph.pad_before} B{ph.pad_after} L{pw.pad_before} R{pw.pad_after}"
        return Grid(f"{name} {shape_text((1,) + self.x.shape)} · channel {c} · {pads}", values,
                    {"padding": self.pad_mask, **(marks or {})}, text, row0=-ph.pad_before, col0=-pw.pad_before)

    def _padded_cell(self, y: int, x: int) -> tuple[int, int]:
        return y + self.plan_h.pad_before, x + self.plan_w.pad_before

    def _output_grid(self, c, i, j, values=None, name="output y") -> Grid:
        values = self.output[:, :, c] if values is None else values
        oh, ow = values.shape
        pending = np.arange(oh * ow).reshape(oh, ow) > i * ow + j
        text = {(r, cc): "" for r, cc in zip(*np.nonzero(pending))}
        return Grid(f"{name} {shape_text((1,) + self.output.shape)} · channel {c}", np.where(pending, 0, values),
                    {"current": cell_mask((oh, ow), i, j), "pending": pending}, text)

    def _side_grid(self, c, i, j) -> Grid:
        """Max: the switches recorded so far; avg: each window's in-bounds divisor."""
        oh, ow = self.plan_h.out, self.plan_w.out
        pending = np.arange(oh * ow).reshape(oh, ow) > i * ow + j
        marks = {"current": cell_mask((oh, ow), i, j), "pending": pending}
        if self.kind == "avg":
            return Grid(f"divisor: in-bounds cells per window {shape_text((oh, ow))}", self.counts, marks,
                        colored=False)
        text = {}
        for r in range(oh):
            for cc in range(ow):
                if pending[r, cc]:
                    text[(r, cc)] = ""
                else:
                    y, x = self.switch(c, r, cc)
                    text[(r, cc)] = f"{self.argmax[r, cc, c]}:{y},{x}"
        return Grid(f"argmax switches (index:y,x) {shape_text((1, oh, ow, self.x.shape[2]))} · channel {c}",
                    self.argmax[:, :, c], marks, text, colored=False)

    # -- forward ---------------------------------------------------------------------------------------
    def _forward_frame(self, index: int) -> Frame:
        c, i, j = self._cell(index)
        rows, cols = self.window(i, j)
        marks = {"window": box_mask(self.x_pad.shape[:2], rows, cols)}
        h, w, channels = self.x.shape
        ph, pw = self.plan_h, self.plan_w
        cells = [(r, cc) for r in rows for cc in cols]
        shown = ", ".join("−∞" if self.pad_mask[r, cc] and self.kind == "max" else
                          ("pad" if self.pad_mask[r, cc] else fmt(self.x_pad[r, cc, c])) for r, cc in cells)
        head = f"y[0, {i}, {j}, {c}] over window rows {rows[0] - ph.pad_before}…{rows[-1] - ph.pad_before}, " \
               f"cols {cols[0] - pw.pad_before}…{cols[-1] - pw.pad_before}"
        if self.kind == "max":
            y, x = self.switch(c, i, j)
            marks["switch"] = cell_mask(self.x_pad.shape[:2], *self._padded_cell(y, x))
            formula = (f"{head}\n  max({shown}) = {fmt(self.output[i, j, c])}\n"
                       f"  switch (first maximum in row-major order): (y, x) = ({y}, {x});  argmax = (y·W + x)·C + c = "
                       f"({y}·{w} + {x})·{channels} + {c} = {self.argmax[i, j, c]}")
            value_note = {"switch": (y, x), "argmax": int(self.argmax[i, j, c])}
        else:
            n = int(self.counts[i, j])
            inside = [fmt(self.x_pad[r, cc, c]) for r, cc in cells if not self.pad_mask[r, cc]]
            total = sum(float(self.x_pad[r, cc, c]) for r, cc in cells if not self.pad_mask[r, cc])
            note = "" if n == len(cells) else f"  — {len(cells) - n} padded cell(s) are not counted"
            formula = (f"{head}\n  ({' + '.join(inside)}) / {n} = {fmt(total)} / {n} = {fmt(self.output[i, j, c])}"
                       f"\n  divisor = in-bounds cells = {n} of {len(cells)}{note}")
            value_note = {"count": n, "sum": total}
        grids = [self._input_grid(c, marks=marks), self._output_grid(c, i, j), self._side_grid(c, i, j)]
        return Frame(grids, formula, f"{self.kind} pool window ({i}, {j}) of channel {c}", cell=(c, i, j),
                     value=float(self.output[i, j, c]), extra=value_note)

    # -- backward --------------------------------------------------------------------------------------
    def _accumulate_backward(self) -> None:
        dx = np.zeros_like(self.x_pad)
        self._dx_steps, self._targets = [], []
        for index in range(self.x.shape[2] * self.plan_h.out * self.plan_w.out):
            c, i, j = self._cell(index)
            g = self.upstream[i, j, c]
            dx = dx.copy()
            if self.kind == "max":
                target = np.zeros(self.x_pad.shape[:2], bool)
                target[self._padded_cell(*self.switch(c, i, j))] = True
            else:
                rows, cols = self.window(i, j)
                target = box_mask(self.x_pad.shape[:2], rows, cols) & ~self.pad_mask
                g = g / self.counts[i, j]
            dx[:, :, c][target] += g
            self._dx_steps.append(dx)
            self._targets.append(target)
        ph, pw = self.plan_h, self.plan_w
        self.grad_input_accumulated = dx[ph.pad_before:ph.pad_before + ph.n, pw.pad_before:pw.pad_before + pw.n]

    def _backward_frame(self, index: int) -> Frame:
        oh, ow = self.plan_h.out, self.plan_w.out
        if index == len(self._dx_steps):
            c = 0
            dy = Grid(f"upstream dL/dy {shape_text((1,) + self.upstream.shape)} · channel {c}", self.upstream[:, :, c])
            dx = Grid(f"dL/dx (tf.gradients) {shape_text((1,) + self.x.shape)} · channel {c}",
                      self.grad_input[:, :, c])
            err = float(np.abs(self.grad_input - self.grad_input_accumulated).max())
            formula = (f"dx = tf.gradients(tf.nn.{self.kind}_pool(x, ...), x, grad_ys=dy)[0]\n"
                       f"equals the routed sums (largest difference {err:.2g}).")
            return Frame([dy, self._input_grid(c), dx], formula, "result: what tf.gradients computes")
        c, i, j = self._cell(index)
        g = self.upstream[i, j, c]
        target = self._targets[index]
        rows, cols = self.window(i, j)
        marks = {"window": box_mask(self.x_pad.shape[:2], rows, cols)}
        if self.kind == "max":
            marks["switch"] = target
            y, x = self.switch(c, i, j)
            hits = sum(1 for k in range(index + 1) if self._cell(k)[0] == c and self._targets[k][target].any())
            formula = (f"max pooling: all of dL/dy[{i}, {j}] = {fmt(g)} goes to the switch (y, x) = ({y}, {x}); the "
                       f"other window cells get 0.")
            if hits > 1:
                formula += f"\nthis cell is the switch of {hits} windows so far: overlapping windows accumulate."
        else:
            n = int(self.counts[i, j])
            formula = (f"average pooling: dL/dy[{i}, {j}] / count = {fmt(g)} / {n} = {fmt(g / n)} goes to each of the "
                       f"{n} in-bounds cells of the window (padding gets nothing).")
        dy = Grid(f"upstream dL/dy {shape_text((1,) + self.upstream.shape)} · channel {c}", self.upstream[:, :, c],
                  {"current": cell_mask((oh, ow), i, j)})
        dx = self._input_grid(c, self._dx_steps[index][:, :, c], "dL/dx so far", {"current": target})
        return Frame([dy, self._input_grid(c, marks=marks), dx], formula,
                     f"backward through window ({i}, {j}) of channel {c}", cell=(c, i, j), value=float(g))

    # -- code ----------------------------------------------------------------------------------------
    def code(self) -> str:
        kh, kw = self.ksize
        sh, sw = self.stride
        args = f"ksize=[1, {kh}, {kw}, 1], strides=[1, {sh}, {sw}, 1], padding={self.padding!r}"
        lines = ["import numpy as np", "import teachtf as tf", ""]
        lines += filled_array_code("x_value", self.x[None], "input, NHWC")
        lines += ["x = tf.constant(x_value)", f"y = tf.nn.{self.kind}_pool(x, {args})"]
        fetch = ['"y": y']
        if self.kind == "max":
            lines.append(f"pooled, argmax = tf.nn.max_pool_with_argmax(x, {args})")
            fetch.append('"argmax": argmax')
        if self.mode == "backward":
            lines += filled_array_code("dy_value", self.upstream[None], "upstream gradient dL/dy")
            lines.append("dx = tf.gradients(y, x, grad_ys=tf.constant(dy_value))[0]")
            fetch.append('"dx": dx')
        lines += ["", "with tf.Session() as sess:", f"    result = sess.run({{{', '.join(fetch)}}})", "",
                  'print(result["y"][0, :, :, 0])']
        return "\n".join(lines) + "\n"
