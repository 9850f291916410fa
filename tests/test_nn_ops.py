"""tf.nn activations, softmax and cross-entropies, dropout, normalization and misc ops (API.md §10.1, §10.2,
§10.7, §19): forward values against plain NumPy references, static shapes and dtypes, op names, bad input,
and float64 gradient checks with random cotangents."""

import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf.ext import strict
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(1234)


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def on(device):
    return tf.device(device)


# -- NumPy references, written for clarity ---------------------------------------------------------------

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    return np.log(np_softmax(x.astype(np.float64), axis))


ACTIVATIONS = {
    "relu": (tf.nn.relu, lambda x: np.maximum(x, 0), "Relu"),
    "relu6": (tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), "Relu6"),
    "elu": (tf.nn.elu, lambda x: np.where(x < 0, np.exp(x) - 1, x), "Elu"),
    "selu": (tf.nn.selu, lambda x: SELU_SCALE * np.where(x < 0, SELU_ALPHA * (np.exp(x) - 1), x), "Selu"),
    "softplus": (tf.nn.softplus, lambda x: np.log(1 + np.exp(x)), "Softplus"),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), "Softsign"),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), "LeakyRelu"),
}


# -- activations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward_matches_numpy(name, device):
    fn, ref, op_name = ACTIVATIONS[name]
    x = np.array([[-7.5, -1.0, -0.25, 0.0], [0.5, 2.0, 6.0, 9.0]], np.float32)
    with on(device):
        y = fn(tf.constant(x))
    assert y.op.name == op_name and y.op.type == op_name
    assert y.dtype == tf.float32 and y.shape.as_list() == [2, 4]
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient_float64(name):
    fn = ACTIVATIONS[name][0]
    x = RNG.uniform(-3, 8, size=(3, 5))
    x[np.abs(x) < 0.05] = 0.3  # keep clear of the kinks at 0 and 6
    x[np.abs(x - 6) < 0.05] = 5.5
    check_gradients(fn, x)


def test_relu_gradient_is_zero_at_zero():
    x = tf.constant([-1.0, 0.0, 2.0])
    (g,) = tf.gradients(tf.nn.relu(x), x)
    np.testing.assert_array_equal(run(g), [0.0, 0.0, 1.0])


def test_relu6_gradient_only_inside_zero_six():
    x = tf.constant([-1.0, 0.0, 3.0, 6.0, 7.0])
    (g,) = tf.gradients(tf.nn.relu6(x), x)
    np.testing.assert_array_equal(run(g), [0, 0, 1, 0, 0])


def test_relu_accepts_integers_others_reject_them():
    np.testing.assert_array_equal(run(tf.nn.relu(tf.constant([-2, 3]))), [0, 3])
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.nn.elu(tf.constant([1, 2]))


def test_leaky_relu_alpha_and_integer_input():
    y = tf.nn.leaky_relu(tf.constant([-2.0, 3.0]), alpha=0.1)
    np.testing.assert_allclose(run(y), [-0.2, 3.0])
    yi = tf.nn.leaky_relu(tf.constant([-5, 5]))
    assert yi.dtype == tf.float32
    np.testing.assert_allclose(run(yi), [-1.0, 5.0])


def test_softplus_does_not_overflow():
    out = run(tf.nn.softplus(tf.constant([-1000.0, 0.0, 1000.0])))
    np.testing.assert_allclose(out, [0.0, np.log(2.0), 1000.0], rtol=1e-6)


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "softplus"])
def test_activation_second_derivative(name):
    fn = ACTIVATIONS[name][0]
    x = RNG.uniform(-3, 5, size=(2, 3))
    x[np.abs(x) < 0.1] = 0.4
    cot = RNG.standard_normal((2, 3))

    def first_derivative(t):
        return tf.gradients(tf.reduce_sum(fn(t) * cot), t)[0] * t  # * t so the piecewise-linear ones are non-trivial

    check_gradients(first_derivative, x)


def test_swish_and_crelu():
    x = np.array([[-1.5, 0.5, 2.0]])
    np.testing.assert_allclose(run(tf.nn.swish(tf.constant(x))), x * np_sigmoid(x), rtol=1e-6)
    c = tf.nn.crelu(tf.constant(x))
    assert c.shape.as_list() == [1, 6]
    np.testing.assert_allclose(run(c), np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1))
    check_gradients(tf.nn.swish, RNG.standard_normal((2, 3)))


def test_sigmoid_and_tanh_are_the_top_level_functions():
    assert tf.nn.sigmoid is tf.sigmoid
    assert tf.nn.tanh is tf.tanh


# -- softmax ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_softmax_forward_last_axis_any_rank(device):
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    with on(device):
        y = tf.nn.softmax(tf.constant(x))
    assert y.op.name == "Softmax" and y.shape.as_list() == [2, 3, 4]
    np.testing.assert_allclose(run(y), np_softmax(x), rtol=1e-5)


def test_softmax_is_stable_for_huge_logits():
    out = run(tf.nn.softmax(tf.constant([[1000.0, 1001.0, -1000.0]])))
    np.testing.assert_allclose(out, np_softmax(np.array([[0.0, 1.0, -2000.0]])), rtol=1e-6)
    logp = run(tf.nn.log_softmax(tf.constant([[1000.0, 0.0]])))
    np.testing.assert_allclose(logp, [[0.0, -1000.0]], atol=1e-4)


def test_softmax_axis_and_legacy_dim():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(run(tf.nn.softmax(tf.constant(x), axis=0)), np_softmax(x, 0), rtol=1e-5)
    np.testing.assert_allclose(run(tf.nn.softmax(tf.constant(x), dim=0)), np_softmax(x, 0), rtol=1e-5)
    np.testing.assert_allclose(run(tf.nn.log_softmax(tf.constant(x), axis=0)), np_log_softmax(x, 0), rtol=1e-5)
    with pytest.raises(ValueError, match="both 'axis' and 'dim'"):
        tf.nn.softmax(tf.constant(x), axis=0, dim=0)


def test_softmax_bad_input():
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be in the range"):
        tf.nn.softmax(tf.constant(np.zeros((2, 3), np.float32)), axis=2)
    with pytest.raises(ValueError, match="at least rank 1"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.nn.softmax(tf.constant([1, 2]))


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_gradient_random_cotangent(axis):
    check_gradients(lambda t: tf.nn.softmax(t, axis=axis), RNG.standard_normal((3, 4)))


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_gradient(axis):
    check_gradients(lambda t: tf.nn.log_softmax(t, axis=axis), RNG.standard_normal((3, 4)))


def test_softmax_second_derivative():
    cot = RNG.standard_normal((2, 3))
    check_gradients(lambda t: tf.gradients(tf.reduce_sum(tf.nn.softmax(t) * cot), t)[0],
                    RNG.standard_normal((2, 3)))


# -- softmax cross-entropy -------------------------------------------------------------------------------


def np_xent(labels, logits, axis=-1):
    return -(labels * np_log_softmax(logits, axis)).sum(axis=axis)


def soft_labels(shape):
    return np_softmax(RNG.standard_normal(shape))


@pytest.mark.parametrize("device", DEVICES)
def test_softmax_xent_forward(device):
    logits = RNG.standard_normal((4, 5)).astype(np.float32)
    labels = soft_labels((4, 5)).astype(np.float32)
    with on(device):
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.constant(logits))
        loss2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.shape.as_list() == [4] and loss.dtype == tf.float32
    assert loss.name.startswith("softmax_cross_entropy_with_logits_sg")
    assert loss2.name.startswith("softmax_cross_entropy_with_logits")
    np.testing.assert_allclose(run(loss), np_xent(labels, logits), rtol=1e-5)
    np.testing.assert_allclose(run(loss2), np_xent(labels, logits), rtol=1e-5)


def test_softmax_xent_axis_and_rank3():
    logits = RNG.standard_normal((2, 3, 4))
    labels = soft_labels((2, 3, 4))
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(loss), np_xent(labels, logits), rtol=1e-10)
    lab0 = np_softmax(RNG.standard_normal((2, 3, 4)), 1)
    loss1 = tf.nn.softmax_cross_entropy_with_logits(labels=lab0, logits=logits, dim=1)
    assert loss1.shape.as_list() == [2, 4]
    np.testing.assert_allclose(run(loss1), np_xent(lab0, logits, 1), rtol=1e-10)
    loss_axis = tf.nn.softmax_cross_entropy_with_logits(labels=lab0, logits=logits, axis=1)
    np.testing.assert_allclose(run(loss_axis), np_xent(lab0, logits, 1), rtol=1e-10)


def test_softmax_xent_is_stable_and_casts_int_labels():
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0, 1]], logits=tf.constant([[1000.0, -1000.0]]))
    np.testing.assert_allclose(run(loss), [2000.0])


def test_softmax_xent_gradient_wrt_logits_is_softmax_minus_labels():
    logits = RNG.standard_normal((3, 4))
    labels = soft_labels((3, 4))
    lt = tf.constant(logits)
    (g,) = tf.gradients(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=lt), lt)
    np.testing.assert_allclose(run(g), np_softmax(logits) - labels, rtol=1e-10)
    check_gradients(lambda t: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=t), logits)


def test_softmax_xent_v1_blocks_label_gradient_v2_passes_it():
    labels, logits = soft_labels((3, 4)), RNG.standard_normal((3, 4))
    lab = tf.constant(labels)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=lab, logits=logits)
    assert tf.gradients(v1, lab) == [None]
    check_gradients(lambda y, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x), labels, logits)
    labels0 = np_softmax(RNG.standard_normal((3, 4)), 0)  # like TF1, backprop assumes labels sum to 1 on the axis
    check_gradients(lambda y, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, axis=0),
                    labels0, logits)


def test_softmax_xent_second_derivative_catches_the_backprop_output():
    labels = soft_labels((2, 3))
    cot = RNG.standard_normal(2)

    def grad_of_loss(t):
        return tf.gradients(tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=t) * cot),
                            t)[0]

    check_gradients(grad_of_loss, RNG.standard_normal((2, 3)))


def test_softmax_xent_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.softmax_cross_entropy_with_logits(labels=np.zeros((2, 4), np.float32),
                                                logits=np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match="int32 not in list"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0, 1]], logits=[[1, 2]])
    with pytest.raises(ValueError, match="Both labels and logits"):
        tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]])


def test_softmax_xent_positional_legacy_order_is_lenient():
    logits = RNG.standard_normal((2, 3))
    labels = soft_labels((2, 3))
    strict._warned.discard("positional-softmax_cross_entropy_with_logits")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = tf.nn.softmax_cross_entropy_with_logits(tf.constant(logits), tf.constant(labels))
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    np.testing.assert_allclose(run(loss), np_xent(labels, logits), rtol=1e-10)


def test_softmax_xent_positional_raises_in_strict_mode():
    strict.set_strict(True)
    try:
        with pytest.raises(ValueError, match=r"Only call `softmax_cross_entropy_with_logits` with named arguments "
                                             r"\(labels=..., logits=..., ...\)"):
            tf.nn.softmax_cross_entropy_with_logits(tf.constant([[1.0, 2.0]]), tf.constant([[0.0, 1.0]]))
        with pytest.raises(ValueError, match="Only call `sparse_softmax_cross_entropy_with_logits`"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([[1.0, 2.0]]), tf.constant([1]))
    finally:
        strict.set_strict(False)


# -- sparse softmax cross-entropy ---------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_xent_forward(device, label_dtype):
    logits = RNG.standard_normal((5, 4)).astype(np.float32)
    labels = np.array([0, 3, 1, 1, 2], label_dtype)
    with on(device):
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == [5] and loss.dtype == tf.float32
    assert loss.name == "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits:0"
    expected = -np_log_softmax(logits)[np.arange(5), labels]
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)


def test_sparse_xent_rank3_and_gradient():
    logits = RNG.standard_normal((2, 3, 4))
    labels = np.array([[0, 1, 3], [2, 2, 0]])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == [2, 3]
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(run(loss), np_xent(onehot, logits), rtol=1e-10)
    check_gradients(lambda t: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=t), logits)
    lt = tf.constant(logits)
    (g,) = tf.gradients(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=lt), lt)
    np.testing.assert_allclose(run(g), np_softmax(logits) - onehot, rtol=1e-10)


def test_sparse_xent_second_derivative():
    labels = np.array([2, 0])
    cot = RNG.standard_normal(2)
    check_gradients(lambda t: tf.gradients(tf.reduce_sum(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=t) * cot), t)[0],
        RNG.standard_normal((2, 3)))


def test_sparse_xent_label_out_of_range_is_invalid_argument():
    labels = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=np.zeros((2, 3), np.float32))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of 3 which is outside the valid "
                                                                 r"range of \[0, 3\)"):
            sess.run(loss, {labels: [0, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="label value of -1"):
            sess.run(loss, {labels: [-1, 0]})


def test_sparse_xent_bad_shapes_and_dtypes():
    logits = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.zeros((2, 3), np.int32), logits=logits)
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.zeros(3, np.int32), logits=logits)
    with pytest.raises(TypeError, match="float32 not in list of allowed values: int32, int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.zeros(2, np.float32), logits=logits)


# -- sigmoid / weighted cross-entropy, log-Poisson ----------------------------------------------------------


def np_sigmoid_xent(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def test_sigmoid_xent_forward_stable_and_named():
    x = np.array([[-800.0, -1.0, 0.0, 2.0, 800.0]])
    z = np.array([[0.0, 1.0, 0.5, 0.0, 1.0]])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert loss.op.name == "logistic_loss" and loss.shape.as_list() == [1, 5]
    out = run(loss)
    np.testing.assert_allclose(out, np_sigmoid_xent(z, x), rtol=1e-12)
    assert np.isfinite(out).all()
    check_gradients(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
                    RNG.uniform(0, 1, (2, 3)), RNG.standard_normal((2, 3)))


def test_sigmoid_xent_legacy_targets_and_bad_shape():
    x, z = RNG.standard_normal((2, 2)), RNG.uniform(0, 1, (2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = tf.nn.sigmoid_cross_entropy_with_logits(logits=x, targets=z)
        positional = tf.nn.sigmoid_cross_entropy_with_logits(tf.constant(x), tf.constant(z))
    np.testing.assert_allclose(run(old), np_sigmoid_xent(z, x))
    np.testing.assert_allclose(run(positional), np_sigmoid_xent(z, x))
    strict.set_strict(True)
    try:
        with pytest.raises(TypeError, match="unexpected keyword argument 'targets'"):
            tf.nn.sigmoid_cross_entropy_with_logits(logits=x, targets=z)
    finally:
        strict.set_strict(False)
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=np.zeros((2, 4)), logits=np.zeros((2, 3)))


def test_weighted_xent_and_log_poisson():
    x, z = RNG.standard_normal((3, 2)), RNG.uniform(0, 1, (3, 2))
    q = 3.0
    expected = (1 - z) * x + (1 + (q - 1) * z) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
    np.testing.assert_allclose(run(tf.nn.weighted_cross_entropy_with_logits(z, x, q)), expected, rtol=1e-12)
    # pos_weight = 1 reduces to the plain sigmoid cross-entropy
    np.testing.assert_allclose(run(tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=1.0)),
                               np_sigmoid_xent(z, x), rtol=1e-12)
    check_gradients(lambda t: tf.nn.weighted_cross_entropy_with_logits(z, t, q), x)
    c, k = RNG.standard_normal(4), np.array([0.5, 1.0, 3.0, 7.0])
    np.testing.assert_allclose(run(tf.nn.log_poisson_loss(k, c)), np.exp(c) - c * k, rtol=1e-12)
    full = run(tf.nn.log_poisson_loss(k, c, compute_full_loss=True))
    stirling = np.where(k > 1, k * np.log(k) - k + 0.5 * np.log(2 * np.pi * k), 0.0)
    np.testing.assert_allclose(full, np.exp(c) - c * k + stirling, rtol=1e-12)
    check_gradients(lambda t: tf.nn.log_poisson_loss(k, t, compute_full_loss=True), c)


# -- l2_loss, in_top_k, top_k -----------------------------------------------------------------------------


def test_l2_loss_is_half_the_sum_of_squares():
    x = RNG.standard_normal((3, 4))
    y = tf.nn.l2_loss(tf.constant(x))
    assert y.shape.as_list() == [] and y.op.name == "L2Loss"
    np.testing.assert_allclose(run(y), (x ** 2).sum() / 2)
    check_gradients(tf.nn.l2_loss, x)


def test_in_top_k_ties_and_non_finite():
    pred = np.array([[0.1, 0.5, 0.5, 0.2],
                     [0.9, 0.1, 0.0, 0.0],
                     [0.3, np.nan, 0.2, 0.1],
                     [0.1, 0.2, 0.3, 0.4]], np.float32)
    targets = np.array([2, 1, 0, 3], np.int32)
    r1 = tf.nn.in_top_k(pred, targets, 1)
    assert r1.dtype == tf.bool and r1.shape.as_list() == [4] and r1.op.name == "in_top_k/InTopKV2"
    np.testing.assert_array_equal(run(r1), [True, False, False, True])  # the tied 0.5s both count as top 1
    np.testing.assert_array_equal(run(tf.nn.in_top_k(pred, targets, 2)), [True, True, False, True])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        run(tf.nn.in_top_k(pred, np.array([0, 0, 0, 4], np.int32), 1))


def test_top_k_values_indices_ties_and_gradient():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 4.0, 6.0, 0.0]], np.float32)
    values, indices = tf.nn.top_k(x, k=2)
    assert values.shape.as_list() == [2, 2] and indices.dtype == tf.int32
    v, i = run([values, indices])
    np.testing.assert_array_equal(v, [[3, 3], [6, 5]])
    np.testing.assert_array_equal(i, [[1, 2], [2, 0]])
    with pytest.raises(ValueError, match="at least k columns"):
        tf.nn.top_k(x, k=5)
    check_gradients(lambda t: tf.nn.top_k(t, k=3)[0], RNG.permutation(12).reshape(3, 4) * 1.0)


# -- dropout -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_scales_kept_and_zeroes_the_rest(device):
    x = np.ones((200, 50), np.float32)
    with on(device):
        y = tf.nn.dropout(tf.constant(x), keep_prob=0.25)
    assert y.shape.as_list() == [200, 50] and y.dtype == tf.float32 and "dropout" in y.name
    out = run(y)
    assert set(np.unique(out)) <= {0.0, 4.0}
    assert abs((out > 0).mean() - 0.25) < 0.02


def test_dropout_new_mask_every_run_and_seed_reproducible():
    tf.set_random_seed(7)
    y = tf.nn.dropout(tf.constant(np.ones(1000, np.float32)), 0.5)
    with tf.Session() as sess:
        a, b = sess.run(y), sess.run(y)
    assert not np.array_equal(a, b)
    with tf.Session() as sess:
        a2 = sess.run(y)
    np.testing.assert_array_equal(a, a2)


def test_dropout_keep_prob_placeholder_one_is_identity():
    keep = tf.placeholder(tf.float32)
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    y = tf.nn.dropout(tf.constant(x), keep)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {keep: 1.0}), x)
        half = sess.run(y, {keep: 0.5})
        np.testing.assert_allclose(half[half != 0], 2 * x[half != 0], rtol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"keep_prob must be in the range \(0, 1\]"):
            sess.run(y, {keep: 0.0})
    np.testing.assert_array_equal(run(tf.nn.dropout(tf.constant(x), keep_prob=1.0)), x)


def test_dropout_rate_keyword_and_noise_shape():
    x = np.ones((4, 3, 3, 8), np.float32)
    y = tf.nn.dropout(tf.constant(x), rate=0.5, noise_shape=[4, 1, 1, 8])
    out = run(y)
    assert set(np.unique(out)) <= {0.0, 2.0}
    # whole feature maps are kept or dropped together
    assert (out.min(axis=(1, 2)) == out.max(axis=(1, 2))).all()
    y2 = tf.nn.dropout(tf.placeholder(tf.float32, [None, 6]), 0.5, noise_shape=[None, 1])
    with tf.Session() as sess:
        r = sess.run(y2, {y2.op.inputs[0]: np.ones((5, 6))})
    assert (r.min(axis=1) == r.max(axis=1)).all()


def test_dropout_bad_input():
    x = tf.constant([1.0, 2.0])
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="keep_prob"):
            tf.nn.dropout(x, keep_prob=bad)
    with pytest.raises(ValueError, match="rate"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="both"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.dropout(tf.constant([1, 2]), 0.5)
    with pytest.raises(ValueError, match="noise_shape"):
        tf.nn.dropout(tf.constant(np.ones((2, 3), np.float32)), 0.5, noise_shape=[2, 2])


def test_dropout_gradient_is_the_scaled_mask():
    xv = RNG.standard_normal((6, 7))
    x = tf.constant(xv)
    y = tf.nn.dropout(x, keep_prob=0.4, seed=3)
    cot = RNG.standard_normal((6, 7))
    (g,) = tf.gradients(tf.reduce_sum(y * cot), x)
    with tf.Session() as sess:
        yv, gv = sess.run([y, g])
    mask = (yv != 0) / 0.4
    np.testing.assert_allclose(gv, cot * mask, rtol=1e-12)
    np.testing.assert_allclose(yv, xv * mask, rtol=1e-12)


# -- normalization ----------------------------------------------------------------------------------------------


def test_moments_population_variance_and_keep_dims():
    x = RNG.standard_normal((4, 3, 3, 2))
    mean, var = tf.nn.moments(tf.constant(x), axes=[0, 1, 2])
    assert mean.shape.as_list() == [2] and var.shape.as_list() == [2]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, x.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(v, x.var(axis=(0, 1, 2)))  # divided by N, not N - 1
    mk, vk = tf.nn.moments(tf.constant(x), axes=[0], keep_dims=True)
    assert mk.shape.as_list() == [1, 3, 3, 2] and vk.shape.as_list() == [1, 3, 3, 2]
    check_gradients(lambda t: tf.nn.moments(t, axes=[0]), RNG.standard_normal((5, 3)))


def test_batch_normalization_formula_and_gradient():
    x, mean, var = RNG.standard_normal((5, 3)), RNG.standard_normal(3), RNG.uniform(0.5, 2, 3)
    offset, scale = RNG.standard_normal(3), RNG.standard_normal(3)
    y = tf.nn.batch_normalization(x, mean, var, offset, scale, 1e-3)
    np.testing.assert_allclose(run(y), (x - mean) / np.sqrt(var + 1e-3) * scale + offset, rtol=1e-10)
    y0 = tf.nn.batch_normalization(x, mean, var, None, None, 1e-3)
    np.testing.assert_allclose(run(y0), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10)
    check_gradients(lambda a, m, v, o, s: tf.nn.batch_normalization(a, m, v, o, s, 1e-3),
                    x, mean, var, offset, scale)


def test_fused_batch_norm_training_and_inference():
    x = RNG.standard_normal((2, 3, 3, 4))
    scale, offset = RNG.uniform(0.5, 2, 4), RNG.standard_normal(4)
    y, bm, bv = tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3)
    yv, bmv, bvv = run([y, bm, bv])
    mu, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(yv, (x - mu) / np.sqrt(var + 1e-3) * scale + offset, rtol=1e-10)
    np.testing.assert_allclose(bmv, mu)
    np.testing.assert_allclose(bvv, var * 18 / 17)  # Bessel-corrected, as TF1's FusedBatchNorm returns it
    yi, _, _ = tf.nn.fused_batch_norm(x, scale, offset, mean=mu, variance=var, epsilon=1e-3, is_training=False)
    np.testing.assert_allclose(run(yi), yv, rtol=1e-10)
    check_gradients(lambda a, s, o: tf.nn.fused_batch_norm(a, s, o, epsilon=1e-3)[0],
                    RNG.standard_normal((2, 2, 2, 3)), scale[:3], offset[:3], rtol=1e-4)


def test_l2_normalize():
    x = RNG.standard_normal((3, 4))
    y = tf.nn.l2_normalize(tf.constant(x), axis=1)
    np.testing.assert_allclose(run(y), x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-10)
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x, dim=0)), x / np.linalg.norm(x, axis=0), rtol=1e-10)
    np.testing.assert_array_equal(run(tf.nn.l2_normalize(np.zeros(3))), np.zeros(3))
    check_gradients(lambda t: tf.nn.l2_normalize(t, axis=-1), x)


def np_lrn(x, r, bias, alpha, beta):
    out = np.empty_like(x)
    c_count = x.shape[-1]
    for c in range(c_count):
        lo, hi = max(0, c - r), min(c_count, c + r + 1)
        sqr_sum = (x[..., lo:hi] ** 2).sum(axis=-1)
        out[..., c] = x[..., c] / (bias + alpha * sqr_sum) ** beta
    return out


def test_lrn_forward_and_gradient():
    x = RNG.standard_normal((2, 2, 3, 7))
    y = tf.nn.lrn(tf.constant(x), depth_radius=2, bias=1.0, alpha=0.5, beta=0.75)
    assert y.op.type == "LRN" and y.shape.as_list() == [2, 2, 3, 7]
    np.testing.assert_allclose(run(y), np_lrn(x, 2, 1.0, 0.5, 0.75), rtol=1e-10)
    np.testing.assert_allclose(run(tf.nn.local_response_normalization(x)), np_lrn(x, 5, 1, 1, 0.5), rtol=1e-10)
    check_gradients(lambda t: tf.nn.lrn(t, 2, 1.0, 0.5, 0.75), RNG.standard_normal((1, 2, 2, 6)))
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.lrn(tf.constant(np.ones((2, 3), np.float32)))


# -- embeddings and small composites -----------------------------------------------------------------------


def test_embedding_lookup_single_and_mod_shards():
    table = RNG.standard_normal((7, 3))
    ids = np.array([[0, 6], [3, 3]])
    emb = tf.nn.embedding_lookup(tf.constant(table), ids)
    assert emb.shape.as_list() == [2, 2, 3]
    np.testing.assert_allclose(run(emb), table[ids])
    shards = [table[0::3], table[1::3], table[2::3]]  # 'mod': id i lives in shard i % 3, row i // 3
    np.testing.assert_allclose(run(tf.nn.embedding_lookup([tf.constant(s) for s in shards], ids)), table[ids])
    div_shards = [table[0:3], table[3:5], table[5:7]]
    np.testing.assert_allclose(run(tf.nn.embedding_lookup(div_shards, ids, partition_strategy="div")), table[ids])
    check_gradients(lambda t: tf.nn.embedding_lookup(t, ids), table)


def test_embedding_lookup_max_norm():
    table = np.array([[3.0, 4.0], [0.3, 0.4]])
    out = run(tf.nn.embedding_lookup(table, [0, 1], max_norm=1.0))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4]])


def test_xw_plus_b_and_zero_fraction():
    x, w, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    np.testing.assert_allclose(run(tf.nn.xw_plus_b(x, w, b)), x @ w + b, rtol=1e-10)
    z = tf.nn.zero_fraction(tf.constant([0.0, 1.0, 0.0, 3.0]))
    assert z.dtype == tf.float32
    assert run(z) == pytest.approx(0.5)


# -- oracle: tensorflow.compat.v1 ----------------------------------------------------------------------------


@pytest.mark.oracle
def test_oracle_softmax_cross_entropies_and_activations(tf1):
    logits = RNG.standard_normal((4, 5)).astype(np.float32)
    soft = soft_labels((4, 5)).astype(np.float32)
    sparse = np.array([1, 0, 4, 2], np.int64)
    acts = RNG.uniform(-4, 8, (3, 4)).astype(np.float32)

    def build(lib):
        lt = lib.constant(logits)
        outs = [lib.nn.softmax(lt), lib.nn.log_softmax(lt), lib.nn.softmax(lt, axis=0),
                lib.nn.softmax_cross_entropy_with_logits(labels=soft, logits=lt),
                lib.nn.softmax_cross_entropy_with_logits_v2(labels=soft, logits=lt),
                lib.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=lt),
                lib.nn.sigmoid_cross_entropy_with_logits(labels=soft, logits=lt),
                lib.nn.weighted_cross_entropy_with_logits(soft, lt, 2.5),
                lib.nn.l2_loss(lt), lib.nn.l2_normalize(lt, 1),
                lib.nn.in_top_k(logits, sparse.astype(np.int32), 2), lib.nn.top_k(lt, 3)[0], lib.nn.top_k(lt, 3)[1],
                lib.nn.lrn(lib.constant(logits.reshape(1, 2, 2, 5)), 1, 0.5, 0.3, 0.6)]
        outs += list(lib.nn.moments(lt, [0]))
        outs += [f(lib.constant(acts)) for f in (lib.nn.relu, lib.nn.relu6, lib.nn.elu, lib.nn.selu,
                                                 lib.nn.softplus, lib.nn.softsign, lib.nn.leaky_relu)]
        g = lib.gradients(lib.reduce_sum(outs[5] * np.arange(4, dtype=np.float32)), lt)[0]
        h = lib.gradients(lib.reduce_sum(outs[4] * np.arange(4, dtype=np.float32)), lt)[0]
        return outs + [g, h]

    with tf1.Graph().as_default():
        with tf1.Session() as s:
            expected = s.run(build(tf1))
    got = run(build(tf))
    for e, o in zip(expected, got):
        np.testing.assert_allclose(o, e, rtol=2e-5, atol=2e-6)
