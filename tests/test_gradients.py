"""tf.gradients (API.md §11): sums over ys, grad_ys seeds, only paths between ys and xs, None/zeros for
unconnected xs, stop_gradients and tf.stop_gradient, scope names, second order and hessians, RegisterGradient
with gradient_override_map, multi-output ops, integer/bool tensors, aggregation, bad input; and the gradient
checker tf.test.compute_gradient / compute_gradient_error."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.gradients import UnconnectedGradients

RNG = np.random.default_rng(7)
W_FOR_ORACLE = np.random.default_rng(8).standard_normal((3, 4))


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def grad_op_names():
    return [op.name for op in tf.get_default_graph().get_operations() if op.name.startswith("gradients")]


# -- what is differentiated ---------------------------------------------------------------------------------------


def test_gradient_of_a_product_against_numpy():
    xv, wv = RNG.standard_normal(3), RNG.standard_normal(3)
    x = tf.placeholder(tf.float64, [3])
    w = tf.Variable(wv, name="w")
    y = tf.reduce_sum(x * w) + tf.reduce_sum(w * w)
    gx, gw = tf.gradients(y, [x, w])
    vx, vw = run([gx, gw], {x: xv})
    np.testing.assert_allclose(vx, wv)
    np.testing.assert_allclose(vw, xv + 2 * wv)


def test_single_x_returns_a_list_and_several_ys_add():
    x = tf.placeholder(tf.float32, [2])
    g = tf.gradients([x * 2.0, x * x], x)
    assert isinstance(g, list) and len(g) == 1
    np.testing.assert_allclose(run(g[0], {x: [1.0, 3.0]}), [2 + 2, 2 + 6])


def test_shared_node_gradients_accumulate_with_add_n():
    x = tf.placeholder(tf.float32, [])
    h = x * 3.0
    y = h * h + h  # h has two consumers
    (g,) = tf.gradients(y, x)
    assert run(g, {x: 2.0}) == pytest.approx(3 * (2 * 6 + 1))
    assert any(n.startswith("gradients/AddN") for n in grad_op_names())


def test_grad_ys_seed_each_y():
    x = tf.placeholder(tf.float32, [2])
    y1, y2 = x * 2.0, x * x
    (g,) = tf.gradients([y1, y2], x, grad_ys=[tf.constant([1.0, 10.0]), [0.5, 0.5]])
    np.testing.assert_allclose(run(g, {x: [1.0, 2.0]}), [2 * 1 + 2 * 1 * 0.5, 2 * 10 + 2 * 2 * 0.5])
    # None in grad_ys means the default ones for that y.
    (g2,) = tf.gradients([y1, y2], x, grad_ys=[None, [3.0, 3.0]])
    np.testing.assert_allclose(run(g2, {x: [1.0, 2.0]}), [2 + 6, 2 + 12])


def test_gradient_w_r_t_an_intermediate_x_and_its_input():
    x = tf.placeholder(tf.float32, [])
    h = x * 2.0
    y = h * h
    gx, gh = tf.gradients(y, [x, h])
    assert run([gx, gh], {x: 1.5}) == [pytest.approx(8 * 1.5), pytest.approx(2 * 3.0)]


def test_only_paths_between_ys_and_xs_are_differentiated():
    x = tf.placeholder(tf.float32, [3], name="x")
    c = tf.placeholder(tf.float32, [3], name="c")
    side = tf.matmul(tf.reshape(c, [1, 3]), tf.reshape(c, [3, 1]), name="side")  # depends on c only
    y = tf.reduce_sum(x * x, name="main") + tf.reduce_sum(side)
    tf.gradients(y, x)
    names = grad_op_names()
    assert any(n.startswith("gradients/main_grad/") for n in names)
    assert not any("side_grad" in n for n in names)


def test_unconnected_none_and_zero():
    x = tf.placeholder(tf.float32, [2])
    u = tf.placeholder(tf.float32, [4, 1])
    y = tf.reduce_sum(x * x)
    assert tf.gradients(y, [x, u])[1] is None
    gz = tf.gradients(y, u, unconnected_gradients="zero")[0]
    assert gz.shape.as_list() == [4, 1]
    np.testing.assert_array_equal(run(gz, {x: [1, 2], u: np.ones((4, 1))}), np.zeros((4, 1)))
    assert tf.gradients(y, u, unconnected_gradients=UnconnectedGradients.ZERO)[0] is not None
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'bad'"):
        tf.gradients(y, x, unconnected_gradients="bad")


def test_fetching_a_none_gradient_raises_type_error():
    x = tf.placeholder(tf.float32, [])
    u = tf.placeholder(tf.float32, [])
    g = tf.gradients(x * 2.0, [x, u])
    with tf.Session() as sess, pytest.raises(TypeError, match="None"):
        sess.run(g, {x: 1.0, u: 1.0})


def test_stop_gradients_argument_treats_tensors_as_constants():
    x = tf.placeholder(tf.float32, [])
    a = x * 2.0
    b = x * x
    y = a * b
    gx, ga = tf.gradients(y, [x, a], stop_gradients=[a])
    # With a held constant: dy/dx = a·2x; dy/da = b.
    assert run([gx, ga], {x: 3.0}) == [pytest.approx(6.0 * 6.0), pytest.approx(9.0)]
    (gx_b,) = tf.gradients(y, x, stop_gradients=[a, b])
    assert gx_b is None


def test_stop_gradient_op_blocks_the_gradient_but_not_the_value():
    x = tf.placeholder(tf.float32, [2])
    s = tf.stop_gradient(x * x)
    y = tf.reduce_sum(s * x)
    (g,) = tf.gradients(y, x)
    value, grad = run([y, g], {x: [1.0, 2.0]})
    assert value == pytest.approx(1 + 8)
    np.testing.assert_allclose(grad, [1.0, 4.0])  # only the path through the second factor
    assert tf.gradients(tf.reduce_sum(s), x) == [None]


def test_variables_are_differentiated_through_their_reads():
    w = tf.Variable([1.0, -2.0], name="w")
    y = tf.reduce_sum(w * w * w)
    (g,) = tf.gradients(y, w)
    np.testing.assert_allclose(run(g), [3.0, 12.0])
    (g2,) = tf.gradients(y, w.read_value())  # a separate read that y does not use
    assert g2 is None


# -- names -------------------------------------------------------------------------------------------------------


def test_gradient_ops_are_named_under_uniquified_gradients_scopes():
    x = tf.placeholder(tf.float32, [])
    y = tf.multiply(x, 3.0, name="sq")
    (g0,) = tf.gradients(y, x)
    (g1,) = tf.gradients(y, x)
    (g2,) = tf.gradients(y, x, name="my_grads")
    assert g0.name.startswith("gradients/sq_grad/")
    assert g1.name.startswith("gradients_1/sq_grad/")
    assert g2.name.startswith("my_grads/sq_grad/")
    with tf.name_scope("outer"):
        (g3,) = tf.gradients(y, x)
    assert g3.name.startswith("outer/gradients/")


# -- second order ------------------------------------------------------------------------------------------------


def test_second_and_third_derivatives():
    x = tf.placeholder(tf.float64, [3])
    y = tf.reduce_sum(x * x * x)
    (g1,) = tf.gradients(y, x)
    (g2,) = tf.gradients(g1, x)
    (g3,) = tf.gradients(g2, x)
    xv = np.array([0.5, -1.0, 2.0])
    v1, v2, v3 = run([g1, g2, g3], {x: xv})
    np.testing.assert_allclose(v1, 3 * xv ** 2)
    np.testing.assert_allclose(v2, 6 * xv)
    np.testing.assert_allclose(v3, [6.0, 6.0, 6.0])


def test_gradient_of_gradient_norm_mixes_variables():
    # d/dw of ||d/dx (w·x²)||² = d/dw (2wx)² = 8 w x².
    x = tf.placeholder(tf.float64, [])
    w = tf.Variable(1.5, dtype=tf.float64)
    (gx,) = tf.gradients(w * x * x, x)
    (gw,) = tf.gradients(gx * gx, w)
    assert run(gw, {x: 2.0}) == pytest.approx(8 * 1.5 * 4.0)


def test_hessians_of_a_quadratic_form():
    a = RNG.standard_normal((3, 3))
    x = tf.placeholder(tf.float64, [3])
    xc = tf.reshape(x, [3, 1])
    y = tf.reduce_sum(tf.matmul(tf.matmul(xc, tf.constant(a), transpose_a=True), xc))
    (h,) = tf.hessians(y, x)
    assert h.shape.as_list() == [3, 3]
    np.testing.assert_allclose(run(h, {x: RNG.standard_normal(3)}), a + a.T, rtol=1e-12)
    assert tf.hessians(y, tf.placeholder(tf.float64, [2])) == [None]


# -- custom gradients -----------------------------------------------------------------------------------------------


@tf.RegisterGradient("TestTripleGrad")
def _triple_grad(op, grad):
    return [grad * 3.0]


@tf.RegisterGradient("TestWrongCount")
def _wrong_count_grad(op, grad):
    return [grad, grad]


@tf.RegisterGradient("TestWrongShape")
def _wrong_shape_grad(op, grad):
    return [tf.reshape(grad, [1, 2])]


def test_gradient_override_map_replaces_the_gradient_inside_the_block_only():
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestTripleGrad"}):
        inside = tf.identity(x)
    outside = tf.identity(x)
    assert inside.op.get_attr("_gradient_op_type") == "TestTripleGrad"
    with pytest.raises(ValueError):
        outside.op.get_attr("_gradient_op_type")
    gi, go = tf.gradients(tf.reduce_sum(inside), x)[0], tf.gradients(tf.reduce_sum(outside), x)[0]
    vi, vo = run([gi, go], {x: [1.0, 2.0]})
    np.testing.assert_allclose(vi, [3.0, 3.0])
    np.testing.assert_allclose(vo, [1.0, 1.0])


def test_override_to_a_builtin_gradient_straight_through():
    # The classic straight-through estimator: the forward op, the gradient of Identity.
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [3])
    with g.gradient_override_map({"Cast": "Identity"}):
        y = tf.cast(tf.cast(x, tf.float64), tf.float32)
    (grad,) = tf.gradients(tf.reduce_sum(y * 2.0), x)
    np.testing.assert_allclose(run(grad, {x: [0.2, 0.7, 1.4]}), [2.0, 2.0, 2.0])


def test_register_gradient_errors():
    with pytest.raises(KeyError, match="Registering two gradient with name 'TestTripleGrad'"):
        tf.RegisterGradient("TestTripleGrad")(lambda op, g: [g])
    with pytest.raises(KeyError, match="'Identity'"):
        tf.RegisterGradient("Identity")(lambda op, g: [g])
    with pytest.raises(TypeError):
        tf.RegisterGradient(3)


def test_override_with_unregistered_or_broken_gradients():
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestNeverRegistered"}):
        y = tf.identity(x)
    with pytest.raises(LookupError, match="No gradient defined for operation 'Identity'.*TestNeverRegistered"):
        tf.gradients(tf.reduce_sum(y), x)
    with g.gradient_override_map({"Identity": "TestWrongCount"}):
        y2 = tf.identity(x)
    with pytest.raises(ValueError, match="Num gradients 2 generated for op Identity_1 do not match num inputs 1"):
        tf.gradients(tf.reduce_sum(y2), x)
    with g.gradient_override_map({"Identity": "TestWrongShape"}):
        y3 = tf.identity(x)
    with pytest.raises(ValueError, match="Incompatible shapes between op input and calculated input gradient"):
        tf.gradients(tf.reduce_sum(y3), x)


def test_not_differentiable_passes_none():
    tf.NotDifferentiable("TestNoGradOp")
    with pytest.raises(KeyError):
        tf.NotDifferentiable("TestNoGradOp")
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestNoGradOp"}):
        y = tf.identity(x)
    assert tf.gradients(tf.reduce_sum(y), x) == [None]


# -- multi-output ops, integer and boolean tensors ---------------------------------------------------------------------


def test_multi_output_op_gets_zeros_for_unused_outputs():
    x = tf.placeholder(tf.float64, [4])
    first, second = tf.split(x, 2)
    y = tf.reduce_sum(first * tf.constant([5.0, 7.0], tf.float64))  # `second` is unused
    (g,) = tf.gradients(y, x)
    np.testing.assert_allclose(run(g, {x: np.arange(4.0)}), [5.0, 7.0, 0.0, 0.0])
    del second


def test_integer_paths_cut_the_gradient():
    x = tf.placeholder(tf.float32, [3])
    rounded = tf.cast(tf.cast(x, tf.int32), tf.float32)
    assert tf.gradients(tf.reduce_sum(rounded), x) == [None]
    k = tf.placeholder(tf.int32, [3])
    assert tf.gradients(tf.reduce_sum(x * tf.cast(k, tf.float32)), [x, k])[1] is None
    # Float to float casts keep the gradient (converted back to the input dtype).
    (g,) = tf.gradients(tf.reduce_sum(tf.cast(x, tf.float64) * 2.0), x)
    assert g.dtype == tf.float32
    np.testing.assert_allclose(run(g, {x: [1, 2, 3]}), [2, 2, 2])


# -- bad input ------------------------------------------------------------------------------------------------------


def test_xs_must_be_tensors_or_variables():
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with pytest.raises(TypeError, match=r"Cannot differentiate with respect to xs\[1\] = 3.0 of type float"):
        tf.gradients(y, [x, 3.0])
    with pytest.raises(TypeError, match="ndarray"):
        tf.gradients(y, np.ones(2))
    with pytest.raises(TypeError, match="Operation 'NoOp'"):
        tf.gradients(y, tf.no_op())
    with pytest.raises(TypeError, match="NoneType"):
        tf.gradients(y, None)
    with pytest.raises(TypeError, match="ys"):
        tf.gradients(None, x)


def test_grad_ys_must_match_ys():
    x = tf.placeholder(tf.float32, [3])
    y = x * 2.0
    with pytest.raises(ValueError, match=r"grad_ys\[0\] has shape \(2,\), which does not match the shape \(3,\)"):
        tf.gradients(y, x, grad_ys=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"grad_ys\[0\] has shape \(2,\)"):
        tf.gradients(y, x, grad_ys=[[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"grad_ys\[0\] has shape \(1, 3\)"):
        tf.gradients(y, x, grad_ys=tf.ones_like(tf.reshape(y, [1, 3])))
    with pytest.raises(TypeError, match=r"grad_ys\[0\] has dtype float64 but ys\[0\].*float32"):
        tf.gradients(y, x, grad_ys=tf.constant([1.0, 2.0, 3.0], tf.float64))
    with pytest.raises(ValueError, match="Passed 2 grad_ys for 1 ys"):
        tf.gradients(y, x, grad_ys=[None, None])


def test_ys_must_be_floating_point():
    k = tf.placeholder(tf.int32, [3])
    with pytest.raises(TypeError, match="Cannot differentiate the int32 tensor"):
        tf.gradients(k * 2, k)
    b = tf.placeholder(tf.bool, [3])
    with pytest.raises(TypeError, match="bool"):
        tf.gradients(b, b)


def test_tensors_from_different_graphs():
    x = tf.placeholder(tf.float32, [])
    with tf.Graph().as_default():
        other = tf.placeholder(tf.float32, [])
    with pytest.raises(ValueError, match="same graph"):
        tf.gradients(x * 2.0, other)


# -- the gradient checker -------------------------------------------------------------------------------------------


def test_compute_gradient_returns_theoretical_and_numerical_jacobians():
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.reduce_sum(x * x, axis=1)
    xv = RNG.standard_normal((2, 3))
    with tf.Session():
        jt, jn = tf.test.compute_gradient(x, [2, 3], y, [2], x_init_value=xv)
    assert jt.shape == (6, 2) and jn.shape == (6, 2) and jt.dtype == np.float64
    want = np.zeros((6, 2))
    want[:3, 0] = 2 * xv[0]
    want[3:, 1] = 2 * xv[1]
    np.testing.assert_allclose(jt, want)
    np.testing.assert_allclose(jn, want, atol=1e-6)


def test_compute_gradient_error_and_list_form():
    a = tf.placeholder(tf.float64, [3])
    b = tf.placeholder(tf.float64, [3])
    y = a * b + a
    with tf.Session():
        err = tf.test.compute_gradient_error(a, [3], y, [3], extra_feed_dict={b: np.ones(3)})
        pairs = tf.test.compute_gradient([a, b], [[3], [3]], y, [3])
    assert isinstance(err, np.floating) and err < 1e-6
    assert isinstance(pairs, list) and len(pairs) == 2 and all(isinstance(p, tuple) for p in pairs)
    np.testing.assert_allclose(pairs[1][0], pairs[1][1], atol=1e-6)


def test_compute_gradient_float32_uses_unit_interval_inputs_and_float32_jacobians():
    x = tf.placeholder(tf.float32, [4])
    y = tf.sqrt(x + 1.0)
    with tf.Session():
        jt, jn = tf.test.compute_gradient(x, [4], y, [4])
        err = tf.test.compute_gradient_error(x, [4], y, [4])
    assert jt.dtype == np.float32 and jn.dtype == np.float32
    assert isinstance(err, np.float32) and err < 1e-3


def test_compute_gradient_errors():
    x = tf.placeholder(tf.float64, [3])
    y = x * 2.0
    with pytest.raises(ValueError, match="default session"):
        tf.test.compute_gradient(x, [3], y, [3])
    with tf.Session(), pytest.raises(ValueError, match=r"x_init_value has shape \(2,\).*x_shape \[3\]"):
        tf.test.compute_gradient(x, [3], y, [3], x_init_value=np.ones(2))


@pytest.mark.oracle
def test_compute_gradient_matches_tf1(tf1):
    xv = RNG.uniform(0.5, 1.5, (2, 3)).astype(np.float32)
    results = []
    for mod in (tf1, tf):
        g = mod.Graph()
        with g.as_default():
            x = mod.placeholder(mod.float32, [2, 3])
            y = mod.reduce_sum(x * x * x, axis=0)
            with mod.Session(graph=g):
                results.append(mod.test.compute_gradient(x, [2, 3], y, [3], x_init_value=xv))
    (t_ref, n_ref), (t_got, n_got) = results
    assert t_got.dtype == t_ref.dtype and t_got.shape == t_ref.shape
    np.testing.assert_allclose(t_got, t_ref, rtol=1e-6)
    np.testing.assert_allclose(n_got, n_ref, rtol=1e-3, atol=1e-3)


@pytest.mark.oracle
def test_gradient_values_and_unconnected_results_match_tf1(tf1):
    xv = RNG.standard_normal((2, 3))
    out = []
    for mod in (tf1, tf):
        g = mod.Graph()
        with g.as_default():
            x = mod.placeholder(mod.float64, [2, 3])
            w = mod.constant(W_FOR_ORACLE)
            u = mod.placeholder(mod.float64, [5])
            h = mod.matmul(x, w)
            y = [mod.reduce_sum(h * h), mod.reduce_sum(h, axis=0)]
            grads = mod.gradients(y, [x, u], grad_ys=[None, mod.constant([1.0, -1.0, 2.0, 0.5], mod.float64)])
            assert grads[1] is None
            with mod.Session(graph=g) as sess:
                out.append(sess.run(grads[0], {x: xv}))
    np.testing.assert_allclose(out[1], out[0], rtol=1e-12)

