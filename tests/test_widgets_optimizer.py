"""OptimizerRaceModel, OptimizerRace and the safe expression parser."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.widgets.models.expressions import parse_expression
from teachtf.widgets.models.optimizer_race import OPTIMIZERS, SURFACES, OptimizerRaceModel

# -- expressions -------------------------------------------------------------------------------------------


def evaluate(text, x, y):
    expr = parse_expression(text)
    with tf.Graph().as_default():
        out = expr.build(x=tf.constant(np.float32(x)), y=tf.constant(np.float32(y)))
        with tf.Session() as sess:
            return float(sess.run(out))


@pytest.mark.parametrize("text,expected", [
    ("x**2 + 10*y**2", 0.25 + 10 * 4.0), ("(1 - x)^2 + 100*(y - x**2)**2", 0.25 + 100 * (2 - 0.25) ** 2),
    ("sin(x) * cos(y) + exp(-x)", np.sin(0.5) * np.cos(2) + np.exp(-0.5)), ("sqrt(x*x + y*y)", np.sqrt(4.25)),
    ("tanh(x) - abs(y) + log(y) + square(x) + sigmoid(y)", np.tanh(0.5) - 2 + np.log(2) + 0.25 + 1 / (1 + np.exp(-2))),
    ("−x·y + pi", -1.0 + np.pi), ("x**3 - 2**y", 0.125 - 4.0), ("-(x + +y) / 2", -1.25)])
def test_expressions_build_engine_ops(text, expected):
    assert evaluate(text, 0.5, 2.0) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("text,message", [
    ("__import__('os').system('x')", "not allowed"), ("x.real", "Attribute is not allowed"),
    ("open('f')", "The function 'open' is not allowed"), ("z + x", "Unknown name 'z'"),
    ("x[0]", "Subscript is not allowed"), ("sin(x, y)", "exactly one argument"), ("3 + 4", "does not use x or y"),
    ("x +", "Cannot read the formula"), ("x if y else 1", "IfExp is not allowed"), ("x % 2", "Mod"),
    ("sin(x=1)", "exactly one argument"), ("'a' + x", "Only numbers"), ("", "Type a formula"),
    ("lambda: x", "Lambda is not allowed"), ("x" + "+x" * 200, "longer than")])
def test_expressions_reject_everything_else(text, message):
    with pytest.raises(ValueError, match=message):
        parse_expression(text)


def test_expression_gradients_flow():
    expr = parse_expression("x**2 + 10*y**2")
    with tf.Graph().as_default():
        v = tf.Variable([1.0, -1.0])
        loss = expr.build(x=v[0], y=v[1])
        g = tf.gradients(loss, v)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(g), [2.0, -20.0])


# -- the race ---------------------------------------------------------------------------------------------------


def reference_paths(name, lr, grad, start, steps):
    """Each TF1 update rule (API.md §12.2) in float64, written out plainly."""
    th = np.array(start, float)
    slots = {"a": np.zeros(2), "s": np.full(2, 0.1), "ms": np.ones(2), "mom": np.zeros(2), "A": np.zeros(2),
             "U": np.zeros(2), "m": np.zeros(2), "v": np.zeros(2)}
    path = [th.copy()]
    for t in range(1, steps + 1):
        g = grad(th)
        if name == "GradientDescent":
            th = th - lr * g
        elif name == "Momentum":
            slots["a"] = 0.9 * slots["a"] + g
            th = th - lr * slots["a"]
        elif name == "Nesterov":
            slots["a"] = 0.9 * slots["a"] + g
            th = th - lr * (g + 0.9 * slots["a"])
        elif name == "Adagrad":
            slots["s"] = slots["s"] + g * g
            th = th - lr * g / np.sqrt(slots["s"])
        elif name == "RMSProp":
            slots["ms"] = 0.9 * slots["ms"] + 0.1 * g * g
            slots["mom"] = 0.0 * slots["mom"] + lr * g / np.sqrt(slots["ms"] + 1e-10)
            th = th - slots["mom"]
        elif name == "Adadelta":
            slots["A"] = 0.95 * slots["A"] + 0.05 * g * g
            d = np.sqrt(slots["U"] + 1e-8) / np.sqrt(slots["A"] + 1e-8) * g
            slots["U"] = 0.95 * slots["U"] + 0.05 * d * d
            th = th - lr * d
        elif name == "Adam":
            lr_t = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            slots["m"] = 0.9 * slots["m"] + 0.1 * g
            slots["v"] = 0.999 * slots["v"] + 0.001 * g * g
            th = th - lr_t * slots["m"] / (np.sqrt(slots["v"]) + 1e-8)
        path.append(th.copy())
    return np.array(path)


@pytest.fixture(scope="module")
def race():
    lrs = {"GradientDescent": 0.05, "Momentum": 0.02, "Nesterov": 0.02, "Adagrad": 0.5, "RMSProp": 0.02,
           "Adadelta": 1.0, "Adam": 0.1}
    return OptimizerRaceModel("x**2 + 10*y**2", OPTIMIZERS, lrs, steps=25, start=(1.5, 1.0))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_race_paths_follow_the_tf1_rules(race, name):
    tr = race.track(name)
    ref = reference_paths(name, tr.learning_rate, lambda p: np.array([2 * p[0], 20 * p[1]]), (1.5, 1.0), 25)
    np.testing.assert_allclose(tr.theta, ref, rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(tr.loss, ref[:, 0] ** 2 + 10 * ref[:, 1] ** 2, rtol=5e-4, atol=1e-5)
    np.testing.assert_allclose(tr.grad, np.stack([2 * ref[:, 0], 20 * ref[:, 1]], 1), rtol=5e-4, atol=1e-5)
    for t in (0, 7, 24):  # the written-out update lands on the engine's next θ
        np.testing.assert_allclose(race.predicted_theta(name, t), tr.theta[t + 1], rtol=1e-4, atol=1e-6)
    assert race.predicted_theta(name, 25) is None


def test_race_slots_lr_and_frames(race):
    assert set(race.track("Adam").slots) >= {"m", "v", "beta1_power", "beta2_power"}
    assert set(race.track("RMSProp").slots) >= {"rms", "momentum"}
    np.testing.assert_allclose(race.track("RMSProp").slots["rms"][0], [1.0, 1.0])  # TF1 starts ms at ones
    np.testing.assert_allclose(race.track("Adagrad").slots["accumulator"][0], [0.1, 0.1])
    np.testing.assert_allclose(race.track("Adam").slots["beta1_power"][3], 0.9 ** 4, rtol=1e-6)
    assert race.effective_lr("Adam", 0) == pytest.approx(0.1 * np.sqrt(1 - 0.999) / (1 - 0.9))
    assert race.effective_lr("Momentum", 5) == 0.02
    assert len(race.frames) == 26
    text = race.frames[3].formula
    assert "a ← μ·a + g" in text and "lr_t = lr·√(1−β2^t)/(1−β1^t)" in text and "s ← s + g²" in text
    assert race.contour["f"].shape == (90, 90)
    xs, ys = race.contour["x"], race.contour["y"]
    assert race.contour["f"][10, 20] == pytest.approx(xs[20] ** 2 + 10 * ys[10] ** 2, rel=1e-5)


def test_race_named_surfaces_and_code():
    for name in SURFACES:
        m = OptimizerRaceModel(name, ["GradientDescent", "Adam"], steps=5)
        assert m.tracks[0].theta[0].tolist() == pytest.approx(list(SURFACES[name].start))
    m = OptimizerRaceModel("saddle", ["Momentum", "Adam"], steps=12)
    ns = {}
    with tf.Graph().as_default():
        exec(m.code(), ns)
    for tr in m.tracks:
        np.testing.assert_allclose(ns["result"][tr.name], tr.theta, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="optimizers must be"):
        OptimizerRaceModel("saddle", ["SGD"])
    with pytest.raises(ValueError, match="Unknown name"):
        OptimizerRaceModel("x + q")


def test_optimizer_race_view():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from teachtf.widgets import OptimizerRace

    w = OptimizerRace("saddle", optimizers=("GradientDescent", "Adam"), steps=20)
    assert w.player.max == 20 and w.controls["formula"].disabled
    w.player.value = 10
    assert w.map.value.count('class="ttf-pos"') == 2 and "image/png;base64" in w.map.value
    assert w.table.value.count("<tr>") == 3 and "beta1_power" in w.table.value
    assert "Adam (lr = 0.05)" in w.formula.value
    w.controls["lr_scale"].value = 0.1
    assert w.model.track("Adam").learning_rate == pytest.approx(0.005)
    w.controls["surface"].value = "custom formula"
    assert not w.controls["formula"].disabled and w.model.formula == "x**2 + 10*y**2"
    w.controls["formula"].value = "x**2 + os"
    assert "Unknown name &#x27;os&#x27;" in w.error.value
    w.controls["formula"].value = "(x - 1)**2 + (y + 1)**2"
    assert w.error.value == "" and w.model.formula == "(x - 1)**2 + (y + 1)**2"
    w.controls["optimizers"].value = ()
    assert "Choose at least one optimizer" in w.error.value
    w2 = OptimizerRace("x**2 + y**2", optimizers=("Adam",), steps=5)
    assert w2.controls["surface"].value == "custom formula"
    fig = w2.to_figure()
    assert fig.axes and "f(x, y) = x**2 + y**2" in fig.axes[0].get_title()
