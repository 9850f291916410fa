"""The cheap tf.image ops of API.md §18, composed from public ops exactly as TF 1.15 composes them:
flips and rotations, crops and pads, dtype conversion, brightness/contrast, standardization, grayscale.

Images are [h, w, c] or a batch [b, h, w, c]; the spatial axes are the last three but one.
Crop/pad/rotation arguments must be known when the graph is built (Python ints or constants).
"""

from __future__ import annotations

import numpy as np

import teachtf as tf

from ..framework import dtypes
from ..framework.graph import Tensor
from ..ops.constant_op import constant_value

__all__ = [
    "adjust_brightness", "adjust_contrast", "central_crop", "convert_image_dtype", "crop_to_bounding_box",
    "flip_left_right", "flip_up_down", "grayscale_to_rgb", "pad_to_bounding_box", "per_image_standardization",
    "random_brightness", "random_contrast", "random_flip_left_right", "random_flip_up_down",
    "resize_image_with_crop_or_pad", "rgb_to_grayscale", "rot90", "transpose", "transpose_image",
]


def _image_rank(image: Tensor, what: str) -> int:
    rank = image.shape.ndims
    if rank not in (3, 4):
        raise ValueError(f"{what}: 'image' (shape {image.shape}) must have either 3 or 4 dimensions.")
    return rank


def _static_int(v, what: str) -> int:
    c = constant_value(v) if isinstance(v, Tensor) or hasattr(v, "_as_tensor") else v
    if c is None:
        raise ValueError(f"teachtf needs {what} to be known when the graph is built (a Python int or constant)")
    return int(np.asarray(c).reshape(()))


def _hw(image: Tensor, what: str):
    h, w = image.shape.as_list()[-3:-1]
    if h is None or w is None:
        raise ValueError(f"{what}: teachtf needs the image height and width to be known when the graph is built "
                         f"(got shape {image.shape})")
    return h, w


# -- flips and rotations -------------------------------------------------------------------------------------


def _flip(image, axis_3d, scope):
    with tf.name_scope(None, scope, [image]):
        image = tf.convert_to_tensor(image, name="image")
        rank = _image_rank(image, scope)
        return tf.reverse(image, [axis_3d + rank - 3])


def flip_left_right(image) -> Tensor:
    """Mirrors the width axis."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image) -> Tensor:
    """Mirrors the height axis."""
    return _flip(image, 0, "flip_up_down")


def transpose_image(image, name=None) -> Tensor:
    """Swaps height and width."""
    with tf.name_scope(name, "transpose", [image]):
        image = tf.convert_to_tensor(image, name="image")
        perm = [1, 0, 2] if _image_rank(image, "transpose") == 3 else [0, 2, 1, 3]
        return tf.transpose(image, perm)


transpose = transpose_image


def rot90(image, k=1, name=None) -> Tensor:
    """Rotates counter-clockwise by k·90° (k known at build time)."""
    with tf.name_scope(name, "rot90", [image, k]):
        image = tf.convert_to_tensor(image, name="image")
        lead = _image_rank(image, "rot90") - 3
        h, w = lead, lead + 1
        perm = list(range(lead)) + [h + 1, h, h + 2]
        k = _static_int(k, "rot90's k") % 4
        if k == 1:
            return tf.transpose(tf.reverse(image, [w]), perm)
        if k == 2:
            return tf.reverse(image, [h, w])
        if k == 3:
            return tf.reverse(tf.transpose(image, perm), [w])
        return image


def _random_flip(image, axis_3d, seed, scope):
    with tf.name_scope(None, scope, [image]):
        image = tf.convert_to_tensor(image, name="image")
        rank = _image_rank(image, scope)
        flipped = tf.reverse(image, [axis_3d + rank - 3])
        if rank == 3:
            flip = tf.less(tf.random_uniform([], 0, 1.0, seed=seed), 0.5)
            mask = tf.fill(tf.shape(image), flip)
        else:
            per_image = tf.less(tf.random_uniform([tf.shape(image)[0]], 0, 1.0, seed=seed), 0.5)
            mask = tf.broadcast_to(tf.reshape(per_image, [-1, 1, 1, 1]), tf.shape(image))
        return tf.where(mask, flipped, image)


def random_flip_left_right(image, seed=None) -> Tensor:
    """Mirrors the width axis with probability 1/2 (each image of a batch decides on its own)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None) -> Tensor:
    return _random_flip(image, 0, seed, "random_flip_up_down")


# -- crops and pads ------------------------------------------------------------------------------------------


def _box_args(image, op: str, offset_height, offset_width, target_height, target_width) -> tuple:
    """(image tensor, its rank, (oh, ow, th, tw) as static ints, (h, w)) for the bounding-box ops."""
    image = tf.convert_to_tensor(image, name="image")
    rank = _image_rank(image, op)
    oh, ow = _static_int(offset_height, "offset_height"), _static_int(offset_width, "offset_width")
    th, tw = _static_int(target_height, "target_height"), _static_int(target_width, "target_width")
    return image, rank, (oh, ow, th, tw), _hw(image, op)


def _check_all(checks) -> None:
    """Raises ValueError(message) for the first (ok, message) pair that is not ok, in TF's order."""
    for ok, msg in checks:
        if not ok:
            raise ValueError(msg)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """image[..., oh:oh+th, ow:ow+tw, :] with TF's argument checks."""
    with tf.name_scope(None, "crop_to_bounding_box", [image]):
        image, rank, (oh, ow, th, tw), (h, w) = _box_args(image, "crop_to_bounding_box", offset_height,
                                                          offset_width, target_height, target_width)
        _check_all(((ow >= 0, "offset_width must be >= 0."), (oh >= 0, "offset_height must be >= 0."),
                    (tw > 0, "target_width must be > 0."), (th > 0, "target_height must be > 0."),
                    (w >= tw + ow, "width must be >= target + offset."),
                    (h >= th + oh, "height must be >= target + offset.")))
        lead = [0] * (rank - 3)
        return tf.slice(image, lead + [oh, ow, 0], [-1] * (rank - 3) + [th, tw, -1])


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """Zero-pads image to [target_height, target_width] with the image at (offset_height, offset_width)."""
    with tf.name_scope(None, "pad_to_bounding_box", [image]):
        image, rank, (oh, ow, th, tw), (h, w) = _box_args(image, "pad_to_bounding_box", offset_height,
                                                          offset_width, target_height, target_width)
        after_h, after_w = th - oh - h, tw - ow - w
        _check_all(((oh >= 0, "offset_height must be >= 0"), (ow >= 0, "offset_width must be >= 0"),
                    (after_h >= 0, "height must be <= target - offset"),
                    (after_w >= 0, "width must be <= target - offset")))
        paddings = [[0, 0]] * (rank - 3) + [[oh, after_h], [ow, after_w], [0, 0]]
        return tf.pad(image, paddings)


def resize_image_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centrally crops and/or zero-pads to [target_height, target_width] (offsets: half the difference, floored)."""
    with tf.name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = tf.convert_to_tensor(image, name="image")
        _image_rank(image, "resize_image_with_crop_or_pad")
        th, tw = _static_int(target_height, "target_height"), _static_int(target_width, "target_width")
        if th <= 0 or tw <= 0:
            raise ValueError("target_height and target_width must be > 0.")
        h, w = _hw(image, "resize_image_with_crop_or_pad")
        dh, dw = th - h, tw - w
        cropped = crop_to_bounding_box(image, max(-dh // 2, 0), max(-dw // 2, 0), min(th, h), min(tw, w))
        return pad_to_bounding_box(cropped, max(dh // 2, 0), max(dw // 2, 0), th, tw)


def central_crop(image, central_fraction) -> Tensor:
    """The central `central_fraction` (0 < f ≤ 1) of height and width."""
    with tf.name_scope(None, "central_crop", [image]):
        image = tf.convert_to_tensor(image, name="image")
        if not 0.0 < central_fraction <= 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        _image_rank(image, "central_crop")
        if central_fraction == 1.0:
            return image
        h, w = _hw(image, "central_crop")
        top = int((h - h * central_fraction) / 2)
        left = int((w - w * central_fraction) / 2)
        return crop_to_bounding_box(image, top, left, h - 2 * top, w - 2 * left)


# -- dtype conversion and photometric adjustments ------------------------------------------------------------


def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Casts between image dtypes, rescaling: integers span [0, MAX], floats [0, 1] (uint8 → float: × 1/255)."""
    target = dtypes.as_dtype(dtype).base_dtype
    with tf.name_scope(name, "convert_image", [image]):
        image = tf.convert_to_tensor(image, name="image")
        source = image.dtype.base_dtype
        if not (target.is_floating or target.is_integer) or not (source.is_floating or source.is_integer):
            raise AttributeError("Image dtypes must be integer or floating point")
        if source == target:
            return tf.identity(image)
        if source.is_integer and target.is_integer:
            scale_in, scale_out = source.max + 1, target.max + 1
            if scale_in > scale_out:
                return tf.cast(tf.floordiv(image, image.dtype.as_numpy_dtype(scale_in // scale_out)), target)
            cast = tf.cast(image, target)
            return tf.multiply(cast, target.as_numpy_dtype(scale_out // scale_in))
        if source.is_floating and target.is_floating:
            return tf.cast(image, target)
        if source.is_integer:
            return tf.multiply(tf.cast(image, target), target.as_numpy_dtype(1.0 / source.max))
        scaled = tf.multiply(image, source.as_numpy_dtype(target.max + 0.5))
        return tf.saturate_cast(scaled, target) if saturate else tf.cast(scaled, target)


def _to_float(image):
    image = tf.convert_to_tensor(image, name="image")
    if image.dtype.base_dtype in (dtypes.float16, dtypes.float32):
        return image, image.dtype.base_dtype
    return convert_image_dtype(image, dtypes.float32), image.dtype.base_dtype


def adjust_brightness(image, delta) -> Tensor:
    """image + delta in float (integer images are converted to [0, 1] and back, saturating); floats are not clipped."""
    with tf.name_scope(None, "adjust_brightness", [image, delta]):
        flt, orig = _to_float(image)
        adjusted = tf.add(flt, tf.cast(delta, flt.dtype))
        return convert_image_dtype(adjusted, orig, saturate=True)


def adjust_contrast(images, contrast_factor) -> Tensor:
    """(x − mean)·f + mean per image and channel (mean over height and width)."""
    with tf.name_scope(None, "adjust_contrast", [images, contrast_factor]):
        flt, orig = _to_float(images)
        _image_rank(flt, "adjust_contrast")
        mean = tf.reduce_mean(flt, axis=[-3, -2], keepdims=True)
        factor = tf.cast(contrast_factor, flt.dtype)
        adjusted = tf.add(tf.multiply(tf.subtract(flt, mean), factor), mean)
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """adjust_brightness with delta ~ U[−max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = tf.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """adjust_contrast with factor ~ U[lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = tf.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


def per_image_standardization(image) -> Tensor:
    """(x − mean) / max(stddev, 1/√N) per image, N = h·w·c; float32 output."""
    with tf.name_scope(None, "per_image_standardization", [image]) as scope:
        image = tf.convert_to_tensor(image, name="image")
        if image.shape.ndims is not None and image.shape.ndims < 3:
            raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
        num_pixels = tf.reduce_prod(tf.shape(image)[-3:])
        image = tf.cast(image, tf.float32)
        mean = tf.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = tf.nn.relu(tf.reduce_mean(tf.square(image), axis=[-1, -2, -3], keepdims=True) - tf.square(mean))
        min_stddev = tf.rsqrt(tf.cast(num_pixels, tf.float32))
        scale = tf.maximum(tf.sqrt(variance), min_stddev)
        return tf.div(tf.subtract(image, mean), scale, name=scope)


def rgb_to_grayscale(images, name=None) -> Tensor:
    """0.2989·R + 0.5870·G + 0.1140·B, keeping a channel axis of size 1 and the input dtype."""
    with tf.name_scope(name, "rgb_to_grayscale", [images]):
        flt, orig = _to_float(images)
        weights = tf.constant([0.2989, 0.5870, 0.1140], dtype=flt.dtype)
        gray = tf.reduce_sum(tf.multiply(flt, weights), axis=-1, keepdims=True)
        return convert_image_dtype(gray, orig)


def grayscale_to_rgb(images, name=None) -> Tensor:
    """Repeats the single channel three times."""
    with tf.name_scope(name, "grayscale_to_rgb", [images]):
        images = tf.convert_to_tensor(images, name="images")
        return tf.concat([images, images, images], axis=-1)
