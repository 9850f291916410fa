"""tf.cond, tf.case, group/no_op/tuple/identity, Print, check_numerics, Assert, assert_*, py_func (API.md §9)."""

import numpy as np
import pytest
from gradcheck import check_gradients

import teachtf as tf

# -- tf.cond ----------------------------------------------------------------------------------------------------------


def test_cond_picks_the_branch():
    x = tf.placeholder(tf.float32, [])
    r = tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0)
    assert r.op.name == "cond/Merge" and r.shape.ndims == 0
    with tf.Session() as sess:
        assert sess.run(r, {x: 3.0}) == 6.0 and sess.run(r, {x: -3.0}) == -4.0


def test_only_the_taken_branch_executes():
    x = tf.placeholder(tf.bool, [])
    v = tf.Variable(0)
    w = tf.Variable(0)
    r = tf.cond(x, lambda: tf.assign_add(v, 1), lambda: tf.assign_add(w, 1))
    with tf.Session() as sess:
        sess.run([v.initializer, w.initializer])
        sess.run(r, {x: True})
        sess.run(r, {x: True})
        sess.run(r, {x: False})
        assert (sess.run(v), sess.run(w)) == (2, 1)


def test_untaken_branch_may_read_uninitialized_state_and_fail_without_harm():
    p = tf.placeholder(tf.bool, [])
    never = tf.Variable(1.0, name="never_initialized")
    r = tf.cond(p, lambda: tf.constant(5.0), lambda: never.read_value() * 2.0)
    with tf.Session() as sess:
        assert sess.run(r, {p: True}) == 5.0
        with pytest.raises(tf.errors.FailedPreconditionError, match="never_initialized"):
            sess.run(r, {p: False})


def test_ops_created_outside_the_branch_functions_always_run():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)  # classic mistake: built outside, used inside a branch
    r = tf.cond(p, lambda: inc, lambda: tf.constant(0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(r, {p: False})
        assert sess.run(v) == 1


def test_cond_structures_strict_and_singletons():
    p = tf.constant(True)
    a, b = tf.cond(p, lambda: (tf.constant(1), tf.constant(2.0)), lambda: (tf.constant(3), tf.constant(4.0)))
    d = tf.cond(p, lambda: {"x": tf.constant(1)}, lambda: {"x": tf.constant(2)})
    single = tf.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)])
    strict = tf.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)], strict=True)
    op_result = tf.cond(p, lambda: tf.no_op(), lambda: tf.no_op())
    external = tf.constant(7.0)
    passthrough = tf.cond(p, lambda: external, lambda: 0.0)
    assert isinstance(single, tf.Tensor) and isinstance(strict, list)
    with tf.Session() as sess:
        assert sess.run([a, b]) == [1, 2.0]
        assert sess.run(d) == {"x": 1} and sess.run(single) == 1 and sess.run(strict) == [1]
        assert op_result.dtype is tf.bool and sess.run(passthrough) == 7.0


def test_cond_argument_errors():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(tf.constant(True), x, lambda: x)
    with pytest.raises(TypeError, match="Input 'pred' of 'Switch' Op has type float32"):
        tf.cond(x, lambda: x, lambda: x)
    with pytest.raises(ValueError, match="Shape must be rank 0"):
        tf.cond(tf.constant([True, False]), lambda: x, lambda: x)
    with pytest.raises(ValueError, match="Outputs of true_fn and false_fn must have the same type: float32, int32"):
        tf.cond(tf.constant(True), lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(ValueError, match="same number, type, and overall structure"):
        tf.cond(tf.constant(True), lambda: (x, x), lambda: x)


def test_cond_legacy_keywords_and_shapes():
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, fn1=lambda: tf.zeros([2, 3]), fn2=lambda: tf.ones([2, 4]))
    assert r.shape.as_list() == [2, None]
    with tf.Session() as sess:
        assert sess.run(r, {p: False}).shape == (2, 4)


def test_branch_only_tensors_cannot_be_fetched_when_untaken():
    p = tf.placeholder(tf.bool, [])
    inside = []

    def true_fn():
        t = tf.constant(3.0) * 2.0
        inside.append(t)
        return t

    r = tf.cond(p, true_fn, lambda: tf.constant(0.0))
    with tf.Session() as sess:
        assert sess.run([r, inside[0]], {p: True}) == [6.0, 6.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"):
            sess.run(inside[0], {p: False})


def test_nested_cond():
    x = tf.placeholder(tf.float32, [])
    r = tf.cond(x > 0, lambda: tf.cond(x > 10, lambda: x * 100.0, lambda: x * 10.0), lambda: -x)
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (20.0, 2.0, -2.0)] == [2000.0, 20.0, 2.0]


def test_cond_inside_control_dependencies_and_variables_created_in_branches():
    p = tf.placeholder(tf.bool, [])
    made = []

    def branch():
        v = tf.Variable(3.0, name="made_in_branch")
        made.append(v)
        return v.read_value()

    r = tf.cond(p, branch, lambda: tf.constant(0.0))
    with tf.Session() as sess:
        sess.run(made[0].initializer)
        assert sess.run(r, {p: True}) == 3.0 and sess.run(r, {p: False}) == 0.0


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["true-branch", "false-branch"])
def test_cond_gradients(sign):
    x0 = sign * np.array([0.5, 1.2, 0.7])
    y0 = np.array([0.3, -0.4, 2.0])

    def build(x, y):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x * y + tf.sin(x), lambda: x * 2.0 - y)

    assert check_gradients(build, x0, y0)


def test_nested_cond_gradients():
    def build(x):
        s = tf.reduce_sum(x)
        return tf.cond(s > 0, lambda: tf.cond(s > 10, lambda: x * x, lambda: x * 3.0), lambda: tf.exp(x))

    for x0 in ([1.0, 2.0], [6.0, 7.0], [-1.0, -2.0]):
        assert check_gradients(build, np.array(x0))


def test_gradient_of_unused_input_through_cond_is_zero_on_the_other_branch():
    x = tf.placeholder(tf.float32, [])
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: x * 3.0, lambda: tf.constant(1.0))
    (g,) = tf.gradients(r, [x])
    with tf.Session() as sess:
        assert sess.run(g, {x: 2.0, p: True}) == 3.0 and sess.run(g, {x: 2.0, p: False}) == 0.0


# -- tf.case -------------------------------------------------------------------------------------------------------


def test_case_first_true_predicate_wins():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(tf.less(x, 0), lambda: tf.constant(-1)), (tf.less(x, 10), lambda: tf.constant(1))],
                default=lambda: tf.constant(100))
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]


def test_case_without_default_requires_a_true_predicate():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(tf.less(x, 0), lambda: tf.constant(-1)), (tf.greater(x, 0), lambda: tf.constant(1))])
    with tf.Session() as sess:
        assert sess.run(r, {x: 3}) == 1 and sess.run(r, {x: -3}) == -1
        with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
            sess.run(r, {x: 0})


def test_case_exclusive_and_bad_pairs():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(tf.less(x, 5), lambda: tf.constant(1)), (tf.less(x, 10), lambda: tf.constant(2))],
                default=lambda: tf.constant(3), exclusive=True)
    with tf.Session() as sess:
        assert sess.run(r, {x: 7}) == 2
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True"):
            sess.run(r, {x: 1})
    with pytest.raises(TypeError, match="pred must be Tensor of type bool"):
        tf.case([(True, lambda: tf.constant(1))], default=lambda: tf.constant(0))


# -- group, no_op, tuple, identity, control_dependencies ------------------------------------------------------------


def test_group_runs_everything_and_no_op_does_nothing():
    v = tf.Variable(0)
    w = tf.Variable(0)
    g = tf.group(v.assign_add(1), [w.assign_add(2)], name="both")
    assert g.type == "NoOp" and g.name == "both" and len(g.control_inputs) == 2
    with tf.Session() as sess:
        sess.run([v.initializer, w.initializer])
        assert sess.run(g) is None
        assert (sess.run(v), sess.run(w)) == (1, 2)
        assert sess.run(tf.no_op()) is None


def test_identity_inside_control_dependencies_forces_order():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        y = tf.identity(v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(y) == 2.0


def test_tuple_waits_for_all():
    v = tf.Variable(0)
    inc = v.assign_add(1)
    a, b = tf.tuple([tf.constant(1), tf.constant(2)], control_inputs=[inc])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(a) == 1 and sess.run(v) == 1


# -- Print and numerics ---------------------------------------------------------------------------------------------


def test_print_writes_tf_format_to_stderr_and_returns_identity(capfd):
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    p = tf.Print(x, [x, tf.constant("s"), tf.constant(7), tf.constant([1.5, 2.5])], "msg: ")
    p2 = tf.Print(x, [x], summarize=10, first_n=2)
    assert p.op.type == "Print" and p.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(p), [[1, 2, 3], [4, 5, 6]])
        for _ in range(3):
            sess.run(p2)
    err = capfd.readouterr().err.splitlines()
    assert err == ["msg: [[1 2 3]...][s][7][1.5 2.5]", "[[1 2 3][4 5 6]]", "[[1 2 3][4 5 6]]"]


def test_summarize_array_format():
    from teachtf.ops.logging_ops import summarize_array

    assert summarize_array(np.arange(5), 3) == "0 1 2..."
    assert summarize_array(np.array(7), 3) == "7"
    assert summarize_array(np.array([True, False]), 3) == "1 0"
    assert summarize_array(np.float32([1 / 3, 0.1]), 3) == "0.333333343 0.1"
    assert summarize_array(np.arange(8).reshape(2, 2, 2), 3) == "[[0 1][2...]]..."


def test_print_gradient_passes_through():
    assert check_gradients(lambda x: tf.Print(x * x, [x], "x="), np.array([1.0, 2.0]))


def test_check_numerics():
    x = tf.placeholder(tf.float32)
    c = tf.check_numerics(x, "bad value")
    with tf.Session() as sess:
        assert sess.run(c, {x: 1.0}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad value : Tensor had NaN values"):
            sess.run(c, {x: np.nan})
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad value : Tensor had Inf values"):
            sess.run(c, {x: [1.0, np.inf]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf and NaN values"):
            sess.run(c, {x: [np.nan, -np.inf]})
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.check_numerics(tf.constant([1]), "ints")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_add_check_numerics_ops_names_the_first_bad_op():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.log(x, name="logx")
    z = tf.multiply(y, 0.0, name="times_zero")
    check = tf.add_check_numerics_ops()
    with tf.Session() as sess:
        sess.run([z, check], {x: 2.0})
        with pytest.raises(tf.errors.InvalidArgumentError, match="logx:0 : Tensor had Inf values"):
            sess.run([z, check], {x: 0.0})


def test_add_check_numerics_ops_refuses_control_flow():
    p = tf.placeholder(tf.bool, [])
    tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        tf.add_check_numerics_ops()


# -- Assert and assert_* ---------------------------------------------------------------------------------------------


def test_assert_op():
    x = tf.placeholder(tf.float32, [None])
    a = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x])
    assert a.type == "Assert" and a.name == "Assert/Assert"
    with tf.control_dependencies([a]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[x must be positive:\] \[1 -2 3...\]"):
            sess.run(y, {x: [1.0, -2.0, 3.0, 4.0]})


def test_assert_equal_runtime_and_static():
    p = tf.placeholder(tf.int32, name="p")
    ae = tf.assert_equal(p, 3)
    assert ae.type == "Assert"
    with tf.Session() as sess:
        sess.run(ae, {p: 3})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Condition x == y did not hold element-wise:\] "
                                                                 r"\[x \(p:0\) = \] \[4\]"):
            sess.run(ae, {p: 4})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold element-wise:\nx "):
        tf.assert_equal(tf.constant(2), 3)


@pytest.mark.parametrize("fn,good,bad", [
    (tf.assert_positive, [1.0, 2.0], [1.0, 0.0]),
    (tf.assert_negative, [-1.0], [0.0]),
    (tf.assert_non_negative, [0.0, 1.0], [-1.0]),
    (tf.assert_non_positive, [0.0, -1.0], [1.0]),
])
def test_sign_asserts(fn, good, bad):
    x = tf.placeholder(tf.float32, [None])
    check = fn(x, message="custom message")
    with tf.Session() as sess:
        sess.run(check, {x: good})
        with pytest.raises(tf.errors.InvalidArgumentError, match="custom message"):
            sess.run(check, {x: bad})


def test_comparison_and_static_asserts():
    x = tf.placeholder(tf.float32, [None])
    less = tf.assert_less(x, 5.0)
    with tf.Session() as sess:
        sess.run(less, {x: [1.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x < y"):
            sess.run(less, {x: [6.0]})
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.assert_rank(x, 2)
    tf.assert_rank(x, 1)
    with pytest.raises(TypeError, match="must be of type tf.int32"):
        tf.assert_type(x, tf.int32)
    with pytest.raises(TypeError, match="integer type"):
        tf.assert_integer(x)
    with pytest.raises(ValueError, match="Expected scalar"):
        tf.assert_scalar(x)


# -- py_func -----------------------------------------------------------------------------------------------------------


def test_py_func_runs_numpy_code():
    def f(a, b):
        assert isinstance(a, np.float32)
        return a * b, np.int32(3)

    r = tf.py_func(f, [tf.constant(2.0), tf.constant(3.0)], [tf.float32, tf.int32])
    single = tf.py_func(lambda a: a + 1, [tf.constant([1.0, 2.0])], tf.float32)
    assert isinstance(r, list) and r[0].op.type == "PyFunc" and r[0].shape.ndims is None
    with tf.Session() as sess:
        assert sess.run(r) == [6.0, 3]
        np.testing.assert_array_equal(sess.run(single), [2.0, 3.0])


def test_py_func_errors():
    wrong_type = tf.py_func(lambda a: 1.5, [tf.constant(2.0)], tf.int32)
    raises = tf.py_func(lambda a: 1 / 0, [tf.constant(2.0)], tf.float32)
    value_error = tf.py_func(lambda a: int("x"), [tf.constant(2.0)], tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="0-th value returned by pyfunc_\\d+ is float, but "
                                                                 "expects int32"):
            sess.run(wrong_type)
        with pytest.raises(tf.errors.UnknownError, match="ZeroDivisionError: division by zero"):
            sess.run(raises)
        with pytest.raises(tf.errors.InvalidArgumentError, match="ValueError"):
            sess.run(value_error)
    with pytest.raises(LookupError, match="No gradient defined"):
        x = tf.placeholder(tf.float32)
        tf.gradients(tf.py_func(lambda a: a, [x], tf.float32), x)


def test_stateless_py_func_and_tf_print(capfd):
    r = tf.py_func(lambda a: a * 2, [tf.constant(3)], tf.int32, stateful=False)
    assert r.op.type == "PyFuncStateless"
    p = tf.print("value:", tf.constant([1, 2]))
    with tf.Session() as sess:
        assert sess.run(r) == 6
        sess.run(p)
    assert capfd.readouterr().err.strip() == "value: [1 2]"


# -- tf.while_loop -----------------------------------------------------------------------------------------------


def test_while_loop_counts_and_names_its_outputs():
    i = tf.constant(0)
    r = tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])
    a, b = tf.while_loop(lambda a, b: a < 5, lambda a, b: (a + 1, b * 2.0), (tf.constant(0), tf.constant(1.0)))
    assert r.name == "while/Exit:0" and (a.name, b.name) == ("while_1/Exit:0", "while_1/Exit_1:0")
    with tf.Session() as sess:
        assert sess.run(r) == 10 and sess.run([a, b]) == [5, 32.0]


def test_while_loop_structures():
    import collections

    P = collections.namedtuple("P", "a b")
    p = tf.while_loop(lambda p: p.a < 3, lambda p: [P(p.a + 1, p.b * 2.0)], [P(tf.constant(0), tf.constant(1.0))])
    d = tf.while_loop(lambda d: d["n"] < 4, lambda d: [{"n": d["n"] + 2, "s": d["s"] + 1.0}],
                      [{"n": tf.constant(0), "s": tf.constant(0.0)}])
    same = tf.while_loop(lambda i: i < 3, lambda i: [i + 1], [tf.constant(0)], return_same_structure=True)
    assert isinstance(p, P) and isinstance(same, list)
    with tf.Session() as sess:
        assert sess.run(p) == P(3, 8.0) and sess.run(d) == {"n": 4, "s": 2.0} and sess.run(same) == [3]


def test_while_loop_shape_invariants_and_errors():
    x = tf.constant([1.0])
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1,\), but has shape \(2,\) after one "
                                         r"iteration.*shape_invariants"):
        tf.while_loop(lambda x: tf.reduce_sum(x) < 10, lambda x: tf.concat([x, x], 0), [x])
    grown = tf.while_loop(lambda x: tf.reduce_sum(x) < 10, lambda x: tf.concat([x, x], 0), [x],
                          shape_invariants=[tf.TensorShape([None])])
    assert grown.shape.as_list() == [None]
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(1, lambda i: i, [0])
    with pytest.raises(ValueError, match="scalar bool"):
        tf.while_loop(lambda i: tf.stack([i < 10, i < 3]), lambda i: i + 1, [1])
    with pytest.raises(ValueError, match="same structure"):
        tf.while_loop(lambda a, b: a < 10, lambda a, b: (a + 1,), [1, 2])
    with pytest.raises(TypeError, match="enters the loop as int32, but the body returns float32"):
        tf.while_loop(lambda i: i < 10, lambda i: tf.cast(i, tf.float32), [1])
    with tf.Session() as sess:
        assert sess.run(grown).tolist() == [1.0] * 16


def test_while_loop_maximum_iterations():
    r = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=5)
    a, b = tf.while_loop(lambda i, j: i < 100, lambda i, j: (i + 1, j * 2), [0, 1], maximum_iterations=5)
    assert r.name == "while/Exit_1:0"
    with tf.Session() as sess:
        assert sess.run(r) == 5 and sess.run([a, b]) == [5, 32]


def test_while_loop_captures_state_and_runs_stateful_ops_each_iteration():
    v = tf.Variable(0)
    x = tf.placeholder(tf.float32, [])

    def body(i, acc):
        with tf.control_dependencies([tf.assign_add(v, 1)]):
            return i + 1, acc + x

    _, acc = tf.while_loop(lambda i, acc: i < 4, body, [tf.constant(0), tf.constant(0.0)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(acc, {x: 2.5}) == 10.0 and sess.run(v) == 4


def test_while_loop_body_tensors_cannot_be_fetched():
    inside = []

    def body(i):
        j = i + 1
        inside.append(j)
        return j

    tf.while_loop(lambda i: i < 3, body, [tf.constant(0)])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="only has a value inside its tf.while_loop"):
            sess.run(inside[0])


def test_while_loop_gradients_backpropagate_through_time():
    w0 = np.array([0.5, -1.0, 2.0])

    def build(x, w):
        def body(k, h):
            return k + 1, tf.tanh(h * w + x)

        _, h = tf.while_loop(lambda k, h: k < 4, body, [tf.constant(0), tf.zeros_like(x)])
        return h

    assert check_gradients(build, np.array([0.1, 0.2, 0.3]), w0)


def test_while_loop_gradients_with_nested_loops_and_conds():
    def build(x):
        def outer_body(k, h):
            def inner_body(j, a):
                return j + 1, a * 0.5 + tf.sin(x)

            _, hh = tf.while_loop(lambda j, a: j < 2, inner_body, [tf.constant(0), h])
            hh = tf.cond(tf.reduce_sum(hh) > 1.0, lambda: hh * x, lambda: hh + x)
            return k + 1, hh

        return tf.while_loop(lambda k, h: k < 3, outer_body, [tf.constant(0), x])[1]

    assert check_gradients(build, np.array([0.3, 0.9]))
    assert check_gradients(build, np.array([-0.3, 0.1]))


def test_while_loop_gradient_reuses_the_forward_random_draws():
    x = tf.placeholder(tf.float64, [5])

    def body(k, h):
        return k + 1, h * tf.random_uniform([5], 0.5, 1.5, dtype=tf.float64)

    _, h = tf.while_loop(lambda k, h: k < 6, body, [tf.constant(0), x])
    (g,) = tf.gradients(tf.reduce_sum(h), [x])
    with tf.Session() as sess:
        hv, gv = sess.run([h, g], {x: np.ones(5)})
    np.testing.assert_allclose(gv, hv, rtol=1e-12)


def test_while_loop_inside_cond_and_without_back_prop():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [])
    r = tf.cond(p, lambda: tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x),
                                         [tf.constant(0), tf.constant(1.0)])[1], lambda: x)
    frozen = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a * x), [0, x], back_prop=False)[1]
    (g_r,) = tf.gradients(r, [x])
    assert tf.gradients(frozen, [x]) == [None]
    with tf.Session() as sess:
        assert sess.run(r, {p: True, x: 2.0}) == 8.0 and sess.run(r, {p: False, x: 2.0}) == 2.0
        assert sess.run(g_r, {p: True, x: 2.0}) == pytest.approx(12.0)
        assert sess.run(g_r, {p: False, x: 2.0}) == 1.0


# -- oracle ---------------------------------------------------------------------------------------------------------


def _loop_and_cond_program(lib):
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float64, [3], name="x")
        w = lib.constant([0.5, -1.0, 2.0], dtype=lib.float64, name="w")

        def body(k, h):
            h2 = lib.tanh(h * w + x)
            return k + 1, lib.cond(lib.reduce_sum(h2) > 0.5, lambda: h2 * 2.0, lambda: h2 - 1.0)

        k, h = lib.while_loop(lambda k, h: k < 4, body, [lib.constant(0), lib.zeros([3], lib.float64)])
        loss = lib.reduce_sum(h * h)
        grad = lib.gradients(loss, [x])[0]
        names = [k.name, h.name]
        with lib.Session(graph=g) as sess:
            vals = sess.run([loss, grad], {x: [0.1, -0.4, 0.3]})
    return names, vals


@pytest.mark.oracle
def test_while_and_cond_match_tensorflow(tf1):
    (ours_names, ours), (ref_names, ref) = _loop_and_cond_program(tf), _loop_and_cond_program(tf1)
    assert ours_names == ref_names
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-10)
