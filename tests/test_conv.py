"""Convolution ops (API.md §10.3–10.5): conv2d and its backprops, conv2d_transpose, depthwise/separable,
bias_add, conv1d/atrous/convolution — forward against plain NumPy loops, static shapes, op names, bad input,
float64 gradient checks with random cotangents (second order included), and oracle checks against TF."""

import itertools
import math

import numpy as np
import pytest

import teachtf as tf
from teachtf.framework import errors
from teachtf.ops import windows
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(7)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# -- NumPy references, written for clarity --------------------------------------------------------------------------


def axis_plan(n, k, s, d, padding):
    """(out, pad_before) of one axis, straight from API.md §10.3."""
    ke = (k - 1) * d + 1
    if padding == "VALID":
        return (n - ke) // s + 1, 0
    out = math.ceil(n / s)
    total = max((out - 1) * s + ke - n, 0)
    return out, total // 2


def ref_conv2d(x, f, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    n, h, w, _ = x.shape
    kh, kw, _, o = f.shape
    oh, top = axis_plan(h, kh, strides[0], dilations[0], padding)
    ow, left = axis_plan(w, kw, strides[1], dilations[1], padding)
    out = np.zeros((n, oh, ow, o))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for a in range(kh):
                    for c in range(kw):
                        y = i * strides[0] + a * dilations[0] - top
                        xx = j * strides[1] + c * dilations[1] - left
                        if 0 <= y < h and 0 <= xx < w:
                            out[b, i, j] += x[b, y, xx] @ f[a, c]
    return out


def ref_conv2d_transpose(v, f, out_shape, strides, padding):
    """Scatter view of §10.5: each input cell adds value·kernel at offset i·s on a padded canvas, then crop."""
    n, h, w, co = out_shape
    kh, kw = f.shape[:2]
    _, top = axis_plan(h, kh, strides[0], 1, padding)
    _, left = axis_plan(w, kw, strides[1], 1, padding)
    canvas = np.zeros((n, h + 2 * kh + strides[0] * v.shape[1], w + 2 * kw + strides[1] * v.shape[2], co))
    for b in range(n):
        for i in range(v.shape[1]):
            for j in range(v.shape[2]):
                for a in range(kh):
                    for c in range(kw):
                        canvas[b, i * strides[0] + a, j * strides[1] + c] += f[a, c] @ v[b, i, j]
    return canvas[:, top:top + h, left:left + w]


def ref_depthwise(x, f, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, m = f.shape
    oh, top = axis_plan(h, kh, strides[0], dilations[0], padding)
    ow, left = axis_plan(w, kw, strides[1], dilations[1], padding)
    out = np.zeros((n, oh, ow, c * m))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    y = i * strides[0] + a * dilations[0] - top
                    xx = j * strides[1] + b * dilations[1] - left
                    if 0 <= y < h and 0 <= xx < w:
                        for ch in range(c):
                            out[:, i, j, ch * m:(ch + 1) * m] += x[:, y, xx, ch:ch + 1] * f[a, b, ch]
    return out


# -- conv2d forward ---------------------------------------------------------------------------------------------------

FORWARD_CASES = [
    # (input [n, h, w, c], filter [kh, kw, c, o], strides, padding, dilations)
    ((2, 7, 7, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 7, 5, 3), (3, 3, 3, 2), (2, 2), "SAME", (1, 1)),    # odd sizes, stride 2
    ((1, 8, 7, 2), (3, 2, 2, 3), (3, 3), "SAME", (1, 1)),    # stride 3, non-square kernel
    ((1, 8, 7, 2), (4, 4, 2, 3), (2, 3), "SAME", (1, 1)),    # even kernel: extra padding bottom/right
    ((2, 9, 9, 1), (3, 3, 1, 2), (1, 1), "VALID", (2, 2)),   # dilation
    ((1, 9, 8, 2), (2, 3, 2, 2), (1, 1), "SAME", (3, 2)),    # dilation with SAME
    ((2, 6, 6, 4), (1, 1, 4, 5), (1, 1), "VALID", (1, 1)),   # 1x1 (no im2col copy)
    ((2, 7, 9, 3), (5, 5, 3, 4), (3, 2), "VALID", (1, 1)),   # trailing cells ignored
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("xs,fs,strides,padding,dilations", FORWARD_CASES)
def test_conv2d_matches_reference(device, xs, fs, strides, padding, dilations):
    x, f = RNG.standard_normal(xs), RNG.standard_normal(fs)
    with tf.device(device):
        y = tf.nn.conv2d(tf.constant(x), tf.constant(f), [1, *strides, 1], padding, dilations=[1, *dilations, 1])
    expected = ref_conv2d(x, f, strides, padding, dilations)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-10)


def test_all_ones_stride_2_shows_the_padding_split():
    """The classic demonstration: SAME with stride 2 counts the in-bounds cells of each 3x3 window."""
    f = tf.ones([3, 3, 1, 1])
    odd = tf.nn.conv2d(tf.ones([1, 5, 5, 1]), f, [1, 2, 2, 1], "SAME")
    even = tf.nn.conv2d(tf.ones([1, 4, 4, 1]), f, [1, 2, 2, 1], "SAME")
    odd_v, even_v = run([odd, even])
    np.testing.assert_array_equal(odd_v[0, :, :, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])
    # n = 4: pad_total = 1 goes to the bottom/right, so the first window is fully inside.
    np.testing.assert_array_equal(even_v[0, :, :, 0], [[9, 6], [6, 4]])


def test_conv2d_static_shape_name_dtype():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    y = tf.nn.conv2d(x, tf.zeros([5, 5, 1, 32]), strides=[1, 1, 1, 1], padding="SAME")
    y2 = tf.nn.conv2d(x, tf.zeros([5, 5, 1, 32]), strides=[1, 2, 2, 1], padding="VALID")
    assert y.shape.as_list() == [None, 28, 28, 32]
    assert y2.shape.as_list() == [None, 12, 12, 32]
    assert y.op.type == "Conv2D" and y.op.name == "Conv2D" and y2.op.name == "Conv2D_1"
    assert y.dtype == tf.float32
    assert y.op.get_attr("strides") == [1, 1, 1, 1] and y.op.get_attr("padding") == "SAME"
    assert tf.nn.conv2d(x, tf.zeros([5, 5, 1, 2]), 2, "SAME").shape.as_list() == [None, 14, 14, 2]
    assert tf.nn.conv2d(x, tf.zeros([5, 5, 1, 2]), [2, 1], "SAME").shape.as_list() == [None, 14, 28, 2]


def test_conv2d_converts_numpy_filter_to_input_dtype():
    y = tf.nn.conv2d(tf.ones([1, 3, 3, 1]), np.ones((2, 2, 1, 1)), [1, 1, 1, 1], "VALID")
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(run(y)[0, :, :, 0], [[4, 4], [4, 4]])


def test_conv2d_explicit_padding():
    x, f = RNG.standard_normal((1, 5, 6, 2)), RNG.standard_normal((3, 3, 2, 2))
    y = tf.nn.conv2d(x, f, [1, 1, 1, 1], [[0, 0], [1, 2], [0, 1], [0, 0]])
    padded = np.pad(x, ((0, 0), (1, 2), (0, 1), (0, 0)))
    assert y.shape.as_list() == [1, 6, 5, 2]
    np.testing.assert_allclose(run(y), ref_conv2d(padded, f), rtol=1e-10)


def test_conv2d_nchw_matches_nhwc():
    x, f = RNG.standard_normal((2, 6, 7, 3)), RNG.standard_normal((3, 3, 3, 4))
    y = tf.nn.conv2d(tf.constant(x.transpose(0, 3, 1, 2)), f, [1, 1, 2, 2], "SAME", data_format="NCHW")
    assert y.shape.as_list() == [2, 4, 3, 4]
    np.testing.assert_allclose(run(y), ref_conv2d(x, f, (2, 2), "SAME").transpose(0, 3, 1, 2), rtol=1e-10)


def test_batch_chunking_gives_the_same_result(monkeypatch):
    x, f = RNG.standard_normal((7, 9, 8, 3)), RNG.standard_normal((3, 3, 3, 2))
    dy = RNG.standard_normal((7, 5, 4, 2))
    xt, ft = tf.constant(x), tf.constant(f)
    y = tf.nn.conv2d(xt, ft, [1, 2, 2, 1], "SAME")
    gx, gf = tf.gradients(y, [xt, ft], grad_ys=tf.constant(dy))
    whole = run([y, gx, gf])
    monkeypatch.setattr(windows, "CHUNK_BYTES", 1)  # one image per chunk
    chunked = run([y, gx, gf])
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- conv2d gradients (first and second order) ---------------------------------------------------------------------

GRAD_CASES = [
    ((2, 5, 5, 2), (3, 3, 2, 2), (1, 1), "SAME", (1, 1)),
    ((1, 7, 6, 2), (3, 3, 2, 3), (2, 2), "SAME", (1, 1)),   # odd size, stride 2
    ((1, 8, 7, 1), (2, 3, 1, 2), (3, 2), "SAME", (1, 1)),   # stride 3
    ((1, 7, 7, 2), (3, 3, 2, 1), (2, 2), "VALID", (1, 1)),
    ((1, 7, 6, 1), (2, 2, 1, 2), (1, 1), "SAME", (2, 2)),   # dilation
]


@pytest.mark.parametrize("xs,fs,strides,padding,dilations", GRAD_CASES)
def test_conv2d_gradients(xs, fs, strides, padding, dilations):
    def build(x, f):
        return tf.nn.conv2d(x, f, [1, *strides, 1], padding, dilations=[1, *dilations, 1])

    check_gradients(build, RNG.standard_normal(xs), RNG.standard_normal(fs))


@pytest.mark.parametrize("xs,fs,strides,padding,dilations", GRAD_CASES[:4])
def test_conv2d_second_order(xs, fs, strides, padding, dilations):
    """Differentiating dX and dF again exercises the gradients of Conv2DBackpropInput/Filter."""
    cot = RNG.standard_normal(ref_conv2d(np.zeros(xs), np.zeros(fs), strides, padding).shape)

    def grads(x, f):
        y = tf.nn.conv2d(x, f, [1, *strides, 1], padding, dilations=[1, *dilations, 1])
        return tf.gradients(tf.reduce_sum(y * cot), [x, f])

    check_gradients(lambda x, f: grads(x, f)[0], RNG.standard_normal(xs), RNG.standard_normal(fs))
    check_gradients(lambda x, f: grads(x, f)[1], RNG.standard_normal(xs), RNG.standard_normal(fs))


def test_backprop_ops_are_differentiable_in_every_input():
    xs, fs = (1, 6, 5, 2), (3, 3, 2, 2)
    st = [1, 2, 2, 1]
    ys = (1, 3, 3, 2)
    check_gradients(lambda f, dy: tf.nn.conv2d_backprop_input(list(xs), f, dy, st, "SAME"),
                    RNG.standard_normal(fs), RNG.standard_normal(ys))
    check_gradients(lambda x, dy: tf.nn.conv2d_backprop_filter(x, list(fs), dy, st, "SAME"),
                    RNG.standard_normal(xs), RNG.standard_normal(ys))


def test_gradient_op_types():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    f = tf.Variable(tf.zeros([3, 3, 3, 4]))
    gx, gf = tf.gradients(tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME"), [x, f])
    assert gx.op.type == "Conv2DBackpropInput" and gf.op.type == "Conv2DBackpropFilter"
    assert gx.shape.as_list() == [None, 8, 8, 3] and gf.shape.as_list() == [3, 3, 3, 4]


# -- conv2d_transpose --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("vs,fs,out,strides,padding", [
    ((2, 4, 4, 3), (3, 3, 2, 3), (2, 8, 8, 2), (2, 2), "SAME"),
    ((2, 4, 4, 3), (3, 3, 2, 3), (2, 7, 7, 2), (2, 2), "SAME"),   # odd output: same value size
    ((1, 3, 2, 2), (3, 3, 1, 2), (1, 7, 5, 1), (2, 2), "VALID"),
    ((1, 3, 3, 1), (2, 2, 2, 1), (1, 9, 9, 2), (3, 3), "SAME"),
])
def test_conv2d_transpose_matches_scatter_reference(device, vs, fs, out, strides, padding):
    v, f = RNG.standard_normal(vs), RNG.standard_normal(fs)
    with tf.device(device):
        y = tf.nn.conv2d_transpose(tf.constant(v), tf.constant(f), out, [1, *strides, 1], padding)
    assert y.shape.as_list() == list(out)
    assert y.op.type == "Conv2DBackpropInput" and y.op.name == "conv2d_transpose"
    np.testing.assert_allclose(run(y), ref_conv2d_transpose(v, f, out, strides, padding), rtol=1e-10, atol=1e-12)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    x, f = RNG.standard_normal((2, 7, 7, 2)), RNG.standard_normal((3, 3, 2, 3))
    v = RNG.standard_normal((2, 4, 4, 3))
    conv = tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME")
    back = tf.nn.conv2d_transpose(v, f, [2, 7, 7, 2], [1, 2, 2, 1], "SAME")
    cv, bv = run([conv, back])
    np.testing.assert_allclose(np.sum(cv * v), np.sum(x * bv), rtol=1e-10)


def test_conv2d_transpose_gradients():
    check_gradients(lambda v, f: tf.nn.conv2d_transpose(v, f, [1, 7, 6, 2], [1, 2, 2, 1], "SAME"),
                    RNG.standard_normal((1, 4, 3, 3)), RNG.standard_normal((3, 3, 2, 3)))


def test_conv2d_transpose_rejects_an_impossible_output_shape():
    v, f = tf.zeros([2, 4, 4, 4]), tf.zeros([3, 3, 3, 4])
    with pytest.raises(ValueError, match=r"output_shape \[2, 9, 9, 3\] cannot produce.*conv2d_transpose"):
        tf.nn.conv2d_transpose(v, f, [2, 9, 9, 3], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="output channels, 5 != 3"):
        tf.nn.conv2d_transpose(v, f, [2, 8, 8, 5], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="input channels, 5 != 4"):
        tf.nn.conv2d_transpose(tf.zeros([2, 4, 4, 5]), f, [2, 8, 8, 3], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.nn.conv2d_transpose(v, f, [3, 8, 8, 3], [1, 2, 2, 1], "SAME")


def test_conv2d_transpose_dynamic_output_shape_is_checked_when_run():
    v = tf.placeholder(tf.float32, [None, 4, 4, 4])
    shape = tf.placeholder(tf.int32, [4])
    y = tf.nn.conv2d_transpose(v, tf.zeros([3, 3, 3, 4]), shape, [1, 2, 2, 1], "SAME")
    with tf.Session() as sess:
        out = sess.run(y, {v: np.ones((2, 4, 4, 4)), shape: [2, 8, 8, 3]})
        assert out.shape == (2, 8, 8, 3)
        with pytest.raises(errors.InvalidArgumentError, match="Size of out_backprop doesn't match computed"):
            sess.run(y, {v: np.ones((2, 4, 4, 4)), shape: [2, 9, 9, 3]})


# -- depthwise / separable -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("xs,fs,strides,padding,rate", [
    ((2, 6, 7, 3), (3, 3, 3, 2), (1, 1), "SAME", 1),
    ((1, 7, 7, 2), (3, 2, 2, 1), (2, 2), "SAME", 1),
    ((1, 8, 8, 2), (2, 2, 2, 3), (1, 1), "VALID", 2),
])
def test_depthwise_conv2d_matches_reference(device, xs, fs, strides, padding, rate):
    x, f = RNG.standard_normal(xs), RNG.standard_normal(fs)
    with tf.device(device):
        y = tf.nn.depthwise_conv2d(tf.constant(x), tf.constant(f), [1, *strides, 1], padding, rate=[rate, rate])
    expected = ref_depthwise(x, f, strides, padding, (rate, rate))
    assert y.shape.as_list() == list(expected.shape) and y.op.name == "depthwise"
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-12)


def test_depthwise_gradients_first_and_second_order():
    x, f = RNG.standard_normal((1, 6, 5, 2)), RNG.standard_normal((3, 3, 2, 2))
    build = lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 2, 2, 1], "SAME")  # noqa: E731
    check_gradients(build, x, f)
    cot = RNG.standard_normal((1, 3, 3, 4))
    check_gradients(lambda x, f: tf.gradients(tf.reduce_sum(build(x, f) * cot), x)[0], x, f)
    check_gradients(lambda x, f: tf.gradients(tf.reduce_sum(build(x, f) * cot), f)[0], x, f)


def test_separable_conv2d_is_depthwise_then_pointwise():
    x, df, pf = RNG.standard_normal((2, 6, 6, 3)), RNG.standard_normal((3, 3, 3, 2)), RNG.standard_normal((1, 1, 6, 4))
    y = tf.nn.separable_conv2d(x, df, pf, [1, 1, 1, 1], "SAME")
    expected = ref_conv2d(ref_depthwise(x, df, padding="SAME"), pf)
    assert y.shape.as_list() == [2, 6, 6, 4]
    np.testing.assert_allclose(run(y), expected, rtol=1e-10)
    with pytest.raises(ValueError, match="pointwise_filter"):
        tf.nn.separable_conv2d(x, df, RNG.standard_normal((2, 1, 6, 4)), [1, 1, 1, 1], "SAME")


# -- bias_add ---------------------------------------------------------------------------------------------------------


def test_bias_add_forward_gradients_and_errors():
    x, b = RNG.standard_normal((2, 3, 4, 5)), RNG.standard_normal(5)
    y = tf.nn.bias_add(x, b)
    assert y.op.type == "BiasAdd" and y.op.name == "BiasAdd"
    np.testing.assert_allclose(run(y), x + b)
    nchw = tf.nn.bias_add(np.ones((2, 3, 4, 4)), [1.0, 2.0, 3.0], data_format="NCHW")
    np.testing.assert_allclose(run(nchw)[:, :, 0, 0], [[2, 3, 4], [2, 3, 4]])
    check_gradients(lambda x, b: tf.nn.bias_add(x, b), x, b)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 5 and 4.*BiasAdd"):
        tf.nn.bias_add(x, np.zeros(4))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add(x, np.zeros((5, 1)))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.nn.bias_add(np.zeros(3), np.zeros(3))


def test_bias_add_grad_is_differentiable():
    """d/db Σ bias_add(x, b)² = BiasAddGrad(2·(x + b)); differentiating it again needs BiasAddGrad's gradient."""
    def build(x, b):
        y = tf.nn.bias_add(x, b)
        return tf.gradients(tf.reduce_sum(y * y), b)[0]

    check_gradients(build, RNG.standard_normal((3, 4, 5)), RNG.standard_normal(5))


# -- conv1d, atrous_conv2d, convolution -----------------------------------------------------------------------------


def test_conv1d_matches_conv2d_on_a_row():
    x, f = RNG.standard_normal((2, 9, 3)), RNG.standard_normal((3, 3, 4))
    y = tf.nn.conv1d(x, f, 2, "SAME")
    assert y.shape.as_list() == [2, 5, 4]
    np.testing.assert_allclose(run(y), ref_conv2d(x[:, None], f[None], (1, 2), "SAME")[:, 0], rtol=1e-10)
    check_gradients(lambda x, f: tf.nn.conv1d(x, f, 1, "VALID"), x[:1, :6], f[:, :, :2])


def test_atrous_conv2d_and_convolution():
    x, f = RNG.standard_normal((1, 9, 9, 2)), RNG.standard_normal((3, 3, 2, 2))
    atrous = tf.nn.atrous_conv2d(x, f, 2, "SAME")
    conv = tf.nn.convolution(x, f, "VALID", strides=[2, 1], dilation_rate=None)
    a, c = run([atrous, conv])
    np.testing.assert_allclose(a, ref_conv2d(x, f, padding="SAME", dilations=(2, 2)), rtol=1e-10)
    np.testing.assert_allclose(c, ref_conv2d(x, f, (2, 1), "VALID"), rtol=1e-10)
    with pytest.raises(ValueError, match="rate 0 cannot be less than one"):
        tf.nn.atrous_conv2d(x, f, 0, "SAME")


# -- bad input --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("xs,fs,strides,padding,pattern", [
    ([7, 7, 3], [3, 3, 3, 4], [1, 1, 1, 1], "SAME", r"Shape must be rank 4 but is rank 3.*'Conv2D'"),
    ([2, 7, 7, 3], [3, 3, 2, 4], [1, 1, 1, 1], "SAME",
     r"Depth of input \(3\) does not match input depth of filter \(2\).*'Conv2D'"),
    ([2, 7, 7, 3], [3, 3, 3, 4], [1, 1, 1, 1], "same", r"Attr 'padding' of 'Conv2D' Op passed string 'same'"),
    ([2, 7, 7, 3], [3, 3, 3, 4], [2, 1, 1, 1], "SAME", r"Conv2D: strides=\[2, 1, 1, 1\] must be 1 in the batch"),
    ([2, 7, 7, 3], [3, 3, 3, 4], [1, 1, 1, 2], "SAME", r"must be 1 in the batch and depth"),
    ([2, 7, 7, 3], [3, 3, 3, 4], [1, 1, 1], "SAME", r"strides should be of length 1, 2 or 4"),
    ([2, 2, 2, 3], [3, 3, 3, 4], [1, 1, 1, 1], "VALID", r"Negative dimension size caused by subtracting 3 from 2"),
    ([2, 7, 7, 3], [3, 3, 3, 4], [1, 0, 1, 1], "SAME", r"Stride must be > 0"),
])
def test_conv2d_bad_input_raises_value_error_naming_the_op(xs, fs, strides, padding, pattern):
    x, f = tf.placeholder(tf.float32, xs), tf.placeholder(tf.float32, fs)
    with pytest.raises(ValueError, match=pattern) as info:
        tf.nn.conv2d(x, f, strides, padding)
    assert "test_conv.py" in str(info.value) or "Conv2D" in str(info.value)


def test_conv2d_dtype_errors():
    with pytest.raises(TypeError, match="Input 'filter' of 'Conv2D' Op has type float64"):
        tf.nn.conv2d(tf.placeholder(tf.float32, [1, 3, 3, 1]), tf.placeholder(tf.float64, [1, 1, 1, 1]), 1, "SAME")
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.nn.conv2d(tf.placeholder(tf.int32, [1, 3, 3, 1]), tf.placeholder(tf.int32, [1, 1, 1, 1]), 1, "SAME")


def test_conv2d_error_names_the_learners_line():
    with pytest.raises(ValueError) as info:
        tf.nn.conv2d(tf.zeros([1, 4, 4, 2]), tf.zeros([3, 3, 3, 1]), 1, "SAME")
    assert "test_conv.py" in str(info.value)


# -- oracle ------------------------------------------------------------------------------------------------------------


def _conv_and_grads(lib, x, f, dy, strides, padding, dilations, with_grads):
    g = lib.Graph()
    with g.as_default():
        xt, ft = lib.constant(x), lib.constant(f)
        y = lib.nn.conv2d(xt, ft, [1, *strides, 1], padding, dilations=[1, *dilations, 1])
        fetch = [y] + (lib.gradients(y, [xt, ft], grad_ys=lib.constant(dy)) if with_grads else [])
        with lib.Session(graph=g) as sess:
            return sess.run(fetch)


@pytest.mark.oracle
def test_conv2d_and_gradients_match_tensorflow_on_a_grid(tf1):
    grid = itertools.product([5, 6, 7], [1, 2, 3], [1, 2, 3], [1, 2], ["SAME", "VALID"])
    for n, k, s, d, padding in grid:
        if (padding == "VALID" and (k - 1) * d + 1 > n) or (s > 1 and d > 1):
            continue
        x, f = RNG.standard_normal((2, n, n + 1, 3)), RNG.standard_normal((k, k, 3, 2))
        y = ref_conv2d(x, f, (s, s), padding, (d, d))
        dy = RNG.standard_normal(y.shape)
        with_grads = d == 1  # TF's CPU kernels have no dilated backprops
        ours = _conv_and_grads(tf, x, f, dy, (s, s), padding, (d, d), with_grads)
        theirs = _conv_and_grads(tf1, x, f, dy, (s, s), padding, (d, d), with_grads)
        for a, b in zip(ours, theirs):
            assert a.shape == b.shape, (n, k, s, d, padding)
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10, err_msg=str((n, k, s, d, padding)))


@pytest.mark.oracle
def test_conv2d_transpose_and_depthwise_match_tensorflow(tf1):
    v, f = RNG.standard_normal((2, 4, 4, 3)), RNG.standard_normal((3, 3, 2, 3))
    dwx, dwf = RNG.standard_normal((2, 7, 6, 3)), RNG.standard_normal((3, 3, 3, 2))
    results = []
    for lib in (tf, tf1):
        g = lib.Graph()
        with g.as_default():
            a = lib.nn.conv2d_transpose(lib.constant(v), lib.constant(f), [2, 7, 7, 2], [1, 2, 2, 1], "SAME")
            b = lib.nn.depthwise_conv2d(lib.constant(dwx), lib.constant(dwf), [1, 2, 2, 1], "SAME")
            with lib.Session(graph=g) as sess:
                results.append(sess.run([a, b]))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
