"""The unpooling model: max pool → argmax switches → `teachtf.ext.max_unpool`, the round trip step by step.

Each pooled value goes back to the position its window's switch recorded:
unpooled[y, x, c] += pooled[i, j, c] where argmax = (y·W + x)·C + c is decoded
with the *original* width W and channels C (API.md §10.6, §21). Cells that
were no window's maximum stay 0. When windows overlap, one cell can be the
switch of several windows and then receives their values summed (max_unpool
scatter-adds), which the "writes" grid counts.
"""

from __future__ import annotations

import numpy as np

from ..arrays import as_image
from ..codegen import filled_array_code
from ..colors import format_number as fmt
from ..engine import require_ops, run_graph
from ..frames import Frame, Grid, LazyFrames, box_mask, cell_mask, shape_text
from ..padding import plan_axis
from .base import WindowFrameModel
from .conv import _pair
from .pooling import window_switch


class UnpoolingModel(WindowFrameModel):
    """Frames of max_pool_with_argmax followed by max_unpool back to x's shape (x: [h, w, c] or NHWC)."""

    title = "max pool → switches → teachtf.ext.max_unpool"

    def __init__(self, x, ksize=2, stride=2, padding: str = "VALID", session=None):
        require_ops("UnpoolingExplorer", "nn.max_pool_with_argmax", "ext.max_unpool")
        self.x = as_image(x, session, "input")
        self.ksize = _pair(ksize, "ksize")
        self.stride = _pair(stride, "stride")
        self.padding = padding
        h, w, c = self.x.shape
        self.plan_h = plan_axis(h, self.ksize[0], self.stride[0], padding)
        self.plan_w = plan_axis(w, self.ksize[1], self.stride[1], padding)
        self._run_engine()
        self._accumulate()
        self.frames = LazyFrames(c * self.plan_h.out * self.plan_w.out, self._frame)

    def _run_engine(self) -> None:
        import teachtf as tf

        def build():
            x = tf.constant(self.x[None].astype(np.float32), name="x")
            pooled, argmax = tf.nn.max_pool_with_argmax(x, [1, *self.ksize, 1], [1, *self.stride, 1], self.padding)
            unpooled = tf.ext.max_unpool(pooled, argmax, output_shape=[1, *self.x.shape])
            return {"pooled": pooled, "argmax": argmax, "unpooled": unpooled}

        out = run_graph(build)
        self.pooled = np.asarray(out["pooled"][0], float)
        self.argmax = np.asarray(out["argmax"][0], np.int64)
        self.unpooled = np.asarray(out["unpooled"][0], float)

    def switch(self, c: int, i: int, j: int) -> tuple[int, int]:
        return window_switch(self.argmax, self.x.shape, c, i, j)

    def _accumulate(self) -> None:
        canvas = np.zeros_like(self.x)
        writes = np.zeros_like(self.x)
        self._canvas_steps, self._write_steps = [], []
        for index in range(self.x.shape[2] * self.plan_h.out * self.plan_w.out):
            c, i, j = self._cell(index)
            y, x = self.switch(c, i, j)
            canvas = canvas.copy()
            writes = writes.copy()
            canvas[y, x, c] += self.pooled[i, j, c]
            writes[y, x, c] += 1
            self._canvas_steps.append(canvas)
            self._write_steps.append(writes)
        self.unpooled_accumulated = canvas
        self.writes = writes

    def scale_arrays(self):
        return [self.x, self.pooled, self.unpooled, self.unpooled_accumulated]

    def _frame(self, index: int) -> Frame:
        c, i, j = self._cell(index)
        h, w, channels = self.x.shape
        oh, ow = self.plan_h.out, self.plan_w.out
        ph, pw = self.plan_h, self.plan_w
        rows = [r - ph.pad_before for r in ph.window_cells(i) if 0 <= r - ph.pad_before < h]
        cols = [cc - pw.pad_before for cc in pw.window_cells(j) if 0 <= cc - pw.pad_before < w]
        y, x = self.switch(c, i, j)
        switch = cell_mask((h, w), y, x)
        pending = np.arange(oh * ow).reshape(oh, ow) > i * ow + j
        idx = int(self.argmax[i, j, c])
        grids = [
            Grid(f"input x {shape_text((1,) + self.x.shape)} · channel {c}", self.x[:, :, c],
                 {"window": box_mask((h, w), rows, cols), "switch": switch}),
            Grid(f"pooled {shape_text((1,) + self.pooled.shape)} · channel {c}", self.pooled[:, :, c],
                 {"current": cell_mask((oh, ow), i, j)}),
            Grid(f"argmax {shape_text((1,) + self.argmax.shape)} (int64) · channel {c}", self.argmax[:, :, c],
                 {"current": cell_mask((oh, ow), i, j), "pending": pending}, colored=False),
            Grid(f"unpooled so far {shape_text((1,) + self.x.shape)} · channel {c}", self._canvas_steps[index][:, :, c],
                 {"current": switch}),
            Grid(f"writes per cell {shape_text((h, w))} · channel {c}", self._write_steps[index][:, :, c],
                 {"current": switch}, colored=False),
        ]
        n = int(self._write_steps[index][y, x, c])
        lines = [f"pooled[{i}, {j}, {c}] = {fmt(self.pooled[i, j, c])} with argmax = {idx}",
                 f"decode with the original W = {w}, C = {channels}: y = idx // (W·C) = {idx} // {w * channels} = {y}, "
                 f"x = (idx // C) mod W = ({idx} // {channels}) mod {w} = {x}",
                 f"unpooled[{y}, {x}, {c}] += {fmt(self.pooled[i, j, c])}"]
        if n > 1:
            lines.append(f"this cell is the switch of {n} windows so far (they overlap): max_unpool adds the values, "
                         f"so it now holds {fmt(self._canvas_steps[index][y, x, c])}.")
        if index == len(self.frames) - 1:
            err = float(np.abs(self.unpooled - self.unpooled_accumulated).max())
            lines.append(f"done: teachtf.ext.max_unpool(pooled, argmax, output_shape={[1, *self.x.shape]}) gives the "
                         f"same map (largest difference {err:.2g}); every non-switch cell is 0.")
        return Frame(grids, "\n".join(lines), f"unpool window ({i}, {j}) of channel {c}", cell=(c, i, j),
                     value=float(self.pooled[i, j, c]), extra={"switch": (y, x), "argmax": idx})

    def code(self) -> str:
        args = f"ksize=[1, {self.ksize[0]}, {self.ksize[1]}, 1], strides=[1, {self.stride[0]}, {self.stride[1]}, 1]"
        lines = ["import numpy as np", "import teachtf as tf", ""]
        lines += filled_array_code("x_value", self.x[None], "input, NHWC")
        lines += ["x = tf.constant(x_value)",
                  f"pooled, argmax = tf.nn.max_pool_with_argmax(x, {args}, padding={self.padding!r})",
                  "# teachtf-only: TF1 has no unpooling op; decoding needs the original shape",
                  f"unpooled = tf.ext.max_unpool(pooled, argmax, output_shape={[1, *self.x.shape]})", "",
                  "with tf.Session() as sess:",
                  '    result = sess.run({"pooled": pooled, "argmax": argmax, "unpooled": unpooled})', "",
                  'print(result["unpooled"][0, :, :, 0])']
        return "\n".join(lines) + "\n"
