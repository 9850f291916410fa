"""SoftmaxExplorer: editable logits, a temperature slider, and the stable pipeline row by row with bars."""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from ..arrays import to_numpy
from ..colors import format_number as fmt
from ..models.softmax import ROWS, SoftmaxModel
from .base import Explorer
from .controls import SMALL, dropdown, rows


def parse_logits(text: str) -> np.ndarray:
    """'2, 1, 0.1' (commas or spaces) -> array; ValueError naming the bad entry."""
    parts = [p for p in text.replace(",", " ").split() if p]
    values = []
    for p in parts:
        try:
            values.append(float(p.replace("−", "-")))
        except ValueError:
            raise ValueError(f"{p!r} is not a number; type the logits as numbers separated by commas.") from None
    if len(values) < 2:
        raise ValueError("Type at least two logits, separated by commas (e.g. 2, 1, 0.1).")
    return np.array(values)


class SoftmaxExplorer(Explorer):
    """The numerically stable softmax → cross-entropy → gradient pipeline (tf.nn.softmax and friends).

    logits: a list/array/tensor of K scores. temperature: T > 0. label: the true class.
    class_names: optional labels for the bars.
    """

    title = "Softmax explorer — tf.nn.softmax and softmax_cross_entropy_with_logits"
    formula_height = "70px"

    def __init__(self, logits=(2.0, 1.0, 0.1), temperature: float = 1.0, label: int = 0, class_names=None,
                 hide_controls=(), session=None, start_frame: int | None = None):
        z = to_numpy(logits, session, "logits").ravel()
        self._class_names = list(class_names) if class_names is not None else None
        self._init = dict(text=", ".join(fmt(v, 6).replace("−", "-") for v in z), temperature=float(temperature),
                          label=int(label), k=z.size)
        super().__init__(hide_controls, len(ROWS) - 1 if start_frame is None else start_frame)

    def _build_controls(self):
        v = self._init
        return {
            "logits": W.Text(value=v["text"], description="logits z", continuous_update=False,
                             layout=W.Layout(width="320px"), **SMALL),
            "temperature": W.FloatLogSlider(value=v["temperature"], base=10, min=-1, max=1, step=0.05,
                                            description="temperature T", continuous_update=False,
                                            layout=W.Layout(width="320px"), **SMALL),
            "label": dropdown("true class", self._label_options(v["k"]), v["label"], "160px"),
        }

    def _label_options(self, k: int):
        names = self._class_names or [str(i) for i in range(k)]
        return [(f"{i}: {names[i]}" if self._class_names else str(i), i) for i in range(k)]

    def _controls_box(self):
        c = self.controls
        return rows([c["logits"], c["temperature"], c["label"]])

    def _make_model(self):
        z = parse_logits(self.controls["logits"].value)
        if self._class_names is not None and len(self._class_names) != z.size:
            raise ValueError(f"{len(self._class_names)} class names for {z.size} logits.")
        dd = self.controls["label"]
        if len(dd.options) != z.size:
            self._suspended += 1
            try:
                keep = dd.value if dd.value is not None and dd.value < z.size else 0
                dd.options = self._label_options(z.size)
                dd.value = keep
            finally:
                self._suspended -= 1
        return SoftmaxModel(z, self.controls["temperature"].value, dd.value)

    def _info_html(self) -> str:
        m = self.model
        return (f'<div style="font:12px monospace">K = {m.z.size} classes, T = {fmt(m.temperature)}, true class '
                f'{m.label}: press play to build the pipeline one row at a time.</div>')

    def _extra_html(self, frame) -> str:
        m = self.model
        revealed = frame.cell[0] >= [k for k, _ in ROWS].index("p")
        names = self._class_names or [f"class {i}" for i in range(m.z.size)]
        bars = []
        for i, p in enumerate(m.probabilities if revealed else np.zeros(m.z.size)):
            color = "#2e7d32" if i == m.label else "#1e88e5"
            bars.append(f'<div style="display:flex;align-items:center;gap:6px;font:11px monospace">'
                        f'<span style="width:110px;text-align:right">{html.escape(names[i])}</span>'
                        f'<span class="ttf-bar" data-p="{p:.6g}" style="display:inline-block;height:12px;'
                        f'width:{max(1, int(round(300 * p)))}px;background:{color}"></span>'
                        f'<span>{fmt(p, 3) if revealed else "p = ?"}</span></div>')
        return f'<div class="ttf-bars" style="margin:4px 0">{"".join(bars)}</div>'
