"""tf.train optimizers (API.md §12.1, §12.2, §3.7): update formulas against NumPy, slot names and values,
the base-class protocol (compute_gradients / apply_gradients / minimize), hyperparameters as tensors,
placeholders and callables, global_step, bad input, and (under -m oracle) 10-step trajectories against TF1."""

import numpy as np
import pytest

import teachtf as tf
from tests.devices import DEVICES

# A fixed least-squares problem: loss = Σ (x·W + b − y)², W [3, 2], b [2].
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2], [2.0, 0.1, 0.4], [-0.7, 1.5, 1.1]])
Y = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [1.0, 1.0]])
W0 = np.array([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.25]])
B0 = np.array([0.1, -0.2])

# (name, constructor kwargs) for every optimizer variant checked against formulas and the oracle.
CASES = [
    ("GradientDescentOptimizer", dict(learning_rate=0.05)),
    ("MomentumOptimizer", dict(learning_rate=0.02, momentum=0.9)),
    ("MomentumOptimizer", dict(learning_rate=0.02, momentum=0.8, use_nesterov=True)),
    ("AdagradOptimizer", dict(learning_rate=0.3)),
    ("AdagradOptimizer", dict(learning_rate=0.2, initial_accumulator_value=0.5)),
    ("RMSPropOptimizer", dict(learning_rate=0.01)),
    ("RMSPropOptimizer", dict(learning_rate=0.01, decay=0.8, momentum=0.5, epsilon=1e-6)),
    ("RMSPropOptimizer", dict(learning_rate=0.01, momentum=0.3, centered=True)),
    ("AdadeltaOptimizer", dict(learning_rate=1.0)),
    ("AdadeltaOptimizer", dict(learning_rate=0.5, rho=0.9, epsilon=1e-6)),
    ("AdamOptimizer", dict(learning_rate=0.05)),
    ("AdamOptimizer", dict(learning_rate=0.05, beta1=0.8, beta2=0.99, epsilon=1e-4)),
    ("FtrlOptimizer", dict(learning_rate=0.1)),
    ("FtrlOptimizer", dict(learning_rate=0.2, l1_regularization_strength=0.5, l2_regularization_strength=0.1)),
    ("FtrlOptimizer", dict(learning_rate=0.1, learning_rate_power=-0.3, initial_accumulator_value=0.5,
                           l1_regularization_strength=0.01)),
    ("FtrlOptimizer", dict(learning_rate=0.1, l1_regularization_strength=0.01,
                           l2_shrinkage_regularization_strength=0.2)),
    ("FtrlOptimizer", dict(learning_rate=0.1, beta=0.5)),
    ("ProximalGradientDescentOptimizer", dict(learning_rate=0.02)),
    ("ProximalGradientDescentOptimizer", dict(learning_rate=0.02, l1_regularization_strength=0.5,
                                              l2_regularization_strength=0.3)),
    ("ProximalAdagradOptimizer", dict(learning_rate=0.3)),
    ("ProximalAdagradOptimizer", dict(learning_rate=0.3, initial_accumulator_value=0.5,
                                      l1_regularization_strength=0.1, l2_regularization_strength=0.2)),
]
# As in TF1, these pass their hyperparameters uncast: float64 variables need float64 rates.
UNCAST = {"ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer"}
CASE_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]


def build_problem(tf_mod, dtype):
    x = tf_mod.constant(X, dtype=dtype)
    y = tf_mod.constant(Y, dtype=dtype)
    w = tf_mod.Variable(W0, dtype=dtype, name="w")
    b = tf_mod.Variable(B0, dtype=dtype, name="b")
    err = tf_mod.matmul(x, w) + b - y
    return w, b, tf_mod.reduce_sum(err * err)


def np_grads(w, b):
    err = X @ w + b - Y
    return 2 * X.T @ err, 2 * err.sum(axis=0)


def run_steps(name, kwargs, steps, dtype=tf.float64, device=""):
    """Values of (w, b) after each of `steps` minimize steps, and the optimizer's slots at the end."""
    tf.reset_default_graph()
    with tf.device(device):
        w, b, loss = build_problem(tf, dtype)
        opt = getattr(tf.train, name)(**kwargs)
        train = opt.minimize(loss)
    out = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
            out.append(sess.run([w, b]))
        slots = {s: sess.run([opt.get_slot(w, s), opt.get_slot(b, s)]) for s in opt.get_slot_names()}
    return out, slots




# -- the update formulas written out in NumPy (float64, hyperparameters as float32 constants like TF1) ------------


def f32(v):
    return float(np.float32(v))


def np_trajectory(name, kw, steps):
    params = [W0.copy(), B0.copy()]
    state = [{}, {}]
    t = 0
    out = []
    for _ in range(steps):
        grads = np_grads(*params)
        t += 1
        for i, g in enumerate(grads):
            p, s = params[i], state[i]
            if name == "GradientDescentOptimizer":
                p = p - f32(kw["learning_rate"]) * g
            elif name == "MomentumOptimizer":
                lr, mu = f32(kw["learning_rate"]), f32(kw["momentum"])
                s["a"] = mu * s.get("a", 0.0) + g
                p = p - lr * (g + mu * s["a"]) if kw.get("use_nesterov") else p - lr * s["a"]
            elif name == "AdagradOptimizer":
                s["acc"] = s.get("acc", kw.get("initial_accumulator_value", 0.1)) + g * g  # in the var dtype
                p = p - f32(kw["learning_rate"]) * g / np.sqrt(s["acc"])
            elif name == "RMSPropOptimizer":
                lr, rho = f32(kw["learning_rate"]), f32(kw.get("decay", 0.9))
                mu, eps = f32(kw.get("momentum", 0.0)), f32(kw.get("epsilon", 1e-10))
                s["ms"] = rho * s.get("ms", 1.0) + (1 - rho) * g * g
                denom = s["ms"] + eps
                if kw.get("centered"):
                    s["mg"] = rho * s.get("mg", 0.0) + (1 - rho) * g
                    denom = s["ms"] - s["mg"] ** 2 + eps
                s["mom"] = mu * s.get("mom", 0.0) + lr * g / np.sqrt(denom)
                p = p - s["mom"]
            elif name == "AdadeltaOptimizer":
                lr, rho, eps = f32(kw["learning_rate"]), f32(kw.get("rho", 0.95)), f32(kw.get("epsilon", 1e-8))
                s["A"] = rho * s.get("A", 0.0) + (1 - rho) * g * g
                delta = np.sqrt(s.get("U", 0.0) + eps) / np.sqrt(s["A"] + eps) * g
                s["U"] = rho * s.get("U", 0.0) + (1 - rho) * delta ** 2
                p = p - lr * delta
            elif name == "AdamOptimizer":
                lr, b1 = f32(kw["learning_rate"]), f32(kw.get("beta1", 0.9))
                b2, eps = f32(kw.get("beta2", 0.999)), f32(kw.get("epsilon", 1e-8))
                # beta1_power/beta2_power are float32 variables (β^t, multiplied in float32), cast to float64.
                b1p, b2p = s.get("b1p", np.float32(b1)), s.get("b2p", np.float32(b2))
                s["b1p"], s["b2p"] = b1p * np.float32(b1), b2p * np.float32(b2)
                b1p, b2p = float(b1p), float(b2p)
                lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
                s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
                s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
                p = p - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)
            elif name == "FtrlOptimizer":
                lr, power = f32(kw["learning_rate"]), -f32(kw.get("learning_rate_power", -0.5))
                l1 = f32(kw.get("l1_regularization_strength", 0.0))
                # TF1 folds beta into l2 with float32 ops: l2 + beta / (2·max(lr, 1e-36)).
                f = np.float32
                l2 = float(f(kw.get("l2_regularization_strength", 0.0)) + f(kw.get("beta", 0.0)) / (f(2) * f(lr)))
                shrink = f32(kw.get("l2_shrinkage_regularization_strength", 0.0))
                acc = s.get("acc", np.full_like(p, kw.get("initial_accumulator_value", 0.1)))
                new_acc = acc + g * g
                s["z"] = s.get("z", 0.0) + g + 2 * shrink * p - (new_acc ** power - acc ** power) / lr * p
                s["acc"] = new_acc
                y = new_acc ** power / lr + 2 * l2
                p = np.where(np.abs(s["z"]) > l1, (l1 * np.sign(s["z"]) - s["z"]) / y, 0.0)
            elif name == "ProximalGradientDescentOptimizer":
                lr = f32(kw["learning_rate"])
                l1, l2 = f32(kw.get("l1_regularization_strength", 0.0)), f32(kw.get("l2_regularization_strength", 0.0))
                prox = p - lr * g
                p = np.sign(prox) * np.maximum(np.abs(prox) - lr * l1, 0) / (1 + lr * l2)
            elif name == "ProximalAdagradOptimizer":
                l1, l2 = f32(kw.get("l1_regularization_strength", 0.0)), f32(kw.get("l2_regularization_strength", 0.0))
                s["acc"] = s.get("acc", kw.get("initial_accumulator_value", 0.1)) + g * g
                rate = f32(kw["learning_rate"]) / np.sqrt(s["acc"])
                prox = p - rate * g
                p = np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0) / (1 + rate * l2)
            params[i] = p
        out.append([params[0].copy(), params[1].copy()])
    return out


@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_two_steps_match_numpy_formula(name, kw):
    dtype, tol = (tf.float32, 1e-5) if name in UNCAST else (tf.float64, 1e-10)
    got, _ = run_steps(name, kw, 2, dtype=dtype)
    want = np_trajectory(name, kw, 2)
    for step in range(2):
        np.testing.assert_allclose(got[step][0], want[step][0], rtol=tol, atol=tol / 100)
        np.testing.assert_allclose(got[step][1], want[step][1], rtol=tol, atol=tol / 100)


@pytest.mark.parametrize("device", DEVICES)
def test_adam_runs_on_every_device_in_float32(device):
    got, slots = run_steps("AdamOptimizer", dict(learning_rate=0.05), 3, dtype=tf.float32, device=device)
    want = np_trajectory("AdamOptimizer", dict(learning_rate=0.05), 3)
    assert got[-1][0].dtype == np.float32
    np.testing.assert_allclose(got[-1][0], want[-1][0], rtol=1e-5, atol=1e-6)
    assert set(slots) == {"m", "v"}


# -- slots and names -----------------------------------------------------------------------------------------------

SLOT_NAMES = {
    "GradientDescentOptimizer": ({}, [], []),
    "MomentumOptimizer": (dict(momentum=0.9), ["momentum"], ["w/Momentum"]),
    "AdagradOptimizer": ({}, ["accumulator"], ["w/Adagrad"]),
    "RMSPropOptimizer": ({}, ["momentum", "rms"], ["w/RMSProp", "w/RMSProp_1"]),
    "AdadeltaOptimizer": ({}, ["accum", "accum_update"], ["w/Adadelta", "w/Adadelta_1"]),
    "AdamOptimizer": ({}, ["m", "v"], ["w/Adam", "w/Adam_1"]),
    "FtrlOptimizer": ({}, ["accum", "linear"], ["w/Ftrl", "w/Ftrl_1"]),
    "ProximalGradientDescentOptimizer": ({}, [], []),
    "ProximalAdagradOptimizer": ({}, ["accumulator"], ["w/ProximalAdagrad"]),
}


@pytest.mark.parametrize("name", sorted(SLOT_NAMES))
def test_slot_variable_names_and_update_op_name(name):
    extra, slot_names, var_names = SLOT_NAMES[name]
    w = tf.Variable([1.0, 2.0], name="w")
    opt = getattr(tf.train, name)(learning_rate=0.1, **extra)
    train = opt.minimize(tf.reduce_sum(w * w))
    short = name.replace("Optimizer", "")
    assert train.name == short
    assert opt.get_name() == short
    assert opt.get_slot_names() == slot_names
    slot_ops = sorted(opt.get_slot(w, s).op.name for s in slot_names)
    assert slot_ops == var_names
    for s in slot_names:
        slot = opt.get_slot(w, s)
        assert not slot.trainable and slot in tf.global_variables() and slot not in tf.trainable_variables()
        assert slot.shape.as_list() == [2] and slot.dtype.base_dtype == tf.float32
    ops = tf.get_default_graph().get_operations()
    update_types = {op.type for op in ops if op.name.startswith(f"{short}/update_w/")}
    assert update_types & {"ApplyGradientDescent", "ApplyMomentum", "ApplyAdagrad", "ApplyRMSProp", "ApplyAdadelta",
                           "ApplyAdam", "ApplyFtrl", "ApplyProximalGradientDescent", "ApplyProximalAdagrad"}


def test_adam_creates_beta_powers_and_its_variables_list():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    opt = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.9)
    train = opt.minimize(tf.reduce_sum(w * w) + b * b)
    names = [v.op.name for v in opt.variables()]
    assert names == ["b/Adam", "b/Adam_1", "beta1_power", "beta2_power", "w/Adam", "w/Adam_1"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        b1, b2 = sess.run(["beta1_power:0", "beta2_power:0"])
        np.testing.assert_allclose([b1, b2], [0.8, 0.9], rtol=1e-6)
        sess.run(train)
        sess.run(train)
        np.testing.assert_allclose(sess.run(["beta1_power:0", "beta2_power:0"]), [0.8 ** 3, 0.9 ** 3], rtol=1e-6)
    # A second Adam in the same graph gets its own, uniquified powers.
    tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    assert tf.get_default_graph().get_tensor_by_name("beta1_power_1:0") is not None


def test_slot_initial_values_rmsprop_ones_adagrad_initial_accumulator():
    w = tf.Variable([1.0, 2.0, 3.0], name="w")
    rms = tf.train.RMSPropOptimizer(0.1)
    ada = tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.25)
    rms.minimize(tf.reduce_sum(w * w))
    ada.minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(rms.get_slot(w, "rms")), [1, 1, 1])
        np.testing.assert_array_equal(sess.run(rms.get_slot(w, "momentum")), [0, 0, 0])
        np.testing.assert_allclose(sess.run(ada.get_slot(w, "accumulator")), [0.25] * 3)


def test_centered_rmsprop_slot_order():
    w = tf.Variable([1.0], name="w")
    opt = tf.train.RMSPropOptimizer(0.1, centered=True)
    opt.minimize(tf.reduce_sum(w * w))
    assert opt.get_slot_names() == ["mg", "momentum", "rms"]
    assert [opt.get_slot(w, s).op.name for s in ("rms", "mg", "momentum")] == ["w/RMSProp", "w/RMSProp_1",
                                                                                 "w/RMSProp_2"]
    assert opt.get_slot(w, "nope") is None


def test_initializer_created_before_minimize_misses_the_slots():
    w = tf.Variable([1.0, 2.0], name="w")
    init = tf.global_variables_initializer()
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(init)
        with pytest.raises(tf.errors.FailedPreconditionError, match="beta1_power|w/Adam"):
            sess.run(train)


# -- the base-class protocol ----------------------------------------------------------------------------------------


def test_compute_gradients_returns_every_variable_with_none_for_unconnected():
    w = tf.Variable([1.0, 2.0], name="w")
    unused = tf.Variable(3.0, name="unused")
    loss = tf.reduce_sum(w * w)
    opt = tf.train.GradientDescentOptimizer(0.5)
    gvs = opt.compute_gradients(loss)
    assert [v for _, v in gvs] == [w, unused]
    assert gvs[1][0] is None
    train = opt.apply_gradients(gvs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(gvs[0][0]), [2.0, 4.0])
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.0, 0.0])
        assert sess.run(unused) == 3.0


def test_apply_gradients_with_modified_gradients_and_train_op_collection():
    w = tf.Variable([1.0, -2.0], name="w")
    loss = tf.reduce_sum(w * w * w)
    opt = tf.train.GradientDescentOptimizer(0.1)
    gvs = [(g * 0.5, v) for g, v in opt.compute_gradients(loss, var_list=[w])]
    train = opt.apply_gradients(gvs, name="half_step")
    assert train.name == "half_step"
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(train) is None
        np.testing.assert_allclose(sess.run(w), [1.0 - 0.1 * 0.5 * 3, -2.0 - 0.1 * 0.5 * 12], rtol=1e-6)


def test_minimize_var_list_and_int_variable_skipped():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(1.0, name="b")
    counter = tf.Variable(0, name="counter")  # trainable int: no gradient path, skipped silently
    loss = tf.reduce_sum(w * w) + b * b + tf.cast(counter, tf.float32)
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss, var_list=[w, counter])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.5, 1.0])
        assert sess.run(b) == 1.0 and sess.run(counter) == 0


def test_global_step_incremented_after_updates():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(2.0, name="w")
    lr = tf.train.exponential_decay(0.5, gs, decay_steps=1, decay_rate=0.5)
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * w, global_step=gs)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)  # lr 0.5 at step 0: w = 2 - 0.5·4 = 0
        assert sess.run(gs) == 1 and sess.run(w) == 0.0
        sess.run(tf.assign(w, 2.0))
        assert sess.run(lr) == 0.25
        sess.run(train)  # the rate of step 1 is used before the increment: w = 2 − 0.25·4 = 1
        assert sess.run(gs) == 2 and sess.run(w) == 1.0


@pytest.mark.parametrize("kind", ["tensor", "variable", "placeholder", "callable"])
def test_learning_rate_forms(kind):
    w = tf.Variable(1.0, name="w")
    feed = {}
    if kind == "tensor":
        lr = tf.constant(0.5) * 0.5
    elif kind == "variable":
        lr = tf.Variable(0.25, trainable=False)
    elif kind == "placeholder":
        lr = tf.placeholder(tf.float32, [])
        feed = {lr: 0.25}
    else:
        def lr():
            return 0.25
    train = tf.train.MomentumOptimizer(lr, momentum=lambda: 0.5).minimize(w * w)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, feed)
        np.testing.assert_allclose(sess.run(w), 1.0 - 0.25 * 2.0)
        sess.run(train, feed)  # a = 0.5·2 + 1 = 2; w = 0.5 − 0.25·2 = 0
        np.testing.assert_allclose(sess.run(w), 0.0, atol=1e-7)


def test_float64_variables_use_float32_rate_cast_like_tf1():
    w = tf.Variable(np.array([1.0]), name="w")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w)[0] == 1.0 - 2.0 * float(np.float32(0.1))


def test_loss_fetched_with_train_op_sees_values_before_the_update():
    w = tf.Variable(3.0, name="w")
    loss = w * w
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        l0, _ = sess.run([loss, train])
        assert l0 == 9.0
        assert sess.run(w) == pytest.approx(3.0 - 0.6)


def test_nonscalar_loss_is_summed():
    w = tf.Variable([1.0, 2.0], name="w")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(w * w)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.0, 0.0])


# -- bad input --------------------------------------------------------------------------------------------------------


def test_no_gradients_for_any_variable_lists_them():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    x = tf.placeholder(tf.float32)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable, check your graph.*'w:0'.*'b:0'"
                                         r".*and loss"):
        tf.train.GradientDescentOptimizer(0.1).minimize(x * 2.0)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \[.*'w:0'"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w), (None, b)])
    with pytest.raises(ValueError, match="No variables provided"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([])


def test_integer_loss_and_no_variables():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    with pytest.raises(ValueError, match=r"Invalid type tf.int32 for .*expected: \[tf.float16"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.cast(loss, tf.int32))
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss, var_list=[])
    with pytest.raises(TypeError, match="var_list must contain Variables"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss, var_list=[w, 3])
    with pytest.raises(TypeError, match="loss must be a Tensor"):
        tf.train.GradientDescentOptimizer(0.1).minimize(3.0)


def test_gradient_with_wrong_shape_or_dtype_is_rejected_at_build():
    w = tf.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\).*\(2,\)"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.ones_like(tf.constant([1.0, 2, 3])), w)])
    with pytest.raises(TypeError, match="float64 that does not match type float32"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant([1.0, 2.0], tf.float64), w)])


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        w = tf.Variable(1.0)
        tf.train.GradientDescentOptimizer(0.1).minimize(w * w, gate_gradients=7)


# -- against TensorFlow 1.x -------------------------------------------------------------------------------------------


def tf1_steps(tf1, name, kwargs, steps, dtype):
    g = tf1.Graph()
    with g.as_default():
        w, b, loss = build_problem(tf1, dtype)
        opt = getattr(tf1.train, name)(**kwargs)
        train = opt.minimize(loss)
        with tf1.Session(graph=g) as sess:
            sess.run(tf1.global_variables_initializer())
            out = []
            for _ in range(steps):
                sess.run(train)
                out.append(sess.run([w, b]))
            slots = {s: sess.run([opt.get_slot(w, s), opt.get_slot(b, s)]) for s in opt.get_slot_names()}
    return out, slots


@pytest.mark.oracle
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_ten_step_trajectory_matches_tf1(name, kw, dtype, tf1):
    if name in UNCAST and dtype == "float64":
        with pytest.raises(TypeError, match="Input 'alpha'|Input 'lr'"):
            tf1_steps(tf1, name, kw, 1, dtype)
        with pytest.raises(TypeError, match="Input 'alpha'|Input 'lr'"):
            run_steps(name, kw, 1, dtype=tf.float64)
        return
    want, want_slots = tf1_steps(tf1, name, kw, 10, dtype)
    got, got_slots = run_steps(name, kw, 10, dtype=tf.as_dtype(dtype))
    for step, (g_step, w_step) in enumerate(zip(got, want)):
        for g_val, w_val in zip(g_step, w_step):
            np.testing.assert_allclose(g_val, w_val, rtol=1e-5, atol=1e-5, err_msg=f"step {step + 1}")
    assert sorted(got_slots) == sorted(want_slots)
    for s in want_slots:
        for g_val, w_val in zip(got_slots[s], want_slots[s]):
            np.testing.assert_allclose(g_val, w_val, rtol=1e-5, atol=1e-5, err_msg=f"slot {s}")


def test_failed_step_leaves_variables_and_slots_unchanged():
    w = tf.Variable([1.0, 2.0], name="w")
    lr = tf.placeholder(tf.float32)  # unknown shape: only the run can catch a non-scalar rate
    opt = tf.train.AdamOptimizer(lr)
    train = opt.minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="lr is not a scalar: \\[2\\]"):
            sess.run(train, {lr: [0.1, 0.2]})
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(opt.get_slot(w, "m")), [0.0, 0.0])
        assert sess.run("beta1_power:0") == pytest.approx(0.9)


@pytest.mark.parametrize("make, fed, message", [
    (lambda p: tf.train.ProximalAdagradOptimizer(p), 0.0, "lr is not a positive scalar: 0.0"),
    (lambda p: tf.train.ProximalAdagradOptimizer(0.1, l2_regularization_strength=p), -1.0,
     "l2 regularization strength is not a non-negative scalar: -1.0"),
    (lambda p: tf.train.FtrlOptimizer(p), 0.0, "lr is not a positive scalar: 0.0"),
    (lambda p: tf.train.FtrlOptimizer(p), -1.0, "lr is not a positive scalar: -1.0"),
])
def test_proximal_updates_reject_bad_fed_hyperparameters_and_change_nothing(make, fed, message):
    w = tf.Variable([1.0, -2.0], name="w")
    p = tf.placeholder(tf.float32, [])
    opt = make(p)
    train = opt.minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        slots = {s: sess.run(opt.get_slot(w, s)) for s in opt.get_slot_names()}
        with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
            sess.run(train, {p: fed})
        assert "update_w/ApplyProximalAdagrad" in str(info.value) or "update_w/ApplyFtrl" in str(info.value)
        np.testing.assert_array_equal(sess.run(w), [1.0, -2.0])
        for s, value in slots.items():
            np.testing.assert_array_equal(sess.run(opt.get_slot(w, s)), value)


def test_proximal_gradient_descent_accepts_any_rate_like_tf1():
    w = tf.Variable([1.0, -2.0], name="w")
    p = tf.placeholder(tf.float32, [])
    train = tf.train.ProximalGradientDescentOptimizer(p, l1_regularization_strength=0.5).minimize(
        tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {p: 0.0})
        np.testing.assert_array_equal(sess.run(w), [1.0, -2.0])
        sess.run(train, {p: 0.1})  # p = w − 0.2·w = 0.8·w, then shrunk by 0.05 towards 0
        np.testing.assert_allclose(sess.run(w), [0.75, -1.55], rtol=1e-6)


def test_l1_drives_small_ftrl_weights_to_exact_zeros():
    """FTRL's point: with enough L1 a weight with little gradient sits at exactly 0."""
    def fit(l1):
        with tf.Graph().as_default():
            w = tf.Variable([0.05, 3.0], name="w")
            loss = tf.reduce_sum((w - tf.constant([0.01, 1.0])) ** 2)
            train = tf.train.FtrlOptimizer(0.5, l1_regularization_strength=l1).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(50):
                    sess.run(train)
                return sess.run(w)

    sparse, dense = fit(0.2), fit(0.0)
    assert sparse[0] == 0.0 and abs(sparse[1] - 1.0) < 0.1
    assert dense[0] != 0.0 and abs(dense[1] - 1.0) < 0.1


def test_bad_ftrl_and_proximal_constructor_arguments():
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative or zero"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1.000000 needs to be positive or zero"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="initial_accumulator_value -0.100000 needs to be positive or zero"):
        tf.train.FtrlOptimizer(0.1, initial_accumulator_value=-0.1)
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)


# -- global step (API.md §12.4) and tf.contrib.framework ------------------------------------------------------------


def test_get_or_create_global_step():
    assert tf.train.get_global_step() is None
    gs = tf.train.get_or_create_global_step()
    assert gs.op.name == "global_step" and gs.dtype.base_dtype == tf.int64 and gs.shape.as_list() == []
    assert not gs.trainable
    assert gs in tf.global_variables() and tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert tf.train.get_or_create_global_step() is gs
    assert tf.train.get_global_step() is gs
    assert tf.contrib.framework.get_or_create_global_step() is gs
    with pytest.raises(ValueError, match='"global_step" already exists'):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign_add(gs, 5))
        step = tf.train.global_step(sess, gs)
        assert step == 5 and type(step) is int


def test_global_step_found_by_name_and_inside_name_scopes():
    with tf.name_scope("model"):
        gs = tf.train.create_global_step()
    assert gs.op.name == "global_step"
    tf.reset_default_graph()
    plain = tf.Variable(0, trainable=False, name="global_step")  # not in the collection: found by its name
    found = tf.train.get_global_step()
    assert found is plain._as_graph_element() or found is plain
    tf.reset_default_graph()
    tf.Variable(0, trainable=False, name="step")  # another name: invisible
    assert tf.train.get_global_step() is None


def test_global_step_must_be_an_integer_scalar():
    tf.Variable(0.0, trainable=False, name="global_step")
    with pytest.raises(TypeError, match='Existing "global_step" does not have integer type'):
        tf.train.get_global_step()


def test_contrib_framework_variable_helpers():
    with tf.name_scope("enc"):
        a = tf.Variable(1.0, name="weights")
        b = tf.Variable(2.0, name="biases")
    c = tf.Variable(3.0, name="weights", trainable=False)
    cf = tf.contrib.framework
    assert cf.get_variables("enc") == [a, b]
    assert cf.get_variables(suffix="weights") == [a, c]
    assert cf.get_variables_by_name("weights") == [a, c]
    assert cf.get_trainable_variables() == [a, b]
    assert cf.get_variables_to_restore(exclude=["enc"]) == [c]
    assert cf.get_variables_to_restore(include=["enc/b"]) == [b]
    assert cf.get_unique_variable("enc/biases") is b
    with pytest.raises(ValueError, match="Couldn't find variable nope"):
        cf.get_unique_variable("nope")
    with pytest.raises(TypeError, match="include is provided but is not a list"):
        cf.get_variables_to_restore(include="enc")
    cf.add_model_variable(a)
    cf.add_model_variable(a)
    assert cf.get_model_variables() == [a]
