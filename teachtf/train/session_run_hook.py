"""SessionRunHook and the values passed to hooks (`tf.train.SessionRunHook`, `SessionRunArgs`, ...; API.md §12.7)."""

from __future__ import annotations

import collections

__all__ = ["SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues"]


class SessionRunHook:
    """Extends `MonitoredSession.run`; every method is optional.

    Order: `begin()` (graph still editable) → `after_create_session(session, coord)`
    → per run: `before_run(run_context)` (may return SessionRunArgs to add fetches
    and feeds) and `after_run(run_context, run_values)` → `end(session)`.
    """

    def begin(self):
        pass

    def after_create_session(self, session, coord):
        pass

    def before_run(self, run_context):
        return None

    def after_run(self, run_context, run_values):
        pass

    def end(self, session):
        pass


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: `fetches` (any structure), `feed_dict`, `options`."""

    __slots__ = ()

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """The run in progress: `original_args` (the caller's SessionRunArgs), `session`, and `request_stop()`."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self):
        """Makes `should_stop()` true after this run."""
        self._stop_requested = True


SessionRunValues = collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])
SessionRunValues.__doc__ = "What a hook gets back: `results` has the structure of the fetches it asked for."
