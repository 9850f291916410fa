"""teachtf.examples.tutorials: `mnist` (input_data and the classic model)."""

from . import mnist  # noqa: F401
