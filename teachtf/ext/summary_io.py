"""`teachtf.ext.load_scalars`: scalar summaries of a log directory as plain Python data (API.md §21)."""

from __future__ import annotations

from ..summary.event_reader import read_scalars

__all__ = ["load_scalars"]


def load_scalars(logdir) -> dict:
    """{tag: [(step, value), ...]} from the event files in `logdir` (or one events file), in write order.

    Uses TensorBoard's record reader; needs the `tensorboard` package, not TensorFlow.
    """
    return read_scalars(logdir)
