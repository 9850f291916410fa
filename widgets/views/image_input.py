"""The input image of the pooling explorers: a preset chosen by the input/size/channels controls, or the
learner's own array (then size and channels follow it and their sliders are disabled)."""

from __future__ import annotations

import numpy as np

from ..arrays import as_image
from ..models.conv_presets import INPUT_PRESETS, input_preset
from .base import Explorer
from .controls import dropdown, int_slider


class ImageInputExplorer(Explorer):
    """An Explorer whose subclass `__init__` calls `_take_input` before filling `self._init` (keys input, size,
    channels) and whose `_build_controls` starts from `_input_controls`."""

    def _take_input(self, input, session, input_size: int, channels: int, seed: int) -> tuple:
        """Stores the seed and the learner's image ([h, w, c], or None); returns (size, channels) to start from."""
        self._seed = seed
        self._custom_input = None if input is None else as_image(input, session, "input")
        if self._custom_input is not None:
            return self._custom_input.shape[0], self._custom_input.shape[2]
        return input_size, channels

    def _input_controls(self, max_size: int) -> dict:
        """The input dropdown and the size/channels sliders (disabled for a custom image)."""
        v = self._init
        fixed = v["input"] == "custom"
        controls = {
            "input": dropdown("input", list(INPUT_PRESETS) + (["custom"] if fixed else []), v["input"]),
            "size": int_slider("input size", v["size"], 2, max_size),
            "channels": int_slider("channels", v["channels"], 1, 3),
        }
        controls["size"].disabled = controls["channels"].disabled = fixed
        return controls

    def current_input(self) -> np.ndarray:
        """The image [h, w, c] the controls select."""
        v = self.value_of
        if v("input") == "custom":
            return self._custom_input
        return input_preset(v("input"), v("size"), v("size"), v("channels"), self._seed)
