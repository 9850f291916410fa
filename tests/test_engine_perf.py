"""Engine fast paths keep behaviour: blocked Adam, prefilled constants, quiet float errors, BLAS thread limits."""

import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf import backend
from teachtf.train import training_ops


def _adam_reference(w, m, v, g, t, lr=0.01, b1=0.9, b2=0.999, eps=1e-8, nesterov=False):
    """TF1's ApplyAdam written plainly in float64 (one step, t = step number)."""
    alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    step = ((1 - b1) * g + b1 * m) if nesterov else m
    return w - alpha * step / (np.sqrt(v) + eps), m, v


@pytest.mark.parametrize("shape", [(), (7,), (300, 301)], ids=["scalar", "small", "many-blocks"])
def test_adam_matches_reference_for_any_block_count(shape):
    assert 300 * 301 > training_ops._BLOCK  # the last case spans several blocks
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    with tf.Graph().as_default():
        var = tf.Variable(w0)
        opt = tf.train.AdamOptimizer(0.01)
        train = opt.apply_gradients([(tf.constant(g), var)])
        m_slot = opt.get_slot(var, "m")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(var)
            sess.run(train)
            w1 = sess.run(var)
            sess.run(train)
            w2, m2 = sess.run([var, m_slot])
    w_ref, m_ref, v_ref = _adam_reference(w0.astype(np.float64), 0.0, 0.0, g.astype(np.float64), 1)
    np.testing.assert_allclose(w1, w_ref, rtol=1e-5, atol=1e-6)
    w_ref, m_ref, _ = _adam_reference(w_ref, m_ref, v_ref, g.astype(np.float64), 2)
    np.testing.assert_allclose(w2, w_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m2, m_ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(before, w0)  # an earlier fetch is not changed by later updates
    assert np.shape(w1) == shape and np.asarray(w1).dtype == np.float32


def test_adam_nesterov_blocked_update_matches_reference():
    rng = np.random.default_rng(2)
    n = training_ops._BLOCK + 5
    w0, g = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    with tf.Graph().as_default():
        var, m, v = tf.Variable(w0), tf.Variable(np.zeros(n, np.float32)), tf.Variable(np.zeros(n, np.float32))
        scalars = [tf.constant(np.float32(x)) for x in (0.9, 0.999, 0.01, 0.9, 0.999, 1e-8)]
        train = training_ops.apply_adam(var, m, v, *scalars, tf.constant(g), use_nesterov=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w1 = sess.run(train)
            assert sess.run(m).tolist() == pytest.approx((0.1 * g).tolist(), rel=1e-6)
    w_ref, _, _ = _adam_reference(w0.astype(np.float64), 0.0, 0.0, g.astype(np.float64), 1, nesterov=True)
    np.testing.assert_allclose(w1, w_ref, rtol=1e-5, atol=1e-6)


def test_blocks_cover_every_element_once():
    n = 3 * training_ops._BLOCK + 17
    covered = np.zeros(n, int)
    for sl in training_ops._blocks(np, n):
        covered[sl] += 1
    assert (covered == 1).all()
    assert training_ops._blocks(np, 0) == [slice(0, 0)]


def test_cpu_constants_get_no_step_but_keep_their_values():
    with tf.Graph().as_default():
        a = tf.constant([1.0, 2.0], name="a")
        y = a * tf.constant(3.0) + 1.0
        with tf.Session() as sess:
            assert sess.run(y).tolist() == [4.0, 7.0]
            assert sess.run(y).tolist() == [4.0, 7.0]  # the prefilled slots survive a run
            assert sess.run(a).tolist() == [1.0, 2.0]
            plan = next(iter(sess._plans.values()))
            assert all(st.op.type != "Const" for st in plan.steps)
            assert sum(v is not None for v in plan.initial) >= 1


def test_constants_with_control_inputs_or_inside_cond_keep_their_steps():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        v = tf.Variable(0.0)
        inc = tf.assign_add(v, 1.0)
        with tf.control_dependencies([inc]):
            after = tf.constant(5.0, name="after")
        picked = tf.cond(x > 0, lambda: tf.constant(1.0), lambda: tf.constant(-1.0))
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(after) == 5.0
            assert sess.run(v) == 1.0  # the control input still ran
            assert any(st.op.name == "after" for plan in sess._plans.values() for st in plan.steps)
            assert sess.run(picked, {x: 2.0}) == 1.0
            assert sess.run(picked, {x: -2.0}) == -1.0


def test_runs_print_no_numpy_float_warnings_and_restore_error_state():
    state = np.geterr()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.log(x) / x
        with tf.Session() as sess, warnings.catch_warnings():
            warnings.simplefilter("error")
            out = sess.run(y, {x: [0.0, 1.0]})
    assert out[0] == -np.inf and out[1] == 0.0
    assert np.geterr() == state


def test_blas_threads_limited_for_small_matmuls_and_restored_after_a_run():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = threadpoolctl.ThreadpoolController().select(user_api="blas")
    default = max((lib.num_threads for lib in blas.lib_controllers), default=1)
    backend.cpu_matmul_threads(10)
    expected_small = 1 if backend._blas_threads[0] is not None else default
    assert backend._blas_threads[2] == expected_small
    backend.cpu_matmul_threads(backend.SMALL_MATMUL_MACS)
    assert backend._blas_threads[2] == (default if default > backend._FEW_CORES else expected_small)
    with tf.Graph().as_default():
        a = tf.constant(np.ones((4, 3), np.float32))
        b = tf.placeholder(tf.float32, [3, 2])
        with tf.Session() as sess:
            out = sess.run(tf.matmul(a, b), {b: np.full((3, 2), 2.0, np.float32)})
    np.testing.assert_array_equal(out, np.full((4, 2), 6.0, np.float32))
    assert max(lib.num_threads for lib in threadpoolctl.ThreadpoolController().select(
        user_api="blas").lib_controllers) == default


@pytest.mark.parametrize("value,shape", [(np.float32(2.5), [3, 2]), (np.array([[7]], np.int32), [2, 1, 4]),
                                         (np.array([1.0, 2.0], np.float64), [3, 2])])
def test_broadcast_to_values_for_fill_and_view_paths(value, shape):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.as_dtype(np.asarray(value).dtype))
        y = tf.broadcast_to(x, shape)
        with tf.Session() as sess:
            out = sess.run(y, {x: value})
    expected = np.broadcast_to(np.asarray(value), shape)
    assert out.shape == tuple(shape) and out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


def test_broadcast_to_of_one_value_into_fewer_dims_still_fails():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32)
        y = tf.broadcast_to(x, [2])
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(y, {x: np.ones((1, 1), np.float32)})
