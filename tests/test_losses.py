"""tf.losses (API.md §16): formulas against NumPy, Reduction semantics, weights, label smoothing, the loss
collections, bad input, gradients, and an oracle comparison with tensorflow.compat.v1."""

import numpy as np
import pytest

import teachtf as tf

RNG = np.random.default_rng(99)
R = tf.losses.Reduction


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def np_log_softmax(x):
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def np_sigmoid_xent(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


LABELS = RNG.standard_normal((4, 3)).astype(np.float32)
PREDS = RNG.standard_normal((4, 3)).astype(np.float32)
ERR = PREDS - LABELS

ELEMENTWISE = {
    "mean_squared_error": (tf.losses.mean_squared_error, ERR ** 2),
    "absolute_difference": (tf.losses.absolute_difference, np.abs(ERR)),
    "huber_loss": (tf.losses.huber_loss,
                   np.where(np.abs(ERR) <= 1.0, 0.5 * ERR ** 2, np.abs(ERR) - 0.5)),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_losses_default_reduction_is_the_mean(name):
    fn, elementwise = ELEMENTWISE[name]
    loss = fn(LABELS, PREDS)
    assert loss.shape.as_list() == [] and loss.dtype == tf.float32
    assert loss.op.name == f"{name}/value"
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    np.testing.assert_allclose(run(loss), elementwise.mean(), rtol=1e-6)


def test_huber_delta():
    loss = tf.losses.huber_loss(LABELS, PREDS, delta=0.3)
    a = np.abs(ERR)
    expected = np.where(a <= 0.3, 0.5 * a ** 2, 0.3 * (a - 0.15))
    np.testing.assert_allclose(run(loss), expected.mean(), rtol=1e-6)


def test_hinge_log_and_cosine_losses():
    labels01 = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float32)
    hinge = np.maximum(0.0, 1 - (2 * labels01 - 1) * PREDS)
    np.testing.assert_allclose(run(tf.losses.hinge_loss(labels01, PREDS)), hinge.mean(), rtol=1e-6)
    p = RNG.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    eps = 1e-7
    ll = -labels01 * np.log(p + eps) - (1 - labels01) * np.log(1 - p + eps)
    np.testing.assert_allclose(run(tf.losses.log_loss(labels01, p)), ll.mean(), rtol=1e-5)
    u = LABELS / np.linalg.norm(LABELS, axis=1, keepdims=True)
    v = PREDS / np.linalg.norm(PREDS, axis=1, keepdims=True)
    cos = tf.losses.cosine_distance(u, v, axis=1)
    np.testing.assert_allclose(run(cos), (1 - (u * v).sum(axis=1)).mean(), rtol=1e-5)
    none = tf.losses.cosine_distance(u, v, axis=1, reduction=R.NONE)
    assert none.shape.as_list() == [4, 1]
    with pytest.raises(ValueError, match="axis"):
        tf.losses.cosine_distance(u, v)


def test_reductions_with_weights():
    weights = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)  # broadcast along the 3 columns
    sq = ERR ** 2
    weighted = sq * weights
    cases = {
        R.NONE: weighted,
        R.SUM: weighted.sum(),
        R.MEAN: weighted.sum() / (weights * np.ones_like(sq)).sum(),
        R.SUM_OVER_BATCH_SIZE: weighted.sum() / sq.size,
        R.SUM_BY_NONZERO_WEIGHTS: weighted.sum() / 9.0,  # 3 non-zero rows × 3 columns
    }
    for reduction, expected in cases.items():
        loss = tf.losses.mean_squared_error(LABELS, PREDS, weights=weights, reduction=reduction)
        np.testing.assert_allclose(run(loss), expected, rtol=1e-6, err_msg=reduction)
    assert R.SUM_OVER_NONZERO_WEIGHTS == R.SUM_BY_NONZERO_WEIGHTS


def test_all_zero_weights_give_zero_not_nan():
    loss = tf.losses.mean_squared_error(LABELS, PREDS, weights=0.0)
    assert run(loss) == 0.0
    wt = tf.placeholder(tf.float32, [4, 1])
    loss2 = tf.losses.absolute_difference(LABELS, PREDS, weights=wt)
    assert run(loss2, {wt: np.zeros((4, 1))}) == 0.0


def test_compute_weighted_loss_and_collection_argument():
    losses = RNG.uniform(size=(2, 5)).astype(np.float32)
    out = tf.losses.compute_weighted_loss(losses, weights=2.0, loss_collection=None)
    np.testing.assert_allclose(run(out), 2.0 * losses.mean(), rtol=1e-6)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == []
    out64 = tf.losses.compute_weighted_loss(losses.astype(np.float64), reduction=R.SUM)
    assert out64.dtype == tf.float64
    assert tf.losses.get_losses() == [out64]


def test_softmax_cross_entropy_and_label_smoothing():
    logits = RNG.standard_normal((5, 4)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
    loss = tf.losses.softmax_cross_entropy(onehot, logits)
    assert loss.op.name == "softmax_cross_entropy_loss/value"
    np.testing.assert_allclose(run(loss), -(onehot * np_log_softmax(logits)).sum(1).mean(), rtol=1e-5)
    smooth = onehot * 0.9 + 0.1 / 4
    loss_s = tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.1)
    np.testing.assert_allclose(run(loss_s), -(smooth * np_log_softmax(logits)).sum(1).mean(), rtol=1e-5)
    w = np.array([1.0, 0.0, 1.0, 1.0, 0.0], np.float32)
    loss_w = tf.losses.softmax_cross_entropy(onehot, logits, weights=w)
    per = -(onehot * np_log_softmax(logits)).sum(1)
    np.testing.assert_allclose(run(loss_w), (per * w).sum() / 3, rtol=1e-5)


def test_sparse_softmax_cross_entropy_squeezes_labels_and_weights():
    logits = RNG.standard_normal((5, 4)).astype(np.float32)
    ids = np.array([0, 3, 1, 1, 2])
    per = -np_log_softmax(logits)[np.arange(5), ids]
    np.testing.assert_allclose(run(tf.losses.sparse_softmax_cross_entropy(ids, logits)), per.mean(), rtol=1e-5)
    w = np.array([[1.0], [2.0], [0.0], [1.0], [1.0]], np.float32)
    loss = tf.losses.sparse_softmax_cross_entropy(ids.reshape(5, 1), logits, weights=w)
    np.testing.assert_allclose(run(loss), (per * w[:, 0]).sum() / 4, rtol=1e-5)


def test_sigmoid_cross_entropy_and_label_smoothing():
    logits = RNG.standard_normal((3, 4)).astype(np.float32)
    z = (RNG.uniform(size=(3, 4)) > 0.5).astype(np.float32)
    loss = tf.losses.sigmoid_cross_entropy(z, logits)
    np.testing.assert_allclose(run(loss), np_sigmoid_xent(z, logits).mean(), rtol=1e-5)
    zs = z * 0.8 + 0.5 * 0.2
    loss_s = tf.losses.sigmoid_cross_entropy(z, logits, label_smoothing=0.2)
    np.testing.assert_allclose(run(loss_s), np_sigmoid_xent(zs, logits).mean(), rtol=1e-5)


def test_loss_gradients_match_the_analytic_ones():
    p = tf.constant(PREDS)
    (g_mse,) = tf.gradients(tf.losses.mean_squared_error(LABELS, p), p)
    np.testing.assert_allclose(run(g_mse), 2 * ERR / ERR.size, rtol=1e-5)
    logits = RNG.standard_normal((5, 4))
    onehot = np.eye(4)[[0, 3, 1, 1, 2]]
    lt = tf.constant(logits)
    loss = tf.losses.softmax_cross_entropy(onehot, lt)
    assert loss.dtype == tf.float64
    (g,) = tf.gradients(loss, lt)
    sm = np.exp(np_log_softmax(logits))
    np.testing.assert_allclose(run(g), (sm - onehot) / 5, rtol=1e-6)
    lab = tf.constant(onehot)
    assert tf.gradients(tf.losses.softmax_cross_entropy(lab, lt), lab) == [None]


def test_regularization_and_total_loss():
    zero = tf.losses.get_regularization_loss()
    assert zero.dtype == tf.float32 and run(zero) == 0.0
    with pytest.raises(ValueError, match="no losses"):
        tf.losses.get_total_loss()
    w = tf.Variable(np.array([1.0, -2.0], np.float32))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.nn.l2_loss(w))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.reduce_sum(tf.abs(w)))
    reg = tf.losses.get_regularization_loss()
    assert reg.op.name == "total_regularization_loss"
    mse = tf.losses.mean_squared_error(LABELS, PREDS)
    tf.losses.add_loss(tf.constant(10.0))
    total = tf.losses.get_total_loss()
    no_reg = tf.losses.get_total_loss(add_regularization_losses=False, name="data_loss")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        r, t, n, m = sess.run([reg, total, no_reg, mse])
    assert r == pytest.approx(2.5 + 3.0)
    assert n == pytest.approx(m + 10.0)
    assert t == pytest.approx(m + 10.0 + 5.5)
    assert len(tf.losses.get_regularization_losses()) == 2
    assert len(tf.losses.get_losses()) == 2


def test_get_losses_scope_filter():
    with tf.name_scope("tower_0"):
        a = tf.losses.mean_squared_error(LABELS, PREDS)
    tf.losses.absolute_difference(LABELS, PREDS)
    assert tf.losses.get_losses(scope="tower_0") == [a]


def test_bad_input():
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error(LABELS, PREDS, reduction="average")
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="weights can not be broadcast to values. Mismatch at dim 1"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error(LABELS, PREDS[:, :2])
    with pytest.raises(ValueError, match="`labels` must not be None"):
        tf.losses.mean_squared_error(None, PREDS)


@pytest.mark.oracle
def test_oracle_losses_and_reductions(tf1):
    labels01 = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float32)
    probs = RNG.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    weights = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    ids = np.array([0, 2, 1, 1])

    def build(lib):
        red = lib.losses.Reduction
        outs = []
        for r in (red.NONE, red.SUM, red.MEAN, red.SUM_OVER_BATCH_SIZE, red.SUM_BY_NONZERO_WEIGHTS):
            outs.append(lib.losses.mean_squared_error(LABELS, PREDS, weights=weights, reduction=r))
            outs.append(lib.losses.softmax_cross_entropy(onehot, PREDS, weights=weights[:, 0], label_smoothing=0.1,
                                                         reduction=r))
        outs += [lib.losses.absolute_difference(LABELS, PREDS, weights),
                 lib.losses.huber_loss(LABELS, PREDS, delta=0.5),
                 lib.losses.hinge_loss(labels01, PREDS),
                 lib.losses.log_loss(labels01, probs),
                 lib.losses.cosine_distance(LABELS, PREDS, axis=1),
                 lib.losses.sigmoid_cross_entropy(labels01, PREDS, label_smoothing=0.2),
                 lib.losses.sparse_softmax_cross_entropy(ids, PREDS, weights=weights)]
        return outs

    with tf1.Graph().as_default():
        with tf1.Session() as s:
            expected = s.run(build(tf1))
    got = run(build(tf))
    for i, (e, o) in enumerate(zip(expected, got)):
        np.testing.assert_allclose(o, e, rtol=1e-5, atol=1e-6, err_msg=f"output {i}")
