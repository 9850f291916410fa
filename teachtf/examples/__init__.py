"""teachtf.examples: the TF1 tutorial modules classic programs import (`tensorflow.examples.tutorials`)."""

from . import tutorials  # noqa: F401
