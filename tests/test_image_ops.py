"""tf.image (API.md §18) and depth_to_space/space_to_depth (§10.7): legacy TF1 resize sampling against plain
NumPy loops, dtypes and static shapes, gradients of the resize ops, the cheap image ops, and TF oracle checks."""

import functools
import itertools
import math

import numpy as np
import pytest

import teachtf as tf
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(3)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# -- NumPy references (legacy TF1 sampling: source = dst · in/out, no half-pixel offset) ---------------------


def scale(n_in, n_out, align_corners):
    return (n_in - 1) / (n_out - 1) if align_corners and n_out > 1 else n_in / n_out


def ref_nearest(img, size, align_corners=False):
    n, h, w, c = img.shape
    oh, ow = size
    out = np.zeros((n, oh, ow, c), img.dtype)
    sy, sx = scale(h, oh, align_corners), scale(w, ow, align_corners)
    pick = (lambda v: math.floor(v + 0.5)) if align_corners else math.floor
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = img[:, min(pick(i * sy), h - 1), min(pick(j * sx), w - 1)]
    return out


def ref_bilinear(img, size, align_corners=False):
    n, h, w, c = img.shape
    oh, ow = size
    out = np.zeros((n, oh, ow, c))
    sy, sx = scale(h, oh, align_corners), scale(w, ow, align_corners)
    for i in range(oh):
        y = i * sy
        y0, y1, ty = math.floor(y), min(math.ceil(y), h - 1), y - math.floor(y)
        for j in range(ow):
            x = j * sx
            x0, x1, tx = math.floor(x), min(math.ceil(x), w - 1), x - math.floor(x)
            top = img[:, y0, x0] * (1 - tx) + img[:, y0, x1] * tx
            bottom = img[:, y1, x0] * (1 - tx) + img[:, y1, x1] * tx
            out[:, i, j] = top * (1 - ty) + bottom * ty
    return out


def ref_area(img, size):
    """Each output averages the input cells that its [i·s, (i+1)·s) box covers, weighted by overlap."""
    n, h, w, c = img.shape
    oh, ow = size
    sy, sx = h / oh, w / ow
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            total = np.zeros((n, c))
            for y in range(math.floor(i * sy), math.ceil((i + 1) * sy)):
                wy = min(y + 1, (i + 1) * sy) - max(y, i * sy)
                for x in range(math.floor(j * sx), math.ceil((j + 1) * sx)):
                    wx = min(x + 1, (j + 1) * sx) - max(x, j * sx)
                    total += wy * wx * img[:, min(y, h - 1), min(x, w - 1)]
            out[:, i, j] = total / (sy * sx)
    return out


SIZES = [((5, 4), (7, 9)), ((6, 6), (3, 2)), ((4, 5), (4, 5)), ((3, 7), (1, 1)), ((2, 3), (8, 8))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("in_hw,out_hw", SIZES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_nearest_and_bilinear_match_reference(device, in_hw, out_hw, align_corners):
    img = RNG.standard_normal((2, *in_hw, 3)).astype(np.float32)
    with tf.device(device):
        near = tf.image.resize_nearest_neighbor(img, out_hw, align_corners=align_corners)
        bil = tf.image.resize_bilinear(img, out_hw, align_corners=align_corners)
    assert near.dtype == tf.float32 and bil.dtype == tf.float32
    assert near.shape.as_list() == bil.shape.as_list() == [2, *out_hw, 3]
    got_near, got_bil = run([near, bil])
    np.testing.assert_array_equal(got_near, ref_nearest(img, out_hw, align_corners))
    np.testing.assert_allclose(got_bil, ref_bilinear(img.astype(np.float64), out_hw, align_corners), atol=2e-6)


@pytest.mark.parametrize("in_hw,out_hw", SIZES)
def test_area_matches_reference(in_hw, out_hw):
    img = RNG.standard_normal((1, *in_hw, 2))
    np.testing.assert_allclose(run(tf.image.resize_area(img, out_hw)), ref_area(img, out_hw), rtol=1e-5, atol=1e-5)


def test_bicubic_interpolates_and_keeps_constants():
    img = RNG.standard_normal((1, 4, 5, 2))
    up = run(tf.image.resize_bicubic(img, [8, 10]))
    np.testing.assert_allclose(up[:, ::2, ::2], img, rtol=1e-5, atol=1e-5)  # integer source positions copy
    flat = run(tf.image.resize_bicubic(np.full((1, 4, 5, 1), 3.0), [7, 3]))
    np.testing.assert_allclose(flat, 3.0, rtol=1e-5)


def test_resize_gradients():
    img = RNG.standard_normal((2, 4, 5, 2))
    def resized(fn, size, align, x):
        return tf.cast(fn(x, size, align_corners=align), tf.float64)

    for fn in (tf.image.resize_bilinear, tf.image.resize_bicubic):
        for size, align in (([7, 3], False), ([3, 8], True)):
            check_gradients(functools.partial(resized, fn, size, align), img,
                            delta=1e-2, rtol=1e-3, atol=1e-3)  # the kernels compute in float32, as TF's
    check_gradients(lambda x: tf.image.resize_nearest_neighbor(x, [7, 3]), img)
    check_gradients(lambda x: tf.image.resize_nearest_neighbor(x, [3, 2], align_corners=True), img)


def test_resize_gradient_second_order():
    """The resize gradients are linear in the incoming gradient; their own gradient is the forward resize."""
    img = RNG.standard_normal((1, 4, 5, 1)).astype(np.float32)

    def resize_grad(fn, c):
        x = tf.constant(img)
        y = fn(x, [6, 7])
        return tf.cast(tf.gradients(tf.reduce_sum(y * tf.cast(c, y.dtype)), x)[0], tf.float64)

    for fn in (tf.image.resize_bilinear, tf.image.resize_nearest_neighbor):
        check_gradients(functools.partial(resize_grad, fn), RNG.standard_normal((1, 6, 7, 1)),
                        delta=1e-2, rtol=1e-3, atol=1e-3)


def test_area_resize_has_no_gradient_like_tf1():
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    with pytest.raises(LookupError, match="ResizeArea"):
        tf.gradients(tf.image.resize_area(x, [2, 2]), x)


# -- resize_images -------------------------------------------------------------------------------------------


def test_resize_images_methods_dtypes_and_shapes():
    img = RNG.integers(0, 255, (5, 4, 3)).astype(np.uint8)
    bil = tf.image.resize_images(img, [7, 9])
    near = tf.image.resize_images(img, [7, 9], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    by_code = tf.image.resize(img, [7, 9], method=1)
    batch = tf.image.resize_images(tf.placeholder(tf.float64, [None, 5, 4, 3]), [7, 9])
    assert bil.dtype == tf.float32 and near.dtype == tf.uint8 and batch.dtype == tf.float32
    assert bil.shape.as_list() == [7, 9, 3] and batch.shape.as_list() == [None, 7, 9, 3]
    b, n, c = run([bil, near, by_code])
    np.testing.assert_allclose(b, ref_bilinear(img[None].astype(np.float64), (7, 9))[0], atol=1e-4)
    np.testing.assert_array_equal(n, ref_nearest(img[None], (7, 9))[0])
    np.testing.assert_array_equal(c, n)
    assert [tf.image.ResizeMethod.BILINEAR, tf.image.ResizeMethod.NEAREST_NEIGHBOR, tf.image.ResizeMethod.BICUBIC,
            tf.image.ResizeMethod.AREA] == [0, 1, 2, 3]


def test_resize_images_same_size_and_aspect_ratio():
    x = tf.placeholder(tf.uint8, [2, 5, 4, 3])
    assert tf.image.resize_images(x, [5, 4]) is x  # statically unchanged: no resize, dtype kept
    kept = tf.image.resize_images(tf.placeholder(tf.float32, [None, 5, 4, 3]), [7, 9], preserve_aspect_ratio=True)
    assert kept.shape.as_list() == [None, 7, 6, 3]
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tf.image.resize_images(tf.zeros([4, 4]), [2, 2])
    with pytest.raises(ValueError, match="Resize method is not implemented"):
        tf.image.resize_images(tf.zeros([4, 4, 1]), [2, 2], method=7)
    with pytest.raises(ValueError, match="size must be positive"):
        tf.image.resize_bilinear(tf.zeros([1, 4, 4, 1]), [0, 2])


# -- depth_to_space / space_to_depth -------------------------------------------------------------------------


def ref_depth_to_space(x, b):
    n, h, w, c = x.shape
    co = c // (b * b)
    out = np.zeros((n, h * b, w * b, co))
    for hh in range(h):
        for ww in range(w):
            for i in range(b):
                for j in range(b):
                    out[:, hh * b + i, ww * b + j, :] = x[:, hh, ww, (i * b + j) * co:(i * b + j + 1) * co]
    return out


@pytest.mark.parametrize("device", DEVICES)
def test_depth_to_space_and_back(device):
    x = RNG.standard_normal((2, 3, 4, 8))
    with tf.device(device):
        d2s = tf.depth_to_space(x, 2)
        back = tf.space_to_depth(d2s, 2)
    assert d2s.shape.as_list() == [2, 6, 8, 2] and d2s.op.type == "DepthToSpace"
    got, again = run([d2s, back])
    np.testing.assert_array_equal(got, ref_depth_to_space(x, 2))
    np.testing.assert_array_equal(again, x)
    assert tf.nn.depth_to_space is tf.depth_to_space and tf.nn.space_to_depth is tf.space_to_depth


def test_depth_space_gradients_and_errors():
    check_gradients(lambda x: tf.depth_to_space(x, 2), RNG.standard_normal((1, 2, 3, 8)))
    check_gradients(lambda x: tf.space_to_depth(x, 3), RNG.standard_normal((1, 3, 6, 2)))
    with pytest.raises(ValueError, match="evenly divisible by 4 but is 6"):
        tf.depth_to_space(tf.zeros([1, 2, 2, 6]), 2)
    with pytest.raises(ValueError, match="evenly divisible by 2 but is 3"):
        tf.space_to_depth(tf.zeros([1, 3, 4, 1]), 2)
    with pytest.raises(ValueError, match="must be at least minimum 2"):
        tf.depth_to_space(tf.zeros([1, 2, 2, 4]), 1)


# -- cheap image ops -----------------------------------------------------------------------------------------


def test_flips_transpose_rot90():
    img = RNG.standard_normal((4, 5, 3))
    batch = RNG.standard_normal((2, 4, 5, 3))
    ops = [tf.image.flip_left_right(img), tf.image.flip_up_down(img), tf.image.transpose_image(img),
           tf.image.flip_left_right(batch), tf.image.transpose_image(batch)]
    ops += [tf.image.rot90(img, k) for k in range(4)] + [tf.image.rot90(batch, 3)]
    got = run(ops)
    want = [img[:, ::-1], img[::-1], img.transpose(1, 0, 2), batch[:, :, ::-1], batch.transpose(0, 2, 1, 3)]
    want += [np.rot90(img, k, axes=(0, 1)) for k in range(4)] + [np.rot90(batch, 3, axes=(1, 2))]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_crops_and_pads():
    img = RNG.standard_normal((6, 8, 3))
    crop = tf.image.crop_to_bounding_box(img, 1, 2, 3, 4)
    central = tf.image.central_crop(img, 0.5)
    smaller = tf.image.resize_image_with_crop_or_pad(img, 3, 5)
    larger = tf.image.resize_image_with_crop_or_pad(img, 9, 11)
    assert crop.shape.as_list() == [3, 4, 3] and central.shape.as_list() == [4, 4, 3]
    c, ce, s, lg = run([crop, central, smaller, larger])
    np.testing.assert_array_equal(c, img[1:4, 2:6])
    np.testing.assert_array_equal(ce, img[1:5, 2:6])  # start = int((6 - 6·0.5)/2) = 1, size = 6 − 2·1
    np.testing.assert_array_equal(s, img[1:4, 1:6])
    np.testing.assert_array_equal(lg, np.pad(img, ((1, 2), (1, 2), (0, 0))))
    with pytest.raises(ValueError, match="width must be >= target \\+ offset"):
        tf.image.crop_to_bounding_box(img, 0, 6, 2, 4)
    with pytest.raises(ValueError, match="central_fraction must be within"):
        tf.image.central_crop(img, 0.0)


def test_dtype_conversion_and_adjustments():
    u8 = np.array([[[0, 128, 255]]], dtype=np.uint8)
    to_float = tf.image.convert_image_dtype(u8, tf.float32)
    back = tf.image.convert_image_dtype(to_float, tf.uint8)
    f = RNG.uniform(0, 1, (4, 5, 3)).astype(np.float32)
    bright = tf.image.adjust_brightness(f, 0.7)
    contrast = tf.image.adjust_contrast(f, 0.5)
    std = tf.image.per_image_standardization(f)
    gray = tf.image.rgb_to_grayscale(f)
    u8_bright = tf.image.adjust_brightness(np.full((2, 2, 1), 250, np.uint8), 0.1)
    got = run([to_float, back, bright, contrast, std, gray, u8_bright])
    np.testing.assert_allclose(got[0], u8 / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(got[1], u8)
    np.testing.assert_allclose(got[2], f + 0.7, rtol=1e-6)  # floats are not clipped
    mean = f.mean(axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(got[3], (f - mean) * 0.5 + mean, rtol=1e-5)
    np.testing.assert_allclose(got[4], (f - f.mean()) / max(f.std(), 1 / math.sqrt(f.size)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[5][..., 0], f @ np.array([0.2989, 0.5870, 0.1140]), rtol=1e-5)
    np.testing.assert_array_equal(got[6], 255)  # integer images saturate
    assert gray.shape.as_list() == [4, 5, 1]


def test_random_flips_and_brightness():
    batch = np.arange(16 * 2 * 3, dtype=np.float32).reshape(16, 1, 2, 3)
    flipped = run(tf.image.random_flip_left_right(batch, seed=1))
    same = [np.array_equal(f, b) for f, b in zip(flipped, batch)]
    mirrored = [np.array_equal(f, b[:, ::-1]) for f, b in zip(flipped, batch)]
    assert all(s or m for s, m in zip(same, mirrored)) and any(same) and any(mirrored)
    single = run(tf.image.random_flip_up_down(batch[0, 0][None].repeat(2, 0), seed=2))
    assert single.shape == (2, 2, 3)
    bright = run(tf.image.random_brightness(np.zeros((3, 3, 1), np.float32), 0.2))
    assert np.all(np.abs(bright) <= 0.2) and np.all(bright == bright.flat[0])
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.random_brightness(np.zeros((3, 3, 1), np.float32), -0.1)


# -- oracle --------------------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_resizing_matches_tensorflow_on_a_grid(tf1):
    methods = ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic", "resize_area"]
    for method, (in_hw, out_hw), align, half in itertools.product(methods, SIZES, [False, True], [False, True]):
        if (align and half) or (method == "resize_area" and half):
            continue
        img = RNG.standard_normal((2, *in_hw, 3)).astype(np.float32)
        dy = RNG.standard_normal((2, *out_hw, 3)).astype(np.float32)
        results = []
        for lib in (tf, tf1):
            g = lib.Graph()
            with g.as_default():
                x = lib.constant(img)
                kwargs = {"align_corners": align} | ({} if method == "resize_area" else {"half_pixel_centers": half})
                y = getattr(lib.image, method)(x, out_hw, **kwargs)
                fetch = [y] + ([] if method == "resize_area" else lib.gradients(y, x, grad_ys=lib.constant(dy)))
                with lib.Session(graph=g) as sess:
                    results.append(sess.run(fetch))
        for ours, theirs in zip(*results):
            assert ours.dtype == theirs.dtype
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=2e-5,
                                       err_msg=str((method, in_hw, out_hw, align, half)))
