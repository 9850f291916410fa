"""A pure-Python layered (Sugiyama-style) layout and SVG writer for graph drawings.

Used when graphviz's `dot` program is not installed. Steps: break cycles
(collapsed scopes can create them), assign layers by longest path from the
sources, route long edges through dummy nodes, order each layer by the
barycentre of its neighbours (a few sweeps down and up), then place nodes
left to right and pull each toward its neighbours without overlapping.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

NODE_H = 38
LAYER_GAP = 46
NODE_GAP = 22
CHAR_W = 6.6


@dataclass
class Box:
    """A node to lay out: id, text lines, and drawing style (fill, stroke, stroke width, shape, tooltip)."""

    id: str
    lines: list[str]
    fill: str = "#ffffff"
    stroke: str = "#555555"
    stroke_width: float = 1.0
    shape: str = "rect"  # rect | round | ellipse | folder
    tooltip: str = ""
    width: float = 0.0
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0

    def __post_init__(self):
        if not self.width:
            self.width = max(60.0, CHAR_W * max(len(t) for t in self.lines) + 18)
        if not self.height:
            self.height = max(NODE_H, 12.0 * len(self.lines) + 12)


@dataclass
class Link:
    """An edge: source id, destination id, label, style."""

    src: str
    dst: str
    label: str = ""
    color: str = "#666666"
    width: float = 1.2
    dashed: bool = False
    tooltip: str = ""
    points: list = field(default_factory=list)


def _break_cycles(ids, succ):
    """Edges (u, v) to reverse so the graph is acyclic (DFS back edges)."""
    state = dict.fromkeys(ids, 0)
    back = set()
    for root in ids:
        if state[root]:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            u, it = stack[-1]
            v = next(it, None)
            if v is None:
                state[u] = 2
                stack.pop()
            elif state[v] == 1:
                back.add((u, v))
            elif state[v] == 0:
                state[v] = 1
                stack.append((v, iter(succ[v])))
    return back


def _layers(ids, edges):
    pred = {i: [] for i in ids}
    for u, v in edges:
        pred[v].append(u)
    layer = {}

    def depth(n):
        stack = [n]
        while stack:
            cur = stack[-1]
            pending = [p for p in pred[cur] if p not in layer]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            layer[cur] = 1 + max((layer[p] for p in pred[cur]), default=-1)

    for i in ids:
        if i not in layer:
            depth(i)
    return layer


def layout(boxes: list[Box], links: list[Link], sweeps: int = 6, cluster_of: dict | None = None,
           top: float = 10.0) -> tuple[float, float]:
    """Sets box.x/box.y (centres) and link.points; returns the drawing's (width, height).

    cluster_of: box id -> cluster label; members of a cluster stay next to each other in every layer.
    """
    cluster_of = cluster_of or {}
    ids = [b.id for b in boxes]
    byid = {b.id: b for b in boxes}
    succ = {i: [] for i in ids}
    for ln in links:
        if ln.src != ln.dst:
            succ[ln.src].append(ln.dst)
    back = _break_cycles(ids, succ)
    dag = []
    for ln in links:
        if ln.src == ln.dst:
            continue
        u, v = (ln.dst, ln.src) if (ln.src, ln.dst) in back else (ln.src, ln.dst)
        dag.append((u, v, ln))
    layer = _layers(ids, [(u, v) for u, v, _ in dag])
    # Long edges go through one dummy per intermediate layer.
    width = {i: byid[i].width for i in ids}
    chains = []
    adj_down = {i: [] for i in ids}
    adj_up = {i: [] for i in ids}
    dummy_count = 0
    for u, v, ln in dag:
        chain = [u]
        for lay in range(layer[u] + 1, layer[v]):
            d = f"\0d{dummy_count}"
            dummy_count += 1
            layer[d] = lay
            width[d] = 8.0
            adj_down[d], adj_up[d] = [], []
            chain.append(d)
        chain.append(v)
        for a, b in zip(chain, chain[1:]):
            adj_down[a].append(b)
            adj_up[b].append(a)
        chains.append((chain, ln, (ln.src, ln.dst) in back))
    n_layers = 1 + max(layer.values(), default=0)
    rows = [[] for _ in range(n_layers)]
    for n in layer:
        rows[layer[n]].append(n)
    pos = {}
    for row in rows:
        for k, n in enumerate(row):
            pos[n] = k
    for s in range(sweeps):
        order = range(1, n_layers) if s % 2 == 0 else range(n_layers - 2, -1, -1)
        for li in order:
            nbrs = adj_up if s % 2 == 0 else adj_down
            row = rows[li]

            def bary(n, nbrs=nbrs):
                ns = nbrs[n]
                return sum(pos[m] for m in ns) / len(ns) if ns else pos[n]

            score = {n: bary(n) for n in row}
            group_score = {}
            for n in row:
                group_score.setdefault(cluster_of.get(n, n), []).append(score[n])
            row.sort(key=lambda n: (_mean(group_score[cluster_of.get(n, n)]), cluster_of.get(n, n), score[n]))
            for k, n in enumerate(row):
                pos[n] = k
    # x placement: pack, then pull toward neighbours' mean while keeping order and gaps.
    x = {}
    for row in rows:
        cur = 0.0
        for n in row:
            x[n] = cur + width[n] / 2
            cur += width[n] + NODE_GAP
    for it in range(8):
        for li in range(n_layers):
            row = rows[li]
            want = {}
            for n in row:
                ns = adj_up[n] + adj_down[n]
                want[n] = sum(x[m] for m in ns) / len(ns) if ns else x[n]
            for n in row:
                x[n] = want[n]
            for a, b in zip(row, row[1:]):  # left-to-right: push right to remove overlaps
                need = x[a] + (width[a] + width[b]) / 2 + NODE_GAP
                if x[b] < need:
                    x[b] = need
            for a, b in zip(reversed(row[1:]), reversed(row[:-1])):  # then spread back left evenly
                need = x[a] - (width[a] + width[b]) / 2 - NODE_GAP
                if x[b] > need:
                    x[b] = need
        del it
    row_h = max((b.height for b in boxes), default=NODE_H)
    left = min((x[n] - width[n] / 2 for n in x), default=0.0)
    for n in x:
        x[n] -= left - 10
    for b in boxes:
        b.x = x[b.id]
        b.y = top + row_h / 2 + layer[b.id] * (row_h + LAYER_GAP)
    for chain, ln, reversed_edge in chains:
        pts = [(x[n], top + row_h / 2 + layer[n] * (row_h + LAYER_GAP)) for n in chain]
        if reversed_edge:
            pts.reverse()
        ln.points = pts
    w = max((x[n] + width[n] / 2 for n in x), default=100.0) + 10
    h = n_layers * (row_h + LAYER_GAP) - LAYER_GAP + top + 12
    return w, h


def _mean(values) -> float:
    return sum(values) / len(values)


def _edge_path(ln: Link, byid) -> str:
    """A smooth path from the bottom of the source box to the top of the destination box."""
    pts = list(ln.points)
    src, dst = byid[ln.src], byid[ln.dst]
    down = pts[-1][1] >= pts[0][1]
    pts[0] = (pts[0][0], src.y + (src.height / 2 if down else -src.height / 2))
    pts[-1] = (pts[-1][0], dst.y - (dst.height / 2 + 3 if down else -dst.height / 2 - 3))
    d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        my = (y0 + y1) / 2
        d += f" C{x0:.1f},{my:.1f} {x1:.1f},{my:.1f} {x1:.1f},{y1:.1f}"
    return d


def _box_svg(b: Box) -> str:
    x0, y0 = b.x - b.width / 2, b.y - b.height / 2
    style = f'fill="{b.fill}" stroke="{b.stroke}" stroke-width="{b.stroke_width:.2f}"'
    if b.shape == "ellipse":
        shape = f'<ellipse cx="{b.x:.1f}" cy="{b.y:.1f}" rx="{b.width / 2:.1f}" ry="{b.height / 2:.1f}" {style}/>'
    else:
        r = 10 if b.shape == "round" else 2
        shape = (f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{b.width:.1f}" height="{b.height:.1f}" rx="{r}" {style}/>')
        if b.shape == "folder":
            shape += (f'<rect x="{x0 + 3:.1f}" y="{y0 + 3:.1f}" width="{b.width - 6:.1f}" height="{b.height - 6:.1f}" '
                      f'rx="2" fill="none" stroke="{b.stroke}" stroke-width="0.6"/>')
    n = len(b.lines)
    texts = []
    for k, line in enumerate(b.lines):
        dy = (k - (n - 1) / 2) * 12 + 4
        weight = ' font-weight="bold"' if k == 0 else ' fill="#444"'
        texts.append(f'<text x="{b.x:.1f}" y="{b.y + dy:.1f}" text-anchor="middle"{weight}>{html.escape(line)}</text>')
    tip = f"<title>{html.escape(b.tooltip)}</title>" if b.tooltip else ""
    return f'<g class="node" id="node-{html.escape(b.id)}">{tip}{shape}{"".join(texts)}</g>'


def to_svg(boxes: list[Box], links: list[Link], clusters: dict[str, list[str]] | None = None) -> str:
    """Lays out and writes a standalone SVG document. clusters: label -> member box ids (drawn as dashed frames)."""
    cluster_of = {m: label for label, members in (clusters or {}).items() for m in members}
    w, h = layout(boxes, links, cluster_of=cluster_of, top=26.0 if clusters else 10.0)
    byid = {b.id: b for b in boxes}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ttf-graph" width="{w:.0f}" height="{h:.0f}" '
             f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="sans-serif" font-size="11">',
             '<defs><marker id="ttf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>']
    for label, members in (clusters or {}).items():
        ms = [byid[m] for m in members if m in byid]
        if not ms:
            continue
        x0 = min(b.x - b.width / 2 for b in ms) - 8
        x1 = max(b.x + b.width / 2 for b in ms) + 8
        y0 = min(b.y - b.height / 2 for b in ms) - 16
        y1 = max(b.y + b.height / 2 for b in ms) + 6
        parts.append(f'<g class="cluster"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
                     f'rx="6" fill="#f7f9fc" stroke="#8aa" stroke-dasharray="4 3"/><text x="{x0 + 6:.1f}" '
                     f'y="{y0 + 11:.1f}" fill="#577" font-size="10">{html.escape(label)}/</text></g>')
    for ln in links:
        if ln.src == ln.dst or not ln.points:
            continue
        dash = ' stroke-dasharray="4 3"' if ln.dashed else ""
        tip = f"<title>{html.escape(ln.tooltip)}</title>" if ln.tooltip else ""
        path = _edge_path(ln, byid)
        label = ""
        if ln.label:
            mx, my = _label_point(ln, byid)
            label = (f'<text x="{mx + 4:.1f}" y="{my:.1f}" fill="#555" font-size="9" '
                     f'stroke="#fff" stroke-width="3" paint-order="stroke">{html.escape(ln.label)}</text>')
        parts.append(f'<g class="edge" data-src="{html.escape(ln.src)}" data-dst="{html.escape(ln.dst)}">{tip}'
                     f'<path d="{path}" fill="none" stroke="{ln.color}" stroke-width="{ln.width:.2f}"{dash} '
                     f'marker-end="url(#ttf-arrow)"/>{label}</g>')
    parts += [_box_svg(b) for b in boxes]
    parts.append("</svg>")
    return "".join(parts)


def _label_point(ln: Link, byid):
    pts = ln.points
    if len(pts) > 2:
        return pts[len(pts) // 2]
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    return (x0 + x1) / 2, (y0 + y1) / 2
