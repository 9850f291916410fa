"""In-place kernels: a dead, fresh buffer holds the next elementwise result; nothing anyone can see changes."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.ops.inplace import MIN_INPLACE_ELEMENTS

# Rows of 64 values: enough rows that a [ROWS, 64] buffer is big enough to be reused.
ROWS = MIN_INPLACE_ELEMENTS // 64


def _conv_bias_relu(x, w, b):
    return tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME") + b)


def _reference(x, w, b):
    with tf.Graph().as_default(), tf.Session() as sess:
        conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        return np.maximum(sess.run(conv) + b, 0)


def test_conv_bias_relu_reuses_the_conv_buffer_and_gives_the_same_values():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 32, 32, 3).astype(np.float32)  # the [2, 32, 32, 4] conv output is big enough to reuse
    w = rng.randn(3, 3, 3, 4).astype(np.float32)
    b = rng.randn(4).astype(np.float32)
    x_in = tf.placeholder(tf.float32, x.shape)  # fed, so the plan cannot fold the graph into a constant
    out = _conv_bias_relu(x_in, tf.constant(w), tf.constant(b))
    seen = {}
    plain = out.op._opdef.inplace
    add_inplace = out.op.inputs[0].op._opdef.inplace

    def spy_relu(ctx, positions, *a, **kw):
        seen["relu"] = (positions, a[0])
        return plain(ctx, positions, *a, **kw)

    def spy_add(ctx, positions, *a, **kw):
        seen["add"] = positions
        return add_inplace(ctx, positions, *a, **kw)

    out.op._opdef.inplace, out.op.inputs[0].op._opdef.inplace = spy_relu, spy_add
    try:
        with tf.Session() as sess:
            got = sess.run(out, {x_in: x})
    finally:
        out.op._opdef.inplace, out.op.inputs[0].op._opdef.inplace = plain, add_inplace
    np.testing.assert_allclose(got, _reference(x, w, b), rtol=1e-5, atol=1e-5)
    assert seen["add"] == (0,)  # the conv output, not the constant bias
    positions, relu_input = seen["relu"]
    assert positions == (0,)
    np.testing.assert_array_equal(relu_input, got)  # the ReLU wrote into the sum's buffer (it had negatives)
    assert (got == 0).any()


def _signed_rows():
    """A [ROWS, 64] float32 array with negatives, fed through a placeholder (so nothing is folded)."""
    value = (np.arange(ROWS * 64, dtype=np.float32) - ROWS * 32).reshape(ROWS, 64)
    return tf.placeholder(tf.float32, value.shape), value


def test_fetched_intermediate_is_not_overwritten():
    a, value = _signed_rows()
    m = tf.matmul(a, tf.constant(np.eye(64, dtype=np.float32)))
    r = tf.nn.relu(m)
    with tf.Session() as sess:
        mv, rv = sess.run([m, r], {a: value})
    np.testing.assert_array_equal(mv, value)
    np.testing.assert_array_equal(rv, np.maximum(value, 0))


def test_value_read_twice_is_not_overwritten():
    a, value = _signed_rows()
    m = tf.matmul(a, tf.constant(np.eye(64, dtype=np.float32)))
    total = tf.nn.relu(m) + m  # m is read by Relu and by the add
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(total, {a: value}), np.maximum(value, 0) + value)


@pytest.mark.parametrize("batch, offered", [(None, True), (2, False)])
def test_small_values_take_the_plain_kernel(batch, offered):
    """Below MIN_INPLACE_ELEMENTS a new buffer is cheaper than the checks: the fresh matmul output is kept. A
    statically small op is not even offered the in-place variant; one of unknown size checks at run time."""
    a = tf.placeholder(tf.float32, [batch, 3])
    m = tf.matmul(a, tf.constant(np.eye(3, dtype=np.float32)))
    r = tf.nn.relu(m)
    relu_inplace = r.op._opdef.inplace
    seen = {}

    def spy(ctx, positions, *args, **kw):
        out = relu_inplace(ctx, positions, *args, **kw)
        seen["same buffer"] = out is args[0]
        return out

    r.op._opdef.inplace = spy
    try:
        with tf.Session() as sess:
            got = sess.run(r, {a: -np.ones((2, 3), np.float32)})
    finally:
        r.op._opdef.inplace = relu_inplace
    np.testing.assert_array_equal(got, np.zeros((2, 3)))
    assert seen == ({"same buffer": False} if offered else {})


def test_feeds_variables_and_constants_are_never_written():
    x, fed = _signed_rows()
    v = tf.Variable(-fed)
    c = tf.constant(fed * 2)
    outs = [tf.nn.relu(x), tf.nn.relu(v), tf.nn.relu(c), x + 1.0, v * 2.0, tf.nn.bias_add(c, np.ones(64, np.float32))]
    kept = fed.copy()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):
            sess.run(outs, {x: fed})
        np.testing.assert_array_equal(fed, kept)
        np.testing.assert_array_equal(sess.run(v), -kept)
        np.testing.assert_array_equal(sess.run(c), kept * 2)


def test_broadcast_and_dtype_mismatches_fall_back_to_a_new_buffer():
    ones = tf.placeholder(tf.float32, [1, 2])
    row = tf.matmul(ones, tf.ones([2, MIN_INPLACE_ELEMENTS]))  # [1, n], fresh and big, but the sum is [4, n]
    big = tf.ones([4, MIN_INPLACE_ELEMENTS])
    as_int = tf.cast(big, tf.int32)
    with tf.Session() as sess:
        feed = {ones: np.ones((1, 2), np.float32)}
        np.testing.assert_array_equal(sess.run(row + big, feed), np.full((4, MIN_INPLACE_ELEMENTS), 3.0))
        np.testing.assert_array_equal(sess.run(big - row, feed), np.full((4, MIN_INPLACE_ELEMENTS), -1.0))
        np.testing.assert_array_equal(sess.run(tf.cast(row, tf.int32) + as_int, feed), 3)


def test_training_matches_across_runs_with_in_place_kernels():
    rng = np.random.RandomState(1)
    xs = rng.randn(16, 4).astype(np.float32)
    ys = rng.randn(16, 1).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    w1 = tf.Variable(rng.randn(4, 8).astype(np.float32))
    w2 = tf.Variable(rng.randn(8, 1).astype(np.float32))
    h = tf.nn.relu(tf.matmul(x, w1) + 0.1)
    loss = tf.reduce_mean(tf.square(tf.matmul(h, w2) - y))
    step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w1v, w2v = sess.run([w1, w2])
        for _ in range(3):
            sess.run(step, {x: xs, y: ys})
        got = sess.run(loss, {x: xs, y: ys})
    for _ in range(3):  # the same three steps in NumPy
        pre = xs @ w1v + 0.1
        hv = np.maximum(pre, 0)
        err = hv @ w2v - ys
        g_out = 2 * err / err.size
        g_w2 = hv.T @ g_out
        g_w1 = xs.T @ ((g_out @ w2v.T) * (pre > 0))
        w1v, w2v = w1v - 0.01 * g_w1, w2v - 0.01 * g_w2
    expected = np.mean(np.square(np.maximum(xs @ w1v + 0.1, 0) @ w2v - ys))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
