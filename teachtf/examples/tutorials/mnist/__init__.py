"""teachtf.examples.tutorials.mnist: `input_data` (the MNIST loader) and `mnist` (the classic two-layer model)."""

from . import input_data, mnist  # noqa: F401
