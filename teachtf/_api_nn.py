"""Top-level names contributed by one area of the engine (re-exported by teachtf/__init__.py)."""

from .ops.image_ops import depth_to_space, space_to_depth

__all__ = ["depth_to_space", "space_to_depth"]
