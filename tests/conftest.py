"""Shared fixtures: every test starts from a fresh default graph."""

import pytest

import teachtf as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture
def tf1():
    """TensorFlow's `compat.v1` in graph mode, the reference of oracle tests; skips the test without TensorFlow."""
    v1 = pytest.importorskip("tensorflow").compat.v1
    v1.disable_v2_behavior()
    return v1
