"""tf.image.resize_images / tf.image.resize and ResizeMethod (API.md §18): 3-D or 4-D images, legacy TF1 sampling."""

from __future__ import annotations

import numpy as np

from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..ops import image_ops
from ..ops.constant_op import constant, constant_value, convert_to_tensor

__all__ = ["ResizeMethod", "resize", "resize_images"]


class ResizeMethod:
    """The int codes of tf.image.resize_images' `method`."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_RESIZERS = {
    ResizeMethod.BILINEAR: image_ops.resize_bilinear,
    ResizeMethod.NEAREST_NEIGHBOR: image_ops.resize_nearest_neighbor,
    ResizeMethod.BICUBIC: image_ops.resize_bicubic,
    ResizeMethod.AREA: image_ops.resize_area,
}
_NAMES = {"bilinear": 0, "nearest": 1, "bicubic": 2, "area": 3}


def _aspect_size(height, width, size):
    """The largest size within `size` that keeps height:width (TF rounds each side)."""
    if None in (height, width) or size is None:
        raise ValueError("preserve_aspect_ratio needs static image and target sizes in teachtf")
    factor = min(np.float32(size[0]) / np.float32(height), np.float32(size[1]) / np.float32(width))
    return [int(np.round(factor * np.float32(height))), int(np.round(factor * np.float32(width)))]


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None) -> Tensor:
    """Resizes [b, h, w, c] or [h, w, c] images to size [new_h, new_w].

    method: a ResizeMethod code (or 'bilinear', 'nearest', 'bicubic', 'area'). Output float32 except
    NEAREST_NEIGHBOR (input dtype); when the size is statically unchanged the images come back as they are.
    """
    from ..ops import array_ops

    code = _NAMES.get(method, method) if isinstance(method, str) else method
    if code not in _RESIZERS:
        raise ValueError("Resize method is not implemented.")
    with _graph.name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        if rank is None:
            raise ValueError("'images' contains no shape.")
        if rank not in (3, 4):
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        if rank == 3:
            images = array_ops.expand_dims(images, 0)
        _, height, width, _ = images.shape.as_list()
        size_t = image_ops._size_tensor(size)
        if not size_t.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        sv = constant_value(size_t)
        static = None if sv is None else [int(v) for v in np.asarray(sv).reshape(-1)]
        if preserve_aspect_ratio:
            static = _aspect_size(height, width, static)
            size_t = constant(np.asarray(static, np.int32), name="size")
        if static is not None and [height, width] == static:
            return array_ops.squeeze(images, axis=[0]) if rank == 3 else images
        out = _RESIZERS[code](images, size_t, align_corners=align_corners)
        return array_ops.squeeze(out, axis=[0]) if rank == 3 else out


resize = resize_images
