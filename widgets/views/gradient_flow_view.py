"""GradientFlow: the graph drawn, then the forward pass and backpropagation stepped op by op on it."""

from __future__ import annotations

import html
import math

import ipywidgets as W

from ..colors import format_number as fmt
from ..models.gradient_flow import GradientFlowModel, mean_abs
from .base import Explorer
from .controls import rows, toggles
from .graph_view import GraphViewer

_FWD, _BWD, _DONE = "#ef6c00", "#c62828", "#1565c0"


def _short(a) -> str:
    a = a if hasattr(a, "ndim") else None
    if a is None:
        return ""
    if a.ndim == 0 or a.size == 1:
        return fmt(float(a.ravel()[0]), 3)
    return f"mean|·| {fmt(mean_abs(a), 2)}"


class GradientFlow(Explorer):
    """Draws the graph of `loss` and steps forward through its ops, then backward through their gradients.

    loss: the loss Tensor; session: the Session holding the variables (default: the default session);
    feed_dict: values for the placeholders. Edge width shows mean |gradient| (or |value| with
    edge_width="value"); flags mark vanishing/exploding gradients, saturation and dead ReLUs.
    """

    title = "Gradient flow — forward pass, then backpropagation"
    formula_height = "170px"

    def __init__(self, loss, session=None, feed_dict=None, edge_width: str = "gradient", engine: str = "auto",
                 hide_controls=(), start_frame: int = 0, vanish_ratio: float = 1e-4, explode: float = 1e3):
        if edge_width not in ("gradient", "value"):
            raise ValueError(f"edge_width must be 'gradient' or 'value'; got {edge_width!r}.")
        self._args = (loss, session, feed_dict, vanish_ratio, explode)
        self._edge_width = edge_width
        self.viewer = GraphViewer(fetches=[loss], collapse_scopes=False, engine=engine,
                                  hide_controls=("collapse", "expanded"), title="")
        self.flags = W.HTML()
        self._cached_model = None
        super().__init__(hide_controls, start_frame)
        self.panels.layout.height = "260px"  # room for one value grid; stepping never changes the layout
        self.panels.layout.overflow = "auto"
        self.children = self.children[:5] + (self.viewer, self.flags) + self.children[5:]

    def _build_controls(self):
        return {"edge_width": toggles("edge width by", [("|gradient|", "gradient"), ("|value|", "value")],
                                      self._edge_width, "90px")}

    def _controls_box(self):
        return rows([self.controls["edge_width"]])

    def _on_control(self, change) -> None:
        self._render(self.player.value)  # the toggle only changes the drawing

    def _make_model(self):
        if self._cached_model is None:
            loss, session, feed, vanish, explode = self._args
            self._cached_model = GradientFlowModel(loss, session, feed, vanish, explode)
        return self._cached_model

    def _info_html(self) -> str:
        m = self.model
        n_fwd = sum(1 for s in m.steps if s.phase == "forward")
        n_bwd = sum(1 for s in m.steps if s.phase == "backward")
        by = "|gradient|" if self._edge_width_by() == "gradient" else "|value|"
        return (f'<div style="font:12px sans-serif">loss <code>{html.escape(m.loss.name)}</code>: {n_fwd} forward '
                f'steps, then {n_bwd} backward steps, then a summary. Orange: the op computed now; red: the op whose '
                f'gradient is computed now; edge width: mean {by} on that edge (log scale).</div>')

    def _edge_width_by(self) -> str:
        return self.controls["edge_width"].value

    # -- drawing ---------------------------------------------------------------------------------
    def _render(self, index: int) -> None:
        super()._render(index)
        if self.model is None:
            return
        self.viewer.set_styles(*self.styles(index))
        flags = self.model.flags
        self.flags.value = "".join(f'<div class="ttf-flag" style="color:#b00020;font:12px sans-serif">⚠ '
                                   f'{html.escape(f)}</div>' for f in flags)

    def styles(self, index: int) -> tuple[dict, dict]:
        """Node and edge styles of the drawing for frame `index`."""
        m = self.model
        step = m.steps[index]
        fwd = [s for s in m.steps if s.phase == "forward"]
        bwd = [s for s in m.steps if s.phase == "backward"]
        group = m.drawing.group
        done_fwd = {group[s.op.name] for s in fwd[:index + 1]} if step.phase == "forward" else \
            {group[s.op.name] for s in fwd}
        k_bwd = index - len(fwd)
        if step.phase == "forward":
            done_bwd = set()
        else:
            done_bwd = {group[s.op.name] for s in (bwd[:k_bwd + 1] if step.phase == "backward" else bwd)}
        nodes = {}
        for node_id, node in m.drawing.nodes.items():
            op = node.ops[0]
            extra = []
            out = op.outputs[0].name if op.outputs else None
            if node_id in done_fwd or node.kind in ("variable", "placeholder"):
                v = m.values.get(out)
                if v is not None:
                    extra.append("= " + _short(v))
            g = m.gradients.get(out)
            if g is not None and (node_id in done_bwd or (step.phase != "forward" and node.kind in ("variable",
                                                                                                    "placeholder")
                                                          and self._source_reached(node_id, done_bwd))):
                extra.append("∂L = " + _short(g))
            style = {"extra": extra}
            if node_id not in done_fwd and node.kind == "op":
                style["fill"] = "#f7f7f7"
            nodes[node_id] = style
        if step.op is not None:
            cur = group[step.op.name]
            nodes[cur].update(stroke=_FWD if step.phase == "forward" else _BWD, stroke_width=3.0)
        widths = m.edge_width_values(self._edge_width_by())
        edges = {}
        positive = [v for v in widths.values() if v > 0 and math.isfinite(v)]
        lo, hi = (min(positive), max(positive)) if positive else (1.0, 1.0)
        for (src, dst), v in widths.items():
            show = self._edge_width_by() == "value" or dst in done_bwd
            if not show:
                continue
            if v > 0 and math.isfinite(v) and hi > lo:
                width = 1.0 + 5.0 * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
            else:
                width = 1.0 if v == 0 else 3.5
            edges[(src, dst)] = {"width": width, "color": _DONE if self._edge_width_by() == "value" else _BWD}
        if step.op is not None:
            cur = group[step.op.name]
            for e in m.drawing.edges:
                if e.dst == cur and e.tensors:
                    t = e.tensors[0]
                    if step.phase == "forward":
                        label = _short(m.values.get(t.name))
                    else:
                        parts = [m.contributions.get((step.op.name, i)) for i, ti in enumerate(step.op.inputs)
                                 if ti is t]
                        parts = [p for p in parts if p is not None]
                        label = ("∂ " + _short(sum(parts[1:], parts[0]))) if parts else ""
                    edges.setdefault((e.src, e.dst), {}).update(label=label,
                                                                color=_FWD if step.phase == "forward" else _BWD)
        return nodes, edges

    def to_figure(self, frame: int | None = None):
        """A static matplotlib Figure of the drawing as styled for a frame (default: the one on screen)."""
        index = self.player.value if frame is None else frame
        self.viewer.set_styles(*self.styles(index))
        fig = self.viewer.to_figure()
        fig.suptitle(self.model.frames[index].caption, fontsize=9)
        return fig

    def _source_reached(self, node_id: str, done_bwd: set) -> bool:
        """A variable/placeholder shows its gradient once every op it feeds has been processed backward."""
        return all(e.dst in done_bwd for e in self.model.drawing.edges if e.src == node_id and not e.control
                   and e.dst in {self.model.drawing.group[s.op.name] for s in self.model.steps if s.op is not None})
