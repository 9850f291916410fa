"""Pooling ops (API.md §10.3, §10.4, §10.6): max_pool, avg_pool, max_pool_with_argmax and the 1-D/v2/pool
spellings — forward against plain NumPy loops (overlapping windows, SAME with odd sizes, ties), argmax indices,
static shapes, op names, bad input, float64 gradient checks (second order included) and TF oracle checks."""

import functools
import itertools
import math

import numpy as np
import pytest

import teachtf as tf
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(11)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# -- NumPy references, written for clarity ------------------------------------------------------------------------


def axis_plan(n, k, s, padding):
    """(out, pad_before) of one axis (API.md §10.3)."""
    if padding == "VALID":
        return (n - k) // s + 1, 0
    out = math.ceil(n / s)
    return out, max((out - 1) * s + k - n, 0) // 2


def windows(shape, k, s, padding):
    """Yields (i, j, cells) with the in-bounds (y, x) cells of every output window, in row-major order."""
    _, h, w, _ = shape
    oh, top = axis_plan(h, k[0], s[0], padding)
    ow, left = axis_plan(w, k[1], s[1], padding)
    for i in range(oh):
        for j in range(ow):
            cells = [(i * s[0] + a - top, j * s[1] + b - left) for a in range(k[0]) for b in range(k[1])]
            yield i, j, [(y, x) for y, x in cells if 0 <= y < h and 0 <= x < w], (oh, ow)


def ref_pool(x, k, s, padding, kind, include_batch=False):
    """(output, argmax) with the first maximum of each window (row-major) and its flat index."""
    n, h, w, c = x.shape
    out = argmax = None
    for i, j, cells, (oh, ow) in windows(x.shape, k, s, padding):
        if out is None:
            out, argmax = np.zeros((n, oh, ow, c)), np.zeros((n, oh, ow, c), dtype=np.int64)
        for b in range(n):
            for ch in range(c):
                vals = [x[b, y, xx, ch] for y, xx in cells]
                if kind == "avg":
                    out[b, i, j, ch] = sum(vals) / len(vals)
                    continue
                best = int(np.argmax(vals))  # np.argmax returns the first maximum
                y, xx = cells[best]
                out[b, i, j, ch] = vals[best]
                argmax[b, i, j, ch] = ((b * h + y) * w + xx) * c + ch if include_batch else (y * w + xx) * c + ch
    return out, argmax


POOL_CASES = [
    # (input shape, ksize, strides, padding)
    ((2, 6, 6, 3), (2, 2), (2, 2), "VALID"),
    ((2, 7, 5, 2), (2, 2), (2, 2), "SAME"),    # odd sizes: the extra window cell is padding at the bottom/right
    ((1, 7, 7, 2), (3, 3), (2, 2), "SAME"),    # overlapping windows (stride < window)
    ((1, 8, 7, 1), (3, 2), (1, 1), "SAME"),
    ((1, 9, 8, 2), (3, 3), (3, 3), "SAME"),    # stride 3
    ((2, 7, 7, 1), (4, 4), (2, 3), "VALID"),
    ((1, 5, 5, 2), (5, 5), (1, 1), "VALID"),   # global pooling
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape,k,s,padding", POOL_CASES)
def test_max_and_avg_pool_match_reference(device, shape, k, s, padding):
    x = RNG.standard_normal(shape)
    with tf.device(device):
        mp = tf.nn.max_pool(tf.constant(x), [1, *k, 1], [1, *s, 1], padding)
        ap = tf.nn.avg_pool(tf.constant(x), [1, *k, 1], [1, *s, 1], padding)
    want_max, _ = ref_pool(x, k, s, padding, "max")
    want_avg, _ = ref_pool(x, k, s, padding, "avg")
    assert mp.shape.as_list() == list(want_max.shape) == ap.shape.as_list()
    got_max, got_avg = run([mp, ap])
    np.testing.assert_array_equal(got_max, want_max)
    np.testing.assert_allclose(got_avg, want_avg, rtol=1e-12)


def test_avg_pool_same_divides_by_in_bounds_count():
    """Zeros that are real data count; padded cells do not."""
    x = np.ones((1, 3, 3, 1))
    x[0, 0, 0, 0] = 0.0
    y = run(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))[0, :, :, 0]
    np.testing.assert_allclose(y, [[0.75, 1.0], [1.0, 1.0]])


def test_max_pool_padding_never_wins_and_ints_are_supported():
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    y = run(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))
    np.testing.assert_array_equal(y[0, :, :, 0], [[-1, -3], [-7, -9]])
    xi = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    yi = tf.nn.max_pool(xi, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert yi.dtype == tf.int32
    np.testing.assert_array_equal(run(yi)[0, :, :, 0], [[5, 7], [13, 15]])


def test_pool_static_shapes_names_and_argument_forms():
    x = tf.placeholder(tf.float32, [None, 28, 28, 32])
    a = tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    b = tf.nn.max_pool(x, 3, 2, "VALID")
    c = tf.nn.avg_pool(x, [2, 3], [2, 3], "SAME")
    assert a.shape.as_list() == [None, 14, 14, 32] and a.op.name == "MaxPool" and b.op.name == "MaxPool_1"
    assert b.shape.as_list() == [None, 13, 13, 32]
    assert c.shape.as_list() == [None, 14, 10, 32] and c.op.type == "AvgPool"
    assert a.op.get_attr("ksize") == [1, 2, 2, 1]


def test_nchw_pooling_matches_nhwc():
    x = RNG.standard_normal((2, 7, 6, 3))
    y = tf.nn.max_pool(x.transpose(0, 3, 1, 2), [1, 1, 3, 3], [1, 1, 2, 2], "SAME", data_format="NCHW")
    z = tf.nn.avg_pool(x.transpose(0, 3, 1, 2), [1, 1, 3, 3], [1, 1, 2, 2], "SAME", data_format="NCHW")
    np.testing.assert_array_equal(run(y), ref_pool(x, (3, 3), (2, 2), "SAME", "max")[0].transpose(0, 3, 1, 2))
    np.testing.assert_allclose(run(z), ref_pool(x, (3, 3), (2, 2), "SAME", "avg")[0].transpose(0, 3, 1, 2))


# -- argmax ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape,k,s,padding", POOL_CASES[:6])
@pytest.mark.parametrize("include_batch", [False, True])
def test_max_pool_with_argmax_indices(device, shape, k, s, padding, include_batch):
    x = RNG.standard_normal(shape)
    with tf.device(device):
        out, argmax = tf.nn.max_pool_with_argmax(tf.constant(x), [1, *k, 1], [1, *s, 1], padding,
                                                 include_batch_in_index=include_batch)
    want_out, want_arg = ref_pool(x, k, s, padding, "max", include_batch)
    assert argmax.dtype == tf.int64 and argmax.shape.as_list() == list(want_arg.shape)
    got_out, got_arg = run([out, argmax])
    np.testing.assert_array_equal(got_out, want_out)
    np.testing.assert_array_equal(got_arg, want_arg)
    per_image = x.reshape(1 if include_batch else shape[0], -1)
    picked = np.take_along_axis(per_image, got_arg.reshape(per_image.shape[0], -1), 1)
    np.testing.assert_array_equal(picked.reshape(got_out.shape), got_out)


def test_argmax_ties_go_to_the_first_maximum_in_row_major_order():
    x = np.array([[5, 5], [5, 5]], dtype=np.float32).reshape(1, 2, 2, 1)
    x2 = np.array([[1, 7], [7, 7]], dtype=np.float32).reshape(1, 2, 2, 1)
    _, a = tf.nn.max_pool_with_argmax(np.concatenate([x, x2]), [1, 2, 2, 1], [1, 2, 2, 1], "VALID",
                                      include_batch_in_index=True)
    np.testing.assert_array_equal(run(a).reshape(-1), [0, 5])


def test_argmax_names_types_and_targmax():
    out, arg = tf.nn.max_pool_with_argmax(tf.zeros([1, 4, 4, 2]), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert out.op.type == "MaxPoolWithArgmax" and out.op.name == "MaxPoolWithArgmax"
    r = tf.nn.max_pool_with_argmax(tf.zeros([1, 4, 4, 2]), [1, 2, 2, 1], [1, 2, 2, 1], "SAME", Targmax=tf.int32)
    assert r.argmax.dtype == tf.int32 and r.output.shape.as_list() == [1, 2, 2, 2]
    with pytest.raises(ValueError, match="NHWC"):
        tf.nn.max_pool_with_argmax(tf.zeros([1, 4, 4, 2]), [1, 2, 2, 1], [1, 2, 2, 1], "SAME", data_format="NCHW")


# -- gradients ---------------------------------------------------------------------------------------------------------

GRAD_CASES = [
    ((1, 4, 4, 2), (2, 2), (2, 2), "VALID"),
    ((1, 5, 5, 2), (3, 3), (2, 2), "SAME"),    # overlapping windows, odd size
    ((2, 5, 4, 1), (3, 2), (1, 1), "SAME"),    # heavy overlap
    ((1, 7, 6, 1), (2, 2), (3, 3), "SAME"),    # stride 3 (gaps between windows)
]


@pytest.mark.parametrize("shape,k,s,padding", GRAD_CASES)
def test_pool_gradients(shape, k, s, padding):
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values: no ties
    check_gradients(lambda x: tf.nn.max_pool(x, [1, *k, 1], [1, *s, 1], padding), x)
    check_gradients(lambda x: tf.nn.avg_pool(x, [1, *k, 1], [1, *s, 1], padding), x)
    check_gradients(lambda x: tf.nn.max_pool_with_argmax(x, [1, *k, 1], [1, *s, 1], padding).output, x)


def test_overlapping_max_pool_gradient_accumulates_at_shared_maxima():
    x = np.zeros((1, 3, 3, 1))
    x[0, 1, 1, 0] = 1.0  # the center is the maximum of all four overlapping 2x2 windows
    xt = tf.constant(x)
    g = run(tf.gradients(tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 1, 1, 1], "VALID"), xt)[0])
    expected = np.zeros((3, 3))
    expected[1, 1] = 4.0
    np.testing.assert_array_equal(g[0, :, :, 0], expected)


def test_max_pool_gradient_tie_rule_first_maximum():
    x = np.ones((1, 2, 2, 1))
    xt = tf.constant(x)
    g = run(tf.gradients(tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), xt)[0])
    np.testing.assert_array_equal(g[0, :, :, 0], [[1, 0], [0, 0]])


@pytest.mark.parametrize("shape,k,s,padding", GRAD_CASES[1:3])
def test_pool_second_order(shape, k, s, padding):
    """Gradients of MaxPoolGrad / AvgPoolGrad / MaxPoolGradWithArgmax w.r.t. the incoming gradient."""
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.1
    c = RNG.standard_normal(ref_pool(np.zeros(shape), k, s, padding, "avg")[0].shape)

    def argmax_pool(*args):
        return tf.nn.max_pool_with_argmax(*args).output

    def pool_grad(pool, c):
        xt = tf.constant(x)
        return tf.gradients(tf.reduce_sum(pool(xt, [1, *k, 1], [1, *s, 1], padding) * c), xt)[0]

    for pool in (tf.nn.max_pool, tf.nn.avg_pool, argmax_pool):
        check_gradients(functools.partial(pool_grad, pool), c)

    # Third order: d/dgg of ∂/∂c Σ grad_op(c)·gg differentiates MaxPoolGradGrad(WithArgmax) in turn.
    def grad_grad(pool, gg):
        ct = tf.constant(c)
        return tf.gradients(tf.reduce_sum(pool_grad(pool, ct) * gg), ct)[0]

    for pool in (tf.nn.max_pool, argmax_pool):
        check_gradients(functools.partial(grad_grad, pool), RNG.standard_normal(shape))


def test_gradient_op_types():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    gm = tf.gradients(tf.nn.max_pool(x, 2, 2, "SAME"), x)[0]
    ga = tf.gradients(tf.nn.avg_pool(x, 2, 2, "SAME"), x)[0]
    gw = tf.gradients(tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME").output, x)[0]
    assert (gm.op.type, ga.op.type, gw.op.type) == ("MaxPoolGrad", "AvgPoolGrad", "MaxPoolGradWithArgmax")
    assert gm.shape.as_list() == ga.shape.as_list() == [None, 6, 6, 2]


# -- 1-D, v2 and tf.nn.pool ----------------------------------------------------------------------------------------


def test_pool1d_v2_and_pool():
    x = RNG.standard_normal((2, 9, 3))
    m1 = tf.nn.max_pool1d(x, 3, 2, "SAME")
    a1 = tf.nn.avg_pool1d(x, [2], [2], "VALID")
    want_m = ref_pool(x[:, None], (1, 3), (1, 2), "SAME", "max")[0][:, 0]
    want_a = ref_pool(x[:, None], (1, 2), (1, 2), "VALID", "avg")[0][:, 0]
    x4 = RNG.standard_normal((1, 6, 6, 2))
    v2 = tf.nn.max_pool_v2(x4, [3, 3], [2, 2], "SAME")
    p = tf.nn.pool(x4, [2, 2], "AVG", "VALID", strides=[2, 2])
    got = run([m1, a1, v2, p])
    np.testing.assert_array_equal(got[0], want_m)
    np.testing.assert_allclose(got[1], want_a)
    np.testing.assert_array_equal(got[2], ref_pool(x4, (3, 3), (2, 2), "SAME", "max")[0])
    np.testing.assert_allclose(got[3], ref_pool(x4, (2, 2), (2, 2), "VALID", "avg")[0])
    with pytest.raises(ValueError, match="pooling_type"):
        tf.nn.pool(x4, [2, 2], "MIN", "VALID")


# -- bad input --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [tf.nn.max_pool, tf.nn.avg_pool])
def test_pool_bad_input(fn):
    x = tf.placeholder(tf.float32, [2, 7, 7, 3])
    op = "MaxPool" if fn is tf.nn.max_pool else "AvgPool"
    with pytest.raises(ValueError, match=rf"Attr 'padding' of '{op}' Op passed string 'same'"):
        fn(x, [1, 2, 2, 1], [1, 2, 2, 1], "same")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        fn(x, [1, 2, 2], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match=r"must be 1 in the batch and depth"):
        fn(x, [2, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match=r"must be 1 in the batch and depth"):
        fn(x, [1, 2, 2, 1], [1, 2, 2, 2], "SAME")
    with pytest.raises(ValueError, match=rf"Negative dimension size caused by subtracting 9 from 7.*'{op}'"):
        fn(x, [1, 9, 9, 1], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError, match=rf"Shape must be rank 4 but is rank 3.*'{op}'"):
        fn(tf.placeholder(tf.float32, [7, 7, 3]), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")


def test_avg_pool_rejects_integers():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.nn.avg_pool(tf.zeros([1, 4, 4, 1], tf.int32), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")


# -- oracle ----------------------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_pooling_matches_tensorflow_on_a_grid(tf1):
    for n, k, s, padding, ties in itertools.product([5, 6, 7], [1, 2, 3], [1, 2, 3], ["SAME", "VALID"],
                                                    [False, True]):
        if padding == "VALID" and k > n:
            continue
        x = RNG.standard_normal((2, n, n + 1, 3))
        if ties:
            x = np.round(x)
        dy = RNG.standard_normal(ref_pool(np.zeros(x.shape), (k, k), (s, s), padding, "avg")[0].shape)
        results = []
        for lib in (tf, tf1):
            g = lib.Graph()
            with g.as_default():
                xt = lib.constant(x)
                ks, st = [1, k, k, 1], [1, s, s, 1]
                mp, ap = lib.nn.max_pool(xt, ks, st, padding), lib.nn.avg_pool(xt, ks, st, padding)
                wo, wa = lib.nn.max_pool_with_argmax(xt, ks, st, padding, include_batch_in_index=True)
                grads = [lib.gradients(y, xt, grad_ys=lib.constant(dy))[0] for y in (mp, ap, wo)]
                with lib.Session(graph=g) as sess:
                    results.append(sess.run([mp, ap, wo, wa] + grads))
        for ours, theirs in zip(*results):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12, err_msg=str((n, k, s, padding, ties)))
