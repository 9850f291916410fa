"""tf.map_fn, tf.scan, tf.foldl, tf.foldr: values against NumPy, static shapes, lengths known only at run time
(zero included), gradients in float64 with random cotangents, training through them, bad input, and (under
-m oracle) the same programs on TensorFlow 1.x."""

import numpy as np
import pytest

import teachtf as tf
from tests.gradcheck import check_gradients

X = np.arange(12.0).reshape(4, 3) / 10 - 0.5


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


# -- values and shapes ------------------------------------------------------------------------------------------------


def test_map_fn_applies_fn_to_each_row():
    x = tf.constant(X)
    y = tf.map_fn(lambda r: tf.reduce_sum(r * r) + r, x)
    assert y.shape.as_list() == [4, 3] and y.dtype == tf.float64
    want = np.stack([np.sum(r * r) + r for r in X])
    np.testing.assert_allclose(run(y), want)


def test_map_fn_with_nested_elems_and_another_output_dtype():
    x = tf.constant(X)
    k = tf.constant([2, 0, 1, 2])
    y = tf.map_fn(lambda t: (tf.gather(t[0], t[1]), tf.cast(t[1] * 10, tf.int64)), (x, k),
                  dtype=(tf.float64, tf.int64))
    picked, tens = run(y)
    np.testing.assert_allclose(picked, X[np.arange(4), [2, 0, 1, 2]])
    np.testing.assert_array_equal(tens, [20, 0, 10, 20])
    assert tens.dtype == np.int64


def test_map_fn_length_known_only_at_run_time_including_zero():
    p = tf.placeholder(tf.float32, [None, 3])
    y = tf.map_fn(lambda r: r[::-1] * 2.0, p)
    assert y.shape.as_list() == [None, 3]
    np.testing.assert_allclose(run(y, {p: X[:2]}), X[:2, ::-1] * 2, rtol=1e-6)
    empty = run(y, {p: np.zeros((0, 3))})
    assert empty.shape == (0, 3)


def test_map_fn_with_element_shape_unknown_until_run_time():
    p = tf.placeholder(tf.float32, [None, None])
    y = tf.map_fn(lambda r: tf.concat([r, r], 0), p)
    assert y.shape.as_list() == [None, None]
    np.testing.assert_allclose(run(y, {p: X[:3]}), np.concatenate([X[:3], X[:3]], 1), rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot stack zero elements"):
        run(y, {p: np.zeros((0, 2))})


def test_scan_cumulative_sum_with_and_without_initializer():
    x = tf.constant(X)
    np.testing.assert_allclose(run(tf.scan(lambda a, r: a + r, x)), np.cumsum(X, axis=0))
    y = tf.scan(lambda a, r: a * 0.5 + r, x, initializer=tf.ones([3], tf.float64))
    want, a = [], np.ones(3)
    for r in X:
        a = a * 0.5 + r
        want.append(a)
    np.testing.assert_allclose(run(y), want)


def test_scan_in_reverse_puts_each_result_at_its_elements_position():
    x = tf.constant(X)
    np.testing.assert_allclose(run(tf.scan(lambda a, r: a + r, x, reverse=True)),
                               np.cumsum(X[::-1], axis=0)[::-1])
    y = tf.scan(lambda a, r: a - r, x, initializer=tf.zeros([3], tf.float64), reverse=True)
    np.testing.assert_allclose(run(y), -np.cumsum(X[::-1], axis=0)[::-1])


def test_scan_with_a_nested_state_gives_nested_outputs():
    """The Fibonacci recurrence from TF1's documentation: state (a, b) → (b, a + b)."""
    elems = tf.constant(np.arange(6))
    fib = tf.scan(lambda state, _: (state[1], state[0] + state[1]), elems,
                  initializer=(tf.constant(0, tf.int64), tf.constant(1, tf.int64)))
    a, b = run(fib)
    np.testing.assert_array_equal(a, [1, 1, 2, 3, 5, 8])
    np.testing.assert_array_equal(b, [1, 2, 3, 5, 8, 13])


def test_foldl_and_foldr_fold_in_opposite_orders():
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    assert run(tf.foldl(lambda a, v: a * 10 + v, x)) == 1234.0
    assert run(tf.foldr(lambda a, v: a * 10 + v, x)) == 4321.0
    assert run(tf.foldl(lambda a, v: a - v, x, initializer=tf.constant(100.0))) == 90.0


def test_map_fn_over_a_batch_of_images_with_a_conv():
    """The lessons' use: a per-example function over a batch."""
    imgs = np.random.default_rng(0).standard_normal((3, 5, 5, 1))
    k = np.ones((3, 3, 1, 1))
    x = tf.constant(imgs)
    y = tf.map_fn(lambda im: tf.nn.conv2d(im[None], tf.constant(k), [1, 1, 1, 1], "VALID")[0], x)
    direct = tf.nn.conv2d(x, tf.constant(k), [1, 1, 1, 1], "VALID")
    got, want = run([y, direct])
    assert got.shape == (3, 3, 3, 1)
    np.testing.assert_allclose(got, want)


# -- gradients -----------------------------------------------------------------------------------------------------


def test_map_fn_gradient_wrt_elems_and_a_captured_tensor():
    check_gradients(lambda x, w: tf.map_fn(lambda r: tf.tanh(r * w) * tf.reduce_sum(r), x),
                    X, np.array([0.3, -1.2, 0.8]))


def test_scan_gradients_through_the_carried_state():
    check_gradients(lambda x, h0: tf.scan(lambda a, r: tf.tanh(a * 0.9 + r), x, initializer=h0),
                    X, np.array([0.1, 0.2, -0.3]))
    check_gradients(lambda x: tf.scan(lambda a, r: a * r, x, reverse=True), X + 1)


def test_fold_gradients():
    check_gradients(lambda x: tf.foldl(lambda a, r: tf.sin(a) + r * r, x), X)
    check_gradients(lambda x, a0: tf.foldr(lambda a, r: a * r, x, initializer=a0), X, np.array([1.0, 2.0, -1.0]))


def test_training_a_variable_used_inside_map_fn():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((20, 2)).astype(np.float32)
    target = data @ np.array([1.5, -2.0], np.float32)
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable([0.0, 0.0])
    pred = tf.map_fn(lambda r: tf.reduce_sum(r * w), x)
    loss = tf.reduce_mean(tf.square(pred - target))
    train = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(train, {x: data})
        np.testing.assert_allclose(sess.run(w), [1.5, -2.0], atol=1e-3)


def test_back_prop_false_gives_no_gradient_path():
    """As in TF1: the loop is not differentiated, so elems get no gradient (None)."""
    x = tf.constant(X)
    assert tf.gradients(tf.reduce_sum(tf.map_fn(lambda r: r * 2.0, x, back_prop=False)), [x]) == [None]
    assert tf.gradients(tf.foldl(lambda a, r: a + r, x, back_prop=False), [x]) == [None]
    assert tf.gradients(tf.reduce_sum(tf.map_fn(lambda r: r * 2.0, x)), [x]) != [None]


# -- bad input -------------------------------------------------------------------------------------------------------


def test_bad_arguments_are_named():
    x = tf.constant(X)
    with pytest.raises(TypeError, match="fn must be callable"):
        tf.map_fn(3, x)
    with pytest.raises(ValueError, match="1\\+ dimensional Tensors, not scalars"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
    with pytest.raises(ValueError, match="same first dimension; got 4 and 2"):
        tf.map_fn(lambda t: t[0], (x, tf.constant([1.0, 2.0])))
    with pytest.raises(TypeError, match="int32 tensor where float64 was expected.*pass dtype="):
        tf.map_fn(lambda r: tf.shape(r)[0], x)
    with pytest.raises(ValueError, match="same structure"):
        tf.map_fn(lambda r: (r, r), x)
    with pytest.raises(ValueError, match="same structure"):
        tf.scan(lambda a, r: (a, r), x)
    with pytest.raises(ValueError, match="enters the loop with shape"):
        tf.scan(lambda a, r: tf.concat([a, r], 0), x)


# -- against TensorFlow 1.x ----------------------------------------------------------------------------------------


def _program(lib):
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float64, [None, 3])
        w = lib.constant([0.5, -1.0, 2.0], dtype=lib.float64)
        m = lib.map_fn(lambda r: lib.tanh(r * w), x)
        s = lib.scan(lambda a, r: a * 0.5 + lib.sin(r), x, initializer=lib.ones([3], lib.float64))
        sr = lib.scan(lambda a, r: a * r, x, reverse=True)
        fl = lib.foldl(lambda a, r: a + r * r, x)
        fr = lib.foldr(lambda a, r: a * 0.9 - r, x, initializer=lib.zeros([3], lib.float64))
        loss = sum(lib.reduce_sum(t * t) for t in (m, s, sr, fl, fr))
        grads = lib.gradients(loss, [x, w])
        with lib.Session(graph=g) as sess:
            vals = sess.run([m, s, sr, fl, fr] + grads, {x: X + 0.7})
            shapes = [t.shape.as_list() for t in (m, s, sr, fl, fr)]
    return shapes, vals


@pytest.mark.oracle
def test_map_fn_scan_and_folds_match_tensorflow(tf1):
    (ours_shapes, ours), (ref_shapes, ref) = _program(tf), _program(tf1)
    assert ours_shapes == ref_shapes
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
