"""Drawings of teachtf graphs: `graph_to_dot`, SVG rendering and Jupyter's rich display (API.md §21).

A drawing groups ops before drawing them, the way TensorBoard does:

- a variable `w` and everything under `w/` (`w/Assign`, `w/read`,
  `w/initial_value`) is one node;
- with `collapse_scopes=True` every name scope is one node ("layer1 · 12
  ops") unless it is listed in `expanded`; expanded scopes are drawn as
  frames around their ops.

SVG comes from graphviz's `dot` program when it is installed, else from the
pure-Python layered layout in `_graph_layout`. Styles (fill, outline, edge
width and colour, extra label lines) can be given per node and per edge,
which is how the gradient-flow widget paints gradients onto the drawing.
"""

from __future__ import annotations

import functools
import html
import shutil
import subprocess
from dataclasses import dataclass, field

from ..framework.graph import Graph, Operation, Tensor, get_default_graph
from . import _graph_layout as gl

VARIABLE_TYPES = frozenset({"VariableV2", "Variable", "VarHandleOp"})
MAX_DRAWN_NODES = 400  # larger drawings are unreadable; the rich display falls back to text

_KIND_STYLE = {  # kind -> (fill, stroke, shape)
    "op": ("#ffffff", "#555555", "round"),
    "variable": ("#e3f4e1", "#2e7d32", "rect"),
    "placeholder": ("#e3eefc", "#1565c0", "ellipse"),
    "const": ("#f4f4f4", "#999999", "rect"),
    "scope": ("#fff5e0", "#b26a00", "folder"),
}


@dataclass
class DrawNode:
    """One box of a drawing: an op, a variable (with its helper ops) or a collapsed name scope."""

    id: str
    label: str
    detail: str
    kind: str
    ops: list[Operation]
    cluster: str = ""  # the expanded scope it is drawn inside ("" at top level)

    @property
    def tooltip(self) -> str:
        names = ", ".join(op.name for op in self.ops[:12]) + (" …" if len(self.ops) > 12 else "")
        return f"{self.id} ({self.detail or self.ops[0].type}): {names}"


@dataclass
class DrawEdge:
    """A connection between two nodes, carrying one or more tensors (or a control dependency)."""

    src: str
    dst: str
    tensors: list[Tensor] = field(default_factory=list)
    control: bool = False

    @property
    def label(self) -> str:
        if self.control or not self.tensors:
            return ""
        return shape_label(self.tensors[0]) + (f" (+{len(self.tensors) - 1})" if len(self.tensors) > 1 else "")


def shape_label(t: Tensor) -> str:
    """'?×784', 'scalar' or 'int32 [2]': a tensor's static shape, with its dtype when not float32."""
    dims = t.shape.dims if t.shape.ndims is not None else None
    if dims is None:
        text = "?-d"
    elif not dims:
        text = "scalar"
    else:
        text = "×".join("?" if d.value is None else str(d.value) for d in dims)
    dt = t.dtype.base_dtype.name
    return text if dt == "float32" else f"{dt} {text}"


class GraphDrawing:
    """The nodes and edges drawn for `graph` (or the part of it that `fetches` need).

    expanded: name scopes to draw open (only used with collapse_scopes=True).
    """

    def __init__(self, graph: Graph | None = None, fetches=None, collapse_scopes: bool = True,
                 expanded=()):
        self.graph = graph if graph is not None else _graph_of(fetches)
        self.collapse_scopes = collapse_scopes
        self.expanded = set(expanded)
        ops = self.graph.get_operations() if fetches is None else _ancestors(_as_ops(fetches))
        self.ops = ops
        self.scopes = _scopes_of(ops)
        self.variables = {op.name for op in ops if op.type in VARIABLE_TYPES}
        self.group = {op.name: self._group_of(op.name) for op in ops}
        self.nodes: dict[str, DrawNode] = {}
        for op in ops:
            gid = self.group[op.name]
            node = self.nodes.get(gid)
            if node is None:
                self.nodes[gid] = self._make_node(gid, op)
            else:
                node.ops.append(op)
        for node in self.nodes.values():
            if node.kind == "scope":
                node.detail = f"{len(node.ops)} ops"
        self.edges = self._edges()

    # -- grouping ------------------------------------------------------------------------------
    def _group_of(self, name: str) -> str:
        parts = name.split("/")
        for k in range(1, len(parts) + 1):
            prefix = "/".join(parts[:k])
            if prefix not in self.scopes:
                continue
            if prefix in self.variables:
                return prefix
            if self.collapse_scopes and prefix not in self.expanded:
                return prefix
        return name

    def _make_node(self, gid: str, op: Operation) -> DrawNode:
        cluster = "/".join(gid.split("/")[:-1])
        label = gid.split("/")[-1] if cluster else gid
        if gid in self.variables:
            var = self.graph.get_operation_by_name(gid)
            return DrawNode(gid, label, f"Variable {shape_label(var.outputs[0])}", "variable", [op], cluster)
        if gid != op.name or gid in self.scopes:
            return DrawNode(gid, label, "scope", "scope", [op], cluster)
        if op.type in ("Placeholder", "PlaceholderWithDefault"):
            return DrawNode(gid, label, f"{op.type} {shape_label(op.outputs[0])}", "placeholder", [op], cluster)
        if op.type == "Const":
            return DrawNode(gid, label, _const_detail(op), "const", [op], cluster)
        # "MatMul_1" of type MatMul needs no second line saying "MatMul".
        detail = "" if label.rsplit("_", 1)[0] == op.type or label == op.type else op.type
        return DrawNode(gid, label, detail, "op", [op], cluster)

    def _edges(self) -> list[DrawEdge]:
        edges: dict[tuple[str, str, bool], DrawEdge] = {}
        for op in self.ops:
            dst = self.group[op.name]
            for t in op.inputs:
                src = self.group.get(t.op.name)
                if src is None or src == dst:
                    continue
                e = edges.setdefault((src, dst, False), DrawEdge(src, dst))
                if t not in e.tensors:
                    e.tensors.append(t)
            for c in op.control_inputs:
                src = self.group.get(c.name)
                if src is None or src == dst or (src, dst, False) in edges:
                    continue
                edges.setdefault((src, dst, True), DrawEdge(src, dst, control=True))
        return [e for k, e in edges.items() if not (k[2] and (k[0], k[1], False) in edges)]

    def clusters(self) -> dict[str, list[str]]:
        """Expanded scope -> ids of the nodes drawn inside it."""
        out: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.cluster:
                out.setdefault(node.cluster, []).append(node.id)
        return out

    def node_of(self, element) -> str:
        """The id of the node that draws `element` (a Tensor, Operation, Variable or op name)."""
        if hasattr(element, "_as_graph_element") and not isinstance(element, (Tensor, Operation)):
            element = element._as_graph_element()
        name = element if isinstance(element, str) else (element.op.name if isinstance(element, Tensor)
                                                          else element.name)
        return self.group[name]

    # -- output ------------------------------------------------------------------------------------
    def to_dot(self, node_styles=None, edge_styles=None) -> str:
        """DOT source. node_styles: id -> dict(fill, stroke, stroke_width, extra); edge_styles: (src, dst) -> dict(
        width, color, label)."""
        node_styles, edge_styles = node_styles or {}, edge_styles or {}
        lines = ["digraph teachtf {", '  graph [rankdir=TB, nodesep=0.25, ranksep=0.35, fontname="Helvetica", '
                 'fontsize=10];', '  node [fontname="Helvetica", fontsize=10, height=0.3];',
                 '  edge [fontname="Helvetica", fontsize=8, color="#666666", arrowsize=0.6];']
        by_cluster: dict[str, list[DrawNode]] = {}
        for node in self.nodes.values():
            by_cluster.setdefault(node.cluster, []).append(node)
        for k, (cluster, nodes) in enumerate(sorted(by_cluster.items())):
            indent = "  "
            if cluster:
                lines.append(f"  subgraph cluster_{k} {{")
                lines.append(f'    label={_q(cluster + "/")}; style="dashed,rounded"; color="#88aaaa"; '
                             f'fontcolor="#557777"; fontsize=9;')
                indent = "    "
            for node in nodes:
                lines.append(indent + _dot_node(node, node_styles.get(node.id, {})))
            if cluster:
                lines.append("  }")
        for e in self.edges:
            st = edge_styles.get((e.src, e.dst), {})
            attrs = {"label": st.get("label", e.label), "penwidth": f"{st.get('width', 1.0):.2f}",
                     "color": st.get("color", "#666666"), "tooltip": ", ".join(t.name for t in e.tensors)}
            if e.control:
                attrs["style"] = "dashed"
            lines.append(f"  {_q(e.src)} -> {_q(e.dst)} [{_attrs(attrs)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_svg(self, node_styles=None, edge_styles=None, engine: str = "auto") -> str:
        """SVG text. engine: "dot" (graphviz, must be installed), "python" (built in), or "auto"."""
        if engine not in ("auto", "dot", "python"):
            raise ValueError(f"engine must be 'auto', 'dot' or 'python'; got {engine!r}.")
        if engine == "dot" or (engine == "auto" and dot_available()):
            return _run_dot(self.to_dot(node_styles, edge_styles))
        return self._python_svg(node_styles or {}, edge_styles or {})

    def boxes_and_links(self, node_styles=None, edge_styles=None) -> tuple[list, list]:
        """The nodes and edges as `_graph_layout` boxes and links (styled), ready to lay out or draw."""
        node_styles, edge_styles = node_styles or {}, edge_styles or {}
        boxes = []
        for node in self.nodes.values():
            fill, stroke, shape = _KIND_STYLE[node.kind]
            st = node_styles.get(node.id, {})
            lines = [t for t in [node.label, node.detail] + list(st.get("extra", [])) if t]
            boxes.append(gl.Box(node.id, lines, st.get("fill", fill), st.get("stroke", stroke),
                                st.get("stroke_width", 1.0), shape, node.tooltip))
        links = []
        for e in self.edges:
            st = edge_styles.get((e.src, e.dst), {})
            links.append(gl.Link(e.src, e.dst, st.get("label", e.label), st.get("color", "#666666"),
                                 st.get("width", 1.2), e.control, ", ".join(t.name for t in e.tensors)))
        return boxes, links

    def _python_svg(self, node_styles, edge_styles) -> str:
        boxes, links = self.boxes_and_links(node_styles, edge_styles)
        return gl.to_svg(boxes, links, self.clusters())


# -- public functions -------------------------------------------------------------------------------


def graph_to_dot(graph: Graph | None = None, fetches=None, collapse_scopes: bool = True) -> str:
    """Graphviz DOT source drawing `graph` (default: the default graph), or only what `fetches` need.

    With collapse_scopes=True each name scope is one node, as in TensorBoard;
    variables are always one node with their initializer and read ops.
    Render it with graphviz (`dot -Tsvg`) or display a Graph in Jupyter.
    """
    if graph is None and fetches is None:
        graph = get_default_graph()
    return GraphDrawing(graph, fetches, collapse_scopes).to_dot()


def graph_svg(graph: Graph | None = None, fetches=None, collapse_scopes: bool = True, expanded=(),
              engine: str = "auto") -> str:
    """The drawing as SVG text (graphviz when available, else the built-in layout)."""
    if graph is None and fetches is None:
        graph = get_default_graph()
    return GraphDrawing(graph, fetches, collapse_scopes, expanded).to_svg(engine=engine)


def graph_mimebundle(element) -> dict | None:
    """Jupyter's rich display of a Graph, Tensor or Operation: TF1's text repr plus an SVG drawing.

    A Tensor or Operation draws the ops it depends on, itself outlined. Returns
    None (plain repr) when there is nothing to draw or the drawing would be too
    large to read.
    """
    text = repr(element)
    if isinstance(element, Graph):
        drawing = GraphDrawing(element)
        highlight = None
    else:
        drawing = GraphDrawing(element.graph, [element])
        highlight = drawing.node_of(element)
    if not drawing.nodes or len(drawing.nodes) > MAX_DRAWN_NODES:
        return None
    styles = {highlight: {"stroke": "#d84315", "stroke_width": 2.5}} if highlight else None
    svg = drawing.to_svg(node_styles=styles)
    body = (f'<div class="ttf-graph-repr"><code>{html.escape(text)}</code>'
            f'<div style="max-width:100%;overflow:auto">{svg}</div></div>')
    return {"text/plain": text, "text/html": body}


@functools.lru_cache(maxsize=1)
def dot_available() -> bool:
    """Whether graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


# -- helpers ---------------------------------------------------------------------------------------


def _run_dot(source: str) -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("graphviz's `dot` program is not installed (apt-get install graphviz); use "
                           "engine='python' for the built-in layout.")
    proc = subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    svg = proc.stdout.decode()
    return svg[svg.index("<svg"):]  # drop the XML prolog and doctype so it can sit inside HTML


def _graph_of(fetches) -> Graph:
    ops = _as_ops(fetches)
    return ops[0].graph if ops else get_default_graph()


def _as_ops(fetches) -> list[Operation]:
    if fetches is None:
        return []
    items = fetches if isinstance(fetches, (list, tuple, set)) else [fetches]
    ops = []
    for f in items:
        if hasattr(f, "_as_graph_element") and not isinstance(f, (Tensor, Operation)):
            f = f._as_graph_element()
        if isinstance(f, Tensor):
            ops.append(f.op)
        elif isinstance(f, Operation):
            ops.append(f)
        else:
            raise TypeError(f"fetches must be Tensors, Operations or Variables; got {type(f).__name__}: {f!r}")
    return ops


def _ancestors(roots: list[Operation]) -> list[Operation]:
    """The ops `roots` depend on (data and control inputs), in graph creation order."""
    seen = {}
    stack = list(roots)
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen[op.name] = op
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(seen.values(), key=lambda o: o._id)


def _scopes_of(ops) -> set[str]:
    scopes = set()
    for op in ops:
        parts = op.name.split("/")
        for k in range(1, len(parts)):
            scopes.add("/".join(parts[:k]))
    return scopes


def _const_detail(op: Operation) -> str:
    try:
        value = op.get_attr("value")
    except ValueError:
        return "Const"
    size = getattr(value, "size", None)
    if size is not None and size <= 4 and getattr(value, "dtype", None) is not None and value.dtype.kind in "biuf":
        flat = ", ".join(f"{v:g}" for v in value.ravel().tolist())
        return f"Const {flat}" if value.ndim == 0 else f"Const [{flat}]"
    return f"Const {shape_label(op.outputs[0])}"


def _q(text: str) -> str:
    """A DOT double-quoted string (newlines become DOT's centred line breaks)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def _attrs(attrs: dict) -> str:
    return ", ".join(f"{k}={_q(str(v))}" for k, v in attrs.items())


def _dot_node(node: DrawNode, style: dict) -> str:
    fill, stroke, shape = _KIND_STYLE[node.kind]
    dot_shape = {"round": "box", "rect": "box", "ellipse": "ellipse", "folder": "box3d"}[shape]
    label = "\n".join(t for t in [node.label, node.detail] + list(style.get("extra", [])) if t)
    attrs = {"label": label, "shape": dot_shape, "style": "filled,rounded" if shape == "round" else "filled",
             "fillcolor": style.get("fill", fill), "color": style.get("stroke", stroke),
             "penwidth": f"{style.get('stroke_width', 1.0):.2f}", "tooltip": node.tooltip, "id": f"node-{node.id}"}
    return f"{_q(node.id)} [{_attrs(attrs)}];"
