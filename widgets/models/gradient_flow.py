"""The gradient-flow model: a graph's forward pass op by op, then backpropagation edge by edge.

Given a loss tensor (and the session and feed that evaluate it), the model

1. runs the forward pass once, fetching every tensor between the
   differentiable sources (variables and float placeholders) and the loss;
2. replays the backward pass in a private graph, op by op in reverse order:
   each op is rebuilt on constants holding its input values, and the
   engine's own gradient function computes, for every input edge,

       downstream = local derivative × upstream
       (a vector-Jacobian product: dL/dx += (∂y/∂x)ᵀ · dL/dy)

   so each edge's contribution is known separately (a tensor used twice gets
   two contributions, which add up). The learner's graph is not modified.

The totals equal `tf.gradients(loss, tensor)` (the tests check this). Flags
mark vanishing and exploding gradients, saturated tanh/sigmoid units and
dead ReLU units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..colors import format_number as fmt
from ..frames import Frame, Grid, shape_text
from .base import FrameModel

# Local derivative of each input, written as a rule (y is the op's output, g the upstream dL/dy).
LOCAL_RULES = {
    "AddV2": ("∂y/∂a = 1", "∂y/∂b = 1"), "Add": ("∂y/∂a = 1", "∂y/∂b = 1"),
    "Sub": ("∂y/∂a = 1", "∂y/∂b = −1"), "Mul": ("∂y/∂a = b", "∂y/∂b = a"),
    "RealDiv": ("∂y/∂a = 1/b", "∂y/∂b = −a/b²"), "Neg": ("∂y/∂x = −1",),
    "Tanh": ("∂y/∂x = 1 − y²",), "Sigmoid": ("∂y/∂x = y·(1 − y)",), "Relu": ("∂y/∂x = 1 where x > 0, else 0",),
    "Relu6": ("∂y/∂x = 1 where 0 < x < 6",), "Elu": ("∂y/∂x = 1 (x > 0) or y + 1",),
    "LeakyRelu": ("∂y/∂x = 1 (x > 0) or α",), "Softplus": ("∂y/∂x = sigmoid(x)",), "Exp": ("∂y/∂x = y",),
    "Log": ("∂y/∂x = 1/x",), "Square": ("∂y/∂x = 2x",), "Sqrt": ("∂y/∂x = 1/(2y)",), "Abs": ("∂y/∂x = sign(x)",),
    "Sin": ("∂y/∂x = cos x",), "Cos": ("∂y/∂x = −sin x",), "Identity": ("∂y/∂x = 1",),
    "Maximum": ("∂y/∂a = 1 where a ≥ b", "∂y/∂b = 1 where b > a"),
    "Minimum": ("∂y/∂a = 1 where a ≤ b", "∂y/∂b = 1 where b < a"), "Pow": ("∂y/∂a = b·a^(b−1)", "∂y/∂b = y·ln a"),
    "MatMul": ("dL/dA = dL/dY · Bᵀ", "dL/dB = Aᵀ · dL/dY"),
    "BiasAdd": ("dL/dx = dL/dy", "dL/db = Σ over all but the last axis of dL/dy"),
    "Sum": ("dL/dx = dL/dy broadcast back over the summed axes",),
    "Mean": ("dL/dx = dL/dy / n broadcast back over the averaged axes",),
    "Reshape": ("dL/dx = dL/dy reshaped back",),
    "Conv2D": ("dL/dx = conv2d_transpose(dL/dy, w)", "dL/dw = correlation of x with dL/dy"),
    "MaxPool": ("dL/dx = dL/dy routed to each window's max",),
    "AvgPool": ("dL/dx = dL/dy / count spread over each window",),
    "Softmax": ("dL/dx = y ⊙ (dL/dy − Σ dL/dy ⊙ y)",),
    "SoftmaxCrossEntropyWithLogits": ("dL/dlogits = (softmax − labels) · dL/dloss", "dL/dlabels = −log softmax"),
    "SparseSoftmaxCrossEntropyWithLogits": ("dL/dlogits = (softmax − one_hot) · dL/dloss",),
}
ELEMENTWISE = frozenset({"AddV2", "Add", "Sub", "Mul", "RealDiv", "Neg", "Tanh", "Sigmoid", "Relu", "Relu6", "Elu",
                         "LeakyRelu", "Softplus", "Exp", "Log", "Square", "Sqrt", "Abs", "Sin", "Cos", "Identity",
                         "Maximum", "Minimum", "Pow", "Cast"})
SOURCE_TYPES = frozenset({"VariableV2", "Variable", "VarHandleOp", "Placeholder", "PlaceholderWithDefault"})


def summarize(a, limit: int = 6) -> str:
    """A short text for an array: all values when few, else shape, mean and largest magnitude."""
    a = np.asarray(a)
    if a.size == 0:
        return f"empty {shape_text(a.shape)}"
    if a.size <= limit:
        return fmt(a.item(), 4) if a.ndim == 0 else "[" + ", ".join(fmt(v, 3) for v in a.ravel()) + "]"
    af = a.astype(float)
    return f"{'×'.join(map(str, a.shape))}: mean {fmt(af.mean(), 3)}, max|·| {fmt(np.abs(af).max(), 3)}"


def mean_abs(a) -> float:
    a = np.asarray(a, float)
    return float(np.abs(a).mean()) if a.size else 0.0


@dataclass
class EdgeFlow:
    """One input edge of one op: the tensor, its forward value, and its backward quantities."""

    op: str  # consuming op
    index: int  # input position
    tensor: str
    value: np.ndarray
    upstream: np.ndarray | None = None  # dL/d(op output) (first output)
    downstream: np.ndarray | None = None  # this edge's contribution to dL/d(tensor)
    local: np.ndarray | None = None  # elementwise ∂y/∂x, when the op is elementwise
    rule: str = ""


@dataclass
class Step:
    """One frame's subject: an op in the forward or the backward pass."""

    phase: str  # "forward" | "backward" | "summary"
    op: object = None
    edges: list = field(default_factory=list)


class GradientFlowModel(FrameModel):
    """Forward and backward frames for `loss` (a Tensor) evaluated with `session` and `feed_dict`.

    sources: the tensors/variables to differentiate for (default: every variable and float placeholder
    the loss depends on). vanish_ratio / explode: thresholds of the flags (mean |gradient| below
    vanish_ratio × the largest one, or above explode).
    """

    title = "gradient flow"

    def __init__(self, loss, session=None, feed_dict=None, vanish_ratio: float = 1e-4, explode: float = 1e3):
        import teachtf as tf

        if hasattr(loss, "_as_tensor"):
            loss = loss._as_tensor()
        if not isinstance(loss, tf.Tensor):
            raise TypeError(f"GradientFlow needs the loss Tensor; got {type(loss).__name__}.")
        if not loss.dtype.base_dtype.is_floating:
            raise TypeError(f"The loss '{loss.name}' is {loss.dtype.base_dtype.name}; gradients need a float loss.")
        self.loss = loss
        self.graph = loss.graph
        self.feed_dict = dict(feed_dict or {})
        self.vanish_ratio, self.explode = vanish_ratio, explode
        self.path_ops = self._path_ops()
        if not any(op.type in SOURCE_TYPES for op in self.path_ops):
            raise ValueError(f"'{loss.name}' does not depend on any variable or placeholder: there is no gradient "
                             f"to show.")
        self.values = self._forward_values(session)
        self._backward()
        self._build_steps()
        self.flags = self._flags()
        self.frames = [self._frame(k) for k in range(len(self.steps))]

    # -- structure -------------------------------------------------------------------------------
    def _path_ops(self) -> list:
        """Ops between a differentiable source and the loss (by data edges), in creation order."""
        up = {}
        stack = [self.loss.op]
        while stack:
            op = stack.pop()
            if op.name in up:
                continue
            up[op.name] = op
            stack.extend(t.op for t in op.inputs)
        down = set()
        for op in sorted(up.values(), key=lambda o: o._id):
            is_source = op.type in SOURCE_TYPES and op.outputs[0].dtype.base_dtype.is_floating
            if is_source or any(t.op.name in down and t.dtype.base_dtype.is_floating for t in op.inputs):
                down.add(op.name)
        return [op for op in sorted(up.values(), key=lambda o: o._id) if op.name in down]

    def _forward_values(self, session) -> dict:
        import teachtf as tf

        wanted = {}
        for op in self.path_ops:
            for t in list(op.outputs) + list(op.inputs):
                wanted[t.name] = t
        if session is None:
            session = tf.get_default_session()
        if session is None or session.graph is not self.graph:
            raise ValueError("GradientFlow needs the session that holds the variables' values: pass session=sess "
                             "(and feed_dict=... for placeholders).")
        names = list(wanted)
        fetched = session.run([wanted[n] for n in names], self.feed_dict)
        return {n: np.asarray(v) for n, v in zip(names, fetched)}

    # -- backward replay -----------------------------------------------------------------------------
    def _backward(self) -> None:
        import teachtf as tf
        from teachtf.ops.registry import apply_op

        on_path = {op.name for op in self.path_ops}
        consumers: dict[str, list] = {}
        for op in self.path_ops:
            for i, t in enumerate(op.inputs):
                consumers.setdefault(t.name, []).append((op, i))
        private = tf.Graph()
        contrib_t, upstream_t, local_t = {}, {}, {}
        with private.as_default():
            for op in reversed(self.path_ops):
                if op.type in SOURCE_TYPES:
                    continue
                ups = []
                for t in op.outputs:
                    parts = [contrib_t[(c.name, i)] for c, i in consumers.get(t.name, []) if (c.name, i) in contrib_t]
                    if t is self.loss:
                        parts.append(tf.ones_like(tf.constant(self.values[t.name], dtype=t.dtype.base_dtype)))
                    ups.append(None if not parts else parts[0] if len(parts) == 1 else tf.add_n(parts))
                if all(u is None for u in ups):
                    continue
                ins = [tf.constant(self.values[t.name], dtype=t.dtype.base_dtype) for t in op.inputs]
                rebuilt = apply_op(op.type, ins, dict(op._attrs))
                diff = [i for i, t in enumerate(op.inputs)
                        if t.op.name in on_path and t.dtype.base_dtype.is_floating]
                ys = [y for y, u in zip(rebuilt.outputs, ups) if u is not None]
                seeds = [u for u in ups if u is not None]
                if diff:
                    grads = tf.gradients(ys, [ins[i] for i in diff], grad_ys=seeds)
                    for i, g in zip(diff, grads):
                        contrib_t[(op.name, i)] = g if g is not None else tf.zeros_like(ins[i])
                        same = self.values[op.inputs[i].name].shape == self.values[op.outputs[0].name].shape
                        if op.type in ELEMENTWISE and len(op.outputs) == 1 and same:
                            loc = tf.gradients(rebuilt.outputs[0], ins[i],
                                               grad_ys=tf.ones_like(rebuilt.outputs[0]))[0]
                            if loc is not None:
                                local_t[(op.name, i)] = loc
                for t, u in zip(op.outputs, ups):
                    if u is not None:
                        upstream_t[t.name] = u
            with tf.Session(graph=private) as sess:
                fetched = sess.run({"contrib": contrib_t, "upstream": upstream_t, "local": local_t})
        self.contributions = {k: np.asarray(v) for k, v in fetched["contrib"].items()}
        self.upstream = {k: np.asarray(v) for k, v in fetched["upstream"].items()}
        self.local = {k: np.asarray(v) for k, v in fetched["local"].items()}
        # Total gradient of every tensor on the path: the sum of its edges' contributions.
        self.gradients: dict[str, np.ndarray] = dict(self.upstream)
        for op in self.path_ops:
            for t in op.outputs:
                if t.name in self.gradients:
                    continue
                parts = [self.contributions[(c.name, i)] for c, i in consumers.get(t.name, [])
                         if (c.name, i) in self.contributions]
                if parts:
                    self.gradients[t.name] = sum(parts[1:], parts[0])

    def gradient_of(self, element) -> np.ndarray | None:
        """dL/d(element) for a Tensor, Variable or tensor name on the path (None when not reached)."""
        if not isinstance(element, str):
            if hasattr(element, "_as_graph_element") and not hasattr(element, "value_index"):
                element = element._as_graph_element()  # a Variable: its ref tensor
            element = element.name
        return self.gradients.get(element)

    # -- steps -----------------------------------------------------------------------------------------
    def _edges_of(self, op) -> list[EdgeFlow]:
        rules = LOCAL_RULES.get(op.type, ())
        edges = []
        up = self.upstream.get(op.outputs[0].name) if op.outputs else None
        for i, t in enumerate(op.inputs):
            rule = rules[i] if i < len(rules) else ""
            edges.append(EdgeFlow(op.name, i, t.name, self.values[t.name], up, self.contributions.get((op.name, i)),
                                  self.local.get((op.name, i)), rule))
        return edges

    def _build_steps(self) -> None:
        from teachtf.ext.graph_drawing import GraphDrawing

        self.drawing = GraphDrawing(self.graph, [self.loss], collapse_scopes=False)
        drawn = [op for op in self.path_ops if op.type not in SOURCE_TYPES and self.drawing.group[op.name] == op.name]
        self.steps = [Step("forward", op, self._edges_of(op)) for op in drawn]
        self.steps += [Step("backward", op, self._edges_of(op)) for op in reversed(drawn)
                       if op.outputs and op.outputs[0].name in self.upstream]
        self.steps.append(Step("summary"))

    @property
    def sources(self) -> list:
        """The variables and placeholders on the path (ops)."""
        return [op for op in self.path_ops if op.type in SOURCE_TYPES]

    # -- flags -------------------------------------------------------------------------------------------
    def _flags(self) -> list[str]:
        flags = []
        sizes = {n: mean_abs(g) for n, g in self.gradients.items()}
        largest = max(sizes.values(), default=0.0)
        for op in self.sources:
            if op.type not in ("VariableV2", "Variable", "VarHandleOp"):
                continue  # placeholders (inputs, labels) are not trained: their gradient is no warning sign
            name = op.outputs[0].name
            g = self.gradients.get(name)
            if g is None:
                continue
            m = sizes[name]
            if not np.all(np.isfinite(g)) or m > self.explode:
                flags.append(f"exploding gradient: mean |dL/d{op.name}| = {fmt(m, 3)}")
            elif largest > 0 and m < self.vanish_ratio * largest:
                flags.append(f"vanishing gradient: mean |dL/d{op.name}| = {fmt(m, 3)} is below "
                             f"{fmt(self.vanish_ratio)} × the largest gradient ({fmt(largest, 3)})")
        for op in self.path_ops:
            out = self.values.get(op.outputs[0].name) if op.outputs else None
            if out is None or out.ndim == 0:
                continue
            units = out.reshape(-1, out.shape[-1]) if out.ndim > 1 else out.reshape(1, -1)
            if op.type in ("Relu", "Relu6"):
                dead = int(np.sum(np.all(units <= 0, axis=0)))
                if dead:
                    flags.append(f"dead ReLU: {dead} of {units.shape[1]} units of {op.name} are 0 for every example "
                                 f"(no gradient passes through them)")
            elif op.type in ("Tanh", "Sigmoid"):
                sat = np.abs(units) > 0.99 if op.type == "Tanh" else (units < 0.01) | (units > 0.99)
                frac = float(sat.mean())
                if frac > 0.5:
                    flags.append(f"saturated {op.type.lower()}: {frac:.0%} of the outputs of {op.name} are in the flat "
                                 f"tails, where the local derivative is ≈ 0")
        return flags

    # -- frames -------------------------------------------------------------------------------------------
    def edge_width_values(self, by: str = "gradient") -> dict:
        """(src node, dst node) -> mean |gradient| (or |value| when by="value") of the tensor on that edge."""
        out = {}
        d = self.drawing
        for e in d.edges:
            if not e.tensors:
                continue
            t = e.tensors[0]
            if by == "value":
                v = self.values.get(t.name)
                if v is not None and np.issubdtype(np.asarray(v).dtype, np.number):
                    out[(e.src, e.dst)] = mean_abs(v)
            else:
                total = [self.contributions[(c.name, i)] for c in d.nodes[e.dst].ops for i, ti in enumerate(c.inputs)
                         if ti is t and (c.name, i) in self.contributions]
                if total:
                    out[(e.src, e.dst)] = mean_abs(sum(total[1:], total[0]))
        return out

    def _value_grid(self, title, a) -> list[Grid]:
        a = np.asarray(a, float)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a.reshape(1, -1)
        elif a.ndim > 2:
            return []
        if max(a.shape) > 40:
            return []
        return [Grid(f"{title} {shape_text(a.shape)}", a)]

    def _frame(self, k: int) -> Frame:
        step = self.steps[k]
        if step.phase == "summary":
            lines = [f"backpropagation done: dL/d(source) for every variable and placeholder of '{self.loss.name}':"]
            for op in self.sources:
                g = self.gradients.get(op.outputs[0].name)
                if g is not None:
                    lines.append(f"  dL/d{op.name} = {summarize(g)}  (mean |·| {fmt(mean_abs(g), 3)})")
            lines += ["flags:"] + ([f"  ⚠ {f}" for f in self.flags] or ["  none: gradients look healthy."])
            return Frame([], "\n".join(lines), "summary", extra={"phase": "summary", "node": None})
        op = step.op
        node = self.drawing.group[op.name]
        if step.phase == "forward":
            out = self.values[op.outputs[0].name]
            lines = [f"forward: {op.name} = {op.type}({', '.join(e.tensor for e in step.edges)})"]
            lines += [f"  input {e.tensor} = {summarize(e.value)}" for e in step.edges]
            lines.append(f"  output {op.outputs[0].name} = {summarize(out)}")
            grids = self._value_grid(f"{op.name} output", out)
            return Frame(grids, "\n".join(lines), f"forward {op.name} ({op.type})", cell=(op.name,),
                         extra={"phase": "forward", "node": node})
        up = self.upstream[op.outputs[0].name]
        lines = [f"backward through {op.name} ({op.type}): upstream dL/d{op.outputs[0].name} = {summarize(up)}"]
        for e in step.edges:
            if e.downstream is None:
                continue
            lines.append(f"  edge {e.tensor} → {op.name}:  {e.rule}")
            if e.local is not None:
                lines.append(f"    local {summarize(e.local)} × upstream {summarize(up)} = downstream "
                             f"{summarize(e.downstream)}")
            else:
                lines.append(f"    upstream {summarize(up)} → downstream {summarize(e.downstream)}")
            n_uses = sum(1 for s in self.path_ops for t in s.inputs if t.name == e.tensor)
            if n_uses > 1:
                lines.append(f"    {e.tensor} is used {n_uses} times: its gradient is the sum of the {n_uses} "
                             f"contributions (total {summarize(self.gradients[e.tensor])})")
        grids = self._value_grid(f"dL/d {op.outputs[0].name}", up)
        return Frame(grids, "\n".join(lines), f"backward {op.name} ({op.type})", cell=(op.name,),
                     extra={"phase": "backward", "node": node})

    def code(self) -> str:
        srcs = [op for op in self.sources if op.type not in ("Placeholder", "PlaceholderWithDefault")]
        names = ", ".join(repr(op.name) for op in srcs)
        lines = ["# In the program that built the graph, with `sess` and `feed` as given to the widget:",
                 "import teachtf as tf", "",
                 "graph = tf.get_default_graph()",
                 f"loss = graph.get_tensor_by_name({self.loss.name!r})",
                 f"sources = [graph.get_operation_by_name(n).outputs[0] for n in [{names}]]",
                 "grads = tf.gradients(loss, sources)",
                 "result = dict(zip([s.op.name for s in sources], sess.run(grads, feed)))",
                 "for name, g in result.items():",
                 "    print(name, g.shape, abs(g).mean())"]
        return "\n".join(lines) + "\n"
