"""Device parametrisation: one test body runs on every available device; GPU cases skip cleanly."""

import pytest

from teachtf import backend

DEVICES = [
    pytest.param("/cpu:0", id="cpu"),
    pytest.param("/gpu:0", id="gpu", marks=pytest.mark.skipif(not backend.cupy_available(),
                                                              reason="needs CuPy and an NVIDIA GPU")),
]
