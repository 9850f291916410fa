"""GraphViewer: a readable drawing of a teachtf graph with collapsible name scopes and an op inspector."""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from teachtf.ext.graph_drawing import GraphDrawing, dot_available, shape_label

from ..models.gradient_flow import summarize
from .controls import SMALL


def _op_details(drawing: GraphDrawing, node_id: str) -> str:
    node = drawing.nodes[node_id]
    rows = []
    for op in node.ops[:30]:
        ins = ", ".join(f"{t.name} ({shape_label(t)})" for t in op.inputs) or "—"
        outs = ", ".join(f"{t.name} ({shape_label(t)})" for t in op.outputs) or "— (an Operation: run it, it has no "\
                                                                                "value)"
        site = op._creation_site() if hasattr(op, "_creation_site") else ""
        rows.append(f"<tr><td><b>{html.escape(op.name)}</b></td><td>{html.escape(op.type)}</td>"
                    f"<td>{html.escape(ins)}</td><td>{html.escape(outs)}</td><td>{html.escape(op.device or '')}</td>"
                    f"<td style='color:#666'>{html.escape(site)}</td></tr>")
    more = f"<div>… and {len(node.ops) - 30} more ops</div>" if len(node.ops) > 30 else ""
    return ('<table class="ttf-ops" style="font:11px monospace;border-collapse:collapse" border="1" cellpadding="3">'
            "<tr><th>op</th><th>type</th><th>inputs</th><th>outputs</th><th>device</th><th>created at</th></tr>"
            + "".join(rows) + "</table>" + more)


class GraphViewer(W.VBox):
    """Draws `graph` (default: the default graph) or the part `fetches` need; scopes collapse and expand.

    collapse_scopes: draw each name scope as one node unless opened in "open scopes".
    engine: "auto" (graphviz's dot when installed, else the built-in layout), "dot" or "python".
    session (and feed_dict): when given, each op shows its forward value (ops that change state are
    never run, and values that cannot be computed, e.g. unfed placeholders, are left out).
    """

    def __init__(self, graph=None, fetches=None, collapse_scopes: bool = True, expanded=(), engine: str = "auto",
                 hide_controls=(), title: str = "Graph viewer", session=None, feed_dict=None):
        import teachtf as tf

        self.graph = graph if graph is not None else (None if fetches is not None else tf.get_default_graph())
        self.fetches = fetches
        self.session, self.feed_dict = session, feed_dict
        self.node_styles: dict = {}
        self.edge_styles: dict = {}
        self.controls = {
            "collapse": W.Checkbox(value=collapse_scopes, description="collapse name scopes", indent=False,
                                   layout=W.Layout(width="190px")),
            "expanded": W.SelectMultiple(options=[], value=[], description="open scopes", rows=4,
                                         layout=W.Layout(width="300px"), **SMALL),
            "engine": W.Dropdown(options=["auto", "dot", "python"] if dot_available() else ["auto", "python"],
                                 value=engine if engine != "dot" or dot_available() else "auto",
                                 description="layout", layout=W.Layout(width="150px"), **SMALL),
            "inspect": W.Dropdown(options=[], description="inspect", layout=W.Layout(width="300px"), **SMALL),
        }
        self.refresh_button = W.Button(description="refresh", icon="refresh", tooltip="re-read the graph",
                                       layout=W.Layout(width="100px"))
        self.refresh_button.on_click(lambda _: self.refresh())
        self.drawing_area = W.HTML(layout=W.Layout(max_height="620px", overflow="auto", border="1px solid #e0e0e0"))
        self.details = W.HTML()
        self.legend = W.HTML(
            '<div style="font:11px sans-serif">boxes: ops (name, type) · green: variables (with their initializer and '
            'read ops) · blue ovals: placeholders · grey: constants · orange folders: collapsed name scopes · labels '
            'on arrows: tensor shapes (? = unknown) · dashed arrows: control dependencies</div>')
        hidden = set(self.controls) if hide_controls is True else set(hide_controls)
        unknown = hidden - set(self.controls) - {"refresh"}
        if unknown:
            raise ValueError(f"GraphViewer: unknown control(s) {sorted(unknown)}; known: {sorted(self.controls)}.")
        for name, w in self.controls.items():
            if name in hidden:
                w.layout.display = "none"
            w.observe(self._on_control, names="value")
        self._expanded_init = list(expanded)
        header = W.HTML(f'<b style="font:bold 14px sans-serif">{html.escape(title)}</b>') if title else W.HTML()
        bar = W.HBox([self.controls["collapse"], self.controls["expanded"], self.controls["engine"],
                      self.refresh_button], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        super().__init__([header, bar, self.drawing_area, self.legend, self.controls["inspect"], self.details])
        self.add_class("ttf-graph-viewer")
        self._quiet = False
        self.refresh()

    # -- public ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-reads the graph (ops added since) and redraws."""
        d = GraphDrawing(self.graph, self.fetches, collapse_scopes=False)
        scopes = sorted(s for s in d.scopes if s not in d.variables and not any(s.startswith(v + "/")
                                                                                for v in d.variables))
        self._quiet = True
        try:
            exp = self.controls["expanded"]
            keep = [s for s in (list(exp.value) or self._expanded_init) if s in scopes]
            exp.options = scopes
            exp.value = keep
        finally:
            self._quiet = False
        self.redraw()

    def set_styles(self, node_styles=None, edge_styles=None) -> None:
        """Per-node and per-edge styles (see GraphDrawing.to_dot), e.g. from the gradient-flow widget."""
        self.node_styles = dict(node_styles or {})
        self.edge_styles = dict(edge_styles or {})
        self.redraw()

    @property
    def drawing(self) -> GraphDrawing:
        return self._drawing

    def svg(self) -> str:
        styles = {k: dict(v) for k, v in self.node_styles.items()}
        for node_id, text in self.node_values().items():
            st = styles.setdefault(node_id, {})
            st["extra"] = ["= " + text] + list(st.get("extra", []))
        return self._drawing.to_svg(styles, self.edge_styles, self.controls["engine"].value)

    def node_values(self) -> dict[str, str]:
        """Node id -> a short text of its forward value (empty without a session)."""
        if self.session is None:
            return {}
        tensors = {}
        for node_id, node in self._drawing.nodes.items():
            if node.kind == "scope":
                continue
            op = self._drawing.graph.get_operation_by_name(node_id) if node.kind == "variable" else node.ops[0]
            stateful = op._opdef is not None and op._opdef.stateful and node.kind != "variable"
            if not op.outputs or stateful or op.outputs[0].dtype.base_dtype.name == "string":
                continue
            tensors[node_id] = op.outputs[0]
        try:
            values = self.session.run(tensors, self.feed_dict)
        except Exception:  # noqa: BLE001 - some value is not computable (unfed, uninitialised): go one by one
            values = {}
            for node_id, t in tensors.items():
                try:
                    values[node_id] = self.session.run(t, self.feed_dict)
                except Exception:  # noqa: BLE001 - leave this one out
                    continue
        return {k: summarize(v, limit=4) for k, v in values.items()}

    def redraw(self) -> None:
        self._drawing = GraphDrawing(self.graph, self.fetches, self.controls["collapse"].value,
                                     self.controls["expanded"].value)
        self.drawing_area.value = self.svg() if self._drawing.nodes else "<i>the graph is empty</i>"
        self._quiet = True
        try:
            ins = self.controls["inspect"]
            ids = list(self._drawing.nodes)
            keep = ins.value if ins.value in ids else (ids[-1] if ids else None)
            ins.options = ids
            ins.value = keep
        finally:
            self._quiet = False
        self._show_details()

    def expand(self, *scopes: str) -> None:
        """Opens name scopes (as selecting them in "open scopes" does)."""
        exp = self.controls["expanded"]
        exp.value = tuple(dict.fromkeys(list(exp.value) + list(scopes)))

    def show_code(self) -> str:
        fetch = "" if self.fetches is None else ", fetches=[...]"
        return ("import teachtf as tf\n\n"
                f"dot_source = tf.ext.graph_to_dot(tf.get_default_graph(){fetch}, "
                f"collapse_scopes={self.controls['collapse'].value})\nprint(dot_source)  # render with graphviz: "
                "dot -Tsvg graph.dot > graph.svg\n")

    def to_figure(self):
        """A static matplotlib Figure of the drawing (built-in layout), for handouts."""
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyBboxPatch

        from teachtf.ext import _graph_layout as gl

        boxes, links = self._drawing.boxes_and_links(self.node_styles, self.edge_styles)
        w, h = gl.layout(boxes, links)
        fig = Figure(figsize=(max(4, w / 90), max(3, h / 90)))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.axis("off")
        for ln in links:
            pts = np.array(ln.points)
            if len(pts) > 1:
                ax.annotate("", xy=pts[-1], xytext=pts[-2], arrowprops=dict(arrowstyle="->", color=ln.color,
                                                                           lw=ln.width))
                ax.plot(pts[:-1, 0], pts[:-1, 1], color=ln.color, lw=ln.width, ls="--" if ln.dashed else "-")
        for b in boxes:
            ax.add_patch(FancyBboxPatch((b.x - b.width / 2, b.y - b.height / 2), b.width, b.height,
                                        boxstyle="round,pad=0,rounding_size=6", fc=b.fill, ec=b.stroke,
                                        lw=b.stroke_width))
            ax.text(b.x, b.y, "\n".join(b.lines), ha="center", va="center", fontsize=7)
        return fig

    # -- internals -------------------------------------------------------------------------------
    def _on_control(self, change) -> None:
        if self._quiet:
            return
        if change["owner"] is self.controls["inspect"]:
            self._show_details()
        else:
            self.redraw()

    def _show_details(self) -> None:
        node = self.controls["inspect"].value
        self.details.value = "" if node is None else _op_details(self._drawing, node)
