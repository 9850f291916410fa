"""Graph drawings (teachtf.ext.graph_to_dot, layouts, rich display), GraphViewer, GradientFlow."""

import re

import numpy as np
import pytest

import teachtf as tf
from teachtf.ext import _graph_layout as gl
from teachtf.ext import graph_drawing as gd


def build_mlp(seed=0, relu_bias=0.0):
    """x -> layer1 (tanh) -> layer2 (relu) -> softmax cross-entropy, with name scopes as lessons write them."""
    rng = np.random.RandomState(seed)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    with tf.name_scope("layer1"):
        w1 = tf.Variable(rng.randn(4, 5).astype(np.float32), name="W")
        b1 = tf.Variable(np.zeros(5, np.float32), name="b")
        h1 = tf.tanh(tf.matmul(x, w1) + b1)
    with tf.name_scope("layer2"):
        w2 = tf.Variable(rng.randn(5, 3).astype(np.float32), name="W")
        b2 = tf.Variable(np.full(3, relu_bias, np.float32), name="b")
        logits = tf.nn.relu(tf.matmul(h1, w2) + b2)
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits))
    feed = {x: rng.randn(6, 4), labels: np.eye(3)[rng.randint(0, 3, 6)]}
    return loss, (w1, b1, w2, b2, x), feed


# -- the drawing model ---------------------------------------------------------------------------------------


def test_drawing_groups_variables_and_scopes():
    loss, (w1, *_), _ = build_mlp()
    tf.global_variables_initializer()
    d = gd.GraphDrawing(tf.get_default_graph())
    assert set(d.nodes) == {"x", "labels", "layer1", "layer2", "loss", "init"}
    assert d.nodes["layer1"].kind == "scope" and d.nodes["layer1"].detail.endswith("ops")
    edges = {(e.src, e.dst) for e in d.edges}
    assert {("x", "layer1"), ("layer1", "layer2"), ("layer2", "loss"), ("labels", "loss")} <= edges
    assert any(e.control for e in d.edges if e.dst == "init")
    opened = gd.GraphDrawing(tf.get_default_graph(), expanded={"layer1"})
    assert {"layer1/W", "layer1/b", "layer1/MatMul", "layer1/Tanh"} <= set(opened.nodes)
    assert opened.nodes["layer1/W"].kind == "variable" and "Variable 4×5" in opened.nodes["layer1/W"].detail
    assert opened.node_of(w1) == "layer1/W" and opened.clusters()["layer1"]
    flat = gd.GraphDrawing(tf.get_default_graph(), collapse_scopes=False)
    assert "layer2/Relu" in flat.nodes and "layer2/W/read" not in flat.nodes  # read folded into the variable
    assert flat.nodes["x"].kind == "placeholder" and flat.nodes["x"].detail == "Placeholder ?×4"


def test_fetches_restrict_the_drawing():
    a = tf.constant(2.0, name="a")
    b = tf.constant([1.0, 2.0], name="b")
    c = tf.multiply(a, b, name="c")
    tf.add(c, 1.0, name="unrelated")
    d = gd.GraphDrawing(fetches=[c])
    assert set(d.nodes) == {"a", "b", "c"}
    assert d.nodes["a"].detail == "Const 2" and d.nodes["b"].detail == "Const [1, 2]"
    assert {(e.src, e.dst, e.label) for e in d.edges} == {("a", "c", "scalar"), ("b", "c", "2")}
    with pytest.raises(TypeError, match="fetches must be"):
        gd.GraphDrawing(fetches=[3])


def test_graph_to_dot_is_valid_dot():
    build_mlp()
    dot = tf.ext.graph_to_dot()
    assert dot.startswith("digraph teachtf {") and dot.rstrip().endswith("}")
    assert '"x" -> "layer1"' in dot and 'label="layer1\\n' in dot
    assert dot.count("{") == dot.count("}")
    full = tf.ext.graph_to_dot(collapse_scopes=False)
    assert '"layer1/MatMul"' in full and '"layer1/W" ->' in full
    if gd.dot_available():
        svg = gd._run_dot(full)
        assert svg.startswith("<svg") and "layer1/MatMul" in svg


def test_python_layout_is_layered_and_acyclic_safe():
    boxes = [gl.Box(n, [n]) for n in "abcde"]
    links = [gl.Link("a", "b"), gl.Link("b", "c"), gl.Link("a", "c"), gl.Link("c", "d"), gl.Link("d", "b"),
             gl.Link("a", "e")]  # d -> b closes a cycle (a collapsed scope can do that)
    w, h = gl.layout(boxes, links)
    y = {b.id: b.y for b in boxes}
    assert y["a"] < y["b"] < y["c"] and w > 0 and h > 0
    for b1 in boxes:  # no two boxes of a layer overlap
        for b2 in boxes:
            if b1 is not b2 and b1.y == b2.y:
                assert abs(b1.x - b2.x) >= (b1.width + b2.width) / 2
    assert all(len(ln.points) >= 2 for ln in links)
    svg = gl.to_svg(boxes, links, {"grp": ["a", "b"]})
    assert svg.count('class="node"') == 5 and svg.count('class="edge"') == 6 and 'class="cluster"' in svg


@pytest.mark.parametrize("engine", ["python", "dot"])
def test_svg_engines(engine):
    if engine == "dot" and not gd.dot_available():
        pytest.skip("graphviz's dot is not installed")
    loss, _, _ = build_mlp()
    svg = gd.graph_svg(fetches=[loss], collapse_scopes=False, engine=engine)
    assert svg.startswith("<svg") and "layer2/Relu" in svg
    styled = gd.GraphDrawing(fetches=[loss], collapse_scopes=False).to_svg(
        {"layer2/Relu": {"stroke": "#c62828", "extra": ["∂L = 0.5"]}}, engine=engine)
    assert "∂L = 0.5" in styled and "#c62828" in styled


def test_rich_display_of_graph_tensor_and_operation():
    loss, (w1, *_), _ = build_mlp()
    bundle = tf.get_default_graph()._repr_mimebundle_()
    assert bundle["text/plain"].startswith("<") and "<svg" in bundle["text/html"]
    tb = loss._repr_mimebundle_()
    assert tb["text/plain"] == repr(loss) and "&lt;tf.Tensor" in tb["text/html"]
    assert "#d84315" in tb["text/html"]  # the tensor's own op is outlined
    ob = loss.op._repr_mimebundle_()
    assert ob["text/plain"] == repr(loss.op)
    assert tf.Graph()._repr_mimebundle_() is None  # nothing to draw: plain repr


# -- GraphViewer ------------------------------------------------------------------------------------------------


def test_graph_viewer_collapses_expands_and_inspects():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import GraphViewer

    loss, _, _ = build_mlp()
    v = GraphViewer(engine="python")
    assert "layer1" in v.controls["expanded"].options and "layer1/W" not in v.controls["expanded"].options
    assert re.search(r'id="node-layer1"', v.drawing_area.value)
    v.expand("layer1")
    assert 'id="node-layer1/MatMul"' in v.drawing_area.value and 'class="cluster"' in v.drawing_area.value
    v.controls["collapse"].value = False
    assert 'id="node-layer2/Relu"' in v.drawing_area.value
    v.controls["inspect"].value = "layer2/Relu"
    assert "layer2/add:0" in v.details.value and "Relu" in v.details.value
    tf.add(loss, 1.0, name="later")
    v.refresh()
    assert 'id="node-later"' in v.drawing_area.value
    assert "tf.ext.graph_to_dot" in v.show_code()
    pytest.importorskip("matplotlib")
    fig = v.to_figure()
    assert fig.axes and len(fig.axes[0].patches) == len(v.drawing.nodes)


# -- gradient flow ---------------------------------------------------------------------------------------------


def test_gradient_flow_edges_match_tf_gradients():
    from teachtf.widgets.models.gradient_flow import GradientFlowModel

    loss, sources, feed = build_mlp()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m = GradientFlowModel(loss, sess, feed)
        refs = sess.run(tf.gradients(loss, list(sources)), feed)
        inner = [op.outputs[0] for op in m.path_ops if op.type in ("Tanh", "MatMul", "Relu", "AddV2")]
        inner_refs = sess.run(tf.gradients(loss, inner), feed)
    for s, r in zip(sources, refs):
        np.testing.assert_allclose(m.gradient_of(s), r, rtol=1e-5, atol=1e-7)
    for t, r in zip(inner, inner_refs):
        np.testing.assert_allclose(m.gradient_of(t), r, rtol=1e-5, atol=1e-7)
    # per edge: local derivative × upstream = downstream for the elementwise ops
    tanh_step = next(s for s in m.steps if s.phase == "backward" and s.op.type == "Tanh")
    e = tanh_step.edges[0]
    np.testing.assert_allclose(e.local, 1 - m.values[tanh_step.op.outputs[0].name] ** 2, rtol=1e-5)
    np.testing.assert_allclose(e.downstream, e.local * e.upstream, rtol=1e-5, atol=1e-7)
    assert "1 − y²" in e.rule
    mm = next(s for s in m.steps if s.phase == "backward" and s.op.name == "layer2/MatMul")
    np.testing.assert_allclose(mm.edges[0].downstream, mm.edges[0].upstream @ m.values["layer2/W/read:0"].T,
                               rtol=1e-5, atol=1e-7)
    phases = [s.phase for s in m.steps]
    assert phases[0] == "forward" and phases[-1] == "summary" and phases.count("forward") == phases.count("backward")
    assert m.frames[-1].caption == "summary" and "dL/dlayer1/W" in m.frames[-1].formula


def test_gradient_flow_sums_contributions_of_a_shared_tensor():
    from teachtf.widgets.models.gradient_flow import GradientFlowModel

    w = tf.Variable([1.5, -2.0], name="w")
    y = w * w + 3.0 * w
    loss = tf.reduce_sum(y)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m = GradientFlowModel(loss, sess)
    np.testing.assert_allclose(m.gradient_of(w), 2 * np.array([1.5, -2.0]) + 3.0, rtol=1e-6)
    mul = next(s for s in m.steps if s.phase == "backward" and s.op.type == "Mul" and s.op.inputs[0] is s.op.inputs[1])
    assert "is used 3 times" in m.frames[m.steps.index(mul)].formula


def test_gradient_flow_flags():
    from teachtf.widgets.models.gradient_flow import GradientFlowModel

    loss, _, feed = build_mlp(relu_bias=-100.0)  # every relu unit dead
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m = GradientFlowModel(loss, sess, feed)
    assert any(f.startswith("dead ReLU: 3 of 3 units") for f in m.flags)
    assert any("vanishing gradient" in f and "layer1/W" in f for f in m.flags)
    x = tf.placeholder(tf.float32, [None, 2], name="xs")
    w = tf.Variable([[30.0], [30.0]], name="big")
    loss2 = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m2 = GradientFlowModel(loss2, sess, {x: np.ones((4, 2))})
    assert any(f.startswith("saturated tanh") for f in m2.flags)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="does not depend on any variable"):
            GradientFlowModel(tf.constant(1.0) * 2.0, sess)
    with pytest.raises(ValueError, match="pass session=sess"):
        GradientFlowModel(loss2)


def test_gradient_flow_show_code_runs():
    from teachtf.widgets.models.gradient_flow import GradientFlowModel

    loss, sources, feed = build_mlp()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m = GradientFlowModel(loss, sess, feed)
        ns = {"sess": sess, "feed": feed}
        exec(m.code(), ns)
    for s in sources[:4]:
        np.testing.assert_allclose(ns["result"][s.op.name], m.gradient_of(s), rtol=1e-5, atol=1e-7)


def test_gradient_flow_view():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import GradientFlow

    loss, _, feed = build_mlp()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = GradientFlow(loss, sess, feed, engine="python")
    m = w.model
    n_fwd = sum(1 for s in m.steps if s.phase == "forward")
    assert w.player.max == len(m.steps) - 1
    svg = w.viewer.drawing_area.value
    assert 'stroke="#ef6c00"' in svg  # the first forward op is outlined
    w.player.value = n_fwd  # first backward step: the loss's op
    nodes, edges = w.styles(n_fwd)
    assert nodes[m.steps[n_fwd].op.name]["stroke"] == "#c62828"
    assert any(st.get("label", "").startswith("∂") for st in edges.values())
    w.player.value = w.player.max
    nodes, edges = w.styles(w.player.max)
    widths = [st["width"] for st in edges.values() if "width" in st]
    assert widths and max(widths) > min(widths)  # edge width follows |gradient|
    assert any("∂L = " in line for st in nodes.values() for line in st.get("extra", []))
    w.controls["edge_width"].value = "value"
    _, value_edges = w.styles(w.player.max)
    assert value_edges and all(st["color"] == "#1565c0" for st in value_edges.values() if "width" in st)
    assert "summary" in w.formula.value


def test_gradient_flow_on_a_cnn_with_dropout():
    from teachtf.widgets.models.gradient_flow import GradientFlowModel

    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    keep = tf.placeholder(tf.float32, name="keep_prob")
    with tf.name_scope("conv"):
        w = tf.Variable(rng.randn(3, 3, 1, 4).astype(np.float32) * 0.3, name="W")
        b = tf.Variable(np.full(4, 0.1, np.float32), name="b")
        h = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), b)),
                           [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with tf.name_scope("fc"):
        wf = tf.Variable(rng.randn(64, 3).astype(np.float32) * 0.1, name="W")
        logits = tf.matmul(tf.nn.dropout(tf.reshape(h, [-1, 64]), keep), wf)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    feed = {x: rng.rand(5, 8, 8, 1), labels: np.eye(3)[[0, 1, 2, 0, 1]], keep: 1.0}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        m = GradientFlowModel(loss, sess, feed)
        refs = sess.run(tf.gradients(loss, [w, b, wf, x]), feed)
    for v, r in zip([w, b, wf, x], refs):
        np.testing.assert_allclose(m.gradient_of(v), r, rtol=1e-4, atol=1e-7)
    types = {s.op.type for s in m.steps if s.phase == "backward"}
    assert {"Conv2D", "MaxPool", "BiasAdd", "Relu", "MatMul", "Reshape"} <= types
    assert not any("labels" in f for f in m.flags)  # placeholders are never flagged


def test_graph_viewer_shows_forward_values_without_changing_state():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import GraphViewer

    a = tf.constant(3.0, name="a")
    b = tf.constant(4.0, name="b")
    c = tf.add(a, b, name="c")
    p = tf.placeholder(tf.float32, [2], name="p")
    counter = tf.Variable(0.0, name="counter")
    bump = tf.assign_add(counter, 1.0, name="bump")
    d = tf.multiply(c, p, name="d")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        v = GraphViewer(session=sess, engine="python", collapse_scopes=False)
        values = v.node_values()
        assert values["c"] == "7" and values["counter"] == "0" and "d" not in values  # p is not fed
        assert "bump" not in values and sess.run(counter) == 0.0  # a stateful op is never run
        fed = GraphViewer(session=sess, feed_dict={p: [1.0, 2.0]}, engine="python", collapse_scopes=False)
        assert fed.node_values()["d"] == "[7, 14]" and "= [7, 14]" in fed.drawing_area.value
    del bump, d
