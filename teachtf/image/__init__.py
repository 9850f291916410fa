"""tf.image (API.md §18): resizing with TF1's legacy sampling, flips/rotations, crops and pads, dtype
conversion and photometric adjustments."""

from ..ops.image_ops import resize_area, resize_bicubic, resize_bilinear, resize_nearest_neighbor  # noqa: F401
from .basic_ops import *  # noqa: F401,F403
from .basic_ops import __all__ as _basic_all
from .resizing import ResizeMethod, resize, resize_images  # noqa: F401

__all__ = sorted(["ResizeMethod", "resize", "resize_area", "resize_bicubic", "resize_bilinear", "resize_images",
                  "resize_nearest_neighbor"] + list(_basic_all))
