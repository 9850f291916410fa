"""tf.layers (API.md §3.7, §14): TF1 variable names and shapes, forward values against NumPy, reuse,
regularizers, training modes of dropout and batch_normalization, bad input, and oracle comparisons."""

import numpy as np
import pytest

import teachtf as tf

RNG = np.random.default_rng(7)


def check_layer_gradients(build, x_value, delta=1e-6, rtol=1e-5, atol=1e-7):
    """tf.gradients of sum(build(x)·c) w.r.t. the input x, for a random cotangent c, against central
    differences, in float64, with the layer's variables initialized (tests/gradcheck.py has no variables)."""
    x = tf.placeholder(tf.float64, x_value.shape)
    y = build(x)
    cot = tf.constant(RNG.standard_normal(y.shape.as_list()))
    loss = tf.reduce_sum(y * cot)
    (grad,) = tf.gradients(loss, x)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        analytic = sess.run(grad, {x: x_value})
        numeric = np.zeros_like(x_value)
        for idx in np.ndindex(x_value.shape):
            plus, minus = x_value.copy(), x_value.copy()
            plus[idx] += delta
            minus[idx] -= delta
            numeric[idx] = (sess.run(loss, {x: plus}) - sess.run(loss, {x: minus})) / (2 * delta)
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)


def names_and_shapes(variables):
    return [(v.name, v.shape.as_list()) for v in variables]


def two_layer_net(x):
    h = tf.layers.dense(x, 5, activation=tf.nn.relu)
    return tf.layers.dense(h, 2)


# -- dense ------------------------------------------------------------------------------------------------------


def test_dense_net_built_twice_gets_tf1_names():
    x = tf.placeholder(tf.float32, [None, 3])
    y1, y2 = two_layer_net(x), two_layer_net(x)
    assert names_and_shapes(tf.global_variables()) == [
        ("dense/kernel:0", [3, 5]), ("dense/bias:0", [5]), ("dense_1/kernel:0", [5, 2]), ("dense_1/bias:0", [2]),
        ("dense_2/kernel:0", [3, 5]), ("dense_2/bias:0", [5]), ("dense_3/kernel:0", [5, 2]), ("dense_3/bias:0", [2])]
    assert tf.trainable_variables() == tf.global_variables()
    assert y1.name == "dense_1/BiasAdd:0" and y2.name == "dense_3/BiasAdd:0"
    assert y1.shape.as_list() == [None, 2]
    relu_op = tf.get_default_graph().get_operation_by_name("dense/Relu")
    assert relu_op.type == "Relu"


def test_dense_forward_matches_numpy_and_initializers():
    xv = RNG.standard_normal((4, 3)).astype(np.float32)
    y = tf.layers.dense(tf.constant(xv), 6, activation=tf.nn.relu, bias_initializer=tf.constant_initializer(0.5))
    kernel, bias = tf.global_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k, b, out = sess.run([kernel, bias, y])
    np.testing.assert_allclose(out, np.maximum(xv @ k + b, 0), rtol=1e-5)
    np.testing.assert_array_equal(b, np.full(6, 0.5, np.float32))
    limit = np.sqrt(6.0 / (3 + 6))  # glorot uniform
    assert np.abs(k).max() <= limit and np.abs(k).max() > limit / 3


def test_dense_rank3_input_uses_last_axis():
    xv = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    y = tf.layers.dense(tf.constant(xv), 4)
    assert y.shape.as_list() == [2, 5, 4]
    kernel, bias = tf.global_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k, b, out = sess.run([kernel, bias, y])
    np.testing.assert_allclose(out, xv @ k + b, rtol=1e-5, atol=1e-6)


def test_dense_name_and_reuse():
    x = tf.placeholder(tf.float32, [None, 3])
    a = tf.layers.dense(x, 4, name="fc")
    b = tf.layers.dense(x, 4, name="fc", reuse=True)
    assert [v.name for v in tf.global_variables()] == ["fc/kernel:0", "fc/bias:0"]
    assert a.op.name == "fc/BiasAdd" and b.op.name == "fc_1/BiasAdd"
    with pytest.raises(ValueError, match="Variable fc/kernel already exists"):
        tf.layers.dense(x, 4, name="fc")
    with tf.variable_scope("net"):
        tf.layers.dense(x, 2)
    with tf.variable_scope("net", reuse=True):
        tf.layers.dense(x, 2, name="dense")
    assert "net/dense/kernel:0" in [v.name for v in tf.global_variables()]
    assert len(tf.global_variables()) == 4


def test_dense_scope_initializer_regularizer_and_trainable():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.25)):
        tf.layers.dense(x, 2, kernel_regularizer=lambda w: tf.reduce_sum(w) * 2.0, use_bias=False,
                        trainable=False)
    (kernel,) = tf.global_variables()
    assert kernel.name == "s/dense/kernel:0" and tf.trainable_variables() == []
    (reg,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert reg.name.startswith("s/dense/kernel/Regularizer/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(kernel), np.full((3, 2), 0.25, np.float32))
        assert sess.run(reg) == pytest.approx(2.0 * 6 * 0.25)
        assert sess.run(tf.losses.get_regularization_loss()) == pytest.approx(3.0)


def test_dense_class_form_shares_its_variables():
    layer = tf.layers.Dense(3, activation=tf.nn.tanh, name="head")
    x1 = tf.placeholder(tf.float32, [None, 4])
    x2 = tf.placeholder(tf.float32, [None, 4])
    layer(x1)
    layer.apply(x2)
    assert [v.name for v in layer.trainable_variables] == ["head/kernel:0", "head/bias:0"]
    assert layer.kernel.shape.as_list() == [4, 3] and len(tf.global_variables()) == 2
    assert layer.name == "head"


def test_dense_bad_input_and_gradient():
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be defined"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)
    check_layer_gradients(lambda t: tf.layers.dense(t, 2, activation=tf.nn.tanh), RNG.standard_normal((3, 4)))


# -- conv2d and conv2d_transpose -----------------------------------------------------------------------------------


def np_conv2d_valid(x, k, stride=1):
    kh, kw, _, cout = k.shape
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, cout))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_conv2d_names_shapes_and_values():
    xv = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
    y = tf.layers.conv2d(tf.constant(xv), 4, 3)
    y_same = tf.layers.conv2d(tf.constant(xv), 4, [3, 3], strides=2, padding="SAME", activation=tf.nn.relu)
    assert names_and_shapes(tf.global_variables()) == [
        ("conv2d/kernel:0", [3, 3, 3, 4]), ("conv2d/bias:0", [4]),
        ("conv2d_1/kernel:0", [3, 3, 3, 4]), ("conv2d_1/bias:0", [4])]
    assert y.shape.as_list() == [2, 5, 4, 4]  # 'valid' by default
    assert y_same.shape.as_list() == [2, 4, 3, 4]
    assert y.op.name == "conv2d/BiasAdd" and y_same.op.name == "conv2d_1/Relu"
    kernel, bias = tf.global_variables()[:2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k, b, out = sess.run([kernel, bias, y])
    np.testing.assert_allclose(out, np_conv2d_valid(xv, k) + b, rtol=1e-4, atol=1e-5)


def test_conv2d_bad_input():
    with pytest.raises(ValueError, match="channel dimension of the inputs should be defined"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 5, 5, None]), 2, 3)
    with pytest.raises(ValueError, match="padding"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 5, 5, 1]), 2, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 5, 5, 1]), 2, [3, 3, 3])


def np_conv2d_transpose(x, k, stride, out_hw, pad_top_left):
    """Scatter view of API.md §10.5: each input cell adds value·kernel at offset i·s, then crop."""
    kh, kw, cout, _ = k.shape
    n, h, w, _ = x.shape
    canvas = np.zeros((n, (h - 1) * stride + kh + 10, (w - 1) * stride + kw + 10, cout))
    for i in range(h):
        for j in range(w):
            canvas[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += np.einsum(
                "nc,hwoc->nhwo", x[:, i, j, :], k)
    pt, pl = pad_top_left
    return canvas[:, pt:pt + out_hw[0], pl:pl + out_hw[1], :]


@pytest.mark.parametrize("padding,expected_hw,pads", [("valid", (9, 11), (0, 0)), ("same", (8, 10), (0, 0))])
def test_conv2d_transpose_output_size_and_values(padding, expected_hw, pads):
    xv = RNG.standard_normal((1, 4, 5, 2)).astype(np.float32)
    y = tf.layers.conv2d_transpose(tf.constant(xv), 3, 3, strides=2, padding=padding)
    kernel, bias = tf.global_variables()
    assert kernel.name == "conv2d_transpose/kernel:0" and kernel.shape.as_list() == [3, 3, 3, 2]
    assert y.shape.as_list() == [1, *expected_hw, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k, out = sess.run([kernel, y])
    # SAME: out = 8, pad_total = max((4 − 1)·2 + 3 − 8, 0) = 1 → top 0, bottom 1
    np.testing.assert_allclose(out, np_conv2d_transpose(xv, k, 2, expected_hw, pads), rtol=1e-4, atol=1e-5)


def test_conv2d_transpose_dynamic_batch():
    x = tf.placeholder(tf.float32, [None, 3, 3, 4])
    y = tf.layers.conv2d_transpose(x, 2, 2, strides=2)
    assert y.shape.as_list() == [None, 6, 6, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y, {x: np.ones((5, 3, 3, 4))}).shape == (5, 6, 6, 2)


# -- pooling, flatten ----------------------------------------------------------------------------------------------


def test_pooling_layers():
    xv = RNG.standard_normal((2, 4, 4, 3)).astype(np.float32)
    mp = tf.layers.max_pooling2d(tf.constant(xv), 2, 2)
    ap = tf.layers.average_pooling2d(tf.constant(xv), [2, 2], [2, 2], padding="SAME")
    assert mp.op.name == "max_pooling2d/MaxPool" and ap.op.name == "average_pooling2d/AvgPool"
    blocks = xv.reshape(2, 2, 2, 2, 2, 3)
    np.testing.assert_allclose(run(mp), blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(run(ap), blocks.mean(axis=(2, 4)), rtol=1e-6)
    with pytest.raises(TypeError):
        tf.layers.max_pooling2d(tf.constant(xv), 2)  # strides is required
    assert tf.layers.max_pooling2d(tf.constant(xv), 3, 1, padding="same").shape.as_list() == [2, 4, 4, 3]


def test_flatten():
    x = tf.placeholder(tf.float32, [None, 7, 7, 64])
    f = tf.layers.flatten(x)
    assert f.shape.as_list() == [None, 3136] and f.op.name == "flatten/Reshape"
    with tf.Session() as sess:
        out = sess.run(f, {x: np.arange(2 * 7 * 7 * 64, dtype=np.float32).reshape(2, 7, 7, 64)})
    np.testing.assert_array_equal(out[1], np.arange(3136, 6272))


def run(t, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(t, feed)


# -- dropout ---------------------------------------------------------------------------------------------------------


def test_dropout_layer_modes():
    x = np.ones((100, 40), np.float32)
    off = tf.layers.dropout(x, rate=0.25)
    assert off.op.type == "Identity"
    np.testing.assert_array_equal(run(off), x)
    on = run(tf.layers.dropout(x, rate=0.25, training=True))
    assert set(np.unique(on)) <= {0.0, np.float32(1.0 / 0.75)} and abs((on == 0).mean() - 0.25) < 0.03
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(x, rate=0.5, training=training)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {training: False}), x)
        assert set(np.unique(sess.run(y, {training: True}))) == {0.0, 2.0}


# -- batch normalization --------------------------------------------------------------------------------------------


def run_updates(x_value, y, feed=None):
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, _ = sess.run([y, updates], feed)
        moving = sess.run([v for v in tf.global_variables() if "moving" in v.name])
    return out, moving


@pytest.mark.parametrize("shape,axes,bessel", [((6, 4), (0,), False), ((3, 2, 2, 4), (0, 1, 2), True)])
def test_batch_normalization_training_updates(shape, axes, bessel):
    xv = RNG.standard_normal(shape).astype(np.float32) * 3 + 1
    y = tf.layers.batch_normalization(tf.constant(xv), training=True)
    assert names_and_shapes(tf.global_variables()) == [
        ("batch_normalization/gamma:0", [4]), ("batch_normalization/beta:0", [4]),
        ("batch_normalization/moving_mean:0", [4]), ("batch_normalization/moving_variance:0", [4])]
    assert len(tf.trainable_variables()) == 2
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in updates] == ["batch_normalization/AssignMovingAvg",
                                         "batch_normalization/AssignMovingAvg_1"]
    out, (mm, mv) = run_updates(xv, y)
    mean, var = xv.mean(axis=axes), xv.var(axis=axes)
    np.testing.assert_allclose(out, (xv - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    n = xv.size // 4
    batch_var = var * n / (n - 1) if bessel else var  # TF1's fused kernel (4-D) updates with N/(N−1)
    np.testing.assert_allclose(mm, 0.01 * mean, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(mv, 0.99 + 0.01 * batch_var, rtol=1e-5)


def test_batch_normalization_inference_uses_moving_statistics():
    xv = RNG.standard_normal((5, 3)).astype(np.float32)
    y = tf.layers.batch_normalization(tf.constant(xv), training=False, center=False, scale=False)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    assert [v.name for v in tf.global_variables()] == ["batch_normalization/moving_mean:0",
                                                       "batch_normalization/moving_variance:0"]
    np.testing.assert_allclose(run(y), xv / np.sqrt(1 + 1e-3), rtol=1e-5)


def test_batch_normalization_training_tensor():
    xv = RNG.standard_normal((8, 2)).astype(np.float32) + 5
    is_training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(tf.constant(xv), training=is_training, momentum=0.5)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    mm = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out_eval, _ = sess.run([y, updates], {is_training: False})
        np.testing.assert_allclose(out_eval, xv / np.sqrt(1 + 1e-3), rtol=1e-5)
        np.testing.assert_array_equal(sess.run(mm), [0.0, 0.0])  # momentum 1.0: no change when not training
        out_train, _ = sess.run([y, updates], {is_training: True})
        np.testing.assert_allclose(out_train.mean(axis=0), [0, 0], atol=1e-5)
        np.testing.assert_allclose(sess.run(mm), 0.5 * xv.mean(axis=0), rtol=1e-5)


def test_batch_normalization_gradient_and_bad_input():
    check_layer_gradients(lambda t: tf.layers.batch_normalization(t, training=True), RNG.standard_normal((4, 3)),
                          rtol=1e-4)
    with pytest.raises(ValueError, match="undefined `axis` dimension"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="renorm"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, [None, 3]), renorm=True)


def test_train_op_with_update_ops_dependency():
    x = tf.placeholder(tf.float32, [None, 3])
    h = tf.layers.batch_normalization(tf.layers.dense(x, 4), training=True)
    loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1)))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    mm = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: RNG.standard_normal((8, 3)) + 2})
        assert np.abs(sess.run(mm)).sum() > 0


# -- oracle ---------------------------------------------------------------------------------------------------------


def _tf1_layers():
    import os

    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras")
    import tensorflow.compat.v1 as tf1

    tf1.disable_v2_behavior()
    return tf1


def _build_models(lib):
    x = lib.placeholder(lib.float32, [None, 8, 8, 1])
    c = lib.layers.conv2d(x, 4, 3, padding="same", activation=lib.nn.relu)
    p = lib.layers.max_pooling2d(c, 2, 2)
    t = lib.layers.conv2d_transpose(p, 2, 3, strides=2, padding="valid")
    b = lib.layers.batch_normalization(t, training=True)
    f = lib.layers.flatten(b)
    d = lib.layers.dropout(f, 0.5)
    h = lib.layers.dense(d, 6, activation=lib.nn.relu)
    h = lib.layers.dense(h, 3)
    v = lib.placeholder(lib.float32, [None, 4])
    b2 = lib.layers.batch_normalization(v, training=True)
    return x, v, [c, p, t, b, f, h, b2]


@pytest.mark.oracle
def test_oracle_layer_names_shapes_and_values():
    tf1 = _tf1_layers()
    xv = RNG.standard_normal((2, 8, 8, 1)).astype(np.float32)
    vv = RNG.standard_normal((5, 4)).astype(np.float32)
    with tf1.Graph().as_default():
        x, v, outs = _build_models(tf1)
        expected_vars = names_and_shapes(tf1.global_variables())
        expected_shapes = [o.shape.as_list() for o in outs]
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            values = sess.run(tf1.global_variables())
            expected = sess.run(outs, {x: xv, v: vv})
            sess.run(tf1.get_collection(tf1.GraphKeys.UPDATE_OPS), {x: xv, v: vv})
            expected_moving = sess.run([w for w in tf1.global_variables() if "moving" in w.name])
    x, v, outs = _build_models(tf)
    assert names_and_shapes(tf.global_variables()) == expected_vars
    assert [o.shape.as_list() for o in outs] == expected_shapes
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for var, value in zip(tf.global_variables(), values):
            var.load(value, sess)
        got = sess.run(outs, {x: xv, v: vv})
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), {x: xv, v: vv})
        got_moving = sess.run([w for w in tf.global_variables() if "moving" in w.name])
    for e, o in zip(expected, got):
        np.testing.assert_allclose(o, e, rtol=1e-4, atol=1e-5)
    for e, o in zip(expected_moving, got_moving):
        np.testing.assert_allclose(o, e, rtol=1e-5, atol=1e-6)


@pytest.mark.oracle
def test_oracle_dense_net_built_twice_and_reuse_names():
    tf1 = _tf1_layers()

    def build(lib):
        x = lib.placeholder(lib.float32, [None, 3])
        two_layer_net_with(lib, x)
        two_layer_net_with(lib, x)
        with lib.variable_scope("shared"):
            lib.layers.dense(x, 2, name="fc")
        with lib.variable_scope("shared", reuse=True):
            out = lib.layers.dense(x, 2, name="fc")
        return names_and_shapes(lib.global_variables()), out.name

    with tf1.Graph().as_default():
        expected = build(tf1)
    assert build(tf) == expected


def two_layer_net_with(lib, x):
    h = lib.layers.dense(x, 5, activation=lib.nn.relu)
    return lib.layers.dense(h, 2)
