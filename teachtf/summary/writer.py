"""`tf.summary.FileWriter`: writes TensorBoard event files and keeps the scalar history in memory (API.md §13).

Events are TFRecord-framed `Event` protobufs written with TensorBoard's own
RecordWriter. No background thread: the file is flushed after `max_queue`
events, when `flush_secs` have passed at the next event, and on `flush()`/`close()`.
`writer.scalars` holds `{tag: [(step, value), ...]}` for `teachtf.summary.plot`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings

import numpy as np

from ..framework.graph import Graph
from ..framework.graph import GraphDef as _TeachtfGraphDef
from ._protos import protos
from .event_reader import scalar_values

__all__ = ["FileWriter", "FileWriterCache"]


def _new_event_path(logdir: str, suffix: str) -> str:
    base = os.path.join(logdir, f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}")
    path = base + suffix
    n = 1
    while os.path.exists(path):
        path = f"{base}.{os.getpid()}.{n}{suffix}"
        n += 1
    return path


class FileWriter:
    """Writes `Event`s for TensorBoard into `logdir` (created if missing)."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None,
                 session=None):
        protos()  # fail early, with install advice, when tensorboard is missing
        self._logdir = os.fspath(logdir)
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = flush_secs
        self._suffix = filename_suffix or ""
        self._lock = threading.Lock()
        self._seen_summary_tags = set()
        self._run_metadata_tags = set()
        self._warned_closed = False
        self.scalars: dict = {}
        self._open()
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)

    # -- the file -------------------------------------------------------------------------------------------
    def _open(self):
        from tensorboard.summary.writer.record_writer import RecordWriter

        os.makedirs(self._logdir, exist_ok=True)
        self._path = _new_event_path(self._logdir, self._suffix)
        self._file = open(self._path, "ab")
        self._records = RecordWriter(self._file)
        self._closed = False
        self._unflushed = 0
        self._last_flush = time.time()
        self._write(protos().event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def _write(self, event):
        self._records.write(event.SerializeToString())
        self._unflushed += 1
        if self._unflushed >= self._max_queue or time.time() - self._last_flush >= self._flush_secs:
            self.flush()

    @property
    def event_file_path(self) -> str:
        """The path of the events file being written."""
        return self._path

    def get_logdir(self) -> str:
        return self._logdir

    def add_event(self, event) -> None:
        """Writes one `Event` (ignored, with a warning, after `close()`)."""
        with self._lock:
            if self._closed:
                if not self._warned_closed:
                    self._warned_closed = True
                    warnings.warn(f"FileWriter for {self._logdir} is closed; events are dropped until reopen().",
                                  UserWarning, stacklevel=3)
                return
            self._write(event)

    def flush(self) -> None:
        """Makes everything written so far visible to TensorBoard."""
        if not self._closed:
            self._records.flush()
            self._unflushed = 0
            self._last_flush = time.time()

    def close(self) -> None:
        """Flushes and closes the events file; `reopen()` starts a new one."""
        if not self._closed:
            self.flush()
            self._records.close()
            self._closed = True

    def reopen(self) -> None:
        """Starts a new events file in the same directory after `close()`."""
        if self._closed:
            self._open()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- what goes in -----------------------------------------------------------------------------------------
    def _event(self, global_step, **fields):
        event = protos().event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        return event

    def add_summary(self, summary, global_step=None) -> None:
        """Writes a Summary (the bytes a summary op returns, or a `tf.Summary` object) at `global_step`."""
        summary_pb2 = protos().summary_pb2
        if isinstance(summary, np.ndarray) and summary.dtype == object and summary.size == 1:
            summary = summary.item()
        if isinstance(summary, bytes):
            parsed = summary_pb2.Summary()
            parsed.ParseFromString(summary)
            summary = parsed
        elif not isinstance(summary, summary_pb2.Summary):
            raise TypeError(f"add_summary expects the serialized Summary returned by sess.run(summary_op) or a "
                            f"tf.Summary, got {type(summary).__name__}. Did you pass the summary op instead of "
                            "its value?")
        else:
            copy = summary_pb2.Summary()
            copy.CopyFrom(summary)
            summary = copy
        for value in summary.value:
            # TensorBoard needs a plugin's metadata only once per tag, as TF's writer does.
            if value.HasField("metadata"):
                if value.tag in self._seen_summary_tags:
                    value.ClearField("metadata")
                else:
                    self._seen_summary_tags.add(value.tag)
        event = self._event(global_step, summary=summary)
        for tag, v in scalar_values(summary):
            self.scalars.setdefault(tag, []).append((int(event.step), v))
        self.add_event(event)

    def add_graph(self, graph=None, global_step=None, graph_def=None) -> None:
        """Writes the graph (a tf.Graph, or `sess.graph_def`) for TensorBoard's graph dashboard."""
        from .graph_proto import graph_to_proto

        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        source = graph if graph is not None else graph_def
        if not isinstance(source, (Graph, _TeachtfGraphDef, protos().graph_pb2.GraphDef)):
            raise TypeError(f"add_graph expects a tf.Graph (such as sess.graph), got {type(source).__name__}")
        proto = graph_to_proto(source)
        self.add_event(self._event(global_step, graph_def=proto.SerializeToString()))

    def add_session_log(self, session_log, global_step=None) -> None:
        """Writes a SessionLog (START, STOP, CHECKPOINT)."""
        self.add_event(self._event(global_step, session_log=session_log))

    def add_run_metadata(self, run_metadata, tag, global_step=None) -> None:
        """Accepted for compatibility and otherwise inert: teachtf records no step statistics."""
        if tag in self._run_metadata_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._run_metadata_tags.add(tag)

    def add_meta_graph(self, meta_graph_def, global_step=None) -> None:
        """Accepted for compatibility and otherwise inert: teachtf meta graphs are not TensorFlow protobufs."""

    def __repr__(self):
        return f"<tf.summary.FileWriter logdir={self._logdir!r}{' (closed)' if self._closed else ''}>"


class FileWriterCache:
    """One shared FileWriter per log directory (used by hooks)."""

    _cache: dict = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir) -> FileWriter:
        key = os.path.abspath(os.fspath(logdir))
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(key)
            if writer is None:
                writer = FileWriter(logdir)
                FileWriterCache._cache[key] = writer
            writer.reopen()
            return writer

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for w in FileWriterCache._cache.values():
                w.close()
            FileWriterCache._cache = {}
