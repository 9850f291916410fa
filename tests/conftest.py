"""Shared fixtures: every test starts from a fresh default graph."""

import pytest

import teachtf as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()
