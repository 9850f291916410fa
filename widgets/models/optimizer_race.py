"""The optimizer race: TF1 optimizers (the engine's own `tf.train` classes) descending one 2-D surface.

Every optimizer gets its own variable θ = (x, y) starting at the same point
and `minimize`s the same loss f(x, y) (a named surface or a typed formula,
parsed safely into teachtf ops). The model runs the steps in one session and
records, per step and optimizer, θ, f(θ), the gradient g, the slot values
and the learning rate actually applied, so the view can draw trajectories
and write each update rule with its numbers (API.md §12.2).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

import numpy as np

from ..colors import format_number as fmt
from ..engine import require_ops
from ..frames import Frame
from .base import FrameModel
from .expressions import Expression, parse_expression


@dataclass(frozen=True)
class Surface:
    formula: str
    start: tuple[float, float]
    window: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    learning_rates: dict
    note: str


SURFACES = {
    "narrow valley": Surface("0.05*x**2 + 2*y**2", (-4.5, 1.2), (-5.0, 5.0, -2.0, 2.0),
                             {"GradientDescent": 0.4, "Momentum": 0.05, "Nesterov": 0.05, "Adagrad": 0.8,
                              "RMSProp": 0.05, "Adadelta": 1.0, "Adam": 0.2},
                             "steep across, shallow along: plain gradient descent zig-zags, momentum and Adam "
                             "keep going along the floor"),
    "saddle": Surface("x**2 - y**2", (-1.5, 0.02), (-2.0, 2.0, -2.0, 2.0),
                      {"GradientDescent": 0.05, "Momentum": 0.02, "Nesterov": 0.02, "Adagrad": 0.3,
                       "RMSProp": 0.02, "Adadelta": 1.0, "Adam": 0.05},
                      "gradient almost zero along y near the saddle point: who escapes first?"),
    "Rosenbrock": Surface("(1 - x)**2 + 100*(y - x**2)**2", (-1.2, 1.0), (-2.0, 2.0, -1.0, 3.0),
                          {"GradientDescent": 0.001, "Momentum": 0.0005, "Nesterov": 0.0005, "Adagrad": 0.3,
                           "RMSProp": 0.01, "Adadelta": 1.0, "Adam": 0.05},
                          "a curved, narrow valley with the minimum at (1, 1)"),
}

OPTIMIZERS = ("GradientDescent", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adadelta", "Adam")
COLORS = {"GradientDescent": "#e53935", "Momentum": "#1e88e5", "Nesterov": "#00897b", "Adagrad": "#8e24aa",
          "RMSProp": "#f4511e", "Adadelta": "#6d4c41", "Adam": "#111111"}
DEFAULT_LR = {"GradientDescent": 0.1, "Momentum": 0.05, "Nesterov": 0.05, "Adagrad": 0.5, "RMSProp": 0.05,
              "Adadelta": 1.0, "Adam": 0.1}


def make_optimizer(name: str, lr: float):
    """The tf.train optimizer `name` with TF1's defaults (Momentum/Nesterov use μ = 0.9)."""
    import teachtf as tf

    if name == "GradientDescent":
        return tf.train.GradientDescentOptimizer(lr)
    if name == "Momentum":
        return tf.train.MomentumOptimizer(lr, momentum=0.9)
    if name == "Nesterov":
        return tf.train.MomentumOptimizer(lr, momentum=0.9, use_nesterov=True)
    if name == "Adagrad":
        return tf.train.AdagradOptimizer(lr)
    if name == "RMSProp":
        return tf.train.RMSPropOptimizer(lr)
    if name == "Adadelta":
        return tf.train.AdadeltaOptimizer(lr)
    if name == "Adam":
        return tf.train.AdamOptimizer(lr)
    raise ValueError(f"Unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}.")


def _v(a) -> str:
    a = np.atleast_1d(np.asarray(a, float))
    return "(" + ", ".join(fmt(x, 4) for x in a) + ")"


@dataclass
class Track:
    """One optimizer's run: arrays indexed by step t = 0..steps (θ_t is the position *before* step t+1)."""

    name: str
    learning_rate: float
    theta: np.ndarray  # [steps + 1, 2]
    loss: np.ndarray  # [steps + 1]
    grad: np.ndarray  # [steps + 1, 2]
    slots: dict  # slot name -> [steps + 1, 2] (or [steps + 1] for scalars such as beta1_power)


class OptimizerRaceModel(FrameModel):
    """Runs `optimizers` on `surface` (a SURFACES name, or a formula with `start` and `window`).

    learning_rates: optimizer -> lr (defaults per surface). steps: number of updates.
    """

    title = "optimizer race"

    def __init__(self, surface: str = "narrow valley", optimizers=("GradientDescent", "Momentum", "Adam"),
                 learning_rates: dict | None = None, steps: int = 60, start=None, window=None, grid: int = 90):
        require_ops("OptimizerRace", "train.GradientDescentOptimizer", "train.AdamOptimizer", "gradients")
        named = SURFACES.get(surface)
        self.surface_name = surface if named else "custom"
        self.formula = named.formula if named else surface
        self.expression: Expression = parse_expression(self.formula)
        self.start = tuple(float(v) for v in (start or (named.start if named else (1.5, 1.5))))
        self.window = tuple(float(v) for v in (window or (named.window if named else (-3.0, 3.0, -3.0, 3.0))))
        if len(self.start) != 2 or len(self.window) != 4:
            raise ValueError("start must be (x, y) and window (x_min, x_max, y_min, y_max).")
        if int(steps) != steps or not 1 <= steps <= 2000:
            raise ValueError(f"steps must be an integer in 1..2000; got {steps!r}.")
        optimizers = list(optimizers)
        unknown = [o for o in optimizers if o not in OPTIMIZERS]
        if unknown or not optimizers:
            raise ValueError(f"optimizers must be a non-empty list from {OPTIMIZERS}; got {optimizers}.")
        self.note = named.note if named else ""
        lrs = dict(named.learning_rates if named else DEFAULT_LR)
        lrs.update(learning_rates or {})
        self.steps = int(steps)
        self.tracks = self._run(optimizers, {o: float(lrs[o]) for o in optimizers})
        self.contour = self._surface_grid(grid)
        self.frames = [self._frame(t) for t in range(self.steps + 1)]

    # -- engine --------------------------------------------------------------------------------------
    def _run(self, names, lrs) -> list[Track]:
        import teachtf as tf

        graph = tf.Graph()
        with graph.as_default():
            entries = []
            for name in names:
                with tf.name_scope(name):
                    theta = tf.Variable(np.array(self.start, np.float32), name="theta")
                    loss = self.expression.build(x=theta[0], y=theta[1])
                    opt = make_optimizer(name, lrs[name])
                    grad = tf.gradients(loss, theta)[0]
                    train = opt.minimize(loss, var_list=[theta])
                slots = {s: opt.get_slot(theta, s) for s in opt.get_slot_names()}
                slots = {s: v for s, v in slots.items() if v is not None}
                for v in opt.variables():
                    short = v.op.name.split("/")[-1]
                    if all(v is not s for s in slots.values()) and short not in slots:
                        slots[short] = v
                entries.append((name, theta, loss, grad, train, slots))
            init = tf.global_variables_initializer()
            state = {name: (theta, loss, grad, slots) for name, theta, loss, grad, _, slots in entries}
            trains = [e[4] for e in entries]
            with tf.Session(graph=graph) as sess:
                sess.run(init)
                history = [sess.run(state)]
                for _ in range(self.steps):
                    sess.run(trains)
                    history.append(sess.run(state))
        tracks = []
        for name in names:
            rows = [h[name] for h in history]
            slot_names = list(rows[0][3])
            tracks.append(Track(name, lrs[name], np.array([r[0] for r in rows], float),
                                np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float),
                                {s: np.array([r[3][s] for r in rows], float) for s in slot_names}))
        return tracks

    def _surface_grid(self, n: int) -> dict:
        """f on an n×n grid over the window, computed by the engine (for contours)."""
        from ..engine import run_graph

        x0, x1, y0, y1 = self.window
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        gx, gy = np.meshgrid(xs, ys)

        def build():
            import teachtf as tf

            return self.expression.build(x=tf.constant(gx.astype(np.float32)), y=tf.constant(gy.astype(np.float32)))

        with np.errstate(all="ignore"):
            values = np.asarray(run_graph(build), float)
        return {"x": xs, "y": ys, "f": values}

    def track(self, name: str) -> Track:
        for tr in self.tracks:
            if tr.name == name:
                return tr
        raise KeyError(f"No optimizer {name!r} in this race ({[t.name for t in self.tracks]}).")

    def scale_arrays(self):
        return [np.zeros(1)]

    # -- update rules with numbers ------------------------------------------------------------------------
    def update_lines(self, name: str, t: int) -> list[str]:
        """The update from θ_t to θ_{t+1} written out with its numbers (API.md §12.2)."""
        return self._update(name, t)[0]

    def predicted_theta(self, name: str, t: int) -> np.ndarray | None:
        """θ_{t+1} computed from the written-out rule (the engine's value is `track(name).theta[t + 1]`)."""
        return self._update(name, t)[1]

    def _update(self, name: str, t: int) -> tuple[list[str], np.ndarray | None]:
        tr = self.track(name)
        if t >= self.steps:
            return [f"{name}: finished at θ = {_v(tr.theta[t])}, f = {fmt(tr.loss[t], 4)}"], None
        th, g, lr, s = tr.theta[t], tr.grad[t], tr.learning_rate, {k: v[t] for k, v in tr.slots.items()}
        nxt = {k: v[t + 1] for k, v in tr.slots.items()}
        new = tr.theta[t + 1]
        head = f"{name} (lr = {fmt(lr)}): g = ∇f{_v(th)} = {_v(g)}"
        lines = [head]
        predicted = None
        if name == "GradientDescent":
            predicted = th - lr * g
            lines.append(f"  θ ← θ − lr·g = {_v(th)} − {fmt(lr)}·{_v(g)} = {_v(predicted)}")
        elif name in ("Momentum", "Nesterov") and "momentum" in s:
            a = 0.9 * s["momentum"] + g
            lines.append(f"  a ← μ·a + g = 0.9·{_v(s['momentum'])} + {_v(g)} = {_v(a)}")
            if name == "Momentum":
                predicted = th - lr * a
                lines.append(f"  θ ← θ − lr·a = {_v(th)} − {fmt(lr)}·{_v(a)} = {_v(predicted)}")
            else:
                predicted = th - lr * (g + 0.9 * a)
                lines.append(f"  θ ← θ − lr·(g + μ·a) = {_v(th)} − {fmt(lr)}·{_v(g + 0.9 * a)} = {_v(predicted)}")
        elif name == "Adagrad" and "accumulator" in s:
            acc = s["accumulator"] + g * g
            lines.append(f"  s ← s + g² = {_v(s['accumulator'])} + {_v(g * g)} = {_v(acc)}")
            predicted = th - lr * g / np.sqrt(acc)
            lines.append(f"  θ ← θ − lr·g/√s = {_v(th)} − {fmt(lr)}·{_v(g)}/{_v(np.sqrt(acc))} = {_v(predicted)}")
        elif name == "RMSProp" and "rms" in s:
            ms = 0.9 * s["rms"] + 0.1 * g * g
            mom = 0.0 * s.get("momentum", 0.0) + lr * g / np.sqrt(ms + 1e-10)
            lines.append(f"  ms ← ρ·ms + (1−ρ)·g² = 0.9·{_v(s['rms'])} + 0.1·{_v(g * g)} = {_v(ms)}")
            lines.append(f"  step ← lr·g/√(ms + ε) = {fmt(lr)}·{_v(g)}/{_v(np.sqrt(ms + 1e-10))} = {_v(mom)}")
            predicted = th - mom
            lines.append(f"  θ ← θ − step = {_v(predicted)}")
        elif name == "Adadelta" and "accum" in s:
            rho, eps = 0.95, 1e-8
            acc = rho * s["accum"] + (1 - rho) * g * g
            delta = np.sqrt(s["accum_update"] + eps) / np.sqrt(acc + eps) * g
            lines.append(f"  A ← ρ·A + (1−ρ)·g² = {_v(acc)}")
            lines.append(f"  Δ ← √(U + ε)/√(A + ε)·g = {_v(delta)};  U ← ρ·U + (1−ρ)·Δ² = "
                         f"{_v(rho * s['accum_update'] + (1 - rho) * delta * delta)}")
            predicted = th - lr * delta
            lines.append(f"  θ ← θ − lr·Δ = {_v(th)} − {fmt(lr)}·{_v(delta)} = {_v(predicted)}")
        elif name == "Adam" and "m" in s:
            b1p, b2p = 0.9 ** (t + 1), 0.999 ** (t + 1)
            lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
            m = 0.9 * s["m"] + 0.1 * g
            v = 0.999 * s["v"] + 0.001 * g * g
            lines.append(f"  t = {t + 1}: lr_t = lr·√(1−β2^t)/(1−β1^t) = {fmt(lr)}·√(1−{fmt(b2p, 4)})/"
                         f"(1−{fmt(b1p, 4)}) = {fmt(lr_t, 4)}")
            lines.append(f"  m ← β1·m + (1−β1)·g = {_v(m)};  v ← β2·v + (1−β2)·g² = {_v(v)}")
            predicted = th - lr_t * m / (np.sqrt(v) + 1e-8)
            lines.append(f"  θ ← θ − lr_t·m/(√v + ε) = {_v(th)} − {fmt(lr_t, 4)}·{_v(m / (np.sqrt(v) + 1e-8))} = "
                         f"{_v(predicted)}")
        lines.append(f"  engine: θ_{t + 1} = {_v(new)}, f = {fmt(tr.loss[t + 1], 4)}"
                     + ("".join(f"; {k} = {_v(v)}" for k, v in nxt.items())))
        return lines, predicted

    def effective_lr(self, name: str, t: int) -> float:
        """The learning rate applied at step t+1 (Adam's bias-corrected lr_t; the plain lr otherwise)."""
        tr = self.track(name)
        if name == "Adam":
            return tr.learning_rate * np.sqrt(1 - 0.999 ** (t + 1)) / (1 - 0.9 ** (t + 1))
        return tr.learning_rate

    def _frame(self, t: int) -> Frame:
        lines = [f"f(x, y) = {self.formula}   step {t} of {self.steps}"]
        for tr in self.tracks:
            lines += self.update_lines(tr.name, t)
        return Frame([], "\n".join(lines), f"step {t}", cell=(t,),
                     extra={tr.name: {"theta": tr.theta[t], "loss": tr.loss[t]} for tr in self.tracks})

    def figure(self, index: int = -1):
        """A static matplotlib Figure: contours of f and every path up to step `index`."""
        from matplotlib.figure import Figure

        t = self.steps if index == -1 else index
        fig = Figure(figsize=(6, 5), layout="constrained")
        ax = fig.add_subplot()
        c = self.contour
        with np.errstate(all="ignore"):
            finite = c["f"][np.isfinite(c["f"])]
            levels = np.unique(np.quantile(finite, np.linspace(0, 1, 20)[1:-1])) if finite.size else 10
            ax.contour(c["x"], c["y"], c["f"], levels=levels, colors="#999999", linewidths=0.6)
        for tr in self.tracks:
            ax.plot(tr.theta[:t + 1, 0], tr.theta[:t + 1, 1], "-", color=COLORS[tr.name], label=tr.name, lw=1.5)
            ax.plot(*tr.theta[t], "o", color=COLORS[tr.name])
        ax.plot(*self.start, "ks", mfc="none")
        ax.set_xlim(*self.window[:2])
        ax.set_ylim(*self.window[2:])
        ax.set_title(f"f(x, y) = {self.formula} — step {t}", fontsize=9)
        ax.legend(fontsize=7)
        return fig

    def code(self) -> str:
        lines = ["import numpy as np", "import teachtf as tf", "", "result = {}"]
        for tr in self.tracks:
            ctor = {"GradientDescent": "tf.train.GradientDescentOptimizer({lr})",
                    "Momentum": "tf.train.MomentumOptimizer({lr}, momentum=0.9)",
                    "Nesterov": "tf.train.MomentumOptimizer({lr}, momentum=0.9, use_nesterov=True)",
                    "Adagrad": "tf.train.AdagradOptimizer({lr})", "RMSProp": "tf.train.RMSPropOptimizer({lr})",
                    "Adadelta": "tf.train.AdadeltaOptimizer({lr})", "Adam": "tf.train.AdamOptimizer({lr})",
                    }[tr.name].format(lr=repr(tr.learning_rate))
            lines += ["", "with tf.Graph().as_default():  # a fresh graph per optimizer",
                      f"    theta = tf.Variable([{self.start[0]!r}, {self.start[1]!r}], name='theta')",
                      "    x, y = theta[0], theta[1]",
                      f"    loss = {_tf_formula(self.expression)}",
                      f"    train = {ctor}.minimize(loss)",
                      "    with tf.Session() as sess:",
                      "        sess.run(tf.global_variables_initializer())",
                      "        path = [sess.run(theta)]",
                      f"        for step in range({self.steps}):",
                      "            sess.run(train)",
                      "            path.append(sess.run(theta))",
                      f"result[{tr.name!r}] = np.array(path)",
                      f"print({tr.name!r}, 'ends at', path[-1])"]
        return "\n".join(lines) + "\n"


def _tf_formula(expr: Expression) -> str:
    """The formula as Python source over teachtf functions (sin → tf.sin, ...)."""
    class Qualify(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            node.func = ast.Attribute(value=ast.Name("tf", ast.Load()), attr=node.func.id, ctx=ast.Load())
            return node

        def visit_Name(self, node):
            if node.id in ("pi", "e"):
                return ast.Attribute(value=ast.Name("np", ast.Load()), attr=node.id, ctx=ast.Load())
            return node

    tree = Qualify().visit(copy.deepcopy(expr.tree))
    return ast.unparse(tree)
