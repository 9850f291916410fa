"""End-to-end training (issue 3, "Done means"): the classic line fit, a 1-10-1 tanh network on a noisy parabola,
and a gradient-penalty term that trains through second-order gradients."""

import numpy as np
import pytest

import teachtf as tf


def test_line_fit_converges_to_the_generating_line():
    # The first program of the TF1 getting-started guide.
    rng = np.random.default_rng(0)
    x_data = rng.random(100).astype(np.float32)
    y_data = x_data * 0.1 + 0.3
    tf.set_random_seed(1)
    w = tf.Variable(tf.random_uniform([1], -1.0, 1.0))
    b = tf.Variable(tf.zeros([1]))
    y = w * x_data + b
    loss = tf.reduce_mean(tf.square(y - y_data))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        first = sess.run(loss)
        for _ in range(201):
            sess.run(train)
        w_val, b_val, last = sess.run([w, b, loss])
    assert last < first
    assert w_val[0] == pytest.approx(0.1, abs=2e-3)
    assert b_val[0] == pytest.approx(0.3, abs=2e-3)


@pytest.mark.parametrize("optimizer", [
    lambda: tf.train.AdamOptimizer(0.02),
    lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    lambda: tf.train.RMSPropOptimizer(0.01),
], ids=["adam", "momentum", "rmsprop"])
def test_tanh_network_fits_a_noisy_parabola(optimizer):
    rng = np.random.default_rng(1)
    x_data = np.linspace(-1, 1, 200, dtype=np.float32)[:, None]
    y_data = (x_data ** 2 - 0.5 + rng.normal(0, 0.05, x_data.shape)).astype(np.float32)
    xs = tf.placeholder(tf.float32, [None, 1])
    ys = tf.placeholder(tf.float32, [None, 1])
    w1 = tf.Variable(rng.normal(0, 1, (1, 10)).astype(np.float32))
    b1 = tf.Variable(tf.zeros([1, 10]) + 0.1)
    hidden = tf.tanh(tf.matmul(xs, w1) + b1)
    w2 = tf.Variable(rng.normal(0, 1, (10, 1)).astype(np.float32))
    b2 = tf.Variable(tf.zeros([1, 1]) + 0.1)
    prediction = tf.matmul(hidden, w2) + b2
    loss = tf.reduce_mean(tf.reduce_sum(tf.square(ys - prediction), reduction_indices=[1]))
    train = optimizer().minimize(loss)
    feed = {xs: x_data, ys: y_data}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(1000):
            sess.run(train, feed)
        mse, pred = sess.run([loss, prediction], feed)
    assert mse < 0.01  # the noise alone contributes 0.0025
    np.testing.assert_allclose(pred, x_data ** 2 - 0.5, atol=0.2)


def test_gradient_penalty_trains_through_second_order_gradients():
    # L(a) = (a − 1)² + λ·mean((∂f/∂x)²) with f(x) = a·x², so ∂f/∂x = 2ax and the minimum is
    # a* = 1 / (1 + 4λ·mean(x²)). Reaching it requires differentiating the gradient ops.
    x_data = np.linspace(-1, 1, 21)
    lam = 0.5
    x = tf.placeholder(tf.float64, [21])
    a = tf.Variable(3.0, dtype=tf.float64)
    f = a * x * x
    (df_dx,) = tf.gradients(tf.reduce_sum(f), x)
    loss = tf.square(a - 1.0) + lam * tf.reduce_mean(tf.square(df_dx))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            sess.run(train, {x: x_data})
        a_val = sess.run(a)
    assert a_val == pytest.approx(1.0 / (1.0 + 4 * lam * np.mean(x_data ** 2)), rel=1e-6)


def test_wgan_style_gradient_norm_penalty_on_a_tanh_critic():
    # Only the penalty (‖∇ₓD(x)‖ − 1)² is trained: it must fall well below its start.
    rng = np.random.default_rng(2)
    x = tf.placeholder(tf.float32, [64, 2])
    w = tf.Variable(rng.normal(0, 2.0, (2, 16)).astype(np.float32))
    v = tf.Variable(rng.normal(0, 2.0, (16, 1)).astype(np.float32))
    critic = tf.matmul(tf.tanh(tf.matmul(x, w)), v)
    (grad_x,) = tf.gradients(critic, x)
    norm = tf.sqrt(tf.reduce_sum(tf.square(grad_x), axis=1) + 1e-12)
    penalty = tf.reduce_mean(tf.square(norm - 1.0))
    train = tf.train.AdamOptimizer(0.01).minimize(penalty)
    feed = {x: rng.normal(0, 1, (64, 2)).astype(np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        start = sess.run(penalty, feed)
        for _ in range(300):
            sess.run(train, feed)
        end = sess.run(penalty, feed)
    assert start > 1.0
    assert end < 0.01 * start
