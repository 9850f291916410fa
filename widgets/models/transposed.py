"""The transposed-convolution model: `tf.nn.conv2d_transpose` as stamps, and as zero insertion + convolution.

Per spatial axis, with N the output size and (p_top, p_bottom) the padding a
*forward* conv of size N would use (API.md §10.5):

- scatter view: input cell i paints value[i]·kernel onto a zero canvas of
  length N + p_top + p_bottom at offset i·s (stamps overlap and add), then
  p_top is cropped from the start and p_bottom from the end;
- gather view: insert s − 1 zeros between input cells, pad k − 1 − p_top
  before and k − 1 − p_bottom + r after (r = (N + p_top + p_bottom − k) mod s),
  and run a stride-1 VALID cross-correlation with the kernel flipped 180°.

Both views are computed with engine ops (conv2d_transpose; conv2d on the
zero-inserted input) and give the same output.
"""

from __future__ import annotations

import numpy as np

from ..arrays import to_numpy
from ..codegen import filled_array_code
from ..colors import format_number as fmt
from ..engine import require_ops, run_graph
from ..frames import Frame, Grid, LazyFrames, box_mask, cell_mask, shape_text
from ..padding import plan_axis, transposed_output_sizes
from .base import FrameModel
from .conv import _pair, _paren

VIEWS = ("scatter", "gather")


def _as_2d(value, name, session):
    a = to_numpy(value, session, name)
    if a.ndim == 4 and a.shape[0] == 1 and a.shape[3] == 1:
        a = a[0, :, :, 0]
    elif a.ndim == 4 and a.shape[2:] == (1, 1):
        a = a[:, :, 0, 0]
    elif a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim != 2:
        raise ValueError(f"{name} must be a single-channel 2-D map (or NHWC/HWIO with one channel); got shape "
                         f"{a.shape}.")
    return a


class TransposedConvModel(FrameModel):
    """Frames of conv2d_transpose(value [h, w], kernel [kh, kw], output_shape=[1, N, M, 1], strides, padding).

    output_size: (N, M) or None for the largest size the forward conv maps back to value's size
    (for SAME and stride s that is h·s). view: "scatter" or "gather".
    """

    title = "tf.nn.conv2d_transpose"

    def __init__(self, value, kernel, stride=2, padding: str = "SAME", output_size=None, view: str = "scatter",
                 session=None):
        if view not in VIEWS:
            raise ValueError(f"view must be 'scatter' or 'gather'; got {view!r}.")
        require_ops("TransposedConvExplorer", "nn.conv2d_transpose", "nn.conv2d")
        self.value = _as_2d(value, "value", session)
        self.kernel = _as_2d(kernel, "kernel", session)
        self.stride = _pair(stride, "stride")
        self.padding, self.view = padding, view
        (h, w), (kh, kw) = self.value.shape, self.kernel.shape
        sizes_h = transposed_output_sizes(h, kh, self.stride[0], padding)
        sizes_w = transposed_output_sizes(w, kw, self.stride[1], padding)
        if output_size is None:
            output_size = (max(sizes_h), max(sizes_w))
        self.output_size = _pair(output_size, "output_size")
        for n, sizes, axis in ((self.output_size[0], sizes_h, "height"), (self.output_size[1], sizes_w, "width")):
            if n not in sizes:
                raise ValueError(f"conv2d_transpose cannot produce {axis} {n} from {axis} "
                                 f"{h if axis == 'height' else w} with kernel {kh if axis == 'height' else kw}, "
                                 f"stride {self.stride[0 if axis == 'height' else 1]} and {padding}: a forward conv "
                                 f"must map the output back to the input; possible sizes: {sizes}.")
        self.plan_h = plan_axis(self.output_size[0], kh, self.stride[0], padding)
        self.plan_w = plan_axis(self.output_size[1], kw, self.stride[1], padding)
        self._build_gather_input()
        self._run_engine()
        self._scatter()
        if view == "scatter":
            self.frames = LazyFrames(h * w + 1, self._scatter_frame)
        else:
            self.frames = LazyFrames(self.output_size[0] * self.output_size[1], self._gather_frame)

    # -- arithmetic --------------------------------------------------------------------------------
    def gather_pads(self, axis: int) -> tuple[int, int]:
        """(before, after) zero padding of the zero-inserted input along axis 0 (rows) or 1 (cols)."""
        plan = self.plan_h if axis == 0 else self.plan_w
        k, s = self.kernel.shape[axis], self.stride[axis]
        r = (plan.padded - k) % s
        return k - 1 - plan.pad_before, k - 1 - plan.pad_after + r

    def _build_gather_input(self) -> None:
        (h, w), (sh, sw) = self.value.shape, self.stride
        dil = np.zeros(((h - 1) * sh + 1, (w - 1) * sw + 1))
        dil[::sh, ::sw] = self.value
        (t, b), (lft, rgt) = self.gather_pads(0), self.gather_pads(1)
        self.zero_inserted = np.pad(dil, ((t, b), (lft, rgt)))
        self.inserted_mask = np.zeros(self.zero_inserted.shape, bool)
        self.inserted_mask[t:t + dil.shape[0], lft:lft + dil.shape[1]] = True
        self.inserted_mask[t:t + dil.shape[0]:sh, lft:lft + dil.shape[1]:sw] = False
        self.gather_pad_mask = np.ones(self.zero_inserted.shape, bool)
        self.gather_pad_mask[t:t + dil.shape[0], lft:lft + dil.shape[1]] = False
        self.flipped = self.kernel[::-1, ::-1]

    def _run_engine(self) -> None:
        import teachtf as tf

        n, m = self.output_size

        def build():
            v = tf.constant(self.value[None, :, :, None].astype(np.float32), name="value")
            k = tf.constant(self.kernel[:, :, None, None].astype(np.float32), name="kernel")
            out = tf.nn.conv2d_transpose(v, k, output_shape=[1, n, m, 1], strides=[1, *self.stride, 1],
                                         padding=self.padding)
            z = tf.constant(self.zero_inserted[None, :, :, None].astype(np.float32), name="zero_inserted")
            kf = tf.constant(self.flipped[:, :, None, None].astype(np.float32), name="flipped_kernel")
            gathered = tf.nn.conv2d(z, kf, strides=[1, 1, 1, 1], padding="VALID")
            return {"out": out, "gathered": gathered}

        res = run_graph(build)
        self.output = np.asarray(res["out"][0, :, :, 0], float)
        self.output_gather = np.asarray(res["gathered"][0, :, :, 0], float)

    def _scatter(self) -> None:
        (h, w), (kh, kw), (sh, sw) = self.value.shape, self.kernel.shape, self.stride
        canvas = np.zeros((self.plan_h.padded, self.plan_w.padded))
        counts = np.zeros_like(canvas)
        self._canvas_steps, self._count_steps = [canvas], [counts]
        for i in range(h):
            for j in range(w):
                canvas = canvas.copy()
                counts = counts.copy()
                canvas[i * sh:i * sh + kh, j * sw:j * sw + kw] += self.value[i, j] * self.kernel
                counts[i * sh:i * sh + kh, j * sw:j * sw + kw] += 1
                self._canvas_steps.append(canvas)
                self._count_steps.append(counts)
        ph, pw = self.plan_h, self.plan_w
        self.canvas = canvas
        self.overlap_counts = counts
        self.output_scatter = canvas[ph.pad_before:ph.pad_before + ph.n, pw.pad_before:pw.pad_before + pw.n]
        self.crop_mask = np.ones(canvas.shape, bool)
        self.crop_mask[ph.pad_before:ph.pad_before + ph.n, pw.pad_before:pw.pad_before + pw.n] = False

    def scale_arrays(self):
        return [self.value, self.kernel, self.output, self.canvas]

    def size_formula(self) -> list[str]:
        (h, w), (kh, kw) = self.value.shape, self.kernel.shape
        lines = []
        for axis, n_in, k, s, plan in (("height", h, kh, self.stride[0], self.plan_h),
                                       ("width", w, kw, self.stride[1], self.plan_w)):
            sizes = transposed_output_sizes(n_in, k, s, self.padding)
            lines.append(f"{axis}: input {n_in} → output {plan.n} (a forward {self.padding} conv maps any of {sizes} "
                         f"back to {n_in}, so output_shape must be given)")
            lines += [" " * 4 + t for t in plan.formula_lines(axis)]
        return lines

    # -- frames -----------------------------------------------------------------------------------------
    def _value_grid(self, i=None, j=None) -> Grid:
        marks = {} if i is None else {"current": cell_mask(self.value.shape, i, j)}
        return Grid(f"input (value) {shape_text((1, *self.value.shape, 1))}", self.value, marks)

    def _output_grid(self, values, marks=None, name="output") -> Grid:
        return Grid(f"{name} {shape_text((1, *self.output_size, 1))}", values, marks or {})

    def _scatter_frame(self, index: int) -> Frame:
        w = self.value.shape[1]
        (kh, kw), (sh, sw) = self.kernel.shape, self.stride
        ph, pw = self.plan_h, self.plan_w
        canvas, counts = self._canvas_steps[index], self._count_steps[index]
        crop = canvas[ph.pad_before:ph.pad_before + ph.n, pw.pad_before:pw.pad_before + pw.n]
        cshape = canvas.shape
        title = (f"canvas {shape_text(cshape)} = output + crop T{ph.pad_before} B{ph.pad_after} "
                 f"L{pw.pad_before} R{pw.pad_after}")
        if index == 0:
            grids = [self._value_grid(), Grid(f"kernel {shape_text((kh, kw, 1, 1))}", self.kernel),
                     Grid(title, canvas, {"cropped": self.crop_mask}, row0=-ph.pad_before, col0=-pw.pad_before),
                     Grid(f"overlap count {shape_text(cshape)}", counts, {"cropped": self.crop_mask}, colored=False,
                          row0=-ph.pad_before, col0=-pw.pad_before),
                     self._output_grid(crop, name="output (cropped canvas)")]
            return Frame(grids, "Start: an all-zero canvas. Each input cell will add value × kernel (a stamp) at "
                                "offset (i·s, j·s).", "scatter view: empty canvas", extra={"stamp": None})
        i, j = divmod(index - 1, w)
        stamp = box_mask(cshape, range(i * sh, i * sh + kh), range(j * sw, j * sw + kw))
        v = self.value[i, j]
        grids = [self._value_grid(i, j), Grid(f"kernel {shape_text((kh, kw, 1, 1))}", self.kernel),
                 Grid(title, canvas, {"cropped": self.crop_mask, "stamp": stamp}, row0=-ph.pad_before,
                      col0=-pw.pad_before),
                 Grid(f"overlap count {shape_text(cshape)}", counts, {"cropped": self.crop_mask, "stamp": stamp},
                      colored=False, row0=-ph.pad_before, col0=-pw.pad_before),
                 self._output_grid(crop, name="output (cropped canvas)")]
        stamp_vals = ", ".join(f"{_paren(v)}·{_paren(kv)}" for kv in self.kernel.ravel())
        lines = [f"input ({i}, {j}) = {fmt(v)} paints value × kernel at canvas rows {i * sh - ph.pad_before}…"
                 f"{i * sh + kh - 1 - ph.pad_before}, cols {j * sw - pw.pad_before}…{j * sw + kw - 1 - pw.pad_before}"
                 f" (offset = index × stride {sh}×{sw})", f"  stamp = {stamp_vals}"]
        overlap = int(counts[stamp].max())
        if overlap > 1:
            lines.append(f"  stamps overlap here: up to {overlap} stamps add into one cell (the overlap count grid).")
        if index == len(self.frames) - 1:
            err = float(np.abs(self.output - self.output_scatter).max())
            lines.append(f"done: cropping gives tf.nn.conv2d_transpose's output (largest difference {err:.2g}).")
        return Frame(grids, "\n".join(lines), f"scatter view: stamp of input ({i}, {j})", cell=(i, j),
                     value=float(v), extra={"stamp": stamp})

    def _gather_frame(self, index: int) -> Frame:
        n, m = self.output_size
        kh, kw = self.kernel.shape
        r, c = divmod(index, m)
        window = box_mask(self.zero_inserted.shape, range(r, r + kh), range(c, c + kw))
        pending = np.arange(n * m).reshape(n, m) > index
        shown = np.where(pending, 0.0, self.output_gather)
        (t, b), (lft, rgt) = self.gather_pads(0), self.gather_pads(1)
        zi = Grid(f"zero-inserted input {shape_text(self.zero_inserted.shape)} (stride gaps, pad T{t} B{b} L{lft} "
                  f"R{rgt})", self.zero_inserted,
                  {"inserted": self.inserted_mask, "padding": self.gather_pad_mask, "window": window})
        grids = [self._value_grid(), zi, Grid(f"kernel flipped 180° {shape_text((kh, kw, 1, 1))}", self.flipped),
                 self._output_grid(shown, {"current": cell_mask((n, m), r, c), "pending": pending})]
        grids[-1].text = {(a, bb): "" for a, bb in zip(*np.nonzero(pending))}
        patch = self.zero_inserted[r:r + kh, c:c + kw]
        products = " + ".join(f"{_paren(a)}·{_paren(bb)}" for a, bb in zip(patch.ravel(), self.flipped.ravel()))
        total = float((patch * self.flipped).sum())
        formula = (f"output ({r}, {c}) = Σ window × flipped kernel  (a stride-1 VALID convolution)\n"
                   f"  = {products}\n  = {fmt(total)}   (conv2d_transpose gives {fmt(self.output[r, c])})")
        return Frame(grids, formula, f"gather view: output cell ({r}, {c})", cell=(r, c),
                     value=float(self.output[r, c]), extra={"sum": total})

    def code(self) -> str:
        n, m = self.output_size
        lines = ["import numpy as np", "import teachtf as tf", ""]
        lines += filled_array_code("value_2d", self.value, "the input map")
        lines += filled_array_code("kernel_2d", self.kernel, "the kernel (not flipped)")
        lines += ["value = tf.constant(value_2d.reshape(1, *value_2d.shape, 1))  # NHWC",
                  "kernel = tf.constant(kernel_2d.reshape(*kernel_2d.shape, 1, 1))  # [kh, kw, out, in]",
                  f"out = tf.nn.conv2d_transpose(value, kernel, output_shape=[1, {n}, {m}, 1], "
                  f"strides=[1, {self.stride[0]}, {self.stride[1]}, 1], padding={self.padding!r})", "",
                  "with tf.Session() as sess:", '    result = {"out": sess.run(out)}', "",
                  'print(result["out"][0, :, :, 0])']
        return "\n".join(lines) + "\n"
