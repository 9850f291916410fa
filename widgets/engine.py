"""Running small engine graphs for the models: what a widget shows is what teachtf computes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run_graph(build: Callable[[], Any], feed_dict: Callable[[], dict] | None = None):
    """Builds `build()` in a fresh tf.Graph and returns `sess.run` of its result (NumPy values).

    The learner's default graph is left untouched. An engine error while running becomes a
    ValueError carrying the engine's message, which the views show next to the controls.
    """
    import teachtf as tf

    graph = tf.Graph()
    with graph.as_default():
        fetches = build()
        with tf.Session(graph=graph) as sess:
            try:
                return sess.run(fetches, feed_dict() if feed_dict else None)
            except tf.errors.OpError as e:
                raise ValueError(e.message) from e


def missing_ops(*names: str) -> list[str]:
    """The dotted names (e.g. "nn.conv2d", "ext.max_unpool") the engine does not provide yet."""
    import teachtf as tf

    missing = []
    for dotted in names:
        obj = tf
        try:
            for part in dotted.split("."):
                obj = getattr(obj, part)
        except (AttributeError, ImportError):
            missing.append(dotted)
    return missing


def require_ops(widget: str, *names: str) -> None:
    """Raises a clear error when an engine op a widget needs is not available."""
    missing = missing_ops(*names)
    if missing:
        raise NotImplementedError(f"{widget} needs {', '.join('tf.' + m for m in missing)}, which this teachtf "
                                  f"build does not provide.")
