"""tf.train names backed by tf.summary: `summary_iterator`, and the pre-1.0 `SummaryWriter` (API.md §13, §19)."""

from __future__ import annotations

from ..summary.event_reader import summary_iterator
from ..summary.legacy import _deprecated
from ..summary.writer import FileWriter

__all__ = ["SummaryWriter", "summary_iterator"]


class SummaryWriter(FileWriter):
    """The pre-1.0 name of `tf.summary.FileWriter` (warns once); `graph_def=sess.graph_def` is accepted."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None):
        _deprecated("tf.train.SummaryWriter", "tf.summary.FileWriter")
        super().__init__(logdir, graph=graph, max_queue=max_queue, flush_secs=flush_secs, graph_def=graph_def)
