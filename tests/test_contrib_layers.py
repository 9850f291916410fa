"""tf.contrib.layers and slim (API.md §3.7, §14): variable names and collections, TF1 defaults (ReLU,
'SAME', stride-2 'VALID' pooling, no gamma in batch_norm), values against NumPy, initializers,
regularizers and arg_scope."""

import numpy as np
import pytest

import teachtf as tf

layers = tf.contrib.layers
RNG = np.random.default_rng(11)


def names_and_shapes(variables):
    return [(v.name, v.shape.as_list()) for v in variables]


def run(t, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(t, feed)


def mnist_cnn(x):
    net = layers.conv2d(x, 32, 5)
    net = layers.max_pool2d(net, 2)
    net = layers.conv2d(net, 64, [5, 5])
    net = layers.max_pool2d(net, [2, 2])
    net = layers.flatten(net)
    net = layers.fully_connected(net, 1024)
    net = layers.dropout(net, keep_prob=0.5)
    return layers.fully_connected(net, 10, activation_fn=None)


def test_conv_net_variable_names_shapes_and_collections():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    logits = mnist_cnn(x)
    expected = [("Conv/weights:0", [5, 5, 1, 32]), ("Conv/biases:0", [32]),
                ("Conv_1/weights:0", [5, 5, 32, 64]), ("Conv_1/biases:0", [64]),
                ("fully_connected/weights:0", [3136, 1024]), ("fully_connected/biases:0", [1024]),
                ("fully_connected_1/weights:0", [1024, 10]), ("fully_connected_1/biases:0", [10])]
    assert names_and_shapes(tf.global_variables()) == expected
    assert names_and_shapes(tf.model_variables()) == expected
    assert names_and_shapes(tf.trainable_variables()) == expected
    assert logits.shape.as_list() == [None, 10] and logits.op.name == "fully_connected_1/BiasAdd"
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("Conv/Relu").type == "Relu"  # ReLU by default
    assert graph.get_operation_by_name("fully_connected/Relu").type == "Relu"
    assert graph.get_operation_by_name("MaxPool2D/MaxPool").type == "MaxPool"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(logits, {x: np.zeros((2, 28, 28, 1))}).shape == (2, 10)


def test_fully_connected_values_loop_scope_and_reuse():
    xv = RNG.standard_normal((3, 4)).astype(np.float32)
    x = tf.constant(xv)
    y = layers.fully_connected(x, 2)
    w, b = tf.global_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wv, bv, out = sess.run([w, b, y])
    np.testing.assert_allclose(out, np.maximum(xv @ wv + bv, 0), rtol=1e-5)
    for _ in range(2):
        layers.fully_connected(x, 2)  # no reuse: a new weight set each time
    assert [v.name for v in tf.global_variables()][-2:] == ["fully_connected_2/weights:0",
                                                            "fully_connected_2/biases:0"]
    layers.fully_connected(x, 3, scope="head")
    layers.fully_connected(x, 3, scope="head", reuse=True)
    assert sum(v.name.startswith("head/") for v in tf.global_variables()) == 2
    with pytest.raises(ValueError, match="num_outputs should be int"):
        layers.fully_connected(x, 2.5)


def test_fully_connected_normalizer_means_no_bias():
    x = tf.placeholder(tf.float32, [None, 4])
    layers.fully_connected(x, 3, normalizer_fn=layers.batch_norm, normalizer_params={"is_training": True})
    assert [v.name for v in tf.global_variables()] == [
        "fully_connected/weights:0", "fully_connected/BatchNorm/beta:0", "fully_connected/BatchNorm/moving_mean:0",
        "fully_connected/BatchNorm/moving_variance:0"]


def test_conv2d_stride_rate_padding_and_bad_input():
    x = tf.placeholder(tf.float32, [None, 9, 9, 3])
    assert layers.conv2d(x, 4, 3, stride=2).shape.as_list() == [None, 5, 5, 4]  # SAME
    assert layers.conv2d(x, 4, [3, 1], padding="VALID").shape.as_list() == [None, 7, 9, 4]
    assert layers.conv2d(x, 4, 3, rate=2, padding="VALID").shape.as_list() == [None, 5, 5, 4]
    assert layers.convolution2d is layers.conv2d
    with pytest.raises(ValueError, match="Only one of rate or stride"):
        layers.conv2d(x, 4, 3, stride=2, rate=2)
    with pytest.raises(ValueError, match="rank 4"):
        layers.conv2d(tf.placeholder(tf.float32, [None, 9, 3]), 4, 3)


def test_conv2d_transpose_names_and_sizes():
    x = tf.placeholder(tf.float32, [None, 4, 4, 8])
    y = layers.conv2d_transpose(x, 3, 3, stride=2)
    y2 = layers.conv2d_transpose(x, 3, [3, 3], stride=2, padding="VALID", activation_fn=None)
    assert names_and_shapes(tf.global_variables())[:2] == [("Conv2d_transpose/weights:0", [3, 3, 3, 8]),
                                                          ("Conv2d_transpose/biases:0", [3])]
    assert tf.global_variables()[2].name == "Conv2d_transpose_1/weights:0"
    assert y.shape.as_list() == [None, 8, 8, 3] and y2.shape.as_list() == [None, 9, 9, 3]


def test_pooling_defaults_and_flatten():
    xv = RNG.standard_normal((1, 7, 7, 2)).astype(np.float32)
    mp = layers.max_pool2d(xv, 2)  # stride 2, VALID: 7 → 3
    ap = layers.avg_pool2d(xv, [3, 3], stride=[1, 1], padding="SAME")
    assert mp.shape.as_list() == [1, 3, 3, 2] and ap.shape.as_list() == [1, 7, 7, 2]
    np.testing.assert_allclose(run(mp), xv[:, :6, :6].reshape(1, 3, 2, 3, 2, 2).max(axis=(2, 4)), rtol=1e-6)
    assert ap.op.name == "AvgPool2D/AvgPool"
    f = layers.flatten(tf.placeholder(tf.float32, [None, 3, 4]))
    assert f.shape.as_list() == [None, 12]
    with pytest.raises(ValueError, match="at least 2 dimensions|a least 2 dimensions"):
        layers.flatten(tf.placeholder(tf.float32, [5]))


def test_dropout_is_training_by_default():
    x = np.ones((50, 40), np.float32)
    out = run(layers.dropout(x))
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(run(layers.dropout(x, 0.3, is_training=False)), x)
    flag = tf.placeholder(tf.bool, [])
    y = layers.dropout(x, 0.5, is_training=flag)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {flag: False}), x)


# -- batch_norm and layer_norm ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,axes", [((6, 3), (0,)), ((2, 3, 3, 3), (0, 1, 2))])
def test_batch_norm_defaults_updates_and_bessel(shape, axes):
    xv = RNG.standard_normal(shape).astype(np.float32) * 2 + 3
    y = layers.batch_norm(tf.constant(xv))
    assert names_and_shapes(tf.global_variables()) == [
        ("BatchNorm/beta:0", [3]), ("BatchNorm/moving_mean:0", [3]), ("BatchNorm/moving_variance:0", [3])]
    assert len(tf.model_variables()) == 3 and [v.name for v in tf.trainable_variables()] == ["BatchNorm/beta:0"]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, _ = sess.run([y, updates])
        mm, mv = sess.run(tf.global_variables()[1:])
    mean, var = xv.mean(axis=axes), xv.var(axis=axes)
    n = xv.size // 3
    np.testing.assert_allclose(out, (xv - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mm, 0.001 * mean, rtol=1e-4)
    np.testing.assert_allclose(mv, 0.999 + 0.001 * var * n / (n - 1), rtol=1e-6)


def test_batch_norm_in_place_updates_scale_and_inference():
    xv = RNG.standard_normal((4, 2)).astype(np.float32) + 1
    y = layers.batch_norm(tf.constant(xv), scale=True, decay=0.5, updates_collections=None,
                          param_initializers={"gamma": tf.constant_initializer(2.0)})
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    assert "BatchNorm/gamma:0" in [v.name for v in tf.global_variables()]
    mm = tf.global_variables()[2]
    assert mm.name == "BatchNorm/moving_mean:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
        np.testing.assert_allclose(sess.run(mm), 0.5 * xv.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), [2.0, 2.0], rtol=1e-2)
    inference = layers.batch_norm(tf.constant(xv), is_training=False, scope="eval")
    np.testing.assert_allclose(run(inference), xv / np.sqrt(1 + 1e-3), rtol=1e-5)


def test_batch_norm_is_training_tensor():
    xv = RNG.standard_normal((6, 2)).astype(np.float32) + 4
    flag = tf.placeholder(tf.bool, [])
    y = layers.batch_norm(tf.constant(xv), is_training=flag, decay=0.9)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    mm = tf.global_variables()[1]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([y, updates], {flag: False})
        np.testing.assert_array_equal(sess.run(mm), [0, 0])
        sess.run([y, updates], {flag: True})
        np.testing.assert_allclose(sess.run(mm), 0.1 * xv.mean(axis=0), rtol=1e-5)


def test_layer_norm():
    xv = RNG.standard_normal((3, 2, 4)).astype(np.float32)
    y = layers.layer_norm(tf.constant(xv))
    assert names_and_shapes(tf.global_variables()) == [("LayerNorm/beta:0", [4]), ("LayerNorm/gamma:0", [4])]
    mean = xv.mean(axis=(1, 2), keepdims=True)
    var = xv.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(run(y), (xv - mean) / np.sqrt(var + 1e-12), rtol=1e-4, atol=1e-5)


# -- initializers ---------------------------------------------------------------------------------------------------


def test_xavier_uniform_and_normal():
    w = tf.get_variable("w", [200, 300], initializer=layers.xavier_initializer(seed=1))
    wn = tf.get_variable("wn", [200, 300], initializer=layers.xavier_initializer(uniform=False, seed=2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        u, n = sess.run([w, wn])
    limit = np.sqrt(6.0 / 500)
    assert np.abs(u).max() <= limit and np.abs(u).max() > 0.99 * limit
    assert u.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    stddev = np.sqrt(1.3 * 2.0 / 500)  # √(1.3·factor/n), truncated at 2σ
    assert np.abs(n).max() <= 2 * stddev
    assert n.std() == pytest.approx(np.sqrt(2.0 / 500), rel=0.05)


def test_variance_scaling_initializer_fans_and_errors():
    init = layers.variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=True, seed=3)
    k = tf.get_variable("k", [3, 3, 16, 8], initializer=init)
    kv = run(k)
    limit = np.sqrt(3.0 * 2.0 / (3 * 3 * 16))  # fan_in = kh·kw·in
    assert np.abs(kv).max() <= limit and np.abs(kv).max() > 0.95 * limit
    with pytest.raises(TypeError, match="Unknown mode"):
        layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating point"):
        layers.xavier_initializer(dtype=tf.int32)


# -- regularizers ---------------------------------------------------------------------------------------------------


def test_regularizer_formulas():
    wv = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    w = tf.constant(wv)
    assert run(layers.l2_regularizer(0.1)(w)) == pytest.approx(0.1 * (wv ** 2).sum() / 2)  # halved
    assert run(layers.l1_regularizer(0.2)(w)) == pytest.approx(0.2 * np.abs(wv).sum())
    both = layers.l1_l2_regularizer(0.2, 0.1)(w)
    assert run(both) == pytest.approx(0.2 * np.abs(wv).sum() + 0.05 * (wv ** 2).sum())
    assert layers.l2_regularizer(0.0)(w) is None
    assert layers.sum_regularizer([None]) is None
    with pytest.raises(ValueError, match="integer"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        layers.l1_regularizer(-0.5)


def test_weights_regularizer_and_apply_regularization():
    x = tf.placeholder(tf.float32, [None, 3])
    layers.fully_connected(x, 2, weights_regularizer=layers.l2_regularizer(0.5),
                           weights_initializer=tf.constant_initializer(1.0))
    (reg,) = tf.losses.get_regularization_losses()
    assert run(reg) == pytest.approx(0.5 * 6 / 2)
    w = tf.get_variable("extra", initializer=np.array([3.0, 4.0], np.float32))
    total = layers.apply_regularization(layers.l1_regularizer(1.0), [w])
    assert total in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert run(total) == pytest.approx(7.0)
    with pytest.raises(ValueError, match="No weights to regularize"):
        layers.apply_regularization(layers.l1_regularizer(1.0))


# -- arg_scope and slim ---------------------------------------------------------------------------------------------


def test_arg_scope_defaults_nesting_and_override():
    slim = tf.contrib.slim
    assert slim.conv2d is layers.conv2d and slim.arg_scope is layers.arg_scope
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.elu, padding="VALID") as sc:
        a = slim.conv2d(x, 4, 3)
        with slim.arg_scope([slim.conv2d], activation_fn=None):
            b = slim.conv2d(x, 4, 3)
        c = slim.conv2d(x, 4, 3, activation_fn=tf.nn.sigmoid)
    with slim.arg_scope(sc):
        d = slim.conv2d(x, 4, 3)
    e = slim.conv2d(x, 4, 3)
    assert a.op.type == "Elu" and a.shape.as_list() == [None, 6, 6, 4]
    assert b.op.type == "BiasAdd" and c.op.type == "Sigmoid" and d.op.type == "Elu"
    assert e.op.type == "Relu" and e.shape.as_list() == [None, 8, 8, 4]
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with slim.arg_scope([tf.nn.relu], alpha=1):
            pass


def test_slim_repeat_stack_and_variable_helpers():
    slim = tf.contrib.slim
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    net = slim.repeat(x, 2, slim.conv2d, 4, [3, 3], scope="conv1")
    net = slim.stack(slim.flatten(net), slim.fully_connected, [16, 8], scope="fc")
    assert net.shape.as_list() == [None, 8]
    assert [v.name for v in slim.get_model_variables("conv1")] == [
        "conv1/conv1_1/weights:0", "conv1/conv1_1/biases:0", "conv1/conv1_2/weights:0", "conv1/conv1_2/biases:0"]
    assert [v.name for v in slim.get_variables("fc/fc_2")] == ["fc/fc_2/weights:0", "fc/fc_2/biases:0"]


def test_legacy_import_path():
    from teachtf.contrib.layers.python.layers import batch_norm, fully_connected

    assert batch_norm is layers.batch_norm and fully_connected is layers.fully_connected


# -- optimize_loss --------------------------------------------------------------------------------------------------


def test_optimize_loss_trains_runs_update_ops_and_steps():
    xv = RNG.standard_normal((32, 3)).astype(np.float32)
    x = tf.constant(xv)
    target = tf.constant(xv @ np.array([[1.0], [-2.0], [0.5]], np.float32))
    h = layers.batch_norm(x, is_training=True)
    pred = layers.fully_connected(h, 1, activation_fn=None)
    loss = tf.losses.mean_squared_error(target, pred)
    step = tf.train.get_or_create_global_step()
    train = layers.optimize_loss(loss, step, 0.1, "Adam", clip_gradients=10.0)
    assert "OptimizeLoss/learning_rate:0" in [v.name for v in tf.global_variables()]
    assert len(tf.get_collection(tf.GraphKeys.SUMMARIES)) == 3
    mm = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(train)
        for _ in range(150):
            last = sess.run(train)
        assert last < 0.05 * first
        assert sess.run(step) == 151
        assert np.abs(sess.run(mm)).sum() > 0  # UPDATE_OPS ran before the loss


def test_optimize_loss_bad_input():
    w = tf.Variable(1.0)
    loss = tf.square(w)
    with pytest.raises(ValueError, match="Optimizer name should be one of"):
        layers.optimize_loss(loss, None, 0.1, "Sgd")
    with pytest.raises(ValueError, match="Learning rate is None"):
        layers.optimize_loss(loss, None, None, "SGD")
    with pytest.raises(ValueError, match="Expected scalar shape"):
        layers.optimize_loss(tf.stack([loss, loss]), None, 0.1, "SGD")
    with pytest.raises(ValueError, match="Summaries should be one of"):
        layers.optimize_loss(loss, None, 0.1, "SGD", summaries=["weights"])


@pytest.mark.oracle
def test_oracle_regularizer_and_initializer_formulas(tf1):
    wv = RNG.standard_normal((5, 4)).astype(np.float32)
    with tf1.Graph().as_default(), tf1.Session() as sess:
        l2 = sess.run(0.3 * tf1.nn.l2_loss(wv))
        glorot = sess.run(tf1.glorot_uniform_initializer(seed=1)([400, 100]))
    assert run(layers.l2_regularizer(0.3)(tf.constant(wv))) == pytest.approx(l2, rel=1e-6)
    ours = run(tf.get_variable("g", [400, 100], initializer=layers.xavier_initializer(seed=1)))
    assert np.abs(ours).max() == pytest.approx(np.abs(glorot).max(), rel=0.01)  # the same U(±√(6/500))
