"""tf.train.ExponentialMovingAverage (API.md §12.5): shadow names and initial values, the update formula with and
without num_updates, averaging after a training step, zero-debiased averages of tensors, average_name,
variables_to_restore, bad input, and (under -m oracle) TF1's values."""

import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf.ext import strict


def test_shadow_variables_names_and_initial_values():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    ema = tf.train.ExponentialMovingAverage(0.9)
    update = ema.apply([w, b])
    assert update.name == "ExponentialMovingAverage" and update.type == "NoOp"
    shadow = ema.average(w)
    assert shadow.op.name == "w/ExponentialMovingAverage"
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    assert not shadow.trainable and shadow in tf.global_variables()
    assert tf.moving_average_variables() == [w, b]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(shadow), [1.0, 2.0])


def test_update_formula_and_num_updates():
    w = tf.Variable([1.0, 2.0], name="w")
    step = tf.Variable(0, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
    update = ema.apply([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [3.0, 4.0]))
        sess.run(update)  # d = min(0.9, 1/10) = 0.1: shadow = s − 0.9·(s − w)
        np.testing.assert_allclose(sess.run(ema.average(w)), [2.8, 3.8], rtol=1e-6)
        sess.run(tf.assign(step, 100))
        sess.run(update)  # d = min(0.9, 101/110) = 0.9
        np.testing.assert_allclose(sess.run(ema.average(w)), [2.8 - 0.1 * (2.8 - 3.0), 3.8 - 0.1 * (3.8 - 4.0)],
                                   rtol=1e-6)


def test_average_after_the_training_step_in_one_run():
    w = tf.Variable(1.0, name="w")
    train = tf.train.GradientDescentOptimizer(0.25).minimize(w * w)  # w: 1 → 0.5
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([train]):
        train_and_average = ema.apply([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_and_average)
        assert sess.run(w) == 0.5
        assert sess.run(ema.average(w)) == pytest.approx(1.0 - 0.5 * (1.0 - 0.5))  # uses the updated w


def test_zero_debiased_average_of_a_tensor():
    w = tf.Variable([1.0, 2.0], name="w")
    t = tf.reduce_sum(w, name="total") * 2.0
    ema = tf.train.ExponentialMovingAverage(0.5, zero_debias=True, name="avg")
    update = ema.apply([t])
    shadow = ema.average(t)
    assert shadow.op.name == f"{t.op.name}/avg"
    names = {v.op.name for v in tf.global_variables()}
    assert {f"{t.op.name}/avg/biased", f"{t.op.name}/avg/local_step"} <= names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(shadow) == 0.0
        sess.run(update)
        assert sess.run(shadow) == pytest.approx(6.0)  # debiased: exactly the value after one update
        sess.run(tf.assign(w, [2.0, 2.0]))
        sess.run(update)  # biased = 0.25·6 + 0.5·8 = 5.5 over 1 − 0.25 → 7.333
        assert sess.run(shadow) == pytest.approx(5.5 / 0.75)


def test_variables_to_restore_maps_averages_and_keeps_the_rest():
    w = tf.Variable([1.0], name="w")
    step = tf.Variable(0, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.99)
    ema.apply([w])
    mapping = ema.variables_to_restore()
    assert mapping["w/ExponentialMovingAverage"] is w
    assert mapping["step"] is step
    assert "w" not in mapping
    assert ema.average_name(step) == "step/ExponentialMovingAverage"  # not averaged: the name it would get
    assert ema.average(step) is None


def test_bad_input():
    step = tf.Variable(0, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.9)
    with pytest.raises(TypeError, match="The variables must be half, float, or double: step:0"):
        ema.apply([step])


def test_single_variable_is_lenient_but_strict_mode_raises():
    w = tf.Variable([1.0], name="w")
    ema = tf.train.ExponentialMovingAverage(0.9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ema.apply(w)
    assert ema.average(w) is not None
    assert any(issubclass(c.category, DeprecationWarning) for c in caught) or "ema_single_variable" in strict._warned
    strict.set_strict(True)
    try:
        with pytest.raises(TypeError, match="not iterable"):
            ema.apply(w)
    finally:
        strict.set_strict(False)


@pytest.mark.oracle
def test_values_match_tf1(tf1):
    results = []
    for mod in (tf1, tf):
        g = mod.Graph()
        with g.as_default():
            w = mod.Variable([1.0, -2.0, 0.5], name="w")
            step = mod.Variable(0, trainable=False, name="step")
            ema = mod.train.ExponentialMovingAverage(0.95, num_updates=step)
            train = mod.train.GradientDescentOptimizer(0.1).minimize(mod.reduce_sum(w * w), global_step=step)
            with mod.control_dependencies([train]):
                op = ema.apply([w])
            with mod.Session(graph=g) as sess:
                sess.run(mod.global_variables_initializer())
                vals = []
                for _ in range(15):
                    sess.run(op)
                    vals.append(sess.run(ema.average(w)))
                results.append(np.array(vals))
    assert np.all(np.isfinite(results[0]))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)
