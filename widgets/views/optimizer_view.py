"""OptimizerRace: TF1 optimizers descending one surface — contours, trajectories, slots and update formulas."""

from __future__ import annotations

import base64
import html

import ipywidgets as W
import numpy as np

from ..colors import format_number as fmt
from ..models.optimizer_race import COLORS, OPTIMIZERS, SURFACES, OptimizerRaceModel
from .base import Explorer
from .contours import SIZE, contour_png
from .controls import SMALL, dropdown, int_slider, rows

CUSTOM = "custom formula"


class OptimizerRace(Explorer):
    """Races `tf.train` optimizers on a 2-D surface: a named one (narrow valley, saddle, Rosenbrock) or a formula.

    formula: used when surface="custom formula" (e.g. "x**2 + 10*y**2", parsed safely, no eval).
    lr_scale multiplies every optimizer's learning rate; learning_rates overrides single ones.
    """

    title = "Optimizer race — tf.train optimizers on one surface"
    formula_height = "190px"

    def __init__(self, surface: str = "narrow valley", optimizers=("GradientDescent", "Momentum", "Adam"),
                 formula: str = "x**2 + 10*y**2", start=(1.5, 1.5), steps: int = 60, lr_scale: float = 1.0,
                 learning_rates=None, hide_controls=(), start_frame: int = 0):
        if surface not in SURFACES and surface != CUSTOM:
            formula, surface = surface, CUSTOM
        self._init = dict(surface=surface, optimizers=tuple(optimizers), formula=formula, start=tuple(start),
                          steps=steps, lr_scale=lr_scale)
        self._learning_rates = dict(learning_rates or {})
        self.map = W.HTML()
        self.table = W.HTML()
        self._png_key = None
        self._png = b""
        super().__init__(hide_controls, start_frame)
        self.panels.layout.display = "none"  # the race draws a map and a table instead of grids
        self.children = self.children[:5] + (W.HBox([self.map, self.table]),) + self.children[5:]

    def _build_controls(self):
        v = self._init
        return {
            "surface": dropdown("surface", list(SURFACES) + [CUSTOM], v["surface"], "230px"),
            "formula": W.Text(value=v["formula"], description="f(x, y) =", continuous_update=False,
                              layout=W.Layout(width="330px"), **SMALL),
            "start_x": W.FloatText(value=v["start"][0], description="start x", layout=W.Layout(width="130px"),
                                   **SMALL),
            "start_y": W.FloatText(value=v["start"][1], description="y", layout=W.Layout(width="100px"), **SMALL),
            "optimizers": W.SelectMultiple(options=OPTIMIZERS, value=v["optimizers"], rows=4,
                                           description="optimizers", layout=W.Layout(width="260px"), **SMALL),
            "lr_scale": W.FloatLogSlider(value=v["lr_scale"], base=10, min=-1.5, max=1, step=0.1,
                                         description="learning rate ×", continuous_update=False,
                                         layout=W.Layout(width="300px"), **SMALL),
            "steps": int_slider("steps", v["steps"], 5, 300, "260px"),
        }

    def _controls_box(self):
        c = self.controls
        return rows([c["surface"], c["formula"], c["start_x"], c["start_y"]],
                    [c["optimizers"], W.VBox([c["lr_scale"], c["steps"]])])

    def _make_model(self):
        v = self.value_of
        custom = v("surface") == CUSTOM
        self.controls["formula"].disabled = not custom
        self.controls["start_x"].disabled = self.controls["start_y"].disabled = not custom
        surface = v("formula") if custom else v("surface")
        base = SURFACES[surface].learning_rates if not custom else None
        from ..models.optimizer_race import DEFAULT_LR

        lrs = {o: (base or DEFAULT_LR)[o] * v("lr_scale") for o in v("optimizers")}
        lrs.update({o: lr for o, lr in self._learning_rates.items() if o in lrs})
        start = (v("start_x"), v("start_y")) if custom else None
        if not v("optimizers"):
            raise ValueError("Choose at least one optimizer.")
        return OptimizerRaceModel(surface, v("optimizers"), lrs, v("steps"), start=start)

    def _info_html(self) -> str:
        m = self.model
        note = f" — {m.note}" if m.note else ""
        return (f'<div style="font:12px sans-serif">f(x, y) = <code>{html.escape(m.formula)}</code>, start '
                f'{tuple(m.start)}{html.escape(note)}</div>')

    # -- drawing -----------------------------------------------------------------------------------
    def _background(self) -> bytes:
        m = self.model
        key = (m.formula, m.window)
        if key != self._png_key:
            self._png = contour_png(m.contour["x"], m.contour["y"], m.contour["f"])
            self._png_key = key
        return self._png

    def map_svg(self, t: int) -> str:
        """The contour map with each optimizer's path up to step t."""
        m = self.model
        x0, x1, y0, y1 = m.window

        def px(p):
            return (p[0] - x0) / (x1 - x0) * SIZE, (y1 - p[1]) / (y1 - y0) * SIZE

        data = base64.b64encode(self._background()).decode()
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ttf-race" width="{SIZE}" height="{SIZE}" '
                 f'style="border:1px solid #ccc"><image href="data:image/png;base64,{data}" x="0" y="0" '
                 f'width="{SIZE}" height="{SIZE}"/><defs><clipPath id="ttf-clip"><rect width="{SIZE}" '
                 f'height="{SIZE}"/></clipPath></defs><g clip-path="url(#ttf-clip)">']
        for tr in m.tracks:
            pts = [px(p) for p in tr.theta[:t + 1] if np.all(np.isfinite(p))]
            color = COLORS[tr.name]
            if len(pts) > 1:
                path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.8" '
                             f'stroke-opacity="0.9"/>')
            if pts:
                a, b = pts[-1]
                parts.append(f'<circle class="ttf-pos" data-opt="{tr.name}" cx="{a:.1f}" cy="{b:.1f}" r="4.5" '
                             f'fill="{color}" stroke="#fff" stroke-width="1"/>')
        a, b = px(m.start)
        parts.append(f'<rect x="{a - 4:.1f}" y="{b - 4:.1f}" width="8" height="8" fill="none" stroke="#000"/></g>')
        for k, tr in enumerate(m.tracks):
            parts.append(f'<text x="8" y="{16 + 14 * k}" font-size="11" font-family="sans-serif" '
                         f'fill="{COLORS[tr.name]}" font-weight="bold">● {tr.name}</text>')
        parts.append(f'<text x="{SIZE - 6}" y="{SIZE - 6}" font-size="9" text-anchor="end" fill="#555">'
                     f'x ∈ [{fmt(x0)}, {fmt(x1)}], y ∈ [{fmt(y0)}, {fmt(y1)}]</text></svg>')
        return "".join(parts)

    def table_html(self, t: int) -> str:
        m = self.model
        head = "<tr><th>optimizer</th><th>lr now</th><th>θ = (x, y)</th><th>f(θ)</th><th>g</th><th>slots</th></tr>"
        body = []
        for tr in m.tracks:
            slots = "<br>".join(f"{html.escape(k)} = {self._vec(v[t])}" for k, v in tr.slots.items()) or "—"
            body.append(f'<tr><td style="color:{COLORS[tr.name]};font-weight:bold">{tr.name}</td>'
                        f"<td>{fmt(m.effective_lr(tr.name, t), 3)}</td><td>{self._vec(tr.theta[t])}</td>"
                        f"<td>{fmt(tr.loss[t], 4)}</td><td>{self._vec(tr.grad[t])}</td><td>{slots}</td></tr>")
        return ('<table class="ttf-race-table" style="font:11px monospace;border-collapse:collapse;margin-left:10px" '
                f'border="1" cellpadding="3">{head}{"".join(body)}</table>')

    @staticmethod
    def _vec(a) -> str:
        a = np.atleast_1d(np.asarray(a, float))
        return "(" + ", ".join(fmt(v, 3) for v in a) + ")" if a.size > 1 else fmt(a[0], 4)

    def _render(self, index: int) -> None:
        super()._render(index)
        if self.model is None:
            self.map.value = self.table.value = ""
            return
        t = max(0, min(index, self.model.steps))
        self.map.value = self.map_svg(t)
        self.table.value = self.table_html(t)
        self.legend.value = ('<div style="font:11px sans-serif">square: start · dots: each optimizer now · lines: '
                             'the paths so far · grey: contour lines of f (darker = lower)</div>')
