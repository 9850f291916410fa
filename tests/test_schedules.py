"""Learning-rate schedules (API.md §12.3): values against the formulas written in NumPy at many steps, with an int64
(and int32) global step variable, staircase/cycle variants, dtypes, bad input, and (under -m oracle) TF1's values."""

import math

import numpy as np
import pytest

import teachtf as tf

STEPS = [0, 1, 2, 5, 9, 10, 11, 25, 40, 100]


def values_over_steps(build, steps=STEPS, step_dtype="int64", mod=tf):
    """Runs the schedule `build(global_step)` with the step variable set to each of `steps`."""
    g = mod.Graph()
    with g.as_default():
        step = mod.Variable(0, dtype=step_dtype, trainable=False, name="global_step")
        lr = build(mod, step)
        set_step = mod.placeholder(step_dtype, [])
        assign = mod.assign(step, set_step)
        with mod.Session(graph=g) as sess:
            sess.run(mod.global_variables_initializer())
            out = []
            for s in steps:
                sess.run(assign, {set_step: s})
                out.append(sess.run(lr))
    return lr.dtype.base_dtype.name, np.array(out)


# Each case: (id, builder, NumPy reference of the step t).
CASES = [
    ("exponential", lambda m, s: m.train.exponential_decay(0.1, s, 10, 0.5),
     lambda t: 0.1 * 0.5 ** (t / 10)),
    ("exponential_staircase", lambda m, s: m.train.exponential_decay(0.1, s, 10, 0.5, staircase=True),
     lambda t: 0.1 * 0.5 ** (t // 10)),
    ("natural_exp", lambda m, s: m.train.natural_exp_decay(0.2, s, 5, 0.3),
     lambda t: 0.2 * math.exp(-0.3 * t / 5)),
    ("natural_exp_staircase", lambda m, s: m.train.natural_exp_decay(0.2, s, 5, 0.3, staircase=True),
     lambda t: 0.2 * math.exp(-0.3 * (t // 5))),
    ("inverse_time", lambda m, s: m.train.inverse_time_decay(0.5, s, 4, 0.25),
     lambda t: 0.5 / (1 + 0.25 * t / 4)),
    ("inverse_time_staircase", lambda m, s: m.train.inverse_time_decay(0.5, s, 4, 0.25, staircase=True),
     lambda t: 0.5 / (1 + 0.25 * (t // 4))),
    ("polynomial", lambda m, s: m.train.polynomial_decay(0.1, s, 20, end_learning_rate=0.01, power=2.0),
     lambda t: (0.1 - 0.01) * (1 - min(t, 20) / 20) ** 2 + 0.01),
    ("polynomial_default_end", lambda m, s: m.train.polynomial_decay(0.1, s, 20),
     lambda t: (0.1 - 0.0001) * (1 - min(t, 20) / 20) + 0.0001),
    ("polynomial_cycle", lambda m, s: m.train.polynomial_decay(0.1, s, 10, end_learning_rate=0.01, cycle=True),
     lambda t: (0.1 - 0.01) * (1 - t / (10 * max(1, math.ceil(t / 10)))) + 0.01),
    ("cosine", lambda m, s: m.train.cosine_decay(0.3, s, 40),
     lambda t: 0.3 * (0.5 * (1 + math.cos(math.pi * min(t, 40) / 40)))),
    ("cosine_alpha", lambda m, s: m.train.cosine_decay(0.3, s, 40, alpha=0.1),
     lambda t: 0.3 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(t, 40) / 40)) + 0.1)),
    ("linear_cosine", lambda m, s: m.train.linear_cosine_decay(0.3, s, 40),
     lambda t: 0.3 * ((0.0 + (40 - min(t, 40)) / 40) * 0.5 * (1 + math.cos(2 * math.pi * 0.5 * min(t, 40) / 40))
                      + 0.001)),
    ("piecewise", lambda m, s: m.train.piecewise_constant(s, [5, 10], [1.0, 0.5, 0.1]),
     lambda t: 1.0 if t <= 5 else (0.5 if t <= 10 else 0.1)),
]


def np_cosine_restarts(t, first=10, t_mul=2.0, m_mul=0.5, alpha=0.0):
    """SGDR written as a loop over periods: find the period containing t, then decay within it."""
    start, length, peak = 0.0, float(first), 1.0
    while t >= start + length:
        start += length
        length *= t_mul
        peak *= m_mul
    frac = (t - start) / length
    return 0.1 * ((1 - alpha) * 0.5 * peak * (1 + math.cos(math.pi * frac)) + alpha)


CASES.append(("cosine_restarts", lambda m, s: m.train.cosine_decay_restarts(0.1, s, 10, m_mul=0.5),
              np_cosine_restarts))
CASES.append(("cosine_restarts_tmul1", lambda m, s: m.train.cosine_decay_restarts(0.1, s, 10, t_mul=1.0),
              lambda t: np_cosine_restarts(t, t_mul=1.0, m_mul=1.0)))
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("case_id,build,reference", CASES, ids=IDS)
def test_schedule_values_against_numpy(case_id, build, reference):
    dtype, got = values_over_steps(build)
    assert dtype == "float32"
    np.testing.assert_allclose(got, [reference(t) for t in STEPS], rtol=2e-6, atol=1e-7)


def test_int32_step_and_float64_learning_rate():
    dtype, got = values_over_steps(lambda m, s: m.train.exponential_decay(m.constant(0.1, m.float64), s, 3, 0.9),
                                   step_dtype="int32")
    assert dtype == "float64"
    # As in TF1, the Python decay rate becomes a float32 constant before the cast to float64.
    np.testing.assert_allclose(got, [0.1 * float(np.float32(0.9)) ** (t / 3) for t in STEPS], rtol=1e-12)


def test_staircase_still_decays_in_steps():
    _, got = values_over_steps(lambda m, s: m.train.exponential_decay(1.0, s, 10, 0.5, staircase=True),
                               steps=[0, 9, 10, 19, 20])
    np.testing.assert_allclose(got, [1.0, 1.0, 0.5, 0.5, 0.25])


def test_schedule_names():
    step = tf.train.get_or_create_global_step()
    assert tf.train.exponential_decay(0.1, step, 10, 0.5).op.name == "ExponentialDecay"
    assert tf.train.exponential_decay(0.1, step, 10, 0.5, name="lr").op.name == "lr"
    assert tf.train.polynomial_decay(0.1, step, 10).op.name == "PolynomialDecay"
    assert tf.train.inverse_time_decay(0.1, step, 10, 0.5).op.name == "InverseTimeDecay"


def test_piecewise_constant_dtypes_and_errors():
    step64 = tf.Variable(0, dtype=tf.int64, trainable=False)
    lr = tf.train.piecewise_constant(step64, [3, 7], [0.1, 0.01, 0.001])  # int32 boundaries promoted
    assert lr.dtype == tf.float32
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less than the length of values"):
        tf.train.piecewise_constant(step64, [3, 7], [0.1, 0.01])
    with pytest.raises(ValueError, match=r"Boundaries \(float32\) must have the same dtype as x \(int64\)"):
        tf.train.piecewise_constant(step64, [3.0], [0.1, 0.01])
    with pytest.raises(ValueError, match=r"Values must have elements all with the same dtype \(float32 vs int32\)"):
        tf.train.piecewise_constant(step64, [3], [0.1, 1])


@pytest.mark.parametrize("fn", ["exponential_decay", "natural_exp_decay", "inverse_time_decay"])
def test_global_step_is_required(fn):
    with pytest.raises(ValueError, match=f"global_step is required for {fn}"):
        getattr(tf.train, fn)(0.1, None, 10, 0.5)


def test_required_step_for_the_others():
    for fn, args in [("polynomial_decay", (10,)), ("cosine_decay", (10,)), ("cosine_decay_restarts", (10,)),
                     ("linear_cosine_decay", (10,))]:
        with pytest.raises(ValueError, match=f"global_step is required for {fn}"):
            getattr(tf.train, fn)(0.1, None, *args)


def test_integer_learning_rate_rejected():
    step = tf.train.get_or_create_global_step()
    with pytest.raises(TypeError, match="learning_rate must be a floating-point"):
        tf.train.exponential_decay(1, step, 10, 0.5)


@pytest.mark.oracle
@pytest.mark.parametrize("case_id,build,reference", CASES, ids=IDS)
def test_schedule_values_match_tf1(case_id, build, reference, tf1):
    want_dtype, want = values_over_steps(build, mod=tf1)
    got_dtype, got = values_over_steps(build)
    assert got_dtype == want_dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
