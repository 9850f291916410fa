"""The softmax model: the numerically stable pipeline from logits to loss and gradient, one row per step.

    z_T = z / T                       temperature T
    shifted = z_T − max(z_T)          nothing can overflow: the largest entry is exp(0) = 1
    e = exp(shifted),  p = e / Σ e    = tf.nn.softmax(z_T)
    loss = −log p[label]              = softmax_cross_entropy_with_logits_v2(one_hot(label), z_T)
    dL/dz_T = p − y,  dL/dz = (p − y)/T

Every row is computed by engine ops (tf.reduce_max, tf.exp, ...) and checked
against tf.nn.softmax and tf.gradients. A "naive" row shows exp(z_T) without
the shift, in float32, to show where it overflows.
"""

from __future__ import annotations

import numpy as np

from ..arrays import to_numpy
from ..codegen import np_array_code
from ..colors import format_number as fmt
from ..engine import require_ops, run_graph
from ..frames import Frame, Grid
from .base import FrameModel

# (key, label) of the pipeline rows in order.
ROWS = (
    ("z", "logits z"),
    ("z_t", "z / T"),
    ("naive_exp", "exp(z / T) without the shift (float32)"),
    ("shifted", "z / T − max"),
    ("exp", "exp(z / T − max)"),
    ("p", "p = exp / Σ exp"),
    ("log_p", "log p"),
    ("loss", "loss = −log p[label]"),
    ("grad_zt", "dL/d(z/T) = p − y"),
    ("grad_z", "dL/dz = (p − y) / T"),
)


class SoftmaxModel(FrameModel):
    """Frames revealing the stable softmax/cross-entropy pipeline row by row.

    logits: 1-D (K classes). temperature: T > 0. label: the true class index.
    """

    title = "softmax and cross-entropy"

    def __init__(self, logits, temperature: float = 1.0, label: int = 0, session=None):
        require_ops("SoftmaxExplorer", "nn.softmax", "nn.softmax_cross_entropy_with_logits_v2", "reduce_max", "exp",
                    "reduce_sum", "log", "gradients", "one_hot")
        z = to_numpy(logits, session, "logits")
        if z.ndim == 2 and z.shape[0] == 1:
            z = z[0]
        if z.ndim != 1 or z.size < 2:
            raise ValueError(f"logits must be a vector of at least 2 classes; got shape {z.shape}.")
        temperature = float(temperature)
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0; got {temperature}.")
        if int(label) != label or not 0 <= label < z.size:
            raise ValueError(f"label must be a class index in [0, {z.size}); got {label!r}.")
        self.z = z
        self.temperature = temperature
        self.label = int(label)
        self.rows = self._run_engine()
        self.frames = [self._frame(k) for k in range(len(ROWS))]

    def _run_engine(self) -> dict:
        import teachtf as tf

        k = self.z.size

        def build():
            z = tf.constant(self.z.astype(np.float32), name="z")
            z_t = z / self.temperature
            m = tf.reduce_max(z_t)
            shifted = z_t - m
            e = tf.exp(shifted)
            total = tf.reduce_sum(e)
            p = e / total
            log_p = shifted - tf.log(total)
            y = tf.one_hot(self.label, k)
            loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=z_t)
            grad_zt, grad_z = tf.gradients(loss, [z_t, z])
            return {"z": z, "z_t": z_t, "max": m, "shifted": shifted, "exp": e, "sum": total, "p": p,
                    "log_p": log_p, "loss": loss, "grad_zt": grad_zt, "grad_z": grad_z,
                    "softmax": tf.nn.softmax(z_t), "naive_exp": tf.exp(z_t)}

        with np.errstate(over="ignore"):
            out = run_graph(build)
        return {key: np.asarray(v, float) for key, v in out.items()}

    @property
    def probabilities(self) -> np.ndarray:
        return self.rows["p"]

    def scale_arrays(self):
        return [self.rows[k] for k in ("z", "z_t", "shifted", "log_p", "grad_zt", "grad_z")]

    def _row_grid(self, key: str, label: str, state: str) -> Grid:
        """One pipeline row; state is "done", "current" or "pending" (drawn empty, so nothing moves)."""
        k = self.z.size
        values = self.rows[key]
        if values.ndim == 0:
            values = np.where(np.arange(k) == self.label, values, np.nan)
            text = {(0, c): "" for c in range(k) if c != self.label}
        else:
            text = {}
        marks = {}
        if state == "current":
            marks["current"] = np.ones((1, k), bool)
        elif state == "pending":
            marks["pending"] = np.ones((1, k), bool)
            values = np.zeros(k)
            text = {(0, c): "" for c in range(k)}
        colored = key not in ("exp", "p", "naive_exp", "loss")
        return Grid(f"{label} [{k}]", values.reshape(1, -1), marks, text, colored=colored)

    def _frame(self, step: int) -> Frame:
        r = self.rows
        t = fmt(self.temperature)
        lab = self.label
        grids = [self._row_grid(key, label, "current" if k == step else "done" if k < step else "pending")
                 for k, (key, label) in enumerate(ROWS)]

        def vec(key):
            return "[" + ", ".join(fmt(v) for v in r[key]) + "]"

        explain = {
            "z": f"the logits z = {vec('z')} (scores; any real numbers). label = class {lab}.",
            "z_t": f"divide by the temperature T = {t}: z/T = {vec('z_t')}. T < 1 sharpens, T > 1 flattens.",
            "naive_exp": ("exp(z/T) straight away = " + vec("naive_exp") +
                          (" — it overflowed to ∞ in float32 (exp(x) > 3.4e38 for x > 88.7), and ∞/∞ = nan."
                           if not np.all(np.isfinite(r["naive_exp"])) else
                           " — fine here, but exp overflows float32 for inputs above 88.7, so TF never computes "
                           "this.")),
            "shifted": f"subtract the max {fmt(r['max'])}: {vec('shifted')}. Softmax is unchanged by a shift, and now "
                       f"the largest entry is 0.",
            "exp": f"exp of each: {vec('exp')}; all in (0, 1], no overflow.",
            "p": f"normalise by Σ = {fmt(r['sum'])}: p = {vec('p')} (sums to 1; tf.nn.softmax gives "
                 f"{vec('softmax')}).",
            "log_p": f"log p = (z/T − max) − log Σ = {vec('log_p')} (computed without taking log of a tiny p).",
            "loss": f"cross-entropy with one-hot y (class {lab}): loss = −log p[{lab}] = −({fmt(r['log_p'][lab])}) = "
                    f"{fmt(r['loss'])}",
            "grad_zt": f"gradient w.r.t. the logits it saw: p − y = {vec('grad_zt')} (only the label entry is "
                       f"negative; they sum to 0).",
            "grad_z": f"chain rule through z/T: dL/dz = (p − y)/T = {vec('grad_z')} (tf.gradients).",
        }
        key, label = ROWS[step]
        return Frame(grids, explain[key], f"step {step + 1}/{len(ROWS)}: {label}", cell=(step,))

    def code(self) -> str:
        k = self.z.size
        lines = ["import numpy as np", "import teachtf as tf", "",
                 f"z = tf.constant({np_array_code(self.z)})  # logits",
                 f"T = {self.temperature!r}  # temperature",
                 f"y = tf.one_hot({self.label}, {k})  # the true class, one-hot",
                 "p = tf.nn.softmax(z / T)",
                 "loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=z / T)",
                 "dz = tf.gradients(loss, z)[0]  # = (p - y) / T", "",
                 "with tf.Session() as sess:", '    result = sess.run({"p": p, "loss": loss, "dz": dz})', "",
                 "print(result)"]
        return "\n".join(lines) + "\n"
