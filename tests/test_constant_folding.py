"""Constant folding in run plans: pure CPU ops on constants are computed once while planning, as TF's graph
optimiser does; anything random, stateful, failing, large or ordered by control edges still runs every time."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.client.plan import FOLD_MAX_ELEMENTS, build_plan


def _step_types(sess, fetches, feeds=()):
    return [st.op.type for st in build_plan(sess, fetches, tuple(feeds)).steps]


def test_constant_subgraph_is_computed_once_at_plan_time():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.reshape(tf.transpose(a) * 2.0 + 1.0, [4])
    x = tf.placeholder(tf.float32, [4])
    y = x * b
    with tf.Session() as sess:
        assert _step_types(sess, y, [x]) == ["Mul"]  # only the op that reads the feed is left
        np.testing.assert_array_equal(sess.run(y, {x: np.ones(4, np.float32)}), [3.0, 7.0, 5.0, 9.0])
        np.testing.assert_array_equal(sess.run(b), [3.0, 7.0, 5.0, 9.0])


def test_fetched_folded_value_is_a_copy():
    b = tf.constant([1.0, 2.0]) * 3.0
    with tf.Session() as sess:
        first = sess.run(b)
        first[:] = -1
        np.testing.assert_array_equal(sess.run(b), [3.0, 6.0])


def test_random_ops_are_never_folded():
    noisy = tf.random_uniform([50]) + 1.0
    dropped = tf.nn.dropout(tf.ones([200]), keep_prob=0.5)  # Dropout is not stateful, but draws numbers
    with tf.Session() as sess:
        assert "Dropout" in _step_types(sess, dropped)
        assert not np.array_equal(sess.run(noisy), sess.run(noisy))
        assert not np.array_equal(sess.run(dropped), sess.run(dropped))


def test_failing_constant_op_still_fails_at_run_time_with_its_name():
    params = tf.constant([1.0, 2.0, 3.0])
    bad = tf.gather(params, tf.constant([7]), name="lookup")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="lookup"):
            sess.run(bad)


def test_large_results_are_recomputed_rather_than_kept():
    n = FOLD_MAX_ELEMENTS + 1
    big = tf.range(n) * 2
    small = tf.range(10) * 2
    with tf.Session() as sess:
        assert "Mul" in _step_types(sess, big)
        assert "Mul" not in _step_types(sess, small)
        assert sess.run(big)[-1] == 2 * (n - 1)


def test_ops_with_control_inputs_are_not_folded():
    v = tf.Variable(0)
    bump = tf.assign_add(v, 1)
    with tf.control_dependencies([bump]):
        doubled = tf.constant(21) * 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(doubled) == 42
        assert sess.run(doubled) == 42
        assert sess.run(v) == 2  # the control edge ran the increment each time


def test_group_of_updates_runs_every_update():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    both = tf.group(tf.assign(a, 10.0), tf.assign(b, 20.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert "NoOp" not in _step_types(sess, both)  # the join point needs no step of its own
        sess.run(both)
        assert sess.run([a, b]) == [10.0, 20.0]
