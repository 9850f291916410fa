"""teachtf.ext.max_unpool (API.md §21) and the classic scatter_nd unpooling recipe (§10.6): round trips with
max_pool_with_argmax, odd pre-pool widths, overlapping windows (duplicates sum), include_batch_in_index,
gradients (a gather at the same indices) in float64 including second order, and bad indices."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.framework import errors
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(5)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def ref_unpool(values, argmax, out_shape, include_batch=False):
    """Plain loops: out.flat[b·H·W·C + argmax] += value."""
    out = np.zeros(out_shape)
    per_image = int(np.prod(out_shape[1:]))
    flat = out.reshape(-1)
    for b in range(values.shape[0]):
        for v, i in zip(values[b].reshape(-1), argmax[b].reshape(-1)):
            flat[i if include_batch else b * per_image + i] += v
    return out


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("include_batch", [False, True])
@pytest.mark.parametrize("shape,k,s,padding", [
    ((2, 6, 6, 3), 2, 2, "VALID"),
    ((2, 5, 5, 2), 2, 2, "SAME"),   # odd width: the explicit output_shape decodes the indices
    ((1, 7, 7, 2), 3, 2, "SAME"),   # overlapping windows: a shared maximum collects several values
])
def test_unpool_round_trip(device, include_batch, shape, k, s, padding):
    x = RNG.standard_normal(shape)
    with tf.device(device):
        pooled, argmax = tf.nn.max_pool_with_argmax(tf.constant(x), [1, k, k, 1], [1, s, s, 1], padding,
                                                    include_batch_in_index=include_batch)
        up = tf.ext.max_unpool(pooled, argmax, list(shape), include_batch_in_index=include_batch)
    assert up.shape.as_list() == list(shape) and up.op.type == "MaxUnpool" and up.op.name == "MaxUnpool"
    p, a, u = run([pooled, argmax, up])
    np.testing.assert_allclose(u, ref_unpool(p, a, shape, include_batch), rtol=1e-12)
    counts = ref_unpool(np.ones_like(p), a, shape, include_batch)
    hit = counts > 0
    np.testing.assert_allclose(u[hit], (x * counts)[hit], rtol=1e-12)  # each maximum back in place (times hits)
    assert np.all(u[~hit] == 0)
    if k == s:  # non-overlapping: pooling the unpooled map gives the pooled values back
        only_maxima = np.where(hit, u, -np.inf)
        np.testing.assert_array_equal(run(tf.nn.max_pool(only_maxima, [1, k, k, 1], [1, s, s, 1], padding)), p)


def test_unpool_with_dynamic_output_shape():
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    pooled, argmax = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    up = tf.ext.max_unpool(pooled, argmax, tf.shape(x))
    assert up.shape.ndims == 4
    xv = np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1)
    u = run(up, {x: xv})
    expected = np.zeros_like(xv)
    expected[:, 1::2, 1::2] = xv[:, 1::2, 1::2]
    np.testing.assert_array_equal(u, expected)


def test_unpool_gradients_first_and_second_order():
    x = RNG.permutation(2 * 5 * 5 * 2).reshape(2, 5, 5, 2).astype(np.float64)
    argmax = run(tf.nn.max_pool_with_argmax(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME").argmax)

    def unpool(v):
        return tf.ext.max_unpool(v, tf.constant(argmax), [2, 5, 5, 2])

    check_gradients(unpool, RNG.standard_normal(argmax.shape))
    cot = RNG.standard_normal((2, 5, 5, 2))

    def grad_of_unpool(c):
        v = tf.constant(RNG.standard_normal(argmax.shape))
        return tf.gradients(tf.reduce_sum(unpool(v) * c), v)[0]  # MaxUnpoolGrad(c, argmax): a gather

    check_gradients(grad_of_unpool, cot)


def test_unpool_gradient_gathers_at_the_argmax():
    v = tf.constant([[[[1.0], [2.0]]]])
    argmax = tf.constant([[[[3], [0]]]], dtype=tf.int64)
    up = tf.ext.max_unpool(v, argmax, [1, 2, 2, 1])
    grad = tf.gradients(up, v, grad_ys=tf.constant(np.arange(4.0, dtype=np.float32).reshape(1, 2, 2, 1)))[0]
    assert grad.op.type == "MaxUnpoolGrad"
    np.testing.assert_array_equal(run(grad).reshape(-1), [3.0, 0.0])


@pytest.mark.parametrize("bad", [-1, 8])
def test_out_of_range_indices_raise_invalid_argument(bad):
    argmax = tf.placeholder(tf.int64, [1, 1, 2, 1])
    up = tf.ext.max_unpool(tf.ones([1, 1, 2, 1]), argmax, [1, 2, 4, 1])
    with pytest.raises(errors.InvalidArgumentError, match=rf"max_unpool: argmax index {bad} is outside \[0, 8\)"):
        run(up, {argmax: np.array([0, bad]).reshape(1, 1, 2, 1)})


def test_unpool_build_errors():
    v = tf.zeros([2, 2, 2, 1])
    with pytest.raises(TypeError, match="argmax must be int32 or int64"):
        tf.ext.max_unpool(v, tf.zeros([2, 2, 2, 1]), [2, 4, 4, 1])
    with pytest.raises(ValueError, match="must have the same shape.*MaxUnpool"):
        tf.ext.max_unpool(v, tf.zeros([2, 2, 3, 1], tf.int64), [2, 4, 4, 1])
    with pytest.raises(ValueError, match="has batch 3 but value"):
        tf.ext.max_unpool(v, tf.zeros([2, 2, 2, 1], tf.int64), [3, 4, 4, 1])
    with pytest.raises(ValueError, match="unknown dimensions"):
        tf.ext.max_unpool(v, tf.zeros([2, 2, 2, 1], tf.int64), [None, 4, 4, 1])


def test_classic_scatter_nd_unpool_recipe():
    """The recipe learners copy from TF1 code (§10.6), built from primitives, gives max_unpool's result."""
    if not hasattr(tf, "scatter_nd"):
        pytest.skip("tf.scatter_nd is not available yet")
    x = RNG.standard_normal((2, 4, 6, 3)).astype(np.float32)
    pool, ind = tf.nn.max_pool_with_argmax(tf.constant(x), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")

    def unpool(pool, ind, ksize=(1, 2, 2, 1)):
        input_shape = pool.get_shape().as_list()
        output_shape = (input_shape[0], input_shape[1] * ksize[1], input_shape[2] * ksize[2], input_shape[3])
        flat_input_size = np.prod(input_shape)
        flat_output_shape = [output_shape[0], output_shape[1] * output_shape[2] * output_shape[3]]
        pool_ = tf.reshape(pool, [flat_input_size])
        batch_range = tf.reshape(tf.range(output_shape[0], dtype=ind.dtype), shape=[input_shape[0], 1, 1, 1])
        b = tf.ones_like(ind) * batch_range
        b = tf.reshape(b, [flat_input_size, 1])
        ind_ = tf.reshape(ind, [flat_input_size, 1])
        ind_ = tf.concat([b, ind_], 1)
        ret = tf.scatter_nd(ind_, pool_, shape=tf.cast(flat_output_shape, tf.int64))
        return tf.reshape(ret, output_shape)

    recipe = unpool(pool, ind)
    ours = tf.ext.max_unpool(pool, ind, [2, 4, 6, 3])
    a, b = run([recipe, ours])
    np.testing.assert_array_equal(a, b)
